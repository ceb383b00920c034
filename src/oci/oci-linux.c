/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json's linux object: namespaces, id mappings, the cgroup and its limits, devices, seccomp
 * (kept as JSON for oci-seccomp.c), masked and read-only paths, sysctls, the rootfs propagation. */
#include "oci-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static const struct {
	const char *name;
	unsigned long flag;
} ns_types[] = {
	{ "pid", CLONE_NEWPID },     { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },     { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
};

static int parse_namespace(struct ct_jctx *j, json_object *e, const char *path, void *item,
			   void *data)
{
	struct ct_oci_namespace *out = item, *all = *(struct ct_oci_namespace **)data;
	cleanup_free char *type = NULL;
	size_t i;

	if (ct_jexpect(j, e, path, json_type_object) < 0 || ct_jstr(j, e, path, "type", true, &type) < 0 ||
	    ct_jstr(j, e, path, "path", false, &out->path) < 0)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(ns_types); i++)
		if (strcmp(type, ns_types[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(ns_types))
		return ct_jfail(j, path, "namespace type '%s' is %s", type,
				strcmp(type, "time") == 0 ? "not supported by ct" : "unknown");
	out->flag = ns_types[i].flag;
	for (struct ct_oci_namespace *k = all; k < out; k++)
		if (k->flag == out->flag)
			return ct_jfail(j, path, "a second '%s' namespace", type);
	if (out->path && out->path[0] != '/')
		return ct_jfail(j, path, "path '%s' is not absolute", out->path);
	return 0;
}

static int parse_idmap(struct ct_jctx *j, json_object *e, const char *path, void *item, void *data)
{
	struct ct_oci_idmap *out = item;
	int64_t c = -1, h = -1, sz = -1;

	if (ct_jexpect(j, e, path, json_type_object) < 0 ||
	    ct_jint(j, e, path, "containerID", 0, UINT32_MAX - 1, &c, NULL) < 0 ||
	    ct_jint(j, e, path, "hostID", 0, UINT32_MAX - 1, &h, NULL) < 0 ||
	    ct_jint(j, e, path, "size", 1, UINT32_MAX, &sz, NULL) < 0)
		return -EINVAL;
	if (c < 0 || h < 0 || sz < 0)
		return ct_jfail(j, path, "needs containerID, hostID and size");
	if (c + sz > UINT32_MAX || h + sz > UINT32_MAX)
		return ct_jfail(j, path, "the range passes 2^32");
	*out = (struct ct_oci_idmap){ (uint32_t)c, (uint32_t)h, (uint32_t)sz };
	return 0;
}

int ct_oci_parse_idmaps(struct ct_jctx *j, json_object *o, const char *parent, const char *key,
			struct ct_oci_idmap **ret, size_t *n)
{
	return ct_jarray(j, o, parent, key, sizeof(**ret), (void **)ret, n, parse_idmap, NULL);
}

static int parse_device_rule(struct ct_jctx *j, json_object *e, const char *path, void *item,
			     void *data)
{
	struct ct_oci_device_rule *out = item;
	cleanup_free char *type = NULL, *access = NULL;
	bool allow = false;

	if (ct_jexpect(j, e, path, json_type_object) < 0 || ct_jbool(j, e, path, "allow", &allow) < 0 ||
	    ct_jstr(j, e, path, "type", false, &type) < 0 ||
	    ct_jstr(j, e, path, "access", false, &access) < 0)
		return -EINVAL;
	out->allow = allow;
	out->major = out->minor = -1;
	if (ct_jint(j, e, path, "major", -1, INT32_MAX, &out->major, NULL) < 0 ||
	    ct_jint(j, e, path, "minor", -1, INT32_MAX, &out->minor, NULL) < 0)
		return -EINVAL;
	out->type = type ? type[0] : 'a';
	if ((type && strlen(type) != 1) || !strchr("acb", out->type))
		return ct_jfail(j, path, "type '%s' is not a, c or b", type);
	if (!access) {
		strcpy(out->access, "rwm");
	} else if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access)) {
		return ct_jfail(j, path, "access '%s' is not of r, w, m", access);
	} else {
		strcpy(out->access, access);
	}
	return 0;
}

