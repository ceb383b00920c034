/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tools' library logic: how a stop is judged and worded, the exit status and summary of many
 * stops, the run-dir listing behind --all and ctls, and the durations ctls shows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cmd/rundir.h"
#include "common/macro.h"
#include "common/util.h"
#include "tools/order.h"
#include "tools/show.h"
#include "tools/stop-report.h"
#include "tools/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct ct_stop_result graceful = { .end = CT_END_EXITED, .elapsed_ms = 250,
						.method = 1, .detail = "signal 15 (TERM) sent to init" };

static void test_classify(void **state)
{
	struct ct_stop_result r = graceful;

	assert_int_equal(ct_stop_classify(0, &r, false), CT_STOP_GRACEFUL);
	assert_int_equal(ct_stop_classify(-ESRCH, NULL, false), CT_STOP_NOT_RUNNING);
	assert_int_equal(ct_stop_classify(-ETIMEDOUT, NULL, true), CT_STOP_ERROR);
	r.kill_reason = CT_KILL_TIMEOUT, r.end = CT_END_KILLED, r.signal = SIGKILL;
	assert_int_equal(ct_stop_classify(0, &r, false), CT_STOP_KILLED);
	r.kill_reason = CT_KILL_UNDELIVERABLE;
	assert_int_equal(ct_stop_classify(0, &r, false), CT_STOP_KILLED);
	r.kill_reason = CT_KILL_FORCE;
	assert_int_equal(ct_stop_classify(0, &r, true), CT_STOP_FORCED);
	/* A graceful stop overtaken by someone's --force. */
	assert_int_equal(ct_stop_classify(0, &r, false), CT_STOP_KILLED);
	/* SIGKILLed, not by the monitor: the OOM killer. */
	r.kill_reason = CT_KILL_NONE;
	assert_int_equal(ct_stop_classify(0, &r, false), CT_STOP_KILLED);
	/* A stop queued during a start whose setup failed. */
	r = (struct ct_stop_result){ .error = -ENOENT, .end = CT_END_KILLED };
	assert_int_equal(ct_stop_classify(0, &r, false), CT_STOP_ERROR);
}

static void test_describe(void **state)
{
	struct ct_stop_result r = graceful;
	char buf[512];

	ct_stop_describe("web", &r, false, buf, sizeof(buf));
	assert_string_equal(buf, "container 'web' stopped gracefully in 0.25 s: init exited with "
				 "status 0 (signal 15 (TERM) sent to init)");
	r.end = CT_END_HALTED, r.detail[0] = '\0';
	ct_stop_describe("web", &r, false, buf, sizeof(buf));
	assert_string_equal(buf, "container 'web' stopped gracefully in 0.25 s: init halted");
	r = (struct ct_stop_result){ .end = CT_END_KILLED, .signal = SIGKILL, .elapsed_ms = 3004,
				     .kill_reason = CT_KILL_TIMEOUT };
	ct_stop_describe("deaf", &r, false, buf, sizeof(buf));
	assert_string_equal(buf, "container 'deaf' killed after the timeout, 3.00 s: it did not "
				 "stop when asked (no method ran)");
	r.kill_reason = CT_KILL_FORCE;
	ct_stop_describe("f", &r, true, buf, sizeof(buf));
	assert_string_equal(buf, "container 'f' killed in 3.00 s");
	ct_stop_describe("f", &r, false, buf, sizeof(buf));
	assert_string_equal(buf, "container 'f' killed in 3.00 s (a forced stop overtook this one)");
}

static int status_of(size_t graceful_n, size_t forced, size_t killed, size_t not_running,
		     size_t errors)
{
	size_t counts[CT_STOP_OUTCOME_COUNT_] = { [CT_STOP_GRACEFUL] = graceful_n,
						  [CT_STOP_FORCED] = forced,
						  [CT_STOP_KILLED] = killed,
						  [CT_STOP_NOT_RUNNING] = not_running,
						  [CT_STOP_ERROR] = errors };
	return ct_stop_exit_status(counts);
}

static void test_exit_status(void **state)
{
	/* One container: exactly the single ctstop statuses. */
	assert_int_equal(status_of(1, 0, 0, 0, 0), CT_EXIT_OK);
	assert_int_equal(status_of(0, 1, 0, 0, 0), CT_EXIT_OK);
	assert_int_equal(status_of(0, 0, 1, 0, 0), CT_EXIT_KILLED);
	assert_int_equal(status_of(0, 0, 0, 1, 0), CT_EXIT_NOT_RUNNING);
	assert_int_equal(status_of(0, 0, 0, 0, 1), CT_EXIT_ERROR);
	/* Many: an error wins, then a kill; skipped ones do not matter while any ran. */
	assert_int_equal(status_of(998, 0, 1, 0, 1), CT_EXIT_ERROR);
	assert_int_equal(status_of(998, 0, 1, 1, 0), CT_EXIT_KILLED);
	assert_int_equal(status_of(5, 0, 0, 3, 0), CT_EXIT_OK);
	assert_int_equal(status_of(0, 4, 0, 3, 0), CT_EXIT_OK);
	assert_int_equal(status_of(0, 0, 0, 7, 0), CT_EXIT_NOT_RUNNING);
	assert_int_equal(status_of(0, 0, 0, 0, 0), CT_EXIT_OK);
}

