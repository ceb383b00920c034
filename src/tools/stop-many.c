/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The many-container stop: a batch at a time (ctstop --all: the reverse of the start order), one
 * request per container of the batch, all sent before any reply is awaited (so a timeout is one
 * deadline shared by the batch, not one per container), every reply awaited by the one
 * poll-driven runner, each outcome reported as it comes in, then a summary. */
#include "ctbuild.h"

#include "stop-many.h"

#include "cmd/cmd.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"
#include "order.h"
#include "stop-report.h"
#include "tool.h"

#include <errno.h>
#include <stdlib.h>

struct many {
	const char *rundir;
	bool force;
	uint64_t deadline;      /* the batch's shared deadline (CLOCK_MONOTONIC ms); 0: none */
	int32_t late_timeout;   /* the timeout late_req carries */
	struct ct_frame late_req;
	size_t counts[CT_STOP_OUTCOME_COUNT_];
	struct ct_stop_result *results; /* results[i] belongs to calls[i] */
	struct ct_call *calls;
};

/* A call that failed: not running (skipped, as a stale run directory if it is one), or an error. */
static enum ct_stop_outcome report_failed(const struct many *m, const char *name, int r)
{
	struct ct_tool t = { .name = name, .rundir = m->rundir };
	enum ct_stop_outcome o = ct_stop_classify(r, NULL, m->force);

	if (o == CT_STOP_ERROR)
		ct_tool_call_failed(&t, r);
	else if (ct_rundir_has_socket(m->rundir, name))
		log_warning("container '%s' is not running: stale run directory %s/%s, skipped",
			    name, m->rundir, name);
	else
		log_info("container '%s' is not running, skipped", name);
	return o;
}

static void on_progress(const struct ct_progress *ev, void *userdata)
{
	const struct ct_call *c = userdata;

	if (ev && ev->kind == CT_PROGRESS_FAILED)
		log_warning("container '%s': %s; killing it", c->name, ev->detail);
}

static void on_done(struct ct_call *c, void *userdata)
{
	struct many *m = userdata;
	struct ct_tool t = { .name = c->name, .rundir = m->rundir };

	if (c->result == 0)
		m->counts[ct_stop_log(c->name, c->out, m->force)]++;
	else if (m->force && c->result == -ETIMEDOUT) /* as for one container */
		m->counts[ct_tool_kill_direct(&t, c->result) == CT_EXIT_OK ? CT_STOP_FORCED
									 : CT_STOP_ERROR]++;
	else
		m->counts[report_failed(m, c->name, c->result)]++;
}

/* Every SHUTDOWN carries the time left until the one deadline, rounded up to whole seconds (so no
 * container is killed before it): normally the timeout itself, as all are sent at once, but less
 * for the calls the runner starts late, when there are fewer fds than containers. */
static void refresh_timeout(struct ct_call *c, void *data)
{
	struct many *m = data;
	uint64_t now = ct_now_ms();
	int32_t left = now >= m->deadline ? 0 : (int32_t)((m->deadline - now + 999) / 1000);

	if (left != m->late_timeout) {
		ct_proto_request_shutdown(&m->late_req, left);
		m->late_timeout = left;
	}
	c->req = &m->late_req;
}

static void init_calls(struct many *m, char *const *names, size_t first, size_t n,
		       const struct ct_frame *req)
{
	for (size_t i = first; i < first + n; i++) {
		struct ct_call *c = &m->calls[i];
		ct_call_init(c, m->rundir, names[i], req, CT_CLIENT_TIMEOUT_MS, &m->results[i]);
		c->progress = on_progress;
		c->userdata = c;
		if (m->deadline) {
			c->prepare = refresh_timeout;
			c->prepare_data = m;
		}
	}
}

/* One batch: all its requests out, then every reply awaited. A timeout in seconds is the batch's
 * own deadline: a batch that comes late (the databases, stopped last) still gets all of it. */
static void stop_batch(struct many *m, char *const *names, size_t first, size_t n,
		       const struct ct_frame *req, int32_t timeout)
{
	int r;

	if (!m->force && timeout >= 0) /* not forever, not each container's own shutdown_timeout */
		m->deadline = ct_now_ms() + (uint64_t)timeout * 1000;
	init_calls(m, names, first, n, req);
	r = ct_calls_run(m->calls + first, n, on_done, m);
	if (r < 0)
		log_error_errno(r, "Failed to wait for the containers");
}

