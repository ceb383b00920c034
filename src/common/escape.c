/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The relays' escape (see escape.h). */
#include "escape.h"

size_t ct_escape_filter(struct ct_escape *e, const char *in, size_t n, char *out, bool *ret_quit)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (e->pending) {
			e->pending = false;
			if (c == 'q') {
				*ret_quit = true;
			} else if (c == 'a') {
				out[k++] = CT_ESCAPE_CHAR;
			} else {
				out[k++] = CT_ESCAPE_CHAR;
				out[k++] = c;
			}
		} else if (c == CT_ESCAPE_CHAR) {
			e->pending = true;
		} else {
			out[k++] = c;
		}
	}
	return k;
}
