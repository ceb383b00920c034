/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command server on a real socket and loop: dispatch, ENOSYS default, garbage, truncated and
 * oversized frames, deferred replies to many waiters, the connection cap and the request deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cmd/client.h"
#include "cmd/server.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	char path[96];
	struct ct_loop *loop;
	struct ct_server *server;
	int timer;
	int handled;
};

static int cmd_info(struct ct_conn *c, const struct ct_msg *m, void *userdata)
{
	struct fixture *f = userdata;
	struct ct_info info = { .state = CT_STATE_RUNNING, .init_pid = 4242 };
	struct ct_frame fr;

	f->handled++;
	ct_proto_reply_info(&fr, &info);
	ct_conn_reply(c, &fr);
	return 0;
}

static int cmd_stop(struct ct_conn *c, const struct ct_msg *m, void *userdata)
{
	((struct fixture *)userdata)->handled++;
	ct_conn_defer(c, CT_CMD_STOP);
	return 0;
}

static const struct ct_cmd_entry table[] = { { CT_CMD_INFO, cmd_info }, { CT_CMD_STOP, cmd_stop } };

static int on_timer(int fd, uint32_t events, void *data)
{
	return CT_LOOP_EXIT;
}

/* Runs the loop for ms milliseconds. */
static void pump(struct fixture *f, unsigned ms)
{
	ct_timerfd_arm(f->timer, ms);
	assert_int_equal(ct_loop_run(f->loop), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ct_server_options o = { .table = table, .n_table = 2, .allowed_uid = 0,
				       .request_timeout_ms = 500 };

	strcpy(f->dir, "/tmp/ct-srv-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	mkdir(strcat(strcpy(f->path, f->dir), "/t"), 0700);
	strcat(f->path, "/sock");
	o.path = f->path;
	o.userdata = f;
	assert_int_equal(ct_loop_new(&f->loop), 0);
	assert_int_equal(ct_server_new(f->loop, &o, &f->server), 0);
	f->timer = ct_timerfd_new();
	assert_int_equal(ct_loop_add(f->loop, f->timer, EPOLLIN, on_timer, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	ct_server_free(f->server);
	ct_loop_remove(f->loop, f->timer);
	close(f->timer);
	ct_loop_free(f->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int connect_raw(struct fixture *f)
{
	int fd = -1;
	char rundir[64];

	snprintf(rundir, sizeof(rundir), "%s", f->dir);
	assert_int_equal(ct_client_connect(rundir, "t", &fd), 0);
	return fd;
}

/* Receives one frame (non-blocking, after pump) and returns the reply's result. */
static int recv_result(int fd, uint16_t request)
{
	struct ct_frame buf;
	struct ct_msg m;
	struct ct_cursor c;
	ssize_t n = recv(fd, buf.data, sizeof(buf.data), MSG_DONTWAIT);

	if (n <= 0)
		return n == 0 ? -ECONNRESET : -errno;
	assert_int_equal(ct_msg_decode(buf.data, (size_t)n, &m), 0);
	return ct_proto_parse_reply(&m, request, &c);
}

static bool closed(int fd)
{
	char b;

	return recv(fd, &b, 1, MSG_DONTWAIT) == 0;
}

static void test_dispatch_and_enosys(void **state)
{
	struct fixture *f = *state;
	int fd = connect_raw(f);
	struct ct_frame req;

	ct_proto_request(&req, CT_CMD_INFO);
	send(fd, req.data, req.len, 0);
	pump(f, 50);
	assert_int_equal(recv_result(fd, CT_CMD_INFO), 0);
	ct_proto_request(&req, 999);
	send(fd, req.data, req.len, 0);
	pump(f, 50);
	assert_int_equal(recv_result(fd, 999), -ENOSYS);
	/* A reply type sent as a request is not a command either. */
	ct_proto_request(&req, CT_CMD_INFO | CT_MSG_REPLY);
	send(fd, req.data, req.len, 0);
	pump(f, 50);
	assert_int_equal(recv_result(fd, CT_CMD_INFO | CT_MSG_REPLY), -ENOSYS);
	/* The connection survives unknown commands. */
	ct_proto_request(&req, CT_CMD_INFO);
	send(fd, req.data, req.len, 0);
	pump(f, 50);
	assert_int_equal(recv_result(fd, CT_CMD_INFO), 0);
	assert_int_equal(f->handled, 2);
	close(fd);
}

static void expect_rejected(struct fixture *f, const void *data, size_t len, int error)
{
	int fd = connect_raw(f);

	send(fd, data, len, 0);
	pump(f, 50);
	assert_int_equal(recv_result(fd, 0), error);
	assert_true(closed(fd));
	close(fd);
}

static void test_garbage_truncated_oversized(void **state)
{
	struct fixture *f = *state;
	static char big[CT_PROTO_FRAME_MAX + 100];
	struct ct_frame req;

	expect_rejected(f, "GET / HTTP/1.0\r\n\r\n", 18, -EBADMSG);
	ct_proto_request(&req, CT_CMD_INFO);
	expect_rejected(f, req.data, 5, -EBADMSG);
	memset(big, 'x', sizeof(big));
	memcpy(big, req.data, CT_PROTO_HEADER_SIZE);
	expect_rejected(f, big, sizeof(big), -EMSGSIZE);
	req.data[4] = 9;
	expect_rejected(f, req.data, req.len, -EPROTONOSUPPORT);
	assert_int_equal(f->handled, 0);
}

static void test_deferred_to_all_waiters(void **state)
{
	struct fixture *f = *state;
	struct ct_frame req, reply;
	struct ct_stop_result res = { .end = CT_END_KILLED, .signal = 9 };
	int fds[12];

	ct_proto_request(&req, CT_CMD_STOP);
	for (size_t i = 0; i < 12; i++) {
		fds[i] = connect_raw(f);
		send(fds[i], req.data, req.len, 0);
	}
	pump(f, 600); /* longer than the request deadline: waiters have none */
	assert_int_equal(f->handled, 12);
	for (size_t i = 0; i < 12; i++)
		assert_int_equal(recv_result(fds[i], CT_CMD_STOP), -EAGAIN);
	ct_proto_reply_stop(&reply, CT_CMD_STOP, &res);
	ct_server_reply_deferred(f->server, CT_CMD_STOP, &reply);
	for (size_t i = 0; i < 12; i++) {
		assert_int_equal(recv_result(fds[i], CT_CMD_STOP), 0);
		close(fds[i]);
	}
}

static void test_silent_client_dropped(void **state)
{
	struct fixture *f = *state;
	int fd = connect_raw(f);

	/* Dropped at the 500 ms request deadline: pumped until then, and a while more under load */
	for (int i = 0; i < 50 && !closed(fd); i++)
		pump(f, 100);
	assert_true(closed(fd));
	close(fd);
}

static void test_connection_cap(void **state)
{
	struct fixture *f = *state;
	int fds[CT_SERVER_MAX_CONNS + 1];
	struct ct_frame req;

	/* Silent clients fill every slot; one more evicts the oldest of them, not itself. */
	for (size_t i = 0; i <= CT_SERVER_MAX_CONNS; i++)
		fds[i] = connect_raw(f);
	pump(f, 20); /* accepted in order, well within the 500 ms request deadline */
	assert_int_equal(recv_result(fds[0], 0), -EBUSY);
	assert_true(closed(fds[0]));
	ct_proto_request(&req, CT_CMD_INFO);
	send(fds[CT_SERVER_MAX_CONNS], req.data, req.len, 0);
	pump(f, 20);
	assert_int_equal(recv_result(fds[CT_SERVER_MAX_CONNS], CT_CMD_INFO), 0);
	for (size_t i = 0; i <= CT_SERVER_MAX_CONNS; i++)
		close(fds[i]);
	pump(f, 50);
}

static void test_cap_with_every_slot_waiting(void **state)
{
	struct fixture *f = *state;
	int fds[CT_SERVER_MAX_CONNS + 1];
	struct ct_frame req;

	/* When every slot holds a real request, a newcomer is refused at once, not left hanging. */
	ct_proto_request(&req, CT_CMD_STOP);
	for (size_t i = 0; i < CT_SERVER_MAX_CONNS; i++) {
		fds[i] = connect_raw(f);
		send(fds[i], req.data, req.len, 0);
	}
	pump(f, 50);
	fds[CT_SERVER_MAX_CONNS] = connect_raw(f);
	pump(f, 20);
	assert_int_equal(recv_result(fds[CT_SERVER_MAX_CONNS], 0), -EBUSY);
	for (size_t i = 0; i < CT_SERVER_MAX_CONNS; i++)
		assert_int_equal(recv_result(fds[i], CT_CMD_STOP), -EAGAIN); /* still waiting */
	for (size_t i = 0; i <= CT_SERVER_MAX_CONNS; i++)
		close(fds[i]);
	pump(f, 50);
}

static void test_client_gone_mid_request(void **state)
{
	struct fixture *f = *state;
	struct ct_frame req;
	int fd = connect_raw(f);

	ct_proto_request(&req, CT_CMD_STOP);
	send(fd, req.data, req.len, 0);
	close(fd); /* the waiter vanishes before the reply */
	pump(f, 50);
	ct_proto_reply_error(&req, CT_CMD_STOP, -EIO);
	ct_server_reply_deferred(f->server, CT_CMD_STOP, &req);
	f->handled = 0;
	test_dispatch_and_enosys(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dispatch_and_enosys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_truncated_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_to_all_waiters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_client_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_with_every_slot_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_gone_mid_request, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
