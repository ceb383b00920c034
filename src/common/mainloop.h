/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small epoll event loop: every source is an fd with a callback. Handlers removed during a batch
 * are only marked and freed after it, so a callback may remove any handler, itself included. */
#pragma once

#include <stdint.h>
#include <sys/epoll.h>

enum {
	CT_LOOP_CONTINUE = 0, /* keep the handler */
	CT_LOOP_DISARM = 1,   /* remove this handler (the fd is not closed) */
	CT_LOOP_EXIT = 2,     /* stop the loop; ct_loop_run() returns 0 */
};

struct ct_loop;

/* Returns CT_LOOP_* or a negative errno, which stops the loop and is returned by ct_loop_run(). */
typedef int (*ct_loop_cb)(int fd, uint32_t events, void *data);

int ct_loop_new(struct ct_loop **ret);
/* Frees the loop and its handlers; registered fds are borrowed and not closed. */
void ct_loop_free(struct ct_loop *l);
/* Borrows fd: it must stay open until removed. */
int ct_loop_add(struct ct_loop *l, int fd, uint32_t events, ct_loop_cb cb, void *data);
/* Removes the handler of fd; call it before closing fd. -ENOENT if there is none. */
int ct_loop_remove(struct ct_loop *l, int fd);
int ct_loop_run(struct ct_loop *l);

/* A CLOCK_MONOTONIC timerfd (non-blocking, close-on-exec). */
int ct_timerfd_new(void);
/* Arms a one-shot timer in ms from now; 0 disarms it. */
int ct_timerfd_arm(int fd, uint64_t ms);
