/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net.N.type, .link, .name, .hwaddr, .mtu, .ipv4, .ipv4.gateway, .ipv6, .ipv6.gateway: LXC's
 * names. Each value is checked here, so that a bad one fails the start before anything exists;
 * the interfaces themselves are made by src/net. */
#include "config-internal.h"

#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SET_TYPE = 1, SET_LINK = 2, SET_NAME = 4, SET_HWADDR = 8, SET_MTU = 16, SET_GW4 = 32,
       SET_GW6 = 64 };

static const char *const type_names[] = { "none", "veth", "macvlan", "phys" };

const char *ct_net_type_to_string(enum ct_net_type t)
{
	return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

void ct_net_addr_format(const struct ct_net_addr *a, char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family, a->addr, s, sizeof(s));
	if (a->prefix)
		snprintf(buf, size, "%s/%u", s, a->prefix);
	else
		snprintf(buf, size, "%s", s);
}

static int parse_addr(struct parser *p, int family, const char *value, bool with_prefix,
		      struct ct_net_addr *ret)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned max = family == AF_INET ? 32 : 128;
	const char *slash = strchr(value, '/');
	size_t n = slash ? (size_t)(slash - value) : strlen(value);
	long prefix = 0;

	if (n >= sizeof(buf))
		return ct_config_fail(p, "invalid address '%s'", value);
	memcpy(buf, value, n);
	buf[n] = '\0';
	*ret = (struct ct_net_addr){ .family = family };
	if (inet_pton(family, buf, ret->addr) != 1)
		return ct_config_fail(p, "invalid %s address '%s'", family == AF_INET ? "IPv4" : "IPv6",
				      value);
	if (with_prefix && (!slash || ct_parse_long(slash + 1, 1, max, &prefix) < 0))
		return ct_config_fail(p, "'%s': an address with a prefix length is expected (ADDR/1-%u)",
				      value, max);
	if (!with_prefix && slash)
		return ct_config_fail(p, "'%s': a gateway has no prefix length", value);
	ret->prefix = (unsigned)prefix;
	return 0;
}

