/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Line-oriented files with located errors (see linefile.h). */
#include "linefile.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void ct_file_error_vset(struct ct_file_error *err, const char *file, unsigned line, const char *key,
			const char *fmt, va_list ap)
{
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = line;
	snprintf(err->key, sizeof(err->key), "%s", key);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

void ct_file_error_set(struct ct_file_error *err, const char *file, unsigned line, const char *key,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ct_file_error_vset(err, file, line, key, fmt, ap);
	va_end(ap);
}

void ct_file_error_format(const struct ct_file_error *err, char *buf, size_t size)
{
	char where[300] = "";
	char key[80] = "";

	if (!buf || size == 0)
		return;
	if (err->file[0] && err->line)
		snprintf(where, sizeof(where), "%.255s:%u: ", err->file, err->line);
	else if (err->file[0])
		snprintf(where, sizeof(where), "%.255s: ", err->file);
	else if (err->line)
		snprintf(where, sizeof(where), "line %u: ", err->line);
	if (err->key[0])
		snprintf(key, sizeof(key), "key '%.63s': ", err->key);
	snprintf(buf, size, "%s%s%.511s", where, key, err->message);
}

int ct_file_load(const char *path, size_t max, char **ret, size_t *ret_len,
		 struct ct_file_error *err)
{
	int r = ct_read_file(path, max, ret, ret_len);

	if (r == -EFBIG)
		ct_file_error_set(err, path, 0, "", "file is larger than %zu bytes", max);
	else if (r < 0)
		ct_file_error_set(err, path, 0, "", "%s", strerror(-r));
	return r;
}

int ct_lines_each(const char *text, size_t len, ct_line_fn line, void *userdata)
{
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		int r = line(text + pos, n, userdata);

		if (r < 0)
			return r;
		pos += n + 1;
	}
	return 0;
}
