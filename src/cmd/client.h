/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tools' side of the command socket: connect, send one request, wait for its reply with a
 * deadline. */
#pragma once

#include "protocol.h"

/* Connects to RUNDIR/NAME/sock. -ESRCH when no monitor is listening there. */
int ct_client_connect(const char *rundir, const char *name, int *ret_fd);

/* Sends req and waits up to timeout_ms (-1: forever) for one frame, decoded into *ret_msg, whose
 * payload points into *buf. -ETIMEDOUT, -ECONNRESET (monitor went away), -EBADMSG... */
int ct_client_call(int fd, const struct ct_frame *req, int timeout_ms, struct ct_frame *buf,
		   struct ct_msg *ret_msg);

#define CT_CLIENT_TIMEOUT_MS 5000     /* for requests answered at once */

/* Waits up to timeout_ms (-1: forever) for the next frame (an event or the reply). */
int ct_client_recv(int fd, int timeout_ms, struct ct_frame *buf, struct ct_msg *ret_msg);

/* One-call helpers for the tools: connect, request, parse. -ESRCH: not running. */
int ct_client_info(const char *rundir, const char *name, struct ct_info *ret);
int ct_client_stop(const char *rundir, const char *name, struct ct_stop_result *ret);

/* Progress of a SHUTDOWN: called with each event, and with NULL about every tick_ms while waiting
 * (for a countdown display; 0: no ticks). */
typedef void (*ct_progress_fn)(const struct ct_progress *ev, void *userdata);

#define CT_CLIENT_STOP_SLACK_MS 10000 /* beyond the deadline: the kill and the reap */

/* A graceful stop: timeout in seconds, CT_TIMEOUT_FOREVER or CT_TIMEOUT_DEFAULT. Waits until the
 * container has stopped. -ESRCH: not running; -ETIMEDOUT: the monitor did not answer in time. */
int ct_client_shutdown(const char *rundir, const char *name, int32_t timeout, unsigned tick_ms,
		       ct_progress_fn progress, void *userdata, struct ct_stop_result *ret);

#define CT_CLIENT_FREEZE_TIMEOUT_MS 15000 /* the monitor gives up freezing after 10 s */

/* A request without payload whose reply is just a result (FREEZE, THAW): 0 or -errno. */
int ct_client_simple(const char *rundir, const char *name, uint16_t type, int timeout_ms);
