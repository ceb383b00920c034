/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device allowlist: rule parsing and formatting, the generated program (run through a small
 * interpreter against a reference matcher), the v1 writes, and, as root, the real kernel: a child
 * in a scratch cgroup2 cgroup with the program attached tries devices it may and may not use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cgroup/devices.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static struct ct_device_rule rule(const char *value)
{
	struct ct_device_rule r;
	char msg[128] = "";
	int ret = ct_device_rule_parse(value, &r, msg, sizeof(msg));

	if (ret < 0)
		fail_msg("'%s': %s", value, msg);
	return r;
}

static void check_parse(const char *value, char type, int64_t major, int64_t minor, unsigned acc)
{
	struct ct_device_rule r = rule(value);

	assert_int_equal(r.type, type);
	assert_int_equal(r.major, major);
	assert_int_equal(r.minor, minor);
	assert_int_equal(r.access, acc);
}

static void test_parse_good(void **state)
{
	check_parse("c 10:200 rwm", 'c', 10, 200, CT_DEV_ALL);
	check_parse("b 8:* r", 'b', 8, -1, CT_DEV_READ);
	check_parse("c *:* m", 'c', -1, -1, CT_DEV_MKNOD);
	check_parse("a", 'a', -1, -1, CT_DEV_ALL);
	check_parse("a 7:3 w", 'a', 7, 3, CT_DEV_WRITE);
	check_parse("  c\t4095:1048575   wr ", 'c', 4095, 1048575, CT_DEV_READ | CT_DEV_WRITE);
	check_parse("c 0:0 mw", 'c', 0, 0, CT_DEV_MKNOD | CT_DEV_WRITE);
}

static void check_bad(const char *value, const char *want)
{
	struct ct_device_rule r = { .type = 'x', .major = 42, .minor = 43, .access = 99 };
	char msg[128] = "";

	assert_int_equal(ct_device_rule_parse(value, &r, msg, sizeof(msg)), -EINVAL);
	if (!strstr(msg, want))
		fail_msg("'%s': message '%s' lacks '%s'", value, msg, want);
	assert_int_equal(r.type, 'x'); /* untouched on failure */
	assert_int_equal(r.major, 42);
	assert_int_equal(r.access, 99);
}

