/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctexec sessions. The client sends the command with its stdio pipes and a control socket; the
 * monitor forks a helper into the container's cgroup that enters and confines itself exactly as
 * the exec shutdown method's does (the same code, spawn's ct_helper_exec), and answers the
 * client once the helper is reaped. The client talks to the helper only through the control
 * socket (signals in, a pty's master out): no host fd but those pipes ever reaches the
 * container. Sessions never block a stop: their processes are in the container's pid namespace
 * and cgroup and die with it. */
#include "monitor-exec.h"

#include "monitor-shutdown.h"
#include "monitor-spawn.h"

#include "cgroup/cgroup.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAG_BASE 0x100 /* session i's connection is parked with TAG_BASE + i */
#define FINISH_WAIT_MS 1000

/* The control socket must be a socket; stdio fds pipes or sockets: never a host file, directory
 * or terminal, which a process inside could use to reach out. */
static int check_fds(const struct ct_monitor_exec *x, bool tty)
{
	if (x->n_fds != (tty ? 2u : 4u))
		return -EBADF;
	for (size_t i = 0; i < x->n_fds; i++) {
		struct stat st;

		if (fstat(x->fds[i], &st) < 0)
			return -EBADF;
		if (!S_ISSOCK(st.st_mode) && (i == 0 || !S_ISFIFO(st.st_mode)))
			return -EBADF;
	}
	return 0;
}

/* The container's environment, then the request's K=V over it. */
static int session_env(const struct ct_monitor *m, char ***ret)
{
	char **env = NULL;
	int r = ct_monitor_build_env(m->o->config, &env);

	for (char *const *kv = m->exec.request->env; r >= 0 && *kv; kv++)
		r = ct_strv_env_set(&env, *kv);
	if (r < 0) {
		ct_strv_free(env);
		return r;
	}
	*ret = env;
	return 0;
}

static _Noreturn void helper(struct ct_monitor *m, char **env)
{
	const struct ct_config *c = m->o->config;
	const struct ct_exec_request *rq = m->exec.request;
	const int *fd = m->exec.fds;
	bool tty = rq->flags & CT_EXEC_TTY;
	struct ct_confine confine = ct_monitor_confine(m);
	struct ct_exec_spec x = {
		.what = "ctexec", .argv = rq->argv, .envp = env, .user = rq->user, .cwd = rq->cwd,
		.ctl_fd = fd[0], .err_fd = fd[1], .in_fd = tty ? -1 : fd[2],
		.out_fd = tty ? fd[1] : fd[3], .tty = tty, .rows = rq->rows, .cols = rq->cols,
		.pid_fd = -1,
	};

	if (ct_cgroup_attach(&m->cgroup, getpid(), true) < 0)
		_exit(CT_EXEC_SETUP_FAILED);
	ct_helper_exec(m->init.pidfd, c->namespaces | (ct_config_userns(c) ? CLONE_NEWUSER : 0),
		       &confine, &x, &m->saved_mask);
}

static void close_request_fds(struct ct_monitor_exec *x)
{
	for (size_t i = 0; i < x->n_fds; i++)
		close(x->fds[i]);
	x->n_fds = 0;
}

static int free_slot(const struct ct_monitor_exec *x)
{
	for (int i = 0; i < CT_EXEC_SESSIONS_MAX; i++)
		if (x->sessions[i].pid == 0)
			return i;
	return -EMFILE;
}

int ct_monitor_exec_start(struct ct_monitor *m)
{
	struct ct_monitor_exec *x = &m->exec;
	cleanup_strv char **env = NULL;
	int slot = free_slot(x), r;
	pid_t pid;

	x->started_tag = 0;
	r = slot < 0 ? slot : check_fds(x, x->request->flags & CT_EXEC_TTY);
	if (r >= 0)
		r = session_env(m, &env);
	if (r >= 0 && (pid = fork()) < 0)
		r = -errno;
	if (r < 0) {
		close_request_fds(x);
		return r;
	}
	if (pid == 0)
		helper(m, env);
	close_request_fds(x);
	x->sessions[slot] = (struct ct_exec_session){ .pid = pid, .tag = TAG_BASE + slot };
	x->n++;
	x->started_tag = TAG_BASE + slot;
	log_debug("exec session %d: helper %d runs %s", slot, (int)pid, x->request->argv[0]);
	return 0;
}

bool ct_monitor_exec_reaped(struct ct_monitor *m, pid_t pid, int st)
{
	struct ct_monitor_exec *x = &m->exec;
	struct ct_exec_result res = { .end = CT_END_EXITED };
	struct ct_frame f;

	for (int i = 0; i < CT_EXEC_SESSIONS_MAX; i++) {
		if (x->sessions[i].pid != pid)
			continue;
		if (WIFSIGNALED(st)) {
			res.signal = WTERMSIG(st);
			res.end = res.signal == SIGKILL ? CT_END_KILLED : CT_END_SIGNALED;
		} else {
			res.exit_code = WEXITSTATUS(st);
		}
		if (ct_proto_reply_exec(&f, &res) == 0)
			ct_server_reply_deferred(m->server, x->sessions[i].tag, &f);
		x->sessions[i].pid = 0;
		x->n--;
		return true;
	}
	return false;
}

void ct_monitor_exec_finish(struct ct_monitor *m)
{
	struct ct_monitor_exec *x = &m->exec;
	uint64_t deadline = ct_now_ms() + FINISH_WAIT_MS;
	struct pollfd fds[CT_EXEC_SESSIONS_MAX];

	/* The container is gone: what is left of a session goes too (our unreaped children: their
	 * pids cannot be anyone else's), then one shared deadline for their ends, each watched by
	 * a pidfd (no sleep between looks). */
	for (int i = 0; i < CT_EXEC_SESSIONS_MAX; i++) {
		pid_t pid = x->sessions[i].pid;
		fds[i] = (struct pollfd){ .fd = pid ? pidfd_open(pid, 0) : -1, .events = POLLIN };
		if (pid)
			kill(pid, SIGKILL);
	}
	while (x->n > 0) {
		uint64_t now = ct_now_ms();
		int n = poll(fds, CT_EXEC_SESSIONS_MAX, now < deadline ? (int)(deadline - now) : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (int i = 0; i < CT_EXEC_SESSIONS_MAX; i++) {
			pid_t pid = x->sessions[i].pid;
			int st;
			if (fds[i].fd >= 0 && fds[i].revents && waitpid(pid, &st, WNOHANG) == pid)
				ct_monitor_exec_reaped(m, pid, st);
			if (fds[i].fd >= 0 && fds[i].revents)
				ct_close_fd(&fds[i].fd);
		}
	}
	for (int i = 0; i < CT_EXEC_SESSIONS_MAX; i++) {
		ct_close_fd(&fds[i].fd);
		if (x->sessions[i].pid) /* stuck: answered as killed */
			ct_monitor_exec_reaped(m, x->sessions[i].pid, SIGKILL);
	}
}

void ct_monitor_exec_stopping(struct ct_monitor *m)
{
	struct ct_progress ev;
	struct ct_frame f;

	if (m->exec.n == 0)
		return;
	ct_monitor_accepted_event(m, &ev);
	if (ct_proto_progress(&f, CT_CMD_EXEC, &ev) < 0)
		return;
	for (int i = 0; i < CT_EXEC_SESSIONS_MAX; i++)
		if (m->exec.sessions[i].pid)
			ct_server_broadcast(m->server, m->exec.sessions[i].tag, &f);
}
