/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Preparing init's start: argv (ctinit in front of an application's command), a clean environment,
 * the console, then the clone and the pid record. */
#include "monitor-spawn.h"

#include "monitor-tty.h"

#include "cgroup/cgroup.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const default_env[] = {
	"container=ct",
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
};

static int build_argv(const struct ct_config *c, char ***ret)
{
	cleanup_strv char **argv = NULL;
	int r = 0;

	if (!c->command)
		return ct_strv_copy(c->init, ret);
	/* argv[0] of ctinit says what it is; the command follows "--". */
	r = ct_strv_append(&argv, "ctinit");
	if (r >= 0)
		r = ct_strv_append(&argv, "--");
	for (char **s = c->command; r >= 0 && *s; s++)
		r = ct_strv_append(&argv, *s);
	if (r < 0)
		return r;
	*ret = steal_ptr(&argv);
	return 0;
}

/* Nothing of the host's environment: only our defaults and the config's env entries. */
int ct_monitor_build_env(const struct ct_config *c, char ***ret)
{
	cleanup_strv char **env = NULL;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(default_env); i++)
		r = ct_strv_env_set(&env, default_env[i]);
	for (char **e = c->env; r >= 0 && e && *e; e++)
		r = ct_strv_env_set(&env, *e);
	if (r < 0)
		return r;
	*ret = steal_ptr(&env);
	return 0;
}

struct ct_confine ct_monitor_confine(const struct ct_monitor *m)
{
	const struct ct_config *c = m->o->config;

	return (struct ct_confine){ .seccomp = m->o->seccomp, .privileged = m->o->seccomp_privileged,
				    .caps_keep = ct_caps_keep(c) & ct_caps_bounding(),
				    .no_new_privs = c->no_new_privs };
}

static int on_sync_readable(int fd, uint32_t events, void *data)
{
	struct ct_monitor *m = data;

	return ct_monitor_sync(m);
}

/* The host ids of the container's root: what its /dev and its delegated cgroup belong to. */
static void root_ids(const struct ct_monitor *m, uid_t *ret_uid, gid_t *ret_gid)
{
	const struct ct_idmap *map = m->o->idmap;

	*ret_uid = 0;
	*ret_gid = 0;
	if (map->mode == CT_IDMAP_NONE)
		return;
	/* ct_config_finalize() made sure container id 0 is mapped. */
	*ret_uid = (uid_t)ct_idmap_to_host(map->uid, map->n_uid, 0);
	*ret_gid = (gid_t)ct_idmap_to_host(map->gid, map->n_gid, 0);
}

static int create_cgroup(struct ct_monitor *m, uid_t uid, gid_t gid)
{
	char leaf[CT_HOST_KEY_MAX + 1], what[PATH_MAX + 64];
	bool nested;
	int r;

	ct_host_key(m->o->rundir, m->o->name, leaf, sizeof(leaf));
	r = ct_cgroup_setup(m->o->config, leaf, uid, gid, &m->cgroup, &nested, what, sizeof(what));
	if (r < 0)
		return log_error_errno(r, "Failed to set up the container's cgroup: %s", what);
	if (nested)
		log_warning("No device policy of its own (nested in a user namespace, bpf(2) is not "
			    "permitted): the enclosing container's applies");
	return 0;
}

/* Its interfaces, before init runs (a restart's old ones are undone first). */
static int setup_net(struct ct_monitor *m)
{
	char key[CT_HOST_KEY_MAX + 1], err[512];
	int r;

	ct_net_teardown(&m->net);
	ct_host_key(m->o->rundir, m->o->name, key, sizeof(key));
	r = ct_net_setup(m->o->config, m->o->name, key, m->init.pid, &m->net, err, sizeof(err));
	if (r < 0)
		log_error("Failed to set up the container's network: %s", err);
	return r;
}

/* After clone, before the child goes on: its cgroups, its id maps, its mounts, its network. */
static int prepare_child(struct ct_monitor *m, bool userns, uid_t root_uid)
{
	const struct ct_monitor_options *o = m->o;
	struct ct_spawn_fds fds;
	char what[PATH_MAX + 256];
	int r = 0;

	if (ct_cgroup_needs_attach(&m->cgroup) && (r = ct_cgroup_attach(&m->cgroup, m->init.pid,
									false)) < 0)
		return log_error_errno(r, "Failed to move init into its cgroups");
	r = ct_spawn_prepare(m->init.pid, o->config, userns ? o->idmap : NULL, root_uid, &fds, what,
			     sizeof(what));
	if (r < 0)
		return log_error_errno(r, "Failed to prepare %s", what);
	r = setup_net(m);
	if (r < 0) {
		ct_spawn_fds_close(&fds);
		return r;
	}
	r = ct_spawn_go(m->init.sync_fd, &fds);
	ct_spawn_fds_close(&fds);
	return r < 0 ? log_error_errno(r, "Failed to let init go on") : 0;
}

