/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify from the monitor. Under ct@.service the monitor is the unit's main process: READY=1 when
 * the container runs, so units ordered after it start only then; STOPPING=1 and an extended stop
 * timeout while a graceful stop is under way, so that systemd's TimeoutStopSec never kills a guest
 * that is still within its own shutdown_timeout (a ctstop -t longer than the unit's timeout, or a
 * stop forever). */
#include "monitor-sd.h"

#include "common/sdnotify.h"
#include "common/util.h"

#include <inttypes.h>

/* Beyond the deadline: the kill, the drain of the cgroup, the monitor's exit. */
#define EXTEND_MARGIN_MS 15000
#define FOREVER_MS ((uint64_t)CT_TIMEOUT_MAX * 1000)

static uint64_t extend_ms(const struct ct_monitor *m)
{
	uint64_t now = ct_now_ms();

	if (!m->stop.deadline_ms)
		return FOREVER_MS;
	return (m->stop.deadline_ms > now ? m->stop.deadline_ms - now : 0) + EXTEND_MARGIN_MS;
}

void ct_monitor_sd_state(const struct ct_monitor *m)
{
	const char *method = ct_shutdown_method_to_string(m->o->config->shutdown_method);

	if (!ct_sd_notify_enabled())
		return;
	switch (m->state) {
	case CT_STATE_RUNNING:
		ct_sd_notify("READY=1\nSTATUS=running: init pid %d, stops with the %s method",
			     (int)m->init.pid, method);
		break;
	case CT_STATE_STOPPING:
		ct_sd_notify("STOPPING=1\nSTATUS=stopping (%s)\nEXTEND_TIMEOUT_USEC=%" PRIu64, method,
			     extend_ms(m) * 1000);
		break;
	case CT_STATE_STOPPED:
		ct_sd_notify("STATUS=stopped");
		break;
	default:
		ct_sd_notify("STATUS=%s", ct_state_to_string(m->state));
		break;
	}
}
