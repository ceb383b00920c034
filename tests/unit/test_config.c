/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the config parser (config.c, config-mount.c, config-signal.c): every key, the
 * defaults, every error with its exact file, line and key, and hostile input. */
#include "config/caps.h"
#include "config/config.h"

#include "common/macro.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define NAME "/etc/ct/test.conf"
#define NS_DEFAULT \
	(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

/* Parses text (strlen) as NAME into a fresh config; returns the parser's result. */
static int parse(struct ct_config *c, const char *text, struct ct_file_error *err)
{
	ct_config_init(c);
	memset(err, 0, sizeof(*err));
	return ct_config_parse_string(c, text, strlen(text), NAME, err);
}

/* Parses text that must succeed; fails the test with the error message otherwise. */
#define parse_ok(c, text) parse_ok_at((c), (text), __FILE__, __LINE__)
static void parse_ok_at(struct ct_config *c, const char *text, const char *file, int line)
{
	struct ct_file_error err;
	int r = parse(c, text, &err);

	if (r != 0) {
		char buf[1024];

		ct_file_error_format(&err, buf, sizeof(buf));
		print_error("unexpected error %d: %s\n", r, buf);
		_fail(file, line);
	}
}

/* Checks that text of len bytes fails with -EINVAL at exactly NAME:line, key, and a message that
 * contains msg. */
#define expect_error_len(text, len, line, key, msg)                                                \
	expect_error_at((text), (len), (line), (key), (msg), __FILE__, __LINE__)
#define expect_error(text, line, key, msg)                                                        \
	expect_error_len((text), strlen(text), (line), (key), (msg))
static void expect_error_at(const char *text, size_t len, unsigned line, const char *key,
			    const char *msg, const char *file, int at)
{
	struct ct_config c;
	struct ct_file_error err = { 0 };
	int r;

	ct_config_init(&c);
	r = ct_config_parse_string(&c, text, len, NAME, &err);
	ct_config_free(&c);
	if (r != -EINVAL || strcmp(err.file, NAME) != 0 || err.line != line ||
	    strcmp(err.key, key) != 0 || !strstr(err.message, msg)) {
		print_error("input '%.200s'\n  expected -EINVAL at %s:%u key '%s' with '%s'\n"
			    "  got %d at %s:%u key '%s' with '%s'\n",
			    text, NAME, line, key, msg, r, err.file, err.line, err.key, err.message);
		_fail(file, at);
	}
}

static void assert_strv(char **v, const char *const *expected, size_t n)
{
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], expected[i]);
	assert_null(v[n]);
}

/* ---- defaults and lifecycle ---- */

static void test_defaults(void **state)
{
	struct ct_config c;

	memset(&c, 0xa5, sizeof(c)); /* init must not rely on a zeroed struct */
	ct_config_init(&c);
	assert_null(c.path);
	assert_null(c.rootfs);
	assert_null(c.hostname);
	assert_strv(c.init, (const char *[]){ "/sbin/init" }, 1);
	assert_null(c.command);
	assert_int_equal(c.namespaces, NS_DEFAULT);
	assert_int_equal(c.shutdown_method, CT_SHUTDOWN_UNSET);
	assert_null(c.shutdown_command);
	assert_int_equal(c.shutdown_signal, 0);
	assert_int_equal(c.shutdown_timeout, CT_SHUTDOWN_TIMEOUT_DEFAULT);
	assert_false(c.no_new_privs);
	assert_null(c.mounts);
	assert_int_equal(c.n_mounts, 0);
	assert_null(c.env);
	ct_config_free(&c);
	ct_config_free(&c); /* free leaves a harmless empty struct */
	assert_null(c.init);
}

static void test_empty_and_comments_only(void **state)
{
	struct ct_config c;
	struct ct_file_error err;

	ct_config_init(&c);
	assert_int_equal(ct_config_parse_string(&c, "", 0, NAME, &err), 0);
	ct_config_free(&c);
	parse_ok(&c, "# only\n   # comments\n\n\t\n \r\n#rootfs = /x\n#");
	assert_null(c.rootfs);
	assert_strv(c.init, (const char *[]){ "/sbin/init" }, 1);
	assert_int_equal(c.namespaces, NS_DEFAULT);
	ct_config_free(&c);
}

static void test_parse_twice_replaces(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	const char *t2 = "rootfs = /b\nhostname = two\nenv = A=2\n";

	parse_ok(&c, "rootfs = /a\nhostname = one\nenv = A=1\n");
	/* A second parse into the same config is a fresh file: no "set twice", values replaced. */
	assert_int_equal(ct_config_parse_string(&c, t2, strlen(t2), NAME, &err), 0);
	assert_string_equal(c.rootfs, "/b");
	assert_string_equal(c.hostname, "two");
	assert_strv(c.env, (const char *[]){ "A=2" }, 1);
	ct_config_free(&c);
}

/* ---- keys, happy paths ---- */

static void test_rootfs_absolute(void **state)
{
	struct ct_config c;

	parse_ok(&c, "rootfs = /srv/ct/web\n");
	assert_string_equal(c.rootfs, "/srv/ct/web");
	ct_config_free(&c);
	parse_ok(&c, "rootfs = //srv//ct/./web/.//\n");
	assert_string_equal(c.rootfs, "/srv/ct/web");
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /\n");
	assert_string_equal(c.rootfs, "/");
	ct_config_free(&c);
}

static void test_rootfs_relative_to_file(void **state)
{
	struct ct_config c;

	parse_ok(&c, "rootfs = rootfs\n");
	assert_string_equal(c.rootfs, "/etc/ct/rootfs");
	ct_config_free(&c);
	parse_ok(&c, "rootfs = ./web//rootfs/.\n");
	assert_string_equal(c.rootfs, "/etc/ct/web/rootfs");
	ct_config_free(&c);
	/* ".." is kept: resolving it without the file system would be wrong across symlinks. */
	parse_ok(&c, "rootfs = ../web\n");
	assert_string_equal(c.rootfs, "/etc/ct/../web");
	ct_config_free(&c);
}

/* Parses "rootfs = value" under the given file name with cwd /usr; returns the rootfs. */
static char *rootfs_in_usr(const char *name, const char *value)
{
	cleanup_free char *old = getcwd(NULL, 0);
	struct ct_config c;
	struct ct_file_error err;
	char text[256], *ret;

	assert_non_null(old);
	assert_int_equal(chdir("/usr"), 0);
	snprintf(text, sizeof(text), "rootfs = %s\n", value);
	ct_config_init(&c);
	assert_int_equal(ct_config_parse_string(&c, text, strlen(text), name, &err), 0);
	assert_int_equal(chdir(old), 0);
	ret = steal_ptr(&c.rootfs);
	ct_config_free(&c);
	return ret;
}

