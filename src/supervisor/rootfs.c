/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building the container's filesystem view in the child: a private mount tree, the rootfs tree
 * the parent made (idmapped in a user namespace) put in place, /proc, a read-only /sys, the
 * parent's tmpfs /dev, the config's mount entries, then pivot_root. Runs between clone and exec,
 * so it only uses stack buffers. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

static void step(struct ct_setup_report *rep, enum ct_step s, const char *detail)
{
	rep->step = s;
	snprintf(rep->detail, sizeof(rep->detail), "%s", detail ? detail : "");
}

static int join(char *buf, const char *root, const char *path)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", root, path[0] == '/' ? path + 1 : path);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		    const char *data)
{
	return mount(src, dst, type, flags, data) < 0 ? -errno : 0;
}

/* mkdir -p on a stack copy of path. */
static int mkdir_parents(const char *path, mode_t mode, int include_last)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (include_last && mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int touch(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

/* Mounts fstype at ROOT/where after making sure the directory exists. */
static int mount_at(const char *root, const char *where, const char *src, const char *type,
		    unsigned long flags, const char *data)
{
	char path[PATH_MAX];
	int r = join(path, root, where);

	if (r < 0)
		return r;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return do_mount(src, path, type, flags, data);
}

/* Attaches a detached mount the parent made onto target. */
static int move_tree(int fd, const char *target)
{
	if (move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* The parent's tmpfs already holds the nodes, the links and, with a terminal, the file to bind
 * it on; devpts and /dev/shm are the container's own instances. */
static int setup_dev(const char *root, const struct ct_spawn_plan *p,
		     struct ct_setup_report *rep)
{
	char dev[PATH_MAX], console[PATH_MAX];
	int r;

	step(rep, CT_STEP_MOUNT_DEV, "/dev");
	r = join(dev, root, "/dev");
	if (r < 0)
		return r;
	if (mkdir(dev, 0755) < 0 && errno != EEXIST)
		return -errno;
	r = move_tree(p->dev_fd, dev);
	if (r < 0)
		return r;
	step(rep, CT_STEP_MOUNT_DEVPTS, "/dev/pts");
	r = mount_at(root, "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,gid=5");
	if (r < 0)
		return r;
	step(rep, CT_STEP_MOUNT_DEV, "/dev/shm");
	r = mount_at(root, "/dev/shm", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (r < 0 || !p->console)
		return r;
	step(rep, CT_STEP_CONSOLE, p->console);
	r = join(console, dev, "console");
	return r < 0 ? r : do_mount(p->console, console, NULL, MS_BIND, NULL);
}

/* Binds path onto itself read-only: the mount stays, writes through it fail. */
static int bind_readonly(const char *path)
{
	int r = do_mount(path, path, NULL, MS_BIND, NULL);

	return r < 0 ? r : do_mount(NULL, path, NULL,
				    MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
}

/* /proc/sys holds host-wide knobs (vm.*, kernel.*) that no namespace covers, and
 * /proc/sysrq-trigger can reboot the host: both read-only, as LXC's proc:mixed. With a network
 * namespace of its own, the container keeps /proc/sys/net writable: those keys are its own. */
static int mount_proc(const char *root, const struct ct_config *c, struct ct_setup_report *rep)
{
	char sys[PATH_MAX], net[PATH_MAX], sysrq[PATH_MAX];
	int r = mount_at(root, "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

	if (r < 0 || (r = join(sys, root, "/proc/sys")) < 0 ||
	    (r = join(net, root, "/proc/sys/net")) < 0 ||
	    (r = join(sysrq, root, "/proc/sysrq-trigger")) < 0)
		return r;
	step(rep, CT_STEP_MOUNT_PROC, "/proc/sys");
	r = do_mount(sys, sys, NULL, MS_BIND, NULL);
	if (r >= 0 && (c->namespaces & CLONE_NEWNET))
		r = do_mount(net, net, NULL, MS_BIND, NULL);
	if (r >= 0)
		r = do_mount(NULL, sys, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
			     NULL);
	if (r < 0)
		return r;
	step(rep, CT_STEP_MOUNT_PROC, "/proc/sysrq-trigger");
	r = bind_readonly(sysrq);
	return r == -ENOENT ? 0 : r; /* a kernel without magic SysRq */
}

static int prepare_target(const struct ct_mount_entry *m, const char *target)
{
	if (m->create_dir)
		return mkdir_parents(target, 0755, 1);
	if (m->create_file) {
		int r = mkdir_parents(target, 0755, 0);
		return r < 0 ? r : touch(target, 0644);
	}
	return 0;
}

/* A bind entry's source arrives as a detached mount from the parent (idmapped in a user
 * namespace); other file systems are mounted here. */
static int user_mount(const char *root, const struct ct_mount_entry *m, int tree_fd)
{
	const char *type = strcmp(m->fstype, "none") == 0 ? NULL : m->fstype;
	unsigned long flags = m->flags & ~PROPAGATION;
	char target[PATH_MAX];
	int r = join(target, root, m->target);

	if (r >= 0)
		r = prepare_target(m, target);
	if (r >= 0)
		r = (flags & MS_BIND) ? move_tree(tree_fd, target)
				      : do_mount(m->source, target, type, flags, m->data);
	/* A bind mount ignores MS_RDONLY and friends until it is remounted. */
	if (r >= 0 && (flags & MS_BIND) && (flags & ~(MS_BIND | MS_REC)))
		r = do_mount(NULL, target, NULL, flags | MS_REMOUNT, NULL);
	if (r >= 0 && (m->flags & PROPAGATION))
		r = do_mount(NULL, target, NULL, m->flags & (PROPAGATION | MS_REC), NULL);
	return m->optional ? 0 : r;
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

#define TRY(s, detail, expr)                                                                       \
	do {                                                                                       \
		step(rep, (s), (detail));                                                          \
		r = (expr);                                                                        \
		if (r < 0)                                                                         \
			return r;                                                                  \
	} while (0)

/* Without a network namespace of its own, a user-namespaced container may not mount sysfs:
 * it gets the host's, bound read-only. */
static int mount_sys(const char *root, const struct ct_spawn_plan *p)
{
	const struct ct_config *c = p->config;
	unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char path[PATH_MAX];
	int r;

	if (!p->userns || (c->namespaces & CLONE_NEWNET))
		return mount_at(root, "/sys", "sysfs", "sysfs", ro, NULL);
	r = join(path, root, "/sys");
	if (r >= 0 && mkdir(path, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r >= 0)
		r = do_mount("/sys", path, NULL, MS_BIND | MS_REC, NULL);
	return r < 0 ? r : do_mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | ro, NULL);
}

static int user_mounts(const char *root, const struct ct_config *c,
		       const struct ct_spawn_fds *fds, size_t next, struct ct_setup_report *rep)
{
	int r;

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct ct_mount_entry *m = &c->mounts[i];
		int fd = -1;

		if ((m->flags & MS_BIND) && fds->missing[i])
			continue; /* optional, and its source is not there */
		if (m->flags & MS_BIND) {
			if (next >= fds->n)
				return -EBADF; /* the parent sent fewer trees than there are binds */
			fd = fds->fd[next++];
		}
		step(rep, CT_STEP_USER_MOUNT, m->target);
		r = user_mount(root, m, fd);
		if (r < 0)
			return r;
	}
	return 0;
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

	TRY(CT_STEP_MOUNT_PRIVATE, "/", do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	/* rootfs = / shares the host's tree (in a private mount namespace): nothing to put in
	 * place, and pivot_root cannot pivot onto the current root anyway. */
	if (is_host_root(p->config))
		return chdir("/") < 0 ? -errno : 0;
	TRY(CT_STEP_BIND_ROOTFS, rootfs, fds->n ? move_tree(fds->fd[0], rootfs) : -EBADF);
	TRY(CT_STEP_BIND_ROOTFS, rootfs, chdir(rootfs) < 0 ? -errno : 0);
	return 0;
}

int ct_rootfs_setup(const struct ct_spawn_plan *p, const struct ct_spawn_fds *fds,
		    struct ct_setup_report *rep)
{
	const struct ct_config *c = p->config;
	bool host_root = is_host_root(c);
	const char *root = host_root ? "/" : "."; /* ct_rootfs_enter() went there */
	int r;

	TRY(CT_STEP_MOUNT_PROC, "/proc", mount_proc(root, c, rep));
	TRY(CT_STEP_MOUNT_SYS, "/sys", mount_sys(root, p));
	/* In a cgroup namespace rooted at the container's cgroup, the guest sees its own subtree
	 * as the whole hierarchy, and may manage it (systemd does). */
	if (c->namespaces & CLONE_NEWCGROUP)
		TRY(CT_STEP_MOUNT_SYS, "/sys/fs/cgroup",
		    mount_at(root, "/sys/fs/cgroup", "cgroup2", "cgroup2",
			     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	r = setup_dev(root, p, rep);
	if (r < 0)
		return r;
	r = user_mounts(root, c, fds, host_root ? 0 : 1, rep);
	if (r < 0)
		return r;
	if (!host_root)
		TRY(CT_STEP_PIVOT_ROOT, c->rootfs, pivot());
	return 0;
}
