/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Carrying out the state machine's actions: notify a waiting `ctstart -d`, dispatch or queue a
 * graceful stop, kill, restart after a reboot request, and finish with a reply to every waiter. */
#include "monitor-console.h"
#include "monitor-exec.h"
#include "monitor-freeze.h"
#include "monitor-internal.h"
#include "monitor-sd.h"
#include "monitor-shutdown.h"
#include "monitor-spawn.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

void ct_monitor_notify(struct ct_monitor *m, int result, const char *message)
{
	struct ct_start_notice n = { .result = result };

	if (m->o->notify_fd < 0 || m->notified)
		return;
	snprintf(n.message, sizeof(n.message), "%s", message);
	ct_write_all(m->o->notify_fd, &n, sizeof(n));
	m->notified = true;
}

/* Paths in the rootfs resolve inside it only (inroot.h); two errors say so in words. */
static const char *setup_hint(int error)
{
	switch (error) {
	case -ELOOP:
		return " (a symlink in the rootfs that setup does not follow: /proc, /sys and /dev must "
		       "be directories, and create= makes nothing through a symlink that leads nowhere)";
	case -EXDEV:
		return " (the path moved while it was set up: something is renaming it in the rootfs)";
	default:
		return "";
	}
}

static void format_setup_error(const struct ct_monitor *m, char *buf, size_t size)
{
	const struct ct_setup_report *s = &m->init.setup;

	snprintf(buf, size, "setup step '%s'%s%s%s failed: %s%s", ct_step_to_string(s->step),
		 s->detail[0] ? " (" : "", s->detail, s->detail[0] ? ")" : "", strerror(-s->error),
		 setup_hint(s->error));
}

static void stop_result(const struct ct_monitor *m, struct ct_stop_result *res)
{
	int st = m->init.status;

	*res = (struct ct_stop_result){ .end = CT_END_EXITED, .kill_reason = m->stop.kill_reason,
					.method = m->stop.dispatched, .error = m->stop.error };
	snprintf(res->detail, sizeof(res->detail), "%s", m->stop.detail);
	if (WIFEXITED(st)) {
		res->exit_code = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		res->signal = WTERMSIG(st);
		res->end = res->signal == SIGKILL ? CT_END_KILLED
			 : res->signal == SIGINT  ? CT_END_HALTED
						  : CT_END_SIGNALED;
	}
	if (m->stop.begin_ms)
		res->elapsed_ms = ct_now_ms() - m->stop.begin_ms;
	/* It did not stop when asked: what it was doing, as its console shows. */
	if (m->stop.kill_reason == CT_KILL_TIMEOUT)
		ct_monitor_console_tail(m, res->console_tail, sizeof(res->console_tail));
}

static void log_end(const struct ct_monitor *m, const struct ct_stop_result *res)
{
	char msg[512];

	if (m->init.setup_failed && m->stop.kill_reason == CT_KILL_NONE) {
		format_setup_error(m, msg, sizeof(msg));
		log_error("container '%s' failed to start: %s", m->o->name, msg);
		return;
	}
	log_info("container '%s' stopped: init %s (%s %d)%s%s", m->o->name, ct_end_to_string(res->end),
		 res->end == CT_END_EXITED ? "status" : "signal",
		 res->end == CT_END_EXITED ? res->exit_code : res->signal,
		 res->kill_reason ? ", killed: " : "",
		 res->kill_reason ? ct_kill_reason_to_string(res->kill_reason) : "");
}

#define DRAIN_TIMEOUT_MS 2000
#define DRAIN_POLL_MS 10
/* Init can end (and be reaped) before the helper that made it end has returned from its write:
 * its report is waited for this long before the cgroup, the helper in it, is killed. */
#define HELPER_LINGER_MS 1000

static int finish(struct ct_monitor *m);

/* Init is gone. The shutdown helper gets a bounded time to report, then anything still in the
 * cgroup (a process that joined it from outside the pid namespace, or hid in a subgroup) is
 * killed, and the cgroup gets a bounded time to empty before the monitor finishes. The loop
 * keeps serving clients meanwhile: the drain timer paces both waits. */
static int drain(struct ct_monitor *m)
{
	ct_timerfd_arm(m->stop.timer_fd, 0);
	ct_monitor_unfreeze_for_stop(m);
	m->stop.drain_killed = false;
	m->stop.drain_deadline_ms = ct_now_ms() + HELPER_LINGER_MS;
	return ct_monitor_drain_check(m);
}

static int drain_wait(struct ct_monitor *m)
{
	return ct_timerfd_arm(m->stop.timer_fd, DRAIN_POLL_MS) < 0 ? finish(m) : CT_LOOP_CONTINUE;
}

