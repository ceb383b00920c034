/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.seccomp of config.json (runtime-spec config-linux.md "Seccomp") into a profile of the one
 * compiler ct has (src/seccomp, LXC's format version 2), so that an OCI bundle's filter is built,
 * bounded and installed exactly as a ct config's is:
 *   defaultAction SCMP_ACT_ALLOW      -> denylist, every rule with its action
 *   any other defaultAction           -> allowlist ACTION
 *   names[] x action                  -> one line per name
 *   args[] on distinct arguments      -> filters of that line, all of which must match (AND)
 *   args[] repeating an argument      -> one line per filter (OR), as runc does: libseccomp takes
 *                                        one comparison per argument and rule
 *   SCMP_CMP_MASKED_EQ {value, valueTwo} -> [INDEX,valueTwo,SCMP_CMP_MASKED_EQ,value]: libseccomp's
 *                                        first datum is the mask
 * Actions: SCMP_ACT_KILL, _KILL_PROCESS and _KILL_THREAD kill the whole process (ct's "kill"),
 * _TRAP, _ERRNO (errnoRet, default EPERM), _ALLOW. _TRACE, _LOG, _NOTIFY and _KILL on flags,
 * listenerPath and flags have no counterpart here and are refused, naming the field. */
#include "oci-internal.h"

#include "common/macro.h"
#include "seccomp/seccomp-profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	struct ct_jctx *j;
	FILE *f;
};

static const char *const ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

/* ACTION of the profile format for an OCI action name (errno_ret for SCMP_ACT_ERRNO). */
static int action(struct ct_jctx *j, const char *path, const char *name, int64_t errno_ret,
		  char *buf, size_t size)
{
	if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0 ||
	    strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		snprintf(buf, size, "kill");
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		snprintf(buf, size, "trap");
	else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		snprintf(buf, size, "allow");
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		snprintf(buf, size, "errno %lld", (long long)errno_ret);
	else if (!strcmp(name, "SCMP_ACT_TRACE") || !strcmp(name, "SCMP_ACT_LOG") ||
		 !strcmp(name, "SCMP_ACT_NOTIFY"))
		return ct_jfail(j, path, "action %s is not supported by ct: refused rather than ignored",
				name);
	else
		return ct_jfail(j, path, "unknown action '%s'", name);
	return 0;
}

/* One argument filter of the profile format. */
static int filter(struct ct_jctx *j, json_object *a, const char *path, char *buf, size_t size,
		  unsigned *ret_index)
{
	cleanup_free char *op = NULL;
	int64_t index = -1;
	uint64_t value = 0, two = 0;
	bool has_value = false;
	size_t k;

	if (ct_jexpect(j, a, path, json_type_object) < 0 ||
	    ct_jint(j, a, path, "index", 0, 5, &index, NULL) < 0 ||
	    ct_juint(j, a, path, "value", &value, &has_value) < 0 ||
	    ct_juint(j, a, path, "valueTwo", &two, NULL) < 0 || ct_jstr(j, a, path, "op", true, &op) < 0)
		return -EINVAL;
	if (index < 0 || !has_value)
		return ct_jfail(j, path, "needs index and value");
	for (k = 0; k < ARRAY_SIZE(ops); k++)
		if (strcmp(op, ops[k]) == 0)
			break;
	if (k == ARRAY_SIZE(ops))
		return ct_jfail(j, path, "unknown op '%s'", op);
	if (strcmp(op, "SCMP_CMP_MASKED_EQ") == 0)
		snprintf(buf, size, "[%lld,%llu,%s,%llu]", (long long)index, (unsigned long long)two,
			 op, (unsigned long long)value);
	else
		snprintf(buf, size, "[%lld,%llu,%s]", (long long)index, (unsigned long long)value, op);
	*ret_index = (unsigned)index;
	return 0;
}

/* The filters of a rule: all on one line when their arguments differ, else one line each. */
static int rule_lines(struct out *o, json_object *args, const char *path, const char *name,
		      const char *act)
{
	char item[CT_JPATH_MAX], f[6][96];
	unsigned idx[6], seen = 0;
	bool repeat = false;
	size_t n = args ? json_object_array_length(args) : 0;

	if (n > 6)
		return ct_jfail(o->j, path, "more than 6 argument filters");
	for (size_t i = 0; i < n; i++) {
		ct_jpath_index(item, path, i);
		if (filter(o->j, json_object_array_get_idx(args, i), item, f[i], sizeof(f[i]), &idx[i]) < 0)
			return -EINVAL;
		repeat |= (seen >> idx[i]) & 1;
		seen |= 1u << idx[i];
	}
	if (n == 0) {
		fprintf(o->f, "%s %s\n", name, act);
	} else if (!repeat) {
		fprintf(o->f, "%s %s", name, act);
		for (size_t i = 0; i < n; i++)
			fprintf(o->f, " %s", f[i]);
		fputc('\n', o->f);
	} else {
		for (size_t i = 0; i < n; i++)
			fprintf(o->f, "%s %s %s\n", name, act, f[i]);
	}
	return 0;
}

static int syscall_rule(struct out *o, json_object *rule, const char *path)
{
	cleanup_strv char **names = NULL;
	cleanup_free char *act_name = NULL;
	char act[32], p[CT_JPATH_MAX];
	json_object *args;
	int64_t eret = 1; /* EPERM, the spec's default */

	if (ct_jexpect(o->j, rule, path, json_type_object) < 0 ||
	    ct_jstrv(o->j, rule, path, "names", &names) < 0 ||
	    ct_jstr(o->j, rule, path, "action", true, &act_name) < 0 ||
	    ct_jint(o->j, rule, path, "errnoRet", 0, 4094, &eret, NULL) < 0)
		return -EINVAL;
	ct_jpath_key(p, path, "action");
	if (action(o->j, p, act_name, eret, act, sizeof(act)) < 0)
		return -EINVAL;
	if (!names[0])
		return ct_jfail(o->j, path, "names is empty");
	args = ct_jget(rule, "args");
	ct_jpath_key(p, path, "args");
	if (args && ct_jexpect(o->j, args, p, json_type_array) < 0)
		return -EINVAL;
	for (size_t i = 0; names[i]; i++) {
		if (!names[i][0] || strcspn(names[i], " \t[#") != strlen(names[i]))
			return ct_jfail(o->j, path, "'%s' is not a syscall name", names[i]);
		if (rule_lines(o, args, p, names[i], act) < 0)
			return -EINVAL;
	}
	return 0;
}

static int translate(struct out *o, json_object *sc)
{
	const char *path = "linux.seccomp";
	cleanup_free char *def = NULL;
	char act[32], p[CT_JPATH_MAX];
	json_object *rules;
	int64_t eret = 1;

	if (ct_jstr(o->j, sc, path, "defaultAction", true, &def) < 0 ||
	    ct_jint(o->j, sc, path, "defaultErrnoRet", 0, 4094, &eret, NULL) < 0 ||
	    ct_jrefuse(o->j, sc, path, "listenerPath", "no seccomp notifier") < 0 ||
	    ct_jrefuse(o->j, sc, path, "flags", "not implemented") < 0)
		return -EINVAL;
	ct_jpath_key(p, path, "defaultAction");
	if (action(o->j, p, def, eret, act, sizeof(act)) < 0)
		return -EINVAL;
	/* ct's filter covers the native architecture and its compat ones, whatever the list says
	 * (src/seccomp): the list only narrows, which an allowlist's default already does. */
	if (strcmp(def, "SCMP_ACT_ALLOW") == 0)
		fprintf(o->f, "2\ndenylist\n");
	else
		fprintf(o->f, "2\nallowlist %s\n", act);
	rules = ct_jget(sc, "syscalls");
	if (!rules)
		return 0;
	if (ct_jexpect(o->j, rules, "linux.seccomp.syscalls", json_type_array) < 0)
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		ct_jpath_index(p, "linux.seccomp.syscalls", i);
		if (syscall_rule(o, json_object_array_get_idx(rules, i), p) < 0)
			return -EINVAL;
	}
	return 0;
}

