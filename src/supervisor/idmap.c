/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespace id maps: parsing and checking `idmap` values, writing them to /proc, and handing
 * each `idmap = auto` container a block of the pool, held by an flock on a lease file. */
#include "idmap.h"

#include "macro.h"
#include "util.h"

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

#define BLOCK_FIRST 1u      /* block 0 holds the host's own users */
#define BLOCK_END 65535u    /* exclusive: the last block holds (uid_t)-1 */
#define ALLOCATE_TRIES_MAX 65536u

/* A whole decimal number in [0, max], digits only. ct_parse_long would do on LP64, but not
 * where long has 32 bits and ids go up to 2^32 - 2. */
static int parse_u32(const char *s, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	*ret = (uint32_t)v;
	return 0;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

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
	if (parse_u32(s, max, ret) < 0 || *ret < min)
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

/* ---- the pool ---- */

/* One well-formed subuid/subgid line. */
struct subid {
	bool root;
	uint32_t start, count;
};

static int parse_subid(const char *line, size_t len, struct subid *ret)
{
	char buf[256], *start, *count;
	uint32_t s, c;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, line, len);
	buf[len] = '\0';
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	start = strchr(buf, ':');
	count = start ? strchr(start + 1, ':') : NULL;
	if (!count || start == buf || buf[0] == '#')
		return -EINVAL;
	*start++ = '\0';
	*count++ = '\0';
	if (parse_u32(start, UINT32_MAX, &s) < 0 || parse_u32(count, UINT32_MAX, &c) < 0 ||
	    c == 0 || (uint64_t)s + c > (uint64_t)UINT32_MAX + 1)
		return -EINVAL;
	*ret = (struct subid){ strcmp(buf, "root") == 0 || strcmp(buf, "0") == 0, s, c };
	return 0;
}

/* The next well-formed entry from *pos on, skipping bad lines; false at the end. */
static bool next_subid(const char **pos, struct subid *ret)
{
	while (**pos) {
		const char *line = *pos;
		size_t len = strcspn(line, "\n");

		*pos = line + len + (line[len] == '\n');
		if (parse_subid(line, len, ret) == 0)
			return true;
	}
	return false;
}

static bool has_root(const char *text)
{
	struct subid e;

	while (next_subid(&text, &e))
		if (e.root)
			return true;
	return false;
}

