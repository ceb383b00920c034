/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers: number parsing, names, word splitting, environment vectors, paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_parse_long(void **state)
{
	long v = -7;

	assert_int_equal(ct_parse_long("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(ct_parse_long("-1", -1, 10, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(ct_parse_long("101", 0, 100, &v), -ERANGE);
	assert_int_equal(ct_parse_long("99999999999999999999999", 0, 100, &v), -ERANGE);
	assert_int_equal(ct_parse_long("4x", 0, 100, &v), -EINVAL);
	assert_int_equal(ct_parse_long(" 4", 0, 100, &v), -EINVAL);
	assert_int_equal(ct_parse_long("", 0, 100, &v), -EINVAL);
	assert_int_equal(v, -1); /* untouched on failure */
}

static void test_host_key(void **state)
{
	char a[CT_HOST_KEY_MAX + 1], b[CT_HOST_KEY_MAX + 1], long_name[CT_NAME_MAX + 1];

	ct_host_key(CT_RUNDIR_DEFAULT, "web", a, sizeof(a));
	assert_string_equal(a, "web");
	ct_host_key("/tmp/ct.1/run", "web", a, sizeof(a));
	ct_host_key("/tmp/ct.2/run", "web", b, sizeof(b));
	assert_int_equal(strlen(a), 3 + 1 + 8);
	assert_string_not_equal(a, b); /* two run dirs, two keys */
	assert_true(ct_host_key_valid(a));
	memset(long_name, 'x', CT_NAME_MAX);
	long_name[CT_NAME_MAX] = '\0';
	ct_host_key("/elsewhere", long_name, a, sizeof(a));
	assert_int_equal(strlen(a), CT_HOST_KEY_MAX); /* the longest name fits whole */
	assert_true(ct_host_key_valid(a));
	assert_false(ct_host_key_valid(".x"));
}

static void test_names(void **state)
{
	char long_name[CT_NAME_MAX + 2];

	assert_true(ct_name_valid("web-1.prod_a"));
	assert_false(ct_name_valid(""));
	assert_false(ct_name_valid(".hidden"));
	assert_false(ct_name_valid("-opt"));
	assert_false(ct_name_valid("a/b"));
	assert_false(ct_name_valid(".."));
	assert_false(ct_name_valid("sp ace"));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_false(ct_name_valid(long_name));
	long_name[CT_NAME_MAX] = '\0';
	assert_true(ct_name_valid(long_name));
}

static void check_split(const char *in, const char *const *want)
{
	cleanup_strv char **v = NULL;
	size_t n = 0;

	assert_int_equal(ct_strv_split_quoted(in, &v), 0);
	while (want[n])
		n++;
	assert_int_equal(ct_strv_length(v), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
}

static void test_split(void **state)
{
	char **v = NULL;

	check_split("a b\tc", (const char *[]){ "a", "b", "c", NULL });
	check_split("  ", (const char *[]){ NULL });
	check_split("sh -c 'echo \"hi there\"'", (const char *[]){ "sh", "-c", "echo \"hi there\"", NULL });
	check_split("\"a\\\"b\" c\\ d", (const char *[]){ "a\"b", "c d", NULL });
	check_split("x''y \"\"", (const char *[]){ "xy", "", NULL });
	assert_int_equal(ct_strv_split_quoted("'open", &v), -EINVAL);
	assert_int_equal(ct_strv_split_quoted("trailing\\", &v), -EINVAL);
	assert_null(v);
}

static void test_env_set(void **state)
{
	cleanup_strv char **env = NULL;

	assert_int_equal(ct_strv_env_set(&env, "A=1"), 0);
	assert_int_equal(ct_strv_env_set(&env, "AB=2"), 0);
	assert_int_equal(ct_strv_env_set(&env, "A=3"), 0);
	assert_int_equal(ct_strv_length(env), 2);
	assert_string_equal(env[0], "A=3");
	assert_string_equal(env[1], "AB=2");
}

static void test_strv_copy(void **state)
{
	cleanup_strv char **copy = NULL;
	char *src[] = { "x", "y", NULL };

	assert_int_equal(ct_strv_copy(src, &copy), 0);
	assert_int_equal(ct_strv_length(copy), 2);
	assert_ptr_not_equal(copy[0], src[0]);
	ct_strv_free(copy);
	assert_int_equal(ct_strv_copy(NULL, &copy), 0);
	assert_null(copy);
}

static void test_run_path(void **state)
{
	char buf[32];

	assert_int_equal(ct_run_path(buf, sizeof(buf), "/run/ct", "web", "sock"), 0);
	assert_string_equal(buf, "/run/ct/web/sock");
	assert_int_equal(ct_run_path(buf, sizeof(buf), "/run/ct", "web", NULL), 0);
	assert_string_equal(buf, "/run/ct/web");
	assert_int_equal(ct_run_path(buf, sizeof(buf), "/run/ct/a/very/long/dir", "web", "sock"),
			 -ENAMETOOLONG);
}

static void test_mkdir_p(void **state)
{
	char tmpl[] = "/tmp/ct-unit-XXXXXX", path[128];
	struct stat st;

	assert_non_null(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/a/b/c", tmpl);
	assert_int_equal(ct_mkdir_p(path, 0700), 0);
	assert_int_equal(ct_mkdir_p(path, 0700), 0); /* idempotent */
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "rm -rf %s", tmpl);
	assert_int_equal(system(path), 0);
}

static void test_count_fds(void **state)
{
	size_t before, after;
	int fds[5];

	assert_int_equal(ct_count_fds(&before), 0);
	assert_true(before >= 3);
	for (int i = 0; i < 5; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(ct_count_fds(&after), 0);
	assert_int_equal(after, before + 5);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
}

static void test_nofile_raise(void **state)
{
	struct rlimit saved, rl;
	size_t limit = 0;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 256)
		skip();
	rl = (struct rlimit){ .rlim_cur = 64, .rlim_max = saved.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(ct_nofile_raise(200, &limit), 0);
	assert_int_equal(limit, 200);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 200);
	/* Never lowered. */
	assert_int_equal(ct_nofile_raise(100, &limit), 0);
	assert_int_equal(limit, 200);
	/* Beyond the hard limit: as far as it goes. */
	if (saved.rlim_max != RLIM_INFINITY) {
		assert_int_equal(ct_nofile_raise((size_t)saved.rlim_max + 1000, &limit), 0);
		assert_int_equal(limit, (size_t)saved.rlim_max);
	}
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

/* A FIFO where a file was expected (a config, a seccomp profile) never hangs the reader: without
 * a writer it reads as empty, with a silent writer it fails at once. A regular file, a device
 * that reads as empty and the size limit are as before. */
static void test_read_file_never_blocks(void **state)
{
	char dir[] = "/tmp/ct-test-read.XXXXXX", path[256];
	char *text = NULL;
	size_t len = 1;
	int w;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ct_read_file(path, 100, &text, &len), 0);
	assert_int_equal(len, 0);
	free(text);
	w = open(path, O_RDWR | O_CLOEXEC); /* a writer that writes nothing */
	assert_true(w >= 0);
	assert_int_equal(ct_read_file(path, 100, &text, &len), -EAGAIN);
	assert_int_equal(write(w, "abc", 3), 3);
	close(w); /* its bytes stay in the pipe only while it is open: gone now, EOF */
	unlink(path);
	assert_int_equal(ct_read_file("/dev/null", 100, &text, &len), 0);
	assert_int_equal(len, 0);
	free(text);
	assert_int_equal(ct_read_file("/dev/zero", 100, &text, &len), -EFBIG);
	snprintf(path, sizeof(path), "%s/file", dir);
	w = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(w >= 0);
	assert_int_equal(write(w, "key = value\n", 12), 12);
	close(w);
	assert_int_equal(ct_read_file(path, 100, &text, &len), 0);
	assert_int_equal(len, 12);
	assert_string_equal(text, "key = value\n");
	free(text);
	unlink(path);
	rmdir(dir);
}

/* A process's state and start time; a zombie is 'Z' and keeps its start time. */
static void test_proc_stat(void **state)
{
	uint64_t start, again;
	char st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(ct_proc_stat(getpid(), &st, &start), 0);
	assert_int_equal(st, 'R');
	assert_int_equal(ct_proc_starttime(getpid(), &again), 0);
	assert_true(again == start);
	for (int i = 0; i < 1000 && ct_proc_stat(pid, &st, &start) == 0 && st != 'Z'; i++)
		usleep(1000);
	assert_int_equal(st, 'Z');
	waitpid(pid, NULL, 0);
	assert_int_equal(ct_proc_stat(pid, &st, &start), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_long), cmocka_unit_test(test_names),
		cmocka_unit_test(test_host_key),
		cmocka_unit_test(test_split),      cmocka_unit_test(test_env_set),
		cmocka_unit_test(test_strv_copy),  cmocka_unit_test(test_run_path),
		cmocka_unit_test(test_mkdir_p),    cmocka_unit_test(test_count_fds),
		cmocka_unit_test(test_nofile_raise), cmocka_unit_test(test_read_file_never_blocks),
		cmocka_unit_test(test_proc_stat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
