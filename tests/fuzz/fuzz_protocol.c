/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for the command protocol decoder: a datagram as the monitor or a client would
 * receive it, through every parser that could see it. */
#include "cmd/protocol.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t requests[] = { 0, CT_CMD_INFO, CT_CMD_STOP, CT_CMD_SHUTDOWN };
	struct ct_stop_result res;
	struct ct_progress ev;
	struct ct_info info;
	struct ct_cursor c;
	struct ct_msg m;
	int32_t timeout;

	if (ct_msg_decode(data, size, &m) < 0)
		return 0;
	ct_proto_parse_shutdown(&m, &timeout);
	ct_proto_parse_progress(&m, &ev);
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		if (ct_proto_parse_reply(&m, requests[i], &c) != 0)
			continue;
		struct ct_cursor copy = c;
		ct_proto_parse_info(&c, &info);
		ct_proto_parse_stop(&copy, &res);
	}
	return 0;
}
