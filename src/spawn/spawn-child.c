/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child between clone and exec: parent-death signal with the race re-check, rootfs, hostname,
 * loopback, signal state, and exec. No allocation happens here; a failing step is reported to the
 * parent as {step, -errno, detail} and the child exits. */
#include "rootfs-internal.h"

#include "config/config.h"
#include "seccomp/seccomp-profile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* PDEATHSIG only fires for a parent that dies after it is set; if the parent already died, its end
 * of the sync socket is closed, which poll() reports as a hangup. */
static int set_pdeathsig(int sync_fd)
{
	struct pollfd pfd = { .fd = sync_fd, .events = 0 };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -errno;
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLHUP))
		return -ESRCH;
	return 0;
}

/* Nothing may run before the parent has put us in every cgroup (init's children inherit ours)
 * and written our id maps; its go brings the mounts it made for us. */
static int wait_go(int sync_fd, struct ct_spawn_fds *fds)
{
	char go[1 + CT_MOUNTS_MAX];
	struct iovec iov = { .iov_base = go, .iov_len = sizeof(go) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * CT_SPAWN_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	do
		n = recvmsg(sync_fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(go))
		return n == 0 ? -ESRCH : n < 0 ? -errno : -EBADMSG;
	memcpy(fds->missing, go + 1, sizeof(fds->missing));
	fds->n = 0;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
		fds->n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds->fd, CMSG_DATA(cm), fds->n * sizeof(int));
	}
	return (mh.msg_flags & MSG_CTRUNC) ? -EBADMSG : 0;
}

/* A terminal (a daemon's console) is all three, a pipe (its log) stdout and stderr. */
static int set_stdio(int fd)
{
	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0 ||
	    (isatty(fd) && dup2(fd, STDIN_FILENO) < 0))
		return -errno;
	return 0;
}

int ct_spawn_become_root(void)
{
	if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* In a new user namespace we start as the unmapped host root: become the container's root
 * (the parent has written the maps by now). A credential change clears the parent-death
 * signal, so it is set again. */
static int become_root(const struct ct_spawn_plan *p, int sync_fd)
{
	int r = ct_spawn_become_root();

	return r < 0 || p->oci ? r : set_pdeathsig(sync_fd);
}

/* Init leads a session of its own: the operator's terminal is never its controlling terminal
 * (no /dev/tty into ctstart's session). With a terminal, the pty slave replaces each of its stdio
 * fds that is a terminal (a file or pipe stays as it is: `ctstart ... <file` reads the file); it
 * is not init's controlling terminal: the kernel never gives init its console as one either (a
 * Ctrl-C typed there would be SIGINT to init, which sysvinit takes for Ctrl-Alt-Del). ctinit
 * gives it to the application it runs. */
static int new_session(int tty_fd)
{
	if (setsid() < 0)
		return -errno;
	if (tty_fd < 0)
		return 0;
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (isatty(fd) && dup2(tty_fd, fd) < 0)
			return -errno;
	return 0;
}

static int loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = 0;

	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (r == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		r = -errno;
	close(fd);
	return r;
}

int ct_signals_reset(const sigset_t *mask)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	return sigprocmask(SIG_SETMASK, mask, NULL) < 0 ? -errno : 0;
}

static int set_hostname(const struct ct_spawn_plan *p)
{
	if (!(p->config->namespaces & CLONE_NEWUTS))
		return 0;
	return sethostname(p->hostname, strlen(p->hostname)) < 0 ? -errno : 0;
}

/* Nothing of the monitor's may leak into the container: every fd past stdio is closed at exec,
 * including ones ctstart inherited without O_CLOEXEC. */
