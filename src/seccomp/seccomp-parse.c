/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The line parser for seccomp profiles: words to version, policy, section and rule structs, with a
 * precise reason for every refusal. Pure text work; seccomp.c feeds the results to libseccomp. */
#include "seccomp-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A filter is short: "[5,0xffffffffffffffff,SCMP_CMP_MASKED_EQ,0xffffffffffffffff]" is 61. */
#define ARG_TEXT_MAX 128

static bool is_blank(char ch)
{
	/* '\r' counts as blank, so CRLF files parse like LF files. */
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static char *word_end(char *s)
{
	/* A filter may contain blanks ("[0, 1, ==]"); text glued after its ']' stays in the word,
	 * so that the filter parser can refuse it instead of it being silently cut off. */
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (!close)
			return s + strlen(s);
		s = close + 1;
	}
	while (*s && !is_blank(*s))
		s++;
	return s;
}

size_t sc_split(char *s, char **words, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max)
			return max + 1;
		words[n++] = s;
		s = word_end(s);
		if (!*s)
			return n;
		*s++ = '\0';
	}
}

int sc_parse_version(char **words, size_t n, int *ret, char *msg, size_t msg_size)
{
	if (n == 1 && strcmp(words[0], "1") == 0)
		*ret = 1;
	else if (n == 1 && strcmp(words[0], "2") == 0)
		*ret = 2;
	else
		return ct_fail_msg(msg, msg_size, "expected the profile version, '1' or '2', got '%.64s'",
			    words[0]);
	return 0;
}

/* Parses the action at words[*pos] (two words for "errno N") and advances *pos past it. */
static int parse_action(char **words, size_t n, size_t *pos, uint32_t *ret, char *msg,
			size_t msg_size)
{
	const char *a = words[*pos];
	long e;

	if (strcmp(a, "kill") == 0)
		*ret = sc_action_kill();
	else if (strcmp(a, "allow") == 0)
		*ret = SCMP_ACT_ALLOW;
	else if (strcmp(a, "trap") == 0)
		*ret = SCMP_ACT_TRAP;
	else if (strcmp(a, "notify") == 0)
		return ct_fail_msg(msg, msg_size, "action 'notify' is not supported (no seccomp notifier)");
	else if (strcmp(a, "errno") != 0)
		return ct_fail_msg(msg, msg_size, "unknown action '%.64s' (expected kill, errno N, allow or "
			    "trap)", a);
	else if (*pos + 1 >= n || words[*pos + 1][0] == '[')
		return ct_fail_msg(msg, msg_size, "action 'errno' needs a number");
	else if (ct_parse_long(words[++*pos], 0, SC_ERRNO_MAX, &e) < 0)
		return ct_fail_msg(msg, msg_size, "bad errno number '%.64s' (expected 0..%d)", words[*pos],
			    SC_ERRNO_MAX);
	else
		*ret = SCMP_ACT_ERRNO((uint32_t)e);
	++*pos;
	return 0;
}

int sc_parse_policy(char **words, size_t n, int version, bool *ret_allowlist,
		    bool *ret_has_default, uint32_t *ret_default, char *msg, size_t msg_size)
{
	/* LXC renamed blacklist/whitelist but still reads the old words; so do we. */
	bool deny = strcmp(words[0], "denylist") == 0 || strcmp(words[0], "blacklist") == 0;
	bool allow = strcmp(words[0], "allowlist") == 0 || strcmp(words[0], "whitelist") == 0;
	uint32_t action = 0;
	size_t pos = 1;

	if (!deny && !allow)
		return ct_fail_msg(msg, msg_size, "expected the policy, 'denylist' or 'allowlist', got "
			    "'%.64s'", words[0]);
	if (version == 1 && (deny || n > 1))
		return ct_fail_msg(msg, msg_size, "a version 1 profile is a plain 'allowlist'");
	if (pos < n && parse_action(words, n, &pos, &action, msg, msg_size) < 0)
		return -EINVAL;
	if (pos < n)
		return ct_fail_msg(msg, msg_size, "unexpected '%.64s' after the default action", words[pos]);
	*ret_allowlist = allow;
	*ret_has_default = n > 1;
	*ret_default = action;
	return 0;
}

