/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libseccomp's <seccomp.h>, which our own seccomp.h hides: src/supervisor comes before the system
 * directories on the include path. Include this file as <seccomp-lib.h>, so that it is found on
 * that path and #include_next goes on to the directories after src/supervisor. */
#pragma once

#include_next <seccomp.h>
