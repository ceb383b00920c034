/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the helpers (shutdown-helper.c, exec-helper.c) share. */
#pragma once

#include "spawn.h"

/* Dies with the monitor, not dumpable (until it execs, a helper is a copy of the monitor inside
 * the container's namespaces: nothing there may ptrace it or open its /proc files), signals as
 * the monitor had them before its signalfd. */
void ct_helper_prepare(const sigset_t *mask);
/* setns() into init's namespaces (atomic); with CLONE_NEWUSER, as that namespace's root, the
 * parent-death signal set again. 0 or -errno. */
int ct_helper_join(int init_pidfd, unsigned long namespaces);
