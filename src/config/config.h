/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config room's one public header (with its parts caps.h, device-rule.h, idmap.h and
 * net-config.h).
 * The container configuration: a `key = value` file parsed into struct ct_config. Parsing is pure
 * (no side effects beyond reading the file); errors come back in struct ct_file_error with the
 * file, line and key so the tool can print one precise message. */
#pragma once

#include "caps.h"
#include "cmd/cmd.h" /* the method names, CT_TIMEOUT_MAX, CT_LOG_ROTATE_MAX */
#include "common/linefile.h"
#include "device-rule.h"
#include "idmap.h"
#include "net-config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_SHUTDOWN_TIMEOUT_DEFAULT 30
#define CT_SHUTDOWN_TIMEOUT_MAX CT_TIMEOUT_MAX /* one day; -1 means wait forever */
#define CT_CONFIG_LINE_MAX 4096
#define CT_MOUNTS_MAX 128 /* mount entries per config */
#define CT_CONFIG_FILE_MAX (4 * 1024 * 1024) /* ct_config_load() refuses larger files (-EFBIG) */

/* One `mount` entry, fstab-like: SOURCE TARGET FSTYPE [OPTIONS [DUMP [PASS]]]. */
struct ct_mount_entry {
	char *source;
	char *target;         /* absolute path inside the container */
	char *fstype;         /* "none" for bind mounts */
	unsigned long flags;  /* MS_* flags from the options (MS_BIND, MS_REC, MS_RDONLY, ...) */
	char *data;           /* the options that are not flags, comma-joined; NULL if none */
	bool optional;        /* "optional": a failure is ignored */
	bool create_dir;      /* "create=dir": mkdir -p the target first */
	bool create_file;     /* "create=file": create the target (and its parents) first */
	bool copy_up;         /* "tmpcopyup": a tmpfs starts with a copy of the directory it covers */
};

/* Parses one `mount` value into *ret, which the caller then owns (ct_mount_entry_done() frees its
 * strings). -EINVAL with the reason in msg for a bad value; *ret is untouched on failure. */
int ct_mount_entry_parse(const char *value, struct ct_mount_entry *ret, char *msg, size_t msg_size);
void ct_mount_entry_done(struct ct_mount_entry *m);
/* One word of OPTIONS (a flag such as "ro" or "rbind", a propagation, "create=dir", "optional",
 * or file system data such as "size=64m", appended to data) applied to *m. -EINVAL with the
 * reason in msg. */
int ct_mount_entry_add_option(struct ct_mount_entry *m, const char *opt, char *msg, size_t size);
/* What the options say together, once all are in: -EINVAL with the reason in msg. */
int ct_mount_entry_check(const struct ct_mount_entry *m, char *msg, size_t size);

/* Control-group settings. Zero means "not set": the kernel's default stays. */
struct ct_cgroup_config {
	char *parent;          /* relative to each hierarchy's root; NULL: "ct" */
	int64_t memory_max;    /* bytes; -1: "max" */
	int64_t memory_swap_max; /* memory and swap together (OCI's memory.swap, ctrun's only), at
				  * least memory_max (> 0) */
	int64_t pids_max;      /* -1: "max" */
	uint32_t cpu_weight;   /* 1..10000 */
	int64_t cpu_quota_us;  /* -1: "max" */
	uint32_t cpu_period_us; /* with cpu_quota_us; default 100000 */
	bool v1_all;           /* cgroup.v1 = all: join every v1 hierarchy, not only those limited */
	int64_t max_depth;       /* cgroup.max.depth below the container's cgroup; -1: "max" */
	int64_t max_descendants; /* cgroup.max.descendants; -1: "max" */
	size_t delegated_len;    /* ctstart --delegated: the first delegated_len bytes of parent are
				  * the cgroup systemd delegated to us, whose controllers above are
				  * not ours to enable; 0: none */
};

#define CT_LOG_SIZE_DEFAULT (10 * 1024 * 1024)
#define CT_LOG_SIZE_MIN 4096
#define CT_LOG_ROTATE_DEFAULT 2
#define CT_CONSOLE_BUFFER_DEFAULT (128 * 1024)
#define CT_CONSOLE_BUFFER_MAX (16 * 1024 * 1024)
#define CT_CGROUP_MAX_DEPTH_DEFAULT 32        /* the guest's nesting: 31 levels below its root */
#define CT_CGROUP_MAX_DESCENDANTS_DEFAULT 4096 /* a systemd guest makes about a hundred */

/* Autostart: whether `ctstart --all` (and the systemd generator) start the container, and in what
 * order: groups first ("" before named groups, named groups by name), then start.order (lower
 * first), then the name; equal group and order start together, start.delay seconds after one
 * batch before the next. `ctstop --all` stops in the exact reverse. */
