/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor: one process per container that clones init, runs the mainloop over its signalfd,
 * the sync socket and the command socket, and exits with the container's status. */
#pragma once

#include "cmd/cmd.h"
#include "config/config.h"

#include <stdbool.h>

#define CT_EXIT_START_FAILED 125 /* ctstart itself failed: usage, config, setup */

/* What a waiting `ctstart -d` reads from the notify pipe, once. */
struct ct_start_notice {
	int32_t result; /* 0: RUNNING; otherwise a negative errno */
	char message[512];
};

struct ct_monitor_options {
	const char *name;
	const char *rundir;
	const struct ct_config *config; /* borrowed, finalized */
	struct ct_rundir *run;          /* borrowed, acquired; the monitor releases it on exit */
	int ctinit_fd;                  /* borrowed; ctinit for application containers, else -1 */
	const struct ct_seccomp *seccomp; /* borrowed; the compiled filter, or NULL */
	const struct ct_seccomp *seccomp_privileged; /* borrowed; privileged mode's extra filter */
	const struct ct_idmap *idmap;   /* borrowed; resolved (auto has its range), or mode none */
	struct ct_idmap_lease *lease;   /* borrowed; auto's range, held while the monitor runs */
	int notify_fd;                  /* borrowed; the daemon's notify pipe, or -1 */
	const char *log_path;           /* borrowed; the daemon's log file (rotated), NULL in front */
};

/* Runs the container to its end. Returns the exit code for ctstart: init's exit code, 128+signal,
 * or CT_EXIT_START_FAILED. Errors are logged. */
int ct_monitor_run(const struct ct_monitor_options *o);
