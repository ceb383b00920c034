/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asking a sysvinit guest to change runlevel through its initctl FIFO, without ever asking the
 * host: the FIFO must be a FIFO, reached without following symlinks, and not the host's own. */
#pragma once

#include <stddef.h>
#include <sys/stat.h>

#define CT_INITCTL_REQUEST_SIZE 384
#define CT_INITCTL_MAGIC 0x03091969
#define CT_INITCTL_CMD_RUNLVL 1

/* Outcomes, also the exit codes of the helper that sends the request. */
enum ct_initctl_outcome {
	CT_INITCTL_SENT = 0,
	CT_INITCTL_NO_FIFO = 10,   /* neither /run/initctl nor /dev/initctl exists */
	CT_INITCTL_NO_READER = 11, /* a FIFO, but init does not have it open */
	CT_INITCTL_HOST_FIFO = 12, /* it is the host's own FIFO: refused */
	CT_INITCTL_NOT_FIFO = 13,  /* not a FIFO (or a symlink) */
	CT_INITCTL_WRITE_FAILED = 14,
	CT_INITCTL_JOIN_FAILED = 15, /* could not enter the container's mount namespace */
};

/* The host's initctl files, stat'ed before joining the container; st_ino 0 when absent. */
struct ct_initctl_host {
	struct stat run, dev;
};

/* Fills buf with a runlevel request (struct init_request of sysvinit, native byte order). */
void ct_initctl_request(unsigned char buf[CT_INITCTL_REQUEST_SIZE], char runlevel);
void ct_initctl_host_stat(struct ct_initctl_host *host);
/* Opens the FIFO in the current mount namespace and writes the request. */
enum ct_initctl_outcome ct_initctl_send(const struct ct_initctl_host *host, char runlevel);
const char *ct_initctl_outcome_to_string(int outcome);
