/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Commands run inside a running container: the exec shutdown method and ctexec sessions. The
 * helper is forked by the monitor into the container's cgroup; here, still in the host's pid
 * namespace where no guest sees it, it joins the container, keeps only its stdio and session
 * socket, looks up the user in the container's files, opens the session's pty in the container's
 * devpts, and is confined as init is. Only then does it fork the command, which is born inside
 * the container already sealed; the helper waits for it, forwards the session's signals, and
 * ends as it ended. */
#include "helper-internal.h"
#include "rootfs-internal.h"

#include "common/util.h"
#include "exec-user.h"
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define CTL_FD 3 /* the session socket, once everything else is closed */
#define PID_FD 4 /* where the command's pid is told (close-on-exec) */
#define HANGUP_GRACE_MS 10000
#define PTMX_MAJOR 5
#define PTMX_MINOR 2

static _Noreturn void fail(const struct ct_exec_spec *x, const char *step, int r)
{
	fprintf(stderr, "%s: %s: %s\n", x->what, step, strerror(-r));
	_exit(CT_EXEC_SETUP_FAILED);
}

/* Nothing of the monitor's past first reaches the container, even where close_range() is
 * missing (before 5.9) or refused by a filter the monitor itself runs under. */
static void close_from(int first)
{
	if (syscall(SYS_close_range, first, ~0U, 0) == 0)
		return;
	for (int fd = first; fd < 65536; fd++)
		close(fd);
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

/* stdin from in_fd or /dev/null; stdout and stderr to out_fd and err_fd where given. The helper
 * leaves the monitor's session: nothing of the operator's terminal, not even as a controlling
 * terminal (/dev/tty), stays with it. */
static int own_stdio(const struct ct_exec_spec *x)
{
	int in = x->in_fd >= 0 ? x->in_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return -errno;
	if (dup2(in, STDIN_FILENO) < 0 || (x->out_fd >= 0 && dup2(x->out_fd, STDOUT_FILENO) < 0) ||
	    (x->err_fd >= 0 && dup2(x->err_fd, STDERR_FILENO) < 0))
		return -errno;
	if (setsid() < 0)
		return -errno;
	/* The session socket at CTL_FD, the pid's pipe at PID_FD, each by way of a copy above both
	 * (neither may clobber the other), then nothing else (init's pidfd is used up by then). */
	int ctl = x->ctl_fd >= 0 ? fcntl(x->ctl_fd, F_DUPFD_CLOEXEC, PID_FD + 1) : -1;
	int pid = x->pid_fd >= 0 ? fcntl(x->pid_fd, F_DUPFD_CLOEXEC, PID_FD + 1) : -1;

	if ((x->ctl_fd >= 0 && (ctl < 0 || dup2(ctl, CTL_FD) < 0)) ||
	    (x->pid_fd >= 0 && (pid < 0 || dup2(pid, PID_FD) < 0 ||
				fcntl(PID_FD, F_SETFD, FD_CLOEXEC) < 0)))
		return -errno;
	return 0;
}

/* Every fd past stdio but the session socket and the pid's pipe. */
static void close_others(const struct ct_exec_spec *x)
{
	close_from(x->pid_fd >= 0 ? PID_FD + 1 : CTL_FD + 1);
	if (x->ctl_fd < 0)
		close(CTL_FD);
}

/* A pty in the container's own devpts (its /dev/ptmx, which must be the pty multiplexer: the
 * guest controls /dev), the slave the user's; the master goes to the client. */
static int open_pty(int root_fd, const struct ct_exec_spec *x, uid_t uid, int *ret_slave)
{
	struct winsize ws = { .ws_row = x->rows, .ws_col = x->cols };
	int unlock = 0, slave, r;
	struct stat st;
	int master = ct_inroot_open(root_fd, "/dev/ptmx", O_RDWR | O_NOCTTY, CT_INROOT_FOLLOW);

	if (master < 0)
		return master;
	if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != PTMX_MAJOR ||
	    minor(st.st_rdev) != PTMX_MINOR) {
		close(master);
		return -ENOTTY;
	}
	r = ioctl(master, TIOCSPTLCK, &unlock) < 0 ? -errno : 0;
	slave = r < 0 ? -1 : ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 && r == 0)
		r = -errno;
	if (r == 0 && ((uid != 0 && fchown(slave, uid, (gid_t)-1) < 0) ||
		       (ws.ws_row && ioctl(master, TIOCSWINSZ, &ws) < 0)))
		r = -errno;
	if (r == 0)
		r = ct_send_fd(CTL_FD, master);
	close(master);
	if (r < 0) {
		if (slave >= 0)
			close(slave);
		return r;
	}
	*ret_slave = slave;
	return 0;
}

static int switch_user(const struct ct_exec_user *u)
{
	if (setgroups(u->n_groups, u->groups) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0)
		return -errno;
	if (setenv("HOME", u->home, 1) < 0 ||
	    (u->name[0] && (setenv("USER", u->name, 1) < 0 || setenv("LOGNAME", u->name, 1) < 0)))
		return -errno;
	return 0;
}

