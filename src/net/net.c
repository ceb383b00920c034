/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network interfaces over rtnetlink, with libmnl. Links are made from the host's namespace
 * (veth pairs and macvlans are created with their container end already in the container's
 * namespace, IFLA_NET_NS_FD; a phys interface is moved there); addresses, routes and the
 * interfaces' state are set through a netlink socket opened inside the container's namespace
 * (the monitor enters it for the socket() call only). Nothing runs `ip`. */
#include "net.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct nl {
	struct mnl_socket *sock;
	unsigned seq;
	char buf[8192]; /* a request, or an acknowledgement (an error echoes the request) */
};

static int nl_open(struct nl *nl)
{
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = -errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return r;
	}
	nl->seq = (unsigned)time(NULL);
	return 0;
}

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* A netlink socket of the namespace netns_fd: we enter it for the socket() call only. */
static int nl_open_in(struct nl *nl, int netns_fd, int host_fd)
{
	int r;

	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return -errno;
	r = nl_open(nl);
	if (setns(host_fd, CLONE_NEWNET) < 0)
		abort(); /* the monitor must never stay in a container's namespace */
	return r;
}

static struct nlmsghdr *msg(struct nl *nl, uint16_t type, uint16_t flags, size_t extra)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(nl->buf);

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++nl->seq;
	memset(mnl_nlmsg_put_extra_header(h, extra), 0, extra);
	return h;
}

/* Sends h and waits for its acknowledgement: 0 or the kernel's -errno. */
static int talk(struct nl *nl, struct nlmsghdr *h)
{
	unsigned portid = mnl_socket_get_portid(nl->sock), seq = h->nlmsg_seq;
	ssize_t n;

	if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -errno;
		int r = mnl_cb_run(nl->buf, (size_t)n, seq, portid, NULL, NULL);

		if (r <= MNL_CB_STOP)
			return r < 0 ? -errno : 0;
	}
}

