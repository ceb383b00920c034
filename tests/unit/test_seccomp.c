/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for seccomp profiles (seccomp.c, seccomp-parse.c): LXC's shipped profile and ours
 * load, every error comes with its line and key, and compiled filters really act on syscalls in
 * forked children, the privileged containers' filter on mounts in a mount namespace of its own. */
#include "seccomp/seccomp-profile.h"
#include "seccomp/seccomp-internal.h" /* sc_compile(), to see which profiles go to a child */

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <linux/kexec.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define NAME "/etc/ct/test.seccomp"
#define SYSLOG_ACTION_SIZE_BUFFER 10 /* the kernel's name; glibc has none for klogctl()'s 10 */
#define DENY "2\ndenylist\n"

static char tmpdir[64];

/* Compiles text that must compile; fails the test with the error otherwise. */
#define compile(text) compile_at((text), __FILE__, __LINE__)
static struct ct_seccomp *compile_at(const char *text, const char *file, int line)
{
	struct ct_file_error err = { 0 };
	struct ct_seccomp *f = NULL;
	int r = ct_seccomp_parse(text, strlen(text), NAME, &f, &err);

	if (r != 0 || !f) {
		print_error("unexpected error %d: %s:%u: key '%s': %s\n", r, err.file, err.line,
			    err.key, err.message);
		_fail(file, line);
	}
	return f;
}

/* Checks that text compiles to n rules and nothing skipped. */
#define expect_rules(text, n) expect_rules_at((text), (n), __FILE__, __LINE__)
static void expect_rules_at(const char *text, size_t n, const char *file, int line)
{
	cleanup_seccomp struct ct_seccomp *f = compile_at(text, file, line);

	if (ct_seccomp_rule_count(f) != n || ct_seccomp_warnings(f) || ct_seccomp_insn_count(f) < 4) {
		print_error("'%s': %zu rules, expected %zu\n", text, ct_seccomp_rule_count(f), n);
		_fail(file, line);
	}
}

/* Checks that len bytes of text fail with -EINVAL at NAME:line, key, and a message containing
 * msg, and leave the output pointer alone. */
#define expect_error_len(text, len, line, key, msg)                                                \
	expect_error_at((text), (len), (line), (key), (msg), __FILE__, __LINE__)
#define expect_error(text, line, key, msg) expect_error_len((text), strlen(text), line, key, msg)
static void expect_error_at(const char *text, size_t len, unsigned line, const char *key,
			    const char *msg, const char *file, int at)
{
	struct ct_file_error err = { 0 };
	struct ct_seccomp *f = (struct ct_seccomp *)&err; /* a sentinel that must survive */
	int r = ct_seccomp_parse(text, len, NAME, &f, &err);

	if (r != -EINVAL || f != (struct ct_seccomp *)&err || strcmp(err.file, NAME) != 0 ||
	    err.line != line || strcmp(err.key, key) != 0 || !strstr(err.message, msg)) {
		print_error("input '%.200s'\n  expected -EINVAL at %s:%u key '%s' with '%s'\n"
			    "  got %d at %s:%u key '%s' with '%s'\n",
			    text, NAME, line, key, msg, r, err.file, err.line, err.key, err.message);
		_fail(file, at);
	}
}

static void srcdir_path(char *buf, size_t size, const char *rel)
{
	const char *srcdir = getenv("srcdir");

	snprintf(buf, size, "%s/%s", srcdir ? srcdir : ".", rel);
}

static void test_lxc_common_profile(void **state)
{
	cleanup_seccomp struct ct_seccomp *f = NULL;
	struct ct_file_error err = { 0 };
	char path[PATH_MAX];

	srcdir_path(path, sizeof(path), "tests/unit/data/lxc-common.seccomp");
	assert_int_equal(ct_seccomp_load(path, &f, &err), 0);
	/* five modules/kexec/handle rules and reject_force_umount */
	assert_int_equal(ct_seccomp_rule_count(f), 6);
	assert_null(ct_seccomp_warnings(f));
}

static void test_default_profile(void **state)
{
	cleanup_seccomp struct ct_seccomp *f = NULL;
	struct ct_file_error err = { 0 };
	char path[PATH_MAX];

	srcdir_path(path, sizeof(path), "config/default.seccomp");
	assert_int_equal(ct_seccomp_load(path, &f, &err), 0);
	assert_int_equal(ct_seccomp_rule_count(f), 18);
	assert_null(ct_seccomp_warnings(f)); /* every name is one libseccomp knows */
}

static void test_privileged_profile(void **state)
{
	cleanup_seccomp struct ct_seccomp *f = NULL;
	struct ct_file_error err = { 0 };
	char path[PATH_MAX];

	srcdir_path(path, sizeof(path), "config/privileged.seccomp");
	assert_int_equal(ct_seccomp_load(path, &f, &err), 0);
	/* 3 mount rules, 2 umounts, 7 new mount API calls and 20 others */
	assert_int_equal(ct_seccomp_rule_count(f), 34);
	/* umount is i386 only, but libseccomp knows the name: no warning for it either */
	assert_null(ct_seccomp_warnings(f));
	assert_true(ct_seccomp_insn_count(f) > 32 && ct_seccomp_insn_count(f) < 1024);
}

static void test_policies(void **state)
{
	expect_rules("2\ndenylist\n", 0);
	expect_rules("2\nblacklist\ngetpid\n", 1);
	expect_rules("2\nallowlist\nread\nwrite\n", 2);
	expect_rules("2\nwhitelist\nread\n", 1);
	expect_rules("2\nallowlist errno 38\nread\nwrite errno 1\nopen kill\n", 3);
	expect_rules("2\nallowlist trap\nread\n", 1);
	expect_rules("2\ndenylist errno 1\ngetpid allow\ngetppid kill\n", 2);
	expect_rules("2\ndenylist kill\ngetpid errno 0\ngetppid trap\n", 2);
	expect_rules(DENY "getpid errno 4094\n", 1);
	expect_rules("2\nallowlist errno 4094\nread\n", 1);
	/* errno 0 on allow-by-default: LXC's own example ("mknod errno 0": pretend success) */
	expect_rules(DENY "mknod errno 0\n", 1);
}

