/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What cgroup.c and cgroup-ops.c share: reading and writing a cgroup's files. */
#pragma once

#include "cgroup.h"

int ct_cg_write(const char *dir, const char *file, const char *value);
/* Reads a small file into buf (NUL-terminated). */
int ct_cg_read(const char *dir, const char *file, char *buf, size_t size);
/* Writes the configured limits; *what names the file on failure. */
int ct_cg_apply_limits(const struct ct_cgroup *cg, const struct ct_cgroup_config *cfg, char *what,
		       size_t what_size);
