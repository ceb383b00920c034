/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The start order of many containers: see order.h. */
#include "order.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *group_of(const struct ct_order_entry *e)
{
	return e->group ? e->group : "";
}

/* The place of a batch, without the name. */
static int batch_cmp(const struct ct_order_entry *a, const struct ct_order_entry *b)
{
	int r = strcmp(group_of(a), group_of(b)); /* "" sorts first */

	if (r)
		return r;
	return (a->order > b->order) - (a->order < b->order);
}

int ct_order_cmp(const struct ct_order_entry *a, const struct ct_order_entry *b)
{
	int r = batch_cmp(a, b);

	return r ? r : strcmp(a->name, b->name);
}

static int cmp_qsort(const void *a, const void *b)
{
	return ct_order_cmp(a, b);
}

void ct_order_sort(struct ct_order_entry *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof(*e), cmp_qsort);
}

size_t ct_order_batch_len(const struct ct_order_entry *e, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && batch_cmp(&e[i], &e[j]) == 0)
		j++;
	return i < n ? j - i : 0;
}

uint32_t ct_order_batch_delay(const struct ct_order_entry *e, size_t i, size_t len)
{
	uint32_t d = 0;

	for (size_t k = i; k < i + len; k++)
		if (e[k].delay > d)
			d = e[k].delay;
	return d;
}