static void test_rootfs_relative_to_cwd(void **state)
{
	const struct {
		const char *name, *value, *expected;
	} cases[] = {
		{ "test.conf", "rootfs", "/usr/rootfs" },
		{ "test.conf", "a/b/", "/usr/a/b" },
		{ NULL, "rootfs", "/usr/rootfs" },
		{ "<string>", "rootfs", "/usr/rootfs" },
		{ "sub/test.conf", "rootfs", "/usr/sub/rootfs" },
		{ "./sub//x/test.conf", "r", "/usr/sub/x/r" },
		{ "/test.conf", "rootfs", "/rootfs" },
		{ "test.conf", "/abs", "/abs" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *r = rootfs_in_usr(cases[i].name, cases[i].value);
		assert_string_equal(r, cases[i].expected);
	}
}

static void test_hostname(void **state)
{
	struct ct_config c;
	char text[128];

	parse_ok(&c, "hostname = web-1.example.org\n");
	assert_string_equal(c.hostname, "web-1.example.org");
	ct_config_free(&c);
	snprintf(text, sizeof(text), "hostname = %064d", 7);
	parse_ok(&c, text);
	assert_int_equal(strlen(c.hostname), 64);
	ct_config_free(&c);
	parse_ok(&c, "hostname = 9Lives\n");
	assert_string_equal(c.hostname, "9Lives");
	ct_config_free(&c);
}

static void test_init(void **state)
{
	struct ct_config c;

	parse_ok(&c, "init = /lib/systemd/systemd --log-target=console 'a b'\n");
	assert_strv(c.init, (const char *[]){ "/lib/systemd/systemd", "--log-target=console", "a b" }, 3);
	ct_config_free(&c);
}

static void test_command_quotes(void **state)
{
	struct ct_config c;

	parse_ok(&c, "command = /bin/sh -c \"echo \\\"hi\\\" 'there'\" x\\ y '\\n'\n");
	assert_strv(c.command, (const char *[]){ "/bin/sh", "-c", "echo \"hi\" 'there'", "x y", "\\n" },
		    5);
	ct_config_free(&c);
	/* '#' inside a value is not a comment. */
	parse_ok(&c, "command = sleep 10 # seconds\n");
	assert_strv(c.command, (const char *[]){ "sleep", "10", "#", "seconds" }, 4);
	ct_config_free(&c);
}

static void test_namespaces(void **state)
{
	const struct {
		const char *value;
		unsigned long flags;
	} cases[] = {
		{ "pid mount", CLONE_NEWPID | CLONE_NEWNS },
		{ "mount,pid,uts", CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS },
		{ "pid, mount\tnet ,,ipc", CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC },
		{ "pid mount uts ipc net cgroup", NS_DEFAULT | CLONE_NEWCGROUP },
		{ "pid pid mount mount", CLONE_NEWPID | CLONE_NEWNS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ct_config c;
		char text[128];

		snprintf(text, sizeof(text), "namespaces = %s\n", cases[i].value);
		parse_ok(&c, text);
		assert_int_equal(c.namespaces, cases[i].flags);
		ct_config_free(&c);
	}
}

static void test_shutdown_keys(void **state)
{
	const struct {
		const char *value;
		enum ct_shutdown_method m;
	} methods[] = {
		{ "application", CT_SHUTDOWN_APPLICATION },
		{ "sysvinit", CT_SHUTDOWN_SYSVINIT },
		{ "systemd", CT_SHUTDOWN_SYSTEMD },
		{ "exec", CT_SHUTDOWN_EXEC },
	};
	struct ct_config c;

	for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
		char text[128];

		snprintf(text, sizeof(text), "shutdown_method = %s\n", methods[i].value);
		parse_ok(&c, text);
		assert_int_equal(c.shutdown_method, methods[i].m);
		ct_config_free(&c);
	}
	parse_ok(&c, "shutdown_command = /bin/ctl stop 'now please'\nshutdown_signal = SIGRTMIN+3\n"
		     "shutdown_timeout = 120\n");
	assert_strv(c.shutdown_command, (const char *[]){ "/bin/ctl", "stop", "now please" }, 3);
	assert_int_equal(c.shutdown_signal, 37);
	assert_int_equal(c.shutdown_timeout, 120);
	ct_config_free(&c);
}

static void test_shutdown_timeout_bounds(void **state)
{
	const struct {
		const char *value;
		int expected;
	} cases[] = { { "-1", -1 }, { "0", 0 }, { "86400", CT_SHUTDOWN_TIMEOUT_MAX }, { "007", 7 } };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ct_config c;
		char text[64];

		snprintf(text, sizeof(text), "shutdown_timeout = %s", cases[i].value);
		parse_ok(&c, text);
		assert_int_equal(c.shutdown_timeout, cases[i].expected);
		ct_config_free(&c);
	}
}

static void test_no_new_privs(void **state)
{
	const char *yes[] = { "1", "yes", "true", "on", "YES", "True" };
	const char *no[] = { "0", "no", "false", "off", "Off" };
	struct ct_config c;
	char text[64];

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		snprintf(text, sizeof(text), "no_new_privs = %s\n", yes[i]);
		parse_ok(&c, text);
		assert_true(c.no_new_privs);
		ct_config_free(&c);
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		/* Start from true, so "false" is really parsed, not left at the default. */
		snprintf(text, sizeof(text), "no_new_privs = %s\n", no[i]);
		ct_config_init(&c);
		c.no_new_privs = true;
		assert_int_equal(ct_config_parse_string(&c, text, strlen(text), NAME, NULL), 0);
		assert_false(c.no_new_privs);
		ct_config_free(&c);
	}
}

static void test_autostart_keys(void **state)
{
	struct ct_config c;

	ct_config_init(&c);
	assert_false(c.autostart.enabled); /* the defaults: not started by --all, first in order */
	assert_int_equal(c.autostart.order, 0);
	assert_int_equal(c.autostart.delay, 0);
	assert_string_equal(c.autostart.group, "");
	ct_config_free(&c);
	parse_ok(&c, "autostart = yes\nstart.order = -20\nstart.delay = 3600\ngroup = 10-db.main_x\n");
	assert_true(c.autostart.enabled);
	assert_int_equal(c.autostart.order, -20);
	assert_int_equal(c.autostart.delay, 3600);
	assert_string_equal(c.autostart.group, "10-db.main_x");
	ct_config_free(&c);
	parse_ok(&c, "start.order = 1000000\nautostart = off\n");
	assert_int_equal(c.autostart.order, 1000000);
	assert_false(c.autostart.enabled);
	ct_config_free(&c);
	parse_ok(&c, "group = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"); /* 64 */
	ct_config_free(&c);

	expect_error("autostart = maybe\n", 1, "autostart", "'maybe' is not a boolean");
	expect_error("start.order = 1000001\n", 1, "start.order", "from -1000000 to 1000000");
	expect_error("start.order = 1.5\n", 1, "start.order", "'1.5' is not a number");
	expect_error("start.delay = -1\n", 1, "start.delay", "from 0 to 3600");
	expect_error("start.delay = 3601\n", 1, "start.delay", "from 0 to 3600");
	expect_error("group = web/db\n", 1, "group", "'web/db' is not a valid group name");
	expect_error("group = -x\n", 1, "group", "not a valid group name");
	expect_error("group = .x\n", 1, "group", "not a valid group name");
	expect_error("group = ~\n", 1, "group", "not a valid group name");
	expect_error("group = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 1, "group",
		     "not a valid group name"); /* 65 */
	expect_error("group = a\ngroup = b\n", 2, "group", "");
	/* No value carries a control character to where it would end a line (a unit, a log). */
	expect_error("rootfs = /a\rb\n", 1, "rootfs", "control character 0x0d in the value");
	expect_error("hostname = a\x1b[2Jb\n", 1, "hostname", "control character 0x1b");
	expect_error("env = A=\x7f\n", 1, "env", "control character 0x7f");
	parse_ok(&c, "env = A=x\ty\n"); /* a tab is a blank */
	ct_config_free(&c);
}