static void test_layout(void **state)
{
	/* comments and blank lines anywhere, inline comments, CRLF, no final newline */
	expect_rules("# head\n\n2\n# between\ndenylist # the policy\n\ngetpid errno 1 # why\n", 1);
	expect_rules("2\r\ndenylist\r\ngetpid errno 1\r\n[all]\r\ngetppid\r\n", 2);
	expect_rules("2\ndenylist\ngetpid", 1);
	expect_rules("  2  \n\tdenylist\t\n   getpid    errno   1   \n", 1);
	expect_rules(DENY "#getpid\n   # getppid\n", 0);
	expect_rules(DENY "reject_force_umount  # comment this to allow umount -f\n", 1);
}

static void test_arg_filters(void **state)
{
	static const char *const ops[] = { "SCMP_CMP_NE", "!=", "SCMP_CMP_LT", "<", "SCMP_CMP_LE",
		"<=", "SCMP_CMP_EQ", "==", "SCMP_CMP_GE", ">=", "SCMP_CMP_GT", ">" };
	char text[256];

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		snprintf(text, sizeof(text), DENY "personality errno 1 [0,8,%s]\n", ops[i]);
		expect_rules(text, 1);
	}
	expect_rules(DENY "umount2 errno 13 [1,1,SCMP_CMP_MASKED_EQ,1]\n", 1);
	expect_rules(DENY "umount2 errno 13 [1,0x10,&=,0x10]\n", 1);
	expect_rules(DENY "socket errno 97 [ 0 , 17 , == ]\n", 1);
	expect_rules(DENY "socket errno 97 [0,0x11,==] [1,010,!=]\n", 1);
	expect_rules(DENY "personality errno 1 [0,18446744073709551615,==]\n", 1);
	expect_rules(DENY "mmap errno 1 [0,1,==] [1,1,==] [2,1,==] [3,1,==] [4,1,==] [5,1,==]\n", 1);
	/* without an action before them, filters take the policy's rule action */
	expect_rules(DENY "socket [0,17,==]\n", 1);
	/* several rules for one syscall add up */
	expect_rules(DENY "socket errno 1 [0,17,==]\nsocket errno 1 [0,16,==]\n", 2);
	expect_rules(DENY "getpid errno 1 [0,17,==]\ngetpid errno 2 [0,16,==]\ngetpid kill\n", 3);
	/* but not to two actions for the same case; x86's socketcall cannot see the domain */
	expect_error(DENY "getpid errno 1 [0,17,==]\ngetpid errno 2 [0,17,==]\n", 4, "getpid",
		     "same syscall and filters but another action");
	expect_error(DENY "socket errno 1 [0,17,==]\nsocket errno 2 [0,16,==]\n", 4, "socket",
		     "lost to socketcall");
}

static void test_arch_sections(void **state)
{
	expect_rules(DENY "[x86_64]\ngetpid errno 1\n[x86]\ngetpid errno 2\n[x32]\ngetpid\n", 3);
	expect_rules(DENY "[X86_64]\ngetpid\n[I386]\nwaitpid\n[amd64]\ngetppid\n[ALL]\nread\n", 4);
	expect_rules(DENY "[x86]\nsocketcall errno 1\nsocket errno 1 [0,17,==]\n", 2);
	/* foreign architectures: checked, then ignored, even names only they know */
	expect_rules(DENY "[arm]\nbreakpoint\n[arm64]\ngetpid\n[ppc64le]\n[s390x]\nfoo_bar\n"
		     "[mips]\n[mipsel64n32]\n[riscv64]\ngetpid errno 1 [0,1,==]\n[all]\ngetpid\n", 1);
	expect_error(DENY "[arm]\ngetpid bogus\n", 4, "getpid", "unknown action 'bogus'");
}

static void test_unknown_syscalls(void **state)
{
	cleanup_seccomp struct ct_seccomp *f = compile(DENY "getpid\nfuture_call errno 1\n"
						       "[x86_64]\nother_future\n");
	char *const *w = ct_seccomp_warnings(f);

	assert_int_equal(ct_seccomp_rule_count(f), 1);
	assert_non_null(w);
	assert_string_equal(w[0], NAME ":4: unknown syscall 'future_call', rule skipped");
	assert_string_equal(w[1], NAME ":6: unknown syscall 'other_future', rule skipped");
	assert_null(w[2]);
}

static void test_version1(void **state)
{
	expect_rules("1\nallowlist\n0\n1\n60\n231\n", 4);
	expect_rules("1\nwhitelist\n# read\n0\n\n", 1);
	expect_error("1\ndenylist\n", 2, "policy", "plain 'allowlist'");
	expect_error("1\nallowlist errno 1\n", 2, "policy", "plain 'allowlist'");
	expect_error("1\nallowlist\nread\n", 3, "read", "expected one syscall number");
	expect_error("1\nallowlist\n1 2\n", 3, "1", "expected one syscall number");
	expect_error("1\nallowlist\n-1\n", 3, "-1", "expected one syscall number");
	expect_error("1\nallowlist\n65536\n", 3, "65536", "expected one syscall number");
}

