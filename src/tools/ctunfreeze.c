/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctunfreeze: thaw a frozen container. */
#include "ctbuild.h"

#include "cmd/cmd.h"
#include "common/log.h"
#include "tool.h"

#include <errno.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	struct ct_tool t;
	int r;

	ct_tool_init(&t, "ctunfreeze");
	r = ct_tool_parse_simple(&t, argc, argv, "Thaw a container frozen with ctfreeze.");
	if (r >= 0)
		return r;
	r = ct_client_simple(t.rundir, t.name, CT_CMD_THAW, CT_CLIENT_TIMEOUT_MS);
	if (r == -EALREADY) {
		log_error("container '%s' is not frozen", t.name);
		return CT_EXIT_ERROR;
	}
	if (r == -EBUSY) {
		log_error("container '%s' is starting or stopping", t.name);
		return CT_EXIT_ERROR;
	}
	return r < 0 ? ct_tool_call_failed(&t, r) : CT_EXIT_OK;
}
