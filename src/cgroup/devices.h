/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device allowlist every container gets: the standard character devices plus the config's
 * device.allow lines, default deny. On cgroup2 it is a BPF_CGROUP_DEVICE program attached with
 * BPF_F_ALLOW_MULTI (a guest can add its own below, only narrowing); without cgroup2 it is written
 * to the v1 devices controller. */
#pragma once

#include "config/config.h"

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

/* The most instructions a program for n rules needs: a prologue of 7, at most 4 per rule (its
 * group's type and access checks, a major and a minor check), two exits of 2. Merged rules need
 * fewer: the standard set takes 24. */
#define CT_DEVICES_PROG_LEN(n) (7 + 4 * (size_t)(n) + 4)

/* The standard set every container gets: null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9,
 * tty 5:0, console 5:1, ptmx 5:2 and the pty slaves (majors 136..143, any minor), all rwm.
 * Nothing else: no block device, no /dev/mem (1:1), /dev/kmsg (1:11) or /dev/port (1:4). */
#define CT_DEVICES_STANDARD_COUNT 16
extern const struct ct_device_rule ct_devices_standard[CT_DEVICES_STANDARD_COUNT];
extern const size_t ct_devices_standard_count;
/* The longest program ct_devices_attach makes. */
#define CT_DEVICES_PROG_MAX CT_DEVICES_PROG_LEN(CT_DEVICES_STANDARD_COUNT + CT_DEVICE_RULES_MAX)

/* Pure: the BPF_PROG_TYPE_CGROUP_DEVICE program allowing exactly rules (default deny) into out,
 * which holds max instructions. It returns 1 iff a rule matches the type (or is 'a'), the major
 * and the minor (or has -1 for them) and grants every requested access bit. -EINVAL for an
 * invalid rule, -E2BIG if the program does not fit (out untouched then). */
int ct_devices_program(const struct ct_device_rule *rules, size_t n, struct bpf_insn *out,
		       size_t max, size_t *ret_n);

/* Loads the program for exactly rules (no standard set) and returns its fd in *ret_fd (the
 * caller's). When log is not NULL (log_size >= 128, as the kernel wants), a refused load is
 * retried to get the verifier's log there, for debugging; the first load's -errno is returned. */
int ct_devices_load(const struct ct_device_rule *rules, size_t n, char *log, size_t log_size,
		    int *ret_fd);

/* Loads the program for the standard set plus extra and attaches it to cgroup_fd (a cgroup2
 * directory, borrowed) as BPF_CGROUP_DEVICE with BPF_F_ALLOW_MULTI. The attachment keeps the
 * program alive with the cgroup; no fd stays open. -E2BIG for more than CT_DEVICE_RULES_MAX
 * extra rules, else 0 or the kernel's -errno (a verifier refusal included). */
int ct_devices_attach(int cgroup_fd, const struct ct_device_rule *extra, size_t n_extra);

/* cgroup v1: writes "a" to devices.deny, then each standard and extra rule to devices.allow (one
 * newline-terminated line per write(), as the kernel parses one rule per write), in the devices
 * cgroup directory dir_fd (borrowed). A partial 'a' rule is written as a 'c' and a 'b' line.
 * -EINVAL for an invalid extra rule, before anything is written. */
int ct_devices_v1_apply(int dir_fd, const struct ct_device_rule *extra, size_t n_extra);