static void test_parse_bad(void **state)
{
	char long_value[100];

	check_bad("", "expected 'TYPE MAJOR:MINOR ACCESS' or 'a'");
	check_bad("c", "expected");
	check_bad("c 1:3", "expected");
	check_bad("c 1:3 rwm extra", "expected");
	check_bad("x 1:3 rwm", "type 'x' is not c, b or a");
	check_bad("cc 1:3 rwm", "type 'cc'");
	check_bad("c 1 rwm", "expected MAJOR:MINOR, got '1'");
	check_bad("c 4096:0 rwm", "major '4096' is not '*' or a number 0..4095");
	check_bad("c 1:1048576 r", "minor '1048576' is not '*' or a number 0..1048575");
	check_bad("c -1:3 r", "major '-1'");
	check_bad("c 1:x r", "minor 'x'");
	check_bad("c 1: r", "minor ''");
	check_bad("c 1:3 rwx", "access 'rwx' is not a subset of rwm");
	check_bad("c 1:3 R", "access 'R'");
	memset(long_value, ' ', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	long_value[0] = 'a';
	check_bad(long_value, "too long");
}

static void check_round_trip(const char *value, const char *want)
{
	struct ct_device_rule r = rule(value), back;
	char buf[CT_DEVICE_RULE_STRLEN];

	assert_int_equal(ct_device_rule_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	back = rule(buf);
	assert_int_equal(back.type, r.type);
	assert_int_equal(back.major, r.major);
	assert_int_equal(back.minor, r.minor);
	assert_int_equal(back.access, r.access);
}

static void test_format(void **state)
{
	struct ct_device_rule partial_a = rule("a 1:3 r");
	struct ct_device_rule bad = { .type = 'c', .major = 1, .minor = 3, .access = 0 };
	char buf[CT_DEVICE_RULE_STRLEN] = "keep", small[9] = "keep";

	check_round_trip("c 1:3 rwm", "c 1:3 rwm");
	check_round_trip("c 136:* wr", "c 136:* rw");
	check_round_trip("b *:* m", "b *:* m");
	check_round_trip("a", "a");
	check_round_trip("a *:* mrw", "a");
	check_round_trip("c 4095:1048575 rwm", "c 4095:1048575 rwm");
	/* A v1 line starting with 'a' means everything: a partial 'a' rule has no one-line form. */
	assert_int_equal(ct_device_rule_format(&partial_a, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ct_device_rule_format(&bad, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ct_device_rule_format(&ct_devices_standard[0], small, sizeof(small)),
			 -ENOSPC);
	assert_string_equal(buf, "keep");
	assert_string_equal(small, "keep");
}

static bool standard_has(char type, int64_t major, int64_t minor)
{
	for (size_t i = 0; i < ct_devices_standard_count; i++) {
		const struct ct_device_rule *r = &ct_devices_standard[i];

		if (r->type == type && r->major == major && r->minor == minor &&
		    r->access == CT_DEV_ALL)
			return true;
	}
	return false;
}

static void test_standard(void **state)
{
	static const int64_t want[][2] = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 },
					   { 1, 9 }, { 5, 0 }, { 5, 1 }, { 5, 2 } };

	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_true(standard_has('c', want[i][0], want[i][1]));
	for (int64_t major = 136; major <= 143; major++)
		assert_true(standard_has('c', major, -1));
	assert_int_equal(ct_devices_standard_count, ARRAY_SIZE(want) + 8);
	for (size_t i = 0; i < ct_devices_standard_count; i++) {
		assert_int_equal(ct_devices_standard[i].type, 'c'); /* no block device, no 'a' */
		assert_true(ct_devices_standard[i].major >= 0);
	}
}

/* Runs the subset of eBPF the generator emits on a struct bpf_cgroup_dev_ctx. */
static int run_program(const struct bpf_insn *p, size_t n, const uint32_t ctx[3])
{
	uint64_t r[11] = { 0 };

	for (size_t pc = 0; pc < n;) {
		const struct bpf_insn *i = &p[pc++];
		uint64_t imm = (uint64_t)(int64_t)i->imm;

		if (BPF_CLASS(i->code) == BPF_JMP) /* forward, in range */
			assert_true(i->off >= 0 && pc + (size_t)i->off <= n);
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(i->src_reg, 1);
			assert_true(i->off % 4 == 0 && i->off <= 8);
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = imm;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= imm;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			pc += r[i->dst_reg] != imm ? (size_t)i->off : 0;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += r[i->dst_reg] == imm ? (size_t)i->off : 0;
			break;
		case BPF_JMP | BPF_JLT | BPF_K:
			pc += r[i->dst_reg] < imm ? (size_t)i->off : 0;
			break;
		case BPF_JMP | BPF_JLE | BPF_K:
			pc += r[i->dst_reg] <= imm ? (size_t)i->off : 0;
			break;
		case BPF_JMP | BPF_JA:
			pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (r[i->dst_reg] & imm) ? (size_t)i->off : 0;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			fail_msg("unexpected opcode %#x at %zu", i->code, pc - 1);
		}
	}
	fail_msg("the program runs off its end");
	return -1;
}

static int allows(const struct bpf_insn *p, size_t n, char type, uint32_t major, uint32_t minor,
		  unsigned access)
{
	uint32_t dev = type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
	uint32_t ctx[3] = { access << 16 | dev, major, minor };

	return run_program(p, n, ctx);
}

/* The specification, written independently of the generator. */
static int reference(const struct ct_device_rule *rules, size_t n, char type, int64_t major,
		     int64_t minor, unsigned access)
{
	for (size_t i = 0; i < n; i++) {
		const struct ct_device_rule *r = &rules[i];

		if ((r->type == 'a' || r->type == type) && (r->major < 0 || r->major == major) &&
		    (r->minor < 0 || r->minor == minor) && (access & ~r->access) == 0)
			return 1;
	}
	return 0;
}

/* The verifier refuses a program with an instruction no path reaches; the interpreter would not
 * notice. Jumps only go forward, so one pass marks everything. */
static void assert_all_reachable(const struct bpf_insn *p, size_t n)
{
	bool seen[CT_DEVICES_PROG_MAX] = { [0] = true };

	assert_true(n > 0 && n <= ARRAY_SIZE(seen));
	for (size_t pc = 0; pc < n; pc++) {
		uint8_t op = BPF_OP(p[pc].code);

		if (!seen[pc])
			fail_msg("instruction %zu is unreachable", pc);
		if (BPF_CLASS(p[pc].code) == BPF_JMP && op == BPF_EXIT)
			continue;
		assert_true(pc + 1 < n); /* nothing runs off the end */
		if (BPF_CLASS(p[pc].code) == BPF_JMP) {
			assert_true(p[pc].off >= 0 && pc + 1 + (size_t)p[pc].off < n);
			seen[pc + 1 + (size_t)p[pc].off] = true;
		}
		if (BPF_CLASS(p[pc].code) != BPF_JMP || op != BPF_JA)
			seen[pc + 1] = true;
	}
}

/* As root, the kernel's verifier gets the last word on what the generator emits. */
static void assert_kernel_loads(const struct ct_device_rule *rules, size_t n)
{
	char log[4096] = "";
	int fd = -1, r;

	if (geteuid() != 0)
		return;
	r = ct_devices_load(rules, n, log, sizeof(log), &fd);
	if (r < 0)
		fail_msg("the kernel refuses the program: %s\n%s", strerror(-r), log);
	close(fd);
}

/* The program for rules against the reference on every combination of the given numbers, both
 * types and every access value up to 4 bits (8 is a bit the kernel does not define yet); as root
 * the kernel loads it too. */
static void check_exhaustive(const struct ct_device_rule *rules, size_t n_rules,
			     const int64_t *majors, size_t n_majors, const int64_t *minors,
			     size_t n_minors)
{
	struct bpf_insn prog[CT_DEVICES_PROG_MAX];
	size_t n = 0;

	assert_int_equal(ct_devices_program(rules, n_rules, prog, ARRAY_SIZE(prog), &n), 0);
	assert_all_reachable(prog, n);
	assert_kernel_loads(rules, n_rules);
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < n_majors; i++)
			for (size_t j = 0; j < n_minors; j++)
				for (unsigned acc = 0; acc < 16; acc++)
					assert_int_equal(
						allows(prog, n, "cb"[t], majors[i], minors[j], acc),
						reference(rules, n_rules, "cb"[t], majors[i],
							  minors[j], acc));
}

