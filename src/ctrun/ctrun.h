/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ctrun room's one public header: ct as an OCI runtime (runc's command line; runtime-spec
 * runtime.md). There is no monitor: `create` clones init, which sets itself up and waits on an
 * exec FIFO in the container's state directory; `start` lets it exec; the engine that called
 * `create` (conmon, containerd's shim: subreapers) is init's parent from then on. Every verb
 * works from the state directory alone (ROOT/ID). docs/oci.md has the whole contract. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#define CTRUN_ROOT_DEFAULT "/run/ctrun"
#define CTRUN_ID_MAX 128

/* runc's exit statuses: 0, or 1 for any failure; `run` and a foreground `exec` end as the
 * process ended. */
#define CTRUN_EXIT_FAILURE 1

/* The stop method for containers whose annotations name none (ctrun --shutdown-method, for
 * engines that cannot set annotations); NULL: signals only. */
struct ctrun_defaults {
	const char *method;
	const char *command;
};

struct ctrun_create_options {
	const char *id;
	const char *bundle;         /* "": the working directory */
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none (process.terminal needs one, or `run`) */
	bool foreground;            /* `run`: init stays our child, started at once */
	struct ctrun_defaults defaults;
};

/* Each returns 0 or -errno, having logged what went wrong. root is the state root. */
int ctrun_create(const char *root, const struct ctrun_create_options *o, pid_t *ret_pid);
int ctrun_start(const char *root, const char *id);
/* `run`: create, start, wait; returns the exit status the process ended with (128+N for a
 * signal), deleting the container afterwards (unless detach: then it returns 0 once started). */
int ctrun_run(const char *root, const struct ctrun_create_options *o, bool detach);
int ctrun_state(const char *root, const char *id);
int ctrun_kill(const char *root, const char *id, int sig, bool all);
int ctrun_delete(const char *root, const char *id, bool force);
int ctrun_list(const char *root, bool json, bool quiet);
int ctrun_ps(const char *root, const char *id, bool json);
int ctrun_pause(const char *root, const char *id, bool pause);
int ctrun_features(void);

struct ctrun_exec_options {
	const char *id;
	const char *process;        /* --process FILE: a process JSON; NULL: argv */
	char *const *argv;          /* the command (NULL-terminated) without --process */
	const char *pid_file;
	const char *console_socket;
	bool tty;
	bool detach;
	const char *cwd;            /* --cwd; NULL: the process's, or / */
	char *const *env;           /* --env KEY=VALUE added; may be NULL */
	const char *user;           /* --user UID[:GID]; NULL: 0:0 */
};
/* Returns the command's exit status when it waits for it, 0 when detached, or -errno. */
int ctrun_exec(const char *root, const struct ctrun_exec_options *o);

/* A signal by name ("TERM", "SIGTERM", "RTMIN+3") or number, SIGKILL included (kill may send it);
 * -EINVAL when unknown. */
int ctrun_signal_parse(const char *s);
