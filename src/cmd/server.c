/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command-socket server. Each connection is non-blocking and has its own timerfd for the deadline
 * by which a request must arrive, so a silent or slow client costs one slot and nothing else. */
#include "server.h"

#include "common/macro.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct ct_conn {
	struct ct_server *server;
	int fd;
	int timer_fd;
	bool spoke;    /* has sent a request: not idle */
	bool deferred;
	uint16_t tag;
	int *fds;      /* during dispatch: the fds that came with the request (-1 once taken) */
	size_t n_fds;
	struct ct_conn *next;
};

struct ct_server {
	struct ct_loop *loop;
	struct ct_server_options o;
	char *path;
	int fd;
	size_t n_conns;
	struct ct_conn *conns;
};

/* Closing a Unix socket with unread data makes the peer's next recv fail with ECONNRESET
 * instead of returning what we sent: drain before closing, so an error reply is always read. */
static void close_drained(int fd)
{
	uint8_t buf[CT_PROTO_FRAME_MAX];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	close(fd);
}

static void conn_close(struct ct_conn *c)
{
	struct ct_server *s = c->server;

	for (struct ct_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ct_loop_remove(s->loop, c->fd);
	ct_loop_remove(s->loop, c->timer_fd);
	close_drained(c->fd);
	close(c->timer_fd);
	s->n_conns--;
	free(c);
}

int ct_conn_reply(struct ct_conn *c, const struct ct_frame *f)
{
	/* Replies are small and the client waits for them; a client whose buffer is full is not
	 * reading, and is dropped rather than allowed to block the monitor. */
	if (send(c->fd, f->data, f->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		int r = -errno;
		conn_close(c);
		return r;
	}
	return 0;
}

void ct_conn_defer(struct ct_conn *c, uint16_t tag)
{
	c->deferred = true;
	c->tag = tag;
	ct_timerfd_arm(c->timer_fd, 0);
}

static void send_parked(struct ct_server *s, uint16_t tag, const struct ct_frame *f, bool final)
{
	struct ct_conn *next;

	for (struct ct_conn *c = s->conns; c; c = next) {
		next = c->next;
		if (!c->deferred || c->tag != tag)
			continue;
		c->deferred = !final;
		if (ct_conn_reply(c, f) == 0 && final)
			ct_timerfd_arm(c->timer_fd, c->server->o.request_timeout_ms);
	}
}

void ct_server_reply_deferred(struct ct_server *s, uint16_t tag, const struct ct_frame *f)
{
	send_parked(s, tag, f, true);
}

void ct_server_broadcast(struct ct_server *s, uint16_t tag, const struct ct_frame *f)
{
	send_parked(s, tag, f, false);
}

static int reply_error(struct ct_conn *c, uint16_t type, int error)
{
	struct ct_frame f;

	ct_proto_reply_error(&f, type, error);
	return ct_conn_reply(c, &f);
}

static ct_cmd_fn lookup(const struct ct_server *s, uint16_t type)
{
	for (size_t i = 0; i < s->o.n_table; i++)
		if (s->o.table[i].type == type)
			return s->o.table[i].fn;
	return NULL;
}

static void dispatch(struct ct_conn *c, const struct ct_msg *m)
{
	struct ct_server *s = c->server;
	ct_cmd_fn fn = (m->type & CT_MSG_REPLY) ? NULL : lookup(s, m->type);
	int r;

	ct_timerfd_arm(c->timer_fd, c->server->o.request_timeout_ms);
	c->spoke = true;
	r = fn ? fn(c, m, s->o.userdata) : -ENOSYS;
	if (r < 0)
		reply_error(c, m->type, r);
}

size_t ct_conn_take_fds(struct ct_conn *c, int *fds, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_fds && n < max; i++)
		if (c->fds[i] >= 0) {
			fds[n++] = c->fds[i];
			c->fds[i] = -1;
		}
	return n;
}

/* Receives one datagram and the fds that came with it (at most CT_EXEC_FDS_MAX; more make the
 * kernel close the rest and set MSG_CTRUNC). Returns the length, or -1 with errno. */
static ssize_t recv_with_fds(int fd, uint8_t *buf, size_t size, int *fds, size_t *n_fds,
			    int *flags)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int) * CT_EXEC_FDS_MAX)];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);

	*n_fds = 0;
	*flags = mh.msg_flags;
	if (n < 0)
		return n;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < k; i++) {
			int got;

			memcpy(&got, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (*n_fds < CT_EXEC_FDS_MAX)
				fds[(*n_fds)++] = got;
			else
				close(got);
		}
	}
	return n;
}

/* Reads one datagram. A malformed frame gets an error reply and the connection is closed: after
 * garbage nothing the client sends can be trusted to be in step. Fds the request's handler did
 * not take are closed, whatever became of the connection. */
