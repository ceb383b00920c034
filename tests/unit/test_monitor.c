/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor without root: the real ct_monitor_run() (its loop, signalfd, timers, command socket,
 * state machine, stop methods, freezing) runs in a forked process against fakes for what needs
 * privileges, put in at link time (-Wl,--wrap): the clone of init is a fork of a scripted fake init
 * (a plain process: real pidfd, real signals, real SIGCHLD, the real sync protocol), the cgroup is
 * a bookkeeping fake, /dev and the device policy are skipped. The test talks to the monitor as the
 * tools do, through the socket, and checks what each stop ended with and what the fakes saw. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cgroup/cgroup.h"
#include "cgroup/devices.h"
#include "cmd/client.h"
#include "cmd/rundir.h"
#include "config/config.h"
#include "monitor/monitor.h"
#include "spawn/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* ---- what the fake init does (chosen by the test before the monitor is forked) ---- */

enum init_kind {
	INIT_GRACEFUL,   /* catches SIGTERM, exits 0 */
	INIT_DEAF,       /* catches nothing: the kernel would drop SIGTERM for a namespace init */
	INIT_STUBBORN,   /* catches SIGTERM and goes on: only the deadline ends it */
	INIT_SLOW,       /* takes 600 ms to reach exec, then graceful */
	INIT_SETUP_FAIL, /* reports a failed setup step */
	INIT_EXIT,       /* exits 7 right after exec */
	INIT_REBOOT,     /* dies of SIGHUP (reboot(2) in a pid namespace) once, then graceful */
	INIT_CHATTY,     /* graceful; prints lines without end on its stdio (a log, a terminal) */
	INIT_ECHO,       /* graceful; prints "hello", then echoes what it reads on its terminal */
	INIT_SYSTEMD,    /* exits on SIGRTMIN+4 (systemd's poweroff), marks a forwarded SIGUSR1 */
	INIT_DIE_SETUP,  /* dies during setup without a report (killed from outside, say) */
};

static enum init_kind kind;
static char top[64];      /* the test's scratch directory */
static char rundir[128];  /* the run dir in it */
static char marks[128];   /* where the fakes leave marks (one file per mark) */

static void mark(const char *what)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", marks, what);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
}

static bool marked(const char *what)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", marks, what);
	return access(path, F_OK) == 0;
}

static unsigned count_spawns(void)
{
	char path[256];
	unsigned n = 0;

	for (;; n++) {
		snprintf(path, sizeof(path), "%s/spawn%u", marks, n + 1);
		if (access(path, F_OK) < 0)
			return n;
	}
}

static void on_term(int sig)
{
	_exit(0);
}

static void on_term_ignore(int sig)
{
}

static void on_usr1(int sig)
{
	mark("got-usr1");
}

static _Noreturn void chatter(void)
{
	static const char line[] = "chatter chatter chatter chatter chatter chatter chatter\n";

	for (;;)
		if (write(STDOUT_FILENO, line, sizeof(line) - 1) < 0)
			pause();
}

/* On SIGWINCH: the terminal's new size, as the container sees it. */
static void on_winch(int sig)
{
	struct winsize ws;
	char line[64];
	int n;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	n = snprintf(line, sizeof(line), "size %ux%u\n", ws.ws_row, ws.ws_col);
	(void)!write(STDOUT_FILENO, line, (size_t)n);
}

static _Noreturn void echo_terminal(void)
{
	char buf[256];
	ssize_t n;

	struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };

	sigaction(SIGWINCH, &sa, NULL);

	(void)!write(STDOUT_FILENO, "hello\n", 6);
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		(void)!write(STDOUT_FILENO, buf, (size_t)n);
	for (;;)
		pause();
}

/* The child side of the sync protocol, as spawn-child.c speaks it. */
static _Noreturn void fake_init(int sync_fd, unsigned ordinal)
{
	struct ct_setup_report rep = { .step = CT_STEP_EXEC };
	char go[1 + CT_MOUNTS_MAX];

	if (recv(sync_fd, go, sizeof(go), 0) <= 0 || kind == INIT_DIE_SETUP)
		_exit(125);
	if (kind == INIT_SETUP_FAIL) {
		rep = (struct ct_setup_report){ .step = CT_STEP_MOUNT_PROC, .error = -ENOENT };
		snprintf(rep.detail, sizeof(rep.detail), "/proc");
		(void)!write(sync_fd, &rep, sizeof(rep));
		_exit(125);
	}
	if (kind == INIT_GRACEFUL || kind == INIT_SLOW || kind == INIT_CHATTY || kind == INIT_ECHO ||
	    (kind == INIT_REBOOT && ordinal > 1))
		signal(SIGTERM, on_term);
	else if (kind == INIT_STUBBORN)
		signal(SIGTERM, on_term_ignore);
	if (kind == INIT_SYSTEMD) {
		signal(SIGRTMIN + 4, on_term);
		signal(SIGUSR1, on_usr1);
	}
	/* Held in STARTING until the test has its requests in (a mark), at most 10 s. */
	for (int i = 0; kind == INIT_SLOW && i < 1000 && !marked("release"); i++)
		usleep(10000);
	(void)!write(sync_fd, &rep, sizeof(rep));
	close(sync_fd);
	if (kind == INIT_EXIT)
		_exit(7);
	if (kind == INIT_CHATTY)
		chatter();
	if (kind == INIT_ECHO)
		echo_terminal();
	if (kind == INIT_REBOOT && ordinal == 1) {
		usleep(100 * 1000);
		signal(SIGHUP, SIG_DFL);
		raise(SIGHUP);
	}
	for (;;)
		pause();
}

