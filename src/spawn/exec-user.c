/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctexec's -u, resolved in the container's files. */
#include "exec-user.h"

#include "common/util.h"
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A FIFO or device planted at /etc/passwd must not hang or touch anything: regular files only. */
static FILE *open_db(int root_fd, const char *path)
{
	struct stat st;
	int fd = ct_inroot_open(root_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, CT_INROOT_FOLLOW);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "re"))) {
		close(fd);
		return NULL;
	}
	return f;
}

static int lookup_passwd(int root_fd, const char *name, uid_t uid, struct ct_exec_user *u)
{
	FILE *f = open_db(root_fd, "/etc/passwd");
	struct passwd *pw;
	int r = -ENOENT;

	if (!f)
		return r;
	while ((pw = fgetpwent(f)))
		if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid) {
			u->uid = pw->pw_uid;
			u->gid = pw->pw_gid;
			snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
			snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir[0] ? pw->pw_dir : "/");
			r = 0;
			break;
		}
	fclose(f);
	return r;
}

static void lookup_groups(int root_fd, struct ct_exec_user *u)
{
	FILE *f = u->name[0] ? open_db(root_fd, "/etc/group") : NULL;
	struct group *gr;

	if (!f)
		return;
	while ((gr = fgetgrent(f)) && u->n_groups < CT_EXEC_GROUPS_MAX)
		for (char **m = gr->gr_mem; *m; m++)
			if (strcmp(*m, u->name) == 0 && gr->gr_gid != u->gid) {
				u->groups[u->n_groups++] = gr->gr_gid;
				break;
			}
	fclose(f);
}

/* "UID" or "UID:GID": 0 and the numbers, -EINVAL if spec is not that. */
static int parse_ids(const char *spec, uid_t *uid, gid_t *gid, int *has_gid)
{
	char num[16];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	long v;

	*has_gid = 0;
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, spec, len);
	num[len] = '\0';
	if (ct_parse_long(num, 0, UINT32_MAX - 1, &v) < 0)
		return -EINVAL;
	*uid = (uid_t)v;
	if (!colon)
		return 0;
	if (ct_parse_long(colon + 1, 0, UINT32_MAX - 1, &v) < 0)
		return -EINVAL;
	*gid = (gid_t)v;
	*has_gid = 1;
	return 0;
}

int ct_exec_user_resolve(int root_fd, const char *spec, struct ct_exec_user *ret)
{
	struct ct_exec_user u = { .home = "/" };
	int has_gid, r;
	uid_t uid;
	gid_t gid = 0;

	if (!spec || !spec[0])
		return -EINVAL;
	if (spec[0] >= '0' && spec[0] <= '9') {
		r = parse_ids(spec, &uid, &gid, &has_gid);
		if (r < 0)
			return r;
		if (lookup_passwd(root_fd, NULL, uid, &u) < 0) {
			u.uid = uid;
			u.gid = uid;
		}
		if (has_gid)
			u.gid = gid;
	} else if (strchr(spec, ':') || strlen(spec) >= sizeof(u.name)) {
		return -EINVAL;
	} else if ((r = lookup_passwd(root_fd, spec, 0, &u)) < 0) {
		return r;
	}
	lookup_groups(root_fd, &u);
	*ret = u;
	return 0;
}
