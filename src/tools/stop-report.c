/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstop's verdicts, shared by the single and the many-container paths so that both say the same
 * things; all but ct_stop_log() are pure, so the wording and exit-status rules are unit-tested. */
#include "ctbuild.h"

#include "stop-report.h"

#include "common/log.h"
#include "tool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum ct_stop_outcome ct_stop_classify(int r, const struct ct_stop_result *res, bool force)
{
	if (r == -ESRCH)
		return CT_STOP_NOT_RUNNING;
	if (r < 0)
		return CT_STOP_ERROR;
	switch (res->kill_reason) {
	case CT_KILL_NONE:
		if (res->error < 0)
			return CT_STOP_ERROR; /* queued during the start, whose setup failed */
		return res->end == CT_END_KILLED ? CT_STOP_KILLED : CT_STOP_GRACEFUL;
	case CT_KILL_FORCE:
		return force ? CT_STOP_FORCED : CT_STOP_KILLED;
	default:
		return CT_STOP_KILLED;
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

static void describe_unkilled(const char *name, const struct ct_stop_result *res, double secs,
			      char *buf, size_t size)
{
	const char *d = res->detail;
	char end[128];

	describe_end(res, end, sizeof(end));
	if (res->error < 0)
		snprintf(buf, size, "container '%s' did not start: %s", name, d);
	else if (res->end == CT_END_KILLED)
		snprintf(buf, size, "container '%s' stopped in %.2f s: init was SIGKILLed, not by us "
			 "(the OOM killer, or someone else)", name, secs);
	else
		snprintf(buf, size, "container '%s' stopped gracefully in %.2f s: %s%s%s%s", name, secs,
			 end, d[0] ? " (" : "", d, d[0] ? ")" : "");
}

void ct_stop_describe(const char *name, const struct ct_stop_result *res, bool force, char *buf,
		      size_t size)
{
	double secs = (double)res->elapsed_ms / 1000.0;

	switch (res->kill_reason) {
	case CT_KILL_NONE:
		describe_unkilled(name, res, secs, buf, size);
		break;
	case CT_KILL_FORCE:
		snprintf(buf, size, "container '%s' killed in %.2f s%s", name, secs,
			 force ? "" : " (a forced stop overtook this one)");
		break;
	case CT_KILL_TIMEOUT:
		snprintf(buf, size, "container '%s' killed after the timeout, %.2f s: it did not stop "
			 "when asked (%s)", name, secs, res->detail[0] ? res->detail : "no method ran");
		break;
	default:
		snprintf(buf, size, "container '%s' killed in %.2f s: %s", name, secs, res->detail);
		break;
	}
}

enum ct_stop_outcome ct_stop_log(const char *name, const struct ct_stop_result *res, bool force)
{
	enum ct_stop_outcome o = ct_stop_classify(0, res, force);
	char line[CT_PROTO_STR_MAX + 256];

	ct_stop_describe(name, res, force, line, sizeof(line));
	if (o == CT_STOP_ERROR)
		log_error("%s", line);
	else
		log_info("%s", line);
	if (res->console_tail[0]) /* killed at the deadline: what it was doing */
		log_info("container '%s': its console's last lines:\n%s", name, res->console_tail);
	return o;
}

int ct_stop_exit_status(const size_t counts[CT_STOP_OUTCOME_COUNT_])
{
	size_t total = 0;

	for (size_t i = 0; i < CT_STOP_OUTCOME_COUNT_; i++)
		total += counts[i];
	if (counts[CT_STOP_ERROR])
		return CT_EXIT_ERROR;
	if (counts[CT_STOP_KILLED])
		return CT_EXIT_KILLED;
	if (total && counts[CT_STOP_NOT_RUNNING] == total)
		return CT_EXIT_NOT_RUNNING;
	return CT_EXIT_OK;
}

void ct_stop_summary(const size_t counts[CT_STOP_OUTCOME_COUNT_], bool force, uint64_t elapsed_ms,
		     char *buf, size_t size)
{
	char forced[48] = "";

	if (force)
		snprintf(forced, sizeof(forced), "%zu killed as asked, ", counts[CT_STOP_FORCED]);
	snprintf(buf, size, "%zu stopped gracefully, %s%zu killed, %zu not running, %zu error%s in "
		 "%.2f s", counts[CT_STOP_GRACEFUL], forced, counts[CT_STOP_KILLED],
		 counts[CT_STOP_NOT_RUNNING], counts[CT_STOP_ERROR],
		 counts[CT_STOP_ERROR] == 1 ? "" : "s", (double)elapsed_ms / 1000.0);
}
