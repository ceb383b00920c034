/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* idmap: parsing and checking values, formatting, the pool from subuid/subgid files, block leases
 * under a temporary run dir (flock semantics across processes), and writing a real child's maps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/macro.h"
#include "common/util.h"
#include "config/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- values ---- */

static struct ct_idmap parse_all(const char *const *values)
{
	struct ct_idmap m = { 0 };
	char msg[256] = "";

	for (size_t i = 0; values[i]; i++) {
		int e = ct_idmap_parse(&m, values[i], msg, sizeof(msg));
		if (e < 0)
			print_error("'%s': %s\n", values[i], msg);
		assert_int_equal(e, 0);
	}
	return m;
}

static void test_parse_good(void **state)
{
	struct ct_idmap m = parse_all((const char *[]){ "auto", NULL });

	assert_int_equal(m.mode, CT_IDMAP_AUTO);
	assert_true(m.keyword_given);
	m = parse_all((const char *[]){ " none\t", NULL });
	assert_int_equal(m.mode, CT_IDMAP_NONE);
	m = parse_all((const char *[]){ "u 0 100000 65536", "g\t0  200000 1000",
					 "u 4294967294 7 1", "g 1000 0 4294966295", NULL });
	assert_int_equal(m.mode, CT_IDMAP_EXPLICIT);
	assert_int_equal(m.n_uid, 2);
	assert_int_equal(m.n_gid, 2);
	assert_int_equal(m.uid[0].inner, 0);
	assert_int_equal(m.uid[0].outer, 100000);
	assert_int_equal(m.uid[0].count, 65536);
	assert_int_equal(m.uid[1].inner, 4294967294u);
	assert_int_equal(m.gid[0].outer, 200000);
	assert_int_equal(m.gid[1].count, 4294966295u);
}

/* A bad value fails with a message naming the problem and leaves the map as it was. */
static void check_bad(struct ct_idmap *m, const char *value, const char *want)
{
	struct ct_idmap before = *m;
	char msg[256] = "";

	assert_int_equal(ct_idmap_parse(m, value, msg, sizeof(msg)), -EINVAL);
	if (!strstr(msg, want))
		print_error("'%s' gave \"%s\", want \"%s\"\n", value, msg, want);
	assert_non_null(strstr(msg, want));
	assert_memory_equal(&before, m, sizeof(before));
}

