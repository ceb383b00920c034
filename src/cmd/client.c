/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Client side of the command socket for one container, used by every tool: one call (call.c)
 * driven by poll() on its connection until it is done. */
#include "client.h"

#include "common/util.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

/* Starts c and drives it to its end, waking every tick_ms (0: never) once the monitor has
 * answered, to let the caller refresh a display. Returns the call's result. */
static int run(struct ct_call *c, unsigned tick_ms)
{
	ct_call_start(c);
	while (!ct_call_done(c)) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int wait = ct_call_wait_ms(c, ct_now_ms());
		bool ticking = tick_ms && c->answered && c->phase == CT_CALL_WAITING &&
			       (wait < 0 || wait > (int)tick_ms);
		int n = poll(&p, 1, ticking ? (int)tick_ms : wait);

		if (n < 0 && errno != EINTR)
			ct_call_abort(c, -errno);
		else if (n > 0)
			ct_call_readable(c);
		else if (n == 0 && ticking && c->progress)
			c->progress(NULL, c->userdata);
		ct_call_check_deadline(c, ct_now_ms());
	}
	return c->result;
}

/* A request without payload, its reply parsed into out (see struct ct_call). */
static int call_simple(const char *rundir, const char *name, uint16_t type, int timeout_ms,
		       void *out)
{
	struct ct_frame req;
	struct ct_call c;

	ct_proto_request(&req, type);
	ct_call_init(&c, rundir, name, &req, timeout_ms, out);
	return run(&c, 0);
}

int ct_client_info(const char *rundir, const char *name, struct ct_info *ret)
{
	return call_simple(rundir, name, CT_CMD_INFO, CT_CLIENT_TIMEOUT_MS, ret);
}

int ct_client_stop(const char *rundir, const char *name, struct ct_stop_result *ret)
{
	return call_simple(rundir, name, CT_CMD_STOP, CT_CLIENT_TIMEOUT_MS, ret);
}

int ct_client_simple(const char *rundir, const char *name, uint16_t type, int timeout_ms)
{
	return call_simple(rundir, name, type, timeout_ms, NULL);
}

int ct_client_shutdown(const char *rundir, const char *name, int32_t timeout, unsigned tick_ms,
		       ct_progress_fn progress, void *userdata, struct ct_stop_result *ret)
{
	struct ct_frame req;
	struct ct_call c;

	/* The first frame (ACCEPTED, or the reason for a refusal) must come promptly. */
	ct_proto_request_shutdown(&req, timeout);
	ct_call_init(&c, rundir, name, &req, CT_CLIENT_TIMEOUT_MS, ret);
	c.progress = progress;
	c.userdata = userdata;
	return run(&c, tick_ms);
}

int ct_client_send_fds(int fd, const struct ct_frame *f, const int *fds, size_t n)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int) * CT_EXEC_FDS_MAX)];
	} ctl = { 0 };
	struct iovec iov = { .iov_base = (void *)f->data, .iov_len = f->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);

	if (n == 0 || n > CT_EXEC_FDS_MAX)
		return -EINVAL;
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(h), fds, sizeof(int) * n);
	return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int ct_client_wait_reply(int fd, uint16_t type, int timeout_ms)
{
	uint8_t buf[CT_PROTO_FRAME_MAX];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct ct_cursor body;
	struct ct_msg m;
	ssize_t n;
	int r = poll(&p, 1, timeout_ms);

	if (r <= 0)
		return r < 0 ? -errno : -ETIMEDOUT;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0)
		return -ECONNRESET;
	r = ct_msg_decode(buf, (size_t)n, &m);
	return r < 0 ? r : ct_proto_parse_reply(&m, type, &body);
}