static void test_header_errors(void **state)
{
	expect_error("", 0, "version", "empty profile");
	expect_error("# nothing\n\n   \n", 0, "version", "empty profile");
	expect_error("3\ndenylist\n", 1, "version", "expected the profile version, '1' or '2'");
	expect_error("2.0\n", 1, "version", "got '2.0'");
	expect_error("2 denylist\n", 1, "version", "expected the profile version");
	expect_error("denylist\n", 1, "version", "got 'denylist'");
	expect_error("2\n", 0, "policy", "missing the policy line");
	expect_error("2\n# only comments\n", 0, "policy", "missing the policy line");
	expect_error("2\ngreylist\n", 2, "policy", "expected the policy");
	expect_error("2\ndenylistx\n", 2, "policy", "got 'denylistx'");
	expect_error("2\ngetpid\n", 2, "policy", "got 'getpid'");
	expect_error("2\ndenylist debug\n", 2, "policy", "unknown action 'debug'");
	expect_error("2\nallowlist errno\n", 2, "policy", "'errno' needs a number");
	expect_error("2\nallowlist errno 1 kill\n", 2, "policy", "unexpected 'kill'");
	expect_error("2\nallowlist notify\n", 2, "policy", "'notify' is not supported");
}

static void test_rule_errors(void **state)
{
	expect_error(DENY "getpid frobnicate\n", 3, "getpid", "unknown action 'frobnicate'");
	expect_error(DENY "getpid KILL\n", 3, "getpid", "unknown action 'KILL'");
	expect_error(DENY "ioctl notify\n", 3, "ioctl", "action 'notify' is not supported");
	expect_error(DENY "getpid errno\n", 3, "getpid", "'errno' needs a number");
	expect_error(DENY "getpid errno [0,1,==]\n", 3, "getpid", "'errno' needs a number");
	expect_error(DENY "getpid errno 4095\n", 3, "getpid", "bad errno number '4095' (expected "
		     "0..4094)");
	expect_error("2\nallowlist errno 4095\n", 2, "policy", "bad errno number '4095'");
	expect_error(DENY "getpid errno -1\n", 3, "getpid", "bad errno number '-1'");
	expect_error(DENY "getpid errno EPERM\n", 3, "getpid", "bad errno number 'EPERM'");
	expect_error(DENY "getpid errno 1x\n", 3, "getpid", "bad errno number '1x'");
	expect_error(DENY "getpid errno 1 2\n", 3, "getpid", "unexpected '2'");
	expect_error(DENY "getpid kill trap\n", 3, "getpid", "unexpected 'trap'");
	expect_error(DENY "!!!\n", 3, "!!!", "invalid syscall name");
	expect_error(DENY "GetPid\n", 3, "GetPid", "invalid syscall name");
	expect_error(DENY "1getpid\n", 3, "1getpid", "invalid syscall name");
	expect_error(DENY "get-pid errno 1\n", 3, "get-pid", "invalid syscall name");
	expect_error(DENY "getpid#x\n", 3, "getpid#x", "invalid syscall name");
	expect_error(DENY "getpid allow\n", 3, "getpid", "the policy's default action");
	expect_error("2\nallowlist errno 5\nread errno 5\n", 3, "read", "default action");
	expect_error(DENY "reject_force_umount errno 1\n", 3, "reject_force_umount",
		     "takes no action and no filter");
	expect_error(DENY "reject_force_umount [0,1,==]\n", 3, "reject_force_umount",
		     "takes no action and no filter");
}

static void test_filter_errors(void **state)
{
	expect_error(DENY "socket errno 1 [0,17]\n", 3, "socket", "is not [INDEX,VALUE,OP]");
	expect_error(DENY "socket errno 1 []\n", 3, "socket", "is not [INDEX,VALUE,OP]");
	expect_error(DENY "socket errno 1 [0,1,==,1,1]\n", 3, "socket", "is not [INDEX");
	expect_error(DENY "socket errno 1 [6,1,==]\n", 3, "socket", "bad argument index '6'");
	expect_error(DENY "socket errno 1 [x,1,==]\n", 3, "socket", "bad argument index 'x'");
	expect_error(DENY "socket errno 1 [-1,1,==]\n", 3, "socket", "bad argument index");
	expect_error(DENY "socket errno 1 [0,-1,==]\n", 3, "socket", "bad argument value '-1'");
	expect_error(DENY "socket errno 1 [0,,==]\n", 3, "socket", "bad argument value ''");
	expect_error(DENY "socket errno 1 [0,08,==]\n", 3, "socket", "bad argument value '08'");
	expect_error(DENY "socket errno 1 [0,18446744073709551616,==]\n", 3, "socket",
		     "bad argument value");
	expect_error(DENY "socket errno 1 [0,1,=~]\n", 3, "socket", "unknown comparison operator");
	expect_error(DENY "socket errno 1 [0,1,SCMP_CMP_EQUAL]\n", 3, "socket", "operator");
	expect_error(DENY "socket errno 1 [0,1,scmp_cmp_eq]\n", 3, "socket", "operator");
	expect_error(DENY "socket errno 1 [0,1,==\n", 3, "socket", "does not end with ']'");
	expect_error(DENY "socket errno 1 [0,1,==]x\n", 3, "socket", "does not end with ']'");
	expect_error(DENY "socket errno 1 [0,1,==][1,1,==]\n", 3, "socket", "is not [INDEX");
	expect_error(DENY "socket errno 1 [0,1,&=]\n", 3, "socket", "needs a mask");
	expect_error(DENY "socket errno 1 [0,1,==,1]\n", 3, "socket", "only SCMP_CMP_MASKED_EQ");
	expect_error(DENY "socket errno 1 [0,1,&=,z]\n", 3, "socket", "bad argument mask 'z'");
	expect_error(DENY "socket errno 1 [0,1,==] [0,2,==]\n", 3, "socket", "filtered twice");
	expect_error(DENY "socket errno 1 [0,1,==] junk\n", 3, "socket", "unexpected 'junk'");
	expect_error(DENY "mmap errno 1 [0,1,==] [1,1,==] [2,1,==] [3,1,==] [4,1,==] [5,1,==] "
		     "[0,2,==]\n", 3, "mmap", "more than 6 argument filters");
	expect_error(DENY "socket errno 1 [0,1,==,0000000000000000000000000000000000000000000000000"
		     "00000000000000000000000000000000000000000000000000000000000000000000000000000"
		     "1]\n", 3, "socket", "is too long");
}

