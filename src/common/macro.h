/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scope-cleanup macros and small ownership helpers used everywhere. Every cleanup function here is
 * safe on NULL / -1 and preserves errno, so it can run on any error path. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))

static inline void ct_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void ct_freep(void *p)
{
	int saved = errno;
	free(*(void **)p);
	errno = saved;
}

/* Frees a NULL-terminated array of strings and the array itself. */
static inline void ct_strv_free(char **v)
{
	if (!v)
		return;
	for (char **s = v; *s; s++)
		free(*s);
	free(v);
}

static inline void ct_strv_freep(char ***v)
{
	int saved = errno;
	ct_strv_free(*v);
	errno = saved;
}

static inline void ct_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;
		fclose(*f);
		errno = saved;
	}
}

static inline void ct_closedirp(DIR **d)
{
	if (*d) {
		int saved = errno;
		closedir(*d);
		errno = saved;
	}
}

#define cleanup_close _cleanup_(ct_closep)
#define cleanup_closedir _cleanup_(ct_closedirp)
#define cleanup_fclose _cleanup_(ct_fclosep)
#define cleanup_free _cleanup_(ct_freep)
#define cleanup_strv _cleanup_(ct_strv_freep)

/* Takes the fd out of a cleanup variable: the caller now owns it. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Takes the pointer out of a cleanup variable: the caller now owns it. */
#define steal_ptr(pp)                                                                              \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})

/* Closes *fd if open and marks it closed. */
static inline void ct_close_fd(int *fd)
{
	ct_closep(fd);
	*fd = -1;
}
