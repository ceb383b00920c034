/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command room's one public header: the protocol tools and monitor share (messages, method
 * and state names), the run dir where sockets and pid files live, the client's calls and the
 * monitor's socket server. Other folders include this, never the parts. */
#pragma once

#include "calls.h"
#include "client.h"
#include "protocol.h"
#include "rundir.h"
#include "server.h"
