/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctshift: shifts the owners of a rootfs once into a container's id range, for file systems that
 * cannot be idmapped. A file of uid U (below COUNT) becomes BASE+U, likewise for gids; the
 * container then runs with `idmap = u 0 BASE COUNT` / `idmap = g 0 GBASE COUNT`, and ctstart sees
 * from the rootfs's owner that it is shifted already.
 *
 * The tree may be written by others while we walk it (a user with a directory in its /tmp), so
 * nothing is done by path: each entry is opened with O_PATH|O_NOFOLLOW relative to its parent's
 * fd and changed through that fd, which a rename or a symlink swap cannot redirect. The walk
 * stays on the rootfs's file system. A file with more links than the tree holds is a hardlink to
 * something outside (a host file): it is refused, never shifted. */
#include "ctbuild.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"
#include "config/config.h"
#include "tool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define XATTR_CAPS "security.capability"
#define DEPTH_MAX 256

struct linked {
	dev_t dev;
	ino_t ino;
	nlink_t seen;
	int fd; /* O_PATH, held until every link was counted */
	struct stat st;
};

struct shift {
	uint32_t uid_base, gid_base, count;
	dev_t dev;
	unsigned long shifted, skipped;
	struct linked *links;
	size_t n_links;
};

/* /proc/self/fd/N reaches the very inode an O_PATH fd holds (for chmod and xattrs, which take no
 * O_PATH fd before Linux 6.6). */
static void fd_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

/* chown clears set-id bits and the capability xattr: both are put back as they were. */
static int chown_fd(struct shift *s, int fd, const struct stat *st, const char *name)
{
	char path[32], caps[64];
	ssize_t ncaps = -1;
	uint64_t u = (uint64_t)s->uid_base + st->st_uid, g = (uint64_t)s->gid_base + st->st_gid;

	if (st->st_uid >= s->count || st->st_gid >= s->count) {
		log_warning("%s: owner %u:%u is outside 0..%u: left as it is", name,
			    (unsigned)st->st_uid, (unsigned)st->st_gid, s->count - 1);
		s->skipped++;
		return 0;
	}
	fd_path(fd, path);
	if (S_ISREG(st->st_mode))
		ncaps = getxattr(path, XATTR_CAPS, caps, sizeof(caps));
	if (fchownat(fd, "", (uid_t)u, (gid_t)g, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return log_error_errno(-errno, "Failed to chown '%s'", name);
	if (!S_ISLNK(st->st_mode) && (st->st_mode & 07000) && chmod(path, st->st_mode & 07777) < 0)
		return log_error_errno(-errno, "Failed to restore the mode of '%s'", name);
	if (ncaps > 0 && setxattr(path, XATTR_CAPS, caps, (size_t)ncaps, 0) < 0)
		return log_error_errno(-errno, "Failed to restore the capabilities of '%s'", name);
	s->shifted++;
	return 0;
}

/* A file with several links is shifted at the end, once all its links were found in the tree. */
static int defer_linked(struct shift *s, int *fd, const struct stat *st)
{
	struct linked *l;

	for (size_t i = 0; i < s->n_links; i++)
		if (s->links[i].dev == st->st_dev && s->links[i].ino == st->st_ino) {
			s->links[i].seen++;
			return 0;
		}
	l = realloc(s->links, (s->n_links + 1) * sizeof(*l));
	if (!l)
		return log_error_errno(-ENOMEM, "Failed to note a hardlinked file");
	s->links = l;
	s->links[s->n_links++] = (struct linked){ st->st_dev, st->st_ino, 1, steal_fd(fd), *st };
	return 0;
}

static int walk_dir(struct shift *s, int dir, const char *name, unsigned depth);

static int visit(struct shift *s, int parent, const char *entry, const char *name, unsigned depth)
{
	cleanup_close int fd = openat(parent, entry, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0)
		return log_error_errno(-errno, "Failed to open '%s'", name);
	if (st.st_dev != s->dev)
		return 0; /* another file system mounted in the tree: not ours to change */
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1)
		return defer_linked(s, &fd, &st);
	r = chown_fd(s, fd, &st, name);
	if (r >= 0 && S_ISDIR(st.st_mode))
		r = walk_dir(s, fd, name, depth + 1);
	return r;
}

static int walk_dir(struct shift *s, int dir, const char *name, unsigned depth)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;
	int fd, r = 0;

	if (depth > DEPTH_MAX)
		return log_error_errno(-ELOOP, "'%s' is nested too deep", name);
	fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		r = log_error_errno(-errno, "Failed to read '%s'", name);
		if (fd >= 0)
			close(fd);
		return r;
	}
	while (r >= 0 && (errno = 0, e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", name, e->d_name);
		r = visit(s, dirfd(d), e->d_name, path, depth);
	}
	if (r >= 0 && errno)
		r = log_error_errno(-errno, "Failed to read '%s'", name);
	closedir(d);
	return r;
}