/* ---- the fakes (the monitor process's side) ---- */

int __wrap_ct_spawn(const struct ct_spawn_plan *p, int *ret_pidfd, pid_t *ret_pid, int *ret_sync_fd)
{
	unsigned ordinal = count_spawns() + 1;
	char name[32];
	int sv[2], pidfd;
	pid_t pid;

	snprintf(name, sizeof(name), "spawn%u", ordinal);
	mark(name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = ct_fork_pidfd(&pidfd);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(sv[0]);
		sigprocmask(SIG_SETMASK, &p->child_mask, NULL);
		if (p->stdio_fd >= 0) /* the daemon's log pipe, as spawn-child.c does */
			dup2(p->stdio_fd, STDOUT_FILENO), dup2(p->stdio_fd, STDERR_FILENO);
		if (p->tty_fd >= 0) { /* the container's terminal, as ctinit gives it */
			setsid();
			for (int fd = 0; fd <= 2; fd++)
				dup2(p->tty_fd, fd);
			ioctl(STDIN_FILENO, TIOCSCTTY, 0);
		}
		fake_init(sv[1], ordinal);
	}
	close(sv[1]);
	*ret_pidfd = pidfd;
	*ret_pid = pid;
	*ret_sync_fd = sv[0];
	return 0;
}

/* The cgroup: a directory of the test's (for the device policy's open()), a frozen flag. */
static bool cg_frozen;
static int freeze_error; /* what ct_cgroup_set_frozen(true) fails with, 0: works */
static int thaw_error;   /* what ct_cgroup_set_frozen(false) fails with, 0: works */
static int helper_status; /* what the fake helpers exit with once they sent SIGTERM */

int __wrap_ct_cgroup_create(const struct ct_cgroup_config *cfg, const char *leaf,
			    struct ct_cgroup *ret, char *what, size_t what_size)
{
	*ret = (struct ct_cgroup){ .v2_fd = -1 };
	snprintf(ret->v2, sizeof(ret->v2), "%s", top);
	snprintf(ret->payload, sizeof(ret->payload), "%s", top);
	mark("cgroup-created");
	return 0;
}

bool __wrap_ct_cgroup_needs_attach(const struct ct_cgroup *cg) { return false; }
int __wrap_ct_cgroup_attach(const struct ct_cgroup *cg, pid_t pid, bool v2_too) { return 0; }
int __wrap_ct_cgroup_delegate(const struct ct_cgroup *cg, uid_t uid, gid_t gid) { return 0; }
bool __wrap_ct_cgroup_populated(const struct ct_cgroup *cg) { return false; }
int __wrap_ct_cgroup_kill(const struct ct_cgroup *cg) { return 0; }
static int freeze_polls; /* ct_cgroup_is_frozen() says "not yet" this many times first */

int __wrap_ct_cgroup_is_frozen(const struct ct_cgroup *cg)
{
	if (freeze_polls > 0) {
		freeze_polls--;
		return 0;
	}
	return cg_frozen;
}

int __wrap_ct_cgroup_set_frozen(const struct ct_cgroup *cg, bool frozen)
{
	if (frozen && freeze_error)
		return freeze_error;
	if (!frozen && thaw_error)
		return thaw_error;
	cg_frozen = frozen;
	mark(frozen ? "frozen" : "thawed");
	return 0;
}

int __wrap_ct_cgroup_usage(const struct ct_cgroup *cg, struct ct_cgroup_usage *ret)
{
	return -ENOENT;
}

int __wrap_ct_cgroup_remove(struct ct_cgroup *cg)
{
	mark("cgroup-removed");
	return 0;
}

int __wrap_ct_devices_attach(int cgroup_fd, const struct ct_device_rule *extra, size_t n_extra)
{
	return 0;
}

int __wrap_ct_spawn_dev(uid_t uid, gid_t gid, bool terminal, int *ret_fd)
{
	*ret_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return *ret_fd < 0 ? -errno : 0;
}

/* The container's terminal: a pty of the host's devpts (the real one makes a devpts instance of
 * the container's, which needs root). */
int __wrap_ct_spawn_tty(uid_t uid, gid_t tty_gid, struct ct_spawn_tty *ret)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (master < 0 || unlockpt(master) < 0)
		return -errno;
	*ret = (struct ct_spawn_tty){ .devpts_fd = -1, .master_fd = master, .console_fd = -1,
				      .slave_fd = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC) };
	mark("tty");
	return ret->slave_fd < 0 ? -errno : 0;
}

/* The helpers run the method against the fake init: SIGTERM for the exec method's command. */
/* A ctexec session's helper: says what it runs on its stdout; "wait" waits for its session
 * socket to end first; exits with its second argument. */
