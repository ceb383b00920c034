/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Seccomp profiles: compiles LXC's profile format with libseccomp in the parent and keeps the
 * resulting BPF program, so that the child installs it with one seccomp() call and no allocation.
 * Lines are parsed in seccomp-parse.c; this file drives libseccomp. */

/* The format (LXC's version 2; '#' starts a comment wherever a word may start; blank lines pass):
 *     2                                   the version, first line
 *     denylist [ACTION]                   or allowlist (blacklist/whitelist are old names)
 *     [x86_64]                            optional architecture sections; [all] is the default
 *     NAME [ACTION] [FILTER...]           one rule per line
 * ACTION is kill, errno N (0..4094), allow or trap; notify is refused (we run no notifier).
 * FILTER is [INDEX,VALUE,OP] or [INDEX,VALUE,SCMP_CMP_MASKED_EQ,MASK], OP one of SCMP_CMP_NE,
 * _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ or !=, <, <=, ==, >=, >, &=; all filters of a rule must
 * match. As in LXC, a denylist allows by default and kills on a rule without an action, an
 * allowlist the reverse; the special rule reject_force_umount makes umount2(MNT_FORCE) fail with
 * EACCES. Version 1 is "1", "allowlist", then native syscall numbers, allowed; all else is killed.
 *
 * Decisions: "kill" kills the whole process where the kernel can, not only the thread. A syscall
 * name libseccomp does not know is skipped with a warning (ct_seccomp_warnings()), as LXC does,
 * because profiles name syscalls newer than the libseccomp that reads them; a name known on some
 * architectures only applies where it exists. On x86_64 the filter also covers x86 and x32 (on
 * aarch64: arm), as LXC's does, so 32-bit programs get the same rules instead of being killed by
 * the bad-architecture action; [all] rules go to every one, [x86]/[i386], [x32], [x86_64]
 * rules to theirs only (LXC adds them everywhere). Sections of other architectures are checked
 * and ignored. Where LXC ignores junk (trailing words, a mask on '=='), we refuse it. */
#include "seccomp-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCHES_MAX 3
#define MSG_MAX 256
/* libseccomp's time to compile argument filters grows steeply with their number: 64 rules of 3
 * filters on one syscall take half a minute to add, 23 syscalls with 24 rules of 2 filters seven
 * seconds to export. Real profiles use a few dozen at most (Docker's default: about 20). */
#define FILTERS_PER_SYSCALL_MAX 48
#define FILTERS_MAX 256

struct filter_count {
	int nr;         /* the syscall, as resolved for the native architecture */
	unsigned count; /* argument filters given for it so far */
	unsigned rules; /* rules with argument filters for it so far */
	bool inverted;  /* one of them compares with !=, < or <= */
};

struct ct_seccomp {
	struct sock_fprog prog; /* .filter points at insns */
	size_t n_rules;
	char **warnings;
	struct sock_filter insns[];
};

struct compiler {
	const char *label;               /* the file name in errors */
	struct ct_file_error *err;
	unsigned line;
	const char *key;                 /* the key for errors about the current line */
	bool failed;                     /* err has been filled */
	int version;                     /* 0 until the version line */
	bool have_policy;
	uint32_t def_rule;               /* the action of a rule that names none */
	uint32_t section;                /* SC_ARCH_ALL or the current [arch] section's token */
	size_t n_arches;
	uint32_t arches[ARCHES_MAX];     /* [0] is the native architecture */
	scmp_filter_ctx ctxs[ARCHES_MAX]; /* one per architecture, merged into [0] at the end */
	size_t n_rule_lines;
	size_t n_rules;
	char **warnings;
	bool in_process;                 /* refuse what may hang libseccomp (-EAGAIN): see below */
	struct filter_count *filters;   /* per syscall */
	size_t n_filters;
	unsigned n_filters_total;
};

uint32_t sc_action_kill(void)
{
	/* API level 3 means the kernel has SECCOMP_RET_KILL_PROCESS. */
	return seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_KILL;
}

__attribute__((format(printf, 2, 3)))
static int fail(struct compiler *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ct_file_error_vset(c->err, c->label, c->line, c->key ? c->key : "", fmt, ap);
	va_end(ap);
	c->failed = true;
	return -EINVAL;
}

static void compiler_done(struct compiler *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(c->ctxs); i++)
		if (c->ctxs[i])
			seccomp_release(c->ctxs[i]);
	ct_strv_free(c->warnings);
	free(c->filters);
}

