/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounts through file descriptors (see mount-fd.h). */
#include "mount-fd.h"

#include "common/macro.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define DATA_MAX 4096

static const struct {
	unsigned long ms;
	uint64_t attr;
} mount_attrs[] = {
	{ MS_RDONLY, MOUNT_ATTR_RDONLY },	 { MS_NOSUID, MOUNT_ATTR_NOSUID },
	{ MS_NODEV, MOUNT_ATTR_NODEV },		 { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
	{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOATIME, MOUNT_ATTR_NOATIME },
	{ MS_STRICTATIME, MOUNT_ATTR_STRICTATIME }, { MS_RELATIME, MOUNT_ATTR_RELATIME },
};

static const struct {
	unsigned long ms;
	const char *flag;
} sb_flags[] = {
	{ MS_RDONLY, "ro" },	   { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
	{ MS_LAZYTIME, "lazytime" }, { MS_MANDLOCK, "mand" },
};

static uint64_t to_attr(unsigned long ms_flags)
{
	uint64_t attr = 0;

	for (size_t i = 0; i < ARRAY_SIZE(mount_attrs); i++)
		if (ms_flags & mount_attrs[i].ms)
			attr |= mount_attrs[i].attr;
	return attr;
}

/* "key=value" sets a string, "key" a flag; an empty item is skipped. */
static int set_option(int fs, char *opt)
{
	char *eq = strchr(opt, '=');
	int r;

	if (!*opt)
		return 0;
	if (eq) {
		*eq = '\0';
		r = fsconfig(fs, FSCONFIG_SET_STRING, opt, eq + 1, 0);
	} else {
		r = fsconfig(fs, FSCONFIG_SET_FLAG, opt, NULL, 0);
	}
	return r < 0 ? -errno : 0;
}

static int set_options(int fs, const char *data, unsigned long ms_flags)
{
	char buf[DATA_MAX];
	char *save = NULL;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(sb_flags); i++)
		if ((ms_flags & sb_flags[i].ms) &&
		    fsconfig(fs, FSCONFIG_SET_FLAG, sb_flags[i].flag, NULL, 0) < 0)
			r = -errno;
	if (r < 0 || !data)
		return r;
	if (strlen(data) >= sizeof(buf))
		return -E2BIG;
	strcpy(buf, data);
	for (char *o = strtok_r(buf, ",", &save); r >= 0 && o; o = strtok_r(NULL, ",", &save))
		r = set_option(fs, o);
	return r;
}

int ct_mnt_new(const char *type, const char *source, const char *data, unsigned long ms_flags,
	       int *ret_fd)
{
	cleanup_close int fs = fsopen(type, FSOPEN_CLOEXEC);
	int r, fd;

	if (fs < 0)
		return -errno;
	r = source ? (fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0 ? -errno : 0) : 0;
	if (r >= 0)
		r = set_options(fs, data, ms_flags);
	if (r >= 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		r = -errno;
	if (r < 0)
		return r;
	fd = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)to_attr(ms_flags));
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int ct_mnt_clone(int dir_fd, const char *path, bool recursive, int *ret_fd)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (path[0] ? 0 : AT_EMPTY_PATH) |
			 AT_SYMLINK_NOFOLLOW | (recursive ? AT_RECURSIVE : 0);
	int fd = open_tree(dir_fd, path, flags);

	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int ct_mnt_attach(int mnt_fd, int target_fd)
{
	if (move_mount(mnt_fd, "", target_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

static int setattr(int mnt_fd, struct mount_attr *a, bool recursive)
{
	if (mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), a,
			  sizeof(*a)) < 0)
		return -errno;
	return 0;
}

#define ATTR_FLAGS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

int ct_mnt_set(int mnt_fd, unsigned long ms_flags, bool recursive, bool exact)
{
	struct mount_attr a = { .attr_set = to_attr(ms_flags) };

	if (a.attr_set & MOUNT_ATTR__ATIME)
		a.attr_clr = MOUNT_ATTR__ATIME; /* the atime mode is one value: replace it */
	if (exact)
		a.attr_clr |= ATTR_FLAGS & ~a.attr_set;
	return a.attr_set || a.attr_clr ? setattr(mnt_fd, &a, recursive) : 0;
}

int ct_mnt_propagation(int mnt_fd, unsigned long ms_flags)
{
	struct mount_attr a = { .propagation = ms_flags & CT_MS_PROPAGATION };

	return a.propagation ? setattr(mnt_fd, &a, ms_flags & MS_REC) : 0;
}

int ct_mnt_reconfigure(int target_fd, const char *data, unsigned long ms_flags)
{
	cleanup_close int fs = fspick(target_fd, "", FSPICK_EMPTY_PATH | FSPICK_CLOEXEC);
	int r;

	if (fs < 0)
		return -errno;
	r = set_options(fs, data, ms_flags);
	if (r >= 0 && fsconfig(fs, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) < 0)
		r = -errno;
	return r < 0 ? r : ct_mnt_set(target_fd, ms_flags, false, true);
}
