/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The relay of a ctexec session. Toward the command (its stdin pipe, the pty's master) writes
 * are non-blocking and buffered, so a command that does not read its input never stops its
 * output from being relayed; toward our own stdout and stderr they block, as the operator's
 * sink would make any writer wait. */
#include "exec-relay.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define BUF_SIZE 65536
#define LINGER_MS 200 /* after the answer: output still coming, or a background holder of it */

struct pump {
	int from, to;
	bool eof;
	size_t len, off;
	char buf[BUF_SIZE];
};

enum { P_IN, P_OUT, P_ERR, P_COUNT };

struct relay {
	struct ct_exec_session_fds *s;
	struct pump p[P_COUNT];
	int sig_fd;
	bool answered, told_stopping;
	int result;
	struct ct_exec_result res;
	const char *name;
};

/* Reads what is there; toward the command (P_IN) keeps it for non-blocking writes, toward us
 * writes it out at once. */
static void pump_read(struct pump *p, bool to_command)
{
	ssize_t n = read(p->from, p->buf, sizeof(p->buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* EOF, or EIO: the pty's last slave closed */
		p->eof = true;
		return;
	}
	if (to_command) {
		p->len = (size_t)n;
		p->off = 0;
	} else if (ct_write_all(p->to, p->buf, (size_t)n) < 0) {
		p->eof = true; /* our stdout is gone: stop reading, let the command get EPIPE */
	}
}

static void pump_write(struct pump *p)
{
	ssize_t w = write(p->to, p->buf + p->off, p->len - p->off);

	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (w < 0) { /* the command closed its stdin */
		p->len = p->off = 0;
		p->eof = true;
		return;
	}
	p->off += (size_t)w;
	if (p->off == p->len)
		p->len = p->off = 0;
}

int ct_exec_receive_master(struct ct_exec_session_fds *s)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl) };
	struct pollfd p[2] = { { .fd = s->ctl, .events = POLLIN }, { .fd = s->conn, .events = POLLIN } };

	if (poll(p, 2, CT_CLIENT_TIMEOUT_MS) <= 0)
		return -ETIMEDOUT;
	if (!(p[0].revents & POLLIN))
		return -ECONNRESET; /* the answer came first: the caller reads it */
	if (recvmsg(s->ctl, &mh, MSG_CMSG_CLOEXEC) <= 0)
		return -ECONNRESET; /* the helper failed before: its stderr says why */
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);

	if (!h || h->cmsg_type != SCM_RIGHTS || h->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EBADMSG;
	memcpy(&s->master, CMSG_DATA(h), sizeof(int));
	return 0;
}

/* A frame from the monitor: an event (the container is stopping) or the answer. */
static void conn_read(struct relay *r)
{
	uint8_t buf[CT_PROTO_FRAME_MAX];
	struct ct_progress ev;
	struct ct_cursor body;
	struct ct_msg m;
	ssize_t n = recv(r->s->conn, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	r->answered = true;
	if (n <= 0 || ct_msg_decode(buf, (size_t)n, &m) < 0) {
		r->result = -ECONNRESET;
		return;
	}
	if (m.type == (CT_MSG_EVENT | CT_CMD_EXEC) && ct_proto_parse_progress(&m, &ev) == 0) {
		r->answered = false;
		if (!r->told_stopping)
			log_warning("container '%s' is stopping: this session ends with it", r->name);
		r->told_stopping = true;
		return;
	}
	r->result = ct_proto_parse_reply(&m, CT_CMD_EXEC, &body);
	if (r->result == 0)
		r->result = ct_proto_parse_exec_result(&body, &r->res);
}

static void on_signal(struct relay *r)
{
	struct signalfd_siginfo si;

	if (read(r->sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo == SIGWINCH) {
		struct winsize ws;

		if (r->s->master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
			ioctl(r->s->master, TIOCSWINSZ, &ws);
		return;
	}
	int sig = (int)si.ssi_signo; /* to the command's process group, through its helper */

	send(r->s->ctl, &sig, sizeof(sig), MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* stdin at EOF: the command's stdin pipe is closed (a pty has no such thing: left alone). */
static void input_ended(struct relay *r)
{
	struct pump *in = &r->p[P_IN];

	if (r->s->in >= 0 && in->len == 0) {
		close(r->s->in);
		r->s->in = -1;
		in->to = -1;
	}
}

static bool output_done(const struct relay *r)
{
	return (r->p[P_OUT].from < 0 || r->p[P_OUT].eof) && (r->p[P_ERR].from < 0 || r->p[P_ERR].eof);
}

static int relay_step(struct relay *r)
{
	struct pollfd p[P_COUNT + 3];
	struct pump *in = &r->p[P_IN];
	int n;

	for (int i = 0; i < P_COUNT; i++) {
		struct pump *q = &r->p[i];
		bool want_read = !q->eof && q->len == 0 && q->from >= 0 && q->to >= 0 &&
				 !(i == P_IN && r->answered);

		p[i] = (struct pollfd){ .fd = want_read ? q->from : -1, .events = POLLIN };
	}
	p[P_COUNT] = (struct pollfd){ .fd = in->len ? in->to : -1, .events = POLLOUT };
	p[P_COUNT + 1] = (struct pollfd){ .fd = r->answered ? -1 : r->s->conn, .events = POLLIN };
	p[P_COUNT + 2] = (struct pollfd){ .fd = r->sig_fd, .events = POLLIN };
	n = poll(p, P_COUNT + 3, r->answered ? LINGER_MS : -1);
	if (n < 0 && errno != EINTR)
		return -errno;
	if (n == 0)
		return 1; /* answered and quiet: done */
	for (int i = 0; i < P_COUNT; i++)
		if (p[i].revents)
			pump_read(&r->p[i], i == P_IN);
	if (p[P_COUNT].revents)
		pump_write(in);
	if (in->eof)
		input_ended(r);
	if (p[P_COUNT + 1].revents)
		conn_read(r);
	if (p[P_COUNT + 2].revents)
		on_signal(r);
	return r->answered && output_done(r) ? 1 : 0;
}

int ct_exec_signals_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, old);
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

int ct_exec_relay(struct ct_exec_session_fds *s, bool raw, const char *name,
		  struct ct_exec_result *ret)
{
	struct relay *r = calloc(1, sizeof(*r));
	struct termios saved, t;
	bool restored = true;
	int rc;

	if (!r)
		return -ENOMEM;
	*r = (struct relay){ .s = s, .name = name };
	r->p[P_IN] = (struct pump){ .from = STDIN_FILENO, .to = s->master >= 0 ? s->master : s->in };
	r->p[P_OUT] = (struct pump){ .from = s->master >= 0 ? s->master : s->out, .to = STDOUT_FILENO };
	r->p[P_ERR] = (struct pump){ .from = s->err, .to = STDERR_FILENO };
	if (r->p[P_IN].to >= 0)
		fcntl(r->p[P_IN].to, F_SETFL, fcntl(r->p[P_IN].to, F_GETFL) | O_NONBLOCK);
	r->sig_fd = s->sig_fd;
	if (raw && tcgetattr(STDIN_FILENO, &saved) == 0) {
		t = saved;
		cfmakeraw(&t);
		restored = tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0;
	}
	while ((rc = relay_step(r)) == 0)
		;
	if (!restored)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (rc > 0)
		rc = r->result;
	if (rc == 0)
		*ret = r->res;
	free(r);
	return rc;
}
