/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading checked values out of json-c objects, with errors that name the JSON path (oci-json.c).
 * Private to the oci room. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_JPATH_MAX 256

struct ct_jctx {
	const char *name; /* the file, first in every error */
	char *err;
	size_t err_size;
	bool failed;      /* err holds the first error; later ones are dropped */
};

/* A field's path: parent + "." + key, or parent + "[i]". */
void ct_jpath_key(char *out, const char *parent, const char *key);
void ct_jpath_index(char *out, const char *parent, size_t i);

/* Sets the error ("NAME: PATH: what") once; returns -EINVAL. */
int ct_jfail(struct ct_jctx *j, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The member key of object o, or NULL (absent, or JSON null). */
json_object *ct_jget(json_object *o, const char *key);
/* o must be of type t (json_type_object, json_type_array, ...): else the error. */
int ct_jexpect(struct ct_jctx *j, json_object *o, const char *path, json_type t);

/* The member key of o, converted; absent members leave *ret alone unless required (an error). */
int ct_jstr(struct ct_jctx *j, json_object *o, const char *parent, const char *key, bool required,
	    char **ret);
int ct_jbool(struct ct_jctx *j, json_object *o, const char *parent, const char *key, bool *ret);
/* An integer in [min, max]; *found says whether it was there. */
int ct_jint(struct ct_jctx *j, json_object *o, const char *parent, const char *key, int64_t min,
	    int64_t max, int64_t *ret, bool *found);
/* An unsigned integer up to UINT64_MAX (json-c keeps them apart from int64). */
int ct_juint(struct ct_jctx *j, json_object *o, const char *parent, const char *key, uint64_t *ret,
	     bool *found);
/* An array of strings into a NULL-terminated strv (empty when absent). */
int ct_jstrv(struct ct_jctx *j, json_object *o, const char *parent, const char *key, char ***ret);
/* An object of strings into "KEY=VALUE" strv (empty when absent). */
int ct_jmap(struct ct_jctx *j, json_object *o, const char *parent, const char *key, char ***ret);
/* An array member of objects, each parsed into an element of *ret (size bytes, zeroed first) by
 * fn(j, element, its path, the element, data); *n counts those parsed, also on failure (for the
 * caller's free). An absent member leaves *ret NULL and *n 0. */
typedef int (*ct_jitem_fn)(struct ct_jctx *j, json_object *e, const char *path, void *item,
			   void *data);
int ct_jarray(struct ct_jctx *j, json_object *o, const char *parent, const char *key, size_t size,
	      void **ret, size_t *n, ct_jitem_fn fn, void *data);

/* A present member that ct does not implement and must not ignore: refused unless it is empty
 * (null, "", [], {}, false or 0). why says what it would have done. */
int ct_jrefuse(struct ct_jctx *j, json_object *o, const char *parent, const char *key,
	       const char *why);