int ct_stop_many(const char *rundir, char *const *names, size_t n, const size_t *batches,
		 size_t n_batches, int32_t timeout, bool force)
{
	struct many m = { .rundir = rundir, .force = force };
	cleanup_free struct ct_call *calls = calloc(n ? n : 1, sizeof(*calls));
	cleanup_free struct ct_stop_result *results = calloc(n ? n : 1, sizeof(*results));
	uint64_t t0 = ct_now_ms();
	struct ct_frame req;
	char summary[256];

	if (!calls || !results) {
		log_error_errno(-ENOMEM, "Failed to stop %zu containers", n);
		return CT_EXIT_ERROR;
	}
	m.calls = calls;
	m.results = results;
	if (force) {
		ct_proto_request(&req, CT_CMD_STOP);
	} else {
		ct_proto_request_shutdown(&req, timeout);
		m.late_timeout = -3; /* none built yet */
	}
	if (!batches)
		stop_batch(&m, names, 0, n, &req, timeout);
	for (size_t k = 0, first = 0; batches && k < n_batches && first < n; first += batches[k++])
		stop_batch(&m, names, first, batches[k] < n - first ? batches[k] : n - first, &req,
			   timeout);
	ct_stop_summary(m.counts, force, ct_now_ms() - t0, summary, sizeof(summary));
	log_info("%s", summary);
	return ct_stop_exit_status(m.counts);
}

/* How long ctstop --all waits for each monitor to say its group and order (all asked at once). */
#define ORDER_INFO_TIMEOUT_MS 2000

struct all {
	struct ct_order_entry *e; /* in start order once sorted */
	struct ct_info *infos;
	char **stop_names;        /* in stop order: the start order reversed */
	size_t *batches;          /* in stop order */
	size_t n, n_batches;
};

static void all_free(struct all *a)
{
	free(a->e);
	free(a->infos);
	free(a->stop_names);
	free(a->batches);
}

/* Each container's group and order, as its monitor knows them, every monitor asked at once. One
 * that does not say (not running, or not answering) goes before every container in the start
 * order (an order no config can have), so that it is stopped last: it delays nobody's stop. */
static int read_order(struct all *a, const char *rundir, char **names)
{
	cleanup_free int *results = calloc(a->n, sizeof(*results));
	int r;

	if (!results)
		return -ENOMEM;
	r = ct_calls_info(rundir, (const char *const *)names, a->n, ORDER_INFO_TIMEOUT_MS, a->infos,
			  results);
	for (size_t i = 0; i < a->n; i++) {
		a->e[i] = (struct ct_order_entry){ .name = names[i], .group = "",
						   .order = INT32_MIN };
		if (r >= 0 && results[i] == 0) {
			a->e[i].group = a->infos[i].group;
			a->e[i].order = a->infos[i].start_order;
		} else if (r >= 0 && results[i] != -ESRCH) {
			log_warning("container '%s' did not say its group and order: stopped last",
				    names[i]);
		}
	}
	return 0;
}

/* The batches of the start order, last first. */
static void reverse(struct all *a)
{
	size_t out = a->n;

	for (size_t i = 0; i < a->n;) {
		size_t len = ct_order_batch_len(a->e, a->n, i);
		out -= len;
		for (size_t k = 0; k < len; k++)
			a->stop_names[out + k] = (char *)a->e[i + k].name;
		a->batches[a->n_batches++] = len;
		i += len;
	}
	for (size_t k = 0; k < a->n_batches / 2; k++) {
		size_t t = a->batches[k];
		a->batches[k] = a->batches[a->n_batches - 1 - k];
		a->batches[a->n_batches - 1 - k] = t;
	}
}

int ct_stop_all(const char *rundir, int32_t timeout, bool force)
{
	cleanup_strv char **names = NULL;
	struct all a = { 0 };
	int r = ct_rundir_list(rundir, &names);

	if (r < 0) {
		log_error_errno(r, "Failed to list the containers in '%s'", rundir);
		return CT_EXIT_ERROR;
	}
	a.n = ct_strv_length(names);
	if (a.n == 0) {
		log_info("no containers in %s", rundir);
		return CT_EXIT_OK;
	}
	if (force) /* a kill needs no order */
		return ct_stop_many(rundir, names, a.n, NULL, 0, timeout, force);
	a.e = calloc(a.n, sizeof(*a.e));
	a.infos = calloc(a.n, sizeof(*a.infos));
	a.stop_names = calloc(a.n, sizeof(*a.stop_names));
	a.batches = calloc(a.n, sizeof(*a.batches));
	if (!a.e || !a.infos || !a.stop_names || !a.batches || read_order(&a, rundir, names) < 0) {
		all_free(&a);
		log_error_errno(-ENOMEM, "Failed to stop %zu containers", a.n);
		return CT_EXIT_ERROR;
	}
	ct_order_sort(a.e, a.n);
	reverse(&a);
	r = ct_stop_many(rundir, a.stop_names, a.n, a.batches, a.n_batches, timeout, force);
	all_free(&a);
	return r;
}
