/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console (monitor-console.c): the container's terminal output kept in memory and in the
 * log, and ctconsole clients attached to it. There is one wherever the container has a terminal
 * of its own (monitor-tty.c): a system container under -d, any container in the foreground on a
 * terminal. */
#pragma once

#include "monitor-internal.h"

/* Allocates the ring buffer (console.buffer.size). */
int ct_monitor_console_init(struct ct_monitor *m);
/* What the terminal printed: into the ring, the daemon's log and every client (a client that
 * does not keep up loses output, never holds up the container). */
void ct_monitor_console_output(struct ct_monitor *m, const char *buf, size_t n);
/* A CONSOLE request: takes fd (a socket), replays up to tail bytes of the ring, relays from now
 * on. -ENOTTY: no console; -EMFILE: CT_CONSOLE_CLIENTS_MAX attached; -EBADF: not a socket. */
int ct_monitor_console_attach(struct ct_monitor *m, int fd, uint32_t flags, uint32_t tail);
/* The last lines of the ring, printable, for a stop that had to kill (at most size - 1 bytes). */
void ct_monitor_console_tail(const struct ct_monitor *m, char *buf, size_t size);
/* Detaches every client (they see the end) and frees the ring. */
void ct_monitor_console_close(struct ct_monitor *m);
