/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Operations on the container's cgroups: limits (mapped to the v2 or v1 files of whichever
 * hierarchy carries the controller), freezing, killing everything, and usage for ctinfo. */
#include "cgroup-internal.h"

#include "common/macro.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The directory that carries ctrl: our cgroup2 cgroup if the controller is there, else its v1
 * cgroup, else NULL. */
static const char *dir_for(const struct ct_cgroup *cg, enum ct_cg_ctrl ctrl, bool *ret_v2)
{
	*ret_v2 = cg->v2[0] && cg->on_v2[ctrl];
	if (*ret_v2)
		return cg->v2;
	return cg->v1[ctrl][0] ? cg->v1[ctrl] : NULL;
}

/* Writes value to the v2 or v1 file of ctrl; *what names the file on failure. */
static int write_ctrl(const struct ct_cgroup *cg, enum ct_cg_ctrl ctrl, const char *v2_file,
		      const char *v1_file, const char *value, char *what, size_t what_size)
{
	bool v2;
	const char *dir = dir_for(cg, ctrl, &v2);
	int r;

	if (!dir) {
		snprintf(what, what_size, "the %s controller (not available on this host)",
			 ct_cgroup_ctrl_name(ctrl));
		return -EOPNOTSUPP;
	}
	r = ct_cg_write(dir, v2 ? v2_file : v1_file, value);
	if (r < 0)
		snprintf(what, what_size, "%s/%s = %s", dir, v2 ? v2_file : v1_file, value);
	return r;
}

static void format_limit(int64_t v, bool v2, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "%s", v2 ? "max" : "-1");
	else
		snprintf(buf, size, "%" PRId64, v);
}

static int apply_cpu(const struct ct_cgroup *cg, const struct ct_cgroup_config *cfg, char *what,
		     size_t what_size)
{
	bool v2;
	char buf[64];
	int r = 0;

	if (cfg->cpu_weight) {
		dir_for(cg, CT_CG_CPU, &v2);
		/* v1's cpu.shares: the default 1024 is weight 100, as systemd maps them. */
		uint32_t shares = cfg->cpu_weight * 1024 / 100;
		snprintf(buf, sizeof(buf), "%u", v2 ? cfg->cpu_weight : shares < 2 ? 2 : shares);
		r = write_ctrl(cg, CT_CG_CPU, "cpu.weight", "cpu.shares", buf, what, what_size);
	}
	if (r < 0 || !cfg->cpu_quota_us)
		return r;
	dir_for(cg, CT_CG_CPU, &v2);
	if (v2) {
		format_limit(cfg->cpu_quota_us, true, buf, sizeof(buf));
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %u", cfg->cpu_period_us);
		return write_ctrl(cg, CT_CG_CPU, "cpu.max", "", buf, what, what_size);
	}
	snprintf(buf, sizeof(buf), "%u", cfg->cpu_period_us);
	r = write_ctrl(cg, CT_CG_CPU, "", "cpu.cfs_period_us", buf, what, what_size);
	format_limit(cfg->cpu_quota_us, false, buf, sizeof(buf));
	return r < 0 ? r : write_ctrl(cg, CT_CG_CPU, "", "cpu.cfs_quota_us", buf, what, what_size);
}

/* On the container's cgroup, above the guest's root: the guest cannot lift them. Without cgroup2
 * there is nothing to nest in. */
static int apply_nesting(const struct ct_cgroup *cg, const struct ct_cgroup_config *cfg,
			 char *what, size_t what_size)
{
	static const char *const files[] = { "cgroup.max.depth", "cgroup.max.descendants" };
	/* helpers, ct's own cgroup beside payload, is not counted against the guest's share. */
	const int64_t values[] = { cfg->max_depth, cfg->max_descendants > 0 && cg->helpers[0]
							   ? cfg->max_descendants + 1
							   : cfg->max_descendants };
	char buf[32];
	int r = 0;

	for (size_t i = 0; cg->v2[0] && r >= 0 && i < ARRAY_SIZE(files); i++) {
		if (!values[i])
			continue;
		format_limit(values[i], true, buf, sizeof(buf));
		r = ct_cg_write(cg->v2, files[i], buf);
		if (r < 0)
			snprintf(what, what_size, "%s/%s = %s", cg->v2, files[i], buf);
	}
	return r;
}

