/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sysvinit initctl request and its careful delivery. Runs in a forked helper that has joined
 * the container's mount namespace, never in the monitor. */
#include "initctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static const char *const fifos[] = { "/run/initctl", "/dev/initctl" };

void ct_initctl_request(unsigned char buf[CT_INITCTL_REQUEST_SIZE], char runlevel)
{
	/* struct init_request { int magic, cmd, runlevel, sleeptime; char data[368]; } */
	int32_t head[4] = { CT_INITCTL_MAGIC, CT_INITCTL_CMD_RUNLVL, runlevel, 0 };

	memset(buf, 0, CT_INITCTL_REQUEST_SIZE);
	memcpy(buf, head, sizeof(head));
}

void ct_initctl_host_stat(struct ct_initctl_host *host)
{
	memset(host, 0, sizeof(*host));
	stat(fifos[0], &host->run);
	stat(fifos[1], &host->dev);
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return b->st_ino != 0 && a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static enum ct_initctl_outcome write_request(int fd, const struct ct_initctl_host *host,
					     char runlevel)
{
	unsigned char req[CT_INITCTL_REQUEST_SIZE];
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return CT_INITCTL_NOT_FIFO;
	if (same_file(&st, &host->run) || same_file(&st, &host->dev))
		return CT_INITCTL_HOST_FIFO;
	ct_initctl_request(req, runlevel);
	/* A pipe write of at most PIPE_BUF bytes is atomic: all or nothing. */
	return write(fd, req, sizeof(req)) == (ssize_t)sizeof(req) ? CT_INITCTL_SENT
								   : CT_INITCTL_WRITE_FAILED;
}

enum ct_initctl_outcome ct_initctl_send(const struct ct_initctl_host *host, char runlevel)
{
	enum ct_initctl_outcome best = CT_INITCTL_NO_FIFO;

	for (size_t i = 0; i < sizeof(fifos) / sizeof(fifos[0]); i++) {
		/* O_NONBLOCK: no reader is ENXIO at once, not a hang. O_NOFOLLOW: a symlink in the
		 * guest could point anywhere, the host's FIFO included. */
		int fd = open(fifos[i], O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			if (errno == ENXIO)
				best = CT_INITCTL_NO_READER;
			else if (errno == ELOOP && best == CT_INITCTL_NO_FIFO)
				best = CT_INITCTL_NOT_FIFO;
			continue;
		}
		enum ct_initctl_outcome o = write_request(fd, host, runlevel);
		close(fd);
		if (o == CT_INITCTL_SENT || o == CT_INITCTL_HOST_FIFO)
			return o;
		best = o;
	}
	return best;
}

const char *ct_initctl_outcome_to_string(int outcome)
{
	switch (outcome) {
	case CT_INITCTL_SENT: return "runlevel 0 requested through the initctl FIFO";
	case CT_INITCTL_NO_FIFO: return "no FIFO at /run/initctl or /dev/initctl";
	case CT_INITCTL_NO_READER: return "initctl FIFO has no reader (init is not listening)";
	case CT_INITCTL_HOST_FIFO: return "refused: the FIFO is the host's own initctl";
	case CT_INITCTL_NOT_FIFO: return "initctl is not a FIFO";
	case CT_INITCTL_WRITE_FAILED: return "writing the request to the initctl FIFO failed";
	case CT_INITCTL_JOIN_FAILED: return "could not join the container's mount namespace";
	default: return "the initctl helper failed";
	}
}
