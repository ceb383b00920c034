/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `ctstart` does: everything that can be checked is checked before anything is created, then
 * the run dir is locked and the monitor runs here (foreground) or in a forked daemon. */
#include "start.h"

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/sdnotify.h"
#include "common/util.h"
#include "config/config.h"
#include "monitor/monitor.h"
#include "spawn/spawn.h"
#include "seccomp/seccomp-profile.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/capability.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CT_SUBUID_FILE "/etc/subuid"
#define CT_SUBGID_FILE "/etc/subgid"
#define CT_LOG_DIR "/var/log/ct"
#define CT_JOURNAL_STREAM "/run/systemd/journal/stdout"

static int load_config(const struct ct_start_options *o, struct ct_config *c)
{
	struct ct_file_error err = { 0 };
	char path[PATH_MAX], msg[1024];
	const char *file = o->config_path;
	int r = 0;

	if (!file) {
		snprintf(path, sizeof(path), "%s/%s.conf", o->configdir ? o->configdir : CT_CONFIGDIR,
			 o->name);
		file = path;
	} else if (file[0] != '/' && realpath(file, path)) {
		file = path; /* ctinfo shows where it is, wherever it is asked from */
	}
	r = ct_config_load(c, file, &err);
	if (r >= 0 && o->command && o->command[0])
		r = ct_config_set_command(c, o->command);
	if (r >= 0)
		r = ct_config_finalize(c, &err);
	if (r == -ENOENT && !o->config_path)
		log_error("no config for '%s': give one with -f CONFIG or create %s", o->name, file);
	else if (r < 0 && err.message[0]) {
		ct_file_error_format(&err, msg, sizeof(msg));
		log_error("%s", msg);
	} else if (r < 0)
		log_error_errno(r, "Failed to load config '%s'", file);
	return r;
}

/* A profile we ship: next to our binary first (an uninstalled or staged build), like ctinit. */
static void data_file(const char *name, char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	snprintf(buf, size, "%s/../share/ct/%s", dirname(exe), name);
	if (access(buf, R_OK) < 0)
		snprintf(buf, size, "%s/%s", CT_PKGDATADIR, name);
}

static int compile_profile(const char *file, struct ct_seccomp **ret)
{
	struct ct_file_error err = { 0 };
	char msg[1024];
	int r = ct_seccomp_load(file, ret, &err);

	if (r < 0) {
		ct_file_error_format(&err, msg, sizeof(msg));
		log_error("seccomp profile: %s", msg); /* the message says why; no errno to add */
		return r;
	}
	for (char *const *w = ct_seccomp_warnings(*ret); w && *w; w++)
		log_warning("%s", *w);
	return 0;
}

/* The filters are compiled before anything exists, so a bad profile fails the start cleanly.
 * Privileged mode adds privileged.seccomp, whatever the configured profile is. */
static int load_seccomp(const struct ct_config *c, struct ct_seccomp **ret,
			struct ct_seccomp **ret_privileged)
{
	char path[PATH_MAX + 64];
	const char *file = c->seccomp_profile;
	int r = 0;

	*ret = *ret_privileged = NULL;
	if (!ct_config_userns(c)) {
		data_file("privileged.seccomp", path, sizeof(path));
		r = compile_profile(path, ret_privileged);
	}
	if (r < 0 || (file && strcmp(file, "none") == 0))
		return r;
	if (!file) {
		data_file("default.seccomp", path, sizeof(path));
		file = path;
	}
	return compile_profile(file, ret);
}

/* Explicit ranges take the leases of the pool blocks they overlap, so auto never hands them out
 * while this container runs (and an overlap with a running container is refused). */
static int reserve_explicit(const char *key, const struct ct_idmap *map,
			    struct ct_idmap_lease *lease)
{
	struct ct_idmap_pool pool;
	uint32_t busy = 0;
	int r = ct_idmap_pool_load(CT_SUBUID_FILE, CT_SUBGID_FILE, &pool);

	if (r == -ENOSPC)
		return 0; /* no pool: nothing to keep apart from */
	if (r >= 0)
		r = ct_idmap_reserve(CT_RUNDIR_DEFAULT, key, &pool, map, lease, &busy);
	if (r == -EBUSY)
		return log_error_errno(r, "idmap: the ranges overlap those of a running container "
				       "(host ids %u-%u)", busy, busy + CT_IDMAP_SIZE - 1);
	return r < 0 ? log_error_errno(r, "idmap: Failed to reserve the ranges under %s/.idmap",
				       CT_RUNDIR_DEFAULT) : 0;
}