int ct_monitor_drain_check(struct ct_monitor *m)
{
	uint64_t now = ct_now_ms();

	if (!m->stop.drain_killed) {
		if (!ct_shutdown_helper_gone(m) && now < m->stop.drain_deadline_ms)
			return drain_wait(m);
		ct_shutdown_helper_kill(m);
		if (!ct_cgroup_populated(&m->cgroup))
			return finish(m);
		ct_cgroup_kill(&m->cgroup);
		m->stop.drain_killed = true;
		m->stop.drain_deadline_ms = now + DRAIN_TIMEOUT_MS;
	}
	if (ct_cgroup_populated(&m->cgroup) && now < m->stop.drain_deadline_ms)
		return drain_wait(m);
	return finish(m);
}

static int finish(struct ct_monitor *m)
{
	struct ct_stop_result res;
	struct ct_frame f;
	char msg[512];

	ct_timerfd_arm(m->stop.timer_fd, 0);
	ct_shutdown_helper_kill(m);
	ct_monitor_exec_finish(m);
	if (ct_cgroup_populated(&m->cgroup))
		log_warning("container '%s': processes left in its cgroup after %d s", m->o->name,
			    DRAIN_TIMEOUT_MS / 1000);
	if (m->init.setup_failed && m->stop.kill_reason == CT_KILL_NONE) {
		/* Waiting stop requests learn that the container never ran. */
		format_setup_error(m, m->stop.detail, sizeof(m->stop.detail));
		m->stop.error = m->init.setup.error;
	}
	stop_result(m, &res);
	/* The name, the cgroup and the id range are free before anyone hears that the container
	 * stopped, so a start right after a stop never finds them taken. */
	ct_net_teardown(&m->net); /* phys interfaces back out, veth host ends gone */
	if (ct_cgroup_remove(&m->cgroup) < 0)
		log_warning("container '%s': could not remove its cgroup", m->o->name);
	ct_rundir_release(m->o->run);
	if (m->o->lease)
		ct_idmap_lease_release(m->o->lease);
	if (ct_proto_reply_stop(&f, CT_CMD_STOP, &res) == 0)
		ct_server_reply_deferred(m->server, CT_CMD_STOP, &f);
	if (ct_proto_reply_stop(&f, CT_CMD_SHUTDOWN, &res) == 0)
		ct_server_reply_deferred(m->server, CT_CMD_SHUTDOWN, &f);
	ct_proto_reply_error(&f, CT_CMD_FREEZE, -ESRCH);
	ct_server_reply_deferred(m->server, CT_CMD_FREEZE, &f);
	log_end(m, &res);
	if (m->stop.kill_reason != CT_KILL_NONE)
		snprintf(msg, sizeof(msg), "stopped during start (%s)",
			 ct_kill_reason_to_string(m->stop.kill_reason));
	else if (m->init.setup_failed)
		format_setup_error(m, msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "init %s during start", ct_end_to_string(res.end));
	ct_monitor_notify(m, m->init.setup_failed ? m->init.setup.error : -ECHILD, msg);
	return CT_LOOP_EXIT;
}

