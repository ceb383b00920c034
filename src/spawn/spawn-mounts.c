/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mounts the parent makes for the child: the container's /dev (a tmpfs of the host's user
 * namespace with real nodes the container owns), and the rootfs and bind sources as detached
 * trees, idmapped through the container's user namespace so that a stock root-owned rootfs is
 * the container root's own. Only the host's root can do either, so the child cannot. */
#include "spawn.h"

#include "common/macro.h"
#include "common/util.h"
#include "mount-fd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

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

static int dev_tmpfs(uid_t uid, gid_t gid, int *ret_fd)
{
	char data[64];

	snprintf(data, sizeof(data), "mode=755,size=65536k,uid=%u,gid=%u", (unsigned)uid,
		 (unsigned)gid);
	return ct_mnt_new("tmpfs", "tmpfs", data, MS_NOSUID | MS_NOEXEC, ret_fd);
}

/* Nested in a user namespace, mknod(2) of a device is refused (CAP_MKNOD in the initial
 * namespace): the monitor's own node (of its /dev, which its container's supervisor made) is
 * bound on an empty file instead, as LXC does. Only the standard nodes come this way. */
static int bind_node(int dir, const char *name, const char *host, dev_t dev)
{
	cleanup_close int file = -1, mnt = -1;
	struct stat st;
	int r;

	/* The node itself, never what a symlink there leads to, and only the device asked for. */
	mnt = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (mnt < 0)
		return -errno;
	if (fstat(mnt, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode) || st.st_rdev != dev)
		return -ENODEV;
	/* The node is the enclosing container's own inode: read-only, a guest that owns it here
	 * (systemd chmods /dev/console at boot) cannot change it there; the device still reads and
	 * writes (a read-only mount only refuses changes to the node). */
	r = ct_mnt_set(mnt, MS_RDONLY | MS_NOSUID | MS_NOEXEC, false, false);
	if (r < 0)
		return r;
	/* The mount point: covered by the node, whose own mode and owner are what the guest sees. */
	file = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
	if (file < 0)
		return -errno;
	if (move_mount(mnt, "", dir, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* mknod then chmod (the monitor's umask must not narrow the mode) and chown to the container.
 * host: the node of the same device in our own /dev, for the nested case. */
static int add_node(int dir, const char *name, const char *host, mode_t mode, dev_t dev,
		    uid_t uid, gid_t gid)
{
	if (mknodat(dir, name, mode, dev) < 0) {
		if (errno != EPERM || !S_ISCHR(mode) || !ct_in_nested_userns())
			return -errno;
		return bind_node(dir, name, host, dev);
	}
	if (fchmodat(dir, name, mode & 07777, 0) < 0 ||
	    fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int add_dir(int dir, const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdirat(dir, name, mode) < 0 || fchmodat(dir, name, mode, 0) < 0 ||
	    fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int fill_dev(int dir, uid_t uid, gid_t gid, bool terminal)
{
	char host[32];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(devnodes); i++) {
		snprintf(host, sizeof(host), "/dev/%s", devnodes[i].name);
		r = add_node(dir, devnodes[i].name, host, S_IFCHR | 0666,
			     makedev(devnodes[i].major, devnodes[i].minor), uid, gid);
	}
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(devlinks); i++)
		if (symlinkat(devlinks[i][0], dir, devlinks[i][1]) < 0 ||
		    fchownat(dir, devlinks[i][1], uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
	if (r >= 0)
		r = add_dir(dir, "pts", 0755, uid, gid);
	if (r >= 0)
		r = add_dir(dir, "shm", 01777, uid, gid);
	if (r < 0)
		return r;
	/* Without a terminal the console is the container's own null device, never a host node a
	 * guest could chmod (systemd does, at boot); with one, an empty file to bind it on. */
	if (!terminal)
		return add_node(dir, "console", "/dev/null", S_IFCHR | 0600, makedev(1, 3), uid, gid);
	return add_node(dir, "console", "/dev/console", S_IFREG | 0600, 0, uid, gid);
}

/* The directory name below dir, made (the container's root owns it) unless there: a directory,
 * never what a symlink there leads to (/dev/fd is one). */
static int open_subdir(int dir, const char *name, uid_t uid, gid_t gid)
{
	int r = add_dir(dir, name, 0755, uid, gid);

	if (r < 0 && r != -EEXIST)
		return r;
	r = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

/* One node at path (relative to /dev, components checked by the caller), its parents made. */
static int add_extra_node(int dev_fd, const struct ct_spawn_node *n, uid_t uid, gid_t gid)
{
	cleanup_free char *copy = strdup(n->path);
	cleanup_close int dir = -1;
	char host[PATH_MAX], *name, *slash;

	if (!copy)
		return -ENOMEM;
	name = copy;
	while ((slash = strchr(name, '/'))) {
		*slash = '\0';
		int sub = open_subdir(dir >= 0 ? dir : dev_fd, name, uid, gid);

		if (sub < 0)
			return sub;
		ct_close_fd(&dir);
		dir = sub;
		name = slash + 1;
	}
	snprintf(host, sizeof(host), "/dev/%s", n->path);
	int r = add_node(dir >= 0 ? dir : dev_fd, name, host, n->mode, n->dev, n->uid, n->gid);

	return r == -EEXIST ? 0 : r; /* the first of the same path stands, as with runc */
}

int ct_spawn_dev_nodes(int dev_fd, const struct ct_spawn_node *nodes, size_t n, uid_t uid,
		       gid_t gid, const char **ret_failed)
{
	for (size_t i = 0; i < n; i++) {
		int r = add_extra_node(dev_fd, &nodes[i], uid, gid);

		if (r < 0) {
			*ret_failed = nodes[i].path;
			return r;
		}
	}
	return 0;
}

int ct_spawn_dev(uid_t uid, gid_t gid, bool terminal, int *ret_fd)
{
	cleanup_close int fd = -1;
	int r = dev_tmpfs(uid, gid, &fd);

	if (r >= 0)
		r = fill_dev(fd, uid, gid, terminal);
	if (r < 0)
		return r;
	*ret_fd = steal_fd(&fd);
	return 0;
}

static const char *fs_name(const char *path)
{
	static const struct {
		long magic;
		const char *name;
	} names[] = {
		{ 0xEF53, "ext2/3/4" }, { 0x58465342, "xfs" }, { 0x9123683E, "btrfs" },
		{ 0x01021994, "tmpfs" }, { 0x794C7630, "overlay" }, { 0x6969, "nfs" },
		{ 0xF2F52010, "f2fs" }, { 0x2FC12FC1, "zfs" }, { 0x65735546, "fuse" },
		{ 0x5346544E, "ntfs" }, { 0x4D44, "vfat" }, { 0xFF534D42, "cifs" },
	};
	struct statfs st;

	if (statfs(path, &st) < 0)
		return "unknown file system";
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (st.f_type == names[i].magic)
			return names[i].name;
	return "a file system without idmapped mounts";
}

static int set_attr(int fd, unsigned rec, uint64_t set, int userns_fd)
{
	struct mount_attr attr = { .attr_set = set, .userns_fd = (uint64_t)userns_fd };

	return mount_setattr(fd, "", AT_EMPTY_PATH | rec, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

/* Through an idmapped mount what the container's root makes is owned by host root on disk,
 * set-uid files included: the tree must be out of other host users' reach. True when a directory
 * above path (the container owns path itself) belongs to root and lets no one else through. */
static bool private_path(const char *path)
{
	char buf[PATH_MAX];
	struct stat st;
	char *slash;

	if (!realpath(path, buf))
		return false;
	while ((slash = strrchr(buf, '/')) != NULL) {
		slash[slash == buf] = '\0'; /* the parent; "/" stays "/" */
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
		    !(st.st_mode & S_IXOTH) && (!(st.st_mode & S_IXGRP) || st.st_gid == 0))
			return true;
		if (slash == buf)
			return false;
	}
	return false;
}

/* A detached copy of the mount tree at path, idmapped when userns_fd >= 0. With may_plain, a
 * file system that cannot be idmapped (devtmpfs for a device node, say) is bound as it is. The
 * rootfs is nodev: its /dev is ct's, and a device node in an image (or a privileged guest's
 * bind of its root) must not reach a host disk. */
static int tree(const char *path, bool recursive, int userns_fd, bool rootfs, bool writable,
		int *ret_fd, bool *ret_idmap_failed, bool *ret_exposed)
{
	unsigned rec = recursive ? AT_RECURSIVE : 0;
	cleanup_close int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
	int r = 0;

	*ret_idmap_failed = *ret_exposed = false;
	if (fd < 0)
		return -errno;
	/* A copy of a shared mount (Docker's data-root is one) would stay a peer of the host's: a
	 * mount made in the container would propagate out, and pivot_root refuses a shared root. */
	if ((r = ct_mnt_propagation(fd, MS_PRIVATE | (recursive ? MS_REC : 0))) < 0)
		return r;
	if (userns_fd >= 0) {
		r = set_attr(fd, rec, MOUNT_ATTR_IDMAP | (rootfs ? MOUNT_ATTR_NODEV : 0), userns_fd);
		*ret_idmap_failed = r < 0;
		if (r < 0 && (rootfs || r != -EINVAL))
			return r;
		if (r >= 0 && writable && !private_path(path)) {
			*ret_exposed = true;
			return -EPERM;
		}
	} else if (rootfs && (r = set_attr(fd, rec, MOUNT_ATTR_NODEV, -1)) < 0) {
		return r;
	}
	*ret_fd = steal_fd(&fd);
	return 0;
}

/* The rootfs must be idmapped (else the guest's root would own nothing of it); bind sources are
 * where their file system allows. */
static int add_tree(struct ct_spawn_fds *fds, const char *path, bool recursive, bool writable,
		    int userns_fd, const char *role, char *what, size_t what_size)
{
	bool idmap_failed, exposed, rootfs = strcmp(role, "rootfs") == 0;
	int r = tree(path, recursive, userns_fd, rootfs, writable, &fds->fd[fds->n], &idmap_failed,
		     &exposed);

	if (r >= 0) {
		fds->n++;
		return 0;
	}
	if (exposed)
		snprintf(what, what_size, "the %s '%s': other users of the host can reach it, and what "
			 "the container's root makes there (set-uid files too) is owned by host root: "
			 "close a root-owned directory above it to them (chmod 700)", role, path);
	else if (idmap_failed)
		snprintf(what, what_size, "the %s '%s' (%s) cannot be idmapped: set idmap = none, "
			 "or shift its owners once (ctshift '%s' BASE) and set idmap = u 0 BASE 65536 "
			 "and idmap = g 0 BASE 65536", role, path, fs_name(path), path);
	else
		snprintf(what, what_size, "the %s '%s'", role, path);
	return r;
}

/* A rootfs that ctshift moved into the container's range is its root's already (its top
 * directory says so): idmapping it again would map its owners out of the range. */
static bool shifted(const char *rootfs, uid_t root_uid)
{
	struct stat st;

	return root_uid != 0 && stat(rootfs, &st) == 0 && st.st_uid == root_uid;
}

int ct_spawn_trees(const struct ct_config *c, int userns_fd, uid_t root_uid,
		   struct ct_spawn_fds *ret, char *what, size_t what_size)
{
	struct ct_spawn_fds fds = { .n = 0, .missing = { 0 } };
	int r = 0;

	if (strcmp(c->rootfs, "/") != 0)
		r = add_tree(&fds, c->rootfs, true, true,
			     shifted(c->rootfs, root_uid) ? -1 : userns_fd, "rootfs", what, what_size);
	for (size_t i = 0; r >= 0 && i < c->n_mounts; i++) {
		const struct ct_mount_entry *m = &c->mounts[i];

		if (!(m->flags & MS_BIND) || (m->flags & MS_REMOUNT))
			continue; /* a remount changes what is there already */
		r = add_tree(&fds, m->source, m->flags & MS_REC, !(m->flags & MS_RDONLY), userns_fd,
			     "mount source", what, what_size);
		if (r < 0 && m->optional) {
			fds.missing[i] = 1;
			r = 0;
		}
	}
	if (r < 0) {
		ct_spawn_fds_close(&fds);
		return r;
	}
	*ret = fds;
	return 0;
}

void ct_spawn_fds_close(struct ct_spawn_fds *fds)
{
	for (size_t i = 0; i < fds->n; i++)
		ct_close_fd(&fds->fd[i]);
	fds->n = 0;
}

int ct_spawn_prepare(pid_t pid, const struct ct_config *c, const struct ct_idmap *idmap,
		     uid_t root_uid, struct ct_spawn_fds *ret, char *what, size_t what_size)
{
	char path[64];
	cleanup_close int userns_fd = -1;
	int r;

	*ret = (struct ct_spawn_fds){ .n = 0 };
	if (idmap) {
		r = ct_idmap_write(pid, idmap);
		if (r < 0) {
			snprintf(what, what_size, "init's id maps");
			return r;
		}
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		userns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (userns_fd < 0) {
			snprintf(what, what_size, "%s", path);
			return -errno;
		}
	}
	return ct_spawn_trees(c, userns_fd, root_uid, ret, what, what_size);
}
