/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstop for many containers at once (several -n, or --all): as a host shutdown would. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sends every container its SHUTDOWN (timeout as for one container: seconds, CT_TIMEOUT_FOREVER
 * or CT_TIMEOUT_DEFAULT), or with force its STOP, at about the same moment, then waits for all
 * of them together. Prints one line per container as it ends and a summary; returns the exit
 * status (ct_stop_exit_status()). Borrows names. */
int ct_stop_many(const char *rundir, char *const *names, size_t n, int32_t timeout, bool force);