static size_t program_for(const char *const *values, size_t n, struct ct_device_rule *rules,
			  struct bpf_insn *out, size_t max)
{
	size_t len = 0;

	memcpy(rules, ct_devices_standard, ct_devices_standard_count * sizeof(*rules));
	for (size_t i = 0; i < n; i++)
		rules[ct_devices_standard_count + i] = rule(values[i]);
	assert_int_equal(ct_devices_program(rules, ct_devices_standard_count + n, out, max, &len),
			 0);
	return len;
}

static void test_program_semantics(void **state)
{
	static const char *const extra[] = { "c 10:200 rwm", "b 8:* r", "c *:* m", "a 7:3 w",
					     "c 1:11 r" };
	static const int64_t majors[] = { 0, 1, 5, 7, 8, 10, 136, 139, 143, 144, 4095 };
	static const int64_t minors[] = { 0, 1, 3, 5, 7, 9, 11, 200, 1048575 };
	struct ct_device_rule rules[CT_DEVICES_STANDARD_COUNT + ARRAY_SIZE(extra)];
	struct bpf_insn prog[CT_DEVICES_PROG_LEN(ARRAY_SIZE(rules))];
	size_t n = program_for(extra, ARRAY_SIZE(extra), rules, prog, ARRAY_SIZE(prog));

	assert_int_equal(allows(prog, n, 'c', 1, 3, CT_DEV_ALL), 1);
	assert_int_equal(allows(prog, n, 'c', 138, 4711, CT_DEV_READ | CT_DEV_WRITE), 1);
	assert_int_equal(allows(prog, n, 'c', 1, 1, CT_DEV_READ), 0);      /* /dev/mem */
	assert_int_equal(allows(prog, n, 'c', 1, 11, CT_DEV_READ), 1);     /* "c 1:11 r" */
	assert_int_equal(allows(prog, n, 'c', 1, 11, CT_DEV_WRITE), 0);
	assert_int_equal(allows(prog, n, 'b', 8, 0, CT_DEV_READ), 1);
	assert_int_equal(allows(prog, n, 'b', 8, 0, CT_DEV_READ | CT_DEV_WRITE), 0);
	assert_int_equal(allows(prog, n, 'c', 99, 99, CT_DEV_MKNOD), 1);   /* "c *:* m" */
	assert_int_equal(allows(prog, n, 'b', 99, 99, CT_DEV_MKNOD), 0);
	assert_int_equal(allows(prog, n, 'b', 7, 3, CT_DEV_WRITE), 1);     /* "a 7:3 w" */
	assert_int_equal(allows(prog, n, 'c', 1, 3, CT_DEV_READ | 8), 0); /* unknown bit */
	assert_int_equal(allows(prog, n, 'c', 136, 0, CT_DEV_READ | 1u << 15), 0);
	check_exhaustive(rules, ARRAY_SIZE(rules), majors, ARRAY_SIZE(majors), minors,
			 ARRAY_SIZE(minors));
}

