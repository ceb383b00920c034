/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctrun: ct as an OCI runtime, with runc's command line (runtime-tools'
 * command-line-interface.md, and what conmon, Podman and containerd's go-runc really pass).
 * This file is the command line; the ctrun room does the work. */
#include "ctbuild.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"
#include "ctrun/ctrun.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct global {
	const char *root;
	struct ctrun_defaults defaults;
	const char *log;
	bool log_json;
	int log_fd;
};

static void usage(void)
{
	printf("Usage: ctrun [GLOBAL OPTIONS] COMMAND [OPTIONS] ID [ARGS]\n"
	       "\n"
	       "ct as an OCI runtime, runc-compatible, for Podman, containerd and CRI-O, with ct's\n"
	       "graceful stop: the annotation org.ct.shutdown-method (application, sysvinit, systemd\n"
	       "or exec, with org.ct.shutdown-command) makes `kill` with a stop signal run that method.\n"
	       "\n"
	       "Commands:\n"
	       "  create --bundle DIR [--pid-file F] [--console-socket S] ID   set up, wait for start\n"
	       "  start ID                   run the process of a created container\n"
	       "  run --bundle DIR [--detach] [--pid-file F] [--console-socket S] ID\n"
	       "                             create and start; wait for it and delete it\n"
	       "  state ID                   the runtime-spec state, as JSON\n"
	       "  kill [--all] ID [SIGNAL]   send SIGNAL (default TERM), or run the stop method\n"
	       "  delete [--force] ID        remove a stopped container (--force: kill it first)\n"
	       "  exec [--process F | ID CMD...] [--detach] [--pid-file F] [--console-socket S] [-t]\n"
	       "       [--cwd DIR] [--env K=V]... [--user UID[:GID]] ID\n"
	       "                             run a process in a running container\n"
	       "  pause ID, resume ID        freeze and thaw (cgroup2's freezer)\n"
	       "  ps [--format table|json] ID   its processes\n"
	       "  list [--format table|json] [-q]   every container\n"
	       "  features                   what ctrun implements, as JSON\n"
	       "\n"
	       "Global options:\n"
	       "  --root DIR                 state root (default %s)\n"
	       "  --log FILE                 also log to FILE\n"
	       "  --log-format text|json     the --log file's format (default text)\n"
	       "  --debug                    log debug messages\n"
	       "  --shutdown-method M        the stop method of containers whose annotations name\n"
	       "                             none (for engines without annotations: Docker 20.10)\n"
	       "  --shutdown-command CMD     the exec method's command with it\n"
	       "  --systemd-cgroup           refused: ctrun manages cgroupfs paths only\n"
	       "  -h, --help                 show this help\n"
	       "  -v, --version              show the version\n"
	       "\n"
	       "Exit status: 0, or 1 for any failure; run and exec end as the process ended\n"
	       "(128+N for a signal N). See ctrun(1) and docs/oci.md.\n",
	       CTRUN_ROOT_DEFAULT);
}

static void log_sink(enum ct_log_level level, const char *text, void *data)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	const struct global *g = data;
	char when[64], line[4096];
	struct timespec ts;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (g->log_json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string(names[level]));
		json_object_object_add(o, "msg", json_object_new_string(text));
		json_object_object_add(o, "time", json_object_new_string(when));
		n = snprintf(line, sizeof(line), "%s\n", json_object_to_json_string_ext(
			     o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		n = snprintf(line, sizeof(line), "%s ctrun: %s: %s\n", when, names[level], text);
	}
	if (n > 0 && write(g->log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1))
		return;
}

