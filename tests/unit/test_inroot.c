/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths inside a rootfs: symlinks and ".." that point out of it stay in it, a swapped component
 * fails, existing files are never opened for writing. Runs unprivileged in a scratch tree:
 * ROOT (the rootfs) next to OUT (the host, which no call may change). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spawn/inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[64], out[128];
static int root = -1;

/* TOP/rel */
static void at(char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", top, rel);
}

static int setup(void **state)
{
	char p[PATH_MAX], link[PATH_MAX];

	snprintf(top, sizeof(top), "/tmp/test_inroot.XXXXXX");
	assert_non_null(mkdtemp(top));
	at(out, "out");
	at(p, "root");
	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	/* abs -> OUT (absolute, as the host would read it), rel -> ../out, fifo: a host FIFO */
	at(link, "root/abs");
	assert_int_equal(symlink(out, link), 0);
	at(link, "root/rel");
	assert_int_equal(symlink("../out", link), 0);
	at(link, "root/hostfifo");
	at(p, "out/fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(symlink(p, link), 0);
	at(p, "root/fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	at(link, "root/dangling");
	assert_int_equal(symlink("/no/such/dir/x", link), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	close(root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* OUT holds only its FIFO: nothing was made there. */
static void assert_out_untouched(void)
{
	char p[PATH_MAX];
	struct stat st;

	at(p, "out/sub");
	assert_int_equal(lstat(p, &st), -1);
	at(p, "out/file");
	assert_int_equal(lstat(p, &st), -1);
}

static void assert_dir_in_root(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/root/%s", top, rel);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

/* mkdir -p TOP/root/rel for a path relative to TOP */
static void make_inside(const char *rel)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/root/%s'", top, rel);
	assert_int_equal(system(cmd), 0);
}

/* A symlink to a place the rootfs does not have is not followed out, nor made: an error. */
static void test_dangling_symlink_refused(void **state)
{
	assert_true(ct_inroot_dir(root, "/abs/sub", 0755, true, CT_INROOT_FOLLOW) < 0);
	assert_true(ct_inroot_file(root, "/abs/file", 0644) < 0);
	assert_true(ct_inroot_dir(root, "rel/sub", 0755, true, CT_INROOT_FOLLOW) < 0);
	assert_int_equal(ct_inroot_file(root, "dangling", 0644), -ENOENT);
	assert_out_untouched();
}

static void test_absolute_symlink_stays_inside(void **state)
{
	char inside[PATH_MAX];
	struct stat st;
	int fd;

	make_inside(out + 1); /* abs -> TOP/out, as the container reads it: ROOT/TOP/out */
	fd = ct_inroot_dir(root, "/abs/sub", 0755, true, CT_INROOT_FOLLOW);
	assert_true(fd >= 0);
	close(fd);
	fd = ct_inroot_file(root, "/abs/file", 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_out_untouched();
	snprintf(inside, sizeof(inside), "%s/sub", out + 1);
	assert_dir_in_root(inside);
	snprintf(inside, sizeof(inside), "%s/root%s/file", top, out);
	assert_int_equal(lstat(inside, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void test_relative_escape_stays_inside(void **state)
{
	int fd;

	make_inside("out"); /* rel -> ../out from the root is the root's out */
	fd = ct_inroot_dir(root, "rel/sub", 0755, true, CT_INROOT_FOLLOW);
	assert_true(fd >= 0);
	close(fd);
	fd = ct_inroot_dir(root, "../../../dotdot/sub", 0755, true, CT_INROOT_FOLLOW);
	assert_true(fd >= 0);
	close(fd);
	assert_out_untouched();
	assert_dir_in_root("out/sub");
	assert_dir_in_root("dotdot/sub");
}

/* A FIFO (the host's through a symlink, or the rootfs's own) is never opened for writing: that
 * would block, or feed a reader. */
static void test_fifo_not_opened(void **state)
{
	struct stat st;
	int fd = ct_inroot_file(root, "fifo", 0644);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(fcntl(fd, F_GETFL) & O_PATH, O_PATH);
	close(fd);
	/* hostfifo -> TOP/out/fifo is ROOT/TOP/out/fifo inside, which does not exist: a dangling
	 * symlink, refused (the host's FIFO is not even looked at) */
	make_inside(out + 1);
	assert_int_equal(ct_inroot_file(root, "hostfifo", 0644), -ENOENT);
}

static void test_no_symlinks_mode(void **state)
{
	assert_int_equal(ct_inroot_dir(root, "abs", 0755, true, CT_INROOT_NO_SYMLINKS), -ELOOP);
	assert_int_equal(ct_inroot_dir(root, "abs/x", 0755, true, CT_INROOT_NO_SYMLINKS), -ELOOP);
	int fd = ct_inroot_dir(root, "plain/dir", 0755, true, CT_INROOT_NO_SYMLINKS);
	assert_true(fd >= 0);
	close(fd);
	assert_dir_in_root("plain/dir");
}

static void test_verify(void **state)
{
	int dir = ct_inroot_dir(root, "v", 0755, true, CT_INROOT_FOLLOW);
	int proc = open("/proc", O_PATH | O_CLOEXEC);

	assert_true(dir >= 0 && proc >= 0);
	assert_int_equal(ct_inroot_verify(root, "v", CT_INROOT_FOLLOW, dir), 0);
	/* another mount than the one the path leads to */
	assert_int_equal(ct_inroot_verify(root, "v", CT_INROOT_FOLLOW, proc), -EXDEV);
	/* the path is gone (swapped away) */
	assert_int_equal(ct_inroot_verify(root, "gone", CT_INROOT_FOLLOW, dir), -EXDEV);
	assert_int_equal(ct_inroot_verify(root, "abs", CT_INROOT_NO_SYMLINKS, dir), -EXDEV);
	close(dir);
	close(proc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dangling_symlink_refused),
		cmocka_unit_test(test_absolute_symlink_stays_inside),
		cmocka_unit_test(test_relative_escape_stays_inside),
		cmocka_unit_test(test_fifo_not_opened),
		cmocka_unit_test(test_no_symlinks_mode),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
