/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Protocol codec: round trips, and truncated, oversized, unknown and malformed frames. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cmd/protocol.h"
#include "common/macro.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void test_info_round_trip(void **state)
{
	struct ct_info in = { .state = CT_STATE_RUNNING, .monitor_pid = 10, .init_pid = 11,
			      .start_time_ms = 1234567890123ULL, .shutdown_method = 2,
			      .application = true, .reboots = 3 };
	struct ct_info out;
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;

	strcpy(in.name, "web");
	strcpy(in.config_path, "/etc/ct/web.conf");
	strcpy(in.rootfs, "/srv/web");
	strcpy(in.idmap, "u 0 524288 65536 g 0 524288 65536");
	strcpy(in.group, "10-data");
	in.start_order = -7;
	assert_int_equal(ct_proto_reply_info(&f, &in), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(m.type, CT_CMD_INFO | CT_MSG_REPLY);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_INFO, &c), 0);
	assert_int_equal(ct_proto_parse_info(&c, &out), 0);
	assert_memory_equal(&in, &out, sizeof(in));

	/* A monitor started before INFO had the group and order leaves them out (a host shutdown
	 * after an upgrade must still reach it): no group, order 0. */
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_INFO, &c), 0);
	c.left -= 2 + strlen(in.group) + 4;
	assert_int_equal(ct_proto_parse_info(&c, &out), 0);
	assert_string_equal(out.group, "");
	assert_int_equal(out.start_order, 0);
	assert_string_equal(out.network, in.network);
	/* Half of them is malformed. */
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_INFO, &c), 0);
	c.left -= 2;
	assert_int_equal(ct_proto_parse_info(&c, &out), -EBADMSG);
}

static void test_stop_round_trip(void **state)
{
	struct ct_stop_result in = { .end = CT_END_KILLED, .signal = 9, .elapsed_ms = 42,
				     .kill_reason = CT_KILL_TIMEOUT, .method = 2, .error = -ENXIO },
			      out;
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;

	assert_int_equal(ct_proto_reply_stop(&f, CT_CMD_STOP, &in), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_STOP, &c), 0);
	assert_int_equal(ct_proto_parse_stop(&c, &out), 0);
	assert_int_equal(out.end, CT_END_KILLED);
	assert_int_equal(out.signal, 9);
	assert_int_equal(out.elapsed_ms, 42);
	assert_int_equal(out.kill_reason, CT_KILL_TIMEOUT);
	assert_int_equal(out.method, 2);
	assert_int_equal(out.error, -ENXIO);
	assert_string_equal(out.detail, "");
	/* The same body answers SHUTDOWN, under its own type. */
	strcpy(in.detail, "sysvinit: no reader");
	assert_int_equal(ct_proto_reply_stop(&f, CT_CMD_SHUTDOWN, &in), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_STOP, &c), -EBADMSG);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_SHUTDOWN, &c), 0);
	assert_int_equal(ct_proto_parse_stop(&c, &out), 0);
	assert_string_equal(out.detail, "sysvinit: no reader");
}

static void test_shutdown_request(void **state)
{
	struct ct_frame f;
	struct ct_msg m;
	int32_t t = 0;

	for (int32_t v = -2; v <= 86400; v += 43200) {
		assert_int_equal(ct_proto_request_shutdown(&f, v), 0);
		assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
		assert_int_equal(m.type, CT_CMD_SHUTDOWN);
		assert_int_equal(ct_proto_parse_shutdown(&m, &t), 0);
		assert_int_equal(t, v);
	}
	/* Below the sentinels, or a payload of the wrong size. */
	ct_proto_request_shutdown(&f, -3);
	ct_msg_decode(f.data, f.len, &m);
	assert_int_equal(ct_proto_parse_shutdown(&m, &t), -EINVAL);
	ct_proto_request_shutdown(&f, CT_TIMEOUT_MAX + 1);	/* more than a day */
	ct_msg_decode(f.data, f.len, &m);
	assert_int_equal(ct_proto_parse_shutdown(&m, &t), -EINVAL);
	ct_proto_request(&f, CT_CMD_SHUTDOWN);
	ct_msg_decode(f.data, f.len, &m);
	assert_int_equal(ct_proto_parse_shutdown(&m, &t), -EBADMSG);
}