static struct ifinfomsg *link_msg(struct nl *nl, struct nlmsghdr **h, uint16_t type,
				  uint16_t flags)
{
	*h = msg(nl, type, flags, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(*h);

	ifi->ifi_family = AF_UNSPEC;
	return ifi;
}

/* The container end's attributes: name, namespace, address, mtu. */
static void put_inside(struct nlmsghdr *h, const char *name, int netns_fd, const uint8_t *mac,
		       unsigned mtu)
{
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (mac)
		mnl_attr_put(h, IFLA_ADDRESS, 6, mac);
	if (mtu)
		mnl_attr_put_u32(h, IFLA_MTU, mtu);
}

static int kind_of(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
		snprintf(data, 16, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int linkinfo_of(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_LINKINFO && mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
		mnl_attr_parse_nested(a, kind_of, data);
	return MNL_CB_OK;
}

static int on_link(const struct nlmsghdr *h, void *data)
{
	mnl_attr_parse(h, sizeof(struct ifinfomsg), linkinfo_of, data);
	return MNL_CB_OK;
}

/* The kind of link index is ("veth", "macvlan"...; "" for hardware): what a phys interface must
 * still be when it is moved back out, so that nothing a guest made goes to the host. */
static int link_kind(struct nl *nl, int index, char *kind)
{
	struct nlmsghdr *h;
	struct ifinfomsg *ifi = link_msg(nl, &h, RTM_GETLINK, 0);
	unsigned portid = mnl_socket_get_portid(nl->sock), seq = h->nlmsg_seq;
	ssize_t n;
	int r;

	h->nlmsg_flags = NLM_F_REQUEST;
	ifi->ifi_index = index;
	kind[0] = '\0';
	if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
	if (n < 0)
		return -errno;
	r = mnl_cb_run(nl->buf, (size_t)n, seq, portid, on_link, kind);
	return r < 0 ? -errno : 0;
}

static int del_link(struct nl *nl, const char *name)
{
	struct nlmsghdr *h;

	link_msg(nl, &h, RTM_DELLINK, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	return talk(nl, h);
}

static int make_veth(struct nl *nl, const char *host, const char *inside, int netns_fd,
		     const uint8_t *mac, unsigned mtu)
{
	struct nlmsghdr *h;
	struct nlattr *info, *data, *peer;

	link_msg(nl, &h, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	mnl_attr_put_strz(h, IFLA_IFNAME, host);
	if (mtu)
		mnl_attr_put_u32(h, IFLA_MTU, mtu);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
	memset(mnl_nlmsg_get_payload_tail(h), 0, sizeof(struct ifinfomsg));
	h->nlmsg_len += MNL_ALIGN(sizeof(struct ifinfomsg));
	put_inside(h, inside, netns_fd, mac, mtu);
	mnl_attr_nest_end(h, peer);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	return talk(nl, h);
}

static int make_macvlan(struct nl *nl, int parent, const char *inside, int netns_fd,
			const uint8_t *mac, unsigned mtu)
{
	struct nlmsghdr *h;
	struct nlattr *info, *data;

	link_msg(nl, &h, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	put_inside(h, inside, netns_fd, mac, mtu);
	mnl_attr_put_u32(h, IFLA_LINK, (uint32_t)parent);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "macvlan");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	mnl_attr_put_u32(h, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	return talk(nl, h);
}

/* An existing interface: into netns_fd under name (a phys move, or its way back). */
static int move_link(struct nl *nl, int index, const char *name, int netns_fd)
{
	struct nlmsghdr *h;
	struct ifinfomsg *ifi = link_msg(nl, &h, RTM_NEWLINK, 0);

	ifi->ifi_index = index;
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	return talk(nl, h);
}

/* Up, and optionally into a bridge (master), with an address and mtu. */
static int set_link(struct nl *nl, int index, int master, const uint8_t *mac, unsigned mtu)
{
	struct nlmsghdr *h;
	struct ifinfomsg *ifi = link_msg(nl, &h, RTM_NEWLINK, 0);

	ifi->ifi_index = index;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (master)
		mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)master);
	if (mac)
		mnl_attr_put(h, IFLA_ADDRESS, 6, mac);
	if (mtu)
		mnl_attr_put_u32(h, IFLA_MTU, mtu);
	return talk(nl, h);
}

static int add_addr(struct nl *nl, int index, const struct ct_net_addr *a)
{
	struct nlmsghdr *h = msg(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	size_t len = a->family == AF_INET ? 4 : 16;

	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = (uint8_t)a->prefix;
	ifa->ifa_index = (uint32_t)index;
	/* Usable at once: no duplicate address detection to wait for. */
	ifa->ifa_flags = a->family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(h, IFA_LOCAL, len, a->addr);
	mnl_attr_put(h, IFA_ADDRESS, len, a->addr);
	return talk(nl, h);
}

static int add_default_route(struct nl *nl, int index, const struct ct_net_addr *gw)
{
	struct nlmsghdr *h = msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct rtmsg));
	struct rtmsg *rt = mnl_nlmsg_get_payload(h);

	rt->rtm_family = (uint8_t)gw->family;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put(h, RTA_GATEWAY, gw->family == AF_INET ? 4 : 16, gw->addr);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)index);
	return talk(nl, h);
}

void ct_net_veth_name(const char *host_key, int n, char *buf)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *s = host_key; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(buf, IF_NAMESIZE, "vct%08x.%d", h, n);
}

