/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config parser: splits `key = value` text into lines, dispatches each key through a table of
 * handlers that fill struct ct_config, and reports the first error with its file, line and key.
 * Mount entries are parsed in config-mount.c. */
#include "config-internal.h"

#include "common/linefile.h"
#include "common/macro.h"
#include "common/util.h"

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

#define NAMESPACES_DEFAULT \
	(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

int ct_config_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ct_file_error_vset(p->err, p->label, p->line, p->key ? p->key : "", fmt, ap);
	va_end(ap);
	p->failed = true;
	return -EINVAL;
}

static int dispatch(struct parser *p, const char *key, const char *value)
{
	size_t i;

	p->key = key;
	if (strncmp(key, "net.", 4) == 0)
		return ct_config_parse_net(p, key, value);
	for (i = 0; i < ct_config_n_keys; i++)
		if (strcmp(key, ct_config_keys[i].name) == 0)
			break;
	if (i == ct_config_n_keys)
		return ct_config_fail(p, "unknown key");
	if (!*value)
		return ct_config_fail(p, "empty value");
	if (!ct_config_keys[i].list && p->first_line[i])
		return ct_config_fail(p, "set twice, first at line %u", p->first_line[i]);
	if (!p->first_line[i])
		p->first_line[i] = p->line;
	return ct_config_keys[i].parse(p, value);
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

/* A control character other than a tab inside a value: no key takes one, and a value goes on to
 * places where one would end a line (a '\r' in a systemd unit ct-generator writes, a log line). */
static const char *control_char(const char *value)
{
	for (const char *c = value; *c; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return c;
	return NULL;
}

/* Parses the next line, of n bytes (without its '\n'). */
static int parse_line(const char *s, size_t n, void *userdata)
{
	struct parser *p = userdata;
	char buf[CT_CONFIG_LINE_MAX + 1];
	char *key, *eq;

	p->line++;
	p->key = NULL;
	if (n > CT_CONFIG_LINE_MAX)
		return ct_config_fail(p, "line is longer than %d bytes", CT_CONFIG_LINE_MAX);
	if (memchr(s, '\0', n))
		return ct_config_fail(p, "NUL byte in line");
	memcpy(buf, s, n);
	buf[n] = '\0';
	key = strip(buf);
	if (!*key || *key == '#')
		return 0;
	eq = strchr(key, '=');
	if (!eq)
		return ct_config_fail(p, "expected 'key = value'");
	*eq = '\0';
	key = strip(key);
	if (!*key)
		return ct_config_fail(p, "missing key before '='");
	const char *value = strip(eq + 1), *bad = control_char(value);
	if (bad) {
		p->key = key;
		return ct_config_fail(p, "control character 0x%02x in the value",
				      (unsigned)(unsigned char)*bad);
	}
	return dispatch(p, key, value);
}

int ct_config_parse_string(struct ct_config *c, const char *text, size_t len, const char *name,
			   struct ct_file_error *err)
{
	struct ct_file_error unused;
	struct parser p = {
		.c = c, .err = err ? err : &unused, .name = name, .label = name ? name : "<string>",
	};
	int r = ct_lines_each(text, len, parse_line, &p);

	if (r < 0 && !p.failed) /* not about the content (ENOMEM): still say where */
		ct_config_fail(&p, "%s", strerror(-r));
	return r;
}

int ct_config_load(struct ct_config *c, const char *path, struct ct_file_error *err)
{
	struct ct_file_error unused;
	cleanup_free char *text = NULL;
	size_t len = 0;
	char *copy;
	int r;

	if (!err)
		err = &unused;
	r = ct_file_load(path, CT_CONFIG_FILE_MAX, &text, &len, err);
	if (r < 0)
		return r;
	copy = strdup(path);
	if (!copy) {
		ct_file_error_set(err, path, 0, "", "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	free(c->path);
	c->path = copy;
	return ct_config_parse_string(c, text, len, path, err);
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
		.log_size = CT_LOG_SIZE_DEFAULT,
		.log_rotate = CT_LOG_ROTATE_DEFAULT,
		.console_buffer = CT_CONSOLE_BUFFER_DEFAULT,
		.cgroup = { .max_depth = CT_CGROUP_MAX_DEPTH_DEFAULT,
			    .max_descendants = CT_CGROUP_MAX_DESCENDANTS_DEFAULT },
	};
	/* A void function cannot report ENOMEM: ct_config_finalize() retries then. */
	(void)init_default(c);
}

void ct_config_free(struct ct_config *c)
{
	free(c->path);
	free(c->rootfs);
	free(c->seccomp_profile);
	free(c->log_path);
	free(c->cgroup.parent);
	free(c->hostname);
	ct_strv_free(c->init);
	ct_strv_free(c->command);
	ct_strv_free(c->shutdown_command);
	for (size_t i = 0; i < c->n_mounts; i++)
		ct_mount_entry_done(&c->mounts[i]);
	free(c->mounts);
	ct_strv_free(c->env);
	free(c->devices);
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
	ct_config_strv_replace(&c->command, copy);
	return 0;
}

/* The checks between the shutdown keys. A shutdown_command or shutdown_signal that the method
 * would not use is an error rather than silently ignored: the user clearly expected it to act. */
static int finalize_shutdown(struct ct_config *c, const char *file, struct ct_file_error *err)
{
	enum ct_shutdown_method m = c->shutdown_method;
	const char *name = ct_shutdown_method_to_string(m);

	if (m == CT_SHUTDOWN_EXEC && !c->shutdown_command) {
		ct_file_error_set(err, file, 0, "shutdown_method", "'exec' needs a shutdown_command");
		return -EINVAL;
	}
	if (m != CT_SHUTDOWN_EXEC && c->shutdown_command) {
		ct_file_error_set(err, file, 0, "shutdown_command",
			  "only used with shutdown_method = exec (the method is '%s')", name);
		return -EINVAL;
	}
	if (c->shutdown_signal && m != CT_SHUTDOWN_APPLICATION && m != CT_SHUTDOWN_SYSTEMD) {
		ct_file_error_set(err, file, 0, "shutdown_signal",
			  "only used with shutdown_method = application or systemd (the method is '%s')",
			  name);
		return -EINVAL;
	}
	return 0;
}

/* An explicit map must be whole; a user namespace cannot share the host's root tree. */
static int finalize_idmap(const struct ct_config *c, const char *file, struct ct_file_error *err)
{
	char msg[256];

	if (ct_idmap_check(&c->idmap, msg, sizeof(msg)) < 0) {
		ct_file_error_set(err, file, 0, "idmap", "%s", msg);
		return -EINVAL;
	}
	if (ct_config_userns(c) && strcmp(c->rootfs, "/") == 0) {
		ct_file_error_set(err, file, 0, "idmap", "rootfs = / shares the host's tree, which cannot be "
			  "idmapped: set idmap = none for it");
		return -EINVAL;
	}
	return 0;
}

int ct_config_finalize(struct ct_config *c, struct ct_file_error *err)
{
	struct ct_file_error unused;
	const char *file = c->path ? c->path : "";

	if (!err)
		err = &unused;
	if (!c->init && init_default(c) < 0) {
		ct_file_error_set(err, file, 0, "init", "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (!c->rootfs) {
		ct_file_error_set(err, file, 0, "rootfs", "missing: every container needs a rootfs");
		return -EINVAL;
	}
	if (c->shutdown_method == CT_SHUTDOWN_UNSET)
		c->shutdown_method = c->command ? CT_SHUTDOWN_APPLICATION : CT_SHUTDOWN_SYSVINIT;
	if (c->cap_keep_set && c->cap_drop) {
		ct_file_error_set(err, file, 0, "cap.keep", "cap.keep and cap.drop cannot be combined: "
			  "keep lists what stays, drop what goes");
		return -EINVAL;
	}
	if (finalize_idmap(c, file, err) < 0 || ct_config_check_net(c, file, err) < 0)
		return -EINVAL;
	return finalize_shutdown(c, file, err);
}