/* Memory and swap together, after the memory limit (v1 refuses a memsw limit below it): v1's
 * memsw limit is that sum, cgroup2's swap.max the swap alone. */
static int apply_swap(const struct ct_cgroup *cg, const struct ct_cgroup_config *cfg, char *what,
		      size_t what_size)
{
	char buf[32];
	bool v2;

	if (!cfg->memory_swap_max)
		return 0;
	dir_for(cg, CT_CG_MEMORY, &v2);
	format_limit(v2 ? cfg->memory_swap_max - cfg->memory_max : cfg->memory_swap_max, v2, buf,
		     sizeof(buf));
	return write_ctrl(cg, CT_CG_MEMORY, "memory.swap.max", "memory.memsw.limit_in_bytes", buf,
			  what, what_size);
}

int ct_cg_apply_limits(const struct ct_cgroup *cg, const struct ct_cgroup_config *cfg, char *what,
		       size_t what_size)
{
	char buf[32];
	bool v2;
	int r = 0;

	if (cfg->memory_max) {
		dir_for(cg, CT_CG_MEMORY, &v2);
		format_limit(cfg->memory_max, v2, buf, sizeof(buf));
		r = write_ctrl(cg, CT_CG_MEMORY, "memory.max", "memory.limit_in_bytes", buf, what,
			       what_size);
	}
	if (r >= 0)
		r = apply_swap(cg, cfg, what, what_size);
	if (r >= 0 && cfg->pids_max) {
		dir_for(cg, CT_CG_PIDS, &v2);
		format_limit(cfg->pids_max, true, buf, sizeof(buf)); /* "max" in v1 as well */
		r = write_ctrl(cg, CT_CG_PIDS, "pids.max", "pids.max", buf, what, what_size);
	}
	if (r >= 0)
		r = apply_cpu(cg, cfg, what, what_size);
	return r < 0 ? r : apply_nesting(cg, cfg, what, what_size);
}

int ct_cgroup_set_frozen(const struct ct_cgroup *cg, bool frozen)
{
	if (cg->v2[0])
		return ct_cg_write(cg->v2, "cgroup.freeze", frozen ? "1" : "0");
	if (cg->v1[CT_CG_FREEZER][0])
		return ct_cg_write(cg->v1[CT_CG_FREEZER], "freezer.state",
				   frozen ? "FROZEN" : "THAWED");
	return -EOPNOTSUPP;
}

int ct_cgroup_is_frozen(const struct ct_cgroup *cg)
{
	char buf[512];
	int r;

	if (cg->v2[0]) {
		r = ct_cg_read(cg->v2, "cgroup.events", buf, sizeof(buf));
		return r < 0 ? r : strstr(buf, "frozen 1") != NULL;
	}
	if (!cg->v1[CT_CG_FREEZER][0])
		return -EOPNOTSUPP;
	r = ct_cg_read(cg->v1[CT_CG_FREEZER], "freezer.state", buf, sizeof(buf));
	return r < 0 ? r : strncmp(buf, "FROZEN", 6) == 0;
}

/* A v1 cgroup that lists the container's processes (when there is no cgroup2). */
static const char *v1_procs_dir(const struct ct_cgroup *cg)
{
	for (int c = 0; c < CT_CG_COUNT_; c++)
		if (cg->v1[c][0])
			return cg->v1[c];
	return NULL;
}