static void test_mount_entries(void **state)
{
	struct ct_config c;

	parse_ok(&c, "mount = proc /proc proc nosuid,nodev,noexec 0 0\n"
		     "mount = /srv/data /data none rbind,ro,optional,create=dir\n"
		     "mount = tmpfs /tmp tmpfs size=64m,nosuid,tmpcopyup,mode=1777\n"
		     "mount = /etc/resolv.conf /etc/resolv.conf none bind,create=file\n"
		     "mount = sysfs /sys sysfs\n"
		     "mount = \"/srv/my dir\" '/mnt/my dir' none bind 0\n");
	assert_int_equal(c.n_mounts, 6);
	assert_string_equal(c.mounts[0].source, "proc");
	assert_string_equal(c.mounts[0].target, "/proc");
	assert_string_equal(c.mounts[0].fstype, "proc");
	assert_int_equal(c.mounts[0].flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	assert_null(c.mounts[0].data);
	assert_false(c.mounts[0].optional || c.mounts[0].create_dir || c.mounts[0].create_file);
	assert_int_equal(c.mounts[1].flags, MS_BIND | MS_REC | MS_RDONLY);
	assert_true(c.mounts[1].optional);
	assert_true(c.mounts[1].create_dir);
	assert_false(c.mounts[1].create_file);
	assert_string_equal(c.mounts[2].data, "size=64m,mode=1777");
	assert_int_equal(c.mounts[2].flags, MS_NOSUID);
	assert_true(c.mounts[2].copy_up);
	assert_false(c.mounts[0].copy_up || c.mounts[1].copy_up);
	assert_true(c.mounts[3].create_file);
	assert_false(c.mounts[3].create_dir);
	assert_int_equal(c.mounts[3].flags, MS_BIND);
	assert_int_equal(c.mounts[4].flags, 0);
	assert_null(c.mounts[4].data);
	assert_string_equal(c.mounts[5].source, "/srv/my dir");
	assert_string_equal(c.mounts[5].target, "/mnt/my dir");
	ct_config_free(&c);
}

static void test_mount_options(void **state)
{
	const struct {
		const char *options;
		unsigned long flags;
		const char *data;
	} cases[] = {
		{ "ro", MS_RDONLY, NULL },
		{ "ro,rw", 0, NULL },
		{ "rw,ro", MS_RDONLY, NULL },
		{ "nosuid,suid", 0, NULL },
		{ "nodev,dev,noexec", MS_NOEXEC, NULL },
		{ "noexec,exec", 0, NULL },
		{ "sync", MS_SYNCHRONOUS, NULL },
		{ "sync,async", 0, NULL },
		{ "remount,ro", MS_REMOUNT | MS_RDONLY, NULL },
		{ "mand", MS_MANDLOCK, NULL },
		{ "dirsync", MS_DIRSYNC, NULL },
		{ "noatime,nodiratime", MS_NOATIME | MS_NODIRATIME, NULL },
		{ "noatime,atime", 0, NULL },
		{ "relatime", MS_RELATIME, NULL },
		{ "strictatime", MS_STRICTATIME, NULL },
		{ "lazytime", MS_LAZYTIME, NULL },
		{ "bind", MS_BIND, NULL },
		{ "rbind", MS_BIND | MS_REC, NULL },
		{ "private", MS_PRIVATE, NULL },
		{ "rprivate", MS_PRIVATE | MS_REC, NULL },
		{ "slave", MS_SLAVE, NULL },
		{ "rslave", MS_SLAVE | MS_REC, NULL },
		{ "shared", MS_SHARED, NULL },
		{ "rshared", MS_SHARED | MS_REC, NULL },
		{ "unbindable", MS_UNBINDABLE, NULL },
		{ "runbindable", MS_UNBINDABLE | MS_REC, NULL },
		{ "private,shared", MS_SHARED, NULL },
		{ "shared,private", MS_PRIVATE, NULL },
		{ "rslave,unbindable", MS_UNBINDABLE | MS_REC, NULL },
		{ "defaults", 0, NULL },
		{ "defaults,ro,,nodev,", MS_RDONLY | MS_NODEV, NULL },
		{ "mode=755,ro,uid=0", MS_RDONLY, "mode=755,uid=0" },
		{ "size=1g", 0, "size=1g" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ct_mount_entry m;
		char value[128], msg[256] = "";

		snprintf(value, sizeof(value), "src /dst fs %s", cases[i].options);
		assert_int_equal(ct_mount_entry_parse(value, &m, msg, sizeof(msg)), 0);
		if (m.flags != cases[i].flags)
			fail_msg("'%s': flags %#lx, expected %#lx", cases[i].options, m.flags,
				 cases[i].flags);
		if (cases[i].data)
			assert_string_equal(m.data, cases[i].data);
		else
			assert_null(m.data);
		ct_mount_entry_done(&m);
	}
}

static void test_env(void **state)
{
	struct ct_config c;

	parse_ok(&c, "env = PATHX=0\nenv = PATH=/bin:/usr/bin\nenv = _X1=a=b=c\nenv = EMPTY=\n"
		     "env = PATH=/sbin\nenv = PATHXY=1\nenv = PAT=2\n");
	/* The repeated PATH replaced the first one in its place; names that share a prefix did not. */
	assert_strv(c.env,
		    (const char *[]){ "PATHX=0", "PATH=/sbin", "_X1=a=b=c", "EMPTY=", "PATHXY=1", "PAT=2" },
		    6);
	ct_config_free(&c);
}

static void test_net(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	char a[64];

	parse_ok(&c, "rootfs = /r\nnet.0.type = veth\nnet.0.link = br0\nnet.0.ipv4 = 10.0.3.2/24\n"
		     "net.0.ipv4 = 10.0.4.2/16\nnet.0.ipv6 = fd00::2/64\nnet.0.ipv4.gateway = 10.0.3.1\n"
		     "net.0.hwaddr = 02:00:00:aa:bb:cc\nnet.0.mtu = 1400\n"
		     "net.7.type = phys\nnet.7.link = eth9\nnet.7.name = wan\n");
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	assert_int_equal(c.net[0].type, CT_NET_VETH);
	assert_string_equal(c.net[0].link, "br0");
	assert_int_equal(c.net[0].n_addrs, 3);
	ct_net_addr_format(&c.net[0].addrs[1], a, sizeof(a));
	assert_string_equal(a, "10.0.4.2/16");
	ct_net_addr_format(&c.net[0].addrs[2], a, sizeof(a));
	assert_string_equal(a, "fd00::2/64");
	ct_net_addr_format(&c.net[0].gw4, a, sizeof(a));
	assert_string_equal(a, "10.0.3.1");
	assert_int_equal(c.net[0].hwaddr[5], 0xcc);
	assert_int_equal(c.net[0].mtu, 1400);
	assert_int_equal(c.net[7].type, CT_NET_PHYS);
	assert_string_equal(c.net[7].name, "wan");
	assert_int_equal(c.net[3].type, CT_NET_NONE);
	ct_config_free(&c);

	expect_error("net.0.type = tap\n", 1, "net.0.type", "unknown type 'tap'");
	expect_error("net.0.type = veth\nnet.0.type = veth\n", 2, "net.0.type", "set twice");
	expect_error("net.8.type = veth\n", 1, "net.8.type", "N from 0 to 7");
	expect_error("net.x.type = veth\n", 1, "net.x.type", "N from 0 to 7");
	expect_error("net.0.bogus = 1\n", 1, "net.0.bogus", "unknown key");
	expect_error("net.0.ipv4 = 10.0.0.1\n", 1, "net.0.ipv4", "prefix length is expected");
	expect_error("net.0.ipv4 = 10.0.0.1/33\n", 1, "net.0.ipv4", "prefix length is expected");
	expect_error("net.0.ipv4 = fd00::1/64\n", 1, "net.0.ipv4", "invalid IPv4 address");
	expect_error("net.0.ipv6.gateway = fd00::1/64\n", 1, "net.0.ipv6.gateway", "no prefix length");
	expect_error("net.0.hwaddr = 01:00:00:00:00:01\n", 1, "net.0.hwaddr", "multicast");
	expect_error("net.0.hwaddr = 02:00:00:00:00\n", 1, "net.0.hwaddr", "invalid hardware address");
	expect_error("net.0.mtu = 10\n", 1, "net.0.mtu", "invalid mtu");
	expect_error("net.0.name = a/b\n", 1, "net.0.name", "invalid interface name");
	expect_error("net.0.name = averyveryverylongname\n", 1, "net.0.name", "invalid interface name");
	/* Checked once parsed: a type, a link for macvlan and phys, a network namespace. */
	parse_ok(&c, "rootfs = /r\nnet.0.ipv4 = 10.0.0.1/8\n");
	assert_int_equal(ct_config_finalize(&c, &err), -EINVAL);
	assert_string_equal(err.key, "net.0.type");
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /r\nnet.1.type = macvlan\n");
	assert_int_equal(ct_config_finalize(&c, &err), -EINVAL);
	assert_string_equal(err.key, "net.1.link");
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /r\nnamespaces = pid mount\nnet.0.type = veth\n");
	assert_int_equal(ct_config_finalize(&c, &err), -EINVAL);
	assert_non_null(strstr(err.message, "no network namespace"));
	ct_config_free(&c);
}

static void test_list_keys_repeat(void **state)
{
	struct ct_config c;

	parse_ok(&c, "mount = a /a none bind\nenv = A=1\nmount = b /b none bind\nenv = B=2\n");
	assert_int_equal(c.n_mounts, 2);
	assert_string_equal(c.mounts[1].target, "/b");
	assert_strv(c.env, (const char *[]){ "A=1", "B=2" }, 2);
	ct_config_free(&c);
}

static void test_whitespace(void **state)
{
	struct ct_config c;

	parse_ok(&c, "  \t hostname\t=\t  myhost \t \n\trootfs=/r\n    # indented comment\n");
	assert_string_equal(c.hostname, "myhost");
	assert_string_equal(c.rootfs, "/r");
	ct_config_free(&c);
}

static void test_no_trailing_newline(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	const char *text = "rootfs = /r\nhostname = abcdef";

	parse_ok(&c, text);
	assert_string_equal(c.hostname, "abcdef");
	ct_config_free(&c);
	/* len is honoured: the text is not expected to be NUL-terminated. */
	ct_config_init(&c);
	assert_int_equal(ct_config_parse_string(&c, text, strlen(text) - 3, NAME, &err), 0);
	assert_string_equal(c.hostname, "abc");
	ct_config_free(&c);
}

static void test_crlf(void **state)
{
	struct ct_config c;

	parse_ok(&c, "# windows\r\nrootfs = /r\r\ncommand = /bin/app --x\r\nenv = A=1\r\n\r\n"
		     "hostname = h\r\nmount = proc /proc proc nosuid\r\n");
	assert_string_equal(c.rootfs, "/r");
	assert_strv(c.command, (const char *[]){ "/bin/app", "--x" }, 2);
	assert_strv(c.env, (const char *[]){ "A=1" }, 1);
	assert_string_equal(c.hostname, "h");
	assert_string_equal(c.mounts[0].fstype, "proc");
	assert_int_equal(c.mounts[0].flags, MS_NOSUID);
	ct_config_free(&c);
	expect_error("rootfs = /r\r\n\r\nbogus = 1\r\n", 3, "bogus", "unknown key");
}

static void test_long_lines(void **state)
{
	size_t size = 2 * CT_CONFIG_LINE_MAX + 64;
	cleanup_free char *text = malloc(size);
	struct ct_config c;
	int n;

	assert_non_null(text);
	/* A line of exactly CT_CONFIG_LINE_MAX bytes is fine, also as a value. */
	n = snprintf(text, size, "rootfs = /r\nenv = A=");
	memset(text + n, 'x', CT_CONFIG_LINE_MAX - strlen("env = A="));
	strcpy(text + n + CT_CONFIG_LINE_MAX - strlen("env = A="), "\n");
	parse_ok(&c, text);
	assert_int_equal(strlen(c.env[0]), CT_CONFIG_LINE_MAX - strlen("env = "));
	ct_config_free(&c);
	/* One more byte is an error on that line, even in a comment. */
	memset(text, '#', CT_CONFIG_LINE_MAX + 1);
	strcpy(text + CT_CONFIG_LINE_MAX + 1, "\n");
	expect_error(text, 1, "", "line is longer than 4096 bytes");
	n = snprintf(text, size, "rootfs = /r\n");
	memset(text + n, 'x', CT_CONFIG_LINE_MAX + 1);
	strcpy(text + n + CT_CONFIG_LINE_MAX + 1, "\nrootfs = /again\n");
	expect_error(text, 2, "", "longer than");
	/* Without a final newline too. */
	text[n + CT_CONFIG_LINE_MAX + 1] = '\0';
	expect_error(text, 2, "", "longer than");
	text[n + CT_CONFIG_LINE_MAX] = '\0';
	/* At exactly the limit the length passes, and the line is judged on its content. */
	expect_error(text, 2, "", "expected 'key = value'");
}

static void test_nul_bytes(void **state)
{
	static const char t1[] = "rootfs = /r\nhost\0name = x\n";
	static const char t2[] = "rootfs = /r\n# comment \0 hidden\n";
	static const char t3[] = "rootfs = /r\nhostname = x\n\0";
	static const char t4[] = "rootfs = /r\0\n";

	expect_error_len(t1, sizeof(t1) - 1, 2, "", "NUL byte");
	expect_error_len(t2, sizeof(t2) - 1, 2, "", "NUL byte");
	expect_error_len(t3, sizeof(t3) - 1, 3, "", "NUL byte");
	expect_error_len(t4, sizeof(t4) - 1, 1, "", "NUL byte");
}

static void test_many_lines(void **state)
{
	const size_t n = 200000;
	size_t size = n * 24 + 64, len = 0;
	cleanup_free char *text = malloc(size);
	struct ct_config c;
	struct ct_file_error err;

	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, i % 3 ? "# %zu\n" : "env = V=%zu\n", i);
	ct_config_init(&c);
	assert_int_equal(ct_config_parse_string(&c, text, len, NAME, &err), 0);
	assert_strv(c.env, (const char *[]){ "V=199998" }, 1);
	ct_config_free(&c);
	/* The line count stays right over many lines. */
	snprintf(text + len, size - len, "bogus = 1\n");
	expect_error(text, n + 1, "bogus", "unknown key");
}

static void test_set_command(void **state)
{
	char *argv[] = { "/bin/echo", "hello world", NULL };
	char *empty[] = { NULL };
	char *blank[] = { "", NULL };
	struct ct_config c;

	parse_ok(&c, "command = /bin/false\n");
	assert_int_equal(ct_config_set_command(&c, argv), 0);
	argv[1] = "changed"; /* a copy was taken */
	assert_strv(c.command, (const char *[]){ "/bin/echo", "hello world" }, 2);
	assert_int_equal(ct_config_set_command(&c, NULL), -EINVAL);
	assert_int_equal(ct_config_set_command(&c, empty), -EINVAL);
	assert_int_equal(ct_config_set_command(&c, blank), -EINVAL);
	assert_string_equal(c.command[0], "/bin/echo");
	ct_config_free(&c);
}

/* ---- errors ---- */

static void test_syntax_errors(void **state)
{
	expect_error("rootfs = /r\nfoo = bar\n", 2, "foo", "unknown key");
	expect_error("Rootfs = /r\n", 1, "Rootfs", "unknown key");
	expect_error("host name = x\n", 1, "host name", "unknown key");
	expect_error("foo =\n", 1, "foo", "unknown key");
	expect_error("# c\n\nrootfs\n", 3, "", "expected 'key = value'");
	expect_error("rootfs /r\n", 1, "", "expected 'key = value'");
	expect_error("  = /r\n", 1, "", "missing key before '='");
	expect_error("hostname =\n", 1, "hostname", "empty value");
	expect_error("hostname = \t \r\n", 1, "hostname", "empty value");
	expect_error("mount =  \n", 1, "mount", "empty value");
}

static void test_duplicate_keys(void **state)
{
	expect_error("rootfs = /a\n# comment\nrootfs = /b\n", 3, "rootfs", "set twice, first at line 1");
	expect_error("\nhostname = a\nrootfs = /r\nhostname = a\n", 4, "hostname",
		     "set twice, first at line 2");
	expect_error("command = a\ncommand = a\n", 2, "command", "set twice, first at line 1");
	expect_error("no_new_privs = 1\nno_new_privs = 0\n", 2, "no_new_privs", "set twice");
	expect_error("shutdown_timeout = 1\nshutdown_method = exec\nshutdown_timeout = 2\n", 3,
		     "shutdown_timeout", "set twice, first at line 1");
}

static void test_value_errors(void **state)
{
	char long_host[128];

	snprintf(long_host, sizeof(long_host), "hostname = %065d\n", 1);
	expect_error(long_host, 1, "hostname", "not a valid hostname");
	expect_error("hostname = -web\n", 1, "hostname", "'-web' is not a valid hostname");
	expect_error("hostname = .web\n", 1, "hostname", "not a valid hostname");
	expect_error("hostname = we_b\n", 1, "hostname", "not a valid hostname");
	expect_error("hostname = we b\n", 1, "hostname", "not a valid hostname");
	expect_error("hostname = web # the web server\n", 1, "hostname", "not a valid hostname");
	expect_error("init = sbin/init\n", 1, "init", "'sbin/init' is not an absolute path");
	expect_error("init = '/sbin/init\n", 1, "init", "unterminated quote");
	expect_error("init = /sbin/init \\\n", 1, "init", "trailing backslash");
	expect_error("init = ''\n", 1, "init", "empty program name");
	expect_error("command = \"sh -c\n", 1, "command", "unterminated quote");
	expect_error("command = \"\" x\n", 1, "command", "empty program name");
	expect_error("shutdown_command = 'x\n", 1, "shutdown_command", "unterminated quote");
	expect_error("shutdown_method = halt\n", 1, "shutdown_method", "unknown method 'halt'");
	expect_error("shutdown_method = Systemd\n", 1, "shutdown_method", "unknown method");
	expect_error("shutdown_signal = KILL\n", 1, "shutdown_signal", "'KILL' is not a signal");
	expect_error("shutdown_signal = SIGSTOP\n", 1, "shutdown_signal", "not a signal");
	expect_error("shutdown_signal = 0\n", 1, "shutdown_signal", "not a signal");
	expect_error("shutdown_signal = 65\n", 1, "shutdown_signal", "not a signal");
	expect_error("shutdown_signal = SIGFOO\n", 1, "shutdown_signal", "not a signal");
	expect_error("shutdown_timeout = -2\n", 1, "shutdown_timeout", "from -1 (forever) to 86400");
	expect_error("shutdown_timeout = 86401\n", 1, "shutdown_timeout", "not a number of seconds");
	expect_error("shutdown_timeout = 10s\n", 1, "shutdown_timeout", "not a number");
	expect_error("shutdown_timeout = 1.5\n", 1, "shutdown_timeout", "not a number");
	expect_error("shutdown_timeout = 99999999999999999999\n", 1, "shutdown_timeout", "not a number");
	expect_error("no_new_privs = maybe\n", 1, "no_new_privs", "'maybe' is not a boolean");
	expect_error("no_new_privs = 2\n", 1, "no_new_privs", "not a boolean");
}

static void test_namespace_errors(void **state)
{
	expect_error("namespaces = pid mount user\n", 1, "namespaces", "'user' is not a namespaces value");
	expect_error("namespaces = mount uts\n", 1, "namespaces", "'pid' is required");
	expect_error("namespaces = pid\n", 1, "namespaces", "'mount' is required");
	expect_error("namespaces = , ,\n", 1, "namespaces", "'pid' is required");
	expect_error("namespaces = pid mount bogus\n", 1, "namespaces", "unknown namespace 'bogus'");
	expect_error("namespaces = PID mount\n", 1, "namespaces", "unknown namespace 'PID'");
	expect_error("namespaces = pid mnt\n", 1, "namespaces", "unknown namespace 'mnt'");
}

static void test_mount_errors(void **state)
{
	expect_error("rootfs = /r\nmount = proc /proc\n", 2, "mount", "got 2 fields");
	expect_error("mount = a /b c d 0 0 extra\n", 1, "mount", "got 7 fields");
	expect_error("mount = proc proc proc\n", 1, "mount", "target 'proc' is not an absolute path");
	expect_error("mount = x /a/../../etc none bind\n", 1, "mount", "contains '..'");
	expect_error("mount = x /.. none bind\n", 1, "mount", "contains '..'");
	expect_error("mount = \"\" /x tmpfs\n", 1, "mount", "empty field 1");
	expect_error("mount = x /x ''\n", 1, "mount", "empty field 3");
	expect_error("mount = tmpfs /t tmpfs create=bogus\n", 1, "mount", "unknown option 'create=bogus'");
	expect_error("mount = x /x none bind,create=dir,create=file\n", 1, "mount", "exclude each other");
	expect_error("mount = a /b c defaults x\n", 1, "mount", "dump 'x' is not a number");
	expect_error("mount = a /b c defaults 0 -1\n", 1, "mount", "pass '-1' is not a number");
	expect_error("mount = 'a /b c\n", 1, "mount", "unterminated quote");
	expect_error("mount = /x /y none bind,tmpcopyup\n", 1, "mount",
		     "option tmpcopyup is for a new tmpfs");
	expect_error("mount = none /y tmpfs remount,tmpcopyup\n", 1, "mount",
		     "option tmpcopyup is for a new tmpfs");
}

static void test_env_errors(void **state)
{
	expect_error("env = NOEQUALS\n", 1, "env", "expected NAME=VALUE");
	expect_error("env = =v\n", 1, "env", "'' is not a valid variable name");
	expect_error("env = 1A=v\n", 1, "env", "'1A' is not a valid variable name");
	expect_error("env = A-B=v\n", 1, "env", "'A-B' is not a valid variable name");
	expect_error("env = A B=v\n", 1, "env", "'A B' is not a valid variable name");
}

static void test_cgroup_keys(void **state)
{
	struct ct_config c;
	struct ct_file_error err;

	assert_int_equal(parse(&c, "rootfs = /r\ncgroup.parent = machines/ct\ncgroup.memory.max = 512M\n"
				   "cgroup.pids.max = 100\ncgroup.cpu.weight = 50\n"
				   "cgroup.cpu.max = 50000 100000\n", &err), 0);
	assert_string_equal(c.cgroup.parent, "machines/ct");
	assert_int_equal(c.cgroup.memory_max, 512LL << 20);
	assert_int_equal(c.cgroup.pids_max, 100);
	assert_int_equal(c.cgroup.cpu_weight, 50);
	assert_int_equal(c.cgroup.cpu_quota_us, 50000);
	assert_int_equal(c.cgroup.cpu_period_us, 100000);
	assert_false(c.cgroup.v1_all);
	ct_config_free(&c);
	assert_int_equal(parse(&c, "rootfs = /r\ncgroup.v1 = all\n", &err), 0);
	assert_true(c.cgroup.v1_all);
	ct_config_free(&c);
	assert_int_equal(parse(&c, "rootfs = /r\ncgroup.v1 = limits\n", &err), 0);
	assert_false(c.cgroup.v1_all);
	ct_config_free(&c);
	assert_int_equal(parse(&c, "rootfs = /r\ncgroup.memory.max = max\ncgroup.pids.max = max\n"
				   "cgroup.cpu.max = max\n", &err), 0);
	assert_int_equal(c.cgroup.memory_max, -1);
	assert_int_equal(c.cgroup.pids_max, -1);
	assert_int_equal(c.cgroup.cpu_quota_us, -1);
	ct_config_free(&c);

	const char *bad[][2] = {
		{ "cgroup.memory.max = 12X", "invalid size" },
		{ "cgroup.memory.max = -5", "invalid size" },
		{ "cgroup.memory.max = 0", "invalid size" },
		{ "cgroup.memory.max = 99999999999T", "invalid size" },
		{ "cgroup.pids.max = 0", "invalid pids limit" },
		{ "cgroup.pids.max = lots", "invalid pids limit" },
		{ "cgroup.cpu.weight = 0", "invalid cpu weight" },
		{ "cgroup.cpu.weight = 10001", "invalid cpu weight" },
		{ "cgroup.cpu.max = 10", "invalid cpu.max" },
		{ "cgroup.cpu.max = 50000 1", "invalid cpu.max" },
		{ "cgroup.cpu.max = 50000 100000 7", "invalid cpu.max" },
		{ "cgroup.parent = /abs", "invalid cgroup path" },
		{ "cgroup.parent = a/../b", "invalid cgroup path" },
		{ "cgroup.parent = ..", "invalid cgroup path" },
		{ "cgroup.parent = a//b", "invalid cgroup path" },
		{ "cgroup.parent = a b", "invalid cgroup path" },
		{ "cgroup.v1 = some", "invalid value 'some' (limits or all)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[128];
		snprintf(text, sizeof(text), "rootfs = /r\n%s\n", bad[i][0]);
		assert_int_equal(parse(&c, text, &err), -EINVAL);
		assert_int_equal(err.line, 2);
		if (!strstr(err.message, bad[i][1]))
			fail_msg("'%s': message '%s'", bad[i][0], err.message);
		ct_config_free(&c);
	}
}

static void test_parse_size(void **state)
{
	int64_t v = 0;

	assert_int_equal(ct_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ct_parse_size("1k", &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(ct_parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2LL << 30);
	assert_int_equal(ct_parse_size("3T", &v), 0);
	assert_int_equal(v, 3LL << 40);
	assert_int_equal(ct_parse_size("1.5G", &v), -EINVAL);
	assert_int_equal(ct_parse_size("G", &v), -EINVAL);
	assert_int_equal(ct_parse_size("1GG", &v), -EINVAL);
}

static void test_caps(void **state)
{
	struct ct_config c;
	struct ct_file_error err;

	assert_int_equal(parse(&c, "rootfs = /r\ncap.drop = sys_admin, NET_RAW\ncap.drop = 0 cap_kill\n",
			       &err), 0);
	assert_int_equal(c.cap_drop, (1ULL << 21) | (1ULL << 13) | (1ULL << 0) | (1ULL << 5));
	assert_false(c.cap_keep_set);
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	/* What init keeps: everything but the defaults and the list. */
	assert_int_equal(ct_caps_keep(&c), ~(ct_caps_default_drop(false) | c.cap_drop));
	ct_config_free(&c);

	assert_int_equal(parse(&c, "rootfs = /r\ncap.keep = chown\n", &err), 0);
	assert_true(c.cap_keep_set);
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	assert_int_equal(ct_caps_keep(&c), 1);
	ct_config_free(&c);

	/* cap.keep with nothing listed that parses is an error, not "keep nothing". */
	const char *bad[] = { "cap.drop = sys_bogus", "cap.drop = 64", "cap.keep = all",
			      "cap.drop = cap_", "cap.keep = -1" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[128];
		snprintf(text, sizeof(text), "rootfs = /r\n%s\n", bad[i]);
		assert_int_equal(parse(&c, text, &err), -EINVAL);
		assert_int_equal(err.line, 2);
		assert_non_null(strstr(err.message, "unknown capability"));
		ct_config_free(&c);
	}
	assert_int_equal(parse(&c, "rootfs = /r\ncap.keep = chown\ncap.drop = kill\n", &err), 0);
	assert_int_equal(ct_config_finalize(&c, &err), -EINVAL);
	assert_string_equal(err.key, "cap.keep");
	ct_config_free(&c);
}

static void test_cap_names(void **state)
{
	char buf[128];

	assert_int_equal(ct_cap_from_name("sys_admin"), 21);
	assert_int_equal(ct_cap_from_name("SYS_ADMIN"), 21);
	assert_int_equal(ct_cap_from_name("cap_sys_admin"), 21);
	assert_int_equal(ct_cap_from_name("0"), 0);
	assert_int_equal(ct_cap_from_name(""), -EINVAL);
	assert_int_equal(ct_cap_from_name("all"), -EINVAL);
	ct_caps_format(ct_caps_default_drop(false), buf, sizeof(buf));
	assert_string_equal(buf, "sys_module sys_rawio sys_time mac_override mac_admin");
}

static void test_seccomp_profile_key(void **state)
{
	struct ct_config c;
	struct ct_file_error err;

	assert_int_equal(parse(&c, "rootfs = /r\nseccomp.profile = profiles/web.seccomp\n", &err), 0);
	assert_string_equal(c.seccomp_profile, "/etc/ct/profiles/web.seccomp");
	ct_config_free(&c);
	assert_int_equal(parse(&c, "rootfs = /r\nseccomp.profile = none\n", &err), 0);
	assert_string_equal(c.seccomp_profile, "none");
	ct_config_free(&c);
	assert_int_equal(parse(&c, "rootfs = /r\n", &err), 0);
	assert_null(c.seccomp_profile); /* the shipped default */
	ct_config_free(&c);
}

static void test_error_without_name(void **state)
{
	struct ct_config c;
	struct ct_file_error err;

	ct_config_init(&c);
	assert_int_equal(ct_config_parse_string(&c, "x = 1", 5, NULL, &err), -EINVAL);
	assert_string_equal(err.file, "<string>");
	assert_int_equal(err.line, 1);
	assert_string_equal(err.key, "x");
	/* A NULL err is allowed: the result still says what happened. */
	assert_int_equal(ct_config_parse_string(&c, "x = 1", 5, NULL, NULL), -EINVAL);
	ct_config_free(&c);
}

static void test_long_key_truncated(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	char text[256];

	snprintf(text, sizeof(text), "%0100d = 1\n", 5);
	assert_int_equal(parse(&c, text, &err), -EINVAL);
	assert_int_equal(strlen(err.key), sizeof(err.key) - 1);
	assert_memory_equal(err.key, text, sizeof(err.key) - 1);
	ct_config_free(&c);
}

static void test_error_format(void **state)
{
	struct ct_file_error err = { .file = "/etc/ct/a.conf", .line = 3, .key = "hostname",
				       .message = "bad" };
	char buf[256];

	ct_file_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "/etc/ct/a.conf:3: key 'hostname': bad");
	err.line = 0;
	ct_file_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "/etc/ct/a.conf: key 'hostname': bad");
	err.key[0] = '\0';
	ct_file_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "/etc/ct/a.conf: bad");
	err.line = 7;
	ct_file_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "/etc/ct/a.conf:7: bad");
	err.file[0] = '\0';
	ct_file_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "line 7: bad");
	ct_file_error_format(&err, buf, 5);
	assert_string_equal(buf, "line");
	buf[0] = 'Z';
	ct_file_error_format(&err, buf, 0);
	assert_int_equal(buf[0], 'Z');
}

