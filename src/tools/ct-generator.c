/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ct-generator: a systemd generator (systemd.generator(7)). For every NAME.conf of the config dir it
 * writes a drop-in for ct@NAME.service that systemd cannot derive by itself: TimeoutStopSec from the
 * container's shutdown_timeout plus a margin (so systemd's own kill never comes before ctstop's),
 * RequiresMountsFor= its rootfs; and for the autostart ones a ct.target.wants link, After= the
 * previous batch of the start order (order.h; systemd stops in the reverse order by itself) and
 * start.delay as an ExecStartPost sleep, so the next batch waits as `ctstart --all` would. */
#include "ctbuild.h"

#include "common/log.h"
#include "common/macro.h"
#include "plan.h"
#include "start-all.h" /* CT_START_BATCH_TIMEOUT: ct@.service's TimeoutStartSec too */
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STOP_MARGIN_S 15 /* after the container's own timeout: ctstop's kill, then the drain */
#define DROPIN "50-ct-generator.conf"

/* A path as one word of a unit file's list: quoted (a space does not split it), with '\\' and '"'
 * escaped and '%' doubled (not a specifier). The config refuses control characters. */
static void write_path(FILE *f, const char *path)
{
	fputc('"', f);
	for (const char *c = path; *c; c++) {
		if (*c == '%')
			fputc('%', f);
		else if (*c == '\\' || *c == '"')
			fputc('\\', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

static void write_after(FILE *f, const struct ct_plan *p, size_t prev, size_t prev_len)
{
	if (prev_len == 0)
		return;
	fputs("After=", f);
	for (size_t k = prev; k < prev + prev_len; k++)
		fprintf(f, "%sct@%s.service", k > prev ? " " : "", p->e[k].name);
	fputc('\n', f);
}

/* One drop-in: the container's timeout and mounts, and its place in the order when it autostarts. */
static int write_dropin(const char *dir, const struct ct_plan *p, size_t i, size_t prev,
			size_t prev_len)
{
	const struct ct_order_entry *e = &p->e[i];
	const struct ct_config *c = e->data;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ct@%s.service.d", dir, e->name);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "Failed to create %s", path);
	snprintf(path, sizeof(path), "%s/ct@%s.service.d/" DROPIN, dir, e->name);
	f = fopen(path, "we");
	if (!f)
		return log_error_errno(-errno, "Failed to create %s", path);
	fprintf(f, "# Written by ct-generator from %s\n[Unit]\n", e->config);
	if (c->rootfs) {
		fputs("RequiresMountsFor=", f);
		write_path(f, c->rootfs);
		fputc('\n', f);
	}
	if (c->autostart.enabled)
		write_after(f, p, prev, prev_len);
	fputs("\n[Service]\n", f);
	if (c->shutdown_timeout < 0)
		fputs("TimeoutStopSec=infinity\n", f);
	else
		fprintf(f, "TimeoutStopSec=%d\n", c->shutdown_timeout + STOP_MARGIN_S);
	if (c->autostart.enabled && c->autostart.delay) {
		/* The sleep runs within the start timeout: it gets its own on top. */
		fprintf(f, "ExecStartPost=sleep %u\n", (unsigned)c->autostart.delay);
		fprintf(f, "TimeoutStartSec=%u\n", CT_START_BATCH_TIMEOUT + (unsigned)c->autostart.delay);
	}
	if (fclose(f) != 0)
		return log_error_errno(-errno, "Failed to write %s", path);
	return 0;
}

static int want(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/ct.target.wants", dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "Failed to create %s", path);
	snprintf(path, sizeof(path), "%s/ct.target.wants/ct@%s.service", dir, name);
	if (symlink(CT_SYSTEMDUNITDIR "/ct@.service", path) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "Failed to create %s", path);
	return 0;
}

static int generate(const char *dir, const struct ct_plan *p)
{
	size_t prev = 0, prev_len = 0, batch = 0, batch_len = 0;
	int r = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct ct_config *c = p->e[i].data;
		if (c->autostart.enabled && (batch_len == 0 || i >= batch + batch_len)) {
			/* A new batch of the autostart order: the one before is what it waits for. */
			if (batch_len) {
				prev = batch;
				prev_len = batch_len;
			}
			batch = i;
			batch_len = ct_order_batch_len(p->e, p->n, i);
		}
		if (write_dropin(dir, p, i, prev, c->autostart.enabled ? prev_len : 0) < 0)
			r = -1;
		if (c->autostart.enabled && want(dir, p->e[i].name) < 0)
			r = -1;
	}
	return r;
}

int main(int argc, char **argv)
{
	const char *configdir = getenv("CT_CONFIGDIR");
	struct ct_plan p;
	int r;

	ct_log_set_program("ct-generator");
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: ct-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
		       "A systemd generator: writes ct@NAME.service drop-ins and ct.target.wants\n"
		       "links for the containers of %s (or $CT_CONFIGDIR) into NORMAL_DIR.\n",
		       CT_CONFIGDIR);
		return 0;
	}
	if (argc != 2 && argc != 4) {
		log_error("expected 1 or 3 directories (see --help)");
		return 1;
	}
	if (!configdir)
		configdir = CT_CONFIGDIR;
	if (access(configdir, F_OK) < 0 && errno == ENOENT)
		return 0; /* nothing configured: nothing to generate */
	/* Only autostart containers need an order, but every container gets its timeout. */
	if (ct_plan_load(&p, configdir, false, NULL) < 0)
		return 1;
	r = generate(argv[1], &p);
	ct_plan_free(&p);
	return r < 0 ? 1 : 0;
}
