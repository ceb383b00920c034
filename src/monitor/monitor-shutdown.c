/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shutdown methods and their deadline. Signal methods first check that init catches or blocks
 * the signal (the kernel drops it otherwise, and waiting out the timeout would be pointless);
 * sysvinit and exec run in forked helpers tracked by pidfd; the deadline is a timerfd. */
#include "monitor-shutdown.h"

#include "monitor-spawn.h"
#include "monitor-tty.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"
#include "config/config.h"
#include "spawn/spawn.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#define SIGNAL_SYSTEMD_POWEROFF 38 /* SIGRTMIN+4 as glibc numbers it (musl's SIGRTMIN differs) */
/* An init that has just exec'd may not have installed its handlers or created its initctl FIFO
 * yet: a stop that arrives that early retries the method for this long before calling it
 * undeliverable. */
#define SETTLE_MS 3000
#define SIGNAL_RETRY_MS 20
#define HELPER_RETRY_MS 100

static void set_detail(struct ct_monitor *m, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_detail(struct ct_monitor *m, int error, const char *fmt, ...)
{
	va_list ap;

	m->stop.error = error;
	va_start(ap, fmt);
	vsnprintf(m->stop.detail, sizeof(m->stop.detail), fmt, ap);
	va_end(ap);
}

static bool settling(const struct ct_monitor *m)
{
	return ct_now_ms() - m->init.running_ms < SETTLE_MS;
}

/* Init may still be coming up: the failure is not final, and must not be reported as one if init
 * ends by itself before the retry. */
static int retry_later(struct ct_monitor *m, uint64_t ms)
{
	int r = ct_timerfd_arm(m->stop.retry_fd, ms);

	m->stop.error = 0;
	return r < 0 ? log_error_errno(r, "Failed to arm the retry timer") : CT_LOOP_CONTINUE;
}

/* The method cannot reach init: say so to the waiting clients; the event kills without waiting. */
static enum ct_event undeliverable(struct ct_monitor *m)
{
	log_warning("container '%s': %s", m->o->name, m->stop.detail);
	ct_monitor_broadcast(m, CT_PROGRESS_FAILED);
	return CT_EV_UNDELIVERABLE;
}

void ct_monitor_accepted_event(const struct ct_monitor *m, struct ct_progress *ev)
{
	uint64_t now = ct_now_ms();

	*ev = (struct ct_progress){ .kind = CT_PROGRESS_ACCEPTED,
				    .method = m->o->config->shutdown_method, .remaining_ms = -1 };
	if (m->stop.deadline_ms)
		ev->remaining_ms = m->stop.deadline_ms > now ? (int64_t)(m->stop.deadline_ms - now) : 0;
	snprintf(ev->detail, sizeof(ev->detail), "%s", m->stop.queued ? "queued until running" : "");
}

void ct_monitor_broadcast(struct ct_monitor *m, enum ct_progress_kind kind)
{
	struct ct_progress ev;
	struct ct_frame f;

	ct_monitor_accepted_event(m, &ev);
	ev.kind = kind;
	ev.error = m->stop.error;
	snprintf(ev.detail, sizeof(ev.detail), "%s", m->stop.detail);
	if (ct_proto_progress(&f, CT_CMD_SHUTDOWN, &ev) == 0)
		ct_server_broadcast(m->server, CT_CMD_SHUTDOWN, &f);
}

int ct_shutdown_arm(struct ct_monitor *m, int32_t timeout)
{
	uint64_t deadline;

	if (timeout == CT_TIMEOUT_FOREVER)
		return 0;
	deadline = ct_now_ms() + (uint64_t)timeout * 1000;
	if (m->stop.deadline_ms && m->stop.deadline_ms <= deadline)
		return 0; /* a join never extends the stop under way */
	m->stop.deadline_ms = deadline;
	/* The timerfd takes a relative time; 0 would disarm it, so a zero timeout fires at once. */
	return ct_timerfd_arm(m->stop.timer_fd, timeout ? (uint64_t)timeout * 1000 : 1);
}

/* The kernel delivers to a namespace init only the signals it catches (or blocks, to take them
 * later); anything else is dropped without a trace. */
static int signal_method(struct ct_monitor *m, int sig, enum ct_event *next)
{
	int r = ct_signal_is_handled(m->init.pid, sig);

	if (r == 0 && settling(m))
		return retry_later(m, SIGNAL_RETRY_MS);
	if (r == 0) {
		set_detail(m, -EOPNOTSUPP, "init (pid %d) neither catches nor blocks signal %d (%s): "
			   "the kernel would drop it", (int)m->init.pid, sig, sigabbrev_np(sig) ?: "RT");
		*next = undeliverable(m);
		return CT_LOOP_CONTINUE;
	}
	if (r > 0 && pidfd_send_signal(m->init.pidfd, sig, NULL, 0) < 0)
		r = -errno;
	if (r < 0) {
		set_detail(m, r, "sending signal %d to init failed: %s", sig, strerror(-r));
		*next = undeliverable(m);
		return CT_LOOP_CONTINUE;
	}
	set_detail(m, 0, "signal %d (%s) sent to init", sig, sigabbrev_np(sig) ?: "RT");
	ct_monitor_broadcast(m, CT_PROGRESS_DISPATCHED);
	return CT_LOOP_CONTINUE;
}

int ct_shutdown_retry(struct ct_monitor *m)
{
	enum ct_event next = CT_EV_NONE;
	int r;

	if (m->state != CT_STATE_STOPPING || m->stop.kill_reason != CT_KILL_NONE)
		return CT_LOOP_CONTINUE;
	r = ct_shutdown_dispatch(m, &next);
	return next == CT_EV_NONE ? r : ct_monitor_event(m, next);
}

static int start_helper(struct ct_monitor *m)
{
	const struct ct_config *c = m->o->config;
	struct ct_confine confine = ct_monitor_confine(m);
	cleanup_strv char **env = NULL;
	int r = c->shutdown_method == CT_SHUTDOWN_EXEC ? ct_monitor_build_env(c, &env) : 0;
	pid_t pid;

	if (r < 0)
		return r;
	pid = ct_fork_pidfd(&m->helper.pidfd);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Every process of the container is in its cgroups, the helper included. */
		if (ct_cgroup_attach(&m->cgroup, getpid(), true) < 0)
			_exit(125);
		bool userns = ct_config_userns(c);

		int out = ct_monitor_tty_fd(m) >= 0 ? ct_monitor_tty_fd(m) : m->log.write_fd;
		struct ct_exec_spec x = { .what = "ct: shutdown_command", .argv = c->shutdown_command,
					  .envp = env, .in_fd = -1, .out_fd = out, .err_fd = out,
					  .ctl_fd = -1, .pid_fd = -1 };

		if (c->shutdown_method == CT_SHUTDOWN_EXEC)
			ct_helper_exec(m->init.pidfd, c->namespaces | (userns ? CLONE_NEWUSER : 0),
				       &confine, &x, &m->saved_mask);
		ct_helper_initctl(m->init.pidfd, userns, &m->saved_mask);
	}
	m->helper.pid = pid;
	set_detail(m, 0, "%s", c->shutdown_method == CT_SHUTDOWN_EXEC
				       ? "shutdown_command started"
				       : "sysvinit: asking init for runlevel 0 through its initctl FIFO");
	return 0;
}

