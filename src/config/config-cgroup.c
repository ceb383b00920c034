/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup.* config keys: the parent cgroup and the limits, validated and clamped here so the
 * monitor only ever writes well-formed values to the kernel's files. */
#include "config-internal.h"

#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CPU_PERIOD_DEFAULT 100000
#define PIDS_MAX_LIMIT 4194304 /* the kernel's PID_MAX_LIMIT */

int ct_parse_size(const char *s, int64_t *ret)
{
	static const char units[] = "KMGT";
	char *end;
	unsigned long long v;
	int shift = 0;

	if (strcmp(s, "max") == 0) {
		*ret = -1;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		const char *u = strchr(units, toupper((unsigned char)*end));
		if (!u || !*u || (end[1] && strcasecmp(end + 1, "B") && strcasecmp(end + 1, "iB")))
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
	}
	if (v == 0 || v > (UINT64_C(1) << 62) >> shift)
		return -ERANGE;
	*ret = (int64_t)(v << shift);
	return 0;
}

/* A relative path of plain names: it is joined to every hierarchy's root. */
static bool cgroup_path_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 200 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//"))
		return false;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_.-/", *c))
			return false;
	/* No "." or ".." component anywhere. */
	return strcmp(s, ".") && strcmp(s, "..") && strncmp(s, "./", 2) && strncmp(s, "../", 3) &&
	       !strstr(s, "/./") && !strstr(s, "/../") &&
	       (n < 2 || strcmp(s + n - 2, "/.")) && (n < 3 || strcmp(s + n - 3, "/.."));
}

int ct_config_parse_cgroup_parent(struct parser *p, const char *value)
{
	char *copy;

	if (!cgroup_path_valid(value))
		return ct_config_fail(p, "invalid cgroup path '%s' (relative, names of A-Z a-z 0-9 "
				      "_ . -, no '.' or '..' parts)", value);
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(p->c->cgroup.parent);
	p->c->cgroup.parent = copy;
	return 0;
}

int ct_config_parse_memory_max(struct parser *p, const char *value)
{
	int64_t v;

	if (ct_parse_size(value, &v) < 0)
		return ct_config_fail(p, "invalid size '%s' (bytes, with an optional K, M, G or T "
				      "suffix, or max)", value);
	p->c->cgroup.memory_max = v;
	return 0;
}

/* A count of cgroups, or "max": at least 2 (the guest's root, payload, is one level down). */
static int parse_cgroup_count(struct parser *p, const char *value, int64_t *ret)
{
	long v;

	if (strcmp(value, "max") == 0) {
		*ret = -1;
		return 0;
	}
	if (ct_parse_long(value, 2, 1000000, &v) < 0)
		return ct_config_fail(p, "invalid count '%s' (2-1000000, or max)", value);
	*ret = v;
	return 0;
}

int ct_config_parse_max_depth(struct parser *p, const char *value)
{
	return parse_cgroup_count(p, value, &p->c->cgroup.max_depth);
}

int ct_config_parse_max_descendants(struct parser *p, const char *value)
{
	return parse_cgroup_count(p, value, &p->c->cgroup.max_descendants);
}

int ct_config_parse_pids_max(struct parser *p, const char *value)
{
	long v;

	if (strcmp(value, "max") == 0) {
		p->c->cgroup.pids_max = -1;
		return 0;
	}
	if (ct_parse_long(value, 1, PIDS_MAX_LIMIT, &v) < 0)
		return ct_config_fail(p, "invalid pids limit '%s' (1-%d, or max)", value,
				      PIDS_MAX_LIMIT);
	p->c->cgroup.pids_max = v;
	return 0;
}

int ct_config_parse_cpu_weight(struct parser *p, const char *value)
{
	long v;

	if (ct_parse_long(value, 1, 10000, &v) < 0)
		return ct_config_fail(p, "invalid cpu weight '%s' (1-10000, default 100)", value);
	p->c->cgroup.cpu_weight = (uint32_t)v;
	return 0;
}

/* "QUOTA [PERIOD]" in microseconds, QUOTA may be "max": as cgroup v2's cpu.max. */
int ct_config_parse_cpu_max(struct parser *p, const char *value)
{
	char quota[32], period[32] = "", extra[2];
	long q = -1, per = CPU_PERIOD_DEFAULT;
	int n = sscanf(value, "%31s %31s %1s", quota, period, extra);

	if (n < 1 || n > 2 || (strcmp(quota, "max") && ct_parse_long(quota, 1000, 1000000000, &q) < 0) ||
	    (n == 2 && ct_parse_long(period, 1000, 1000000, &per) < 0) ||
	    strspn(value, "0123456789max \t") != strlen(value))
		return ct_config_fail(p, "invalid cpu.max '%s' (QUOTA [PERIOD] in microseconds: QUOTA "
				      "1000-1000000000 or max, PERIOD 1000-1000000)", value);
	p->c->cgroup.cpu_quota_us = q;
	p->c->cgroup.cpu_period_us = (uint32_t)per;
	return 0;
}

/* "limits" (the default) or "all". */
int ct_config_parse_cgroup_v1(struct parser *p, const char *value)
{
	if (strcmp(value, "limits") && strcmp(value, "all"))
		return ct_config_fail(p, "invalid value '%s' (limits or all)", value);
	p->c->cgroup.v1_all = strcmp(value, "all") == 0;
	return 0;
}
