/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespace id maps: parsing and checking `idmap` values, formatting them, and writing them
 * to /proc. The pool and the leases of `idmap = auto` are in idmap-pool.c. */
#include "idmap-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>


/* Splits s in place at blanks into at most max words. Returns the count, max + 1 if more. */
static size_t split_words(char *s, char **words, size_t max)
{
	size_t n = 0;

	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		words[n++] = s;
		s += strcspn(s, " \t");
		if (*s)
			*s++ = '\0';
	}
}

static const char *keyword_of(const struct ct_idmap *m)
{
	return m->mode == CT_IDMAP_NONE ? "none" : "auto";
}

static int parse_keyword(struct ct_idmap *m, const char *word, char *msg, size_t msg_size)
{
	if (m->mode == CT_IDMAP_EXPLICIT)
		return ct_fail_msg(msg, msg_size, "'%s' cannot be combined with explicit ranges",
				   word);
	if (m->keyword_given)
		return ct_fail_msg(msg, msg_size, "'%s' after '%s': give one of them, once", word,
				   keyword_of(m));
	m->mode = strcmp(word, "none") == 0 ? CT_IDMAP_NONE : CT_IDMAP_AUTO;
	m->keyword_given = true;
	return 0;
}

static int parse_number(const char *what, const char *s, uint32_t min, uint32_t max,
			uint32_t *ret, char *msg, size_t msg_size)
{
	if (ct_idmap_parse_u32(s, max, ret) < 0 || *ret < min)
		return ct_fail_msg(msg, msg_size, "bad %s '%s': want a number from %u to %u", what,
				   s, min, max);
	return 0;
}

/* w: kind, container id, host id, count. */
static int parse_range(struct ct_idmap *m, char **w, char *msg, size_t msg_size)
{
	struct ct_idmap_range r;
	bool uid = strcmp(w[0], "u") == 0;
	size_t *n = uid ? &m->n_uid : &m->n_gid;
	int e;

	if (!uid && strcmp(w[0], "g") != 0)
		return ct_fail_msg(msg, msg_size, "unknown kind '%s': want 'u' (uids) or 'g' (gids)",
				   w[0]);
	if (m->keyword_given)
		return ct_fail_msg(msg, msg_size, "ranges cannot be combined with '%s'",
				   keyword_of(m));
	e = parse_number("container id", w[1], 0, CT_IDMAP_ID_MAX, &r.inner, msg, msg_size);
	if (e >= 0)
		e = parse_number("host id", w[2], 0, CT_IDMAP_ID_MAX, &r.outer, msg, msg_size);
	if (e >= 0)
		e = parse_number("count", w[3], 1, CT_IDMAP_ID_MAX + 1, &r.count, msg, msg_size);
	if (e < 0)
		return e;
	if ((uint64_t)r.inner + r.count - 1 > CT_IDMAP_ID_MAX ||
	    (uint64_t)r.outer + r.count - 1 > CT_IDMAP_ID_MAX)
		return ct_fail_msg(msg, msg_size, "range '%s %u %u %u' goes past id %u", w[0],
				   r.inner, r.outer, r.count, CT_IDMAP_ID_MAX);
	if (*n == CT_IDMAP_RANGES_MAX)
		return ct_fail_msg(msg, msg_size, "more than %d %s ranges", CT_IDMAP_RANGES_MAX,
				   uid ? "uid" : "gid");
	(uid ? m->uid : m->gid)[(*n)++] = r;
	m->mode = CT_IDMAP_EXPLICIT;
	return 0;
}

int ct_idmap_parse(struct ct_idmap *m, const char *value, char *msg, size_t msg_size)
{
	char buf[128], *w[4];
	size_t n;

	if (strlen(value) >= sizeof(buf))
		return ct_fail_msg(msg, msg_size, "value too long (at most %zu characters)",
				   sizeof(buf) - 1);
	strcpy(buf, value);
	n = split_words(buf, w, ARRAY_SIZE(w));
	if (n == 1 && (strcmp(w[0], "auto") == 0 || strcmp(w[0], "none") == 0))
		return parse_keyword(m, w[0], msg, msg_size);
	if (n == 4)
		return parse_range(m, w, msg, msg_size);
	return ct_fail_msg(msg, msg_size,
			   "'%s': want 'auto', 'none' or 'u|g CONTAINER_ID HOST_ID COUNT'", value);
}

static bool spans_overlap(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
	return (uint64_t)a < (uint64_t)b + nb && (uint64_t)b < (uint64_t)a + na;
}