#define CT_START_ORDER_MAX 1000000 /* start.order is -CT_START_ORDER_MAX..CT_START_ORDER_MAX */
#define CT_START_DELAY_MAX 3600
struct ct_autostart {
	bool enabled;
	int32_t order;
	uint32_t delay;               /* seconds */
	char group[CT_GROUP_MAX + 1]; /* "": none */
};
/* A group name: 1-64 of A-Z a-z 0-9 _ . -, not starting with '.' or '-'. */
bool ct_group_name_valid(const char *s);

/* Parses "512M", "1G", "4096" (bytes; K, M, G, T are powers of 1024) or "max" (-1). */
int ct_parse_size(const char *s, int64_t *ret);

struct ct_config {
	char *path;                 /* the config file as given; NULL when there is none */
	char *rootfs;               /* absolute (relative values are resolved against the file's dir) */
	char *hostname;             /* NULL: the container name */
	char **init;                /* argv of a system container's init; default {"/sbin/init"} */
	char **command;             /* argv of an application container; NULL: system container */
	unsigned long namespaces;   /* CLONE_NEW* flags; default pid|mount|uts|ipc|net|cgroup */
	bool namespaces_set;        /* the namespaces key was given (the default may drop cgroup) */
	enum ct_shutdown_method shutdown_method;
	char **shutdown_command;    /* argv, for the exec method */
	int shutdown_signal;        /* 0: the method's default */
	int shutdown_timeout;       /* seconds, -1 = forever */
	bool no_new_privs;
	struct ct_mount_entry *mounts;
	size_t n_mounts;
	char **env;                 /* "KEY=VALUE" strings, NULL-terminated; NULL if none */
	uint64_t cap_drop;          /* capabilities named by cap.drop, one bit each */
	uint64_t cap_keep;          /* capabilities named by cap.keep */
	bool cap_keep_set;          /* cap.keep given: keep exactly those (no default drop list) */
	char *seccomp_profile;      /* resolved path; NULL: the shipped default; "none": no filter */
	struct ct_cgroup_config cgroup;
	int64_t log_size;           /* bytes of the -d log before it is rotated */
	unsigned log_rotate;        /* rotated logs kept (LOG.1 .. LOG.N); 0: truncated instead */
	char *log_path;             /* the -d log (absolute); NULL: the default (ctstart) */
	bool log_journal;           /* log.target = journal: to journald's stream socket instead */
	int64_t console_buffer;     /* bytes of console output kept in memory for ctconsole */
	struct ct_idmap idmap;      /* auto (default), none (privileged) or explicit ranges */
	struct ct_device_rule *devices; /* device.allow entries, on top of the standard set */
	size_t n_devices;
	struct ct_net_config net[CT_NET_MAX]; /* net.N; type CT_NET_NONE where unused */
	struct ct_autostart autostart; /* autostart, start.order, start.delay, group */
};

/* Whether the container gets a user namespace (every idmap mode but none). */
static inline bool ct_config_userns(const struct ct_config *c)
{
	return c->idmap.mode != CT_IDMAP_NONE;
}


/* Sets all defaults. Must be called before parsing. */
void ct_config_init(struct ct_config *c);
void ct_config_free(struct ct_config *c);

/* Parses a file into c (initialised with ct_config_init()). Returns 0, -EINVAL with err filled for
 * bad content, or another -errno (with err filled) when the file cannot be read. */
int ct_config_load(struct ct_config *c, const char *path, struct ct_file_error *err);
/* Parses text of length len (may contain NUL bytes, which are rejected as errors). name is used in
 * errors and, when it contains a '/', as the base for relative rootfs values. */
int ct_config_parse_string(struct ct_config *c, const char *text, size_t len, const char *name,
			   struct ct_file_error *err);

/* Replaces the command with a copy of argv (from `ctstart -- COMMAND...`). */
int ct_config_set_command(struct ct_config *c, char *const *argv);

/* Checks the whole config after parsing and command overrides: rootfs present, defaults that
 * depend on other keys (shutdown_method: application with a command, sysvinit without),
 * exec method needs shutdown_command. -EINVAL with err filled. */
int ct_config_finalize(struct ct_config *c, struct ct_file_error *err);

/* Parses a signal name ("SIGTERM", "TERM", "term"), number ("15") or "SIGRTMIN+n" (glibc numbering,
 * SIGRTMIN = 34). Returns the number or -EINVAL. SIGKILL and SIGSTOP are rejected. */
int ct_signal_from_string(const char *s);
