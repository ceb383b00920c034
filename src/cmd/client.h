/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tools' side of the command socket for one container: connect, send one request, wait for its
 * reply with a deadline. Many containers at once: calls.h. */
#pragma once

#include "call.h"
#include "protocol.h"

/* One-call helpers for the tools: connect, request, parse. -ESRCH: not running. */
int ct_client_info(const char *rundir, const char *name, struct ct_info *ret);
int ct_client_stop(const char *rundir, const char *name, struct ct_stop_result *ret);

/* A graceful stop: timeout in seconds, CT_TIMEOUT_FOREVER or CT_TIMEOUT_DEFAULT. Waits until the
 * container has stopped, calling progress with each event and with NULL about every tick_ms while
 * waiting (0: no ticks). -ESRCH: not running; -ETIMEDOUT: the monitor did not answer in time. */
int ct_client_shutdown(const char *rundir, const char *name, int32_t timeout, unsigned tick_ms,
		       ct_progress_fn progress, void *userdata, struct ct_stop_result *ret);

#define CT_CLIENT_FREEZE_TIMEOUT_MS 15000 /* the monitor gives up freezing after 10 s */

/* Sends a finished request with n fds attached (SCM_RIGHTS, 1..CT_EXEC_FDS_MAX) on a connection
 * of ct_client_connect(): EXEC, CONSOLE. 0 or -errno. */
int ct_client_send_fds(int fd, const struct ct_frame *f, const int *fds, size_t n);
/* Waits up to timeout_ms for the reply to a request of type on fd: its result (0 or the
 * monitor's -errno), -ETIMEDOUT, -ECONNRESET (closed), -EBADMSG. For replies without a body. */
int ct_client_wait_reply(int fd, uint16_t type, int timeout_ms);

/* A request without payload whose reply is just a result (FREEZE, THAW): 0 or -errno. */
int ct_client_simple(const char *rundir, const char *name, uint16_t type, int timeout_ms);
