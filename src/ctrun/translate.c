/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bundle's config.json (already read and checked by the oci room) turned into what ct's spawn
 * room takes. ct's own setup provides /proc (with /proc/sys guarded), /sys, /dev (its own nodes),
 * /dev/pts, /dev/shm and, with a cgroup namespace, /sys/fs/cgroup: the bundle's mounts of those
 * are that setup's. Every other mount becomes a mount entry as ctstart's config has them. What
 * ctrun cannot honour fails here, naming the field (docs/oci.md). */
#include "ctrun-internal.h"

#include "common/macro.h"
#include "common/util.h"
#include "seccomp/seccomp-profile.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* The mounts ct's setup makes itself, by destination and type. */
static const struct {
	const char *destination, *type;
} provided[] = {
	{ "/proc", "proc" },   { "/sys", "sysfs" },       { "/dev", "tmpfs" },
	{ "/dev/pts", "devpts" },
};

/* The kernel's namespaced sysctls: nothing else may be set from inside a container. */
static bool sysctl_namespaced(const char *kv)
{
	static const char *const prefixes[] = { "net.", "fs.mqueue.", "kernel.msg", "kernel.sem",
						 "kernel.shm" };
	static const char *const exact[] = { "kernel.hostname=", "kernel.domainname=" };

	for (size_t i = 0; i < ARRAY_SIZE(exact); i++)
		if (strncmp(kv, exact[i], strlen(exact[i])) == 0)
			return false; /* the hostname field says it */
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(kv, prefixes[i], strlen(prefixes[i])) == 0)
			return !strstr(kv, "..") && !strchr(kv, '/');
	return false;
}

/* ct gives /sys/fs/cgroup only with a cgroup namespace: cgroup2, the container's own subtree
 * (spawn's mount_cgroup). A bundle's cgroup mounts, and binds of the host's hierarchies below it
 * (Podman binds /sys/fs/cgroup/systemd for an init on a cgroup v1 host), are not made: they
 * would show the host's tree. */
static bool is_provided(const struct ct_oci_mount *m)
{
	if (strncmp(m->destination, "/sys/fs/cgroup", 14) == 0 &&
	    (m->destination[14] == '\0' || m->destination[14] == '/'))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(provided); i++)
		if (strcmp(m->destination, provided[i].destination) == 0 &&
		    strcmp(m->type, provided[i].type) == 0)
			return true;
	return false;
}

static bool has_option(char **options, const char *a, const char *b)
{
	for (char **o = options; o && *o; o++)
		if (strcmp(*o, a) == 0 || (b && strcmp(*o, b) == 0))
			return true;
	return false;
}

/* A bind's source: absolute, or relative to the bundle. Its kind says what its target needs. */
static int bind_source(const char *bundle, const char *source, struct ct_mount_entry *e)
{
	struct stat st;

	if (source[0] == '/')
		e->source = strdup(source);
	else if (asprintf(&e->source, "%s/%s", bundle, source) < 0)
		e->source = NULL;
	if (!e->source)
		return -ENOMEM;
	if (stat(e->source, &st) < 0)
		return -errno;
	e->create_dir = S_ISDIR(st.st_mode);
	e->create_file = !e->create_dir;
	return 0;
}

static int mount_entry(const struct ct_oci_mount *m, const char *bundle, bool userns,
		       struct ct_mount_entry *e, char *msg, size_t size)
{
	bool bind = strcmp(m->type, "bind") == 0 || has_option(m->options, "bind", "rbind");
	int r = 0;

