/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's log, bounded: the container's output comes to the monitor through a pipe and goes
 * to the log file, which is rotated at log.size (LOG.1 .. LOG.N, log.rotate of them kept, or
 * truncated with none), so nothing a container prints can fill the file system (/run is a
 * tmpfs). The monitor's own lines go to the same file, through the same bound (its stdout and
 * stderr are the file too, for what a forked helper prints). */
#include "monitor-log.h"

#include "common/log.h"
#include "common/macro.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 65536
#define DRAIN_CHUNKS_MAX 16 /* at the end: at most 1 MiB more of what the container left */

/* LOG.1 .. LOG.N move up by one, LOG becomes LOG.1, a fresh LOG takes stdout and stderr. */
static int rotate(const struct ct_monitor *m)
{
	const char *path = m->o->log_path;
	unsigned n = m->o->config->log_rotate;
	char from[PATH_MAX + 8], to[PATH_MAX + 8];
	int fd;

	if (n == 0)
		return ftruncate(STDOUT_FILENO, 0) < 0 ? -errno : 0;
	for (unsigned i = n; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	snprintf(to, sizeof(to), "%s.1", path);
	if (rename(path, to) < 0)
		return -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

/* Appends to the log, never past log.size: what does not fit goes to a fresh one. A log that
 * cannot be rotated (or written) costs output, never the monitor. */
static void log_append(const struct ct_monitor *m, const char *buf, size_t n)
{
	int64_t max = m->o->config->log_size;

	while (n > 0) {
		struct stat st;
		ssize_t w;

		if (fstat(STDOUT_FILENO, &st) < 0)
			return;
		if (st.st_size >= max) {
			if (rotate(m) < 0)
				return;
			continue;
		}
		size_t room = (size_t)(max - st.st_size);

		w = write(STDOUT_FILENO, buf, n < room ? n : room);
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

void ct_monitor_log_write(struct ct_monitor *m, const char *buf, size_t n)
{
	if (m->o->log_path)
		log_append(m, buf, n);
}

/* Reads one chunk: 1 if there was some, 0 if none is waiting. */
static int pump(struct ct_monitor *m)
{
	char buf[CHUNK];
	ssize_t n = read(m->log.read_fd, buf, sizeof(buf));

	if (n <= 0)
		return 0;
	log_append(m, buf, (size_t)n);
	return 1;
}

static int on_output(int fd, uint32_t events, void *data)
{
	pump(data);
	return CT_LOOP_CONTINUE;
}

/* A line of the monitor's own: whole in one log, the next one if it does not fit this one. */
static void log_line(const char *line, size_t len, void *data)
{
	const struct ct_monitor *m = data;
	int64_t max = m->o->config->log_size;
	struct stat st;

	if ((int64_t)len <= max && fstat(STDOUT_FILENO, &st) == 0 && st.st_size + (int64_t)len > max &&
	    rotate(m) < 0)
		return;
	log_append(m, line, len);
}

int ct_monitor_log_setup(struct ct_monitor *m)
{
	int p[2];

	if (!m->o->log_path)
		return 0;
	ct_log_set_writer(log_line, m);
	/* Only our end is non-blocking: the container's writes wait for us, as into a file. */
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	m->log.read_fd = p[0];
	m->log.write_fd = p[1];
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	return ct_loop_add(m->loop, p[0], EPOLLIN, on_output, m);
}

void ct_monitor_log_close(struct ct_monitor *m)
{
	for (int i = 0; m->log.read_fd >= 0 && i < DRAIN_CHUNKS_MAX && pump(m); i++)
		;
	if (m->log.read_fd >= 0)
		ct_loop_remove(m->loop, m->log.read_fd);
	ct_close_fd(&m->log.read_fd);
	ct_close_fd(&m->log.write_fd);
}
