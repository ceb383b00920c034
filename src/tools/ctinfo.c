/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctinfo: show a container's state, pids, method and paths; --json for machines. */
#include "ctbuild.h"

#include "cmd/cmd.h"
#include "common/log.h"
#include "show.h"
#include "tool.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
	printf("Usage: ctinfo -n NAME [--json] [--rundir DIR]\n"
	       "Show a container's state.\n\n"
	       "  -n, --name NAME      container name\n"
	       "  -j, --json           machine-readable output\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: 0 shown, 2 not running, 1 error.\n",
	       CT_RUNDIR_DEFAULT);
}

static void print_json(const struct ct_info *i)
{
	printf("{\n  ");
	ct_show_json_info(i, ",\n  ");
	printf("\n}\n");
}

static void print_text(const struct ct_info *i)
{
	char started[64];

	ct_show_time(i->start_time_ms, started, sizeof(started));
	printf("name:            %s\n", i->name);
	printf("state:           %s\n", ct_state_to_string(i->state));
	if (i->blocked[0])
		printf("blocked:         %s\n", i->blocked);
	printf("init pid:        %d\n", i->init_pid);
	printf("monitor pid:     %d\n", i->monitor_pid);
	printf("kind:            %s\n", i->application ? "application" : "system");
	printf("shutdown method: %s\n", ct_shutdown_method_to_string(i->shutdown_method));
	printf("config:          %s\n", i->config_path[0] ? i->config_path : "-");
	printf("rootfs:          %s\n", i->rootfs);
	printf("idmap:           %s\n", i->idmap);
	printf("started:         %s\n", started);
	if (strncmp(i->log_path, "journal:", 8) == 0)
		printf("log:             journald (journalctl -t %s)\n", i->log_path + 8);
	else
		printf("log:             %s\n", i->log_path[0] ? i->log_path : "- (in the foreground)");
	printf("console:         %s\n", i->console ? "yes (ctconsole)" : "no");
	if (i->network[0])
		printf("network:         %s\n", i->network);
	printf("group, order:    %s, %d\n", i->group[0] ? i->group : "-", (int)i->start_order);
	printf("reboots:         %u\n", i->reboots);
	printf("exec sessions:   %u\n", i->exec_sessions);
	if (i->memory_bytes >= 0)
		printf("memory:          %.1f MiB%s\n", (double)i->memory_bytes / (1 << 20),
		       i->memory_of_processes ? " (its processes' PSS: no memory controller)" : "");
	if (i->tasks >= 0)
		printf("tasks:           %lld\n", (long long)i->tasks);
	if (i->cpu_usec >= 0)
		printf("cpu time:        %.3f s\n", (double)i->cpu_usec / 1e6);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "json", no_argument, NULL, 'j' },
		{ "rundir", required_argument, NULL, 'R' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },    {}
	};
	struct ct_info info;
	struct ct_tool t;
	bool json = false;
	int c, r;

	ct_tool_init(&t, "ctinfo");
	while ((c = getopt_long(argc, argv, "n:jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': t.name = optarg; break;
		case 'j': json = true; break;
		case 'R': t.rundir = optarg; break;
		case 'h': usage(); return 0;
		case 'V': return ct_tool_version(&t);
		default: return CT_EXIT_ERROR;
		}
	}
	if (!ct_tool_no_more_args(argc, argv) || !ct_tool_check(&t))
		return CT_EXIT_ERROR;
	r = ct_client_info(t.rundir, t.name, &info);
	if (r < 0)
		return ct_tool_call_failed(&t, r);
	(json ? print_json : print_text)(&info);
	return CT_EXIT_OK;
}
