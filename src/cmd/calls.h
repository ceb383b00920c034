/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Many calls at once, in one process: every request is sent first, then all replies are awaited
 * with one epoll, so a thousand containers get their request at about the same moment and a slow
 * one delays nobody. */
#pragma once

#include "call.h"

#include <stddef.h>

/* Fds kept free for everything else (stdio, the epoll fd, a log file) when sizing the batch. */
#define CT_CALLS_FD_RESERVE 32

/* Called once for each call as it ends, in the order they end (NULL: not needed). */
typedef void (*ct_call_done_fn)(struct ct_call *c, void *userdata);

/* Runs the initialized calls[0..n) to their end. The soft RLIMIT_NOFILE is raised toward the
 * hard limit to hold a connection per call; if it cannot, the calls that do not fit start as
 * earlier ones end. Every call ends through done, also when the runner fails: then the calls not
 * finished end with its error, which it returns (once logged by the caller). */
int ct_calls_run(struct ct_call *calls, size_t n, ct_call_done_fn done, void *userdata);
/* Asks the monitors of names[0..n) for their INFO, all at once, each answer due within
 * timeout_ms: infos[i] and results[i] (0, -ESRCH not running, -ETIMEDOUT, the monitor's
 * -errno...). Returns 0, or -ENOMEM / the runner's error (then every unfinished result is it). */
int ct_calls_info(const char *rundir, const char *const *names, size_t n, int timeout_ms,
		  struct ct_info *infos, int *results);