/* Once init is cloned: the child's cgroups, maps and mounts, then the loop watches its setup. */
static int after_clone(struct ct_monitor *m, bool userns, uid_t root_uid)
{
	int r = prepare_child(m, userns, root_uid);

	if (r < 0)
		return r;
	r = ct_loop_add(m->loop, m->init.sync_fd, EPOLLIN, on_sync_readable, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch the setup socket");
	r = ct_rundir_write_pid(m->o->run, getpid(), m->init.pid);
	if (r < 0)
		log_warning_errno(r, "Failed to write the pid record");
	return 0;
}

/* A pty of the container's own, relayed (monitor-tty.c): in the foreground when any of ctstart's
 * stdio is a terminal (the container must never hold the operator's terminal itself); under -d
 * for a system container, whose console and stdio it is (an application's output keeps its
 * pipe to the log). */
static bool has_terminal(const struct ct_monitor *m)
{
	if (m->o->log_path)
		return !m->o->config->command;
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (isatty(fd))
			return true;
	return false;
}

/* The host id of the container's tty group (5), for its devpts; its root group if unmapped. */
static gid_t tty_gid(const struct ct_monitor *m, gid_t root_gid)
{
	const struct ct_idmap *map = m->o->idmap;
	int64_t g = map->mode == CT_IDMAP_NONE ? 5 : ct_idmap_to_host(map->gid, map->n_gid, 5);

	return g < 0 ? root_gid : (gid_t)g;
}

static void tty_closep(struct ct_spawn_tty *t)
{
	ct_spawn_tty_close(t);
}

int ct_monitor_spawn(struct ct_monitor *m)
{
	const struct ct_monitor_options *o = m->o;
	cleanup_strv char **argv = NULL;
	cleanup_strv char **envp = NULL;
	_cleanup_(tty_closep) struct ct_spawn_tty tty = { -1, -1, -1, -1 };
	cleanup_close int dev_fd = -1;
	uid_t uid;
	gid_t gid;
	struct ct_spawn_plan plan = {
		.config = o->config,
		.hostname = o->config->hostname ? o->config->hostname : o->name,
		.exec_fd = o->config->command ? o->ctinit_fd : -1,
		.child_mask = m->saved_mask,
		.confine = ct_monitor_confine(m),
		.userns = ct_config_userns(o->config),
		.stdio_fd = m->log.write_fd,
		.console_fd = -1,
		.devpts_fd = -1,
		.tty_fd = -1,
	};
	int r = build_argv(o->config, &argv);

	if (r >= 0)
		r = ct_monitor_build_env(o->config, &envp);
	if (r < 0)
		return log_error_errno(r, "Failed to prepare init's arguments");
	root_ids(m, &uid, &gid);
	r = create_cgroup(m, uid, gid);
	if (r < 0)
		return r;
	if (has_terminal(m)) {
		r = ct_spawn_tty(uid, tty_gid(m, gid), &tty);
		if (r < 0)
			return log_error_errno(r, "Failed to make the container's terminal");
		plan.console_fd = tty.console_fd;
		plan.devpts_fd = tty.devpts_fd;
		plan.tty_fd = tty.slave_fd;
		if (o->log_path) /* -d: init's stdio is its console */
			plan.stdio_fd = tty.slave_fd;
		r = ct_monitor_tty_start(m, &tty);
		if (r < 0)
			return log_error_errno(r, "Failed to relay the container's terminal");
	}
	r = ct_spawn_dev(uid, gid, plan.tty_fd >= 0, &dev_fd);
	if (r < 0)
		return log_error_errno(r, "Failed to make the container's /dev");
	plan.cgroup_fd = m->cgroup.v2_fd;
	plan.dev_fd = dev_fd;
	plan.argv = argv;
	plan.envp = envp;
	m->init.exec_pending = false;
	r = ct_spawn(&plan, &m->init.pidfd, &m->init.pid, &m->init.sync_fd);
	if (r < 0)
		return log_error_errno(r, "Failed to clone the container's init");
	return after_clone(m, plan.userns, uid);
}