static int parse_hwaddr(struct parser *p, const char *value, uint8_t *mac)
{
	unsigned b[6];
	char end;

	if (sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6 || strlen(value) != 17)
		return ct_config_fail(p, "invalid hardware address '%s' (xx:xx:xx:xx:xx:xx)", value);
	if (b[0] & 1)
		return ct_config_fail(p, "'%s' is a multicast address", value);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int parse_ifname(struct parser *p, const char *value, char *out)
{
	if (strlen(value) >= IF_NAMESIZE || strchr(value, '/') || strchr(value, ' ') ||
	    strcmp(value, ".") == 0 || strcmp(value, "..") == 0)
		return ct_config_fail(p, "invalid interface name '%s' (1-%d characters, no '/' or "
				      "blank)", value, IF_NAMESIZE - 1);
	snprintf(out, IF_NAMESIZE, "%s", value);
	return 0;
}

static int parse_type(struct parser *p, const char *value, struct ct_net_config *n)
{
	for (unsigned t = CT_NET_VETH; t <= CT_NET_PHYS; t++)
		if (strcmp(value, type_names[t]) == 0) {
			n->type = t;
			return 0;
		}
	return ct_config_fail(p, "unknown type '%s' (veth, macvlan or phys)", value);
}

static int parse_mtu(struct parser *p, const char *value, struct ct_net_config *n)
{
	long v;

	if (ct_parse_long(value, 68, 65535, &v) < 0)
		return ct_config_fail(p, "invalid mtu '%s' (68-65535)", value);
	n->mtu = (unsigned)v;
	return 0;
}

static int add_addr(struct parser *p, int family, const char *value, struct ct_net_config *n)
{
	if (n->n_addrs == CT_NET_ADDRS_MAX)
		return ct_config_fail(p, "more than %d addresses", CT_NET_ADDRS_MAX);
	return parse_addr(p, family, value, true, &n->addrs[n->n_addrs++]);
}

/* SUB of net.N.SUB; list keys (ipv4, ipv6) may repeat. */
static int parse_sub(struct parser *p, const char *sub, const char *value, struct ct_net_config *n)
{
	static const struct { const char *name; unsigned bit; } once[] = {
		{ "type", SET_TYPE }, { "link", SET_LINK }, { "name", SET_NAME },
		{ "hwaddr", SET_HWADDR }, { "mtu", SET_MTU }, { "ipv4.gateway", SET_GW4 },
		{ "ipv6.gateway", SET_GW6 },
	};

	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		if (strcmp(sub, once[i].name) == 0) {
			if (n->set & once[i].bit)
				return ct_config_fail(p, "set twice");
			n->set |= once[i].bit;
		}
	if (strcmp(sub, "type") == 0)
		return parse_type(p, value, n);
	if (strcmp(sub, "link") == 0)
		return parse_ifname(p, value, n->link);
	if (strcmp(sub, "name") == 0)
		return parse_ifname(p, value, n->name);
	if (strcmp(sub, "hwaddr") == 0)
		return (n->hwaddr_set = true), parse_hwaddr(p, value, n->hwaddr);
	if (strcmp(sub, "mtu") == 0)
		return parse_mtu(p, value, n);
	if (strcmp(sub, "ipv4") == 0)
		return add_addr(p, AF_INET, value, n);
	if (strcmp(sub, "ipv6") == 0)
		return add_addr(p, AF_INET6, value, n);
	if (strcmp(sub, "ipv4.gateway") == 0)
		return parse_addr(p, AF_INET, value, false, &n->gw4);
	if (strcmp(sub, "ipv6.gateway") == 0)
		return parse_addr(p, AF_INET6, value, false, &n->gw6);
	return ct_config_fail(p, "unknown key");
}

int ct_config_parse_net(struct parser *p, const char *key, const char *value)
{
	const char *dot = strchr(key + 4, '.');
	char idx[8];
	long i;

	if (!dot || (size_t)(dot - (key + 4)) >= sizeof(idx))
		return ct_config_fail(p, "unknown key (net.N.KEY, N from 0 to %d)", CT_NET_MAX - 1);
	memcpy(idx, key + 4, (size_t)(dot - (key + 4)));
	idx[dot - (key + 4)] = '\0';
	if (ct_parse_long(idx, 0, CT_NET_MAX - 1, &i) < 0)
		return ct_config_fail(p, "unknown key (net.N.KEY, N from 0 to %d)", CT_NET_MAX - 1);
	if (!*value)
		return ct_config_fail(p, "empty value");
	return parse_sub(p, dot + 1, value, &p->c->net[i]);
}

/* After parsing: every net.N used has a type and what its type needs, and a net namespace. */
int ct_config_check_net(const struct ct_config *c, const char *file, struct ct_file_error *err)
{
	char key[32];

	for (int i = 0; i < CT_NET_MAX; i++) {
		const struct ct_net_config *n = &c->net[i];

		if (!n->set && !n->n_addrs)
			continue;
		snprintf(key, sizeof(key), "net.%d.type", i);
		if (n->type == CT_NET_NONE) {
			ct_file_error_set(err, file, 0, key, "missing: net.%d needs a type (veth, "
					  "macvlan or phys)", i);
			return -EINVAL;
		}
		if (n->type != CT_NET_VETH && !n->link[0]) {
			snprintf(key, sizeof(key), "net.%d.link", i);
			ct_file_error_set(err, file, 0, key, "missing: type %s needs the host interface",
					  ct_net_type_to_string(n->type));
			return -EINVAL;
		}
		if (!(c->namespaces & CLONE_NEWNET)) {
			ct_file_error_set(err, file, 0, key, "the container has no network namespace of "
					  "its own (add net to namespaces)");
			return -EINVAL;
		}
	}
	return 0;
}