static _Noreturn void fake_session(const struct ct_exec_spec *x)
{
	char line[128], buf[16];
	int n = snprintf(line, sizeof(line), "ran %s as '%s' in '%s'\n", x->argv[0],
			 x->user ? x->user : "", x->cwd ? x->cwd : "");

	mark("session");
	(void)!write(x->out_fd, line, (size_t)n);
	if (strcmp(x->argv[0], "wait") == 0)
		while (read(x->ctl_fd, buf, sizeof(buf)) > 0)
			;
	_exit(x->argv[1] ? atoi(x->argv[1]) : 0);
}

_Noreturn void __wrap_ct_helper_exec(int init_pidfd, unsigned long namespaces,
				     const struct ct_confine *confine, const struct ct_exec_spec *x,
				     const sigset_t *mask)
{
	if (strcmp(x->what, "ctexec") == 0)
		fake_session(x);
	mark("helper-exec");
	if (helper_status == 0 || helper_status == 128 + SIGKILL)
		syscall(SYS_pidfd_send_signal, init_pidfd, SIGTERM, NULL, 0);
	if (helper_status == 128 + SIGKILL) /* the command died with init: so does its helper */
		kill(getpid(), SIGKILL);
	_exit(helper_status);
}

_Noreturn void __wrap_ct_helper_initctl(int init_pidfd, bool userns, const sigset_t *mask)
{
	mark("helper-initctl");
	_exit(syscall(SYS_pidfd_send_signal, init_pidfd, SIGTERM, NULL, 0) < 0 ? 1 : 0);
}

/* ---- running a monitor ---- */

struct monitor {
	pid_t pid;
	struct ct_config config;
	const char *log_path; /* run as the daemon does: stdout and stderr into this log */
	int tty;              /* run in the foreground on this terminal (stdio), or -1 */
	char *const *command; /* an application container's command (ctstart -- CMD), or NULL */
};

/* Forks a monitor for container "t" with the config text (rootfs = / and idmap = none come
 * first); waits until its socket answers (or it ended). */
