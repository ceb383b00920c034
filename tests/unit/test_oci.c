/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json of an OCI bundle (src/oci): runc's default spec and a Podman-like one parse into the
 * values they say; every bad value is refused with its JSON path; what ct cannot confine as asked
 * is refused, not ignored; what the spec says to ignore is ignored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/macro.h"
#include "common/util.h"
#include "oci/oci.h"
#include "seccomp/seccomp-profile.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#define NAME "config.json"

static char *fixture(const char *file, size_t *len)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	char *text = NULL;

	snprintf(path, sizeof(path), "%s/tests/unit/data/oci/%s", srcdir ? srcdir : ".", file);
	assert_int_equal(ct_read_file(path, 1 << 20, &text, len), 0);
	return text;
}

static void parse_ok(const char *text, struct ct_oci_spec *s)
{
	char err[CT_OCI_ERR_MAX];
	int r = ct_oci_parse(text, strlen(text), NAME, s, err, sizeof(err));

	if (r != 0)
		print_error("unexpected error %d: %s\n", r, err);
	assert_int_equal(r, 0);
}

#define expect_error(text, msg) expect_error_at((text), (msg), __FILE__, __LINE__)
static void expect_error_at(const char *text, const char *msg, const char *file, int line)
{
	char err[CT_OCI_ERR_MAX] = "";
	struct ct_oci_spec s;
	int r = ct_oci_parse(text, strlen(text), NAME, &s, err, sizeof(err));

	if (r != -EINVAL || !strstr(err, msg)) {
		print_error("input %.300s\n  expected -EINVAL with '%s'\n  got %d with '%s'\n", text,
			    msg, r, err);
		_fail(file, line);
	}
}

static void test_runc_default(void **state)
{
	size_t len;
	cleanup_free char *text = fixture("runc-spec.json", &len);
	struct ct_oci_spec s;
	char err[CT_OCI_ERR_MAX];

	assert_int_equal(ct_oci_parse(text, len, NAME, &s, err, sizeof(err)), 0);
	assert_string_equal(s.oci_version, "1.0.2-dev");
	assert_string_equal(s.root_path, "rootfs");
	assert_true(s.root_readonly);
	assert_string_equal(s.hostname, "runc");
	assert_true(s.has_process);
	assert_true(s.process.terminal);
	assert_string_equal(s.process.args[0], "sh");
	assert_null(s.process.args[1]);
	assert_string_equal(s.process.env[1], "TERM=xterm");
	assert_string_equal(s.process.cwd, "/");
	assert_true(s.process.has_caps);
	assert_int_equal(s.process.caps_bounding, (1ULL << 29) | (1ULL << 5) | (1ULL << 10));
	assert_int_equal(s.process.caps_inheritable, 0);
	assert_int_equal(s.process.n_rlimits, 1);
	assert_int_equal(s.process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s.process.rlimits[0].soft, 1024);
	assert_true(s.process.no_new_privileges);
	assert_int_equal(s.n_mounts, 7);
	assert_string_equal(s.mounts[0].destination, "/proc");
	assert_string_equal(s.mounts[0].type, "proc");
	assert_null(s.mounts[0].options[0]);
	assert_string_equal(s.mounts[2].options[3], "ptmxmode=0666");
	assert_int_equal(s.n_namespaces, 5);
	assert_int_equal(s.namespaces[1].flag, CLONE_NEWNET);
	assert_null(s.namespaces[1].path);
	assert_int_equal(s.resources.n_devices, 1);
	assert_false(s.resources.devices[0].allow);
	assert_int_equal(s.resources.devices[0].type, 'a');
	assert_int_equal(s.resources.devices[0].major, -1);
	assert_int_equal(s.resources.memory_limit, -1);
	assert_int_equal(s.resources.pids_limit, -1);
	assert_string_equal(s.masked_paths[2], "/proc/kcore");
	assert_string_equal(s.readonly_paths[4], "/proc/sysrq-trigger");
	assert_null(s.sysctl[0]);
	assert_null(s.annotations[0]);
	assert_null(s.seccomp_json);
	assert_int_equal(s.rootfs_propagation, 0);
	ct_oci_free(&s);
}

