/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctexec's -u, resolved in a container's own /etc/passwd and /etc/group from its root fd: names,
 * numbers, supplementary groups; and what a guest can plant there: a FIFO (never opened for
 * long: no hang), a symlink that leads out of the root (resolved inside it). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spawn/exec-user.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];
static int root_fd = -1;

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char etc[96];

	snprintf(root, sizeof(root), "/tmp/ct-exec-user.XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(etc, sizeof(etc), "%s/etc", root);
	assert_int_equal(mkdir(etc, 0755), 0);
	put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
			  "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
			  "nohome:x:1001:1001::/:/bin/sh\n");
	put("etc/group", "root:x:0:\nstaff:x:50:bob,alice\nwheel:x:10:alice\nalice:x:1000:\n");
	root_fd = open(root, O_PATH | O_DIRECTORY);
	assert_true(root_fd >= 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	close(root_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_name(void **state)
{
	struct ct_exec_user u;

	assert_int_equal(ct_exec_user_resolve(root_fd, "alice", &u), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	assert_string_equal(u.home, "/home/alice");
	assert_string_equal(u.name, "alice");
	assert_int_equal(u.n_groups, 2);
	assert_int_equal(u.groups[0], 50);
	assert_int_equal(u.groups[1], 10);
	assert_int_equal(ct_exec_user_resolve(root_fd, "bob", &u), -ENOENT);
}

static void test_numbers(void **state)
{
	struct ct_exec_user u;

	assert_int_equal(ct_exec_user_resolve(root_fd, "1000", &u), 0); /* known: its group, name */
	assert_int_equal(u.gid, 1000);
	assert_string_equal(u.name, "alice");
	assert_int_equal(ct_exec_user_resolve(root_fd, "4321", &u), 0); /* unknown: gid = uid */
	assert_int_equal(u.uid, 4321);
	assert_int_equal(u.gid, 4321);
	assert_string_equal(u.home, "/");
	assert_int_equal(u.n_groups, 0);
	assert_int_equal(ct_exec_user_resolve(root_fd, "4321:50", &u), 0);
	assert_int_equal(u.gid, 50);
	assert_int_equal(ct_exec_user_resolve(root_fd, "1000:0", &u), 0);
	assert_int_equal(u.gid, 0);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = { "", "1x", "1:", ":1", "1:2:3", "4294967295", "a:b",
					   "99999999999" };
	struct ct_exec_user u;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ct_exec_user_resolve(root_fd, bad[i], &u), -EINVAL);
	assert_int_equal(ct_exec_user_resolve(root_fd, "-1", &u), -ENOENT); /* a name */
}

/* A FIFO as /etc/passwd: not read (it would block), the name is unknown. */
static void test_fifo(void **state)
{
	char path[128];
	struct ct_exec_user u;

	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	unlink(path);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(ct_exec_user_resolve(root_fd, "alice", &u), -ENOENT);
	assert_int_equal(ct_exec_user_resolve(root_fd, "7", &u), 0);
	assert_int_equal(u.gid, 7);
	unlink(path);
	setup(NULL); /* back to the regular files */
}

/* An absolute symlink is resolved inside the root: /etc/passwd -> /other/passwd. */
static void test_symlink_stays_inside(void **state)
{
	char path[128], other[128];
	struct ct_exec_user u;

	snprintf(other, sizeof(other), "%s/other", root);
	mkdir(other, 0755);
	put("other/passwd", "carol:x:2000:2000::/c:/bin/sh\n");
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	unlink(path);
	assert_int_equal(symlink("/other/passwd", path), 0);
	assert_int_equal(ct_exec_user_resolve(root_fd, "carol", &u), 0);
	assert_int_equal(u.uid, 2000);
	/* A link to the host's own file resolves inside the root, where there is none. */
	unlink(path);
	assert_int_equal(symlink("/../../../../etc/shadow", path), 0);
	assert_int_equal(ct_exec_user_resolve(root_fd, "root", &u), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),     cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_malformed), cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_symlink_stays_inside),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
