/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Run-directory management: locking with stale-state recovery and removal on exit. */
#include "rundir.h"

#include "macro.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const files[] = { "sock", "pid", "pid.tmp", "log" };

int ct_rundir_path(const struct ct_rundir *r, const char *file, char *buf)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", r->dir, file);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return -ENOTDIR; /* a symlink or someone else's directory: refuse to use it */
	return chmod(dir, 0700) < 0 ? -errno : 0;
}

/* Locks DIR/lock. Returns the fd, -EBUSY, or -EAGAIN when the file we locked was removed by an
 * exiting monitor in the meantime (the caller retries). */
static int lock_once(const struct ct_rundir *run)
{
	char path[PATH_MAX];
	struct stat a, b;
	cleanup_close int fd = -1;

	if (ct_rundir_path(run, "lock", path) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errno == ENOENT ? -EAGAIN : -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	if (fstat(fd, &a) < 0)
		return -errno;
	if (stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return -EAGAIN;
	return steal_fd(&fd);
}

int ct_rundir_acquire(const char *rundir, const char *name, struct ct_rundir *ret)
{
	int r = ct_run_path(ret->dir, sizeof(ret->dir), rundir, name, NULL);

	if (r < 0)
		return r;
	r = ct_mkdir_p(rundir, 0755);
	for (int tries = 0; r >= 0 && tries < 100; tries++) {
		r = make_dir(ret->dir);
		if (r < 0)
			break;
		r = lock_once(ret);
		if (r != -EAGAIN)
			break;
	}
	if (r < 0)
		return r;
	ret->lock_fd = r;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[PATH_MAX];
		/* The log stays: it may be a dead monitor's last words. */
		if (strcmp(files[i], "log") != 0 && ct_rundir_path(ret, files[i], path) == 0)
			unlink(path);
	}
	return 0;
}

void ct_rundir_release(struct ct_rundir *r)
{
	char path[PATH_MAX];

	if (r->lock_fd < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (ct_rundir_path(r, files[i], path) == 0)
			unlink(path);
	/* Unlink the lock while still holding it: a concurrent start that opened it sees the
	 * inode change and retries on a fresh one. */
	if (ct_rundir_path(r, "lock", path) == 0)
		unlink(path);
	rmdir(r->dir);
	ct_close_fd(&r->lock_fd);
}

int ct_rundir_write_pid(const struct ct_rundir *r, pid_t monitor, pid_t init)
{
	char tmp[PATH_MAX], path[PATH_MAX], buf[64];
	cleanup_close int fd = -1;
	int n = snprintf(buf, sizeof(buf), "%d %d\n", (int)monitor, (int)init);
	int e;

	if (ct_rundir_path(r, "pid.tmp", tmp) < 0 || ct_rundir_path(r, "pid", path) < 0)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	e = ct_write_all(fd, buf, (size_t)n);
	if (e < 0)
		return e;
	return rename(tmp, path) < 0 ? -errno : 0;
}