static struct ct_device_rule *rules_of(const char *const *values, size_t n,
				       struct ct_device_rule *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = rule(values[i]);
	return out;
}

/* Rules the generator merges: runs of majors with gaps and edges, exact rules a major rule
 * covers, duplicates, the same numbers with another access or type, and an "a" rule that makes
 * everything after its group unreachable. */
static void test_program_merging(void **state)
{
	static const char *const merged[] = {
		"c 0:* rw",   "c 1:* rw",   "c 3:* rw",   "c 4:* rw",   "c 5:* rw",  "c 4:* rw",
		"c 4:2 rw",   "c 7:* r",    "c 7:1 rw",   "c 7:2 rw",   "c 7:1 rw",  "c 8:* rwm",
		"b 8:3 rwm",  "b 8:4 rwm",  "a 9:* m",    "a *:3 w",    "c *:4 rwm", "c *:* m",
		"c 4094:* w", "c 4095:* w", "b 5:* r",    "b 6:* r",    "c 6:1 rwm", "b 6:* r",
	};
	static const char *const with_a[] = { "c 1:3 rwm", "b 2:* r", "a", "c 5:5 r", "b *:* w" };
	static const int64_t majors[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 4093, 4094, 4095 };
	static const int64_t minors[] = { 0, 1, 2, 3, 4, 5, 1048575 };
	struct ct_device_rule rules[ARRAY_SIZE(merged)];

	check_exhaustive(rules_of(merged, ARRAY_SIZE(merged), rules), ARRAY_SIZE(merged), majors,
			 ARRAY_SIZE(majors), minors, ARRAY_SIZE(minors));
	check_exhaustive(rules_of(with_a, ARRAY_SIZE(with_a), rules), ARRAY_SIZE(with_a), majors,
			 ARRAY_SIZE(majors), minors, ARRAY_SIZE(minors));
}

