/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctstart --all: read the config dir, keep the autostart containers, sort them (order.h), and start
 * one batch at a time, the batch's containers in parallel: each in a child of ours that runs the
 * `ctstart -d` code (ct_start()), so a failure stays that container's. */
#include "start-all.h"

#include "cmd/cmd.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"
#include "monitor/monitor.h"
#include "plan.h"
#include "spawn/spawn.h"
#include "start.h"
#include "tool.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_PARALLEL_MAX 32 /* starts of a batch under way at once: forks, not a fork bomb */

static void print_plan(const struct ct_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		printf("%-24s group %-12s order %-6d delay %u s  %s\n", p->e[i].name,
		       p->e[i].group[0] ? p->e[i].group : "-", (int)p->e[i].order,
		       (unsigned)p->e[i].delay, p->e[i].config);
}

/* Forks the `ctstart -d` of one container; returns its pidfd (the child's pid in *ret_pid), or
 * -1 (logged). */
static int start_one(const struct ct_start_all_options *o, const struct ct_order_entry *e,
		     pid_t *ret_pid)
{
	int pidfd = -1;
	pid_t pid = ct_fork_pidfd(&pidfd);

	if (pid == 0) {
		struct ct_start_options so = { .name = e->name, .rundir = o->rundir,
					       .config_path = e->config, .daemon = true };
		_exit(ct_start(&so));
	}
	if (pid < 0) {
		log_error_errno(-errno, "Failed to start container '%s'", e->name);
		return -1;
	}
	*ret_pid = pid;
	return pidfd;
}

/* What the monitors of a batch say, all asked at once (a hung monitor costs the batch this, not a
 * client timeout each): RUNNING ones are skipped, those that do not answer are not started again
 * (their run dir is locked: a start would only fail), the rest are started. */
#define ASK_TIMEOUT_MS 2000
enum presence { ABSENT, PRESENT, SILENT };

static int ask_batch(const struct ct_start_all_options *o, const struct ct_order_entry *e,
		     size_t len, enum presence *ret)
{
	cleanup_free const char **names = calloc(len, sizeof(*names));
	cleanup_free struct ct_info *infos = calloc(len, sizeof(*infos));
	cleanup_free int *results = calloc(len, sizeof(*results));
	int r;

	if (!names || !infos || !results)
		return -ENOMEM;
	for (size_t k = 0; k < len; k++)
		names[k] = e[k].name;
	r = ct_calls_info(o->rundir, names, len, ASK_TIMEOUT_MS, infos, results);
	if (r < 0)
		return r;
	for (size_t k = 0; k < len; k++) {
		ret[k] = results[k] == 0 ? PRESENT : results[k] == -ESRCH ? ABSENT : SILENT;
		if (ret[k] == PRESENT)
			log_info("container '%s' is already running", e[k].name);
		else if (ret[k] == SILENT)
			log_error("container '%s' has a monitor that does not answer (%s): not started "
				  "again", e[k].name, strerror(-results[k]));
	}
	return 0;
}

/* One start of a batch has ended: reap it and say how it went. */
static void start_ended(struct ct_plan *p, const struct ct_order_entry *e, pid_t pid, uint64_t t0)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		log_info("container '%s' started (group %s, order %d) in %.2f s", e->name,
			 e->group[0] ? e->group : "-", (int)e->order, (double)(ct_now_ms() - t0) / 1000.0);
	} else {
		log_error("container '%s' failed to start (see above)", e->name);
		p->failed++;
	}
}

struct batch {
	struct ct_plan *p;
	const struct ct_start_all_options *o;
	const struct ct_order_entry *e; /* the batch's entries */
	size_t len, next;               /* next: the first not yet started */
	size_t active;                  /* starts under way */
	struct pollfd *fds;             /* fds[k]: the pidfd of e[k]'s start, or -1 */
	pid_t *pids;
	enum presence *presence;
};

/* Starts more of the batch, up to START_PARALLEL_MAX under way at once. */
static void start_more(struct batch *b)
{
	while (b->next < b->len && b->active < START_PARALLEL_MAX) {
		size_t k = b->next++;
		if (b->presence[k] == PRESENT)
			continue;
		if (b->presence[k] == SILENT || (b->fds[k].fd = start_one(b->o, &b->e[k], &b->pids[k])) < 0)
			b->p->failed++;
		else
			b->active++;
	}
}

/* Starts e[i .. i+len) in parallel (START_PARALLEL_MAX at a time) and waits until each runs or
 * has failed, or the batch's time is up: a start that hangs (a rootfs on a dead NFS server) must
 * not hold up the boot. It is then counted as failed and left to finish (or not) on its own; the
 * ones not started by then are not started. */
static void start_batch(struct ct_plan *p, const struct ct_start_all_options *o, size_t i, size_t len)
{
	int timeout = o->batch_timeout ? o->batch_timeout : CT_START_BATCH_TIMEOUT;
	uint64_t t0 = ct_now_ms(), deadline = t0 + (uint64_t)timeout * 1000;
	cleanup_free struct pollfd *fds = calloc(len, sizeof(*fds));
	cleanup_free pid_t *pids = calloc(len, sizeof(*pids));
	cleanup_free enum presence *presence = calloc(len, sizeof(*presence));
	struct batch b = { .p = p, .o = o, .e = &p->e[i], .len = len, .fds = fds, .pids = pids,
			   .presence = presence };
	int r = fds && pids && presence ? ask_batch(o, b.e, len, presence) : -ENOMEM;

	if (r < 0) {
		log_error_errno(r, "Failed to start %zu containers", len);
		p->failed += (unsigned)len;
		return;
	}
	for (size_t k = 0; k < len; k++)
		fds[k] = (struct pollfd){ .fd = -1, .events = POLLIN };
	start_more(&b);
	while (b.active) {
		uint64_t now = ct_now_ms();
		int n = poll(fds, len, now < deadline ? (int)(deadline - now) : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (size_t k = 0; k < len; k++) {
			if (fds[k].fd < 0 || !fds[k].revents)
				continue;
			start_ended(p, &b.e[k], pids[k], t0);
			ct_close_fd(&fds[k].fd);
			b.active--;
		}
		start_more(&b);
	}
	for (size_t k = 0; k < len; k++) {
		if (fds[k].fd >= 0) {
			log_error("container '%s' is still starting after %d s: going on without it",
				  b.e[k].name, timeout);
			ct_close_fd(&fds[k].fd);
		} else if (k >= b.next) {
			log_error("container '%s' not started: its batch ran out of time (%d s)",
				  b.e[k].name, timeout);
		} else {
			continue;
		}
		p->failed++;
	}
}

static void sleep_s(uint32_t s)
{
	struct timespec ts = { .tv_sec = s };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int ct_start_all(const struct ct_start_all_options *o)
{
	struct ct_plan p;
	int r = ct_plan_load(&p, o->configdir, true, o->groups);

	if (r < 0)
		return CT_EXIT_START_FAILED;
	if (o->list) {
		print_plan(&p);
	} else {
		for (size_t i = 0; i < p.n;) {
			size_t len = ct_order_batch_len(p.e, p.n, i);
			uint32_t delay = ct_order_batch_delay(p.e, i, len);
			start_batch(&p, o, i, len);
			i += len;
			if (i < p.n && delay) {
				log_info("waiting %u s (start.delay) before the next", (unsigned)delay);
				sleep_s(delay);
			}
		}
		if (p.n == 0)
			log_info("no autostart containers in %s", o->configdir);
	}
	r = p.failed ? CT_EXIT_START_FAILED : 0;
	ct_plan_free(&p);
	return r;
}
