/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command socket's handlers (monitor-cmd.c). */
#pragma once

#include "monitor-internal.h"

extern const struct ct_cmd_entry ct_monitor_commands[];
extern const size_t ct_monitor_n_commands;
