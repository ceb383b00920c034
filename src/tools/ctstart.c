/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstart: start a container in the foreground (exits with its status) or as a daemon (-d). */
#include "ctbuild.h"

#include "common/log.h"
#include "monitor/monitor.h"
#include "start.h"
#include "tool.h"

#include <getopt.h>
#include <stdio.h>

static void usage(void)
{
	printf("Usage: ctstart -n NAME [-f CONFIG] [-d] [--rundir DIR] [-o LOGFILE] [-- COMMAND [ARG...]]\n"
	       "Start a container. With a COMMAND (or a `command` key) it is an application\n"
	       "container with ctinit as PID 1; otherwise the config's init runs as PID 1.\n\n"
	       "  -n, --name NAME      container name\n"
	       "  -f, --config FILE    config file (default %s/ct/NAME.conf)\n"
	       "  -d, --daemon         detach; return once the container runs\n"
	       "  -o, --logfile FILE   the daemon's log, kept after the stop (default: the\n"
	       "                       config's log.path, else /var/log/ct/NAME.log; with\n"
	       "                       --rundir DIR, DIR/NAME.log)\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: in the foreground the container's (its code, or 128+signal);\n"
	       "with -d 0 once it runs; %d if it could not be started.\n",
	       CT_SYSCONFDIR, CT_RUNDIR_DEFAULT, CT_EXIT_START_FAILED);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },  { "config", required_argument, NULL, 'f' },
		{ "daemon", no_argument, NULL, 'd' },      { "logfile", required_argument, NULL, 'o' },
		{ "rundir", required_argument, NULL, 'R' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },     {}
	};
	struct ct_start_options so = { 0 };
	struct ct_tool t;
	int c;

	ct_tool_init(&t, "ctstart");
	/* The foreground output is the container's; only problems are ours to add. */
	ct_log_set_level(CT_LOG_WARNING);
	while ((c = getopt_long(argc, argv, "+n:f:do:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': t.name = optarg; break;
		case 'f': so.config_path = optarg; break;
		case 'd': so.daemon = true; break;
		case 'o': so.logfile = optarg; break;
		case 'R': t.rundir = optarg; break;
		case 'h': usage(); return 0;
		case 'V': return ct_tool_version(&t);
		default: return CT_EXIT_START_FAILED;
		}
	}
	if (!ct_tool_check(&t))
		return CT_EXIT_START_FAILED;
	if (so.logfile && !so.daemon) {
		log_error("-o/--logfile is for -d: in the foreground the output is the terminal's");
		return CT_EXIT_START_FAILED;
	}
	so.name = t.name;
	so.rundir = t.rundir;
	so.command = optind < argc ? argv + optind : NULL;
	return ct_start(&so);
}
