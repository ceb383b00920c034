/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A hostile command-socket client for the integration tests: sends garbage, truncated, oversized
 * or unknown frames, or stalls, or attaches fds where none belong or the wrong ones (a host
 * directory as an exec session's stdin), and prints what the monitor answered ("closed",
 * "EBADMSG", ...). */
#include "cmd/protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		return -1;
	}
	return fd;
}

/* Waits up to ms for a reply and prints its result, or "closed"/"timeout". */
static void print_answer(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct ct_frame f;
	struct ct_msg m;
	struct ct_cursor c;
	ssize_t n;

	if (poll(&p, 1, ms) <= 0) {
		printf("timeout\n");
		return;
	}
	n = recv(fd, f.data, sizeof(f.data), 0);
	if (n <= 0) {
		printf("closed\n");
		return;
	}
	if (ct_msg_decode(f.data, (size_t)n, &m) < 0) {
		printf("undecodable\n");
		return;
	}
	int r = ct_proto_parse_reply(&m, m.type & ~CT_MSG_REPLY, &c);
	printf("%s\n", r == 0 ? "OK" : strerrorname_np(-r));
}

/* Sends frame f with n fds: pipes' ends, the first a socket (or with pipe_first a pipe), or
 * (dir) stdin a host directory. */
static void send_with_fds(int fd, const void *data, size_t len, size_t n, int dir, int pipe_first)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int) * 8)];
	} ctl = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
	int fds[8], sp[2], p[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0 || pipe(p) < 0)
		return;
	fds[0] = pipe_first ? p[0] : sp[1];
	for (size_t i = 1; i < n; i++)
		fds[i] = i == 2 && dir ? open("/", O_RDONLY | O_DIRECTORY) : p[i % 2];
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(h), fds, sizeof(int) * n);
	if (sendmsg(fd, &mh, 0) < 0)
		perror("sendmsg");
}

int main(int argc, char **argv)
{
	static char *const cmd[] = { "true", NULL };
	static unsigned char big[CT_PROTO_FRAME_MAX * 2];
	struct ct_frame f;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: ctprobe SOCKET garbage|truncated|oversized|unknown|stall|"
			"info-fds|exec-garbage|exec-dir|exec-manyfds|console-pipe\n");
		return 2;
	}
	fd = connect_to(argv[1]);
	if (fd < 0)
		return 1;
	ct_proto_request(&f, CT_CMD_INFO);
	if (strcmp(argv[2], "garbage") == 0)
		send(fd, "\x00\xff garbage \x01", 12, 0);
	else if (strcmp(argv[2], "truncated") == 0)
		send(fd, f.data, 7, 0);
	else if (strcmp(argv[2], "oversized") == 0)
		memcpy(big, f.data, CT_PROTO_HEADER_SIZE), send(fd, big, sizeof(big), 0);
	else if (strcmp(argv[2], "unknown") == 0)
		ct_proto_request(&f, 4242), send(fd, f.data, f.len, 0);
	else if (strcmp(argv[2], "info-fds") == 0)
		send_with_fds(fd, f.data, f.len, 4, 0, 0);
	else if (strcmp(argv[2], "exec-garbage") == 0)
		ct_frame_begin(&f, CT_CMD_EXEC), ct_frame_put_u32(&f, 77), ct_frame_finish(&f),
			send_with_fds(fd, f.data, f.len, 4, 0, 0);
	else if (strcmp(argv[2], "exec-dir") == 0)
		ct_proto_request_exec(&f, 0, 0, 0, "", "", cmd, NULL),
			send_with_fds(fd, f.data, f.len, 4, 1, 0);
	else if (strcmp(argv[2], "exec-manyfds") == 0)
		ct_proto_request_exec(&f, 0, 0, 0, "", "", cmd, NULL),
			send_with_fds(fd, f.data, f.len, 8, 0, 0);
	else if (strcmp(argv[2], "console-pipe") == 0)
		ct_proto_request_console(&f, 0, 0), send_with_fds(fd, f.data, f.len, 1, 0, 1);
	else if (strcmp(argv[2], "stall") != 0) {
		fprintf(stderr, "ctprobe: unknown mode '%s'\n", argv[2]);
		return 2;
	}
	print_answer(fd, strcmp(argv[2], "stall") == 0 ? 15000 : 5000);
	if (strcmp(argv[2], "unknown") == 0 || strcmp(argv[2], "stall") == 0)
		print_answer(fd, strcmp(argv[2], "stall") == 0 ? 100 : 6000);
	close(fd);
	return 0;
}
