/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstop: stop a container gracefully (SHUTDOWN with the container's method, SIGKILL only after
 * the timeout) or at once (--force). One line on stderr says how it ended and how long it took.
 * Several -n, or --all, stop many containers in parallel under one deadline (stop-many.c). */
#include "ctbuild.h"

#include "cmd/cmd.h"
#include "common/log.h"
#include "common/macro.h"
#include "stop-many.h"
#include "stop-report.h"
#include "tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct stop {
	struct ct_tool t;
	bool force;
	bool all;
	char **names; /* every -n, without repeats */
	int32_t timeout;
	bool tty;         /* stderr is a terminal: show a countdown */
	uint64_t deadline; /* for the countdown; 0: none known */
	const char *method;
};

static void usage(void)
{
	printf("Usage: ctstop -n NAME [-n NAME...] [-t SECONDS] [-k] [--rundir DIR]\n"
	       "       ctstop --all [-t SECONDS] [-k] [--rundir DIR]\n"
	       "Stop a container: ask its init the way it understands (the config's\n"
	       "shutdown_method), wait, and SIGKILL it only when the timeout runs out.\n"
	       "Several containers are stopped in parallel, all under the same deadline;\n"
	       "--all stops them in the reverse of their start order (group, start.order), a\n"
	       "batch at a time, each batch in parallel under a deadline of its own.\n\n"
	       "  -n, --name NAME      container name (repeat it for several)\n"
	       "  -a, --all            every container in the run directory\n"
	       "  -t, --timeout SECS   how long to wait before SIGKILL (default: the config's\n"
	       "                       shutdown_timeout, 30 s unless set; -1 waits forever,\n"
	       "                       0 kills at once)\n"
	       "  -k, --force          SIGKILL at once (also when the monitor does not answer)\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: 0 stopped gracefully (or killed as asked with --force);\n"
	       "3 stopped, but only by SIGKILL; 2 not running; 1 error. With several\n"
	       "containers: 1 if any error, else 3 if any was killed, else 2 if none was\n"
	       "running, else 0 (also for --all with no containers).\n",
	       CT_RUNDIR_DEFAULT);
}

static void clear_line(const struct stop *s)
{
	if (s->tty)
		fputs("\r\033[K", stderr);
}

static void progress(const struct ct_progress *ev, void *userdata)
{
	struct stop *s = userdata;

	if (ev && ev->kind == CT_PROGRESS_ACCEPTED) {
		s->deadline = ev->remaining_ms >= 0 ? ct_now_ms() + (uint64_t)ev->remaining_ms : 0;
		s->method = ct_shutdown_method_to_string(ev->method);
	} else if (ev && ev->kind == CT_PROGRESS_FAILED) {
		clear_line(s);
		log_warning("container '%s': %s; killing it", s->t.name, ev->detail);
	}
	if (!s->tty)
		return;
	if (s->deadline) {
		uint64_t now = ct_now_ms(), left = s->deadline > now ? s->deadline - now : 0;
		fprintf(stderr, "\r\033[Kctstop: stopping '%s' (%s): %llu s left", s->t.name,
			s->method, (unsigned long long)(left + 999) / 1000);
	} else {
		fprintf(stderr, "\r\033[Kctstop: stopping '%s' (%s), no timeout", s->t.name,
			s->method ? s->method : "queued");
	}
}

static int report(const struct stop *s, const struct ct_stop_result *res)
{
	size_t counts[CT_STOP_OUTCOME_COUNT_] = { 0 };

	clear_line(s);
	counts[ct_stop_log(s->t.name, res, s->force)] = 1;
	return ct_stop_exit_status(counts);
}

static int run(struct stop *s)
{
	struct ct_stop_result res;
	int r;

	if (s->force) {
		r = ct_client_stop(s->t.rundir, s->t.name, &res);
		if (r == -ETIMEDOUT) /* --force also when the monitor does not answer */
			return ct_tool_kill_direct(&s->t, r);
	} else {
		r = ct_client_shutdown(s->t.rundir, s->t.name, s->timeout, s->tty ? 250 : 0,
				       progress, s, &res);
		clear_line(s);
	}
	return r < 0 ? ct_tool_call_failed(&s->t, r) : report(s, &res);
}

/* Several containers, or --all: the parallel stop. */
static int run_many(struct stop *s)
{
	if (s->all)
		return ct_stop_all(s->t.rundir, s->timeout, s->force);
	return ct_stop_many(s->t.rundir, s->names, ct_strv_length(s->names), NULL, 0, s->timeout,
			    s->force);
}

static int add_name(struct stop *s, const char *name)
{
	for (char **n = s->names; n && *n; n++)
		if (strcmp(*n, name) == 0)
			return 0; /* a repeat: stopped once, reported once */
	s->t.name = name;
	if (!ct_tool_check(&s->t))
		return -EINVAL;
	if (ct_strv_append(&s->names, name) < 0)
		return log_error_errno(-ENOMEM, "Failed to add container '%s'", name);
	return 0;
}

/* After the options: -n and --all exclude each other, one of them is needed. */
static bool check_usage(const struct stop *s, int argc, char **argv)
{
	if (!ct_tool_no_more_args(argc, argv))
		return false;
	if (s->all && s->names)
		log_error("--all and -n cannot be combined (see --help)");
	else if (!s->all && !s->names)
		log_error("missing -n NAME or --all (see --help)");
	else
		return true;
	return false;
}

static int parse_timeout(const char *arg, int32_t *ret)
{
	long v;

	if (ct_parse_long(arg, -1, CT_TIMEOUT_MAX, &v) < 0) {
		log_error("invalid timeout '%s': seconds from -1 (forever) to %d", arg,
			  CT_TIMEOUT_MAX);
		return -EINVAL;
	}
	*ret = (int32_t)v;
	return 0;
}

/* Returns -1 to go on, or the exit code. */
static int parse_args(struct stop *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "timeout", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'k' },      { "rundir", required_argument, NULL, 'R' },
		{ "all", no_argument, NULL, 'a' },        { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },    {}
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:t:kahV", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (add_name(s, optarg) < 0)
				return CT_EXIT_ERROR;
			break;
		case 't':
			if (parse_timeout(optarg, &s->timeout) < 0)
				return CT_EXIT_ERROR;
			break;
		case 'k': s->force = true; break;
		case 'a': s->all = true; break;
		case 'R': s->t.rundir = optarg; break;
		case 'h': usage(); return CT_EXIT_OK;
		case 'V': return ct_tool_version(&s->t);
		default: return CT_EXIT_ERROR;
		}
	}
	return check_usage(s, argc, argv) ? -1 : CT_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	struct stop s = { .timeout = CT_TIMEOUT_DEFAULT };
	int r;

	ct_tool_init(&s.t, "ctstop");
	r = parse_args(&s, argc, argv);
	if (r < 0 && (s.all || s.names[1]))
		r = run_many(&s);
	else if (r < 0) {
		s.t.name = s.names[0];
		s.tty = isatty(STDERR_FILENO);
		r = run(&s);
	}
	ct_strv_free(s.names);
	return r;
}
