/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Creating and removing the container's cgroup. Limits, freezing and v1 controllers come later;
 * this is the placement that a systemd guest needs to own its subtree. */
#include "cgroup.h"

#include "macro.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static bool is_cgroup2(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

int ct_cgroup2_root(char *buf, size_t size)
{
	static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
		if (is_cgroup2(candidates[i])) {
			snprintf(buf, size, "%s", candidates[i]);
			return 0;
		}
	return -ENOENT;
}

/* rmdir of a cgroup removes its files; only subdirectories need recursion. */
static int remove_tree(int parent_fd, const char *name)
{
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			int q = remove_tree(dirfd(d), e->d_name);
			if (q < 0 && r == 0)
				r = q;
		}
	closedir(d);
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

int ct_cgroup_create(const char *parent, const char *leaf, struct ct_cgroup *ret)
{
	char root[PATH_MAX], dir[PATH_MAX];
	int r = ct_cgroup2_root(root, sizeof(root));
	int n;

	*ret = (struct ct_cgroup){ .dir_fd = -1 };
	if (r < 0)
		return r;
	n = snprintf(dir, sizeof(dir), "%s/%s", root, parent);
	if (n < 0 || (size_t)n >= sizeof(dir) || (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return n < 0 || (size_t)n >= sizeof(dir) ? -ENAMETOOLONG : -errno;
	n = snprintf(ret->path, sizeof(ret->path), "%s/%s", dir, leaf);
	if (n < 0 || (size_t)n >= sizeof(ret->path))
		return -ENAMETOOLONG;
	r = remove_tree(AT_FDCWD, ret->path); /* a killed monitor's leftovers */
	if (r < 0)
		return r;
	if (mkdir(ret->path, 0755) < 0)
		return -errno;
	ret->dir_fd = open(ret->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return ret->dir_fd < 0 ? -errno : 0;
}

int ct_cgroup_remove(struct ct_cgroup *cg)
{
	int r = 0;

	ct_close_fd(&cg->dir_fd);
	if (cg->path[0])
		r = remove_tree(AT_FDCWD, cg->path);
	cg->path[0] = '\0';
	return r;
}
