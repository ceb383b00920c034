/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctshift: shifts the owners of a rootfs once into a container's id range, for file systems that
 * cannot be idmapped. A file of uid U (below COUNT) becomes BASE+U, likewise for gids; the
 * container then runs with `idmap = u 0 BASE COUNT` / `idmap = g 0 GBASE COUNT`, and ctstart sees
 * from the rootfs's owner that it is shifted already. Stays on the rootfs's file system, never
 * follows symlinks, keeps set-id bits and file capabilities (which chown clears). */
#include "ctbuild.h"

#include "idmap.h"
#include "log.h"
#include "tool.h"
#include "util.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define XATTR_CAPS "security.capability"

static uint32_t uid_base, gid_base, count = CT_IDMAP_SIZE;
static unsigned long shifted, skipped;

static int64_t shift(uint32_t id, uint32_t base)
{
	if (id >= count)
		return -1;
	return (int64_t)base + id;
}

/* chown clears set-id bits and the capability xattr: both are put back as they were. */
static int shift_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	int64_t u = shift(st->st_uid, uid_base), g = shift(st->st_gid, gid_base);
	char caps[64];
	ssize_t ncaps = -1;

	if (u < 0 || g < 0) {
		log_warning("%s: owner %u:%u is outside 0..%u: left as it is", path,
			    (unsigned)st->st_uid, (unsigned)st->st_gid, count - 1);
		skipped++;
		return 0;
	}
	if (S_ISREG(st->st_mode))
		ncaps = lgetxattr(path, XATTR_CAPS, caps, sizeof(caps));
	if (lchown(path, (uid_t)u, (gid_t)g) < 0)
		return log_error_errno(-errno, "Failed to chown '%s'", path);
	if (!S_ISLNK(st->st_mode) && (st->st_mode & 07000) && chmod(path, st->st_mode & 07777) < 0)
		return log_error_errno(-errno, "Failed to restore the mode of '%s'", path);
	if (ncaps > 0 && lsetxattr(path, XATTR_CAPS, caps, (size_t)ncaps, 0) < 0)
		return log_error_errno(-errno, "Failed to restore the capabilities of '%s'", path);
	shifted++;
	return 0;
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct ct_tool t;
	int c;

	ct_tool_init(&t, "ctshift");
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		if (c == 'h' || c == 'V')
			return c == 'h' ? (usage(stdout), CT_EXIT_OK) : ct_tool_version(&t);
		if (c != 'c' || parse_id(optarg, "count", &count) < 0)
			return (usage(stderr), CT_EXIT_ERROR);
	}
	if (argc - optind < 2 || argc - optind > 3)
		return (usage(stderr), 1);
	if (parse_id(argv[optind + 1], "UID_BASE", &uid_base) < 0 ||
	    parse_id(argv[argc - optind == 3 ? optind + 2 : optind + 1], "GID_BASE", &gid_base) < 0)
		return 1;
	if ((uint64_t)uid_base + count - 1 > CT_IDMAP_ID_MAX ||
	    (uint64_t)gid_base + count - 1 > CT_IDMAP_ID_MAX)
		return log_error("the range runs past id %u", CT_IDMAP_ID_MAX), CT_EXIT_ERROR;
	if (nftw(argv[optind], shift_one, 64, FTW_PHYS | FTW_MOUNT) != 0)
		return log_error("'%s' was not shifted completely", argv[optind]), CT_EXIT_ERROR;
	printf("ctshift: %lu files shifted to %u/%u, %lu left as they were\n", shifted, uid_base,
	       gid_base, skipped);
	return 0;
}
