/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting a container: load and check the config, take the run dir, then run the monitor in the
 * foreground or in a detached daemon that reports back once the container runs. */
#pragma once

#include <stdbool.h>

struct ct_start_options {
	const char *name;
	const char *rundir;
	const char *config_path; /* NULL: configdir/NAME.conf */
	const char *configdir;   /* NULL: CT_CONFIGDIR */
	char *const *command;    /* NULL or empty: none given on the command line */
	bool daemon;
	const char *logfile;     /* daemon log; NULL: log.path, or /var/log/ct/NAME.log */
	bool delegated;          /* the cgroup goes below ours (systemd's Delegate=yes) */
};

/* Returns ctstart's exit code. Errors are logged. */
int ct_start(const struct ct_start_options *o);