static void test_podman_like(void **state)
{
	size_t len;
	cleanup_free char *text = fixture("podman-like.json", &len);
	struct ct_oci_spec s;
	char err[CT_OCI_ERR_MAX];

	assert_int_equal(ct_oci_parse(text, len, NAME, &s, err, sizeof(err)), 0);
	assert_int_equal(s.process.uid, 1000);
	assert_int_equal(s.process.gid, 1000);
	assert_true(s.process.has_umask);
	assert_int_equal(s.process.umask, 18);
	assert_int_equal(s.process.n_additional_gids, 2);
	assert_int_equal(s.process.additional_gids[1], 20);
	assert_true(s.process.has_oom_score_adj);
	assert_int_equal(s.process.oom_score_adj, -100);
	assert_string_equal(ct_oci_annotation(&s, "org.ct.shutdown-method"), "sysvinit");
	assert_null(ct_oci_annotation(&s, "org.ct.shutdown"));
	assert_int_equal(s.n_hooks[CT_OCI_HOOK_PRESTART], 1);
	assert_string_equal(s.hooks[CT_OCI_HOOK_PRESTART][0].args[1], "a");
	assert_int_equal(s.hooks[CT_OCI_HOOK_PRESTART][0].timeout, 5);
	assert_int_equal(s.n_hooks[CT_OCI_HOOK_POSTSTOP], 1);
	assert_null(s.hooks[CT_OCI_HOOK_POSTSTOP][0].args);
	assert_int_equal(s.n_uid_mappings, 1);
	assert_int_equal(s.uid_mappings[0].host_id, 100000);
	assert_int_equal(s.gid_mappings[0].size, 65536);
	assert_string_equal(s.namespaces[1].path, "/run/netns/podman-1");
	assert_int_equal(s.namespaces[5].flag, CLONE_NEWUSER);
	assert_string_equal(s.cgroups_path, "machine.slice:libpod:abc");
	assert_int_equal(s.resources.memory_limit, 536870912);
	assert_int_equal(s.resources.pids_limit, 2048);
	assert_int_equal(s.resources.cpu_shares, 512);
	assert_int_equal(s.resources.cpu_quota, 50000);
	assert_int_equal(s.resources.cpu_period, 100000);
	assert_int_equal(s.resources.n_devices, 2);
	assert_true(s.resources.devices[1].allow);
	assert_int_equal(s.resources.devices[1].major, 1);
	assert_string_equal(s.resources.devices[1].access, "rw");
	assert_int_equal(s.n_devices, 1);
	assert_string_equal(s.devices[0].path, "/dev/fuse");
	assert_int_equal(s.devices[0].file_mode, 0666);
	assert_non_null(strstr(s.seccomp_json, "\"defaultAction\":\"SCMP_ACT_ERRNO\""));
	assert_string_equal(s.sysctl[0], "net.ipv4.ip_forward=1");
	assert_int_equal(s.rootfs_propagation, MS_SLAVE | MS_REC);
	ct_oci_free(&s);
}

#define MIN_HEAD "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\"}"
#define PROC(x) MIN_HEAD ", \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"cwd\": \"/\", " \
	"\"args\": [\"sh\"]" x "}}"

static void test_minimal_and_ignored(void **state)
{
	struct ct_oci_spec s;

	parse_ok(MIN_HEAD "}", &s);
	assert_false(s.has_process);
	assert_non_null(s.masked_paths);
	assert_null(s.masked_paths[0]);
	ct_oci_free(&s);
	/* The spec: a runtime ignores properties it does not know. */
	parse_ok(MIN_HEAD ", \"somethingNew\": [1, {\"a\": null}], \"linux\": {\"future\": true}}", &s);
	ct_oci_free(&s);
	/* null is absent; empty security fields ask for nothing. */
	parse_ok(PROC(", \"apparmorProfile\": \"\", \"selinuxLabel\": null"), &s);
	assert_false(s.process.has_caps);
	ct_oci_free(&s);
}

