/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Implementation of the small helpers in util.h. */
#include "util.h"

#include "macro.h"

#include <ctype.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <dirent.h>
#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

int ct_parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ct_fail_msg(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

uint64_t ct_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

uint64_t ct_realtime_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int ct_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ct_copy_bytes(int to, int from, off_t len)
{
	while (len > 0) {
		ssize_t n = sendfile(to, from, NULL, (size_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		len -= n;
	}
	return 0;
}

static bool word_valid(const char *name, size_t max)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > max || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

bool ct_name_valid(const char *name)
{
	return word_valid(name, CT_NAME_MAX);
}

void ct_host_key(const char *rundir, const char *name, char *buf, size_t size)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	if (strcmp(rundir, CT_RUNDIR_DEFAULT) == 0) {
		snprintf(buf, size, "%s", name);
		return;
	}
	for (const char *s = rundir; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(buf, size, "%s-%08x", name, h);
}

bool ct_host_key_valid(const char *key)
{
	return word_valid(key, CT_HOST_KEY_MAX);
}

int ct_dir_trusted(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return 0;
}

int ct_mkdir_p(const char *path, mode_t mode)
{
	cleanup_free char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (c == '\0')
			break;
	}
	return 0;
}

size_t ct_strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int ct_strv_append(char ***v, const char *s)
{
	size_t n = ct_strv_length(*v);
	cleanup_free char *copy = strdup(s);
	char **nv;

	if (!copy)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	nv[n] = steal_ptr(&copy);
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

int ct_strv_copy(char *const *v, char ***ret)
{
	cleanup_strv char **copy = NULL;

	if (!v) {
		*ret = NULL;
		return 0;
	}
	copy = calloc(1, sizeof(char *));
	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; v[i]; i++) {
		int r = ct_strv_append(&copy, v[i]);
		if (r < 0)
			return r;
	}
	*ret = steal_ptr(&copy);
	return 0;
}

/* Reads one word starting at *ps into out (which has room for strlen(*ps) + 1). */
static int split_word(const char **ps, char *out)
{
	const char *s = *ps;
	char quote = 0;

	for (; *s; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
			else if (*s == '\\' && quote == '"' && s[1])
				*out++ = *++s;
			else
				*out++ = *s;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '\\') {
			if (!s[1])
				return -EINVAL;
			*out++ = *++s;
		} else if (isspace((unsigned char)*s)) {
			break;
		} else {
			*out++ = *s;
		}
	}
	if (quote)
		return -EINVAL;
	*out = '\0';
	*ps = s;
	return 0;
}

int ct_strv_split_quoted(const char *s, char ***ret)
{
	cleanup_strv char **v = calloc(1, sizeof(char *));
	cleanup_free char *word = malloc(strlen(s) + 1);

	if (!v || !word)
		return -ENOMEM;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		int r = split_word(&s, word);
		if (r < 0)
			return r;
		r = ct_strv_append(&v, word);
		if (r < 0)
			return r;
	}
	*ret = steal_ptr(&v);
	return 0;
}