/* The architectures whose syscalls a process of the native one can make. */
static size_t compat_arches(uint32_t native, uint32_t *out)
{
	switch (native) {
	case SCMP_ARCH_X86_64:
		out[0] = SCMP_ARCH_X86;
		out[1] = SCMP_ARCH_X32;
		return 2;
	case SCMP_ARCH_AARCH64:
		out[0] = SCMP_ARCH_ARM;
		return 1;
	default:
		return 0;
	}
}

/* A filter for one architecture, so that section rules can go to that one alone. */
static int new_ctx(uint32_t arch, uint32_t def, scmp_filter_ctx *ret)
{
	scmp_filter_ctx ctx = seccomp_init(def);
	int r = 0;

	if (!ctx)
		return -ENOMEM;
	if (arch != seccomp_arch_native()) {
		r = seccomp_arch_add(ctx, arch);
		if (r == 0)
			r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	}
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	*ret = ctx;
	return 0;
}

static int setup_filter(struct compiler *c, uint32_t def)
{
	c->arches[0] = seccomp_arch_native();
	c->n_arches = 1;
	/* Version 1 lists native numbers, which mean other syscalls on the other tables. */
	if (c->version == 2)
		c->n_arches += compat_arches(c->arches[0], c->arches + 1);
	for (size_t i = 0; i < c->n_arches; i++) {
		int r = new_ctx(c->arches[i], def, &c->ctxs[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

static int handle_version(struct compiler *c, char **w, size_t n)
{
	char msg[MSG_MAX];

	c->key = "version";
	if (sc_parse_version(w, n, &c->version, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	return 0;
}

static int handle_policy(struct compiler *c, char **w, size_t n)
{
	char msg[MSG_MAX];
	bool allowlist, has_default;
	uint32_t def;

	c->key = "policy";
	if (sc_parse_policy(w, n, c->version, &allowlist, &has_default, &def, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	if (!has_default)
		def = allowlist ? sc_action_kill() : SCMP_ACT_ALLOW;
	c->def_rule = allowlist ? SCMP_ACT_ALLOW : sc_action_kill();
	c->have_policy = true;
	return setup_filter(c, def);
}

static int handle_section(struct compiler *c, char **w, size_t n)
{
	char msg[MSG_MAX];

	if (sc_parse_section(w, n, &c->section, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	return 0;
}

static int add_warning(struct compiler *c, const char *name)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%.255s:%u: unknown syscall '%s', rule skipped", c->label,
		 c->line, name);
	return ct_strv_append(&c->warnings, buf);
}

static int rule_refused(struct compiler *c, int r)
{
	if (r == -ENOMEM)
		return r;
	if (r == -EACCES)
		return fail(c, "the rule's action is the policy's default action");
	/* On x86, libseccomp turns socket() and friends into socketcall() rules, which cannot see
	 * the arguments: rules that differ only in filters then collide. */
	if (r == -EEXIST)
		return fail(c, "an earlier rule has the same syscall and filters but another action "
			    "(on x86, socket call filters are lost to socketcall)");
	return fail(c, "libseccomp refused the rule: %s", strerror(-r));
}

/* Whether the current section's architecture is in the filter (always for [all]). */
static bool section_in_filter(const struct compiler *c)
{
	for (size_t i = 0; i < c->n_arches; i++)
		if (c->section == SC_ARCH_ALL || c->section == c->arches[i])
			return true;
	return false;
}

/* libseccomp keeps !=, < and <= as the inverse of ==, >= and >: the comparisons of the rules it
 * can loop on. */
static bool has_inverted(const struct sc_rule *rule)
{
	for (unsigned i = 0; i < rule->n_args; i++)
		if (rule->args[i].op == SCMP_CMP_NE || rule->args[i].op == SCMP_CMP_LT ||
		    rule->args[i].op == SCMP_CMP_LE)
			return true;
	return false;
}

/* Counts the argument filters of a rule for syscall nr; -EINVAL past the limits. */
static int count_filters(struct compiler *c, int nr, const struct sc_rule *rule)
{
	struct filter_count *fc = NULL;
	unsigned n = rule->n_args;

	for (size_t i = 0; i < c->n_filters && !fc; i++)
		if (c->filters[i].nr == nr)
			fc = &c->filters[i];
	if (!fc) {
		fc = reallocarray(c->filters, c->n_filters + 1, sizeof(*fc));
		if (!fc)
			return -ENOMEM;
		c->filters = fc;
		fc = &c->filters[c->n_filters++];
		*fc = (struct filter_count){ .nr = nr };
	}
	fc->count += n;
	c->n_filters_total += n;
	fc->inverted |= has_inverted(rule);
	/* libseccomp 2.5.4 can loop for good on two argument-filtered rules for one syscall that
	 * share an inverted comparison (seccomp-bounded.c): in process, such a profile is handed to
	 * a child with a deadline. Others (privileged.seccomp's five masked mount rules) compile
	 * here: a fork for every privileged start cost half a millisecond. */
	if (n && ++fc->rules > 1 && fc->inverted && c->in_process)
		return -EAGAIN;
	if (fc->count > FILTERS_PER_SYSCALL_MAX)
		return fail(c, "more than %d argument filters for this syscall",
			    FILTERS_PER_SYSCALL_MAX);
	if (c->n_filters_total > FILTERS_MAX)
		return fail(c, "more than %d argument filters in the profile", FILTERS_MAX);
	return 0;
}

static int add_rule(struct compiler *c, const struct sc_rule *rule)
{
	struct scmp_arg_cmp cmp[SC_ARGS_MAX];
	int nr, r;

	if (!section_in_filter(c))
		return 0;
	nr = seccomp_syscall_resolve_name(rule->name);
	if (nr == __NR_SCMP_ERROR)
		return add_warning(c, rule->name);
	r = rule->n_args ? count_filters(c, nr, rule) : 0;
	if (r < 0)
		return r;
	for (unsigned i = 0; i < rule->n_args; i++) {
		const struct sc_arg *a = &rule->args[i];

		/* SCMP_CMP_MASKED_EQ takes the mask first, then the value it must equal. */
		cmp[i] = (struct scmp_arg_cmp){ .arg = a->index, .op = a->op, .datum_a = a->value };
		if (a->op == SCMP_CMP_MASKED_EQ) {
			cmp[i].datum_a = a->mask;
			cmp[i].datum_b = a->value;
		}
	}
	/* Syscall numbers are native ones; libseccomp translates them for the other tables. */
	for (size_t i = 0; i < c->n_arches; i++) {
		if (c->section != SC_ARCH_ALL && c->section != c->arches[i])
			continue;
		r = seccomp_rule_add_array(c->ctxs[i], rule->action, nr, rule->n_args, cmp);
		if (r < 0)
			return rule_refused(c, r);
	}
	c->n_rules++;
	return 0;
}

static int handle_rule(struct compiler *c, char **w, size_t n)
{
	char msg[MSG_MAX];
	struct sc_rule r;

	if (sc_parse_rule(w, n, &r, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	if (!r.has_action)
		r.action = c->def_rule;
	if (strcmp(r.name, "reject_force_umount") == 0) {
		if (r.has_action || r.n_args)
			return fail(c, "reject_force_umount takes no action and no filter");
		r = (struct sc_rule){
			.name = "umount2", .action = SCMP_ACT_ERRNO(EACCES), .n_args = 1,
			.args = { { 1, SCMP_CMP_MASKED_EQ, MNT_FORCE, MNT_FORCE } },
		};
	}
	return add_rule(c, &r);
}

static int handle_number(struct compiler *c, char **w, size_t n)
{
	char msg[MSG_MAX];
	int nr, r;

	if (sc_parse_number(w, n, &nr, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	r = seccomp_rule_add(c->ctxs[0], SCMP_ACT_ALLOW, nr, 0);
	if (r < 0)
		return rule_refused(c, r);
	c->n_rules++;
	return 0;
}

/* Parses one line of n bytes (without its '\n') and adds what it says to the filter. */
static int parse_line(const char *s, size_t n, void *userdata)
{
	struct compiler *c = userdata;
	char buf[CT_SECCOMP_LINE_MAX + 1], *w[SC_WORDS_MAX];
	size_t nw;

	c->line++;
	c->key = "";
	if (n > CT_SECCOMP_LINE_MAX)
		return fail(c, "line is longer than %d bytes", CT_SECCOMP_LINE_MAX);
	if (memchr(s, '\0', n))
		return fail(c, "NUL byte in line");
	memcpy(buf, s, n);
	buf[n] = '\0';
	nw = sc_split(buf, w, ARRAY_SIZE(w));
	if (nw == 0)
		return 0;
	c->key = w[0]; /* w lives until we return, and fail() copies it */
	if (nw > ARRAY_SIZE(w))
		return fail(c, "too many words on the line");
	if (!c->version)
		return handle_version(c, w, nw);
	if (!c->have_policy)
		return handle_policy(c, w, nw);
	if (w[0][0] != '[' && ++c->n_rule_lines > CT_SECCOMP_RULES_MAX)
		return fail(c, "more than %d rules", CT_SECCOMP_RULES_MAX);
	if (c->version == 1)
		return handle_number(c, w, nw);
	if (w[0][0] == '[')
		return handle_section(c, w, nw);
	return handle_rule(c, w, nw);
}

static int read_exact_at(int fd, void *buf, size_t size)
{
	for (size_t done = 0; done < size;) {
		ssize_t n = pread(fd, (char *)buf + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* Exports the merged filter as BPF through a memfd (libseccomp 2.5 cannot export to memory). */
static int export_filter(struct compiler *c, struct ct_seccomp **ret)
{
	cleanup_close int fd = memfd_create("ct-seccomp", MFD_CLOEXEC);
	cleanup_seccomp struct ct_seccomp *f = NULL;
	off_t size;
	size_t n;
	int r;

	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(c->ctxs[0], fd);
	if (r < 0)
		return r;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	if (size == 0 || (size_t)size % sizeof(struct sock_filter))
		return -EIO;
	n = (size_t)size / sizeof(struct sock_filter);
	if (n > BPF_MAXINSNS)
		return fail(c, "the compiled filter has %zu instructions, more than the kernel's %d",
			    n, BPF_MAXINSNS);
	f = calloc(1, sizeof(*f) + (size_t)size);
	if (!f)
		return -ENOMEM;
	r = read_exact_at(fd, f->insns, (size_t)size);
	if (r < 0)
		return r;
	f->prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = f->insns };
	f->n_rules = c->n_rules;
	f->warnings = steal_ptr(&c->warnings);
	*ret = steal_ptr(&f);
	return 0;
}

static int finish(struct compiler *c, struct ct_seccomp **ret)
{
	c->line = 0;
	c->key = "version";
	if (!c->version)
		return fail(c, "empty profile: the first line must be the version, '1' or '2'");
	c->key = "policy";
	if (!c->have_policy)
		return fail(c, "missing the policy line ('denylist' or 'allowlist')");
	c->key = "";
	for (size_t i = 1; i < c->n_arches; i++) {
		int r = seccomp_merge(c->ctxs[0], c->ctxs[i]);

		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return fail(c, "cannot merge the architectures' filters: %s", strerror(-r));
		c->ctxs[i] = NULL; /* the merge released it */
	}
	return export_filter(c, ret);
}

int sc_compile(const char *text, size_t len, const char *name, bool in_process,
	       struct ct_seccomp **ret, struct ct_file_error *err)
{
	struct ct_file_error unused;
	_cleanup_(compiler_done) struct compiler c = {
		.label = name ? name : "<string>", .err = err ? err : &unused, .section = SC_ARCH_ALL,
		.in_process = in_process,
	};
	int r = ct_lines_each(text, len, parse_line, &c);

	if (r >= 0)
		r = finish(&c, ret);
	if (r == -EAGAIN && in_process)
		return r;
	if (r < 0 && !c.failed) /* not about the content (ENOMEM): still say where */
		fail(&c, "%s", strerror(-r));
	return r;
}

int ct_seccomp_load(const char *path, struct ct_seccomp **ret, struct ct_file_error *err)
{
	struct ct_file_error unused;
	cleanup_free char *text = NULL;
	size_t len = 0;
	int r = ct_file_load(path, CT_SECCOMP_FILE_MAX, &text, &len, err ? err : &unused);

	return r < 0 ? r : ct_seccomp_parse(text, len, path, ret, err);
}

int ct_seccomp_install(const struct ct_seccomp *f)
{
	struct sock_fprog prog;

	if (!f)
		return -EINVAL;
	prog = f->prog; /* the kernel takes a non-const pointer but only reads */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}

struct ct_seccomp *sc_filter_new(const struct sock_filter *insns, size_t n, size_t n_rules,
				 char **warnings)
{
	struct ct_seccomp *f = calloc(1, sizeof(*f) + n * sizeof(*insns));

	if (!f)
		return NULL;
	memcpy(f->insns, insns, n * sizeof(*insns));
	f->prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = f->insns };
	f->n_rules = n_rules;
	f->warnings = warnings;
	return f;
}

const struct sock_filter *sc_filter_insns(const struct ct_seccomp *f, size_t *ret_n)
{
	*ret_n = f->prog.len;
	return f->insns;
}

void ct_seccomp_free(struct ct_seccomp *f)
{
	int saved = errno;

	if (f) {
		ct_strv_free(f->warnings);
		free(f);
	}
	errno = saved;
}

size_t ct_seccomp_rule_count(const struct ct_seccomp *f)
{
	return f ? f->n_rules : 0;
}

size_t ct_seccomp_insn_count(const struct ct_seccomp *f)
{
	return f ? f->prog.len : 0;
}

char *const *ct_seccomp_warnings(const struct ct_seccomp *f)
{
	return f ? f->warnings : NULL;
}
