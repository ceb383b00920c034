/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's terminal (monitor-tty.c): its pty master to the console and, in the
 * foreground, to and from the operator's terminal. */
#pragma once

#include "monitor-internal.h"

/* Takes tty's master and keeps a slave fd of its own; on failure the start must fail (nothing
 * would read the master). */
int ct_monitor_tty_start(struct ct_monitor *m, struct ct_spawn_tty *tty);
/* The monitor's slave fd of the container's terminal (the helpers' stdio), or -1. */
int ct_monitor_tty_fd(const struct ct_monitor *m);
/* Input for the container (a ctconsole client's typing), never blocking. */
void ct_monitor_tty_input(struct ct_monitor *m, const char *buf, size_t n);
/* SIGWINCH: the operator's window size to the container's pty. */
void ct_monitor_tty_resize(struct ct_monitor *m);
/* Flushes what it can without blocking, restores the terminal's mode, closes. */
void ct_monitor_tty_close(struct ct_monitor *m);
