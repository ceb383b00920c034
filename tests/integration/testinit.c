/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* testinit: a small scriptable init for the integration tests. It runs as a system container's
 * /sbin/init and reacts to signals as its options say, so a test can play any kind of init
 * (graceful, deaf, halting, rebooting) without a real distribution in the rootfs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Fixed exit codes of testinit itself; exit:N and --exit N choose any other. */
enum {
	TESTINIT_EXIT_FAILURE = 1,	/* a setup step failed: log, ready, hostname file, fork */
	TESTINIT_EXIT_USAGE = 2,
};

#define MAX_RULES 32

enum action { ACTION_EXIT, ACTION_HALT, ACTION_REBOOT, ACTION_IGNORE_HANDLED, ACTION_LOG };

struct rule {
	int sig;
	enum action action;
	int code;		/* for ACTION_EXIT */
};

struct options {
	const char *ready;
	const char *log;
	const char *hostname_to;
	int exit_code;		/* -1: keep running */
	bool ignore_all;
	bool sleep_child;
	const char *initctl;	/* a sysvinit-style request FIFO to serve */
	const char *reboot_file; /* --reboot-until FILE:N: a boot counter */
	int spawn;		/* --spawn N: children to try to fork (a fork loop) */
	int reboot_until;
	struct rule rules[MAX_RULES];
	size_t n_rules;
};

/* Set by the handler, consumed by the main loop: the handler itself must stay async-signal-safe. */
static volatile sig_atomic_t pending[NSIG];
static int log_fd = -1;
static pid_t sleeper;
static int sleeper_pidfd = -1;

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "PWR", SIGPWR }, { "SYS", SIGSYS },
};

static int usage(FILE *f, int code)
{
	fputs("usage: testinit [OPTION...]\n\n"
	      "A scriptable init for tests. By default it reaps children forever.\n\n"
	      "  --ready PATH        create PATH once the signal handlers are installed\n"
	      "  --on SIG=ACTION     on SIG (TERM, SIGUSR2, PWR, RTMIN+4, 38, ...) do ACTION:\n"
	      "                        exit:N          exit with code N\n"
	      "                        halt            reboot(RB_POWER_OFF): init dies by SIGINT\n"
	      "                        reboot          reboot(RB_AUTOBOOT): init dies by SIGHUP\n"
	      "                        ignore-handled  catch the signal and do nothing\n"
	      "                        log             append \"got SIGNAME\" to the --log file\n"
	      "                      repeatable; several actions for one SIG run in order\n"
	      "  --ignore-all        set every catchable signal to SIG_IGN (before --on)\n"
	      "  --log PATH          append \"started pid=N\" and 'log' actions to PATH\n"
	      "  --exit N            exit with code N right after start (after --ready)\n"
	      "  --hostname-to PATH  write the hostname to PATH\n"
	      "  --sleep-child       keep a child process running forever\n"
	      "  --reboot-until FILE:N  count boots in FILE; reboot(2) at once until N boots\n"
	      "  --spawn N           try to fork N sleeping children; log how many forks worked\n"
	      "  --initctl PATH      serve a sysvinit initctl FIFO at PATH: a valid runlevel-0\n"
	      "                      request halts (logged as \"initctl runlevel 0\")\n"
	      "  --help              show this help\n", f);
	return code;
}

/* Prints the reason, if any (getopt has printed its own), and a pointer to --help. */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fputs("testinit: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs("Try 'testinit --help'.\n", stderr);
	return TESTINIT_EXIT_USAGE;
}

static int parse_int(const char *s, int min, int max, int *ret)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

/* Accepts TERM, SIGTERM, term, 15, RTMIN, RTMIN+N and RTMAX-N, and only signals a handler can
 * catch, so a typo fails here instead of as a test that waits forever. */
