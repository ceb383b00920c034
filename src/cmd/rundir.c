/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Run-directory management: locking with stale-state recovery and removal on exit. */
#include "rundir.h"

#include "common/macro.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const files[] = { "sock", "sock.tmp", "pid", "pid.tmp", "log" };

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
	if (r >= 0)
		r = ct_dir_trusted(rundir);
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
	for (unsigned i = 1; i <= CT_LOG_ROTATE_MAX; i++) { /* the rotated logs, log.1 .. */
		char file[16];
		snprintf(file, sizeof(file), "log.%u", i);
		if (ct_rundir_path(r, file, path) == 0)
			unlink(path);
	}
	/* Unlink the lock while still holding it: a concurrent start that opened it sees the
	 * inode change and retries on a fresh one. */
	if (ct_rundir_path(r, "lock", path) == 0)
		unlink(path);
	rmdir(r->dir);
	ct_close_fd(&r->lock_fd);
}

int ct_rundir_write_pid(const struct ct_rundir *r, pid_t monitor, pid_t init)
{
	char tmp[PATH_MAX], path[PATH_MAX], buf[96];
	cleanup_close int fd = -1;
	uint64_t start = 0;
	int n, e = ct_proc_starttime(init, &start);

	if (e < 0)
		return e;
	n = snprintf(buf, sizeof(buf), "%d %d %llu\n", (int)monitor, (int)init,
		     (unsigned long long)start);
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

/* A file of the run dir, for reading: a regular file, never a symlink, and a FIFO someone put
 * there cannot block us (O_NONBLOCK). -ESRCH when missing. */
static int open_regular(const struct ct_rundir *r, const char *file)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (ct_rundir_path(r, file, path) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int read_pid_record(const struct ct_rundir *r, pid_t *monitor, pid_t *init, uint64_t *start)
{
	cleanup_fclose FILE *f = NULL;
	unsigned long long st;
	int a, b, fd = open_regular(r, "pid");

	if (fd < 0)
		return fd;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return -errno;
	}
	if (fscanf(f, "%d %d %llu", &a, &b, &st) != 3 || a <= 0 || b <= 0)
		return -EBADMSG;
	*monitor = a;
	*init = b;
	*start = st;
	return 0;
}

/* A monitor is alive exactly when the lock is held. */
static int monitor_alive(const struct ct_rundir *r)
{
	cleanup_close int fd = open_regular(r, "lock");

	if (fd < 0)
		return fd == -ESRCH ? 0 : fd;
	return flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

static bool is_child_of(pid_t pid, pid_t parent)
{
	char path[64], line[256];
	cleanup_fclose FILE *f = NULL;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	return ppid == parent;
}

int ct_rundir_kill_init(const char *rundir, const char *name, int wait_ms, pid_t *ret_pid)
{
	struct ct_rundir r = { .lock_fd = -1 };
	cleanup_close int pidfd = -1;
	pid_t monitor = 0, init = 0;
	uint64_t start = 0, now = 0;
	int e = ct_run_path(r.dir, sizeof(r.dir), rundir, name, NULL);

	/* Only a record in directories nobody else could write names a process to kill. */
	if (e >= 0 && (e = ct_dir_trusted(rundir)) >= 0)
		e = ct_dir_trusted(r.dir);
	if (e == -ENOENT || e == -ENOTDIR)
		e = -ESRCH;
	if (e >= 0)
		e = read_pid_record(&r, &monitor, &init, &start);
	if (e >= 0 && monitor_alive(&r) <= 0)
		e = -ESRCH;
	if (e < 0)
		return e;
	/* Open the pidfd first, then check identity: a pidfd cannot be redirected by pid reuse. */
	pidfd = pidfd_open(init, 0);
	if (pidfd < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	e = ct_proc_starttime(init, &now);
	if (e < 0 && e != -ENOENT && e != -ESRCH)
		return e; /* (EMFILE...) not a verdict on init */
	if (e < 0 || now != start || !is_child_of(init, monitor))
		return -ESRCH;
	if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0)
		return -errno;
	*ret_pid = init;
	struct pollfd p = { .fd = pidfd, .events = POLLIN }; /* readable once it has exited */

	return poll(&p, 1, wait_ms) == 1 ? 0 : -EBUSY;
}

/* A container's entry: a directory (not a symlink) NAME holding a socket "sock", owned by root or
 * the caller and writable by no one else (anyone else's is not a container of ours). */
static bool is_container(int dfd, const char *name)
{
	char sock[CT_NAME_MAX + 16];
	struct stat st;

	/* A valid name is at most CT_NAME_MAX bytes: "NAME/sock" fits. */
	if (!ct_name_valid(name) || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode) || ct_run_path(sock, sizeof(sock), ".", name, "sock") < 0)
		return false;
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return false;
	/* A run dir we may not look into (0700, another user's) is listed: asking its monitor then
	 * says "Permission denied", instead of the container silently not being there. */
	if (fstatat(dfd, sock, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == EACCES;
	return S_ISSOCK(st.st_mode);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ct_rundir_list(const char *rundir, char ***ret_names)
{
	cleanup_closedir DIR *d = opendir(rundir);
	cleanup_strv char **names = calloc(1, sizeof(char *));
	struct dirent *de;

	if (!names)
		return -ENOMEM;
	if (!d && errno != ENOENT)
		return -errno;
	if (d && ct_dir_trusted(rundir) == -EPERM)
		return -EPERM;
	while (d && (errno = 0, de = readdir(d))) {
		int r = is_container(dirfd(d), de->d_name) ? ct_strv_append(&names, de->d_name) : 0;
		if (r < 0)
			return r;
	}
	if (d && errno)
		return -errno;
	qsort(names, ct_strv_length(names), sizeof(char *), compare_names);
	*ret_names = steal_ptr(&names);
	return 0;
}

bool ct_rundir_has_socket(const char *rundir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return ct_run_path(path, sizeof(path), rundir, name, "sock") == 0 &&
	       lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}