static void monitor_start(struct monitor *mon, const char *extra)
{
	char text[1024];
	struct ct_file_error err;

	snprintf(text, sizeof(text), "rootfs = /\nidmap = none\n%s", extra);
	ct_config_init(&mon->config);
	assert_int_equal(ct_config_parse_string(&mon->config, text, strlen(text), NULL, &err), 0);
	if (mon->command)
		assert_int_equal(ct_config_set_command(&mon->config, mon->command), 0);
	assert_int_equal(ct_config_finalize(&mon->config, &err), 0);
	fflush(stdout); /* the child exits through exit(): nothing of ours may be printed twice */
	fflush(stderr);
	mon->pid = fork();
	assert_true(mon->pid >= 0);
	if (mon->pid == 0) {
		static struct ct_rundir run;
		static const struct ct_idmap none = { .mode = CT_IDMAP_NONE };
		struct ct_monitor_options o = {
			.name = "t", .rundir = rundir, .config = &mon->config, .run = &run,
			.ctinit_fd = -1, .idmap = &none, .notify_fd = -1,
		};

		if (ct_rundir_acquire(rundir, "t", &run) < 0)
			_exit(99);
		if (mon->log_path) {
			int fd = open(mon->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
			dup2(fd, STDOUT_FILENO), dup2(fd, STDERR_FILENO);
			o.log_path = mon->log_path;
		}
		if (mon->tty >= 0) {
			setsid();
			ioctl(mon->tty, TIOCSCTTY, 0);
			for (int fd = 0; fd <= 2; fd++)
				dup2(mon->tty, fd);
		}
		exit(ct_monitor_run(&o));
	}
	for (int i = 0; i < 400 && !ct_rundir_has_socket(rundir, "t"); i++) {
		if (waitpid(mon->pid, NULL, WNOHANG | WNOWAIT) == mon->pid)
			break;
		usleep(5000);
	}
}

/* The monitor's exit code (ctstart's). */
static int monitor_wait(struct monitor *mon)
{
	int st;

	assert_int_equal(waitpid(mon->pid, &st, 0), mon->pid);
	ct_config_free(&mon->config);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void wait_running(void)
{
	struct ct_info info;

	for (int i = 0; i < 400; i++) {
		if (ct_client_info(rundir, "t", &info) == 0 && info.state == CT_STATE_RUNNING)
			return;
		usleep(5000);
	}
	fail_msg("the container did not reach RUNNING");
}

static int setup(void **state)
{
	snprintf(top, sizeof(top), "/tmp/test_monitor.XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(rundir, sizeof(rundir), "%s/run", top);
	snprintf(marks, sizeof(marks), "%s/marks", top);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* Each test starts with no marks and a thawed fake cgroup. */
static int fresh(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", marks, marks);
	assert_int_equal(system(cmd), 0);
	cg_frozen = false;
	freeze_error = thaw_error = helper_status = freeze_polls = 0;
	return 0;
}

/* ---- the tests ---- */

static void test_graceful_stop(void **state)
{
	static char *const command[] = { "/bin/app", "--serve", NULL };
	struct monitor mon = { .tty = -1, .command = command };
	struct ct_stop_result res;

	kind = INIT_GRACEFUL;
	monitor_start(&mon, "env = APP_MODE=test\n");
	wait_running();
	assert_int_equal(ct_client_shutdown(rundir, "t", 5, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.end, CT_END_EXITED);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(res.kill_reason, CT_KILL_NONE);
	assert_int_equal(res.method, CT_SHUTDOWN_APPLICATION);
	assert_non_null(strstr(res.detail, "signal 15"));
	assert_int_equal(monitor_wait(&mon), 0);
	assert_true(marked("cgroup-created") && marked("cgroup-removed"));
	assert_false(ct_rundir_has_socket(rundir, "t"));
}

/* The kernel would drop SIGTERM for an init that does not catch it: killed at once. */
static void test_undeliverable(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;

	kind = INIT_DEAF;
	monitor_start(&mon, "shutdown_method = application\n");
	wait_running();
	/* Within the settle window (3 s after exec) the method is retried: init may still be
	 * installing its handlers. Then it is undeliverable. */
	assert_int_equal(ct_client_shutdown(rundir, "t", 30, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_UNDELIVERABLE);
	assert_int_equal(res.end, CT_END_KILLED);
	assert_int_equal(res.error, -EOPNOTSUPP);
	assert_int_equal(monitor_wait(&mon), 128 + SIGKILL);
}

/* An init that takes SIGTERM and goes on is killed at the deadline. */
static void test_timeout(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;

	kind = INIT_STUBBORN;
	monitor_start(&mon, "shutdown_timeout = 1\n");
	wait_running();
	assert_int_equal(ct_client_shutdown(rundir, "t", CT_TIMEOUT_DEFAULT, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_TIMEOUT);
	assert_true(res.elapsed_ms >= 900);
	assert_int_equal(monitor_wait(&mon), 128 + SIGKILL);
}

/* A second, tighter request tightens the deadline; -t 0 kills at once. */
static void test_join_and_tighten(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;
	pid_t first;

	kind = INIT_STUBBORN;
	monitor_start(&mon, "");
	wait_running();
	fflush(stdout);
	first = fork();
	if (first == 0)
		_exit(ct_client_shutdown(rundir, "t", 60, 0, NULL, NULL, &res) == 0 &&
		      res.kill_reason == CT_KILL_TIMEOUT ? 0 : 1);
	/* The second request once the first is under way */
	struct ct_info info = { 0 };
	for (int i = 0; i < 1000 && info.state != CT_STATE_STOPPING; i++) {
		usleep(10000);
		assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	}
	assert_int_equal(info.state, CT_STATE_STOPPING);
	assert_int_equal(ct_client_shutdown(rundir, "t", 0, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_TIMEOUT);
	assert_true(res.elapsed_ms < 30000);
	int st;
	assert_int_equal(waitpid(first, &st, 0), first);
	assert_int_equal(WEXITSTATUS(st), 0); /* the first caller learnt the same end */
	monitor_wait(&mon);
}

static void test_force(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;

	kind = INIT_STUBBORN;
	monitor_start(&mon, "");
	wait_running();
	assert_int_equal(ct_client_stop(rundir, "t", &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_FORCE);
	assert_int_equal(monitor_wait(&mon), 128 + SIGKILL);
	assert_int_equal(ct_client_stop(rundir, "t", &res), -ESRCH);
}

/* The stop was accepted (queued): the slow init may go on. */
static void release_on_accepted(const struct ct_progress *ev, void *userdata)
{
	if (ev && ev->kind == CT_PROGRESS_ACCEPTED)
		mark("release");
}

/* A graceful stop during STARTING waits for the container to run, then runs the method. */
static void test_queued_stop(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;
	struct ct_info info;

	kind = INIT_SLOW;
	monitor_start(&mon, "");
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_int_equal(info.state, CT_STATE_STARTING);
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_FREEZE, 1000), -EBUSY);
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, release_on_accepted, NULL, &res), 0);
	assert_true(marked("release"));
	assert_int_equal(res.kill_reason, CT_KILL_NONE);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(monitor_wait(&mon), 0);
}

/* A forced stop during STARTING cancels the start; a queued stop with -t 0 is a timeout at once. */
static void test_stops_during_start(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;

	kind = INIT_SLOW;
	monitor_start(&mon, "");
	assert_int_equal(ct_client_stop(rundir, "t", &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_FORCE);
	assert_int_equal(monitor_wait(&mon), CT_EXIT_START_FAILED);

	monitor_start(&mon, "");
	assert_int_equal(ct_client_shutdown(rundir, "t", 0, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_TIMEOUT);
	assert_int_equal(monitor_wait(&mon), CT_EXIT_START_FAILED);
}

static void test_setup_failure(void **state)
{
	struct monitor mon = { .tty = -1 };

	kind = INIT_SETUP_FAIL;
	monitor_start(&mon, "");
	assert_int_equal(monitor_wait(&mon), CT_EXIT_START_FAILED);
	assert_true(marked("cgroup-removed"));
}

/* A child that dies during setup without a word did not start. */
static void test_dies_in_setup(void **state)
{
	struct monitor mon = { .tty = -1 };

	kind = INIT_DIE_SETUP;
	monitor_start(&mon, "");
	assert_int_equal(monitor_wait(&mon), CT_EXIT_START_FAILED);
}

static void test_init_exits(void **state)
{
	struct monitor mon = { .tty = -1 };

	kind = INIT_EXIT;
	monitor_start(&mon, "");
	assert_int_equal(monitor_wait(&mon), 7);
}

/* reboot(2) in a pid namespace ends init by SIGHUP: the container starts again in place. */
static void test_reboot(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;
	struct ct_info info;

	kind = INIT_REBOOT;
	monitor_start(&mon, "");
	for (int i = 0; i < 400 && count_spawns() < 2; i++)
		usleep(5000);
	assert_int_equal(count_spawns(), 2);
	wait_running();
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_int_equal(info.reboots, 1);
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(monitor_wait(&mon), 0);
}

static void test_freeze_thaw(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;
	struct ct_info info;

	kind = INIT_GRACEFUL;
	freeze_polls = 3; /* the kernel takes a few polls to say "frozen" */
	monitor_start(&mon, "");
	wait_running();
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_THAW, 1000), -EALREADY);
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_FREEZE, 5000), 0);
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_int_equal(info.state, CT_STATE_FROZEN);
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_FREEZE, 5000), 0); /* again: fine */
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_THAW, 1000), 0);
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_int_equal(info.state, CT_STATE_RUNNING);
	/* Frozen again, then stopped gracefully: thawed first. */
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_FREEZE, 5000), 0);
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(monitor_wait(&mon), 0);
	assert_true(marked("thawed"));
}

