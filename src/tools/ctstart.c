/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstart: start a container in the foreground (exits with its status) or as a daemon (-d). */
#include "ctbuild.h"

#include "common/log.h"
#include "common/macro.h"
#include "config/config.h"
#include "monitor/monitor.h"
#include "start-all.h"
#include "start.h"
#include "tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
	printf("Usage: ctstart -n NAME [-f CONFIG] [-d] [--rundir DIR] [-o LOGFILE] [-- COMMAND [ARG...]]\n"
	       "       ctstart --all [--group G[,G...]] [--list] [--timeout SECS] [--configdir DIR]\n"
	       "                     [--rundir DIR]\n"
	       "Start a container. With a COMMAND (or a `command` key) it is an application\n"
	       "container with ctinit as PID 1; otherwise the config's init runs as PID 1.\n"
	       "--all starts every container of the config directory whose config says\n"
	       "autostart = yes, as -d would: by group, then start.order, a batch of equal\n"
	       "group and order in parallel, start.delay seconds between batches.\n\n"
	       "  -n, --name NAME      container name\n"
	       "  -f, --config FILE    config file (default CONFIGDIR/NAME.conf)\n"
	       "  -d, --daemon         detach; return once the container runs\n"
	       "  -o, --logfile FILE   the daemon's log, kept after the stop (default: the\n"
	       "                       config's log.path, else /var/log/ct/NAME.log; with\n"
	       "                       --rundir DIR, DIR/NAME.log)\n"
	       "      --delegated      place the container's cgroup below the one ctstart runs\n"
	       "                       in (a systemd unit with Delegate=yes: ct@.service)\n"
	       "  -a, --all            start the autostart containers, in order\n"
	       "  -g, --group G[,G]    with --all: only these groups ('-' for no group)\n"
	       "  -l, --list           with --all: print the order, start nothing\n"
	       "  -t, --timeout SECS   with --all: how long a batch may take to run before\n"
	       "                       the next one starts without its stragglers (%d)\n"
	       "  -C, --configdir DIR  where NAME.conf files are (default %s)\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: in the foreground the container's (its code, or 128+signal);\n"
	       "with -d 0 once it runs; %d if it could not be started (--all: if any\n"
	       "could not).\n",
	       CT_START_BATCH_TIMEOUT, CT_CONFIGDIR, CT_RUNDIR_DEFAULT, CT_EXIT_START_FAILED);
}

struct args {
	struct ct_tool t;
	struct ct_start_options so;
	struct ct_start_all_options all;
	bool want_all;
	char **groups;
};

static int parse_groups(struct args *a, const char *arg)
{
	cleanup_free char *copy = strdup(arg);
	char *save = NULL;

	if (!copy)
		return log_error_errno(-ENOMEM, "Failed to parse --group");
	for (char *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
		if (strcmp(g, "-") && !ct_group_name_valid(g)) {
			log_error("invalid group '%s' (1-%d of A-Z a-z 0-9 _ . -, or '-' for none)",
				  g, CT_GROUP_MAX);
			return -EINVAL;
		}
		if (ct_strv_append(&a->groups, g) < 0)
			return log_error_errno(-ENOMEM, "Failed to parse --group");
	}
	return 0;
}

static int parse_batch_timeout(struct args *a, const char *arg)
{
	long v;

	if (ct_parse_long(arg, 1, CT_TIMEOUT_MAX, &v) < 0) {
		log_error("invalid --timeout '%s': seconds from 1 to %d", arg, CT_TIMEOUT_MAX);
		return -EINVAL;
	}
	a->all.batch_timeout = (int)v;
	return 0;
}

/* After the options: -n or --all, and what goes only with one of them. */
static bool check_usage(struct args *a, int argc, char **argv)
{
	if (!a->want_all) {
		if (a->groups || a->all.list || a->all.batch_timeout) {
			log_error("--group, --list and --timeout go with --all (see --help)");
			return false;
		}
		return ct_tool_check(&a->t);
	}
	if (a->t.name || a->so.config_path || a->so.daemon || a->so.logfile || a->so.delegated) {
		log_error("--all starts the config directory's containers: it takes no -n, -f, -d, "
			  "-o or --delegated (see --help)");
		return false;
	}
	return ct_tool_no_more_args(argc, argv);
}

/* Returns -1 to go on, or the exit code. */
static int parse_args(struct args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },   { "config", required_argument, NULL, 'f' },
		{ "daemon", no_argument, NULL, 'd' },       { "logfile", required_argument, NULL, 'o' },
		{ "rundir", required_argument, NULL, 'R' }, { "all", no_argument, NULL, 'a' },
		{ "group", required_argument, NULL, 'g' },  { "list", no_argument, NULL, 'l' },
		{ "configdir", required_argument, NULL, 'C' }, { "delegated", no_argument, NULL, 'D' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "+n:f:do:ag:lC:t:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': a->t.name = optarg; break;
		case 'f': a->so.config_path = optarg; break;
		case 'd': a->so.daemon = true; break;
		case 'o': a->so.logfile = optarg; break;
		case 'R': a->t.rundir = optarg; break;
		case 'a': a->want_all = true; break;
		case 'g':
			if (parse_groups(a, optarg) < 0)
				return CT_EXIT_START_FAILED;
			break;
		case 'l': a->all.list = true; break;
		case 't':
			if (parse_batch_timeout(a, optarg) < 0)
				return CT_EXIT_START_FAILED;
			break;
		case 'C': a->so.configdir = optarg; break;
		case 'D': a->so.delegated = true; break;
		case 'h': usage(); return 0;
		case 'V': return ct_tool_version(&a->t);
		default: return CT_EXIT_START_FAILED;
		}
	}
	return check_usage(a, argc, argv) ? -1 : CT_EXIT_START_FAILED;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	int r;

	ct_tool_init(&a.t, "ctstart");
	/* The foreground output is the container's; only problems are ours to add. */
	ct_log_set_level(CT_LOG_WARNING);
	r = parse_args(&a, argc, argv);
	if (r >= 0) {
		ct_strv_free(a.groups);
		return r;
	}
	if (!a.so.configdir)
		a.so.configdir = CT_CONFIGDIR;
	if (a.want_all) {
		ct_log_set_level(CT_LOG_INFO); /* one line per container */
		a.all.rundir = a.t.rundir;
		a.all.configdir = a.so.configdir;
		a.all.groups = a.groups;
		r = ct_start_all(&a.all);
		ct_strv_free(a.groups);
		return r;
	}
	if (a.so.logfile && !a.so.daemon) {
		log_error("-o/--logfile is for -d: in the foreground the output is the terminal's");
		return CT_EXIT_START_FAILED;
	}
	a.so.name = a.t.name;
	a.so.rundir = a.t.rundir;
	a.so.command = optind < argc ? argv + optind : NULL;
	return ct_start(&a.so);
}