int ct_shutdown_dispatch(struct ct_monitor *m, enum ct_event *next)
{
	const struct ct_config *c = m->o->config;
	int r;

	switch (c->shutdown_method) { /* dispatch() recorded it */
	case CT_SHUTDOWN_APPLICATION:
		return signal_method(m, c->shutdown_signal ? c->shutdown_signal : SIGTERM, next);
	case CT_SHUTDOWN_SYSTEMD:
		return signal_method(m, c->shutdown_signal ? c->shutdown_signal : SIGNAL_SYSTEMD_POWEROFF,
				     next);
	default:
		r = start_helper(m);
		if (r < 0) {
			set_detail(m, r, "starting the %s helper failed: %s",
				   ct_shutdown_method_to_string(c->shutdown_method), strerror(-r));
			*next = undeliverable(m);
		}
		return CT_LOOP_CONTINUE;
	}
}

static void helper_done(struct ct_monitor *m)
{
	ct_close_fd(&m->helper.pidfd);
	m->helper.pid = 0;
}

/* Records what the helper did, for the final reply. Returns true if the method worked. */
static bool record_helper(struct ct_monitor *m, int st)
{
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	bool exec = m->stop.dispatched == CT_SHUTDOWN_EXEC;

	helper_done(m);
	if (code == 0) {
		set_detail(m, 0, "%s", exec ? "shutdown_command exited with status 0"
					    : ct_initctl_outcome_to_string(CT_INITCTL_SENT));
		return true;
	}
	/* A command that made init exit dies with the container's pid namespace, which SIGKILLs
	 * it before init is a zombie: its SIGKILL may arrive first. Init gets until the deadline. */
	if (exec && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) { /* the helper dies as its command */
		set_detail(m, 0, "shutdown_command was killed (SIGKILL, as when init ends under it)");
		return true;
	}
	if (exec)
		set_detail(m, -EIO, "shutdown_command exited with status %d", code);
	else
		set_detail(m, code == CT_INITCTL_NO_FIFO     ? -ENOENT
			      : code == CT_INITCTL_NO_READER ? -ENXIO
			      : code == CT_INITCTL_HOST_FIFO ? -EPERM
							     : -EIO,
			   "sysvinit: %s", ct_initctl_outcome_to_string(code));
	return false;
}

