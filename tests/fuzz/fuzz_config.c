/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for the config parser: any bytes, parsed, finalized and freed. */
#include "config/config.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_config c;
	struct ct_file_error err;
	char msg[1024];

	ct_config_init(&c);
	if (ct_config_parse_string(&c, (const char *)data, size, "/fuzz/ct.conf", &err) == 0)
		ct_config_finalize(&c, &err);
	ct_file_error_format(&err, msg, sizeof(msg));
	ct_config_free(&c);
	return 0;
}