static int kill_init(struct ct_monitor *m, enum ct_event ev)
{
	if (m->stop.kill_reason == CT_KILL_NONE)
		m->stop.kill_reason = ev == CT_EV_KILL      ? CT_KILL_FORCE
			       : ev == CT_EV_TIMEOUT ? CT_KILL_TIMEOUT
						     : CT_KILL_UNDELIVERABLE;
	if (!m->stop.begin_ms)
		m->stop.begin_ms = ct_now_ms();
	if (!m->stop.killed_ms)
		m->stop.killed_ms = ct_now_ms();
	ct_timerfd_arm(m->stop.timer_fd, 0);
	ct_timerfd_arm(m->stop.retry_fd, 0);
	if (m->helper.pid)
		pidfd_send_signal(m->helper.pidfd, SIGKILL, NULL, 0);
	log_info("container '%s': killing init (%s)", m->o->name,
		 ct_kill_reason_to_string(m->stop.kill_reason));
	if (pidfd_send_signal(m->init.pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return log_error_errno(-errno, "Failed to kill init");
	/* Everything in the cgroup goes too; a task frozen by v1's freezer dies only once thawed. */
	ct_cgroup_kill(&m->cgroup);
	ct_monitor_unfreeze_for_stop(m);
	return CT_LOOP_CONTINUE;
}

static int32_t resolve_timeout(const struct ct_monitor *m, int32_t timeout)
{
	return timeout == CT_TIMEOUT_DEFAULT ? m->o->config->shutdown_timeout : timeout;
}

static int dispatch(struct ct_monitor *m, enum ct_event *next)
{
	int32_t timeout = resolve_timeout(m, m->stop.request_timeout);
	int r;

	m->stop.queued = false;
	/* A frozen container cannot act on being asked: thaw it, and count the timeout from now. */
	ct_monitor_unfreeze_for_stop(m);
	if (!m->stop.begin_ms)
		m->stop.begin_ms = ct_now_ms();
	m->stop.dispatched = m->o->config->shutdown_method;
	if (timeout == 0) {
		*next = CT_EV_TIMEOUT;
		return CT_LOOP_CONTINUE;
	}
	r = ct_shutdown_arm(m, timeout);
	if (r < 0)
		return log_error_errno(r, "Failed to arm the stop deadline");
	log_info("container '%s': stopping with method %s", m->o->name,
		 ct_shutdown_method_to_string(m->stop.dispatched));
	/* Requests queued during STARTING learn their deadline now. */
	ct_monitor_broadcast(m, CT_PROGRESS_ACCEPTED);
	return ct_shutdown_dispatch(m, next);
}

/* The deadline runs from the request, even while it waits for the container to run; of several
 * queued requests the tightest wins, as with a join. */
static int queue(struct ct_monitor *m, enum ct_event *next)
{
	int32_t t = resolve_timeout(m, m->stop.request_timeout);

	m->stop.queued = true;
	if (!m->stop.begin_ms)
		m->stop.begin_ms = ct_now_ms();
	if (t == 0) {
		*next = CT_EV_TIMEOUT;
		return CT_LOOP_CONTINUE;
	}
	return ct_shutdown_arm(m, t) < 0 ? -EIO : CT_LOOP_CONTINUE;
}

static int running(struct ct_monitor *m, enum ct_event *next)
{
	m->init.start_time_ms = ct_realtime_ms();
	m->init.running_ms = ct_now_ms();
	log_info("container '%s' is running, init pid %d", m->o->name, (int)m->init.pid);
	ct_monitor_notify(m, 0, "running");
	if (!m->stop.queued)
		return CT_LOOP_CONTINUE;
	/* The deadline armed when the stop was queued stands; this cannot extend it. */
	m->stop.request_timeout = CT_TIMEOUT_FOREVER;
	*next = CT_EV_SHUTDOWN;
	return CT_LOOP_CONTINUE;
}

static int restart(struct ct_monitor *m)
{
	int r;

	m->init.reboots++;
	log_info("container '%s': init asked for a reboot; restarting (%u)", m->o->name, m->init.reboots);
	ct_close_fd(&m->init.pidfd);
	m->init.pid = 0;
	ct_cgroup_remove(&m->cgroup); /* whatever the old guest left in it */
	r = ct_monitor_spawn(m);
	return r < 0 ? r : CT_LOOP_CONTINUE;
}

static int join(struct ct_monitor *m, enum ct_event *next)
{
	int32_t timeout = resolve_timeout(m, m->stop.request_timeout);

	if (timeout == 0) {
		*next = CT_EV_TIMEOUT;
		return CT_LOOP_CONTINUE;
	}
	/* Only a graceful stop's deadline can tighten; after a kill there is nothing to wait for. */
	if (m->stop.kill_reason == CT_KILL_NONE) {
		int r = ct_shutdown_arm(m, timeout);
		if (r < 0)
			return r;
	}
	return CT_LOOP_CONTINUE;
}

/* Performs an action; *next may name the event that follows from it. */
static int perform(struct ct_monitor *m, enum ct_action a, enum ct_event ev, enum ct_event *next)
{
	switch (a) {
	case CT_ACT_NOTIFY_RUNNING: return running(m, next);
	case CT_ACT_KILL: return kill_init(m, ev);
	case CT_ACT_QUEUE: return queue(m, next);
	case CT_ACT_DISPATCH: return dispatch(m, next);
	case CT_ACT_JOIN: return join(m, next);
	case CT_ACT_RESTART: return restart(m);
	case CT_ACT_FREEZE: return ct_monitor_freeze(m, next);
	case CT_ACT_THAW: return ct_monitor_thaw(m, next);
	case CT_ACT_FINISH: return drain(m);
	case CT_ACT_EXEC: return ct_monitor_exec_start(m);
	default: return CT_LOOP_CONTINUE;
	}
}

/* Every change of state goes through the table, follow-ups included: no action sets the state
 * or feeds an event itself. An action's error is returned once its follow-up is through. */
int ct_monitor_event(struct ct_monitor *m, enum ct_event ev)
{
	int err = 0;

	for (;;) {
		struct ct_transition t = ct_state_next(m->state, ev);
		enum ct_event next = CT_EV_NONE;
		int r;

		log_debug("%s + %s -> %s (%s)", ct_state_to_string(m->state), ct_event_to_string(ev),
			  ct_state_to_string(t.next), ct_action_to_string(t.action));
		if (t.action == CT_ACT_REFUSE)
			return err < 0 ? err : t.refusal;
		bool stopping = t.next == CT_STATE_STOPPING && m->state != CT_STATE_STOPPING;
		bool changed = t.next != m->state;

		m->state = t.next;
		r = perform(m, t.action, ev, &next);
		if (stopping)
			ct_monitor_exec_stopping(m); /* after the deadline was armed */
		if (changed)
			ct_monitor_sd_state(m);
		if (r < 0 && err == 0)
			err = r;
		if (r > 0 || next == CT_EV_NONE)
			return err < 0 ? err : r;
		ev = next;
	}
}

int ct_monitor_shutdown(struct ct_monitor *m, int32_t timeout)
{
	m->stop.request_timeout = timeout;
	return ct_monitor_event(m, CT_EV_SHUTDOWN);
}
