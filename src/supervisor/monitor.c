/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's lifecycle: block signals and open the signalfd before clone, bind the command
 * socket, spawn init, run the loop until the state machine says FINISH, then clean up. */
#include "monitor-internal.h"

#include "log.h"
#include "macro.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals a foreground ctstart receives are meant for the container. */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static void notify(struct ct_monitor *m, int result, const char *message)
{
	struct ct_start_notice n = { .result = result };

	if (m->o->notify_fd < 0 || m->notified)
		return;
	snprintf(n.message, sizeof(n.message), "%s", message);
	ct_write_all(m->o->notify_fd, &n, sizeof(n));
	m->notified = true;
}

static void format_setup_error(const struct ct_monitor *m, char *buf, size_t size)
{
	const struct ct_setup_report *s = &m->setup;

	snprintf(buf, size, "setup step '%s'%s%s%s failed: %s", ct_step_to_string(s->step),
		 s->detail[0] ? " (" : "", s->detail, s->detail[0] ? ")" : "", strerror(-s->error));
}

static void stop_result(const struct ct_monitor *m, struct ct_stop_result *res)
{
	int st = m->init_status;

	*res = (struct ct_stop_result){ .end = CT_END_EXITED };
	if (WIFEXITED(st)) {
		res->exit_code = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		res->signal = WTERMSIG(st);
		res->end = res->signal == SIGKILL ? CT_END_KILLED
			 : res->signal == SIGINT  ? CT_END_HALTED
						  : CT_END_SIGNALED;
	}
	if (m->stop_begin_ms)
		res->elapsed_ms = ct_now_ms() - m->stop_begin_ms;
}

static int finish(struct ct_monitor *m)
{
	struct ct_stop_result res;
	struct ct_frame f;
	char msg[512];

	stop_result(m, &res);
	/* The name is free before anyone hears that the container stopped, so a start right after
	 * a stop never finds it locked. */
	ct_rundir_release(m->o->run);
	if (ct_proto_reply_stop(&f, &res) == 0)
		ct_server_reply_deferred(m->server, CT_CMD_STOP, &f);
	if (m->setup_failed) {
		format_setup_error(m, msg, sizeof(msg));
		log_error("container '%s' failed to start: %s", m->o->name, msg);
		notify(m, m->setup.error, msg);
	} else {
		snprintf(msg, sizeof(msg), "init %s during start", ct_end_to_string(res.end));
		notify(m, -ECHILD, msg);
		log_info("container '%s' stopped: init %s (%s %d)", m->o->name,
			 ct_end_to_string(res.end), res.end == CT_END_EXITED ? "status" : "signal",
			 res.end == CT_END_EXITED ? res.exit_code : res.signal);
	}
	return CT_LOOP_EXIT;
}

