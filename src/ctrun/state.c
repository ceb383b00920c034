/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's state directory, ROOT/ID: the state file (key=value lines), the config.json saved
 * at create, and the exec FIFO until start. What state a container is in is read off these and
 * the process itself, never cached: init may die at any time. */
#include "ctrun-internal.h"

#include "common/log.h"
#include "common/macro.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STATE_FILE_MAX (64 * 1024)

int ctrun_fail(int r, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s", msg);
	return r;
}

static bool id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > CTRUN_ID_MAX || id[0] == '.' || id[0] == '-')
		return false;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-+") == n;
}

int ctrun_dir(const char *root, const char *id, char *buf, size_t size)
{
	if (!id_valid(id))
		return ctrun_fail(-EINVAL, "container ID '%s': expected 1-%d of A-Z a-z 0-9 _ . - +, "
				       "not starting with . or -", id, CTRUN_ID_MAX);
	if (snprintf(buf, size, "%s/%s", root, id) >= (int)size)
		return log_error_errno(-ENAMETOOLONG, "state directory %s/%s", root, id);
	return 0;
}

/* A cgroup of the state must be a container's below the cgroup file systems, at least two
 * levels below a hierarchy's root (PARENT/LEAF): delete kills what is in it. */
static bool cgroup_path_valid(const char *path)
{
	const char *p = path + 15;
	int levels = 0;

	if (path[0] == '\0')
		return true;
	if (strncmp(path, "/sys/fs/cgroup/", 15) != 0 || strstr(path, "/..") || strstr(path, "//"))
		return false;
	for (p = strchr(p, '/'); p && p[1]; p = strchr(p + 1, '/'))
		levels++;
	return levels >= 2;
}

static int parse_method(struct ctrun_container *c, const char *value)
{
	int m = ct_shutdown_method_from_string(value);

	if (m <= 0)
		return -EBADMSG;
	c->method = (enum ct_shutdown_method)m;
	return 0;
}

static int parse_line(struct ctrun_container *c, const char *key, const char *value)
{
	char *end;

	if (strncmp(key, "cgroup.", 7) == 0 && !cgroup_path_valid(value))
		return -EBADMSG;
	if (strcmp(key, "pid") == 0)
		c->pid = (pid_t)strtol(value, &end, 10);
	else if (strcmp(key, "starttime") == 0)
		c->starttime = strtoull(value, &end, 10);
	else if (strcmp(key, "userns") == 0)
		c->userns = strcmp(value, "1") == 0;
	else if (strcmp(key, "ready") == 0)
		c->ready = strcmp(value, "1") == 0;
	else if (strcmp(key, "bundle") == 0)
		snprintf(c->bundle, sizeof(c->bundle), "%s", value);
	else if (strcmp(key, "created") == 0)
		snprintf(c->created, sizeof(c->created), "%s", value);
	else if (strcmp(key, "method") == 0)
		return parse_method(c, value);
	else if (strcmp(key, "command") == 0)
		snprintf(c->command, sizeof(c->command), "%s", value);
	else if (strcmp(key, "cgroup.v2") == 0)
		snprintf(c->cgroup.v2, sizeof(c->cgroup.v2), "%s", value);
	else if (strcmp(key, "cgroup.payload") == 0)
		snprintf(c->cgroup.payload, sizeof(c->cgroup.payload), "%s", value);
	else if (strcmp(key, "cgroup.helpers") == 0)
		snprintf(c->cgroup.helpers, sizeof(c->cgroup.helpers), "%s", value);
	else
		for (int i = 0; i < CT_CG_COUNT_; i++)
			if (strncmp(key, "cgroup.v1.", 10) == 0 &&
			    strcmp(key + 10, ct_cgroup_ctrl_name((enum ct_cg_ctrl)i)) == 0)
				snprintf(c->cgroup.v1[i], sizeof(c->cgroup.v1[i]), "%s", value);
	return 0;
}

int ctrun_root_trusted(const char *root)
{
	int r = ct_dir_trusted(root);

	if (r < 0 && r != -ENOENT)
		log_error_errno(r, "state root %s: not a directory owned by root that no one else may "
				"write to (a state there could name any process to signal)", root);
	return r;
}

int ctrun_load(const char *root, const char *id, struct ctrun_container *ret)
{
	char path[PATH_MAX + 16];
	cleanup_free char *text = NULL;
	size_t len;
	int r;

	*ret = (struct ctrun_container){ .cgroup.v2_fd = -1 };
	if ((r = ctrun_dir(root, id, ret->dir, sizeof(ret->dir))) < 0 ||
	    (r = ctrun_root_trusted(root)) < 0)
		return r;
	snprintf(ret->id, sizeof(ret->id), "%s", id);
	snprintf(path, sizeof(path), "%s/state", ret->dir);
	r = ct_read_file(path, STATE_FILE_MAX, &text, &len);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return log_error_errno(r, "Failed to read %s", path);
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');
		if (!eq)
			return ctrun_fail(-EBADMSG, "%s: a line without '='", path);
		*eq = '\0';
		if (parse_line(ret, l, eq + 1) < 0)
			return ctrun_fail(-EBADMSG, "%s: %s: %s", path, l,
					  strcmp(l, "method") == 0 ? "not a stop method"
								   : "not a path below /sys/fs/cgroup");
	}
	return 0;
}

int ctrun_find(const char *root, const char *id, struct ctrun_container *ret)
{
	int r = ctrun_load(root, id, ret);

	return r == -ENOENT ? ctrun_fail(r, "container %s does not exist", id) : r;
}