/* Every hardlinked file whose links are all in the tree is shifted; the others are refused (and
 * make the run fail), the rest goes on. */
static int finish_linked(struct shift *s)
{
	int r = 0;

	for (size_t i = 0; i < s->n_links; i++) {
		struct linked *l = &s->links[i];
		char what[64];
		int q;

		snprintf(what, sizeof(what), "inode %lu", (unsigned long)l->ino);
		if (l->seen != l->st.st_nlink) {
			log_error("%s has %lu links but %lu in the tree: a hardlink to a file outside "
				  "(a host file?); left as it is", what, (unsigned long)l->st.st_nlink,
				  (unsigned long)l->seen);
			r = -EXDEV;
		} else if ((q = chown_fd(s, l->fd, &l->st, what)) < 0) {
			r = q;
		}
		ct_close_fd(&l->fd);
	}
	free(s->links);
	return r;
}

static int shift_tree(struct shift *s, const char *rootfs)
{
	cleanup_close int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int r;

	if (root < 0 || fstat(root, &st) < 0)
		return log_error_errno(-errno, "rootfs '%s'", rootfs);
	s->dev = st.st_dev;
	r = chown_fd(s, root, &st, rootfs);
	if (r >= 0)
		r = walk_dir(s, root, rootfs, 0);
	/* Always: the deferred fds are closed and the array freed. */
	int linked = finish_linked(s);
	return r < 0 ? r : linked;
}

static int parse_id(const char *s, const char *what, uint32_t *ret)
{
	long v;

	if (ct_parse_long(s, 1, CT_IDMAP_ID_MAX, &v) < 0)
		return log_error_errno(-EINVAL, "bad %s '%s' (expected 1..%u)", what, s,
				       CT_IDMAP_ID_MAX);
	*ret = (uint32_t)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: ctshift [--count N] ROOTFS UID_BASE [GID_BASE]\n\n"
		   "Shifts every owner U of ROOTFS (one file system, symlinks not followed) to\n"
		   "UID_BASE+U (gids to GID_BASE+G, default UID_BASE), for ids below N (65536).\n"
		   "Run it once, then start the container with\n"
		   "  idmap = u 0 UID_BASE N\n  idmap = g 0 GID_BASE N\n"
		   "Options: --count N, --help, --version.\n");
}

static int parse_args(int argc, char **argv, struct shift *s, int *ret_exit)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct ct_tool t;
	int c, n;

	ct_tool_init(&t, "ctshift");
	*ret_exit = CT_EXIT_ERROR;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		if (c == 'h' || c == 'V') {
			*ret_exit = c == 'h' ? (usage(stdout), CT_EXIT_OK) : ct_tool_version(&t);
			return -1;
		}
		if (c != 'c' || parse_id(optarg, "count", &s->count) < 0)
			return usage(stderr), -1;
	}
	n = argc - optind;
	if (n < 2 || n > 3)
		return usage(stderr), -1;
	if (parse_id(argv[optind + 1], "UID_BASE", &s->uid_base) < 0 ||
	    parse_id(argv[optind + n - 1], "GID_BASE", &s->gid_base) < 0)
		return -1;
	if ((uint64_t)s->uid_base + s->count - 1 > CT_IDMAP_ID_MAX ||
	    (uint64_t)s->gid_base + s->count - 1 > CT_IDMAP_ID_MAX)
		return log_error("the range runs past id %u", CT_IDMAP_ID_MAX), -1;
	return optind;
}

int main(int argc, char **argv)
{
	struct shift s = { .count = CT_IDMAP_SIZE };
	int code, i = parse_args(argc, argv, &s, &code);

	if (i < 0)
		return code;
	if (shift_tree(&s, argv[i]) < 0)
		return log_error("'%s' was not shifted completely", argv[i]), CT_EXIT_ERROR;
	printf("ctshift: %lu files shifted to %u/%u, %lu left as they were\n", s.shifted, s.uid_base,
	       s.gid_base, s.skipped);
	return CT_EXIT_OK;
}