/* idmap = auto takes a range of the pool, held (an flock) as long as the monitor lives. One pool
 * for the host, whatever the run dir: two run dirs never share a range. */
static int resolve_idmap(const struct ct_start_options *o, const struct ct_config *c,
			 struct ct_idmap_lease *lease, struct ct_idmap *ret)
{
	struct ct_idmap_pool pool;
	char key[CT_HOST_KEY_MAX + 1];
	int r;

	*ret = c->idmap;
	if (c->idmap.mode == CT_IDMAP_NONE)
		return 0;
	ct_host_key(o->rundir, o->name, key, sizeof(key));
	r = ct_mkdir_p(CT_RUNDIR_DEFAULT, 0755);
	if (r < 0)
		return log_error_errno(r, "Failed to create %s", CT_RUNDIR_DEFAULT);
	if (c->idmap.mode == CT_IDMAP_EXPLICIT)
		return reserve_explicit(key, &c->idmap, lease);
	r = ct_idmap_pool_load(CT_SUBUID_FILE, CT_SUBGID_FILE, &pool);
	if (r < 0)
		return log_error_errno(r, "idmap = auto: no pool of ids (%s, %s, or the default pool "
				       "minus the ranges they grant)", CT_SUBUID_FILE, CT_SUBGID_FILE);
	r = ct_idmap_allocate(CT_RUNDIR_DEFAULT, key, &pool, lease, ret);
	if (r == -ENOSPC)
		return log_error_errno(r, "idmap = auto: every range of the pool is in use");
	if (r < 0)
		return log_error_errno(r, "idmap = auto: Failed to take a range under %s/.idmap",
				       CT_RUNDIR_DEFAULT);
	return 0;
}

/* sysvinit and systemd guests halt by calling reboot(2), which needs CAP_SYS_BOOT. */
static void warn_about_caps(const struct ct_config *c)
{
	bool by_reboot = c->shutdown_method == CT_SHUTDOWN_SYSVINIT ||
			 c->shutdown_method == CT_SHUTDOWN_SYSTEMD;

	if (by_reboot && !(ct_caps_keep(c) & (UINT64_C(1) << CAP_SYS_BOOT)))
		log_warning("the %s shutdown method relies on the guest calling reboot(2), but "
			    "sys_boot is dropped: its halt will fail and stops will end by timeout",
			    ct_shutdown_method_to_string(c->shutdown_method));
}

/* Without cgroup2 (a host with v1 hierarchies only) the default cgroup namespace is left out:
 * all a guest could mount in it is an empty cgroup2. Asked for by name, it is an error. */
static int adapt_to_host(struct ct_config *c)
{
	char root[PATH_MAX];

	if (!(c->namespaces & CLONE_NEWCGROUP) || ct_cgroup2_root(root, sizeof(root)) == 0)
		return 0;
	if (c->namespaces_set)
		return log_error_errno(-EOPNOTSUPP, "namespaces: a cgroup namespace needs a cgroup2 "
				       "hierarchy (none is mounted)");
	c->namespaces &= ~(unsigned long)CLONE_NEWCGROUP;
	return 0;
}

/* --delegated: the container's cgroup goes below the one systemd gave us (ct@.service), the
 * config's cgroup.parent, if any, below that; the monitor moves to a leaf beside it. */
static int delegate(const struct ct_start_options *o, struct ct_config *c)
{
	char own[CT_CGROUP_PATH_MAX], *parent;
	int r;

	if (!o->delegated)
		return 0;
	r = ct_cgroup_enter_delegated(own, sizeof(own));
	if (r == -EINVAL)
		return log_error_errno(r, "--delegated: ctstart runs in the root cgroup, nothing was "
				       "delegated to it (run it from a unit with Delegate=yes)");
	if (r < 0)
		return log_error_errno(r, "--delegated: Failed to move into a leaf of our cgroup");
	if (asprintf(&parent, "%s%s%s", own, c->cgroup.parent ? "/" : "",
		     c->cgroup.parent ? c->cgroup.parent : "") < 0)
		return log_error_errno(-ENOMEM, "--delegated");
	free(c->cgroup.parent);
	c->cgroup.parent = parent;
	c->cgroup.delegated_len = strlen(own);
	return 0;
}

