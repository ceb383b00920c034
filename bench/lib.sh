# bench/lib.sh -- helpers shared by the bench/*.sh benchmark scripts.
# shellcheck shell=bash
#
# Sourced, not run.  The caller sets PROG (its name, for messages) and runs
# under "set -euo pipefail".  Provides:
#
#   die MSG / note MSG / is_uint STR / show_log_tail FILE
#   find_busybox              BUSYBOX: a static busybox, or die
#   find_ct_tools TOOL...     CT_BINDIR holding all TOOLs, or CT_SKIP_WHY
#   bench_tmp TAG KEEP [LXCNAME...]
#                             TMP ROOTFS LXCPATH CTRUN LOGDIR, cleanup traps
#   make_rootfs DIR           a minimal busybox rootfs
#   setup_timer               TIMEIT (C helper) or $EPOCHREALTIME
#   timed LOG CMD...          T_NS, T_RC
#   stats FILE                "N MEDIAN MIN MAX" in ms
#
# Cleanup (on EXIT) first calls the function bench_pre_cleanup if the caller
# defined one (e.g. to stop containers still running), then removes the temp
# dir (unless KEEP is 1) and what LXC leaves outside its lxcpath, for the
# container names LXCNAME.

# Set here, used by the scripts that source this file.
# shellcheck disable=SC2034
TIMEIT=
T_NS=0
T_RC=0

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# The logs live in the temp dir: --keep keeps them.
show_log_tail() {
	tail -n 15 -- "$1" | sed 's/^/    | /' >&2
}

# ---------------------------------------------------------------- tools ---
find_busybox() {
	local ldd_out
	BUSYBOX=${BUSYBOX:-$(command -v busybox || true)}
	[[ -n $BUSYBOX && -x $BUSYBOX ]] || die "busybox not found (apt-get install busybox-static)"
	# The rootfs has no libc: the busybox must be static.
	ldd_out=$(ldd "$BUSYBOX" 2>&1 || true)   # ldd exits 1 for static binaries
	if ! grep -qE 'not a dynamic|statically linked' <<<"$ldd_out"; then
		die "$BUSYBOX is not statically linked (apt-get install busybox-static)"
	fi
}

# find_ct_tools TOOL...: sets CT_BINDIR to the directory holding every TOOL
# (CT_BINDIR from the environment, else that of 'command -v' of the first
# TOOL), or CT_SKIP_WHY if they cannot be found.  An explicit CT_BINDIR that
# lacks a TOOL is an error, not a skip.
find_ct_tools() {
	local t c
	CT_SKIP_WHY=
	if [[ -n ${CT_BINDIR:-} ]]; then
		for t in "$@"; do
			[[ -x $CT_BINDIR/$t ]] || die "CT_BINDIR=$CT_BINDIR has no executable $t"
		done
	elif c=$(command -v "$1"); then
		CT_BINDIR=$(dirname -- "$c")
		for t in "$@"; do
			if [[ ! -x $CT_BINDIR/$t ]]; then
				CT_SKIP_WHY="$CT_BINDIR (from PATH) has no executable $t (set CT_BINDIR)"
				return 0
			fi
		done
	else
		CT_SKIP_WHY="$1 not found in PATH (set CT_BINDIR to the directory holding it)"
	fi
}

