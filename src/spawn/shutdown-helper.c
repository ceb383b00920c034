/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The forked helpers that act inside a running container on the monitor's behalf, so that the
 * monitor itself never joins a namespace or blocks. Each dies with the monitor. */
#include "spawn.h"

#include "initctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not dumpable: until it execs, the helper is a copy of the monitor inside the container's
 * namespaces, and nothing there may ptrace it or open its /proc files. */
static void helper_prepare(const sigset_t *mask)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	ct_signals_reset(mask);
}

/* setns() with several namespaces is atomic; joining a user namespace changes our credentials,
 * which clears the parent-death signal. */
static int join(int init_pidfd, unsigned long namespaces)
{
	if (setns(init_pidfd, (int)namespaces) < 0)
		return -errno;
	if (!(namespaces & CLONE_NEWUSER))
		return 0;
	int r = ct_spawn_become_root();
	if (r < 0)
		return r;
	return prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ? -errno : 0;
}

_Noreturn void ct_helper_initctl(int init_pidfd, bool userns, const sigset_t *mask)
{
	struct ct_initctl_host host;

	helper_prepare(mask);
	/* The host's FIFOs are looked at before joining: afterwards "/" is the container's. */
	ct_initctl_host_stat(&host);
	if (join(init_pidfd, CLONE_NEWNS | (userns ? CLONE_NEWUSER : 0)) < 0)
		_exit(CT_INITCTL_JOIN_FAILED);
	_exit(ct_initctl_send(&host, '0'));
}

/* Ends the helper as its command ended: with its exit status, or killed by the same signal, so
 * that the monitor tells a command SIGKILLed with the container from one that exited 137. */
static _Noreturn void exit_like(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	if (WIFEXITED(st))
		_exit(WEXITSTATUS(st));
	signal(WTERMSIG(st), SIG_DFL);
	kill(getpid(), WTERMSIG(st));
	_exit(128 + WTERMSIG(st)); /* a signal that does not end a process */
}

/* The command's stdio: /dev/null in, out to stdio_fd (the container's terminal or the daemon's
 * log) if given, in a session of its own: nothing of the operator's terminal, not even as a
 * controlling terminal (/dev/tty), reaches a binary of the guest's. */
static int own_stdio(int stdio_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return -errno;
	if (dup2(null, STDIN_FILENO) < 0 ||
	    (stdio_fd >= 0 && (dup2(stdio_fd, STDOUT_FILENO) < 0 || dup2(stdio_fd, STDERR_FILENO) < 0))) {
		close(null);
		return -errno;
	}
	close(null);
	return setsid() < 0 ? -errno : 0;
}

/* Everything but the fork happens here, in the host's pid namespace where no guest sees it:
 * the command's process is born inside the container already sealed (joined, without the
 * monitor's fds, confined as init is, not dumpable until it execs). */
static void seal(int init_pidfd, unsigned long namespaces, const struct ct_confine *confine,
		 int stdio_fd)
{
	enum ct_step step;
	int r = own_stdio(stdio_fd);

	if (r < 0) {
		fprintf(stderr, "ct: shutdown_command: stdio: %s\n", strerror(-r));
		_exit(125);
	}
	r = join(init_pidfd, namespaces);

	if (r >= 0 && chdir("/") < 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "ct: shutdown_command: cannot join the container: %s\n", strerror(-r));
		_exit(125);
	}
	syscall(SYS_close_range, 3, ~0U, 0); /* init's pidfd among them: no longer needed */
	r = ct_confine_apply(confine, &step);
	if (r < 0) {
		fprintf(stderr, "ct: shutdown_command: %s: %s\n", ct_step_to_string(step),
			strerror(-r));
		_exit(125);
	}
}

_Noreturn void ct_helper_exec(int init_pidfd, unsigned long namespaces,
			      const struct ct_confine *confine, char *const *argv, char *const *envp,
			      int stdio_fd, const sigset_t *mask)
{
	pid_t pid;

	helper_prepare(mask);
	/* Joining the pid namespace only affects children: the command runs in a second fork, as
	 * a process of the container, and dies with it. */
	seal(init_pidfd, namespaces, confine, stdio_fd);
	pid = fork();
	if (pid < 0)
		_exit(125);
	if (pid == 0) {
		/* execvp() searches the PATH of environ: make that the container's. */
		environ = (char **)envp;
		execvp(argv[0], argv);
		fprintf(stderr, "ct: shutdown_command '%s': %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	exit_like(pid);
}
