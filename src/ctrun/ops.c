/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that read or change a container's state without starting anything: start, state,
 * delete, pause/resume, ps, list, features. */
#include "ctrun-internal.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STOP_WAIT_MS 10000 /* delete --force: how long SIGKILLed processes may take to go */

static int need_status(const struct ctrun_container *c, enum ctrun_status want, const char *verb)
{
	enum ctrun_status st = ctrun_status_of(c);

	if (st == want)
		return 0;
	return ctrun_fail(st == CTRUN_STOPPED ? -ESRCH : -EBUSY, "cannot %s container %s: it "
			       "is %s, not %s", verb, c->id, ctrun_status_name(st),
			       ctrun_status_name(want));
}

static int run_hooks(const struct ctrun_container *c, enum ct_oci_hook_kind kind,
		     enum ctrun_status st)
{
	struct ct_oci_spec s;
	cleanup_free char *state = NULL;
	int r = ctrun_load_spec(c, &s);

	if (r < 0)
		return r;
	if (s.n_hooks[kind] && (r = ctrun_state_json(c, &s, st, &state)) >= 0)
		r = ctrun_hooks(&s, kind, state);
	ct_oci_free(&s);
	return r;
}

/* The byte init waits for on the exec FIFO; a FIFO without a reader is an init that died. */
int ctrun_start(const char *root, const char *id)
{
	struct ctrun_container c;
	char fifo[PATH_MAX + 16];
	cleanup_close int fd = -1;
	int r = ctrun_find(root, id, &c);

	if (r < 0 || (r = need_status(&c, CTRUN_CREATED, "start")) < 0)
		return r;
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", c.dir);
	fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(errno == ENXIO ? -ESRCH : -errno, "cannot start container %s: "
				       "its init is not waiting on %s", id, fifo);
	if (write(fd, "0", 1) != 1)
		return log_error_errno(-errno, "Failed to write to %s", fifo);
	if (unlink(fifo) < 0)
		return log_error_errno(-errno, "Failed to remove %s", fifo);
	/* A poststart hook that fails is logged; the container runs on (runtime.md). */
	run_hooks(&c, CT_OCI_HOOK_POSTSTART, CTRUN_RUNNING);
	return 0;
}

int ctrun_state(const char *root, const char *id)
{
	struct ctrun_container c;
	struct ct_oci_spec s;
	cleanup_free char *text = NULL;
	int r = ctrun_find(root, id, &c);

	if (r < 0 || (r = ctrun_load_spec(&c, &s)) < 0)
		return r;
	r = ctrun_state_json(&c, &s, ctrun_status_of(&c), &text);
	ct_oci_free(&s);
	if (r < 0)
		return log_error_errno(r, "Failed to describe container %s", id);
	printf("%s\n", text);
	return fflush(stdout) == 0 ? 0 : -errno;
}

/* SIGKILL to every process of the container, then a wait for init to go. */
static int kill_all(const struct ctrun_container *c)
{
	cleanup_close int pidfd = -1;
	struct pollfd p = { .events = POLLIN };
	int r = ct_cgroup_kill(&c->cgroup);

	if (ctrun_open_init(c, &pidfd) < 0)
		return 0;
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	if (r < 0)
		log_warning_errno(r, "Failed to kill every process of container %s", c->id);
	p.fd = pidfd;
	if (poll(&p, 1, STOP_WAIT_MS) <= 0)
		return ctrun_fail(-ETIMEDOUT, "container %s: init did not die within %d s of "
				       "SIGKILL", c->id, STOP_WAIT_MS / 1000);
	return 0;
}

int ctrun_delete(const char *root, const char *id, bool force)
{
	struct ctrun_container c;
	enum ctrun_status st;
	int r = ctrun_load(root, id, &c);

	if (r == -ENOENT && force)
		return 0;
	if (r == -ENOENT)
		return ctrun_fail(r, "container %s does not exist", id);
	if (r < 0)
		return r;
	st = ctrun_status_of(&c);
	if ((st == CTRUN_RUNNING || st == CTRUN_PAUSED) && !force)
		return ctrun_fail(-EBUSY, "cannot delete container %s that is not stopped: %s "
				       "(--force kills it)", id, ctrun_status_name(st));
	/* Whatever is still in its cgroup goes too: a created init whose state lost track of it,
	 * a process an exec left. */
	if ((st != CTRUN_STOPPED || ct_cgroup_populated(&c.cgroup)) && (r = kill_all(&c)) < 0)
		return r;
	for (int i = 0; i < 100 && ct_cgroup_populated(&c.cgroup); i++)
		usleep(20000);
	run_hooks(&c, CT_OCI_HOOK_POSTSTOP, CTRUN_STOPPED);
	r = ct_cgroup_remove(&c.cgroup);
	if (r < 0)
		log_warning_errno(r, "Failed to remove the cgroup of container %s", id);
	return ctrun_remove_dir(&c);
}