/* A cgroup that cannot be frozen leaves the container RUNNING (FREEZE_FAILED). */
static void test_freeze_fails(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;
	struct ct_info info;

	kind = INIT_GRACEFUL;
	freeze_error = -EIO;
	monitor_start(&mon, "");
	wait_running();
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_FREEZE, 5000), -EIO);
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_int_equal(info.state, CT_STATE_RUNNING);
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, NULL, NULL, &res), 0);
	assert_int_equal(monitor_wait(&mon), 0);
}

/* The exec and sysvinit methods run in a helper the monitor tracks. */
static void test_helper_methods(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;

	kind = INIT_GRACEFUL;
	monitor_start(&mon, "shutdown_method = exec\nshutdown_command = /bin/true\n");
	wait_running();
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_NONE);
	assert_int_equal(res.method, CT_SHUTDOWN_EXEC);
	assert_int_equal(monitor_wait(&mon), 0);
	assert_true(marked("helper-exec"));

	monitor_start(&mon, "shutdown_method = sysvinit\n");
	wait_running();
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.method, CT_SHUTDOWN_SYSVINIT);
	assert_int_equal(monitor_wait(&mon), 0);
	assert_true(marked("helper-initctl"));
}

/* The daemon's log: what the container prints goes through the monitor into a log it rotates
 * at log.size. */
static void test_daemon_log(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;
	char log[256], rotated[300];
	struct stat st;

	kind = INIT_CHATTY;
	snprintf(log, sizeof(log), "%s/t.log", top);
	snprintf(rotated, sizeof(rotated), "%s.1", log);
	mon.log_path = log;
	monitor_start(&mon, "log.size = 16K\nlog.rotate = 1\n");
	wait_running();
	for (int i = 0; i < 400 && access(rotated, F_OK) < 0; i++)
		usleep(5000);
	assert_int_equal(access(rotated, F_OK), 0);
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, NULL, NULL, &res), 0);
	assert_int_equal(monitor_wait(&mon), 0);
	assert_int_equal(stat(log, &st), 0);
	assert_true(st.st_size <= 16384);
	assert_int_equal(stat(rotated, &st), 0);
	assert_true(st.st_size <= 16384);
}

/* Output the terminal has taken so far, without waiting for more than ms. */
static size_t read_terminal(int master, char *buf, size_t size, const char *until, int ms)
{
	size_t len = 0;

	for (int i = 0; i < ms / 5; i++) {
		ssize_t n = read(master, buf + len, size - 1 - len);
		if (n > 0)
			len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, until) || len + 1 >= size)
			break;
		usleep(5000);
	}
	return len;
}

/* In the foreground on a terminal the container gets a pty of its own, relayed: its output
 * reaches the operator, the operator's typing reaches it, Ctrl-a q stops it. */
static void test_terminal_relay(void **state)
{
	struct monitor mon = { .tty = -1 };
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	char buf[4096];

	assert_true(master >= 0 && unlockpt(master) == 0);
	mon.tty = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(mon.tty >= 0);
	kind = INIT_ECHO;
	monitor_start(&mon, "");
	close(mon.tty);
	wait_running();
	assert_true(marked("tty"));
	read_terminal(master, buf, sizeof(buf), "hello", 5000);
	assert_non_null(strstr(buf, "hello"));
	assert_int_equal(write(master, "ping\r", 5), 5);
	read_terminal(master, buf, sizeof(buf), "ping", 5000);
	assert_non_null(strstr(buf, "ping"));
	/* Ctrl-a a is a Ctrl-a; Ctrl-a and anything else pass as they are: the container reads
	 * "\001\001x" (its echo shows each Ctrl-a as ^A, then echoes the line back). */
	assert_int_equal(write(master, "\001a\001x\r", 5), 5);
	read_terminal(master, buf, sizeof(buf), "\001\001x", 5000);
	assert_non_null(strstr(buf, "\001\001x"));
	/* A new window size of the operator's terminal reaches the container's (SIGWINCH). */
	struct winsize ws = { .ws_row = 33, .ws_col = 77 };
	ioctl(master, TIOCSWINSZ, &ws);
	kill(mon.pid, SIGWINCH);
	read_terminal(master, buf, sizeof(buf), "size 33x77", 5000);
	assert_non_null(strstr(buf, "size 33x77"));
	assert_int_equal(write(master, "\001q", 2), 2); /* Ctrl-a q */
	assert_int_equal(monitor_wait(&mon), 0);
	close(master);
}

