/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Line-oriented logging to stderr. The daemonized monitor points stderr at its log file, turns
 * timestamps on and sends its lines through the log's size bound (a writer); everything else is
 * the same. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *program = "ct";
static enum ct_log_level max_level = CT_LOG_INFO;
static int timestamps;
static char last_error[512];
static ct_log_sink_fn sink;
static void *sink_data;
static ct_log_writer_fn writer;
static void *writer_data;
static pid_t writer_pid;

void ct_log_set_writer(ct_log_writer_fn fn, void *data)
{
	writer = fn;
	writer_data = data;
	writer_pid = getpid();
}

void ct_log_set_sink(ct_log_sink_fn fn, void *data)
{
	sink = fn;
	sink_data = data;
}

void ct_log_set_program(const char *name)
{
	program = name;
}

void ct_log_set_level(enum ct_log_level level)
{
	max_level = level;
}

void ct_log_set_timestamps(int on)
{
	timestamps = on;
}

/* "TIMESTAMP PROGRAM: LEVEL" into buf; returns its length. */
static size_t log_prefix(enum ct_log_level level, char *buf, size_t size)
{
	static const char *const names[] = { "error: ", "warning: ", "", "debug: " };
	size_t n = 0;

	if (timestamps) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(buf + n, size - n, ".%03ldZ ", ts.tv_nsec / 1000000);
	}
	n += (size_t)snprintf(buf + n, size - n, "%s: %s", program, names[level]);
	return n < size ? n : size - 1;
}

/* The line goes out in one write(), so that the lines of tools running side by side (ctstop
 * for many containers into one log) never interleave. A longer line is cut. */
static void log_write(const char *line, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, line, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		line += w;
		len -= (size_t)w;
	}
}

__attribute__((format(printf, 3, 0)))
static void log_va(enum ct_log_level level, int r, const char *fmt, va_list ap)
{
	int saved = errno;
	char line[2048];
	size_t n;
	int k;

	if (level == CT_LOG_ERROR) {
		va_list copy;
		va_copy(copy, ap);
		k = vsnprintf(last_error, sizeof(last_error), fmt, copy);
		va_end(copy);
		if (r < 0 && k >= 0 && (size_t)k < sizeof(last_error))
			snprintf(last_error + k, sizeof(last_error) - (size_t)k, ": %s", strerror(-r));
	}
	if (level > max_level)
		return;
	if (sink) {
		va_list copy;
		char text[2048];
		va_copy(copy, ap);
		k = vsnprintf(text, sizeof(text), fmt, copy);
		va_end(copy);
		if (r < 0 && k >= 0 && (size_t)k < sizeof(text))
			snprintf(text + k, sizeof(text) - (size_t)k, ": %s", strerror(-r));
		sink(level, text, sink_data);
	}
	n = log_prefix(level, line, sizeof(line) - 1);
	k = vsnprintf(line + n, sizeof(line) - 1 - n, fmt, ap);
	n = k < 0 ? n : n + (size_t)k < sizeof(line) - 1 ? n + (size_t)k : sizeof(line) - 2;
	if (r < 0 && n < sizeof(line) - 2) {
		k = snprintf(line + n, sizeof(line) - 1 - n, ": %s", strerror(-r));
		n = k < 0 ? n : n + (size_t)k < sizeof(line) - 1 ? n + (size_t)k : sizeof(line) - 2;
	}
	line[n++] = '\n';
	fflush(stderr);	/* whatever a tool printed to stderr with stdio comes first */
	if (writer && getpid() == writer_pid) /* never in a forked child: its fds are others */
		writer(line, n, writer_data);
	else
		log_write(line, n);
	errno = saved;
}

const char *ct_log_last_error(void)
{
	return last_error;
}

void ct_log(enum ct_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(level, 0, fmt, ap);
	va_end(ap);
}

int ct_log_errno(enum ct_log_level level, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(level, r, fmt, ap);
	va_end(ap);
	return r;
}
