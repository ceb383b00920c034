/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What ctstop says about a stop and which exit status it earns, for one container or many: how
 * each stop ended, its one-line message, the summary line and the aggregate exit status. */
#pragma once

#include "cmd/cmd.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ct_stop_outcome {
	CT_STOP_GRACEFUL,    /* stopped without being killed */
	CT_STOP_FORCED,      /* killed, as --force asked */
	CT_STOP_KILLED,      /* only by SIGKILL: the timeout, an unreachable init, someone else */
	CT_STOP_NOT_RUNNING, /* nothing to stop */
	CT_STOP_ERROR,       /* the call failed, or a stop queued during the start found it failed */
	CT_STOP_OUTCOME_COUNT_,
};

/* How one stop ended: r is the call's result, res its reply (read only when r is 0). */
enum ct_stop_outcome ct_stop_classify(int r, const struct ct_stop_result *res, bool force);

/* The line for a stop that got a reply, e.g. "container 'web' stopped gracefully in 0.30 s:
 * init halted (...)". */
void ct_stop_describe(const char *name, const struct ct_stop_result *res, bool force, char *buf,
		      size_t size);

/* Logs the line of ct_stop_describe() (an error for CT_STOP_ERROR, else information) and returns
 * the outcome. */
enum ct_stop_outcome ct_stop_log(const char *name, const struct ct_stop_result *res, bool force);

/* The exit status for these outcome counts: 1 if any error, else 3 if any was killed, else 2 if
 * there were containers and none was running, else 0 (no containers at all is 0 too). One
 * container gets exactly the single-container statuses. */
int ct_stop_exit_status(const size_t counts[CT_STOP_OUTCOME_COUNT_]);

/* "3 stopped gracefully, 1 killed, 0 not running, 0 errors in 2.01 s"; with force, "N killed as
 * asked" comes after the graceful ones. */
void ct_stop_summary(const size_t counts[CT_STOP_OUTCOME_COUNT_], bool force, uint64_t elapsed_ms,
		     char *buf, size_t size);
