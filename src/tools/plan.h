/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The containers of a config directory (every NAME.conf), parsed, filtered and in start order:
 * what ctstart --all starts and what ct-generator writes units for. */
#pragma once

#include "config/config.h"
#include "order.h"

#include <stdbool.h>
#include <stddef.h>

struct ct_plan {
	struct ct_order_entry *e; /* sorted (order.h); e[i].data is its struct ct_config, which
				   * e[i].group and e[i].config point into */
	size_t n;
	unsigned failed;          /* configs that could not be read or parsed (each logged) */
};

/* Reads every NAME.conf of dir, keeps those with autostart = yes when autostart_only (and whose
 * group is in groups, "-" meaning none, when groups is not NULL), and sorts them. A config that
 * cannot be parsed is logged and counted in failed, not fatal. -errno (logged) when the
 * directory cannot be read. */
int ct_plan_load(struct ct_plan *p, const char *dir, bool autostart_only, char *const *groups);
void ct_plan_free(struct ct_plan *p);