static int check_rootfs(const struct ct_config *c)
{
	struct stat st;

	if (stat(c->rootfs, &st) < 0)
		return log_error_errno(-errno, "rootfs '%s'", c->rootfs);
	if (!S_ISDIR(st.st_mode))
		return log_error_errno(-ENOTDIR, "rootfs '%s'", c->rootfs);
	return 0;
}

static int open_ctinit(void)
{
	char path[PATH_MAX + 32];
	int fd = ct_ctinit_open(path, sizeof(path));

	return fd < 0 ? log_error_errno(fd, "Failed to open ctinit (%s)", path) : fd;
}

/* The name is taken: by what, as its monitor says. */
static void in_the_way(const struct ct_start_options *o)
{
	struct ct_info *info = malloc(sizeof(*info));

	if (!info || ct_client_info(o->rundir, o->name, info) < 0)
		log_error("container '%s' is already running (run dir %s/%s is locked by a monitor "
			  "that does not answer)", o->name, o->rundir, o->name);
	else if (info->blocked[0])
		log_error("container '%s' is still STOPPING (monitor pid %d) and cannot finish: %s",
			  o->name, info->monitor_pid, info->blocked);
	else
		log_error("container '%s' is already running: %s, monitor pid %d", o->name,
			  ct_state_to_string(info->state), info->monitor_pid);
	free(info);
}

static int acquire(const struct ct_start_options *o, struct ct_rundir *run)
{
	int r = ct_rundir_acquire(o->rundir, o->name, run);

	if (r == -EBUSY)
		in_the_way(o);
	else if (r == -EPERM)
		log_error("run dir '%s' is not trusted: it must be a directory owned by root or you "
			  "that nobody else can write", o->rundir);
	else if (r < 0)
		log_error_errno(r, "Failed to set up the run dir %s/%s", o->rundir, o->name);
	return r;
}

/* Where the daemon's log goes, as an absolute path (the monitor rotates it from "/"): -o FILE,
 * else the config's log.path, else CT_LOG_DIR/NAME.log, or RUNDIR/NAME.log with another run dir
 * than the default (private run dirs keep their logs apart). Outside the run dir: the log is
 * kept after the stop. */
static int log_path(const struct ct_start_options *o, const struct ct_config *c, char *path)
{
	const char *file = o->logfile ? o->logfile : c->log_path;
	char cwd[PATH_MAX];
	int n;

	if (file && file[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return -errno;
	if (file)
		n = snprintf(path, PATH_MAX, "%s%s%s", file[0] == '/' ? "" : cwd,
			     file[0] == '/' ? "" : "/", file);
	else if (strcmp(o->rundir, CT_RUNDIR_DEFAULT) == 0)
		n = snprintf(path, PATH_MAX, "%s/%s.log", CT_LOG_DIR, o->name);
	else
		n = snprintf(path, PATH_MAX, "%s/%s.log", o->rundir, o->name);
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!file && strcmp(o->rundir, CT_RUNDIR_DEFAULT) == 0 && mkdir(CT_LOG_DIR, 0750) < 0 &&
	    errno != EEXIST)
		return -errno;
	return 0;
}

/* log.target = journal: a stream connection to journald (its plain protocol: a header of seven
 * lines, then the text, one entry per line), identified as ct-NAME. Non-blocking: a journald
 * that does not keep up costs lines, never the monitor. */
static int open_journal(const struct ct_start_options *o, char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = CT_JOURNAL_STREAM };
	char header[128];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), n;

	snprintf(path, PATH_MAX, "journal:ct-%s", o->name);
	n = snprintf(header, sizeof(header), "ct-%s\n\n6\n0\n0\n0\n0\n", o->name);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, header, (size_t)n) != n || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		int r = -errno;

		if (fd >= 0)
			close(fd);
		return log_error_errno(r, "log.target = journal: no journald at %s",
				       CT_JOURNAL_STREAM);
	}
	return fd;
}

static int open_log(const struct ct_start_options *o, const struct ct_config *c, char *path)
{
	int r, fd;

	if (c->log_journal && !o->logfile)
		return open_journal(o, path);
	r = log_path(o, c, path);

	if (r < 0)
		return log_error_errno(r, "Failed to place the log of '%s'", o->name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
	return fd < 0 ? log_error_errno(-errno, "Failed to open log file '%s'", path) : fd;
}

/* The daemon: its own session, stdio on the log, no cwd pinning a mount. */
static _Noreturn void daemon_child(struct ct_monitor_options *mo, int log_fd, int notify_fd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	setsid();
	if (chdir("/") < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0)
		_exit(CT_EXIT_START_FAILED);
	close(null);
	close(log_fd);
	ct_log_set_timestamps(1);
	ct_log_set_level(CT_LOG_INFO);
	mo->notify_fd = notify_fd;
	_exit(ct_monitor_run(mo));
}

static int wait_notice(int fd, const char *name)
{
	struct ct_start_notice n;
	ssize_t got;

	do
		got = read(fd, &n, sizeof(n));
	while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof(n)) {
		log_error("container '%s': the monitor exited before the container ran (see its log)",
			  name);
		return CT_EXIT_START_FAILED;
	}
	n.message[sizeof(n.message) - 1] = '\0';
	if (n.result == 0)
		return 0;
	log_error("container '%s' failed to start: %s", name, n.message);
	return CT_EXIT_START_FAILED;
}