static void test_errors(void **state)
{
	expect_error("", "config.json: not valid JSON");
	expect_error("{\"ociVersion\": \"1.0.2\",", "not valid JSON");
	expect_error(MIN_HEAD "} trailing", "not valid JSON");
	expect_error("[]", "config.json: expected an object, got an array");
	expect_error("{\"root\": {\"path\": \"r\"}}", "config.json: ociVersion: missing");
	expect_error("{\"ociVersion\": \"2.0\", \"root\": {\"path\": \"r\"}}",
		     "ociVersion: '2.0' is not a 1.x version");
	expect_error("{\"ociVersion\": \"1.0\"}", "root: missing");
	expect_error("{\"ociVersion\": \"1.0\", \"root\": {\"path\": 5}}",
		     "root.path: expected a string, got an integer");
	expect_error("{\"ociVersion\": \"1.0\", \"root\": {\"path\": \"\"}}", "root.path: empty");
	expect_error(MIN_HEAD ", \"windows\": {}}", "a spec for another platform");
	expect_error(MIN_HEAD ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]}}",
		     "process.user: missing");
	expect_error(PROC(", \"args\": []"), "process.args: needs at least the program");
	expect_error(MIN_HEAD ", \"process\": {\"user\": {}, \"cwd\": \"/\", \"args\": [\"sh\", 1]}}",
		     "process.args[1]: expected a string, got an integer");
	expect_error(MIN_HEAD ", \"process\": {\"user\": {}, \"cwd\": \"tmp\", \"args\": [\"sh\"]}}",
		     "process.cwd: 'tmp' is not an absolute path");
	expect_error(MIN_HEAD ", \"process\": {\"user\": {\"uid\": -1}, \"cwd\": \"/\", \"args\": [\"a\"]}}",
		     "process.user.uid: out of range");
	expect_error(PROC(", \"env\": [\"NOEQUALS\"]"), "process.env[0]: 'NOEQUALS' is not KEY=VALUE");
	expect_error(PROC(", \"capabilities\": {\"bounding\": [\"CAP_FLY\"]}"),
		     "process.capabilities.bounding[0]: unknown capability 'CAP_FLY'");
	expect_error(PROC(", \"capabilities\": {\"bounding\": [\"KILL\"]}"), "unknown capability 'KILL'");
	expect_error(PROC(", \"rlimits\": [{\"type\": \"RLIMIT_X\", \"soft\": 1, \"hard\": 1}]"),
		     "process.rlimits[0]: unknown rlimit type 'RLIMIT_X'");
	expect_error(PROC(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]"),
		     "soft (2) above hard (1)");
	expect_error(PROC(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2}]"),
		     "needs both soft and hard");
	expect_error(PROC(", \"oomScoreAdj\": 1001"), "process.oomScoreAdj: out of range");
	expect_error(MIN_HEAD ", \"mounts\": [{\"destination\": \"proc\"}]}",
		     "mounts[0].destination: 'proc' is not an absolute path");
	expect_error(MIN_HEAD ", \"mounts\": [{\"type\": \"proc\"}]}", "mounts[0].destination: missing");
	expect_error(MIN_HEAD ", \"hooks\": {\"prestart\": [{\"path\": \"true\"}]}}",
		     "hooks.prestart[0].path: 'true' is not an absolute path");
	expect_error(MIN_HEAD ", \"hooks\": {\"poststop\": {}}}",
		     "hooks.poststop: expected an array, got an object");
	expect_error(MIN_HEAD ", \"annotations\": {\"a\": 1}}",
		     "annotations.a: expected a string, got an integer");
	expect_error(MIN_HEAD ", \"linux\": {\"namespaces\": [{\"type\": \"pidd\"}]}}",
		     "linux.namespaces[0]: namespace type 'pidd' is unknown");
	expect_error(MIN_HEAD ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
		     "linux.namespaces[1]: a second 'pid' namespace");
	expect_error(MIN_HEAD ", \"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"x\"}]}}",
		     "path 'x' is not absolute");
	expect_error(MIN_HEAD ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, "
		     "\"size\": 1}]}}", "uidMappings and gidMappings go together");
	expect_error(MIN_HEAD ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"size\": 1}]}}",
		     "linux.uidMappings[0]: needs containerID, hostID and size");
	expect_error(MIN_HEAD ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": "
		     "4294967000, \"size\": 65536}]}}", "the range passes 2^32");
	expect_error(MIN_HEAD ", \"linux\": {\"resources\": {\"devices\": [{\"allow\": true, "
		     "\"access\": \"rwx\"}]}}}", "access 'rwx' is not of r, w, m");
	expect_error(MIN_HEAD ", \"linux\": {\"devices\": [{\"type\": \"c\", \"path\": \"/etc/x\"}]}}",
		     "linux.devices[0]: path '/etc/x' is not below /dev");
	expect_error(MIN_HEAD ", \"linux\": {\"rootfsPropagation\": \"weird\"}}",
		     "linux.rootfsPropagation: unknown mode 'weird'");
	expect_error(MIN_HEAD ", \"linux\": {\"seccomp\": {\"syscalls\": []}}}",
		     "linux.seccomp.defaultAction: missing");
	expect_error(MIN_HEAD ", \"linux\": {\"sysctl\": {\"a\": 1}}}", "linux.sysctl.a: expected a string");
}

