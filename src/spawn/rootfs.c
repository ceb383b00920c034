/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building the container's filesystem view in the child: a private mount tree, the rootfs tree
 * the parent made (idmapped in a user namespace) put in place, /proc, a read-only /sys, the
 * parent's tmpfs /dev, the config's mount entries, then pivot_root. Runs between clone and exec,
 * so it only uses stack buffers.
 *
 * Every path inside the rootfs is resolved from an fd of its root (inroot.h) and every mount goes
 * onto the fd found that way (mount-fd.h), then is checked to be where the path now leads: the
 * guest (or another container sharing the rootfs) may swap directories for symlinks while this
 * runs, which can make the start fail but never put a mount, a directory or a file outside. */
#include "spawn.h"

#include "common/macro.h"
#include "inroot.h"
#include "mount-fd.h"
#include "rootfs-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RO_GUARD (MS_RDONLY | MS_NOSUID | MS_NODEV)

/* Attaches mnt onto target, which was resolved from root as path, and checks that path leads
 * there still. */
static int attach_checked(int root, const char *path, enum ct_inroot_mode how, int mnt,
			  int target)
{
	int r = ct_mnt_attach(mnt, target);

	return r < 0 ? r : ct_inroot_verify(root, path, how, mnt);
}

int ct_rootfs_mount_new(int root, const char *path, const char *type, unsigned long flags,
			const char *data, int *ret_mnt)
{
	cleanup_close int target = ct_inroot_dir(root, path, 0755, true, CT_INROOT_NO_SYMLINKS);
	cleanup_close int mnt = -1;
	int r;

	if (target < 0)
		return target;
	r = ct_mnt_new(type, type, data, flags, &mnt);
	if (r >= 0)
		r = attach_checked(root, path, CT_INROOT_NO_SYMLINKS, mnt, target);
	if (r >= 0 && ret_mnt)
		*ret_mnt = steal_fd(&mnt);
	return r;
}

int ct_rootfs_guard(int base, const char *path, int *ret_mnt)
{
	cleanup_close int target = ct_inroot_open(base, path, O_PATH, CT_INROOT_NO_SYMLINKS);
	cleanup_close int mnt = -1;
	int r;

	if (target < 0)
		return target;
	r = ct_mnt_clone(target, "", false, &mnt);
	if (r >= 0)
		r = ct_mnt_set(mnt, RO_GUARD, false, false);
	if (r >= 0)
		r = ct_mnt_attach(mnt, target);
	if (r >= 0 && ret_mnt)
		*ret_mnt = steal_fd(&mnt);
	return r;
}

/* A copy of the mount at path below base, to go on top of a guard over it. */
static int keep_writable(int base, const char *path, int *ret_mnt)
{
	cleanup_close int target = ct_inroot_open(base, path, O_PATH, CT_INROOT_NO_SYMLINKS);

	return target < 0 ? target : ct_mnt_clone(target, "", false, ret_mnt);
}

/* /proc/sys holds host-wide knobs (vm.*, kernel.*) that no namespace covers, and
 * /proc/sysrq-trigger can reboot the host: both read-only, as LXC's proc:mixed. With a network
 * namespace of its own, the container keeps /proc/sys/net writable: those keys are its own.
 * The guards are found from the new proc mount's fd, which the guest cannot have touched. */
static int mount_proc(int root, const struct ct_spawn_plan *p, struct ct_setup_report *rep)
{
	const struct ct_config *c = p->config;
	cleanup_close int proc = -1, sys = -1, net = -1, target = -1;
	int r = ct_rootfs_mount_new(root, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
				    &proc);

	if (r < 0)
		return r;
	/* An OCI bundle's sysctls (namespaced ones only, oci-translate.c) go in before the guard. */
	if (p->oci && (r = ct_spawn_oci_sysctl(proc, p->oci->sysctl, rep)) < 0)
		return r;
	ct_setup_step(rep, CT_STEP_MOUNT_PROC, "/proc/sys");
	if (c->namespaces & CLONE_NEWNET)
		r = keep_writable(proc, "sys/net", &net);
	if (r >= 0)
		r = ct_rootfs_guard(proc, "sys", &sys);
	if (r >= 0 && net >= 0) {
		target = ct_inroot_open(sys, "net", O_PATH, CT_INROOT_NO_SYMLINKS);
		r = target < 0 ? target : ct_mnt_attach(net, target);
	}
	if (r < 0)
		return r;
	ct_setup_step(rep, CT_STEP_MOUNT_PROC, "/proc/sysrq-trigger");
	r = ct_rootfs_guard(proc, "sysrq-trigger", NULL);
	return r == -ENOENT ? 0 : r; /* a kernel without magic SysRq */
}