static void cloexec_from_3(void)
{
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	for (int fd = 3; fd < 65536; fd++) /* before Linux 5.11 */
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int do_exec(const struct ct_spawn_plan *p, const char *path)
{
	if (p->exec_fd >= 0)
		syscall(SYS_execveat, p->exec_fd, "", p->argv, p->envp, AT_EMPTY_PATH);
	else
		execve(path, p->argv, p->envp);
	return -errno;
}

/* An OCI process's user: the bounding set is cut while root may, the ids switched keeping the
 * permitted set, then every set made exactly the process's. */
static int become(const struct ct_creds *c, enum ct_step *ret_step)
{
	int r;

	*ret_step = CT_STEP_CAPS;
	if ((r = ct_caps_drop_bounding(c->caps.bounding)) < 0)
		return r;
	*ret_step = CT_STEP_USER;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(c->n_groups, c->groups) < 0 ||
	    setresgid(c->gid, c->gid, c->gid) < 0 || setresuid(c->uid, c->uid, c->uid) < 0 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	*ret_step = CT_STEP_CAPS;
	return ct_caps_apply_sets(&c->caps);
}

/* The filters go first, while CAP_SYS_ADMIN still lets them load without no_new_privs; a profile
 * that forbids capset or prctl would make the next steps fail, and says so by their name.
 * Privileged mode's filter goes last: of two errno actions the last installed wins, and its
 * ENOSYS for the new mount API must (so that software falls back to mount(2)). */
int ct_confine_apply(const struct ct_confine *c, enum ct_step *ret_step)
{
	int r;

	*ret_step = CT_STEP_SECCOMP;
	if (c->seccomp && (r = ct_seccomp_install(c->seccomp)) < 0)
		return r;
	if (c->privileged && (r = ct_seccomp_install(c->privileged)) < 0)
		return r;
	if (c->creds) {
		r = become(c->creds, ret_step);
	} else {
		*ret_step = CT_STEP_CAPS;
		r = ct_caps_apply(c->caps_keep);
	}
	if (r < 0)
		return r;
	*ret_step = CT_STEP_NO_NEW_PRIVS;
	if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Waits for the monitor's go, takes the stdio and session, enters and sets up the rootfs. */
static int child_enter(const struct ct_spawn_plan *p, int sync_fd, struct ct_spawn_fds *fds,
		       struct ct_setup_report *rep)
{
	int r;

	/* ctrun's child outlives `ctrun create`, which is gone once it has told its caller. */
	ct_setup_step(rep, CT_STEP_PDEATHSIG, NULL);
	if (!p->oci && (r = set_pdeathsig(sync_fd)) < 0)
		return r;
	ct_setup_step(rep, CT_STEP_CGROUP, NULL);
	if ((r = wait_go(sync_fd, fds)) < 0)
		return r;
	ct_setup_step(rep, CT_STEP_CONSOLE, "stdout");
	if (p->stdio_fd >= 0 && (r = set_stdio(p->stdio_fd)) < 0)
		return r;
	ct_setup_step(rep, CT_STEP_CONSOLE, "session");
	if ((r = new_session(p->tty_fd)) < 0 ||
	    (p->oci && p->oci->ctty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0 && (r = -errno)) ||
	    (r = ct_rootfs_enter(p, fds, rep)) < 0)
		return r;
	ct_setup_step(rep, CT_STEP_IDS, NULL);
	if (p->userns && (r = become_root(p, sync_fd)) < 0)
		return r;
	return ct_rootfs_setup(p, fds, rep);
}

/* Hostname, loopback, the confinement and the signal state init starts with. */
static int child_confine(const struct ct_spawn_plan *p, struct ct_setup_report *rep)
{
	enum ct_step failed;
	int r;

	ct_setup_step(rep, CT_STEP_HOSTNAME, p->hostname);
	if ((r = set_hostname(p)) < 0)
		return r;
	ct_setup_step(rep, CT_STEP_LOOPBACK, "lo");
	if ((p->config->namespaces & CLONE_NEWNET) && (r = loopback_up()) < 0)
		return r;
	if (p->oci && (r = ct_spawn_oci_process(p->oci, rep)) < 0)
		return r;
	if ((r = ct_confine_apply(&p->confine, &failed)) < 0) {
		ct_setup_step(rep, failed, NULL);
		return r;
	}
	/* As the process's user: a directory it may not enter fails here, as runc's does. */
	ct_setup_step(rep, CT_STEP_OCI, p->oci ? p->oci->cwd : NULL);
	if (p->oci && p->oci->cwd && chdir(p->oci->cwd) < 0)
		return -errno;
	ct_setup_step(rep, CT_STEP_SIGNALS, NULL);
	return ct_signals_reset(&p->child_mask);
}

/* ctrun's child, set up, waits for `ctrun start`; its parent (`ctrun create`) is gone by then,
 * and so is the sync socket's use: what fails from here on is said on its stderr, as runc's
 * does. */
static int oci_wait(const struct ct_spawn_plan *p, int sync_fd)
{
	int r = ct_spawn_oci_wait(p->oci);

	close(sync_fd);
	return r;
}

static int child_setup(const struct ct_spawn_plan *p, int sync_fd, struct ct_setup_report *rep,
		       bool *ret_started)
{
	struct ct_spawn_fds fds;
	char path[4096];
	int r;

	prctl(PR_SET_NAME, CT_SETUP_COMM);
	if ((r = child_enter(p, sync_fd, &fds, rep)) < 0 || (r = child_confine(p, rep)) < 0)
		return r;
	/* Before the marker: a profile that kills close_range must fail the start, not follow it. */
	cloexec_from_3();
	/* "About to exec": EOF after this means exec succeeded; EOF without it means the child
	 * died during setup (killed from outside, say), which must not pass for a start. Only the
	 * exec itself is left; if the child dies in it, it still bears the name set at the start
	 * of setup (the monitor looks, see ct_monitor_sync()). */
	ct_setup_step(rep, CT_STEP_EXEC, p->argv[0]);
	/* An OCI process's command is looked up in its own PATH: one not found fails `create`
	 * (with ctinit as init, the command after its "--"). */
	if (p->oci && (r = ct_spawn_oci_lookup(p->exec_fd < 0 ? p->argv[0] : p->argv[2], p->envp,
					       path, sizeof(path))) < 0)
		return r;
	/* write(), not send(): a seccomp profile may deny sendto, and this runs under it. */
	if (write(sync_fd, rep, sizeof(*rep)) < 0)
		return -errno;
	if (p->oci && (r = oci_wait(p, sync_fd)) < 0)
		return r;
	*ret_started = p->oci;
	return do_exec(p, p->oci ? path : p->argv[0]); /* only on failure */
}

_Noreturn void ct_child_run(const struct ct_spawn_plan *p, int sync_fd)
{
	struct ct_setup_report rep = { 0 };
	bool started = false;
	int r = child_setup(p, sync_fd, &rep, &started);

	if (started) {
		dprintf(STDERR_FILENO, "ctrun: exec %s: %s\n", p->argv[0], strerror(-r));
		_exit(r == -ENOENT ? 127 : 126);
	}

	rep.error = r < 0 ? r : -EIO;
	if (write(sync_fd, &rep, sizeof(rep)) < 0)
		_exit(125);
	_exit(rep.step == CT_STEP_EXEC ? (r == -ENOENT ? 127 : 126) : 125);
}
