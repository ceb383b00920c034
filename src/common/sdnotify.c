/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify without libsystemd: see sdnotify.h. */
#include "sdnotify.h"

#include "log.h"


#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_un addr;
static socklen_t addr_len;

bool ct_sd_notify_init(bool keep)
{
	const char *s = getenv("NOTIFY_SOCKET");
	size_t n = s ? strlen(s) : 0;

	addr_len = 0;
	if (keep && n >= 2 && n < sizeof(addr.sun_path) && (s[0] == '/' || s[0] == '@')) {
		addr = (struct sockaddr_un){ .sun_family = AF_UNIX };
		memcpy(addr.sun_path, s, n);
		if (s[0] == '@')
			addr.sun_path[0] = '\0';
		addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (s[0] == '/'));
	}
	if (keep && s && !addr_len)
		log_warning("NOTIFY_SOCKET='%s' is neither a path nor an abstract name (@...) that fits "
			    "a socket address: the service manager will not hear from us", s);
	unsetenv("NOTIFY_SOCKET");
	return addr_len != 0;
}

bool ct_sd_notify_enabled(void)
{
	return addr_len != 0;
}

int ct_sd_notify(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int fd, n, r = 0;

	if (!addr_len)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EMSGSIZE;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Never wait on the service manager from the monitor's loop: a full queue loses a status. */
	if (sendto(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&addr,
		   addr_len) < 0)
		r = -errno;
	close(fd);
	return r;
}
