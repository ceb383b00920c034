/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing of one fstab-like `mount` config value, SOURCE TARGET FSTYPE [OPTIONS [DUMP [PASS]]],
 * into struct ct_mount_entry: MS_* flags, our own options (optional, create=), filesystem data. */
#include "config.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#define MS_PROPAGATION (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE)

/* Each option clears some flags, then sets some, so the last of "ro,rw" wins as in mount(8). */
static const struct {
	const char *name;
	unsigned long set;
	unsigned long clear;
} mount_flags[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "remount", MS_REMOUNT, 0 },
	{ "mand", MS_MANDLOCK, 0 },
	{ "nomand", 0, MS_MANDLOCK },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, 0 },
	{ "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },
	{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "nostrictatime", 0, MS_STRICTATIME },
	{ "lazytime", MS_LAZYTIME, 0 },
	{ "nolazytime", 0, MS_LAZYTIME },
	{ "bind", MS_BIND, 0 },
	{ "rbind", MS_BIND | MS_REC, 0 },
	/* The kernel takes one propagation type per call: a later one replaces an earlier one. */
	{ "private", MS_PRIVATE, MS_PROPAGATION },
	{ "rprivate", MS_PRIVATE | MS_REC, MS_PROPAGATION },
	{ "slave", MS_SLAVE, MS_PROPAGATION },
	{ "rslave", MS_SLAVE | MS_REC, MS_PROPAGATION },
	{ "shared", MS_SHARED, MS_PROPAGATION },
	{ "rshared", MS_SHARED | MS_REC, MS_PROPAGATION },
	{ "unbindable", MS_UNBINDABLE, MS_PROPAGATION },
	{ "runbindable", MS_UNBINDABLE | MS_REC, MS_PROPAGATION },
};

void ct_mount_entry_done(struct ct_mount_entry *m)
{
	free(m->source);
	free(m->target);
	free(m->fstype);
	free(m->data);
	*m = (struct ct_mount_entry){ 0 };
}

static void mount_entry_donep(struct ct_mount_entry *m)
{
	int saved = errno;

	ct_mount_entry_done(m);
	errno = saved;
}

static bool mount_flag_apply(const char *opt, unsigned long *flags)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++)
		if (strcmp(opt, mount_flags[i].name) == 0) {
			*flags = (*flags & ~mount_flags[i].clear) | mount_flags[i].set;
			return true;
		}
	return false;
}

/* Our own options; *handled is false for anything that is not one of them. */
static int mount_special_apply(const char *opt, struct ct_mount_entry *m, bool *handled, char *msg,
			       size_t size)
{
	*handled = true;
	if (strcmp(opt, "defaults") == 0)
		return 0;
	if (strcmp(opt, "optional") == 0) {
		m->optional = true;
		return 0;
	}
	if (strcmp(opt, "tmpcopyup") == 0) {
		m->copy_up = true;
		return 0;
	}
	if (strncmp(opt, "create=", 7) != 0) {
		*handled = false;
		return 0;
	}
	if (strcmp(opt + 7, "dir") == 0)
		m->create_dir = true;
	else if (strcmp(opt + 7, "file") == 0)
		m->create_file = true;
	else
		return ct_fail_msg(msg, size, "unknown option '%s' (create=dir or create=file)", opt);
	if (m->create_dir && m->create_file)
		return ct_fail_msg(msg, size, "create=dir and create=file exclude each other");
	return 0;
}

/* Joins v with commas; *ret is NULL for an empty v. */
static int strv_join_commas(char **v, char **ret)
{
	size_t len = 0;
	char *s, *p;

	if (ct_strv_length(v) == 0) {
		*ret = NULL;
		return 0;
	}
	for (size_t i = 0; v[i]; i++)
		len += strlen(v[i]) + 1;
	s = p = malloc(len);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; v[i]; i++)
		p += sprintf(p, "%s%s", i ? "," : "", v[i]);
	*ret = s;
	return 0;
}