static void test_section_errors(void **state)
{
	expect_error(DENY "[vax]\n", 3, "[vax]", "unknown architecture section");
	expect_error(DENY "[]\n", 3, "[]", "unknown architecture section");
	expect_error(DENY "[x86_64\n", 3, "[x86_64", "alone on its line");
	expect_error(DENY "[x86_64] getpid\n", 3, "[x86_64]", "alone on its line");
	expect_error(DENY "[x86_64]x\n", 3, "[x86_64]x", "alone on its line");
}

static void test_hostile_input(void **state)
{
	static const char nul[] = DENY "getpid\0 errno 1\n";
	char *text;
	size_t n;

	expect_error_len(nul, sizeof(nul) - 1, 3, "", "NUL byte in line");
	expect_error_len("2\0\n", 3, 1, "", "NUL byte in line");

	text = malloc(CT_SECCOMP_LINE_MAX + 64);
	assert_non_null(text);
	/* line 3 is "getpid errno 1" and blanks, 1025 bytes in all */
	n = (size_t)sprintf(text, DENY "getpid errno 1");
	memset(text + n, ' ', CT_SECCOMP_LINE_MAX + 1 - 14);
	expect_error_len(text, n + CT_SECCOMP_LINE_MAX + 1 - 14, 3, "", "longer than 1024 bytes");
	/* one byte less is the maximum, which is fine */
	text[n + CT_SECCOMP_LINE_MAX - 14] = '\0';
	expect_rules(text, 1);
	free(text);

	expect_error(DENY "a b c d e f g h i j k l m n o p q\n", 3, "a", "too many words");
}

/* Builds a denylist of count lines, each "PREFIX<index>SUFFIX". */
static char *make_profile(size_t count, const char *prefix, const char *suffix)
{
	size_t size = 32 + count * 64, len;
	char *text = malloc(size);

	assert_non_null(text);
	len = (size_t)snprintf(text, size, DENY);
	for (size_t i = 0; i < count; i++)
		len += (size_t)snprintf(text + len, size - len, "%s%zu%s", prefix, i, suffix);
	return text;
}

static void test_limits(void **state)
{
	cleanup_free char *max = make_profile(CT_SECCOMP_RULES_MAX, "getpid errno 1 # ", "\n");
	cleanup_free char *over = make_profile(CT_SECCOMP_RULES_MAX + 1, "getpid errno 1 # ",
							 "\n");
	cleanup_free char *filters = make_profile(49, "getpid errno 1 [0,", ",==]\n");
	cleanup_free char *multi = make_profile(64, "getpid errno 1 [0,",
							  ",==] [1,1,==] [2,2,==]\n");
	cleanup_free char *total = NULL;
	static const char *const calls[] = { "read", "write", "close", "lseek", "mmap", "ioctl" };
	size_t len = 0, size = 16 * 1024;

	expect_rules(max, CT_SECCOMP_RULES_MAX);
	expect_error(over, CT_SECCOMP_RULES_MAX + 3, "getpid", "more than 4096 rules");
	/* bounded, as libseccomp's compile time grows steeply with them */
	expect_error(filters, 51, "getpid", "more than 48 argument filters for this syscall");
	expect_error(multi, 19, "getpid", "more than 48 argument filters");

	total = malloc(size);
	assert_non_null(total);
	len = (size_t)snprintf(total, size, DENY);
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		for (size_t v = 0; v < 48 && len < size; v++)
			len += (size_t)snprintf(total + len, size - len, "%s errno 1 [0,%zu,==]\n",
						calls[i], v);
	/* five syscalls with 48 filters each, then the 17th ioctl rule is the 257th filter */
	expect_error(total, 2 + 5 * 48 + 17, "ioctl", "more than 256 argument filters in the "
		     "profile");
}

static void write_file(const char *path, const char *text, size_t len)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
}

static void test_load_errors(void **state)
{
	cleanup_seccomp struct ct_seccomp *f = NULL;
	struct ct_file_error err = { 0 };
	char path[128];
	char *big;

	snprintf(path, sizeof(path), "%s/missing.seccomp", tmpdir);
	assert_int_equal(ct_seccomp_load(path, &f, &err), -ENOENT);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.key, "");
	assert_string_equal(err.message, strerror(ENOENT));
	assert_int_equal(ct_seccomp_load(tmpdir, &f, &err), -EISDIR);
	assert_string_equal(err.file, tmpdir);

	snprintf(path, sizeof(path), "%s/bad.seccomp", tmpdir);
	write_file(path, "2\ndenylist\ngetpid oops\n", 23);
	assert_int_equal(ct_seccomp_load(path, &f, &err), -EINVAL);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.key, "getpid");

	snprintf(path, sizeof(path), "%s/big.seccomp", tmpdir);
	big = calloc(1, CT_SECCOMP_FILE_MAX + 1);
	assert_non_null(big);
	write_file(path, big, CT_SECCOMP_FILE_MAX + 1);
	free(big);
	assert_int_equal(ct_seccomp_load(path, &f, &err), -EFBIG);
	assert_string_equal(err.file, path);
	assert_true(strstr(err.message, "larger than") != NULL);
	assert_null(f);
	assert_int_equal(ct_seccomp_install(NULL), -EINVAL);
	assert_int_equal(ct_seccomp_rule_count(NULL), 0);
}

