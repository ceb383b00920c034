/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ctrun exec`: a process in a running container, through ct's exec helper (spawn room): it
 * joins init's namespaces from the container's cgroup, is confined as the process asks (the
 * container's seccomp filter, the process's ids and capabilities), and forks the command, whose
 * pid it tells us before it leaves. With --detach the command is then the engine's (conmon is a
 * subreaper); without, ctrun is the subreaper that waits for it, passing signals on. */
#include "ctrun-internal.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROCESS_FILE_MAX (1024 * 1024)

/* The process to run: --process FILE, or the container's own with args, terminal, cwd, env and
 * user from the command line. */
static int exec_process(const struct ctrun_exec_options *o, const struct ct_oci_spec *s,
			struct ct_oci_process *p)
{
	char err[CT_OCI_ERR_MAX];
	cleanup_free char *text = NULL;
	size_t len;
	int r;

	if (o->process) {
		r = ct_read_file(o->process, PROCESS_FILE_MAX, &text, &len);
		if (r < 0)
			return log_error_errno(r, "--process %s", o->process);
		r = ct_oci_parse_process(text, len, o->process, p, err, sizeof(err));
		return r < 0 ? log_error_errno(r, "%s", err) : 0;
	}
	*p = (struct ct_oci_process){ .terminal = o->tty, .uid = s->process.uid,
				      .gid = s->process.gid,
				      .no_new_privileges = s->process.no_new_privileges };
	if (ct_strv_copy(o->argv, &p->args) < 0 || ct_strv_copy(s->process.env, &p->env) < 0 ||
	    !(p->cwd = strdup(s->process.cwd)))
		return log_error_errno(-ENOMEM, "exec");
	return 0;
}

static int apply_options(const struct ctrun_exec_options *o, struct ct_oci_process *p)
{
	unsigned long uid, gid;
	char *end;

	for (char *const *e = o->env; e && *e; e++)
		if (!strchr(*e, '=') || ct_strv_env_set(&p->env, *e) < 0)
			return ctrun_fail(-EINVAL, "--env '%s': expected KEY=VALUE", *e);
	if (o->cwd) {
		free(p->cwd);
		if (!(p->cwd = strdup(o->cwd)))
			return -ENOMEM;
	}
	if (o->user) {
		uid = strtoul(o->user, &end, 10);
		gid = *end == ':' ? strtoul(end + 1, &end, 10) : uid;
		if (end == o->user || *end || uid >= UINT32_MAX || gid >= UINT32_MAX)
			return ctrun_fail(-EINVAL, "--user '%s': expected UID[:GID]", o->user);
		p->uid = (uint32_t)uid;
		p->gid = (uint32_t)gid;
	}
	if (o->tty)
		p->terminal = true;
	return 0;
}

struct exec_run {
	const struct ctrun_container *c;
	const struct ct_oci_process *p;
	struct ctrun_confinement conf;
	struct ct_spawn_oci steps;    /* its rlimits, umask, oomScoreAdj */
	struct ct_spawn_rlimit *rlimits;
	int pidfd, ctl_fd, pid_pipe[2];
};

static _Noreturn void helper(struct exec_run *e)
{
	struct ct_confine confine = { .seccomp = e->conf.seccomp, .creds = &e->conf.creds,
				      .no_new_privs = e->conf.no_new_privs };
	struct ct_exec_spec x = { .what = "ctrun exec", .argv = e->p->args, .envp = e->p->env,
				  .cwd = e->p->cwd, .in_fd = e->p->terminal ? -1 : STDIN_FILENO,
				  .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO,
				  .ctl_fd = e->ctl_fd, .tty = e->p->terminal,
				  .pid_fd = e->pid_pipe[1], .detach = true, .oci = &e->steps };
	sigset_t none;

	sigemptyset(&none);
	if (ct_cgroup_attach(&e->c->cgroup, getpid(), true) < 0)
		_exit(CT_EXEC_SETUP_FAILED);
	ct_helper_exec(e->pidfd, e->conf.namespaces, &confine, &x, &none);
}

/* Forks the helper; returns the command's pid once it runs, or -errno. */
static pid_t start_command(struct exec_run *e)
{
	pid_t pid, cmd = 0;
	int st;

	if (pipe2(e->pid_pipe, O_CLOEXEC) < 0)
		return log_error_errno(-errno, "exec: pipe");
	pid = fork();
	if (pid == 0)
		helper(e);
	close(e->pid_pipe[1]);
	if (pid < 0)
		return log_error_errno(-errno, "exec: fork");
	if (read(e->pid_pipe[0], &cmd, sizeof(cmd)) != (ssize_t)sizeof(cmd))
		cmd = 0;
	close(e->pid_pipe[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return cmd > 0 ? cmd : ctrun_fail(-ECHILD, "exec: the process could not be started "
					       "in container %s", e->c->id);
}

static int run_exec(const struct ctrun_exec_options *o, struct exec_run *e)
{
	sigset_t set;
	pid_t cmd;
	int r;

	if (e->p->terminal && !o->console_socket)
		return ctrun_fail(-EINVAL, "exec with a terminal: --console-socket is needed");
	if (e->p->terminal && (e->ctl_fd = ctrun_console_connect(o->console_socket)) < 0)
		return e->ctl_fd;
	ctrun_block_forwarded(&set);
	/* The helper leaves the command to its nearest subreaper: without --detach, ctrun, which
	 * waits for it as run waits for init. */
	if (!o->detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return log_error_errno(-errno, "exec: becoming a subreaper");
	cmd = start_command(e);
	if (cmd < 0)
		return cmd;
	if (o->pid_file && (r = ctrun_write_pid_file(o->pid_file, cmd)) < 0)
		return r;
	return o->detach ? 0 : ctrun_wait_forwarding(cmd, &set);
}

int ctrun_exec(const char *root, const struct ctrun_exec_options *o)
{
	struct ctrun_container c;
	struct ct_oci_spec s = { 0 };
	struct ct_oci_process p = { 0 };
	struct exec_run e = { .c = &c, .p = &p, .pidfd = -1, .ctl_fd = -1 };
	char err[CT_OCI_ERR_MAX];
	int r = ctrun_find(root, o->id, &c);

	if (r < 0)
		return r;
	if (ctrun_status_of(&c) != CTRUN_RUNNING || ctrun_open_init(&c, &e.pidfd) < 0)
		return ctrun_fail(-ESRCH, "cannot exec in container %s: it is %s", o->id,
				       ctrun_status_name(ctrun_status_of(&c)));
	if ((r = ctrun_load_spec(&c, &s)) < 0 || (r = exec_process(o, &s, &p)) < 0 ||
	    (r = apply_options(o, &p)) < 0)
		goto out;
	r = ctrun_confinement(&s, &p, &e.conf, err, sizeof(err));
	if (r < 0)
		log_error_errno(r, "%s", err);
	else if ((r = ctrun_process_steps(&p, &e.steps, &e.rlimits)) < 0)
		log_error_errno(r, "exec");
	else
		r = run_exec(o, &e);
out:
	free(e.rlimits);
	ctrun_confinement_free(&e.conf);
	ct_close_fd(&e.ctl_fd);
	ct_close_fd(&e.pidfd);
	ct_oci_process_free(&p);
	ct_oci_free(&s);
	return r;
}
