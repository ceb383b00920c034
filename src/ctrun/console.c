/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --console-socket: the engine's UNIX socket, to which the pty master of a process with a
 * terminal is sent (SCM_RIGHTS), as runc does. */
#include "ctrun-internal.h"

#include "common/log.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int ctrun_console_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(-ENAMETOOLONG, "--console-socket %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		if (fd >= 0)
			close(fd);
		return log_error_errno(r, "Failed to connect to the console socket %s", path);
	}
	return fd;
}

int ctrun_console_send(const char *path, int master_fd)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl = { 0 };
	char name[] = "/dev/ptmx";
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
	int fd = ctrun_console_connect(path), r = 0;

	if (fd < 0)
		return fd;
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &master_fd, sizeof(int));
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		r = log_error_errno(-errno, "Failed to send the terminal to %s", path);
	close(fd);
	return r;
}