static void test_no_name_no_err(void **state)
{
	struct ct_file_error err = { 0 };
	struct ct_seccomp *f = NULL;

	assert_int_equal(ct_seccomp_parse("2\n", 2, NULL, &f, &err), -EINVAL);
	assert_string_equal(err.file, "<string>");
	assert_int_equal(ct_seccomp_parse("x", 1, NULL, &f, NULL), -EINVAL);
	assert_null(f);
}

#define EXIT_NO_SECCOMP 77

/* Forks a child that sets no_new_privs, installs the filter compiled from text and exits with
 * what check() returns (0: all as expected, else which step was not); returns the wait status. */
static int run_filtered(const char *text, int (*check)(void))
{
	cleanup_seccomp struct ct_seccomp *f = compile(text);
	int status, r;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		/* SIGSYS dumps core by default; the kill tests must not leave core files. */
		(void)setrlimit(RLIMIT_CORE, &no_core);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(100);
		r = ct_seccomp_install(f);
		if (r == -ENOSYS)
			_exit(EXIT_NO_SECCOMP);
		/* the raw exit_group: a sanitizer's _exit() hooks (leak check) need syscalls that
		 * an allowlist denies */
		syscall(SYS_exit_group, r < 0 ? 101 : check());
		_exit(102); /* not reached */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static int check_nothing(void)
{
	return 0;
}

/* Skips the calling test when seccomp() is missing: valgrind 3.19 does not know it (nor do
 * kernels without CONFIG_SECCOMP). Call it first, as skip() jumps over cleanup handlers. */
static void require_seccomp(void)
{
	static int status = -1;

	if (status == -1)
		status = run_filtered(DENY, check_nothing);
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_NO_SECCOMP)
		skip();
	assert_int_equal(status, 0);
}

#define assert_exited_ok(status) assert_int_equal((status), 0) /* exited, status 0 */

static void assert_killed_by_sigsys(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static bool failed_with(long r, int e)
{
	return r == -1 && errno == e;
}

static int check_getpid_errno(void)
{
	if (!failed_with(syscall(SYS_getpid), 42))
		return 1;
	if (syscall(SYS_getppid) <= 0) /* other syscalls are untouched */
		return 2;
	return 0;
}

static int check_getpid_works(void)
{
	return syscall(SYS_getpid) > 0 ? 0 : 1;
}

static void test_enforce_errno(void **state)
{
	require_seccomp();
	assert_exited_ok(run_filtered(DENY "getpid errno 42\n", check_getpid_errno));
	/* the parent is unaffected */
	assert_true(syscall(SYS_getpid) > 0);
	assert_int_equal(syscall(SYS_getpid), getpid());
	/* and a filter that does not name getpid leaves it alone */
	assert_exited_ok(run_filtered(DENY "getppid errno 42\n", check_getpid_works));
}

static char mkdir_path[128];

static int check_mkdir_denied(void)
{
	return failed_with(syscall(SYS_mkdir, mkdir_path, 0700), EACCES) ? 0 : 1;
}

static void test_enforce_mkdir(void **state)
{
	struct stat st;

	require_seccomp();
	snprintf(mkdir_path, sizeof(mkdir_path), "%s/made", tmpdir);
	assert_exited_ok(run_filtered(DENY "mkdir errno 13\n", check_mkdir_denied));
	assert_int_equal(stat(mkdir_path, &st), -1); /* the child did not create it */
	assert_int_equal(mkdir(mkdir_path, 0700), 0); /* and the parent can */
	assert_int_equal(rmdir(mkdir_path), 0);
}

static int call_getpid(void)
{
	syscall(SYS_getpid);
	return 0;
}

static void test_enforce_kill(void **state)
{
	require_seccomp();
	assert_killed_by_sigsys(run_filtered(DENY "getpid kill\n", call_getpid));
	/* a denylist rule without an action kills */
	assert_killed_by_sigsys(run_filtered(DENY "getpid\n", call_getpid));
	/* an allowlist kills what it does not name */
	assert_killed_by_sigsys(run_filtered("2\nallowlist\nexit_group\n", call_getpid));
}

static volatile sig_atomic_t trapped;

static void on_sigsys(int sig)
{
	trapped = 1;
}

static int check_trap(void)
{
	struct sigaction sa = { .sa_handler = on_sigsys };

	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return 1;
	syscall(SYS_getpid);
	return trapped ? 0 : 2; /* unlike kill, trap lets a handler run */
}

static void test_enforce_trap(void **state)
{
	require_seccomp();
	assert_exited_ok(run_filtered(DENY "getpid trap\n", check_trap));
}

static int check_allowlist(void)
{
	if (!failed_with(syscall(SYS_getppid), ENOSYS))
		return 1;
	if (syscall(SYS_getpid) <= 0)
		return 2;
	return 0;
}

static void test_enforce_allowlist(void **state)
{
	require_seccomp();
	assert_exited_ok(run_filtered("2\nallowlist errno 38\nexit_group\nexit\ngetpid\n",
				      check_allowlist));
}

static int check_personality(void)
{
	if (!failed_with(syscall(SYS_personality, 0xffffffffUL), EPERM))
		return 1;
	if (syscall(SYS_personality, (unsigned long)PER_LINUX) < 0)
		return 2;
	return 0;
}

static int check_socket(void)
{
	int fd;

	if (!failed_with(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), EAFNOSUPPORT))
		return 1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 2;
	close(fd);
	return 0;
}

static int check_force_umount(void)
{
	if (!failed_with(umount2("/nonexistent-ct-test", MNT_FORCE), EACCES))
		return 1;
	if (!failed_with(umount2("/nonexistent-ct-test", MNT_FORCE | MNT_DETACH), EACCES))
		return 2;
	errno = 0;
	if (umount2("/nonexistent-ct-test", MNT_DETACH) != -1 || errno == EACCES)
		return 3;
	return 0;
}

