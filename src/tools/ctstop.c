/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstop: stop a container gracefully (SHUTDOWN with the container's method, SIGKILL only after
 * the timeout) or at once (--force). One line on stderr says how it ended and how long it took. */
#include "ctbuild.h"

#include "client.h"
#include "config.h"
#include "log.h"
#include "rundir.h"
#include "tool.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct stop {
	struct ct_tool t;
	bool force;
	int32_t timeout;
	bool tty;         /* stderr is a terminal: show a countdown */
	uint64_t deadline; /* for the countdown; 0: none known */
	const char *method;
};

static void usage(void)
{
	printf("Usage: ctstop -n NAME [-t SECONDS] [-k] [--rundir DIR]\n"
	       "Stop a container: ask its init the way it understands (the config's\n"
	       "shutdown_method), wait, and SIGKILL it only when the timeout runs out.\n\n"
	       "  -n, --name NAME      container name\n"
	       "  -t, --timeout SECS   how long to wait before SIGKILL (default: the config's\n"
	       "                       shutdown_timeout, 30 s unless set; -1 waits forever,\n"
	       "                       0 kills at once)\n"
	       "  -k, --force          SIGKILL at once (also when the monitor does not answer)\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: 0 stopped gracefully (or killed as asked with --force);\n"
	       "3 stopped, but only by SIGKILL; 2 not running; 1 error.\n",
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

static void describe_end(const struct ct_stop_result *res, char *buf, size_t size)
{
	if (res->end == CT_END_EXITED)
		snprintf(buf, size, "init exited with status %d", res->exit_code);
	else if (res->end == CT_END_HALTED)
		snprintf(buf, size, "init halted");
	else
		snprintf(buf, size, "init %s by %s", res->end == CT_END_KILLED ? "killed" : "ended",
			 sigabbrev_np(res->signal) ? sigabbrev_np(res->signal) : "a signal");
}

static int report(const struct stop *s, const struct ct_stop_result *res)
{
	double secs = (double)res->elapsed_ms / 1000.0;
	char end[128];

	clear_line(s);
	describe_end(res, end, sizeof(end));
	switch (res->kill_reason) {
	case CT_KILL_NONE:
		if (res->error < 0) {
			log_error("container '%s' did not start: %s", s->t.name, res->detail);
			return CT_EXIT_ERROR;
		}
		if (res->end == CT_END_KILLED) {
			log_info("container '%s' stopped in %.2f s: init was SIGKILLed, not by us "
				 "(the OOM killer, or someone else)", s->t.name, secs);
			return CT_EXIT_KILLED;
		}
		log_info("container '%s' stopped gracefully in %.2f s: %s%s%s%s", s->t.name, secs,
			 end, res->detail[0] ? " (" : "", res->detail, res->detail[0] ? ")" : "");
		return CT_EXIT_OK;
	case CT_KILL_FORCE:
		log_info("container '%s' killed in %.2f s%s", s->t.name, secs,
			 s->force ? "" : " (a forced stop overtook this one)");
		return s->force ? CT_EXIT_OK : CT_EXIT_KILLED;
	case CT_KILL_TIMEOUT:
		log_info("container '%s' killed after the timeout, %.2f s: it did not stop when asked "
			 "(%s)", s->t.name, secs, res->detail[0] ? res->detail : "no method ran");
		return CT_EXIT_KILLED;
	default:
		log_info("container '%s' killed in %.2f s: %s", s->t.name, secs, res->detail);
		return CT_EXIT_KILLED;
	}
}

/* --force with a monitor that does not answer: kill init as the pid record names it. */
static int force_without_monitor(const struct stop *s, int error)
{
	pid_t pid;
	int r = ct_rundir_kill_init(s->t.rundir, s->t.name, &pid);

	if (r < 0) {
		log_error_errno(error, "container '%s': the monitor did not answer, and its init "
			       "could not be killed directly (%s)", s->t.name, strerror(-r));
		return CT_EXIT_ERROR;
	}
	log_warning("container '%s': the monitor did not answer; killed init (pid %d) directly",
		    s->t.name, (int)pid);
	return CT_EXIT_OK;
}

static int run(struct stop *s)
{
	struct ct_stop_result res;
	int r;

	if (s->force) {
		r = ct_client_stop(s->t.rundir, s->t.name, &res);
		if (r == -ETIMEDOUT)
			return force_without_monitor(s, r);
	} else {
		r = ct_client_shutdown(s->t.rundir, s->t.name, s->timeout, s->tty ? 250 : 0,
				       progress, s, &res);
		clear_line(s);
	}
	return r < 0 ? ct_tool_call_failed(&s->t, r) : report(s, &res);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "timeout", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'k' },      { "rundir", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
		{}
	};
	struct stop s = { .timeout = CT_TIMEOUT_DEFAULT };
	long v;
	int c;

	ct_tool_init(&s.t, "ctstop");
	while ((c = getopt_long(argc, argv, "n:t:khV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': s.t.name = optarg; break;
		case 't':
			if (ct_parse_long(optarg, -1, CT_SHUTDOWN_TIMEOUT_MAX, &v) < 0) {
				log_error("invalid timeout '%s': seconds from -1 (forever) to %d",
					  optarg, CT_SHUTDOWN_TIMEOUT_MAX);
				return CT_EXIT_ERROR;
			}
			s.timeout = (int32_t)v;
			break;
		case 'k': s.force = true; break;
		case 'R': s.t.rundir = optarg; break;
		case 'h': usage(); return 0;
		case 'V': return ct_tool_version(&s.t);
		default: return CT_EXIT_ERROR;
		}
	}
	if (!ct_tool_check(&s.t))
		return CT_EXIT_ERROR;
	s.tty = isatty(STDERR_FILENO);
	return run(&s);
}
