/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every tool shares: the exit codes, --version, name and run-dir checks. */
#pragma once

#include "common/util.h"

#include <stdbool.h>

enum {
	CT_EXIT_OK = 0,
	CT_EXIT_ERROR = 1,
	CT_EXIT_NOT_RUNNING = 2,
	CT_EXIT_KILLED = 3,
};

/* Common options, filled by the tool's getopt loop. */
struct ct_tool {
	const char *prog;
	const char *name;
	const char *rundir;
};

void ct_tool_init(struct ct_tool *t, const char *prog);
int ct_tool_version(const struct ct_tool *t);
/* Logs and returns false if -n is missing or the name is invalid. */
bool ct_tool_check(const struct ct_tool *t);
/* After getopt: false (with an error) if argv has anything left at optind. */
bool ct_tool_no_more_args(int argc, char **argv);
/* Parses the options of a tool that takes only -n, --rundir, --help and --version. Returns -1 to
 * go on, or the exit code to return (help, version, bad usage). */
int ct_tool_parse_simple(struct ct_tool *t, int argc, char **argv, const char *description);
/* Logs "container 'NAME' is not running" or the error of a failed call; returns the exit code. */
int ct_tool_call_failed(const struct ct_tool *t, int r);
/* --force with a monitor that did not answer (error): SIGKILLs init as the run dir's pid record
 * names it (ct_rundir_kill_init()), and says what happened. Returns the exit code: 0 killed, 1
 * not. */
int ct_tool_kill_direct(const struct ct_tool *t, int error);