/* A small deterministic generator, so a failure reproduces. */
static unsigned next_random(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static struct ct_device_rule random_rule(unsigned *seed)
{
	struct ct_device_rule r = { .type = "abc"[next_random(seed) % 3] };

	r.major = (int64_t)(next_random(seed) % 7) - 1; /* -1..5: collisions and runs */
	r.minor = (int64_t)(next_random(seed) % 4) - 1;
	r.access = 1 + next_random(seed) % CT_DEV_ALL;
	if (next_random(seed) % 2)
		r.access = CT_DEV_ALL; /* the common case, and the one without an access check */
	return r;
}

/* Random small rule sets over a small space, compared exhaustively on all of it. */
static void test_program_random(void **state)
{
	static const int64_t majors[] = { 0, 1, 2, 3, 4, 5, 6 };
	static const int64_t minors[] = { 0, 1, 2, 3 };
	struct ct_device_rule rules[12];
	unsigned seed = 4711;

	for (int round = 0; round < 500; round++) {
		size_t n = next_random(&seed) % (ARRAY_SIZE(rules) + 1);

		for (size_t i = 0; i < n; i++)
			rules[i] = random_rule(&seed);
		check_exhaustive(rules, n, majors, ARRAY_SIZE(majors), minors, ARRAY_SIZE(minors));
	}
}

/* The standard set is what every start loads: 6 to read the context, 1 to deny unknown access
 * bits, 1 type check, 1 + 5 checks for 1:3..1:9, 1 + 3 for 5:0..5:2, 2 for 136..143, 2 exits. */
static void test_program_standard_size(void **state)
{
	struct bpf_insn prog[CT_DEVICES_PROG_LEN(CT_DEVICES_STANDARD_COUNT)];
	size_t n = 0;

	assert_int_equal(ct_devices_program(ct_devices_standard, ct_devices_standard_count, prog,
					    ARRAY_SIZE(prog), &n),
			 0);
	assert_true(n <= 24);
	assert_all_reachable(prog, n);
}

static void test_program_sizes(void **state)
{
	struct ct_device_rule many[CT_DEVICES_STANDARD_COUNT + CT_DEVICE_RULES_MAX];
	struct bpf_insn prog[CT_DEVICES_PROG_MAX];
	struct ct_device_rule r = rule("c 1:3 rwm"), bad = r;
	size_t n = 4711;

	assert_int_equal(ct_devices_program(NULL, 0, prog, ARRAY_SIZE(prog), &n), 0);
	assert_int_equal(n, 8); /* deny everything */
	assert_all_reachable(prog, n);
	assert_int_equal(allows(prog, n, 'c', 1, 3, CT_DEV_READ), 0);
	assert_int_equal(ct_devices_program(&r, 1, prog, ARRAY_SIZE(prog), &n), 0);
	assert_int_equal(n, 7 + 3 + 4); /* type, major, minor; rwm needs no access check */
	r = rule("a");
	assert_int_equal(ct_devices_program(&r, 1, prog, ARRAY_SIZE(prog), &n), 0);
	assert_int_equal(n, 7 + 1 + 4); /* a jump to allow */
	assert_int_equal(allows(prog, n, 'b', 4095, 1, CT_DEV_ALL), 1);
	assert_int_equal(allows(prog, n, 'b', 4095, 1, 8), 0);
	many[0] = rule("c 8:1 r"); /* covered by the next: adds nothing */
	many[1] = rule("c 8:* r");
	assert_int_equal(ct_devices_program(many, 2, prog, ARRAY_SIZE(prog), &n), 0);
	assert_int_equal(n, 7 + 3 + 4); /* type, access, major */

	/* The worst case, a group per rule with all four checks, fits CT_DEVICES_PROG_LEN exactly;
	 * there are 12 such groups (b and c, the 6 access values short of rwm). */
	for (size_t i = 0; i < 12; i++) {
		many[i] = rule("b 9:9 r");
		many[i].type = "bc"[i % 2];
		many[i].access = 1 + i / 2;
	}
	assert_int_equal(ct_devices_program(many, 12, prog, CT_DEVICES_PROG_LEN(12), &n), 0);
	assert_int_equal(n, CT_DEVICES_PROG_LEN(12));
	n = 4711;
	memset(prog, 0xa5, sizeof(prog[0]));
	assert_int_equal(ct_devices_program(many, 12, prog, CT_DEVICES_PROG_LEN(12) - 1, &n),
			 -E2BIG);
	assert_int_equal(n, 4711);
	assert_int_equal(prog[0].code, 0xa5); /* out untouched too */

	/* As many rules as ct_devices_attach takes, none merging, fit CT_DEVICES_PROG_MAX. */
	for (size_t i = 0; i < ARRAY_SIZE(many); i++) {
		many[i] = rule("b 9:9 r");
		many[i].type = "bc"[i % 2];
		many[i].major = (int64_t)(2 * i);
		many[i].access = 1 + i % CT_DEV_ALL;
	}
	assert_int_equal(ct_devices_program(many, ARRAY_SIZE(many), prog, ARRAY_SIZE(prog), &n), 0);
	assert_all_reachable(prog, n);
	n = 4711;
	bad.access = 8;
	assert_int_equal(ct_devices_program(&bad, 1, prog, ARRAY_SIZE(prog), &n), -EINVAL);
	bad = r;
	bad.major = 4096;
	assert_int_equal(ct_devices_program(&bad, 1, prog, ARRAY_SIZE(prog), &n), -EINVAL);
	assert_int_equal(n, 4711);
}

/* Scratch paths a test creates, removed by the teardown even when an assertion failed. */
struct scratch {
	char dir[PATH_MAX];        /* a temp directory, emptied and removed */
	int dir_fd;                /* on it, closed */
	char cgroups[2][PATH_MAX]; /* cgroups to rmdir */
};

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	s->dir_fd = -1;
	*state = s;
	return 0;
}

