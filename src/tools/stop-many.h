/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstop for many containers at once (several -n, or --all): as a host shutdown would. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stops the containers a batch at a time: batches[k] names are stopped together, the next batch
 * once all of these have ended (NULL batches: one batch of all n). Every container of a batch is
 * sent its SHUTDOWN (timeout as for one container: seconds, CT_TIMEOUT_FOREVER or
 * CT_TIMEOUT_DEFAULT; a number of seconds is one deadline for the batch, from when it is asked),
 * or with force its STOP, at about the same moment. Prints one line per container as it ends
 * and a summary; returns the exit status (ct_stop_exit_status()). Borrows names. */
int ct_stop_many(const char *rundir, char *const *names, size_t n, const size_t *batches,
		 size_t n_batches, int32_t timeout, bool force);
/* ctstop --all: every container of the run dir, in the reverse of the start order (order.h, from
 * each monitor's group and start.order), a batch at a time as ct_stop_many() does; with force all
 * at once. */
int ct_stop_all(const char *rundir, int32_t timeout, bool force);
