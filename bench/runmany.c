/* bench/runmany.c -- run many commands, sequentially or in parallel, and time
 * them (a helper of bench/scale.sh, compiled into its temp dir by
 * bench/lib.sh: setup_runner).
 *
 *   runmany [-P N] [-T SECS] [-w PIDFILE] [-W SECS] LOG CMDFILE
 *
 * CMDFILE holds one command per line, its arguments separated by TABs.  The
 * commands run with stdin /dev/null, stdout and stderr appended to LOG and no
 * other fds, at most N at once (-P; default 1 = one after the other, 0 = all
 * at once).  -T: SIGKILL whatever still runs SECS after the start (their
 * exit is then 137; default: no limit).
 *
 * -w PIDFILE: pids (one a line) of processes to watch, e.g. the monitors of
 * the containers being stopped.  A pidfd is opened for each before the clock
 * starts; after the last command has exited, runmany waits (up to -W SECS,
 * default 30) until every watched process has exited.
 *
 * Output (stdout), all times in ns from the first fork (CLOCK_MONOTONIC):
 *   cmd INDEX START_NS ELAPSED_NS EXIT    one line per command (INDEX from 1,
 *                                          EXIT = 128+sig if killed)
 *   total ELAPSED_NS FAILED               the last command's exit; FAILED =
 *                                          commands with a non-zero EXIT
 *   watched COUNT GONE_NS LEFT            with -w: when the last watched
 *                                          process was seen gone; LEFT = still
 *                                          alive after -W SECS
 * Exit status 0, or 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cmd {
	char **argv;
	pid_t pid;
	long long start, elapsed;
	int status;
};

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("runmany: realloc");
	return p;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		die(path);
	do {
		if (cap - len < 65536) {
			cap = cap * 2 + 65536;
			buf = xrealloc(buf, cap + 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f))
		die(path);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Splits TEXT in place into commands (lines) of TAB-separated arguments. */
static struct cmd *parse_cmds(char *text, int *ncmds)
{
	struct cmd *cmds = NULL;
	int n = 0;
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char **argv = NULL, *arg, *asave = NULL;
		int argc = 0;

		for (arg = strtok_r(line, "\t", &asave); arg; arg = strtok_r(NULL, "\t", &asave)) {
			argv = xrealloc(argv, sizeof(*argv) * (argc + 2));
			argv[argc++] = arg;
		}
		if (!argc)
			continue;
		argv[argc] = NULL;
		cmds = xrealloc(cmds, sizeof(*cmds) * (n + 1));
		memset(&cmds[n], 0, sizeof(cmds[n]));
		cmds[n++].argv = argv;
	}
	*ncmds = n;
	return cmds;
}

static int child_run(char **argv, int nullfd, int logfd)
{
	int fd;

	dup2(nullfd, 0);
	dup2(logfd, 1);
	dup2(logfd, 2);
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
		for (fd = 3; fd < 65536; fd++)
			close(fd);
	execvp(argv[0], argv);
	dprintf(2, "runmany: exec %s: %m\n", argv[0]);
	_exit(127);
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

int main(int argc, char **argv)
{
	int par = 1, kill_after = 0, watch_secs = 30, opt, ncmds, i, next = 0, running = 0;
	int failed = 0, logfd, nullfd, nwatch = 0, *pidfds = NULL;
	const char *pidfile = NULL;
	struct cmd *cmds;
	long long t0, gone = 0;

	while ((opt = getopt(argc, argv, "+P:T:w:W:")) != -1) {
		switch (opt) {
		case 'P': par = atoi(optarg); break;
		case 'T': kill_after = atoi(optarg); break;
		case 'w': pidfile = optarg; break;
		case 'W': watch_secs = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind != 2 || par < 0 || kill_after < 0 || watch_secs < 0)
		goto usage;
	cmds = parse_cmds(slurp(argv[optind + 1]), &ncmds);
	if (par == 0 || par > ncmds)
		par = ncmds > 0 ? ncmds : 1;
	logfd = open(argv[optind], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (logfd < 0 || nullfd < 0)
		die("runmany: open");

	if (pidfile) {
		char *text = slurp(pidfile), *tok, *save = NULL;

		for (tok = strtok_r(text, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			int fd = (int)syscall(SYS_pidfd_open, atoi(tok), 0);

			if (fd < 0 && errno != ESRCH)
				die("runmany: pidfd_open");
			pidfds = xrealloc(pidfds, sizeof(*pidfds) * (nwatch + 1));
			pidfds[nwatch++] = fd; /* -1: already gone */
		}
	}

	if (kill_after) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid returns EINTR */
		sigaction(SIGALRM, &sa, NULL);
		alarm((unsigned)kill_after);
	}

	t0 = now_ns();
	while (next < ncmds || running > 0) {
		int st;
		pid_t pid;

		while (running < par && next < ncmds && !alarmed) {
			cmds[next].start = now_ns();
			pid = fork();
			if (pid < 0)
				die("runmany: fork");
			if (pid == 0)
				child_run(cmds[next].argv, nullfd, logfd);
			cmds[next++].pid = pid;
			running++;
		}
		if (alarmed) {
			for (i = 0; i < next; i++)
				if (cmds[i].pid > 0)
					kill(cmds[i].pid, SIGKILL);
			for (; next < ncmds; next++) { /* never started */
				cmds[next].status = 137;
				cmds[next].elapsed = -1;
			}
		}
		if (running == 0)
			break;
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			die("runmany: waitpid");
		}
		for (i = 0; i < next; i++) {
			if (cmds[i].pid == pid) {
				cmds[i].elapsed = now_ns() - cmds[i].start;
				cmds[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				cmds[i].pid = 0;
				running--;
				break;
			}
		}
	}
	alarm(0);
	for (i = 0; i < ncmds; i++) {
		if (cmds[i].status != 0)
			failed++;
		printf("cmd %d %lld %lld %d\n", i + 1, cmds[i].start - t0, cmds[i].elapsed, cmds[i].status);
	}
	printf("total %lld %d\n", now_ns() - t0, failed);

	if (pidfile) {
		long long deadline = now_ns() + (long long)watch_secs * 1000000000LL;
		struct pollfd *pfd = xrealloc(NULL, sizeof(*pfd) * (nwatch + 1));
		int left = 0, k;

		for (k = 0; k < nwatch; k++) {
			pfd[k].fd = pidfds[k]; /* poll ignores negative fds */
			pfd[k].events = POLLIN;
			if (pidfds[k] >= 0)
				left++;
		}
		gone = now_ns() - t0;
		while (left > 0) {
			long long rem = deadline - now_ns();
			int r;

			if (rem <= 0)
				break;
			r = poll(pfd, (nfds_t)nwatch, (int)(rem / 1000000) + 1);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				die("runmany: poll");
			}
			for (k = 0; k < nwatch; k++) {
				if (pfd[k].fd >= 0 && (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))) {
					close(pfd[k].fd);
					pfd[k].fd = -1;
					left--;
				}
			}
			gone = now_ns() - t0;
		}
		printf("watched %d %lld %d\n", nwatch, gone, left);
	}
	return 0;

usage:
	fprintf(stderr, "usage: runmany [-P N] [-T SECS] [-w PIDFILE] [-W SECS] LOG CMDFILE\n");
	return 2;
}
