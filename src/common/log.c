/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Line-oriented logging to stderr. The daemonized monitor points stderr at its log file and turns
 * timestamps on; everything else is the same. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *program = "ct";
static enum ct_log_level max_level = CT_LOG_INFO;
static int timestamps;
static char last_error[512];

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

static void log_prefix(enum ct_log_level level)
{
	static const char *const names[] = { "error: ", "warning: ", "", "debug: " };

	if (timestamps) {
		struct timespec ts;
		struct tm tm;
		char buf[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ ", buf, ts.tv_nsec / 1000000);
	}
	fprintf(stderr, "%s: %s", program, names[level]);
}

static void log_va(enum ct_log_level level, int r, const char *fmt, va_list ap)
{
	int saved = errno;

	if (level == CT_LOG_ERROR) {
		va_list copy;
		va_copy(copy, ap);
		int n = vsnprintf(last_error, sizeof(last_error), fmt, copy);
		va_end(copy);
		if (r < 0 && n >= 0 && (size_t)n < sizeof(last_error))
			snprintf(last_error + n, sizeof(last_error) - (size_t)n, ": %s", strerror(-r));
	}
	if (level > max_level)
		return;
	log_prefix(level);
	vfprintf(stderr, fmt, ap);
	if (r < 0)
		fprintf(stderr, ": %s", strerror(-r));
	fputc('\n', stderr);
	fflush(stderr);
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