static void test_enforce_arg_filters(void **state)
{
	require_seccomp();
	assert_exited_ok(run_filtered(DENY "personality errno 1 [0,0xffffffff,SCMP_CMP_EQ]\n",
				      check_personality));
	assert_exited_ok(run_filtered(DENY "socket errno 97 [0,17,SCMP_CMP_EQ]\n", check_socket));
	assert_exited_ok(run_filtered(DENY "umount2 errno 13 [1,1,SCMP_CMP_MASKED_EQ,1]\n",
				      check_force_umount));
	assert_exited_ok(run_filtered(DENY "reject_force_umount\n", check_force_umount));
}

static int check_default_profile(void)
{
	/* Calls that fail differently without the filter (never a real kexec_load: as root it
	 * would unload the host's crash kernel). */
	if (!failed_with(syscall(SYS_bpf, 12345, NULL, 0), EPERM))
		return 1;
	if (!failed_with(syscall(SYS_open_by_handle_at, -1, NULL, 0), EPERM))
		return 2;
	if (!failed_with(syscall(SYS_keyctl, 0, -9999, 0), EPERM))
		return 3;
	if (!failed_with(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM))
		return 4;
	if (check_force_umount() != 0)
		return 5;
	if (unshare(0) < 0 || syscall(SYS_getpid) <= 0) /* what a guest needs still works */
		return 6;
	return 0;
}

/* The text of a file of the source tree, NUL-terminated; the caller frees it. */
static char *read_source(const char *rel)
{
	char path[PATH_MAX], *text;
	FILE *f;
	long len;

	srcdir_path(path, sizeof(path), rel);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

static void test_enforce_default_profile(void **state)
{
	cleanup_free char *text = NULL;

	require_seccomp();
	text = read_source("config/default.seccomp");
	assert_exited_ok(run_filtered(text, check_default_profile));
}

static int check_syslog_denied(void)
{
	return failed_with(klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), EPERM) ? 0 : 1;
}

static void test_enforce_default_syslog(void **state)
{
	cleanup_free char *text = NULL;

	require_seccomp();
	/* Only a caller that may read the kernel log tells the filter's EPERM from the kernel's
	 * (root, or anyone with kernel.dmesg_restrict=0). */
	if (klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0) < 0)
		skip();
	text = read_source("config/default.seccomp");
	assert_exited_ok(run_filtered(text, check_syslog_denied));
	assert_true(klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0) > 0); /* the parent still can */
}

#if defined(__x86_64__)
/* A syscall through the i386 table, as a 32-bit program would make it; returns the raw result,
 * -errno on failure. Pointers are cut to 32 bits: the kernel faults on them unless a filter
 * answers first. */
static long i386_call(long nr, long a, long b, long c, long d)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "r8", "r9", "r10", "r11", "memory");
	return r;
}

/* getpid is number 20 on i386. */
static long getpid_i386(void)
{
	return i386_call(20, 0, 0, 0, 0);
}

static int check_x86_section(void)
{
	if (syscall(SYS_getpid) <= 0)
		return 1;
	return getpid_i386() == -42 ? 0 : 2;
}

static int check_x86_64_section(void)
{
	if (!failed_with(syscall(SYS_getpid), 42))
		return 1;
	return getpid_i386() > 0 ? 0 : 2;
}

static int check_i386_alive(void)
{
	return getpid_i386() > 0 ? 0 : 1;
}

static int check_all_section(void)
{
	if (!failed_with(syscall(SYS_getpid), 42))
		return 1;
	return getpid_i386() == -42 ? 0 : 2;
}

static bool under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload && strstr(preload, "vgpreload");
}

/* valgrind cannot run int $0x80 in a 64-bit program; kernels may lack IA32 emulation. */
static bool i386_usable(void)
{
	return !under_valgrind() && getpid_i386() == getpid();
}

static void test_enforce_arch_sections(void **state)
{
	require_seccomp();
	/* native rules: an [x86] or [x32] rule does not touch x86_64 calls, [x86_64] does */
	assert_exited_ok(run_filtered(DENY "[x86]\ngetpid errno 42\n[x32]\ngetpid errno 42\n",
				      check_getpid_works));
	assert_exited_ok(run_filtered(DENY "[x86_64]\ngetpid errno 42\n", check_getpid_errno));
	if (!i386_usable())
		skip();
	assert_exited_ok(run_filtered(DENY "[x86]\ngetpid errno 42\n", check_x86_section));
	assert_exited_ok(run_filtered(DENY "[x86_64]\ngetpid errno 42\n", check_x86_64_section));
	assert_exited_ok(run_filtered(DENY "getpid errno 42\n", check_all_section));
	/* 32-bit programs are not killed as a foreign architecture: x86 is in the filter */
	assert_exited_ok(run_filtered(DENY "getppid errno 1\n", check_i386_alive));
}

/* The privileged filter from a 32-bit program: i386 has a umount of its own (22), and its mount
 * (21) and fsopen (430) must be filtered like the native ones. The test's paths do not fit in
 * 32 bits: without the filter, these calls fail with EFAULT. */
static int check_privileged_i386(const char *dir)
{
	long path = (long)(uintptr_t)dir;

	if (!i386_usable())
		return 0;
	if (i386_call(22, path, 0, 0, 0) != -EPERM)
		return 60;
	if (i386_call(52, path, 0, 0, 0) != -EPERM) /* umount2 */
		return 61;
	if (i386_call(21, 0, path, 0, MS_REMOUNT | MS_RDONLY) != -EPERM)
		return 62;
	if (i386_call(430, path, 0, 0, 0) != -ENOSYS)
		return 63;
	return 0;
}
#else
static void test_enforce_arch_sections(void **state)
{
	skip();
}

static int check_privileged_i386(const char *dir)
{
	return 0;
}
#endif