static void test_progress(void **state)
{
	struct ct_progress in = { .kind = CT_PROGRESS_FAILED, .method = 3, .remaining_ms = -1,
				  .error = -EOPNOTSUPP }, out;
	struct ct_frame f;
	struct ct_msg m;

	strcpy(in.detail, "init neither catches nor blocks signal 15");
	assert_int_equal(ct_proto_progress(&f, CT_CMD_SHUTDOWN, &in), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(m.type, CT_CMD_SHUTDOWN | CT_MSG_EVENT);
	assert_int_equal(ct_proto_parse_progress(&m, &out), 0);
	assert_int_equal(out.kind, in.kind);
	assert_int_equal(out.method, in.method);
	assert_int_equal(out.remaining_ms, -1);
	assert_int_equal(out.error, -EOPNOTSUPP);
	assert_string_equal(out.detail, in.detail);
	/* A reply is not an event, and an unknown kind is malformed. */
	in.kind = CT_PROGRESS_COUNT_;
	ct_proto_progress(&f, CT_CMD_SHUTDOWN, &in);
	ct_msg_decode(f.data, f.len, &m);
	assert_int_equal(ct_proto_parse_progress(&m, &out), -EBADMSG);
	ct_proto_reply_error(&f, CT_CMD_SHUTDOWN, -ESRCH);
	ct_msg_decode(f.data, f.len, &m);
	assert_int_equal(ct_proto_parse_progress(&m, &out), -EBADMSG);
	/* The time left is -1 (none) or at most a day: anything else would let a confused monitor
	 * overflow a client's deadline or make it wait forever. */
	const int64_t remaining[][2] = { { -1, 0 }, { 0, 0 }, { 86400000, 0 }, { 86400001, -EBADMSG },
					 { -2, -EBADMSG }, { INT64_MAX, -EBADMSG }, { INT64_MIN, -EBADMSG } };
	in.kind = CT_PROGRESS_ACCEPTED;
	for (size_t i = 0; i < ARRAY_SIZE(remaining); i++) {
		in.remaining_ms = remaining[i][0];
		ct_proto_progress(&f, CT_CMD_SHUTDOWN, &in);
		ct_msg_decode(f.data, f.len, &m);
		assert_int_equal(ct_proto_parse_progress(&m, &out), remaining[i][1]);
	}
}

static void test_generic_refusal(void **state)
{
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;

	/* The server refuses a connection with a bare reply: any request reads it as its error. */
	ct_proto_reply_error(&f, 0, -EACCES);
	ct_msg_decode(f.data, f.len, &m);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_INFO, &c), -EACCES);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_SHUTDOWN, &c), -EACCES);
	/* ... but a bare "success" means nothing. */
	ct_frame_begin(&f, CT_MSG_REPLY);
	ct_frame_put_u32(&f, 0);
	ct_frame_finish(&f);
	ct_msg_decode(f.data, f.len, &m);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_INFO, &c), -EBADMSG);
}

static void test_error_reply(void **state)
{
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;

	assert_int_equal(ct_proto_reply_error(&f, 77, -ENOSYS), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(ct_proto_parse_reply(&m, 77, &c), -ENOSYS);
	/* A reply to another request is not ours. */
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_INFO, &c), -EBADMSG);
}

static void test_ok_reply(void **state)
{
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;

	assert_int_equal(ct_proto_reply_ok(&f, CT_CMD_THAW), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(m.type, CT_CMD_THAW | CT_MSG_REPLY);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_THAW, &c), 0);
	assert_int_equal(ct_cursor_end(&c), 0); /* result only, no body */
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_FREEZE, &c), -EBADMSG);
}

static void test_wire_bytes(void **state)
{
	static const unsigned char expect[] = { 'C', 'T', 'M', '1', 4, 0, 2, 0, 0, 0, 0, 0 };
	struct ct_frame f;

	assert_int_equal(ct_proto_request(&f, CT_CMD_STOP), 0);
	assert_int_equal(f.len, sizeof(expect));
	assert_memory_equal(f.data, expect, sizeof(expect));
}