	if (m->n_uid || m->n_gid)
		return ct_fail_msg(msg, size, "uidMappings/gidMappings of a mount are not supported "
				   "(a user-namespaced container's binds are idmapped to it anyway)");
	if (!bind && !m->source[0])
		return ct_fail_msg(msg, size, "a %s mount without a source", m->type);
	e->target = strdup(m->destination);
	e->fstype = strdup(bind ? "none" : m->type[0] ? m->type : "none");
	if (!e->target || !e->fstype)
		return -ENOMEM;
	if (bind) {
		e->flags |= MS_BIND;
		r = bind_source(bundle, m->source, e);
		if (r < 0)
			return ct_fail_msg(msg, size, "source %s: %s", m->source, strerror(-r));
	} else {
		e->source = strdup(m->source);
		e->create_dir = true;
		if (!e->source)
			return -ENOMEM;
	}
	for (char **o = m->options; o && *o; o++) {
		if (strcmp(*o, "idmap") == 0 || strcmp(*o, "ridmap") == 0) {
			if (!userns)
				return ct_fail_msg(msg, size, "option %s without a user namespace", *o);
			continue; /* every bind of a user-namespaced container is */
		}
		if (strncmp(*o, "create=", 7) == 0 || strcmp(*o, "optional") == 0)
			return ct_fail_msg(msg, size, "option '%s' is ct's config syntax, not OCI's", *o);
		if ((r = ct_mount_entry_add_option(e, *o, msg, size)) < 0)
			return r;
	}
	if ((r = ct_mount_entry_check(e, msg, size)) < 0)
		return r;
	/* ct's mount tree is private: a mount that asks to receive the host's mounts (Kubernetes'
	 * HostToContainer, Bidirectional) cannot have it, and says so. */
	if (e->flags & (MS_SHARED | MS_SLAVE))
		return ct_fail_msg(msg, size, "%s propagation is not supported (ct's mount tree is "
				   "private)", e->flags & MS_SHARED ? "shared" : "slave");
	e->flags &= ~(unsigned long)(MS_UNBINDABLE | MS_PRIVATE);
	return 0;
}

static int translate_mounts(const struct ct_oci_spec *s, const char *bundle, struct ct_config *c,
			    char *err, size_t err_size)
{
	c->mounts = calloc(s->n_mounts ? s->n_mounts : 1, sizeof(*c->mounts));
	if (!c->mounts)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct ct_oci_mount *m = &s->mounts[i];
		char msg[384];
		int r;

		if (is_provided(m))
			continue;
		if (c->n_mounts == CT_MOUNTS_MAX)
			return ct_fail_msg(err, err_size, "config.json: mounts: more than %d", CT_MOUNTS_MAX);
		r = mount_entry(m, bundle, ct_config_userns(c), &c->mounts[c->n_mounts++], msg,
				sizeof(msg));
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return ct_fail_msg(err, err_size, "config.json: mounts[%zu] (%s): %s", i,
					   m->destination, msg);
	}
	return 0;
}

/* cgroupsPath "/a/b/c" (or "a/b/c") is the cgroup c below a/b in every hierarchy; a path of one
 * component, and none at all, go below "ctrun" (then the leaf is the container's ID). systemd's
 * "slice:prefix:name" form is refused. */
static int translate_cgroup(const struct ct_oci_spec *s, const char *id, struct ctrun_launch *l,
			    char *err, size_t err_size)
{
	struct ct_cgroup_config *cg = &l->config.cgroup;
	const struct ct_oci_resources *res = &s->resources;
	const char *path = s->cgroups_path ? s->cgroups_path : "";
	cleanup_free char *copy = strdup(path + strspn(path, "/"));
	char *slash = copy ? strrchr(copy, '/') : NULL;

	if (!copy)
		return -ENOMEM;
	if (strchr(path, ':'))
		return ct_fail_msg(err, err_size, "config.json: linux.cgroupsPath '%s': systemd's "
				   "slice:prefix:name form is not supported (cgroupfs paths only: "
				   "podman --cgroup-manager cgroupfs)", path);
	if (slash)
		*slash = '\0';
	snprintf(l->cgroup_leaf, sizeof(l->cgroup_leaf), "%s", slash ? slash + 1 : copy[0] ? copy : id);
	if (!l->cgroup_leaf[0] || strstr(path, "..") || strlen(path) > 200)
		return ct_fail_msg(err, err_size, "config.json: linux.cgroupsPath '%s': expected a "
				   "path of at most 200 bytes without '..'", path);
	cg->parent = strdup(slash && copy[0] ? copy : "ctrun");
	if (!cg->parent)
		return -ENOMEM;
	if (res->memory_limit > 0)
		cg->memory_max = res->memory_limit;
	/* memory and swap together, as runc and crun take it: at least the memory limit */
	if (res->memory_swap > 0 && (res->memory_limit <= 0 || res->memory_swap < res->memory_limit))
		return ct_fail_msg(err, err_size, "config.json: linux.resources.memory.swap %" PRId64
				   ": the limit of memory and swap together, at least memory.limit "
				   "(%" PRId64 ")", res->memory_swap, res->memory_limit);
	if (res->memory_swap > 0)
		cg->memory_swap_max = res->memory_swap; /* -1 or none: the kernel's default, no limit */
	if (res->pids_limit > 0)
		cg->pids_max = res->pids_limit;
	/* cgroup v1's shares 2..262144 onto cgroup2's weight 1..10000, as runc and crun map it */
	if (res->cpu_shares)
		cg->cpu_weight = (uint32_t)(1 + ((res->cpu_shares < 2 ? 2 : res->cpu_shares) - 2) *
						    9999 / 262142);
	if (res->cpu_quota > 0) {
		cg->cpu_quota_us = res->cpu_quota;
		cg->cpu_period_us = res->cpu_period ? (uint32_t)res->cpu_period : 100000;
	}
	return 0;
}