/* Empty options ("ro,,nodev") are skipped, as mount(8) does. */
static int mount_options_parse(const char *options, struct ct_mount_entry *m, char *msg,
			       size_t size)
{
	cleanup_free char *copy = strdup(options);
	cleanup_strv char **data = NULL;
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool handled;
		int r = mount_special_apply(o, m, &handled, msg, size);

		if (r < 0)
			return r;
		if (handled || mount_flag_apply(o, &m->flags))
			continue;
		r = ct_strv_append(&data, o);
		if (r < 0)
			return r;
	}
	return strv_join_commas(data, &m->data);
}

int ct_mount_entry_add_option(struct ct_mount_entry *m, const char *opt, char *msg, size_t size)
{
	bool handled;
	int r = mount_special_apply(opt, m, &handled, msg, size);
	char *data;

	if (r < 0 || handled || mount_flag_apply(opt, &m->flags))
		return r;
	if (asprintf(&data, "%s%s%s", m->data ? m->data : "", m->data ? "," : "", opt) < 0)
		return -ENOMEM;
	free(m->data);
	m->data = data;
	return 0;
}

int ct_mount_entry_check(const struct ct_mount_entry *m, char *msg, size_t size)
{
	if (m->copy_up && (strcmp(m->fstype, "tmpfs") != 0 || (m->flags & MS_REMOUNT)))
		return ct_fail_msg(msg, size, "option tmpcopyup is for a new tmpfs");
	return 0;
}

/* A ".." component could lead a naive join of rootfs and target out of the rootfs. */
static bool has_dotdot(const char *path)
{
	for (const char *s = path; *s; s += strcspn(s, "/")) {
		s += strspn(s, "/");
		if (strncmp(s, "..", 2) == 0 && (s[2] == '/' || s[2] == '\0'))
			return true;
	}
	return false;
}

/* DUMP and PASS mean nothing here; they are accepted (as numbers) so fstab lines can be pasted. */
static int mount_fields_check(char **f, size_t n, char *msg, size_t size)
{
	long v;

	if (n < 3 || n > 6)
		return ct_fail_msg(msg, size, "expected SOURCE TARGET FSTYPE [OPTIONS [DUMP [PASS]]], "
					     "got %zu fields", n);
	for (size_t i = 0; i < 3; i++)
		if (!f[i][0])
			return ct_fail_msg(msg, size, "empty field %zu", i + 1);
	if (f[1][0] != '/')
		return ct_fail_msg(msg, size, "target '%s' is not an absolute path", f[1]);
	if (has_dotdot(f[1]))
		return ct_fail_msg(msg, size, "target '%s' contains '..'", f[1]);
	for (size_t i = 4; i < n; i++)
		if (ct_parse_long(f[i], 0, INT_MAX, &v) < 0)
			return ct_fail_msg(msg, size, "%s '%s' is not a number",
					  i == 4 ? "dump" : "pass", f[i]);
	return 0;
}

int ct_mount_entry_parse(const char *value, struct ct_mount_entry *ret, char *msg, size_t msg_size)
{
	_cleanup_(mount_entry_donep) struct ct_mount_entry m = { 0 };
	cleanup_strv char **f = NULL;
	size_t n;
	int r = ct_strv_split_quoted(value, &f);

	if (r == -EINVAL)
		return ct_fail_msg(msg, msg_size, "unterminated quote or trailing backslash");
	if (r < 0)
		return r;
	n = ct_strv_length(f);
	r = mount_fields_check(f, n, msg, msg_size);
	if (r < 0)
		return r;
	m.source = strdup(f[0]);
	m.target = strdup(f[1]);
	m.fstype = strdup(f[2]);
	if (!m.source || !m.target || !m.fstype)
		return -ENOMEM;
	if (n > 3) {
		r = mount_options_parse(f[3], &m, msg, msg_size);
		if (r < 0)
			return r;
	}
	r = ct_mount_entry_check(&m, msg, msg_size);
	if (r < 0)
		return r;
	*ret = m;
	m = (struct ct_mount_entry){ 0 };
	return 0;
}
