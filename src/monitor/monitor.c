/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's lifecycle: block signals and open the signalfd before clone, bind the command
 * socket, spawn init, run the loop until the state machine says FINISH, then clean up. */
#include "monitor-cmd.h"
#include "monitor-console.h"
#include "monitor-exec.h"
#include "monitor-freeze.h"
#include "monitor-internal.h"
#include "monitor-log.h"
#include "monitor-shutdown.h"
#include "monitor-spawn.h"
#include "monitor-tty.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals the monitor takes for the container: SIGTERM and SIGINT ask it to stop (a second one
 * forces); the others are passed on to init. */
static const int forwarded[] = { SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static void drop_sync(struct ct_monitor *m)
{
	if (m->init.sync_fd < 0)
		return;
	ct_loop_remove(m->loop, m->init.sync_fd);
	ct_close_fd(&m->init.sync_fd);
}

static int sync_failed(struct ct_monitor *m, int error, const char *detail)
{
	m->init.setup = (struct ct_setup_report){ .step = CT_STEP_NONE, .error = error };
	snprintf(m->init.setup.detail, sizeof(m->init.setup.detail), "%s", detail);
	m->init.setup_failed = true;
	return ct_monitor_event(m, CT_EV_SETUP_FAILED);
}

/* Whether init (alive or a zombie) still bears the child's setup name: it has not exec'd. */
static bool still_setup(const struct ct_monitor *m)
{
	char path[64], stat[128];
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)m->init.pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, stat, sizeof(stat) - 1);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	return strstr(stat, "(" CT_SETUP_COMM ")") != NULL;
}

static bool exited(const struct ct_monitor *m)
{
	siginfo_t si = { 0 };

	return waitid(P_PIDFD, (id_t)m->init.pidfd, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid != 0;
}

#define EXEC_SETTLE_POLL_MS 2
#define EXEC_SETTLE_TRIES 50 /* 100 ms */

/* After "about to exec" and EOF: exec'd, or died in its exec (a profile that kills execve)? Its
 * exec closes the sync fd a moment before it renames the process, and a dying child closes it a
 * moment before it is a zombie: a child still bearing its setup name is looked at again on a
 * short timer (never waited for in the loop), up to 100 ms; reap() settles first, while the
 * zombie is there. */
static int settle_exec(struct ct_monitor *m)
{
	bool setup = still_setup(m);

	if (setup && exited(m)) {
		m->init.settling = false;
		return sync_failed(m, -ECHILD, "the child died in its exec (killed by its seccomp "
				   "profile?)");
	}
	if (setup && m->init.settle_tries++ < EXEC_SETTLE_TRIES &&
	    ct_timerfd_arm(m->init.settle_fd, EXEC_SETTLE_POLL_MS) == 0)
		return CT_LOOP_CONTINUE;
	m->init.settling = false;
	return ct_monitor_event(m, CT_EV_EXECED);
}

/* Turns the child's messages (a failed step, "about to exec", the EOF of exec) into events. */
int ct_monitor_sync(struct ct_monitor *m)
{
	for (;;) {
		enum ct_spawn_news news;
		int r = ct_spawn_read_report(m->init.sync_fd, &news, &m->init.setup);

		if (r == -EAGAIN)
			return CT_LOOP_CONTINUE;
		if (r >= 0 && news == CT_SPAWN_ABOUT_TO_EXEC) {
			m->init.exec_pending = true;
			continue;
		}
		drop_sync(m);
		if (r < 0)
			return sync_failed(m, r, "reading the child's report");
		if (news == CT_SPAWN_EOF && m->init.exec_pending) {
			m->init.settling = true;
			m->init.settle_tries = 0;
			return settle_exec(m);
		}
		if (news == CT_SPAWN_EOF)
			return sync_failed(m, -ECHILD, "the child died during setup");
		m->init.setup_failed = true;
		return ct_monitor_event(m, CT_EV_SETUP_FAILED);
	}
}

static int init_exited(struct ct_monitor *m, int st)
{
	int r;

	m->init.status = st;
	/* The child may die before its sync EOF was read: settle the start first. */
	if (m->init.sync_fd >= 0 && (r = ct_monitor_sync(m)) != CT_LOOP_CONTINUE)
		return r;
	/* In a pid namespace, reboot(2) with RB_AUTOBOOT ends init by SIGHUP. */
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP)
		return ct_monitor_event(m, CT_EV_INIT_REBOOT);
	return ct_monitor_event(m, CT_EV_INIT_EXITED);
}

