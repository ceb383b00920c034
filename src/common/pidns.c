/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What keeps a container's pid namespace from ending (see pidns.h). */
#include "pidns.h"

#include "macro.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct task {
	pid_t pid, ppid;
	char state;
	char comm[32];
};

static int read_task(pid_t pid, struct task *t)
{
	char path[64], line[256];
	cleanup_fclose FILE *f = NULL;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*t = (struct task){ .pid = pid };
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Name:\t", 6) == 0)
			snprintf(t->comm, sizeof(t->comm), "%.*s", (int)strcspn(line + 6, "\n"), line + 6);
		else if (strncmp(line, "State:\t", 7) == 0)
			t->state = line[7];
		else if (strncmp(line, "PPid:\t", 6) == 0)
			t->ppid = (pid_t)atoi(line + 6);
	}
	return 0;
}

static int pidns_of(pid_t pid, ino_t *ret)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	if (stat(path, &st) < 0)
		return -errno;
	*ret = st.st_ino;
	return 0;
}

/* One process of the namespace: held by a parent outside it, or just still there. */
static int describe(const struct task *t, ino_t ns, char *buf, size_t size)
{
	struct task parent;
	ino_t pns = 0;

	if (read_task(t->ppid, &parent) == 0 && pidns_of(t->ppid, &pns) == 0 && pns != ns) {
		snprintf(buf, size,
			 "pid %d (%s) outside the container has not reaped its child, pid %d (%s) of "
			 "the container%s",
			 (int)parent.pid, parent.comm, (int)t->pid, t->comm,
			 parent.state == 'T' ? "; it is stopped (SIGCONT it, or kill it)" : "");
		return CT_PIDNS_HELD_OUTSIDE;
	}
	snprintf(buf, size, "pid %d (%s) of the container is still there (state %c)", (int)t->pid,
		 t->comm, t->state);
	return CT_PIDNS_STILL_THERE;
}

int ct_pidns_blocker(pid_t init, char *buf, size_t size)
{
	DIR *d;
	struct dirent *e;
	ino_t ns = 0, other = 0;
	int r = pidns_of(init, &ns), found = 0;

	buf[0] = '\0';
	if (r < 0)
		return r;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while (found < CT_PIDNS_HELD_OUTSIDE && (e = readdir(d))) {
		struct task t;
		char what[512];
		pid_t pid = (pid_t)atoi(e->d_name);
		int k;

		if (pid <= 0 || pid == init || pidns_of(pid, &other) < 0 || other != ns ||
		    read_task(pid, &t) < 0)
			continue;
		k = describe(&t, ns, what, sizeof(what));
		if (k > found) {
			found = k;
			snprintf(buf, size, "%s", what);
		}
	}
	closedir(d);
	return found;
}
