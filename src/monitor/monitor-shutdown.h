/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shutdown methods and their helper (monitor-shutdown.c). */
#pragma once

#include "monitor-internal.h"

/* Runs the configured method; *next is CT_EV_UNDELIVERABLE if it cannot reach init. Returns a
 * CT_LOOP_* code. */
int ct_shutdown_dispatch(struct ct_monitor *m, enum ct_event *next);
/* Arms or tightens the deadline to timeout seconds from now (CT_TIMEOUT_FOREVER: none). */
int ct_shutdown_arm(struct ct_monitor *m, int32_t timeout);
/* The retry timer fired: run the method again. Returns a CT_LOOP_* code. */
int ct_shutdown_retry(struct ct_monitor *m);
/* A helper (sysvinit, exec) has been reaped with wait status st. Returns a CT_LOOP_* code. */
int ct_shutdown_helper_exited(struct ct_monitor *m, int st);
/* Once init is gone: true if there is no helper (any more), reaping one that exited (its report
 * still counts). Never blocks. */
bool ct_shutdown_helper_gone(struct ct_monitor *m);
/* SIGKILLs and reaps a helper still there. */
void ct_shutdown_helper_kill(struct ct_monitor *m);
/* Fills the ACCEPTED event describing the stop under way. */
void ct_monitor_accepted_event(const struct ct_monitor *m, struct ct_progress *ev);
/* Sends an event to every client waiting on a SHUTDOWN. */
void ct_monitor_broadcast(struct ct_monitor *m, enum ct_progress_kind kind);