/* Without a network namespace of its own, a user-namespaced container may not mount sysfs:
 * it gets the host's, copied read-only. *ret_mnt gets the mount. */
static int mount_sys(int root, const struct ct_spawn_plan *p, int *ret_mnt)
{
	unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	cleanup_close int target = -1, mnt = -1;
	int r;

	if (!p->userns || (p->config->namespaces & CLONE_NEWNET))
		return ct_rootfs_mount_new(root, "/sys", "sysfs", ro, NULL, ret_mnt);
	target = ct_inroot_dir(root, "/sys", 0755, true, CT_INROOT_NO_SYMLINKS);
	if (target < 0)
		return target;
	r = ct_mnt_clone(AT_FDCWD, "/sys", true, &mnt);
	if (r >= 0)
		r = attach_checked(root, "/sys", CT_INROOT_NO_SYMLINKS, mnt, target);
	if (r >= 0)
		r = ct_mnt_set(mnt, ro, true, false);
	if (r >= 0)
		*ret_mnt = steal_fd(&mnt);
	return r;
}

/* In a cgroup namespace rooted at the container's cgroup, the guest sees its own subtree as
 * the whole hierarchy, and may manage it (systemd does). */
static int mount_cgroup(int sys)
{
	cleanup_close int target = ct_inroot_dir(sys, "fs/cgroup", 0, false, CT_INROOT_NO_SYMLINKS);
	cleanup_close int mnt = -1;
	int r;

	if (target < 0)
		return target;
	r = ct_mnt_new("cgroup2", "cgroup2", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, &mnt);
	return r < 0 ? r : ct_mnt_attach(mnt, target);
}

/* A detached mount the parent made (the pty slave's node, its devpts) onto name below dev. */
static int attach_at(int dev, const char *name, int mnt)
{
	cleanup_close int target = ct_inroot_open(dev, name, O_PATH, CT_INROOT_NO_SYMLINKS);

	return target < 0 ? target : ct_mnt_attach(mnt, target);
}

/* The parent's tmpfs already holds the nodes, the links and, with a terminal, the file to bind
 * its pty on; devpts (the parent's with a terminal) and /dev/shm are the container's own. */
static int setup_dev(int root, const struct ct_spawn_plan *p, struct ct_setup_report *rep)
{
	cleanup_close int target = -1;
	int r;

	ct_setup_step(rep, CT_STEP_MOUNT_DEV, "/dev");
	target = ct_inroot_dir(root, "/dev", 0755, true, CT_INROOT_NO_SYMLINKS);
	r = target < 0 ? target : attach_checked(root, "/dev", CT_INROOT_NO_SYMLINKS, p->dev_fd,
						 target);
	if (r < 0)
		return r;
	ct_setup_step(rep, CT_STEP_MOUNT_DEVPTS, "/dev/pts");
	r = p->devpts_fd >= 0 ? attach_at(p->dev_fd, "pts", p->devpts_fd)
			      : ct_rootfs_mount_new(p->dev_fd, "pts", "devpts", MS_NOSUID | MS_NOEXEC,
					  "newinstance,ptmxmode=0666,mode=0620,gid=5", NULL);
	if (r < 0)
		return r;
	ct_setup_step(rep, CT_STEP_MOUNT_DEV, "/dev/shm");
	r = ct_rootfs_mount_new(p->dev_fd, "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", NULL);
	if (r < 0 || p->console_fd < 0)
		return r;
	ct_setup_step(rep, CT_STEP_CONSOLE, "/dev/console");
	return attach_at(p->dev_fd, "console", p->console_fd);
}

/* The target of a mount entry: made first with create=dir|file. */
/* The superblocks the config's own file system entries made (st_dev of each): the only ones a
 * remount entry may reconfigure. */
struct made_fs {
	dev_t dev[CT_MOUNTS_MAX];
	size_t n;
};

static void made_add(struct made_fs *made, int mnt)
{
	struct stat st;

	if (made->n < CT_MOUNTS_MAX && fstat(mnt, &st) == 0)
		made->dev[made->n++] = st.st_dev;
}

static bool made_has(const struct made_fs *made, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	for (size_t i = 0; i < made->n; i++)
		if (made->dev[i] == st.st_dev)
			return true;
	return false;
}

