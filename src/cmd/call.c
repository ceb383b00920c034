/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request/response object behind every client call: connect without blocking, send one
 * request, consume events and the reply as they arrive, and keep a deadline that the driving loop
 * enforces, so a stuck or vanished monitor turns into an error instead of a hang. */
#include "call.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Nothing in a directory someone else could have written is believed: -EPERM. Missing: the
 * container is not running (-ESRCH). */
static int trusted_dirs(const char *rundir, const char *name)
{
	char dir[PATH_MAX];
	int r = ct_dir_trusted(rundir);

	if (r >= 0 && (r = ct_run_path(dir, sizeof(dir), rundir, name, NULL)) >= 0)
		r = ct_dir_trusted(dir);
	return r == -ENOENT || r == -ENOTDIR ? -ESRCH : r;
}

/* The monitor is root or the caller (its SO_PEERCRED, as of its listen()): -EPERM otherwise. */
static int trusted_peer(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	return cred.uid == 0 || cred.uid == geteuid() ? 0 : -EPERM;
}

int ct_client_connect(const char *rundir, const char *name, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int fd = -1;
	int r = ct_run_path(sa.sun_path, sizeof(sa.sun_path), rundir, name, "sock");

	if (r >= 0)
		r = trusted_dirs(rundir, name);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR)
			return -ESRCH;
		return -errno;
	}
	r = trusted_peer(fd);
	if (r < 0)
		return r;
	*ret_fd = steal_fd(&fd);
	return 0;
}

void ct_call_init(struct ct_call *c, const char *rundir, const char *name,
		  const struct ct_frame *req, int reply_timeout_ms, void *out)
{
	struct ct_msg m = { 0 };

	/* The request is ours, built by ct_proto_request*(): it decodes. */
	ct_msg_decode(req->data, req->len, &m);
	*c = (struct ct_call){ .rundir = rundir, .name = name, .req = req, .out = out,
			       .reply_timeout_ms = reply_timeout_ms, .type = m.type, .fd = -1 };
}

void ct_call_reset(struct ct_call *c)
{
	ct_close_fd(&c->fd);
	c->phase = CT_CALL_IDLE;
	c->answered = c->accepted = c->in_loop = false;
	c->result = 0;
}

static void finish(struct ct_call *c, int r)
{
	ct_close_fd(&c->fd);
	c->result = r;
	c->phase = CT_CALL_DONE;
}

void ct_call_abort(struct ct_call *c, int r)
{
	if (!ct_call_done(c))
		finish(c, r);
}

static void set_deadline(struct ct_call *c, int64_t ms)
{
	c->forever = ms < 0;
	c->deadline = ct_now_ms() + (uint64_t)(ms < 0 ? 0 : ms);
}

/* The monitor closes its connections on its way out: waiting for that (briefly) after a stop's
 * reply means that when the call ends, the monitor has finished its cleanup too. */
static void replied(struct ct_call *c, int r)
{
	if (r < 0 || (c->type != CT_CMD_STOP && c->type != CT_CMD_SHUTDOWN)) {
		finish(c, r);
		return;
	}
	c->result = r;
	c->phase = CT_CALL_CLOSING;
	set_deadline(c, CT_CLIENT_CLOSE_WAIT_MS);
}

static int parse_body(const struct ct_call *c, const struct ct_msg *m)
{
	struct ct_cursor body;
	int r = ct_proto_parse_reply(m, c->type, &body);

	if (r < 0)
		return r;
	switch (c->type) {
	case CT_CMD_INFO: return ct_proto_parse_info(&body, c->out);
	case CT_CMD_STOP:
	case CT_CMD_SHUTDOWN: return ct_proto_parse_stop(&body, c->out);
	default: return ct_cursor_end(&body);
	}
}

/* A SHUTDOWN's event: 1 if m was one (handled), 0 if not. */
static int on_event(struct ct_call *c, const struct ct_msg *m)
{
	struct ct_progress ev;

	if (c->type != CT_CMD_SHUTDOWN || ct_proto_parse_progress(m, &ev) < 0)
		return 0;
	/* The first ACCEPTED sets the stop's deadline; a later one (another ctstop tightened it)
	 * may only bring it forward, so a confused monitor cannot keep a client waiting. */
	if (ev.kind == CT_PROGRESS_ACCEPTED) {
		int64_t ms = ev.remaining_ms < 0 ? -1 : ev.remaining_ms + CT_CLIENT_STOP_SLACK_MS;
		if (!c->accepted || (ms >= 0 && (c->forever || ct_now_ms() + (uint64_t)ms < c->deadline)))
			set_deadline(c, ms);
		c->accepted = true;
	}
	if (c->progress)
		c->progress(&ev, c->userdata);
	return 1;
}

