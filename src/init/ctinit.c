/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctinit: the minimal init that runs as PID 1 of an application container. It runs one command,
 * forwards signals to it (SIGTERM to the whole container), reaps every zombie, and once the command
 * has exited stops whatever is left and exits with the command's status (or 128+signal). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* How long the rest of the container gets to exit after SIGTERM once the command is gone. */
#define CTINIT_GRACE_MS 2000

/* Fixed exit codes of ctinit itself; any other code is the command's own status. 126 and 127
 * follow the shell's convention, so "not found" reads the same whether a shell or ctinit ran it. */
enum {
	CTINIT_EXIT_FAILURE = 1,
	CTINIT_EXIT_USAGE = 2,
	CTINIT_EXIT_CANNOT_EXEC = 126,
	CTINIT_EXIT_NOT_FOUND = 127,
};

static int usage(FILE *f, int code)
{
	if (code != 0) {
		fputs("ctinit: usage: ctinit -- COMMAND [ARG...]\n", f);
		return code;
	}
	fputs("usage: ctinit -- COMMAND [ARG...]\n\n"
	      "Runs COMMAND as the child of an application container's PID 1: forwards\n"
	      "signals to it (SIGTERM to every process in the container), reaps orphans,\n"
	      "and when COMMAND exits, stops the remaining processes and exits with\n"
	      "COMMAND's status (128+N if killed by signal N).\n\n"
	      "  --help     show this help\n"
	      "  --version  show the version\n", f);
	return 0;
}

/* Runs in the child between fork and exec. Every disposition is the default before the signals
 * are unblocked: the handler catch_all_signals() installed would swallow a signal that arrives
 * before the exec (a stop sent right at start: ctinit passes SIGTERM on, and the application
 * never saw it). With SIG_DFL it does what it would do to an application that has not set up
 * its handlers yet. No disposition is left at SIG_IGN either, which would survive the exec.
 * On a terminal (the container's pty), the command leads a session whose controlling terminal
 * it is, as a login shell would: job control works and Ctrl-C interrupts the command, not init. */
static noreturn void run_command(char **argv, const sigset_t *mask)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* fails for SIGKILL, SIGSTOP, libc's own: fine */
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (isatty(STDIN_FILENO) && setsid() >= 0)
		ioctl(STDIN_FILENO, TIOCSCTTY, 0);

	execvp(argv[0], argv);
	int err = errno;
	fprintf(stderr, "ctinit: cannot run '%s': %s\n", argv[0], strerror(err));
	_exit(err == ENOENT || err == ENOTDIR ? CTINIT_EXIT_NOT_FOUND : CTINIT_EXIT_CANNOT_EXEC);
}

static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Reaps every child that has exited, including orphans re-parented to us. When the command itself
 * is reaped, stores its status and clears *command: from then on its pid may be reused, so it must
 * never be signalled again (until then it cannot be, which is why a plain pid is safe here).
 * Returns -ECHILD once no child is left, 0 otherwise. */
static int reap_children(pid_t *command, int *ret_status)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid == 0)
			return 0;
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pid == *command) {
			*command = 0;
			*ret_status = status;
		}
	}
}

/* SIGTERM is how the monitor asks an application container to stop, and the container is more
 * than the command: helpers it spawned, daemonized grandchildren, orphans. As PID 1 of the pid
 * namespace, kill(-1) reaches every process in it but ctinit, so all of them get the chance to
 * exit cleanly at once. Outside a namespace kill(-1) would hit the whole host, hence the pid1 test.
 *
 * Everything else, job-control signals included, goes to the command alone, as tini does: ctinit
 * blocks all signals and never touches a terminal, so a SIGTSTP/SIGTTIN/SIGTTOU that reaches it
 * was sent on purpose and is meant for the application. Errors are ignored: the command is our
 * unreaped child, so it exists (perhaps as a zombie) and we may signal it. */
static void forward_signal(int sig, pid_t command, bool pid1)
{
	if (sig == SIGTERM && pid1)
		kill(-1, SIGTERM);
	else
		kill(command, sig);
}