static int run_daemon(struct ct_monitor_options *mo, const struct ct_start_options *o)
{
	char path[PATH_MAX];
	cleanup_close int log_fd = open_log(o, mo->config, path);
	int p[2];
	pid_t pid;

	if (log_fd < 0 || pipe2(p, O_CLOEXEC) < 0) {
		ct_rundir_release(mo->run);
		return CT_EXIT_START_FAILED;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		log_error_errno(-errno, "Failed to fork the monitor");
		close(p[0]);
		close(p[1]);
		ct_rundir_release(mo->run);
		return CT_EXIT_START_FAILED;
	}
	if (pid == 0) {
		close(p[0]);
		mo->log_path = path;
		daemon_child(mo, log_fd, p[1]);
	}
	close(p[1]);
	ct_close_fd(&mo->run->lock_fd); /* the daemon holds the lock and the lease from now on */
	ct_idmap_lease_release(mo->lease);
	pid = wait_notice(p[0], o->name);
	close(p[0]);
	return pid;
}

static int start(const struct ct_start_options *o);

/* The daemon leaves the working directory: a relative run dir must not depend on it. */
static int absolute_rundir(const char *rundir, char *buf, size_t size)
{
	char cwd[PATH_MAX];

	if (rundir[0] == '/') {
		snprintf(buf, size, "%s", rundir);
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return log_error_errno(-errno, "Failed to resolve the run dir '%s'", rundir);
	if (snprintf(buf, size, "%s/%s", cwd, rundir) >= (int)size)
		return log_error_errno(-ENAMETOOLONG, "Run dir '%s/%s'", cwd, rundir);
	return 0;
}

int ct_start(const struct ct_start_options *o_in)
{
	struct ct_start_options so = *o_in, *o = &so;
	char rundir[PATH_MAX];

	if (absolute_rundir(o_in->rundir, rundir, sizeof(rundir)) < 0)
		return CT_EXIT_START_FAILED;
	so.rundir = rundir;
	return start(o);
}

static int start(const struct ct_start_options *o)
{
	struct ct_config c;
	struct ct_rundir run = { .lock_fd = -1 };
	cleanup_close int ctinit_fd = -1;
	cleanup_seccomp struct ct_seccomp *filter = NULL;
	cleanup_seccomp struct ct_seccomp *privileged = NULL;
	struct ct_idmap_lease lease = { .fd = -1 };
	struct ct_idmap idmap;
	struct ct_monitor_options mo = { .name = o->name, .rundir = o->rundir, .config = &c,
					 .run = &run, .ctinit_fd = -1, .notify_fd = -1,
					 .idmap = &idmap, .lease = &lease };
	int code = CT_EXIT_START_FAILED;

	ct_config_init(&c);
	/* Only a monitor in the foreground is the process systemd started (ct@.service). */
	ct_sd_notify_init(!o->daemon);
	if (load_config(o, &c) < 0 || check_rootfs(&c) < 0 || adapt_to_host(&c) < 0 ||
	    delegate(o, &c) < 0)
		goto out;
	warn_about_caps(&c);
	if (load_seccomp(&c, &filter, &privileged) < 0)
		goto out;
	mo.seccomp = filter;
	mo.seccomp_privileged = privileged;
	if (c.command && (ctinit_fd = open_ctinit()) < 0)
		goto out;
	mo.ctinit_fd = ctinit_fd;
	if (acquire(o, &run) < 0)
		goto out;
	if (resolve_idmap(o, &c, &lease, &idmap) < 0) {
		ct_rundir_release(&run);
		goto out;
	}
	code = o->daemon ? run_daemon(&mo, o) : ct_monitor_run(&mo);
out:
	ct_idmap_lease_release(&lease);
	ct_config_free(&c);
	return code;
}
