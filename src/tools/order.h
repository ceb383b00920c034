/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one start order (ctstart --all, ct-generator) and its reverse (ctstop --all): groups first
 * (no group before any named group, named groups by name), then start.order (lower first), then
 * the name. Containers of the same group and order form a batch: they start, and stop, together. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct ct_order_entry {
	const char *name;
	const char *group; /* "" or NULL: none */
	int32_t order;
	uint32_t delay;    /* seconds the next batch waits after this one has started */
	const char *config; /* the config file, where known */
	const void *data;   /* the caller's (ct_plan: the struct ct_config) */
};

int ct_order_cmp(const struct ct_order_entry *a, const struct ct_order_entry *b);
/* Sorts e into start order. */
void ct_order_sort(struct ct_order_entry *e, size_t n);
/* In a sorted array: the number of entries from i on that share e[i]'s group and order. */
size_t ct_order_batch_len(const struct ct_order_entry *e, size_t n, size_t i);
/* The longest start.delay in the batch e[i .. i+len). */
uint32_t ct_order_batch_delay(const struct ct_order_entry *e, size_t i, size_t len);
