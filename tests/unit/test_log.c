/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging: a line is written whole, in one write(), so that the lines of tools running side by
 * side into one log cannot interleave. stderr is pointed at a SOCK_SEQPACKET socket, where every
 * write() is one packet: one recv() must return one whole line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/log.h"
#include "common/macro.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int saved_stderr = -1, peer = -1;

static int capture(void **state)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	dup2(sv[0], STDERR_FILENO);
	close(sv[0]);
	peer = sv[1];
	ct_log_set_program("tlog");
	return 0;
}

static int restore(void **state)
{
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(peer);
	ct_log_set_timestamps(0);
	return 0;
}

/* The next packet on the peer, NUL-terminated; its length. */
static ssize_t next_packet(char *buf, size_t size)
{
	ssize_t n = recv(peer, buf, size - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void test_one_packet_per_line(void **state)
{
	char buf[4096];

	assert_int_equal(ct_log_errno(CT_LOG_ERROR, -ENOENT, "container '%s' is %s", "web", "gone"),
			 -ENOENT);
	assert_true(next_packet(buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "tlog: error: container 'web' is gone: No such file or directory\n");
	assert_string_equal(ct_log_last_error(), "container 'web' is gone: No such file or directory");

	ct_log(CT_LOG_INFO, "stopped in %.2f s", 0.5);
	next_packet(buf, sizeof(buf));
	assert_string_equal(buf, "tlog: stopped in 0.50 s\n");
	assert_int_equal(next_packet(buf, sizeof(buf)), -1); /* nothing more was written */
}

static void test_timestamp_in_the_same_write(void **state)
{
	char buf[4096];

	ct_log_set_timestamps(1);
	ct_log(CT_LOG_WARNING, "careful");
	next_packet(buf, sizeof(buf));
	/* 2026-11-23T03:51:37.123Z tlog: warning: careful */
	assert_int_equal(strlen(buf), 24 + strlen(" tlog: warning: careful\n"));
	assert_int_equal(buf[10], 'T');
	assert_string_equal(buf + 24, " tlog: warning: careful\n");
}

static void test_long_line_is_cut_not_split(void **state)
{
	char big[5000], buf[8192];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ct_log_errno(CT_LOG_WARNING, -EIO, "%s", big);
	ssize_t n = next_packet(buf, sizeof(buf));
	assert_true(n > 1000 && n < (ssize_t)sizeof(big));
	assert_int_equal(buf[n - 1], '\n');
	assert_int_equal(next_packet(buf, sizeof(buf)), -1);
}

static char written[256];

static void take_line(const char *line, size_t len, void *data)
{
	snprintf(written, sizeof(written), "%s%.*s", (const char *)data, (int)len, line);
}

/* A writer (the daemon's bounded log) takes each whole line in place of stderr, until unset. */
static void test_writer_takes_the_line(void **state)
{
	char buf[4096];

	ct_log_set_writer(take_line, "to the writer: ");
	ct_log(CT_LOG_WARNING, "container '%s' is %s", "web", "slow");
	assert_string_equal(written, "to the writer: tlog: warning: container 'web' is slow\n");
	assert_int_equal(next_packet(buf, sizeof(buf)), -1); /* nothing on stderr */
	ct_log_set_writer(NULL, NULL);
	ct_log(CT_LOG_INFO, "back");
	next_packet(buf, sizeof(buf));
	assert_string_equal(buf, "tlog: back\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_packet_per_line, capture, restore),
		cmocka_unit_test_setup_teardown(test_timestamp_in_the_same_write, capture, restore),
		cmocka_unit_test_setup_teardown(test_long_line_is_cut_not_split, capture, restore),
		cmocka_unit_test_setup_teardown(test_writer_takes_the_line, capture, restore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