/* Confinement ct cannot give is refused, naming the field: a bundle never runs with less than it
 * asked for. */
static void test_refused(void **state)
{
	expect_error(PROC(", \"apparmorProfile\": \"docker-default\""),
		     "process.apparmorProfile: not supported by ct (no AppArmor support): refused");
	expect_error(PROC(", \"selinuxLabel\": \"system_u:system_r:container_t:s0\""),
		     "process.selinuxLabel: not supported by ct");
	expect_error(MIN_HEAD ", \"linux\": {\"mountLabel\": \"x\"}}", "linux.mountLabel: not supported");
	expect_error(MIN_HEAD ", \"linux\": {\"namespaces\": [{\"type\": \"time\"}]}}",
		     "namespace type 'time' is not supported by ct");
	expect_error(MIN_HEAD ", \"linux\": {\"resources\": {\"blockIO\": {\"weight\": 10}}}}",
		     "linux.resources.blockIO: not supported");
	expect_error(MIN_HEAD ", \"linux\": {\"resources\": {\"unified\": {\"memory.high\": \"1G\"}}}}",
		     "linux.resources.unified: not supported");
	expect_error(MIN_HEAD ", \"linux\": {\"resources\": {\"cpu\": {\"cpus\": \"0-1\"}}}}",
		     "linux.resources.cpu.cpus: not supported");
	expect_error(MIN_HEAD ", \"linux\": {\"personality\": {\"domain\": \"LINUX32\"}}}",
		     "'LINUX32' is not supported by ct");
	expect_error(MIN_HEAD ", \"linux\": {\"intelRdt\": {\"closID\": \"x\"}}}",
		     "linux.intelRdt: not supported");
}