static void test_exec_round_trip(void **state)
{
	static char *const argv[] = { "sh", "-c", "echo hi", NULL };
	static char *const env[] = { "A=1", "B=x=y", NULL };
	struct ct_exec_request *rq = malloc(sizeof(*rq));
	struct ct_exec_result res = { .end = CT_END_SIGNALED, .signal = 15 }, back;
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;

	assert_non_null(rq);
	assert_int_equal(ct_proto_request_exec(&f, CT_EXEC_TTY, 24, 80, "alice", "/home", argv, env), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(m.type, CT_CMD_EXEC);
	assert_int_equal(ct_proto_parse_exec(&m, rq), 0);
	assert_int_equal(rq->flags, CT_EXEC_TTY);
	assert_int_equal(rq->rows, 24);
	assert_int_equal(rq->cols, 80);
	assert_string_equal(rq->user, "alice");
	assert_string_equal(rq->cwd, "/home");
	assert_string_equal(rq->argv[2], "echo hi");
	assert_null(rq->argv[3]);
	assert_string_equal(rq->env[1], "B=x=y");
	assert_null(rq->env[2]);

	assert_int_equal(ct_proto_reply_exec(&f, &res), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_EXEC, &c), 0);
	assert_int_equal(ct_proto_parse_exec_result(&c, &back), 0);
	assert_int_equal(back.end, CT_END_SIGNALED);
	assert_int_equal(back.signal, 15);
	free(rq);
}

/* No command, an env entry without '=', unknown flags, a count larger than what follows. */
static void test_exec_refused(void **state)
{
	static char *const argv[] = { "true", NULL };
	static char *const bad_env[] = { "NOEQUALS", NULL };
	static char *const empty[] = { NULL };
	struct ct_exec_request *rq = malloc(sizeof(*rq));
	struct ct_frame f;
	struct ct_msg m;

	assert_non_null(rq);
	assert_int_equal(ct_proto_request_exec(&f, 0, 0, 0, NULL, NULL, empty, NULL), -EINVAL);
	assert_int_equal(ct_proto_request_exec(&f, 0, 0, 0, NULL, NULL, argv, bad_env), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(ct_proto_parse_exec(&m, rq), -EINVAL);
	assert_int_equal(ct_proto_request_exec(&f, 0x80, 0, 0, NULL, NULL, argv, NULL), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(ct_proto_parse_exec(&m, rq), -EINVAL);
	ct_frame_begin(&f, CT_CMD_EXEC);
	ct_frame_put_u32(&f, 0);
	ct_frame_put_u32(&f, 0);
	ct_frame_put_u32(&f, 0);
	ct_frame_put_str(&f, "");
	ct_frame_put_str(&f, "");
	ct_frame_put_u32(&f, 200); /* 200 arguments announced, one sent */
	ct_frame_put_str(&f, "x");
	assert_int_equal(ct_frame_finish(&f), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(ct_proto_parse_exec(&m, rq), -EBADMSG);
	free(rq);
}

static void test_truncated(void **state)
{
	struct ct_frame f;
	struct ct_msg m;
	struct ct_info info = { .state = CT_STATE_RUNNING };

	ct_proto_reply_info(&f, &info);
	for (size_t n = 0; n < f.len; n++)
		assert_int_equal(ct_msg_decode(f.data, n, &m), -EBADMSG);
	/* Header says more than was received, or less. */
	f.data[8]++;
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), -EBADMSG);
}

static void test_bad_magic_and_version(void **state)
{
	struct ct_frame f;
	struct ct_msg m;

	ct_proto_request(&f, CT_CMD_INFO);
	f.data[0] ^= 0xff;
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), -EBADMSG);
	f.data[0] ^= 0xff;
	f.data[4] = 1;
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), -EPROTONOSUPPORT);
}