/* The systemd method sends SIGRTMIN+4; signals for init sent to the monitor are forwarded. */
/* ---- exec sessions and the console, as ctexec and ctconsole use them ---- */

struct session {
	int conn, ctl, err, in, out; /* our ends */
};

/* Sends an EXEC of argv with fresh pipes and a session socket (or, with bad_stdin, a regular
 * file as its stdin); returns the monitor's immediate refusal or 0 (the reply comes later). */
static int exec_start(struct session *s, char *const *argv, bool bad_stdin)
{
	int ctl[2], err[2], in[2], out[2];
	struct ct_frame f;
	int r;

	assert_int_equal(ct_client_connect(rundir, "t", &s->conn), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	int file = open(marks, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int far[] = { ctl[1], err[1], bad_stdin ? file : in[0], out[1] };

	assert_int_equal(ct_proto_request_exec(&f, 0, 0, 0, "alice", "/w", argv, NULL), 0);
	r = ct_client_send_fds(s->conn, &f, far, 4);
	for (int i = 0; i < 4; i++)
		close(far[i]);
	close(in[0] == far[2] ? file : in[0]);
	*s = (struct session){ .conn = s->conn, .ctl = ctl[0], .err = err[0], .in = in[1],
			       .out = out[0] };
	return r;
}

/* The next frame of the session's connection: its type, and the result of a reply. */
static uint16_t exec_frame(struct session *s, struct ct_exec_result *res, int *result)
{
	uint8_t buf[CT_PROTO_FRAME_MAX];
	struct pollfd p = { .fd = s->conn, .events = POLLIN };
	struct ct_cursor c;
	struct ct_msg m;
	ssize_t n;

	assert_int_equal(poll(&p, 1, 10000), 1);
	n = recv(s->conn, buf, sizeof(buf), 0);
	assert_true(n > 0);
	assert_int_equal(ct_msg_decode(buf, (size_t)n, &m), 0);
	if (m.type & CT_MSG_REPLY) {
		*result = ct_proto_parse_reply(&m, CT_CMD_EXEC, &c);
		if (*result == 0)
			assert_int_equal(ct_proto_parse_exec_result(&c, res), 0);
	}
	return m.type;
}

static void session_close(struct session *s)
{
	close(s->conn);
	close(s->ctl);
	close(s->err);
	close(s->in);
	close(s->out);
}

static void test_exec_sessions(void **state)
{
	static char *const run7[] = { "run", "7", NULL };
	static char *const wait0[] = { "wait", "0", NULL };
	struct monitor mon = { .tty = -1 };
	struct ct_exec_result res;
	struct session s, w;
	struct ct_info info;
	char buf[256] = "";
	int result = 1;

	kind = INIT_GRACEFUL;
	monitor_start(&mon, "");
	wait_running();
	/* A session runs, says so on its stdout, and its status comes back. */
	assert_int_equal(exec_start(&s, run7, false), 0);
	assert_int_equal(exec_frame(&s, &res, &result), CT_CMD_EXEC | CT_MSG_REPLY);
	assert_int_equal(result, 0);
	assert_int_equal(res.end, CT_END_EXITED);
	assert_int_equal(res.exit_code, 7);
	assert_true(read(s.out, buf, sizeof(buf) - 1) > 0);
	assert_non_null(strstr(buf, "ran run as 'alice' in '/w'"));
	session_close(&s);
	/* A host directory as its stdin: refused, nothing started. */
	assert_int_equal(exec_start(&s, run7, true), 0);
	assert_int_equal(exec_frame(&s, &res, &result), CT_CMD_EXEC | CT_MSG_REPLY);
	assert_int_equal(result, -EBADF);
	session_close(&s);
	/* Frozen: refused. */
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_FREEZE, 5000), 0);
	assert_int_equal(exec_start(&s, run7, false), 0);
	assert_int_equal(exec_frame(&s, &res, &result), CT_CMD_EXEC | CT_MSG_REPLY);
	assert_int_equal(result, -EBUSY);
	session_close(&s);
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_THAW, 5000), 0);
	/* A session running is counted, told when the container stops, answered when it ends. */
	assert_int_equal(exec_start(&w, wait0, false), 0);
	for (int i = 0; i < 400 && !marked("session"); i++)
		usleep(5000);
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_int_equal(info.exec_sessions, 1);
	kill(mon.pid, SIGTERM); /* a graceful stop */
	assert_int_equal(exec_frame(&w, &res, &result), CT_CMD_EXEC | CT_MSG_EVENT);
	close(w.ctl); /* the client goes: the session ends */
	w.ctl = -1;
	assert_int_equal(exec_frame(&w, &res, &result), CT_CMD_EXEC | CT_MSG_REPLY);
	assert_int_equal(result, 0);
	assert_int_equal(res.exit_code, 0);
	session_close(&w);
	assert_int_equal(monitor_wait(&mon), 0);
}