static int parse_signal(const char *s, int *ret)
{
	int sig = 0, n;
	int rt_span = SIGRTMAX - SIGRTMIN;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (parse_int(s, 1, SIGRTMAX, &sig) == 0)
		;
	else if (strcasecmp(s, "RTMIN") == 0)
		sig = SIGRTMIN;
	else if (strncasecmp(s, "RTMIN+", 6) == 0 && parse_int(s + 6, 0, rt_span, &n) == 0)
		sig = SIGRTMIN + n;
	else if (strcasecmp(s, "RTMAX") == 0)
		sig = SIGRTMAX;
	else if (strncasecmp(s, "RTMAX-", 6) == 0 && parse_int(s + 6, 0, rt_span, &n) == 0)
		sig = SIGRTMAX - n;
	for (size_t i = 0; sig == 0 && i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (strcasecmp(s, signal_names[i].name) == 0)
			sig = signal_names[i].sig;
	/* Between SIGSYS and SIGRTMIN lie the numbers libc keeps for its threads. */
	if (sig == 0 || sig == SIGKILL || sig == SIGSTOP || (sig > SIGSYS && sig < SIGRTMIN))
		return -EINVAL;
	*ret = sig;
	return 0;
}

static void signal_name(int sig, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (signal_names[i].sig == sig) {
			snprintf(buf, size, "SIG%s", signal_names[i].name);
			return;
		}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, size, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, size, "SIG%d", sig);
}

static int parse_rule(const char *arg, struct rule *r)
{
	char name[32];
	const char *eq = strchr(arg, '=');

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		return -EINVAL;
	memcpy(name, arg, eq - arg);
	name[eq - arg] = '\0';
	if (parse_signal(name, &r->sig) < 0)
		return -EINVAL;

	const char *action = eq + 1;
	if (strncmp(action, "exit:", 5) == 0) {
		r->action = ACTION_EXIT;
		return parse_int(action + 5, 0, 255, &r->code);
	}
	static const struct {
		const char *name;
		enum action action;
	} actions[] = {
		{ "halt", ACTION_HALT }, { "reboot", ACTION_REBOOT },
		{ "ignore-handled", ACTION_IGNORE_HANDLED }, { "log", ACTION_LOG },
	};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(action, actions[i].name) == 0) {
			r->action = actions[i].action;
			return 0;
		}
	return -EINVAL;
}

static bool has_log_rule(const struct options *o)
{
	for (size_t i = 0; i < o->n_rules; i++)
		if (o->rules[i].action == ACTION_LOG)
			return true;
	return false;
}

/* Returns -1 to go on, or the exit code main() should return. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "ready", required_argument, NULL, 'r' },
		{ "on", required_argument, NULL, 'o' },
		{ "ignore-all", no_argument, NULL, 'i' },
		{ "log", required_argument, NULL, 'l' },
		{ "exit", required_argument, NULL, 'e' },
		{ "hostname-to", required_argument, NULL, 'H' },
		{ "sleep-child", no_argument, NULL, 's' },
		{ "initctl", required_argument, NULL, 'I' },
		{ "reboot-until", required_argument, NULL, 'B' },
		{ "spawn", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	*o = (struct options){ .exit_code = -1 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->ready = optarg; break;
		case 'l': o->log = optarg; break;
		case 'H': o->hostname_to = optarg; break;
		case 'i': o->ignore_all = true; break;
		case 's': o->sleep_child = true; break;
		case 'I': o->initctl = optarg; break;
		case 'S':
			if (parse_int(optarg, 1, 100000, &o->spawn) < 0)
				return usage_error("bad --spawn '%s'", optarg);
			break;
		case 'B': {
			char *colon = strrchr(optarg, ':');
			if (!colon || parse_int(colon + 1, 1, 1000000, &o->reboot_until) < 0)
				return usage_error("bad --reboot-until '%s' (FILE:N)", optarg);
			*colon = '\0';
			o->reboot_file = optarg;
			break;
		}
		case 'h': return usage(stdout, 0);
		case 'e':
			if (parse_int(optarg, 0, 255, &o->exit_code) < 0)
				return usage_error("bad exit code '%s' (0-255)", optarg);
			break;
		case 'o':
			if (o->n_rules == MAX_RULES)
				return usage_error("more than %d --on options", MAX_RULES);
			if (parse_rule(optarg, &o->rules[o->n_rules]) < 0)
				return usage_error("bad --on '%s'", optarg);
			o->n_rules++;
			break;
		default:
			return usage_error(NULL);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (has_log_rule(o) && !o->log)
		return usage_error("a 'log' action needs --log PATH");
	return -1;
}

/* Called from the main loop only, never from a handler. One write() per line, so lines appended
 * with O_APPEND by several writers never interleave. */