void ct_net_default_hwaddr(const char *name, int n, uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (const char *s = name; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ (uint32_t)n) * 16777619u;
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 0xc7;
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static void inside_name(const struct ct_net_config *n, int i, char *buf)
{
	if (n->name[0])
		snprintf(buf, IF_NAMESIZE, "%s", n->name);
	else
		snprintf(buf, IF_NAMESIZE, "eth%d", i);
}

struct setup {
	const struct ct_config *c;
	const char *name, *host_key;
	struct ct_net_host *h;
	struct nl host, inside;
	char *err;
	size_t errsize;
};

__attribute__((format(printf, 4, 5)))
static int fail(struct setup *s, int r, int i, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(s->err, s->errsize, "net.%d: %s: %s", i, what, strerror(-r));
	return r;
}

/* The link of net.i, made from the host's side: its container end is then called inside. */
static int make_link(struct setup *s, int i, const char *inside)
{
	const struct ct_net_config *n = &s->c->net[i];
	uint8_t mac[6];
	const uint8_t *m = n->hwaddr_set ? n->hwaddr : mac;
	int link = n->link[0] ? (int)if_nametoindex(n->link) : 0, r;

	ct_net_default_hwaddr(s->name, i, mac);
	if (n->link[0] && !link)
		return fail(s, -ENODEV, i, "net.%d.link: no interface '%s' on the host", i, n->link);
	if (n->type == CT_NET_MACVLAN) {
		r = make_macvlan(&s->host, link, inside, s->h->netns_fd, m, n->mtu);
		return r < 0 ? fail(s, r, i, "a macvlan on %s as %s", n->link, inside) : 0;
	}
	if (n->type == CT_NET_PHYS) {
		r = link_kind(&s->host, link, s->h->kind[i]);
		if (r == 0)
			r = move_link(&s->host, link, inside, s->h->netns_fd);
		if (r < 0)
			return fail(s, r, i, "moving %s into the container as %s", n->link, inside);
		snprintf(s->h->phys[i], IF_NAMESIZE, "%s", n->link);
		snprintf(s->h->inside[i], IF_NAMESIZE, "%s", inside);
		return 0;
	}
	ct_net_veth_name(s->host_key, i, s->h->veth[i]);
	del_link(&s->host, s->h->veth[i]); /* a stale one, of a monitor that was killed */
	r = make_veth(&s->host, s->h->veth[i], inside, s->h->netns_fd, m, n->mtu);
	if (r < 0) {
		fail(s, r, i, "a veth pair (%s on the host, %s inside)", s->h->veth[i], inside);
		s->h->veth[i][0] = '\0';
		return r;
	}
	r = set_link(&s->host, (int)if_nametoindex(s->h->veth[i]), link, NULL, 0);
	return r < 0 ? fail(s, r, i, "%s up%s%s", s->h->veth[i], link ? " in bridge " : "",
			    link ? n->link : "") : 0;
}

/* Inside: up, addresses, the default routes. */
static int configure(struct setup *s, int i, const char *inside)
{
	const struct ct_net_config *n = &s->c->net[i];
	char a[64];
	int index, r;

	if (setns(s->h->netns_fd, CLONE_NEWNET) < 0)
		return fail(s, -errno, i, "entering the container's network namespace");
	index = (int)if_nametoindex(inside);
	if (setns(s->h->host_fd, CLONE_NEWNET) < 0)
		abort();
	if (!index)
		return fail(s, -ENODEV, i, "%s is not in the container", inside);
	s->h->index[i] = index;
	r = set_link(&s->inside, index, 0, n->type == CT_NET_PHYS && n->hwaddr_set ? n->hwaddr : NULL,
		     n->type == CT_NET_PHYS ? n->mtu : 0);
	if (r < 0)
		return fail(s, r, i, "%s up", inside);
	for (unsigned k = 0; k < n->n_addrs; k++)
		if ((r = add_addr(&s->inside, index, &n->addrs[k])) < 0) {
			ct_net_addr_format(&n->addrs[k], a, sizeof(a));
			return fail(s, r, i, "net.%d.ipv%c: address %s on %s", i,
				    n->addrs[k].family == AF_INET ? '4' : '6', a, inside);
		}
	if (n->gw4.family && (r = add_default_route(&s->inside, index, &n->gw4)) < 0)
		return fail(s, r, i, "net.%d.ipv4.gateway: the default route on %s", i, inside);
	if (n->gw6.family && (r = add_default_route(&s->inside, index, &n->gw6)) < 0)
		return fail(s, r, i, "net.%d.ipv6.gateway: the default route on %s", i, inside);
	return 0;
}

static int open_netns(pid_t pid, struct ct_net_host *h)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	h->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->netns_fd < 0)
		return -errno;
	h->host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return h->host_fd < 0 ? -errno : 0;
}

