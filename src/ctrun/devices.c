/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bundle's devices: linux.resources.devices (what may be opened: ct's device policy) and
 * linux.devices (the nodes made in the container's /dev beside ct's standard ones). */
#include "ctrun-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The device nodes ct's /dev always has (spawn-mounts.c). */
static const char *const standard_nodes[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
	"/dev/console", "/dev/ptmx",
};

static bool rules_overlap(const struct ct_device_rule *a, const struct ct_device_rule *b)
{
	return (a->type == 'a' || b->type == 'a' || a->type == b->type) &&
	       (a->major < 0 || b->major < 0 || a->major == b->major) &&
	       (a->minor < 0 || b->minor < 0 || a->minor == b->minor) && (a->access & b->access);
}

/* Whether rule takes away anything allowed so far: ct's standard nodes or an allow before it. */
static bool denies_allowed(const struct ct_device_rule *rule, const struct ct_config *c)
{
	for (size_t i = 0; i < ct_devices_standard_count; i++)
		if (rules_overlap(rule, &ct_devices_standard[i]))
			return true;
	for (size_t i = 0; i < c->n_devices; i++)
		if (rules_overlap(rule, &c->devices[i]))
			return true;
	return false;
}

/* The device list: a deny-all first (runc's default), then what is allowed on top of ct's
 * standard nodes. A deny of what is not allowed anyway (Docker's of /dev/fuse) changes nothing;
 * a narrower deny of something allowed would need an order of rules ct's policy does not
 * keep. */
int ctrun_translate_device_rules(const struct ct_oci_resources *res, struct ct_config *c,
				 char *err, size_t err_size)
{
	c->devices = calloc(res->n_devices ? res->n_devices : 1, sizeof(*c->devices));
	if (!c->devices)
		return -ENOMEM;
	for (size_t i = 0; i < res->n_devices; i++) {
		const struct ct_oci_device_rule *d = &res->devices[i];
		struct ct_device_rule rule = { .type = d->type, .major = d->major, .minor = d->minor };
		bool everything = d->type == 'a' && d->major < 0 && d->minor < 0;

		for (const char *a = d->access; *a; a++)
			rule.access |= *a == 'r' ? CT_DEV_READ : *a == 'w' ? CT_DEV_WRITE : CT_DEV_MKNOD;
		if (!d->allow && everything && rule.access == CT_DEV_ALL) {
			c->n_devices = 0; /* back to the standard set */
			continue;
		}
		if (!d->allow && !denies_allowed(&rule, c))
			continue;
		if (!d->allow)
			return ct_fail_msg(err, err_size, "config.json: linux.resources.devices[%zu]: "
					   "a deny of devices allowed before it: only a deny of "
					   "everything (\"allow\": false, \"access\": \"rwm\") is "
					   "supported there", i);
		if (c->n_devices == CT_DEVICE_RULES_MAX)
			return ct_fail_msg(err, err_size, "config.json: linux.resources.devices: more "
					   "than %d allow rules", CT_DEVICE_RULES_MAX);
		c->devices[c->n_devices++] = rule;
	}
	return 0;
}

/* A path below /dev as a relative one made of names: nothing empty, ".", ".." or in /dev/pts
 * (devpts is mounted there). */
static bool node_path_ok(const char *path)
{
	const char *rel = path + strlen("/dev/");

	if (!*rel || strlen(path) >= PATH_MAX || strcmp(rel, "pts") == 0 ||
	    strncmp(rel, "pts/", 4) == 0)
		return false;
	for (const char *c = rel; *c; c += strcspn(c, "/"), c += *c == '/') {
		size_t len = strcspn(c, "/");

		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.') ||
		    (c[len] == '/' && !c[len + 1]))
			return false;
	}
	return true;
}

/* An id of the container as the host's: itself without a user namespace. */
static int64_t host_id(const struct ct_idmap *m, bool gid, uint32_t id)
{
	if (m->mode == CT_IDMAP_NONE)
		return id;
	return gid ? ct_idmap_to_host(m->gid, m->n_gid, id) : ct_idmap_to_host(m->uid, m->n_uid, id);
}

static int device_node(const struct ct_oci_device *d, const struct ct_idmap *m,
		       struct ct_spawn_node *n, char *msg, size_t size)
{
	int64_t uid = host_id(m, false, d->has_uid ? d->uid : 0);
	int64_t gid = host_id(m, true, d->has_gid ? d->gid : 0);

	if (!node_path_ok(d->path))
		return ct_fail_msg(msg, size, "a path of names below /dev (none empty, '.' or '..', "
				   "none in /dev/pts)");
	if (uid < 0 || gid < 0)
		return ct_fail_msg(msg, size, "its %s %u is not in the container's id map",
				   uid < 0 ? "uid" : "gid", uid < 0 ? d->uid : d->gid);
	if (d->type != 'p' && makedev(d->major, d->minor) == 0)
		return ct_fail_msg(msg, size, "device 0:0");
	n->path = strdup(d->path + strlen("/dev/"));
	if (!n->path)
		return -ENOMEM;
	n->mode = (d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR) |
		  (d->has_file_mode ? d->file_mode : 0666);
	n->dev = d->type == 'p' ? 0 : makedev(d->major, d->minor);
	n->uid = (uid_t)uid;
	n->gid = (gid_t)gid;
	return 0;
}

/* linux.devices: ct's standard nodes are there already, whatever the entry says (a privileged
 * container's list of the host's devices has the host's console, a pty's on a host that is a
 * container itself); any other becomes a node of the container's /dev. Whether the container
 * may open it is linux.resources.devices' to say, as the engines do (a --device comes with its
 * allow rule). */
int ctrun_translate_devices(const struct ct_oci_spec *s, struct ctrun_launch *l, char *err,
			    size_t err_size)
{
	l->nodes = calloc(s->n_devices ? s->n_devices : 1, sizeof(*l->nodes));
	if (!l->nodes)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct ct_oci_device *d = &s->devices[i];
		char msg[256];
		size_t k = 0;
		int r;

		while (k < ARRAY_SIZE(standard_nodes) && strcmp(d->path, standard_nodes[k]))
			k++;
		if (k < ARRAY_SIZE(standard_nodes))
			continue;
		r = device_node(d, &l->config.idmap, &l->nodes[l->n_nodes], msg, sizeof(msg));
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return ct_fail_msg(err, err_size, "config.json: linux.devices[%zu] (%s): %s",
					   i, d->path, msg);
		l->n_nodes++;
	}
	return 0;
}