/* Waits for signals until the command has been reaped, and returns its wait status. A command
 * that exits before we get here is no problem: its SIGCHLD stays pending until sigwaitinfo(). */
static int supervise(pid_t command, bool pid1, const sigset_t *all, int *ret_status,
		     bool *ret_terminating)
{
	int status = 0;

	while (command > 0) {
		int sig = sigwaitinfo(all, NULL);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (sig == SIGCHLD)
			reap_children(&command, &status);
		else
			forward_signal(sig, command, pid1);
		if (sig == SIGTERM)
			*ret_terminating = true;
	}
	*ret_status = status;
	return 0;
}

static void ignore_signal(int sig)
{
}

/* While sigwaitinfo() sleeps, the kernel unblocks the signals it waits for, so /proc/PID/status
 * shows an empty SigBlk nearly all the time. The monitor reads SigCgt/SigBlk to tell whether init
 * would receive a signal at all, so every signal also gets a handler, which never runs: the
 * signals stay blocked outside sigwaitinfo(), and it dequeues them before any could be delivered.
 * This also replaces an inherited SIG_IGN for SIGCHLD, which would make the kernel reap children
 * behind our back and lose the command's status. */
static void catch_all_signals(void)
{
	struct sigaction sa = { .sa_handler = ignore_signal };

	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);	/* fails for SIGKILL, SIGSTOP, libc's own: fine */
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Only as PID 1: once the command is gone, asks everyone left to exit, reaping as they go, and
 * kills what is still there after the grace period. When the monitor asked the container to stop
 * (SIGTERM), there is no grace of our own: the user's stop timeout is the only deadline, and the
 * monitor enforces it with SIGKILL, so ctinit must not cut it short. Processes that joined the
 * namespace with setns() are not our children and cannot be waited for; the kernel kills them
 * when PID 1 exits. Signals other than SIGCHLD are dropped here: everything is being stopped. */
static void stop_the_rest(const sigset_t *all, bool terminating)
{
	pid_t none = 0;
	int ignored;

	if (kill(-1, SIGTERM) < 0)
		return;		/* ESRCH: nobody else is left */

	int64_t deadline = now_ms() + CTINIT_GRACE_MS;
	while (reap_children(&none, &ignored) == 0) {
		if (terminating) {
			if (sigwaitinfo(all, NULL) < 0 && errno != EINTR)
				break;
			continue;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0)
			break;
		struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000 };
		if (sigtimedwait(all, NULL, &ts) < 0 && errno == EAGAIN)
			break;
	}

	kill(-1, SIGKILL);
	for (;;) {
		pid_t pid = waitpid(-1, NULL, 0);
		if (pid < 0 && errno != EINTR)
			break;		/* ECHILD: all reaped */
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return usage(stdout, 0);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("ctinit %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "--") != 0)
		return usage(stderr, CTINIT_EXIT_USAGE);

	/* Block everything before forking, so no signal sent to us between fork and the first
	 * sigwaitinfo() is lost or acted on by a default disposition. As a namespace's PID 1 this
	 * also matters for delivery: the kernel drops signals to such an init whose handler is
	 * SIG_DFL, but queues them when they are blocked. */
	sigset_t all, original;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &original) < 0) {
		fprintf(stderr, "ctinit: cannot block signals: %s\n", strerror(errno));
		return CTINIT_EXIT_FAILURE;
	}
	catch_all_signals();

	pid_t command = fork();
	if (command < 0) {
		fprintf(stderr, "ctinit: cannot fork: %s\n", strerror(errno));
		return CTINIT_EXIT_FAILURE;
	}
	if (command == 0)
		run_command(argv + 2, &original);

	bool pid1 = getpid() == 1, terminating = false;
	int status;
	int r = supervise(command, pid1, &all, &status, &terminating);
	if (r < 0) {
		fprintf(stderr, "ctinit: cannot wait for signals: %s\n", strerror(-r));
		return CTINIT_EXIT_FAILURE;
	}
	if (pid1)
		stop_the_rest(&all, terminating);
	return exit_code(status);
}
