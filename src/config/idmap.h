/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespace id maps: the `idmap` config values, writing /proc/PID/{uid,gid}_map, and the pool
 * that `idmap = auto` takes a private 65536-id block from, one per running container, held by an
 * flock so that a killed monitor's block frees itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CT_IDMAP_RANGES_MAX 16 /* per kind, explicit form (the kernel takes up to 340) */
#define CT_IDMAP_SIZE 65536    /* ids in an auto range */
#define CT_IDMAP_POOL_DEFAULT_START 0x80000u   /* default pool, as systemd-nspawn -U picks from */
#define CT_IDMAP_POOL_DEFAULT_END 0x70000000u  /* exclusive */
#define CT_IDMAP_ID_MAX 4294967294u            /* (uid_t)-1 is no id: the last one mappable */

enum ct_idmap_mode { CT_IDMAP_AUTO = 0, CT_IDMAP_NONE, CT_IDMAP_EXPLICIT };

/* Container ids inner .. inner+count-1 are host ids outer .. outer+count-1. */
struct ct_idmap_range {
	uint32_t inner, outer, count;
};

/* Zero-initialised: auto, unresolved. ct_idmap_allocate() resolves auto into one range per kind
 * (mode stays CT_IDMAP_AUTO, n_uid = n_gid = 1). */
struct ct_idmap {
	enum ct_idmap_mode mode;
	bool keyword_given; /* "auto" or "none" was written: it may not be repeated or mixed */
	size_t n_uid, n_gid;
	struct ct_idmap_range uid[CT_IDMAP_RANGES_MAX], gid[CT_IDMAP_RANGES_MAX];
};

/* Adds one `idmap` value ("auto", "none" or "u|g INNER OUTER COUNT") to m. -EINVAL with the reason
 * in msg: bad syntax, numbers out of range (count 0, a range past CT_IDMAP_ID_MAX), more than
 * CT_IDMAP_RANGES_MAX ranges of a kind, auto/none repeated or mixed with ranges. m is untouched
 * on failure. */
int ct_idmap_parse(struct ct_idmap *m, const char *value, char *msg, size_t msg_size);
/* After every value: an explicit map needs both u and g ranges, maps container uid 0 and gid 0,
 * and ranges of one kind overlap neither on the container side nor on the host side. */
int ct_idmap_check(const struct ct_idmap *m, char *msg, size_t msg_size);
/* The host id of container id inner, or -1 if unmapped. */
int64_t ct_idmap_to_host(const struct ct_idmap_range *r, size_t n, uint32_t inner);
/* "INNER OUTER COUNT\n" lines, as /proc/PID/uid_map wants. Returns the length; -ENOBUFS if it
 * does not fit. */
int ct_idmap_format_proc(const struct ct_idmap_range *r, size_t n, char *buf, size_t size);
/* For people: "u 0 100000 65536 g 0 100000 65536", "none", or "auto" while unresolved. Returns
 * the length; -ENOBUFS if it does not fit. */
int ct_idmap_format(const struct ct_idmap *m, char *buf, size_t size);
/* Writes /proc/PID/uid_map then gid_map, each in one write(). The caller is root in the parent
 * user namespace, so setgroups stays "allow". -EINVAL for "none" or a kind without ranges. */
int ct_idmap_write(pid_t pid, const struct ct_idmap *m);

/* The pool: runs of whole blocks of the host id space, block b being the ids
 * b*CT_IDMAP_SIZE .. (b+1)*CT_IDMAP_SIZE-1. Block 0 (the host's own users) and the last block
 * (it holds (uid_t)-1) are never in a pool. */
#define CT_IDMAP_POOL_RUNS_MAX 64
#define CT_IDMAP_SUBID_FILE_MAX (1024 * 1024)

struct ct_idmap_blocks {
	uint32_t first, count;
};

