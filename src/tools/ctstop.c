/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstop: stop a container. This version kills at once (--force); the graceful SHUTDOWN path with
 * --timeout comes with the shutdown methods. */
#include "ctbuild.h"

#include "client.h"
#include "log.h"
#include "tool.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

static void usage(void)
{
	printf("Usage: ctstop -n NAME --force [--rundir DIR]\n"
	       "Stop a container.\n\n"
	       "  -n, --name NAME      container name\n"
	       "  -k, --force          SIGKILL the container's init at once\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: 0 stopped, 2 not running, 1 error.\n",
	       CT_RUNDIR_DEFAULT);
}

static int report(const struct ct_tool *t, const struct ct_stop_result *res)
{
	if (res->end == CT_END_EXITED)
		log_info("container '%s' stopped: init exited with status %d after %llu ms", t->name,
			 res->exit_code, (unsigned long long)res->elapsed_ms);
	else
		log_info("container '%s' stopped: init %s by signal %d after %llu ms", t->name,
			 ct_end_to_string(res->end), res->signal,
			 (unsigned long long)res->elapsed_ms);
	return CT_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "force", no_argument, NULL, 'k' },
		{ "rundir", required_argument, NULL, 'R' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },    {}
	};
	struct ct_stop_result res;
	struct ct_tool t;
	bool force = false;
	int c, r;

	ct_tool_init(&t, "ctstop");
	while ((c = getopt_long(argc, argv, "n:khV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': t.name = optarg; break;
		case 'k': force = true; break;
		case 'R': t.rundir = optarg; break;
		case 'h': usage(); return 0;
		case 'V': return ct_tool_version(&t);
		default: return CT_EXIT_ERROR;
		}
	}
	if (!ct_tool_check(&t))
		return CT_EXIT_ERROR;
	if (!force) {
		log_error("a graceful stop is not supported yet: use --force");
		return CT_EXIT_ERROR;
	}
	r = ct_client_stop(t.rundir, t.name, &res);
	return r < 0 ? ct_tool_call_failed(&t, r) : report(&t, &res);
}
