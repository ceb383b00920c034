/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ctrun create`: the state directory, the cgroup, the terminal, then init cloned; it sets itself
 * up (ct's setup and the bundle's steps) and, ready, waits on the exec FIFO for `start`. The
 * createRuntime and prestart hooks run between clone and the child's go. A failed create leaves
 * nothing: no process, no cgroup, no state directory. */
#include "ctrun-internal.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct creating {
	const struct ctrun_create_options *o;
	struct ctrun_container c;
	struct ct_oci_spec spec;
	struct ctrun_launch l;
	struct ct_spawn_tty tty;
	int dev_fd, fifo_fd, ctinit_fd, pidfd, sync_fd;
	int own[8]; /* our namespaces, where one is joined by path (join_namespaces()) */
	pid_t pid;
	uid_t root_uid;
	gid_t root_gid;
	bool dir_made, cgroup_made;
};

static int make_dir(struct creating *x, const char *root, const char *bundle)
{
	char path[PATH_MAX + 16], src[PATH_MAX + 16];
	cleanup_free char *text = NULL;
	cleanup_close int fd = -1;
	size_t len;
	int r = ctrun_dir(root, x->o->id, x->c.dir, sizeof(x->c.dir));

	if (r < 0)
		return r;
	if ((r = ct_mkdir_p(root, 0700)) < 0)
		return log_error_errno(r, "Failed to make the state root %s", root);
	if ((r = ctrun_root_trusted(root)) < 0)
		return r;
	if (mkdir(x->c.dir, 0700) < 0)
		return errno == EEXIST ? ctrun_fail(-EEXIST, "container %s already exists",
							 x->o->id)
				       : log_error_errno(-errno, "Failed to make %s", x->c.dir);
	x->dir_made = true;
	/* The config as created: later verbs never read the bundle, which may change. */
	snprintf(src, sizeof(src), "%s/config.json", bundle);
	snprintf(path, sizeof(path), "%s/config.json", x->c.dir);
	r = ct_read_file(src, 4 * 1024 * 1024, &text, &len);
	fd = r < 0 ? -1 : open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (r >= 0 && (fd < 0 || (r = ct_write_all(fd, text, len)) < 0))
		r = fd < 0 ? -errno : r;
	return r < 0 ? log_error_errno(r, "Failed to save %s as %s", src, path) : 0;
}

static void created_now(struct ctrun_container *c)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(c->created, sizeof(c->created), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(c->created + n, sizeof(c->created) - n, ".%09ldZ", ts.tv_nsec);
}

static const char *ns_name(unsigned long flag)
{
	return flag == CLONE_NEWNET ? "net" : flag == CLONE_NEWIPC ? "ipc" :
	       flag == CLONE_NEWUTS ? "uts" : "cgroup";
}

/* A namespace given by path (the engine's network namespace, say) is joined by ctrun itself
 * for the clone, so that init is born in it; ours are kept in x->own to go back to (the hooks
 * run in the runtime's namespaces). */
static int join_namespaces(struct creating *x)
{
	const struct ctrun_launch *l = &x->l;
	char own[64];

	for (size_t i = 0; i < l->n_join; i++) {
		cleanup_close int fd = open(l->join[i]->path, O_RDONLY | O_CLOEXEC);

		snprintf(own, sizeof(own), "/proc/self/ns/%s", ns_name(l->join[i]->flag));
		x->own[i] = open(own, O_RDONLY | O_CLOEXEC);
		if (x->own[i] < 0 || fd < 0 || setns(fd, (int)l->join[i]->flag) < 0)
			return log_error_errno(-errno, "Failed to join the namespace %s",
					       l->join[i]->path);
	}
	return 0;
}

static int leave_namespaces(struct creating *x)
{
	for (size_t i = 0; i < x->l.n_join; i++)
		if (x->own[i] >= 0 && setns(x->own[i], (int)x->l.join[i]->flag) < 0)
			return log_error_errno(-errno, "Failed to go back to our %s namespace",
					       ns_name(x->l.join[i]->flag));
	return 0;
}

static void root_ids(struct creating *x)
{
	const struct ct_idmap *m = &x->l.config.idmap;

	x->root_uid = 0;
	x->root_gid = 0;
	if (m->mode != CT_IDMAP_NONE) {
		x->root_uid = (uid_t)ct_idmap_to_host(m->uid, m->n_uid, 0);
		x->root_gid = (gid_t)ct_idmap_to_host(m->gid, m->n_gid, 0);
	}
}

static int make_cgroup(struct creating *x)
{
	char what[PATH_MAX + 64];
	bool nested;
	int r;

	r = ct_cgroup_setup(&x->l.config, x->l.cgroup_leaf, x->root_uid, x->root_gid,
			    &x->c.cgroup, &nested, what, sizeof(what));
	x->cgroup_made = true; /* what it made before a failure (a device policy, say) goes too */
	if (r < 0)
		return log_error_errno(r, "Failed to set up the container's cgroup: %s", what);
	/* From here the state names the cgroup: a create killed halfway leaves nothing delete
	 * cannot find. */
	if ((r = ctrun_save(&x->c)) < 0)
		return r;
	if (nested)
		log_warning("No device policy of its own (nested in a user namespace): the "
			    "enclosing container's applies");
	return 0;
}

/* process.terminal: a pty in a devpts of the container's own, its slave the process user's
 * (as runc makes it: a user that could not reopen its /dev/tty breaks su and sudo); the master
 * goes to the engine. */
static int make_terminal(struct creating *x, struct ct_spawn_plan *plan)
{
	const struct ct_idmap *m = &x->l.config.idmap;
	uint32_t puid = x->spec.process.uid;
	int64_t tty_gid = m->mode == CT_IDMAP_NONE ? 5 : ct_idmap_to_host(m->gid, m->n_gid, 5);
	int64_t owner = m->mode == CT_IDMAP_NONE ? puid : ct_idmap_to_host(m->uid, m->n_uid, puid);
	int r;

	if (!x->spec.process.terminal)
		return 0;
	if (!x->o->console_socket)
		return ctrun_fail(-EINVAL, "process.terminal is true: --console-socket is needed");
	r = ct_spawn_tty(owner < 0 ? x->root_uid : (uid_t)owner,
			 tty_gid < 0 ? x->root_gid : (gid_t)tty_gid, &x->tty);
	if (r < 0)
		return log_error_errno(r, "Failed to make the container's terminal");
	r = ctrun_console_send(x->o->console_socket, x->tty.master_fd);
	if (r < 0)
		return r;
	plan->console_fd = x->tty.console_fd;
	plan->devpts_fd = x->tty.devpts_fd;
	plan->stdio_fd = x->tty.slave_fd;
	return 0;
}

static int make_fifo(struct creating *x)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/exec.fifo", x->c.dir);
	if (mkfifo(path, 0600) < 0)
		return log_error_errno(-errno, "Failed to make %s", path);
	/* Read-write: opening it never blocks, and the child's read waits for a writer's byte. */
	x->fifo_fd = open(path, O_RDWR | O_CLOEXEC);
	if (x->fifo_fd < 0)
		return log_error_errno(-errno, "Failed to open %s", path);
	x->l.oci.fifo_fd = x->fifo_fd;
	return 0;
}

static int prepare_files(struct creating *x, struct ct_spawn_plan *plan)
{
	char path[PATH_MAX + 32];
	const char *failed = NULL;
	int r;

	if ((r = make_terminal(x, plan)) < 0 || (r = make_fifo(x)) < 0)
		return r;
	r = ct_spawn_dev(x->root_uid, x->root_gid, plan->console_fd >= 0, &x->dev_fd);
	if (r < 0)
		return log_error_errno(r, "Failed to make the container's /dev");
	r = ct_spawn_dev_nodes(x->dev_fd, x->l.nodes, x->l.n_nodes, x->root_uid, x->root_gid,
			       &failed);
	if (r < 0)
		return log_error_errno(r, "Failed to make /dev/%s (config.json: linux.devices)",
				       failed);
	if (x->l.method == CT_SHUTDOWN_APPLICATION &&
	    (x->ctinit_fd = ct_ctinit_open(path, sizeof(path))) < 0)
		return log_error_errno(x->ctinit_fd, "Failed to open ctinit (%s)", path);
	return 0;
}

static int run_hooks(struct creating *x, enum ct_oci_hook_kind kind)
{
	cleanup_free char *state = NULL;
	int r;

	if (!x->spec.n_hooks[kind])
		return 0;
	r = ctrun_state_json(&x->c, &x->spec, CTRUN_CREATING, &state);
	return r < 0 ? log_error_errno(r, "Failed to describe the state for the hooks")
		     : ctrun_hooks(&x->spec, kind, state);
}

/* Between clone and go: init's cgroups and id maps, its mounts, the hooks. */
static int after_clone(struct creating *x)
{
	struct ct_spawn_fds fds;
	char what[PATH_MAX + 256];
	const struct ct_config *c = &x->l.config;
	int r = 0;

	if (ct_cgroup_needs_attach(&x->c.cgroup) &&
	    (r = ct_cgroup_attach(&x->c.cgroup, x->pid, false)) < 0)
		return log_error_errno(r, "Failed to move init into its cgroups");
	r = ct_spawn_prepare(x->pid, c, ct_config_userns(c) ? &c->idmap : NULL, x->root_uid, &fds,
			     what, sizeof(what));
	if (r < 0)
		return log_error_errno(r, "Failed to prepare %s", what);
	if ((r = run_hooks(x, CT_OCI_HOOK_PRESTART)) >= 0 &&
	    (r = run_hooks(x, CT_OCI_HOOK_CREATE_RUNTIME)) >= 0 &&
	    (r = ct_spawn_go(x->sync_fd, &fds)) < 0)
		log_error_errno(r, "Failed to let init go on");
	ct_spawn_fds_close(&fds);
	return r;
}

static int report_failure(const struct creating *x, const struct ct_setup_report *rep)
{
	const char *arg0 = x->l.method == CT_SHUTDOWN_APPLICATION ? x->l.argv[2] : x->l.argv[0];

	if (rep->step == CT_STEP_EXEC && rep->error == -ENOENT)
		return log_error_errno(rep->error, "exec: \"%s\": executable file not found in $PATH",
				       arg0);
	if (rep->step == CT_STEP_EXEC && rep->error == -EACCES)
		return log_error_errno(rep->error, "exec: \"%s\": permission denied", arg0);
	return log_error_errno(rep->error, "Failed to set up the container: %s%s%s%s",
			       ct_step_to_string((enum ct_step)rep->step), rep->detail[0] ? " (" : "",
			       rep->detail, rep->detail[0] ? ")" : "");
}

/* Until the child says it is ready (the about-to-exec marker), failed, or died. */
static int wait_ready(struct creating *x)
{
	struct pollfd p = { .fd = x->sync_fd, .events = POLLIN };

	for (;;) {
		struct ct_setup_report rep;
		enum ct_spawn_news news;
		int r;

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return log_error_errno(-errno, "Failed to wait for init's setup");
		r = ct_spawn_read_report(x->sync_fd, &news, &rep);
		if (r == -EAGAIN)
			continue;
		if (r < 0)
			return log_error_errno(r, "Failed to read init's setup report");
		if (news == CT_SPAWN_ABOUT_TO_EXEC)
			return 0;
		if (news == CT_SPAWN_FAILED)
			return report_failure(x, &rep);
		return ctrun_fail(-ESRCH, "init died during its setup");
	}
}

static int clone_init(struct creating *x)
{
	const struct ct_config *c = &x->l.config;
	struct ct_spawn_plan plan = {
		.config = c, .hostname = c->hostname ? c->hostname : x->o->id, .argv = x->l.argv,
		.envp = x->spec.process.env, .exec_fd = -1, .console_fd = -1, .devpts_fd = -1,
		.tty_fd = -1, .stdio_fd = -1, .userns = ct_config_userns(c), .oci = &x->l.oci,
		.confine = { .seccomp = x->l.conf.seccomp, .creds = &x->l.conf.creds,
			     .no_new_privs = x->l.conf.no_new_privs },
	};
	int r;

	sigemptyset(&plan.child_mask);
	if ((r = make_cgroup(x)) < 0 || (r = prepare_files(x, &plan)) < 0 ||
	    (r = join_namespaces(x)) < 0)
		return r;
	plan.exec_fd = x->ctinit_fd;
	plan.dev_fd = x->dev_fd;
	plan.cgroup_fd = x->c.cgroup.v2_fd;
	r = ct_spawn(&plan, &x->pidfd, &x->pid, &x->sync_fd);
	if (r < 0)
		return log_error_errno(r, "Failed to clone the container's init");
	x->c.pid = x->pid;
	if ((r = leave_namespaces(x)) < 0 ||
	    (r = ct_proc_starttime(x->pid, &x->c.starttime)) < 0 || (r = ctrun_save(&x->c)) < 0 ||
	    (r = after_clone(x)) < 0 || (r = wait_ready(x)) < 0)
		return r;
	x->c.ready = true;
	return 0;
}

/* Nothing of a failed create stays: init killed (and reaped, when it is our child), its cgroup
 * and the state directory removed. */
static void undo(struct creating *x)
{
	if (x->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, x->pidfd, SIGKILL, NULL, 0);
		waitpid(x->pid, NULL, 0);
	}
	if (x->cgroup_made) {
		ct_cgroup_kill(&x->c.cgroup);
		ct_cgroup_remove(&x->c.cgroup);
	}
	if (x->dir_made)
		ctrun_remove_dir(&x->c);
}

static void creating_done(struct creating *x)
{
	ct_spawn_tty_close(&x->tty);
	ct_close_fd(&x->dev_fd);
	ct_close_fd(&x->fifo_fd);
	ct_close_fd(&x->ctinit_fd);
	ct_close_fd(&x->pidfd);
	ct_close_fd(&x->sync_fd);
	ct_close_fd(&x->c.cgroup.v2_fd);
	for (size_t i = 0; i < ARRAY_SIZE(x->own); i++)
		ct_close_fd(&x->own[i]);
	ctrun_launch_free(&x->l);
	ct_oci_free(&x->spec);
}

static int load_bundle(struct creating *x, char *bundle, size_t size)
{
	char err[CT_OCI_ERR_MAX];
	int r;

	if (!realpath(x->o->bundle && x->o->bundle[0] ? x->o->bundle : ".", bundle))
		return log_error_errno(-errno, "bundle %s", x->o->bundle ? x->o->bundle : ".");
	if (strcspn(bundle, "\n\r") != strlen(bundle) || strlen(bundle) >= size)
		return ctrun_fail(-EINVAL, "bundle %s: a path with a line break", bundle);
	r = ct_oci_load(bundle, &x->spec, err, sizeof(err));
	if (r >= 0)
		r = ctrun_translate(&x->spec, bundle, x->o->id, &x->o->defaults, &x->l, err,
				    sizeof(err));
	return r < 0 ? log_error_errno(r, "%s", err) : 0;
}

int ctrun_create(const char *root, const struct ctrun_create_options *o, pid_t *ret_pid)
{
	struct creating x = { .o = o, .dev_fd = -1, .fifo_fd = -1, .ctinit_fd = -1, .pidfd = -1,
			      .sync_fd = -1, .tty = { -1, -1, -1, -1 },
			      .own = { -1, -1, -1, -1, -1, -1, -1, -1 } };
	char bundle[PATH_MAX];
	int r;

	x.c.cgroup.v2_fd = -1;
	snprintf(x.c.id, sizeof(x.c.id), "%s", o->id);
	if ((r = load_bundle(&x, bundle, sizeof(bundle))) < 0 ||
	    (r = make_dir(&x, root, bundle)) < 0)
		goto out;
	snprintf(x.c.bundle, sizeof(x.c.bundle), "%s", bundle);
	created_now(&x.c);
	x.c.userns = ct_config_userns(&x.l.config);
	x.c.method = x.l.method;
	snprintf(x.c.command, sizeof(x.c.command), "%s", x.l.method_command ? x.l.method_command : "");
	root_ids(&x);
	if ((r = ctrun_save(&x.c)) < 0 || (r = clone_init(&x)) < 0 || (r = ctrun_save(&x.c)) < 0 ||
	    (o->pid_file && (r = ctrun_write_pid_file(o->pid_file, x.pid)) < 0))
		goto out;
	*ret_pid = x.pid;
out:
	if (r < 0)
		undo(&x);
	creating_done(&x);
	return r;
}
