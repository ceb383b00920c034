/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities: names in the config, the default drop list, and dropping them in the child just
 * before exec (bounding set, ambient set, and the effective/permitted/inheritable sets). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_config;

#define CT_CAP_MAX 63

/* "sys_admin", "SYS_ADMIN", "cap_sys_admin" or a number; -EINVAL for anything the kernel's
 * headers do not know. */
int ct_cap_from_name(const char *name);
/* Dropped unless cap.keep is given: what a container never needs and can abuse the host with. */
uint64_t ct_caps_default_drop(bool privileged);
/* The calling process's bounding set. A new user namespace starts with every capability: what
 * the monitor itself lacks is masked out of the container's set with this. */
uint64_t ct_caps_bounding(void);
/* What init keeps: exactly cap.keep, or everything but the default drop list and cap.drop. */
uint64_t ct_caps_keep(const struct ct_config *c);
/* Lower-case names of the capabilities in mask, space-separated, into buf. */
void ct_caps_format(uint64_t mask, char *buf, size_t size);
/* In the child: no allocation. -errno on failure. */
int ct_caps_apply(uint64_t keep);

/* Every set given, as an OCI process's capabilities are (ctrun). ct_caps_drop_bounding() cuts
 * the bounding set to keep (it needs CAP_SETPCAP: before a switch of ids); then
 * ct_caps_apply_sets() makes the effective, permitted and inheritable sets exactly theirs (the
 * permitted ones must still be held: across a switch of ids, PR_SET_KEEPCAPS keeps them) and
 * raises the ambient set (those of it permitted and inheritable; the kernel allows no other). No allocation. */
int ct_caps_drop_bounding(uint64_t keep);
struct ct_cap_sets {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};
int ct_caps_apply_sets(const struct ct_cap_sets *s);
