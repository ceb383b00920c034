/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A config directory's containers in start order: see plan.h. */
#include "plan.h"

#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONF_SUFFIX ".conf"

struct filter {
	bool autostart_only;
	char *const *groups;
};

static bool selected(const struct filter *f, const struct ct_config *c)
{
	const char *group = c->autostart.group;

	if (f->autostart_only && !c->autostart.enabled)
		return false;
	if (!f->groups)
		return true;
	for (char *const *g = f->groups; *g; g++)
		if (strcmp(*g, group[0] ? group : "-") == 0)
			return true;
	return false;
}

/* The container name a directory entry stands for, or false (not NAME.conf, or a bad name). */
static bool conf_name(const char *file, char *name, size_t size)
{
	size_t n = strlen(file), s = strlen(CONF_SUFFIX);

	if (n <= s || strcmp(file + n - s, CONF_SUFFIX) != 0 || file[0] == '.')
		return false;
	if (n - s >= size) {
		log_warning("%s: the name is longer than %zu characters, skipped", file, size - 1);
		return false;
	}
	memcpy(name, file, n - s);
	name[n - s] = '\0';
	if (ct_name_valid(name))
		return true;
	log_warning("%s: '%s' is not a valid container name, skipped", file, name);
	return false;
}

static void entry_free(struct ct_order_entry *e)
{
	struct ct_config *c = (struct ct_config *)e->data;

	free((char *)e->name);
	if (c)
		ct_config_free(c);
	free(c);
}

/* NAME.conf of dir into a new entry at p->e[p->n] (room for it is there) when the filter keeps
 * it. */
static int add(struct ct_plan *p, const char *dir, const char *name, const struct filter *f)
{
	struct ct_file_error err = { 0 };
	struct ct_order_entry e = { 0 };
	char path[4096], msg[1024];
	struct ct_config *c;
	struct stat st;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s%s", dir, name, CONF_SUFFIX) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* Only a regular file is a config (a FIFO or a device there is something else). */
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warning("%s: not a regular file, skipped", path);
		return 0;
	}
	e.data = c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	ct_config_init(c);
	r = ct_config_load(c, path, &err);
	if (r < 0) {
		ct_file_error_format(&err, msg, sizeof(msg));
		log_error("config of container '%s' skipped: %s", name, msg);
		p->failed++;
	} else if (selected(f, c)) {
		e.name = strdup(name);
		if (!e.name) {
			entry_free(&e);
			return -ENOMEM;
		}
		e.group = c->autostart.group;
		e.order = c->autostart.order;
		e.delay = c->autostart.delay;
		e.config = c->path;
		p->e[p->n++] = e;
		return 0;
	}
	entry_free(&e);
	return 0;
}

static int scan(struct ct_plan *p, const char *dir, const struct filter *f)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;
	int r = 0;

	if (!d)
		return log_error_errno(-errno, "Failed to open the config directory '%s'", dir);
	while (r == 0 && (de = readdir(d))) {
		char name[CT_NAME_MAX + 1];
		if (!conf_name(de->d_name, name, sizeof(name)))
			continue;
		if (p->n == cap) {
			struct ct_order_entry *grown = reallocarray(p->e, cap ? cap * 2 : 16, sizeof(*grown));
			if (!grown) {
				r = -ENOMEM;
				break;
			}
			p->e = grown;
			cap = cap ? cap * 2 : 16;
		}
		r = add(p, dir, name, f);
	}
	closedir(d);
	if (r < 0)
		log_error_errno(r, "Failed to read the config directory '%s'", dir);
	return r;
}

void ct_plan_free(struct ct_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		entry_free(&p->e[i]);
	free(p->e);
	*p = (struct ct_plan){ 0 };
}

int ct_plan_load(struct ct_plan *p, const char *dir, bool autostart_only, char *const *groups)
{
	struct filter f = { .autostart_only = autostart_only, .groups = groups };
	int r;

	*p = (struct ct_plan){ 0 };
	r = scan(p, dir, &f);
	if (r < 0) {
		ct_plan_free(p);
		return r;
	}
	ct_order_sort(p->e, p->n);
	return 0;
}