/* Sorted, disjoint runs. A pool more fragmented than CT_IDMAP_POOL_RUNS_MAX runs loses its
 * smallest pieces: a smaller pool never hands out an id granted to someone else. */
struct ct_idmap_pool_side {
	size_t n;
	struct ct_idmap_blocks run[CT_IDMAP_POOL_RUNS_MAX];
};

/* Block i pairs the i-th uid block with the i-th gid block, for i < n_blocks. */
struct ct_idmap_pool {
	struct ct_idmap_pool_side uid, gid;
	uint32_t n_blocks;
	bool from_root; /* root's subuid/subgid ranges, not the default pool */
};

/* Reads subuid/subgid files (a missing file has no entries; lines "NAME_OR_UID:START:COUNT",
 * '#' comments, bad lines ignored; -EFBIG past CT_IDMAP_SUBID_FILE_MAX). If root ("root" or
 * "0") has entries in both, the pool is root's ranges (uids from subuid, gids from subgid).
 * Otherwise it is [CT_IDMAP_POOL_DEFAULT_START, CT_IDMAP_POOL_DEFAULT_END) minus every block
 * that either file grants, even in part, to anyone (uid side minus subuid grants, gid side minus
 * subgid grants). -ENOSPC if the pool has no block. */
int ct_idmap_pool_load(const char *subuid_path, const char *subgid_path, struct ct_idmap_pool *ret);
/* The host id bases of block i. -ERANGE if i >= n_blocks. */
int ct_idmap_pool_block(const struct ct_idmap_pool *p, uint32_t i, uint32_t *ret_uid_base,
			uint32_t *ret_gid_base);
/* The index of the block whose uid base is uid_base. -ENOENT if it is no block of this pool. */
int ct_idmap_pool_index(const struct ct_idmap_pool *p, uint32_t uid_base, uint32_t *ret_i);

/* fd: the flock on RUNDIR/.idmap/<uid_base>, held for the monitor's life. It is O_CLOEXEC, but
 * a forked child that does not exec shares the lock until it exits too. */
#define CT_IDMAP_RESERVE_MAX 64 /* pool blocks explicit ranges may overlap */
struct ct_idmap_lease {
	int fd;
	uint32_t uid_base, gid_base;
	size_t n_more;                     /* explicit ranges: the pool blocks they overlap, */
	int more[CT_IDMAP_RESERVE_MAX];    /* each held like an auto container's block */
};

/* Takes a free block of the pool for container name under RUNDIR/.idmap (created 0700; -EPERM if
 * it is a symlink, not a directory, not owned by root or us, or writable by group or others). The
 * block recorded for the name by an earlier allocation is tried first, else FNV-1a(name) mod
 * n_blocks, then the next ones with wrap-around. On success the name is written into the lease
 * file, the block recorded in RUNDIR/.idmap/names/NAME, *ret filled (the caller owns ret->fd)
 * and *ret_map set to the resolved auto map. -ENOSPC when every block is held. */
int ct_idmap_allocate(const char *rundir, const char *name, const struct ct_idmap_pool *pool,
		      struct ct_idmap_lease *ret, struct ct_idmap *ret_map);
/* Explicit ranges (map) that overlap blocks of the pool take those blocks' leases, so that no
 * auto container is given ids a running explicit one uses, nor the reverse. Ranges outside the
 * pool take nothing (keeping those apart is the operator's part). -EBUSY when a running
 * container holds one of the blocks (*ret_busy_base says which), -E2BIG past
 * CT_IDMAP_RESERVE_MAX blocks. *ret's fd is -1, its uid_base and gid_base 0. */
int ct_idmap_reserve(const char *rundir, const char *key, const struct ct_idmap_pool *pool,
		     const struct ct_idmap *map, struct ct_idmap_lease *ret,
		     uint32_t *ret_busy_base);
/* Drops the lock (closes the fd; -1 safe). The files stay: a stale lease file blocks nothing. */
void ct_idmap_lease_release(struct ct_idmap_lease *l);