/* Calls fn on each pid in cgroup.procs; returns how many there were. */
static int each_pid(const struct ct_cgroup *cg, void (*fn)(pid_t))
{
	const char *dir = v1_procs_dir(cg);
	char path[PATH_MAX];
	cleanup_fclose FILE *f = NULL;
	int pid, n = 0;

	if (!dir || snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return 0;
	f = fopen(path, "re");
	while (f && fscanf(f, "%d", &pid) == 1) {
		if (fn)
			fn(pid);
		n++;
	}
	return n;
}

static void kill_pid(pid_t pid)
{
	kill(pid, SIGKILL);
}

bool ct_cgroup_populated(const struct ct_cgroup *cg)
{
	char buf[512];

	if (cg->v2[0] && ct_cg_read(cg->v2, "cgroup.events", buf, sizeof(buf)) == 0)
		return strstr(buf, "populated 1") != NULL; /* subgroups included */
	return each_pid(cg, NULL) > 0;
}

/* The processes in dir and every subgroup below it (a guest's manager makes its own): how many,
 * and the sum of their proportional set sizes (smaps_rollup's Pss), bytes. */
static void walk_tree(const char *dir, int *n, int64_t *pss)
{
	char path[PATH_MAX];
	cleanup_fclose FILE *f = NULL;
	DIR *d;
	struct dirent *e;
	int pid;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return;
	f = fopen(path, "re");
	while (f && fscanf(f, "%d", &pid) == 1) {
		(*n)++;
		if (pss)
			*pss += ct_proc_pss_kib(pid) * 1024;
	}
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			walk_tree(path, n, pss);
	if (d)
		closedir(d);
}

static int count_tasks(const struct ct_cgroup *cg)
{
	int n = 0;

	if (!cg->payload[0])
		return each_pid(cg, NULL);
	walk_tree(cg->payload, &n, NULL);
	return n;
}

/* Without a memory controller: what its processes use, from their smaps. */
static int64_t processes_pss(const struct ct_cgroup *cg)
{
	int64_t pss = 0;
	int n = 0;

	if (!cg->payload[0])
		return -1;
	walk_tree(cg->payload, &n, &pss);
	return pss;
}

int ct_cgroup_kill(const struct ct_cgroup *cg)
{
	int r;

	/* cgroup.kill takes the whole subtree, subgroups a guest made included. */
	if (cg->v2[0] && ct_cg_write(cg->v2, "cgroup.kill", "1") == 0)
		return 0;
	/* Without cgroup.kill (before 5.14): freeze so nothing forks while we kill, then thaw so
	 * the signals are acted on (a task frozen by v1's freezer does not die until thawed). */
	r = ct_cgroup_set_frozen(cg, true);
	each_pid(cg, kill_pid);
	if (r == 0)
		ct_cgroup_set_frozen(cg, false);
	return 0;
}

static int64_t read_number(const char *dir, const char *file, const char *key)
{
	char buf[4096], *p = buf;

	if (!dir || ct_cg_read(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	if (key) {
		p = strstr(buf, key);
		if (!p)
			return -1;
		p += strlen(key);
	}
	return strtoll(p, NULL, 10);
}

int ct_cgroup_usage(const struct ct_cgroup *cg, struct ct_cgroup_usage *ret)
{
	bool v2;
	const char *mem = dir_for(cg, CT_CG_MEMORY, &v2);
	const char *pids, *cpu;
	bool pids_v2, cpu_v2;

	ret->memory_bytes = read_number(mem, v2 ? "memory.current" : "memory.usage_in_bytes", NULL);
	ret->memory_of_processes = ret->memory_bytes < 0;
	if (ret->memory_of_processes)
		ret->memory_bytes = processes_pss(cg);
	pids = dir_for(cg, CT_CG_PIDS, &pids_v2);
	ret->tasks = pids ? read_number(pids, "pids.current", NULL) : count_tasks(cg);
	cpu = dir_for(cg, CT_CG_CPUACCT, &cpu_v2);
	if (cpu_v2)
		ret->cpu_usec = read_number(cpu, "cpu.stat", "usage_usec ");
	else if ((ret->cpu_usec = read_number(cpu, "cpuacct.usage", NULL)) > 0)
		ret->cpu_usec /= 1000;
	return 0;
}

/* chown of one entry of dir, a missing one skipped (a kernel's list may name files of
 * controllers this cgroup does not have). */
static int chown_at(int dir, const char *name, uid_t uid, gid_t gid)
{
	if (fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int ct_cgroup_delegate(const struct ct_cgroup *cg, uid_t uid, gid_t gid)
{
	char list[512];
	cleanup_close int dir = -1;
	int r;

	if (!cg->payload[0])
		return 0;
	dir = open(cg->payload, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	r = chown_at(dir, ".", uid, gid);
	/* The files a delegatee may write, as the kernel lists them (cgroup.procs, .threads,
	 * .subtree_control, ...); the three core ones where the kernel is too old to say. */
	if (r >= 0 && ct_cg_read("/sys/kernel/cgroup", "delegate", list, sizeof(list)) < 0)
		snprintf(list, sizeof(list), "cgroup.procs\ncgroup.threads\ncgroup.subtree_control\n");
	for (char *s = list, *save = NULL, *w; r >= 0 && (w = strtok_r(s, "\n", &save)); s = NULL)
		r = chown_at(dir, w, uid, gid);
	return r;
}
