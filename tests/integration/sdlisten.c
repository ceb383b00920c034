/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sdlisten PATH OUT: plays systemd's side of sd_notify for the tests. Binds a datagram socket at
 * PATH and appends every message to OUT with its arrival time (CLOCK_MONOTONIC ms), one line per
 * field ("MS KEY=VALUE"), until killed. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	FILE *out;
	int fd;

	if (argc != 3) {
		fputs("usage: sdlisten PATH OUT\n", stderr);
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("sdlisten: bind");
		return 1;
	}
	out = fopen(argv[2], "a");
	if (!out) {
		perror("sdlisten: open");
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		struct timespec ts;
		if (n < 0)
			continue;
		buf[n] = '\0';
		clock_gettime(CLOCK_MONOTONIC, &ts);
		for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			fprintf(out, "%lld %s\n", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, l);
		fflush(out);
	}
}
