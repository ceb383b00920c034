/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding the hierarchies, creating and removing the container's cgroups, and placing init in
 * the v1 ones. Limits, freezing, killing and usage are in cgroup-ops.c. */
#include "cgroup.h"

#include "cgroup-internal.h"
#include "common/macro.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static const char *const ctrl_names[CT_CG_COUNT_] = { "memory", "pids", "cpu", "cpuacct",
						      "freezer", "devices" };

const char *ct_cgroup_ctrl_name(enum ct_cg_ctrl c)
{
	return (unsigned)c < CT_CG_COUNT_ ? ctrl_names[c] : "unknown";
}

static bool fs_is(const char *path, long magic)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == magic;
}

int ct_cgroup2_root(char *buf, size_t size)
{
	static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
		if (fs_is(candidates[i], CGROUP2_SUPER_MAGIC)) {
			snprintf(buf, size, "%s", candidates[i]);
			return 0;
		}
	return -ENOENT;
}

/* Our cgroup2 path from /proc/self/cgroup ("0::/a/b"), without the leading slash. */
static int self_v2(char *buf, size_t size)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	char line[PATH_MAX + 16];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::/", 4) != 0)
			continue;
		if (snprintf(buf, size, "%s", line + 4) >= (int)size)
			return -ENAMETOOLONG;
		return buf[0] ? 0 : -EINVAL;
	}
	return -ENOENT;
}

int ct_cgroup_enter_delegated(char *parent, size_t size)
{
	char root[PATH_MAX], dir[PATH_MAX];
	int r = ct_cgroup2_root(root, sizeof(root));

	if (r == 0)
		r = self_v2(parent, size);
	if (r < 0)
		return r;
	if (snprintf(dir, sizeof(dir), "%s/%s/.monitor", root, parent) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return ct_cg_write(dir, "cgroup.procs", "0");
}

int ct_cg_write(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	cleanup_close int fd = -1;
	size_t n = strlen(value);

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return write(fd, value, n) == (ssize_t)n ? 0 : -errno;
}

int ct_cg_read(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	cleanup_close int fd = -1;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Whether a space-separated list ("memory pids cpu") names word. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == ',' || p[n] == '\n'))
			return true;
	return false;
}

/* The mount point of the v1 hierarchy carrying ctrl, if one is mounted and visible here. */
static int v1_mount(enum ct_cg_ctrl ctrl, char *buf, size_t size)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024], point[PATH_MAX], opts[512];

	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(sep, " - cgroup %*s %511s", opts) != 1 || !has_word(opts, ctrl_names[ctrl]))
			continue;
		/* A hierarchy hidden under another mount (cgroup2 mounted over /sys/fs/cgroup) is
		 * in mountinfo but not reachable by its path. */
		if (fs_is(point, CGROUP_SUPER_MAGIC)) {
			snprintf(buf, size, "%s", point);
			return 0;
		}
	}
	return -ENOENT;
}

static int mkdir_parents(const char *base, const char *rel, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%s", base, rel);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	for (char *s = out + strlen(base) + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(out, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			return 0;
	}
}

/* The name of a subdirectory of dir into sub: 1, 0 if there is none, or -errno. One directory
 * is open at a time. */
