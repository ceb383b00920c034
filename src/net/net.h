/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The net room's one public header: a container's network interfaces (net.N.* keys), made over
 * rtnetlink (libmnl) by the monitor between clone and the child's go, so init finds them
 * configured, and undone when the container stops. */
#pragma once

#include "config/config.h"

#include <net/if.h>
#include <stddef.h>

/* What the monitor must undo: host ends of veth pairs it made, host interfaces it moved in. */
struct ct_net_host {
	char veth[CT_NET_MAX][IF_NAMESIZE];   /* host ends, "" none */
	char phys[CT_NET_MAX][IF_NAMESIZE];   /* a phys interface's host name, "" none */
	char inside[CT_NET_MAX][IF_NAMESIZE]; /* its name in the container */
	int index[CT_NET_MAX];                 /* its index there, as it was once moved in */
	char kind[CT_NET_MAX][16];             /* its link kind on the host ("" for hardware) */
	int netns_fd; /* the container's network namespace, held while phys interfaces are in it */
	int host_fd;  /* ours, where they go back */
};

/* The host end of veth net.N of a container: "vct" + 8 hex digits of its host key + "." + N,
 * so a restart after a killed monitor finds (and removes) a stale one. */
void ct_net_veth_name(const char *host_key, int n, char *buf);
/* The hardware address a veth or macvlan gets without net.N.hwaddr: locally administered, stable
 * for the container's name and N. */
void ct_net_default_hwaddr(const char *name, int n, uint8_t mac[6]);

/* Makes and configures every net.N of c in the network namespace of pid (init, still waiting for
 * its go). On failure, undoes what it did and describes the failure in err (the key, the
 * interface, the step). h must be zeroed with its fds at -1 before the first call. */
int ct_net_setup(const struct ct_config *c, const char *name, const char *host_key, pid_t pid,
		 struct ct_net_host *h, char *err, size_t errsize);
/* Moves phys interfaces back out under their host names, removes veth host ends. Idempotent. */
void ct_net_teardown(struct ct_net_host *h);
/* "eth0 10.0.3.2/24 (veth vct1a2b3c4d.0 in br0); ..." for ctinfo, "" with none. */
void ct_net_describe(const struct ct_config *c, const char *host_key, char *buf, size_t size);
