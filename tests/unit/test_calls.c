/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client's call object against a scripted peer on a socketpair (replies, events, deadlines,
 * refusals, hang-ups, garbage), and the many-call runner against a forked fake monitor serving
 * many sockets: every request sent before any reply is handled, missing and stale sockets, and
 * batches when the fd limit is too small for all connections at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cmd/call.h"
#include "cmd/calls.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- one call on a socketpair: sv[0] is the call's, sv[1] plays the monitor */

static void start_pair(struct ct_call *c, const struct ct_frame *req, void *out, int *peer)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ct_call_init(c, "/nonexistent", "t", req, CT_CLIENT_TIMEOUT_MS, out);
	ct_call_start_fd(c, sv[0]);
	*peer = sv[1];
}

static void peer_send(int peer, const struct ct_frame *f)
{
	assert_int_equal(send(peer, f->data, f->len, 0), (ssize_t)f->len);
}

/* The request the call sent, as the peer receives it. */
static uint16_t peer_request(int peer)
{
	struct ct_frame buf;
	struct ct_msg m;
	ssize_t n = recv(peer, buf.data, sizeof(buf.data), MSG_DONTWAIT);

	assert_true(n > 0);
	assert_int_equal(ct_msg_decode(buf.data, (size_t)n, &m), 0);
	return m.type;
}

static void test_info(void **state)
{
	struct ct_info sent = { .state = CT_STATE_RUNNING, .init_pid = 77, .memory_bytes = -1 };
	struct ct_info got = { 0 };
	struct ct_frame req, reply;
	struct ct_call c;
	int peer;

	snprintf(sent.name, sizeof(sent.name), "web");
	ct_proto_request(&req, CT_CMD_INFO);
	start_pair(&c, &req, &got, &peer);
	assert_int_equal(c.phase, CT_CALL_WAITING);
	assert_int_equal(peer_request(peer), CT_CMD_INFO);
	ct_call_readable(&c); /* nothing there yet: still waiting */
	assert_int_equal(c.phase, CT_CALL_WAITING);
	ct_proto_reply_info(&reply, &sent);
	peer_send(peer, &reply);
	ct_call_readable(&c);
	/* INFO does not wait for the monitor to hang up. */
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, 0);
	assert_int_equal(c.fd, -1);
	assert_int_equal(got.init_pid, 77);
	assert_string_equal(got.name, "web");
	close(peer);
}

struct events {
	int n;
	uint32_t last_kind;
};

static void on_progress(const struct ct_progress *ev, void *userdata)
{
	struct events *e = userdata;

	e->n++;
	e->last_kind = ev->kind;
}

static void send_event(int peer, uint32_t kind, int64_t remaining_ms)
{
	struct ct_progress ev = { .kind = kind, .method = 1, .remaining_ms = remaining_ms };
	struct ct_frame f;

	assert_int_equal(ct_proto_progress(&f, CT_CMD_SHUTDOWN, &ev), 0);
	peer_send(peer, &f);
}

static void test_shutdown_events_reply_and_close(void **state)
{
	struct ct_stop_result sent = { .end = CT_END_EXITED, .elapsed_ms = 120, .method = 1 };
	struct ct_stop_result got = { 0 };
	struct events e = { 0 };
	struct ct_frame req, reply;
	struct ct_call c;
	int peer, wait;

	ct_proto_request_shutdown(&req, 30);
	start_pair(&c, &req, &got, &peer);
	c.progress = on_progress;
	c.userdata = &e;
	assert_int_equal(peer_request(peer), CT_CMD_SHUTDOWN);
	wait = ct_call_wait_ms(&c, ct_now_ms());
	assert_true(wait > 0 && wait <= CT_CLIENT_TIMEOUT_MS);
	send_event(peer, CT_PROGRESS_ACCEPTED, 30000);
	ct_call_readable(&c);
	assert_int_equal(e.n, 1);
	assert_false(c.forever);
	/* The deadline is now the stop's, plus slack for the kill and the reap. */
	wait = ct_call_wait_ms(&c, ct_now_ms());
	assert_true(wait > 30000 + CT_CLIENT_STOP_SLACK_MS - 1000);
	send_event(peer, CT_PROGRESS_DISPATCHED, 29000);
	ct_proto_reply_stop(&reply, CT_CMD_SHUTDOWN, &sent);
	peer_send(peer, &reply);
	ct_call_readable(&c);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.last_kind, CT_PROGRESS_DISPATCHED);
	/* Replied, but the call waits for the monitor's exit (its hang-up). */
	assert_int_equal(c.phase, CT_CALL_CLOSING);
	assert_int_equal(got.elapsed_ms, 120);
	close(peer);
	ct_call_readable(&c);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, 0);
}