static void test_parse_bad(void **state)
{
	struct ct_idmap m = { 0 };
	char long_value[200];

	check_bad(&m, "", "want 'auto', 'none' or 'u|g");
	check_bad(&m, "u 0 100000", "want 'auto'");
	check_bad(&m, "u 0 1 1 extra", "want 'auto'");
	check_bad(&m, "automatic", "want 'auto'");
	check_bad(&m, "x 0 1 1", "unknown kind 'x'");
	check_bad(&m, "u a 1 1", "bad container id 'a'");
	check_bad(&m, "u +1 1 1", "bad container id '+1'");
	check_bad(&m, "u 0 -1 1", "bad host id '-1'");
	check_bad(&m, "u 4294967295 0 1", "bad container id '4294967295'");
	check_bad(&m, "g 0 4294967295 1", "bad host id '4294967295'");
	check_bad(&m, "u 0 1 0", "bad count '0'");
	check_bad(&m, "u 0 1 99999999999", "bad count");
	check_bad(&m, "u 4294967294 0 2", "goes past id 4294967294");
	check_bad(&m, "g 0 4294967200 100", "goes past id 4294967294");
	memset(long_value, '1', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	check_bad(&m, long_value, "too long");
}

static void test_parse_mixing(void **state)
{
	struct ct_idmap m = { 0 };
	char value[64], msg[256];

	assert_int_equal(ct_idmap_parse(&m, "auto", msg, sizeof(msg)), 0);
	check_bad(&m, "auto", "'auto' after 'auto'");
	check_bad(&m, "none", "'none' after 'auto'");
	check_bad(&m, "u 0 1 1", "combined with 'auto'");
	m = (struct ct_idmap){ 0 };
	assert_int_equal(ct_idmap_parse(&m, "none", msg, sizeof(msg)), 0);
	check_bad(&m, "g 0 1 1", "combined with 'none'");
	m = (struct ct_idmap){ 0 };
	for (unsigned i = 0; i < CT_IDMAP_RANGES_MAX; i++) {
		snprintf(value, sizeof(value), "u %u %u 1", i, 100000 + i);
		assert_int_equal(ct_idmap_parse(&m, value, msg, sizeof(msg)), 0);
	}
	check_bad(&m, "u 100 200 1", "more than 16 uid ranges");
	check_bad(&m, "auto", "'auto' cannot be combined with explicit ranges");
	check_bad(&m, "none", "'none' cannot be combined");
	assert_int_equal(ct_idmap_parse(&m, "g 0 1 1", msg, sizeof(msg)), 0); /* gids still room */
}

static void check_verdict(const char *const *values, const char *want)
{
	struct ct_idmap m = parse_all(values);
	char msg[256] = "";

	if (!want) {
		assert_int_equal(ct_idmap_check(&m, msg, sizeof(msg)), 0);
		return;
	}
	assert_int_equal(ct_idmap_check(&m, msg, sizeof(msg)), -EINVAL);
	if (!strstr(msg, want))
		print_error("got \"%s\", want \"%s\"\n", msg, want);
	assert_non_null(strstr(msg, want));
}

static void test_check(void **state)
{
	check_verdict((const char *[]){ NULL }, NULL);
	check_verdict((const char *[]){ "none", NULL }, NULL);
	check_verdict((const char *[]){ "u 0 100000 65536", "g 0 100000 65536", NULL }, NULL);
	check_verdict((const char *[]){ "u 0 100000 1000", "u 1000 101000 1000", "g 0 0 1",
					NULL }, NULL);
	check_verdict((const char *[]){ "u 0 100000 65536", NULL }, "no gid range");
	check_verdict((const char *[]){ "g 0 100000 65536", NULL }, "no uid range");
	check_verdict((const char *[]){ "u 1 100000 65535", "g 0 100000 65536", NULL },
		      "container uid 0 (root) is not mapped");
	check_verdict((const char *[]){ "u 0 100000 65536", "g 1 100000 10", NULL },
		      "container gid 0 (root) is not mapped");
	check_verdict((const char *[]){ "u 0 100000 1000", "u 999 300000 10", "g 0 1 1", NULL },
		      "ranges 'u 0 100000 1000' and 'u 999 300000 10' overlap in the container");
	check_verdict((const char *[]){ "g 0 100000 1000", "g 5000 100999 10", "u 0 1 1", NULL },
		      "ranges 'g 0 100000 1000' and 'g 5000 100999 10' overlap on the host");
	/* Touching ranges do not overlap. */
	check_verdict((const char *[]){ "u 0 100000 1000", "u 1000 101000 10", "g 0 1 1", NULL },
		      NULL);
}

static void test_to_host(void **state)
{
	const struct ct_idmap_range r[] = { { 0, 100000, 1000 }, { 1000, 300000, 10 },
					    { 4294967294u, 7, 1 } };

	assert_int_equal(ct_idmap_to_host(r, 3, 0), 100000);
	assert_int_equal(ct_idmap_to_host(r, 3, 999), 100999);
	assert_int_equal(ct_idmap_to_host(r, 3, 1000), 300000);
	assert_int_equal(ct_idmap_to_host(r, 3, 1009), 300009);
	assert_int_equal(ct_idmap_to_host(r, 3, 1010), -1);
	assert_int_equal(ct_idmap_to_host(r, 3, 4294967294u), 7);
	assert_int_equal(ct_idmap_to_host(r, 0, 0), -1);
}

static void test_format(void **state)
{
	struct ct_idmap m = parse_all((const char *[]){ "u 0 100000 65536", "g 0 200000 1",
							"g 1 300000 9", NULL });
	char buf[128], small[20];

	assert_int_equal(ct_idmap_format_proc(m.gid, m.n_gid, buf, sizeof(buf)), 22);
	assert_string_equal(buf, "0 200000 1\n1 300000 9\n");
	assert_int_equal(ct_idmap_format_proc(m.gid, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(ct_idmap_format_proc(m.gid, m.n_gid, small, sizeof(small)), -ENOBUFS);
	assert_int_equal(ct_idmap_format_proc(m.gid, 1, buf, 11), -ENOBUFS); /* NUL too */
	assert_int_equal(ct_idmap_format_proc(m.gid, 1, buf, 12), 11);

	assert_int_equal(ct_idmap_format(&m, buf, sizeof(buf)), 42);
	assert_string_equal(buf, "u 0 100000 65536 g 0 200000 1 g 1 300000 9");
	assert_int_equal(ct_idmap_format(&m, small, sizeof(small)), -ENOBUFS);
	m = parse_all((const char *[]){ "none", NULL });
	assert_int_equal(ct_idmap_format(&m, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "none");
	m = (struct ct_idmap){ 0 };
	assert_int_equal(ct_idmap_format(&m, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "auto");
}

/* ---- a temporary directory per test ---- */

struct fixture {
	char dir[64], subuid[128], subgid[128], rundir[128], idmap[160];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ct-idmap-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->subuid, sizeof(f->subuid), "%s/subuid", f->dir);
	snprintf(f->subgid, sizeof(f->subgid), "%s/subgid", f->dir);
	snprintf(f->rundir, sizeof(f->rundir), "%s/run", f->dir);
	snprintf(f->idmap, sizeof(f->idmap), "%s/.idmap", f->rundir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(ct_write_all(fd, text, strlen(text)), 0);
}

static void load(struct fixture *f, const char *subuid, const char *subgid,
		 struct ct_idmap_pool *ret)
{
	write_text(f->subuid, subuid);
	write_text(f->subgid, subgid);
	assert_int_equal(ct_idmap_pool_load(f->subuid, f->subgid, ret), 0);
}

static void check_block(const struct ct_idmap_pool *p, uint32_t i, uint32_t want_uid,
			uint32_t want_gid)
{
	uint32_t u = 1, g = 1, index = 7;

	assert_int_equal(ct_idmap_pool_block(p, i, &u, &g), 0);
	assert_int_equal(u, want_uid);
	assert_int_equal(g, want_gid);
	assert_int_equal(ct_idmap_pool_index(p, u, &index), 0);
	assert_int_equal(index, i);
}

/* ---- the pool ---- */

#define DEFAULT_BLOCKS ((CT_IDMAP_POOL_DEFAULT_END - CT_IDMAP_POOL_DEFAULT_START) / CT_IDMAP_SIZE)

static void test_pool_root(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p;
	uint32_t u = 1, g = 1;

	load(f, "alice:1048576:65536\nroot:1048576:131072\n", "0:2097152:65536\n", &p);
	assert_true(p.from_root);
	assert_int_equal(p.n_blocks, 1); /* two uid blocks, one gid block */
	check_block(&p, 0, 1048576, 2097152);
	assert_int_equal(ct_idmap_pool_block(&p, 1, &u, &g), -ERANGE);
	assert_int_equal(u, 1);
	/* Two adjacent ranges: the block across their seam counts, neither holds it alone. */
	load(f, "root:100000:65536\nroot:165536:65536\n", "root:131072:65536\n", &p);
	assert_int_equal(p.n_blocks, 1);
	check_block(&p, 0, 131072, 131072);
	/* Ranges that hold no whole aligned block: no pool. */
	write_text(f->subuid, "root:100000:1000\n");
	write_text(f->subgid, "root:100000:65536\n");
	assert_int_equal(ct_idmap_pool_load(f->subuid, f->subgid, &p), -ENOSPC);
	assert_int_equal(p.n_blocks, 1); /* untouched */
	/* Block 0, the host's own users, is never handed out. */
	load(f, "root:0:131072\n", "root:0:131072\n", &p);
	assert_int_equal(p.n_blocks, 1);
	check_block(&p, 0, 65536, 65536);
}

static void test_pool_default_minus_grants(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p;

	/* root is in subuid only (its subgid lines are comments or bad): the default pool. */
	load(f, "alice:524288:65536\nroot:1048576:65536\n",
	     "#carol:524288:65536\nroot:abc:1\nroot:5:0\ngarbage\n\n  \nbob:600000:10\r\n", &p);
	assert_false(p.from_root);
	/* uid side loses blocks 8 (alice) and 16 (root), gid side block 9 (bob, in part), not 8
	 * (a comment). */
	assert_int_equal(p.n_blocks, DEFAULT_BLOCKS - 2);
	check_block(&p, 0, 9 * 65536, 8 * 65536);
	check_block(&p, 1, 10 * 65536, 10 * 65536);
	check_block(&p, 7, 17 * 65536, 16 * 65536);
	/* A grant straddling the pool's start. */
	load(f, "x:0:600000\n", "", &p);
	check_block(&p, 0, 10 * 65536, 8 * 65536);
	/* The last block. */
	check_block(&p, p.n_blocks - 1, CT_IDMAP_POOL_DEFAULT_END - CT_IDMAP_SIZE,
		    CT_IDMAP_POOL_DEFAULT_END - (DEFAULT_BLOCKS - p.n_blocks + 1) * CT_IDMAP_SIZE);
}

/* More fragments than a pool has runs: the smallest go, nothing granted comes in. */
static void test_pool_fragmented(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p;
	char text[4096];
	size_t len = 0;

	/* Blocks 9, 11, .., 207 granted: runs 8, 10, .., 206 (one block each) and 208.. (the rest). */
	for (unsigned k = 0; k < 100; k++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "u%u:%u:1\n", k,
					(9 + 2 * k) * CT_IDMAP_SIZE + 5);
	load(f, text, "", &p);
	assert_int_equal(p.uid.n, CT_IDMAP_POOL_RUNS_MAX);
	assert_int_equal(p.gid.n, 1);
	assert_int_equal(p.n_blocks, CT_IDMAP_POOL_RUNS_MAX - 1 + DEFAULT_BLOCKS - 200);
	for (uint32_t i = 0; i < p.n_blocks; i++) {
		uint32_t u, g, b;

		assert_int_equal(ct_idmap_pool_block(&p, i, &u, &g), 0);
		b = u / CT_IDMAP_SIZE;
		assert_true(b >= 8 && b < CT_IDMAP_POOL_DEFAULT_END / CT_IDMAP_SIZE);
		assert_false(b <= 207 && b % 2 == 1);
	}
	check_block(&p, p.n_blocks - 1, CT_IDMAP_POOL_DEFAULT_END - CT_IDMAP_SIZE,
		    CT_IDMAP_POOL_DEFAULT_START + (p.n_blocks - 1) * CT_IDMAP_SIZE);
}

static void test_pool_missing_files(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p;
	uint32_t i = 3;

	assert_int_equal(ct_idmap_pool_load(f->subuid, f->subgid, &p), 0);
	assert_false(p.from_root);
	assert_int_equal(p.n_blocks, DEFAULT_BLOCKS);
	check_block(&p, 0, CT_IDMAP_POOL_DEFAULT_START, CT_IDMAP_POOL_DEFAULT_START);
	check_block(&p, DEFAULT_BLOCKS - 1, CT_IDMAP_POOL_DEFAULT_END - CT_IDMAP_SIZE,
		    CT_IDMAP_POOL_DEFAULT_END - CT_IDMAP_SIZE);
	assert_int_equal(ct_idmap_pool_index(&p, CT_IDMAP_POOL_DEFAULT_START + 1, &i), -ENOENT);
	assert_int_equal(ct_idmap_pool_index(&p, 0, &i), -ENOENT);
	assert_int_equal(ct_idmap_pool_index(&p, CT_IDMAP_POOL_DEFAULT_END, &i), -ENOENT);
	assert_int_equal(i, 3);
}

static void test_pool_too_big(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p = { .n_blocks = 5 };
	cleanup_close int fd = open(f->subuid, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, CT_IDMAP_SUBID_FILE_MAX + 1), 0);
	assert_int_equal(ct_idmap_pool_load(f->subuid, f->subgid, &p), -EFBIG);
	assert_int_equal(p.n_blocks, 5);
}

/* ---- leases ---- */

static struct ct_idmap_lease take(struct fixture *f, const char *name,
				  const struct ct_idmap_pool *p)
{
	struct ct_idmap_lease l = { .fd = -1 };
	struct ct_idmap m = { 0 };

	assert_int_equal(ct_idmap_allocate(f->rundir, name, p, &l, &m), 0);
	assert_true(l.fd >= 0);
	assert_int_equal(m.mode, CT_IDMAP_AUTO);
	assert_int_equal(m.n_uid, 1);
	assert_int_equal(m.n_gid, 1);
	assert_int_equal(m.uid[0].inner, 0);
	assert_int_equal(m.uid[0].outer, l.uid_base);
	assert_int_equal(m.uid[0].count, CT_IDMAP_SIZE);
	assert_int_equal(m.gid[0].outer, l.gid_base);
	assert_int_equal(m.gid[0].count, CT_IDMAP_SIZE);
	return l;
}

/* Locks a block's lease file the way another monitor would: -errno or the fd. */
static int hold(struct fixture *f, uint32_t uid_base)
{
	char path[192];
	int fd;

	snprintf(path, sizeof(path), "%s/%u", f->idmap, uid_base);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static void check_file(const char *path, const char *want)
{
	char *text = NULL;
	size_t len;

	assert_int_equal(ct_read_file(path, 4096, &text, &len), 0);
	assert_string_equal(text, want);
	free(text);
}

/* 32-bit FNV-1a, written out again: a name's first candidate is part of the contract. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 0x811c9dc5u;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x01000193u;
	}
	return h;
}

static void test_allocate_same_name_same_block(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p;
	struct ct_idmap_lease a, b;
	char path[256], want[32];
	uint32_t u, g;
	struct stat st;

	assert_int_equal(fnv1a("a"), 0xe40c292cu); /* the published test vector */
	assert_int_equal(ct_idmap_pool_load(f->subuid, f->subgid, &p), 0);
	a = take(f, "web", &p);
	assert_int_equal(ct_idmap_pool_block(&p, fnv1a("web") % p.n_blocks, &u, &g), 0);
	assert_int_equal(a.uid_base, u); /* a fresh name starts at its hash */
	assert_int_equal(a.gid_base, g);
	assert_int_equal(hold(f, a.uid_base), -EWOULDBLOCK);
	assert_int_equal(stat(f->idmap, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/%u", f->idmap, a.uid_base);
	check_file(path, "web\n");
	snprintf(path, sizeof(path), "%s/names/web", f->idmap);
	snprintf(want, sizeof(want), "%u\n", a.uid_base);
	check_file(path, want);
	ct_idmap_lease_release(&a);
	assert_int_equal(a.fd, -1);
	ct_idmap_lease_release(&a); /* -1 safe */
	b = take(f, "web", &p);
	assert_int_equal(b.uid_base, a.uid_base);
	assert_int_equal(b.gid_base, a.gid_base);
	ct_idmap_lease_release(&b);
}

static void test_allocate_record_wins_over_hash(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p;
	struct ct_idmap_lease a, b, c;
	int other;

	assert_int_equal(ct_idmap_pool_load(f->subuid, f->subgid, &p), 0);
	a = take(f, "web", &p); /* its hash block */
	ct_idmap_lease_release(&a);
	/* Someone else holds the name's recorded block: it gets another, which is recorded. */
	other = hold(f, a.uid_base);
	assert_true(other >= 0);
	b = take(f, "web", &p);
	assert_int_not_equal(b.uid_base, a.uid_base);
	assert_int_not_equal(b.gid_base, a.gid_base);
	ct_idmap_lease_release(&b);
	close(other);
	/* Both free now: the record, not the hash, decides. */
	c = take(f, "web", &p);
	assert_int_equal(c.uid_base, b.uid_base);
	ct_idmap_lease_release(&c);
}

static void test_allocate_disjoint(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
	struct ct_idmap_lease l[ARRAY_SIZE(names)];
	struct ct_idmap_pool p;

	/* Eight names into eight blocks: hash collisions are certain to be probed past. */
	load(f, "root:1048576:524288\n", "root:2097152:524288\n", &p);
	assert_int_equal(p.n_blocks, 8);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		l[i] = take(f, names[i], &p);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		for (size_t j = i + 1; j < ARRAY_SIZE(names); j++) {
			assert_int_not_equal(l[i].uid_base, l[j].uid_base);
			assert_int_not_equal(l[i].gid_base, l[j].gid_base);
		}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		ct_idmap_lease_release(&l[i]);
}

static void test_allocate_enospc(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_lease a, b, c = { .fd = -7, .uid_base = 1, .gid_base = 2 };
	struct ct_idmap m = { .mode = CT_IDMAP_NONE };
	struct ct_idmap_pool p;

	load(f, "root:1048576:131072\n", "root:1048576:131072\n", &p);
	assert_int_equal(p.n_blocks, 2);
	a = take(f, "a", &p);
	b = take(f, "b", &p);
	assert_int_not_equal(a.uid_base, b.uid_base);
	assert_int_equal(ct_idmap_allocate(f->rundir, "c", &p, &c, &m), -ENOSPC);
	assert_int_equal(c.fd, -7); /* untouched */
	assert_int_equal(m.mode, CT_IDMAP_NONE);
	ct_idmap_lease_release(&a);
	c = take(f, "c", &p);
	assert_int_equal(c.uid_base, a.uid_base);
	ct_idmap_lease_release(&b);
	ct_idmap_lease_release(&c);
	assert_int_equal(ct_idmap_allocate(f->rundir, ".hidden", &p, &c, &m), -EINVAL);
}

/* Explicit ranges inside the pool hold its blocks: auto does not hand them out meanwhile, and a
 * second container whose explicit ranges overlap a held block is refused. */
static void test_reserve_explicit(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_lease r = { .fd = -1 }, r2 = { .fd = -1 }, a, b;
	struct ct_idmap m = parse_all((const char *const[]){ "u 0 1048576 65536",
							      "g 0 1048576 65536", NULL });
	struct ct_idmap outside = parse_all((const char *const[]){ "u 0 3000000000 65536",
								    "g 0 3000000000 65536", NULL });
	struct ct_idmap_lease nothing = { .fd = -1 };
	struct ct_idmap_pool p;
	uint32_t busy = 0;

	load(f, "root:1048576:131072\n", "root:1048576:131072\n", &p);
	assert_int_equal(ct_idmap_reserve(f->rundir, "x", &p, &m, &r, &busy), 0);
	assert_int_equal(r.n_more, 1);
	assert_int_equal(r.fd, -1);
	/* auto gets the other block only, then none */
	a = take(f, "a", &p);
	assert_int_equal(a.uid_base, 1048576 + 65536);
	assert_int_equal(ct_idmap_allocate(f->rundir, "b", &p, &b, &(struct ct_idmap){ 0 }), -ENOSPC);
	/* an overlapping explicit map is refused, naming the block */
	assert_int_equal(ct_idmap_reserve(f->rundir, "y", &p, &m, &r2, &busy), -EBUSY);
	assert_int_equal(busy, 1048576);
	assert_int_equal(r2.n_more, 0);
	/* ranges outside the pool hold nothing */
	assert_int_equal(ct_idmap_reserve(f->rundir, "z", &p, &outside, &nothing, &busy), 0);
	assert_int_equal(nothing.n_more, 0);
	ct_idmap_lease_release(&r);
	b = take(f, "b", &p);
	assert_int_equal(b.uid_base, 1048576);
	ct_idmap_lease_release(&a);
	ct_idmap_lease_release(&b);
}

/* A monitor that dies without releasing (SIGKILL, _exit) frees its block with its last fd. */
static void test_allocate_dead_holder(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p;
	struct ct_idmap_lease l;
	int up[2], down[2], st;
	uint32_t base = 0;
	pid_t pid;

	assert_int_equal(ct_idmap_pool_load(f->subuid, f->subgid, &p), 0);
	assert_int_equal(pipe2(up, O_CLOEXEC), 0);
	assert_int_equal(pipe2(down, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ct_idmap m;
		char c;

		alarm(10);
		if (ct_idmap_allocate(f->rundir, "kid", &p, &l, &m) < 0)
			_exit(1);
		if (write(up[1], &l.uid_base, sizeof(l.uid_base)) != sizeof(l.uid_base))
			_exit(2);
		_exit(read(down[0], &c, 1) == 1 ? 0 : 3); /* no release */
	}
	close(up[1]);
	close(down[0]);
	assert_int_equal(read(up[0], &base, sizeof(base)), sizeof(base));
	close(up[0]);
	assert_int_equal(hold(f, base), -EWOULDBLOCK);
	assert_int_equal(write(down[1], "x", 1), 1);
	close(down[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	l = take(f, "kid", &p); /* its recorded block, free again */
	assert_int_equal(l.uid_base, base);
	ct_idmap_lease_release(&l);
}

static void check_refused(struct fixture *f, const struct ct_idmap_pool *p)
{
	struct ct_idmap_lease l = { .fd = -7 };
	struct ct_idmap m = { 0 };

	assert_int_equal(ct_idmap_allocate(f->rundir, "web", p, &l, &m), -EPERM);
	assert_int_equal(l.fd, -7);
}

static void test_allocate_unsafe_dir(void **state)
{
	struct fixture *f = *state;
	struct ct_idmap_pool p;
	char other[128], names[192];

	assert_int_equal(ct_idmap_pool_load(f->subuid, f->subgid, &p), 0);
	assert_int_equal(mkdir(f->rundir, 0755), 0);
	assert_int_equal(mkdir(f->idmap, 0700), 0);
	assert_int_equal(chmod(f->idmap, 0777), 0);
	check_refused(f, &p);
	assert_int_equal(chmod(f->idmap, 0720), 0);
	check_refused(f, &p);
	assert_int_equal(chmod(f->idmap, 0700), 0);
	snprintf(names, sizeof(names), "%s/names", f->idmap);
	assert_int_equal(mkdir(names, 0700), 0);
	assert_int_equal(chmod(names, 0703), 0);
	check_refused(f, &p);
	assert_int_equal(rmdir(names), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(f->idmap, 12345, 12345), 0);
		check_refused(f, &p);
	}
	assert_int_equal(rmdir(f->idmap), 0);
	/* A symlink to a good directory, and a plain file. */
	snprintf(other, sizeof(other), "%s/elsewhere", f->dir);
	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(symlink(other, f->idmap), 0);
	check_refused(f, &p);
	assert_int_equal(unlink(f->idmap), 0);
	write_text(f->idmap, "");
	check_refused(f, &p);
}

/* ---- writing a real child's maps ---- */

static void read_map(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64], *raw = NULL, *out = buf;
	unsigned a, b, c;
	size_t len;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	assert_int_equal(ct_read_file(path, 4096, &raw, &len), 0);
	/* The kernel pads columns: normalise to "A B C\n" lines. */
	buf[0] = '\0';
	for (char *line = raw; sscanf(line, "%u %u %u%n", &a, &b, &c, &n) == 3;) {
		out += snprintf(out, size - (size_t)(out - buf), "%u %u %u\n", a, b, c);
		line += n;
	}
	free(raw);
}

/* The child: a new user namespace, then waits for its maps and becomes root in it. */
static _Noreturn void userns_child(int ready_fd, int go_fd)
{
	int r;
	char c;

	alarm(10);
	r = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
	if (write(ready_fd, &r, sizeof(r)) != sizeof(r) || r)
		_exit(2);
	if (read(go_fd, &c, 1) != 1)
		_exit(3);
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		_exit(4);
	_exit(getuid() == 0 && getgid() == 0 ? 0 : 5);
}

static void test_write(void **state)
{
	struct ct_idmap m = parse_all((const char *[]){ "u 0 100000 1000", "u 1000 300000 64536",
							"g 0 200000 65536", NULL });
	int ready[2], go[2], r = -1, st;
	char buf[256];
	pid_t pid;

	if (geteuid() != 0)
		skip();
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		userns_child(ready[1], go[0]);
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &r, sizeof(r)), sizeof(r));
	close(ready[0]);
	if (r == EPERM || r == EINVAL || r == ENOSPC) {
		close(go[1]);
		waitpid(pid, &st, 0);
		skip();
	}
	assert_int_equal(r, 0);
	assert_int_equal(ct_idmap_write(pid, &m), 0);
	read_map(pid, "uid_map", buf, sizeof(buf));
	assert_string_equal(buf, "0 100000 1000\n1000 300000 64536\n");
	read_map(pid, "gid_map", buf, sizeof(buf));
	assert_string_equal(buf, "0 200000 65536\n");
	assert_int_equal(ct_idmap_write(pid, &m), -EPERM); /* a map is written once */
	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	m.mode = CT_IDMAP_NONE;
	assert_int_equal(ct_idmap_write(getpid(), &m), -EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_mixing),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_to_host),
		cmocka_unit_test(test_format),
		T(test_pool_root),
		T(test_pool_default_minus_grants),
		T(test_pool_fragmented),
		T(test_pool_missing_files),
		T(test_pool_too_big),
		T(test_allocate_same_name_same_block),
		T(test_allocate_record_wins_over_hash),
		T(test_allocate_disjoint),
		T(test_allocate_enospc),
		T(test_reserve_explicit),
		T(test_allocate_dead_holder),
		T(test_allocate_unsafe_dir),
		cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
