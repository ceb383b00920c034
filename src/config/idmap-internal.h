/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the id map values (idmap.c) and the pool and leases (idmap-pool.c) share. */
#pragma once

#include "idmap.h"

#include <errno.h>
#include <stdint.h>

#define BLOCK_FIRST 1u      /* block 0 holds the host's own users */
#define BLOCK_END 65535u    /* exclusive: the last block holds (uid_t)-1 */
#define ALLOCATE_TRIES_MAX 65536u

/* A whole decimal number in [0, max], digits only. ct_parse_long would do on LP64, but not
 * where long has 32 bits and ids go up to 2^32 - 2. */
static inline int ct_idmap_parse_u32(const char *s, uint32_t max, uint32_t *ret)
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

static inline uint32_t ct_idmap_min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}
