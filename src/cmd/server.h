/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor side of the command socket: a listening SOCK_SEQPACKET socket in the run dir, peer
 * credential checks, per-connection request deadlines, a cap on connections, and dispatch through
 * a command table whose default answer is ENOSYS. */
#pragma once

#include "common/mainloop.h"
#include "protocol.h"

#include <sys/types.h>

#define CT_SERVER_MAX_CONNS 64
#define CT_SERVER_REQUEST_TIMEOUT_MS 5000

struct ct_server;
struct ct_conn;

/* Handles one request. Returns 0 once it has replied with ct_conn_reply() or deferred with
 * ct_conn_defer(); a negative errno makes the server reply with that error. */
typedef int (*ct_cmd_fn)(struct ct_conn *c, const struct ct_msg *m, void *userdata);

struct ct_cmd_entry {
	uint16_t type;
	ct_cmd_fn fn;
};

struct ct_server_options {
	const char *path;   /* socket path; an existing file there is replaced */
	uid_t allowed_uid;  /* besides root */
	const struct ct_cmd_entry *table; /* borrowed; must outlive the server */
	size_t n_table;
	void *userdata;
	unsigned request_timeout_ms; /* 0: CT_SERVER_REQUEST_TIMEOUT_MS */
};

/* Borrows loop. */
int ct_server_new(struct ct_loop *loop, const struct ct_server_options *o, struct ct_server **ret);
/* Closes every connection and the socket. The path is left alone: by then it may be a new
 * monitor's (the run dir owner removes it). */
void ct_server_free(struct ct_server *s);

/* During a handler: takes (up to max of) the fds that came with the request, in order; the caller
 * owns them. Those not taken are closed after the handler. Returns how many. */
size_t ct_conn_take_fds(struct ct_conn *c, int *fds, size_t max);
/* Sends a finished frame. On failure the connection is closed and must not be used again. */
int ct_conn_reply(struct ct_conn *c, const struct ct_frame *f);
/* Parks the connection without a deadline until ct_server_reply_deferred() with the same tag. */
void ct_conn_defer(struct ct_conn *c, uint16_t tag);
/* Sends f to every connection parked with tag; they are then waiting for requests again. */
void ct_server_reply_deferred(struct ct_server *s, uint16_t tag, const struct ct_frame *f);
/* Sends f to every connection parked with tag; they stay parked (progress events). */
void ct_server_broadcast(struct ct_server *s, uint16_t tag, const struct ct_frame *f);
