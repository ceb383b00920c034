/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device allowlist: parsing and formatting device.allow rules, generating the cgroup2 device
 * program by hand (raw bpf(2), no libbpf), loading and attaching it, and the cgroup v1 fallback. */
#include "devices.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RULE(t, maj, min) { .type = (t), .major = (maj), .minor = (min), .access = CT_DEV_ALL }

const struct ct_device_rule ct_devices_standard[] = {
	RULE('c', 1, 3),    RULE('c', 1, 5),    RULE('c', 1, 7),    RULE('c', 1, 8),
	RULE('c', 1, 9),    RULE('c', 5, 0),    RULE('c', 5, 1),    RULE('c', 5, 2),
	RULE('c', 136, -1), RULE('c', 137, -1), RULE('c', 138, -1), RULE('c', 139, -1),
	RULE('c', 140, -1), RULE('c', 141, -1), RULE('c', 142, -1), RULE('c', 143, -1),
};
const size_t ct_devices_standard_count = ARRAY_SIZE(ct_devices_standard);

/* Registers of the program: the context comes in r1 and is read once into r2..r5; r0 is the
 * verdict. */
enum { R0, R1, R_TYPE, R_ACCESS, R_MAJOR, R_MINOR };


/* The program. A start loads it, and the verifier's time grows with the conditional jumps, so
 * the rules are merged rather than checked one by one. Rules of one type and access form a group
 * with one type check and one access check, each jumping to the next group when it fails. In a
 * group, consecutive majors with any minor make one range check, and exact rules share one major
 * check per major. Every match jumps to one shared "return 1"; the end is "return 0". The rules
 * are an OR, so merging and reordering them keeps the verdict. */

/* Where instructions go. With out NULL they are only counted: that sizes the program and each
 * block before the jump over it is emitted. */
struct emitter {
	struct bpf_insn *out;
	size_t at;          /* the next instruction's index */
	size_t deny, allow; /* the shared exits' indices */
};

/* How much of two rules a comparison looks at: a group is a type and an access. */
enum likeness { SAME_GROUP, SAME_MAJOR, SAME_RULE };

static void emit(struct emitter *e, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		 int32_t imm)
{
	if (e->out)
		e->out[e->at] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						   .off = off, .imm = imm };
	e->at++;
}

/* Jumps forward to target when "reg op imm" holds. ct_devices_program caps the length at
 * INT16_MAX, so the offset fits; a count has no targets yet. */
static void emit_jump(struct emitter *e, uint8_t op, uint8_t reg, int32_t imm, size_t target)
{
	emit(e, BPF_JMP | op | BPF_K, reg, 0, e->out ? (int16_t)(target - e->at - 1) : 0, imm);
}

