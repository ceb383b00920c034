/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctconsole: attach to a container's console, the pty its monitor holds (a system container
 * under -d, any container run in the foreground on a terminal). The last KiB of what it printed
 * come first; several clients can be attached at once; Ctrl-a q detaches (the container runs on),
 * Ctrl-a a sends a Ctrl-a. With --read-only nothing typed reaches the container. */
#include "ctbuild.h"

#include "cmd/cmd.h"
#include "common/escape.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"
#include "tool.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define TAIL_DEFAULT_KIB 16

struct console_opts {
	struct ct_tool t;
	bool read_only;
	uint32_t tail;
};

static void usage(void)
{
	printf("Usage: ctconsole -n NAME [-r] [-t KIB] [--rundir DIR]\n"
	       "\n"
	       "Attach to a container's console: the terminal its monitor holds for a system\n"
	       "container under ctstart -d (and for any container run in the foreground on a\n"
	       "terminal). What it printed last comes first. Ctrl-a q detaches (the container\n"
	       "runs on); Ctrl-a a sends a Ctrl-a. Several can be attached at once.\n"
	       "\n"
	       "  -n, --name NAME      the container\n"
	       "  -r, --read-only      watch only: nothing typed reaches the container\n"
	       "  -t, --tail KIB       replay the last KIB KiB of its output first (default %d;\n"
	       "                       0: none)\n"
	       "      --rundir DIR     run directory (default %s)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n",
	       TAIL_DEFAULT_KIB, CT_RUNDIR_DEFAULT);
}

static int parse(struct console_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },   { "read-only", no_argument, NULL, 'r' },
		{ "tail", required_argument, NULL, 't' },   { "rundir", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
		{},
	};
	long kib;
	int c;

	while ((c = getopt_long(argc, argv, "n:rt:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': o->t.name = optarg; break;
		case 'r': o->read_only = true; break;
		case 't':
			if (ct_parse_long(optarg, 0, 1 << 20, &kib) < 0) {
				log_error("-t '%s': a number of KiB, 0 to %d", optarg, 1 << 20);
				return CT_EXIT_ERROR;
			}
			o->tail = (uint32_t)kib * 1024;
			break;
		case 'R': o->t.rundir = optarg; break;
		case 'h': usage(); return CT_EXIT_OK;
		case 'V': return ct_tool_version(&o->t);
		default: return CT_EXIT_ERROR;
		}
	}
	if (!ct_tool_check(&o->t) || !ct_tool_no_more_args(argc, argv))
		return CT_EXIT_ERROR;
	return -1;
}

/* Hands the monitor our end of a socket pair with the request; returns the other end. */
static int attach(const struct console_opts *o, int *ret_fd)
{
	cleanup_close int conn = -1;
	int sp[2], r;
	struct ct_frame f;

	ct_proto_request_console(&f, o->read_only ? CT_CONSOLE_READ_ONLY : 0, o->tail);
	r = ct_client_connect(o->t.rundir, o->t.name, &conn);
	if (r < 0)
		return r;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	r = ct_client_send_fds(conn, &f, &sp[1], 1);
	close(sp[1]);
	if (r == 0)
		r = ct_client_wait_reply(conn, CT_CMD_CONSOLE, CT_CLIENT_TIMEOUT_MS);
	if (r < 0) {
		close(sp[0]);
		return r;
	}
	*ret_fd = sp[0];
	return 0;
}

/* Our typing: the escape taken out; sent unless read-only. Returns 1 on Ctrl-a q or EOF. */
static int typed(int sock, bool read_only, struct ct_escape *e)
{
	char in[CT_CONSOLE_CHUNK / 2], out[CT_CONSOLE_CHUNK];
	bool quit = false;
	ssize_t n = read(STDIN_FILENO, in, sizeof(in));

	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0)
		return 1;
	size_t k = ct_escape_filter(e, in, (size_t)n, out, &quit);

	if (k > 0 && !read_only)
		send(sock, out, k, MSG_NOSIGNAL);
	return quit;
}

/* Until detached (0) or the console is gone (1: the container stopped). */
static int relay(int sock, bool read_only)
{
	struct ct_escape e = { 0 };
	bool reading = isatty(STDIN_FILENO) || !read_only;
	char buf[CT_CONSOLE_CHUNK];

	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
				       { .fd = reading ? STDIN_FILENO : -1, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents) {
			ssize_t n = recv(sock, buf, sizeof(buf), 0);

			if (n <= 0)
				return 1;
			if (ct_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				return 0; /* our stdout is gone: detach */
		}
		if (p[1].revents && typed(sock, read_only, &e)) {
			if (isatty(STDIN_FILENO))
				return 0; /* Ctrl-a q, or the terminal hung up */
			reading = false; /* input at its end: watch on */
		}
	}
}

int main(int argc, char **argv)
{
	struct console_opts o = { .tail = TAIL_DEFAULT_KIB * 1024 };
	struct termios saved, raw;
	bool restore = false;
	int r, sock;

	ct_tool_init(&o.t, "ctconsole");
	r = parse(&o, argc, argv);
	if (r >= 0)
		return r;
	signal(SIGPIPE, SIG_IGN);
	r = attach(&o, &sock);
	if (r == -ENOTTY) {
		log_error("container '%s' has no console: an application container's output goes to "
			  "its log (ctinfo -n %s shows where)", o.t.name, o.t.name);
		return CT_EXIT_ERROR;
	}
	if (r < 0)
		return ct_tool_call_failed(&o.t, r);
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw.c_oflag = saved.c_oflag;
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
		fprintf(stderr, "ctconsole: %s's console%s; Ctrl-a q detaches\r\n", o.t.name,
			o.read_only ? " (read-only)" : "");
	}
	r = relay(sock, o.read_only);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(sock);
	if (r == 1)
		log_info("container '%s' stopped: its console is gone", o.t.name);
	return r < 0 ? CT_EXIT_ERROR : CT_EXIT_OK;
}
