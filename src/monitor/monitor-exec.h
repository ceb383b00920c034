/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctexec sessions (monitor-exec.c): each a helper the monitor forks into the container's cgroup
 * (spawn's ct_helper_exec), tracked until it is reaped, its connection answered then. */
#pragma once

#include "monitor-internal.h"

/* The EXEC action: starts m->exec.request with m->exec.fds (taking them) and sets
 * m->exec.started_tag. 0 or -errno (-EMFILE: CT_EXEC_SESSIONS_MAX sessions run). */
int ct_monitor_exec_start(struct ct_monitor *m);
/* A reaped child: if it was a session's helper, answers its connection and returns true. */
bool ct_monitor_exec_reaped(struct ct_monitor *m, pid_t pid, int st);
/* The container is gone (its cgroup empty, or given up on): SIGKILLs every session's helper
 * still there, reaps them within one shared second (a helper stuck in an uninterruptible wait
 * is left behind, never waited for), and answers every client. */
void ct_monitor_exec_finish(struct ct_monitor *m);
/* The container is stopping: tells every session's client (an ACCEPTED event). */
void ct_monitor_exec_stopping(struct ct_monitor *m);
