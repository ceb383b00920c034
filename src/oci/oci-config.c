/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json into struct ct_oci_spec: the top level, the process, the root, the mounts and the
 * hooks here; the linux object in oci-linux.c. See oci.h for what is refused and why. */
#include "oci.h"

#include "oci-internal.h"
#include "oci-json.h"

#include "common/macro.h"
#include "common/util.h"
#include "config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define CONFIG_FILE_MAX (4 * 1024 * 1024)

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },         { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },       { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

int ct_oci_cap_from_name(const char *name)
{
	if (strncmp(name, "CAP_", 4) != 0)
		return -EINVAL;
	return ct_cap_from_name(name + 4);
}

static int caps_set(struct ct_jctx *j, json_object *caps, const char *parent, const char *key,
		    uint64_t *ret)
{
	char path[CT_JPATH_MAX], item[CT_JPATH_MAX];
	cleanup_strv char **names = NULL;
	int r = ct_jstrv(j, caps, parent, key, &names);

	if (r < 0)
		return r;
	ct_jpath_key(path, parent, key);
	*ret = 0;
	for (size_t i = 0; names[i]; i++) {
		int cap = ct_oci_cap_from_name(names[i]);
		ct_jpath_index(item, path, i);
		if (cap < 0)
			return ct_jfail(j, item, "unknown capability '%s'", names[i]);
		*ret |= UINT64_C(1) << cap;
	}
	return 0;
}

static int parse_caps(struct ct_jctx *j, json_object *p, struct ct_oci_process *proc)
{
	json_object *caps = ct_jget(p, "capabilities");
	const char *path = "process.capabilities";

	if (!caps)
		return 0; /* none: the process gets no capabilities at all */
	if (ct_jexpect(j, caps, path, json_type_object) < 0)
		return -EINVAL;
	proc->has_caps = true;
	if (caps_set(j, caps, path, "bounding", &proc->caps_bounding) < 0 ||
	    caps_set(j, caps, path, "effective", &proc->caps_effective) < 0 ||
	    caps_set(j, caps, path, "inheritable", &proc->caps_inheritable) < 0 ||
	    caps_set(j, caps, path, "permitted", &proc->caps_permitted) < 0 ||
	    caps_set(j, caps, path, "ambient", &proc->caps_ambient) < 0)
		return -EINVAL;
	return 0;
}

static int parse_rlimit(struct ct_jctx *j, json_object *e, const char *path, void *item, void *data)
{
	struct ct_oci_rlimit *rl = item;
	cleanup_free char *type = NULL;
	bool found_soft, found_hard;
	size_t i;

	if (ct_jexpect(j, e, path, json_type_object) < 0 || ct_jstr(j, e, path, "type", true, &type) < 0)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(type, rlimit_names[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(rlimit_names))
		return ct_jfail(j, path, "unknown rlimit type '%s'", type);
	rl->resource = rlimit_names[i].resource;
	if (ct_juint(j, e, path, "soft", &rl->soft, &found_soft) < 0 ||
	    ct_juint(j, e, path, "hard", &rl->hard, &found_hard) < 0)
		return -EINVAL;
	if (!found_soft || !found_hard)
		return ct_jfail(j, path, "needs both soft and hard");
	if (rl->soft > rl->hard)
		return ct_jfail(j, path, "soft (%llu) above hard (%llu)", (unsigned long long)rl->soft,
				(unsigned long long)rl->hard);
	return 0;
}

static int parse_user(struct ct_jctx *j, json_object *p, struct ct_oci_process *proc)
{
	json_object *u = ct_jget(p, "user"), *g;
	const char *path = "process.user";
	int64_t v;
	bool found;

	if (!u)
		return ct_jfail(j, path, "missing");
	if (ct_jexpect(j, u, path, json_type_object) < 0)
		return -EINVAL;
	if (ct_jint(j, u, path, "uid", 0, UINT32_MAX - 1, &v, &found) < 0)
		return -EINVAL;
	proc->uid = found ? (uint32_t)v : 0;
	if (ct_jint(j, u, path, "gid", 0, UINT32_MAX - 1, &v, &found) < 0)
		return -EINVAL;
	proc->gid = found ? (uint32_t)v : 0;
	if (ct_jint(j, u, path, "umask", 0, 0777, &v, &proc->has_umask) < 0)
		return -EINVAL;
	proc->umask = (uint32_t)v;
	if (ct_jrefuse(j, u, path, "username", "a Windows field") < 0)
		return -EINVAL;
	g = ct_jget(u, "additionalGids");
	if (!g)
		return 0;
	if (ct_jexpect(j, g, "process.user.additionalGids", json_type_array) < 0)
		return -EINVAL;
	proc->n_additional_gids = json_object_array_length(g);
	proc->additional_gids = calloc(proc->n_additional_gids + 1, sizeof(uint32_t));
	if (!proc->additional_gids)
		return -ENOMEM;
	for (size_t i = 0; i < proc->n_additional_gids; i++) {
		json_object *e = json_object_array_get_idx(g, i);
		char item[CT_JPATH_MAX];
		ct_jpath_index(item, "process.user.additionalGids", i);
		if (!e || ct_jexpect(j, e, item, json_type_int) < 0 || json_object_get_int64(e) < 0 ||
		    json_object_get_int64(e) >= UINT32_MAX)
			return ct_jfail(j, item, "expected a group id");
		proc->additional_gids[i] = (uint32_t)json_object_get_int64(e);
	}
	return 0;
}

static int parse_process_object(struct ct_jctx *j, json_object *p, struct ct_oci_process *proc)
{
	int64_t v;
	int r;

	if (ct_jexpect(j, p, "process", json_type_object) < 0)
		return -EINVAL;
	if (ct_jbool(j, p, "process", "terminal", &proc->terminal) < 0 ||
	    parse_user(j, p, proc) < 0 || ct_jstrv(j, p, "process", "args", &proc->args) < 0 ||
	    ct_jstrv(j, p, "process", "env", &proc->env) < 0 ||
	    ct_jstr(j, p, "process", "cwd", true, &proc->cwd) < 0 || parse_caps(j, p, proc) < 0 ||
	    ct_jarray(j, p, "process", "rlimits", sizeof(*proc->rlimits), (void **)&proc->rlimits,
		      &proc->n_rlimits, parse_rlimit, NULL) < 0 ||
	    ct_jbool(j, p, "process", "noNewPrivileges", &proc->no_new_privileges) < 0 ||
	    ct_jint(j, p, "process", "oomScoreAdj", -1000, 1000, &v, &proc->has_oom_score_adj) < 0)
		return -EINVAL;
	proc->oom_score_adj = (int)v;
	if (!proc->args[0] || !proc->args[0][0])
		return ct_jfail(j, "process.args", "needs at least the program");
	if (proc->cwd[0] != '/')
		return ct_jfail(j, "process.cwd", "'%s' is not an absolute path", proc->cwd);
	for (size_t i = 0; proc->env[i]; i++)
		if (!strchr(proc->env[i], '=')) {
			char item[CT_JPATH_MAX];
			ct_jpath_index(item, "process.env", i);
			return ct_jfail(j, item, "'%s' is not KEY=VALUE", proc->env[i]);
		}
	/* Confinement ct cannot give: refused, never silently dropped. "unconfined" asks for none
	 * (Docker and Podman's --security-opt apparmor=unconfined on an AppArmor host). */
	json_object *aa = ct_jget(p, "apparmorProfile");
	if (aa && json_object_is_type(aa, json_type_string) &&
	    strcmp(json_object_get_string(aa), "unconfined") == 0)
		r = 0;
	else
		r = ct_jrefuse(j, p, "process", "apparmorProfile", "no AppArmor support");
	if (r == 0)
		r = ct_jrefuse(j, p, "process", "selinuxLabel", "no SELinux support");
	if (r == 0)
		r = ct_jrefuse(j, p, "process", "ioPriority", "not implemented");
	if (r == 0)
		r = ct_jrefuse(j, p, "process", "scheduler", "not implemented");
	if (r == 0)
		r = ct_jrefuse(j, p, "process", "execCPUAffinity", "not implemented");
	return r;
}

static int parse_process(struct ct_jctx *j, json_object *root, struct ct_oci_spec *s)
{
	json_object *p = ct_jget(root, "process");

	if (!p)
		return 0;
	s->has_process = true;
	return parse_process_object(j, p, &s->process);
}

static int parse_root(struct ct_jctx *j, json_object *top, struct ct_oci_spec *s)
{
	json_object *root = ct_jget(top, "root");

	if (!root)
		return ct_jfail(j, "root", "missing");
	if (ct_jexpect(j, root, "root", json_type_object) < 0 ||
	    ct_jstr(j, root, "root", "path", true, &s->root_path) < 0 ||
	    ct_jbool(j, root, "root", "readonly", &s->root_readonly) < 0)
		return -EINVAL;
	if (!s->root_path[0])
		return ct_jfail(j, "root.path", "empty");
	return 0;
}

static int parse_mount(struct ct_jctx *j, json_object *m, const char *path, void *item, void *data)
{
	struct ct_oci_mount *out = item;

	if (ct_jexpect(j, m, path, json_type_object) < 0 ||
	    ct_jstr(j, m, path, "destination", true, &out->destination) < 0 ||
	    ct_jstr(j, m, path, "type", false, &out->type) < 0 ||
	    ct_jstr(j, m, path, "source", false, &out->source) < 0 ||
	    ct_jstrv(j, m, path, "options", &out->options) < 0 ||
	    ct_oci_parse_idmaps(j, m, path, "uidMappings", &out->uid, &out->n_uid) < 0 ||
	    ct_oci_parse_idmaps(j, m, path, "gidMappings", &out->gid, &out->n_gid) < 0)
		return -EINVAL;
	if (!out->type && !(out->type = strdup("")))
		return -ENOMEM;
	if (!out->source && !(out->source = strdup("")))
		return -ENOMEM;
	if (out->destination[0] != '/') {
		char d[CT_JPATH_MAX];
		ct_jpath_key(d, path, "destination");
		return ct_jfail(j, d, "'%s' is not an absolute path", out->destination);
	}
	return 0;
}

static const char *const hook_names[CT_OCI_HOOK_COUNT_] = {
	[CT_OCI_HOOK_PRESTART] = "prestart",
	[CT_OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[CT_OCI_HOOK_CREATE_CONTAINER] = "createContainer",
	[CT_OCI_HOOK_START_CONTAINER] = "startContainer",
	[CT_OCI_HOOK_POSTSTART] = "poststart",
	[CT_OCI_HOOK_POSTSTOP] = "poststop",
};

static int parse_hook(struct ct_jctx *j, json_object *h, const char *path, void *item, void *data)
{
	struct ct_oci_hook *out = item;
	int64_t t = 0;
	bool has_args = ct_jget(h, "args") != NULL, has_env;

	if (ct_jexpect(j, h, path, json_type_object) < 0 ||
	    ct_jstr(j, h, path, "path", true, &out->path) < 0)
		return -EINVAL;
	has_env = ct_jget(h, "env") != NULL;
	if ((has_args && ct_jstrv(j, h, path, "args", &out->args) < 0) ||
	    (has_env && ct_jstrv(j, h, path, "env", &out->env) < 0) ||
	    ct_jint(j, h, path, "timeout", 1, CT_TIMEOUT_MAX, &t, NULL) < 0)
		return -EINVAL;
	out->timeout = (int)t;
	if (out->path[0] != '/') {
		char p[CT_JPATH_MAX];
		ct_jpath_key(p, path, "path");
		return ct_jfail(j, p, "'%s' is not an absolute path", out->path);
	}
	return 0;
}

static int parse_hooks(struct ct_jctx *j, json_object *top, struct ct_oci_spec *s)
{
	json_object *hooks = ct_jget(top, "hooks");

	if (!hooks)
		return 0;
	if (ct_jexpect(j, hooks, "hooks", json_type_object) < 0)
		return -EINVAL;
	for (int k = 0; k < CT_OCI_HOOK_COUNT_; k++)
		if (ct_jarray(j, hooks, "hooks", hook_names[k], sizeof(*s->hooks[k]),
			      (void **)&s->hooks[k], &s->n_hooks[k], parse_hook, NULL) < 0)
			return -EINVAL;
	return 0;
}

static int parse_top(struct ct_jctx *j, json_object *top, struct ct_oci_spec *s)
{
	if (ct_jexpect(j, top, "", json_type_object) < 0 ||
	    ct_jstr(j, top, "", "ociVersion", true, &s->oci_version) < 0 || parse_root(j, top, s) < 0 ||
	    ct_jstr(j, top, "", "hostname", false, &s->hostname) < 0 || parse_process(j, top, s) < 0 ||
	    ct_jarray(j, top, "", "mounts", sizeof(*s->mounts), (void **)&s->mounts, &s->n_mounts,
		      parse_mount, NULL) < 0 ||
	    parse_hooks(j, top, s) < 0 ||
	    ct_jmap(j, top, "", "annotations", &s->annotations) < 0 ||
	    ct_oci_parse_linux(j, top, s) < 0)
		return -EINVAL;
	if (strncmp(s->oci_version, "1.", 2) != 0)
		return ct_jfail(j, "ociVersion", "'%s' is not a 1.x version of the runtime spec",
				s->oci_version);
	if (ct_jget(top, "windows") || ct_jget(top, "solaris") || ct_jget(top, "vm") ||
	    ct_jget(top, "zos"))
		return ct_jfail(j, "", "a spec for another platform (windows, solaris, vm or zos)");
	return 0;
}

typedef int (*parse_fn)(struct ct_jctx *j, json_object *top, void *ret);

/* JSON text to top, then fn(top): the errors of both as "NAME: PATH: what". */
static int parse_text(const char *text, size_t len, const char *name, parse_fn fn, void *ret,
		      char *err, size_t err_size)
{
	struct ct_jctx j = { .name = name, .err = err, .err_size = err_size };
	struct json_tokener *tok = json_tokener_new();
	json_object *top;
	int r;

	err[0] = '\0';
	if (!tok)
		return -ENOMEM;
	if (memchr(text, '\0', len)) {
		json_tokener_free(tok);
		return ct_jfail(&j, "", "a NUL byte in the file");
	}
	top = json_tokener_parse_ex(tok, text, (int)len);
	if (!top || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < len) {
		r = ct_jfail(&j, "", "not valid JSON: %s (at byte %zu)",
			     json_tokener_error_desc(json_tokener_get_error(tok)),
			     json_tokener_get_parse_end(tok));
		json_object_put(top);
		json_tokener_free(tok);
		return r;
	}
	json_tokener_free(tok);
	r = fn(&j, top, ret);
	json_object_put(top);
	if (r < 0 && !j.failed)
		snprintf(err, err_size, "%s: %s", name, strerror(-r));
	return r < 0 ? (j.failed ? -EINVAL : r) : 0;
}

static int parse_spec(struct ct_jctx *j, json_object *top, void *ret)
{
	return parse_top(j, top, ret);
}

int ct_oci_parse(const char *text, size_t len, const char *name, struct ct_oci_spec *ret, char *err,
		 size_t err_size)
{
	int r;

	*ret = (struct ct_oci_spec){ 0 };
	r = parse_text(text, len, name, parse_spec, ret, err, err_size);
	if (r < 0)
		ct_oci_free(ret);
	return r;
}

static int parse_process_top(struct ct_jctx *j, json_object *top, void *ret)
{
	return parse_process_object(j, top, ret);
}

int ct_oci_parse_process(const char *text, size_t len, const char *name,
			 struct ct_oci_process *ret, char *err, size_t err_size)
{
	int r;

	*ret = (struct ct_oci_process){ 0 };
	r = parse_text(text, len, name, parse_process_top, ret, err, err_size);
	if (r < 0)
		ct_oci_process_free(ret);
	return r;
}

int ct_oci_load(const char *bundle, struct ct_oci_spec *ret, char *err, size_t err_size)
{
	char path[4096];
	cleanup_free char *text = NULL;
	size_t len = 0;
	int r;

	*ret = (struct ct_oci_spec){ 0 };
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = ct_read_file(path, CONFIG_FILE_MAX, &text, &len);
	if (r < 0) {
		snprintf(err, err_size, "%s: %s", path, r == -EFBIG ? "larger than 4 MiB" : strerror(-r));
		return r;
	}
	return ct_oci_parse(text, len, path, ret, err, err_size);
}

const char *ct_oci_annotation(const struct ct_oci_spec *s, const char *key)
{
	size_t n = strlen(key);

	for (char **a = s->annotations; a && *a; a++)
		if (strncmp(*a, key, n) == 0 && (*a)[n] == '=')
			return *a + n + 1;
	return NULL;
}

void ct_oci_process_free(struct ct_oci_process *p)
{
	free(p->additional_gids);
	ct_strv_free(p->args);
	ct_strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
}

void ct_oci_free(struct ct_oci_spec *s)
{
	free(s->oci_version);
	free(s->root_path);
	free(s->hostname);
	ct_oci_process_free(&s->process);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		ct_strv_free(s->mounts[i].options);
		free(s->mounts[i].uid);
		free(s->mounts[i].gid);
	}
	free(s->mounts);
	for (int k = 0; k < CT_OCI_HOOK_COUNT_; k++) {
		for (size_t i = 0; i < s->n_hooks[k]; i++) {
			free(s->hooks[k][i].path);
			ct_strv_free(s->hooks[k][i].args);
			ct_strv_free(s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
	ct_strv_free(s->annotations);
	ct_oci_linux_free(s);
	*s = (struct ct_oci_spec){ 0 };
}
