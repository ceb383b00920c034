/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command protocol's wire format: pure encode/decode, no I/O. A frame is a 12-byte header
 * (magic, version, type, payload length; little-endian) followed by at most CT_PROTO_PAYLOAD_MAX
 * bytes of fixed-width fields. Frames travel one per SOCK_SEQPACKET datagram. See docs/protocol.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_PROTO_MAGIC 0x314d5443u /* "CTM1" on the wire */
#define CT_PROTO_VERSION 4 /* 2: SHUTDOWN, FREEZE/THAW, events, richer STOP and INFO replies;
			    * 3: INFO has the id mapping; 4: EXEC, INFO counts exec sessions.
			    * Within 4, INFO grew the group and start.order at its end, which a reader
			    * takes as absent when a monitor started before leaves them out: the
			    * host's shutdown (ctstop --all) must reach monitors older than itself. */
#define CT_GROUP_MAX 64 /* a group name (the config's `group`) */
#define CT_PROTO_HEADER_SIZE 12
#define CT_PROTO_PAYLOAD_MAX 4096
#define CT_PROTO_FRAME_MAX (CT_PROTO_HEADER_SIZE + CT_PROTO_PAYLOAD_MAX)
#define CT_PROTO_STR_MAX 1024 /* longest string field */

/* Request types. A reply has the request's type with CT_MSG_REPLY set. */
enum ct_msg_type {
	CT_CMD_INFO = 1,     /* state, pids, config path, start time */
	CT_CMD_STOP = 2,     /* SIGKILL init now; the reply comes once the container has stopped */
	CT_CMD_SHUTDOWN = 3, /* graceful stop with a timeout; events, then the reply once stopped */
	CT_CMD_FREEZE = 4,   /* freeze the cgroup; the reply comes once it is really frozen */
	CT_CMD_THAW = 5,
	CT_CMD_EXEC = 6,     /* run a command inside (fds attached); the reply comes once it ended */
	CT_CMD_CONSOLE = 7,  /* attach a socket (attached) to the container's console */
	CT_MSG_EVENT = 0x4000, /* progress of a request, before its reply */
	CT_MSG_REPLY = 0x8000,
};

/* SHUTDOWN's timeout field: seconds, or one of these. */
#define CT_TIMEOUT_FOREVER (-1)
#define CT_TIMEOUT_DEFAULT (-2) /* the container's shutdown_timeout */
#define CT_TIMEOUT_MAX 86400    /* a day, in seconds: larger timeouts are refused */

/* How a container is asked to stop (the config's shutdown_method; on the wire in INFO and in
 * stop results). */
enum ct_shutdown_method {
	CT_SHUTDOWN_UNSET = 0, /* resolved by ct_config_finalize() */
	CT_SHUTDOWN_APPLICATION,
	CT_SHUTDOWN_SYSVINIT,
	CT_SHUTDOWN_SYSTEMD,
	CT_SHUTDOWN_EXEC,
	CT_SHUTDOWN_COUNT_,
};

enum ct_state {
	CT_STATE_STARTING,
	CT_STATE_RUNNING,
	CT_STATE_STOPPING,
	CT_STATE_STOPPED,
	CT_STATE_FROZEN,
	CT_STATE_COUNT_,
};

/* Why the monitor SIGKILLed init, if it did. */
enum ct_kill_reason {
	CT_KILL_NONE,          /* it did not: init ended by itself or as asked */
	CT_KILL_FORCE,         /* a STOP (--force) */
	CT_KILL_TIMEOUT,       /* the shutdown deadline passed */
	CT_KILL_UNDELIVERABLE, /* the method could not reach init: no point waiting */
	CT_KILL_COUNT_,
};

/* Progress events of a SHUTDOWN. */
enum ct_progress_kind {
	CT_PROGRESS_ACCEPTED,   /* the stop is under way; remaining_ms says how long until SIGKILL */
	CT_PROGRESS_DISPATCHED, /* the method has done its part (detail says what) */
	CT_PROGRESS_FAILED,     /* the method could not reach init (error, detail); escalating */
	CT_PROGRESS_COUNT_,
};

/* How a container ended, in a STOP reply. */
enum ct_end {
	CT_END_EXITED,   /* init exited by itself (status in exit_code) */
	CT_END_HALTED,   /* init killed by SIGINT: reboot(2) halt/poweroff inside the pid namespace */
	CT_END_KILLED,   /* init killed by SIGKILL */
	CT_END_SIGNALED, /* init killed by another signal (in signal) */
	CT_END_COUNT_,
};

struct ct_frame {
	uint8_t data[CT_PROTO_FRAME_MAX];
	size_t len;    /* bytes used, header included */
	bool overflow; /* a put did not fit: finishing fails with -EMSGSIZE */
};