static int parse_global(struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' }, { "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' }, { "debug", no_argument, NULL, 'd' },
		{ "systemd-cgroup", no_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ "shutdown-method", required_argument, NULL, 'm' },
		{ "shutdown-command", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'v' }, {},
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case 'r': g->root = optarg; break;
		case 'l': g->log = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				log_error("--log-format '%s': expected text or json", optarg);
				return 1;
			}
			g->log_json = strcmp(optarg, "json") == 0;
			break;
		case 'd': ct_log_set_level(CT_LOG_DEBUG); break;
		case 'm': g->defaults.method = optarg; break;
		case 'c': g->defaults.command = optarg; break;
		case 's':
			log_error("--systemd-cgroup is not supported: ctrun manages cgroupfs paths "
				  "(podman --cgroup-manager cgroupfs; containerd SystemdCgroup = false)");
			return 1;
		case 'h': usage(); return 0;
		case 'v':
			printf("ctrun version %s\nspec: 1.1.0\n", PACKAGE_VERSION);
			return 0;
		default: return 1;
		}
	}
	if (g->log) {
		g->log_fd = open(g->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (g->log_fd < 0) {
			log_error_errno(-errno, "--log %s", g->log);
			return 1;
		}
		ct_log_set_sink(log_sink, g);
	}
	return -1;
}

/* One ID left after the options, and nothing else (unless more is allowed). */
static const char *the_id(int argc, char **argv, int more)
{
	if (optind >= argc) {
		log_error("%s: a container ID is needed", argv[0]);
		return NULL;
	}
	if (more >= 0 && argc - optind - 1 > more) {
		log_error("%s: unexpected argument '%s'", argv[0], argv[optind + 1 + more]);
		return NULL;
	}
	return argv[optind];
}

static int do_create(const struct global *g, int argc, char **argv, bool run)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' }, { "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'P' }, { "no-new-keyring", no_argument, NULL, 'K' },
		{ "detach", no_argument, NULL, 'd' }, { "keep", no_argument, NULL, 'k' },
		{ "preserve-fds", required_argument, NULL, 'f' }, {},
	};
	struct ctrun_create_options o = { .bundle = "", .defaults = g->defaults };
	bool detach = false;
	pid_t pid;
	int c, r;

	while ((c = getopt_long(argc, argv, "+b:d", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o.bundle = optarg; break;
		case 'p': o.pid_file = optarg; break;
		case 'c': o.console_socket = optarg; break;
		case 'd': detach = true; break;
		case 'P': /* ct always pivots: a ramfs root cannot be pivoted, and is refused then */
		case 'K': /* ct never makes a session keyring */
		case 'k': break;
		case 'f':
			if (strcmp(optarg, "0") == 0)
				break;
			log_error("--preserve-fds is not supported");
			return 1;
		default: return 1;
		}
	}
	if (!(o.id = the_id(argc, argv, 0)))
		return 1;
	if (run) {
		r = ctrun_run(g->root, &o, detach);
		return r < 0 ? 1 : r;
	}
	return ctrun_create(g->root, &o, &pid) < 0 ? 1 : 0;
}

static int do_kill(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, {} };
	bool all = false;
	const char *id;
	int c, sig = SIGTERM;

	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c != 'a')
			return 1;
		all = true;
	}
	if (!(id = the_id(argc, argv, 1)))
		return 1;
	if (optind + 1 < argc && (sig = ctrun_signal_parse(argv[optind + 1])) < 0) {
		log_error("kill: unknown signal '%s'", argv[optind + 1]);
		return 1;
	}
	return ctrun_kill(g->root, id, sig, all) < 0 ? 1 : 0;
}

static int do_delete(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, {} };
	bool force = false;
	const char *id;
	int c;

	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return 1;
		force = true;
	}
	if (!(id = the_id(argc, argv, 0)))
		return 1;
	return ctrun_delete(g->root, id, force) < 0 ? 1 : 0;
}

/* --format table|json and -q (list's). Returns -1 on bad usage. */
static int parse_format(int argc, char **argv, bool *json, bool *quiet)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
					      { "quiet", no_argument, NULL, 'q' }, {} };
	int c;

	while ((c = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
		if (c == 'q' && quiet) {
			*quiet = true;
		} else if (c == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "table"))) {
			*json = strcmp(optarg, "json") == 0;
		} else {
			log_error("%s: expected --format table|json%s", argv[0], quiet ? " or -q" : "");
			return -1;
		}
	}
	return 0;
}

