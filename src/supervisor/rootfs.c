/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building the container's filesystem view in the child: a private mount tree, the rootfs bound
 * onto itself, /proc, a read-only /sys, a minimal tmpfs /dev, the config's mount entries, then
 * pivot_root. Runs between clone and exec, so it only uses stack buffers. */
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
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

struct devnode {
	const char *name;
	unsigned major, minor;
};

static const struct devnode devnodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const char *const devlinks[][2] = {
	{ "pts/ptmx", "ptmx" },
	{ "/proc/self/fd", "fd" },
	{ "/proc/self/fd/0", "stdin" },
	{ "/proc/self/fd/1", "stdout" },
	{ "/proc/self/fd/2", "stderr" },
};

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

static int make_devnode(const char *dev, const struct devnode *d)
{
	char path[PATH_MAX], host[PATH_MAX];

	if (join(path, dev, d->name) < 0 || join(host, "/dev", d->name) < 0)
		return -ENAMETOOLONG;
	if (mknod(path, S_IFCHR | 0666, makedev(d->major, d->minor)) == 0)
		return chmod(path, 0666) < 0 ? -errno : 0;
	if (errno != EPERM)
		return -errno;
	/* Without CAP_MKNOD (a user namespace), bind the host's node instead. */
	if (touch(path, 0666) < 0)
		return -errno;
	return do_mount(host, path, NULL, MS_BIND, NULL);
}

static int bind_console(const char *dev, const char *console)
{
	char path[PATH_MAX];
	int r;

	r = join(path, dev, "console");
	if (r >= 0)
		r = touch(path, 0600);
	if (r < 0)
		return r;
	return do_mount(console ? console : "/dev/null", path, NULL, MS_BIND, NULL);
}

static int setup_dev(const struct ct_spawn_plan *p, struct ct_setup_report *rep)
{
	const char *root = p->config->rootfs;
	char dev[PATH_MAX], path[PATH_MAX];
	int r;

	step(rep, CT_STEP_MOUNT_DEV, "/dev");
	r = mount_at(root, "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k");
	if (r < 0)
		return r;
	join(dev, root, "/dev");
	for (size_t i = 0; i < sizeof(devnodes) / sizeof(devnodes[0]); i++) {
		step(rep, CT_STEP_DEV_NODES, devnodes[i].name);
		r = make_devnode(dev, &devnodes[i]);
		if (r < 0)
			return r;
	}
	step(rep, CT_STEP_MOUNT_DEVPTS, "/dev/pts");
	r = mount_at(root, "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,gid=5");
	if (r < 0)
		return r;
	step(rep, CT_STEP_MOUNT_DEV, "/dev/shm");
	r = mount_at(root, "/dev/shm", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(devlinks) / sizeof(devlinks[0]); i++) {
		step(rep, CT_STEP_DEV_NODES, devlinks[i][1]);
		if (join(path, dev, devlinks[i][1]) < 0 || symlink(devlinks[i][0], path) < 0)
			return -errno;
	}
	step(rep, CT_STEP_CONSOLE, p->console ? p->console : "/dev/null");
	return bind_console(dev, p->console);
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
static int mount_proc(const struct ct_config *c, struct ct_setup_report *rep)
{
	char sys[PATH_MAX], net[PATH_MAX], sysrq[PATH_MAX];
	int r = mount_at(c->rootfs, "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

	if (r < 0 || (r = join(sys, c->rootfs, "/proc/sys")) < 0 ||
	    (r = join(net, c->rootfs, "/proc/sys/net")) < 0 ||
	    (r = join(sysrq, c->rootfs, "/proc/sysrq-trigger")) < 0)
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

static int user_mount(const char *root, const struct ct_mount_entry *m)
{
	const char *type = strcmp(m->fstype, "none") == 0 ? NULL : m->fstype;
	unsigned long flags = m->flags & ~PROPAGATION;
	char target[PATH_MAX];
	int r = join(target, root, m->target);

	if (r >= 0)
		r = prepare_target(m, target);
	if (r >= 0)
		r = do_mount(m->source, target, type, flags, m->data);
	/* A bind mount ignores MS_RDONLY and friends until it is remounted. */
	if (r >= 0 && (flags & MS_BIND) && (flags & ~(MS_BIND | MS_REC)))
		r = do_mount(NULL, target, NULL, flags | MS_REMOUNT, NULL);
	if (r >= 0 && (m->flags & PROPAGATION))
		r = do_mount(NULL, target, NULL, m->flags & (PROPAGATION | MS_REC), NULL);
	return m->optional ? 0 : r;
}

static int pivot(const char *root)
{
	if (chdir(root) < 0)
		return -errno;
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

int ct_rootfs_setup(const struct ct_spawn_plan *p, struct ct_setup_report *rep)
{
	const struct ct_config *c = p->config;
	/* rootfs = / shares the host's tree (in a private mount namespace): nothing to pivot to,
	 * and pivot_root cannot pivot onto the current root anyway. */
	bool host_root = strcmp(c->rootfs, "/") == 0;
	int r;

	TRY(CT_STEP_MOUNT_PRIVATE, "/", do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	if (!host_root)
		TRY(CT_STEP_BIND_ROOTFS, c->rootfs,
		    do_mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL));
	TRY(CT_STEP_MOUNT_PROC, "/proc", mount_proc(c, rep));
	TRY(CT_STEP_MOUNT_SYS, "/sys",
	    mount_at(c->rootfs, "/sys", "sysfs", "sysfs",
		     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	/* In a cgroup namespace rooted at the container's cgroup, the guest sees its own subtree
	 * as the whole hierarchy, and may manage it (systemd does). */
	if (c->namespaces & CLONE_NEWCGROUP)
		TRY(CT_STEP_MOUNT_SYS, "/sys/fs/cgroup",
		    mount_at(c->rootfs, "/sys/fs/cgroup", "cgroup2", "cgroup2",
			     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	r = setup_dev(p, rep);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_mounts; i++)
		TRY(CT_STEP_USER_MOUNT, c->mounts[i].target, user_mount(c->rootfs, &c->mounts[i]));
	if (host_root)
		TRY(CT_STEP_PIVOT_ROOT, "/", chdir("/") < 0 ? -errno : 0);
	else
		TRY(CT_STEP_PIVOT_ROOT, c->rootfs, pivot(c->rootfs));
	return 0;
}
