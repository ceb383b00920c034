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
#define CT_CLIENT_STOP_TIMEOUT_MS 30000 /* a kill and reap */

/* One-call helpers for the tools: connect, request, parse. -ESRCH: not running. */
int ct_client_info(const char *rundir, const char *name, struct ct_info *ret);
int ct_client_stop(const char *rundir, const char *name, struct ct_stop_result *ret);
