/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checked reads from json-c objects: see oci-json.h. */
#include "oci-json.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A path that does not fit is cut: it only names a field in a message. */
void ct_jpath_key(char *out, const char *parent, const char *key)
{
	if (snprintf(out, CT_JPATH_MAX, "%s%s%s", parent, parent[0] ? "." : "", key) >= CT_JPATH_MAX)
		out[CT_JPATH_MAX - 1] = '\0';
}

void ct_jpath_index(char *out, const char *parent, size_t i)
{
	if (snprintf(out, CT_JPATH_MAX, "%s[%zu]", parent, i) >= CT_JPATH_MAX)
		out[CT_JPATH_MAX - 1] = '\0';
}

int ct_jfail(struct ct_jctx *j, const char *path, const char *fmt, ...)
{
	char what[CT_JPATH_MAX * 2];
	va_list ap;

	if (j->failed)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(j->err, j->err_size, "%s: %s%s%s", j->name, path, path[0] ? ": " : "", what);
	j->failed = true;
	return -EINVAL;
}

json_object *ct_jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v; /* NULL for a JSON null too */
}

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "?";
}

int ct_jexpect(struct ct_jctx *j, json_object *o, const char *path, json_type t)
{
	if (json_object_get_type(o) == t)
		return 0;
	return ct_jfail(j, path, "expected %s, got %s", type_name(t),
			type_name(json_object_get_type(o)));
}

int ct_jstr(struct ct_jctx *j, json_object *o, const char *parent, const char *key, bool required,
	    char **ret)
{
	char path[CT_JPATH_MAX];
	json_object *v = ct_jget(o, key);
	const char *s;
	char *copy;

	ct_jpath_key(path, parent, key);
	if (!v)
		return required ? ct_jfail(j, path, "missing") : 0;
	if (ct_jexpect(j, v, path, json_type_string) < 0)
		return -EINVAL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return ct_jfail(j, path, "a NUL byte in the string");
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	free(*ret);
	*ret = copy;
	return 0;
}

int ct_jbool(struct ct_jctx *j, json_object *o, const char *parent, const char *key, bool *ret)
{
	char path[CT_JPATH_MAX];
	json_object *v = ct_jget(o, key);

	ct_jpath_key(path, parent, key);
	if (!v)
		return 0;
	if (ct_jexpect(j, v, path, json_type_boolean) < 0)
		return -EINVAL;
	*ret = json_object_get_boolean(v);
	return 0;
}

/* An integer member: *ret_v the member (NULL when absent), path its path; -EINVAL for another
 * type. */
static int int_member(struct ct_jctx *j, json_object *o, const char *parent, const char *key,
		      char *path, bool *found, json_object **ret_v)
{
	ct_jpath_key(path, parent, key);
	if (found)
		*found = false;
	*ret_v = ct_jget(o, key);
	return *ret_v ? ct_jexpect(j, *ret_v, path, json_type_int) : 0;
}

int ct_jint(struct ct_jctx *j, json_object *o, const char *parent, const char *key, int64_t min,
	    int64_t max, int64_t *ret, bool *found)
{
	char path[CT_JPATH_MAX];
	json_object *v;
	int64_t n;

	if (int_member(j, o, parent, key, path, found, &v) < 0)
		return -EINVAL;
	if (!v)
		return 0;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno == ERANGE || n < min || n > max)
		return ct_jfail(j, path, "out of range (%lld to %lld)", (long long)min, (long long)max);
	*ret = n;
	if (found)
		*found = true;
	return 0;
}

int ct_juint(struct ct_jctx *j, json_object *o, const char *parent, const char *key, uint64_t *ret,
	     bool *found)
{
	char path[CT_JPATH_MAX];
	json_object *v;

	if (int_member(j, o, parent, key, path, found, &v) < 0)
		return -EINVAL;
	if (!v)
		return 0;
	if (json_object_get_int64(v) < 0)
		return ct_jfail(j, path, "negative");
	*ret = json_object_get_uint64(v);
	if (found)
		*found = true;
	return 0;
}

