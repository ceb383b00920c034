/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ctrun run`: create and start in one, then (unless --detach) stay init's parent: signals
 * ctrun gets are passed on to init, and when it ends the container is deleted and ctrun ends as
 * it ended. */
#include "ctrun-internal.h"

#include "common/log.h"
#include "common/macro.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPWR,
				 SIGWINCH, SIGCONT };

void ctrun_block_forwarded(sigset_t *ret)
{
	sigemptyset(ret);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(ret, forwarded[i]);
	sigprocmask(SIG_BLOCK, ret, NULL);
}

int ctrun_wait_forwarding(pid_t pid, const sigset_t *set)
{
	cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC);
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
	int st;

	if (sfd < 0 || pidfd < 0)
		return log_error_errno(-errno, "Failed to watch process %d and our signals", (int)pid);
	while (!p[0].revents) {
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return log_error_errno(-errno, "Failed to wait for process %d", (int)pid);
		if (p[1].revents && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			syscall(SYS_pidfd_send_signal, pidfd, (int)si.ssi_signo, NULL, 0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return log_error_errno(-errno, "Failed to reap process %d", (int)pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int ctrun_run(const char *root, const struct ctrun_create_options *o, bool detach)
{
	struct ctrun_create_options co = *o;
	sigset_t set;
	pid_t pid;
	int r;

	co.foreground = true;
	/* Blocked before the clone: a signal that comes while creating waits, and is passed on. */
	ctrun_block_forwarded(&set);
	r = ctrun_create(root, &co, &pid);
	if (r >= 0 && (r = ctrun_start(root, o->id)) < 0)
		ctrun_delete(root, o->id, true);
	if (r < 0 || detach)
		return r;
	r = ctrun_wait_forwarding(pid, &set);
	ctrun_delete(root, o->id, true);
	return r;
}