static void test_shutdown_forever(void **state)
{
	struct ct_stop_result got;
	struct ct_frame req;
	struct ct_call c;
	int peer;

	ct_proto_request_shutdown(&req, CT_TIMEOUT_FOREVER);
	start_pair(&c, &req, &got, &peer);
	send_event(peer, CT_PROGRESS_ACCEPTED, -1);
	ct_call_readable(&c);
	assert_int_equal(ct_call_wait_ms(&c, ct_now_ms()), -1);
	ct_call_check_deadline(&c, ct_now_ms() + 365ull * 86400 * 1000);
	assert_false(ct_call_done(&c));
	ct_call_abort(&c, -ECANCELED);
	assert_int_equal(c.result, -ECANCELED);
	close(peer);
}

/* The first ACCEPTED sets the deadline; a later one can bring it forward, never push it back, and
 * an event with an impossible time left ends the call instead of hanging it. */
static void test_accepted_only_tightens(void **state)
{
	struct ct_stop_result got;
	struct ct_frame req;
	struct ct_call c;
	int peer;

	ct_proto_request_shutdown(&req, 30);
	start_pair(&c, &req, &got, &peer);
	send_event(peer, CT_PROGRESS_ACCEPTED, 30000);
	ct_call_readable(&c);
	uint64_t first = c.deadline;
	send_event(peer, CT_PROGRESS_ACCEPTED, 86400000);	/* later: ignored */
	ct_call_readable(&c);
	assert_true(c.deadline <= first + 5);
	send_event(peer, CT_PROGRESS_ACCEPTED, -1);		/* "forever": ignored too */
	ct_call_readable(&c);
	assert_false(c.forever);
	send_event(peer, CT_PROGRESS_ACCEPTED, 1000);		/* earlier: taken */
	ct_call_readable(&c);
	assert_true(c.deadline < first - 10000);
	assert_false(ct_call_done(&c));
	close(peer);
	ct_call_abort(&c, -ECANCELED);

	start_pair(&c, &req, &got, &peer);
	send_event(peer, CT_PROGRESS_ACCEPTED, INT64_MAX);
	ct_call_readable(&c);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, -EBADMSG);
	close(peer);
}

static void test_deadlines(void **state)
{
	struct ct_stop_result got;
	struct ct_frame req, reply;
	struct ct_call c;
	int peer;

	/* No answer in time. */
	ct_proto_request(&req, CT_CMD_STOP);
	start_pair(&c, &req, &got, &peer);
	ct_call_check_deadline(&c, ct_now_ms() + 1000);
	assert_false(ct_call_done(&c));
	ct_call_check_deadline(&c, ct_now_ms() + CT_CLIENT_TIMEOUT_MS + 1);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, -ETIMEDOUT);
	close(peer);

	/* A reply, then a monitor that never hangs up: the reply stands. */
	start_pair(&c, &req, &got, &peer);
	ct_proto_reply_stop(&reply, CT_CMD_STOP, &(struct ct_stop_result){ .end = CT_END_KILLED });
	peer_send(peer, &reply);
	ct_call_readable(&c);
	assert_int_equal(c.phase, CT_CALL_CLOSING);
	ct_call_check_deadline(&c, ct_now_ms() + CT_CLIENT_CLOSE_WAIT_MS + 1);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, 0);
	close(peer);
}

