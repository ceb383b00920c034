/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctexec: run a command inside a running container, through its monitor. The command gets what
 * init has (namespaces, user namespace, cgroup, capabilities, seccomp, no_new_privs, the config's
 * environment), a pty of the container's own when stdin is a terminal (or -t), pipes otherwise;
 * ctexec relays its stdio and exits as the command did. Nothing of ours but fresh pipes (or the
 * pty's master, which stays here) crosses into the container. */
#include "ctbuild.h"

#include "cmd/cmd.h"
#include "common/log.h"
#include "common/macro.h"
#include "exec-relay.h"
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define CT_EXEC_EXIT_FAILED 125 /* ctexec itself failed: the command did not run */

struct exec_opts {
	struct ct_tool t;
	int tty; /* 1: -t, 0: -T, -1: if stdin is a terminal */
	const char *user, *cwd;
	char **env;
	char **argv;
};

static void usage(void)
{
	printf("Usage: ctexec -n NAME [-t|-T] [-u USER] [-w DIR] [-e K=V]... [--rundir DIR] -- CMD [ARG...]\n"
	       "\n"
	       "Run CMD inside a running container, with everything its init has: its namespaces\n"
	       "(the user namespace too), cgroup, capabilities, seccomp filter, no_new_privs and\n"
	       "the config's environment. The monitor starts it and knows it; it ends with the\n"
	       "container. Exits with CMD's status (128+N if a signal N ended it, 126 not\n"
	       "executable, 127 not found); 125 if ctexec failed and CMD did not run.\n"
	       "\n"
	       "  -n, --name NAME      the container\n"
	       "  -t, --tty            a pty of the container's own (default when stdin is a terminal)\n"
	       "  -T, --no-tty         plain pipes, even from a terminal\n"
	       "  -u, --user USER      a name from the container's /etc/passwd, UID or UID:GID\n"
	       "                       (default: the container's root)\n"
	       "  -w, --workdir DIR    working directory inside (default /)\n"
	       "  -e, --env K=V        set an environment variable (repeatable)\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n",
	       CT_RUNDIR_DEFAULT);
}

static int parse(struct exec_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "tty", no_argument, NULL, 't' },
		{ "no-tty", no_argument, NULL, 'T' },     { "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' }, { "env", required_argument, NULL, 'e' },
		{ "rundir", required_argument, NULL, 'R' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },    {},
	};
	int c;

	while ((c = getopt_long(argc, argv, "+n:tTu:w:e:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': o->t.name = optarg; break;
		case 't': o->tty = 1; break;
		case 'T': o->tty = 0; break;
		case 'u': o->user = optarg; break;
		case 'w': o->cwd = optarg; break;
		case 'e':
			if (optarg[0] == '=' || !strchr(optarg, '=')) {
				log_error("-e '%s': expected K=V", optarg);
				return CT_EXEC_EXIT_FAILED;
			}
			if (ct_strv_append(&o->env, optarg) < 0)
				return CT_EXEC_EXIT_FAILED;
			break;
		case 'R': o->t.rundir = optarg; break;
		case 'h': usage(); return CT_EXIT_OK;
		case 'V': return ct_tool_version(&o->t);
		default: return CT_EXEC_EXIT_FAILED;
		}
	}
	if (!ct_tool_check(&o->t))
		return CT_EXEC_EXIT_FAILED;
	if (optind >= argc) {
		log_error("no command given (ctexec -n NAME -- CMD [ARG...])");
		return CT_EXEC_EXIT_FAILED;
	}
	if (o->cwd && o->cwd[0] != '/') {
		log_error("-w '%s': the directory inside must be an absolute path", o->cwd);
		return CT_EXEC_EXIT_FAILED;
	}
	o->argv = argv + optind;
	if (o->tty < 0)
		o->tty = isatty(STDIN_FILENO);
	return -1;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Connects, makes the session's socket and pipes, sends the request with their far ends: the
 * control socket, stderr[, stdin, stdout]. */
static int start(const struct exec_opts *o, struct ct_exec_session_fds *s)
{
	int ctl[2], err[2], in[2] = { -1, -1 }, out[2] = { -1, -1 }, r;
	struct winsize ws = { 0 };
	struct ct_frame f;

	if (o->tty && isatty(STDIN_FILENO))
		ioctl(STDIN_FILENO, TIOCGWINSZ, &ws);
	r = ct_proto_request_exec(&f, o->tty ? CT_EXEC_TTY : 0, ws.ws_row, ws.ws_col, o->user,
				  o->cwd, o->argv, o->env);
	if (r < 0)
		return r == -EINVAL ? -E2BIG : r;
	r = ct_client_connect(o->t.rundir, o->t.name, &s->conn);
	if (r < 0)
		return r;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0 ||
	    (!o->tty && (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)))
		return -errno;
	int far[] = { ctl[1], err[1], in[0], out[1] };

	r = ct_client_send_fds(s->conn, &f, far, o->tty ? 2 : 4);
	close_all(far, 4);
	s->ctl = ctl[0];
	s->err = err[0];
	s->in = in[1];
	s->out = out[0];
	return r;
}

static const char *refusal(int r)
{
	switch (r) {
	case -EAGAIN: return "is still starting: try again once it runs";
	case -EBUSY: return "is frozen: ctunfreeze it first";
	case -ESHUTDOWN: return "is stopping";
	case -EMFILE: return "has too many exec sessions running";
	case -ENOSYS: return "is run by a monitor without ctexec support (restart it)";
	default: return NULL;
	}
}

static int failed(const struct exec_opts *o, int r)
{
	const char *why = refusal(r);

	if (r == -E2BIG)
		log_error("the command and its -e variables are too long (%d bytes at most, %d "
			  "arguments)", CT_PROTO_PAYLOAD_MAX, CT_EXEC_ARGS_MAX);
	else if (r == -ECONNRESET)
		log_error("the monitor of '%s' went away before the command ended", o->t.name);
	else if (why)
		log_error("container '%s' %s", o->t.name, why);
	else
		ct_tool_call_failed(&o->t, r);
	return CT_EXEC_EXIT_FAILED;
}

/* As a shell reports it. */
static int exit_status(const struct ct_exec_result *res)
{
	return res->end == CT_END_EXITED ? res->exit_code : 128 + res->signal;
}

int main(int argc, char **argv)
{
	struct exec_opts o = { .tty = -1 };
	struct ct_exec_session_fds s = { .conn = -1, .ctl = -1, .in = -1, .out = -1, .err = -1,
					 .master = -1, .sig_fd = -1 };
	struct ct_exec_result res;
	sigset_t old;
	int r;

	ct_tool_init(&o.t, "ctexec");
	r = parse(&o, argc, argv);
	if (r >= 0)
		return r;
	signal(SIGPIPE, SIG_IGN);
	s.sig_fd = ct_exec_signals_block(&old);
	r = s.sig_fd < 0 ? s.sig_fd : start(&o, &s);
	if (r == 0 && o.tty)
		r = ct_exec_receive_master(&s);
	if (r == 0 || r == -ECONNRESET) /* a helper that failed early still has its say on err */
		r = ct_exec_relay(&s, o.tty && isatty(STDIN_FILENO), o.t.name, &res);
	int fds[] = { s.conn, s.ctl, s.in, s.out, s.err, s.master, s.sig_fd };

	close_all(fds, 7);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ct_strv_free(o.env);
	return r < 0 ? failed(&o, r) : exit_status(&res);
}