int ct_run_path(char *buf, size_t size, const char *rundir, const char *name, const char *file)
{
	int n = file ? snprintf(buf, size, "%s/%s/%s", rundir, name, file)
		     : snprintf(buf, size, "%s/%s", rundir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int ct_strv_env_set(char ***env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) + 1 : strlen(kv);

	for (char **e = *env; e && *e; e++)
		if (strncmp(*e, kv, klen) == 0) {
			char *copy = strdup(kv);
			if (!copy)
				return -ENOMEM;
			free(*e);
			*e = copy;
			return 0;
		}
	return ct_strv_append(env, kv);
}

int ct_status_sigmask(const char *status, const char *field, uint64_t *ret)
{
	size_t n = strlen(field);

	for (const char *line = status; line; line = strchr(line, '\n')) {
		char *end;
		unsigned long long v;

		if (*line == '\n')
			line++;
		if (strncmp(line, field, n) != 0 || line[n] != ':')
			continue;
		errno = 0;
		v = strtoull(line + n + 1, &end, 16);
		if (errno || end == line + n + 1 || (*end && *end != '\n'))
			return -EBADMSG;
		*ret = v;
		return 0;
	}
	return -ENOENT;
}

/* Reads /proc/PID/FILE into buf (NUL-terminated). -ESRCH if the process is gone. */
static int read_proc(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ESRCH;
	buf[n] = '\0';
	return 0;
}

/* An init that waits in sigtimedwait() without handlers (busybox init, tini) shows the awaited
 * signals neither caught nor blocked while it sleeps: the kernel moves them to real_blocked,
 * which /proc does not show, yet still queues them. /proc/PID/syscall names the wait and its
 * first argument, the awaited set, which is read from the process's memory. */
static int awaited_in_sigtimedwait(pid_t pid, int sig)
{
	char buf[256];
	unsigned long long nr, set_addr;
	uint64_t set = 0;
	struct iovec local = { .iov_base = &set, .iov_len = sizeof(set) };
	struct iovec remote = { .iov_len = sizeof(set) };

	if (read_proc(pid, "syscall", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%llu %llx", &nr, &set_addr) != 2 || nr != SYS_rt_sigtimedwait)
		return 0;
	remote.iov_base = (void *)(uintptr_t)set_addr;
	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(set))
		return 0;
	return (set >> (sig - 1)) & 1;
}

int ct_signal_is_handled(pid_t pid, int sig)
{
	char buf[4096];
	uint64_t cgt, blk;
	int r = read_proc(pid, "status", buf, sizeof(buf));

	if (r >= 0)
		r = ct_status_sigmask(buf, "SigCgt", &cgt);
	if (r >= 0)
		r = ct_status_sigmask(buf, "SigBlk", &blk);
	if (r < 0)
		return r;
	if (((cgt | blk) >> (sig - 1)) & 1)
		return 1;
	return awaited_in_sigtimedwait(pid, sig);
}

int ct_proc_stat(pid_t pid, char *ret_state, uint64_t *ret_starttime)
{
	char buf[1024], *p, state;
	unsigned long long v;
	int r = read_proc(pid, "stat", buf, sizeof(buf));

	if (r < 0)
		return r;
	/* The command name may contain anything, ')' included: fields resume after the last one. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
				"%*s %*s %*s %llu", &state, &v) != 2)
		return -EBADMSG;
	if (ret_state)
		*ret_state = state;
	*ret_starttime = v;
	return 0;
}

int ct_proc_starttime(pid_t pid, uint64_t *ret)
{
	return ct_proc_stat(pid, NULL, ret);
}

int64_t ct_proc_pss_kib(pid_t pid)
{
	char buf[2048], *p;
	long long v;

	if (read_proc(pid, "smaps_rollup", buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "\nPss:");
	return p && sscanf(p + 5, "%lld", &v) == 1 && v >= 0 ? v : 0;
}

int ct_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	/* Non-blocking: a FIFO or a terminal where a file was expected must not hang the reader (at
	 * boot, ctstart --all and ct-generator read every config); a regular file reads the same. */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	cleanup_free char *buf = NULL;
	size_t len = 0, size = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len == size) {
			/* Grow by doubling, up to one byte past max: reading it means too big. */
			size_t want = size ? size * 2 : 16384;
			char *b = realloc(buf, (want > max + 1 ? max + 1 : want) + 1);
			if (!b)
				return -ENOMEM;
			buf = b;
			size = want > max + 1 ? max + 1 : want;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret = steal_ptr(&buf);
	*ret_len = len;
	return 0;
}

int ct_count_fds(size_t *ret)
{
	cleanup_closedir DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	*ret = n > 0 ? n - 1 : 0; /* not the directory's own fd */
	return 0;
}

int ct_nofile_raise(size_t want, size_t *ret_limit)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rlim_t cur = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		if (rl.rlim_cur > cur && setrlimit(RLIMIT_NOFILE, &rl) < 0)
			rl.rlim_cur = cur; /* (a seccomp or LSM denial) the current limit is still ours */
	}
	*ret_limit = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > SIZE_MAX ? SIZE_MAX
									      : (size_t)rl.rlim_cur;
	return 0;
}

bool ct_in_nested_userns(void)
{
	static int cached = -1;
	unsigned long a, b, c;
	FILE *f;

	if (cached >= 0)
		return cached;
	f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return false; /* no user namespaces at all: the initial one */
	/* The initial namespace maps 0 to 0 over all 4294967295 ids, in one line. */
	cached = !(fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 &&
		   c == 4294967295UL && fscanf(f, "%lu", &a) != 1);
	fclose(f);
	return cached;
}

int ct_send_fd(int sock, int fd)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl = { 0 };
	char byte = 'm';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}
