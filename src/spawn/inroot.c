/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolving and creating paths inside a rootfs from an fd of its root (see inroot.h). */
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t resolve_flags(enum ct_inroot_mode mode)
{
	uint64_t r = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

	return mode == CT_INROOT_NO_SYMLINKS ? r | RESOLVE_NO_SYMLINKS : r;
}

static int open2(int dir_fd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve };
	int fd, tries = 0;

	if (flags & O_CREAT)
		how.mode = 0644;
	do /* EAGAIN: a rename somewhere raced a ".." in the lookup; a few more tries, not forever */
		fd = (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 64);
	return fd < 0 ? -errno : fd;
}

int ct_inroot_open(int root_fd, const char *path, int flags, enum ct_inroot_mode mode)
{
	return open2(root_fd, path[0] ? path : ".", flags, resolve_flags(mode));
}

/* A component just created under dir_fd, opened without following anything: if it is a symlink
 * (swapped in since, or one that leads nowhere, which mkdirat() met as EEXIST), ELOOP. */
static int open_created(int dir_fd, const char *name, int flags)
{
	return open2(dir_fd, name, flags,
		     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
}

/* Splits buf at its last component: *ret_name points into buf, buf keeps the parent ("" for
 * the root). Trailing slashes are dropped first. -EINVAL for the root itself, "." or "..". */
static int split_last(char *buf, char **ret_name)
{
	size_t n = strlen(buf);
	char *slash;

	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
	slash = strrchr(buf, '/');
	*ret_name = slash ? slash + 1 : buf;
	if (!**ret_name || strcmp(*ret_name, ".") == 0 || strcmp(*ret_name, "..") == 0)
		return -EINVAL;
	if (slash)
		*slash = '\0';
	else
		buf[0] = '\0';
	return 0;
}

static int copy_path(char *buf, const char *path)
{
	size_t n = strlen(path);

	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	return 0;
}

/* mkdir -p, one component at a time: each prefix is resolved afresh from the root (so a
 * symlink on the way is followed inside it), a missing one is made with mkdirat() in the
 * directory the previous prefix resolved to. */
static int make_dirs(int root_fd, char *buf, mode_t mode, enum ct_inroot_mode how)
{
	int dir = open2(root_fd, ".", O_PATH | O_DIRECTORY, resolve_flags(how));
	char *s = buf;

	while (dir >= 0) {
		while (*s == '/')
			s++;
		if (!*s)
			return dir;
		char *end = s + strcspn(s, "/");
		char saved = *end;
		*end = '\0';
		int next = ct_inroot_open(root_fd, buf, O_PATH | O_DIRECTORY, how);
		if (next == -ENOENT) {
			if (mkdirat(dir, s, mode) < 0 && errno != EEXIST)
				next = -errno;
			else
				next = open_created(dir, s, O_PATH | O_DIRECTORY);
		}
		*end = saved;
		close(dir);
		dir = next;
		s = end;
	}
	return dir;
}

int ct_inroot_dir(int root_fd, const char *path, mode_t mode, bool create,
		  enum ct_inroot_mode how)
{
	char buf[PATH_MAX];
	int fd = ct_inroot_open(root_fd, path, O_PATH | O_DIRECTORY, how);
	int r;

	if (fd != -ENOENT || !create)
		return fd;
	r = copy_path(buf, path);
	return r < 0 ? r : make_dirs(root_fd, buf, mode, how);
}

int ct_inroot_file(int root_fd, const char *path, mode_t mode)
{
	char buf[PATH_MAX], *name;
	int fd = ct_inroot_open(root_fd, path, O_PATH, CT_INROOT_FOLLOW);
	int dir, r;

	if (fd != -ENOENT)
		return fd;
	if ((r = copy_path(buf, path)) < 0 || (r = split_last(buf, &name)) < 0)
		return r;
	dir = ct_inroot_dir(root_fd, buf, 0755, true, CT_INROOT_FOLLOW);
	if (dir < 0)
		return dir;
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd >= 0 || errno == EEXIST) { /* EEXIST: made meanwhile, or a dangling symlink */
		if (fd >= 0)
			close(fd);
		fd = fd >= 0 ? open_created(dir, name, O_PATH)
			     : ct_inroot_open(root_fd, path, O_PATH, CT_INROOT_FOLLOW);
	} else {
		fd = -errno;
	}
	close(dir);
	return fd;
}

int ct_mount_id(int fd, uint64_t *ret)
{
	struct statx st;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &st) < 0)
		return -errno;
	if (!(st.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	*ret = st.stx_mnt_id;
	return 0;
}

int ct_inroot_verify(int root_fd, const char *path, enum ct_inroot_mode mode, int mnt_fd)
{
	uint64_t want, got;
	int fd = ct_inroot_open(root_fd, path, O_PATH, mode);
	int r;

	if (fd < 0)
		return fd == -ENOENT || fd == -ELOOP ? -EXDEV : fd;
	r = ct_mount_id(mnt_fd, &want);
	if (r >= 0)
		r = ct_mount_id(fd, &got);
	close(fd);
	return r < 0 ? r : want == got ? 0 : -EXDEV;
}
