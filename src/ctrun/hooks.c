/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bundle's hooks (runtime-spec config.md#posix-platform-hooks), run in the runtime's
 * namespaces: the container's state on stdin, args and env as given, a timeout if one is given.
 * createContainer and startContainer hooks, which run inside the container, are refused at
 * create (translate.c). */
#include "ctrun-internal.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const kind_names[CT_OCI_HOOK_COUNT_] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static _Noreturn void hook_exec(const struct ct_oci_hook *h, int in_fd)
{
	char *const none[] = { NULL };
	char *const argv0[] = { h->path, NULL };

	if (dup2(in_fd, STDIN_FILENO) < 0)
		_exit(127);
	/* ctrun's stdout may be the engine's pipe for the container's output: hooks say nothing there */
	dup2(STDERR_FILENO, STDOUT_FILENO);
	execve(h->path, h->args ? h->args : argv0, h->env ? h->env : none);
	fprintf(stderr, "ctrun: hook %s: %s\n", h->path, strerror(errno));
	_exit(127);
}

/* Waits for the hook, killing it past its timeout. Returns its wait status, or -ETIMEDOUT. */
static int hook_wait(pid_t pid, int pidfd, int timeout)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int st, n;

	do
		n = poll(&p, 1, timeout > 0 ? timeout * 1000 : -1);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return n == 0 ? -ETIMEDOUT : st;
}

static int run_one(const struct ct_oci_hook *h, const char *kind, size_t i, const char *state)
{
	int in[2], pidfd = -1, st;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return log_error_errno(-errno, "hooks.%s[%zu]: pipe", kind, i);
	pid = ct_fork_pidfd(&pidfd);
	if (pid == 0)
		hook_exec(h, in[0]);
	close(in[0]);
	if (pid < 0) {
		close(in[1]);
		return log_error_errno(-errno, "hooks.%s[%zu]: fork", kind, i);
	}
	/* A hook that does not read its stdin must not fail the write (EPIPE, not SIGPIPE). */
	signal(SIGPIPE, SIG_IGN);
	ct_write_all(in[1], state, strlen(state));
	close(in[1]);
	st = hook_wait(pid, pidfd, h->timeout);
	close(pidfd);
	if (st == -ETIMEDOUT)
		return ctrun_fail(-EIO, "hooks.%s[%zu] (%s): killed after its timeout of %d s",
				       kind, i, h->path, h->timeout);
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return ctrun_fail(-EIO, "hooks.%s[%zu] (%s) failed: %s %d", kind, i, h->path,
				       st >= 0 && WIFSIGNALED(st) ? "killed by signal" : "exit status",
				       st < 0 ? st : WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return 0;
}

int ctrun_hooks(const struct ct_oci_spec *s, enum ct_oci_hook_kind kind, const char *state_json)
{
	for (size_t i = 0; i < s->n_hooks[kind]; i++) {
		int r = run_one(&s->hooks[kind][i], kind_names[kind], i, state_json);
		if (r < 0)
			return r;
	}
	return 0;
}