/* The real kernel test of config/privileged.seccomp. A forked child gets its own mount
 * namespace, makes every mount private to it and mounts a tmpfs on a (the mount a container's
 * guard would be), then installs the filter as a privileged container's init has it: root with
 * CAP_SYS_ADMIN, no no_new_privs. Whatever the filter lets through stays in that namespace. */
#define EXIT_NO_NAMESPACE 78

static char priv_a[128], priv_b[128], priv_c[128];

static bool is_read_only(const char *path)
{
	struct statvfs st;

	return statvfs(path, &st) == 0 && (st.f_flag & ST_RDONLY);
}

/* Superblock remounts, writable bind remounts and moves are refused; a read-only bind remount
 * is not. */
static int check_privileged_mount_flags(void)
{
	if (!failed_with(mount(NULL, priv_a, NULL, MS_REMOUNT | MS_RDONLY, NULL), EPERM))
		return 10;
	if (is_read_only(priv_a))
		return 11;
	/* the legacy magic in the upper half of the flags does not get past the mask */
	if (!failed_with(mount(NULL, priv_a, NULL, MS_MGC_VAL | MS_REMOUNT, NULL), EPERM))
		return 12;
	/* a bind remount must keep nodev (and read-only) */
	if (!failed_with(mount(NULL, priv_a, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), EPERM))
		return 16;
	if (mount(NULL, priv_a, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV, NULL) < 0 ||
	    !is_read_only(priv_a))
		return 13;
	if (!failed_with(mount(NULL, priv_a, NULL, MS_REMOUNT | MS_BIND, NULL), EPERM) ||
	    !is_read_only(priv_a))
		return 14;
	if (!failed_with(mount(priv_a, priv_b, NULL, MS_MOVE, NULL), EPERM))
		return 15;
	return 0;
}

static int check_privileged_umount(void)
{
	if (!failed_with(umount2(priv_a, 0), EPERM))
		return 20;
	if (!failed_with(umount2(priv_a, MNT_DETACH), EPERM))
		return 21;
	if (!failed_with(umount2(priv_a, MNT_FORCE), EPERM))
		return 22;
	return 0;
}

/* The new mount API is missing, as on an old kernel; without the filter each of these calls
 * would work on a, or fail with EBADF. */
static int check_privileged_mount_api(void)
{
	struct mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };

	if (!failed_with(syscall(SYS_fsopen, "tmpfs", 0), ENOSYS))
		return 30;
	if (!failed_with(syscall(SYS_fspick, AT_FDCWD, priv_a, 0), ENOSYS))
		return 31;
	if (!failed_with(syscall(SYS_fsconfig, -1, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0), ENOSYS))
		return 32;
	if (!failed_with(syscall(SYS_fsmount, -1, 0, 0), ENOSYS))
		return 33;
	if (!failed_with(syscall(SYS_open_tree, AT_FDCWD, priv_a, OPEN_TREE_CLONE), ENOSYS))
		return 34;
	if (!failed_with(syscall(SYS_move_mount, AT_FDCWD, priv_a, AT_FDCWD, priv_b, 0), ENOSYS))
		return 35;
	if (!failed_with(syscall(SYS_mount_setattr, AT_FDCWD, priv_a, 0, &attr, sizeof(attr)),
			 ENOSYS))
		return 36;
	return is_read_only(priv_a) ? 0 : 37;
}

/* Calls on the host's kernel. Without the filter each fails otherwise (bad pointers and
 * descriptors), so none of them can change the host even then. */
static int check_privileged_calls(void)
{
	if (!failed_with(klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), EPERM))
		return 40;
	if (!failed_with(syscall(SYS_bpf, 12345, NULL, 0), EPERM))
		return 41;
	if (!failed_with(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM))
		return 42;
	if (!failed_with(syscall(SYS_open_by_handle_at, -1, NULL, 0), EPERM))
		return 43;
	if (!failed_with(syscall(SYS_keyctl, 0, -9999, 0), EPERM))
		return 44;
	if (!failed_with(syscall(SYS_acct, (char *)1), EPERM))
		return 45;
	if (!failed_with(syscall(SYS_quotactl_fd, -1, 0, 0, NULL), EPERM))
		return 46;
	if (!failed_with(syscall(SYS_swapon, NULL, 0), EPERM))
		return 47;
	/* a whole file system's marks are refused, an inode's are not (EBADF: no fanotify fd) */
	if (!failed_with(fanotify_mark(-1, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD,
				       "/"), EPERM))
		return 48;
	if (!failed_with(fanotify_mark(-1, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "/"), EBADF))
		return 49;
	return 0;
}

/* What a guest needs to boot still works: new mounts, bind mounts, a hostname of its own,
 * pivot_root, then (as systemd does) shared propagation. Last, as pivot_root moves the child's
 * root, and before it nothing may be shared. */
static int check_privileged_allowed(void)
{
	char old[160];

	/* a new mount without nodev could reach a host disk's device node (a devtmpfs) */
	if (!failed_with(mount("tmpfs", priv_c, "tmpfs", 0, NULL), EPERM))
		return 55;
	if (mount("tmpfs", priv_c, "tmpfs", MS_NODEV, NULL) < 0)
		return 50;
	if (mount(priv_c, priv_b, NULL, MS_BIND, NULL) < 0)
		return 51;
	if (unshare(CLONE_NEWUTS) < 0 || sethostname("ct-test", 7) < 0)
		return 52;
	snprintf(old, sizeof(old), "%s/old", priv_c);
	if (mkdir(old, 0700) < 0 || syscall(SYS_pivot_root, priv_c, old) < 0)
		return 53;
	if (mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0)
		return 54;
	return 0;
}

static int check_privileged(void)
{
	int r = check_privileged_mount_flags();

	if (r == 0)
		r = check_privileged_umount();
	if (r == 0)
		r = check_privileged_mount_api();
	if (r == 0)
		r = check_privileged_calls();
	if (r == 0)
		r = check_privileged_i386(priv_a);
	return r ? r : check_privileged_allowed();
}

