/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lifecycle table, exhaustively: every (state, event) pair against the expected outcome
 * written out below (the specification, pair by pair), refusals with the answer they give, and
 * the invariants every row must keep. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "monitor/state.h"

#include <errno.h>

struct want {
	enum ct_state next;
	enum ct_action action;
	int refusal;
};

#define W(s, a) { CT_STATE_##s, CT_ACT_##a, 0 }
#define NO(s, err) { CT_STATE_##s, CT_ACT_REFUSE, -(err) }

/* Why each row is so (see state.c): a kill is honoured in every live state; a graceful stop
 * during STARTING is queued and its deadline covers a start that hangs; a child killed during
 * setup may still report or reach exec; a reboot restarts unless a stop was asked for; only a
 * running container freezes, and a frozen one is stopped (thawed first) or thawed; a freeze that
 * fails leaves it RUNNING, a thaw that fails FROZEN; timers and method outcomes without a stop
 * under way change nothing; an exec session starts only in RUNNING (EAGAIN while starting, EBUSY
 * frozen, ESHUTDOWN stopping); STOPPED refuses everything with ESRCH. */
static const struct want spec[CT_STATE_COUNT_][CT_EV_COUNT_] = {
	[CT_STATE_STARTING] = {
		[CT_EV_EXECED] = W(RUNNING, NOTIFY_RUNNING),
		[CT_EV_SETUP_FAILED] = W(STOPPING, NONE),
		[CT_EV_KILL] = W(STOPPING, KILL),
		[CT_EV_SHUTDOWN] = W(STARTING, QUEUE),
		[CT_EV_TIMEOUT] = W(STOPPING, KILL),
		[CT_EV_UNDELIVERABLE] = NO(STARTING, EALREADY),
		[CT_EV_INIT_EXITED] = W(STOPPED, FINISH),
		[CT_EV_INIT_REBOOT] = W(STOPPED, FINISH),
		[CT_EV_FREEZE] = NO(STARTING, EBUSY),
		[CT_EV_THAW] = NO(STARTING, EBUSY),
		[CT_EV_FREEZE_FAILED] = NO(STARTING, EALREADY),
		[CT_EV_THAW_FAILED] = NO(STARTING, EALREADY),
		[CT_EV_EXEC] = NO(STARTING, EAGAIN),
	},
	[CT_STATE_RUNNING] = {
		[CT_EV_EXECED] = NO(RUNNING, EALREADY),
		[CT_EV_SETUP_FAILED] = NO(RUNNING, EALREADY),
		[CT_EV_KILL] = W(STOPPING, KILL),
		[CT_EV_SHUTDOWN] = W(STOPPING, DISPATCH),
		[CT_EV_TIMEOUT] = NO(RUNNING, EALREADY),
		[CT_EV_UNDELIVERABLE] = NO(RUNNING, EALREADY),
		[CT_EV_INIT_EXITED] = W(STOPPED, FINISH),
		[CT_EV_INIT_REBOOT] = W(STARTING, RESTART),
		[CT_EV_FREEZE] = W(FROZEN, FREEZE),
		[CT_EV_THAW] = NO(RUNNING, EALREADY),
		[CT_EV_FREEZE_FAILED] = NO(RUNNING, EALREADY),
		[CT_EV_THAW_FAILED] = W(FROZEN, NONE),
		[CT_EV_EXEC] = W(RUNNING, EXEC),
	},
	[CT_STATE_STOPPING] = {
		[CT_EV_EXECED] = W(STOPPING, NONE),
		[CT_EV_SETUP_FAILED] = W(STOPPING, NONE),
		[CT_EV_KILL] = W(STOPPING, KILL),
		[CT_EV_SHUTDOWN] = W(STOPPING, JOIN),
		[CT_EV_TIMEOUT] = W(STOPPING, KILL),
		[CT_EV_UNDELIVERABLE] = W(STOPPING, KILL),
		[CT_EV_INIT_EXITED] = W(STOPPED, FINISH),
		[CT_EV_INIT_REBOOT] = W(STOPPED, FINISH),
		[CT_EV_FREEZE] = NO(STOPPING, EBUSY),
		[CT_EV_THAW] = NO(STOPPING, EBUSY),
		[CT_EV_FREEZE_FAILED] = NO(STOPPING, EALREADY),
		[CT_EV_THAW_FAILED] = NO(STOPPING, EALREADY),
		[CT_EV_EXEC] = NO(STOPPING, ESHUTDOWN),
	},
	[CT_STATE_STOPPED] = {
		[CT_EV_EXECED] = NO(STOPPED, ESRCH),
		[CT_EV_SETUP_FAILED] = NO(STOPPED, ESRCH),
		[CT_EV_KILL] = NO(STOPPED, ESRCH),
		[CT_EV_SHUTDOWN] = NO(STOPPED, ESRCH),
		[CT_EV_TIMEOUT] = NO(STOPPED, ESRCH),
		[CT_EV_UNDELIVERABLE] = NO(STOPPED, ESRCH),
		[CT_EV_INIT_EXITED] = NO(STOPPED, ESRCH),
		[CT_EV_INIT_REBOOT] = NO(STOPPED, ESRCH),
		[CT_EV_FREEZE] = NO(STOPPED, ESRCH),
		[CT_EV_THAW] = NO(STOPPED, ESRCH),
		[CT_EV_FREEZE_FAILED] = NO(STOPPED, ESRCH),
		[CT_EV_THAW_FAILED] = NO(STOPPED, ESRCH),
		[CT_EV_EXEC] = NO(STOPPED, ESRCH),
	},
	[CT_STATE_FROZEN] = {
		[CT_EV_EXECED] = NO(FROZEN, EALREADY),
		[CT_EV_SETUP_FAILED] = NO(FROZEN, EALREADY),
		[CT_EV_KILL] = W(STOPPING, KILL),
		[CT_EV_SHUTDOWN] = W(STOPPING, DISPATCH),
		[CT_EV_TIMEOUT] = NO(FROZEN, EALREADY),
		[CT_EV_UNDELIVERABLE] = NO(FROZEN, EALREADY),
		[CT_EV_INIT_EXITED] = W(STOPPED, FINISH),
		[CT_EV_INIT_REBOOT] = W(STOPPED, FINISH),
		[CT_EV_FREEZE] = W(FROZEN, FREEZE),
		[CT_EV_THAW] = W(RUNNING, THAW),
		[CT_EV_FREEZE_FAILED] = W(RUNNING, NONE),
		[CT_EV_THAW_FAILED] = NO(FROZEN, EALREADY),
		[CT_EV_EXEC] = NO(FROZEN, EBUSY),
	},
};

