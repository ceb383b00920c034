/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Line-oriented files with located errors: the config and the seccomp profiles are read the
 * same way (whole file, size-capped, one line at a time) and say what is wrong as
 * "FILE:LINE: key 'KEY': MESSAGE". */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct ct_file_error {
	char file[256];    /* the file ("<string>" for text without a name) */
	unsigned line;     /* 1-based; 0 when the error is not about one line (e.g. missing rootfs) */
	char key[64];      /* the key concerned, "" when none (e.g. a line without '=') */
	char message[512]; /* what is wrong, without file/line/key, e.g. "unknown key" */
};

__attribute__((format(printf, 5, 0)))
void ct_file_error_vset(struct ct_file_error *err, const char *file, unsigned line, const char *key,
			const char *fmt, va_list ap);
__attribute__((format(printf, 5, 6)))
void ct_file_error_set(struct ct_file_error *err, const char *file, unsigned line, const char *key,
		       const char *fmt, ...);
/* Formats "FILE:LINE: key 'KEY': MESSAGE" (parts omitted when empty) into buf. */
void ct_file_error_format(const struct ct_file_error *err, char *buf, size_t size);

/* Reads path whole (at most max bytes, NUL-terminated) into *ret (to free). On failure err says
 * why, with the path and line 0 ("file is larger than MAX bytes" for -EFBIG). */
int ct_file_load(const char *path, size_t max, char **ret, size_t *ret_len,
		 struct ct_file_error *err);

/* Calls line(s, n, userdata) for each line of text (n bytes, without its '\n'; the last may lack
 * one), in order, until one returns a negative errno, which is returned. */
typedef int (*ct_line_fn)(const char *s, size_t n, void *userdata);
int ct_lines_each(const char *text, size_t len, ct_line_fn line, void *userdata);
