/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event loop with real fds: dispatch, DISARM, EXIT, errors, removal during a batch, timers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/mainloop.h"
#include "common/util.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct ctx {
	struct ct_loop *loop;
	int calls;
	int ret;
	int other_fd;
	struct ctx *other;
};

static int cb(int fd, uint32_t events, void *data)
{
	struct ctx *c = data;
	uint64_t v;

	c->calls++;
	if (read(fd, &v, sizeof(v)) < 0)
		return -errno;
	if (c->other_fd >= 0)
		ct_loop_remove(c->loop, c->other_fd);
	return c->ret;
}

static int efd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t one = 1;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
	return fd;
}

static void test_exit_and_disarm(void **state)
{
	struct ct_loop *l;
	struct ctx a = { .ret = CT_LOOP_DISARM, .other_fd = -1 };
	struct ctx b = { .ret = CT_LOOP_EXIT, .other_fd = -1 };
	struct ctx tc = { .ret = CT_LOOP_EXIT, .other_fd = -1 };
	int fa = efd(), fb = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), t = ct_timerfd_new();
	uint64_t one = 1;

	assert_int_equal(ct_loop_new(&l), 0);
	assert_int_equal(ct_loop_add(l, fa, EPOLLIN, cb, &a), 0);
	assert_int_equal(ct_loop_add(l, fb, EPOLLIN, cb, &b), 0);
	assert_int_equal(ct_loop_add(l, t, EPOLLIN, cb, &tc), 0);
	/* Run 1: a fires and disarms itself; the timer ends the run. */
	assert_int_equal(ct_timerfd_arm(t, 50), 0);
	assert_int_equal(ct_loop_run(l), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(tc.calls, 1);
	/* Run 2: a is ready again but disarmed; b ends the run. */
	assert_int_equal(write(fa, &one, sizeof(one)), sizeof(one));
	assert_int_equal(write(fb, &one, sizeof(one)), sizeof(one));
	assert_int_equal(ct_loop_run(l), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_int_equal(ct_loop_remove(l, fa), -ENOENT);
	ct_loop_free(l);
	close(fa);
	close(fb);
	close(t);
}

static void test_error_stops_loop(void **state)
{
	struct ct_loop *l;
	struct ctx a = { .ret = -EIO, .other_fd = -1 };
	int fa = efd();

	assert_int_equal(ct_loop_new(&l), 0);
	assert_int_equal(ct_loop_add(l, fa, EPOLLIN, cb, &a), 0);
	assert_int_equal(ct_loop_run(l), -EIO);
	ct_loop_free(l);
	close(fa);
}

static void test_remove_other_during_batch(void **state)
{
	struct ct_loop *l;
	struct ctx a = { .ret = CT_LOOP_CONTINUE }, b = { .ret = CT_LOOP_CONTINUE };
	int fa = efd(), fb = efd(), t = ct_timerfd_new();
	struct ctx tc = { .ret = CT_LOOP_EXIT, .other_fd = -1 };

	assert_int_equal(ct_loop_new(&l), 0);
	a.loop = b.loop = tc.loop = l;
	/* Both are ready in the same batch; whichever runs first removes the other. */
	a.other_fd = fb;
	b.other_fd = fa;
	assert_int_equal(ct_loop_add(l, fa, EPOLLIN, cb, &a), 0);
	assert_int_equal(ct_loop_add(l, fb, EPOLLIN, cb, &b), 0);
	assert_int_equal(ct_loop_add(l, t, EPOLLIN, cb, &tc), 0);
	assert_int_equal(ct_timerfd_arm(t, 50), 0);
	assert_int_equal(ct_loop_run(l), 0);
	assert_int_equal(a.calls + b.calls, 1);
	assert_int_equal(tc.calls, 1);
	ct_loop_free(l);
	close(fa);
	close(fb);
	close(t);
}

static void test_timer(void **state)
{
	struct ct_loop *l;
	struct ctx tc = { .ret = CT_LOOP_EXIT, .other_fd = -1 };
	int t = ct_timerfd_new();
	uint64_t start = ct_now_ms();

	assert_true(t >= 0);
	assert_int_equal(ct_loop_new(&l), 0);
	assert_int_equal(ct_loop_add(l, t, EPOLLIN, cb, &tc), 0);
	assert_int_equal(ct_timerfd_arm(t, 30), 0);
	assert_int_equal(ct_loop_run(l), 0);
	assert_true(ct_now_ms() - start >= 29);
	/* Disarmed with 0: reading yields nothing. */
	assert_int_equal(ct_timerfd_arm(t, 0), 0);
	ct_loop_free(l);
	close(t);
}

static void test_add_bad_fd(void **state)
{
	struct ct_loop *l;
	struct ctx a = { 0 };

	assert_int_equal(ct_loop_new(&l), 0);
	assert_int_equal(ct_loop_add(l, 9999, EPOLLIN, cb, &a), -EBADF);
	ct_loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_and_disarm),
		cmocka_unit_test(test_error_stops_loop),
		cmocka_unit_test(test_remove_other_during_batch),
		cmocka_unit_test(test_timer),
		cmocka_unit_test(test_add_bad_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
