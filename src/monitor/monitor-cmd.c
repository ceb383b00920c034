/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's command table. Anything not listed here is answered with ENOSYS by the server. */
#include "monitor-cmd.h"

#include "monitor-console.h"
#include "monitor-shutdown.h"

#include "common/pidns.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BLOCKED_AFTER_KILL_MS 1000

/* The longest shutdown_timeout a config can set is the longest a request can carry. */
_Static_assert(CT_SHUTDOWN_TIMEOUT_MAX == CT_TIMEOUT_MAX, "config and protocol timeouts differ");

/* A stop that cannot end: a process of the container held by a parent outside it (at any time),
 * or one still there a second after init was SIGKILLed. */
static void blocked(const struct ct_monitor *m, char *buf, size_t size)
{
	int r = ct_pidns_blocker(m->init.pid, buf, size);

	if (r == CT_PIDNS_STILL_THERE &&
	    (!m->stop.killed_ms || ct_now_ms() - m->stop.killed_ms < BLOCKED_AFTER_KILL_MS))
		buf[0] = '\0';
	else if (r <= 0)
		buf[0] = '\0';
}

static void fill_info(const struct ct_monitor *m, struct ct_info *info)
{
	const struct ct_config *c = m->o->config;

	*info = (struct ct_info){
		.state = m->state,
		.monitor_pid = (int32_t)getpid(),
		.init_pid = m->state == CT_STATE_STOPPED ? 0 : (int32_t)m->init.pid,
		.start_time_ms = m->init.start_time_ms,
		.shutdown_method = c->shutdown_method,
		.application = c->command != NULL,
		.reboots = m->init.reboots,
		.memory_bytes = -1, .tasks = -1, .cpu_usec = -1,
		.exec_sessions = m->exec.n,
	};
	struct ct_cgroup_usage u;

	if (m->state != CT_STATE_STOPPED && ct_cgroup_usage(&m->cgroup, &u) == 0) {
		info->memory_bytes = u.memory_bytes;
		info->tasks = u.tasks;
		info->cpu_usec = u.cpu_usec;
		info->memory_of_processes = u.memory_of_processes;
	}
	if (m->state == CT_STATE_STOPPING)
		blocked(m, info->blocked, sizeof(info->blocked));
	snprintf(info->log_path, sizeof(info->log_path), "%s", m->o->log_path ? m->o->log_path : "");
	info->console = m->tty && m->state != CT_STATE_STOPPED;
	char key[CT_HOST_KEY_MAX + 1];

	ct_host_key(m->o->rundir, m->o->name, key, sizeof(key));
	ct_net_describe(c, key, info->network, sizeof(info->network));
	snprintf(info->name, sizeof(info->name), "%s", m->o->name);
	snprintf(info->config_path, sizeof(info->config_path), "%s", c->path ? c->path : "");
	snprintf(info->rootfs, sizeof(info->rootfs), "%s", c->rootfs);
	snprintf(info->group, sizeof(info->group), "%s", c->autostart.group);
	info->start_order = c->autostart.order;
	ct_idmap_format(m->o->idmap, info->idmap, sizeof(info->idmap));
}

static int cmd_info(struct ct_conn *c, const struct ct_msg *msg, void *userdata)
{
	struct ct_info info;
	struct ct_frame f;

	if (msg->len != 0)
		return -EINVAL;
	fill_info(userdata, &info);
	if (ct_proto_reply_info(&f, &info) < 0)
		return -EMSGSIZE;
	ct_conn_reply(c, &f);
	return 0;
}

/* A forced stop: the reply is deferred until init has been reaped, so every caller learns how the
 * container ended. Concurrent callers join the one stop. */
static int cmd_stop(struct ct_conn *c, const struct ct_msg *msg, void *userdata)
{
	int r;

	if (msg->len != 0)
		return -EINVAL;
	r = ct_monitor_event(userdata, CT_EV_KILL);
	if (r < 0)
		return r;
	ct_conn_defer(c, CT_CMD_STOP);
	return 0;
}

/* A graceful stop. The caller first gets an ACCEPTED event (with the deadline), then events as
 * the method progresses, and the reply once the container is gone. A request during a stop joins
 * it; during STARTING it is queued until the container runs. */
