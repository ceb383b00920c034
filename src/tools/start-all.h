/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstart --all: the autostart containers of a config directory, in order (order.h). */
#pragma once

#include <stdbool.h>

#define CT_START_BATCH_TIMEOUT 120 /* as ct@.service's TimeoutStartSec */

struct ct_start_all_options {
	const char *rundir;
	const char *configdir; /* every NAME.conf in it is a candidate */
	char **groups;         /* only these groups ("-" for no group); NULL: every group */
	bool list;             /* print the plan, start nothing */
	int batch_timeout;     /* seconds a batch may take to run; 0: CT_START_BATCH_TIMEOUT */
};

/* Starts every container of the config dir whose config says autostart = yes (and whose group is
 * selected): a batch at a time, the containers of a batch in parallel, each as `ctstart -d` does,
 * the next batch start.delay seconds after the previous one is running. One line per container.
 * Returns 0 when all run (or already ran), else ctstart's start failure status. */
int ct_start_all(const struct ct_start_all_options *o);
