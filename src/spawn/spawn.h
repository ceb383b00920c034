/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spawn room's one public header (with its part initctl.h); inroot.h and mount-fd.h are
 * its own. Starting the container's init: clone3 into new namespaces with a pidfd, then, in the child, the
 * setup steps (rootfs, /proc, /sys, /dev, mounts, pivot_root, hostname, loopback) and exec. The
 * child never allocates; a failed step is sent to the parent as a report and the child exits. */
#pragma once

#include "config/config.h"
#include "initctl.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum ct_step {
	CT_STEP_NONE,
	CT_STEP_PDEATHSIG,
	CT_STEP_CGROUP,
	CT_STEP_IDS,
	CT_STEP_MOUNT_PRIVATE,
	CT_STEP_BIND_ROOTFS,
	CT_STEP_MOUNT_PROC,
	CT_STEP_MOUNT_SYS,
	CT_STEP_MOUNT_DEV,
	CT_STEP_DEV_NODES,
	CT_STEP_MOUNT_DEVPTS,
	CT_STEP_CONSOLE,
	CT_STEP_USER_MOUNT,
	CT_STEP_PIVOT_ROOT,
	CT_STEP_HOSTNAME,
	CT_STEP_LOOPBACK,
	CT_STEP_SIGNALS,
	CT_STEP_SECCOMP,
	CT_STEP_CAPS,
	CT_STEP_NO_NEW_PRIVS,
	CT_STEP_USER,
	CT_STEP_OCI,
	CT_STEP_EXEC,
	CT_STEP_COUNT_,
};

/* The child's name (comm) from clone to exec: a child that died still bearing it never exec'd. */
#define CT_SETUP_COMM "ct-setup"

struct ct_seccomp;

/* Who an OCI process runs as (ctrun): its ids and every capability set. */
struct ct_creds {
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* supplementary groups; borrowed */
	size_t n_groups;
	struct ct_cap_sets caps;
};

/* What confines the container's processes (init and the exec shutdown helper alike). */
struct ct_confine {
	const struct ct_seccomp *seccomp; /* borrowed; NULL: no filter */
	const struct ct_seccomp *privileged; /* borrowed; privileged mode's extra filter, or NULL */
	uint64_t caps_keep; /* capabilities kept (ct_caps_keep()); unused with creds */
	const struct ct_creds *creds; /* borrowed; NULL: the container's root with caps_keep */
	bool no_new_privs;
};

/* Applies the confinement in a child about to exec; no allocation. On failure *ret_step says
 * which step failed. */
int ct_confine_apply(const struct ct_confine *c, enum ct_step *ret_step);

/* The container's terminal (spawn-tty.c): a devpts instance made in the host's user namespace
 * (gid= the host id of the container's tty group), a pty pair in it, the slave's node as a
 * detached mount. The monitor keeps the master; the rest goes to the child. */
struct ct_spawn_tty {
	int devpts_fd;
	int master_fd; /* non-blocking */
	int slave_fd;
	int console_fd;
};
int ct_spawn_tty(uid_t uid, gid_t tty_gid, struct ct_spawn_tty *ret);
void ct_spawn_tty_close(struct ct_spawn_tty *t);

/* The detached mounts the parent hands the child with its go (spawn-mounts.c): the rootfs tree
 * first (absent with rootfs = /), then one per bind entry of the config, in order. They are made
 * by the parent because only root of the host's user namespace may idmap a mount. */
#define CT_SPAWN_FDS_MAX (1 + CT_MOUNTS_MAX)
struct ct_spawn_fds {
	size_t n;
	int fd[CT_SPAWN_FDS_MAX];
	uint8_t missing[CT_MOUNTS_MAX]; /* 1: this optional bind's source could not be had */
};

/* What an OCI runtime's child does beyond ct's own setup (ctrun; spawn-oci.c). All borrowed. */
struct ct_spawn_rlimit {
	int resource;
	uint64_t soft, hard;
};
struct ct_spawn_oci {
	int fifo_fd;           /* the exec FIFO, open read-write: set up, the child tells the parent
				* (the about-to-exec marker), then waits for `ctrun start`'s byte on it */
	const char *cwd;       /* chdir'd to as the user, after pivot_root */
	int umask;             /* -1: unchanged (0022) */
	const struct ct_spawn_rlimit *rlimits;
	size_t n_rlimits;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *const *masked;   /* paths hidden: /dev/null over a file, an empty read-only tmpfs over a
				* directory; absent ones skipped */
	char *const *readonly; /* paths made read-only where they are; absent ones skipped */
	char *const *sysctl;   /* "KEY=VALUE", written in the new /proc before it is guarded */
	bool readonly_root;
	unsigned long propagation; /* of the root mount after pivot_root; 0: private as ct's */
	bool ctty;             /* stdin (the console socket's pty) becomes the controlling terminal */
};