static void empty_dir(const char *path)
{
	cleanup_closedir DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
}

/* A cgroup whose last process just exited may stay busy for a moment. */
static void remove_cgroup(const char *path)
{
	for (int i = 0; i < 200 && rmdir(path) < 0 && errno == EBUSY; i++)
		usleep(10000);
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;

	ct_closep(&s->dir_fd);
	if (s->dir[0]) {
		empty_dir(s->dir);
		rmdir(s->dir);
	}
	for (size_t i = 0; i < ARRAY_SIZE(s->cgroups); i++)
		if (s->cgroups[i][0])
			remove_cgroup(s->cgroups[i]);
	free(s);
	return 0;
}

#define scratch_test(f) cmocka_unit_test_setup_teardown(f, scratch_setup, scratch_teardown)

/* A temp directory where device nodes work; skips the test when /tmp is mounted nodev. */
static void make_temp_dir(struct scratch *s)
{
	struct statvfs vfs;

	snprintf(s->dir, sizeof(s->dir), "/tmp/ct-test-devices-XXXXXX");
	if (!mkdtemp(s->dir)) {
		s->dir[0] = '\0';
		fail_msg("mkdtemp: %s", strerror(errno));
	}
	assert_int_equal(statvfs(s->dir, &vfs), 0);
	if (vfs.f_flag & ST_NODEV)
		skip();
	s->dir_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(s->dir_fd >= 0);
}

static char *read_at(int dir_fd, const char *name)
{
	char buf[4096];
	cleanup_close int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	assert_true(n >= 0);
	buf[n] = '\0';
	return strdup(buf);
}

static void touch_at(int dir_fd, const char *name)
{
	cleanup_close int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
}

static void test_v1_apply_files(void **state)
{
	struct scratch *s = *state;
	const struct ct_device_rule extra[] = { rule("c 10:200 rwm"), rule("a 8:* r"), rule("a") };
	struct ct_device_rule bad = extra[0];
	cleanup_free char *deny = NULL, *allow = NULL;
	int dir_fd;

	make_temp_dir(s);
	dir_fd = s->dir_fd;
	assert_int_equal(ct_devices_v1_apply(dir_fd, extra, ARRAY_SIZE(extra)), -ENOENT);
	touch_at(dir_fd, "devices.deny");
	touch_at(dir_fd, "devices.allow");
	bad.access = 0;
	assert_int_equal(ct_devices_v1_apply(dir_fd, &bad, 1), -EINVAL);
	assert_int_equal(ct_devices_v1_apply(dir_fd, extra, ARRAY_SIZE(extra)), 0);
	deny = read_at(dir_fd, "devices.deny");
	allow = read_at(dir_fd, "devices.allow");
	assert_string_equal(deny, "a\n");
	assert_string_equal(allow, "c 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\n"
				   "c 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\n"
				   "c 136:* rwm\nc 137:* rwm\nc 138:* rwm\nc 139:* rwm\n"
				   "c 140:* rwm\nc 141:* rwm\nc 142:* rwm\nc 143:* rwm\n"
				   "c 10:200 rwm\nc 8:* r\nb 8:* r\na\n");
}

static bool fs_is(const char *path, long magic)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == magic;
}

