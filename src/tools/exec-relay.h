/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctexec's side of a session (exec-relay.c): its stdio to and from the command's pipes or pty,
 * the monitor's answer, signals. */
#pragma once

#include "cmd/cmd.h"

#include <stdbool.h>

struct ct_exec_session_fds {
	int conn;   /* the monitor connection the EXEC went out on */
	int ctl;    /* the session socket: signals out, the pty's master in */
	int in;     /* write end of the command's stdin, or -1 (a pty) */
	int out;    /* read end of its stdout, or -1 (a pty) */
	int err;    /* read end of the helper's and (without a pty) the command's stderr */
	int master; /* the pty's master, or -1 */
	int sig_fd; /* ct_exec_signals_block()'s signalfd */
};

/* Blocks the signals the relay forwards (SIGINT, SIGTERM, SIGHUP, SIGQUIT) or acts on
 * (SIGWINCH) before anything is started, so none is lost or kills us in between; returns a
 * signalfd for them (or -errno), the previous mask in old. */
int ct_exec_signals_block(sigset_t *old);

/* Waits for the pty's master on the session socket (or the monitor's early answer). 0, the
 * monitor's refusal, or -errno. */
int ct_exec_receive_master(struct ct_exec_session_fds *s);
/* Relays until the monitor has answered and the command's output has ended. raw: stdin is a
 * terminal to put in raw mode (restored before returning). Returns 0 with *ret the result,
 * or -errno (-ECONNRESET: the monitor went away without an answer). name: for messages. */
int ct_exec_relay(struct ct_exec_session_fds *s, bool raw, const char *name,
		  struct ct_exec_result *ret);
