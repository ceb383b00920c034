/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The autostart keys: whether `ctstart --all` starts the container, in which group, at which place
 * in the order, and how long the next ones wait after it. */
#include "config-internal.h"

#include "common/util.h"

#include <stdio.h>
#include <string.h>

bool ct_group_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CT_GROUP_MAX || s[0] == '.' || s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int ct_config_parse_autostart(struct parser *p, const char *value)
{
	return ct_config_parse_bool(p, value, &p->c->autostart.enabled);
}

int ct_config_parse_start_order(struct parser *p, const char *value)
{
	long v;

	if (ct_parse_long(value, -CT_START_ORDER_MAX, CT_START_ORDER_MAX, &v) < 0)
		return ct_config_fail(p, "'%s' is not a number from %d to %d (lower starts first)",
				      value, -CT_START_ORDER_MAX, CT_START_ORDER_MAX);
	p->c->autostart.order = (int32_t)v;
	return 0;
}

int ct_config_parse_start_delay(struct parser *p, const char *value)
{
	long v;

	if (ct_parse_long(value, 0, CT_START_DELAY_MAX, &v) < 0)
		return ct_config_fail(p, "'%s' is not a number of seconds from 0 to %d", value,
				      CT_START_DELAY_MAX);
	p->c->autostart.delay = (uint32_t)v;
	return 0;
}

int ct_config_parse_group(struct parser *p, const char *value)
{
	if (!ct_group_name_valid(value))
		return ct_config_fail(p, "'%s' is not a valid group name (1-%d of A-Z a-z 0-9 _ . -, "
				      "not starting with '.' or '-')", value, CT_GROUP_MAX);
	snprintf(p->c->autostart.group, sizeof(p->c->autostart.group), "%s", value);
	return 0;
}
