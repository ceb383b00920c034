/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The forked helpers that act inside a running container on the monitor's behalf, so that the
 * monitor itself never joins a namespace or blocks. Each dies with the monitor. This file: what
 * they share, and the sysvinit helper; exec-helper.c: commands (exec method, ctexec). */
#include "helper-internal.h"

#include "initctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not dumpable: until it execs, the helper is a copy of the monitor inside the container's
 * namespaces, and nothing there may ptrace it or open its /proc files. */
void ct_helper_prepare(const sigset_t *mask)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	ct_signals_reset(mask);
}

/* setns() with several namespaces is atomic; joining a user namespace changes our credentials,
 * which clears the parent-death signal. */
int ct_helper_join(int init_pidfd, unsigned long namespaces)
{
	if (setns(init_pidfd, (int)namespaces) < 0)
		return -errno;
	if (!(namespaces & CLONE_NEWUSER))
		return 0;
	int r = ct_spawn_become_root();
	if (r < 0)
		return r;
	return prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ? -errno : 0;
}

_Noreturn void ct_helper_initctl(int init_pidfd, bool userns, const sigset_t *mask)
{
	struct ct_initctl_host host;

	ct_helper_prepare(mask);
	/* The host's FIFOs are looked at before joining: afterwards "/" is the container's. */
	ct_initctl_host_stat(&host);
	if (ct_helper_join(init_pidfd, CLONE_NEWNS | (userns ? CLONE_NEWUSER : 0)) < 0)
		_exit(CT_INITCTL_JOIN_FAILED);
	_exit(ct_initctl_send(&host, '0'));
}