static void test_hangup_error_garbage(void **state)
{
	struct ct_stop_result got;
	struct ct_frame req, reply;
	struct ct_call c;
	int peer;

	/* The monitor went away before answering: not running. */
	ct_proto_request(&req, CT_CMD_STOP);
	start_pair(&c, &req, &got, &peer);
	close(peer);
	ct_call_readable(&c);
	assert_int_equal(c.result, -ESRCH);

	/* A bare EBUSY refusal (the monitor is at its connection cap) is not an answer: the call
	 * connects again (here to a run dir that does not exist: not running). */
	start_pair(&c, &req, &got, &peer);
	ct_proto_reply_error(&reply, 0, -EBUSY);
	peer_send(peer, &reply);
	ct_call_readable(&c);
	assert_int_equal(c.phase, CT_CALL_CONNECTING);
	assert_int_equal(c.fd, -1);
	ct_call_check_deadline(&c, ct_now_ms());
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, -ESRCH);
	close(peer);

	/* An empty packet is a malformed frame, not the monitor hanging up ("not running"). */
	start_pair(&c, &req, &got, &peer);
	assert_int_equal(send(peer, "", 0, 0), 0);
	ct_call_readable(&c);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, -EBADMSG);
	close(peer);

	/* An error reply ends the call at once, stop or not. */
	start_pair(&c, &req, &got, &peer);
	ct_proto_reply_error(&reply, CT_CMD_STOP, -EBUSY);
	peer_send(peer, &reply);
	ct_call_readable(&c);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, -EBUSY);
	close(peer);

	/* Garbage. */
	start_pair(&c, &req, &got, &peer);
	assert_int_equal(send(peer, "garbage!", 8, 0), 8);
	ct_call_readable(&c);
	assert_int_equal(c.result, -EBADMSG);
	close(peer);
}

/* A monitor that refused and closed before the request went out: its reason is read. */
static void test_refusal_before_send(void **state)
{
	struct ct_frame req, refusal;
	struct ct_info got;
	struct ct_call c;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ct_proto_reply_error(&refusal, 0, -EACCES);
	peer_send(sv[1], &refusal);
	close(sv[1]);
	ct_proto_request(&req, CT_CMD_INFO);
	ct_call_init(&c, "/nonexistent", "t", &req, CT_CLIENT_TIMEOUT_MS, &got);
	ct_call_start_fd(&c, sv[0]);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, -EACCES);
}

static void test_connect_missing(void **state)
{
	struct ct_frame req;
	struct ct_call c;

	ct_proto_request(&req, CT_CMD_INFO);
	ct_call_init(&c, "/nonexistent", "t", &req, CT_CLIENT_TIMEOUT_MS, NULL);
	ct_call_start(&c);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, -ESRCH);
}

/* ---- the runner against a fake monitor serving NAMES sockets in a temp dir */

#define N_LIVE 20

struct fake {
	char dir[64];
	pid_t pid;
	char *names[N_LIVE + 2];
};

static int listen_at(const char *dir, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	char sub[128];

	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(ct_run_path(sa.sun_path, sizeof(sa.sun_path), dir, name, "sock"), 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 128), 0);
	return fd;
}

/* Answers every INFO on every socket with init_pid = the socket's index; runs until killed. */
static _Noreturn void serve(const int *lfds, size_t n)
{
	struct pollfd p[2 * N_LIVE + 1];
	int owner[2 * N_LIVE + 1];
	size_t np = n;

	for (size_t i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = lfds[i], .events = POLLIN }, owner[i] = (int)i;
	for (;;) {
		if (poll(p, np, -1) < 0)
			_exit(1);
		for (size_t i = 0; i < np; i++) {
			struct ct_frame buf, reply;
			struct ct_info info = { .state = CT_STATE_RUNNING, .init_pid = owner[i] };
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (i < n && np < ARRAY_SIZE(p)) {
				owner[np] = (int)i;
				p[np++] = (struct pollfd){ .fd = accept4(p[i].fd, NULL, NULL, 0),
							   .events = POLLIN };
			} else if (i >= n && recv(p[i].fd, buf.data, sizeof(buf.data), 0) > 0) {
				ct_proto_reply_info(&reply, &info);
				send(p[i].fd, reply.data, reply.len, MSG_NOSIGNAL);
			} else if (i >= n) {
				close(p[i].fd);
				p[i] = p[--np], owner[i] = owner[np], i--;
			}
		}
	}
}

