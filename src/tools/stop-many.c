/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The many-container stop: one request per container, all sent before any reply is awaited (so a
 * timeout is one deadline shared by all, not one per container), every reply awaited by the one
 * poll-driven runner, each outcome reported as it comes in, then a summary. */
#include "ctbuild.h"

#include "stop-many.h"

#include "calls.h"
#include "log.h"
#include "macro.h"
#include "rundir.h"
#include "stop-report.h"
#include "tool.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>

struct many {
	const char *rundir;
	bool force;
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

static void init_calls(struct many *m, char *const *names, size_t n, const struct ct_frame *req)
{
	for (size_t i = 0; i < n; i++) {
		struct ct_call *c = &m->calls[i];
		ct_call_init(c, m->rundir, names[i], req, CT_CLIENT_TIMEOUT_MS, &m->results[i]);
		c->progress = on_progress;
		c->userdata = c;
	}
}

int ct_stop_many(const char *rundir, char *const *names, size_t n, int32_t timeout, bool force)
{
	struct many m = { .rundir = rundir, .force = force };
	cleanup_free struct ct_call *calls = calloc(n ? n : 1, sizeof(*calls));
	cleanup_free struct ct_stop_result *results = calloc(n ? n : 1, sizeof(*results));
	uint64_t t0 = ct_now_ms();
	struct ct_frame req;
	char summary[256];
	int r;

	if (!calls || !results) {
		log_error_errno(-ENOMEM, "Failed to stop %zu containers", n);
		return CT_EXIT_ERROR;
	}
	m.calls = calls;
	m.results = results;
	if (force)
		ct_proto_request(&req, CT_CMD_STOP);
	else
		ct_proto_request_shutdown(&req, timeout);
	init_calls(&m, names, n, &req);
	r = ct_calls_run(calls, n, on_done, &m);
	if (r < 0)
		log_error_errno(r, "Failed to wait for the containers");
	ct_stop_summary(m.counts, force, ct_now_ms() - t0, summary, sizeof(summary));
	log_info("%s", summary);
	return ct_stop_exit_status(m.counts);
}
