/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ctrun kill ID [SIGNAL]`. Without the org.ct.shutdown-method annotation, exactly the named
 * signal is delivered (runtime-tools' semantics). With it, a conventional stop signal (TERM,
 * INT, PWR, RTMIN+3: what engines send) runs that method instead: the sysvinit initctl request,
 * signal 38 (SIGRTMIN+4) for systemd, the signal to ctinit (which passes it on) for an
 * application, the command for exec. Where the method cannot reach init (no initctl FIFO, a signal init would drop), that is
 * said on stderr and SIGKILL delivered: the engine then does not wait out its timeout for a stop
 * that was never going to happen. */
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SYSTEMD_POWEROFF (SIGRTMIN + 4) /* 38 */

int ctrun_signal_parse(const char *s)
{
	const char *name = strncmp(s, "SIG", 3) == 0 ? s + 3 : s;

	if (strcmp(name, "KILL") == 0 || strcmp(s, "9") == 0)
		return SIGKILL;
	if (strcmp(name, "STOP") == 0 || strcmp(s, "19") == 0)
		return SIGSTOP;
	return ct_signal_from_string(s);
}

static bool stop_signal(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGPWR || sig == SIGRTMIN + 3;
}

static int send_signal(const struct ctrun_container *c, int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return log_error_errno(-errno, "Failed to send signal %d to container %s", sig, c->id);
	return 0;
}

/* The method could not reach init: said, and SIGKILL in its place. */
static int fail_fast(const struct ctrun_container *c, int pidfd, const char *why)
{
	log_warning("container %s: %s: SIGKILL delivered instead of waiting for a stop that cannot "
		    "happen", c->id, why);
	return send_signal(c, pidfd, SIGKILL);
}

static int signal_unless_dropped(const struct ctrun_container *c, int pidfd, int sig)
{
	char why[128];

	if (ct_signal_is_handled(c->pid, sig) == 0) {
		snprintf(why, sizeof(why), "init has no handler for signal %d, which the kernel "
			 "drops for a PID 1", sig);
		return fail_fast(c, pidfd, why);
	}
	return send_signal(c, pidfd, sig);
}

static int sysvinit(const struct ctrun_container *c, int pidfd)
{
	sigset_t none;
	int st;
	pid_t pid;

	sigemptyset(&none);
	pid = fork();
	if (pid < 0)
		return log_error_errno(-errno, "Failed to fork the initctl helper");
	if (pid == 0)
		ct_helper_initctl(pidfd, c->userns, &none);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return log_error_errno(-errno, "Failed to wait for the initctl helper");
	if (WIFEXITED(st) && WEXITSTATUS(st) == CT_INITCTL_SENT)
		return 0;
	char why[160];
	snprintf(why, sizeof(why), "the runlevel 0 request through initctl failed (%s)",
		 WIFEXITED(st) ? ct_initctl_outcome_to_string(WEXITSTATUS(st)) : "helper killed");
	return fail_fast(c, pidfd, why);
}

/* init's stdout as it has it open (pidfd_getfd: the same open file, never a new open as the
 * host's root, which a container could aim at a host file or device through an O_PATH fd), or
 * /dev/null. */
static int init_stdout(int pidfd)
{
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, STDOUT_FILENO, 0);

	return fd >= 0 ? fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
}

/* The middle process: nothing of ctrun's stdio (an engine reads it until EOF: kill would last as
 * long as the command), the helper in the container's cgroup (its device policy and limits
 * apply to the command as to everything else of the container), then the wait. */
static _Noreturn void exec_middle(const struct ctrun_container *c, const struct ct_oci_spec *s,
				  int pidfd, char **command, const struct ctrun_confinement *conf)
{
	int out = init_stdout(pidfd), null = open("/dev/null", O_RDWR | O_CLOEXEC), st;
	struct ct_confine confine = { .seccomp = conf->seccomp, .creds = &conf->creds,
				      .no_new_privs = conf->no_new_privs };
	struct ct_exec_spec x = { .what = CTRUN_ANNOTATION_COMMAND, .argv = command,
				  .envp = s->process.env, .cwd = s->process.cwd, .in_fd = -1,
				  .out_fd = out, .err_fd = out, .ctl_fd = -1, .pid_fd = -1 };
	sigset_t none;
	pid_t helper;

	if (out < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		_exit(CT_EXEC_SETUP_FAILED);
	sigemptyset(&none);
	setsid();
	helper = fork();
	if (helper == 0) {
		if (ct_cgroup_attach(&c->cgroup, getpid(), true) < 0)
			_exit(CT_EXEC_SETUP_FAILED);
		ct_helper_exec(pidfd, conf->namespaces, &confine, &x, &none);
	}
	while (helper > 0 && waitpid(helper, &st, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* The shutdown command runs detached: kill returns at once, as with a signal, and the engine
 * waits for the container to stop. An intermediate process is the helper's parent (the helper
 * dies with its parent) for as long as the command runs; ctrun is not. Its output goes where
 * init's goes (the container's log), its stdin is /dev/null. */
static int exec_command(const struct ctrun_container *c, const struct ct_oci_spec *s, int pidfd,
			char **command)
{
	struct ctrun_confinement conf;
	char err[CT_OCI_ERR_MAX];
	int r = ctrun_confinement(s, &s->process, &conf, err, sizeof(err));
	pid_t pid;

	if (r < 0)
		return log_error_errno(r, "%s", err);
	pid = fork();
	if (pid == 0)
		exec_middle(c, s, pidfd, command, &conf);
	ctrun_confinement_free(&conf);
	if (pid < 0)
		return log_error_errno(-errno, "Failed to fork for %s", CTRUN_ANNOTATION_COMMAND);
	return 0;
}

static int graceful(const struct ctrun_container *c, const struct ct_oci_spec *s, int pidfd,
		    enum ct_shutdown_method m, char **command, int sig)
{
	switch (m) {
	case CT_SHUTDOWN_SYSVINIT:
		return sysvinit(c, pidfd);
	case CT_SHUTDOWN_SYSTEMD:
		return signal_unless_dropped(c, pidfd, SYSTEMD_POWEROFF);
	case CT_SHUTDOWN_EXEC:
		return exec_command(c, s, pidfd, command);
	default: /* application: ctinit is init, and passes the signal on to the process (the
		  * image's STOPSIGNAL: SIGINT is PostgreSQL's fast shutdown) */
		return signal_unless_dropped(c, pidfd, sig);
	}
}

/* --all: every process of the container's cgroups. */
static int signal_all(const struct ctrun_container *c, int sig)
{
	cleanup_free pid_t *pids = NULL;
	size_t n;
	int r = ctrun_pids(c, &pids, &n);

	if (r < 0)
		return log_error_errno(r, "Failed to list the processes of container %s", c->id);
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return log_error_errno(-errno, "Failed to send signal %d to %d", sig,
					       (int)pids[i]);
	return 0;
}

int ctrun_kill(const char *root, const char *id, int sig, bool all)
{
	struct ctrun_container c;
	struct ct_oci_spec s;
	cleanup_strv char **command = NULL;
	cleanup_close int pidfd = -1;
	enum ct_shutdown_method m = CT_SHUTDOWN_UNSET;
	enum ctrun_status st;
	char err[CT_OCI_ERR_MAX];
	int r = ctrun_find(root, id, &c);

	if (r < 0)
		return r;
	st = ctrun_status_of(&c);
	if (st == CTRUN_STOPPED || st == CTRUN_CREATING || ctrun_open_init(&c, &pidfd) < 0)
		return ctrun_fail(-ESRCH, "container not running: %s", id); /* containerd matches the words */
	if (all)
		return signal_all(&c, sig);
	if (!stop_signal(sig) || (st != CTRUN_RUNNING && st != CTRUN_PAUSED))
		return send_signal(&c, pidfd, sig);
	if (c.method == CT_SHUTDOWN_UNSET)
		return send_signal(&c, pidfd, sig);
	if ((r = ctrun_load_spec(&c, &s)) < 0)
		return r;
	r = ctrun_method(ct_shutdown_method_to_string(c.method), c.command[0] ? c.command : NULL,
			 c.dir, &m, &command, err, sizeof(err));
	if (r < 0)
		log_error_errno(r, "%s", err);
	else
		r = graceful(&c, &s, pidfd, m, command, sig);
	ct_oci_free(&s);
	return r;
}