/* Everything the child needs, prepared by the parent before clone. All borrowed. */
struct ct_spawn_plan {
	const struct ct_config *config;
	const char *hostname;
	char *const *argv;   /* what to exec */
	char *const *envp;
	int exec_fd;         /* ctinit opened before pivot_root; -1: exec argv[0] inside the rootfs */
	int console_fd;      /* the pty slave's node (ct_spawn_tty) for /dev/console, or -1: the
			      * console is the container's null device */
	int devpts_fd;       /* the devpts instance holding it, for /dev/pts; -1: the child mounts one */
	int tty_fd;          /* the pty slave: in place of each of init's stdio fds that is a
			      * terminal (not its controlling terminal); or -1 */
	sigset_t child_mask; /* the signal mask init starts with */
	struct ct_confine confine;
	int cgroup_fd;       /* the container's cgroup directory, or -1 */
	int dev_fd;          /* the container's /dev, a detached tmpfs with its nodes (ct_spawn_dev) */
	int stdio_fd;        /* init's stdout and stderr (the daemon's log pipe), all three if it is
			      * a terminal (the daemon's console), or -1: ours */
	bool userns;         /* clone a user namespace too; the parent writes its id maps */
	const struct ct_spawn_oci *oci; /* ctrun's: no parent-death signal (the child outlives
					 * `ctrun create`), and the steps above; NULL: none */
};

/* What a child sends when a step fails. It never crosses a process image boundary (the same binary
 * is on both ends), so it is a plain struct. */
struct ct_setup_report {
	uint32_t step;  /* enum ct_step */
	int32_t error;  /* negative errno */
	char detail[256]; /* the path or name the step was working on, "" if none */
};

/* Clones the child. On success: *ret_pidfd (owned), *ret_pid and *ret_sync_fd (owned): it reads
 * EOF once the child has exec'd, or one ct_setup_report if a step failed. */
int ct_spawn(const struct ct_spawn_plan *p, int *ret_pidfd, pid_t *ret_pid, int *ret_sync_fd);

/* ctinit (LIBEXECDIR/ct/ctinit, looked up next to our own binary first) as a sealed in-memory
 * copy, so that nothing in the container can write to the file PID 1 runs from. Returns the fd,
 * or -errno with path set to the last place looked. */
int ct_ctinit_open(char *path, size_t size);

/* fork() that also returns a pidfd for the child (the monitor signals only through pidfds).
 * Returns the pid in the parent, 0 in the child, -1 with errno on failure. */
pid_t ct_fork_pidfd(int *ret_pidfd);

/* In a user namespace just created or joined: become its root (ids 0, no supplementary
 * groups). The caller sets its parent-death signal again: a credential change clears it. */
int ct_spawn_become_root(void);

/* Default dispositions for every signal (ctstart may have inherited ignored ones) and mask, the
 * one the monitor had before it blocked everything for its signalfd: how init and the helpers
 * start. No allocation. */
int ct_signals_reset(const sigset_t *mask);

/* A command to run inside a running container: the exec shutdown method's, or a ctexec
 * session's. */
struct ct_exec_spec {
	const char *what;     /* names it in messages: "shutdown_command", "ctexec" */
	char *const *argv;
	char *const *envp;    /* the whole environment (PATH is looked up in it) */
	const char *user;     /* NULL or "": the container's root; a name, UID or UID:GID */
	const char *cwd;      /* NULL or "": "/" */
	int in_fd;            /* -1: /dev/null */
	int out_fd, err_fd;   /* -1: the monitor's (which is then no terminal) */
	int ctl_fd;           /* a session's socket (signals in, the pty's master out), or -1 */
	bool tty;             /* a pty in the container's devpts (needs ctl_fd) */
	uint16_t rows, cols;  /* its size */
	int pid_fd;           /* >= 0: the command's pid (an int, in the host's pid namespace) is
			       * written there once it runs */
	bool detach;          /* the helper exits (0) once the command runs: it is its parent's
			       * nearest subreaper's (ctrun exec --detach) */
	const struct ct_spawn_oci *oci; /* an OCI process's rlimits, umask, oomScoreAdj (ctrun
					 * exec); NULL: none */
};
#define CT_EXEC_SETUP_FAILED 125 /* the helper could not enter, confine or start the command */

/* Helpers that act inside a running container (shutdown-helper.c, exec-helper.c); they run in a
 * forked child and never return. The first asks sysvinit for runlevel 0 and exits with a
 * ct_initctl_outcome; the second runs a command in all of init's namespaces (CLONE_NEWUSER among
 * them for a user-namespaced container), in a session of its own, and ends as the command ended
 * (its exit status, or killed by the same signal; CT_EXEC_SETUP_FAILED, 126 or 127 when it could
 * not start it). Both enter init's user namespace first where it has one, as its root: never as
 * the host's. */
