/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Telling systemd how the container is doing (monitor-sd.c): ct@.service is Type=notify. */
#pragma once

#include "monitor-internal.h"

/* After a change of state: READY=1 once RUNNING, STOPPING=1 with EXTEND_TIMEOUT_USEC (the stop's
 * deadline plus a margin) once STOPPING, and a STATUS= line for each. A no-op outside systemd. */
void ct_monitor_sd_state(const struct ct_monitor *m);