static void test_error_format_from_parse(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	char buf[256];

	assert_int_equal(parse(&c, "\nhostname = a\nhostname = b\n", &err), -EINVAL);
	ct_file_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, NAME ":3: key 'hostname': set twice, first at line 2");
	ct_config_free(&c);
}

/* ---- isolation: idmap, device.allow, the privileged drop list ---- */

/* Finalizing text fails with -EINVAL for key, with msg somewhere in the message. */
static void finalize_fails(const char *text, const char *key, const char *msg)
{
	struct ct_config c;
	struct ct_file_error err = { 0 };

	parse_ok(&c, text);
	assert_int_equal(ct_config_finalize(&c, &err), -EINVAL);
	assert_string_equal(err.key, key);
	assert_non_null(strstr(err.message, msg));
	ct_config_free(&c);
}

static void test_idmap_key(void **state)
{
	struct ct_config c;
	struct ct_file_error err;

	parse_ok(&c, "rootfs = /r\n");
	assert_int_equal(c.idmap.mode, CT_IDMAP_AUTO); /* user namespaces by default */
	assert_true(ct_config_userns(&c));
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /r\nidmap = none\n");
	assert_false(ct_config_userns(&c));
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /r\nidmap = u 0 100000 65536\nidmap = g 0 200000 65536\n");
	assert_int_equal(c.idmap.mode, CT_IDMAP_EXPLICIT);
	assert_int_equal(c.idmap.n_uid, 1);
	assert_int_equal(c.idmap.gid[0].outer, 200000);
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	ct_config_free(&c);

	expect_error("rootfs = /r\nidmap = sometimes\n", 2, "idmap", "");
	expect_error("rootfs = /r\nidmap = none\nidmap = u 0 1 1\n", 3, "idmap", "");
	expect_error("rootfs = /r\nidmap = u 0 x 1\n", 2, "idmap", "");
	/* A map without gids, or one leaving the container's root unmapped, is refused whole. */
	finalize_fails("rootfs = /r\nidmap = u 0 100000 65536\n", "idmap", "g");
	finalize_fails("rootfs = /r\nidmap = u 1 100000 65536\nidmap = g 0 100000 65536\n", "idmap",
		       "0");
	/* The host's own tree cannot be idmapped. */
	finalize_fails("rootfs = /\n", "idmap", "idmap = none");
}