static int reap(struct ct_monitor *m)
{
	/* A start not settled yet is settled first, while init's zombie still tells how it died. */
	if (m->init.sync_fd >= 0 && exited(m)) {
		int r = ct_monitor_sync(m);
		if (r < 0)
			return r;
	}
	if (m->init.settling && exited(m)) {
		int r = settle_exec(m);
		if (r < 0)
			return r;
	}
	for (;;) {
		int st, r = CT_LOOP_CONTINUE;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid <= 0)
			return CT_LOOP_CONTINUE;
		if (pid == m->init.pid)
			r = init_exited(m, st);
		else if (pid == m->helper.pid)
			r = ct_shutdown_helper_exited(m, st);
		else
			ct_monitor_exec_reaped(m, pid, st);
		/* Anything else is not ours to track. */
		if (r != CT_LOOP_CONTINUE)
			return r;
	}
}

static void forward(struct ct_monitor *m, int sig)
{
	if (m->state == CT_STATE_STOPPED || m->init.pidfd < 0)
		return;
	if (pidfd_send_signal(m->init.pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		log_warning_errno(-errno, "Failed to forward signal %d to init", sig);
}

/* SIGTERM/SIGINT to the monitor (Ctrl-C in the foreground, a host shutdown for a daemon) stop the
 * container gracefully; a second one kills it. */
int ct_monitor_interrupt(struct ct_monitor *m, int sig)
{
	int r;

	if (m->interrupts++ == 0) {
		log_info("container '%s': got %s, stopping (again to force)", m->o->name,
			 sigabbrev_np(sig));
		r = ct_monitor_shutdown(m, CT_TIMEOUT_DEFAULT);
	} else {
		r = ct_monitor_event(m, CT_EV_KILL);
	}
	return r < 0 && r != -ESRCH && r != -EALREADY ? r : CT_LOOP_CONTINUE;
}

static int on_signal(int fd, uint32_t events, void *data)
{
	struct ct_monitor *m = data;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo, r = CT_LOOP_CONTINUE;

		if (sig == SIGCHLD)
			r = reap(m);
		else if (sig == SIGTERM || sig == SIGINT)
			r = ct_monitor_interrupt(m, sig);
		else if (sig == SIGWINCH && m->tty)
			ct_monitor_tty_resize(m); /* the pty tells the container */
		else
			forward(m, sig);
		if (r != CT_LOOP_CONTINUE)
			return r;
	}
	return CT_LOOP_CONTINUE;
}

static int on_deadline(int fd, uint32_t events, void *data)
{
	struct ct_monitor *m = data;
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return CT_LOOP_CONTINUE;
	/* After init, the same timer paces the wait for the rest of the cgroup. */
	if (m->state == CT_STATE_STOPPED) /* only FINISH gets there: the drain is under way */
		return ct_monitor_drain_check(m);
	m->stop.deadline_ms = 0;
	log_info("container '%s': stop timeout reached", m->o->name);
	int r = ct_monitor_event(m, CT_EV_TIMEOUT);
	return r < 0 ? CT_LOOP_CONTINUE : r; /* a kill that failed has been logged */
}

static int on_retry(int fd, uint32_t events, void *data)
{
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return CT_LOOP_CONTINUE;
	int r = ct_shutdown_retry(data);
	return r < 0 ? CT_LOOP_CONTINUE : r;
}

static int on_settle_timer(int fd, uint32_t events, void *data)
{
	struct ct_monitor *m = data;
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) < 0 || !m->init.settling)
		return CT_LOOP_CONTINUE;
	return settle_exec(m);
}

static int on_freeze_timer(int fd, uint32_t events, void *data)
{
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return CT_LOOP_CONTINUE;
	return ct_monitor_freeze_check(data);
}

static int setup_signals(struct ct_monitor *m)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&mask, forwarded[i]);
	/* Blocked before clone, so no SIGCHLD can slip by before the signalfd exists. */
	if (sigprocmask(SIG_BLOCK, &mask, &m->saved_mask) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	m->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	return m->sig_fd < 0 ? -errno : ct_loop_add(m->loop, m->sig_fd, EPOLLIN, on_signal, m);
}

static int setup_server(struct ct_monitor *m)
{
	char path[PATH_MAX];
	struct ct_server_options so = {
		.path = path,
		.allowed_uid = geteuid(),
		.table = ct_monitor_commands,
		.n_table = ct_monitor_n_commands,
		.userdata = m,
	};
	int r = ct_rundir_path(m->o->run, "sock", path);

	return r < 0 ? r : ct_server_new(m->loop, &so, &m->server);
}

