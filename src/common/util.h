/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small number, time, fd and string helpers with no dependencies on the rest of the project. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CT_NAME_MAX 64

/* Parses a whole decimal integer within [min, max]. -EINVAL for junk, -ERANGE out of range. */
int ct_parse_long(const char *s, long min, long max, long *ret);

/* Formats a reason into msg and returns -EINVAL: for parsers that report why a value is bad. */
int ct_fail_msg(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Milliseconds on CLOCK_MONOTONIC / CLOCK_REALTIME. */
uint64_t ct_now_ms(void);
uint64_t ct_realtime_ms(void);

/* Writes all of buf, retrying on EINTR and short writes. */
int ct_write_all(int fd, const void *buf, size_t len);
/* Copies len bytes from the offset of fd from to that of fd to, in the kernel (sendfile).
 * -EIO if from ends first. */
int ct_copy_bytes(int to, int from, off_t len);

/* A container name: 1..64 of [A-Za-z0-9_.-], not starting with '.' or '-'. */
bool ct_name_valid(const char *name);
/* What names a container on the whole host (its cgroup, its id range): NAME in the default run
 * dir, NAME-HASH (FNV-1a of the run dir) in another, so that two run dirs never share one. buf
 * holds CT_HOST_KEY_MAX + 1 bytes. */
#define CT_HOST_KEY_MAX (CT_NAME_MAX + 9)
void ct_host_key(const char *rundir, const char *name, char *buf, size_t size);
bool ct_host_key_valid(const char *key);

/* mkdir -p with the given mode for every created component. */
int ct_mkdir_p(const char *path, mode_t mode);
/* Whether the tools may believe what is in directory path (a run dir, a container's dir): a
 * directory, not a symlink, owned by root or the caller, writable by no one else. -EPERM if not,
 * -ENOTDIR, or the lstat's -errno (-ENOENT: not there). */
int ct_dir_trusted(const char *path);

/* Number of entries in a NULL-terminated string vector (0 for NULL). */
size_t ct_strv_length(char *const *v);
/* Appends a copy of s, keeping the vector NULL-terminated. */
int ct_strv_append(char ***v, const char *s);
/* Deep copy of a vector; *ret is NULL for a NULL v. */
int ct_strv_copy(char *const *v, char ***ret);
/* Splits a command line into words: blanks separate, '...' and "..." group, backslash escapes
 * (outside single quotes). -EINVAL for an unterminated quote or a trailing backslash. An empty or
 * all-blank string gives an empty vector. */
int ct_strv_split_quoted(const char *s, char ***ret);

#define CT_RUNDIR_DEFAULT "/run/ct"

/* Builds RUNDIR/NAME (file NULL) or RUNDIR/NAME/FILE into buf. -ENAMETOOLONG if it does not fit. */
int ct_run_path(char *buf, size_t size, const char *rundir, const char *name, const char *file);

/* Sets "KEY=VALUE" in an environment vector, replacing an entry with the same KEY. */
int ct_strv_env_set(char ***env, const char *kv);

/* Reads a hex signal mask field ("SigCgt", "SigBlk", ...) out of /proc/PID/status text. */
int ct_status_sigmask(const char *status, const char *field, uint64_t *ret);
/* Whether a process catches or blocks sig (else the kernel drops it for a namespace init). -ESRCH
 * if the process is gone. */
int ct_signal_is_handled(pid_t pid, int sig);

/* The start time of a process (field 22 of /proc/PID/stat, in clock ticks since boot): with the
 * pid, it names one process for good. -ESRCH if it is gone. */
int ct_proc_starttime(pid_t pid, uint64_t *ret);
/* The same with its state letter (field 3: 'R', 'S', 'Z' for a zombie, ...). */
int ct_proc_stat(pid_t pid, char *ret_state, uint64_t *ret_starttime);
/* Its proportional set size (smaps_rollup's Pss), KiB; 0 if it is gone or unreadable. */
int64_t ct_proc_pss_kib(pid_t pid);

/* Reads a whole file of at most max bytes into a NUL-terminated buffer (*ret, the caller's).
 * -EFBIG for a larger one. Never blocks: a FIFO without a writer reads as empty, one whose writer
 * has nothing to say (or a terminal) fails with -EAGAIN. */
int ct_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* How many fds this process has open (from /proc/self/fd). */
int ct_count_fds(size_t *ret);
/* Raises the soft RLIMIT_NOFILE to want fds, or as far toward the hard limit as it goes (never
 * lowers it; a refused raise leaves the current limit). *ret_limit is the soft limit in force. */
int ct_nofile_raise(size_t want, size_t *ret_limit);

/* Whether this process runs in a user namespace other than the initial one (its uid_map is not
 * the identity over every id): ct itself inside a user-namespaced container, nested. */
bool ct_in_nested_userns(void);

/* Sends fd over the UNIX socket sock (SCM_RIGHTS, with one byte of data: a pty master to an
 * exec session's client, or to an engine's --console-socket). No allocation. 0 or -errno. */
int ct_send_fd(int sock, int fd);