static void test_device_allow_key(void **state)
{
	struct ct_config c;

	parse_ok(&c, "rootfs = /r\ndevice.allow = c 10:200 rwm\ndevice.allow = b 8:* r\n");
	assert_int_equal(c.n_devices, 2);
	assert_int_equal(c.devices[0].type, 'c');
	assert_int_equal(c.devices[0].major, 10);
	assert_int_equal(c.devices[0].minor, 200);
	assert_int_equal(c.devices[0].access, CT_DEV_ALL);
	assert_int_equal(c.devices[1].minor, -1);
	assert_int_equal(c.devices[1].access, CT_DEV_READ);
	ct_config_free(&c);
	expect_error("rootfs = /r\ndevice.allow = x 1:1 r\n", 2, "device.allow", "");
	expect_error("rootfs = /r\ndevice.allow = c 1:1 rwx\n", 2, "device.allow", "");
}

static void test_privileged_caps(void **state)
{
	struct ct_config c;
	struct ct_file_error err;

	parse_ok(&c, "rootfs = /r\nidmap = none\n");
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	/* Host root's ptrace and kernel log go too in privileged mode. */
	assert_int_equal(ct_caps_keep(&c), ~ct_caps_default_drop(true));
	assert_false(ct_caps_keep(&c) & (1ULL << CAP_SYS_PTRACE));
	assert_false(ct_caps_keep(&c) & (1ULL << CAP_SYSLOG));
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /r\n");
	assert_true(ct_caps_keep(&c) & (1ULL << CAP_SYS_PTRACE));
	ct_config_free(&c);
}