static int parse_resources(struct ct_jctx *j, json_object *lx, struct ct_oci_spec *s)
{
	const char *path = "linux.resources";
	json_object *res = ct_jget(lx, "resources"), *o;
	struct ct_oci_resources *r = &s->resources;

	r->memory_limit = r->memory_swap = r->pids_limit = r->cpu_quota = -1;
	if (!res)
		return 0;
	if (ct_jexpect(j, res, path, json_type_object) < 0)
		return -EINVAL;
	if ((o = ct_jget(res, "memory")) &&
	    (ct_jexpect(j, o, "linux.resources.memory", json_type_object) < 0 ||
	     ct_jint(j, o, "linux.resources.memory", "limit", -1, INT64_MAX, &r->memory_limit, NULL) < 0 ||
	     ct_jint(j, o, "linux.resources.memory", "swap", -1, INT64_MAX, &r->memory_swap, NULL) < 0 ||
	     ct_jrefuse(j, o, "linux.resources.memory", "kernel", "deprecated kernel memory limits") < 0))
		return -EINVAL;
	if ((o = ct_jget(res, "pids")) &&
	    (ct_jexpect(j, o, "linux.resources.pids", json_type_object) < 0 ||
	     ct_jint(j, o, "linux.resources.pids", "limit", -1, INT64_MAX, &r->pids_limit, NULL) < 0))
		return -EINVAL;
	if ((o = ct_jget(res, "cpu")) &&
	    (ct_jexpect(j, o, "linux.resources.cpu", json_type_object) < 0 ||
	     ct_juint(j, o, "linux.resources.cpu", "shares", &r->cpu_shares, NULL) < 0 ||
	     ct_jint(j, o, "linux.resources.cpu", "quota", -1, INT64_MAX, &r->cpu_quota, NULL) < 0 ||
	     ct_juint(j, o, "linux.resources.cpu", "period", &r->cpu_period, NULL) < 0 ||
	     ct_jrefuse(j, o, "linux.resources.cpu", "cpus", "cpuset not implemented") < 0 ||
	     ct_jrefuse(j, o, "linux.resources.cpu", "mems", "cpuset not implemented") < 0 ||
	     ct_jrefuse(j, o, "linux.resources.cpu", "realtimeRuntime", "not implemented") < 0))
		return -EINVAL;
	/* Limits ct does not apply would leave the container unbounded where it asked not to be. */
	if (ct_jrefuse(j, res, path, "blockIO", "not implemented") < 0 ||
	    ct_jrefuse(j, res, path, "hugepageLimits", "not implemented") < 0 ||
	    ct_jrefuse(j, res, path, "network", "not implemented") < 0 ||
	    ct_jrefuse(j, res, path, "rdma", "not implemented") < 0 ||
	    ct_jrefuse(j, res, path, "unified", "not implemented") < 0)
		return -EINVAL;
	return ct_jarray(j, res, path, "devices", sizeof(*r->devices), (void **)&r->devices,
			 &r->n_devices, parse_device_rule, NULL);
}

static int parse_device(struct ct_jctx *j, json_object *e, const char *path, void *item, void *data)
{
	struct ct_oci_device *out = item;
	cleanup_free char *type = NULL;
	int64_t v;

	if (ct_jexpect(j, e, path, json_type_object) < 0 || ct_jstr(j, e, path, "type", true, &type) < 0 ||
	    ct_jstr(j, e, path, "path", true, &out->path) < 0)
		return -EINVAL;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return ct_jfail(j, path, "type '%s' is not c, b, u or p", type);
	out->type = type[0];
	out->major = out->minor = 0;
	if (ct_jint(j, e, path, "major", 0, INT32_MAX, &out->major, NULL) < 0 ||
	    ct_jint(j, e, path, "minor", 0, INT32_MAX, &out->minor, NULL) < 0 ||
	    ct_jint(j, e, path, "fileMode", 0, 0177777, &v, &out->has_file_mode) < 0)
		return -EINVAL;
	out->file_mode = (uint32_t)v & 07777; /* Podman's carries the type bits (020666): the
					       * type is the "type" field's */
	if (ct_jint(j, e, path, "uid", 0, UINT32_MAX - 1, &v, &out->has_uid) < 0)
		return -EINVAL;
	out->uid = (uint32_t)v;
	if (ct_jint(j, e, path, "gid", 0, UINT32_MAX - 1, &v, &out->has_gid) < 0)
		return -EINVAL;
	out->gid = (uint32_t)v;
	if (out->path[0] != '/' || strncmp(out->path, "/dev/", 5) != 0)
		return ct_jfail(j, path, "path '%s' is not below /dev", out->path);
	return 0;
}

static int parse_propagation(struct ct_jctx *j, json_object *lx, struct ct_oci_spec *s)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} modes[] = {
		{ "private", MS_PRIVATE },   { "rprivate", MS_PRIVATE | MS_REC },
		{ "slave", MS_SLAVE },       { "rslave", MS_SLAVE | MS_REC },
		{ "shared", MS_SHARED },     { "rshared", MS_SHARED | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	cleanup_free char *p = NULL;

	if (ct_jstr(j, lx, "linux", "rootfsPropagation", false, &p) < 0)
		return -EINVAL;
	if (!p)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(p, modes[i].name) == 0) {
			s->rootfs_propagation = modes[i].flags;
			return 0;
		}
	return ct_jfail(j, "linux.rootfsPropagation", "unknown mode '%s'", p);
}

