/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Formatting shared by ctinfo and ctls, so that both print a container the same way. */
#include "ctbuild.h"

#include "show.h"

#include "cmd/cmd.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

void ct_show_time(uint64_t ms, char *buf, size_t size)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms) {
		snprintf(buf, size, "-");
		return;
	}
	gmtime_r(&s, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ct_show_duration(uint64_t ms, char *buf, size_t size)
{
	unsigned long long s = ms / 1000;

	if (s < 60)
		snprintf(buf, size, "%llus", s);
	else if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%llud%02lluh", s / 86400, s % 86400 / 3600);
}

void ct_show_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void member_str(const char *key, const char *value, const char *sep)
{
	printf("%s\"%s\": ", sep, key);
	ct_show_json_str(value);
}

static void member_int(const char *key, long long value, const char *sep)
{
	printf("%s\"%s\": %lld", sep, key, value);
}

void ct_show_json_info(const struct ct_info *i, const char *sep)
{
	char started[64];

	ct_show_time(i->start_time_ms, started, sizeof(started));
	member_str("name", i->name, "");
	member_str("state", ct_state_to_string(i->state), sep);
	member_int("init_pid", i->init_pid, sep);
	member_int("monitor_pid", i->monitor_pid, sep);
	member_str("kind", i->application ? "application" : "system", sep);
	member_str("shutdown_method", ct_shutdown_method_to_string(i->shutdown_method), sep);
	member_str("config", i->config_path, sep);
	member_str("rootfs", i->rootfs, sep);
	member_str("idmap", i->idmap, sep);
	member_int("reboots", i->reboots, sep);
	member_int("exec_sessions", i->exec_sessions, sep);
	member_int("memory_bytes", i->memory_bytes, sep);
	member_str("memory_source", i->memory_of_processes ? "processes" : "cgroup", sep);
	member_str("blocked", i->blocked, sep);
	member_str("log", i->log_path, sep);
	printf("%s\"console\": %s", sep, i->console ? "true" : "false");
	member_str("network", i->network, sep);
	member_str("group", i->group, sep);
	member_int("start_order", i->start_order, sep);
	member_int("tasks", i->tasks, sep);
	member_int("cpu_usec", i->cpu_usec, sep);
	printf("%s\"start_time_ms\": %llu", sep, (unsigned long long)i->start_time_ms);
	member_str("started", started, sep);
}
