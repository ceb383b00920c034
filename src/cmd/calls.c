/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The many-container runner: one non-blocking connection per call, all started before any reply
 * is awaited, then a single epoll loop whose timeout is the earliest deadline of the calls still
 * open. Nothing forks and nothing sleeps. It is not the monitor's ct_loop (mainloop.c): that one
 * dispatches fd callbacks and keeps its deadlines in timerfds, while here a thousand calls each
 * have a deadline of their own, and the earliest one as epoll_wait's timeout needs no fd. */
#include "calls.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

struct runner {
	struct ct_call *calls;
	size_t n;
	size_t started;  /* calls[0..started) have been started */
	size_t finished; /* how many have ended */
	size_t open;     /* connections open now */
	size_t cap;      /* most connections open at once */
	int epfd;
	ct_call_done_fn done;
	void *userdata;
};

static void ended(struct runner *r, struct ct_call *c, bool was_open)
{
	if (was_open)
		r->open--;
	r->finished++;
	if (r->done)
		r->done(c, r->userdata);
}

/* Adds a call's connection to the epoll set once it has one: at its start, or later for a call
 * that had to connect again (CONNECTING holds no fd). */
static void watch(struct runner *r, struct ct_call *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	if (ct_call_done(c) || c->fd < 0 || c->in_loop)
		return;
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		ct_call_abort(c, -errno);
	else
		c->in_loop = true;
}

/* Starts calls while there are some left and room for their connections. */
static void start_more(struct runner *r)
{
	while (r->started < r->n && r->open < r->cap) {
		struct ct_call *c = &r->calls[r->started];

		ct_call_start(c);
		if (ct_call_done(c) && (c->result == -EMFILE || c->result == -ENFILE) && r->open) {
			/* Fewer fds than we counted on: go on with fewer than are open, so that the
			 * callbacks of the calls that end have a few fds to work with. */
			ct_call_reset(c);
			r->cap = r->open > 4 ? r->open - 4 : 1;
			return;
		}
		r->started++;
		watch(r, c);
		if (ct_call_done(c)) {
			ended(r, c, false);
			continue;
		}
		r->open++;
	}
}

/* The earliest deadline of the open calls, in ms from now; -1 if none has one. */
static int next_wait(const struct runner *r, uint64_t now)
{
	int wait = -1;

	for (size_t i = 0; i < r->started; i++) {
		int w = ct_call_wait_ms(&r->calls[i], now);
		if (!ct_call_done(&r->calls[i]) && w >= 0 && (wait < 0 || w < wait))
			wait = w;
	}
	return wait;
}

static void check_deadlines(struct runner *r)
{
	uint64_t now = ct_now_ms();

	for (size_t i = 0; i < r->started; i++) {
		struct ct_call *c = &r->calls[i];
		if (ct_call_done(c))
			continue;
		ct_call_check_deadline(c, now);
		watch(r, c);
		if (ct_call_done(c))
			ended(r, c, true);
	}
}

static int wait_once(struct runner *r)
{
	struct epoll_event evs[64];
	int k = epoll_wait(r->epfd, evs, ARRAY_SIZE(evs), next_wait(r, ct_now_ms()));

	if (k < 0)
		return errno == EINTR ? 0 : -errno;
	/* A call that ends closes its fd, which leaves the epoll set: no stale events follow. */
	for (int i = 0; i < k; i++) {
		struct ct_call *c = evs[i].data.ptr;
		ct_call_readable(c);
		if (ct_call_done(c))
			ended(r, c, true);
	}
	check_deadlines(r);
	return 0;
}

/* The runner failed: every call not finished ends with error e. */
static int fail_all(struct runner *r, int e)
{
	for (size_t i = 0; i < r->n; i++) {
		struct ct_call *c = &r->calls[i];
		bool was_open = i < r->started && !ct_call_done(c);
		if (ct_call_done(c) && i < r->started)
			continue;
		ct_call_abort(c, e);
		ended(r, c, was_open);
	}
	return e;
}

int ct_calls_run(struct ct_call *calls, size_t n, ct_call_done_fn done, void *userdata)
{
	struct runner r = { .calls = calls, .n = n, .done = done, .userdata = userdata };
	cleanup_close int epfd = epoll_create1(EPOLL_CLOEXEC);
	size_t limit = 0, used = 0, spare;
	int e = epfd < 0 ? -errno : 0;

	/* Fds inherited from whoever started us count too: the reserve is on top of them. */
	if (e == 0 && ct_count_fds(&used) < 0)
		used = 3;
	spare = used + CT_CALLS_FD_RESERVE;
	if (e == 0)
		e = ct_nofile_raise(n + spare, &limit);
	if (e < 0)
		return fail_all(&r, e);
	r.epfd = epfd;
	r.cap = limit > spare + 1 ? limit - spare : 1;
	start_more(&r);
	while (r.finished < n) {
		e = wait_once(&r);
		if (e < 0)
			return fail_all(&r, e);
		start_more(&r);
	}
	return 0;
}

int ct_calls_info(const char *rundir, const char *const *names, size_t n, int timeout_ms,
		  struct ct_info *infos, int *results)
{
	cleanup_free struct ct_call *calls = calloc(n ? n : 1, sizeof(*calls));
	struct ct_frame req;
	int r;

	if (!calls)
		return -ENOMEM;
	ct_proto_request(&req, CT_CMD_INFO);
	for (size_t i = 0; i < n; i++)
		ct_call_init(&calls[i], rundir, names[i], &req, timeout_ms, &infos[i]);
	r = ct_calls_run(calls, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		results[i] = calls[i].result;
	return r;
}
