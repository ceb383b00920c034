/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How ctinfo and ctls show a container: times, durations, and the JSON members of an INFO reply. */
#pragma once

#include "cmd/cmd.h"

#include <stddef.h>
#include <stdint.h>

/* A CLOCK_REALTIME ms timestamp as "2026-11-23T02:02:55Z" (UTC); "-" for 0. */
void ct_show_time(uint64_t ms, char *buf, size_t size);
/* A duration, short and coarse: "0s", "59s", "1m05s", "2h03m", "3d04h". */
void ct_show_duration(uint64_t ms, char *buf, size_t size);
/* Prints s to stdout as a JSON string, quoted and escaped. */
void ct_show_json_str(const char *s);
/* Prints the members of i ("name": ..., "state": ..., ...) to stdout, sep between them. */
void ct_show_json_info(const struct ct_info *i, const char *sep);