static int check_pair(char kind, const struct ct_idmap_range *a, const struct ct_idmap_range *b,
		      char *msg, size_t msg_size)
{
	const char *where = NULL;

	if (spans_overlap(a->inner, a->count, b->inner, b->count))
		where = "in the container";
	else if (spans_overlap(a->outer, a->count, b->outer, b->count))
		where = "on the host";
	if (!where)
		return 0;
	return ct_fail_msg(msg, msg_size, "ranges '%c %u %u %u' and '%c %u %u %u' overlap %s", kind,
			   a->inner, a->outer, a->count, kind, b->inner, b->outer, b->count, where);
}

static int check_kind(char kind, const struct ct_idmap_range *r, size_t n, char *msg,
		      size_t msg_size)
{
	const char *id = kind == 'u' ? "uid" : "gid";

	if (n == 0)
		return ct_fail_msg(msg, msg_size, "no %s range ('%c ...'): an explicit map needs "
				   "both uid ('u') and gid ('g') ranges", id, kind);
	if (ct_idmap_to_host(r, n, 0) < 0)
		return ct_fail_msg(msg, msg_size, "container %s 0 (root) is not mapped", id);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			int e = check_pair(kind, &r[i], &r[j], msg, msg_size);
			if (e < 0)
				return e;
		}
	return 0;
}

int ct_idmap_check(const struct ct_idmap *m, char *msg, size_t msg_size)
{
	int e;

	if (m->mode != CT_IDMAP_EXPLICIT)
		return 0;
	e = check_kind('u', m->uid, m->n_uid, msg, msg_size);
	return e < 0 ? e : check_kind('g', m->gid, m->n_gid, msg, msg_size);
}

int64_t ct_idmap_to_host(const struct ct_idmap_range *r, size_t n, uint32_t inner)
{
	for (size_t i = 0; i < n; i++)
		if (inner >= r[i].inner && inner - r[i].inner < r[i].count)
			return (int64_t)r[i].outer + (inner - r[i].inner);
	return -1;
}

/* Appends to buf, which holds *len characters. -ENOBUFS if it does not fit. */
__attribute__((format(printf, 4, 5))) static int append(char *buf, size_t size, size_t *len,
							 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return -ENOBUFS;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return -ENOBUFS;
	*len += (size_t)n;
	return 0;
}

int ct_idmap_format_proc(const struct ct_idmap_range *r, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int e = append(buf, size, &len, "%u %u %u\n", r[i].inner, r[i].outer, r[i].count);
		if (e < 0)
			return e;
	}
	return (int)len;
}

static int format_kind(char kind, const struct ct_idmap_range *r, size_t n, char *buf,
		       size_t size, size_t *len)
{
	for (size_t i = 0; i < n; i++) {
		int e = append(buf, size, len, "%s%c %u %u %u", *len ? " " : "", kind, r[i].inner,
			       r[i].outer, r[i].count);
		if (e < 0)
			return e;
	}
	return 0;
}

int ct_idmap_format(const struct ct_idmap *m, char *buf, size_t size)
{
	size_t len = 0;
	int e;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	if (m->mode == CT_IDMAP_NONE || (m->mode == CT_IDMAP_AUTO && m->n_uid + m->n_gid == 0))
		e = append(buf, size, &len, "%s", keyword_of(m));
	else
		e = format_kind('u', m->uid, m->n_uid, buf, size, &len);
	if (e >= 0)
		e = format_kind('g', m->gid, m->n_gid, buf, size, &len);
	return e < 0 ? e : (int)len;
}

static int write_map(pid_t pid, const char *file, const struct ct_idmap_range *r, size_t n)
{
	char path[64], buf[CT_IDMAP_RANGES_MAX * 34 + 1];
	cleanup_close int fd = -1;
	int len = ct_idmap_format_proc(r, n, buf, sizeof(buf));
	ssize_t k;

	if (len < 0)
		return len;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* The kernel takes a map in a single write(), so there is no retrying a short one. */
	k = write(fd, buf, (size_t)len);
	if (k < 0)
		return -errno;
	return k == len ? 0 : -EIO;
}

int ct_idmap_write(pid_t pid, const struct ct_idmap *m)
{
	int e;

	if (m->mode == CT_IDMAP_NONE || m->n_uid == 0 || m->n_gid == 0 ||
	    m->n_uid > CT_IDMAP_RANGES_MAX || m->n_gid > CT_IDMAP_RANGES_MAX)
		return -EINVAL;
	e = write_map(pid, "uid_map", m->uid, m->n_uid);
	return e < 0 ? e : write_map(pid, "gid_map", m->gid, m->n_gid);
}
