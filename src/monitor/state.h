/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container lifecycle as a pure table: (state, event) -> (next state, action), or a refusal
 * with the answer the request gets. The monitor performs the actions, which may name a follow-up
 * event (a timeout of 0 is a TIMEOUT, a method that cannot reach init is UNDELIVERABLE) that goes
 * through the table in turn: every change of state is the table's. This module only decides, so
 * it is unit-tested without any process. */
#pragma once

#include "cmd/cmd.h"

enum ct_event {
	CT_EV_EXECED,       /* the child reached exec: setup succeeded */
	CT_EV_SETUP_FAILED, /* the child reported a failed setup step */
	CT_EV_KILL,         /* a STOP (force) request */
	CT_EV_SHUTDOWN,     /* a graceful stop request */
	CT_EV_TIMEOUT,      /* the shutdown deadline passed */
	CT_EV_UNDELIVERABLE, /* the shutdown method cannot reach init */
	CT_EV_INIT_EXITED,  /* init has been reaped */
	CT_EV_INIT_REBOOT,  /* init has been reaped, killed by SIGHUP: reboot(2) restart */
	CT_EV_FREEZE,       /* a FREEZE request */
	CT_EV_THAW,         /* a THAW request */
	CT_EV_FREEZE_FAILED, /* the cgroup could not be frozen (in time): it runs on */
	CT_EV_THAW_FAILED,  /* the cgroup could not be thawed: it stays frozen */
	CT_EV_EXEC,         /* an EXEC request (ctexec) */
	CT_EV_COUNT_,
};
/* An action's follow-up when there is none. */
#define CT_EV_NONE CT_EV_COUNT_

enum ct_action {
	CT_ACT_NONE,
	CT_ACT_NOTIFY_RUNNING, /* tell a waiting `ctstart -d` the container runs; run a queued stop */
	CT_ACT_KILL,           /* SIGKILL init through its pidfd */
	CT_ACT_QUEUE,          /* a stop during STARTING: remember it until the container runs */
	CT_ACT_DISPATCH,       /* run the shutdown method and arm the deadline */
	CT_ACT_JOIN,           /* a stop is already under way: wait for it (maybe tighten it) */
	CT_ACT_RESTART,        /* init asked for a reboot: start it again in place */
	CT_ACT_FREEZE,         /* freeze the cgroup; answer once it is frozen */
	CT_ACT_THAW,           /* thaw the cgroup */
	CT_ACT_FINISH,         /* the container is gone: reply to waiters, clean up, exit */
	CT_ACT_EXEC,           /* start an exec session */
	CT_ACT_REFUSE,         /* the request makes no sense in this state */
	CT_ACT_COUNT_,
};

struct ct_transition {
	enum ct_state next;
	enum ct_action action;
	int refusal; /* CT_ACT_REFUSE: the request's answer (-ESRCH, -EBUSY, -EALREADY, -EAGAIN,
		      * -ESHUTDOWN) */
};

struct ct_transition ct_state_next(enum ct_state s, enum ct_event e);
const char *ct_event_to_string(enum ct_event e);
const char *ct_action_to_string(enum ct_action a);
