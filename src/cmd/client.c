/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Client side of the command socket, used by every tool. Each call has a deadline, so a stuck or
 * vanished monitor turns into an error instead of a hang. */
#include "client.h"

#include "macro.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int ct_client_connect(const char *rundir, const char *name, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int fd = -1;
	int r = ct_run_path(sa.sun_path, sizeof(sa.sun_path), rundir, name, "sock");

	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR ? -ESRCH : -errno;
	*ret_fd = steal_fd(&fd);
	return 0;
}

static int wait_readable(int fd, uint64_t deadline, bool forever)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = ct_now_ms();
		int timeout = forever ? -1 : now >= deadline ? 0 : (int)(deadline - now);
		int n = poll(&p, 1, timeout);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		return n == 0 ? -ETIMEDOUT : 0;
	}
}

static int receive(int fd, int flags, struct ct_frame *buf, struct ct_msg *ret_msg)
{
	ssize_t n;

	do
		n = recv(fd, buf->data, sizeof(buf->data), MSG_TRUNC | flags);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ECONNRESET : -errno;
	if (n == 0)
		return -ECONNRESET;
	if ((size_t)n > sizeof(buf->data))
		return -EMSGSIZE;
	buf->len = (size_t)n;
	return ct_msg_decode(buf->data, buf->len, ret_msg);
}

int ct_client_recv(int fd, int timeout_ms, struct ct_frame *buf, struct ct_msg *ret_msg)
{
	uint64_t deadline = ct_now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	int r = wait_readable(fd, deadline, timeout_ms < 0);

	return r < 0 ? r : receive(fd, 0, buf, ret_msg);
}

int ct_client_call(int fd, const struct ct_frame *req, int timeout_ms, struct ct_frame *buf,
		   struct ct_msg *ret_msg)
{
	if (send(fd, req->data, req->len, MSG_NOSIGNAL) < 0) {
		if (errno != EPIPE && errno != ECONNRESET)
			return -errno;
		/* A server that refuses a connection says why and closes: read its reason. */
		return receive(fd, MSG_DONTWAIT, buf, ret_msg);
	}
	return ct_client_recv(fd, timeout_ms, buf, ret_msg);
}

/* Connects (the caller owns *fd), sends a payload-less request of type and parses the reply's
 * result into *body. */
static int simple_call(const char *rundir, const char *name, uint16_t type, int timeout_ms,
		       int *fd, struct ct_frame *buf, struct ct_cursor *body)
{
	struct ct_frame req;
	struct ct_msg m;
	int r = ct_client_connect(rundir, name, fd);

	if (r < 0)
		return r;
	ct_proto_request(&req, type);
	r = ct_client_call(*fd, &req, timeout_ms, buf, &m);
	if (r == -ECONNRESET)
		return -ESRCH; /* the monitor exited between connect and reply */
	return r < 0 ? r : ct_proto_parse_reply(&m, type, body);
}

int ct_client_info(const char *rundir, const char *name, struct ct_info *ret)
{
	cleanup_close int fd = -1;
	struct ct_frame buf;
	struct ct_cursor body;
	int r = simple_call(rundir, name, CT_CMD_INFO, CT_CLIENT_TIMEOUT_MS, &fd, &buf, &body);

	return r < 0 ? r : ct_proto_parse_info(&body, ret);
}

/* The monitor closes its connections on its way out: waiting for that (briefly) means that when
 * a stop returns, the monitor has finished its cleanup too. */
static void wait_closed(int fd, int timeout_ms)
{
	uint64_t deadline = ct_now_ms() + (uint64_t)timeout_ms;
	char b;

	while (wait_readable(fd, deadline, false) == 0)
		if (recv(fd, &b, 1, MSG_DONTWAIT) <= 0 && errno != EINTR)
			return;
}

int ct_client_stop(const char *rundir, const char *name, struct ct_stop_result *ret)
{
	cleanup_close int fd = -1;
	struct ct_frame buf;
	struct ct_cursor body;
	int r = simple_call(rundir, name, CT_CMD_STOP, CT_CLIENT_TIMEOUT_MS, &fd, &buf, &body);

	if (r >= 0)
		r = ct_proto_parse_stop(&body, ret);
	if (r >= 0)
		wait_closed(fd, 2000);
	return r;
}

struct shutdown_wait {
	uint64_t until; /* monotonic: give up on the monitor after this */
	bool forever;   /* the stop has no deadline */
	ct_progress_fn progress;
	void *userdata;
};

/* Handles one frame of a SHUTDOWN: 1 for an event (more to come), 0 for the final reply (in
 * *ret), or a negative errno (a refusal or a malformed frame). */
static int shutdown_frame(struct shutdown_wait *w, const struct ct_msg *m, struct ct_stop_result *ret)
{
	struct ct_progress ev;
	struct ct_cursor body;
	int r;

	if (ct_proto_parse_progress(m, &ev) == 0) {
		if (ev.kind == CT_PROGRESS_ACCEPTED) {
			w->forever = ev.remaining_ms < 0;
			w->until = ct_now_ms() + (uint64_t)ev.remaining_ms + CT_CLIENT_STOP_SLACK_MS;
		}
		if (w->progress)
			w->progress(&ev, w->userdata);
		return 1;
	}
	r = ct_proto_parse_reply(m, CT_CMD_SHUTDOWN, &body);
	return r < 0 ? r : ct_proto_parse_stop(&body, ret);
}

/* Waits for the next frame, waking every tick_ms (if set) to let the caller refresh a display. */
static int shutdown_next(int fd, struct shutdown_wait *w, unsigned tick_ms, struct ct_frame *buf,
			 struct ct_msg *m)
{
	for (;;) {
		uint64_t now = ct_now_ms();
		int wait = w->forever ? -1 : now >= w->until ? 0 : (int)(w->until - now);
		bool ticking = tick_ms && (wait < 0 || wait > (int)tick_ms);
		int r = ct_client_recv(fd, ticking ? (int)tick_ms : wait, buf, m);

		if (r != -ETIMEDOUT || !ticking)
			return r == -ECONNRESET ? -ESRCH : r;
		if (w->progress)
			w->progress(NULL, w->userdata);
	}
}

int ct_client_shutdown(const char *rundir, const char *name, int32_t timeout, unsigned tick_ms,
		       ct_progress_fn progress, void *userdata, struct ct_stop_result *ret)
{
	struct shutdown_wait w = { .until = ct_now_ms() + CT_CLIENT_TIMEOUT_MS,
				   .progress = progress, .userdata = userdata };
	cleanup_close int fd = -1;
	struct ct_frame req, buf;
	struct ct_msg m;
	int r = ct_client_connect(rundir, name, &fd);

	if (r < 0)
		return r;
	/* The first frame (ACCEPTED, or the reason for a refusal) must come promptly. */
	ct_proto_request_shutdown(&req, timeout);
	r = ct_client_call(fd, &req, CT_CLIENT_TIMEOUT_MS, &buf, &m);
	while (r >= 0 && (r = shutdown_frame(&w, &m, ret)) == 1)
		r = shutdown_next(fd, &w, tick_ms, &buf, &m);
	if (r == -ECONNRESET)
		return -ESRCH;
	if (r >= 0)
		wait_closed(fd, 2000);
	return r;
}

int ct_client_simple(const char *rundir, const char *name, uint16_t type, int timeout_ms)
{
	cleanup_close int fd = -1;
	struct ct_frame buf;
	struct ct_cursor body;
	int r = simple_call(rundir, name, type, timeout_ms, &fd, &buf, &body);

	return r < 0 ? r : ct_cursor_end(&body);
}