static int translate_namespaces(const struct ct_oci_spec *s, struct ctrun_launch *l, char *err,
				size_t err_size)
{
	struct ct_config *c = &l->config;
	bool user = false;

	c->namespaces = 0;
	for (size_t i = 0; i < s->n_namespaces; i++) {
		const struct ct_oci_namespace *n = &s->namespaces[i];

		if (!n->path) {
			if (n->flag == CLONE_NEWUSER)
				user = true;
			else
				c->namespaces |= n->flag;
			continue;
		}
		if (n->flag == CLONE_NEWNS || n->flag == CLONE_NEWUSER || n->flag == CLONE_NEWPID)
			return ct_fail_msg(err, err_size, "config.json: linux.namespaces[%zu]: joining "
					   "an existing %s namespace is not supported", i,
					   n->flag == CLONE_NEWNS ? "mount" :
					   n->flag == CLONE_NEWUSER ? "user" : "pid");
		l->join[l->n_join++] = n;
	}
	if (!(c->namespaces & CLONE_NEWPID) || !(c->namespaces & CLONE_NEWNS))
		return ct_fail_msg(err, err_size, "config.json: linux.namespaces: ctrun needs a new "
				   "pid and a new mount namespace (podman --pid=host is not supported)");
	if (user != (s->n_uid_mappings > 0) || user != (s->n_gid_mappings > 0))
		return ct_fail_msg(err, err_size, "config.json: linux.uidMappings/gidMappings go with "
				   "a user namespace, and it with them");
	c->idmap.mode = user ? CT_IDMAP_EXPLICIT : CT_IDMAP_NONE;
	if (s->n_uid_mappings > CT_IDMAP_RANGES_MAX || s->n_gid_mappings > CT_IDMAP_RANGES_MAX)
		return ct_fail_msg(err, err_size, "config.json: linux.uidMappings/gidMappings: more "
				   "than %d ranges", CT_IDMAP_RANGES_MAX);
	for (size_t i = 0; i < s->n_uid_mappings; i++)
		c->idmap.uid[c->idmap.n_uid++] = (struct ct_idmap_range){
			s->uid_mappings[i].container_id, s->uid_mappings[i].host_id,
			s->uid_mappings[i].size };
	for (size_t i = 0; i < s->n_gid_mappings; i++)
		c->idmap.gid[c->idmap.n_gid++] = (struct ct_idmap_range){
			s->gid_mappings[i].container_id, s->gid_mappings[i].host_id,
			s->gid_mappings[i].size };
	if (user) {
		char msg[256];
		if (ct_idmap_check(&c->idmap, msg, sizeof(msg)) < 0)
			return ct_fail_msg(err, err_size, "config.json: linux.uidMappings/gidMappings: "
					   "%s", msg);
	}
	return 0;
}

int ctrun_process_steps(const struct ct_oci_process *p, struct ct_spawn_oci *ret,
			struct ct_spawn_rlimit **ret_rlimits)
{
	struct ct_spawn_rlimit *rl = calloc(p->n_rlimits + 1, sizeof(*rl));

	if (!rl)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rlimits; i++)
		rl[i] = (struct ct_spawn_rlimit){ p->rlimits[i].resource, p->rlimits[i].soft,
						  p->rlimits[i].hard };
	*ret = (struct ct_spawn_oci){
		.fifo_fd = -1, .cwd = p->cwd, .umask = p->has_umask ? (int)p->umask : -1,
		.rlimits = rl, .n_rlimits = p->n_rlimits, .has_oom_score_adj = p->has_oom_score_adj,
		.oom_score_adj = p->oom_score_adj, .ctty = p->terminal,
	};
	*ret_rlimits = rl;
	return 0;
}

