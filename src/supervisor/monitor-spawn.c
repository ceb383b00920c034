/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Preparing init's start: argv (ctinit in front of an application's command), a clean environment,
 * the console, then the clone and the pid record. */
#include "monitor-internal.h"

#include "caps.h"
#include "log.h"
#include "macro.h"
#include "util.h"

#include <errno.h>
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

	return (struct ct_confine){ .seccomp = m->o->seccomp, .caps_keep = ct_caps_keep(c),
				    .no_new_privs = c->no_new_privs };
}

static int on_sync_readable(int fd, uint32_t events, void *data)
{
	struct ct_monitor *m = data;

	return ct_monitor_sync(m);
}

/* Containers of another run dir (tests, say) get a suffix: two run dirs never share a cgroup. */
static void cgroup_leaf(const struct ct_monitor_options *o, char *buf, size_t size)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	if (strcmp(o->rundir, CT_RUNDIR_DEFAULT) == 0) {
		snprintf(buf, size, "%s", o->name);
		return;
	}
	for (const char *s = o->rundir; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(buf, size, "%s-%08x", o->name, h);
}

static int create_cgroup(struct ct_monitor *m)
{
	char leaf[CT_NAME_MAX + 16], what[PATH_MAX + 64];
	int r;

	cgroup_leaf(m->o, leaf, sizeof(leaf));
	r = ct_cgroup_create(&m->o->config->cgroup, leaf, &m->cgroup, what, sizeof(what));
	if (r < 0)
		return log_error_errno(r, "Failed to set up the container's cgroup: %s", what);
	if (!m->cgroup.v2[0] && (m->o->config->namespaces & CLONE_NEWCGROUP))
		return log_error_errno(-EOPNOTSUPP, "A cgroup namespace needs a cgroup2 hierarchy");
	return 0;
}

/* With v1 cgroups to join (a limit on a hybrid host, or no cgroup2) the child waits until it is
 * in them too. */
static int place_child(struct ct_monitor *m)
{
	int r = ct_cgroup_attach(&m->cgroup, m->init_pid, false);

	if (r < 0)
		return log_error_errno(r, "Failed to move init into its cgroups");
	r = ct_spawn_go(m->sync_fd);
	return r < 0 ? log_error_errno(r, "Failed to let init go on") : 0;
}

int ct_monitor_spawn(struct ct_monitor *m)
{
	const struct ct_monitor_options *o = m->o;
	cleanup_strv char **argv = NULL;
	cleanup_strv char **envp = NULL;
	char console[PATH_MAX];
	struct ct_spawn_plan plan = {
		.config = o->config,
		.hostname = o->config->hostname ? o->config->hostname : o->name,
		.exec_fd = o->config->command ? o->ctinit_fd : -1,
		.child_mask = m->saved_mask,
		.confine = ct_monitor_confine(m),
	};
	int r = build_argv(o->config, &argv);

	if (r >= 0)
		r = ct_monitor_build_env(o->config, &envp);
	if (r < 0)
		return log_error_errno(r, "Failed to prepare init's arguments");
	r = create_cgroup(m);
	if (r < 0)
		return r;
	plan.cgroup_fd = m->cgroup.v2_fd;
	plan.wait_go = ct_cgroup_needs_attach(&m->cgroup); /* v1 hierarchies to join */
	if (isatty(STDIN_FILENO) && ttyname_r(STDIN_FILENO, console, sizeof(console)) == 0)
		plan.console = console;
	plan.argv = argv;
	plan.envp = envp;
	m->exec_pending = false;
	r = ct_spawn(&plan, &m->pidfd, &m->init_pid, &m->sync_fd);
	if (r < 0)
		return log_error_errno(r, "Failed to clone the container's init");
	if (plan.wait_go && (r = place_child(m)) < 0)
		return r;
	r = ct_loop_add(m->loop, m->sync_fd, EPOLLIN, on_sync_readable, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch the setup socket");
	r = ct_rundir_write_pid(o->run, getpid(), m->init_pid);
	if (r < 0)
		log_warning_errno(r, "Failed to write the pid record");
	return 0;
}
