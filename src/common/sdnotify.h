/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service manager's notification protocol (sd_notify(3)), spoken without libsystemd: one
 * datagram of "KEY=VALUE" lines to the socket $NOTIFY_SOCKET names (a path, or "@" for an abstract
 * name). */
#pragma once

#include <stdbool.h>

/* Takes $NOTIFY_SOCKET out of the environment (nothing we start may speak for us: not a guest's
 * init, not a helper) and, with keep, keeps it for ct_sd_notify(). Returns whether it is kept. */
bool ct_sd_notify_init(bool keep);
/* Whether ct_sd_notify_init() found a socket. */
bool ct_sd_notify_enabled(void);
/* Sends the lines; a no-op without a socket. Returns 0 or -errno (the caller may ignore it:
 * the service manager going away is not the container's problem). */
int ct_sd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
