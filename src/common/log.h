/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging: one line per message to stderr (or the daemon's log file), prefixed with the program
 * name. Only the boundary that can add context logs; lower layers return -errno. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

enum ct_log_level { CT_LOG_ERROR, CT_LOG_WARNING, CT_LOG_INFO, CT_LOG_DEBUG };

/* Borrows name: it must outlive all logging. */
void ct_log_set_program(const char *name);
void ct_log_set_level(enum ct_log_level level);
/* Adds a timestamp to every line (for the daemon's log file). */
void ct_log_set_timestamps(int on);

/* Every message logged (the text without prefix) also goes to fn: ctrun --log FILE. */
typedef void (*ct_log_sink_fn)(enum ct_log_level level, const char *text, void *data);
void ct_log_set_sink(ct_log_sink_fn fn, void *data);

/* Each whole line (prefix and newline included) goes to fn instead of stderr: the daemon's log,
 * which keeps its size bound (NULL: stderr again). Only in the process that set it: a forked
 * child logs to its stderr. */
typedef void (*ct_log_writer_fn)(const char *line, size_t len, void *data);
void ct_log_set_writer(ct_log_writer_fn fn, void *data);

void ct_log(enum ct_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs "<message>: <strerror(-r)>" and returns r, which must be a negative errno. */
int ct_log_errno(enum ct_log_level level, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The text of the last error logged (without prefix), "" if none: a daemon passes it on to the
 * ctstart that waits for it, whose terminal shows nothing of the daemon's log. */
const char *ct_log_last_error(void);

#define log_error(...) ct_log(CT_LOG_ERROR, __VA_ARGS__)
#define log_warning(...) ct_log(CT_LOG_WARNING, __VA_ARGS__)
#define log_info(...) ct_log(CT_LOG_INFO, __VA_ARGS__)
#define log_debug(...) ct_log(CT_LOG_DEBUG, __VA_ARGS__)
#define log_error_errno(r, ...) ct_log_errno(CT_LOG_ERROR, (r), __VA_ARGS__)
#define log_warning_errno(r, ...) ct_log_errno(CT_LOG_WARNING, (r), __VA_ARGS__)