/* A monitor at its connection cap turns a newcomer away with a bare EBUSY reply: like a full
 * backlog, that is not an answer (a burst of clients, or one that was stalled), so the call
 * connects again until its deadline. */
static bool turned_away(struct ct_call *c, const struct ct_msg *m)
{
	struct ct_cursor body;

	if (m->type != CT_MSG_REPLY || ct_proto_parse_reply(m, c->type, &body) != -EBUSY)
		return false;
	ct_close_fd(&c->fd);
	c->in_loop = c->answered = false;
	c->phase = CT_CALL_CONNECTING;
	return true;
}

static void on_frame(struct ct_call *c, const void *data, size_t n)
{
	struct ct_msg m;
	int r;

	c->answered = true;
	if (c->phase == CT_CALL_CLOSING)
		return; /* nothing is expected after the reply; only the hang-up matters */
	r = ct_msg_decode(data, n, &m);
	if (r == 0 && (on_event(c, &m) || turned_away(c, &m)))
		return;
	replied(c, r < 0 ? r : parse_body(c, &m));
}

/* The connection ended (EOF or an error): a stop that replied is done; anything else means the
 * monitor went away before answering, i.e. the container is not running. */
static void on_hangup(struct ct_call *c, int r)
{
	if (c->phase == CT_CALL_CLOSING)
		finish(c, c->result);
	else
		finish(c, r == -ECONNRESET ? -ESRCH : r);
}

/* On SOCK_SEQPACKET recv() returns 0 for an empty packet as well as at the end: only a hang-up
 * is the end (an empty packet is a malformed frame). */
static bool peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };

	int k = poll(&p, 1, 0);

	return k < 0 || (k == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR)));
}

void ct_call_readable(struct ct_call *c)
{
	struct ct_frame buf;

	while (c->phase == CT_CALL_WAITING || c->phase == CT_CALL_CLOSING) {
		ssize_t n = recv(c->fd, buf.data, sizeof(buf.data), MSG_TRUNC | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 || (n == 0 && peer_gone(c->fd)))
			on_hangup(c, n == 0 ? -ECONNRESET : -errno);
		else if ((size_t)n > sizeof(buf.data))
			on_hangup(c, -EMSGSIZE);
		else
			on_frame(c, buf.data, (size_t)n);
	}
}

/* Sends the request on a connected socket (takes ownership of fd). */
static void begin(struct ct_call *c, int fd)
{
	int flags = fcntl(fd, F_GETFL);

	c->fd = fd;
	c->phase = CT_CALL_WAITING;
	if (c->prepare)
		c->prepare(c, c->prepare_data);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		finish(c, -errno);
		return;
	}
	if (send(fd, c->req->data, c->req->len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
		return;
	if (errno != EPIPE && errno != ECONNRESET) {
		finish(c, -errno);
		return;
	}
	/* A server that refuses a connection says why and closes: read its reason. */
	ct_call_readable(c);
	if (c->phase == CT_CALL_WAITING)
		finish(c, -ESRCH);
}

void ct_call_start_fd(struct ct_call *c, int fd)
{
	set_deadline(c, c->reply_timeout_ms);
	begin(c, fd);
}

/* A full listen backlog (a monitor that is stopped, or busy with a burst of clients) is not an
 * answer: the call connects again every CT_CALL_CONNECT_RETRY_MS until its deadline. */
static void try_connect(struct ct_call *c)
{
	int fd = -1;
	int r = ct_client_connect(c->rundir, c->name, &fd);

	if (r == -EAGAIN)
		c->phase = CT_CALL_CONNECTING;
	else if (r < 0)
		finish(c, r);
	else
		begin(c, fd);
}

void ct_call_start(struct ct_call *c)
{
	set_deadline(c, c->reply_timeout_ms);
	try_connect(c);
}

int ct_call_wait_ms(const struct ct_call *c, uint64_t now)
{
	int wait;

	if (ct_call_done(c) || c->forever)
		return ct_call_done(c) ? 0 : -1;
	if (now >= c->deadline)
		return 0;
	wait = c->deadline - now > INT32_MAX ? INT32_MAX : (int)(c->deadline - now);
	return c->phase == CT_CALL_CONNECTING && wait > CT_CALL_CONNECT_RETRY_MS
		       ? CT_CALL_CONNECT_RETRY_MS : wait;
}

void ct_call_check_deadline(struct ct_call *c, uint64_t now)
{
	if (ct_call_done(c))
		return;
	if (!c->forever && now >= c->deadline)
		finish(c, c->phase == CT_CALL_CLOSING ? c->result : -ETIMEDOUT);
	else if (c->phase == CT_CALL_CONNECTING)
		try_connect(c);
}
