/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting init (monitor-spawn.c): the plan, the clone, the confinement every process the
 * monitor puts inside gets. */
#pragma once

#include "monitor-internal.h"

/* Builds the spawn plan, clones init and registers the sync socket. */
int ct_monitor_spawn(struct ct_monitor *m);
/* How the container's processes are confined. */
struct ct_confine ct_monitor_confine(const struct ct_monitor *m);
/* The environment the container's processes get: our defaults and the config's env. */
int ct_monitor_build_env(const struct ct_config *c, char ***ret);