/* A session that outlives a forced stop is killed when the monitor finishes; its client learns. */
static void test_exec_killed_at_the_end(void **state)
{
	static char *const wait0[] = { "wait", "0", NULL };
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result stop;
	struct ct_exec_result res;
	struct session w;
	int result = 1;

	kind = INIT_GRACEFUL;
	monitor_start(&mon, "");
	wait_running();
	assert_int_equal(exec_start(&w, wait0, false), 0);
	for (int i = 0; i < 400 && !marked("session"); i++)
		usleep(5000);
	assert_int_equal(ct_client_stop(rundir, "t", &stop), 0);
	assert_int_equal(exec_frame(&w, &res, &result), CT_CMD_EXEC | CT_MSG_EVENT);
	assert_int_equal(exec_frame(&w, &res, &result), CT_CMD_EXEC | CT_MSG_REPLY);
	assert_int_equal(result, 0);
	assert_int_equal(res.end, CT_END_KILLED);
	session_close(&w);
	assert_int_equal(monitor_wait(&mon), 137);
}

/* Attaches a console client: its socket, or the refusal. */
static int console_attach(uint32_t flags, uint32_t tail, int *ret, bool pipe_instead)
{
	int conn, sp[2], p[2], r;
	struct ct_frame f;

	assert_int_equal(ct_client_connect(rundir, "t", &conn), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	ct_proto_request_console(&f, flags, tail);
	assert_int_equal(ct_client_send_fds(conn, &f, pipe_instead ? &p[0] : &sp[1], 1), 0);
	close(sp[1]);
	close(p[0]);
	close(p[1]);
	r = ct_client_wait_reply(conn, CT_CMD_CONSOLE, 5000);
	close(conn);
	if (r < 0)
		close(sp[0]);
	else
		*ret = sp[0];
	return r;
}

/* Reads a console client until until shows up. */
static void console_read(int fd, const char *until)
{
	char buf[8192];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		assert_int_equal(poll(&p, 1, 5000), 1);
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		assert_true(n > 0);
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, until))
			return;
	}
	fail_msg("'%s' never came on the console", until);
}

/* A system container under -d: its console (a pty) goes to the log and to clients. */
static void test_console(void **state)
{
	struct monitor mon = { .tty = -1 };
	char log[192], text[4096] = "";
	int a, b, fds[CT_CONSOLE_CLIENTS_MAX], n = 0, fd;
	struct ct_info info;

	snprintf(log, sizeof(log), "%s/console.log", top);
	mon.log_path = log;
	kind = INIT_ECHO;
	monitor_start(&mon, "");
	wait_running();
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_true(info.console);
	assert_string_equal(info.log_path, log);
	/* The boot line is replayed; typing goes in (and is echoed). */
	assert_int_equal(console_attach(0, 4096, &a, false), 0);
	console_read(a, "hello");
	assert_int_equal(console_attach(CT_CONSOLE_READ_ONLY, 0, &b, false), 0);
	assert_int_equal(send(a, "ping\r", 5, 0), 5);
	console_read(b, "ping");
	/* A read-only client's typing never arrives. */
	assert_int_equal(send(b, "secret\r", 7, 0), 7);
	assert_int_equal(send(a, "pong\r", 5, 0), 5);
	console_read(a, "pong");
	/* A pipe for a socket is refused; 16 clients at most. */
	assert_int_equal(console_attach(0, 0, &fd, true), -EBADF);
	for (n = 0; n < CT_CONSOLE_CLIENTS_MAX - 2; n++)
		assert_int_equal(console_attach(0, 0, &fds[n], false), 0);
	assert_int_equal(console_attach(0, 0, &fd, false), -EMFILE);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	close(b);
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, NULL, NULL,
					    &(struct ct_stop_result){ 0 }), 0);
	assert_int_equal(monitor_wait(&mon), 0);
	/* Client a sees the end; the log has it all but the read-only client's typing. */
	char end[64];

	while (recv(a, end, sizeof(end), 0) > 0)
		;
	close(a);
	fd = open(log, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0 && read(fd, text, sizeof(text) - 1) > 0);
	close(fd);
	assert_non_null(strstr(text, "hello"));
	assert_non_null(strstr(text, "ping"));
	assert_null(strstr(text, "secret"));
}

