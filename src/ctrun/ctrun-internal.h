/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the ctrun room's files share: a container's state directory (state.c), the bundle turned
 * into what ct's spawn room takes (translate.c, devices.c), hooks (hooks.c). */
#pragma once

#include "ctrun.h"

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "config/config.h"
#include "oci/oci.h"
#include "spawn/spawn.h"

#include <limits.h>
#include <signal.h>
#include <stdint.h>

/* The annotations that choose how `kill` stops the container (docs/oci.md). */
#define CTRUN_ANNOTATION_METHOD "org.ct.shutdown-method"
#define CTRUN_ANNOTATION_COMMAND "org.ct.shutdown-command"

enum ctrun_status { CTRUN_CREATING, CTRUN_CREATED, CTRUN_RUNNING, CTRUN_PAUSED, CTRUN_STOPPED };

/* ROOT/ID: "state" (the lines below), "config.json" (the bundle's, as created: later verbs never
 * read the bundle again) and, until `start`, "exec.fifo". */
struct ctrun_container {
	char id[CTRUN_ID_MAX + 1];
	char dir[PATH_MAX];
	pid_t pid;              /* 0 until the clone */
	bool ready;             /* create finished: init waits on the FIFO (or ran); else creating */
	uint64_t starttime;     /* of pid (/proc/PID/stat), so that a reused pid is not taken for it */
	char bundle[PATH_MAX];
	char created[64];       /* RFC 3339, UTC */
	bool userns;
	struct ct_cgroup cgroup; /* the paths; v2_fd is -1 */
	enum ct_shutdown_method method; /* how kill stops it, fixed at create; UNSET: signals */
	char command[1024];     /* the exec method's command line */
};

/* Logs the message (an error, without r's text: it says it all) and returns r. */
int ctrun_fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ROOT/ID for id (checked: 1-128 of A-Z a-z 0-9 _ . - +, not starting with . or -). */
int ctrun_dir(const char *root, const char *id, char *buf, size_t size);
/* The state root must be a directory of root's that no one else may write to: -EPERM (logged)
 * if not, -ENOENT (not logged) when there is none. */
int ctrun_root_trusted(const char *root);
/* Reads ROOT/ID/state; -ENOENT (not logged) when there is none. Other errors are logged. */
int ctrun_load(const char *root, const char *id, struct ctrun_container *ret);
/* The same, with -ENOENT logged: "container ID does not exist". */
int ctrun_find(const char *root, const char *id, struct ctrun_container *ret);
/* Writes the state file atomically (a temporary file renamed over it). */
int ctrun_save(const struct ctrun_container *c);
enum ctrun_status ctrun_status_of(const struct ctrun_container *c);
const char *ctrun_status_name(enum ctrun_status s);
/* A pidfd of init, checked to be the process created (its start time): -ESRCH when it is gone. */
int ctrun_open_init(const struct ctrun_container *c, int *ret_pidfd);
/* The container's config.json as saved at create. */
int ctrun_load_spec(const struct ctrun_container *c, struct ct_oci_spec *ret);
/* The runtime-spec state as JSON text (the caller frees it): ociVersion, id, status (as given),
 * pid, bundle, annotations, created. */
int ctrun_state_json(const struct ctrun_container *c, const struct ct_oci_spec *s,
		     enum ctrun_status status, char **ret);
/* Removes the state directory and what is in it. */
int ctrun_remove_dir(const struct ctrun_container *c);
/* Writes a pid to a pid file (atomically, as runc does: engines read it as soon as it exists). */
int ctrun_write_pid_file(const char *path, pid_t pid);

/* How a process of an existing container is confined (kill's exec method, exec): the
 * container's seccomp filter, the process's ids and capabilities, and init's namespaces. */
struct ctrun_confinement {
	struct ct_creds creds;
	gid_t *groups;
	struct ct_seccomp *seccomp;
	bool no_new_privs;
	unsigned long namespaces; /* init's, to join: CLONE_NEW* (CLONE_NEWUSER included) */
};
/* p: the process to confine (the spec's own, or an exec's); caps it lacks are the spec's. */
int ctrun_confinement(const struct ct_oci_spec *s, const struct ct_oci_process *p,
		      struct ctrun_confinement *ret, char *err, size_t err_size);
