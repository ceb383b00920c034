/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for the seccomp profile compiler: any bytes go through ct_seccomp_parse(),
 * which must return a filter or -errno with the error filled in, and never crash or leak. */
#include "seccomp/seccomp-profile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_file_error err;
	struct ct_seccomp *f = NULL;
	int r;

	memset(&err, 0, sizeof(err));
	r = ct_seccomp_parse((const char *)data, size, "fuzz", &f, &err);
	if (r == 0) {
		/* a filter is a program with rules counted and warnings readable */
		if (!f || ct_seccomp_insn_count(f) == 0)
			abort();
		for (char *const *w = ct_seccomp_warnings(f); w && *w; w++)
			if (!strstr(*w, "unknown syscall"))
				abort();
		(void)ct_seccomp_rule_count(f);
		ct_seccomp_free(f);
	} else if (f || r >= 0 || !err.message[0] || strcmp(err.file, "fuzz") != 0 ||
		   memchr(err.key, '\0', sizeof(err.key)) == NULL) {
		abort(); /* failure leaves *ret alone and always says what and where */
	}
	return 0;
}
