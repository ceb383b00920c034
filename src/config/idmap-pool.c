/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool `idmap = auto` takes its ranges from (root's /etc/subuid and /etc/subgid ranges, else
 * the default pool minus every range those files grant), and the leases: a block is a
 * container's while its monitor holds an flock on the block's lease file. */
#include "idmap-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
	if (ct_idmap_parse_u32(start, UINT32_MAX, &s) < 0 || ct_idmap_parse_u32(count, UINT32_MAX, &c) < 0 ||
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

		side_push(&out, lo, ct_idmap_min_u32(hi, a));
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
	p.n_blocks = ct_idmap_min_u32(side_count(&p.uid), side_count(&p.gid));
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
	if (ct_idmap_parse_u32(buf, UINT32_MAX, &base) < 0)
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
	uint32_t tries = ct_idmap_min_u32(pool->n_blocks, ALLOCATE_TRIES_MAX);

	for (uint32_t t = 0; t < tries; t++, i = (i + 1) % pool->n_blocks) {
		uint32_t u, g;
		int fd = ct_idmap_pool_block(pool, i, &u, &g);

		if (fd >= 0)
			fd = lock_block(dir_fd, u);
		if (fd == -EWOULDBLOCK)
			continue;
		if (fd < 0)
			return fd;
		*ret = (struct ct_idmap_lease){ .fd = fd, .uid_base = u, .gid_base = g };
		return fd;
	}
	return -ENOSPC;
}

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

static bool ids_overlap(uint64_t a, uint64_t na, uint64_t b, uint64_t nb)
{
	return a < b + nb && b < a + na;
}

static bool block_overlaps(const struct ct_idmap *m, uint32_t uid_base, uint32_t gid_base)
{
	for (size_t k = 0; k < m->n_uid; k++)
		if (ids_overlap(m->uid[k].outer, m->uid[k].count, uid_base, CT_IDMAP_SIZE))
			return true;
	for (size_t k = 0; k < m->n_gid; k++)
		if (ids_overlap(m->gid[k].outer, m->gid[k].count, gid_base, CT_IDMAP_SIZE))
			return true;
	return false;
}

int ct_idmap_reserve(const char *rundir, const char *key, const struct ct_idmap_pool *pool,
		     const struct ct_idmap *map, struct ct_idmap_lease *ret,
		     uint32_t *ret_busy_base)
{
	cleanup_close int dir_fd = -1;
	struct ct_idmap_lease l = { .fd = -1 };
	int e = 0;

	if (!ct_host_key_valid(key))
		return -EINVAL;
	dir_fd = e = open_idmap_dir(rundir);
	for (uint32_t i = 0, u, g; e >= 0 && i < pool->n_blocks; i++) {
		if (ct_idmap_pool_block(pool, i, &u, &g) < 0 || !block_overlaps(map, u, g))
			continue;
		if (l.n_more == CT_IDMAP_RESERVE_MAX) {
			e = -E2BIG;
			break;
		}
		e = lock_block(dir_fd, u);
		if (e == -EWOULDBLOCK)
			*ret_busy_base = u;
		if (e >= 0)
			l.more[l.n_more++] = e;
		if (e >= 0)
			e = write_lease(l.more[l.n_more - 1], key);
	}
	if (e < 0) {
		ct_idmap_lease_release(&l);
		return e == -EWOULDBLOCK ? -EBUSY : e;
	}
	*ret = l;
	return 0;
}

void ct_idmap_lease_release(struct ct_idmap_lease *l)
{
	ct_close_fd(&l->fd);
	for (size_t i = 0; i < l->n_more; i++)
		ct_close_fd(&l->more[i]);
	l->n_more = 0;
}
