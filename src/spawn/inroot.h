/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths inside a container's rootfs, resolved from a file descriptor of its root with
 * openat2(RESOLVE_IN_ROOT): ".." and absolute symlinks stop at that root, so a symlink the guest
 * planted can point setup only at another place inside the rootfs, never at the host. Targets
 * are created relative to the directory fds found this way (mkdirat, openat O_EXCL|O_NOFOLLOW).
 * No allocation: these run in the child between clone and exec. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* How a path may be resolved: CT_INROOT_FOLLOW follows symlinks (inside the root);
 * CT_INROOT_NO_SYMLINKS refuses any (ELOOP), for the places setup itself owns (/proc, /sys,
 * /dev). Magic links (/proc/PID/fd/N) are refused either way. */
enum ct_inroot_mode {
	CT_INROOT_FOLLOW,
	CT_INROOT_NO_SYMLINKS,
};

/* openat2() of path (absolute or relative, both taken from root_fd) with flags (O_CLOEXEC is
 * added). Returns the fd or -errno. */
int ct_inroot_open(int root_fd, const char *path, int flags, enum ct_inroot_mode mode);

/* The directory at path as an O_PATH fd, created with its missing parents (mode) first when
 * create is set. A component that is swapped for a symlink while it is being created makes this
 * fail (ELOOP), never resolve outside. Returns the fd or -errno. */
int ct_inroot_dir(int root_fd, const char *path, mode_t mode, bool create,
		  enum ct_inroot_mode how);

/* The file at path as an O_PATH fd; if it does not exist, its parents are created (0755) and it
 * is created empty (mode) with O_EXCL|O_NOFOLLOW: an existing file, FIFO or device is never
 * opened for writing. Returns the fd or -errno. */
int ct_inroot_file(int root_fd, const char *path, mode_t mode);

/* The mount id of the mount fd is on (statx STATX_MNT_ID). Returns 0 or -errno. */
int ct_mount_id(int fd, uint64_t *ret);

/* Checks that path, resolved again from root_fd, now leads to the mount mnt_fd is: a swap
 * between resolving a target and mounting on it shows here (-EXDEV). */
int ct_inroot_verify(int root_fd, const char *path, enum ct_inroot_mode mode, int mnt_fd);
