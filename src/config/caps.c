/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability handling. Names come from libcap; the bounding set is dropped with libcap's
 * cap_drop_bound(); the other sets are masked with a raw capget/capset, which, unlike
 * cap_get_proc(), allocates nothing and so is safe between clone and exec. */
#include "config.h"

#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BIT(cap) (UINT64_C(1) << (cap))

int ct_cap_from_name(const char *name)
{
	char buf[64];
	cap_value_t v;
	long n;
	size_t i;

	if (ct_parse_long(name, 0, CT_CAP_MAX, &n) == 0)
		return n <= CAP_LAST_CAP ? (int)n : -EINVAL;
	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	if (strlen(name) + 5 > sizeof(buf) || !*name)
		return -EINVAL;
	strcpy(buf, "cap_");
	for (i = 0; name[i]; i++)
		buf[4 + i] = (char)tolower((unsigned char)name[i]);
	buf[4 + i] = '\0';
	/* cap_from_name() also takes "all" and numbers; only a single named capability is ours. */
	if (strcmp(buf, "cap_all") == 0 || cap_from_name(buf, &v) < 0 || v < 0 || v > CT_CAP_MAX)
		return -EINVAL;
	return (int)v;
}

uint64_t ct_caps_default_drop(bool privileged)
{
	uint64_t drop = BIT(CAP_SYS_MODULE) | BIT(CAP_SYS_RAWIO) | BIT(CAP_MAC_ADMIN) |
			BIT(CAP_MAC_OVERRIDE) | BIT(CAP_SYS_TIME);

	/* With host root's capabilities, ptrace reaches any host process the container can see
	 * (and the monitor's helpers), and syslog the host's kernel log. */
	return privileged ? drop | BIT(CAP_SYS_PTRACE) | BIT(CAP_SYSLOG) : drop;
}

uint64_t ct_caps_bounding(void)
{
	uint64_t set = 0;

	/* PR_CAPBSET_READ fails past the kernel's last capability: that is where we stop. */
	for (int cap = 0, has; cap <= CT_CAP_MAX && (has = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0;
	     cap++)
		if (has)
			set |= BIT(cap);
	return set;
}

uint64_t ct_caps_keep(const struct ct_config *c)
{
	if (c->cap_keep_set)
		return c->cap_keep;
	return ~(ct_caps_default_drop(!ct_config_userns(c)) | c->cap_drop);
}

void ct_caps_format(uint64_t mask, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int cap = 0; cap <= CAP_LAST_CAP && used < size; cap++) {
		char *name;
		if (!(mask & BIT(cap)) || !(name = cap_to_name(cap)))
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "",
				 strncmp(name, "cap_", 4) == 0 ? name + 4 : name);
		cap_free(name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int ct_caps_drop_bounding(uint64_t keep)
{
	/* PR_CAPBSET_READ fails past the kernel's last capability: that is where we stop. */
	for (int cap = 0; cap <= CT_CAP_MAX && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (!(keep & BIT(cap)) && cap_drop_bound((cap_value_t)cap) < 0)
			return -errno;
	return 0;
}

static int mask_sets(uint64_t keep)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		d[i].effective &= k;
		d[i].permitted &= k;
		d[i].inheritable &= k;
	}
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static int set_sets(const struct ct_cap_sets *s)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(s->effective >> (32 * i));
		d[i].permitted = (uint32_t)(s->permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(s->inheritable >> (32 * i));
	}
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

int ct_caps_apply_sets(const struct ct_cap_sets *s)
{
	int r = set_sets(s);

	if (r < 0)
		return r;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	/* Only what is permitted and inheritable can be ambient: the rest of the set is left out,
	 * as runc does (its default spec asks for ambient capabilities it makes not inheritable). */
	for (int cap = 0; cap <= CT_CAP_MAX; cap++)
		if ((s->ambient & s->permitted & s->inheritable & BIT(cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return -errno;
	return 0;
}

int ct_caps_apply(uint64_t keep)
{
	int r = ct_caps_drop_bounding(keep);

	if (r < 0)
		return r;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	return mask_sets(keep);
}
