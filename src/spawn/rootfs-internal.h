/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What rootfs.c shares with spawn-oci.c: mounts on places inside the rootfs, and an OCI
 * bundle's steps around them. No allocation. */
#pragma once

#include "spawn.h"

/* A new file system on the directory path below root (made if missing; no symlinks on the
 * way: these are the places setup owns). *ret_mnt (if not NULL) gets its mount fd. */
int ct_rootfs_mount_new(int root, const char *path, const char *type, unsigned long flags,
			const char *data, int *ret_mnt);
/* A read-only copy of the mount at path below base, put back over itself: the mount stays,
 * writes through it fail. *ret_mnt (if not NULL) gets the copy. */
int ct_rootfs_guard(int base, const char *path, int *ret_mnt);

/* copy-up.c: copies what the directory dir holds (on its own file system: nothing mounted
 * below it) into tmpfs_root, the root of a new tmpfs not attached yet: directories, regular
 * files, symlinks (as links) and FIFOs with their owners, modes and times; devices and sockets
 * are left out. root_meta: the root takes dir's owner and mode too. On failure, failed names
 * the path below dir ("./a/b"). */
int ct_rootfs_copy_up(int dir, int tmpfs_root, bool root_meta, char *failed, size_t size);

/* spawn-oci.c: the sysctls ("KEY=VALUE") written below proc_fd (a new proc mount); then, after
 * pivot_root, the root's flags and propagation, the masked and the read-only paths. */
int ct_spawn_oci_sysctl(int proc_fd, char *const *sysctl, struct ct_setup_report *rep);
int ct_spawn_oci_paths(const struct ct_spawn_oci *o, struct ct_setup_report *rep);
/* Before the confinement: rlimits, oom_score_adj, umask. */
int ct_spawn_oci_process(const struct ct_spawn_oci *o, struct ct_setup_report *rep);
/* Fills buf with arg0 looked up in envp's PATH (the default one without). -ENOENT: not found. */
int ct_spawn_oci_lookup(const char *arg0, char *const *envp, char *buf, size_t size);
/* Blocks until `ctrun start` writes its byte to the exec FIFO. */
int ct_spawn_oci_wait(const struct ct_spawn_oci *o);