static const struct {
	const char *name;
	uint32_t token;
} sections[] = {
	{ "all", SC_ARCH_ALL },
	{ "x86", SCMP_ARCH_X86 },           { "i386", SCMP_ARCH_X86 },
	{ "x86_64", SCMP_ARCH_X86_64 },     { "amd64", SCMP_ARCH_X86_64 },
	{ "x32", SCMP_ARCH_X32 },
	{ "arm", SCMP_ARCH_ARM },           { "arm64", SCMP_ARCH_AARCH64 },
	{ "aarch64", SCMP_ARCH_AARCH64 },
	{ "ppc", SCMP_ARCH_PPC },           { "ppc64", SCMP_ARCH_PPC64 },
	{ "ppc64le", SCMP_ARCH_PPC64LE },
	{ "mips", SCMP_ARCH_MIPS },         { "mips64", SCMP_ARCH_MIPS64 },
	{ "mips64n32", SCMP_ARCH_MIPS64N32 },
	{ "mipsel", SCMP_ARCH_MIPSEL },     { "mipsel64", SCMP_ARCH_MIPSEL64 },
	{ "mipsel64n32", SCMP_ARCH_MIPSEL64N32 },
	{ "s390", SCMP_ARCH_S390 },         { "s390x", SCMP_ARCH_S390X },
	{ "riscv64", SCMP_ARCH_RISCV64 },
};

int sc_parse_section(char **words, size_t n, uint32_t *ret, char *msg, size_t msg_size)
{
	const char *w = words[0];
	size_t len = strlen(w);

	if (n > 1 || w[len - 1] != ']')
		return ct_fail_msg(msg, msg_size, "an architecture section is '[NAME]' alone on its line");
	/* LXC takes "[x86_64]" and "[X86_64]"; any case is as clear. */
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (strlen(sections[i].name) == len - 2 &&
		    strncasecmp(w + 1, sections[i].name, len - 2) == 0) {
			*ret = sections[i].token;
			return 0;
		}
	return ct_fail_msg(msg, msg_size, "unknown architecture section");
}

static bool name_valid(const char *s)
{
	/* Syscall names are C identifiers in lower case ("_llseek", "epoll_wait2"). */
	if (!*s || strlen(s) >= SC_NAME_MAX || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	/* strtoull() would take blanks, a sign and wrap "-1" around: only digits may start. */
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end || errno)
		return false;
	*ret = v;
	return true;
}

static bool parse_op(const char *s, enum scmp_compare *ret)
{
	static const struct {
		const char *name, *symbol;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", "!=", SCMP_CMP_NE },   { "SCMP_CMP_LT", "<", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", "<=", SCMP_CMP_LE },   { "SCMP_CMP_EQ", "==", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", ">=", SCMP_CMP_GE },   { "SCMP_CMP_GT", ">", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", "&=", SCMP_CMP_MASKED_EQ },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strcmp(s, ops[i].name) == 0 || strcmp(s, ops[i].symbol) == 0) {
			*ret = ops[i].op;
			return true;
		}
	return false;
}

/* Splits the inside of a filter on ',' into at most max blank-stripped fields; returns the
 * number of fields, max + 1 when there are more. */
static size_t split_fields(char *s, char **fields, size_t max)
{
	size_t n = 0;

	for (char *f = s;; f++) {
		char *comma = strchr(f, ',');
		size_t len;

		if (n == max)
			return max + 1;
		if (comma)
			*comma = '\0';
		while (is_blank(*f))
			f++;
		len = strlen(f);
		while (len > 0 && is_blank(f[len - 1]))
			f[--len] = '\0';
		fields[n++] = f;
		if (!comma)
			return n;
		f = comma;
	}
}

