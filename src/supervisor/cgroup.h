/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's own cgroup on the cgroup2 hierarchy (the unified one of a hybrid host): init is
 * cloned straight into it, so with a cgroup namespace the guest's root is its own subtree. */
#pragma once

#include <limits.h>
#include <stddef.h>

#define CT_CGROUP_PARENT_DEFAULT "ct"

struct ct_cgroup {
	char path[PATH_MAX]; /* "" when there is none */
	int dir_fd;          /* for clone3's CLONE_INTO_CGROUP; -1 when there is none */
};

/* Finds the cgroup2 mount: /sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified on a hybrid
 * one. -ENOENT if there is none. */
int ct_cgroup2_root(char *buf, size_t size);
/* Creates ROOT/PARENT/LEAF, first removing a stale one left by a killed monitor. -EBUSY if that
 * one still has processes. */
int ct_cgroup_create(const char *parent, const char *leaf, struct ct_cgroup *ret);
/* Removes the cgroup and whatever empty subgroups a guest left in it, deepest first. */
int ct_cgroup_remove(struct ct_cgroup *cg);