/* A monitor whose listen backlog is full (stopped, or a burst of clients) is not an answer: the
 * call connects again until its deadline, and gets through once there is room. */
static void test_connect_backlog_full(void **state)
{
	char dir[] = "/tmp/ct-calls-XXXXXX", cmd[64];
	int lfd, fill[16], nfill = 0, fd = -1;
	struct ct_info info;
	struct ct_frame req;
	struct ct_call c;

	assert_non_null(mkdtemp(dir));
	lfd = listen_at(dir, "busy");
	assert_int_equal(listen(lfd, 0), 0);
	while (nfill < 16 && ct_client_connect(dir, "busy", &fd) == 0)
		fill[nfill++] = fd;
	assert_true(nfill < 16);
	assert_int_equal(ct_client_connect(dir, "busy", &fd), -EAGAIN);

	ct_proto_request(&req, CT_CMD_INFO);
	ct_call_init(&c, dir, "busy", &req, CT_CLIENT_TIMEOUT_MS, &info);
	ct_call_start(&c);
	assert_int_equal(c.phase, CT_CALL_CONNECTING);
	assert_int_equal(c.fd, -1);
	assert_int_equal(ct_call_wait_ms(&c, ct_now_ms()), CT_CALL_CONNECT_RETRY_MS);
	ct_call_check_deadline(&c, ct_now_ms());
	assert_int_equal(c.phase, CT_CALL_CONNECTING);	/* still full */
	close(accept4(lfd, NULL, NULL, SOCK_CLOEXEC));	/* room for one */
	ct_call_check_deadline(&c, ct_now_ms());
	assert_int_equal(c.phase, CT_CALL_WAITING);
	assert_true(c.fd >= 0);
	ct_call_abort(&c, -ECANCELED);

	/* Full until the deadline: ETIMEDOUT then, not before. */
	ct_call_init(&c, dir, "busy", &req, CT_CLIENT_TIMEOUT_MS, &info);
	ct_call_start(&c);
	assert_int_equal(c.phase, CT_CALL_CONNECTING);
	ct_call_check_deadline(&c, ct_now_ms() + CT_CLIENT_TIMEOUT_MS - 1000);
	assert_false(ct_call_done(&c));
	ct_call_check_deadline(&c, ct_now_ms() + CT_CLIENT_TIMEOUT_MS + 1);
	assert_true(ct_call_done(&c));
	assert_int_equal(c.result, -ETIMEDOUT);

	for (int i = 0; i < nfill; i++)
		close(fill[i]);
	close(lfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	int lfds[N_LIVE], stale;

	snprintf(f->dir, sizeof(f->dir), "/tmp/ct-calls-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	for (size_t i = 0; i < N_LIVE; i++) {
		assert_true(asprintf(&f->names[i], "c%02zu", i) > 0);
		lfds[i] = listen_at(f->dir, f->names[i]);
	}
	/* A stale socket (bound, nobody listening any more) and a name with no socket at all. */
	f->names[N_LIVE] = strdup("stale");
	f->names[N_LIVE + 1] = strdup("ghost");
	stale = listen_at(f->dir, "stale");
	close(stale);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0)
		serve(lfds, N_LIVE);
	for (size_t i = 0; i < N_LIVE; i++)
		close(lfds[i]);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;
	char cmd[128];

	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < ARRAY_SIZE(f->names); i++)
		free(f->names[i]);
	free(f);
	return 0;
}