/* A list member: *ret becomes an empty strv, path the member's; *ret_v the member, NULL when
 * absent. Returns 0 or -errno (a member of another type than t is an error). */
static int strv_member(struct ct_jctx *j, json_object *o, const char *parent, const char *key,
		       json_type t, char *path, char ***ret, json_object **ret_v)
{
	char **out = calloc(1, sizeof(*out));

	if (!out)
		return -ENOMEM;
	ct_strv_free(*ret);
	*ret = out;
	ct_jpath_key(path, parent, key);
	*ret_v = ct_jget(o, key);
	return *ret_v ? ct_jexpect(j, *ret_v, path, t) : 0;
}

int ct_jstrv(struct ct_jctx *j, json_object *o, const char *parent, const char *key, char ***ret)
{
	char path[CT_JPATH_MAX], item[CT_JPATH_MAX];
	json_object *v;
	size_t n;
	int r = strv_member(j, o, parent, key, json_type_array, path, ret, &v);

	if (r < 0 || !v)
		return r;
	n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		ct_jpath_index(item, path, i);
		if (!e || ct_jexpect(j, e, item, json_type_string) < 0)
			return e ? -EINVAL : ct_jfail(j, item, "expected a string, got null");
		if (strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e))
			return ct_jfail(j, item, "a NUL byte in the string");
		if (ct_strv_append(ret, json_object_get_string(e)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int ct_jmap(struct ct_jctx *j, json_object *o, const char *parent, const char *key, char ***ret)
{
	char path[CT_JPATH_MAX], item[CT_JPATH_MAX];
	json_object *v;
	int r = strv_member(j, o, parent, key, json_type_object, path, ret, &v);

	if (r < 0 || !v)
		return r;
	json_object_object_foreach(v, k, val)
	{
		char *kv;
		ct_jpath_key(item, path, k);
		if (!val || ct_jexpect(j, val, item, json_type_string) < 0)
			return val ? -EINVAL : ct_jfail(j, item, "expected a string, got null");
		if (asprintf(&kv, "%s=%s", k, json_object_get_string(val)) < 0)
			return -ENOMEM;
		r = ct_strv_append(ret, kv);
		free(kv);
		if (r < 0)
			return -ENOMEM;
	}
	return 0;
}

int ct_jarray(struct ct_jctx *j, json_object *o, const char *parent, const char *key, size_t size,
	      void **ret, size_t *n, ct_jitem_fn fn, void *data)
{
	char path[CT_JPATH_MAX], item[CT_JPATH_MAX];
	json_object *a = ct_jget(o, key);
	size_t len;
	char *out;

	ct_jpath_key(path, parent, key);
	*n = 0;
	if (!a)
		return 0;
	if (ct_jexpect(j, a, path, json_type_array) < 0)
		return -EINVAL;
	len = json_object_array_length(a);
	out = calloc(len ? len : 1, size);
	if (!out)
		return -ENOMEM;
	*ret = out;
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		ct_jpath_index(item, path, i);
		if (!e)
			return ct_jfail(j, item, "expected an object, got null");
		++*n;
		if (fn(j, e, item, out + i * size, data) < 0)
			return -EINVAL;
	}
	return 0;
}

static bool empty(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return true;
	case json_type_boolean: return !json_object_get_boolean(v);
	case json_type_int: return json_object_get_int64(v) == 0;
	case json_type_string: return json_object_get_string_len(v) == 0;
	case json_type_array: return json_object_array_length(v) == 0;
	case json_type_object: {
		/* {"weight": 0}, as Docker gives blockIO: an object that sets nothing */
		json_object_object_foreach(v, key, value) {
			(void)key;
			if (!empty(value))
				return false;
		}
		return true;
	}
	default: return false;
	}
}

int ct_jrefuse(struct ct_jctx *j, json_object *o, const char *parent, const char *key,
	       const char *why)
{
	char path[CT_JPATH_MAX];
	json_object *v = ct_jget(o, key);

	if (!v || empty(v))
		return 0;
	ct_jpath_key(path, parent, key);
	return ct_jfail(j, path, "not supported by ct (%s): refused rather than ignored", why);
}