void ctrun_confinement_free(struct ctrun_confinement *c);

/* What the bundle becomes (translate.c): a ct_config for the parts ct's own setup does, the OCI
 * steps, the credentials and the seccomp filter. Borrows from the spec, which must outlive it. */
struct ctrun_launch {
	struct ct_config config;
	struct ct_spawn_oci oci;
	struct ctrun_confinement conf;
	struct ct_spawn_rlimit *rlimits;
	char **argv;            /* what init execs: the process's args, or, with the application
				 * method, "ctinit --" before them (ctinit is init, the process
				 * its child) */
	enum ct_shutdown_method method; /* from the annotation; CT_SHUTDOWN_UNSET: none */
	char **shutdown_command;
	const char *method_command; /* its text, for the state file; NULL: none */
	struct ct_spawn_node *nodes; /* linux.devices beyond ct's standard nodes */
	size_t n_nodes;
	const struct ct_oci_namespace *join[8]; /* namespaces joined by path */
	size_t n_join;
	char cgroup_leaf[NAME_MAX + 1];
};

/* A process's own steps (rlimits, umask, oomScoreAdj, cwd, terminal) for the spawn room;
 * *ret_rlimits is the array ret points into, the caller's to free. */
int ctrun_process_steps(const struct ct_oci_process *p, struct ct_spawn_oci *ret,
			struct ct_spawn_rlimit **ret_rlimits);
/* -EINVAL with err naming the field for what ctrun cannot honour. d: the command line's
 * defaults for what the annotations do not say (may be NULL). */
int ctrun_translate(const struct ct_oci_spec *s, const char *bundle, const char *id,
		    const struct ctrun_defaults *d, struct ctrun_launch *ret, char *err,
		    size_t err_size);
void ctrun_launch_free(struct ctrun_launch *l);
/* The bundle's device rules into c's device policy, and linux.devices into l's nodes
 * (devices.c); -EINVAL with err naming the entry. */
int ctrun_translate_device_rules(const struct ct_oci_resources *res, struct ct_config *c,
				 char *err, size_t err_size);
int ctrun_translate_devices(const struct ct_oci_spec *s, struct ctrun_launch *l, char *err,
			    size_t err_size);
/* A stop method by name (NULL: CT_SHUTDOWN_UNSET) with its command line (exec's, and only
 * exec's), checked; what names their source in errors. *ret_command (if wanted) is the
 * command split, the caller's. */
int ctrun_method(const char *method, const char *command, const char *what,
		 enum ct_shutdown_method *ret, char ***ret_command, char *err, size_t err_size);

/* Runs the hooks of kind in order, each given the state JSON on stdin; the first that fails
 * (or outlives its timeout) stops them: -EIO, logged. */
int ctrun_hooks(const struct ct_oci_spec *s, enum ct_oci_hook_kind kind, const char *state_json);

/* run.c: `run` and a foreground `exec` pass on to their process the signals ctrun gets
 * (TERM, INT, HUP, QUIT, USR1, USR2, PWR, WINCH, CONT). ctrun_block_forwarded() blocks them
 * (before the process exists: none is lost) into *ret; ctrun_wait_forwarding() passes them on
 * until pid (our child) ends, reaps it, and returns its exit status (128+N for signal N), or
 * -errno. */
void ctrun_block_forwarded(sigset_t *ret);
int ctrun_wait_forwarding(pid_t pid, const sigset_t *set);

/* console.c: a connected socket (or -errno, logged); the pty master sent to it. */
int ctrun_console_connect(const char *path);
int ctrun_console_send(const char *path, int master_fd);

/* ops.c: the pids in the container's cgroups (those of init's namespaces and of exec'd
 * processes), from cgroup.procs, the subgroups a guest made included. *ret is the caller's. */
int ctrun_pids(const struct ctrun_container *c, pid_t **ret, size_t *ret_n);
