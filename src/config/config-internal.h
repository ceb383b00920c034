/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the parser core (config.c) and the key handlers (config-keys.c) share. */
#pragma once

#include "config.h"

#include <stdbool.h>

/* Room for the keys' first lines; the table itself says how many there are. */
#define CT_CONFIG_KEYS_MAX 64

struct parser {
	struct ct_config *c;
	struct ct_file_error *err;
	const char *name;  /* the file name as given (base for relative rootfs values), or NULL */
	const char *label; /* the file name in errors */
	unsigned line;
	const char *key;   /* the key of the current line once known, for errors */
	bool failed;       /* err has been filled */
	unsigned first_line[CT_CONFIG_KEYS_MAX];
};

struct config_key {
	const char *name;
	int (*parse)(struct parser *p, const char *value);
	bool list; /* may repeat, each occurrence adds; otherwise a second occurrence is an error */
};

extern const struct config_key ct_config_keys[];
extern const size_t ct_config_n_keys;

/* Fills err for the current line and key with a formatted reason; returns -EINVAL. */
__attribute__((format(printf, 2, 3)))
int ct_config_fail(struct parser *p, const char *fmt, ...);
/* The cgroup.* key handlers (config-cgroup.c). */
int ct_config_parse_cgroup_parent(struct parser *p, const char *value);
int ct_config_parse_memory_max(struct parser *p, const char *value);
int ct_config_parse_pids_max(struct parser *p, const char *value);
int ct_config_parse_cpu_weight(struct parser *p, const char *value);
int ct_config_parse_cpu_max(struct parser *p, const char *value);
int ct_config_parse_cgroup_v1(struct parser *p, const char *value);
int ct_config_parse_max_depth(struct parser *p, const char *value);
int ct_config_parse_max_descendants(struct parser *p, const char *value);

/* autostart, start.order, start.delay, group (config-start.c). */
int ct_config_parse_autostart(struct parser *p, const char *value);
int ct_config_parse_start_order(struct parser *p, const char *value);
int ct_config_parse_start_delay(struct parser *p, const char *value);
int ct_config_parse_group(struct parser *p, const char *value);
/* A boolean value (1 0 yes no true false on off, any case) into *ret; an error names the key. */
int ct_config_parse_bool(struct parser *p, const char *value, bool *ret);

/* net.N.* (config-net.c): one key, and the check of them all once parsed. */
int ct_config_parse_net(struct parser *p, const char *key, const char *value);
int ct_config_check_net(const struct ct_config *c, const char *file, struct ct_file_error *err);

/* Replaces *dst (freed) with src (taken). */
void ct_config_strv_replace(char ***dst, char **src);