/* Init ended first (the container is STOPPED): the helper's report still counts, unless the
 * container was killed. */
static void record_late(struct ct_monitor *m, int st)
{
	if (m->stop.kill_reason != CT_KILL_NONE) {
		helper_done(m);
		return;
	}
	if (!record_helper(m, st) && m->stop.dispatched == CT_SHUTDOWN_EXEC)
		/* The command died with the container. */
		set_detail(m, 0, "init ended while shutdown_command was running");
}

int ct_shutdown_helper_exited(struct ct_monitor *m, int st)
{
	if (m->state == CT_STATE_STOPPED) {
		record_late(m, st);
		return CT_LOOP_CONTINUE;
	}
	if (m->state != CT_STATE_STOPPING || m->stop.kill_reason != CT_KILL_NONE) {
		helper_done(m); /* killed with the container: nothing to report */
		return CT_LOOP_CONTINUE;
	}
	if (record_helper(m, st)) {
		ct_monitor_broadcast(m, CT_PROGRESS_DISPATCHED);
		return CT_LOOP_CONTINUE;
	}
	/* A just-booted sysvinit may not have its FIFO yet. */
	if (m->stop.dispatched == CT_SHUTDOWN_SYSVINIT && settling(m) &&
	    (m->stop.error == -ENOENT || m->stop.error == -ENXIO))
		return retry_later(m, HELPER_RETRY_MS);
	return ct_monitor_event(m, undeliverable(m));
}

bool ct_shutdown_helper_gone(struct ct_monitor *m)
{
	int st;

	if (!m->helper.pid)
		return true;
	if (m->stop.kill_reason != CT_KILL_NONE)
		return false; /* killed: its report does not count, the caller kills it now */
	if (waitpid(m->helper.pid, &st, WNOHANG) != m->helper.pid)
		return false;
	record_late(m, st);
	return true;
}

void ct_shutdown_helper_kill(struct ct_monitor *m)
{
	int st;

	if (!m->helper.pid)
		return;
	pidfd_send_signal(m->helper.pidfd, SIGKILL, NULL, 0);
	while (waitpid(m->helper.pid, &st, 0) < 0 && errno == EINTR)
		;
	helper_done(m);
}
