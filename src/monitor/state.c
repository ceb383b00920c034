/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lifecycle table. A kill is honoured in every live state, even during a graceful stop (that
 * is what --force is for); a graceful stop during STARTING waits until the container runs; a
 * reboot restarts the container unless a stop was requested; a frozen container is thawed by a
 * stop (gracefully: before the method runs; forced: after the kill). Anything not listed is
 * refused. */
#include "state.h"

#define T(s, a) { .next = CT_STATE_##s, .action = CT_ACT_##a }
#define REFUSE(s) T(s, REFUSE)

static const struct ct_transition table[CT_STATE_COUNT_][CT_EV_COUNT_] = {
	[CT_STATE_STARTING] = {
		[CT_EV_EXECED] = T(RUNNING, NOTIFY_RUNNING),
		[CT_EV_SETUP_FAILED] = T(STOPPING, NONE),
		[CT_EV_KILL] = T(STOPPING, KILL),
		[CT_EV_SHUTDOWN] = T(STARTING, QUEUE),
		/* A queued stop's deadline runs from the request: a start that hangs is killed. */
		[CT_EV_TIMEOUT] = T(STOPPING, KILL),
		[CT_EV_UNDELIVERABLE] = REFUSE(STARTING),
		[CT_EV_INIT_EXITED] = T(STOPPED, FINISH),
		[CT_EV_INIT_REBOOT] = T(STOPPED, FINISH),
		[CT_EV_FREEZE] = REFUSE(STARTING),
		[CT_EV_THAW] = REFUSE(STARTING),
	},
	[CT_STATE_RUNNING] = {
		[CT_EV_EXECED] = REFUSE(RUNNING),
		[CT_EV_SETUP_FAILED] = REFUSE(RUNNING),
		[CT_EV_KILL] = T(STOPPING, KILL),
		[CT_EV_SHUTDOWN] = T(STOPPING, DISPATCH),
		[CT_EV_TIMEOUT] = REFUSE(RUNNING),
		[CT_EV_UNDELIVERABLE] = REFUSE(RUNNING),
		[CT_EV_INIT_EXITED] = T(STOPPED, FINISH),
		[CT_EV_INIT_REBOOT] = T(STARTING, RESTART),
		[CT_EV_FREEZE] = T(FROZEN, FREEZE),
		[CT_EV_THAW] = REFUSE(RUNNING),
	},
	[CT_STATE_STOPPING] = {
		/* A child killed during setup can still have reported a step or reached exec. */
		[CT_EV_EXECED] = T(STOPPING, NONE),
		[CT_EV_SETUP_FAILED] = T(STOPPING, NONE),
		[CT_EV_KILL] = T(STOPPING, KILL),
		[CT_EV_SHUTDOWN] = T(STOPPING, JOIN),
		[CT_EV_TIMEOUT] = T(STOPPING, KILL),
		[CT_EV_UNDELIVERABLE] = T(STOPPING, KILL),
		[CT_EV_INIT_EXITED] = T(STOPPED, FINISH),
		/* A stop was requested: a reboot now ends the container. */
		[CT_EV_INIT_REBOOT] = T(STOPPED, FINISH),
		[CT_EV_FREEZE] = REFUSE(STOPPING),
		[CT_EV_THAW] = REFUSE(STOPPING),
	},
	[CT_STATE_STOPPED] = {
		[CT_EV_EXECED] = REFUSE(STOPPED),
		[CT_EV_SETUP_FAILED] = REFUSE(STOPPED),
		[CT_EV_KILL] = REFUSE(STOPPED),
		[CT_EV_SHUTDOWN] = REFUSE(STOPPED),
		[CT_EV_TIMEOUT] = REFUSE(STOPPED),
		[CT_EV_UNDELIVERABLE] = REFUSE(STOPPED),
		[CT_EV_INIT_EXITED] = REFUSE(STOPPED),
		[CT_EV_INIT_REBOOT] = REFUSE(STOPPED),
		[CT_EV_FREEZE] = REFUSE(STOPPED),
		[CT_EV_THAW] = REFUSE(STOPPED),
	},
	[CT_STATE_FROZEN] = {
		[CT_EV_EXECED] = REFUSE(FROZEN),
		[CT_EV_SETUP_FAILED] = REFUSE(FROZEN),
		[CT_EV_KILL] = T(STOPPING, KILL),
		[CT_EV_SHUTDOWN] = T(STOPPING, DISPATCH),
		[CT_EV_TIMEOUT] = REFUSE(FROZEN),
		[CT_EV_UNDELIVERABLE] = REFUSE(FROZEN),
		[CT_EV_INIT_EXITED] = T(STOPPED, FINISH),
		[CT_EV_INIT_REBOOT] = T(STOPPED, FINISH),
		/* A second freeze is answered once the cgroup is frozen, like the first. */
		[CT_EV_FREEZE] = T(FROZEN, FREEZE),
		[CT_EV_THAW] = T(RUNNING, THAW),
	},
};

struct ct_transition ct_state_next(enum ct_state s, enum ct_event e)
{
	if ((unsigned)s >= CT_STATE_COUNT_ || (unsigned)e >= CT_EV_COUNT_)
		return (struct ct_transition)REFUSE(STOPPED);
	return table[s][e];
}

const char *ct_event_to_string(enum ct_event e)
{
	static const char *const names[] = { "execed",      "setup-failed", "kill",
					     "shutdown",    "timeout",      "undeliverable",
					     "init-exited", "init-reboot",  "freeze",
					     "thaw" };

	return (unsigned)e < CT_EV_COUNT_ ? names[e] : "unknown";
}

const char *ct_action_to_string(enum ct_action a)
{
	static const char *const names[] = { "none",    "notify-running", "kill",   "queue",
					     "dispatch", "join",          "restart", "freeze",
					     "thaw",    "finish",         "refuse" };

	return (unsigned)a < CT_ACT_COUNT_ ? names[a] : "unknown";
}
