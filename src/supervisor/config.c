/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config parser: splits `key = value` text into lines, dispatches each key through a table of
 * handlers that fill struct ct_config, and reports the first error with its file, line and key.
 * Mount entries are parsed in config-mount.c. */
#include "config.h"

#include "macro.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HOSTNAME_MAX 64
#define NAMESPACES_DEFAULT (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
#define N_CONFIG_KEYS 20

struct parser {
	struct ct_config *c;
	struct ct_config_error *err;
	const char *name;  /* the file name as given (base for relative rootfs values), or NULL */
	const char *label; /* the file name in errors */
	unsigned line;
	const char *key;   /* the key of the current line once known, for errors */
	bool failed;       /* err has been filled */
	unsigned first_line[N_CONFIG_KEYS];
};

__attribute__((format(printf, 5, 0)))
static void error_vset(struct ct_config_error *err, const char *file, unsigned line,
		       const char *key, const char *fmt, va_list ap)
{
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = line;
	snprintf(err->key, sizeof(err->key), "%s", key);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

__attribute__((format(printf, 5, 6)))
static void error_set(struct ct_config_error *err, const char *file, unsigned line, const char *key,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, file, line, key, fmt, ap);
	va_end(ap);
}

/* Fills err for the current line and key with a formatted reason; returns -EINVAL. */
__attribute__((format(printf, 2, 3)))
static int config_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(p->err, p->label, p->line, p->key ? p->key : "", fmt, ap);
	va_end(ap);
	p->failed = true;
	return -EINVAL;
}

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
		return config_fail(p, "'%s' is not a valid hostname (1-%d of A-Z a-z 0-9 . -, not "
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
		return config_fail(p, "unterminated quote or trailing backslash");
	if (r < 0)
		return r;
	if (!argv[0] || !argv[0][0])
		return config_fail(p, "empty program name");
	*ret = steal_ptr(&argv);
	return 0;
}

/* Frees *dst and moves src into it. */
static void strv_replace(char ***dst, char **src)
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
		return config_fail(p, "'%s' is not an absolute path", argv[0]);
	strv_replace(&p->c->init, steal_ptr(&argv));
	return 0;
}

static int parse_command(struct parser *p, const char *value)
{
	char **argv = NULL;
	int r = parse_argv(p, value, &argv);

	if (r < 0)
		return r;
	strv_replace(&p->c->command, argv);
	return 0;
}

static int parse_shutdown_command(struct parser *p, const char *value)
{
	char **argv = NULL;
	int r = parse_argv(p, value, &argv);

	if (r < 0)
		return r;
	strv_replace(&p->c->shutdown_command, argv);
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
		return config_fail(p, "'user' is not supported yet");
	for (size_t i = 0; i < ARRAY_SIZE(namespace_names); i++)
		if (strcmp(word, namespace_names[i].name) == 0) {
			*flags |= namespace_names[i].flag;
			return 0;
		}
	return config_fail(p, "unknown namespace '%s' (known: pid mount uts ipc net cgroup)", word);
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
		return config_fail(p, "'pid' is required");
	if (!(flags & CLONE_NEWNS))
		return config_fail(p, "'mount' is required");
	p->c->namespaces = flags;
	return 0;
}

static const char *const shutdown_method_names[] = {
	[CT_SHUTDOWN_UNSET] = "unset",
	[CT_SHUTDOWN_APPLICATION] = "application",
	[CT_SHUTDOWN_SYSVINIT] = "sysvinit",
	[CT_SHUTDOWN_SYSTEMD] = "systemd",
	[CT_SHUTDOWN_EXEC] = "exec",
};

const char *ct_shutdown_method_to_string(enum ct_shutdown_method m)
{
	if ((size_t)m >= ARRAY_SIZE(shutdown_method_names))
		return "unknown";
	return shutdown_method_names[m];
}

static int parse_shutdown_method(struct parser *p, const char *value)
{
	for (size_t i = CT_SHUTDOWN_UNSET + 1; i < ARRAY_SIZE(shutdown_method_names); i++)
		if (strcmp(value, shutdown_method_names[i]) == 0) {
			p->c->shutdown_method = (enum ct_shutdown_method)i;
			return 0;
		}
	return config_fail(p, "unknown method '%s' (known: application sysvinit systemd exec)", value);
}

static int parse_shutdown_signal(struct parser *p, const char *value)
{
	int sig = ct_signal_from_string(value);

	if (sig < 0)
		return config_fail(p, "'%s' is not a signal that can be caught", value);
	p->c->shutdown_signal = sig;
	return 0;
}

static int parse_shutdown_timeout(struct parser *p, const char *value)
{
	long v;
	int r = ct_parse_long(value, -1, CT_SHUTDOWN_TIMEOUT_MAX, &v);

	if (r < 0)
		return config_fail(p, "'%s' is not a number of seconds from -1 (forever) to %d", value,
				   CT_SHUTDOWN_TIMEOUT_MAX);
	p->c->shutdown_timeout = (int)v;
	return 0;
}