__attribute__((format(printf, 1, 2)))
static void log_line(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (log_fd < 0)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write(log_fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static int write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, data, strlen(data));
	int r = n < 0 ? -errno : 0;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* Exits without leaving the sleeper behind, which matters when testinit is not PID 1 (as PID 1,
 * the kernel kills the namespace anyway). The pidfd, not the pid, is signalled: with --ignore-all
 * the kernel reaps the sleeper itself, and its pid may already belong to someone else. */
static noreturn void finish(int code)
{
	if (sleeper > 0) {
		long r = sleeper_pidfd >= 0
			? syscall(SYS_pidfd_send_signal, sleeper_pidfd, SIGKILL, NULL, 0)
			: kill(sleeper, SIGKILL);
		while (r == 0 && waitpid(sleeper, NULL, 0) < 0 && errno == EINTR)
			;
	}
	_exit(code);
}

/* Refuses unless PID 1: testinit run by hand on the host as root must never power it off. In a
 * pid namespace, reboot(2) kills its init instead (SIGINT for halt, SIGHUP for restart). If it
 * fails (e.g. CAP_SYS_BOOT dropped), testinit says so and keeps running, as a real init would. */
static void try_reboot(int cmd, const char *what)
{
	if (getpid() != 1) {
		fprintf(stderr, "testinit: refusing to %s: not PID 1\n", what);
		log_line("%s refused: not PID 1\n", what);
		return;
	}
	if (reboot(cmd) < 0) {
		int err = errno;
		fprintf(stderr, "testinit: %s failed: %s\n", what, strerror(err));
		log_line("%s failed: %s\n", what, strerror(err));
	}
}

static void run_rules(const struct options *o, int sig)
{
	char name[32];

	for (size_t i = 0; i < o->n_rules; i++) {
		const struct rule *r = &o->rules[i];
		if (r->sig != sig)
			continue;
		switch (r->action) {
		case ACTION_EXIT: finish(r->code);
		case ACTION_HALT: try_reboot(RB_POWER_OFF, "halt"); break;
		case ACTION_REBOOT: try_reboot(RB_AUTOBOOT, "reboot"); break;
		case ACTION_IGNORE_HANDLED: break;
		case ACTION_LOG:
			signal_name(sig, name, sizeof(name));
			log_line("got %s\n", name);
			break;
		}
	}
}

static void reap_children(void)
{
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0 || (pid < 0 && errno == EINTR))
		if (pid == sleeper) {
			sleeper = 0;
			close(sleeper_pidfd);
			sleeper_pidfd = -1;
		}
}

static void on_signal(int sig)
{
	pending[sig] = 1;
}

/* Handled signals stay blocked except inside sigsuspend(), so a flag can never be set between the
 * check and the wait (the classic lost wake-up). Every other signal is unblocked whatever mask we
 * inherited: the test decides how this init behaves, not whoever started it. Returns -errno if a
 * handler cannot be installed. */
static int install_handlers(const struct options *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t handled;

	/* Start from known dispositions too: a shell starting us in the background, for one, leaves
	 * SIGINT and SIGQUIT ignored. Fails for SIGKILL, SIGSTOP and libc's own signals: fine. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, o->ignore_all ? SIG_IGN : SIG_DFL);

	sigemptyset(&handled);
	if (!o->ignore_all)
		sigaddset(&handled, SIGCHLD);	/* --ignore-all lets the kernel reap instead */
	for (size_t i = 0; i < o->n_rules; i++)
		sigaddset(&handled, o->rules[i].sig);
	if (sigprocmask(SIG_SETMASK, &handled, NULL) < 0)
		return -errno;
	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&handled, sig) == 1 && sigaction(sig, &sa, NULL) < 0)
			return -errno;
	return 0;
}

static noreturn void sleep_forever(pid_t parent)
{
	/* Dies with testinit even if that is SIGKILLed outside a pid namespace; re-check the parent
	 * in case it died before the prctl. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "testinit-sleep");
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (;;)
		pause();
}

static int start_sleeper(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		sleep_forever(parent);
	sleeper = pid;
	sleeper_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);	/* -1 on old kernels: use the pid */
	return 0;
}