struct run {
	struct ct_call calls[N_LIVE + 2];
	struct ct_info infos[N_LIVE + 2];
	size_t n_done, idle_at_first_reply, max_open;
	bool replied;
};

static void on_done(struct ct_call *c, void *userdata)
{
	struct run *r = userdata;
	size_t idle = 0, open = 1; /* c itself was open, unless it failed at once */

	r->n_done++;
	for (size_t i = 0; i < ARRAY_SIZE(r->calls); i++) {
		idle += r->calls[i].phase == CT_CALL_IDLE;
		open += r->calls[i].phase == CT_CALL_WAITING || r->calls[i].phase == CT_CALL_CLOSING;
	}
	if (open > r->max_open)
		r->max_open = open;
	if (c->result == 0 && !r->replied) {
		r->replied = true;
		r->idle_at_first_reply = idle;
	}
}

/* Runs INFO calls to every name; returns 0 if each got what it should, else which did not + 1 (no
 * cmocka assertion here: it also runs in a forked child). */
static int run_all(struct fake *f, struct run *r)
{
	struct ct_frame req;

	memset(r, 0, sizeof(*r));
	ct_proto_request(&req, CT_CMD_INFO);
	for (size_t i = 0; i < ARRAY_SIZE(r->calls); i++)
		ct_call_init(&r->calls[i], f->dir, f->names[i], &req, 3000, &r->infos[i]);
	if (ct_calls_run(r->calls, ARRAY_SIZE(r->calls), on_done, r) < 0 ||
	    r->n_done != ARRAY_SIZE(r->calls))
		return 100;
	for (size_t i = 0; i < N_LIVE; i++)
		if (r->calls[i].result != 0 || r->infos[i].init_pid != (int)i)
			return (int)i + 1;
	/* The stale socket and the missing one: not running. */
	if (r->calls[N_LIVE].result != -ESRCH || r->calls[N_LIVE + 1].result != -ESRCH)
		return N_LIVE + 1;
	return 0;
}

static void test_runner_sends_all_first(void **state)
{
	struct run r;

	assert_int_equal(run_all(*state, &r), 0);
	/* Every request went out before the first reply was handled. */
	assert_true(r.replied);
	assert_int_equal(r.idle_at_first_reply, 0);
}

/* With too few fds for a connection each, calls wait for a free slot instead of failing: both
 * when the limit is known too small, and when fewer fds are free than it suggests (EMFILE). */
static void test_runner_batches(void **state)
{
	struct rlimit rl = { .rlim_cur = CT_CALLS_FD_RESERVE + 6, .rlim_max = CT_CALLS_FD_RESERVE + 6 };
	pid_t pid = fork();
	struct run r;
	int status, e;

	assert_true(pid >= 0);
	if (pid == 0) {
		/* The hard limit cannot be raised again: lower it in a child only. */
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(200);
		e = run_all(*state, &r);
		if (e || r.max_open > 6)
			_exit(e ? e : 201);
		/* Use up most of the reserve: the runner's estimate is now too high. */
		while (fcntl(0, F_DUPFD_CLOEXEC, 0) < CT_CALLS_FD_RESERVE + 3)
			;
		e = run_all(*state, &r);
		_exit(e ? e : r.max_open > 3 ? 202 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_runner_none(void **state)
{
	assert_int_equal(ct_calls_run(NULL, 0, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_shutdown_events_reply_and_close),
		cmocka_unit_test(test_shutdown_forever),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_accepted_only_tightens),
		cmocka_unit_test(test_hangup_error_garbage),
		cmocka_unit_test(test_refusal_before_send),
		cmocka_unit_test(test_connect_missing),
		cmocka_unit_test(test_connect_backlog_full),
		cmocka_unit_test_setup_teardown(test_runner_sends_all_first, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_runner_batches, fake_setup, fake_teardown),
		cmocka_unit_test(test_runner_none),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
