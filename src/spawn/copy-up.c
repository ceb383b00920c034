/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tmpfs that starts with a copy of what the image has where it is mounted (the OCI mount
 * option tmpcopyup, runc's and crun's extension that Podman gives /run, /tmp, /var/log/journal
 * of an init). The child copies as the container's root, before the tmpfs covers the directory:
 * every name is opened below its parent's fd without following a symlink, symlinks are copied as
 * links, never read through, and only what the container can reach is read. Nothing is
 * allocated: this runs between clone and exec. */
#include "rootfs-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define COPY_DEPTH_MAX 64
#define STATX_WANTED (STATX_BASIC_STATS | STATX_MNT_ID)

struct copy {
	uint64_t mnt_id; /* the directory's mount: what is mounted below it is not the image's */
	mode_t keep;     /* the mode bits kept: no set-id bits from a nosuid source */
	char *failed;    /* the path (below the mount point) that could not be copied */
	size_t size;
};

static int failed_at(struct copy *c, const char *path, int r)
{
	snprintf(c->failed, c->size, "%s", path);
	return r;
}

/* Owner, mode and times of st onto name in dir (the link itself for a symlink). */
static int copy_meta(const struct copy *c, int dir, const char *name, const struct statx *st)
{
	const struct timespec times[2] = {
		{ .tv_sec = st->stx_atime.tv_sec, .tv_nsec = st->stx_atime.tv_nsec },
		{ .tv_sec = st->stx_mtime.tv_sec, .tv_nsec = st->stx_mtime.tv_nsec },
	};

	if (fchownat(dir, name, st->stx_uid, st->stx_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISLNK(st->stx_mode) && fchmodat(dir, name, st->stx_mode & c->keep, 0) < 0)
		return -errno;
	return utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int copy_file(int from_dir, int to_dir, const char *name, const struct statx *st)
{
	/* O_NONBLOCK: a FIFO swapped in since the directory was read never blocks the open */
	cleanup_close int in = openat(from_dir, name,
				      O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	cleanup_close int out = -1;
	struct statx now;

	if (in < 0 || statx(in, "", AT_EMPTY_PATH, STATX_WANTED, &now) < 0)
		return -errno;
	if (!S_ISREG(now.stx_mode) || now.stx_ino != st->stx_ino || now.stx_mnt_id != st->stx_mnt_id)
		return -ESTALE; /* swapped since the directory was read */
	out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	return ct_copy_bytes(out, in, (off_t)now.stx_size);
}

static int copy_dir(struct copy *c, int from, int to, const char *path, unsigned depth);

static int copy_link(int from, int to, const char *name)
{
	char link[PATH_MAX];
	ssize_t n = readlinkat(from, name, link, sizeof(link) - 1);

	if (n < 0)
		return -errno;
	link[n] = '\0';
	return symlinkat(link, to, name) < 0 ? -errno : 0;
}

static int copy_entry(struct copy *c, int from, int to, const char *name, const char *path,
		      unsigned depth)
{
	struct statx st;
	int r = 0;

	if (statx(from, name, AT_SYMLINK_NOFOLLOW, STATX_WANTED, &st) < 0)
		return -errno;
	if (!(st.stx_mask & STATX_MNT_ID) || st.stx_mnt_id != c->mnt_id)
		return 0; /* a mount point: not the image's */
	if (S_ISREG(st.stx_mode)) {
		r = copy_file(from, to, name, &st);
	} else if (S_ISLNK(st.stx_mode)) {
		r = copy_link(from, to, name);
	} else if (S_ISFIFO(st.stx_mode)) {
		r = mknodat(to, name, S_IFIFO | 0600, 0) < 0 ? -errno : 0;
	} else if (S_ISDIR(st.stx_mode)) {
		cleanup_close int sub_from = -1, sub_to = -1;

		if (mkdirat(to, name, 0700) < 0)
			return -errno;
		sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_from < 0 || sub_to < 0)
			return -errno;
		r = copy_dir(c, sub_from, sub_to, path, depth + 1);
		if (r < 0)
			return r; /* failed_at() named the path below */
	} else {
		return 0; /* devices and sockets: a tmpfs of /run gets its own at boot */
	}
	return r < 0 ? r : copy_meta(c, to, name, &st);
}

/* getdents64 into a buffer on the stack: nothing is allocated between clone and exec. */
static int copy_dir(struct copy *c, int from, int to, const char *path, unsigned depth)
{
	char buf[4096] __attribute__((aligned(8))), sub[PATH_MAX];
	ssize_t n;

	if (depth > COPY_DEPTH_MAX)
		return failed_at(c, path, -ELOOP);
	while ((n = getdents64(from, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);
			int r;

			off += e->d_reclen;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			r = copy_entry(c, from, to, e->d_name, sub, depth);
			if (r < 0)
				return c->failed[0] ? r : failed_at(c, sub, r);
		}
	}
	return n < 0 ? failed_at(c, path, -errno) : 0;
}

/* Kernel file systems (a target through a symlink such as /run -> /proc) are not an image's
 * files: /proc/kcore alone would fill any tmpfs. */
static bool copyable(const struct statfs *fs)
{
	static const long kernel_fs[] = { PROC_SUPER_MAGIC, SYSFS_MAGIC, CGROUP_SUPER_MAGIC,
					  CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC, DEBUGFS_MAGIC,
					  SECURITYFS_MAGIC, BPF_FS_MAGIC, TRACEFS_MAGIC };

	for (size_t i = 0; i < ARRAY_SIZE(kernel_fs); i++)
		if ((long)fs->f_type == kernel_fs[i])
			return false;
	return true;
}

int ct_rootfs_copy_up(int dir, int tmpfs_root, bool root_meta, char *failed, size_t size)
{
	struct copy c = { .keep = 07777, .failed = failed, .size = size };
	cleanup_close int from = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct statx st;
	struct statfs fs;
	int r;

	failed[0] = '\0';
	if (from < 0 || statx(from, "", AT_EMPTY_PATH, STATX_WANTED, &st) < 0 || fstatfs(from, &fs) < 0)
		return failed_at(&c, ".", -errno);
	if (!(st.stx_mask & STATX_MNT_ID))
		return failed_at(&c, ".", -EOPNOTSUPP);
	if (!copyable(&fs))
		return failed_at(&c, ". (a kernel file system)", -EINVAL);
	c.mnt_id = st.stx_mnt_id;
	if (fs.f_flags & ST_NOSUID)
		c.keep &= ~(mode_t)(S_ISUID | S_ISGID);
	r = copy_dir(&c, from, tmpfs_root, ".", 0);
	if (r < 0 || !root_meta)
		return r;
	/* A mount fd is as O_PATH: the root is opened for its owner and mode to change. */
	cleanup_close int to = openat(tmpfs_root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (to < 0 || fchown(to, st.stx_uid, st.stx_gid) < 0 || fchmod(to, st.stx_mode & c.keep) < 0)
		return failed_at(&c, ".", -errno);
	return 0;
}