/* A decoded frame; payload borrows from the buffer that was decoded. */
struct ct_msg {
	uint16_t type;
	uint32_t len;
	const uint8_t *payload;
};

/* Reads fields off a payload; any short read sets error and yields zeros/empty strings. */
struct ct_cursor {
	const uint8_t *p;
	size_t left;
	bool error;
};

struct ct_info {
	uint32_t state; /* enum ct_state */
	int32_t monitor_pid;
	int32_t init_pid; /* host pid; 0 when there is none */
	uint64_t start_time_ms; /* CLOCK_REALTIME when the container started running; 0 before */
	uint32_t shutdown_method; /* enum ct_shutdown_method */
	bool application; /* ctinit is PID 1 */
	uint32_t reboots; /* restarts after init asked for a reboot */
	int64_t memory_bytes; /* cgroup usage; -1 when unknown */
	int64_t tasks;
	int64_t cpu_usec;
	char name[CT_PROTO_STR_MAX];
	char config_path[CT_PROTO_STR_MAX]; /* "" when started without a file */
	char rootfs[CT_PROTO_STR_MAX];
	char idmap[CT_PROTO_STR_MAX]; /* "u 0 HOST COUNT g 0 HOST COUNT" (a user namespace), "none" */
	uint32_t exec_sessions; /* ctexec sessions running */
	bool memory_of_processes; /* memory_bytes is its processes' PSS: no memory controller */
	char blocked[CT_PROTO_STR_MAX]; /* STOPPING: what keeps it from ending, "" if nothing known */
	char log_path[CT_PROTO_STR_MAX]; /* the daemon's log, "" in the foreground */
	bool console; /* a console to attach to (ctconsole) */
	char network[CT_PROTO_STR_MAX]; /* its interfaces and addresses, "" with none configured */
	char group[CT_GROUP_MAX + 1]; /* the config's group, "" for none */
	int32_t start_order;          /* the config's start.order (ctstop --all stops in reverse) */
};

struct ct_stop_result {
	uint32_t end; /* enum ct_end */
	int32_t exit_code; /* with CT_END_EXITED */
	int32_t signal;    /* with CT_END_HALTED/KILLED/SIGNALED */
	uint64_t elapsed_ms; /* from the first stop request to the container having stopped */
	uint32_t kill_reason; /* enum ct_kill_reason */
	uint32_t method;      /* enum ct_shutdown_method dispatched, 0 if none */
	int32_t error;        /* the method's failure (negative errno), 0 if none */
	char detail[CT_PROTO_STR_MAX]; /* what the method did or why it failed; "" if nothing */
	char console_tail[CT_PROTO_STR_MAX]; /* killed at the deadline: the console's last lines */
};

struct ct_progress {
	uint32_t kind;    /* enum ct_progress_kind */
	uint32_t method;  /* enum ct_shutdown_method */
	int64_t remaining_ms; /* until the deadline, at most CT_TIMEOUT_MAX s; -1: none */
	int32_t error;
	char detail[CT_PROTO_STR_MAX];
};

/* EXEC: a command to run inside, with fds attached to the datagram (SCM_RIGHTS): the session's
 * control socket, then its stderr, then (without CT_EXEC_TTY) its stdin and stdout. */
#define CT_EXEC_TTY 1u     /* a pty in the container's devpts; its master goes back on the control
			    * socket */
#define CT_EXEC_ARGS_MAX 256
#define CT_EXEC_ENV_MAX 256
#define CT_EXEC_FDS_MAX 4
struct ct_exec_request {
	uint32_t flags;
	uint16_t rows, cols; /* the terminal's size with CT_EXEC_TTY, else 0 */
	char user[256];      /* "" (the container's root), a name or UID[:GID] */
	char cwd[CT_PROTO_STR_MAX]; /* "" for "/" */
	char *argv[CT_EXEC_ARGS_MAX + 1]; /* NULL-terminated, pointing into strings */
	char *env[CT_EXEC_ENV_MAX + 1];   /* K=V added to the container's environment */
	char strings[CT_PROTO_PAYLOAD_MAX];
};

/* CONSOLE: flags and how much of the console's buffer to replay first; one fd attached, a
 * SOCK_SEQPACKET socket over which the console's output comes and (unless read-only) input
 * goes, raw bytes in datagrams. */
#define CT_CONSOLE_READ_ONLY 1u
#define CT_CONSOLE_CHUNK 4096 /* the largest datagram either way */
#define CT_CONSOLE_CLIENTS_MAX 16 /* attached at once; more: -EMFILE */
int ct_proto_request_console(struct ct_frame *f, uint32_t flags, uint32_t tail);
int ct_proto_parse_console(const struct ct_msg *m, uint32_t *ret_flags, uint32_t *ret_tail);