int ct_net_setup(const struct ct_config *c, const char *name, const char *host_key, pid_t pid,
		 struct ct_net_host *h, char *err, size_t errsize)
{
	struct setup *s = calloc(1, sizeof(*s));
	char inside[IF_NAMESIZE];
	int r = 0;

	if (!s)
		return -ENOMEM;
	*s = (struct setup){ .c = c, .name = name, .host_key = host_key, .h = h, .err = err,
			     .errsize = errsize };
	for (int i = 0; r == 0 && i < CT_NET_MAX; i++) {
		if (c->net[i].type == CT_NET_NONE)
			continue;
		if (!s->host.sock && ((r = open_netns(pid, h)) < 0 || (r = nl_open(&s->host)) < 0 ||
				      (r = nl_open_in(&s->inside, h->netns_fd, h->host_fd)) < 0)) {
			snprintf(err, errsize, "net.%d: rtnetlink: %s", i, strerror(-r));
			break;
		}
		inside_name(&c->net[i], i, inside);
		r = make_link(s, i, inside);
		if (r == 0)
			r = configure(s, i, inside);
	}
	nl_close(&s->host);
	nl_close(&s->inside);
	free(s);
	if (r < 0)
		ct_net_teardown(h);
	return r;
}

/* A phys interface back out under its host name: found by the index it had once moved in, never
 * by a name the guest can give anything, and only while it is still of its kind (a guest's
 * veth or ifb of that index stays where it is; the kernel returns the real one to the host's
 * first namespace when the container's ends). */
static void move_back(struct nl *inside, const struct ct_net_host *h, int i)
{
	char kind[16];

	if (!h->index[i] || link_kind(inside, h->index[i], kind) < 0 || strcmp(kind, h->kind[i]) != 0)
		return;
	move_link(inside, h->index[i], h->phys[i], h->host_fd);
}

void ct_net_teardown(struct ct_net_host *h)
{
	struct nl host = { 0 }, inside = { 0 };
	bool any = false;

	for (int i = 0; i < CT_NET_MAX; i++)
		any |= h->veth[i][0] || h->phys[i][0];
	if (any && nl_open(&host) == 0) {
		if (h->netns_fd >= 0 && h->host_fd >= 0)
			nl_open_in(&inside, h->netns_fd, h->host_fd);
		for (int i = 0; i < CT_NET_MAX; i++) {
			if (h->phys[i][0] && inside.sock)
				move_back(&inside, h, i);
			if (h->veth[i][0])
				del_link(&host, h->veth[i]);
			h->phys[i][0] = h->veth[i][0] = '\0';
			h->index[i] = 0;
		}
	}
	nl_close(&host);
	nl_close(&inside);
	ct_close_fd(&h->netns_fd);
	ct_close_fd(&h->host_fd);
}

void ct_net_describe(const struct ct_config *c, const char *host_key, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < CT_NET_MAX && len < size; i++) {
		const struct ct_net_config *n = &c->net[i];
		char inside[IF_NAMESIZE], veth[IF_NAMESIZE], a[64];

		if (n->type == CT_NET_NONE)
			continue;
		inside_name(n, i, inside);
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "; " : "", inside);
		for (unsigned k = 0; k < n->n_addrs && len < size; k++) {
			ct_net_addr_format(&n->addrs[k], a, sizeof(a));
			len += (size_t)snprintf(buf + len, size - len, " %s", a);
		}
		ct_net_veth_name(host_key, i, veth);
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, " (%s%s%s%s%s)",
						ct_net_type_to_string(n->type),
						n->type == CT_NET_VETH ? " " : "",
						n->type == CT_NET_VETH ? veth : "",
						n->link[0] ? n->type == CT_NET_VETH ? " in " : " on " : "",
						n->link);
	}
}