static int parse_seccomp(struct ct_jctx *j, json_object *lx, struct ct_oci_spec *s)
{
	json_object *sc = ct_jget(lx, "seccomp");
	cleanup_free char *def = NULL;

	if (!sc)
		return 0;
	if (ct_jexpect(j, sc, "linux.seccomp", json_type_object) < 0 ||
	    ct_jstr(j, sc, "linux.seccomp", "defaultAction", true, &def) < 0)
		return -EINVAL;
	s->seccomp_json = strdup(json_object_to_json_string_ext(sc, JSON_C_TO_STRING_PLAIN));
	return s->seccomp_json ? 0 : -ENOMEM;
}

static int check_personality(struct ct_jctx *j, json_object *lx)
{
	json_object *p = ct_jget(lx, "personality");
	cleanup_free char *domain = NULL;

	if (!p)
		return 0;
	if (ct_jexpect(j, p, "linux.personality", json_type_object) < 0 ||
	    ct_jstr(j, p, "linux.personality", "domain", true, &domain) < 0)
		return -EINVAL;
	if (strcmp(domain, "LINUX") != 0)
		return ct_jfail(j, "linux.personality.domain", "'%s' is not supported by ct (LINUX only)",
				domain);
	return ct_jrefuse(j, p, "linux.personality", "flags", "not implemented");
}

int ct_oci_parse_linux(struct ct_jctx *j, json_object *top, struct ct_oci_spec *s)
{
	json_object *lx = ct_jget(top, "linux");

	s->resources.memory_limit = s->resources.memory_swap = -1;
	s->resources.pids_limit = s->resources.cpu_quota = -1;
	if (!lx) {
		/* Still non-NULL lists, as when the fields are absent. */
		if (ct_jstrv(j, NULL, "linux", "maskedPaths", &s->masked_paths) < 0 ||
		    ct_jstrv(j, NULL, "linux", "readonlyPaths", &s->readonly_paths) < 0 ||
		    ct_jmap(j, NULL, "linux", "sysctl", &s->sysctl) < 0)
			return -ENOMEM;
		return 0;
	}
	if (ct_jexpect(j, lx, "linux", json_type_object) < 0 ||
	    ct_jarray(j, lx, "linux", "namespaces", sizeof(*s->namespaces), (void **)&s->namespaces,
		      &s->n_namespaces, parse_namespace, &s->namespaces) < 0 ||
	    ct_oci_parse_idmaps(j, lx, "linux", "uidMappings", &s->uid_mappings, &s->n_uid_mappings) < 0 ||
	    ct_oci_parse_idmaps(j, lx, "linux", "gidMappings", &s->gid_mappings, &s->n_gid_mappings) < 0 ||
	    ct_jstr(j, lx, "linux", "cgroupsPath", false, &s->cgroups_path) < 0 ||
	    parse_resources(j, lx, s) < 0 ||
	    ct_jarray(j, lx, "linux", "devices", sizeof(*s->devices), (void **)&s->devices,
		      &s->n_devices, parse_device, NULL) < 0 ||
	    parse_seccomp(j, lx, s) < 0 ||
	    ct_jstrv(j, lx, "linux", "maskedPaths", &s->masked_paths) < 0 ||
	    ct_jstrv(j, lx, "linux", "readonlyPaths", &s->readonly_paths) < 0 ||
	    ct_jmap(j, lx, "linux", "sysctl", &s->sysctl) < 0 || parse_propagation(j, lx, s) < 0 ||
	    check_personality(j, lx) < 0)
		return -EINVAL;
	/* Confinement or isolation ct cannot give: refused, never silently dropped. */
	if (ct_jrefuse(j, lx, "linux", "mountLabel", "no SELinux support") < 0 ||
	    ct_jrefuse(j, lx, "linux", "intelRdt", "not implemented") < 0 ||
	    ct_jrefuse(j, lx, "linux", "timeOffsets", "no time namespace") < 0 ||
	    ct_jrefuse(j, lx, "linux", "memoryPolicy", "not implemented") < 0)
		return -EINVAL;
	if ((s->n_uid_mappings || s->n_gid_mappings) && !(s->n_uid_mappings && s->n_gid_mappings))
		return ct_jfail(j, "linux", "uidMappings and gidMappings go together");
	return 0;
}

void ct_oci_linux_free(struct ct_oci_spec *s)
{
	for (size_t i = 0; i < s->n_namespaces; i++)
		free(s->namespaces[i].path);
	free(s->namespaces);
	free(s->uid_mappings);
	free(s->gid_mappings);
	free(s->cgroups_path);
	free(s->resources.devices);
	for (size_t i = 0; i < s->n_devices; i++)
		free(s->devices[i].path);
	free(s->devices);
	free(s->seccomp_json);
	ct_strv_free(s->masked_paths);
	ct_strv_free(s->readonly_paths);
	ct_strv_free(s->sysctl);
}
