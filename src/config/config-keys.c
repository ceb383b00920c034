/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config keys: one handler per key, validating its value into struct ct_config, and the table
 * the parser core (config.c) dispatches through. Mount entries are parsed in config-mount.c. */
#include "config-internal.h"

#include "caps.h"

#include <linux/capability.h>

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HOSTNAME_MAX 64

/* Removes "." components, repeated and trailing slashes from an absolute path, in place. ".." is
 * kept: resolving it lexically would be wrong across symlinks. */
static void path_normalize(char *path)
{
	char *out = path;
	const char *in = path;

	while (*in) {
		size_t n;

		if (*in == '/') {
			in++;
			continue;
		}
		n = strcspn(in, "/");
		if (n != 1 || in[0] != '.') {
			*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in += n;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/* Makes value absolute: relative to the directory of the config file name, and that relative to
 * the working directory. Pure string joining: nothing needs to exist. */
static int path_resolve(const char *name, const char *value, char **ret)
{
	const char *slash = name ? strrchr(name, '/') : NULL;
	size_t dir_len = slash ? (size_t)(slash - name) : 0;
	cleanup_free char *cwd = NULL;
	char *path = NULL;

	if (dir_len >= PATH_MAX) /* no such file can exist; also keeps the %.*s below in range */
		return -ENAMETOOLONG;
	if (value[0] != '/' && !(slash && name[0] == '/')) {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return -errno;
	}
	if (value[0] == '/')
		path = strdup(value);
	else if (asprintf(&path, "%s/%.*s/%s", cwd ? cwd : "", (int)dir_len, slash ? name : "",
			  value) < 0)
		path = NULL;
	if (!path)
		return -ENOMEM;
	path_normalize(path);
	*ret = path;
	return 0;
}

static int parse_rootfs(struct parser *p, const char *value)
{
	char *path = NULL;
	int r = path_resolve(p->name, value, &path);

	if (r < 0)
		return r;
	free(p->c->rootfs);
	p->c->rootfs = path;
	return 0;
}

static bool is_ascii_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool hostname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > HOSTNAME_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_ascii_alnum(s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

static int parse_hostname(struct parser *p, const char *value)
{
	char *copy;

	if (!hostname_valid(value))
		return ct_config_fail(p, "'%s' is not a valid hostname (1-%d of A-Z a-z 0-9 . -, not "
				      "starting with '.' or '-')", value, HOSTNAME_MAX);
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(p->c->hostname);
	p->c->hostname = copy;
	return 0;
}

/* Splits a command line into *ret; rejects bad quoting and an empty program name. */
static int parse_argv(struct parser *p, const char *value, char ***ret)
{
	cleanup_strv char **argv = NULL;
	int r = ct_strv_split_quoted(value, &argv);

	if (r == -EINVAL)
		return ct_config_fail(p, "unterminated quote or trailing backslash");
	if (r < 0)
		return r;
	if (!argv[0] || !argv[0][0])
		return ct_config_fail(p, "empty program name");
	*ret = steal_ptr(&argv);
	return 0;
}

/* Frees *dst and moves src into it. */
void ct_config_strv_replace(char ***dst, char **src)
{
	ct_strv_free(*dst);
	*dst = src;
}

static int parse_init(struct parser *p, const char *value)
{
	cleanup_strv char **argv = NULL;
	int r = parse_argv(p, value, &argv);

	if (r < 0)
		return r;
	if (argv[0][0] != '/')
		return ct_config_fail(p, "'%s' is not an absolute path", argv[0]);
	ct_config_strv_replace(&p->c->init, steal_ptr(&argv));
	return 0;
}

static int parse_command(struct parser *p, const char *value)
{
	char **argv = NULL;
	int r = parse_argv(p, value, &argv);

	if (r < 0)
		return r;
	ct_config_strv_replace(&p->c->command, argv);
	return 0;
}

static int parse_shutdown_command(struct parser *p, const char *value)
{
	char **argv = NULL;
	int r = parse_argv(p, value, &argv);

	if (r < 0)
		return r;
	ct_config_strv_replace(&p->c->shutdown_command, argv);
	return 0;
}

static const struct {
	const char *name;
	unsigned long flag;
} namespace_names[] = {
	{ "pid", CLONE_NEWPID }, { "mount", CLONE_NEWNS }, { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC }, { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
};

static int namespace_add(struct parser *p, const char *word, unsigned long *flags)
{
	if (strcmp(word, "user") == 0)
		return ct_config_fail(p, "'user' is not a namespaces value: containers get a user "
				      "namespace unless idmap = none (see the idmap key)");
	for (size_t i = 0; i < ARRAY_SIZE(namespace_names); i++)
		if (strcmp(word, namespace_names[i].name) == 0) {
			*flags |= namespace_names[i].flag;
			return 0;
		}
	return ct_config_fail(p, "unknown namespace '%s' (known: pid mount uts ipc net cgroup)", word);
}

static int parse_namespaces(struct parser *p, const char *value)
{
	static const char separators[] = " \t\r\n\v\f,";
	cleanup_free char *copy = strdup(value);
	unsigned long flags = 0;
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, separators, &save); w; w = strtok_r(NULL, separators, &save)) {
		int r = namespace_add(p, w, &flags);
		if (r < 0)
			return r;
	}
	if (!(flags & CLONE_NEWPID))
		return ct_config_fail(p, "'pid' is required");
	if (!(flags & CLONE_NEWNS))
		return ct_config_fail(p, "'mount' is required");
	p->c->namespaces = flags;
	p->c->namespaces_set = true;
	return 0;
}

static int parse_shutdown_method(struct parser *p, const char *value)
{
	int m = ct_shutdown_method_from_string(value);

	if (m < 0)
		return ct_config_fail(p, "unknown method '%s' (known: application sysvinit systemd exec)",
				      value);
	p->c->shutdown_method = (enum ct_shutdown_method)m;
	return 0;
}

static int parse_shutdown_signal(struct parser *p, const char *value)
{
	int sig = ct_signal_from_string(value);

	if (sig < 0)
		return ct_config_fail(p, "'%s' is not a signal that can be caught", value);
	p->c->shutdown_signal = sig;
	return 0;
}

static int parse_shutdown_timeout(struct parser *p, const char *value)
{
	long v;
	int r = ct_parse_long(value, -1, CT_SHUTDOWN_TIMEOUT_MAX, &v);

	if (r < 0)
		return ct_config_fail(p, "'%s' is not a number of seconds from -1 (forever) to %d", value,
				   CT_SHUTDOWN_TIMEOUT_MAX);
	p->c->shutdown_timeout = (int)v;
	return 0;
}

int ct_config_parse_bool(struct parser *p, const char *value, bool *ret)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return ct_config_fail(p, "'%s' is not a boolean (1 0 yes no true false on off)", value);
}

static int parse_no_new_privs(struct parser *p, const char *value)
{
	return ct_config_parse_bool(p, value, &p->c->no_new_privs);
}

static int parse_mount(struct parser *p, const char *value)
{
	struct ct_config *c = p->c;
	struct ct_mount_entry m, *mounts;
	char msg[sizeof(p->err->message)];
	int r;

	if (c->n_mounts >= CT_MOUNTS_MAX)
		return ct_config_fail(p, "more than %d entries", CT_MOUNTS_MAX);
	r = ct_mount_entry_parse(value, &m, msg, sizeof(msg));
	if (r == -EINVAL)
		return ct_config_fail(p, "%s", msg);
	if (r < 0)
		return r;
	mounts = realloc(c->mounts, (c->n_mounts + 1) * sizeof(*mounts));
	if (!mounts) {
		ct_mount_entry_done(&m);
		return -ENOMEM;
	}
	mounts[c->n_mounts++] = m;
	c->mounts = mounts;
	return 0;
}

static bool env_name_valid(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_ascii_alnum(s[i]) && s[i] != '_')
			return false;
	return true;
}

static int parse_env(struct parser *p, const char *value)
{
	const char *eq = strchr(value, '=');
	size_t n = eq ? (size_t)(eq - value) : 0;

	if (!eq)
		return ct_config_fail(p, "expected NAME=VALUE");
	if (!env_name_valid(value, n))
		return ct_config_fail(p, "'%.*s' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)",
				   (int)n, value);
	/* A repeated name replaces the earlier value, in its place. */
	for (char **e = p->c->env; e && *e; e++)
		if (strncmp(*e, value, n + 1) == 0) {
			char *copy = strdup(value);
			if (!copy)
				return -ENOMEM;
			free(*e);
			*e = copy;
			return 0;
		}
	return ct_strv_append(&p->c->env, value);
}

/* A list of capability names (without "cap_", any case) or numbers, blank- or comma-separated. */
static int parse_caps(struct parser *p, const char *value, uint64_t *mask)
{
	static const char separators[] = " \t\r\n\v\f,";
	cleanup_free char *copy = strdup(value);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, separators, &save); w; w = strtok_r(NULL, separators, &save)) {
		int cap = ct_cap_from_name(w);
		if (cap < 0)
			return ct_config_fail(p, "unknown capability '%s' (names like sys_admin, "
					      "or numbers 0-%d)", w, CAP_LAST_CAP);
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

static int parse_cap_drop(struct parser *p, const char *value)
{
	return parse_caps(p, value, &p->c->cap_drop);
}

static int parse_cap_keep(struct parser *p, const char *value)
{
	p->c->cap_keep_set = true;
	return parse_caps(p, value, &p->c->cap_keep);
}

static int parse_seccomp_profile(struct parser *p, const char *value)
{
	char *path = NULL;
	int r = strcmp(value, "none") == 0 ? ((path = strdup("none")) ? 0 : -ENOMEM)
					   : path_resolve(p->name, value, &path);

	if (r < 0)
		return r;
	free(p->c->seccomp_profile);
	p->c->seccomp_profile = path;
	return 0;
}

static int parse_log_size(struct parser *p, const char *value)
{
	int64_t v;

	if (ct_parse_size(value, &v) < 0 || v < CT_LOG_SIZE_MIN)
		return ct_config_fail(p, "invalid size '%s' (at least %d bytes; K, M, G suffixes)",
				      value, CT_LOG_SIZE_MIN);
	p->c->log_size = v;
	return 0;
}

static int parse_log_path(struct parser *p, const char *value)
{
	char *path = NULL;
	int r = path_resolve(p->name, value, &path);

	if (r < 0)
		return r;
	free(p->c->log_path);
	p->c->log_path = path;
	return 0;
}

static int parse_log_target(struct parser *p, const char *value)
{
	if (strcmp(value, "file") != 0 && strcmp(value, "journal") != 0)
		return ct_config_fail(p, "unknown target '%s' (file or journal)", value);
	p->c->log_journal = strcmp(value, "journal") == 0;
	return 0;
}

static int parse_console_buffer(struct parser *p, const char *value)
{
	int64_t v;

	if (ct_parse_size(value, &v) < 0 || v < 0 || v > CT_CONSOLE_BUFFER_MAX)
		return ct_config_fail(p, "invalid size '%s' (0 to %d MiB; K, M suffixes)", value,
				      CT_CONSOLE_BUFFER_MAX >> 20);
	p->c->console_buffer = v;
	return 0;
}

static int parse_log_rotate(struct parser *p, const char *value)
{
	long v;

	if (ct_parse_long(value, 0, CT_LOG_ROTATE_MAX, &v) < 0)
		return ct_config_fail(p, "invalid count '%s' (0-%d)", value, CT_LOG_ROTATE_MAX);
	p->c->log_rotate = (unsigned)v;
	return 0;
}

static int parse_idmap(struct parser *p, const char *value)
{
	char msg[256];

	if (ct_idmap_parse(&p->c->idmap, value, msg, sizeof(msg)) < 0)
		return ct_config_fail(p, "%s", msg);
	return 0;
}

static int parse_device_allow(struct parser *p, const char *value)
{
	struct ct_device_rule rule, *grown;
	char msg[256];

	if (ct_device_rule_parse(value, &rule, msg, sizeof(msg)) < 0)
		return ct_config_fail(p, "%s", msg);
	if (p->c->n_devices >= CT_DEVICE_RULES_MAX)
		return ct_config_fail(p, "more than %d entries", CT_DEVICE_RULES_MAX);
	grown = realloc(p->c->devices, (p->c->n_devices + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	grown[p->c->n_devices++] = rule;
	p->c->devices = grown;
	return 0;
}

const struct config_key ct_config_keys[] = {
	{ "rootfs", parse_rootfs, false },
	{ "hostname", parse_hostname, false },
	{ "init", parse_init, false },
	{ "command", parse_command, false },
	{ "namespaces", parse_namespaces, false },
	{ "shutdown_method", parse_shutdown_method, false },
	{ "shutdown_command", parse_shutdown_command, false },
	{ "shutdown_signal", parse_shutdown_signal, false },
	{ "shutdown_timeout", parse_shutdown_timeout, false },
	{ "no_new_privs", parse_no_new_privs, false },
	{ "mount", parse_mount, true },
	{ "env", parse_env, true },
	{ "cap.drop", parse_cap_drop, true },
	{ "cap.keep", parse_cap_keep, true },
	{ "seccomp.profile", parse_seccomp_profile, false },
	{ "cgroup.parent", ct_config_parse_cgroup_parent, false },
	{ "cgroup.memory.max", ct_config_parse_memory_max, false },
	{ "cgroup.pids.max", ct_config_parse_pids_max, false },
	{ "cgroup.cpu.weight", ct_config_parse_cpu_weight, false },
	{ "cgroup.cpu.max", ct_config_parse_cpu_max, false },
	{ "cgroup.v1", ct_config_parse_cgroup_v1, false },
	{ "cgroup.max.depth", ct_config_parse_max_depth, false },
	{ "cgroup.max.descendants", ct_config_parse_max_descendants, false },
	{ "idmap", parse_idmap, true },
	{ "log.size", parse_log_size, false },
	{ "log.rotate", parse_log_rotate, false },
	{ "log.path", parse_log_path, false },
	{ "log.target", parse_log_target, false },
	{ "console.buffer.size", parse_console_buffer, false },
	{ "device.allow", parse_device_allow, true },
	{ "autostart", ct_config_parse_autostart, false },
	{ "start.order", ct_config_parse_start_order, false },
	{ "start.delay", ct_config_parse_start_delay, false },
	{ "group", ct_config_parse_group, false },
};
const size_t ct_config_n_keys = ARRAY_SIZE(ct_config_keys);
_Static_assert(ARRAY_SIZE(ct_config_keys) <= CT_CONFIG_KEYS_MAX, "raise CT_CONFIG_KEYS_MAX");