/* In the container's namespaces, before the command exists: user, pty, confinement, cwd. */
static void enter(const struct ct_exec_spec *x, const struct ct_confine *confine, int *ret_slave)
{
	struct ct_exec_user u = { .home = "/" };
	enum ct_step step;
	int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (root_fd < 0)
		fail(x, "the container's root", -errno);
	if (x->user && x->user[0] && (r = ct_exec_user_resolve(root_fd, x->user, &u)) < 0) {
		fprintf(stderr, "%s: user '%s': %s\n", x->what, x->user,
			r == -ENOENT ? "not in the container's /etc/passwd"
				     : "expected a name, UID or UID:GID");
		_exit(CT_EXEC_SETUP_FAILED);
	}
	*ret_slave = -1;
	if (x->tty && (r = open_pty(root_fd, x, confine->creds ? confine->creds->uid : u.uid,
				    ret_slave)) < 0)
		fail(x, "a pty in the container's /dev/ptmx", r);
	close(root_fd);
	r = ct_confine_apply(confine, &step);
	if (r < 0)
		fail(x, ct_step_to_string(step), r);
	if (x->user && x->user[0] && (r = switch_user(&u)) < 0)
		fail(x, "becoming the user (the container's capabilities must allow setuid/setgid)", r);
	if (chdir(x->cwd && x->cwd[0] ? x->cwd : "/") < 0)
		fail(x, x->cwd && x->cwd[0] ? x->cwd : "/", -errno);
}

/* The command's process, inside: a session of its own, the pty as controlling terminal. */
static _Noreturn void run(const struct ct_exec_spec *x, int slave)
{
	setsid();
	if (slave >= 0 && (ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, STDIN_FILENO) < 0 ||
			   dup2(slave, STDOUT_FILENO) < 0 || dup2(slave, STDERR_FILENO) < 0))
		fail(x, "the pty", -errno);
	if (x->ctl_fd >= 0)
		close(CTL_FD);
	execvp(x->argv[0], x->argv); /* PATH from environ: the container's */
	fprintf(stderr, "%s: %s: %s\n", x->what, x->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Once, never twice (a trap would run twice): to the command's process group once the command
 * leads it, to the command alone before its setsid() right after the fork (no group of that id
 * exists yet). A session leader never changes its group, so a setsid() between the check and
 * the kill still gets the signal only once. */
static void signal_command(pid_t pid, int sig)
{
	kill(getpgid(pid) == pid ? -pid : pid, sig);
}

/* The session socket carries signals (an int each) for the command's process group; its end
 * (the client gone) is a hangup, and what ignores it is killed HANGUP_GRACE_MS later: a session
 * without a client never holds its slot for good. */
static _Noreturn void serve(pid_t pid, int pidfd)
{
	struct pollfd p[2] = { { .fd = CTL_FD, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

	for (;;) {
		int sig, n = poll(p, 2, p[0].fd < 0 ? HANGUP_GRACE_MS : -1);

		if (n < 0 && errno != EINTR)
			break;
		if (n == 0) { /* hung up, and still there */
			signal_command(pid, SIGKILL);
			break;
		}
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		ssize_t got = recv(CTL_FD, &sig, sizeof(sig), MSG_DONTWAIT);

		if (got == (ssize_t)sizeof(sig) && sig > 0 && sig < NSIG) {
			signal_command(pid, sig);
		} else if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
			signal_command(pid, SIGHUP);
			signal_command(pid, SIGCONT);
			p[0].fd = -1;
		}
	}
	exit_like(pid);
}

_Noreturn void ct_helper_exec(int init_pidfd, unsigned long namespaces,
			      const struct ct_confine *confine, const struct ct_exec_spec *x,
			      const sigset_t *mask)
{
	int r, slave, pidfd;
	pid_t pid;

	ct_helper_prepare(mask);
	/* Out of the way of the fds own_stdio() puts in place */
	if (init_pidfd <= PID_FD && (init_pidfd = fcntl(init_pidfd, F_DUPFD_CLOEXEC, PID_FD + 1)) < 0)
		fail(x, "init's pidfd", -errno);
	r = own_stdio(x);
	if (r < 0)
		fail(x, "stdio", r);
	/* An OCI process's rlimits, umask, oomScoreAdj: the command inherits them. Before the
	 * join: /proc/self is ours only in the host's /proc (the container's pid namespace is
	 * joined for children, not for the helper). */
	if (x->oci) {
		struct ct_setup_report rep;
		if ((r = ct_spawn_oci_process(x->oci, &rep)) < 0)
			fail(x, rep.detail, r);
	}
	r = ct_helper_join(init_pidfd, namespaces);
	if (r < 0)
		fail(x, "joining the container", r);
	close_others(x);
	environ = (char **)x->envp; /* -u adds HOME, USER, LOGNAME */
	enter(x, confine, &slave);
	/* Joining the pid namespace only affects children: the command runs in a second fork, as
	 * a process of the container, and dies with it. */
	pid = ct_fork_pidfd(&pidfd);
	if (pid < 0)
		fail(x, "fork", -errno);
	if (pid == 0)
		run(x, slave);
	if (slave >= 0)
		close(slave);
	if (x->pid_fd >= 0 && write(PID_FD, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		fail(x, "telling the command's pid", -errno);
	if (x->detach)
		_exit(0);
	if (x->ctl_fd >= 0)
		serve(pid, pidfd);
	exit_like(pid);
}
