/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup room's one public header (with its part devices.h).
 * The container's own cgroup, on a pure cgroup2 host or a hybrid one. Init is cloned straight into
 * a "payload" child of its cgroup2 cgroup: a cgroup namespace is rooted there, so a guest manages
 * its subtree but cannot reach the limits, which sit one level up. Controllers that cgroup2 lacks
 * on a hybrid host (memory, pids, cpu) are taken from their v1 hierarchies when a limit needs
 * them (or cgroup.v1 = all), where the monitor places init before it execs. Freezing and killing
 * use cgroup2's core files. */
#pragma once

#include "config/config.h"
#include "devices.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CT_CGROUP_PARENT_DEFAULT "ct"

/* devices: only without cgroup2, whose device policy is a BPF program (devices.h). */
enum ct_cg_ctrl {
	CT_CG_MEMORY, CT_CG_PIDS, CT_CG_CPU, CT_CG_CPUACCT, CT_CG_FREEZER, CT_CG_DEVICES, CT_CG_COUNT_
};

/* A cgroup's path: a mount point, cgroup.parent (at most 200 bytes), the host key and
 * "/payload" fit with room to spare; a longer one fails the start (ENAMETOOLONG, naming it). Not
 * PATH_MAX: the monitor holds seven of them, and 1000 monitors 28 MB of them. */
#define CT_CGROUP_PATH_MAX 512

struct ct_cgroup {
	char v2[CT_CGROUP_PATH_MAX];     /* the cgroup2 cgroup, with the limits; "" when none */
	char payload[CT_CGROUP_PATH_MAX]; /* v2/payload: where the processes are */
	char helpers[CT_CGROUP_PATH_MAX]; /* v2/helpers: ct's helpers (exec, sessions), beside the
					   * guest's tree, whose subtree_control it may fill */
	int v2_fd;                       /* payload, for clone3's CLONE_INTO_CGROUP; -1 when none */
	bool on_v2[CT_CG_COUNT_];        /* the controller is enabled for us on cgroup2 */
	char v1[CT_CG_COUNT_][CT_CGROUP_PATH_MAX]; /* the v1 cgroup that carries the controller, or "" */
};

struct ct_cgroup_usage {
	int64_t memory_bytes; /* -1: unknown */
	bool memory_of_processes; /* no memory controller: the sum of its processes' PSS */
	int64_t tasks;
	int64_t cpu_usec;
};

/* Finds the cgroup2 mount: /sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified on a hybrid
 * one. -ENOENT if there is none. */
int ct_cgroup2_root(char *buf, size_t size);
/* ctstart --delegated (systemd's Delegate=yes): moves the calling process into a ".monitor" leaf of
 * its own cgroup2 cgroup, so that cgroup holds no process and may hand out controllers, and
 * returns that cgroup's path (relative to the cgroup2 root) as the parent of the container's.
 * -EINVAL when the caller sits in the root (nothing was delegated), -ENOENT without cgroup2. */
int ct_cgroup_enter_delegated(char *parent, size_t size);
/* Creates PARENT/LEAF in every hierarchy needed, first removing a stale one left by a killed
 * monitor, and applies the limits. On failure *ret_what names what failed (a path or a file). */
int ct_cgroup_create(const struct ct_cgroup_config *cfg, const char *leaf, struct ct_cgroup *ret,
		     char *what, size_t what_size);
/* ct_cgroup_create(), then the device policy (the standard nodes and c's device.allow rules)
 * and, with a user namespace, the payload cgroup handed to the container's root (uid, gid).
 * *ret_nested says that no policy of its own could be attached, nested in a user namespace: the
 * enclosing container's applies. On failure *ret_what names the step. */
int ct_cgroup_setup(const struct ct_config *c, const char *leaf, uid_t uid, gid_t gid,
		    struct ct_cgroup *ret, bool *ret_nested, char *what, size_t what_size);
/* True when init must be moved into v1 cgroups after clone (a limit on a hybrid host, or no
 * cgroup2). */
bool ct_cgroup_needs_attach(const struct ct_cgroup *cg);
/* Moves pid into the container's v1 cgroups, and with v2_too (a helper of ct's) into its cgroup2
 * helpers cgroup, beside payload. */
int ct_cgroup_attach(const struct ct_cgroup *cg, pid_t pid, bool v2_too);
/* Hands the payload cgroup (where the guest lives, the root of its cgroup namespace) to the
 * container's root: the directory and the files the kernel lists as delegatable. */
int ct_cgroup_delegate(const struct ct_cgroup *cg, uid_t uid, gid_t gid);
/* Freezes or thaws; does not wait. */
int ct_cgroup_set_frozen(const struct ct_cgroup *cg, bool frozen);
/* 1 if every process is frozen, 0 if not (yet), -errno. */
int ct_cgroup_is_frozen(const struct ct_cgroup *cg);
/* SIGKILLs every process in the cgroup (cgroup.kill; else freeze, kill each, thaw). */
int ct_cgroup_kill(const struct ct_cgroup *cg);
/* Whether any process is left in the cgroup or a subgroup a guest made. */
bool ct_cgroup_populated(const struct ct_cgroup *cg);
int ct_cgroup_usage(const struct ct_cgroup *cg, struct ct_cgroup_usage *ret);
/* Removes the cgroups and whatever empty subgroups a guest left in them, deepest first. */
int ct_cgroup_remove(struct ct_cgroup *cg);
const char *ct_cgroup_ctrl_name(enum ct_cg_ctrl c);
