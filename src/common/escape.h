/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The terminal escape of ct's relays (ctstart's terminal, ctconsole): Ctrl-a q ends the relay,
 * Ctrl-a a sends a Ctrl-a, Ctrl-a followed by anything else sends both. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CT_ESCAPE_CHAR 0x01 /* Ctrl-a */

struct ct_escape {
	bool pending; /* the last byte was the escape: what follows decides */
};

/* Copies in (n bytes) to out, which has room for 2 x n (an escape held over from the last call
 * comes out in front), the escape sequences taken out; *ret_quit is set on Ctrl-a q. Returns
 * out's length. */
size_t ct_escape_filter(struct ct_escape *e, const char *in, size_t n, char *out, bool *ret_quit);