/* ---- finalize ---- */

static void expect_finalize_error(const char *text, const char *key, const char *msg)
{
	struct ct_config c;
	struct ct_file_error err = { 0 };

	parse_ok(&c, text);
	assert_int_equal(ct_config_finalize(&c, &err), -EINVAL);
	assert_string_equal(err.file, "");
	assert_int_equal(err.line, 0);
	assert_string_equal(err.key, key);
	assert_string_equal(err.message, msg);
	ct_config_free(&c);
}

static void test_finalize_defaults(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	char *argv[] = { "/bin/app", NULL };

	parse_ok(&c, "rootfs = /r\n");
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	assert_int_equal(c.shutdown_method, CT_SHUTDOWN_SYSVINIT);
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /r\ncommand = /bin/app\n");
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	assert_int_equal(c.shutdown_method, CT_SHUTDOWN_APPLICATION);
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /r\n");
	assert_int_equal(ct_config_set_command(&c, argv), 0);
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	assert_int_equal(c.shutdown_method, CT_SHUTDOWN_APPLICATION);
	ct_config_free(&c);
	parse_ok(&c, "rootfs = /r\ncommand = /bin/app\nshutdown_method = systemd\n");
	assert_int_equal(ct_config_finalize(&c, &err), 0);
	assert_int_equal(c.shutdown_method, CT_SHUTDOWN_SYSTEMD);
	ct_config_free(&c);
}

