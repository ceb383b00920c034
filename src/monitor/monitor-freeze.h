/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The freezer (monitor-freeze.c). */
#pragma once

#include "monitor-internal.h"

/* The FREEZE and THAW actions; *next is CT_EV_FREEZE_FAILED or CT_EV_THAW_FAILED when the
 * cgroup would not. */
int ct_monitor_freeze(struct ct_monitor *m, enum ct_event *next);
int ct_monitor_thaw(struct ct_monitor *m, enum ct_event *next);
/* The freeze timer fired: frozen yet? Returns a CT_LOOP_* code. */
int ct_monitor_freeze_check(struct ct_monitor *m);
/* Thaws a frozen container before it is stopped. */
void ct_monitor_unfreeze_for_stop(struct ct_monitor *m);
