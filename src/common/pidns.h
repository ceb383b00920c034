/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why a container's pid namespace cannot end: its init has exited (or was SIGKILLed), but the
 * kernel ends init only once every other process of the namespace has been reaped, and a
 * process put in from outside (nsenter, a debugger's child) has its parent outside: if that
 * parent never reaps it (stopped, or simply not waiting), the container can never finish
 * stopping, and nothing inside can change that. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Looks through /proc for processes of init's pid namespace other than init. Writes what holds
 * the namespace to buf ("pid N (COMM) outside the container has not reaped its child, pid M
 * (COMM) of the container": CT_PIDNS_HELD_OUTSIDE, or "pid M (COMM) of the container is still
 * there (state S)": CT_PIDNS_STILL_THERE); 0 with buf "" if there is none, -errno if init is gone
 * or unreadable. A process held outside is reported before one that is merely still there. */
#define CT_PIDNS_STILL_THERE 1
#define CT_PIDNS_HELD_OUTSIDE 2
int ct_pidns_blocker(pid_t init, char *buf, size_t size);
