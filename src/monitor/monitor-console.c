/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console: the container's terminal output (monitor-tty.c reads the pty's master) goes into a
 * ring buffer, the daemon's log and every attached ctconsole client; a client's input (unless it
 * is read-only) goes to the master. A client is a SOCK_SEQPACKET socket it handed over with its
 * CONSOLE request; writes to it never block: a client that does not keep up loses output. */
#include "monitor-console.h"

#include "monitor-log.h"
#include "monitor-tty.h"

#include "common/log.h"
#include "common/macro.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int ct_monitor_console_init(struct ct_monitor *m)
{
	struct ct_monitor_console *c = &m->console;

	c->size = (size_t)m->o->config->console_buffer;
	if (c->size == 0 || c->ring)
		return 0;
	c->ring = malloc(c->size);
	return c->ring ? 0 : -ENOMEM;
}

static void ring_put(struct ct_monitor_console *c, const char *buf, size_t n)
{
	if (!c->ring)
		return;
	if (n > c->size) { /* only the end fits */
		buf += n - c->size;
		n = c->size;
	}
	size_t first = c->size - c->head < n ? c->size - c->head : n;

	memcpy(c->ring + c->head, buf, first);
	memcpy(c->ring, buf + first, n - first);
	c->head = (c->head + n) % c->size;
	c->len = c->len + n > c->size ? c->size : c->len + n;
}

/* The last n bytes of the ring (n <= len), in order, into out. */
static void ring_last(const struct ct_monitor_console *c, size_t n, char *out)
{
	size_t start = (c->head + c->size - n) % c->size;
	size_t first = c->size - start < n ? c->size - start : n;

	memcpy(out, c->ring + start, first);
	memcpy(out + first, c->ring, n - first);
}

static void detach(struct ct_console_client *cl)
{
	ct_loop_remove(cl->m->loop, cl->fd);
	ct_close_fd(&cl->fd);
	cl->m->console.n_clients--;
	cl->m = NULL;
}

/* Never blocks: what a full socket does not take is lost for that client. */
static void send_to(struct ct_console_client *cl, const char *buf, size_t n)
{
	while (n > 0 && cl->m) {
		size_t k = n < CT_CONSOLE_CHUNK ? n : CT_CONSOLE_CHUNK;

		if (send(cl->fd, buf, k, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				detach(cl);
			return;
		}
		buf += k;
		n -= k;
	}
}

void ct_monitor_console_output(struct ct_monitor *m, const char *buf, size_t n)
{
	ring_put(&m->console, buf, n);
	ct_monitor_log_write(m, buf, n);
	for (int i = 0; i < CT_CONSOLE_CLIENTS_MAX; i++)
		if (m->console.clients[i].m)
			send_to(&m->console.clients[i], buf, n);
}

static int on_client(int fd, uint32_t events, void *data)
{
	struct ct_console_client *cl = data;
	char buf[CT_CONSOLE_CHUNK];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return CT_LOOP_CONTINUE;
	if (n <= 0 || (events & (EPOLLHUP | EPOLLERR))) {
		detach(cl);
		return CT_LOOP_CONTINUE;
	}
	if (!cl->read_only)
		ct_monitor_tty_input(cl->m, buf, (size_t)n);
	return CT_LOOP_CONTINUE;
}

static void replay(struct ct_console_client *cl, uint32_t tail)
{
	const struct ct_monitor_console *c = &cl->m->console;
	size_t n = tail < c->len ? tail : c->len;
	char *buf = n ? malloc(n) : NULL;

	if (!buf)
		return;
	ring_last(c, n, buf);
	send_to(cl, buf, n);
	free(buf);
}

int ct_monitor_console_attach(struct ct_monitor *m, int fd, uint32_t flags, uint32_t tail)
{
	struct ct_monitor_console *c = &m->console;
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -EBADF;
	if (!m->tty)
		return -ENOTTY;
	for (int i = 0; i < CT_CONSOLE_CLIENTS_MAX; i++) {
		struct ct_console_client *cl = &c->clients[i];

		if (cl->m)
			continue;
		r = ct_loop_add(m->loop, fd, EPOLLIN | EPOLLRDHUP, on_client, cl);
		if (r < 0)
			return r;
		*cl = (struct ct_console_client){ .m = m, .fd = fd,
						  .read_only = flags & CT_CONSOLE_READ_ONLY };
		c->n_clients++;
		replay(cl, tail);
		return 0;
	}
	return -EMFILE;
}

void ct_monitor_console_tail(const struct ct_monitor *m, char *buf, size_t size)
{
	const struct ct_monitor_console *c = &m->console;
	size_t n = c->len < size - 1 ? c->len : size - 1, k = 0;
	char *raw = n ? malloc(n) : NULL, *p;

	buf[0] = '\0';
	if (!raw)
		return;
	ring_last(c, n, raw);
	p = n < c->len ? memchr(raw, '\n', n) : NULL; /* start at a whole line */
	for (char *q = p ? p + 1 : raw; q < raw + n; q++)
		if (*q == '\n' || *q == '\t' || (unsigned char)*q >= 0x20)
			buf[k++] = *q;
	while (k > 0 && buf[k - 1] == '\n')
		k--;
	buf[k] = '\0';
	free(raw);
}

void ct_monitor_console_close(struct ct_monitor *m)
{
	for (int i = 0; i < CT_CONSOLE_CLIENTS_MAX; i++)
		if (m->console.clients[i].m)
			detach(&m->console.clients[i]);
	free(m->console.ring);
	m->console.ring = NULL;
	m->console.len = 0;
}
