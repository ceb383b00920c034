/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's state, shared by its files, and its core: the state machine (monitor-state.c) and
 * the mainloop's handlers (monitor.c). Each part declares its functions in a header of its own
 * (monitor-spawn.h, monitor-shutdown.h, monitor-freeze.h, monitor-exec.h, monitor-log.h,
 * monitor-tty.h, monitor-console.h, monitor-cmd.h), included only by the files that call them. */
#pragma once

#include "cgroup/cgroup.h"
#include "net/net.h"
#include "cmd/cmd.h"
#include "common/mainloop.h"
#include "monitor.h"
#include "spawn/spawn.h"
#include "state.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Init: its process, its setup, its runs. */
struct ct_monitor_init {
	pid_t pid;
	int pidfd;
	int sync_fd;             /* the setup's socket until it settled, else -1 */
	bool exec_pending;       /* the child said it is about to exec */
	bool settling;           /* ... and closed the sync fd: exec'd or died in it? (settle_fd) */
	unsigned settle_tries;
	int settle_fd;           /* timerfd: looks at a settling child again */
	bool setup_failed;
	struct ct_setup_report setup;
	int status;              /* wait status once reaped */
	uint64_t start_time_ms;  /* realtime, when RUNNING was reached */
	uint64_t running_ms;     /* monotonic, when init exec'd */
	unsigned reboots;
};

/* The stop under way, and how it went. */
struct ct_monitor_stop {
	int timer_fd;            /* the deadline after which init is SIGKILLed; paces the drain */
	uint64_t deadline_ms;    /* monotonic; 0: none armed */
	uint64_t begin_ms;       /* monotonic, when the first stop request arrived */
	int32_t request_timeout; /* of the SHUTDOWN being handled */
	bool queued;             /* asked for during STARTING */
	int retry_fd;            /* retries a method that could not reach a just-started init */
	enum ct_kill_reason kill_reason;
	uint64_t killed_ms;      /* monotonic, when init was SIGKILLed; 0: it was not */
	enum ct_shutdown_method dispatched;
	int32_t error;           /* the method's failure, 0 if none */
	char detail[256];        /* what the method did or why it failed */
	/* Once STOPPED (init is gone), the drain: the helper's report, then the rest of the cgroup. */
	bool drain_killed;       /* the second part: the cgroup was killed */
	uint64_t drain_deadline_ms;
};

/* The freezer. */
struct ct_monitor_freeze {
	bool frozen;             /* the cgroup was asked to freeze (and not thawed since) */
	bool confirmed;          /* ... and the kernel says it is frozen */
	int fd;                  /* timerfd: polls the freezer until frozen or the deadline */
	uint64_t deadline_ms;
};

/* The sysvinit or exec helper, pid 0 if none. */
struct ct_monitor_helper {
	pid_t pid;
	int pidfd;
};

/* ctexec sessions (monitor-exec.c): the helper of each, and the connection waiting for its end. */
#define CT_EXEC_SESSIONS_MAX 64
struct ct_exec_session {
	pid_t pid; /* the helper's (host pid namespace); 0: a free slot */
	uint16_t tag; /* its connection's (ct_conn_defer) */
};
struct ct_monitor_exec {
	/* The EXEC request being handled, for the EXEC action; NULL otherwise. */
	const struct ct_exec_request *request;
	int fds[CT_EXEC_FDS_MAX]; /* its fds: control socket, stderr[, stdin, stdout] */
	size_t n_fds;
	uint16_t started_tag; /* set by the action: the new session's tag, 0 if none started */
	struct ct_exec_session sessions[CT_EXEC_SESSIONS_MAX];
	unsigned n;
};

/* The console (monitor-console.c): what the container's terminal printed, kept in a ring buffer
 * for ctconsole, and the ctconsole clients attached. */
struct ct_console_client {
	struct ct_monitor *m; /* NULL: a free slot */
	int fd;         /* the client's socket */
	bool read_only;
};
struct ct_monitor_console {
	char *ring;     /* console.buffer.size bytes, NULL for none */
	size_t size, head, len; /* head: where the next byte goes; len: bytes held */
	struct ct_console_client clients[CT_CONSOLE_CLIENTS_MAX];
	unsigned n_clients;
};

/* The daemon's bounded log (monitor-log.c): the container's stdout and stderr. */
struct ct_monitor_log {
	int read_fd;
	int write_fd;
};

struct ct_monitor {
	const struct ct_monitor_options *o;
	struct ct_loop *loop;
	struct ct_server *server;
	int sig_fd;
	sigset_t saved_mask;
	enum ct_state state;     /* the table's (state.c) and only its */
	unsigned interrupts;     /* SIGTERM/SIGINT received by the monitor itself */
	bool notified;           /* the daemon's notice was sent */
	struct ct_cgroup cgroup;
	struct ct_monitor_init init;
	struct ct_monitor_stop stop;
	struct ct_monitor_freeze freeze;
	struct ct_monitor_helper helper;
	struct ct_monitor_log log;
	struct ct_monitor_exec exec;
	struct ct_monitor_console console;
	struct ct_net_host net;  /* the interfaces made for it (src/net), to undo */
	struct ct_tty_relay *tty; /* the foreground terminal relay (monitor-tty.c), or NULL */
};

/* Feeds an event through the state machine and performs the action. Returns a CT_LOOP_* code,
 * or -EALREADY / -ESRCH for a request the current state refuses. */
int ct_monitor_event(struct ct_monitor *m, enum ct_event ev);
/* A graceful stop request with a timeout (seconds, CT_TIMEOUT_FOREVER or CT_TIMEOUT_DEFAULT).
 * Returns as ct_monitor_event(). */
int ct_monitor_shutdown(struct ct_monitor *m, int32_t timeout);
/* The drain timer fired: is the cgroup empty (or out of time)? Returns a CT_LOOP_* code. */
int ct_monitor_drain_check(struct ct_monitor *m);
/* Sends the notice a waiting `ctstart -d` reads, once. */
void ct_monitor_notify(struct ct_monitor *m, int result, const char *message);

/* The mainloop's handlers (monitor.c). */
/* Reads the child's setup outcome from the sync socket and feeds it to the state machine. */
int ct_monitor_sync(struct ct_monitor *m);
/* SIGTERM/SIGINT to the monitor, or the terminal's escape: a graceful stop, a second one kills.
 * Returns a CT_LOOP_* code. */
int ct_monitor_interrupt(struct ct_monitor *m, int sig);