/* Reads struct bpf_cgroup_dev_ctx: access_type is (access << 16) | device type. */
static void emit_prologue(struct emitter *e)
{
	emit(e, BPF_LDX | BPF_MEM | BPF_W, R_TYPE, R1, 0, 0);
	emit(e, BPF_ALU64 | BPF_MOV | BPF_X, R_ACCESS, R_TYPE, 0, 0);
	emit(e, BPF_ALU64 | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
	emit(e, BPF_ALU64 | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
	emit(e, BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, R1, 4, 0);
	emit(e, BPF_LDX | BPF_MEM | BPF_W, R_MINOR, R1, 8, 0);
}

static void emit_return(struct emitter *e, int32_t verdict)
{
	emit(e, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, verdict);
	emit(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static bool alike(const struct ct_device_rule *a, const struct ct_device_rule *b, enum likeness l)
{
	return a->type == b->type && a->access == b->access &&
	       (l == SAME_GROUP || a->major == b->major) && (l != SAME_RULE || a->minor == b->minor);
}

/* Whether rules[i] is the first of its kind: what it adds, an earlier one has emitted already. */
static bool first_alike(const struct ct_device_rule *rules, size_t i, enum likeness l)
{
	for (size_t j = 0; j < i; j++)
		if (alike(&rules[j], &rules[i], l))
			return false;
	return true;
}

/* Whether g's group has a rule for exactly major:minor (-1: any). */
static bool group_has(const struct ct_device_rule *rules, size_t n,
		      const struct ct_device_rule *g, int64_t major, int64_t minor)
{
	struct ct_device_rule want = { .type = g->type, .major = major, .minor = minor,
				       .access = g->access };

	for (size_t i = 0; i < n; i++)
		if (alike(&rules[i], &want, SAME_RULE))
			return true;
	return false;
}

/* Majors with any minor: a run of consecutive ones is one range check, emitted by its lowest. */
static void emit_major_run(struct emitter *e, const struct ct_device_rule *rules, size_t n,
			   const struct ct_device_rule *r)
{
	int64_t hi = r->major;

	if (r->major > 0 && group_has(rules, n, r, r->major - 1, -1))
		return;
	while (hi < CT_DEV_MAJOR_MAX && group_has(rules, n, r, hi + 1, -1))
		hi++;
	if (hi == r->major) {
		emit_jump(e, BPF_JEQ, R_MAJOR, (int32_t)hi, e->allow);
		return;
	}
	emit_jump(e, BPF_JLT, R_MAJOR, (int32_t)r->major, e->at + 2);
	emit_jump(e, BPF_JLE, R_MAJOR, (int32_t)hi, e->allow);
}

static void emit_minors(struct emitter *e, const struct ct_device_rule *rules, size_t n,
			const struct ct_device_rule *r)
{
	for (size_t i = 0; i < n; i++)
		if (alike(&rules[i], r, SAME_MAJOR) && rules[i].minor >= 0 &&
		    first_alike(rules, i, SAME_RULE))
			emit_jump(e, BPF_JEQ, R_MINOR, (int32_t)rules[i].minor, e->allow);
}

/* Exact rules of one major: one major check, skipping its minor checks when it fails. */
static void emit_major_block(struct emitter *e, const struct ct_device_rule *rules, size_t n,
			     const struct ct_device_rule *r)
{
	struct emitter count = { 0 };

	emit_minors(&count, rules, n, r);
	emit_jump(e, BPF_JNE, R_MAJOR, (int32_t)r->major, e->at + 1 + count.at);
	emit_minors(e, rules, n, r);
}

/* One item per rule kind. Exact rules whose major a rule with any minor covers add nothing. */
static void emit_item(struct emitter *e, const struct ct_device_rule *rules, size_t n, size_t i)
{
	const struct ct_device_rule *r = &rules[i];

	if (r->major < 0)
		emit_jump(e, BPF_JEQ, R_MINOR, (int32_t)r->minor, e->allow);
	else if (r->minor < 0)
		emit_major_run(e, rules, n, r);
	else if (!group_has(rules, n, r, r->major, -1) && first_alike(rules, i, SAME_MAJOR))
		emit_major_block(e, rules, n, r);
}

/* A group with a *:* rule matches whatever passed its checks; anything after the jump would be
 * unreachable, which the verifier refuses. */
static void emit_group_body(struct emitter *e, const struct ct_device_rule *rules, size_t n,
			    const struct ct_device_rule *g)
{
	if (group_has(rules, n, g, -1, -1)) {
		emit_jump(e, BPF_JA, 0, 0, e->allow);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (alike(&rules[i], g, SAME_GROUP) && first_alike(rules, i, SAME_RULE))
			emit_item(e, rules, n, i);
}

/* The group's checks, then its body. Unknown access bits are denied up front, so a rwm group
 * needs no access check. */
static void emit_group(struct emitter *e, const struct ct_device_rule *rules, size_t n,
		       const struct ct_device_rule *g)
{
	struct emitter count = { 0 };
	size_t end;

	emit_group_body(&count, rules, n, g);
	end = e->at + (g->type != 'a') + (g->access != CT_DEV_ALL) + count.at;
	if (g->type != 'a')
		emit_jump(e, BPF_JNE, R_TYPE,
			  g->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, end);
	if (g->access != CT_DEV_ALL)
		emit_jump(e, BPF_JSET, R_ACCESS, (int32_t)~g->access, end);
	emit_group_body(e, rules, n, g);
}

/* After the group of an "a" rule nothing is reachable: it has no checks and jumps to allow. */
static void emit_groups(struct emitter *e, const struct ct_device_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!first_alike(rules, i, SAME_GROUP))
			continue;
		emit_group(e, rules, n, &rules[i]);
		if (rules[i].type == 'a' && rules[i].access == CT_DEV_ALL &&
		    group_has(rules, n, &rules[i], -1, -1))
			return;
	}
}

/* Without rules there is no allow exit: unreachable, the verifier would refuse it. A request
 * with an access bit beyond rwm (the kernel may add one) is denied, as no rule grants it. */
static void emit_program(struct emitter *e, const struct ct_device_rule *rules, size_t n)
{
	emit_prologue(e);
	if (n > 0) {
		emit_jump(e, BPF_JSET, R_ACCESS, (int32_t)~CT_DEV_ALL, e->deny);
		emit_groups(e, rules, n);
	}
	emit_return(e, 0);
	if (n > 0)
		emit_return(e, 1);
}

/* Counts first, so out stays untouched on failure and the exits' places are known. Jumps to the
 * exits span the program: its length must fit their 16-bit offsets. */
int ct_devices_program(const struct ct_device_rule *rules, size_t n, struct bpf_insn *out,
		       size_t max, size_t *ret_n)
{
	struct emitter e = { 0 };

	for (size_t i = 0; i < n; i++)
		if (!ct_device_rule_valid(&rules[i]))
			return -EINVAL;
	emit_program(&e, rules, n);
	if (e.at > max || e.at > INT16_MAX)
		return -E2BIG;
	e = (struct emitter){ .out = out, .deny = e.at - 4, .allow = e.at - 2 };
	emit_program(&e, rules, n);
	*ret_n = e.at;
	return 0;
}

static int bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : (int)r;
}

static int load_insns(const struct bpf_insn *insns, size_t n, char *log, size_t log_size)
{
	union bpf_attr attr = {
		.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
		.expected_attach_type = BPF_CGROUP_DEVICE,
		.insns = (uint64_t)(uintptr_t)insns,
		.insn_cnt = n,
		.license = (uint64_t)(uintptr_t)"GPL",
	};

	snprintf(attr.prog_name, sizeof(attr.prog_name), "ct_devices");
	if (log) {
		attr.log_level = 1;
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = log_size;
		log[0] = '\0';
	}
	return bpf(BPF_PROG_LOAD, &attr);
}

int ct_devices_load(const struct ct_device_rule *rules, size_t n, char *log, size_t log_size,
		    int *ret_fd)
{
	struct bpf_insn insns[CT_DEVICES_PROG_MAX];
	size_t len;
	int fd, r;

	r = ct_devices_program(rules, n, insns, ARRAY_SIZE(insns), &len);
	if (r < 0)
		return r;
	fd = load_insns(insns, len, NULL, 0);
	/* Only a failed load is retried with the log: a log too small for a valid program's trace
	 * would fail the load with -ENOSPC. The kernel wants at least 128 bytes of it. */
	if (fd < 0 && log && log_size >= 128 && log_size <= UINT32_MAX >> 2) {
		r = load_insns(insns, len, log, log_size);
		if (r >= 0)
			close(r);
	}
	if (fd < 0)
		return fd;
	*ret_fd = fd;
	return 0;
}

int ct_devices_attach(int cgroup_fd, const struct ct_device_rule *extra, size_t n_extra)
{
	struct ct_device_rule rules[CT_DEVICES_STANDARD_COUNT + CT_DEVICE_RULES_MAX];
	cleanup_close int prog_fd = -1;
	union bpf_attr attr = { 0 };
	int r;

	if (n_extra > CT_DEVICE_RULES_MAX)
		return -E2BIG;
	memcpy(rules, ct_devices_standard, sizeof(ct_devices_standard));
	if (n_extra > 0)
		memcpy(rules + ct_devices_standard_count, extra, n_extra * sizeof(*extra));
	r = ct_devices_load(rules, ct_devices_standard_count + n_extra, NULL, 0, &prog_fd);
	if (r < 0)
		return r;
	attr.target_fd = cgroup_fd;
	attr.attach_bpf_fd = prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	r = bpf(BPF_PROG_ATTACH, &attr);
	return r < 0 ? r : 0;
}

/* The kernel parses one rule per write() (a trailing newline is stripped), so each goes whole. */
static int write_rule(int fd, const char *s)
{
	char line[CT_DEVICE_RULE_STRLEN + 1];
	size_t len = (size_t)snprintf(line, sizeof(line), "%s\n", s);
	ssize_t n;

	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int v1_allow(int fd, const struct ct_device_rule *r)
{
	struct ct_device_rule split = *r;
	char s[CT_DEVICE_RULE_STRLEN];
	int ret;

	if (r->type == 'a' && !ct_device_rule_is_everything(r)) {
		split.type = 'c';
		ret = v1_allow(fd, &split);
		if (ret < 0)
			return ret;
		split.type = 'b';
	}
	ret = ct_device_rule_format(&split, s, sizeof(s));
	if (ret < 0)
		return ret;
	return write_rule(fd, s);
}

static int v1_open(int dir_fd, const char *name, int *ret_fd)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int ct_devices_v1_apply(int dir_fd, const struct ct_device_rule *extra, size_t n_extra)
{
	cleanup_close int deny_fd = -1, allow_fd = -1;
	int r;

	for (size_t i = 0; i < n_extra; i++)
		if (!ct_device_rule_valid(&extra[i]))
			return -EINVAL;
	r = v1_open(dir_fd, "devices.deny", &deny_fd);
	if (r < 0)
		return r;
	r = v1_open(dir_fd, "devices.allow", &allow_fd);
	if (r < 0)
		return r;
	r = write_rule(deny_fd, "a");
	for (size_t i = 0; r >= 0 && i < ct_devices_standard_count; i++)
		r = v1_allow(allow_fd, &ct_devices_standard[i]);
	for (size_t i = 0; r >= 0 && i < n_extra; i++)
		r = v1_allow(allow_fd, &extra[i]);
	return r < 0 ? r : 0;
}
