/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State shared by the monitor's files (monitor.c: lifecycle; monitor-cmd.c: command handlers). */
#pragma once

#include "mainloop.h"
#include "monitor.h"
#include "server.h"
#include "spawn.h"
#include "state.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ct_monitor {
	const struct ct_monitor_options *o;
	struct ct_loop *loop;
	struct ct_server *server;
	int sig_fd;
	int sync_fd;
	int pidfd;
	pid_t init_pid;
	enum ct_state state;
	uint64_t start_time_ms;  /* realtime, when RUNNING was reached */
	uint64_t stop_begin_ms;  /* monotonic, when the first stop request arrived */
	int init_status;         /* wait status once reaped */
	bool setup_failed;
	bool notified;           /* the daemon's notice was sent */
	struct ct_setup_report setup;
	sigset_t saved_mask;
};

/* Feeds an event through the state machine and performs the action. Returns a CT_LOOP_* code,
 * or -EALREADY / -ESRCH for a request the current state refuses. */
int ct_monitor_event(struct ct_monitor *m, enum ct_event ev);

/* Builds the spawn plan, clones init and registers the sync socket (monitor-spawn.c). */
int ct_monitor_spawn(struct ct_monitor *m);
/* Reads the child's setup outcome from the sync socket and feeds it to the state machine. */
int ct_monitor_sync(struct ct_monitor *m);

extern const struct ct_cmd_entry ct_monitor_commands[];
extern const size_t ct_monitor_n_commands;
