/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctfreeze: freeze a container's cgroup; returns once every process in it is frozen. */
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

	ct_tool_init(&t, "ctfreeze");
	r = ct_tool_parse_simple(&t, argc, argv,
				 "Freeze every process of a container (its cgroup), and return once\n"
				 "they are all frozen. A frozen container keeps its memory and state;\n"
				 "ctunfreeze resumes it, and ctstop stops it (thawing it first).");
	if (r >= 0)
		return r;
	r = ct_client_simple(t.rundir, t.name, CT_CMD_FREEZE, CT_CLIENT_FREEZE_TIMEOUT_MS);
	if (r == -EBUSY) {
		log_error("container '%s' is starting or stopping: try again", t.name);
		return CT_EXIT_ERROR;
	}
	if (r == -ETIMEDOUT) {
		log_error("container '%s' could not be frozen in time; it was left running", t.name);
		return CT_EXIT_ERROR;
	}
	return r < 0 ? ct_tool_call_failed(&t, r) : CT_EXIT_OK;
}
