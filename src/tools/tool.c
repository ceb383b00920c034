/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the thin tool front ends. */
#include "ctbuild.h"

#include "tool.h"

#include "cmd/cmd.h"
#include "common/log.h"
#include "common/pidns.h"
#include "common/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ct_tool_init(struct ct_tool *t, const char *prog)
{
	*t = (struct ct_tool){ .prog = prog, .rundir = CT_RUNDIR_DEFAULT };
	ct_log_set_program(prog);
}

int ct_tool_version(const struct ct_tool *t)
{
	printf("%s (%s) %s\n", t->prog, PACKAGE_NAME, PACKAGE_VERSION);
	return CT_EXIT_OK;
}

bool ct_tool_check(const struct ct_tool *t)
{
	if (!t->name) {
		log_error("missing -n NAME (see --help)");
		return false;
	}
	if (!ct_name_valid(t->name)) {
		log_error("invalid container name '%s': use 1-%d of A-Z a-z 0-9 _ . - "
			  "(not starting with '.' or '-')", t->name, CT_NAME_MAX);
		return false;
	}
	return true;
}

#define KILL_WAIT_MS 2000 /* for init to exit once SIGKILLed directly */

/* A stop that did not end in time: if the monitor says what holds the container, says so. */
static bool blocked(const struct ct_tool *t)
{
	struct ct_info *info = malloc(sizeof(*info));
	bool said = false;

	if (info && ct_client_info(t->rundir, t->name, info) == 0 && info->blocked[0]) {
		log_error("container '%s' cannot finish stopping: %s", t->name, info->blocked);
		said = true;
	}
	free(info);
	return said;
}

int ct_tool_call_failed(const struct ct_tool *t, int r)
{
	if (r == -ESRCH) {
		log_error("container '%s' is not running", t->name);
		return CT_EXIT_NOT_RUNNING;
	}
	if (r == -ETIMEDOUT && blocked(t))
		;
	else if (r == -ETIMEDOUT)
		log_error("container '%s': the monitor did not answer in time", t->name);
	else if (r == -EPERM)
		log_error("container '%s': not trusted: %s and %s/%s must be directories owned by root "
			  "or you that nobody else can write, and the monitor must run as root or you",
			  t->name, t->rundir, t->rundir, t->name);
	else
		log_error_errno(r, "container '%s': request to the monitor failed", t->name);
	return CT_EXIT_ERROR;
}

bool ct_tool_no_more_args(int argc, char **argv)
{
	if (optind >= argc)
		return true;
	log_error("unexpected argument '%s' (see --help)", argv[optind]);
	return false;
}

static void usage_simple(const struct ct_tool *t, const char *description)
{
	printf("Usage: %s -n NAME [--rundir DIR]\n%s\n\n"
	       "  -n, --name NAME      container name\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: 0 done, 2 not running, 1 error.\n",
	       t->prog, description, CT_RUNDIR_DEFAULT);
}

int ct_tool_parse_simple(struct ct_tool *t, int argc, char **argv, const char *description)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "rundir", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': t->name = optarg; break;
		case 'R': t->rundir = optarg; break;
		case 'h': usage_simple(t, description); return CT_EXIT_OK;
		case 'V': return ct_tool_version(t);
		default: return CT_EXIT_ERROR;
		}
	}
	return ct_tool_no_more_args(argc, argv) && ct_tool_check(t) ? -1 : CT_EXIT_ERROR;
}

int ct_tool_kill_direct(const struct ct_tool *t, int error)
{
	char why[CT_PROTO_STR_MAX];
	pid_t pid;
	int r = ct_rundir_kill_init(t->rundir, t->name, KILL_WAIT_MS, &pid);

	if (r == -EBUSY) {
		if (ct_pidns_blocker(pid, why, sizeof(why)) <= 0)
			snprintf(why, sizeof(why), "init (pid %d) has not exited", (int)pid);
		log_error("container '%s': the monitor did not answer; killed init (pid %d) directly, "
			  "but the container cannot finish stopping: %s", t->name, (int)pid, why);
		return CT_EXIT_ERROR;
	}
	if (r < 0) {
		log_error_errno(error, "container '%s': the monitor did not answer, and its init "
			       "could not be killed directly (%s)", t->name, strerror(-r));
		return CT_EXIT_ERROR;
	}
	log_warning("container '%s': the monitor did not answer; killed init (pid %d) directly",
		    t->name, (int)pid);
	return CT_EXIT_OK;
}
