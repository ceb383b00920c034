/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who a ctexec session runs as: `-u NAME`, `-u UID` or `-u UID:GID`, looked up in the container's
 * own /etc/passwd and /etc/group (read from its root fd, never through NSS, which would load the
 * guest's libraries into a process that is not confined yet). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define CT_EXEC_GROUPS_MAX 64

struct ct_exec_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[CT_EXEC_GROUPS_MAX]; /* supplementary groups listing the user by name */
	size_t n_groups;
	char name[64];                    /* "" for a number not in /etc/passwd */
	char home[256];                   /* "/" when unknown */
};

/* Resolves spec against root_fd's etc/passwd and etc/group (regular files only; absent files
 * are empty). A name must be in /etc/passwd (-ENOENT otherwise); a UID may be anything up to
 * 2^32-2, its group from /etc/passwd or else the same number. -EINVAL: a malformed spec. */
int ct_exec_user_resolve(int root_fd, const char *spec, struct ct_exec_user *ret);
