/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --console-socket: the engine's UNIX socket, to which the pty master of a process with a
 * terminal is sent (SCM_RIGHTS), as runc does. */
#include "ctrun-internal.h"

#include "common/log.h"
#include "common/util.h"

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
	int fd = ctrun_console_connect(path), r;

	if (fd < 0)
		return fd;
	r = ct_send_fd(fd, master_fd);
	close(fd);
	return r < 0 ? log_error_errno(r, "Failed to send the terminal to %s", path) : 0;
}
