/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctrun's logic without starting anything (src/ctrun, spawn-oci.c): a bundle's spec turned into
 * ct's config (what ct's setup provides is skipped, the rest are mount entries; cgroupsPath;
 * device rules; namespaces joined or new; id maps; sysctls; the stop method's annotations),
 * with a clear refusal for what cannot be honoured; signal names; the state file; the PATH
 * lookup of the command. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/macro.h"
#include "common/util.h"
#include "ctrun/ctrun-internal.h"
#include "spawn/rootfs-internal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char dir[] = "/tmp/test_ctrun.XXXXXX";

static int setup(void **state)
{
	char path[PATH_MAX];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/src-dir", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/src-file", dir);
	assert_int_equal(ct_write_all(creat(path, 0644), "x", 1), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* A spec with linux and the rest given as JSON fragments. */
static char *spec_text(const char *process_extra, const char *linux_json, const char *top_extra)
{
	char *t;

	assert_true(asprintf(&t, "{ \"ociVersion\": \"1.0.2\", \"process\": { \"args\": [\"sh\"], "
			     "\"cwd\": \"/\", \"user\": { \"uid\": 0, \"gid\": 0 }%s }, "
			     "\"root\": { \"path\": \"rootfs\" }, \"linux\": %s %s }",
			     process_extra, linux_json, top_extra) > 0);
	return t;
}

#define NS_DEFAULT "\"namespaces\": [ {\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"} ]"

static int translate(const char *process_extra, const char *linux_json, const char *top_extra,
		     struct ct_oci_spec *s, struct ctrun_launch *l, char *err, size_t size)
{
	cleanup_free char *text = spec_text(process_extra, linux_json, top_extra);
	int r = ct_oci_parse(text, strlen(text), "config.json", s, err, size);

	if (r < 0) {
		print_error("parse: %s\n", err);
		return r;
	}
	r = ctrun_translate(s, dir, "id1", NULL, l, err, size);
	if (r < 0)
		ct_oci_free(s);
	return r;
}

static void translate_ok(const char *linux_json, const char *top_extra, struct ct_oci_spec *s,
			 struct ctrun_launch *l)
{
	char err[CT_OCI_ERR_MAX] = "";
	int r = translate("", linux_json, top_extra, s, l, err, sizeof(err));

	if (r < 0)
		print_error("unexpected %d: %s\n", r, err);
	assert_int_equal(r, 0);
}

#define expect_refused(lx, top, msg) expect_refused_at(lx, top, msg, __FILE__, __LINE__)
static void expect_refused_at(const char *linux_json, const char *top_extra, const char *msg,
			      const char *file, int line)
{
	char err[CT_OCI_ERR_MAX] = "";
	struct ct_oci_spec s;
	struct ctrun_launch l;
	int r = translate("", linux_json, top_extra, &s, &l, err, sizeof(err));

	if (r != -EINVAL || !strstr(err, msg)) {
		print_error("%s\n  expected -EINVAL with '%s', got %d with '%s'\n", linux_json, msg, r,
			    err);
		_fail(file, line);
	}
	if (r == 0) {
		ctrun_launch_free(&l);
		ct_oci_free(&s);
	}
}

static void done(struct ct_oci_spec *s, struct ctrun_launch *l)
{
	ctrun_launch_free(l);
	ct_oci_free(s);
}

static void test_minimal(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;
	char root[PATH_MAX + 16];

	translate_ok("{ " NS_DEFAULT " }", "", &s, &l);
	snprintf(root, sizeof(root), "%s/rootfs", dir);
	assert_string_equal(l.config.rootfs, root);
	assert_int_equal(l.config.namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC);
	assert_int_equal(l.config.idmap.mode, CT_IDMAP_NONE);
	assert_string_equal(l.argv[0], "sh");
	assert_null(l.argv[1]);
	assert_int_equal(l.method, CT_SHUTDOWN_UNSET);
	assert_string_equal(l.config.cgroup.parent, "ctrun");
	assert_string_equal(l.cgroup_leaf, "id1");
	assert_int_equal(l.n_join, 0);
	assert_int_equal(l.oci.umask, -1);
	assert_string_equal(l.oci.cwd, "/");
	done(&s, &l);
}

static void test_cgroups_path(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;

	translate_ok("{ " NS_DEFAULT ", \"cgroupsPath\": \"/libpod_parent/libpod-abc\", "
		     "\"resources\": { \"pids\": { \"limit\": 2048 }, \"memory\": { \"limit\": 1048576 }, "
		     "\"cpu\": { \"shares\": 1024, \"quota\": 50000, \"period\": 100000 } } }", "", &s, &l);
	assert_string_equal(l.config.cgroup.parent, "libpod_parent");
	assert_string_equal(l.cgroup_leaf, "libpod-abc");
	assert_int_equal(l.config.cgroup.pids_max, 2048);
	assert_int_equal(l.config.cgroup.memory_max, 1048576);
	assert_int_equal(l.config.cgroup.cpu_weight, 39); /* 1 + (1024 - 2) * 9999 / 262142 */
	assert_int_equal(l.config.cgroup.cpu_quota_us, 50000);
	done(&s, &l);
	translate_ok("{ " NS_DEFAULT ", \"cgroupsPath\": \"/default/k8s/pod1/c1\" }", "", &s, &l);
	assert_string_equal(l.config.cgroup.parent, "default/k8s/pod1");
	assert_string_equal(l.cgroup_leaf, "c1");
	done(&s, &l);
	translate_ok("{ " NS_DEFAULT ", \"cgroupsPath\": \"solo\" }", "", &s, &l);
	assert_string_equal(l.config.cgroup.parent, "ctrun");
	assert_string_equal(l.cgroup_leaf, "solo");
	done(&s, &l);
	expect_refused("{ " NS_DEFAULT ", \"cgroupsPath\": \"system.slice:ctrun:c1\" }", "",
		       "systemd's slice:prefix:name form is not supported");
	expect_refused("{ " NS_DEFAULT ", \"cgroupsPath\": \"/a/../../b\" }", "", "without '..'");
}

static void test_mounts(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;
	char mounts[4096];

	snprintf(mounts, sizeof(mounts), ", \"mounts\": ["
		 "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
		 "{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},"
		 "{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\"},"
		 "{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\"},"
		 "{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\"},"
		 "{\"destination\": \"/sys/fs/cgroup/systemd\", \"type\": \"bind\", \"source\": \"%s/src-dir\", \"options\": [\"bind\"]},"
		 "{\"destination\": \"/run\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"rw\", \"rprivate\", \"nosuid\", \"tmpcopyup\", \"size=65536k\"]},"
		 "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"%s/src-dir\", \"options\": [\"rbind\", \"ro\"]},"
		 "{\"destination\": \"/etc/hosts\", \"source\": \"src-file\", \"options\": [\"bind\"]},"
		 "{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [\"nosuid\"]}"
		 "]", dir, dir);
	translate_ok("{ " NS_DEFAULT " }", mounts, &s, &l);
	assert_int_equal(l.config.n_mounts, 4);
	assert_string_equal(l.config.mounts[0].target, "/run");
	assert_string_equal(l.config.mounts[0].fstype, "tmpfs");
	assert_string_equal(l.config.mounts[0].data, "size=65536k");
	assert_true(l.config.mounts[0].flags & MS_NOSUID);
	assert_true(l.config.mounts[0].create_dir);
	assert_string_equal(l.config.mounts[1].target, "/data");
	assert_string_equal(l.config.mounts[1].fstype, "none");
	assert_int_equal(l.config.mounts[1].flags & (MS_BIND | MS_REC | MS_RDONLY),
			 MS_BIND | MS_REC | MS_RDONLY);
	assert_false(l.config.mounts[1].flags & MS_PRIVATE);
	assert_true(l.config.mounts[1].create_dir);
	/* a relative source is the bundle's; a file's target is made as a file */
	assert_true(strstr(l.config.mounts[2].source, "/src-file") != NULL);
	assert_true(l.config.mounts[2].create_file);
	assert_string_equal(l.config.mounts[3].fstype, "mqueue");
	done(&s, &l);
	expect_refused("{ " NS_DEFAULT " }", ", \"mounts\": [{\"destination\": \"/x\", \"type\": "
		       "\"bind\", \"source\": \"/nonexistent-ct\", \"options\": [\"bind\"]}]",
		       "mounts[0] (/x): source /nonexistent-ct");
	expect_refused("{ " NS_DEFAULT " }", ", \"mounts\": [{\"destination\": \"/x\", \"type\": "
		       "\"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"idmap\"]}]",
		       "option idmap without a user namespace");
	expect_refused("{ " NS_DEFAULT " }", ", \"mounts\": [{\"destination\": \"/x\", \"type\": "
		       "\"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"create=dir\"]}]",
		       "ct's config syntax, not OCI's");
	snprintf(mounts, sizeof(mounts), ", \"mounts\": [{\"destination\": \"/x\", \"type\": \"bind\", "
		 "\"source\": \"%s/src-dir\", \"options\": [\"rbind\", \"rslave\"]}]", dir);
	expect_refused("{ " NS_DEFAULT " }", mounts, "slave propagation is not supported");
}

static void test_devices(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;

	translate_ok("{ " NS_DEFAULT ", \"resources\": { \"devices\": [ "
		     "{ \"allow\": false, \"access\": \"rwm\" }, "
		     "{ \"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rwm\" } ] }, "
		     "\"devices\": [ { \"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3 } ] }",
		     "", &s, &l);
	assert_int_equal(l.config.n_devices, 1);
	assert_int_equal(l.config.devices[0].type, 'c');
	assert_int_equal(l.config.devices[0].major, 10);
	assert_int_equal(l.config.devices[0].minor, 200);
	assert_int_equal(l.config.devices[0].access, CT_DEV_ALL);
	done(&s, &l);
	expect_refused("{ " NS_DEFAULT ", \"resources\": { \"devices\": [ "
		       "{ \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"r\" } ] } }",
		       "", "a deny of devices allowed before it");
	expect_refused("{ " NS_DEFAULT ", \"resources\": { \"devices\": [ "
		       "{ \"allow\": false, \"access\": \"rwm\" }, "
		       "{ \"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": -1, \"access\": \"rwm\" }, "
		       "{ \"allow\": false, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"rwm\" } ] } }",
		       "", "linux.resources.devices[2]: a deny of devices allowed before it");
	/* Docker's: a deny of /dev/fuse after its allows, which never allowed it: no change */
	translate_ok("{ " NS_DEFAULT ", \"resources\": { \"blockIO\": { \"weight\": 0 }, \"devices\": [ "
		     "{ \"allow\": false, \"access\": \"rwm\" }, "
		     "{ \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rwm\" }, "
		     "{ \"allow\": false, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"rwm\" } ] } }",
		     "", &s, &l);
	assert_int_equal(l.config.n_devices, 1);
	done(&s, &l);
}

static void test_memory_swap(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;

	translate_ok("{ " NS_DEFAULT ", \"resources\": { \"memory\": { \"limit\": 67108864, "
		     "\"swap\": 134217728 } } }", "", &s, &l);
	assert_int_equal(l.config.cgroup.memory_max, 64 << 20);
	assert_int_equal(l.config.cgroup.memory_swap_max, 128 << 20);
	done(&s, &l);
	translate_ok("{ " NS_DEFAULT ", \"resources\": { \"memory\": { \"limit\": 67108864, "
		     "\"swap\": -1 } } }", "", &s, &l);
	assert_int_equal(l.config.cgroup.memory_swap_max, 0); /* no limit: the kernel's default */
	done(&s, &l);
	expect_refused("{ " NS_DEFAULT ", \"resources\": { \"memory\": { \"limit\": 67108864, "
		       "\"swap\": 1048576 } } }", "", "memory.swap 1048576: the limit of memory and swap "
		       "together, at least memory.limit (67108864)");
	expect_refused("{ " NS_DEFAULT ", \"resources\": { \"memory\": { \"swap\": 1048576 } } }", "",
		       "at least memory.limit");
}

#define USERNS "\"namespaces\": [ {\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"user\"} ], " \
	"\"uidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ], " \
	"\"gidMappings\": [ { \"containerID\": 0, \"hostID\": 200000, \"size\": 65536 } ]"

#define expect_node_refused(path, msg)                                                             \
	expect_refused("{ " NS_DEFAULT ", \"devices\": [ { \"path\": \"" path "\", \"type\": \"c\", "    \
		       "\"major\": 10, \"minor\": 229 } ] }", "", msg)

/* linux.devices: nodes beyond the standard ones, their owner the container's ids as the host's */
static void test_device_nodes(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;

	translate_ok("{ " USERNS ", \"devices\": [ "
		     "{ \"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3 }, "
		     /* fileMode 020640, as Podman gives it: the type bits go */
		     "{ \"path\": \"/dev/net/tun\", \"type\": \"c\", \"major\": 10, \"minor\": 200, "
		     "\"fileMode\": 8608, \"uid\": 1000, \"gid\": 5 }, "
		     "{ \"path\": \"/dev/loop9\", \"type\": \"b\", \"major\": 7, \"minor\": 9 }, "
		     "{ \"path\": \"/dev/fifo\", \"type\": \"p\" } ] }", "", &s, &l);
	assert_int_equal(l.n_nodes, 3); /* /dev/null is ct's own */
	assert_string_equal(l.nodes[0].path, "net/tun");
	assert_int_equal(l.nodes[0].mode, S_IFCHR | 0640);
	assert_int_equal(l.nodes[0].dev, makedev(10, 200));
	assert_int_equal(l.nodes[0].uid, 101000);
	assert_int_equal(l.nodes[0].gid, 200005);
	assert_int_equal(l.nodes[1].mode, S_IFBLK | 0666);
	assert_int_equal(l.nodes[1].uid, 100000);
	assert_int_equal(l.nodes[2].mode, S_IFIFO | 0666);
	assert_int_equal(l.nodes[2].dev, 0);
	done(&s, &l);
	translate_ok("{ " NS_DEFAULT ", \"devices\": [ { \"path\": \"/dev/fuse\", \"type\": \"c\", "
		     "\"major\": 10, \"minor\": 229, \"uid\": 1000 } ] }", "", &s, &l);
	assert_int_equal(l.nodes[0].uid, 1000); /* no user namespace: the id itself */
	done(&s, &l);
	expect_refused("{ " USERNS ", \"devices\": [ { \"path\": \"/dev/fuse\", \"type\": \"c\", "
		       "\"major\": 10, \"minor\": 229, \"uid\": 70000 } ] }", "",
		       "linux.devices[0] (/dev/fuse): its uid 70000 is not in the container's id map");
	/* a standard path is ct's own node, whatever the entry says (a host console that is a pty) */
	translate_ok("{ " NS_DEFAULT ", \"devices\": [ { \"path\": \"/dev/console\", \"type\": \"c\", "
		     "\"major\": 136, \"minor\": 0 } ] }", "", &s, &l);
	assert_int_equal(l.n_nodes, 0);
	done(&s, &l);
	expect_node_refused("/dev/../etc/x", "a path of names below /dev");
	expect_node_refused("/dev/a/./b", "a path of names below /dev");
	expect_node_refused("/dev//x", "a path of names below /dev");
	expect_node_refused("/dev/x/", "a path of names below /dev");
	expect_node_refused("/dev/pts/9", "none in /dev/pts");
	expect_node_refused("/dev/pts", "none in /dev/pts");
	expect_node_refused("/etc/x", "is not below /dev");
}

static void test_namespaces(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;

	translate_ok("{ \"namespaces\": [ {\"type\": \"pid\"}, {\"type\": \"mount\"}, "
		     "{\"type\": \"network\", \"path\": \"/run/netns/x\"}, {\"type\": \"user\"} ], "
		     "\"uidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ], "
		     "\"gidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ] }",
		     "", &s, &l);
	assert_int_equal(l.config.namespaces, CLONE_NEWPID | CLONE_NEWNS);
	assert_int_equal(l.n_join, 1);
	assert_string_equal(l.join[0]->path, "/run/netns/x");
	assert_int_equal(l.config.idmap.mode, CT_IDMAP_EXPLICIT);
	assert_int_equal(l.config.idmap.uid[0].outer, 100000);
	assert_int_equal(l.conf.namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUSER);
	done(&s, &l);
	expect_refused("{ \"namespaces\": [ {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}, "
		       "{\"type\": \"mount\"} ] }", "", "joining an existing pid namespace");
	expect_refused("{ \"namespaces\": [ {\"type\": \"mount\"} ] }", "",
		       "needs a new pid and a new mount namespace");
	expect_refused("{ \"namespaces\": [ {\"type\": \"pid\"}, {\"type\": \"mount\"}, "
		       "{\"type\": \"user\"} ] }", "", "go with a user namespace");
}

static void test_sysctl_and_hooks(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;

	translate_ok("{ " NS_DEFAULT ", \"sysctl\": { \"net.ipv4.ping_group_range\": \"0 0\", "
		     "\"kernel.shmmax\": \"1\" } }", "", &s, &l);
	assert_non_null(l.oci.sysctl);
	done(&s, &l);
	expect_refused("{ " NS_DEFAULT ", \"sysctl\": { \"kernel.panic\": \"1\" } }", "",
		       "'kernel.panic=1' is not a namespaced sysctl");
	expect_refused("{ " NS_DEFAULT ", \"sysctl\": { \"kernel.hostname\": \"x\" } }", "",
		       "not a namespaced sysctl");
	expect_refused("{ " NS_DEFAULT ", \"sysctl\": { \"net.../../x\": \"1\" } }", "",
		       "not a namespaced sysctl");
	expect_refused("{ " NS_DEFAULT " }", ", \"hooks\": { \"startContainer\": [ { \"path\": "
		       "\"/bin/true\" } ] }", "startContainer hooks");
}

static void test_methods(void **state)
{
	struct ct_oci_spec s;
	struct ctrun_launch l;

	translate_ok("{ " NS_DEFAULT " }", ", \"annotations\": { \"org.ct.shutdown-method\": "
		     "\"sysvinit\" }", &s, &l);
	assert_int_equal(l.method, CT_SHUTDOWN_SYSVINIT);
	assert_string_equal(l.argv[0], "sh"); /* no ctinit */
	done(&s, &l);
	translate_ok("{ " NS_DEFAULT " }", ", \"annotations\": { \"org.ct.shutdown-method\": "
		     "\"application\" }", &s, &l);
	assert_string_equal(l.argv[0], "ctinit");
	assert_string_equal(l.argv[1], "--");
	assert_string_equal(l.argv[2], "sh");
	done(&s, &l);
	translate_ok("{ " NS_DEFAULT " }", ", \"annotations\": { \"org.ct.shutdown-method\": "
		     "\"exec\", \"org.ct.shutdown-command\": \"pg_ctl stop -m 'fast'\" }", &s, &l);
	assert_int_equal(l.method, CT_SHUTDOWN_EXEC);
	assert_string_equal(l.shutdown_command[0], "pg_ctl");
	assert_string_equal(l.shutdown_command[3], "fast");
	done(&s, &l);
	expect_refused("{ " NS_DEFAULT " }", ", \"annotations\": { \"org.ct.shutdown-method\": "
		       "\"exec\" }", "goes with org.ct.shutdown-method=exec");
	expect_refused("{ " NS_DEFAULT " }", ", \"annotations\": { \"org.ct.shutdown-command\": "
		       "\"x\" }", "goes with org.ct.shutdown-method=exec");
	expect_refused("{ " NS_DEFAULT " }", ", \"annotations\": { \"org.ct.shutdown-method\": "
		       "\"halt\" }", "org.ct.shutdown-method 'halt'");
}

/* ctrun --shutdown-method: the default where the annotations name none, never over them */
static void test_method_default(void **state)
{
	const struct ctrun_defaults sysv = { "sysvinit", NULL }, bad = { "exec", NULL };
	char err[CT_OCI_ERR_MAX] = "";
	cleanup_free char *plain = spec_text("", "{ " NS_DEFAULT " }", "");
	cleanup_free char *annotated = spec_text("", "{ " NS_DEFAULT " }", ", \"annotations\": { "
						 "\"org.ct.shutdown-method\": \"systemd\" }");
	struct ct_oci_spec s;
	struct ctrun_launch l;

	assert_int_equal(ct_oci_parse(plain, strlen(plain), "config.json", &s, err, sizeof(err)), 0);
	assert_int_equal(ctrun_translate(&s, dir, "id1", &sysv, &l, err, sizeof(err)), 0);
	assert_int_equal(l.method, CT_SHUTDOWN_SYSVINIT);
	ctrun_launch_free(&l);
	assert_int_equal(ctrun_translate(&s, dir, "id1", &bad, &l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--shutdown-method: org.ct.shutdown-command goes with"));
	ct_oci_free(&s);
	assert_int_equal(ct_oci_parse(annotated, strlen(annotated), "config.json", &s, err,
				      sizeof(err)), 0);
	assert_int_equal(ctrun_translate(&s, dir, "id1", &sysv, &l, err, sizeof(err)), 0);
	assert_int_equal(l.method, CT_SHUTDOWN_SYSTEMD);
	done(&s, &l);
}

static void test_signals(void **state)
{
	assert_int_equal(ctrun_signal_parse("TERM"), SIGTERM);
	assert_int_equal(ctrun_signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(ctrun_signal_parse("KILL"), SIGKILL);
	assert_int_equal(ctrun_signal_parse("9"), SIGKILL);
	assert_int_equal(ctrun_signal_parse("STOP"), SIGSTOP);
	assert_int_equal(ctrun_signal_parse("RTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(ctrun_signal_parse("SIGPWR"), SIGPWR);
	assert_true(ctrun_signal_parse("bogus") < 0);
	assert_true(ctrun_signal_parse("") < 0);
}

static void test_state_file(void **state)
{
	char root[PATH_MAX];
	struct ctrun_container c = { .pid = 4242, .starttime = 99, .userns = true, .ready = true,
				     .cgroup.v2_fd = -1 }, back;

	snprintf(root, sizeof(root), "%s/state", dir);
	assert_int_equal(mkdir(root, 0700), 0);
	assert_int_equal(ctrun_dir(root, "c1", c.dir, sizeof(c.dir)), 0);
	assert_int_equal(mkdir(c.dir, 0700), 0);
	snprintf(c.bundle, sizeof(c.bundle), "/srv/bundle");
	snprintf(c.created, sizeof(c.created), "2026-12-07T00:00:00.000000000Z");
	snprintf(c.cgroup.v2, sizeof(c.cgroup.v2), "/sys/fs/cgroup/unified/ctrun/c1");
	snprintf(c.cgroup.v1[CT_CG_PIDS], sizeof(c.cgroup.v1[0]), "/sys/fs/cgroup/pids/ctrun/c1");
	c.method = CT_SHUTDOWN_EXEC;
	snprintf(c.command, sizeof(c.command), "pg_ctl stop -m 'fast'");
	assert_int_equal(ctrun_save(&c), 0);
	assert_int_equal(ctrun_load(root, "c1", &back), 0);
	assert_int_equal(back.pid, 4242);
	assert_int_equal(back.starttime, 99);
	assert_true(back.userns);
	assert_true(back.ready);
	assert_string_equal(back.bundle, "/srv/bundle");
	assert_string_equal(back.cgroup.v2, c.cgroup.v2);
	assert_string_equal(back.cgroup.v1[CT_CG_PIDS], c.cgroup.v1[CT_CG_PIDS]);
	assert_int_equal(back.method, CT_SHUTDOWN_EXEC);
	assert_string_equal(back.command, "pg_ctl stop -m 'fast'");
	/* a pid that is not the container's (start time differs): stopped, never signalled */
	back.pid = getpid();
	assert_int_equal(ctrun_status_of(&back), CTRUN_STOPPED);
	assert_int_equal(ctrun_load(root, "nosuch", &back), -ENOENT);
	assert_int_equal(ctrun_load(root, "../c1", &back), -EINVAL);
	snprintf(c.cgroup.v2, sizeof(c.cgroup.v2), "/etc");
	assert_int_equal(ctrun_save(&c), 0);
	assert_int_equal(ctrun_load(root, "c1", &back), -EBADMSG);
	/* a hierarchy's root (every process of the host) is no container's cgroup */
	snprintf(c.cgroup.v2, sizeof(c.cgroup.v2), "/sys/fs/cgroup/pids/");
	assert_int_equal(ctrun_save(&c), 0);
	assert_int_equal(ctrun_load(root, "c1", &back), -EBADMSG);
	snprintf(c.cgroup.v2, sizeof(c.cgroup.v2), "/sys/fs/cgroup/unified/ctrun");
	assert_int_equal(ctrun_save(&c), 0);
	assert_int_equal(ctrun_load(root, "c1", &back), -EBADMSG);
	assert_int_equal(chmod(root, 0777), 0);
	assert_int_equal(ctrun_load(root, "c1", &back), -EPERM);
}

static void test_lookup(void **state)
{
	char *const env[] = { "FOO=1", "PATH=/nonexistent:/bin", NULL };
	char *const none[] = { NULL };
	char buf[PATH_MAX];

	assert_int_equal(ct_spawn_oci_lookup("sh", env, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/bin/sh");
	assert_int_equal(ct_spawn_oci_lookup("sh", none, buf, sizeof(buf)), 0); /* default PATH */
	assert_int_equal(ct_spawn_oci_lookup("no-such-command-ct", env, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(ct_spawn_oci_lookup("/bin/sh", env, buf, sizeof(buf)), 0);
	assert_int_equal(ct_spawn_oci_lookup("/nonexistent/x", env, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(ct_spawn_oci_lookup("/etc/passwd", env, buf, sizeof(buf)), -EACCES);
	assert_int_equal(ct_spawn_oci_lookup("/bin", env, buf, sizeof(buf)), -EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),	   cmocka_unit_test(test_cgroups_path),
		cmocka_unit_test(test_mounts),	   cmocka_unit_test(test_devices),
		cmocka_unit_test(test_device_nodes),
		cmocka_unit_test(test_memory_swap),
		cmocka_unit_test(test_namespaces), cmocka_unit_test(test_sysctl_and_hooks),
		cmocka_unit_test(test_methods),	   cmocka_unit_test(test_method_default),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_state_file), cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
