/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's terminal: its pty master (spawn-tty.c). Whatever it prints goes to the console
 * (monitor-console.c: the ring buffer, the daemon's log, ctconsole clients) and, in the
 * foreground, to the operator's terminal, whose typing comes back. The operator's terminal is
 * put in raw input mode (restored on exit), its window size follows SIGWINCH, Ctrl-a q stops the
 * container (Ctrl-a a sends a Ctrl-a). Under -d there is no operator: only the console.
 *
 * Only ctstart's stdio fds that are terminals become the pty in the container (spawn-child.c);
 * a file or pipe stays the container's own. The monitor never blocks on the terminal: it reads
 * and writes through non-blocking reopens of it (and of its stderr for its own lines), never
 * changing the flags of the descriptions it shares with the shell; a bounded buffer holds what a
 * slow terminal has not taken, and what does not fit is dropped. The master is always drained, so a stalled terminal
 * costs output, never the container's progress or a stop's deadline. The monitor keeps a slave
 * fd of its own: a guest with no slave open (sysvinit opens its console only to write) must not
 * end the relay. */
#include "monitor-tty.h"

#include "monitor-console.h"

#include "common/escape.h"
#include "common/log.h"
#include "common/macro.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define OUT_MAX 65536
#define CHUNK 4096
#define READS_PER_WAKEUP 16

struct ct_tty_relay {
	struct ct_monitor *m;
	int master;
	int slave;       /* ours: keeps the pty up; the helpers' stdio */
	int in;          /* the operator's typing (a non-blocking reopen of a terminal stdin), or -1 */
	int out;         /* a non-blocking reopen of the terminal among stdout, stderr, stdin */
	bool out_watched;
	bool raw;        /* saved holds the terminal's mode to restore */
	struct termios saved;
	struct ct_escape escape;
	uint64_t dropped;
	size_t len;
	char buf[OUT_MAX]; /* output the terminal has not taken yet */
};

/* A new open file description of fd's terminal or FIFO, non-blocking: O_NONBLOCK on the one we
 * inherited would change it for the operator's shell too. -ENOTTY for anything else. */
static int reopen_nonblock(int fd, int flags)
{
	char path[32];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
		return -ENOTTY;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The monitor's own lines (log.c writes stderr) must not block on a stopped terminal or a full
 * pipe either: they are dropped instead. */
static void stderr_nonblock(void)
{
	int fd = reopen_nonblock(STDERR_FILENO, O_WRONLY);

	if (fd < 0)
		return;
	dup2(fd, STDERR_FILENO);
	close(fd);
}

static int on_out(int fd, uint32_t events, void *data);

/* Writes what the terminal takes; waits for it to take more (EPOLLOUT) if it did not. */
static void flush(struct ct_tty_relay *t)
{
	while (t->len > 0) {
		ssize_t w = write(t->out, t->buf, t->len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		t->len -= (size_t)w;
		memmove(t->buf, t->buf + w, t->len);
	}
	if (t->len == 0 || t->out_watched)
		return;
	if (ct_loop_add(t->m->loop, t->out, EPOLLOUT, on_out, t) < 0) {
		t->dropped += t->len; /* cannot wait for it: what is left is lost */
		t->len = 0;
		return;
	}
	t->out_watched = true;
}

static int on_out(int fd, uint32_t events, void *data)
{
	struct ct_tty_relay *t = data;

	flush(t);
	if (t->len > 0 && !(events & (EPOLLERR | EPOLLHUP)))
		return CT_LOOP_CONTINUE;
	t->dropped += t->len;
	t->len = 0;
	t->out_watched = false;
	return CT_LOOP_DISARM;
}

static void keep(struct ct_tty_relay *t, const char *p, size_t n)
{
	size_t room = OUT_MAX - t->len, take = n < room ? n : room;

	memcpy(t->buf + t->len, p, take);
	t->len += take;
	t->dropped += n - take;
}

/* Reads what the master has, at most max chunks. Returns false once it is gone (EIO). */
static bool drain(struct ct_tty_relay *t, int max)
{
	char chunk[CHUNK];

	for (int i = 0; i < max; i++) {
		ssize_t n = read(t->master, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		ct_monitor_console_output(t->m, chunk, (size_t)n);
		if (t->out >= 0)
			keep(t, chunk, (size_t)n);
	}
	return true;
}

static int on_master(int fd, uint32_t events, void *data)
{
	struct ct_tty_relay *t = data;
	bool up = drain(t, READS_PER_WAKEUP);

	flush(t);
	return up ? CT_LOOP_CONTINUE : CT_LOOP_DISARM;
}

static int on_input(int fd, uint32_t events, void *data)
{
	struct ct_tty_relay *t = data;
	char chunk[CHUNK], input[2 * CHUNK];
	bool stop = false;
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return CT_LOOP_CONTINUE;
	if (n <= 0) { /* hung up, or read in the background (EIO): no more typing */
		ct_loop_remove(t->m->loop, t->in);
		ct_close_fd(&t->in);
		return CT_LOOP_CONTINUE;
	}
	size_t k = ct_escape_filter(&t->escape, chunk, (size_t)n, input, &stop);
	/* A container that reads nothing fills the pty: the operator's typing is dropped. */
	if (k > 0 && write(t->master, input, k) < 0 && errno != EAGAIN)
		log_debug("container terminal: input lost: %s", strerror(errno));
	if (!stop)
		return CT_LOOP_CONTINUE;
	int r = ct_monitor_interrupt(t->m, SIGINT);
	return r < 0 ? CT_LOOP_CONTINUE : r;
}

/* Raw input (every key goes to the container, Ctrl-C included); output processing stays, so the
 * monitor's own lines still start at the left margin. Only in the terminal's foreground: a
 * ctstart started in the background leaves the shell's terminal alone. */
static void make_raw(struct ct_tty_relay *t)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp() ||
	    tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return;
	raw = t->saved;
	cfmakeraw(&raw);
	raw.c_oflag = t->saved.c_oflag;
	t->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

void ct_monitor_tty_resize(struct ct_monitor *m)
{
	struct winsize ws;
	struct ct_tty_relay *t = m->tty;

	if (!t)
		return;
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
			ioctl(t->master, TIOCSWINSZ, &ws);
			return;
		}
}

/* The operator's side: the terminal to write to (stdout's, else stderr's or stdin's) and, with a
 * terminal on stdin, its typing. */
static int open_operator(struct ct_tty_relay *t)
{
	static const int order[] = { STDOUT_FILENO, STDERR_FILENO, STDIN_FILENO };
	int r = -ENOTTY;

	for (size_t i = 0; r < 0 && i < ARRAY_SIZE(order); i++)
		if (isatty(order[i]))
			r = reopen_nonblock(order[i], O_WRONLY);
	if (r < 0)
		return r;
	t->out = r;
	if (!isatty(STDIN_FILENO))
		return 0;
	t->in = reopen_nonblock(STDIN_FILENO, O_RDONLY);
	return t->in < 0 ? t->in : ct_loop_add(t->m->loop, t->in, EPOLLIN, on_input, t);
}

/* A restart (init rebooted) brings a new pty pair: the operator's side stays as it is. */
static int swap_pty(struct ct_tty_relay *t, struct ct_spawn_tty *tty)
{
	int slave = fcntl(tty->slave_fd, F_DUPFD_CLOEXEC, 3);

	if (slave < 0)
		return -errno;
	ct_loop_remove(t->m->loop, t->master);
	drain(t, READS_PER_WAKEUP);
	flush(t);
	ct_close_fd(&t->master);
	ct_close_fd(&t->slave);
	t->master = steal_fd(&tty->master_fd);
	t->slave = slave;
	ct_monitor_tty_resize(t->m);
	return ct_loop_add(t->m->loop, t->master, EPOLLIN, on_master, t);
}

void ct_monitor_tty_input(struct ct_monitor *m, const char *buf, size_t n)
{
	/* A container that reads nothing fills the pty: input is dropped then. */
	if (m->tty && m->tty->master >= 0 && write(m->tty->master, buf, n) < 0 && errno != EAGAIN)
		log_debug("container terminal: input lost: %s", strerror(errno));
}

int ct_monitor_tty_start(struct ct_monitor *m, struct ct_spawn_tty *tty)
{
	struct ct_tty_relay *t = m->tty;
	int r;

	if (t)
		return swap_pty(t, tty);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*t = (struct ct_tty_relay){ .m = m, .master = steal_fd(&tty->master_fd),
				    .slave = fcntl(tty->slave_fd, F_DUPFD_CLOEXEC, 3), .in = -1,
				    .out = -1 };
	m->tty = t;
	if (t->slave < 0)
		return -errno;
	r = ct_monitor_console_init(m);
	if (r >= 0)
		r = ct_loop_add(m->loop, t->master, EPOLLIN, on_master, t);
	if (r < 0 || m->o->log_path)
		return r; /* -d: the console is all there is */
	/* In the background, reading or configuring the terminal must fail (EIO: input is then not
	 * relayed), never stop the monitor with SIGTTIN/SIGTTOU. The child resets both. */
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	r = open_operator(t);
	if (r < 0)
		return r;
	stderr_nonblock();
	ct_monitor_tty_resize(m);
	make_raw(t);
	if (t->raw)
		log_info("container '%s': on this terminal; Ctrl-a q stops it", m->o->name);
	return 0;
}

int ct_monitor_tty_fd(const struct ct_monitor *m)
{
	return m->tty ? m->tty->slave : -1;
}

void ct_monitor_tty_close(struct ct_monitor *m)
{
	struct ct_tty_relay *t = m->tty;

	if (!t)
		return;
	if (t->master >= 0) {
		ct_loop_remove(m->loop, t->master);
		drain(t, 4 * READS_PER_WAKEUP); /* what the container printed last */
	}
	if (t->in >= 0)
		ct_loop_remove(m->loop, t->in);
	if (t->out_watched)
		ct_loop_remove(m->loop, t->out);
	if (t->out >= 0)
		flush(t); /* once, non-blocking: what is left is lost */
	if (t->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	if (t->dropped + t->len > 0)
		log_warning("container '%s': %llu bytes of its terminal output were dropped (the "
			    "terminal did not take them)", m->o->name,
			    (unsigned long long)(t->dropped + t->len));
	ct_close_fd(&t->master);
	ct_close_fd(&t->slave);
	ct_close_fd(&t->in);
	ct_close_fd(&t->out);
	free(t);
	m->tty = NULL;
}
