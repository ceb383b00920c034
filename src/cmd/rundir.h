/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-container run directory RUNDIR/NAME (0700): the lock held by the monitor for its whole
 * life, the command socket, the pid record and the daemon's log. A lock is an flock, so a killed
 * monitor's lock vanishes with it and its leftovers are recognised as stale. */
#pragma once

/* Rotated logs a run dir may hold (log.1 .. log.9): the bound of the config's log.rotate. */
#define CT_LOG_ROTATE_MAX 9

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct ct_rundir {
	char dir[PATH_MAX];
	int lock_fd;
};

/* Creates the directories, takes the lock and removes a dead monitor's socket and pid record.
 * -EBUSY if a live monitor holds the lock. */
int ct_rundir_acquire(const char *rundir, const char *name, struct ct_rundir *ret);
/* Removes everything in the directory we created, the directory, then drops the lock. */
void ct_rundir_release(struct ct_rundir *r);
/* Writes "MONITOR_PID INIT_PID INIT_STARTTIME" to the pid record, atomically. */
int ct_rundir_write_pid(const struct ct_rundir *r, pid_t monitor, pid_t init);
/* For a monitor that does not answer: SIGKILLs init as named by the pid record, after checking
 * that a monitor still holds the lock and that the pid is still the very process recorded (same
 * start time, child of the recorded monitor), and waits up to wait_ms for it to have exited.
 * *ret_pid is init's pid. -ESRCH: nothing to kill; -EBUSY: killed, but it has not exited (its
 * pid namespace is held: ct_pidns_blocker() says by what). */
int ct_rundir_kill_init(const char *rundir, const char *name, int wait_ms, pid_t *ret_pid);
/* DIR/file into buf (PATH_MAX). */
int ct_rundir_path(const struct ct_rundir *r, const char *file, char *buf);
/* The containers in rundir, sorted by name: every subdirectory whose name is valid and that holds
 * a socket "sock", whether or not a monitor still answers there. A missing rundir has none. */
int ct_rundir_list(const char *rundir, char ***ret_names);
/* Whether RUNDIR/NAME/sock exists. After a connection to it was refused, it means a stale run
 * directory: what a killed monitor leaves (the next ctstart of the name recovers it). */
bool ct_rundir_has_socket(const char *rundir, const char *name);