static void conn_read(struct ct_conn *c)
{
	uint8_t buf[CT_PROTO_FRAME_MAX];
	int fds[CT_EXEC_FDS_MAX], flags;
	size_t n_fds;
	struct ct_msg m;
	ssize_t n = recv_with_fds(c->fd, buf, sizeof(buf), fds, &n_fds, &flags);
	int r;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || c->deferred) {
		conn_close(c); /* EOF, error, or a request while one is pending */
	} else {
		r = (size_t)n > sizeof(buf) ? -EMSGSIZE : ct_msg_decode(buf, (size_t)n, &m);
		if (r == 0 && (flags & MSG_CTRUNC))
			r = -EBADMSG; /* more fds than any request takes */
		if (r < 0) {
			if (reply_error(c, 0, r) == 0)
				conn_close(c);
		} else {
			c->fds = fds;
			c->n_fds = n_fds;
			dispatch(c, &m); /* may free c */
		}
	}
	for (size_t i = 0; i < n_fds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int on_conn(int fd, uint32_t events, void *data)
{
	struct ct_conn *c = data;

	if (events & EPOLLIN)
		conn_read(c);
	else if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP))
		conn_close(c);
	return CT_LOOP_CONTINUE;
}

static int on_conn_timer(int fd, uint32_t events, void *data)
{
	conn_close(data); /* no request within the deadline */
	return CT_LOOP_CONTINUE;
}

static bool peer_allowed(const struct ct_server *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	return cred.uid == 0 || cred.uid == s->o.allowed_uid;
}

/* Takes fd: on failure it is closed here, whichever step failed. */
static int conn_new(struct ct_server *s, int fd)
{
	struct ct_conn *c = calloc(1, sizeof(*c));
	int r;

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	*c = (struct ct_conn){ .server = s, .fd = fd, .timer_fd = ct_timerfd_new() };
	if (c->timer_fd < 0) {
		r = c->timer_fd;
		close(fd);
		free(c);
		return r;
	}
	c->next = s->conns;
	s->conns = c;
	s->n_conns++;
	r = ct_loop_add(s->loop, fd, EPOLLIN | EPOLLRDHUP, on_conn, c);
	if (r >= 0)
		r = ct_loop_add(s->loop, c->timer_fd, EPOLLIN, on_conn_timer, c);
	if (r >= 0)
		r = ct_timerfd_arm(c->timer_fd, c->server->o.request_timeout_ms);
	if (r < 0)
		conn_close(c);
	return r;
}

static void refuse(int fd, int error)
{
	struct ct_frame f;

	ct_proto_reply_error(&f, 0, error);
	send(fd, f.data, f.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	close_drained(fd);
}

/* At the cap, the oldest connection that has not said anything yet makes room: clients that
 * connect and stall cannot lock out one that has something to ask. Returns false if every
 * connection is busy with a request. */
static bool evict_idle(struct ct_server *s)
{
	struct ct_conn *oldest = NULL;
	struct ct_frame f;

	for (struct ct_conn *c = s->conns; c; c = c->next) /* newest first */
		if (!c->spoke)
			oldest = c;
	if (!oldest)
		return false;
	ct_proto_reply_error(&f, 0, -EBUSY);
	send(oldest->fd, f.data, f.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	conn_close(oldest);
	return true;
}

static int on_listen(int lfd, uint32_t events, void *data)
{
	struct ct_server *s = data;

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return CT_LOOP_CONTINUE; /* EAGAIN, or a transient error such as EMFILE */
		if (!peer_allowed(s, fd))
			refuse(fd, -EACCES);
		else if (s->n_conns >= CT_SERVER_MAX_CONNS && !evict_idle(s))
			refuse(fd, -EBUSY);
		else
			conn_new(s, fd); /* a failure closed it */
	}
}

/* The socket is bound under PATH.tmp and renamed to PATH once it listens: a client never finds
 * PATH refusing connections (which means "no monitor", a stale run dir) while we start. */
static int server_bind(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int fd = -1;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.tmp", path) >= (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (unlink(sa.sun_path) < 0 && errno != ENOENT)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (chmod(sa.sun_path, 0600) < 0 || listen(fd, 128) < 0 || rename(sa.sun_path, path) < 0) {
		int r = -errno;
		unlink(sa.sun_path);
		return r;
	}
	return steal_fd(&fd);
}

int ct_server_new(struct ct_loop *loop, const struct ct_server_options *o, struct ct_server **ret)
{
	struct ct_server *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	*s = (struct ct_server){ .loop = loop, .o = *o, .path = strdup(o->path), .fd = -1 };
	if (!s->path) {
		free(s);
		return -ENOMEM;
	}
	s->o.path = s->path;
	if (!s->o.request_timeout_ms)
		s->o.request_timeout_ms = CT_SERVER_REQUEST_TIMEOUT_MS;
	r = s->fd = server_bind(s->path);
	if (r >= 0)
		r = ct_loop_add(loop, s->fd, EPOLLIN, on_listen, s);
	if (r < 0) {
		ct_server_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void ct_server_free(struct ct_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s->conns);
	if (s->fd >= 0) {
		ct_loop_remove(s->loop, s->fd);
		close(s->fd);
	}
	free(s->path);
	free(s);
}
