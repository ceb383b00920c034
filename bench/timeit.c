/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timeit LOG CMD [ARG...]: run CMD with stdin /dev/null and stdout+stderr
 * appended to LOG, no other fds; print "ELAPSED_NS EXIT" (EXIT = 128+sig if
 * killed).  Times fork+exec+wait with CLOCK_MONOTONIC. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	int logfd, nullfd, st;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: timeit LOG CMD [ARG...]\n");
		return 2;
	}
	logfd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (logfd < 0 || nullfd < 0) {
		perror("timeit: open");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 2;
	}
	if (pid == 0) {
		int fd;

		dup2(nullfd, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
			for (fd = 3; fd < 1024; fd++)
				close(fd);
		execvp(argv[2], argv + 2);
		dprintf(2, "timeit: exec %s: %m\n", argv[2]);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("timeit: waitpid");
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld %d\n",
	       (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec),
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