/* How an exec session ended, in its reply. */
struct ct_exec_result {
	uint32_t end;      /* CT_END_EXITED (exit_code) or CT_END_SIGNALED/CT_END_KILLED (signal) */
	int32_t exit_code;
	int32_t signal;
};

void ct_frame_begin(struct ct_frame *f, uint16_t type);
void ct_frame_put_u8(struct ct_frame *f, uint8_t v);
void ct_frame_put_u32(struct ct_frame *f, uint32_t v);
void ct_frame_put_u64(struct ct_frame *f, uint64_t v);
/* A string is a u16 length and that many bytes; longer than CT_PROTO_STR_MAX - 1 overflows. */
void ct_frame_put_str(struct ct_frame *f, const char *s);
/* Patches the header's length. -EMSGSIZE if any put overflowed. */
int ct_frame_finish(struct ct_frame *f);

/* Validates one received datagram of n bytes. -EBADMSG: bad magic or the length does not match
 * the bytes received (truncated); -EPROTONOSUPPORT: other version; -EMSGSIZE: payload too long. */
int ct_msg_decode(const void *buf, size_t n, struct ct_msg *ret);

void ct_cursor_init(struct ct_cursor *c, const struct ct_msg *m);
uint8_t ct_cursor_get_u8(struct ct_cursor *c);
uint32_t ct_cursor_get_u32(struct ct_cursor *c);
uint64_t ct_cursor_get_u64(struct ct_cursor *c);
/* Copies a string into out (size CT_PROTO_STR_MAX); embedded NULs or overlong strings are errors. */
void ct_cursor_get_str(struct ct_cursor *c, char *out, size_t size);
/* -EBADMSG if a read failed or bytes are left over. */
int ct_cursor_end(const struct ct_cursor *c);

/* Requests and replies. A reply payload starts with an i32 result: 0 or a negative errno; the
 * body follows only when it is 0. */
int ct_proto_request(struct ct_frame *f, uint16_t type);
int ct_proto_reply_error(struct ct_frame *f, uint16_t request, int error);
/* A reply that is just "done" (result 0, no body). */
int ct_proto_reply_ok(struct ct_frame *f, uint16_t request);
int ct_proto_reply_info(struct ct_frame *f, const struct ct_info *info);
/* The reply to STOP or SHUTDOWN (request says which): the same body. */
int ct_proto_reply_stop(struct ct_frame *f, uint16_t request, const struct ct_stop_result *res);
/* SHUTDOWN's request: timeout in seconds, CT_TIMEOUT_FOREVER or CT_TIMEOUT_DEFAULT. */
int ct_proto_request_shutdown(struct ct_frame *f, int32_t timeout);
int ct_proto_parse_shutdown(const struct ct_msg *m, int32_t *ret_timeout);
int ct_proto_progress(struct ct_frame *f, uint16_t request, const struct ct_progress *ev);
int ct_proto_parse_progress(const struct ct_msg *m, struct ct_progress *ret);
/* Decode a reply: returns its result (0 or -errno from the monitor), or -EBADMSG if malformed. */
int ct_proto_parse_reply(const struct ct_msg *m, uint16_t request, struct ct_cursor *ret_body);
int ct_proto_parse_info(struct ct_cursor *c, struct ct_info *ret);
int ct_proto_parse_stop(struct ct_cursor *c, struct ct_stop_result *ret);

/* EXEC's request: argv non-empty; env entries are K=V. -EMSGSIZE if it does not fit a frame. */
int ct_proto_request_exec(struct ct_frame *f, uint32_t flags, uint16_t rows, uint16_t cols,
			  const char *user, const char *cwd, char *const *argv, char *const *env);
/* -EBADMSG: malformed; -EINVAL: no command, too many arguments, an env entry without '='. */
int ct_proto_parse_exec(const struct ct_msg *m, struct ct_exec_request *ret);
int ct_proto_reply_exec(struct ct_frame *f, const struct ct_exec_result *res);
int ct_proto_parse_exec_result(struct ct_cursor *c, struct ct_exec_result *ret);

const char *ct_state_to_string(enum ct_state s);
/* "application", "sysvinit", "systemd", "exec" ("unset" for CT_SHUTDOWN_UNSET). */
const char *ct_shutdown_method_to_string(enum ct_shutdown_method m);
/* The method a name says (not "unset"), or -EINVAL. */
int ct_shutdown_method_from_string(const char *s);
const char *ct_end_to_string(enum ct_end e);
const char *ct_kill_reason_to_string(enum ct_kill_reason r);
