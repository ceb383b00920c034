/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctls: list the containers in the run directory, asking all their monitors at once; a container
 * whose monitor does not answer is shown as such, and never fails the listing. */
#include "ctbuild.h"

#include "cmd/cmd.h"
#include "common/log.h"
#include "common/macro.h"
#include "show.h"
#include "tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct listing {
	const char *rundir;
	char **names;
	size_t n;
	int *results;           /* how asking names[i] went (ct_calls_info()) */
	struct ct_info *infos;  /* and its answer went to infos[i] */
	const char **failed;    /* failed_state() of each */
};

static void usage(void)
{
	printf("Usage: ctls [--json] [--rundir DIR]\n"
	       "List the containers in the run directory: name, state, init pid, kind,\n"
	       "shutdown method, uptime, memory and tasks, asking all monitors at once.\n"
	       "A container whose monitor does not answer is listed as 'stale' (no monitor\n"
	       "left behind its socket) or 'unreachable' (no answer in time, or an error).\n\n"
	       "  -j, --json           machine-readable output: an array of objects\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: 0 listed (also when there are no containers), 1 error.\n",
	       CT_RUNDIR_DEFAULT);
}

/* The state shown for a container that did not answer; NULL when it did, "" when it is gone
 * (it stopped between the listing and the question: no row). */
static const char *failed_state(const struct listing *l, size_t i)
{
	int r = l->results[i];

	if (r == 0)
		return NULL;
	if (r == -ESRCH)
		return ct_rundir_has_socket(l->rundir, l->names[i]) ? "stale" : "";
	return "unreachable";
}

static const char *failed_reason(int r)
{
	if (r == -ESRCH)
		return "no monitor behind the socket (a stale run directory)";
	return r == -ETIMEDOUT ? "the monitor did not answer in time" : strerror(-r);
}

static void print_row(const struct listing *l, size_t i, int width, uint64_t now)
{
	const struct ct_info *info = &l->infos[i];
	const char *failed = l->failed[i];
	char uptime[32] = "-", memory[32] = "-", tasks[32] = "-";

	if (failed) {
		printf("%-*s  %-11s  %7s  %-11s  %-11s  %8s  %8s  %5s\n", width, l->names[i], failed,
		       "-", "-", "-", "-", "-", "-");
		return;
	}
	if (info->start_time_ms && now >= info->start_time_ms)
		ct_show_duration(now - info->start_time_ms, uptime, sizeof(uptime));
	if (info->memory_bytes >= 0)
		snprintf(memory, sizeof(memory), "%.1fM", (double)info->memory_bytes / (1 << 20));
	if (info->tasks >= 0)
		snprintf(tasks, sizeof(tasks), "%lld", (long long)info->tasks);
	printf("%-*s  %-11s  %7d  %-11s  %-11s  %8s  %8s  %5s\n", width, l->names[i],
	       ct_state_to_string(info->state), info->init_pid,
	       info->application ? "application" : "system",
	       ct_shutdown_method_to_string(info->shutdown_method), uptime, memory, tasks);
}

static void print_text(const struct listing *l)
{
	uint64_t now = ct_realtime_ms();
	int width = 4;

	for (size_t i = 0; i < l->n; i++)
		if ((int)strlen(l->names[i]) > width)
			width = (int)strlen(l->names[i]);
	printf("%-*s  %-11s  %7s  %-11s  %-11s  %8s  %8s  %5s\n", width, "NAME", "STATE", "PID",
	       "KIND", "METHOD", "UPTIME", "MEMORY", "TASKS");
	for (size_t i = 0; i < l->n; i++)
		if (!l->failed[i] || l->failed[i][0])
			print_row(l, i, width, now);
}

static void print_json(const struct listing *l)
{
	const char *sep = "\n";

	printf("[");
	for (size_t i = 0; i < l->n; i++) {
		const char *failed = l->failed[i];
		if (failed && !failed[0])
			continue;
		printf("%s  {", sep);
		if (failed) {
			printf("\"name\": ");
			ct_show_json_str(l->names[i]);
			printf(", \"state\": \"%s\", \"error\": ", failed);
			ct_show_json_str(failed_reason(l->results[i]));
		} else {
			ct_show_json_info(&l->infos[i], ", ");
		}
		printf("}");
		sep = ",\n";
	}
	printf("%s]\n", sep[0] == ',' ? "\n" : "");
}

/* Says on stderr why the containers shown as stale or unreachable are. */
static void warn_failed(const struct listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *failed = l->failed[i];
		if (failed && failed[0])
			log_warning("container '%s': %s", l->names[i],
				    failed_reason(l->results[i]));
	}
}

static int list(const char *rundir, bool json)
{
	struct listing l = { .rundir = rundir };
	cleanup_strv char **names = NULL;
	cleanup_free int *results = NULL;
	cleanup_free struct ct_info *infos = NULL;
	cleanup_free const char **failed = NULL;
	int r = ct_rundir_list(rundir, &names);

	if (r == -EPERM)
		return log_error_errno(r, "run dir '%s' is not trusted: it must be a directory owned "
				       "by root or you that nobody else can write", rundir);
	if (r < 0)
		return log_error_errno(r, "Failed to list the containers in '%s'", rundir);
	l.names = names;
	l.n = ct_strv_length(names);
	l.results = results = calloc(l.n + 1, sizeof(*results));
	l.infos = infos = calloc(l.n + 1, sizeof(*infos));
	l.failed = failed = calloc(l.n + 1, sizeof(*failed));
	if (!results || !infos || !failed)
		return log_error_errno(-ENOMEM, "Failed to list %zu containers", l.n);
	r = ct_calls_info(rundir, (const char *const *)names, l.n, CT_CLIENT_TIMEOUT_MS, infos,
			  results);
	if (r < 0)
		return log_error_errno(r, "Failed to ask the monitors");
	for (size_t i = 0; i < l.n; i++)
		failed[i] = failed_state(&l, i);
	(json ? print_json : print_text)(&l);
	warn_failed(&l);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },    { "rundir", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },    { "version", no_argument, NULL, 'V' },
		{}
	};
	struct ct_tool t;
	bool json = false;
	int c;

	ct_tool_init(&t, "ctls");
	while ((c = getopt_long(argc, argv, "jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'R': t.rundir = optarg; break;
		case 'h': usage(); return CT_EXIT_OK;
		case 'V': return ct_tool_version(&t);
		default: return CT_EXIT_ERROR;
		}
	}
	if (!ct_tool_no_more_args(argc, argv))
		return CT_EXIT_ERROR;
	return list(t.rundir, json) < 0 ? CT_EXIT_ERROR : CT_EXIT_OK;
}
