/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Encoding and decoding of command-protocol frames. Everything is explicit little-endian byte
 * packing with bounds checks, so no struct layout or pointer ever crosses the socket. */
#include "protocol.h"

#include <errno.h>
#include <string.h>

static void put_bytes(struct ct_frame *f, const void *p, size_t n)
{
	if (f->overflow || n > sizeof(f->data) - f->len) {
		f->overflow = true;
		return;
	}
	memcpy(f->data + f->len, p, n);
	f->len += n;
}

static void put_le(struct ct_frame *f, uint64_t v, size_t width)
{
	uint8_t b[8];

	for (size_t i = 0; i < width; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(f, b, width);
}

static uint64_t get_le(const uint8_t *p, size_t width)
{
	uint64_t v = 0;

	for (size_t i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void ct_frame_begin(struct ct_frame *f, uint16_t type)
{
	f->len = 0;
	f->overflow = false;
	put_le(f, CT_PROTO_MAGIC, 4);
	put_le(f, CT_PROTO_VERSION, 2);
	put_le(f, type, 2);
	put_le(f, 0, 4); /* length, patched by ct_frame_finish() */
}

void ct_frame_put_u8(struct ct_frame *f, uint8_t v)
{
	put_le(f, v, 1);
}

void ct_frame_put_u32(struct ct_frame *f, uint32_t v)
{
	put_le(f, v, 4);
}

void ct_frame_put_u64(struct ct_frame *f, uint64_t v)
{
	put_le(f, v, 8);
}

void ct_frame_put_str(struct ct_frame *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= CT_PROTO_STR_MAX) {
		f->overflow = true;
		return;
	}
	put_le(f, n, 2);
	put_bytes(f, s, n);
}

int ct_frame_finish(struct ct_frame *f)
{
	size_t payload = f->len - CT_PROTO_HEADER_SIZE;

	if (f->overflow || payload > CT_PROTO_PAYLOAD_MAX)
		return -EMSGSIZE;
	for (size_t i = 0; i < 4; i++)
		f->data[8 + i] = (uint8_t)(payload >> (8 * i));
	return 0;
}

int ct_msg_decode(const void *buf, size_t n, struct ct_msg *ret)
{
	const uint8_t *p = buf;
	uint64_t len;

	if (n < CT_PROTO_HEADER_SIZE || get_le(p, 4) != CT_PROTO_MAGIC)
		return -EBADMSG;
	if (get_le(p + 4, 2) != CT_PROTO_VERSION)
		return -EPROTONOSUPPORT;
	len = get_le(p + 8, 4);
	if (len > CT_PROTO_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (len != n - CT_PROTO_HEADER_SIZE)
		return -EBADMSG;
	ret->type = (uint16_t)get_le(p + 6, 2);
	ret->len = (uint32_t)len;
	ret->payload = p + CT_PROTO_HEADER_SIZE;
	return 0;
}

void ct_cursor_init(struct ct_cursor *c, const struct ct_msg *m)
{
	c->p = m->payload;
	c->left = m->len;
	c->error = false;
}

static const uint8_t *take(struct ct_cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->error || n > c->left) {
		c->error = true;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return p;
}

static uint64_t get_field(struct ct_cursor *c, size_t width)
{
	const uint8_t *p = take(c, width);

	return p ? get_le(p, width) : 0;
}

uint8_t ct_cursor_get_u8(struct ct_cursor *c)
{
	return (uint8_t)get_field(c, 1);
}

uint32_t ct_cursor_get_u32(struct ct_cursor *c)
{
	return (uint32_t)get_field(c, 4);
}

uint64_t ct_cursor_get_u64(struct ct_cursor *c)
{
	return get_field(c, 8);
}

void ct_cursor_get_str(struct ct_cursor *c, char *out, size_t size)
{
	size_t n = (size_t)get_field(c, 2);
	const uint8_t *p;

	out[0] = '\0';
	if (c->error)
		return;
	if (n >= size || n >= CT_PROTO_STR_MAX) {
		c->error = true;
		return;
	}
	p = take(c, n);
	if (!p)
		return;
	if (memchr(p, '\0', n)) {
		c->error = true;
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

int ct_cursor_end(const struct ct_cursor *c)
{
	return c->error || c->left ? -EBADMSG : 0;
}

int ct_proto_request(struct ct_frame *f, uint16_t type)
{
	ct_frame_begin(f, type);
	return ct_frame_finish(f);
}

static void begin_reply(struct ct_frame *f, uint16_t request, int result)
{
	ct_frame_begin(f, (uint16_t)(request | CT_MSG_REPLY));
	ct_frame_put_u32(f, (uint32_t)result);
}

int ct_proto_reply_error(struct ct_frame *f, uint16_t request, int error)
{
	begin_reply(f, request, error < 0 ? error : -EIO);
	return ct_frame_finish(f);
}

int ct_proto_reply_ok(struct ct_frame *f, uint16_t request)
{
	begin_reply(f, request, 0);
	return ct_frame_finish(f);
}

int ct_proto_reply_info(struct ct_frame *f, const struct ct_info *info)
{
	begin_reply(f, CT_CMD_INFO, 0);
	ct_frame_put_u32(f, info->state);
	ct_frame_put_u32(f, (uint32_t)info->monitor_pid);
	ct_frame_put_u32(f, (uint32_t)info->init_pid);
	ct_frame_put_u64(f, info->start_time_ms);
	ct_frame_put_u32(f, info->shutdown_method);
	ct_frame_put_u8(f, info->application);
	ct_frame_put_u32(f, info->reboots);
	ct_frame_put_u64(f, (uint64_t)info->memory_bytes);
	ct_frame_put_u64(f, (uint64_t)info->tasks);
	ct_frame_put_u64(f, (uint64_t)info->cpu_usec);
	ct_frame_put_str(f, info->name);
	ct_frame_put_str(f, info->config_path);
	ct_frame_put_str(f, info->rootfs);
	ct_frame_put_str(f, info->idmap);
	ct_frame_put_u32(f, info->exec_sessions);
	ct_frame_put_u8(f, info->memory_of_processes);
	ct_frame_put_str(f, info->blocked);
	ct_frame_put_str(f, info->log_path);
	ct_frame_put_u8(f, info->console);
	ct_frame_put_str(f, info->network);
	ct_frame_put_str(f, info->group);
	ct_frame_put_u32(f, (uint32_t)info->start_order);
	return ct_frame_finish(f);
}

int ct_proto_reply_stop(struct ct_frame *f, uint16_t request, const struct ct_stop_result *res)
{
	begin_reply(f, request, 0);
	ct_frame_put_u32(f, res->end);
	ct_frame_put_u32(f, (uint32_t)res->exit_code);
	ct_frame_put_u32(f, (uint32_t)res->signal);
	ct_frame_put_u64(f, res->elapsed_ms);
	ct_frame_put_u32(f, res->kill_reason);
	ct_frame_put_u32(f, res->method);
	ct_frame_put_u32(f, (uint32_t)res->error);
	ct_frame_put_str(f, res->detail);
	ct_frame_put_str(f, res->console_tail);
	return ct_frame_finish(f);
}

int ct_proto_request_console(struct ct_frame *f, uint32_t flags, uint32_t tail)
{
	ct_frame_begin(f, CT_CMD_CONSOLE);
	ct_frame_put_u32(f, flags);
	ct_frame_put_u32(f, tail);
	return ct_frame_finish(f);
}

int ct_proto_parse_console(const struct ct_msg *m, uint32_t *ret_flags, uint32_t *ret_tail)
{
	struct ct_cursor c;

	ct_cursor_init(&c, m);
	*ret_flags = ct_cursor_get_u32(&c);
	*ret_tail = ct_cursor_get_u32(&c);
	if (ct_cursor_end(&c) < 0)
		return -EBADMSG;
	return (*ret_flags & ~CT_CONSOLE_READ_ONLY) ? -EINVAL : 0;
}

int ct_proto_request_shutdown(struct ct_frame *f, int32_t timeout)
{
	ct_frame_begin(f, CT_CMD_SHUTDOWN);
	ct_frame_put_u32(f, (uint32_t)timeout);
	return ct_frame_finish(f);
}

int ct_proto_parse_shutdown(const struct ct_msg *m, int32_t *ret_timeout)
{
	struct ct_cursor c;
	int32_t t;

	ct_cursor_init(&c, m);
	t = (int32_t)ct_cursor_get_u32(&c);
	if (ct_cursor_end(&c) < 0)
		return -EBADMSG;
	if (t < CT_TIMEOUT_DEFAULT || t > CT_TIMEOUT_MAX)
		return -EINVAL;
	*ret_timeout = t;
	return 0;
}

int ct_proto_progress(struct ct_frame *f, uint16_t request, const struct ct_progress *ev)
{
	ct_frame_begin(f, (uint16_t)(request | CT_MSG_EVENT));
	ct_frame_put_u32(f, ev->kind);
	ct_frame_put_u32(f, ev->method);
	ct_frame_put_u64(f, (uint64_t)ev->remaining_ms);
	ct_frame_put_u32(f, (uint32_t)ev->error);
	ct_frame_put_str(f, ev->detail);
	return ct_frame_finish(f);
}

int ct_proto_parse_progress(const struct ct_msg *m, struct ct_progress *ret)
{
	struct ct_progress ev;
	struct ct_cursor c;

	if (!(m->type & CT_MSG_EVENT) || (m->type & CT_MSG_REPLY))
		return -EBADMSG;
	ct_cursor_init(&c, m);
	ev.kind = ct_cursor_get_u32(&c);
	ev.method = ct_cursor_get_u32(&c);
	ev.remaining_ms = (int64_t)ct_cursor_get_u64(&c);
	ev.error = (int32_t)ct_cursor_get_u32(&c);
	ct_cursor_get_str(&c, ev.detail, sizeof(ev.detail));
	if (ct_cursor_end(&c) < 0 || ev.kind >= CT_PROGRESS_COUNT_ || ev.error > 0 || ev.error < -4095 ||
	    ev.remaining_ms < -1 || ev.remaining_ms > (int64_t)CT_TIMEOUT_MAX * 1000)
		return -EBADMSG;
	*ret = ev;
	return 0;
}

int ct_proto_parse_reply(const struct ct_msg *m, uint16_t request, struct ct_cursor *ret_body)
{
	int32_t result;

	/* A bare CT_MSG_REPLY is the server refusing a connection or an undecodable frame. */
	if (m->type != (uint16_t)(request | CT_MSG_REPLY) && m->type != CT_MSG_REPLY)
		return -EBADMSG;
	ct_cursor_init(ret_body, m);
	result = (int32_t)ct_cursor_get_u32(ret_body);
	if (ret_body->error || result > 0 || result < -4095 || (m->type == CT_MSG_REPLY && !result))
		return -EBADMSG;
	if (result < 0 && ct_cursor_end(ret_body) < 0)
		return -EBADMSG;
	return result;
}

int ct_proto_parse_info(struct ct_cursor *c, struct ct_info *ret)
{
	struct ct_info info = { 0 };

	info.state = ct_cursor_get_u32(c);
	info.monitor_pid = (int32_t)ct_cursor_get_u32(c);
	info.init_pid = (int32_t)ct_cursor_get_u32(c);
	info.start_time_ms = ct_cursor_get_u64(c);
	info.shutdown_method = ct_cursor_get_u32(c);
	info.application = ct_cursor_get_u8(c) != 0;
	info.reboots = ct_cursor_get_u32(c);
	info.memory_bytes = (int64_t)ct_cursor_get_u64(c);
	info.tasks = (int64_t)ct_cursor_get_u64(c);
	info.cpu_usec = (int64_t)ct_cursor_get_u64(c);
	ct_cursor_get_str(c, info.name, sizeof(info.name));
	ct_cursor_get_str(c, info.config_path, sizeof(info.config_path));
	ct_cursor_get_str(c, info.rootfs, sizeof(info.rootfs));
	ct_cursor_get_str(c, info.idmap, sizeof(info.idmap));
	info.exec_sessions = ct_cursor_get_u32(c);
	info.memory_of_processes = ct_cursor_get_u8(c) != 0;
	ct_cursor_get_str(c, info.blocked, sizeof(info.blocked));
	ct_cursor_get_str(c, info.log_path, sizeof(info.log_path));
	info.console = ct_cursor_get_u8(c) != 0;
	ct_cursor_get_str(c, info.network, sizeof(info.network));
	if (c->left) { /* absent from an older monitor's reply: no group, order 0 */
		ct_cursor_get_str(c, info.group, sizeof(info.group));
		info.start_order = (int32_t)ct_cursor_get_u32(c);
	}
	if (ct_cursor_end(c) < 0 || info.state >= CT_STATE_COUNT_)
		return -EBADMSG;
	*ret = info;
	return 0;
}

int ct_proto_parse_stop(struct ct_cursor *c, struct ct_stop_result *ret)
{
	struct ct_stop_result res;

	res.end = ct_cursor_get_u32(c);
	res.exit_code = (int32_t)ct_cursor_get_u32(c);
	res.signal = (int32_t)ct_cursor_get_u32(c);
	res.elapsed_ms = ct_cursor_get_u64(c);
	res.kill_reason = ct_cursor_get_u32(c);
	res.method = ct_cursor_get_u32(c);
	res.error = (int32_t)ct_cursor_get_u32(c);
	ct_cursor_get_str(c, res.detail, sizeof(res.detail));
	ct_cursor_get_str(c, res.console_tail, sizeof(res.console_tail));
	if (ct_cursor_end(c) < 0 || res.end >= CT_END_COUNT_ || res.kill_reason >= CT_KILL_COUNT_ ||
	    res.error > 0 || res.error < -4095)
		return -EBADMSG;
	*ret = res;
	return 0;
}

const char *ct_state_to_string(enum ct_state s)
{
	static const char *const names[] = { "STARTING", "RUNNING", "STOPPING", "STOPPED", "FROZEN" };

	return (unsigned)s < CT_STATE_COUNT_ ? names[s] : "UNKNOWN";
}

static size_t strv_count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int ct_proto_request_exec(struct ct_frame *f, uint32_t flags, uint16_t rows, uint16_t cols,
			  const char *user, const char *cwd, char *const *argv, char *const *env)
{
	size_t argc = strv_count(argv), envc = strv_count(env);

	if (argc == 0 || argc > CT_EXEC_ARGS_MAX || envc > CT_EXEC_ENV_MAX)
		return -EINVAL;
	ct_frame_begin(f, CT_CMD_EXEC);
	ct_frame_put_u32(f, flags);
	ct_frame_put_u32(f, rows);
	ct_frame_put_u32(f, cols);
	ct_frame_put_str(f, user ? user : "");
	ct_frame_put_str(f, cwd ? cwd : "");
	ct_frame_put_u32(f, (uint32_t)argc);
	for (size_t i = 0; i < argc; i++)
		ct_frame_put_str(f, argv[i]);
	ct_frame_put_u32(f, (uint32_t)envc);
	for (size_t i = 0; i < envc; i++)
		ct_frame_put_str(f, env[i]);
	return ct_frame_finish(f);
}

/* Reads n strings into ret->strings after *used, pointing v at them. */
static int get_strv(struct ct_cursor *c, struct ct_exec_request *ret, size_t *used, char **v,
		    uint32_t n)
{
	char s[CT_PROTO_STR_MAX];

	for (uint32_t i = 0; i < n; i++) {
		ct_cursor_get_str(c, s, sizeof(s));
		size_t len = strlen(s) + 1;

		if (c->error || len > sizeof(ret->strings) - *used)
			return -EBADMSG;
		v[i] = memcpy(ret->strings + *used, s, len);
		*used += len;
	}
	v[n] = NULL;
	return 0;
}

int ct_proto_parse_exec(const struct ct_msg *m, struct ct_exec_request *ret)
{
	struct ct_cursor c;
	size_t used = 0;
	uint32_t rows, cols, argc, envc;

	ct_cursor_init(&c, m);
	ret->flags = ct_cursor_get_u32(&c);
	rows = ct_cursor_get_u32(&c);
	cols = ct_cursor_get_u32(&c);
	ct_cursor_get_str(&c, ret->user, sizeof(ret->user));
	ct_cursor_get_str(&c, ret->cwd, sizeof(ret->cwd));
	argc = ct_cursor_get_u32(&c);
	if (c.error || argc == 0 || argc > CT_EXEC_ARGS_MAX)
		return c.error ? -EBADMSG : -EINVAL;
	if (get_strv(&c, ret, &used, ret->argv, argc) < 0)
		return -EBADMSG;
	envc = ct_cursor_get_u32(&c);
	if (c.error || envc > CT_EXEC_ENV_MAX)
		return c.error ? -EBADMSG : -EINVAL;
	if (get_strv(&c, ret, &used, ret->env, envc) < 0 || ct_cursor_end(&c) < 0)
		return -EBADMSG;
	if ((ret->flags & ~CT_EXEC_TTY) || rows > UINT16_MAX || cols > UINT16_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < envc; i++)
		if (ret->env[i][0] == '=' || !strchr(ret->env[i], '='))
			return -EINVAL;
	ret->rows = (uint16_t)rows;
	ret->cols = (uint16_t)cols;
	return 0;
}

int ct_proto_reply_exec(struct ct_frame *f, const struct ct_exec_result *res)
{
	begin_reply(f, CT_CMD_EXEC, 0);
	ct_frame_put_u32(f, res->end);
	ct_frame_put_u32(f, (uint32_t)res->exit_code);
	ct_frame_put_u32(f, (uint32_t)res->signal);
	return ct_frame_finish(f);
}

int ct_proto_parse_exec_result(struct ct_cursor *c, struct ct_exec_result *ret)
{
	struct ct_exec_result r;

	r.end = ct_cursor_get_u32(c);
	r.exit_code = (int32_t)ct_cursor_get_u32(c);
	r.signal = (int32_t)ct_cursor_get_u32(c);
	if (ct_cursor_end(c) < 0 || r.end >= CT_END_COUNT_)
		return -EBADMSG;
	*ret = r;
	return 0;
}

static const char *const shutdown_method_names[CT_SHUTDOWN_COUNT_] = {
	[CT_SHUTDOWN_UNSET] = "unset",
	[CT_SHUTDOWN_APPLICATION] = "application",
	[CT_SHUTDOWN_SYSVINIT] = "sysvinit",
	[CT_SHUTDOWN_SYSTEMD] = "systemd",
	[CT_SHUTDOWN_EXEC] = "exec",
};

const char *ct_shutdown_method_to_string(enum ct_shutdown_method m)
{
	return (unsigned)m < CT_SHUTDOWN_COUNT_ ? shutdown_method_names[m] : "unknown";
}

int ct_shutdown_method_from_string(const char *s)
{
	for (int i = CT_SHUTDOWN_UNSET + 1; i < CT_SHUTDOWN_COUNT_; i++)
		if (strcmp(s, shutdown_method_names[i]) == 0)
			return i;
	return -EINVAL;
}

const char *ct_kill_reason_to_string(enum ct_kill_reason r)
{
	static const char *const names[] = { "none", "force", "timeout", "undeliverable" };

	return (unsigned)r < CT_KILL_COUNT_ ? names[r] : "unknown";
}

const char *ct_end_to_string(enum ct_end e)
{
	static const char *const names[] = { "exited", "halted", "killed", "signaled" };

	return (unsigned)e < CT_END_COUNT_ ? names[e] : "unknown";
}