static int do_exec(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' }, { "pid-file", required_argument, NULL, 'P' },
		{ "console-socket", required_argument, NULL, 'c' }, { "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' }, { "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' }, { "user", required_argument, NULL, 'u' },
		{ "preserve-fds", required_argument, NULL, 'f' }, {},
	};
	struct ctrun_exec_options o = { 0 };
	cleanup_strv char **env = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "+p:tdw:e:u:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.process = optarg; break;
		case 'P': o.pid_file = optarg; break;
		case 'c': o.console_socket = optarg; break;
		case 't': o.tty = true; break;
		case 'd': o.detach = true; break;
		case 'w': o.cwd = optarg; break;
		case 'e':
			if (ct_strv_append(&env, optarg) < 0)
				return 1;
			break;
		case 'u': o.user = optarg; break;
		case 'f':
			if (strcmp(optarg, "0") == 0)
				break;
			log_error("exec: --preserve-fds is not supported");
			return 1;
		default: return 1;
		}
	}
	if (!(o.id = the_id(argc, argv, -1)))
		return 1;
	o.argv = argv + optind + 1;
	if (o.argv[0] && strcmp(o.argv[0], "--") == 0) /* exec ID -- CMD... */
		o.argv++;
	o.env = env;
	if (!o.process && !o.argv[0]) {
		log_error("exec: a command, or --process FILE, is needed");
		return 1;
	}
	r = ctrun_exec(g->root, &o);
	return r < 0 ? 1 : r;
}

static int do_simple(const struct global *g, int argc, char **argv)
{
	const char *verb = argv[0], *id;
	bool json = false;

	if (parse_format(argc, argv, &json, NULL) < 0 || !(id = the_id(argc, argv, 0)))
		return 1;
	if (strcmp(verb, "start") == 0)
		return ctrun_start(g->root, id) < 0;
	if (strcmp(verb, "state") == 0)
		return ctrun_state(g->root, id) < 0;
	if (strcmp(verb, "ps") == 0)
		return ctrun_ps(g->root, id, json) < 0;
	return ctrun_pause(g->root, id, strcmp(verb, "pause") == 0) < 0;
}

int main(int argc, char **argv)
{
	static const char *const simple[] = { "start", "state", "ps", "pause", "resume" };
	struct global g = { .root = CTRUN_ROOT_DEFAULT, .log_fd = -1 };
	const char *verb;
	bool json = false, quiet = false;
	int r;

	ct_log_set_program("ctrun");
	if ((r = parse_global(&g, argc, argv)) >= 0)
		return r;
	if (optind >= argc) {
		usage();
		return 1;
	}
	verb = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	if (strcmp(verb, "create") == 0 || strcmp(verb, "run") == 0)
		return do_create(&g, argc, argv, strcmp(verb, "run") == 0);
	if (strcmp(verb, "kill") == 0)
		return do_kill(&g, argc, argv);
	if (strcmp(verb, "delete") == 0)
		return do_delete(&g, argc, argv);
	if (strcmp(verb, "exec") == 0)
		return do_exec(&g, argc, argv);
	if (strcmp(verb, "list") == 0)
		return parse_format(argc, argv, &json, &quiet) < 0 ? 1 :
		       ctrun_list(g.root, json, quiet) < 0;
	if (strcmp(verb, "features") == 0)
		return ctrun_features() < 0;
	for (size_t i = 0; i < ARRAY_SIZE(simple); i++)
		if (strcmp(verb, simple[i]) == 0)
			return do_simple(&g, argc, argv);
	log_error("unknown command '%s' (ctrun --help lists them)", verb);
	return 1;
}
