/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's steps for an OCI bundle (ctrun) beyond ct's own setup: sysctls, the root's flags,
 * masked and read-only paths, rlimits, oom_score_adj, umask, the working directory, the PATH
 * lookup of the command, and the wait on the exec FIFO. No allocation: this runs between clone
 * and exec. */
#include "rootfs-internal.h"

#include "common/macro.h"
#include "inroot.h"
#include "mount-fd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* "net.ipv4.ip_forward=1" as sys/net/ipv4/ip_forward below proc, never past a symlink. */
static int write_sysctl(int proc_fd, const char *entry)
{
	char path[256], *p;
	const char *eq = strchr(entry, '=');
	cleanup_close int fd = -1;
	size_t len;

	if (!eq || (size_t)(eq - entry) + 5 > sizeof(path))
		return -EINVAL;
	snprintf(path, sizeof(path), "sys/%.*s", (int)(eq - entry), entry);
	for (p = path + 4; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = ct_inroot_open(proc_fd, path, O_WRONLY, CT_INROOT_NO_SYMLINKS);
	if (fd < 0)
		return fd;
	len = strlen(eq + 1);
	return write(fd, eq + 1, len) == (ssize_t)len ? 0 : -errno;
}

int ct_spawn_oci_sysctl(int proc_fd, char *const *sysctl, struct ct_setup_report *rep)
{
	for (char *const *s = sysctl; s && *s; s++) {
		int r;

		ct_setup_step(rep, CT_STEP_OCI, *s);
		if ((r = write_sysctl(proc_fd, *s)) < 0)
			return r;
	}
	return 0;
}

/* /dev/null (the container's: ct's own tmpfs /dev) over a file, an empty read-only tmpfs over a
 * directory. What is not there has nothing to hide. */
static int mask(int root, const char *path)
{
	cleanup_close int target = ct_inroot_open(root, path, O_PATH, CT_INROOT_NO_SYMLINKS);
	cleanup_close int mnt = -1;
	struct stat st;
	int r;

	if (target == -ENOENT)
		return 0;
	if (target < 0)
		return target;
	if (fstat(target, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		r = ct_mnt_new("tmpfs", "tmpfs", "size=0,mode=0555",
			       MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, &mnt);
	else
		r = ct_mnt_clone(root, "/dev/null", false, &mnt);
	return r < 0 ? r : ct_mnt_attach(mnt, target);
}

static int root_flags(const struct ct_spawn_oci *o)
{
	cleanup_close int root = -1;
	int r = 0;

	if (!o->readonly_root && !o->propagation)
		return 0;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	if (o->readonly_root)
		r = ct_mnt_set(root, MS_RDONLY, false, false);
	if (r >= 0 && o->propagation)
		r = ct_mnt_propagation(root, o->propagation);
	return r;
}

int ct_spawn_oci_paths(const struct ct_spawn_oci *o, struct ct_setup_report *rep)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (root < 0)
		return -errno;
	ct_setup_step(rep, CT_STEP_OCI, "root.readonly");
	if ((r = root_flags(o)) < 0)
		return r;
	for (char *const *m = o->masked; m && *m; m++) {
		ct_setup_step(rep, CT_STEP_OCI, *m);
		if ((r = mask(root, *m)) < 0)
			return r;
	}
	for (char *const *m = o->readonly; m && *m; m++) {
		ct_setup_step(rep, CT_STEP_OCI, *m);
		r = ct_rootfs_guard(root, *m, NULL);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return 0;
}

/* "process.rlimits (RLIMIT_NOFILE 1048576:1048576)": raising a hard limit needs
 * CAP_SYS_RESOURCE, which a sandbox may not give even to root. */
static void rlimit_step(const struct ct_spawn_rlimit *l, struct ct_setup_report *rep)
{
	static const char *const names[] = {
		[RLIMIT_CPU] = "CPU", [RLIMIT_FSIZE] = "FSIZE", [RLIMIT_DATA] = "DATA",
		[RLIMIT_STACK] = "STACK", [RLIMIT_CORE] = "CORE", [RLIMIT_RSS] = "RSS",
		[RLIMIT_NPROC] = "NPROC", [RLIMIT_NOFILE] = "NOFILE", [RLIMIT_MEMLOCK] = "MEMLOCK",
		[RLIMIT_AS] = "AS", [RLIMIT_LOCKS] = "LOCKS", [RLIMIT_SIGPENDING] = "SIGPENDING",
		[RLIMIT_MSGQUEUE] = "MSGQUEUE", [RLIMIT_NICE] = "NICE", [RLIMIT_RTPRIO] = "RTPRIO",
		[RLIMIT_RTTIME] = "RTTIME",
	};
	const char *name = (size_t)l->resource < sizeof(names) / sizeof(names[0]) &&
			   names[l->resource] ? names[l->resource] : "?";

	ct_setup_step(rep, CT_STEP_OCI, NULL);
	snprintf(rep->detail, sizeof(rep->detail), "process.rlimits: RLIMIT_%s %llu:%llu", name,
		 (unsigned long long)l->soft, (unsigned long long)l->hard);
}

int ct_spawn_oci_process(const struct ct_spawn_oci *o, struct ct_setup_report *rep)
{
	for (size_t i = 0; i < o->n_rlimits; i++) {
		struct rlimit l = { .rlim_cur = o->rlimits[i].soft, .rlim_max = o->rlimits[i].hard };

		rlimit_step(&o->rlimits[i], rep);
		if (setrlimit(o->rlimits[i].resource, &l) < 0)
			return -errno;
	}
	if (o->has_oom_score_adj) {
		char buf[16];
		cleanup_close int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		int n = snprintf(buf, sizeof(buf), "%d", o->oom_score_adj);

		ct_setup_step(rep, CT_STEP_OCI, "process.oomScoreAdj");
		if (fd < 0 || write(fd, buf, (size_t)n) != n)
			return -errno;
	}
	if (o->umask >= 0)
		umask((mode_t)o->umask);
	return 0;
}

/* args[0] as execvp() would find it in the process's own PATH (not ours); one with a slash must
 * be there and executable: either way a missing command fails create, not start. */
int ct_spawn_oci_lookup(const char *arg0, char *const *envp, char *buf, size_t size)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	struct stat st;

	if (strchr(arg0, '/')) {
		snprintf(buf, size, "%s", arg0);
		if (stat(buf, &st) < 0)
			return -errno;
		return S_ISREG(st.st_mode) && access(buf, X_OK) == 0 ? 0 : -EACCES;
	}
	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	for (const char *p = path;; p++) {
		size_t len = strcspn(p, ":");
		int n = snprintf(buf, size, "%.*s/%s", (int)len, len ? p : ".", arg0);

		if (n > 0 && (size_t)n < size && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0)
			return 0;
		p += len;
		if (!*p)
			break;
	}
	return -ENOENT;
}

int ct_spawn_oci_wait(const struct ct_spawn_oci *o)
{
	char byte;
	ssize_t n;

	do
		n = read(o->fifo_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : n < 0 ? -errno : -EPIPE;
}
