/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure parts of the shutdown methods: the initctl request bytes, and reading whether a
 * process catches or blocks a signal from /proc/PID/status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/util.h"
#include "spawn/initctl.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void test_initctl_request_bytes(void **state)
{
	/* struct init_request on x86-64 (little-endian ints): magic 0x03091969, cmd 1 (runlevel),
	 * runlevel the character '0' (0x30), sleeptime 0, then 368 zero bytes. */
	static const unsigned char head[16] = { 0x69, 0x19, 0x09, 0x03, 1, 0, 0, 0,
						0x30, 0, 0, 0, 0, 0, 0, 0 };
	unsigned char buf[CT_INITCTL_REQUEST_SIZE], zeros[CT_INITCTL_REQUEST_SIZE - 16] = { 0 };

	memset(buf, 0xaa, sizeof(buf));
	ct_initctl_request(buf, '0');
	assert_int_equal(sizeof(buf), 384);
	assert_memory_equal(buf, head, sizeof(head));
	assert_memory_equal(buf + 16, zeros, sizeof(zeros));
	ct_initctl_request(buf, '6');
	assert_int_equal(buf[8], '6');
}

static void test_initctl_outcomes_are_distinct(void **state)
{
	const int outcomes[] = { CT_INITCTL_SENT, CT_INITCTL_NO_FIFO, CT_INITCTL_NO_READER,
				 CT_INITCTL_HOST_FIFO, CT_INITCTL_NOT_FIFO, CT_INITCTL_WRITE_FAILED,
				 CT_INITCTL_JOIN_FAILED };

	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		for (size_t j = i + 1; j < sizeof(outcomes) / sizeof(outcomes[0]); j++)
			assert_string_not_equal(ct_initctl_outcome_to_string(outcomes[i]),
						ct_initctl_outcome_to_string(outcomes[j]));
	assert_non_null(strstr(ct_initctl_outcome_to_string(CT_INITCTL_HOST_FIFO), "host"));
}

static const char status_text[] = "Name:\tinit\nState:\tS (sleeping)\nSigQ:\t0/94\n"
				   "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
				   "SigBlk:\t0000000000000002\nSigIgn:\t0000000000001000\n"
				   "SigCgt:\t0000002000004000\nCapInh:\t0000000000000000\n";

static void test_status_sigmask(void **state)
{
	uint64_t v = 0;

	assert_int_equal(ct_status_sigmask(status_text, "SigCgt", &v), 0);
	assert_int_equal(v, 0x2000004000ULL); /* SIGTERM (15) and signal 38 */
	assert_int_equal(ct_status_sigmask(status_text, "SigBlk", &v), 0);
	assert_int_equal(v, 2);
	/* Field names match whole: "Sig" is no field, nor is a prefix of one. */
	assert_int_equal(ct_status_sigmask(status_text, "Sig", &v), -ENOENT);
	assert_int_equal(ct_status_sigmask(status_text, "SigXyz", &v), -ENOENT);
	assert_int_equal(ct_status_sigmask("SigCgt:\tzz\n", "SigCgt", &v), -EBADMSG);
	assert_int_equal(ct_status_sigmask("", "SigCgt", &v), -ENOENT);
}

static void test_signal_is_handled_live(void **state)
{
	struct sigaction sa = { .sa_handler = SIG_IGN }, old;
	sigset_t set, saved;

	/* Ignored is not handled: for a namespace init the signal would be dropped. */
	sigaction(SIGUSR1, &sa, &old);
	assert_int_equal(ct_signal_is_handled(getpid(), SIGUSR1), 0);
	/* Blocked counts: it is queued and taken later. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &saved);
	assert_int_equal(ct_signal_is_handled(getpid(), SIGUSR1), 1);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	sigaction(SIGUSR1, &old, NULL);
	assert_int_equal(ct_signal_is_handled(999999999, SIGUSR1), -ESRCH);
}

/* Like busybox init or tini: no handler, the signal blocked only while waiting for it. */
static void test_signal_awaited_in_sigtimedwait(void **state)
{
	int sv[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sigset_t w;
		sigemptyset(&w);
		sigaddset(&w, SIGUSR2);
		close(sv[0]);
		write(sv[1], "x", 1);
		sigtimedwait(&w, NULL, &(struct timespec){ .tv_sec = 10 });
		_exit(0);
	}
	close(sv[1]);
	assert_int_equal(read(sv[0], &c, 1), 1);
	/* Wait until the child sleeps in the syscall. */
	for (int i = 0; i < 200; i++) {
		char path[64], buf[64] = "";
		FILE *f;
		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
		f = fopen(path, "re");
		if (f && fgets(buf, sizeof(buf), f) && atoi(buf) == SYS_rt_sigtimedwait) {
			fclose(f);
			break;
		}
		if (f)
			fclose(f);
		usleep(10000);
	}
	assert_int_equal(ct_signal_is_handled(pid, SIGUSR2), 1);
	assert_int_equal(ct_signal_is_handled(pid, SIGUSR1), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sv[0]);
}

static void test_proc_starttime(void **state)
{
	uint64_t a = 0, b = 0;

	assert_int_equal(ct_proc_starttime(getpid(), &a), 0);
	assert_int_equal(ct_proc_starttime(getpid(), &b), 0);
	assert_true(a > 0 && a == b);
	assert_int_equal(ct_proc_starttime(1, &b), 0);
	assert_true(b <= a);
	assert_int_equal(ct_proc_starttime(999999999, &b), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initctl_request_bytes),
		cmocka_unit_test(test_initctl_outcomes_are_distinct),
		cmocka_unit_test(test_status_sigmask),
		cmocka_unit_test(test_signal_is_handled_live),
		cmocka_unit_test(test_proc_starttime),
		cmocka_unit_test(test_signal_awaited_in_sigtimedwait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