static int parse_arg(const char *w, struct sc_arg *ret, char *msg, size_t msg_size)
{
	char buf[ARG_TEXT_MAX], *f[4];
	size_t len = strlen(w), n;
	long index;

	if (len < 2 || w[len - 1] != ']')
		return ct_fail_msg(msg, msg_size, "argument filter '%.64s' does not end with ']'", w);
	if (len - 2 >= sizeof(buf))
		return ct_fail_msg(msg, msg_size, "argument filter '%.64s...' is too long", w);
	memcpy(buf, w + 1, len - 2);
	buf[len - 2] = '\0';
	n = split_fields(buf, f, ARRAY_SIZE(f));
	if (n < 3 || n > 4)
		return ct_fail_msg(msg, msg_size, "argument filter '%.64s' is not [INDEX,VALUE,OP] or "
			    "[INDEX,VALUE,OP,MASK]", w);
	if (ct_parse_long(f[0], 0, SC_ARGS_MAX - 1, &index) < 0)
		return ct_fail_msg(msg, msg_size, "bad argument index '%.64s' (expected 0..5)", f[0]);
	if (!parse_u64(f[1], &ret->value))
		return ct_fail_msg(msg, msg_size, "bad argument value '%.64s' (expected an unsigned 64-bit "
			    "number)", f[1]);
	if (!parse_op(f[2], &ret->op))
		return ct_fail_msg(msg, msg_size, "unknown comparison operator '%.64s'", f[2]);
	if (ret->op == SCMP_CMP_MASKED_EQ && n != 4)
		return ct_fail_msg(msg, msg_size, "SCMP_CMP_MASKED_EQ needs a mask: [INDEX,VALUE,OP,MASK]");
	if (ret->op != SCMP_CMP_MASKED_EQ && n != 3)
		return ct_fail_msg(msg, msg_size, "only SCMP_CMP_MASKED_EQ takes a mask");
	if (n == 4 && !parse_u64(f[3], &ret->mask))
		return ct_fail_msg(msg, msg_size, "bad argument mask '%.64s'", f[3]);
	ret->index = (unsigned)index;
	return 0;
}

static int parse_args(char **words, size_t n, size_t pos, struct sc_rule *r, char *msg,
		      size_t msg_size)
{
	for (; pos < n; pos++) {
		struct sc_arg *a = &r->args[r->n_args];

		if (words[pos][0] != '[')
			return ct_fail_msg(msg, msg_size, "unexpected '%.64s' (expected an argument filter "
				    "like [0,1,SCMP_CMP_EQ])", words[pos]);
		if (r->n_args == SC_ARGS_MAX)
			return ct_fail_msg(msg, msg_size, "more than %d argument filters", SC_ARGS_MAX);
		if (parse_arg(words[pos], a, msg, msg_size) < 0)
			return -EINVAL;
		/* libseccomp refuses two comparisons of one argument in a rule; say it plainly. */
		for (unsigned i = 0; i < r->n_args; i++)
			if (r->args[i].index == a->index)
				return ct_fail_msg(msg, msg_size, "argument %u is filtered twice", a->index);
		r->n_args++;
	}
	return 0;
}

int sc_parse_rule(char **words, size_t n, struct sc_rule *ret, char *msg, size_t msg_size)
{
	struct sc_rule r = { .name = words[0] };
	size_t pos = 1;

	if (!name_valid(words[0]))
		return ct_fail_msg(msg, msg_size, "invalid syscall name (expected lower case letters, digits "
			    "and '_')");
	if (pos < n && words[pos][0] != '[') {
		if (parse_action(words, n, &pos, &r.action, msg, msg_size) < 0)
			return -EINVAL;
		r.has_action = true;
	}
	if (parse_args(words, n, pos, &r, msg, msg_size) < 0)
		return -EINVAL;
	*ret = r;
	return 0;
}

int sc_parse_number(char **words, size_t n, int *ret, char *msg, size_t msg_size)
{
	long nr;

	/* 65535 is far above any architecture's last syscall and keeps the number an int. */
	if (n != 1 || ct_parse_long(words[0], 0, 65535, &nr) < 0)
		return ct_fail_msg(msg, msg_size, "expected one syscall number (a version 1 profile lists "
			    "numbers)");
	*ret = (int)nr;
	return 0;
}