/* The target of a mount entry: made first with create=dir|file. A remount's is never reached
 * through a symlink. */
static int user_target(int root, const struct ct_mount_entry *m)
{
	if (m->flags & MS_REMOUNT)
		return ct_inroot_open(root, m->target, O_PATH, CT_INROOT_NO_SYMLINKS);
	if (m->create_dir)
		return ct_inroot_dir(root, m->target, 0755, true, CT_INROOT_FOLLOW);
	if (m->create_file)
		return ct_inroot_file(root, m->target, 0644);
	return ct_inroot_open(root, m->target, O_PATH, CT_INROOT_FOLLOW);
}

/* A remount changes the mount already at the target: its flags (bind), or the superblock of a
 * file system an earlier entry made. Any other superblock may be the host's (the rootfs's file
 * system, sysfs without a network namespace, cgroup2): EPERM. */
static int user_remount(const struct ct_mount_entry *m, int target, const struct made_fs *made)
{
	unsigned long flags = m->flags & ~(CT_MS_PROPAGATION | MS_REMOUNT);
	int r;

	if (flags & MS_BIND)
		r = ct_mnt_set(target, flags, flags & MS_REC, true);
	else
		r = made_has(made, target) ? ct_mnt_reconfigure(target, m->data, flags) : -EPERM;
	return r < 0 ? r : ct_mnt_propagation(target, m->flags & (CT_MS_PROPAGATION | MS_REC));
}

/* Whether a tmpfs's data sets the owner or mode of its root. */
static bool data_sets_root(const char *data)
{
	for (const char *o = data; o && *o; o += strcspn(o, ","), o += *o == ',')
		if (strncmp(o, "mode=", 5) == 0 || strncmp(o, "uid=", 4) == 0 ||
		    strncmp(o, "gid=", 4) == 0)
			return true;
	return false;
}

/* tmpcopyup: the new tmpfs gets what the directory it will cover holds, and that directory's
 * owner and mode if it was there before the entry (not one create=dir just made, 0755) and
 * the options do not set them; a failure names the path in the report. */
static int copy_up(const struct ct_mount_entry *m, int target, int fs, bool existed,
		   struct ct_setup_report *rep)
{
	char failed[128];
	int r = ct_rootfs_copy_up(target, fs, existed && !data_sets_root(m->data), failed,
				  sizeof(failed));

	if (r < 0)
		snprintf(rep->detail, sizeof(rep->detail), "%s (tmpcopyup of %s)", m->target,
			 failed);
	return r;
}

/* A file system of the entry's own; with tmpcopyup, made writable, filled, then read-only if
 * the entry says so (superblock and mount, as a read-only tmpfs is made directly). */
static int new_fs(const struct ct_mount_entry *m, unsigned long flags, int target, bool existed,
		  int *ret_fs, struct ct_setup_report *rep)
{
	unsigned long ro = m->copy_up ? flags & MS_RDONLY : 0;
	int r = ct_mnt_new(m->fstype, m->source, m->data, flags & ~ro, ret_fs);

	if (r >= 0 && m->copy_up)
		r = copy_up(m, target, *ret_fs, existed, rep);
	if (r >= 0 && ro)
		r = ct_mnt_reconfigure(*ret_fs, NULL, flags);
	return r;
}

/* Whether the entry's target is there before the entry makes it (create=dir). */
static bool target_exists(int root, const struct ct_mount_entry *m)
{
	cleanup_close int fd = ct_inroot_open(root, m->target, O_PATH, CT_INROOT_FOLLOW);

	return fd >= 0;
}

/* A bind entry's source arrives as a detached mount from the parent (idmapped in a user
 * namespace); other file systems are made here. A bind takes its flags (ro, nosuid, ...) once
 * attached. */
static int user_mount(int root, const struct ct_mount_entry *m, int tree_fd,
		      struct made_fs *made, struct ct_setup_report *rep)
{
	unsigned long flags = m->flags & ~CT_MS_PROPAGATION;
	bool existed = m->copy_up && target_exists(root, m);
	cleanup_close int target = user_target(root, m);
	cleanup_close int fs = -1;
	int mnt = tree_fd, r;

