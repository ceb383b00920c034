/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A hostile command-socket client for the integration tests: sends garbage, truncated, oversized
 * or unknown frames, or stalls, and prints what the monitor answered ("closed", "EBADMSG", ...). */
#include "cmd/protocol.h"

#include <errno.h>
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

int main(int argc, char **argv)
{
	static unsigned char big[CT_PROTO_FRAME_MAX * 2];
	struct ct_frame f;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: ctprobe SOCKET garbage|truncated|oversized|unknown|stall\n");
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
