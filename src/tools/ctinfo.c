/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctinfo: show a container's state, pids, method and paths; --json for machines. */
#include "ctbuild.h"

#include "client.h"
#include "log.h"
#include "tool.h"
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

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

static void format_time(uint64_t ms, char *buf, size_t size)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms) {
		snprintf(buf, size, "-");
		return;
	}
	gmtime_r(&s, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void json_string(const char *key, const char *s, bool last)
{
	printf("  \"%s\": \"", key);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	printf("\"%s\n", last ? "" : ",");
}

static void print_json(const struct ct_info *i, const char *started)
{
	printf("{\n");
	json_string("name", i->name, false);
	json_string("state", ct_state_to_string(i->state), false);
	printf("  \"init_pid\": %d,\n  \"monitor_pid\": %d,\n", i->init_pid, i->monitor_pid);
	json_string("kind", i->application ? "application" : "system", false);
	json_string("shutdown_method", ct_shutdown_method_to_string(i->shutdown_method), false);
	json_string("config", i->config_path, false);
	json_string("rootfs", i->rootfs, false);
	printf("  \"reboots\": %u,\n", i->reboots);
	printf("  \"memory_bytes\": %lld,\n  \"tasks\": %lld,\n  \"cpu_usec\": %lld,\n",
	       (long long)i->memory_bytes, (long long)i->tasks, (long long)i->cpu_usec);
	printf("  \"start_time_ms\": %llu,\n", (unsigned long long)i->start_time_ms);
	json_string("started", started, true);
	printf("}\n");
}

static void print_text(const struct ct_info *i, const char *started)
{
	printf("name:            %s\n", i->name);
	printf("state:           %s\n", ct_state_to_string(i->state));
	printf("init pid:        %d\n", i->init_pid);
	printf("monitor pid:     %d\n", i->monitor_pid);
	printf("kind:            %s\n", i->application ? "application" : "system");
	printf("shutdown method: %s\n", ct_shutdown_method_to_string(i->shutdown_method));
	printf("config:          %s\n", i->config_path[0] ? i->config_path : "-");
	printf("rootfs:          %s\n", i->rootfs);
	printf("started:         %s\n", started);
	printf("reboots:         %u\n", i->reboots);
	if (i->memory_bytes >= 0)
		printf("memory:          %.1f MiB\n", (double)i->memory_bytes / (1 << 20));
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
	char started[64];
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
	if (!ct_tool_check(&t))
		return CT_EXIT_ERROR;
	r = ct_client_info(t.rundir, t.name, &info);
	if (r < 0)
		return ct_tool_call_failed(&t, r);
	format_time(info.start_time_ms, started, sizeof(started));
	(json ? print_json : print_text)(&info, started);
	return CT_EXIT_OK;
}
