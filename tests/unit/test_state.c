/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lifecycle table, exhaustively: every (state, event) pair has the expected outcome. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "state.h"

static void expect(enum ct_state s, enum ct_event e, enum ct_state next, enum ct_action a)
{
	struct ct_transition t = ct_state_next(s, e);

	if (t.next != next || t.action != a)
		fail_msg("%s + %s: got %s/%s, want %s/%s", ct_state_to_string(s), ct_event_to_string(e),
			 ct_state_to_string(t.next), ct_action_to_string(t.action),
			 ct_state_to_string(next), ct_action_to_string(a));
}

static void test_start(void **state)
{
	expect(CT_STATE_STARTING, CT_EV_EXECED, CT_STATE_RUNNING, CT_ACT_NOTIFY_RUNNING);
	expect(CT_STATE_STARTING, CT_EV_SETUP_FAILED, CT_STATE_STOPPING, CT_ACT_NONE);
	expect(CT_STATE_STARTING, CT_EV_INIT_EXITED, CT_STATE_STOPPED, CT_ACT_FINISH);
}

static void test_kill_in_every_state(void **state)
{
	expect(CT_STATE_STARTING, CT_EV_KILL, CT_STATE_STOPPING, CT_ACT_KILL);
	expect(CT_STATE_RUNNING, CT_EV_KILL, CT_STATE_STOPPING, CT_ACT_KILL);
	/* --force during a graceful stop kills now (SIGKILL twice is harmless). */
	expect(CT_STATE_STOPPING, CT_EV_KILL, CT_STATE_STOPPING, CT_ACT_KILL);
	expect(CT_STATE_STOPPED, CT_EV_KILL, CT_STATE_STOPPED, CT_ACT_REFUSE);
}

static void test_shutdown(void **state)
{
	/* During STARTING a graceful stop is queued, not lost and not dispatched to a child that
	 * has not exec'd yet. */
	expect(CT_STATE_STARTING, CT_EV_SHUTDOWN, CT_STATE_STARTING, CT_ACT_QUEUE);
	expect(CT_STATE_RUNNING, CT_EV_SHUTDOWN, CT_STATE_STOPPING, CT_ACT_DISPATCH);
	/* Concurrent requests join: one dispatch, many waiters. */
	expect(CT_STATE_STOPPING, CT_EV_SHUTDOWN, CT_STATE_STOPPING, CT_ACT_JOIN);
	expect(CT_STATE_STOPPED, CT_EV_SHUTDOWN, CT_STATE_STOPPED, CT_ACT_REFUSE);
}

static void test_escalation(void **state)
{
	expect(CT_STATE_STOPPING, CT_EV_TIMEOUT, CT_STATE_STOPPING, CT_ACT_KILL);
	/* A queued stop's deadline also covers a start that never finishes. */
	expect(CT_STATE_STARTING, CT_EV_TIMEOUT, CT_STATE_STOPPING, CT_ACT_KILL);
	expect(CT_STATE_STOPPING, CT_EV_UNDELIVERABLE, CT_STATE_STOPPING, CT_ACT_KILL);
	/* A timer or helper outcome that arrives when no stop is under way changes nothing. */
	expect(CT_STATE_RUNNING, CT_EV_TIMEOUT, CT_STATE_RUNNING, CT_ACT_REFUSE);
	expect(CT_STATE_RUNNING, CT_EV_UNDELIVERABLE, CT_STATE_RUNNING, CT_ACT_REFUSE);
	expect(CT_STATE_STOPPED, CT_EV_TIMEOUT, CT_STATE_STOPPED, CT_ACT_REFUSE);
}

static void test_reboot(void **state)
{
	expect(CT_STATE_RUNNING, CT_EV_INIT_REBOOT, CT_STATE_STARTING, CT_ACT_RESTART);
	/* A reboot while a stop was requested ends the container instead. */
	expect(CT_STATE_STOPPING, CT_EV_INIT_REBOOT, CT_STATE_STOPPED, CT_ACT_FINISH);
	expect(CT_STATE_STARTING, CT_EV_INIT_REBOOT, CT_STATE_STOPPED, CT_ACT_FINISH);
}

