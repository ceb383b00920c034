/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One request to one monitor on a non-blocking connection of its own, as an object that any poll
 * loop can drive: start it, hand it readiness and the clock until it is done. The one-container
 * calls in client.c and the many-container runner in calls.c drive the very same object. */
#pragma once

#include "protocol.h"

#include <stdbool.h>
#include <stdint.h>

#define CT_CLIENT_TIMEOUT_MS 5000     /* for the first frame; the whole wait for most requests */
#define CT_CLIENT_STOP_SLACK_MS 10000 /* beyond a stop's deadline: the kill and the reap */
#define CT_CLIENT_CLOSE_WAIT_MS 2000  /* after a stop's reply, for the monitor's exit */
#define CT_CALL_CONNECT_RETRY_MS 10   /* between connects while a monitor's backlog is full */

/* Progress of a SHUTDOWN: called with each event, and (by ct_client_shutdown()) with NULL about
 * every tick while waiting, for a countdown display. */
typedef void (*ct_progress_fn)(const struct ct_progress *ev, void *userdata);

enum ct_call_phase {
	CT_CALL_IDLE,    /* not started */
	CT_CALL_CONNECTING, /* the monitor's listen backlog was full: connect again soon (no fd) */
	CT_CALL_WAITING, /* request sent: waiting for events and the reply */
	CT_CALL_CLOSING, /* a stop's reply is in: waiting (briefly) for the monitor to hang up */
	CT_CALL_DONE,    /* result final, connection closed */
};

struct ct_call {
	/* Set by ct_call_init(), borrowed: they must outlive the call. */
	const char *rundir;
	const char *name;
	const struct ct_frame *req;
	int reply_timeout_ms;  /* for the first frame; -1: none */
	void *out;             /* INFO: struct ct_info; STOP, SHUTDOWN: struct ct_stop_result */
	ct_progress_fn progress; /* optional, for SHUTDOWN events */
	void *userdata;
	/* Optional: called right before the request is sent, which may point req at a fresh frame
	 * of the same type (a SHUTDOWN started late gets the time left of a shared deadline). */
	void (*prepare)(struct ct_call *c, void *data);
	void *prepare_data;
	/* State. */
	enum ct_call_phase phase;
	uint16_t type;     /* the request's type */
	int fd;
	bool answered;     /* a first frame came */
	bool accepted;     /* a SHUTDOWN's ACCEPTED event came */
	bool forever;      /* no deadline (SHUTDOWN without a timeout) */
	bool in_loop;      /* fd is in the runner's epoll set (ct_calls_run's, not the call's) */
	uint64_t deadline; /* CLOCK_MONOTONIC ms */
	int result;        /* once DONE: 0, or -ESRCH (not running), -ETIMEDOUT, the monitor's -errno */
};

/* Prepares a call of the request req (built with ct_proto_request*()) to RUNDIR/NAME/sock. */
void ct_call_init(struct ct_call *c, const char *rundir, const char *name,
		  const struct ct_frame *req, int reply_timeout_ms, void *out);
/* Connects and sends: afterwards the call is WAITING, or already DONE (not running, a refusal,
 * out of fds: -EMFILE). */
void ct_call_start(struct ct_call *c);
/* The same on a connected socket (takes ownership of fd), for tests and callers that connect
 * themselves. The fd is made non-blocking. */
void ct_call_start_fd(struct ct_call *c, int fd);
/* Back to IDLE after a start that ended at once, to try again later (after -EMFILE). */
void ct_call_reset(struct ct_call *c);
/* The connection is readable or hung up: consumes every frame waiting. */
void ct_call_readable(struct ct_call *c);
/* Ms from now until the call's deadline (0 when passed) or, while CONNECTING, its next connect;
 * -1 when it has none. */
int ct_call_wait_ms(const struct ct_call *c, uint64_t now);
/* Ends the call if its deadline has passed: -ETIMEDOUT while CONNECTING or WAITING; once CLOSING,
 * the reply's result stands. Before the deadline, a CONNECTING call connects again (and may be
 * WAITING afterwards, with a new fd). */
void ct_call_check_deadline(struct ct_call *c, uint64_t now);
/* Ends an unfinished call with error r (a negative errno), closing its connection. */
void ct_call_abort(struct ct_call *c, int r);

static inline bool ct_call_done(const struct ct_call *c)
{
	return c->phase == CT_CALL_DONE;
}

/* Connects to RUNDIR/NAME/sock, non-blocking. -ESRCH when no monitor is listening there, -EAGAIN
 * when its listen backlog is full (it is busy or stopped: try again), -EPERM when RUNDIR or
 * RUNDIR/NAME is not trusted (ct_dir_trusted()) or the monitor runs as neither root nor us. */
int ct_client_connect(const char *rundir, const char *name, int *ret_fd);
