/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freezing and thawing the container's cgroup. A FREEZE is answered only once the kernel reports
 * every process frozen; the monitor checks on a short timer (v1's freezer has no notification)
 * until then or until the deadline, when it thaws again and says so. */
#include "monitor-freeze.h"

#include "common/log.h"
#include "common/util.h"

#include <errno.h>

#define FREEZE_POLL_MS 10
#define FREEZE_TIMEOUT_MS 10000

static void reply_freezers(struct ct_monitor *m, int result)
{
	struct ct_frame f;

	if (result == 0)
		ct_proto_reply_ok(&f, CT_CMD_FREEZE);
	else
		ct_proto_reply_error(&f, CT_CMD_FREEZE, result);
	ct_server_reply_deferred(m->server, CT_CMD_FREEZE, &f);
}

static int check(struct ct_monitor *m, enum ct_event *next);

int ct_monitor_freeze(struct ct_monitor *m, enum ct_event *next)
{
	int r;

	if (!m->freeze.frozen) {
		r = ct_cgroup_set_frozen(&m->cgroup, true);
		if (r < 0) {
			*next = CT_EV_FREEZE_FAILED;
			return log_error_errno(r, "container '%s': freezing failed", m->o->name);
		}
		m->freeze.frozen = true;
		m->freeze.confirmed = false;
		m->freeze.deadline_ms = ct_now_ms() + FREEZE_TIMEOUT_MS;
		log_info("container '%s': freezing", m->o->name);
	}
	return check(m, next);
}

int ct_monitor_freeze_check(struct ct_monitor *m)
{
	enum ct_event next = CT_EV_NONE;
	int r = check(m, &next);

	return next == CT_EV_NONE ? r : ct_monitor_event(m, next);
}

/* Frozen yet? Answers the waiting FREEZEs once it is, or gives up at the deadline. */
static int check(struct ct_monitor *m, enum ct_event *next)
{
	int r;

	if (!m->freeze.frozen || m->freeze.confirmed)
		return CT_LOOP_CONTINUE;
	r = ct_cgroup_is_frozen(&m->cgroup);
	if (r > 0) {
		m->freeze.confirmed = true;
		log_info("container '%s': frozen", m->o->name);
		reply_freezers(m, 0);
		return CT_LOOP_CONTINUE;
	}
	if (r == 0 && ct_now_ms() < m->freeze.deadline_ms)
		return ct_timerfd_arm(m->freeze.fd, FREEZE_POLL_MS) < 0 ? -EIO : CT_LOOP_CONTINUE;
	/* Not frozen in time (a task in uninterruptible sleep, say): leave it running. */
	log_warning("container '%s': not frozen within %d s; thawing", m->o->name,
		    FREEZE_TIMEOUT_MS / 1000);
	ct_cgroup_set_frozen(&m->cgroup, false);
	m->freeze.frozen = false;
	r = r < 0 ? r : -ETIMEDOUT;
	reply_freezers(m, r);
	*next = CT_EV_FREEZE_FAILED;
	return r; /* the FREEZE being handled, if any, gets it too */
}

int ct_monitor_thaw(struct ct_monitor *m, enum ct_event *next)
{
	int r = ct_cgroup_set_frozen(&m->cgroup, false);

	if (r < 0) {
		*next = CT_EV_THAW_FAILED;
		return log_error_errno(r, "container '%s': thawing failed", m->o->name);
	}
	ct_timerfd_arm(m->freeze.fd, 0);
	if (!m->freeze.confirmed)
		reply_freezers(m, -ECANCELED); /* a pending freeze was overtaken */
	m->freeze.frozen = m->freeze.confirmed = false;
	log_info("container '%s': thawed", m->o->name);
	return CT_LOOP_CONTINUE;
}

void ct_monitor_unfreeze_for_stop(struct ct_monitor *m)
{
	if (!m->freeze.frozen)
		return;
	ct_timerfd_arm(m->freeze.fd, 0);
	if (ct_cgroup_set_frozen(&m->cgroup, false) < 0)
		log_warning("container '%s': thawing for the stop failed", m->o->name);
	if (!m->freeze.confirmed)
		reply_freezers(m, -ECANCELED);
	m->freeze.frozen = m->freeze.confirmed = false;
}
