/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounts made and changed through the mount API's file descriptors (fsopen/fsmount, open_tree,
 * move_mount, mount_setattr, fspick): a mount goes exactly where an fd points, never where a
 * path happens to lead when mount(2) resolves it. Options come as mount(2) has them (MS_* flags
 * and a comma-separated data string). No allocation: the child uses these before exec. */
#pragma once

#include <stdbool.h>
#include <sys/mount.h>

/* The propagation flags of mount(2), as a mount entry's options give them. */
#define CT_MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* A new detached file system: type from source, with the data options (key=value or flags,
 * comma-separated; NULL for none) and the MS_* flags (MS_RDONLY, MS_NOSUID, MS_NODEV,
 * MS_NOEXEC, the atime flags; MS_SYNCHRONOUS, MS_DIRSYNC, MS_LAZYTIME, MS_MANDLOCK for the
 * superblock). *ret_fd is its mount fd (O_CLOEXEC). */
int ct_mnt_new(const char *type, const char *source, const char *data, unsigned long ms_flags,
	       int *ret_fd);
/* A detached copy of the mount at path (relative to dir_fd; "" for dir_fd itself), with the
 * mounts below it if recursive. */
int ct_mnt_clone(int dir_fd, const char *path, bool recursive, int *ret_fd);
/* Attaches the mount mnt_fd onto the file or directory target_fd points to. */
int ct_mnt_attach(int mnt_fd, int target_fd);
/* Sets the per-mount flags among ms_flags (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, atime) on
 * the mount mnt_fd is on, and on those below it if recursive; with exact, those of the four not
 * given are cleared (a remount's meaning), else left alone. */
int ct_mnt_set(int mnt_fd, unsigned long ms_flags, bool recursive, bool exact);
/* Changes the propagation of that mount (MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE;
 * with MS_REC, of those below too). */
int ct_mnt_propagation(int mnt_fd, unsigned long ms_flags);
/* Reconfigures the superblock of the mount target_fd is on with data and the superblock flags
 * among ms_flags (a remount), then sets its per-mount flags exactly. */
int ct_mnt_reconfigure(int target_fd, const char *data, unsigned long ms_flags);