int ctrun_save(const struct ctrun_container *c)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
	cleanup_fclose FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/state", c->dir);
	snprintf(tmp, sizeof(tmp), "%s/.state.tmp", c->dir);
	f = fopen(tmp, "we");
	if (!f)
		return log_error_errno(-errno, "Failed to write %s", tmp);
	fprintf(f, "pid=%d\nstarttime=%llu\nready=%d\nuserns=%d\nbundle=%s\ncreated=%s\n",
		(int)c->pid, (unsigned long long)c->starttime, c->ready, c->userns, c->bundle,
		c->created);
	if (c->method != CT_SHUTDOWN_UNSET)
		fprintf(f, "method=%s\ncommand=%s\n", ct_shutdown_method_to_string(c->method),
			c->command);
	fprintf(f, "cgroup.v2=%s\ncgroup.payload=%s\ncgroup.helpers=%s\n", c->cgroup.v2,
		c->cgroup.payload, c->cgroup.helpers);
	for (int i = 0; i < CT_CG_COUNT_; i++)
		if (c->cgroup.v1[i][0])
			fprintf(f, "cgroup.v1.%s=%s\n", ct_cgroup_ctrl_name((enum ct_cg_ctrl)i),
				c->cgroup.v1[i]);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0)
		return log_error_errno(-errno ? -errno : -EIO, "Failed to write %s", tmp);
	if (rename(tmp, path) < 0)
		return log_error_errno(-errno, "Failed to rename %s to %s", tmp, path);
	return 0;
}

int ctrun_open_init(const struct ctrun_container *c, int *ret_pidfd)
{
	uint64_t start;
	int fd;

	if (c->pid <= 0)
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (fd < 0)
		return -errno;
	/* After the open: the fd holds the process found, whose start time says it is ours. */
	if (ct_proc_starttime(c->pid, &start) < 0 || start != c->starttime) {
		close(fd);
		return -ESRCH;
	}
	*ret_pidfd = fd;
	return 0;
}

/* A zombie is stopped: it runs no more, though its parent has not reaped it yet. */
static bool alive(const struct ctrun_container *c)
{
	uint64_t start;
	char state;

	return c->pid > 0 && ct_proc_stat(c->pid, &state, &start) == 0 &&
	       start == c->starttime && state != 'Z' && state != 'X';
}

enum ctrun_status ctrun_status_of(const struct ctrun_container *c)
{
	char fifo[PATH_MAX + 16];

	if (!c->ready)
		return CTRUN_CREATING;
	if (!alive(c))
		return CTRUN_STOPPED;
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", c->dir);
	if (access(fifo, F_OK) == 0)
		return CTRUN_CREATED;
	return ct_cgroup_is_frozen(&c->cgroup) == 1 ? CTRUN_PAUSED : CTRUN_RUNNING;
}

const char *ctrun_status_name(enum ctrun_status s)
{
	static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };

	return names[s];
}

int ctrun_load_spec(const struct ctrun_container *c, struct ct_oci_spec *ret)
{
	char err[CT_OCI_ERR_MAX];
	int r = ct_oci_load(c->dir, ret, err, sizeof(err));

	return r < 0 ? log_error_errno(r, "%s", err) : 0;
}

int ctrun_state_json(const struct ctrun_container *c, const struct ct_oci_spec *s,
		     enum ctrun_status st, char **ret)
{
	json_object *o = json_object_new_object(), *a = json_object_new_object();
	char *text;

	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return -ENOMEM;
	}
	json_object_object_add(o, "ociVersion", json_object_new_string(s->oci_version));
	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "status", json_object_new_string(ctrun_status_name(st)));
	json_object_object_add(o, "pid", json_object_new_int(st == CTRUN_STOPPED ? 0 : c->pid));
	json_object_object_add(o, "bundle", json_object_new_string(c->bundle));
	for (char **kv = s->annotations; kv && *kv; kv++) {
		char *eq = strchr(*kv, '=');
		cleanup_free char *key = strndup(*kv, (size_t)(eq - *kv));
		if (key)
			json_object_object_add(a, key, json_object_new_string(eq + 1));
	}
	json_object_object_add(o, "annotations", a);
	json_object_object_add(o, "created", json_object_new_string(c->created));
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (!text)
		return -ENOMEM;
	*ret = text;
	return 0;
}

int ctrun_remove_dir(const struct ctrun_container *c)
{
	static const char *const files[] = { "exec.fifo", "state", ".state.tmp", "config.json" };
	char path[PATH_MAX + 16];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", c->dir, files[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			return log_error_errno(-errno, "Failed to remove %s", path);
	}
	if (rmdir(c->dir) < 0 && errno != ENOENT)
		return log_error_errno(-errno, "Failed to remove %s", c->dir);
	return 0;
}

int ctrun_write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	cleanup_close int fd = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.ctrun-tmp", path) >= (int)sizeof(tmp))
		return log_error_errno(-ENAMETOOLONG, "pid file %s", path);
	/* a fresh file: never one planted there (a hard link to a host file) */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return log_error_errno(-errno, "Failed to remove %s", tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || ct_write_all(fd, buf, (size_t)n) < 0 || rename(tmp, path) < 0) {
		int r = -errno;
		unlink(tmp);
		return log_error_errno(r, "Failed to write the pid file %s", path);
	}
	return 0;
}
