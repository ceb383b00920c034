/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A profile with two argument-filtered rules for one syscall, one of them with an inverted
 * comparison (!=, <, <=), is compiled in a child with a
 * deadline (any other at once, in process): libseccomp 2.5.4 (Debian 12) never returns
 * from seccomp_rule_add_array() for some argument filters (two rules for one syscall that share
 * an inverted comparison, != or <, on one argument and then differ on another one: found by
 * fuzz_seccomp). A profile that does this fails the start with a message instead of hanging it.
 * The child sends back the result, the error, and the filter (instructions, rule count,
 * warnings) through a pipe. */
#include "seccomp-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMPILE_TIMEOUT_MS 2000 /* real profiles compile in milliseconds */
#define REPLY_MAX (256 * 1024) /* 4096 instructions, the warnings: far less */

struct reply_head {
	int result;
	struct ct_file_error err;
	size_t n_rules, n_insns, n_warnings;
};

static void send_reply(int fd, int r, const struct ct_file_error *err, const struct ct_seccomp *f)
{
	struct reply_head h = { .result = r, .err = *err };
	const struct sock_filter *insns = NULL;
	char *const *w = f ? ct_seccomp_warnings(f) : NULL;

	if (f) {
		insns = sc_filter_insns(f, &h.n_insns);
		h.n_rules = ct_seccomp_rule_count(f);
		h.n_warnings = ct_strv_length(w);
	}
	if (ct_write_all(fd, &h, sizeof(h)) < 0 ||
	    (h.n_insns && ct_write_all(fd, insns, h.n_insns * sizeof(*insns)) < 0))
		_exit(1);
	for (size_t i = 0; i < h.n_warnings; i++)
		if (ct_write_all(fd, w[i], strlen(w[i]) + 1) < 0)
			_exit(1);
}

/* Reads until the child closes its end, or the deadline. */
static ssize_t read_reply(int fd, char *buf, size_t size)
{
	uint64_t deadline = ct_now_ms() + COMPILE_TIMEOUT_MS;
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = ct_now_ms();
		int n = now >= deadline ? 0 : poll(&p, 1, (int)(deadline - now));

		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n < 0)
			continue;
		ssize_t got = read(fd, buf + len, size - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0 || (len += (size_t)got) == size)
			return (ssize_t)len;
	}
}

static int parse_reply(const char *buf, size_t len, struct ct_seccomp **ret,
		       struct ct_file_error *err)
{
	struct reply_head h;
	char **warnings = NULL;
	size_t at = sizeof(h);

	if (len < sizeof(h))
		return -EPROTO;
	memcpy(&h, buf, sizeof(h));
	*err = h.err;
	if (h.result < 0)
		return h.result;
	if (h.n_insns > len / sizeof(struct sock_filter) ||
	    at + h.n_insns * sizeof(struct sock_filter) > len)
		return -EPROTO;
	const struct sock_filter *insns = (const void *)(buf + at);

	at += h.n_insns * sizeof(struct sock_filter);
	for (size_t i = 0; i < h.n_warnings; i++) {
		const char *s = buf + at, *end = memchr(s, '\0', len - at);

		if (!end || ct_strv_append(&warnings, s) < 0) {
			ct_strv_free(warnings);
			return end ? -ENOMEM : -EPROTO;
		}
		at = (size_t)(end - buf) + 1;
	}
	*ret = sc_filter_new(insns, h.n_insns, h.n_rules, warnings);
	if (!*ret) {
		ct_strv_free(warnings);
		return -ENOMEM;
	}
	return 0;
}

int ct_seccomp_parse(const char *text, size_t len, const char *name, struct ct_seccomp **ret,
		     struct ct_file_error *err)
{
	struct ct_file_error unused = { 0 };
	cleanup_free char *buf = malloc(REPLY_MAX);
	int p[2], r, st;
	ssize_t n;
	pid_t pid;

	if (!err)
		err = &unused;
	r = sc_compile(text, len, name, true, ret, err); /* most profiles: at once, no child */
	if (r != -EAGAIN)
		return r;
	if (!buf || pipe2(p, O_CLOEXEC) < 0)
		return -ENOMEM;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		struct ct_seccomp *f = NULL;

		close(p[0]);
		r = sc_compile(text, len, name, false, &f, err);
		send_reply(p[1], r, err, f);
		_exit(0);
	}
	close(p[1]);
	n = read_reply(p[0], buf, REPLY_MAX);
	close(p[0]);
	if (n == -ETIMEDOUT)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (n == -ETIMEDOUT) {
		ct_file_error_set(err, name ? name : "<string>", 0, "seccomp",
				  "libseccomp did not finish compiling it within %d s (libseccomp "
				  "2.5 loops on some argument filters: two rules for one syscall "
				  "sharing a != or < comparison, then differing): simplify them",
				  COMPILE_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	if (n < 0)
		return (int)n;
	return parse_reply(buf, (size_t)n, ret, err);
}