/* Reports a failed setup step and exits; r is a negative errno. */
__attribute__((format(printf, 2, 3)))
static noreturn void fail(int r, const char *fmt, ...)
{
	va_list ap;

	fputs("testinit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(-r));
	finish(TESTINIT_EXIT_FAILURE);
}

static void write_hostname(const char *path)
{
	char host[HOST_NAME_MAX + 2];	/* the name, "\n" and NUL */

	if (gethostname(host, HOST_NAME_MAX + 1) < 0)
		fail(-errno, "cannot get the hostname");
	host[HOST_NAME_MAX] = '\0';	/* gethostname() need not terminate a truncated name */
	strcat(host, "\n");
	int r = write_file(path, host);
	if (r < 0)
		fail(r, "cannot write '%s'", path);
}

static void setup(const struct options *o)
{
	int r;

	if (o->log) {
		log_fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0)
			fail(-errno, "cannot open log '%s'", o->log);
		log_line("started pid=%d\n", (int)getpid());
	}
	if (o->hostname_to)
		write_hostname(o->hostname_to);
	r = install_handlers(o);
	if (r < 0)
		fail(r, "cannot install signal handlers");
	if (o->sleep_child && (r = start_sleeper()) < 0)
		fail(r, "cannot fork the sleeping child");
	if (o->ready && (r = write_file(o->ready, "")) < 0)
		fail(r, "cannot create '%s'", o->ready);
}

/* A fork loop that survives its forks failing (at pids.max): children just sleep. */
static void spawn_children(int n)
{
	int ok = 0, failed = 0;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid > 0)
			ok++;
		else
			failed++;
	}
	log_line("spawned %d failed %d\n", ok, failed);
}

/* Counts this boot in the file; reboots at once while fewer than N boots have been counted. */
static void count_boot(const struct options *o)
{
	char buf[32] = "";
	int n = 0, fd = open(o->reboot_file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		fail(-errno, "cannot open '%s'", o->reboot_file);
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		n = atoi(buf);
	n++;
	snprintf(buf, sizeof(buf), "%d\n", n);
	if (pwrite(fd, buf, strlen(buf), 0) < 0)
		fail(-errno, "cannot write '%s'", o->reboot_file);
	close(fd);
	if (n < o->reboot_until)
		try_reboot(RB_AUTOBOOT, "reboot");
}

/* Like sysvinit: the FIFO is opened read-write so that it never sees EOF between writers. */
static int open_initctl(const char *path)
{
	int fd;

	if (mkfifo(path, 0600) < 0 && errno != EEXIST)
		fail(-errno, "cannot create FIFO '%s'", path);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		fail(-errno, "cannot open FIFO '%s'", path);
	return fd;
}

/* Reads one struct init_request (magic, cmd, runlevel, sleeptime, 368 bytes of data). */
static void serve_initctl(int fd)
{
	int32_t req[96];
	ssize_t n = read(fd, req, sizeof(req));

	if (n < 0)
		return;
	if (n != (ssize_t)sizeof(req) || req[0] != 0x03091969 || req[1] != 1) {
		log_line("initctl bad request (%zd bytes)\n", n);
		return;
	}
	log_line("initctl runlevel %c\n", (char)req[2]);
	if (req[2] == '0')
		try_reboot(RB_POWER_OFF, "halt");
}

/* Sleeps until a signal (handled signals are unblocked only here) or an initctl request. */
static void wait_for_work(int initctl_fd, const sigset_t *unblocked)
{
	struct pollfd p = { .fd = initctl_fd, .events = POLLIN };

	if (initctl_fd < 0) {
		sigsuspend(unblocked);
		return;
	}
	if (ppoll(&p, 1, NULL, unblocked) > 0 && (p.revents & POLLIN))
		serve_initctl(initctl_fd);
}

int main(int argc, char **argv)
{
	int initctl_fd = -1;
	struct options o;
	sigset_t unblocked;

	int r = parse_args(argc, argv, &o);
	if (r >= 0)
		return r;
	if (o.initctl)
		initctl_fd = open_initctl(o.initctl);
	setup(&o);
	if (o.reboot_file)
		count_boot(&o);
	if (o.spawn)
		spawn_children(o.spawn);
	if (o.exit_code >= 0)
		finish(o.exit_code);

	sigemptyset(&unblocked);
	for (;;) {
		for (int sig = 1; sig < NSIG; sig++) {
			if (!pending[sig])
				continue;
			pending[sig] = 0;
			if (sig == SIGCHLD)
				reap_children();
			run_rules(&o, sig);
		}
		wait_for_work(initctl_fd, &unblocked);
	}
}