static void test_every_pair(void **state)
{
	for (int s = 0; s < CT_STATE_COUNT_; s++)
		for (int e = 0; e < CT_EV_COUNT_; e++) {
			struct ct_transition t = ct_state_next(s, e);
			const struct want *w = &spec[s][e];

			if (t.next != w->next || t.action != w->action || t.refusal != w->refusal)
				fail_msg("%s + %s: got %s/%s/%d, want %s/%s/%d", ct_state_to_string(s),
					 ct_event_to_string(e), ct_state_to_string(t.next),
					 ct_action_to_string(t.action), t.refusal,
					 ct_state_to_string(w->next), ct_action_to_string(w->action),
					 w->refusal);
		}
}

/* A refusal never changes the state; only a refusal carries an answer. */
static void test_refusals_keep_the_state(void **state)
{
	for (int s = 0; s < CT_STATE_COUNT_; s++)
		for (int e = 0; e < CT_EV_COUNT_; e++) {
			struct ct_transition t = ct_state_next(s, e);

			if (t.action == CT_ACT_REFUSE) {
				assert_int_equal(t.next, s);
				assert_true(t.refusal < 0);
			} else {
				assert_int_equal(t.refusal, 0);
			}
		}
}

static void test_out_of_range(void **state)
{
	struct ct_transition t = ct_state_next(CT_STATE_COUNT_, CT_EV_KILL);

	assert_int_equal(t.action, CT_ACT_REFUSE);
	assert_int_equal(t.refusal, -ESRCH);
	t = ct_state_next(CT_STATE_RUNNING, CT_EV_NONE);
	assert_int_equal(t.action, CT_ACT_REFUSE);
}

/* The container ends only through FINISH, and FINISH always ends it. */
static void test_finish_only_in_stopped(void **state)
{
	for (int s = 0; s < CT_STATE_COUNT_; s++)
		for (int e = 0; e < CT_EV_COUNT_; e++) {
			struct ct_transition t = ct_state_next(s, e);
			if (t.action == CT_ACT_FINISH)
				assert_int_equal(t.next, CT_STATE_STOPPED);
			if (t.next == CT_STATE_STOPPED && s != CT_STATE_STOPPED)
				assert_int_equal(t.action, CT_ACT_FINISH);
		}
}

static void test_names(void **state)
{
	for (int e = 0; e < CT_EV_COUNT_; e++)
		assert_string_not_equal(ct_event_to_string(e), "unknown");
	for (int a = 0; a < CT_ACT_COUNT_; a++)
		assert_string_not_equal(ct_action_to_string(a), "unknown");
	assert_string_equal(ct_event_to_string(CT_EV_NONE), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_refusals_keep_the_state),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_finish_only_in_stopped),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