static int monitor_setup(struct ct_monitor *m)
{
	int r = ct_loop_new(&m->loop);

	/* Orphans of our helpers (a shutdown_command killed at the deadline) come to us to be
	 * reaped at once, not to the host's init. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		log_warning_errno(-errno, "Failed to become a child subreaper");
	if (r < 0)
		return log_error_errno(r, "Failed to create the event loop");
	r = setup_signals(m);
	if (r < 0)
		return log_error_errno(r, "Failed to set up the signalfd");
	r = m->stop.timer_fd = ct_timerfd_new();
	if (r >= 0)
		r = ct_loop_add(m->loop, m->stop.timer_fd, EPOLLIN, on_deadline, m);
	if (r >= 0)
		r = m->stop.retry_fd = ct_timerfd_new();
	if (r >= 0)
		r = ct_loop_add(m->loop, m->stop.retry_fd, EPOLLIN, on_retry, m);
	if (r >= 0)
		r = m->init.settle_fd = ct_timerfd_new();
	if (r >= 0)
		r = ct_loop_add(m->loop, m->init.settle_fd, EPOLLIN, on_settle_timer, m);
	if (r >= 0)
		r = m->freeze.fd = ct_timerfd_new();
	if (r >= 0)
		r = ct_loop_add(m->loop, m->freeze.fd, EPOLLIN, on_freeze_timer, m);
	if (r < 0)
		return log_error_errno(r, "Failed to set up the stop timer");
	r = setup_server(m);
	if (r < 0)
		return log_error_errno(r, "Failed to bind the command socket in '%s'", m->o->run->dir);
	r = ct_monitor_log_setup(m);
	return r < 0 ? log_error_errno(r, "Failed to set up the log of the container's output") : 0;
}

static void loop_close(struct ct_monitor *m, int *fd)
{
	if (*fd >= 0)
		ct_loop_remove(m->loop, *fd);
	ct_close_fd(fd);
}

static void monitor_teardown(struct ct_monitor *m)
{
	ct_server_free(m->server);
	drop_sync(m);
	loop_close(m, &m->sig_fd);
	loop_close(m, &m->stop.timer_fd);
	loop_close(m, &m->stop.retry_fd);
	loop_close(m, &m->init.settle_fd);
	loop_close(m, &m->freeze.fd);
	ct_close_fd(&m->init.pidfd);
	ct_monitor_log_close(m);
	ct_monitor_tty_close(m);
	ct_monitor_console_close(m);
	ct_loop_free(m->loop);
	sigprocmask(SIG_SETMASK, &m->saved_mask, NULL);
	ct_net_teardown(&m->net);
	ct_cgroup_remove(&m->cgroup);
	ct_rundir_release(m->o->run);
	ct_log_set_writer(NULL, NULL); /* the log's bound (monitor-log.c) ends with m */
}

/* The loop failed while init may be alive: the container must not outlive its monitor. */
static void kill_init(struct ct_monitor *m)
{
	ct_shutdown_helper_kill(m);
	if (m->init.pidfd < 0 || m->state == CT_STATE_STOPPED)
		return;
	pidfd_send_signal(m->init.pidfd, SIGKILL, NULL, 0);
	ct_cgroup_kill(&m->cgroup);
	ct_monitor_unfreeze_for_stop(m);
	while (waitpid(m->init.pid, &m->init.status, 0) < 0 && errno == EINTR)
		;
	m->state = CT_STATE_STOPPED;
}

/* As init ended: its status, or 128+N for signal N; a system container's clean halt or
 * poweroff (reboot(2) in its pid namespace ends init by SIGINT) is 0. */
static int exit_code(const struct ct_monitor *m, int r)
{
	int st = m->init.status;

	if (r < 0 || m->init.setup_failed)
		return CT_EXIT_START_FAILED;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGINT && !m->o->config->command)
		return 0;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int ct_monitor_run(const struct ct_monitor_options *o)
{
	struct ct_monitor m = {
		.o = o, .sig_fd = -1, .cgroup = { .v2_fd = -1 },
		.init = { .pidfd = -1, .sync_fd = -1, .settle_fd = -1 },
		.stop = { .timer_fd = -1, .retry_fd = -1 },
		.freeze = { .fd = -1 },
		.helper = { .pidfd = -1 },
		.log = { .read_fd = -1, .write_fd = -1 },
		.net = { .netns_fd = -1, .host_fd = -1 },
	};
	int r = monitor_setup(&m);

	if (r >= 0)
		r = ct_monitor_spawn(&m);
	if (r >= 0)
		r = ct_loop_run(m.loop);
	if (r < 0) {
		kill_init(&m);
		ct_monitor_notify(&m, r, *ct_log_last_error() ? ct_log_last_error() : strerror(-r));
	}
	r = exit_code(&m, r);
	monitor_teardown(&m);
	return r;
}