static void test_nul_and_load(void **state)
{
	static const char text[] = "{\"ociVersion\": \"1.0\", \"root\": {\"path\": \"r\\u0000x\"}}";
	char err[CT_OCI_ERR_MAX], dir[] = "/tmp/ct-test-oci.XXXXXX", path[256];
	struct ct_oci_spec s;
	FILE *f;

	expect_error(text, "root.path: a NUL byte in the string");
	assert_int_equal(ct_oci_parse("{}\0", 3, NAME, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a NUL byte in the file"));

	assert_non_null(mkdtemp(dir));
	assert_int_equal(ct_oci_load(dir, &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "config.json: No such file"));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(MIN_HEAD ", \"hostname\": \"h\"}", f);
	fclose(f);
	assert_int_equal(ct_oci_load(dir, &s, err, sizeof(err)), 0);
	assert_string_equal(s.hostname, "h");
	ct_oci_free(&s);
	unlink(path);
	rmdir(dir);
}

/* The config.json Podman 4.3 hands its runtime (captured from `podman run --rootfs` with a runtime
 * that kept it): it parses, and its seccomp profile translates and compiles. */
static void test_podman_real(void **state)
{
	size_t len;
	cleanup_free char *text = fixture("podman-4.3.json", &len);
	cleanup_free char *profile = NULL;
	cleanup_seccomp struct ct_seccomp *f = NULL;
	struct ct_oci_spec s;
	char err[CT_OCI_ERR_MAX];

	assert_int_equal(ct_oci_parse(text, len, NAME, &s, err, sizeof(err)), 0);
	assert_string_equal(ct_oci_annotation(&s, "io.container.manager"), "libpod");
	assert_int_equal(s.resources.pids_limit, 2048);
	assert_non_null(s.namespaces[1].path);
	assert_int_equal(ct_oci_seccomp_profile(s.seccomp_json, NAME, &profile, err, sizeof(err)), 0);
	assert_non_null(strstr(profile, "2\nallowlist errno 38\n"));
	/* Two filters on different arguments: one line, both must match. */
	assert_non_null(strstr(profile, "socket errno 22 [0,16,SCMP_CMP_EQ] [2,9,SCMP_CMP_EQ]\n"));
	assert_non_null(strstr(profile, "personality allow [0,131080,SCMP_CMP_EQ]\n"));
	assert_non_null(strstr(profile, "\nclone allow\n"));
	assert_int_equal(ct_oci_seccomp_compile(&s, NAME, &f, err, sizeof(err)), 0);
	assert_non_null(f);
	assert_true(ct_seccomp_rule_count(f) > 300);
	ct_oci_free(&s);
}

#define SC(x) MIN_HEAD ", \"linux\": {\"seccomp\": " x "}}"
static void seccomp_error(const char *json, const char *msg)
{
	char *profile = NULL, err[CT_OCI_ERR_MAX];
	int r = ct_oci_seccomp_profile(json, NAME, &profile, err, sizeof(err));

	if (r != -EINVAL || !strstr(err, msg))
		print_error("%s\n  expected '%s', got %d '%s'\n", json, msg, r, err);
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(err, msg));
	assert_null(profile);
}

static void test_seccomp_translation(void **state)
{
	char *profile = NULL, err[CT_OCI_ERR_MAX];

	assert_int_equal(ct_oci_seccomp_profile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		"[{\"names\": [\"mount\", \"umount2\"], \"action\": \"SCMP_ACT_ERRNO\"}, "
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_KILL_THREAD\", \"args\": ["
		"{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, "
		"{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}, "
		"{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38, \"args\": ["
		"{\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}",
		NAME, &profile, err, sizeof(err)), 0);
	/* allow by default: a denylist; errno defaults to EPERM; a repeated argument: OR, one line
	 * per filter; a thread kill kills the process. */
	/* Masked: libseccomp's first datum, the spec's value, is the mask. */
	assert_string_equal(profile, "2\ndenylist\nmount errno 1\numount2 errno 1\n"
				     "kill kill [0,1,SCMP_CMP_EQ]\nkill kill [0,2,SCMP_CMP_EQ]\n"
				     "clone errno 38 [0,0,SCMP_CMP_MASKED_EQ,2114060288]\n");
	free(profile);

	seccomp_error("{\"defaultAction\": \"SCMP_ACT_LOG\"}",
		      "linux.seccomp.defaultAction: action SCMP_ACT_LOG is not supported by ct");
	seccomp_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		      "\"action\": \"SCMP_ACT_NOTIFY\"}]}", "linux.seccomp.syscalls[0].action: action "
		      "SCMP_ACT_NOTIFY is not supported");
	seccomp_error("{\"defaultAction\": \"SCMP_ACT_NOPE\"}", "unknown action 'SCMP_ACT_NOPE'");
	seccomp_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
		      "[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}", "linux.seccomp.flags: not supported");
	seccomp_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/x\"}",
		      "linux.seccomp.listenerPath: not supported");
	seccomp_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		      "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 6, \"value\": 1, "
		      "\"op\": \"SCMP_CMP_EQ\"}]}]}", "linux.seccomp.syscalls[0].args[0].index: out of range");
	seccomp_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		      "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, "
		      "\"op\": \"SCMP_CMP_ABOUT\"}]}]}", "unknown op 'SCMP_CMP_ABOUT'");
	seccomp_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		      "[\"a [0,1,SCMP_CMP_EQ]\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		      "is not a syscall name");
	seccomp_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], "
		      "\"action\": \"SCMP_ACT_ALLOW\"}]}", "names is empty");
	/* Through the parser too: the spec keeps it as JSON, checked once more when compiled. */
	struct ct_oci_spec s;
	cleanup_seccomp struct ct_seccomp *f = NULL;
	parse_ok(SC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": "
		    "[{\"names\": [\"read\", \"no_such_syscall\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"), &s);
	assert_int_equal(ct_oci_seccomp_compile(&s, NAME, &f, err, sizeof(err)), 0);
	assert_int_equal(ct_seccomp_rule_count(f), 1); /* unknown names are skipped, as runc does */
	assert_non_null(ct_seccomp_warnings(f));
	ct_oci_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runc_default), cmocka_unit_test(test_podman_like),
		cmocka_unit_test(test_minimal_and_ignored), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_refused), cmocka_unit_test(test_nul_and_load),
		cmocka_unit_test(test_podman_real), cmocka_unit_test(test_seccomp_translation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
