/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The epoll loop behind every monitor. It is deliberately tiny, in the spirit of Redis' ae: a list
 * of handlers, one epoll_wait per batch, deferred freeing of handlers removed mid-batch. */
#include "mainloop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define MAX_EVENTS 32

struct handler {
	int fd;
	bool dead;
	ct_loop_cb cb;
	void *data;
	struct handler *next;
};

struct ct_loop {
	int epfd;
	struct handler *handlers;
};

int ct_loop_new(struct ct_loop **ret)
{
	struct ct_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int r = -errno;
		free(l);
		return r;
	}
	*ret = l;
	return 0;
}

void ct_loop_free(struct ct_loop *l)
{
	if (!l)
		return;
	while (l->handlers) {
		struct handler *h = l->handlers;
		l->handlers = h->next;
		free(h);
	}
	close(l->epfd);
	free(l);
}

int ct_loop_add(struct ct_loop *l, int fd, uint32_t events, ct_loop_cb cb, void *data)
{
	struct handler *h = calloc(1, sizeof(*h));
	struct epoll_event ev = { .events = events };

	if (!h)
		return -ENOMEM;
	*h = (struct handler){ .fd = fd, .cb = cb, .data = data, .next = l->handlers };
	ev.data.ptr = h;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;
		free(h);
		return r;
	}
	l->handlers = h;
	return 0;
}

static void handler_kill(struct ct_loop *l, struct handler *h)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL);
	h->dead = true;
}

int ct_loop_remove(struct ct_loop *l, int fd)
{
	for (struct handler *h = l->handlers; h; h = h->next)
		if (h->fd == fd && !h->dead) {
			handler_kill(l, h);
			return 0;
		}
	return -ENOENT;
}

static void free_dead(struct ct_loop *l)
{
	struct handler **pp = &l->handlers;

	while (*pp) {
		struct handler *h = *pp;
		if (h->dead) {
			*pp = h->next;
			free(h);
		} else {
			pp = &h->next;
		}
	}
}

/* Runs one batch; returns CT_LOOP_CONTINUE, CT_LOOP_EXIT or a negative errno. */
static int run_batch(struct ct_loop *l)
{
	struct epoll_event events[MAX_EVENTS];
	int n = epoll_wait(l->epfd, events, MAX_EVENTS, -1);

	if (n < 0)
		return errno == EINTR ? CT_LOOP_CONTINUE : -errno;
	for (int i = 0; i < n; i++) {
		struct handler *h = events[i].data.ptr;
		if (h->dead)
			continue;
		int r = h->cb(h->fd, events[i].events, h->data);
		if (r == CT_LOOP_DISARM && !h->dead)
			handler_kill(l, h);
		else if (r == CT_LOOP_EXIT || r < 0)
			return r;
	}
	return CT_LOOP_CONTINUE;
}

int ct_loop_run(struct ct_loop *l)
{
	for (;;) {
		int r = run_batch(l);
		free_dead(l);
		if (r == CT_LOOP_EXIT)
			return 0;
		if (r < 0)
			return r;
	}
}

int ct_timerfd_new(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ct_timerfd_arm(int fd, uint64_t ms)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	return timerfd_settime(fd, 0, &its, NULL) < 0 ? -errno : 0;
}