static int first_subdir(const char *dir, char *sub, size_t size)
{
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return -errno;
	while ((errno = 0, e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(sub, size, "%s", e->d_name);
			return 1;
		}
	return errno ? -errno : 0;
}

/* Removes the tree at path, deepest first (rmdir of a cgroup removes its files; only the
 * subdirectories are walked), one path down and back up: a guest that
 * nested thousands of levels costs time, never an fd per level. Stops at the first cgroup that
 * cannot go (still populated). */
static int remove_tree(const char *path)
{
	char cur[PATH_MAX], sub[NAME_MAX + 1];
	size_t root_len = strlen(path), n;

	if (root_len >= sizeof(cur))
		return -ENAMETOOLONG;
	memcpy(cur, path, root_len + 1);
	for (;;) {
		int r = first_subdir(cur, sub, sizeof(sub));

		if (r == -ENOENT && strlen(cur) == root_len)
			return 0; /* nothing there */
		if (r < 0)
			return r;
		n = strlen(cur);
		if (r > 0) {
			if (n + 1 + strlen(sub) >= sizeof(cur))
				return -ENAMETOOLONG;
			snprintf(cur + n, sizeof(cur) - n, "/%s", sub);
			continue;
		}
		if (rmdir(cur) < 0 && errno != ENOENT)
			return -errno;
		if (n == root_len)
			return 0;
		*strrchr(cur, '/') = '\0';
	}
}

/* ROOT/PARENT/LEAF, fresh: a killed monitor's leftovers are removed first. One that holds
 * processes is no leftover but another container's (a cgroup.parent or an OCI cgroupsPath
 * given twice): -EBUSY, untouched (cgroup2's cgroup.events covers its subgroups). */
static int make_leaf(const char *root, const char *parent, const char *leaf, char *out,
		     size_t size)
{
	char dir[PATH_MAX], events[512];
	int r = mkdir_parents(root, parent, dir, sizeof(dir));

	if (r < 0)
		return r;
	if (snprintf(out, size, "%s/%s", dir, leaf) >= (int)size)
		return -ENAMETOOLONG;
	if (ct_cg_read(out, "cgroup.events", events, sizeof(events)) == 0 &&
	    strstr(events, "populated 1"))
		return -EBUSY;
	r = remove_tree(out);
	if (r < 0)
		return r;
	return mkdir(out, 0755) < 0 ? -errno : 0;
}

/* Enables ctrl in the subtree_control of the root and of every prefix of parent, so that our
 * cgroup, below parent, has it. With delegated > 0, parent's first delegated bytes are the cgroup
 * systemd delegated to us (Delegate=yes), the first that is ours: what is above it is the service
 * manager's to give, what is below (cgroup.parent) ours to pass on. */
static int enable_along(const char *root, const char *parent, const char *ctrl, size_t delegated)
{
	char dir[PATH_MAX], op[32];
	size_t n = strlen(parent);
	int r = 0;

	snprintf(op, sizeof(op), "+%s", ctrl);
	if (!delegated)
		r = ct_cg_write(root, "cgroup.subtree_control", op);
	for (size_t i = delegated ? delegated : 1; r >= 0 && i <= n; i++) {
		if (parent[i] != '/' && parent[i] != '\0')
			continue;
		int len = snprintf(dir, sizeof(dir), "%s/%.*s", root, (int)i, parent);
		r = len < 0 || (size_t)len >= sizeof(dir) ? -ENAMETOOLONG
							  : ct_cg_write(dir, "cgroup.subtree_control", op);
	}
	return r;
}

/* Which controllers our cgroup2 cgroup gets: those offered (by the root, or to a delegated parent)
 * that could be enabled. */
static void enable_v2(struct ct_cgroup *cg, const char *root, const char *parent, size_t delegated)
{
	char avail[256] = "", dir[PATH_MAX + CT_CGROUP_PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%.*s", root, (int)delegated, parent);
	ct_cg_read(dir, "cgroup.controllers", avail, sizeof(avail));
	for (int c = 0; c < CT_CG_COUNT_; c++)
		cg->on_v2[c] = has_word(avail, ctrl_names[c]) &&
			       enable_along(root, parent, ctrl_names[c], delegated) == 0;
	/* Our cgroup passes them on to payload, the guest's root, to hand out in its subtree. */
	for (int c = 0; c < CT_CG_COUNT_; c++) {
		char op[32];
		snprintf(op, sizeof(op), "+%s", ctrl_names[c]);
		if (cg->on_v2[c])
			ct_cg_write(cg->v2, "cgroup.subtree_control", op);
	}
	/* cpu usage (cpu.stat) and the freezer are cgroup2 core features. */
	cg->on_v2[CT_CG_CPUACCT] = cg->on_v2[CT_CG_FREEZER] = true;
}

/* Whether the container joins the v1 hierarchy of ctrl (when cgroup2 lacks it). Without cgroup2
 * every v1 hierarchy is joined: freezing, killing and usage need them. With cgroup2 only those a
 * limit needs, unless cgroup.v1 = all: moving init into any v1 cgroup costs the start an RCU
 * grace period, as cgroup2's CLONE_INTO_CGROUP does not. */
static bool v1_wanted(const struct ct_cgroup *cg, const struct ct_cgroup_config *cfg,
		      enum ct_cg_ctrl c)
{
	if (!cg->v2[0] || cfg->v1_all)
		return true;
	switch (c) {
	case CT_CG_MEMORY:
		return cfg->memory_max != 0;
	case CT_CG_PIDS:
		return cfg->pids_max != 0;
	case CT_CG_CPU:
		return cfg->cpu_weight != 0 || cfg->cpu_quota_us != 0;
	default:
		return false;
	}
}

static int create_v1(struct ct_cgroup *cg, const struct ct_cgroup_config *cfg, const char *parent,
		     const char *leaf, char *what, size_t what_size)
{
	for (int c = 0; c < CT_CG_COUNT_; c++) {
		char mnt[PATH_MAX];
		int r;

		if ((cg->v2[0] && cg->on_v2[c]) || !v1_wanted(cg, cfg, c) ||
		    v1_mount(c, mnt, sizeof(mnt)) < 0)
			continue;
		/* cpu and cpuacct often share one hierarchy: one cgroup serves both. */
		for (int d = 0; d < c; d++)
			if (cg->v1[d][0] && strncmp(cg->v1[d], mnt, strlen(mnt)) == 0 &&
			    cg->v1[d][strlen(mnt)] == '/')
				snprintf(cg->v1[c], sizeof(cg->v1[c]), "%s", cg->v1[d]);
		if (cg->v1[c][0])
			continue;
		r = make_leaf(mnt, parent, leaf, cg->v1[c], sizeof(cg->v1[c]));
		if (r < 0) {
			snprintf(what, what_size, "%s", cg->v1[c]);
			cg->v1[c][0] = '\0';
			return r;
		}
	}
	return 0;
}

int ct_cgroup_create(const struct ct_cgroup_config *cfg, const char *leaf, struct ct_cgroup *ret,
		     char *what, size_t what_size)
{
	const char *parent = cfg->parent ? cfg->parent : CT_CGROUP_PARENT_DEFAULT;
	char root[PATH_MAX];
	int r;

	*ret = (struct ct_cgroup){ .v2_fd = -1 };
	snprintf(what, what_size, "%s/%s", parent, leaf);
	if (ct_cgroup2_root(root, sizeof(root)) == 0) {
		r = make_leaf(root, parent, leaf, ret->v2, sizeof(ret->v2));
		if (r == -EBUSY) { /* not ours: nothing in *ret may name it */
			snprintf(what, what_size, "%s/%s (it holds processes)", parent, leaf);
			ret->v2[0] = '\0';
		}
		if (r < 0)
			return r;
		enable_v2(ret, root, parent, cfg->delegated_len);
		if (snprintf(ret->payload, sizeof(ret->payload), "%s/payload", ret->v2) >=
		    (int)sizeof(ret->payload))
			return -ENAMETOOLONG;
		if (mkdir(ret->payload, 0755) < 0)
			return -errno;
		ret->v2_fd = open(ret->payload, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (ret->v2_fd < 0)
			return -errno;
		if (snprintf(ret->helpers, sizeof(ret->helpers), "%s/helpers", ret->v2) >=
		    (int)sizeof(ret->helpers))
			return -ENAMETOOLONG;
		if (mkdir(ret->helpers, 0755) < 0)
			return -errno;
	}
	r = create_v1(ret, cfg, parent, leaf, what, what_size);
	if (r < 0)
		return r;
	return ct_cg_apply_limits(ret, cfg, what, what_size);
}

bool ct_cgroup_needs_attach(const struct ct_cgroup *cg)
{
	for (int c = 0; c < CT_CG_COUNT_; c++)
		if (cg->v1[c][0])
			return true;
	return false;
}

int ct_cgroup_attach(const struct ct_cgroup *cg, pid_t pid, bool v2_too)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	/* Init was cloned into the payload cgroup: moving it there again would change nothing but
	 * still cost an RCU grace period. A helper forked from the monitor goes to helpers, beside
	 * payload, under the same limits: payload is the guest's, and once it enables controllers
	 * for its subtree (a systemd guest does) no process may join it any more (EBUSY). */
	if (v2_too && cg->helpers[0]) {
		int r = ct_cg_write(cg->helpers, "cgroup.procs", buf);
		if (r < 0)
			return r;
	}
	for (int c = 0; c < CT_CG_COUNT_; c++) {
		int r = cg->v1[c][0] ? ct_cg_write(cg->v1[c], "cgroup.procs", buf) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

int ct_cgroup_remove(struct ct_cgroup *cg)
{
	int r = 0, q;

	ct_close_fd(&cg->v2_fd);
	if (cg->v2[0])
		r = remove_tree(cg->v2);
	cg->v2[0] = cg->payload[0] = cg->helpers[0] = '\0';
	for (int c = 0; c < CT_CG_COUNT_; c++) {
		if (cg->v1[c][0] && (q = remove_tree(cg->v1[c])) < 0 && r == 0)
			r = q;
		cg->v1[c][0] = '\0';
	}
	return r;
}