	if (target < 0)
		return target;
	if (flags & MS_REMOUNT)
		return user_remount(m, target, made);
	if (!(flags & MS_BIND)) {
		r = new_fs(m, flags, target, existed, &fs, rep);
		if (r < 0)
			return r;
		mnt = fs;
	}
	r = attach_checked(root, m->target, CT_INROOT_FOLLOW, mnt, target);
	if (r >= 0 && (flags & MS_BIND))
		r = ct_mnt_set(mnt, flags & ~(MS_BIND | MS_REC), flags & MS_REC, false);
	if (r >= 0)
		r = ct_mnt_propagation(mnt, m->flags & (CT_MS_PROPAGATION | MS_REC));
	if (r >= 0 && fs >= 0)
		made_add(made, fs);
	return r;
}

static int user_mounts(int root, const struct ct_config *c, const struct ct_spawn_fds *fds,
		       size_t next, struct ct_setup_report *rep)
{
	struct made_fs made = { .n = 0 };
	int r;

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct ct_mount_entry *m = &c->mounts[i];
		int fd = -1;

		if ((m->flags & MS_BIND) && !(m->flags & MS_REMOUNT)) {
			if (fds->missing[i])
				continue; /* optional, and its source is not there */
			if (next >= fds->n)
				return -EBADF; /* the parent sent fewer trees than there are binds */
			fd = fds->fd[next++];
		}
		ct_setup_step(rep, CT_STEP_USER_MOUNT, m->target);
		r = user_mount(root, m, fd, &made, rep);
		/* optional forgives a mount that failed, not one that landed elsewhere */
		if (r < 0 && (!m->optional || r == -EXDEV))
			return r;
	}
	return 0;
}

/* The working directory is the new root (ct_rootfs_enter()). */
static int pivot(void)
{
	/* Stacking the old root on top of the new one and detaching it needs no put_old directory
	 * inside the rootfs. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -errno;
	if (umount2(".", MNT_DETACH) < 0)
		return -errno;
	return chdir("/") < 0 ? -errno : 0;
}

static bool is_host_root(const struct ct_config *c)
{
	return strcmp(c->rootfs, "/") == 0;
}

int ct_rootfs_enter(const struct ct_spawn_plan *p, const struct ct_spawn_fds *fds,
		    struct ct_setup_report *rep)
{
	const char *rootfs = p->config->rootfs;
	int r;

	ct_setup_step(rep, CT_STEP_MOUNT_PRIVATE, "/");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	/* rootfs = / shares the host's tree (in a private mount namespace): nothing to put in
	 * place, and pivot_root cannot pivot onto the current root anyway. */
	if (is_host_root(p->config))
		return chdir("/") < 0 ? -errno : 0;
	/* The rootfs path is the operator's (the config's); from here on the tree's fd is the
	 * root of every lookup. */
	ct_setup_step(rep, CT_STEP_BIND_ROOTFS, rootfs);
	if (fds->n == 0)
		return -EBADF;
	r = move_mount(fds->fd[0], "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
	if (r >= 0 && fchdir(fds->fd[0]) < 0)
		r = -errno;
	return r;
}

static int setup_in(int root, const struct ct_spawn_plan *p, const struct ct_spawn_fds *fds,
		    struct ct_setup_report *rep)
{
	const struct ct_config *c = p->config;
	cleanup_close int sys = -1;
	int r;

	ct_setup_step(rep, CT_STEP_MOUNT_PROC, "/proc");
	if ((r = mount_proc(root, p, rep)) < 0)
		return r;
	ct_setup_step(rep, CT_STEP_MOUNT_SYS, "/sys");
	if ((r = mount_sys(root, p, &sys)) < 0)
		return r;
	ct_setup_step(rep, CT_STEP_MOUNT_SYS, "/sys/fs/cgroup");
	if ((c->namespaces & CLONE_NEWCGROUP) && (r = mount_cgroup(sys)) < 0)
		return r;
	if ((r = setup_dev(root, p, rep)) < 0)
		return r;
	return user_mounts(root, c, fds, is_host_root(c) ? 0 : 1, rep);
}

int ct_rootfs_setup(const struct ct_spawn_plan *p, const struct ct_spawn_fds *fds,
		    struct ct_setup_report *rep)
{
	bool host_root = is_host_root(p->config);
	/* ct_rootfs_enter() went to the root of the rootfs tree */
	cleanup_close int root = open(host_root ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (root < 0)
		return -errno;
	r = setup_in(root, p, fds, rep);
	if (r < 0 || host_root)
		return r;
	ct_setup_step(rep, CT_STEP_PIVOT_ROOT, p->config->rootfs);
	r = pivot();
	return r < 0 || !p->oci ? r : ct_spawn_oci_paths(p->oci, rep);
}
