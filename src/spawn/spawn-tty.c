/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's terminal when ctstart has one: a devpts instance of the container's own, made
 * here like its /dev, a pty pair allocated in it, and the slave's node as a detached mount for
 * /dev/console. The slave replaces init's stdio fds that are terminals; the monitor keeps the
 * master and relays it to the operator's terminal (monitor-tty.c), so no process of the
 * container ever holds the operator's terminal. */
#include "spawn.h"

#include "common/macro.h"
#include "mount-fd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define PTYS_MAX 1024

static int new_devpts(gid_t tty_gid, int *ret_fd)
{
	char data[64];

	/* max=: made in the host's mount namespace, the instance could draw on the ptys the kernel
	 * keeps for the host (kernel.pty.reserve) */
	snprintf(data, sizeof(data), "ptmxmode=0666,mode=0620,gid=%u,max=%u", (unsigned)tty_gid,
		 PTYS_MAX);
	return ct_mnt_new("devpts", "devpts", data, MS_NOSUID | MS_NOEXEC, ret_fd);
}

/* A pty pair in that instance; the slave belongs to the container's root and tty group. */
static int open_pair(int devpts, uid_t uid, gid_t tty_gid, struct ct_spawn_tty *t)
{
	int unlock = 0, n;
	char name[16];

	t->master_fd = openat(devpts, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (t->master_fd < 0)
		return -errno;
	if (ioctl(t->master_fd, TIOCSPTLCK, &unlock) < 0 || ioctl(t->master_fd, TIOCGPTN, &n) < 0)
		return -errno;
	t->slave_fd = ioctl(t->master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave_fd < 0)
		return -errno;
	if (fchown(t->slave_fd, uid, tty_gid) < 0 || fchmod(t->slave_fd, 0620) < 0)
		return -errno;
	snprintf(name, sizeof(name), "%d", n);
	return ct_mnt_clone(devpts, name, false, &t->console_fd);
}

int ct_spawn_tty(uid_t uid, gid_t tty_gid, struct ct_spawn_tty *ret)
{
	struct ct_spawn_tty t = { .devpts_fd = -1, .master_fd = -1, .slave_fd = -1,
				  .console_fd = -1 };
	int r = new_devpts(tty_gid, &t.devpts_fd);

	if (r >= 0)
		r = open_pair(t.devpts_fd, uid, tty_gid, &t);
	if (r < 0) {
		ct_spawn_tty_close(&t);
		return r;
	}
	*ret = t;
	return 0;
}

void ct_spawn_tty_close(struct ct_spawn_tty *t)
{
	ct_close_fd(&t->devpts_fd);
	ct_close_fd(&t->master_fd);
	ct_close_fd(&t->slave_fd);
	ct_close_fd(&t->console_fd);
}