static int translate_process(const struct ct_oci_spec *s, struct ctrun_launch *l)
{
	const struct ct_oci_process *p = &s->process;
	int r = ctrun_process_steps(p, &l->oci, &l->rlimits);

	if (r < 0)
		return r;
	l->oci.masked = s->masked_paths;
	l->oci.readonly = s->readonly_paths;
	l->oci.sysctl = s->sysctl;
	l->oci.readonly_root = s->root_readonly;
	l->oci.propagation = s->rootfs_propagation;
	l->config.no_new_privs = p->no_new_privileges;
	return 0;
}

int ctrun_method(const char *method, const char *command, const char *what,
		 enum ct_shutdown_method *ret, char ***ret_command, char *err, size_t err_size)
{
	int m = method ? ct_shutdown_method_from_string(method) : CT_SHUTDOWN_UNSET;
	cleanup_strv char **argv = NULL;

	if (m < 0)
		return ct_fail_msg(err, err_size, "%s: %s '%s' (known: application sysvinit systemd "
				   "exec)", what, CTRUN_ANNOTATION_METHOD, method);
	if ((m == CT_SHUTDOWN_EXEC) != (command != NULL))
		return ct_fail_msg(err, err_size, "%s: %s goes with %s=exec, and exec with it", what,
				   CTRUN_ANNOTATION_COMMAND, CTRUN_ANNOTATION_METHOD);
	if (command && (strcspn(command, "\n\r") != strlen(command) || strlen(command) >= 1024 ||
			ct_strv_split_quoted(command, &argv) < 0 || !argv[0]))
		return ct_fail_msg(err, err_size, "%s: %s '%.200s': expected a command line of one "
				   "line and less than 1024 bytes", what, CTRUN_ANNOTATION_COMMAND,
				   command);
	*ret = (enum ct_shutdown_method)m;
	if (ret_command)
		*ret_command = steal_ptr(&argv);
	return 0;
}

/* The annotations' method, or else ctrun's --shutdown-method (for engines that cannot set
 * annotations: Docker 20.10's runtimeArgs). */
static int translate_method(const struct ct_oci_spec *s, const struct ctrun_defaults *d,
			    struct ctrun_launch *l, char *err, size_t err_size)
{
	const char *method = ct_oci_annotation(s, CTRUN_ANNOTATION_METHOD);
	const char *command = ct_oci_annotation(s, CTRUN_ANNOTATION_COMMAND);
	const char *what = "config.json: annotations";

	if (!method && !command && d && d->method) {
		method = d->method;
		command = d->command;
		what = "--shutdown-method";
	}
	l->method_command = command;
	return ctrun_method(method, command, what, &l->method, &l->shutdown_command, err, err_size);
}

/* The application method runs ctinit as init with the process as its child: the process gets
 * the engine's SIGTERM (a plain program as PID 1 would not) and orphans are reaped. */
static int translate_argv(const struct ct_oci_spec *s, struct ctrun_launch *l)
{
	int r = 0;

	if (l->method != CT_SHUTDOWN_APPLICATION)
		return ct_strv_copy(s->process.args, &l->argv);
	r = ct_strv_append(&l->argv, "ctinit");
	if (r >= 0)
		r = ct_strv_append(&l->argv, "--");
	for (char **a = s->process.args; r >= 0 && *a; a++)
		r = ct_strv_append(&l->argv, *a);
	return r;
}

static int translate_root(const struct ct_oci_spec *s, const char *bundle, struct ct_config *c,
			  char *err, size_t err_size)
{
	cleanup_free char *joined = NULL;
	char real[PATH_MAX];
	struct stat st;

	if (s->root_path[0] != '/' && asprintf(&joined, "%s/%s", bundle, s->root_path) < 0)
		return -ENOMEM;
	if (!realpath(joined ? joined : s->root_path, real) || stat(real, &st) < 0)
		return ct_fail_msg(err, err_size, "config.json: root.path %s: %s", s->root_path,
				   strerror(errno));
	if (!S_ISDIR(st.st_mode) || strcmp(real, "/") == 0)
		return ct_fail_msg(err, err_size, "config.json: root.path %s: not a directory other "
				   "than /", s->root_path);
	c->rootfs = strdup(real);
	return c->rootfs ? 0 : -ENOMEM;
}