static void test_finalize_shutdown_combinations(void **state)
{
	const char *ok[] = {
		"rootfs = /r\nshutdown_method = exec\nshutdown_command = /sbin/halt\n",
		"rootfs = /r\nshutdown_method = systemd\nshutdown_signal = RTMIN+3\n",
		"rootfs = /r\ncommand = /bin/app\nshutdown_signal = INT\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		struct ct_config c;

		parse_ok(&c, ok[i]);
		assert_int_equal(ct_config_finalize(&c, NULL), 0);
		ct_config_free(&c);
	}
	expect_finalize_error("shutdown_method = exec\n", "rootfs",
			      "missing: every container needs a rootfs");
	expect_finalize_error("rootfs = /r\nshutdown_method = exec\n", "shutdown_method",
			      "'exec' needs a shutdown_command");
	expect_finalize_error("rootfs = /r\nshutdown_command = /sbin/halt\n", "shutdown_command",
			      "only used with shutdown_method = exec (the method is 'sysvinit')");
	expect_finalize_error("rootfs = /r\nshutdown_signal = TERM\n", "shutdown_signal",
			      "only used with shutdown_method = application or systemd "
			      "(the method is 'sysvinit')");
	expect_finalize_error("rootfs = /r\nshutdown_method = exec\nshutdown_command = x\n"
			      "shutdown_signal = TERM\n",
			      "shutdown_signal", "only used with shutdown_method = application or "
						 "systemd (the method is 'exec')");
}

static void test_finalize_restores_init(void **state)
{
	struct ct_config c;

	/* What ct_config_init() leaves when its allocation failed. */
	parse_ok(&c, "rootfs = /r\n");
	ct_strv_free(c.init);
	c.init = NULL;
	assert_int_equal(ct_config_finalize(&c, NULL), 0);
	assert_strv(c.init, (const char *[]){ "/sbin/init" }, 1);
	ct_config_free(&c);
}

/* ---- loading files ---- */

static char tmpdir[64];

static int tmpdir_setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_config.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text, size_t len)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
}

static void test_load(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	char path[128], expected[160];
	const char *text = "# test\nrootfs = rootfs\nhostname = loaded\n";

	snprintf(path, sizeof(path), "%s/web.conf", tmpdir);
	write_file(path, text, strlen(text));
	ct_config_init(&c);
	assert_int_equal(ct_config_load(&c, path, &err), 0);
	assert_string_equal(c.path, path);
	snprintf(expected, sizeof(expected), "%s/rootfs", tmpdir);
	assert_string_equal(c.rootfs, expected);
	assert_string_equal(c.hostname, "loaded");
	ct_config_free(&c);
}

static void test_load_errors(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	char path[128];

	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	write_file(path, "rootfs = /r\nnamespaces = pid\n", 29);
	ct_config_init(&c);
	assert_int_equal(ct_config_load(&c, path, &err), -EINVAL);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.key, "namespaces");
	ct_config_free(&c);

	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	ct_config_init(&c);
	assert_int_equal(ct_config_load(&c, path, &err), -ENOENT);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.key, "");
	assert_string_equal(err.message, strerror(ENOENT));
	assert_int_equal(ct_config_load(&c, tmpdir, &err), -EISDIR);
	assert_string_equal(err.file, tmpdir);
	ct_config_free(&c);
}

static void test_load_finalize_names_file(void **state)
{
	struct ct_config c;
	struct ct_file_error err;
	char path[128], buf[512], expected[512];

	snprintf(path, sizeof(path), "%s/norootfs.conf", tmpdir);
	write_file(path, "hostname = h\n", 13);
	ct_config_init(&c);
	assert_int_equal(ct_config_load(&c, path, &err), 0);
	assert_int_equal(ct_config_finalize(&c, &err), -EINVAL);
	ct_file_error_format(&err, buf, sizeof(buf));
	snprintf(expected, sizeof(expected),
		 "%s: key 'rootfs': missing: every container needs a rootfs", path);
	assert_string_equal(buf, expected);
	ct_config_free(&c);
}

static void test_load_size_limit(void **state)
{
	cleanup_free char *text = malloc(CT_CONFIG_FILE_MAX + 1);
	struct ct_config c;
	struct ct_file_error err;
	char path[128];

	assert_non_null(text);
	/* Exactly the limit, in 64-byte comment lines, loads; one byte more does not. */
	for (size_t i = 0; i < CT_CONFIG_FILE_MAX; i += 64) {
		memset(text + i, '#', 63);
		text[i + 63] = '\n';
	}
	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	write_file(path, text, CT_CONFIG_FILE_MAX);
	ct_config_init(&c);
	assert_int_equal(ct_config_load(&c, path, &err), 0);
	text[CT_CONFIG_FILE_MAX] = '\n';
	write_file(path, text, CT_CONFIG_FILE_MAX + 1);
	assert_int_equal(ct_config_load(&c, path, &err), -EFBIG);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message, "file is larger than 4194304 bytes");
	ct_config_free(&c);
}