int ct_oci_seccomp_profile(const char *json, const char *name, char **ret_text, char *err,
			   size_t err_size)
{
	struct ct_jctx j = { .name = name, .err = err, .err_size = err_size };
	json_object *sc = json_tokener_parse(json);
	struct out o = { .j = &j };
	size_t len = 0;
	int r;

	*ret_text = NULL;
	err[0] = '\0';
	if (!sc || json_object_get_type(sc) != json_type_object) {
		json_object_put(sc);
		return ct_jfail(&j, "linux.seccomp", "expected an object");
	}
	o.f = open_memstream(ret_text, &len);
	if (!o.f) {
		json_object_put(sc);
		return -ENOMEM;
	}
	r = translate(&o, sc);
	json_object_put(sc);
	if (fclose(o.f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(*ret_text);
		*ret_text = NULL;
	}
	return r < 0 && j.failed ? -EINVAL : r;
}

int ct_oci_seccomp_compile(const struct ct_oci_spec *s, const char *name, struct ct_seccomp **ret,
			   char *err, size_t err_size)
{
	struct ct_file_error ferr = { 0 };
	cleanup_free char *text = NULL;
	int r;

	*ret = NULL;
	if (!s->seccomp_json)
		return 0;
	r = ct_oci_seccomp_profile(s->seccomp_json, name, &text, err, err_size);
	if (r < 0)
		return r;
	r = ct_seccomp_parse(text, strlen(text), name, ret, &ferr);
	if (r < 0) {
		char msg[CT_OCI_ERR_MAX];
		ct_file_error_format(&ferr, msg, sizeof(msg));
		snprintf(err, err_size, "linux.seccomp: %s", msg);
	}
	return r;
}