int ctrun_pause(const char *root, const char *id, bool pause)
{
	struct ctrun_container c;
	int r = ctrun_find(root, id, &c);

	if (r < 0 || (r = need_status(&c, pause ? CTRUN_RUNNING : CTRUN_PAUSED,
				       pause ? "pause" : "resume")) < 0)
		return r;
	if (!c.cgroup.v2[0])
		return ctrun_fail(-EOPNOTSUPP, "cannot %s container %s: no cgroup2 freezer",
				       pause ? "pause" : "resume", id);
	r = ct_cgroup_set_frozen(&c.cgroup, pause);
	if (r < 0)
		return log_error_errno(r, "Failed to %s container %s", pause ? "freeze" : "thaw", id);
	int frozen = 0;

	for (int i = 0; pause && i < 500 && (frozen = ct_cgroup_is_frozen(&c.cgroup)) == 0; i++)
		usleep(10000);
	if (!pause || frozen == 1)
		return 0;
	if (frozen < 0)
		return log_error_errno(frozen, "Failed to read whether container %s is frozen", id);
	/* A freeze that does not complete fails the pause, and is undone: never left half done. */
	r = ct_cgroup_set_frozen(&c.cgroup, false);
	return ctrun_fail(-ETIMEDOUT, "cannot pause container %s: its processes were not all "
			       "frozen within 5 s (%s)", id, r < 0 ? "and the thaw failed" : "thawed again");
}

static int add_pids(const char *dir, pid_t **pids, size_t *n)
{
	char path[PATH_MAX + 32];
	cleanup_free char *text = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	r = ct_read_file(path, 16 * 1024 * 1024, &text, &len);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (char *s = text, *end; *s; s = end) {
		long v = strtol(s, &end, 10);
		pid_t *more;

		if (end == s)
			break;
		more = reallocarray(*pids, *n + 1, sizeof(**pids));
		if (!more)
			return -ENOMEM;
		*pids = more;
		(*pids)[(*n)++] = (pid_t)v;
	}
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if ((r = add_pids(path, pids, n)) < 0)
				return r;
		}
	return 0;
}

int ctrun_pids(const struct ctrun_container *c, pid_t **ret, size_t *ret_n)
{
	const char *dir = c->cgroup.v2[0] ? c->cgroup.v2 : c->cgroup.v1[CT_CG_PIDS][0] ?
			  c->cgroup.v1[CT_CG_PIDS] : c->cgroup.v1[CT_CG_MEMORY];

	*ret = NULL;
	*ret_n = 0;
	return dir[0] ? add_pids(dir, ret, ret_n) : -EOPNOTSUPP;
}

int ctrun_ps(const char *root, const char *id, bool json)
{
	struct ctrun_container c;
	cleanup_free pid_t *pids = NULL;
	size_t n;
	int r = ctrun_find(root, id, &c);

	if (r < 0)
		return r;
	if ((r = ctrun_pids(&c, &pids, &n)) < 0)
		return log_error_errno(r, "Failed to list the processes of container %s", id);
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return fflush(stdout) == 0 ? 0 : -errno;
	}
	printf("%-8s %s\n", "PID", "CMD");
	for (size_t i = 0; i < n; i++) {
		char path[64];
		cleanup_free char *cmd = NULL;
		size_t len = 0;

		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
		if (ct_read_file(path, 4096, &cmd, &len) < 0)
			continue;
		for (size_t k = 0; k + 1 < len; k++)
			if (cmd[k] == '\0')
				cmd[k] = ' ';
		printf("%-8d %.*s\n", (int)pids[i], (int)len, cmd);
	}
	return fflush(stdout) == 0 ? 0 : -errno;
}

static json_object *list_entry(const struct ctrun_container *c, enum ctrun_status st)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "pid", json_object_new_int(st == CTRUN_STOPPED ? 0 : c->pid));
	json_object_object_add(o, "status", json_object_new_string(ctrun_status_name(st)));
	json_object_object_add(o, "bundle", json_object_new_string(c->bundle));
	json_object_object_add(o, "created", json_object_new_string(c->created));
	json_object_object_add(o, "owner", json_object_new_string("root"));
	return o;
}

int ctrun_list(const char *root, bool json, bool quiet)
{
	cleanup_closedir DIR *d = NULL;
	json_object *all = json_object_new_array();
	struct dirent *e;
	int r = ctrun_root_trusted(root);

	if (r < 0 && r != -ENOENT) {
		json_object_put(all);
		return r;
	}
	d = opendir(root);
	if (!d && errno != ENOENT) {
		json_object_put(all);
		return log_error_errno(-errno, "Failed to read the state root %s", root);
	}
	if (!json && !quiet)
		printf("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	while (d && (e = readdir(d))) {
		struct ctrun_container c;
		enum ctrun_status st;

		if (e->d_name[0] == '.' || ctrun_load(root, e->d_name, &c) < 0)
			continue;
		st = ctrun_status_of(&c);
		if (json)
			json_object_array_add(all, list_entry(&c, st));
		else if (quiet)
			printf("%s\n", c.id);
		else
			printf("%-20s %-8d %-10s %-40s %s\n", c.id, st == CTRUN_STOPPED ? 0 : c.pid,
			       ctrun_status_name(st), c.bundle, c.created);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(all);
	return fflush(stdout) == 0 ? 0 : -errno;
}