/* The file's text, "" if it is missing. */
static int read_subid_file(const char *path, char **ret)
{
	size_t len;
	int e = ct_read_file(path, CT_IDMAP_SUBID_FILE_MAX, ret, &len);

	if (e == -ENOENT) {
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	return e;
}

/* Appends blocks [first, end), above every run. A full side drops its smallest run to make room,
 * or the new one if that is no bigger: a smaller pool is still a safe one. */
static void side_push(struct ct_idmap_pool_side *s, uint32_t first, uint32_t end)
{
	size_t min = 0;

	if (first >= end)
		return;
	if (s->n == CT_IDMAP_POOL_RUNS_MAX) {
		for (size_t i = 1; i < s->n; i++)
			if (s->run[i].count < s->run[min].count)
				min = i;
		if (s->run[min].count >= end - first)
			return;
		s->n--;
		memmove(&s->run[min], &s->run[min + 1], (s->n - min) * sizeof(s->run[0]));
	}
	s->run[s->n++] = (struct ct_idmap_blocks){ first, end - first };
}

/* Appends the blocks wholly inside ids [start, end). */
static void side_push_ids(struct ct_idmap_pool_side *s, uint64_t start, uint64_t end)
{
	uint64_t first = (start + CT_IDMAP_SIZE - 1) / CT_IDMAP_SIZE, last = end / CT_IDMAP_SIZE;

	side_push(s, first < BLOCK_FIRST ? BLOCK_FIRST : (uint32_t)first,
		  last > BLOCK_END ? BLOCK_END : (uint32_t)last);
}

/* Takes out every block that ids [start, start + count) touch. */
static void side_remove_ids(struct ct_idmap_pool_side *s, uint32_t start, uint32_t count)
{
	struct ct_idmap_pool_side out = { 0 };
	uint32_t a = start / CT_IDMAP_SIZE;
	uint32_t b = (uint32_t)(((uint64_t)start + count + CT_IDMAP_SIZE - 1) / CT_IDMAP_SIZE);

	for (size_t i = 0; i < s->n; i++) {
		uint32_t lo = s->run[i].first, hi = lo + s->run[i].count;

		side_push(&out, lo, min_u32(hi, a));
		side_push(&out, b > lo ? b : lo, hi);
	}
	*s = out;
}

struct span {
	uint64_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Root's ranges, merged first: two adjacent ranges may share a block that neither covers. */
static void side_from_root(struct ct_idmap_pool_side *s, const char *text)
{
	struct span sp[CT_IDMAP_POOL_RUNS_MAX];
	struct subid e;
	size_t n = 0;

	while (n < ARRAY_SIZE(sp) && next_subid(&text, &e))
		if (e.root)
			sp[n++] = (struct span){ e.start, (uint64_t)e.start + e.count };
	qsort(sp, n, sizeof(sp[0]), span_cmp);
	for (size_t i = 0; i < n;) {
		struct span m = sp[i];

		for (i++; i < n && sp[i].start <= m.end; i++)
			m.end = sp[i].end > m.end ? sp[i].end : m.end;
		side_push_ids(s, m.start, m.end);
	}
}

static void side_from_default(struct ct_idmap_pool_side *s, const char *text)
{
	struct subid e;

	side_push_ids(s, CT_IDMAP_POOL_DEFAULT_START, CT_IDMAP_POOL_DEFAULT_END);
	while (next_subid(&text, &e))
		side_remove_ids(s, e.start, e.count);
}

static uint32_t side_count(const struct ct_idmap_pool_side *s)
{
	uint32_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->run[i].count;
	return n;
}

/* The i-th block of the side, or -1. */
static int64_t side_block(const struct ct_idmap_pool_side *s, uint32_t i)
{
	for (size_t k = 0; k < s->n; i -= s->run[k].count, k++)
		if (i < s->run[k].count)
			return (int64_t)s->run[k].first + i;
	return -1;
}

int ct_idmap_pool_load(const char *subuid_path, const char *subgid_path, struct ct_idmap_pool *ret)
{
	cleanup_free char *u = NULL, *g = NULL;
	struct ct_idmap_pool p = { 0 };
	int e = read_subid_file(subuid_path, &u);

	if (e >= 0)
		e = read_subid_file(subgid_path, &g);
	if (e < 0)
		return e;
	p.from_root = has_root(u) && has_root(g);
	if (p.from_root) {
		side_from_root(&p.uid, u);
		side_from_root(&p.gid, g);
	} else {
		side_from_default(&p.uid, u);
		side_from_default(&p.gid, g);
	}
	p.n_blocks = min_u32(side_count(&p.uid), side_count(&p.gid));
	if (p.n_blocks == 0)
		return -ENOSPC;
	*ret = p;
	return 0;
}

int ct_idmap_pool_block(const struct ct_idmap_pool *p, uint32_t i, uint32_t *ret_uid_base,
			uint32_t *ret_gid_base)
{
	int64_t u = i < p->n_blocks ? side_block(&p->uid, i) : -1;
	int64_t g = i < p->n_blocks ? side_block(&p->gid, i) : -1;

	if (u < 0 || g < 0)
		return -ERANGE;
	*ret_uid_base = (uint32_t)u * CT_IDMAP_SIZE;
	*ret_gid_base = (uint32_t)g * CT_IDMAP_SIZE;
	return 0;
}

int ct_idmap_pool_index(const struct ct_idmap_pool *p, uint32_t uid_base, uint32_t *ret_i)
{
	uint32_t b = uid_base / CT_IDMAP_SIZE, i = 0;

	if (uid_base % CT_IDMAP_SIZE)
		return -ENOENT;
	for (size_t k = 0; k < p->uid.n; i += p->uid.run[k].count, k++) {
		const struct ct_idmap_blocks *r = &p->uid.run[k];

		if (b < r->first || b - r->first >= r->count)
			continue;
		if (i + (b - r->first) >= p->n_blocks)
			return -ENOENT;
		*ret_i = i + (b - r->first);
		return 0;
	}
	return -ENOENT;
}

/* ---- leases ---- */

/* Opens (creating it 0700) the directory path relative to at. -EPERM unless it is a directory,
 * no symlink, owned by root or us, and writable by its owner only. */
static int open_private_dir(int at, const char *path)
{
	cleanup_close int fd = -1;
	struct stat st;

	if (mkdirat(at, path, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -EPERM : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022))
		return -EPERM;
	return steal_fd(&fd);
}

static int open_idmap_dir(const char *rundir)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/.idmap", rundir);
	int e;

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	e = ct_mkdir_p(rundir, 0755);
	return e < 0 ? e : open_private_dir(AT_FDCWD, path);
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* The pool index recorded for name by an earlier allocation: -ENOENT if none or not ours. */
static int recorded_index(int names_fd, const char *name, const struct ct_idmap_pool *pool,
			  uint32_t *ret)
{
	char buf[16];
	cleanup_close int fd = openat(names_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	uint32_t base;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_u32(buf, UINT32_MAX, &base) < 0)
		return -ENOENT;
	return ct_idmap_pool_index(pool, base, ret);
}

/* Locks the lease file of the block at uid_base: the fd, or -EWOULDBLOCK if a running monitor
 * holds it. */
static int lock_block(int dir_fd, uint32_t uid_base)
{
	char file[16];
	cleanup_close int fd = -1;

	snprintf(file, sizeof(file), "%u", uid_base);
	fd = openat(dir_fd, file, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return -errno;
	return steal_fd(&fd);
}

/* Locks the first free block from index i on, wrapping around. Returns the fd. */
static int take_block(int dir_fd, const struct ct_idmap_pool *pool, uint32_t i,
		      struct ct_idmap_lease *ret)
{
	uint32_t tries = min_u32(pool->n_blocks, ALLOCATE_TRIES_MAX);

	for (uint32_t t = 0; t < tries; t++, i = (i + 1) % pool->n_blocks) {
		uint32_t u, g;
		int fd = ct_idmap_pool_block(pool, i, &u, &g);

		if (fd >= 0)
			fd = lock_block(dir_fd, u);
		if (fd == -EWOULDBLOCK)
			continue;
		if (fd < 0)
			return fd;
		*ret = (struct ct_idmap_lease){ fd, u, g };
		return fd;
	}
	return -ENOSPC;
}

/* The lease file names its holder, for people looking at the directory. */
/* The lease says whose it is. Mostly it already does (a name gets its block again): nothing is
 * written then, since a write and a truncate cost a start more than the rest of the lease. */
static int write_lease(int fd, const char *name)
{
	char buf[CT_HOST_KEY_MAX + 2], old[CT_HOST_KEY_MAX + 3];
	int n = snprintf(buf, sizeof(buf), "%s\n", name);
	ssize_t got = pread(fd, old, sizeof(old), 0);

	if (got == n && memcmp(old, buf, (size_t)n) == 0)
		return 0;
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return ftruncate(fd, n) < 0 ? -errno : 0;
}

/* names/NAME, replaced atomically. Valid names never start with '.': the temporary file
 * cannot be anyone's record. */
static int write_record(int names_fd, const char *name, uint32_t uid_base)
{
	char tmp[CT_HOST_KEY_MAX + 8], buf[16];
	cleanup_close int fd = -1;
	int n = snprintf(buf, sizeof(buf), "%u\n", uid_base), e;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = openat(names_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	e = ct_write_all(fd, buf, (size_t)n);
	if (e >= 0 && renameat(names_fd, tmp, names_fd, name) < 0)
		e = -errno;
	if (e < 0)
		unlinkat(names_fd, tmp, 0);
	return e;
}

static void resolved_map(struct ct_idmap *m, uint32_t uid_base, uint32_t gid_base)
{
	*m = (struct ct_idmap){ .mode = CT_IDMAP_AUTO, .n_uid = 1, .n_gid = 1 };
	m->uid[0] = (struct ct_idmap_range){ 0, uid_base, CT_IDMAP_SIZE };
	m->gid[0] = (struct ct_idmap_range){ 0, gid_base, CT_IDMAP_SIZE };
}

int ct_idmap_allocate(const char *rundir, const char *name, const struct ct_idmap_pool *pool,
		      struct ct_idmap_lease *ret, struct ct_idmap *ret_map)
{
	cleanup_close int dir_fd = -1, names_fd = -1, fd = -1;
	struct ct_idmap_lease lease;
	uint32_t i;
	int e;

	if (!ct_host_key_valid(name) || pool->n_blocks == 0)
		return -EINVAL;
	dir_fd = e = open_idmap_dir(rundir);
	if (e >= 0)
		names_fd = e = open_private_dir(dir_fd, "names");
	if (e < 0)
		return e;
	bool recorded = recorded_index(names_fd, name, pool, &i) >= 0;
	uint32_t recorded_uid = 0, unused;

	if (!recorded)
		i = fnv1a(name) % pool->n_blocks;
	else if (ct_idmap_pool_block(pool, i, &recorded_uid, &unused) < 0)
		recorded = false;
	fd = e = take_block(dir_fd, pool, i, &lease);
	if (e >= 0)
		e = write_lease(fd, name);
	if (e >= 0 && !(recorded && recorded_uid == lease.uid_base))
		e = write_record(names_fd, name, lease.uid_base);
	if (e < 0)
		return e;
	lease.fd = steal_fd(&fd);
	*ret = lease;
	resolved_map(ret_map, lease.uid_base, lease.gid_base);
	return 0;
}

void ct_idmap_lease_release(struct ct_idmap_lease *l)
{
	ct_close_fd(&l->fd);
}