static int translate_all(const struct ct_oci_spec *s, const char *bundle, const char *id,
			 const struct ctrun_defaults *d, struct ctrun_launch *l, char *err,
			 size_t err_size)
{
	struct ct_config *c = &l->config;
	int r;

	if (!s->has_process)
		return ct_fail_msg(err, err_size, "config.json: process: missing");
	if (s->n_hooks[CT_OCI_HOOK_CREATE_CONTAINER] || s->n_hooks[CT_OCI_HOOK_START_CONTAINER])
		return ct_fail_msg(err, err_size, "config.json: hooks: createContainer and "
				   "startContainer hooks (run inside the container) are not supported");
	for (size_t i = 0; s->sysctl && s->sysctl[i]; i++)
		if (!sysctl_namespaced(s->sysctl[i]))
			return ct_fail_msg(err, err_size, "config.json: linux.sysctl: '%s' is not a "
					   "namespaced sysctl", s->sysctl[i]);
	if ((r = translate_root(s, bundle, c, err, err_size)) < 0 ||
	    (r = translate_namespaces(s, l, err, err_size)) < 0 ||
	    (r = translate_mounts(s, bundle, c, err, err_size)) < 0 ||
	    (r = ctrun_translate_device_rules(&s->resources, c, err, err_size)) < 0 ||
	    (r = ctrun_translate_devices(s, l, err, err_size)) < 0 ||
	    (r = translate_cgroup(s, id, l, err, err_size)) < 0 || (r = translate_process(s, l)) < 0 ||
	    (r = translate_method(s, d, l, err, err_size)) < 0 ||
	    (r = translate_argv(s, l)) < 0)
		return r;
	if (s->hostname && (c->hostname = strdup(s->hostname)) == NULL)
		return -ENOMEM;
	return ctrun_confinement(s, &s->process, &l->conf, err, err_size);
}

int ctrun_translate(const struct ct_oci_spec *s, const char *bundle, const char *id,
		    const struct ctrun_defaults *d, struct ctrun_launch *ret, char *err,
		    size_t err_size)
{
	int r;

	*ret = (struct ctrun_launch){ .method = CT_SHUTDOWN_UNSET };
	ct_config_init(&ret->config);
	r = translate_all(s, bundle, id, d, ret, err, err_size);
	if (r == -ENOMEM)
		snprintf(err, err_size, "config.json: %s", strerror(ENOMEM));
	if (r < 0)
		ctrun_launch_free(ret);
	return r;
}

void ctrun_launch_free(struct ctrun_launch *l)
{
	ct_config_free(&l->config);
	free(l->rlimits);
	ctrun_confinement_free(&l->conf);
	ct_strv_free(l->argv);
	ct_strv_free(l->shutdown_command);
	for (size_t i = 0; i < l->n_nodes; i++)
		free(l->nodes[i].path);
	free(l->nodes);
	*l = (struct ctrun_launch){ .method = CT_SHUTDOWN_UNSET };
}

int ctrun_confinement(const struct ct_oci_spec *s, const struct ct_oci_process *p,
		      struct ctrun_confinement *ret, char *err, size_t err_size)
{
	const struct ct_oci_process *caps = p->has_caps ? p : &s->process;

	*ret = (struct ctrun_confinement){ .no_new_privs = p->no_new_privileges };
	ret->groups = calloc(p->n_additional_gids + 1, sizeof(*ret->groups));
	if (!ret->groups)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_additional_gids; i++)
		ret->groups[i] = p->additional_gids[i];
	ret->creds = (struct ct_creds){
		.uid = p->uid, .gid = p->gid, .groups = ret->groups, .n_groups = p->n_additional_gids,
		.caps = { .bounding = caps->caps_bounding, .effective = caps->caps_effective,
			  .permitted = caps->caps_permitted, .inheritable = caps->caps_inheritable,
			  .ambient = caps->caps_ambient },
	};
	for (size_t i = 0; i < s->n_namespaces; i++)
		ret->namespaces |= s->namespaces[i].flag;
	return ct_oci_seccomp_compile(s, "config.json", &ret->seccomp, err, err_size);
}

void ctrun_confinement_free(struct ctrun_confinement *c)
{
	free(c->groups);
	ct_seccomp_free(c->seccomp);
	*c = (struct ctrun_confinement){ 0 };
}