static void test_exit(void **state)
{
	expect(CT_STATE_RUNNING, CT_EV_INIT_EXITED, CT_STATE_STOPPED, CT_ACT_FINISH);
	expect(CT_STATE_STOPPING, CT_EV_INIT_EXITED, CT_STATE_STOPPED, CT_ACT_FINISH);
	expect(CT_STATE_STOPPED, CT_EV_INIT_EXITED, CT_STATE_STOPPED, CT_ACT_REFUSE);
}

static void test_late_sync_events(void **state)
{
	/* A child killed during setup may still report, or reach exec: neither revives it. */
	expect(CT_STATE_STOPPING, CT_EV_EXECED, CT_STATE_STOPPING, CT_ACT_NONE);
	expect(CT_STATE_STOPPING, CT_EV_SETUP_FAILED, CT_STATE_STOPPING, CT_ACT_NONE);
	expect(CT_STATE_RUNNING, CT_EV_EXECED, CT_STATE_RUNNING, CT_ACT_REFUSE);
}

static void test_freeze(void **state)
{
	expect(CT_STATE_RUNNING, CT_EV_FREEZE, CT_STATE_FROZEN, CT_ACT_FREEZE);
	expect(CT_STATE_FROZEN, CT_EV_FREEZE, CT_STATE_FROZEN, CT_ACT_FREEZE);
	expect(CT_STATE_FROZEN, CT_EV_THAW, CT_STATE_RUNNING, CT_ACT_THAW);
	expect(CT_STATE_RUNNING, CT_EV_THAW, CT_STATE_RUNNING, CT_ACT_REFUSE);
	/* Only a running container freezes. */
	expect(CT_STATE_STARTING, CT_EV_FREEZE, CT_STATE_STARTING, CT_ACT_REFUSE);
	expect(CT_STATE_STOPPING, CT_EV_FREEZE, CT_STATE_STOPPING, CT_ACT_REFUSE);
	expect(CT_STATE_STOPPED, CT_EV_FREEZE, CT_STATE_STOPPED, CT_ACT_REFUSE);
	/* A frozen container is stopped: gracefully (thawed by the dispatch) or by force. */
	expect(CT_STATE_FROZEN, CT_EV_SHUTDOWN, CT_STATE_STOPPING, CT_ACT_DISPATCH);
	expect(CT_STATE_FROZEN, CT_EV_KILL, CT_STATE_STOPPING, CT_ACT_KILL);
	expect(CT_STATE_FROZEN, CT_EV_INIT_EXITED, CT_STATE_STOPPED, CT_ACT_FINISH);
	/* No stop is under way while frozen: timers and method outcomes change nothing. */
	expect(CT_STATE_FROZEN, CT_EV_TIMEOUT, CT_STATE_FROZEN, CT_ACT_REFUSE);
	expect(CT_STATE_FROZEN, CT_EV_UNDELIVERABLE, CT_STATE_FROZEN, CT_ACT_REFUSE);
}

static void test_out_of_range(void **state)
{
	expect(CT_STATE_COUNT_, CT_EV_KILL, CT_STATE_STOPPED, CT_ACT_REFUSE);
	expect(CT_STATE_RUNNING, CT_EV_COUNT_, CT_STATE_STOPPED, CT_ACT_REFUSE);
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),       cmocka_unit_test(test_kill_in_every_state),
		cmocka_unit_test(test_exit),        cmocka_unit_test(test_late_sync_events),
		cmocka_unit_test(test_out_of_range), cmocka_unit_test(test_finish_only_in_stopped),
		cmocka_unit_test(test_shutdown),    cmocka_unit_test(test_escalation),
		cmocka_unit_test(test_reboot),      cmocka_unit_test(test_freeze),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