static int cmd_shutdown(struct ct_conn *c, const struct ct_msg *msg, void *userdata)
{
	struct ct_monitor *m = userdata;
	struct ct_progress ev;
	struct ct_frame f;
	int32_t timeout;
	int r = ct_proto_parse_shutdown(msg, &timeout);

	if (r < 0)
		return r;
	r = ct_monitor_shutdown(m, timeout);
	if (r < 0)
		return r;
	ct_monitor_accepted_event(m, &ev);
	ct_proto_progress(&f, CT_CMD_SHUTDOWN, &ev);
	if (ct_conn_reply(c, &f) < 0)
		return 0; /* the client is gone; the stop goes on */
	ct_conn_defer(c, CT_CMD_SHUTDOWN);
	return 0;
}

/* Freezing is for a running container; a frozen one answers at once (once frozen). */
static int cmd_freeze(struct ct_conn *c, const struct ct_msg *msg, void *userdata)
{
	struct ct_monitor *m = userdata;
	struct ct_frame f;
	int r;

	if (msg->len != 0)
		return -EINVAL;
	r = ct_monitor_event(m, CT_EV_FREEZE);
	if (r < 0)
		return r;
	if (!m->freeze.confirmed) {
		ct_conn_defer(c, CT_CMD_FREEZE);
		return 0;
	}
	ct_proto_reply_ok(&f, CT_CMD_FREEZE);
	ct_conn_reply(c, &f);
	return 0;
}

static int cmd_thaw(struct ct_conn *c, const struct ct_msg *msg, void *userdata)
{
	struct ct_monitor *m = userdata;
	struct ct_frame f;
	int r;

	if (msg->len != 0)
		return -EINVAL;
	r = ct_monitor_event(m, CT_EV_THAW);
	if (r < 0)
		return r;
	ct_proto_reply_ok(&f, CT_CMD_THAW);
	ct_conn_reply(c, &f);
	return 0;
}

/* A ctexec session: refused unless RUNNING (the table says why); the reply comes once the command
 * ended, after an ACCEPTED event if the container begins to stop meanwhile. */
static int cmd_exec(struct ct_conn *c, const struct ct_msg *msg, void *userdata)
{
	struct ct_monitor *m = userdata;
	struct ct_exec_request *rq = malloc(sizeof(*rq));
	int r = rq ? ct_proto_parse_exec(msg, rq) : -ENOMEM;

	if (r == 0) {
		m->exec.request = rq;
		m->exec.n_fds = ct_conn_take_fds(c, m->exec.fds, CT_EXEC_FDS_MAX);
		r = ct_monitor_event(m, CT_EV_EXEC);
		for (size_t i = 0; i < m->exec.n_fds; i++) /* refused: not taken by the action */
			close(m->exec.fds[i]);
		m->exec.n_fds = 0;
		m->exec.request = NULL;
	}
	free(rq);
	if (r < 0)
		return r;
	ct_conn_defer(c, m->exec.started_tag);
	return 0;
}

/* ctconsole: the client's socket joins the console at once (see monitor-console.c). */
static int cmd_console(struct ct_conn *c, const struct ct_msg *msg, void *userdata)
{
	struct ct_monitor *m = userdata;
	struct ct_frame f;
	uint32_t flags, tail;
	int fd = -1, r = ct_proto_parse_console(msg, &flags, &tail);

	if (r == 0 && ct_conn_take_fds(c, &fd, 1) != 1)
		r = -EBADF;
	if (r == 0 && m->state == CT_STATE_STOPPED)
		r = -ESRCH;
	if (r == 0)
		r = ct_monitor_console_attach(m, fd, flags, tail);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	ct_proto_reply_ok(&f, CT_CMD_CONSOLE);
	ct_conn_reply(c, &f);
	return 0;
}

const struct ct_cmd_entry ct_monitor_commands[] = {
	{ CT_CMD_INFO, cmd_info },
	{ CT_CMD_STOP, cmd_stop },
	{ CT_CMD_SHUTDOWN, cmd_shutdown },
	{ CT_CMD_FREEZE, cmd_freeze },
	{ CT_CMD_THAW, cmd_thaw },
	{ CT_CMD_EXEC, cmd_exec },
	{ CT_CMD_CONSOLE, cmd_console },
};

const size_t ct_monitor_n_commands = sizeof(ct_monitor_commands) / sizeof(ct_monitor_commands[0]);