static void test_load_dev_null(void **state)
{
	struct ct_config c;
	struct ct_file_error err;

	ct_config_init(&c);
	assert_int_equal(ct_config_load(&c, "/dev/null", &err), 0);
	assert_null(c.rootfs);
	ct_config_free(&c);
}

static void load_and_finalize(struct ct_config *c, const char *path)
{
	struct ct_file_error err;
	char buf[1024];
	int r;

	ct_config_init(c);
	r = ct_config_load(c, path, &err);
	if (r == 0)
		r = ct_config_finalize(c, &err);
	if (r < 0) {
		ct_file_error_format(&err, buf, sizeof(buf));
		fail_msg("%s", buf);
	}
}

/* The shipped example must stay valid: it is what users copy. */
static void test_example_conf(void **state)
{
	const char *srcdir = getenv("srcdir");
	const char *suffix = "/config/rootfs/debian";
	struct ct_config c;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/config/example.conf", srcdir ? srcdir : ".");
	load_and_finalize(&c, path);
	assert_true(c.rootfs[0] == '/' && strlen(c.rootfs) > strlen(suffix));
	assert_string_equal(c.rootfs + strlen(c.rootfs) - strlen(suffix), suffix);
	assert_string_equal(c.hostname, "debian-ct");
	assert_int_equal(c.shutdown_method, CT_SHUTDOWN_SYSVINIT);
	assert_int_equal(c.shutdown_timeout, 60);
	assert_int_equal(c.n_mounts, 3);
	assert_true(c.mounts[2].optional && c.mounts[2].create_dir);
	assert_strv(c.env, (const char *[]){ "LANG=C.UTF-8", "TZ=UTC" }, 2);
	ct_config_free(&c);
}

/* The example in the reference, the first code block after "## Example", must be valid too. */
static void test_docs_example(void **state)
{
	const char *srcdir = getenv("srcdir");
	cleanup_free char *doc = NULL;
	struct ct_config c;
	char path[PATH_MAX];
	size_t len = 0;
	FILE *f;
	char *start, *end;

	snprintf(path, sizeof(path), "%s/docs/config.md", srcdir ? srcdir : ".");
	f = fopen(path, "re");
	assert_non_null(f);
	assert_true(getdelim(&doc, &len, '\0', f) > 0);
	fclose(f);
	start = strstr(doc, "\n## Example\n");
	assert_non_null(start);
	start = strstr(start, "\n```\n");
	assert_non_null(start);
	start += 5;
	end = strstr(start, "\n```\n");
	assert_non_null(end);
	snprintf(path, sizeof(path), "%s/docs-example.conf", tmpdir);
	write_file(path, start, (size_t)(end - start) + 1);
	load_and_finalize(&c, path);
	assert_non_null(c.command);
	assert_int_equal(c.shutdown_method, CT_SHUTDOWN_APPLICATION);
	assert_int_equal(c.shutdown_signal, 3); /* SIGQUIT */
	ct_config_free(&c);
}

/* ---- signals and names ---- */

static void test_signal_from_string(void **state)
{
	const struct {
		const char *s;
		int expected;
	} cases[] = {
		{ "TERM", 15 },		{ "SIGTERM", 15 },	 { "sigterm", 15 },
		{ "term", 15 },		{ "SiGtErM", 15 },	 { "15", 15 },
		{ "HUP", 1 },		{ "SIGINT", 2 },	 { "USR1", 10 },
		{ "SIGPWR", 30 },	{ "SIGCHLD", 17 },	 { "1", 1 },
		{ "64", 64 },		{ "032", 32 },		 { "SIGRTMIN+4", 38 },
		{ "RTMIN+4", 38 },	{ "sigrtmin+4", 38 },	 { "SIGRTMIN", 34 },
		{ "SIGRTMIN+0", 34 },	{ "SIGRTMIN+30", 64 },	 { "SIGRTMAX", 64 },
		{ "RTMAX-2", 62 },	{ "SIGRTMAX-30", 34 },
		{ "SIGKILL", -EINVAL }, { "KILL", -EINVAL },	 { "9", -EINVAL },
		{ "SIGSTOP", -EINVAL }, { "stop", -EINVAL },	 { "19", -EINVAL },
		{ "0", -EINVAL },	{ "65", -EINVAL },	 { "-15", -EINVAL },
		{ "+15", -EINVAL },	{ " 15", -EINVAL },	 { "15 ", -EINVAL },
		{ "15x", -EINVAL },	{ "", -EINVAL },	 { "SIG", -EINVAL },
		{ "SIGSIGTERM", -EINVAL }, { "SIG15", -EINVAL }, { "FOO", -EINVAL },
		{ "SIGRTMIN+31", -EINVAL }, { "SIGRTMIN+", -EINVAL }, { "SIGRTMIN-1", -EINVAL },
		{ "SIGRTMIN+-1", -EINVAL }, { "SIGRTMIN+ 4", -EINVAL }, { "SIGRTMAX+1", -EINVAL },
		{ "SIGRTMAX-31", -EINVAL }, { "RTMINX", -EINVAL }, { "99999999999999999999", -EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = ct_signal_from_string(cases[i].s);
		if (r != cases[i].expected)
			fail_msg("'%s': got %d, expected %d", cases[i].s, r, cases[i].expected);
	}
	assert_int_equal(ct_signal_from_string(NULL), -EINVAL);
}

static void test_shutdown_method_to_string(void **state)
{
	assert_string_equal(ct_shutdown_method_to_string(CT_SHUTDOWN_UNSET), "unset");
	assert_string_equal(ct_shutdown_method_to_string(CT_SHUTDOWN_APPLICATION), "application");
	assert_string_equal(ct_shutdown_method_to_string(CT_SHUTDOWN_SYSVINIT), "sysvinit");
	assert_string_equal(ct_shutdown_method_to_string(CT_SHUTDOWN_SYSTEMD), "systemd");
	assert_string_equal(ct_shutdown_method_to_string(CT_SHUTDOWN_EXEC), "exec");
	assert_string_equal(ct_shutdown_method_to_string((enum ct_shutdown_method)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_and_comments_only),
		cmocka_unit_test(test_parse_twice_replaces),
		cmocka_unit_test(test_rootfs_absolute),
		cmocka_unit_test(test_rootfs_relative_to_file),
		cmocka_unit_test(test_rootfs_relative_to_cwd),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_command_quotes),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_shutdown_keys),
		cmocka_unit_test(test_shutdown_timeout_bounds),
		cmocka_unit_test(test_no_new_privs), cmocka_unit_test(test_autostart_keys),
		cmocka_unit_test(test_mount_entries),
		cmocka_unit_test(test_mount_options),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_net),
		cmocka_unit_test(test_list_keys_repeat),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_set_command),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_namespace_errors),
		cmocka_unit_test(test_mount_errors),
		cmocka_unit_test(test_env_errors),
		cmocka_unit_test(test_cgroup_keys),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_idmap_key),
		cmocka_unit_test(test_device_allow_key),
		cmocka_unit_test(test_privileged_caps),
		cmocka_unit_test(test_cap_names),
		cmocka_unit_test(test_seccomp_profile_key),
		cmocka_unit_test(test_error_without_name),
		cmocka_unit_test(test_long_key_truncated),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_error_format_from_parse),
		cmocka_unit_test(test_finalize_defaults),
		cmocka_unit_test(test_finalize_shutdown_combinations),
		cmocka_unit_test(test_finalize_restores_init),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_finalize_names_file),
		cmocka_unit_test(test_load_size_limit),
		cmocka_unit_test(test_load_dev_null),
		cmocka_unit_test(test_example_conf),
		cmocka_unit_test(test_docs_example),
		cmocka_unit_test(test_signal_from_string),
		cmocka_unit_test(test_shutdown_method_to_string),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
