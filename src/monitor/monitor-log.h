/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's log (monitor-log.c): a pipe for the container's output, read into the rotated log
 * file. Nothing without a log_path (the foreground). */
#pragma once

#include "monitor-internal.h"

int ct_monitor_log_setup(struct ct_monitor *m);
/* Drains what is left (bounded) and closes the pipe. */
void ct_monitor_log_close(struct ct_monitor *m);
/* Appends the console's output to the log (nothing in the foreground), rotating it as needed. */
void ct_monitor_log_write(struct ct_monitor *m, const char *buf, size_t n);