/* The real v1 devices controller, where the host has it mounted. */
static void test_v1_apply_kernel(void **state)
{
	static const char *const root = "/sys/fs/cgroup/devices";
	struct scratch *s = *state;
	const struct ct_device_rule extra[] = { rule("a 7:* r") };
	cleanup_free char *list = NULL;
	cleanup_close int dir_fd = -1;

	if (geteuid() != 0 || !fs_is(root, CGROUP_SUPER_MAGIC) ||
	    access("/sys/fs/cgroup/devices/devices.allow", F_OK) < 0)
		skip();
	snprintf(s->cgroups[0], PATH_MAX, "%s/ct-test-devices-%d", root, (int)getpid());
	assert_int_equal(mkdir(s->cgroups[0], 0755), 0);
	dir_fd = open(s->cgroups[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dir_fd >= 0);
	assert_int_equal(ct_devices_v1_apply(dir_fd, extra, ARRAY_SIZE(extra)), 0);
	list = read_at(dir_fd, "devices.list");
	assert_non_null(strstr(list, "c 1:3 rwm\n"));
	assert_non_null(strstr(list, "c 136:* rwm\n"));
	assert_non_null(strstr(list, "c 7:* r\n"));
	assert_non_null(strstr(list, "b 7:* r\n"));
	assert_null(strstr(list, "a *:* rwm"));
	assert_null(strstr(list, "c 1:1 "));
}

/* What the child in the scratch cgroup tries; each result is 0 or the errno. */
enum probe {
	P_OPEN_NULL,      /* open /dev/null rw */
	P_OPEN_FULL,      /* open /dev/full rw */
	P_OPEN_NULL_NODE, /* open the parent's 1:3 node rw: device nodes work in the temp dir */
	P_MKNOD_NULL,     /* mknod c 1:3 */
	P_MKNOD_PTS,      /* mknod c 136:77: any minor of a pty major */
	P_MKNOD_144,      /* mknod c 144:0: just past the pty majors */
	P_MKNOD_MEM,      /* mknod c 1:1 (/dev/mem) */
	P_MKNOD_BLOCK,    /* mknod b 7:0 (loop0) */
	P_OPEN_BLOCK,     /* open the parent's b 7:0 node */
	P_KMSG_READ,      /* open the parent's c 1:11 node (/dev/kmsg) read-only */
	P_KMSG_WRITE,     /* and write-only */
	P_COUNT_
};

static int try_open(int dir_fd, const char *path, int flags)
{
	int fd = openat(dir_fd, path, flags | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_mknod(int dir_fd, const char *name, mode_t type, unsigned major, unsigned minor)
{
	return mknodat(dir_fd, name, type | 0600, makedev(major, minor)) < 0 ? errno : 0;
}

static void probe(int dir_fd, int *res)
{
	res[P_OPEN_NULL] = try_open(AT_FDCWD, "/dev/null", O_RDWR);
	res[P_OPEN_FULL] = try_open(AT_FDCWD, "/dev/full", O_RDWR);
	res[P_OPEN_NULL_NODE] = try_open(dir_fd, "p-null", O_RDWR);
	res[P_MKNOD_NULL] = try_mknod(dir_fd, "c-null", S_IFCHR, 1, 3);
	res[P_MKNOD_PTS] = try_mknod(dir_fd, "c-pts", S_IFCHR, 136, 77);
	res[P_MKNOD_144] = try_mknod(dir_fd, "c-144", S_IFCHR, 144, 0);
	res[P_MKNOD_MEM] = try_mknod(dir_fd, "c-mem", S_IFCHR, 1, 1);
	res[P_MKNOD_BLOCK] = try_mknod(dir_fd, "c-loop", S_IFBLK, 7, 0);
	res[P_OPEN_BLOCK] = try_open(dir_fd, "p-loop", O_RDONLY);
	res[P_KMSG_READ] = try_open(dir_fd, "p-kmsg", O_RDONLY);
	res[P_KMSG_WRITE] = try_open(dir_fd, "p-kmsg", O_WRONLY);
}

/* In the child: joins the cgroup, probes, sends the results; no cmocka here. */
static _Noreturn void child(const char *cgroup, int dir_fd, int result_fd)
{
	char path[PATH_MAX], pid[32];
	int res[P_COUNT_] = { 0 }, fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
		_exit(2);
	close(fd);
	probe(dir_fd, res);
	_exit(ct_write_all(result_fd, res, sizeof(res)) < 0 ? 3 : 0);
}

static void run_child(const char *cgroup, int dir_fd, int *res)
{
	int pipe_fds[2], status;
	pid_t pid;

	assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(cgroup, dir_fd, pipe_fds[1]);
	close(pipe_fds[1]);
	assert_int_equal(read(pipe_fds[0], res, P_COUNT_ * sizeof(int)), P_COUNT_ * sizeof(int));
	close(pipe_fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const char *cgroup2_root(void)
{
	if (fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
		return "/sys/fs/cgroup";
	if (fs_is("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
		return "/sys/fs/cgroup/unified";
	return NULL;
}

/* A scratch cgroup2 cgroup with the program for the standard set plus extra attached. */
static void make_cgroup(struct scratch *s, size_t i, const struct ct_device_rule *extra,
			size_t n_extra)
{
	cleanup_close int fd = -1;

	snprintf(s->cgroups[i], PATH_MAX, "%s/ct-test-devices-%d-%zu", cgroup2_root(),
		 (int)getpid(), i);
	assert_int_equal(mkdir(s->cgroups[i], 0755), 0);
	fd = open(s->cgroups[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ct_devices_attach(fd, extra, n_extra), 0);
}

/* The nodes the parent makes (outside any restriction) for the child to open. */
static int prepare_kernel_test(struct scratch *s)
{
	int dir_fd;

	if (geteuid() != 0 || !cgroup2_root())
		skip();
	make_temp_dir(s);
	dir_fd = s->dir_fd;
	assert_int_equal(mknodat(dir_fd, "p-null", S_IFCHR | 0600, makedev(1, 3)), 0);
	assert_int_equal(mknodat(dir_fd, "p-loop", S_IFBLK | 0600, makedev(7, 0)), 0);
	assert_int_equal(mknodat(dir_fd, "p-kmsg", S_IFCHR | 0600, makedev(1, 11)), 0);
	return dir_fd;
}

static void check_results(const int *res, const int *want)
{
	static const char *const names[P_COUNT_] = {
		"open /dev/null",   "open /dev/full", "open own 1:3 node", "mknod c 1:3",
		"mknod c 136:77",   "mknod c 144:0",  "mknod c 1:1",       "mknod b 7:0",
		"open b 7:0 node", "read c 1:11",    "write c 1:11",
	};

	for (size_t i = 0; i < P_COUNT_; i++)
		if (res[i] != want[i])
			fail_msg("%s: got '%s', want '%s'", names[i], strerror(res[i]),
				 strerror(want[i]));
}

static void test_kernel_standard(void **state)
{
	static const int want[P_COUNT_] = { [P_MKNOD_144] = EPERM,  [P_MKNOD_MEM] = EPERM,
					    [P_MKNOD_BLOCK] = EPERM, [P_OPEN_BLOCK] = EPERM,
					    [P_KMSG_READ] = EPERM,  [P_KMSG_WRITE] = EPERM };
	struct scratch *s = *state;
	int dir_fd = prepare_kernel_test(s), res[P_COUNT_];

	make_cgroup(s, 0, NULL, 0);
	run_child(s->cgroups[0], dir_fd, res);
	check_results(res, want);
}

static void test_kernel_extra(void **state)
{
	static const int want[P_COUNT_] = { [P_MKNOD_144] = EPERM,  [P_MKNOD_MEM] = EPERM,
					    [P_MKNOD_BLOCK] = EPERM, [P_OPEN_BLOCK] = EPERM,
					    [P_KMSG_WRITE] = EPERM };
	struct scratch *s = *state;
	const struct ct_device_rule extra[] = { rule("c 1:11 r") };
	int dir_fd = prepare_kernel_test(s), res[P_COUNT_];

	make_cgroup(s, 1, extra, ARRAY_SIZE(extra));
	run_child(s->cgroups[1], dir_fd, res);
	check_results(res, want);
}

static void test_kernel_errors(void **state)
{
	struct ct_device_rule many[CT_DEVICE_RULES_MAX + 1];
	cleanup_close int not_cgroup = -1;
	char log[4096] = "keep";
	int fd = -1;

	if (geteuid() != 0 || !cgroup2_root())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = rule("c 1:3 r");
	not_cgroup = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(not_cgroup >= 0);
	assert_int_equal(ct_devices_attach(not_cgroup, many, ARRAY_SIZE(many)), -E2BIG);
	assert_true(ct_devices_attach(not_cgroup, many, CT_DEVICE_RULES_MAX) < 0);
	/* The largest program loads; a successful load leaves the log alone. */
	assert_int_equal(ct_devices_load(many, CT_DEVICE_RULES_MAX, log, sizeof(log), &fd), 0);
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(log, "keep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_standard),
		cmocka_unit_test(test_program_semantics),
		cmocka_unit_test(test_program_merging),
		cmocka_unit_test(test_program_random),
		cmocka_unit_test(test_program_standard_size),
		cmocka_unit_test(test_program_sizes),
		scratch_test(test_v1_apply_files),
		scratch_test(test_v1_apply_kernel),
		scratch_test(test_kernel_standard),
		scratch_test(test_kernel_extra),
		cmocka_unit_test(test_kernel_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