static int parse_no_new_privs(struct parser *p, const char *value)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			p->c->no_new_privs = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			p->c->no_new_privs = false;
			return 0;
		}
	}
	return config_fail(p, "'%s' is not a boolean (1 0 yes no true false on off)", value);
}

static int parse_mount(struct parser *p, const char *value)
{
	struct ct_config *c = p->c;
	struct ct_mount_entry m, *mounts;
	char msg[sizeof(p->err->message)];
	int r = ct_mount_entry_parse(value, &m, msg, sizeof(msg));

	if (r == -EINVAL)
		return config_fail(p, "%s", msg);
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
		return config_fail(p, "expected NAME=VALUE");
	if (!env_name_valid(value, n))
		return config_fail(p, "'%.*s' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)",
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

static int parse_unsupported(struct parser *p, const char *value)
{
	return config_fail(p, "not supported yet");
}

static const struct config_key {
	const char *name;
	int (*parse)(struct parser *p, const char *value);
	bool list; /* may repeat, each occurrence adds; otherwise a second occurrence is an error */
} config_keys[] = {
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
	{ "cap.drop", parse_unsupported, true },
	{ "cap.keep", parse_unsupported, true },
	{ "seccomp.profile", parse_unsupported, false },
	{ "cgroup.parent", parse_unsupported, false },
	{ "cgroup.memory.max", parse_unsupported, false },
	{ "cgroup.pids.max", parse_unsupported, false },
	{ "cgroup.cpu.weight", parse_unsupported, false },
	{ "cgroup.cpu.max", parse_unsupported, false },
};
_Static_assert(ARRAY_SIZE(config_keys) == N_CONFIG_KEYS, "N_CONFIG_KEYS is out of date");

static int dispatch(struct parser *p, const char *key, const char *value)
{
	size_t i;

	p->key = key;
	for (i = 0; i < ARRAY_SIZE(config_keys); i++)
		if (strcmp(key, config_keys[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(config_keys))
		return config_fail(p, "unknown key");
	if (!*value)
		return config_fail(p, "empty value");
	if (!config_keys[i].list && p->first_line[i])
		return config_fail(p, "set twice, first at line %u", p->first_line[i]);
	if (!p->first_line[i])
		p->first_line[i] = p->line;
	return config_keys[i].parse(p, value);
}

static bool is_blank(char ch)
{
	/* '\r' counts as blank, so CRLF files parse like LF files. */
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Strips blanks from both ends of s, in place. */
static char *strip(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Parses one line of n bytes (without its '\n'). */
static int parse_line(struct parser *p, const char *s, size_t n)
{
	char buf[CT_CONFIG_LINE_MAX + 1];
	char *key, *eq;

	p->key = NULL;
	if (n > CT_CONFIG_LINE_MAX)
		return config_fail(p, "line is longer than %d bytes", CT_CONFIG_LINE_MAX);
	if (memchr(s, '\0', n))
		return config_fail(p, "NUL byte in line");
	memcpy(buf, s, n);
	buf[n] = '\0';
	key = strip(buf);
	if (!*key || *key == '#')
		return 0;
	eq = strchr(key, '=');
	if (!eq)
		return config_fail(p, "expected 'key = value'");
	*eq = '\0';
	key = strip(key);
	if (!*key)
		return config_fail(p, "missing key before '='");
	return dispatch(p, key, strip(eq + 1));
}

int ct_config_parse_string(struct ct_config *c, const char *text, size_t len, const char *name,
			   struct ct_config_error *err)
{
	struct ct_config_error unused;
	struct parser p = {
		.c = c, .err = err ? err : &unused, .name = name, .label = name ? name : "<string>",
	};

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		int r;

		p.line++;
		r = parse_line(&p, text + pos, n);
		if (r < 0) {
			if (!p.failed) /* not about the content (ENOMEM): still say where */
				config_fail(&p, "%s", strerror(-r));
			return r;
		}
		pos += n + 1;
	}
	return 0;
}

/* Doubles *buf up to one byte more than CT_CONFIG_FILE_MAX, enough to see that a file is too big. */
static int buf_grow(char **buf, size_t *size)
{
	size_t new_size = *size ? *size * 2 : 16384;
	char *b;

	if (new_size > CT_CONFIG_FILE_MAX + 1)
		new_size = CT_CONFIG_FILE_MAX + 1;
	b = realloc(*buf, new_size);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*size = new_size;
	return 0;
}

/* Reads a whole file of at most CT_CONFIG_FILE_MAX bytes; -EFBIG for a larger one. */
static int read_file(const char *path, char **ret, size_t *ret_len)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	cleanup_free char *buf = NULL;
	size_t len = 0, size = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len == size && buf_grow(&buf, &size) < 0)
			return -ENOMEM;
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CT_CONFIG_FILE_MAX)
			return -EFBIG;
	}
	*ret = steal_ptr(&buf);
	*ret_len = len;
	return 0;
}

int ct_config_load(struct ct_config *c, const char *path, struct ct_config_error *err)
{
	struct ct_config_error unused;
	cleanup_free char *text = NULL;
	size_t len = 0;
	char *copy;
	int r;

	if (!err)
		err = &unused;
	r = read_file(path, &text, &len);
	if (r == -EFBIG)
		error_set(err, path, 0, "", "file is larger than %d bytes", CT_CONFIG_FILE_MAX);
	else if (r < 0)
		error_set(err, path, 0, "", "%s", strerror(-r));
	if (r < 0)
		return r;
	copy = strdup(path);
	if (!copy) {
		error_set(err, path, 0, "", "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	free(c->path);
	c->path = copy;
	return ct_config_parse_string(c, text, len, path, err);
}

void ct_config_error_format(const struct ct_config_error *err, char *buf, size_t size)
{
	char where[300] = "";
	char key[80] = "";

	if (!buf || size == 0)
		return;
	if (err->file[0] && err->line)
		snprintf(where, sizeof(where), "%.255s:%u: ", err->file, err->line);
	else if (err->file[0])
		snprintf(where, sizeof(where), "%.255s: ", err->file);
	else if (err->line)
		snprintf(where, sizeof(where), "line %u: ", err->line);
	if (err->key[0])
		snprintf(key, sizeof(key), "key '%.63s': ", err->key);
	snprintf(buf, size, "%s%s%.511s", where, key, err->message);
}

static int init_default(struct ct_config *c)
{
	static char *const argv[] = { "/sbin/init", NULL };

	return ct_strv_copy(argv, &c->init);
}

void ct_config_init(struct ct_config *c)
{
	*c = (struct ct_config){
		.namespaces = NAMESPACES_DEFAULT,
		.shutdown_timeout = CT_SHUTDOWN_TIMEOUT_DEFAULT,
	};
	/* A void function cannot report ENOMEM: ct_config_finalize() retries then. */
	(void)init_default(c);
}

void ct_config_free(struct ct_config *c)
{
	free(c->path);
	free(c->rootfs);
	free(c->hostname);
	ct_strv_free(c->init);
	ct_strv_free(c->command);
	ct_strv_free(c->shutdown_command);
	for (size_t i = 0; i < c->n_mounts; i++)
		ct_mount_entry_done(&c->mounts[i]);
	free(c->mounts);
	ct_strv_free(c->env);
	*c = (struct ct_config){ 0 };
}

int ct_config_set_command(struct ct_config *c, char *const *argv)
{
	char **copy;
	int r;

	if (!argv || !argv[0] || !argv[0][0])
		return -EINVAL;
	r = ct_strv_copy(argv, &copy);
	if (r < 0)
		return r;
	strv_replace(&c->command, copy);
	return 0;
}

/* The checks between the shutdown keys. A shutdown_command or shutdown_signal that the method
 * would not use is an error rather than silently ignored: the user clearly expected it to act. */
static int finalize_shutdown(struct ct_config *c, const char *file, struct ct_config_error *err)
{
	enum ct_shutdown_method m = c->shutdown_method;
	const char *name = ct_shutdown_method_to_string(m);

	if (m == CT_SHUTDOWN_EXEC && !c->shutdown_command) {
		error_set(err, file, 0, "shutdown_method", "'exec' needs a shutdown_command");
		return -EINVAL;
	}
	if (m != CT_SHUTDOWN_EXEC && c->shutdown_command) {
		error_set(err, file, 0, "shutdown_command",
			  "only used with shutdown_method = exec (the method is '%s')", name);
		return -EINVAL;
	}
	if (c->shutdown_signal && m != CT_SHUTDOWN_APPLICATION && m != CT_SHUTDOWN_SYSTEMD) {
		error_set(err, file, 0, "shutdown_signal",
			  "only used with shutdown_method = application or systemd (the method is '%s')",
			  name);
		return -EINVAL;
	}
	return 0;
}

int ct_config_finalize(struct ct_config *c, struct ct_config_error *err)
{
	struct ct_config_error unused;
	const char *file = c->path ? c->path : "";

	if (!err)
		err = &unused;
	if (!c->init && init_default(c) < 0) {
		error_set(err, file, 0, "init", "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (!c->rootfs) {
		error_set(err, file, 0, "rootfs", "missing: every container needs a rootfs");
		return -EINVAL;
	}
	if (c->shutdown_method == CT_SHUTDOWN_UNSET)
		c->shutdown_method = c->command ? CT_SHUTDOWN_APPLICATION : CT_SHUTDOWN_SYSVINIT;
	return finalize_shutdown(c, file, err);
}
