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
#include "start.h"
#include "tool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void print_plan(const struct ct_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		printf("%-24s group %-12s order %-6d delay %u s  %s\n", p->e[i].name,
		       p->e[i].group[0] ? p->e[i].group : "-", (int)p->e[i].order,
		       (unsigned)p->e[i].delay, p->e[i].config);
}

static pid_t start_one(const struct ct_start_all_options *o, const struct ct_order_entry *e)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct ct_start_options so = { .name = e->name, .rundir = o->rundir,
					       .config_path = e->config, .daemon = true };
		_exit(ct_start(&so));
	}
	if (pid < 0)
		log_error_errno(-errno, "Failed to start container '%s'", e->name);
	return pid;
}

static bool running(const char *rundir, const char *name)
{
	struct ct_info info;

	return ct_client_info(rundir, name, &info) == 0;
}

/* Starts e[i .. i+len) in parallel and waits until each runs or has failed. */
static void start_batch(struct ct_plan *p, const struct ct_start_all_options *o, size_t i, size_t len)
{
	uint64_t t0 = ct_now_ms();
	pid_t pids[len];

	for (size_t k = 0; k < len; k++) {
		const struct ct_order_entry *e = &p->e[i + k];
		pids[k] = 0;
		if (running(o->rundir, e->name))
			log_info("container '%s' is already running", e->name);
		else if ((pids[k] = start_one(o, e)) < 0)
			p->failed++;
	}
	for (size_t k = 0; k < len; k++) {
		const struct ct_order_entry *e = &p->e[i + k];
		int st = 0;
		if (pids[k] <= 0)
			continue;
		while (waitpid(pids[k], &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			log_info("container '%s' started (group %s, order %d) in %.2f s", e->name,
				 e->group[0] ? e->group : "-", (int)e->order,
				 (double)(ct_now_ms() - t0) / 1000.0);
		} else {
			log_error("container '%s' failed to start (see above)", e->name);
			p->failed++;
		}
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
