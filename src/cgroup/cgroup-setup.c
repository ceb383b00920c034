/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's cgroup made whole: created, its device policy in place, handed to its root. What
 * the monitor and ctrun both do before init is cloned. */
#include "cgroup.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* The device policy sits on the container's cgroup, above the guest's namespace root: the
 * guest can add programs of its own below, never lift ours. Nested (ct inside a user-namespaced
 * container): loading a device program needs CAP_SYS_ADMIN in the initial user namespace, which
 * no one there has. The outer container's program (attached with BPF_F_ALLOW_MULTI above this
 * cgroup) still applies to everything below it, and in a user namespace no device node can be
 * made (mknod needs CAP_MKNOD in the initial one), so the container reaches only nodes bound
 * from outside. */
static int attach_devices(const struct ct_config *c, const struct ct_cgroup *cg, bool *ret_nested,
			  char *what, size_t what_size)
{
	cleanup_close int fd = open(cg->v2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? -errno : ct_devices_attach(fd, c->devices, c->n_devices);

	if (r == -EPERM && ct_in_nested_userns()) {
		*ret_nested = true;
		return 0;
	}
	if (r < 0)
		snprintf(what, what_size, "attaching the device policy to %s", cg->v2);
	return r;
}

/* A host with only v1 hierarchies: the devices controller's allowlist, written before init is
 * moved into the cgroup (which happens before it may go on). */
static int apply_devices_v1(const struct ct_config *c, const struct ct_cgroup *cg, char *what,
			    size_t what_size)
{
	const char *dir = cg->v1[CT_CG_DEVICES];
	cleanup_close int fd = -1;
	int r;

	if (!dir[0]) {
		snprintf(what, what_size, "a device policy: no cgroup2 hierarchy and no v1 devices "
			 "hierarchy is mounted");
		return -EOPNOTSUPP;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd < 0 ? -errno : ct_devices_v1_apply(fd, c->devices, c->n_devices);
	if (r < 0)
		snprintf(what, what_size, "writing the device policy to %s", dir);
	return r;
}

int ct_cgroup_setup(const struct ct_config *c, const char *leaf, uid_t uid, gid_t gid,
		    struct ct_cgroup *ret, bool *ret_nested, char *what, size_t what_size)
{
	int r = ct_cgroup_create(&c->cgroup, leaf, ret, what, what_size);

	*ret_nested = false;
	if (r < 0)
		return r;
	r = ret->v2[0] ? attach_devices(c, ret, ret_nested, what, what_size)
		       : apply_devices_v1(c, ret, what, what_size);
	if (r >= 0 && ct_config_userns(c) && (r = ct_cgroup_delegate(ret, uid, gid)) < 0)
		snprintf(what, what_size, "delegating %s to the container's root", ret->payload);
	return r;
}
