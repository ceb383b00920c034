/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* device.allow rules: parsed from the config, written back in the v1 devices controller's form. */
#include "device-rule.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ct_device_rule_valid(const struct ct_device_rule *r)
{
	return (r->type == 'c' || r->type == 'b' || r->type == 'a') && r->major >= -1 &&
	       r->major <= CT_DEV_MAJOR_MAX && r->minor >= -1 && r->minor <= CT_DEV_MINOR_MAX &&
	       r->access != 0 && (r->access & ~(unsigned)CT_DEV_ALL) == 0;
}

bool ct_device_rule_is_everything(const struct ct_device_rule *r)
{
	return r->type == 'a' && r->major < 0 && r->minor < 0 && r->access == CT_DEV_ALL;
}

/* A number or "*" (-1) within [0, max]. */
static int parse_number(const char *s, long max, const char *what, int64_t *ret, char *msg,
			size_t msg_size)
{
	long v;

	if (strcmp(s, "*") == 0) {
		*ret = -1;
		return 0;
	}
	if (ct_parse_long(s, 0, max, &v) < 0)
		return ct_fail_msg(msg, msg_size, "%s '%s' is not '*' or a number 0..%ld", what, s,
				   max);
	*ret = v;
	return 0;
}

static int parse_numbers(char *s, struct ct_device_rule *r, char *msg, size_t msg_size)
{
	char *colon = strchr(s, ':');
	int ret;

	if (!colon)
		return ct_fail_msg(msg, msg_size, "expected MAJOR:MINOR, got '%s'", s);
	*colon = '\0';
	ret = parse_number(s, CT_DEV_MAJOR_MAX, "major", &r->major, msg, msg_size);
	if (ret < 0)
		return ret;
	return parse_number(colon + 1, CT_DEV_MINOR_MAX, "minor", &r->minor, msg, msg_size);
}

/* In the order the kernel lists them. */
static const struct {
	char c;
	unsigned bit;
} access_chars[] = { { 'r', CT_DEV_READ }, { 'w', CT_DEV_WRITE }, { 'm', CT_DEV_MKNOD } };

static unsigned access_bit(char c)
{
	for (size_t i = 0; i < ARRAY_SIZE(access_chars); i++)
		if (access_chars[i].c == c)
			return access_chars[i].bit;
	return 0;
}

static int parse_access(const char *s, unsigned *ret, char *msg, size_t msg_size)
{
	unsigned access = 0;

	for (const char *p = s; *p; p++) {
		unsigned bit = access_bit(*p);

		if (!bit)
			return ct_fail_msg(msg, msg_size, "access '%s' is not a subset of rwm", s);
		access |= bit;
	}
	*ret = access;
	return 0;
}

static int parse_fields(char **f, struct ct_device_rule *r, char *msg, size_t msg_size)
{
	int ret;

	if (strlen(f[0]) != 1 || !strchr("abc", f[0][0]))
		return ct_fail_msg(msg, msg_size, "type '%s' is not c, b or a", f[0]);
	r->type = f[0][0];
	ret = parse_numbers(f[1], r, msg, msg_size);
	if (ret < 0)
		return ret;
	return parse_access(f[2], &r->access, msg, msg_size);
}

int ct_device_rule_parse(const char *value, struct ct_device_rule *ret, char *msg, size_t msg_size)
{
	struct ct_device_rule r = { .type = 'a', .major = -1, .minor = -1, .access = CT_DEV_ALL };
	char buf[64], *save = NULL, *f[4];
	size_t n = 0;
	int err;

	if (strlen(value) >= sizeof(buf))
		return ct_fail_msg(msg, msg_size, "device rule too long");
	strcpy(buf, value);
	for (char *t = strtok_r(buf, " \t", &save); t && n < ARRAY_SIZE(f);
	     t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	if (n == 1 && strcmp(f[0], "a") == 0) {
		*ret = r;
		return 0;
	}
	if (n != 3)
		return ct_fail_msg(msg, msg_size, "expected 'TYPE MAJOR:MINOR ACCESS' or 'a'");
	err = parse_fields(f, &r, msg, msg_size);
	if (err < 0)
		return err;
	*ret = r;
	return 0;
}

static void format_number(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "*");
	else
		snprintf(buf, size, "%u", (unsigned)v); /* parsed: at most CT_DEV_MINOR_MAX */
}

static void format_access(unsigned access, char buf[static 4])
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(access_chars); i++)
		if (access & access_chars[i].bit)
			buf[n++] = access_chars[i].c;
	buf[n] = '\0';
}

int ct_device_rule_format(const struct ct_device_rule *r, char *buf, size_t size)
{
	char major[16], minor[16], access[4], out[48];

	if (!ct_device_rule_valid(r) || (r->type == 'a' && !ct_device_rule_is_everything(r)))
		return -EINVAL;
	if (ct_device_rule_is_everything(r))
		snprintf(out, sizeof(out), "a");
	else {
		format_number(r->major, major, sizeof(major));
		format_number(r->minor, minor, sizeof(minor));
		format_access(r->access, access);
		snprintf(out, sizeof(out), "%c %s:%s %s", r->type, major, minor, access);
	}
	if (strlen(out) >= size)
		return -ENOSPC;
	strcpy(buf, out);
	return 0;
}
