/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp room's one public header. Seccomp profiles in LXC's text format (version 1 and 2), compiled with libseccomp in the parent
 * into a BPF program that the child installs between clone and exec without allocating. The
 * grammar and the decisions (unknown syscalls, architectures) are described in seccomp.c. */
#pragma once

#include "common/linefile.h"
#include "common/macro.h"

#include <stddef.h>

#define CT_SECCOMP_LINE_MAX 1024             /* longer lines are an error */
#define CT_SECCOMP_FILE_MAX (1024 * 1024)    /* ct_seccomp_load() refuses larger files (-EFBIG) */
#define CT_SECCOMP_RULES_MAX 4096            /* rule lines per profile, to bound compile time */

struct ct_seccomp; /* a compiled filter: the BPF program, ready to install */

/* Parses and compiles a profile file. -EINVAL with err filled (file, line, key, message) for bad
 * content; other -errno (with err filled) when the file cannot be read. */
int ct_seccomp_load(const char *path, struct ct_seccomp **ret, struct ct_file_error *err);
/* Same from memory (NUL bytes are an error); name is used in errors. For tests and fuzzing. */
int ct_seccomp_parse(const char *text, size_t len, const char *name, struct ct_seccomp **ret,
		     struct ct_file_error *err);
/* In the child between clone and exec: installs the filter with seccomp(SECCOMP_SET_MODE_FILTER)
 * (TSYNC not needed: single-threaded). Allocates nothing. -errno on failure; the kernel wants
 * no_new_privs or CAP_SYS_ADMIN, else -EACCES. */
int ct_seccomp_install(const struct ct_seccomp *f);
void ct_seccomp_free(struct ct_seccomp *f);
/* Number of rules compiled, for logs and tests. */
size_t ct_seccomp_rule_count(const struct ct_seccomp *f);
/* Number of BPF instructions in the compiled program. */
size_t ct_seccomp_insn_count(const struct ct_seccomp *f);
/* Rules that were skipped because libseccomp does not know the syscall name, as ready-to-log
 * messages ("FILE:LINE: unknown syscall 'NAME', rule skipped"). NULL-terminated, NULL when none;
 * borrowed from f. */
char *const *ct_seccomp_warnings(const struct ct_seccomp *f);

static inline void ct_seccomp_freep(struct ct_seccomp **f)
{
	ct_seccomp_free(*f);
}
#define cleanup_seccomp _cleanup_(ct_seccomp_freep)