static void test_systemd_and_forwarding(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;

	kind = INIT_SYSTEMD;
	monitor_start(&mon, "shutdown_method = systemd\n");
	wait_running();
	kill(mon.pid, SIGUSR1);
	for (int i = 0; i < 400 && !marked("got-usr1"); i++)
		usleep(5000);
	assert_true(marked("got-usr1"));
	assert_int_equal(ct_client_shutdown(rundir, "t", 10, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.method, CT_SHUTDOWN_SYSTEMD);
	assert_int_equal(res.kill_reason, CT_KILL_NONE);
	assert_int_equal(monitor_wait(&mon), 0);
}

/* A shutdown_command that fails: the method cannot work, init is killed at once. */
static void test_helper_fails(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;

	kind = INIT_GRACEFUL;
	helper_status = 3;
	monitor_start(&mon, "shutdown_method = exec\nshutdown_command = /bin/false\n");
	wait_running();
	assert_int_equal(ct_client_shutdown(rundir, "t", 30, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_UNDELIVERABLE);
	assert_non_null(strstr(res.detail, "status 3"));
	assert_int_equal(monitor_wait(&mon), 128 + SIGKILL);
}

/* A command that makes init exit is SIGKILLed with the container's pid namespace, and its helper,
 * which ends as its command did, may be reaped before init's end arrives: that is no failure. A
 * command that exits 137 by itself is one (test_helper_fails covers a failing exit). */
static void test_helper_killed_with_init(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;

	kind = INIT_GRACEFUL;
	helper_status = 128 + SIGKILL;
	monitor_start(&mon, "shutdown_method = exec\nshutdown_command = /bin/halt\n");
	wait_running();
	assert_int_equal(ct_client_shutdown(rundir, "t", 30, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_NONE);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(monitor_wait(&mon), 0);
}

/* A cgroup that cannot be thawed stays FROZEN (THAW_FAILED); a stop still ends it. */
static void test_thaw_fails(void **state)
{
	struct monitor mon = { .tty = -1 };
	struct ct_stop_result res;
	struct ct_info info;

	kind = INIT_GRACEFUL;
	thaw_error = -EIO;
	monitor_start(&mon, "");
	wait_running();
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_FREEZE, 5000), 0);
	assert_int_equal(ct_client_simple(rundir, "t", CT_CMD_THAW, 1000), -EIO);
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_int_equal(info.state, CT_STATE_FROZEN);
	assert_int_equal(ct_client_stop(rundir, "t", &res), 0);
	assert_int_equal(res.kill_reason, CT_KILL_FORCE);
	monitor_wait(&mon);
}

/* A second SIGTERM to the monitor kills: the operator insists. */
static void test_monitor_second_sigterm(void **state)
{
	struct monitor mon = { .tty = -1 };

	kind = INIT_STUBBORN;
	monitor_start(&mon, "");
	wait_running();
	kill(mon.pid, SIGTERM);
	usleep(200 * 1000);
	kill(mon.pid, SIGTERM);
	assert_int_equal(monitor_wait(&mon), 128 + SIGKILL);
}

/* A reboot on a terminal: the new init gets a new pty behind the same relay, and the operator's
 * terminal gets its mode back at the end (not the raw mode the relay set). */
static void test_terminal_reboot(void **state)
{
	struct monitor mon = { .tty = -1 };
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	struct termios tio;
	struct ct_info info;

	assert_true(master >= 0 && unlockpt(master) == 0);
	mon.tty = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(mon.tty >= 0);
	kind = INIT_REBOOT;
	monitor_start(&mon, "");
	close(mon.tty);
	for (int i = 0; i < 400 && count_spawns() < 2; i++)
		usleep(5000);
	wait_running();
	assert_int_equal(ct_client_info(rundir, "t", &info), 0);
	assert_int_equal(info.reboots, 1);
	assert_int_equal(write(master, "\001q", 2), 2);
	assert_int_equal(monitor_wait(&mon), 0);
	assert_int_equal(tcgetattr(master, &tio), 0);
	assert_true(tio.c_lflag & ICANON);
	assert_true(tio.c_lflag & ECHO);
	close(master);
}

/* SIGTERM to the monitor itself (a host shutdown) stops the container gracefully. */
static void test_monitor_sigterm(void **state)
{
	struct monitor mon = { .tty = -1 };

	kind = INIT_GRACEFUL;
	monitor_start(&mon, "");
	wait_running();
	kill(mon.pid, SIGTERM);
	assert_int_equal(monitor_wait(&mon), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_graceful_stop, fresh),
		cmocka_unit_test_setup(test_undeliverable, fresh),
		cmocka_unit_test_setup(test_timeout, fresh),
		cmocka_unit_test_setup(test_join_and_tighten, fresh),
		cmocka_unit_test_setup(test_force, fresh),
		cmocka_unit_test_setup(test_queued_stop, fresh),
		cmocka_unit_test_setup(test_stops_during_start, fresh),
		cmocka_unit_test_setup(test_setup_failure, fresh),
		cmocka_unit_test_setup(test_init_exits, fresh),
		cmocka_unit_test_setup(test_dies_in_setup, fresh),
		cmocka_unit_test_setup(test_reboot, fresh),
		cmocka_unit_test_setup(test_freeze_thaw, fresh),
		cmocka_unit_test_setup(test_freeze_fails, fresh),
		cmocka_unit_test_setup(test_helper_methods, fresh),
		cmocka_unit_test_setup(test_monitor_sigterm, fresh),
		cmocka_unit_test_setup(test_daemon_log, fresh),
		cmocka_unit_test_setup(test_systemd_and_forwarding, fresh),
		cmocka_unit_test_setup(test_helper_fails, fresh),
		cmocka_unit_test_setup(test_helper_killed_with_init, fresh),
		cmocka_unit_test_setup(test_thaw_fails, fresh),
		cmocka_unit_test_setup(test_monitor_second_sigterm, fresh),
		cmocka_unit_test_setup(test_terminal_relay, fresh),
		cmocka_unit_test_setup(test_terminal_reboot, fresh),
		cmocka_unit_test_setup(test_exec_sessions, fresh),
		cmocka_unit_test_setup(test_exec_killed_at_the_end, fresh),
		cmocka_unit_test_setup(test_console, fresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