static void test_oversized(void **state)
{
	unsigned char buf[CT_PROTO_HEADER_SIZE] = { 'C', 'T', 'M', '1', CT_PROTO_VERSION, 0, 1, 0 };
	uint32_t len = CT_PROTO_PAYLOAD_MAX + 1;
	struct ct_frame f;
	struct ct_msg m;
	char big[CT_PROTO_STR_MAX + 1];

	memcpy(buf + 8, &len, 4); /* little-endian host */
	assert_int_equal(ct_msg_decode(buf, sizeof(buf), &m), -EMSGSIZE);
	/* Encoding refuses to build what the decoder would refuse. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ct_frame_begin(&f, 1);
	ct_frame_put_str(&f, big);
	assert_int_equal(ct_frame_finish(&f), -EMSGSIZE);
	ct_frame_begin(&f, 1);
	for (int i = 0; i < CT_PROTO_PAYLOAD_MAX / 8 + 1; i++)
		ct_frame_put_u64(&f, 0);
	assert_int_equal(ct_frame_finish(&f), -EMSGSIZE);
}

static void test_malformed_body(void **state)
{
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;
	struct ct_info info;
	struct ct_stop_result res;

	/* An INFO reply with a string whose length runs past the payload. */
	ct_frame_begin(&f, CT_CMD_INFO | CT_MSG_REPLY);
	ct_frame_put_u32(&f, 0);
	for (int i = 0; i < 3; i++)
		ct_frame_put_u32(&f, 1);
	ct_frame_put_u64(&f, 0);
	ct_frame_put_u32(&f, 0);
	ct_frame_put_u8(&f, 0);
	ct_frame_put_u32(&f, 0xffff); /* bogus string length */
	assert_int_equal(ct_frame_finish(&f), 0);
	assert_int_equal(ct_msg_decode(f.data, f.len, &m), 0);
	assert_int_equal(ct_proto_parse_reply(&m, CT_CMD_INFO, &c), 0);
	assert_int_equal(ct_proto_parse_info(&c, &info), -EBADMSG);

	/* A STOP reply with trailing bytes, and one with an unknown end. */
	res = (struct ct_stop_result){ .end = CT_END_EXITED };
	ct_proto_reply_stop(&f, CT_CMD_STOP, &res);
	ct_frame_put_u8(&f, 1);
	ct_frame_finish(&f);
	ct_msg_decode(f.data, f.len, &m);
	ct_proto_parse_reply(&m, CT_CMD_STOP, &c);
	assert_int_equal(ct_proto_parse_stop(&c, &res), -EBADMSG);
	res = (struct ct_stop_result){ .end = CT_END_COUNT_ };
	ct_proto_reply_stop(&f, CT_CMD_STOP, &res);
	ct_msg_decode(f.data, f.len, &m);
	ct_proto_parse_reply(&m, CT_CMD_STOP, &c);
	assert_int_equal(ct_proto_parse_stop(&c, &res), -EBADMSG);
}

static void test_string_with_nul(void **state)
{
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;
	char out[CT_PROTO_STR_MAX];

	ct_frame_begin(&f, 1);
	ct_frame_put_u8(&f, 3);
	ct_frame_put_u8(&f, 0);
	ct_frame_put_u8(&f, 'a');
	ct_frame_put_u8(&f, 0);
	ct_frame_put_u8(&f, 'b');
	ct_frame_finish(&f);
	ct_msg_decode(f.data, f.len, &m);
	ct_cursor_init(&c, &m);
	ct_cursor_get_str(&c, out, sizeof(out));
	assert_true(c.error);
	assert_string_equal(out, "");
}

static void test_names(void **state)
{
	assert_string_equal(ct_state_to_string(CT_STATE_STOPPING), "STOPPING");
	assert_string_equal(ct_state_to_string(99), "UNKNOWN");
	assert_string_equal(ct_end_to_string(CT_END_HALTED), "halted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_round_trip), cmocka_unit_test(test_stop_round_trip),
		cmocka_unit_test(test_error_reply),     cmocka_unit_test(test_ok_reply),     cmocka_unit_test(test_wire_bytes),
		cmocka_unit_test(test_truncated),       cmocka_unit_test(test_bad_magic_and_version),
		cmocka_unit_test(test_oversized),       cmocka_unit_test(test_malformed_body),
		cmocka_unit_test(test_string_with_nul), cmocka_unit_test(test_names),
		cmocka_unit_test(test_shutdown_request), cmocka_unit_test(test_progress),
		cmocka_unit_test(test_generic_refusal), cmocka_unit_test(test_exec_round_trip),
		cmocka_unit_test(test_exec_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
