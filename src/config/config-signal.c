/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signal names and numbers as a config file or a command line writes them ("TERM", "SIGTERM", "15",
 * "SIGRTMIN+4"), for shutdown_signal. Numbering is glibc's, fixed by the design, not the libc's we
 * were built against (musl's SIGRTMIN differs). */
#include "config.h"

#include "common/macro.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <strings.h>

/* glibc reserves 32 and 33 for itself, so its SIGRTMIN is 34. */
#define SIGNAL_RTMIN 34
#define SIGNAL_RTMAX 64

static const struct {
	const char *name;
	int number;
} signal_names[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },     { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },       { "BUS", SIGBUS },
	{ "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },     { "TERM", SIGTERM },
#ifdef SIGSTKFLT
	{ "STKFLT", SIGSTKFLT },
#endif
	{ "CHLD", SIGCHLD },   { "CLD", SIGCHLD },      { "CONT", SIGCONT },     { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },     { "URG", SIGURG },
	{ "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO },         { "POLL", SIGPOLL },     { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

/* A plain decimal number in [min, max]: digits only, no sign or blanks. */
static int signal_number(const char *s, int min, int max)
{
	long v;

	if (s[0] < '0' || s[0] > '9' || ct_parse_long(s, min, max, &v) < 0)
		return -EINVAL;
	return (int)v;
}

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n", already without "SIG"; -EINVAL if not one of them. */
static int signal_realtime(const char *s)
{
	int n;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		if (!s[5])
			return SIGNAL_RTMIN;
		n = s[5] == '+' ? signal_number(s + 6, 0, SIGNAL_RTMAX - SIGNAL_RTMIN) : -EINVAL;
		return n < 0 ? n : SIGNAL_RTMIN + n;
	}
	if (strncasecmp(s, "RTMAX", 5) == 0) {
		if (!s[5])
			return SIGNAL_RTMAX;
		n = s[5] == '-' ? signal_number(s + 6, 0, SIGNAL_RTMAX - SIGNAL_RTMIN) : -EINVAL;
		return n < 0 ? n : SIGNAL_RTMAX - n;
	}
	return -EINVAL;
}

static int signal_from_name(const char *s)
{
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (strcasecmp(s, signal_names[i].name) == 0)
			return signal_names[i].number;
	return signal_realtime(s);
}

int ct_signal_from_string(const char *s)
{
	int sig;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '9')
		sig = signal_number(s, 1, SIGNAL_RTMAX);
	else
		sig = signal_from_name(s);
	if (sig == SIGKILL || sig == SIGSTOP)
		return -EINVAL;
	return sig;
}