/* Forks the child described above; returns its wait status. */
static int run_privileged(const struct ct_seccomp *f)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", priv_a, "tmpfs", 0, NULL) < 0)
			_exit(EXIT_NO_NAMESPACE);
		if (ct_seccomp_install(f) < 0)
			_exit(101);
		_exit(check_privileged());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void make_dir(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	assert_true(mkdir(buf, 0700) == 0 || errno == EEXIST);
}

/* Whether path is on the same file system as tmpdir: nothing is mounted on it. */
static bool not_mounted(const char *path)
{
	struct stat dir, st;

	return stat(tmpdir, &dir) == 0 && stat(path, &st) == 0 && st.st_dev == dir.st_dev;
}

static void test_enforce_privileged_profile(void **state)
{
	struct ct_seccomp *f;
	char *text, host[256], after[256];
	int status;

	require_seccomp();
	if (geteuid() != 0)
		skip(); /* a privileged container's init is root */
	make_dir(priv_a, sizeof(priv_a), "a");
	make_dir(priv_b, sizeof(priv_b), "b");
	make_dir(priv_c, sizeof(priv_c), "c");
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	text = read_source("config/privileged.seccomp");
	f = compile(text);
	free(text);
	status = run_privileged(f);
	ct_seccomp_free(f); /* by hand: skip() below would jump over a cleanup attribute */
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_NO_NAMESPACE)
		skip(); /* root without CAP_SYS_ADMIN, as in some CI containers */
	if (status != 0)
		fail_msg("privileged filter: check %d failed (wait status 0x%x)",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, (unsigned)status);
	/* nothing reached the host: the mounts and the hostname were the child's own */
	assert_true(not_mounted(priv_a) && not_mounted(priv_b) && not_mounted(priv_c));
	assert_int_equal(gethostname(after, sizeof(after)), 0);
	assert_string_equal(after, host);
}

static int tmpdir_setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_seccomp.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* libseccomp 2.5 never returns on these two rules (found by fuzz_seccomp): the compilation runs
 * in a child with a deadline, and the profile fails with a message instead of hanging. */
static void test_libseccomp_loop_bounded(void **state)
{
	static const char text[] = "2\ndenylist\nmmap kill [1,2,!=] [2,4,==]\nmmap kill [1,2,!=] [3,4,==]\n";
	struct ct_file_error err = { 0 };
	struct ct_seccomp *f = NULL;

	assert_int_equal(ct_seccomp_parse(text, strlen(text), "loop", &f, &err), -ETIMEDOUT);
	assert_null(f);
	assert_string_equal(err.file, "loop");
	assert_non_null(strstr(err.message, "did not finish compiling it within"));
}

/* Only what can hang libseccomp goes to the child (a fork per start: half a millisecond): two
 * argument-filtered rules for one syscall, one with an inverted comparison. The shipped privileged
 * profile (five masked mount rules) compiles in process. */
static void test_in_process_choice(void **state)
{
	static const char eq[] = "2\ndenylist\nmount errno 1 [3,1,==]\nmount errno 1 [3,2,==]\n";
	static const char ne[] = "2\ndenylist\nmount errno 1 [3,1,==]\nmount errno 1 [3,2,!=]\n";
	static const char lt[] = "2\ndenylist\nmount errno 1 [3,1,<]\nmount errno 1 [2,2,==]\n";
	static const char one[] = "2\ndenylist\nmount errno 1 [3,1,!=] [2,1,<]\numount2 errno 1 [1,2,!=]\n";
	struct ct_file_error err = { 0 };
	struct ct_seccomp *f = NULL;
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;

	srcdir_path(path, sizeof(path), "config/privileged.seccomp");
	assert_int_equal(ct_read_file(path, CT_SECCOMP_FILE_MAX, &text, &len), 0);
	assert_int_equal(sc_compile(text, len, "privileged", true, &f, &err), 0);
	ct_seccomp_free(f);
	free(text);
	assert_int_equal(sc_compile(eq, strlen(eq), "eq", true, &f, &err), 0);
	ct_seccomp_free(f);
	assert_int_equal(sc_compile(one, strlen(one), "one", true, &f, &err), 0);
	ct_seccomp_free(f);
	assert_int_equal(sc_compile(ne, strlen(ne), "ne", true, &f, &err), -EAGAIN);
	assert_int_equal(sc_compile(lt, strlen(lt), "lt", true, &f, &err), -EAGAIN);
	/* and the child compiles them */
	assert_int_equal(ct_seccomp_parse(ne, strlen(ne), "ne", &f, &err), 0);
	assert_int_equal(ct_seccomp_rule_count(f), 2);
	ct_seccomp_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lxc_common_profile),
		cmocka_unit_test(test_default_profile),
		cmocka_unit_test(test_privileged_profile),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_arg_filters),
		cmocka_unit_test(test_arch_sections),
		cmocka_unit_test(test_unknown_syscalls),
		cmocka_unit_test(test_version1),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_section_errors),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_no_name_no_err),
		cmocka_unit_test(test_enforce_errno),
		cmocka_unit_test(test_enforce_mkdir),
		cmocka_unit_test(test_enforce_kill),
		cmocka_unit_test(test_enforce_trap),
		cmocka_unit_test(test_enforce_allowlist),
		cmocka_unit_test(test_enforce_arg_filters),
		cmocka_unit_test(test_enforce_default_profile),
		cmocka_unit_test(test_enforce_default_syslog),
		cmocka_unit_test(test_enforce_arch_sections),
		cmocka_unit_test(test_enforce_privileged_profile),
		cmocka_unit_test(test_libseccomp_loop_bounded),
		cmocka_unit_test(test_in_process_choice),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