static void test_summary(void **state)
{
	size_t counts[CT_STOP_OUTCOME_COUNT_] = { [CT_STOP_GRACEFUL] = 18, [CT_STOP_KILLED] = 1,
						  [CT_STOP_NOT_RUNNING] = 2, [CT_STOP_ERROR] = 1 };
	char buf[256];

	ct_stop_summary(counts, false, 10034, buf, sizeof(buf));
	assert_string_equal(buf, "18 stopped gracefully, 1 killed, 2 not running, 1 error in 10.03 s");
	counts[CT_STOP_FORCED] = 3, counts[CT_STOP_ERROR] = 0;
	ct_stop_summary(counts, true, 500, buf, sizeof(buf));
	assert_string_equal(buf, "18 stopped gracefully, 3 killed as asked, 1 killed, 2 not running, "
				 "0 errors in 0.50 s");
}

static void test_duration(void **state)
{
	char buf[32];

	ct_show_duration(0, buf, sizeof(buf));
	assert_string_equal(buf, "0s");
	ct_show_duration(59999, buf, sizeof(buf));
	assert_string_equal(buf, "59s");
	ct_show_duration(65000, buf, sizeof(buf));
	assert_string_equal(buf, "1m05s");
	ct_show_duration((2 * 3600 + 3 * 60 + 59) * 1000ull, buf, sizeof(buf));
	assert_string_equal(buf, "2h03m");
	ct_show_duration((3 * 86400 + 4 * 3600) * 1000ull, buf, sizeof(buf));
	assert_string_equal(buf, "3d04h");
	ct_show_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	ct_show_time(1795399375406ull, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T02:02:55Z");
}

/* DIR/NAME, with a socket file "sock" in it if sock. */
static void make_entry(const char *dir, const char *name, bool sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
	if (!sock)
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd); /* the socket file stays: a stale one, as far as listing goes */
}

/* The start order: no group first, named groups by name, then start.order, then the name; a batch
 * is what shares group and order. */
static void test_order(void **state)
{
	struct ct_order_entry e[] = {
		{ .name = "web", .group = "20-app", .order = 0 },
		{ .name = "db2", .group = "10-data", .order = 1, .delay = 2 },
		{ .name = "cache", .group = "10-data", .order = 2 },
		{ .name = "plain", .group = "", .order = 5 },
		{ .name = "db1", .group = "10-data", .order = 1, .delay = 7 },
		{ .name = "nogroup", .group = NULL, .order = -3 },
		{ .name = "last", .group = "~", .order = -100 },
	};
	const char *sorted[] = { "nogroup", "plain", "db1", "db2", "cache", "web", "last" };
	size_t n = ARRAY_SIZE(e);

	ct_order_sort(e, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(e[i].name, sorted[i]);
	assert_int_equal(ct_order_batch_len(e, n, 0), 1); /* -3 and 5 are two batches */
	assert_int_equal(ct_order_batch_len(e, n, 1), 1);
	assert_int_equal(ct_order_batch_len(e, n, 2), 2); /* db1 and db2 start together */
	assert_int_equal(ct_order_batch_delay(e, 2, 2), 7); /* the longest delay of the batch */
	assert_int_equal(ct_order_batch_len(e, n, 4), 1);
	assert_int_equal(ct_order_batch_len(e, n, 6), 1);
	assert_int_equal(ct_order_batch_len(e, n, 7), 0);
	ct_order_sort(e, 0);
	ct_order_sort(e, 1);
}

static void test_rundir_list(void **state)
{
	char dir[] = "/tmp/ct-list-XXXXXX", path[256];
	cleanup_strv char **names = NULL;
	char **none = NULL;
	int fd;

	assert_non_null(mkdtemp(dir));
	make_entry(dir, "web", true);
	make_entry(dir, "app-2", true);
	make_entry(dir, "db.1", true);
	make_entry(dir, "nosock", false);       /* a start that has not bound yet, or leftovers */
	make_entry(dir, ".hidden", true);      /* not a valid name */
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("web", path), 0); /* symlinks are not followed */
	make_entry(dir, "fifo", false);
	snprintf(path, sizeof(path), "%s/fifo/sock", dir);
	assert_int_equal(mkfifo(path, 0600), 0);  /* "sock" must be a socket */

	assert_int_equal(ct_rundir_list(dir, &names), 0);
	assert_int_equal(ct_strv_length(names), 3);
	assert_string_equal(names[0], "app-2");
	assert_string_equal(names[1], "db.1");
	assert_string_equal(names[2], "web");
	assert_true(ct_rundir_has_socket(dir, "web"));
	assert_false(ct_rundir_has_socket(dir, "nosock"));

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	/* A run dir that does not exist holds no containers. */
	assert_int_equal(ct_rundir_list(dir, &none), 0);
	assert_non_null(none);
	assert_null(none[0]);
	ct_strv_free(none);
}

/* Another user's containers (run dirs 0700) are listed, not hidden: asking them then says
 * "Permission denied". Listed by a child that gave up root. */
static void test_rundir_list_unreadable(void **state)
{
	char dir[] = "/tmp/ct-list-XXXXXX", cmd[64];
	int status;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	make_entry(dir, "theirs", true);	/* mode 0700, root's */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char **names = NULL;
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		_exit(ct_rundir_list(dir, &names) == 0 && names[0] && !strcmp(names[0], "theirs") &&
		      !names[1] ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),    cmocka_unit_test(test_describe),
		cmocka_unit_test(test_exit_status), cmocka_unit_test(test_summary),
		cmocka_unit_test(test_duration),    cmocka_unit_test(test_rundir_list),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_rundir_list_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