_Noreturn void ct_helper_initctl(int init_pidfd, bool userns, const sigset_t *mask);
_Noreturn void ct_helper_exec(int init_pidfd, unsigned long namespaces,
			      const struct ct_confine *confine, const struct ct_exec_spec *x,
			      const sigset_t *mask);

/* Tells the child to go on, handing it fds (ct_spawn_fds order; borrowed, may be none). */
int ct_spawn_go(int sync_fd, const struct ct_spawn_fds *fds);

/* The parent's mounts for the child (spawn-mounts.c). */
/* The container's /dev: a detached tmpfs, made in the host's user namespace so that its nodes
 * (null, zero, full, random, urandom, tty, and console unless a terminal is bound there) are
 * real devices the container owns (uid/gid: its root's host ids) but cannot re-create. With
 * a terminal, console is an empty file to bind it on. Returns the mount fd. */
int ct_spawn_dev(uid_t uid, gid_t gid, bool terminal, int *ret_fd);
/* A node more for that /dev (an OCI linux.devices entry). */
struct ct_spawn_node {
	char *path;         /* below /dev: "fuse", "net/tun"; components neither empty, "." nor ".." */
	mode_t mode;        /* S_IFCHR, S_IFBLK or S_IFIFO with the permissions */
	dev_t dev;
	uid_t uid;          /* host ids */
	gid_t gid;
};
/* Makes each node in the /dev of ct_spawn_dev(), with the directories above it (0755, owned by
 * uid/gid, the container root's host ids); a name already there (a standard node, an earlier
 * entry of the same path) stays as it is, a path through one that is not a directory (the fd
 * symlink) is an error. Nested in a user namespace, a character device is our own node bound
 * there, as the standard ones are. On failure *ret_failed is the path of the node. */
int ct_spawn_dev_nodes(int dev_fd, const struct ct_spawn_node *nodes, size_t n, uid_t uid,
		       gid_t gid, const char **ret_failed);
/* The rootfs tree and bind sources as detached mounts, idmapped through the user namespace
 * userns_fd when >= 0 (not a rootfs already owned by root_uid, the host uid of the container's
 * root: ctshift made it so). On failure, *ret_what names the path and what could not be done. */
int ct_spawn_trees(const struct ct_config *c, int userns_fd, uid_t root_uid,
		   struct ct_spawn_fds *ret, char *what, size_t what_size);
void ct_spawn_fds_close(struct ct_spawn_fds *fds);
/* After clone, before the go: with idmap (a user namespace), init's id maps written; then
 * ct_spawn_trees() through that namespace. On failure *ret_what names what failed. */
int ct_spawn_prepare(pid_t pid, const struct ct_config *c, const struct ct_idmap *idmap,
		     uid_t root_uid, struct ct_spawn_fds *ret, char *what, size_t what_size);

/* What one message on the sync fd says. */
enum ct_spawn_news {
	CT_SPAWN_ABOUT_TO_EXEC, /* the marker: only the exec is left */
	CT_SPAWN_EOF,           /* the child is gone: after the marker it exec'd, else it died in setup */
	CT_SPAWN_FAILED,        /* it reported a failed step (in *ret) */
};
/* Reads one message from the sync fd into *ret_news (and *ret for CT_SPAWN_FAILED). Returns 0,
 * -EAGAIN if nothing is there yet, -EBADMSG for a malformed message or another -errno. */
int ct_spawn_read_report(int sync_fd, enum ct_spawn_news *ret_news, struct ct_setup_report *ret);

const char *ct_step_to_string(enum ct_step s);
/* Records the step the child is at (detail: the path or name it works on, or NULL), for the
 * report sent if it fails. No allocation. */
void ct_setup_step(struct ct_setup_report *rep, enum ct_step s, const char *detail);

/* The child's side (spawn-child.c, rootfs.c). Never returns. */
_Noreturn void ct_child_run(const struct ct_spawn_plan *p, int sync_fd);
/* Makes the mount tree private and puts the parent's rootfs tree in place, then goes there: done
 * as the unmapped host root of a new user namespace, the owner of the (often 0700) directories
 * on the way to the rootfs, which the container's root may not search. */
int ct_rootfs_enter(const struct ct_spawn_plan *p, const struct ct_spawn_fds *fds,
		    struct ct_setup_report *rep);
/* Sets up the rest of the rootfs (the working directory) and pivots into it. On failure fills
 * rep->step/detail and returns -errno. */
int ct_rootfs_setup(const struct ct_spawn_plan *p, const struct ct_spawn_fds *fds,
		    struct ct_setup_report *rep);
