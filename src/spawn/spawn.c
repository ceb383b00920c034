/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's side of starting init: clone3 with CLONE_PIDFD (falling back to clone with
 * CLONE_PIDFD on kernels without clone3) and reading the child's setup report. */
#include "spawn.h"

#include "common/macro.h"

#include <errno.h>
#include <stdio.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* cgroup_fd >= 0 places the child in that cgroup from its first instruction. */
static pid_t clone_with_pidfd(unsigned long flags, int cgroup_fd, int *ret_pidfd)
{
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
		.pidfd = (uint64_t)(uintptr_t)ret_pidfd,
		.exit_signal = SIGCHLD,
		.cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));

	/* Before Linux 5.3 (x86-64 argument order); without clone3 there is no cgroup placement,
	 * which needs 5.7 anyway. */
	if (pid < 0 && errno == ENOSYS)
		pid = (pid_t)syscall(SYS_clone, flags | CLONE_PIDFD | SIGCHLD, NULL, ret_pidfd, NULL,
				     NULL);
	return pid;
}

pid_t ct_fork_pidfd(int *ret_pidfd)
{
	return clone_with_pidfd(0, -1, ret_pidfd);
}

int ct_spawn(const struct ct_spawn_plan *p, int *ret_pidfd, pid_t *ret_pid, int *ret_sync_fd)
{
	int sv[2];
	int pidfd = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = clone_with_pidfd(p->config->namespaces | (p->userns ? CLONE_NEWUSER : 0), p->cgroup_fd,
			       &pidfd);
	if (pid < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		ct_child_run(p, sv[1]);
	}
	close(sv[1]);
	*ret_pidfd = pidfd;
	*ret_pid = pid;
	*ret_sync_fd = sv[0];
	return 0;
}

int ct_spawn_go(int sync_fd, const struct ct_spawn_fds *fds)
{
	char go[1 + CT_MOUNTS_MAX] = { 'g' };
	struct iovec iov = { .iov_base = go, .iov_len = sizeof(go) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * CT_SPAWN_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t size = sizeof(int) * fds->n;

	if (fds->n > CT_SPAWN_FDS_MAX)
		return -E2BIG;
	memcpy(go + 1, fds->missing, sizeof(fds->missing));
	if (fds->n) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(size);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(size);
		memcpy(CMSG_DATA(cm), fds->fd, size);
	}
	return sendmsg(sync_fd, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(go) ? 0 : -errno;
}

int ct_spawn_read_report(int sync_fd, enum ct_spawn_news *ret_news, struct ct_setup_report *ret)
{
	struct ct_setup_report rep;
	ssize_t n;

	do
		n = recv(sync_fd, &rep, sizeof(rep), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0) {
		*ret_news = CT_SPAWN_EOF;
		return 0;
	}
	if ((size_t)n != sizeof(rep) || rep.step >= CT_STEP_COUNT_ || rep.error > 0)
		return -EBADMSG;
	if (rep.error == 0) {
		*ret_news = CT_SPAWN_ABOUT_TO_EXEC;
		return rep.step == CT_STEP_EXEC ? 0 : -EBADMSG;
	}
	rep.detail[sizeof(rep.detail) - 1] = '\0';
	*ret = rep;
	*ret_news = CT_SPAWN_FAILED;
	return 0;
}

void ct_setup_step(struct ct_setup_report *rep, enum ct_step s, const char *detail)
{
	rep->step = s;
	snprintf(rep->detail, sizeof(rep->detail), "%s", detail ? detail : "");
}

const char *ct_step_to_string(enum ct_step s)
{
	static const char *const names[] = {
		"none", "pdeathsig", "cgroup", "ids", "mount-private", "bind-rootfs", "mount-proc", "mount-sys",
		"mount-dev", "dev-nodes", "mount-devpts", "console", "mount", "pivot_root",
		"hostname", "loopback", "signals", "seccomp", "capabilities", "no_new_privs",
		"user", "oci", "exec",
	};

	_Static_assert(sizeof(names) / sizeof(names[0]) == CT_STEP_COUNT_, "a name per step");
	return (unsigned)s < CT_STEP_COUNT_ ? names[s] : "unknown";
}