int ct_monitor_event(struct ct_monitor *m, enum ct_event ev)
{
	struct ct_transition t = ct_state_next(m->state, ev);

	log_debug("%s + %s -> %s (%s)", ct_state_to_string(m->state), ct_event_to_string(ev),
		  ct_state_to_string(t.next), ct_action_to_string(t.action));
	if (t.action == CT_ACT_REFUSE)
		return m->state == CT_STATE_STOPPED ? -ESRCH : -EALREADY;
	m->state = t.next;
	switch (t.action) {
	case CT_ACT_NOTIFY_RUNNING:
		m->start_time_ms = ct_realtime_ms();
		log_info("container '%s' is running, init pid %d", m->o->name, (int)m->init_pid);
		notify(m, 0, "running");
		break;
	case CT_ACT_KILL:
		m->stop_begin_ms = ct_now_ms();
		if (pidfd_send_signal(m->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
			return log_error_errno(-errno, "Failed to kill init");
		break;
	case CT_ACT_FINISH:
		return finish(m);
	default:
		break;
	}
	return CT_LOOP_CONTINUE;
}

static void drop_sync(struct ct_monitor *m)
{
	if (m->sync_fd < 0)
		return;
	ct_loop_remove(m->loop, m->sync_fd);
	ct_close_fd(&m->sync_fd);
}

/* Turns the child's report (or the EOF of its exec) into an event. */
int ct_monitor_sync(struct ct_monitor *m)
{
	int r = ct_spawn_read_report(m->sync_fd, &m->setup);

	if (r == -EAGAIN)
		return CT_LOOP_CONTINUE;
	drop_sync(m);
	if (r == 1)
		return ct_monitor_event(m, CT_EV_EXECED);
	if (r < 0)
		m->setup = (struct ct_setup_report){ .step = CT_STEP_NONE, .error = r };
	m->setup_failed = true;
	return ct_monitor_event(m, CT_EV_SETUP_FAILED);
}

static int reap(struct ct_monitor *m)
{
	for (;;) {
		int st, r;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid <= 0)
			return CT_LOOP_CONTINUE;
		if (pid != m->init_pid)
			continue; /* not ours to track */
		m->init_status = st;
		/* The child may die before its sync EOF was read: settle the start first. */
		if (m->sync_fd >= 0 && (r = ct_monitor_sync(m)) != CT_LOOP_CONTINUE)
			return r;
		return ct_monitor_event(m, CT_EV_INIT_EXITED);
	}
}

static void forward(struct ct_monitor *m, int sig)
{
	if (m->state == CT_STATE_STOPPED || m->pidfd < 0)
		return;
	log_info("forwarding signal %d to init", sig);
	if (pidfd_send_signal(m->pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		log_warning_errno(-errno, "Failed to forward signal %d to init", sig);
}

static int on_signal(int fd, uint32_t events, void *data)
{
	struct ct_monitor *m = data;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		int r = si.ssi_signo == SIGCHLD ? reap(m) : (forward(m, (int)si.ssi_signo), 0);
		if (r != CT_LOOP_CONTINUE)
			return r;
	}
	return CT_LOOP_CONTINUE;
}

static int setup_signals(struct ct_monitor *m)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
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

	if (r < 0)
		return log_error_errno(r, "Failed to create the event loop");
	r = setup_signals(m);
	if (r < 0)
		return log_error_errno(r, "Failed to set up the signalfd");
	r = setup_server(m);
	if (r < 0)
		return log_error_errno(r, "Failed to bind the command socket in '%s'", m->o->run->dir);
	return 0;
}

static void monitor_teardown(struct ct_monitor *m)
{
	ct_server_free(m->server);
	drop_sync(m);
	if (m->sig_fd >= 0)
		ct_loop_remove(m->loop, m->sig_fd);
	ct_close_fd(&m->sig_fd);
	ct_close_fd(&m->pidfd);
	ct_loop_free(m->loop);
	sigprocmask(SIG_SETMASK, &m->saved_mask, NULL);
	ct_rundir_release(m->o->run);
}

/* The loop failed while init may be alive: the container must not outlive its monitor. */
static void kill_init(struct ct_monitor *m)
{
	if (m->pidfd < 0 || m->state == CT_STATE_STOPPED)
		return;
	pidfd_send_signal(m->pidfd, SIGKILL, NULL, 0);
	while (waitpid(m->init_pid, &m->init_status, 0) < 0 && errno == EINTR)
		;
	m->state = CT_STATE_STOPPED;
}

static int exit_code(const struct ct_monitor *m, int r)
{
	int st = m->init_status;

	if (r < 0 || m->setup_failed)
		return CT_EXIT_START_FAILED;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int ct_monitor_run(const struct ct_monitor_options *o)
{
	struct ct_monitor m = { .o = o, .sig_fd = -1, .sync_fd = -1, .pidfd = -1 };
	int r = monitor_setup(&m);

	if (r >= 0)
		r = ct_monitor_spawn(&m);
	if (r >= 0)
		r = ct_loop_run(m.loop);
	if (r < 0) {
		kill_init(&m);
		notify(&m, r, strerror(-r));
	}
	r = exit_code(&m, r);
	monitor_teardown(&m);
	return r;
}
