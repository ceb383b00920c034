/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctinit, PID 1 of application containers, as a sealed in-memory copy. */
#include "spawn.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The container's PID 1 would be a host file reachable as /proc/1/exe from inside, which is
 * how CVE-2019-5736 overwrote runc. Init runs from a sealed in-memory copy instead: nothing
 * inside can write to it, nor to the host's file through it. */
static int sealed_copy(int fd)
{
	cleanup_close int mem = memfd_create("ctinit", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct stat st;

	int r;

	if (mem < 0 || fstat(fd, &st) < 0)
		return -errno;
	if ((r = ct_copy_bytes(mem, fd, st.st_size)) < 0)
		return r;
	if (fchmod(mem, 0555) < 0 ||
	    fcntl(mem, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return -errno;
	return steal_fd(&mem);
}

/* ctinit lives in LIBEXECDIR/ct; it is looked up next to our own binary first, so an installed
 * tree works wherever it is unpacked (DESTDIR staging included). */
int ct_ctinit_open(char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd = -1, mem;

	if (n > 0) {
		exe[n] = '\0';
		snprintf(path, size, "%s/../libexec/ct/ctinit", dirname(exe));
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(path, size, "%s/ctinit", CT_PKGLIBEXECDIR);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	mem = sealed_copy(fd);
	close(fd);
	return mem;
}
