/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lifecycle table. A kill is honoured in every live state, even during a graceful stop (that
 * is what --force is for); a graceful stop during STARTING waits until the container runs; a
 * reboot restarts the container unless a stop was requested; a frozen container is thawed by a
 * stop (gracefully: before the method runs; forced: after the kill). Anything not listed is
 * refused. */
#include "state.h"

#include <errno.h>

#define T(s, a) { .next = CT_STATE_##s, .action = CT_ACT_##a }
/* Refused: the state stays, the request is answered with -err. */
#define NO(s, err) { .next = CT_STATE_##s, .action = CT_ACT_REFUSE, .refusal = -(err) }
/* The usual refusals: nothing to do in this state (EALREADY), or the container is gone (ESRCH). */
#define REFUSE(s) NO(s, EALREADY)
#define GONE NO(STOPPED, ESRCH)

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
		[CT_EV_FREEZE] = NO(STARTING, EBUSY),
		[CT_EV_THAW] = NO(STARTING, EBUSY),
		[CT_EV_FREEZE_FAILED] = REFUSE(STARTING),
		[CT_EV_THAW_FAILED] = REFUSE(STARTING),
		[CT_EV_EXEC] = NO(STARTING, EAGAIN), /* not yet */
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
		[CT_EV_THAW] = REFUSE(RUNNING), /* not frozen */
		[CT_EV_FREEZE_FAILED] = REFUSE(RUNNING),
		/* The thaw that made it RUNNING failed: still frozen. */
		[CT_EV_THAW_FAILED] = T(FROZEN, NONE),
		[CT_EV_EXEC] = T(RUNNING, EXEC),
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
		[CT_EV_FREEZE] = NO(STOPPING, EBUSY),
		[CT_EV_THAW] = NO(STOPPING, EBUSY),
		[CT_EV_FREEZE_FAILED] = REFUSE(STOPPING),
		[CT_EV_THAW_FAILED] = REFUSE(STOPPING),
		[CT_EV_EXEC] = NO(STOPPING, ESHUTDOWN),
	},
	[CT_STATE_STOPPED] = {
		[CT_EV_EXECED] = GONE,
		[CT_EV_SETUP_FAILED] = GONE,
		[CT_EV_KILL] = GONE,
		[CT_EV_SHUTDOWN] = GONE,
		[CT_EV_TIMEOUT] = GONE,
		[CT_EV_UNDELIVERABLE] = GONE,
		[CT_EV_INIT_EXITED] = GONE,
		[CT_EV_INIT_REBOOT] = GONE,
		[CT_EV_FREEZE] = GONE,
		[CT_EV_THAW] = GONE,
		[CT_EV_FREEZE_FAILED] = GONE,
		[CT_EV_THAW_FAILED] = GONE,
		[CT_EV_EXEC] = GONE,
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
		/* Not frozen within the time (or not at all): it runs on. */
		[CT_EV_FREEZE_FAILED] = T(RUNNING, NONE),
		[CT_EV_THAW_FAILED] = REFUSE(FROZEN),
		/* A process started now would hang until a thaw. */
		[CT_EV_EXEC] = NO(FROZEN, EBUSY),
	},
};

struct ct_transition ct_state_next(enum ct_state s, enum ct_event e)
{
	if ((unsigned)s >= CT_STATE_COUNT_ || (unsigned)e >= CT_EV_COUNT_)
		return (struct ct_transition)GONE;
	return table[s][e];
}

const char *ct_event_to_string(enum ct_event e)
{
	static const char *const names[] = { "execed",      "setup-failed", "kill",
					     "shutdown",    "timeout",      "undeliverable",
					     "init-exited", "init-reboot",  "freeze",
					     "thaw",        "freeze-failed", "thaw-failed",
					     "exec" };

	_Static_assert(sizeof(names) / sizeof(names[0]) == CT_EV_COUNT_, "a name per event");
	return (unsigned)e < CT_EV_COUNT_ ? names[e] : "unknown";
}

const char *ct_action_to_string(enum ct_action a)
{
	static const char *const names[] = { "none",    "notify-running", "kill",   "queue",
					     "dispatch", "join",          "restart", "freeze",
					     "thaw",    "finish",         "exec",    "refuse" };

	_Static_assert(sizeof(names) / sizeof(names[0]) == CT_ACT_COUNT_, "a name per action");
	return (unsigned)a < CT_ACT_COUNT_ ? names[a] : "unknown";
}
