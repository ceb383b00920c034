/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device.allow rule ("c 10:200 rwm"): what it is, parsed and written back (for the v1 devices
 * controller). The program that enforces rules lives in the cgroup room (devices.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bit values chosen to match BPF_DEVCG_ACC_*. */
enum { CT_DEV_MKNOD = 1, CT_DEV_READ = 2, CT_DEV_WRITE = 4 };
#define CT_DEV_ALL (CT_DEV_MKNOD | CT_DEV_READ | CT_DEV_WRITE)

#define CT_DEV_MAJOR_MAX 4095    /* the kernel's dev_t: 12 bits of major, */
#define CT_DEV_MINOR_MAX 1048575 /* 20 bits of minor */

struct ct_device_rule {
	char type;            /* 'c', 'b', 'a' (any) */
	int64_t major, minor; /* -1: any */
	unsigned access;      /* CT_DEV_* bits, not 0 */
};

#define CT_DEVICE_RULES_MAX 64 /* device.allow lines per config */
/* Room for the longest v1 line, "c 4095:1048575 rwm". */
#define CT_DEVICE_RULE_STRLEN 32

/* A rule within the kernel's ranges with a known type and a non-empty rwm access. */
bool ct_device_rule_valid(const struct ct_device_rule *r);
/* "a" (= a *:* rwm): every device. */
bool ct_device_rule_is_everything(const struct ct_device_rule *r);

/* One device.allow value: "c 10:200 rwm", "b 8:* r", "c *:* m", "a" (= a *:* rwm); blanks
 * separate the fields. Numbers must be in the kernel's ranges (major <= CT_DEV_MAJOR_MAX, minor
 * <= CT_DEV_MINOR_MAX) and access a non-empty subset of rwm. -EINVAL with the reason in msg;
 * *ret untouched then. */
int ct_device_rule_parse(const char *value, struct ct_device_rule *ret, char *msg, size_t msg_size);

/* The v1 devices.allow form of a rule ("c 1:3 rwm", "c 136:* rw", "a" for a *:* rwm). -EINVAL for
 * an invalid rule, and for a partial 'a' rule ("a 1:3 r"): the kernel reads any line starting with
 * 'a' as "everything", so it has no one-line v1 form (ct_devices_v1_apply writes it as a 'c' and a
 * 'b' line). -ENOSPC if buf is too small (CT_DEVICE_RULE_STRLEN always fits). */
int ct_device_rule_format(const struct ct_device_rule *r, char *buf, size_t size);
