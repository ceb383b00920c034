/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The net.N.* keys (config-net.c): a container's network interfaces. */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define CT_NET_MAX 8        /* net.0 .. net.7 */
#define CT_NET_ADDRS_MAX 8  /* addresses per interface */

enum ct_net_type {
	CT_NET_NONE = 0, /* net.N not used */
	CT_NET_VETH,     /* a veth pair; the host end in the bridge `link` (if given) */
	CT_NET_MACVLAN,  /* a macvlan (bridge mode) on the host interface `link` */
	CT_NET_PHYS,     /* the host interface `link` itself, moved in and back out on stop */
};

struct ct_net_addr {
	int family;          /* AF_INET, AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
};

struct ct_net_config {
	enum ct_net_type type;
	char link[IF_NAMESIZE]; /* bridge (veth), parent (macvlan), the interface (phys); "" none */
	char name[IF_NAMESIZE]; /* inside; "" for ethN */
	uint8_t hwaddr[6];
	bool hwaddr_set;
	unsigned mtu;           /* 0: the kernel's default */
	struct ct_net_addr addrs[CT_NET_ADDRS_MAX];
	unsigned n_addrs;
	struct ct_net_addr gw4, gw6; /* family 0: none */
	unsigned set;           /* which sub-keys were given (bits of config-net.c), for "set twice" */
};

const char *ct_net_type_to_string(enum ct_net_type t);
/* "10.0.3.2/24", "fd00::2/64", an address without a prefix (gateways) as just the address. */
void ct_net_addr_format(const struct ct_net_addr *a, char *buf, size_t size);