# ---------------------------------------------------------- temp + cleanup ---
# bench_tmp TAG KEEP [LXCNAME...]: makes TMP (ct-bench-TAG.XXXXXX under
# $TMPDIR or /tmp) with ROOTFS, LXCPATH (private lxcpath: nothing lands in
# /var/lib/lxc), CTRUN (private ctstart run dir, 0700) and LOGDIR, and
# installs the cleanup traps.  KEEP=1 keeps TMP.  LXCNAME...: the LXC
# container names whose lxc.*.NAME cgroups cleanup removes.
bench_tmp() {
	local p d
	BENCH_KEEP=$2
	BENCH_LXC_NAMES=("${@:3}")
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/ct-bench-$1.XXXXXX")
	ROOTFS=$TMP/rootfs
	LXCPATH=$TMP/lxcpath
	CTRUN=$TMP/ctrun
	LOGDIR=$TMP/logs

	# State LXC leaves outside its lxcpath, even after a clean run:
	#  - /run/lxc/lock/<lxcpath>/ : per-lxcpath lock directory
	#  - <cgroup root>/lxc.pivot  : cgroup the monitor moves to while removing its
	#    own lxc.monitor.NAME cgroup (in every v1 hierarchy and in the v2 one)
	# and, after a crash, lxc.monitor.NAME / lxc.payload.NAME cgroups.  Remember
	# what existed before so that cleanup removes only what this run created.
	NEW_LOCK_DIRS=()   # ancestors of LXC's lock dir that do not exist yet, deepest first
	p=/run/lxc/lock$LXCPATH
	while p=${p%/*}; [[ -n $p && $p != /run ]]; do
		[[ -e $p ]] && break
		NEW_LOCK_DIRS+=("$p")
	done
	PRE_PIVOTS=()
	for d in /sys/fs/cgroup/lxc.pivot /sys/fs/cgroup/*/lxc.pivot; do
		[[ -d $d ]] && PRE_PIVOTS+=("$d")
	done

	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	mkdir -p "$LOGDIR" "$LXCPATH"
	mkdir -m 0700 "$CTRUN"
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
bench_cleanup() {
	local rc=$? d p n
	set +e
	if declare -F bench_pre_cleanup >/dev/null; then
		bench_pre_cleanup
	fi
	# Nothing should be mounted under TMP (every tool mounts in its own mount
	# namespace), but never let rm -rf walk into a leftover mount.
	if command -v findmnt >/dev/null 2>&1; then
		findmnt -rn -o TARGET | grep -F -- "$TMP/" | sort -r | while read -r p; do
			umount -l -- "$p"
		done
	fi
	if ((BENCH_KEEP)); then
		note "kept temp dir $TMP"
	else
		rm -rf --one-file-system -- "$TMP"
	fi
	# LXC leftovers, see bench_tmp.
	rm -rf -- "/run/lxc/lock$LXCPATH" 2>/dev/null
	for p in "${NEW_LOCK_DIRS[@]}"; do
		rmdir -- "$p" 2>/dev/null || break
	done
	for n in "${BENCH_LXC_NAMES[@]}"; do
		for d in /sys/fs/cgroup/lxc.*."$n" /sys/fs/cgroup/*/lxc.*."$n"; do
			if [[ -d $d ]]; then rmdir -- "$d" 2>/dev/null; fi
		done
	done
	for d in /sys/fs/cgroup/lxc.pivot /sys/fs/cgroup/*/lxc.pivot; do
		[[ -d $d ]] || continue
		[[ " ${PRE_PIVOTS[*]} " == *" $d "* ]] && continue
		rmdir -- "$d" 2>/dev/null
	done
	exit "$rc"
}

# ----------------------------------------------------------------- rootfs ---
# make_rootfs DIR: busybox and a few applet links, passwd/group, and the
# marker file /etc/ct-bench-rootfs (proves a command ran in this rootfs).
make_rootfs() {
	local r=$1 a
	mkdir -p "$r"/{bin,sbin,proc,sys,dev,tmp,run,etc,root}
	chmod 1777 "$r/tmp"
	cp -- "$BUSYBOX" "$r/bin/busybox"
	for a in sh true false echo cat ls mount umount hostname sleep test ps env id; do
		ln -s busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\n' >"$r/etc/group"
	: >"$r/etc/ct-bench-rootfs"
}

# ------------------------------------------------------------ timing helper ---
# setup_timer: compiles the timing helper into TMP (sets TIMEIT), or falls
# back to bash's $EPOCHREALTIME.
setup_timer() {
	local cc=${CC:-$(command -v cc || command -v gcc || true)}
	TIMEIT=
	if [[ -n $cc ]]; then
		cat >"$TMP/timeit.c" <<'EOF'
/* timeit LOG CMD [ARG...]: run CMD with stdin /dev/null and stdout+stderr
 * appended to LOG, no other fds; print "ELAPSED_NS EXIT" (EXIT = 128+sig if
 * killed).  Times fork+exec+wait with CLOCK_MONOTONIC. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	int logfd, nullfd, st;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: timeit LOG CMD [ARG...]\n");
		return 2;
	}
	logfd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (logfd < 0 || nullfd < 0) {
		perror("timeit: open");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 2;
	}
	if (pid == 0) {
		int fd;

		dup2(nullfd, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
			for (fd = 3; fd < 1024; fd++)
				close(fd);
		execvp(argv[2], argv + 2);
		dprintf(2, "timeit: exec %s: %m\n", argv[2]);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("timeit: waitpid");
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld %d\n",
	       (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec),
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
EOF
		if "$cc" -O2 -o "$TMP/timeit" "$TMP/timeit.c" 2>"$LOGDIR/timeit-cc.log"; then
			TIMEIT=$TMP/timeit
		else
			note "could not compile the timing helper (see below); using \$EPOCHREALTIME"
			cat "$LOGDIR/timeit-cc.log" >&2
		fi
	fi
	[[ -n $TIMEIT || -n ${EPOCHREALTIME:-} ]] || die "no C compiler and no \$EPOCHREALTIME (bash >= 5 needed)"
}

timer_name() {
	if [[ -n $TIMEIT ]]; then echo 'CLOCK_MONOTONIC helper'; else echo "\$EPOCHREALTIME"; fi
}

# timed LOG CMD...: sets T_NS (elapsed ns) and T_RC (exit status of CMD).
timed() {
	local log=$1 out s e
	shift
	if [[ -n $TIMEIT ]]; then
		out=$("$TIMEIT" "$log" "$@") || die "timing helper failed"
		T_NS=${out% *}
		T_RC=${out#* }
	else
		T_RC=0
		s=$EPOCHREALTIME
		"$@" </dev/null >>"$log" 2>&1 || T_RC=$?
		e=$EPOCHREALTIME
		T_NS=$(((10#${e/./} - 10#${s/./}) * 1000))
	fi
}

# ------------------------------------------------------------------ report ---
# stats FILE -> "N MEDIAN MIN MAX" in ms (N = 0 if empty)
stats() {
	sort -n "$1" | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "0 - - -"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%d %.3f %.3f %.3f\n", NR, m / 1e6, v[1] / 1e6, v[NR] / 1e6
		}'
}
