/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the profile's line parser (seccomp-parse.c, pure text to structs) and the compiler
 * (seccomp.c, structs to libseccomp to BPF) share. */
#pragma once

#include "seccomp-profile.h"

#include <linux/filter.h>
#include <seccomp.h> /* libseccomp */
#include <stdbool.h>
#include <stdint.h>

#define SC_ARGS_MAX 6        /* a syscall has at most six arguments */
#define SC_WORDS_MAX 16      /* NAME errno N and six filters fit with room for a clear error */
#define SC_NAME_MAX 64       /* longer syscall names do not exist */
#define SC_ARCH_ALL 0        /* the section token of [all] (SCMP_ARCH_NATIVE is never a section) */
#define SC_ERRNO_MAX 4094    /* the kernel takes up to 4095, libseccomp 2.5 one less */

/* One argument filter, `[INDEX,VALUE,OP]` or `[INDEX,VALUE,OP,MASK]`. */
struct sc_arg {
	unsigned index;
	enum scmp_compare op;
	uint64_t value;
	uint64_t mask; /* SCMP_CMP_MASKED_EQ only: the rule matches when (arg & mask) == value */
};

/* One rule line: `NAME [ACTION] [FILTER...]`. */
struct sc_rule {
	const char *name;   /* borrowed from the split line */
	bool has_action;
	uint32_t action;
	unsigned n_args;
	struct sc_arg args[SC_ARGS_MAX];
};

/* Each parser below returns 0, or -EINVAL with the reason in msg (msg_size bytes). */

/* Splits s in place into at most max words: blanks separate, a word starting with '[' runs to
 * its ']' (blanks included), and a word starting with '#' ends the line (a comment). Returns
 * the number of words, or max + 1 when there are more. */
size_t sc_split(char *s, char **words, size_t max);
/* "1" or "2". */
int sc_parse_version(char **words, size_t n, int *ret, char *msg, size_t msg_size);
/* `denylist|blacklist|allowlist|whitelist [ACTION]`; *ret_has_default tells whether an action
 * was given. Version 1 takes only an allowlist without an action. */
int sc_parse_policy(char **words, size_t n, int version, bool *ret_allowlist,
		    bool *ret_has_default, uint32_t *ret_default, char *msg, size_t msg_size);
/* `[NAME]`: SC_ARCH_ALL or the libseccomp token of the architecture. */
int sc_parse_section(char **words, size_t n, uint32_t *ret, char *msg, size_t msg_size);
/* A version 2 rule line. */
int sc_parse_rule(char **words, size_t n, struct sc_rule *ret, char *msg, size_t msg_size);
/* A version 1 line: one syscall number of the native architecture. */
int sc_parse_number(char **words, size_t n, int *ret, char *msg, size_t msg_size);

/* The action "kill" stands for: the whole process where the kernel can (Linux 4.14), so that a
 * multi-threaded program cannot live on with a thread missing. */
uint32_t sc_action_kill(void);

/* The compiler itself (seccomp.c). in_process: -EAGAIN, nothing else filled, for a profile
 * that may hang libseccomp (two argument-filtered rules for one syscall, one with an inverted
 * comparison: !=, < or <=), which
 * ct_seccomp_parse() then compiles in a child with a deadline (seccomp-bounded.c). */
int sc_compile(const char *text, size_t len, const char *name, bool in_process,
	       struct ct_seccomp **ret, struct ct_file_error *err);
/* A filter from its parts (taking warnings), and its instructions. */
struct ct_seccomp *sc_filter_new(const struct sock_filter *insns, size_t n, size_t n_rules,
				 char **warnings);
const struct sock_filter *sc_filter_insns(const struct ct_seccomp *f, size_t *ret_n);
