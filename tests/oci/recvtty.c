/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* recvtty SOCKET OUTPUT: the engine's end of --console-socket, for the bats suite. Listens on
 * SOCKET, takes one connection, receives the pty master (SCM_RIGHTS), and copies what the
 * container writes on its terminal to OUTPUT until the terminal closes (EIO, once every slave is
 * closed) or 20 s have passed. Prints "ready" on stdout once listening. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int receive_fd(int conn)
{
	char byte[256];
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = byte, .iov_len = sizeof(byte) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *h;
	int fd = -1;

	if (recvmsg(conn, &mh, 0) < 0)
		return -1;
	h = CMSG_FIRSTHDR(&mh);
	if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd, conn, master, out;
	char buf[4096];

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: recvtty SOCKET OUTPUT\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0) {
		perror("recvtty: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	conn = accept(lfd, NULL, NULL);
	master = conn < 0 ? -1 : receive_fd(conn);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (master < 0 || out < 0) {
		perror("recvtty: receiving the pty master");
		return 1;
	}
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) & ~O_NONBLOCK);
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 20000) <= 0)
			break;
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (write(out, buf, (size_t)n) != n)
			break;
	}
	return 0;
}
