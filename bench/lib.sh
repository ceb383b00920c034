# bench/lib.sh -- helpers shared by the bench/*.sh benchmark scripts.
# shellcheck shell=bash
#
# Sourced, not run.  The caller sets PROG (its name, for messages) and runs
# under "set -euo pipefail".  Provides:
#
#   die MSG / note MSG / is_uint STR / show_log_tail FILE
#   find_busybox              BUSYBOX: a static busybox, or die
#   find_ct_tools TOOL...     CT_BINDIR holding all TOOLs, or CT_SKIP_WHY
#   find_lxc_tools TOOL...    LXC_START for lxc-start etc., or LXC_SKIP_WHY
#   require_ct_tools          CTSTART CTSTOP CTINFO, or die
#   parse_sizes LIST          NS: the container counts of -N (1-10000), or die
#   write_ct_conf FILE ROOTFS [LINE...]
#                             the ct config of the benchmarks (hostname bench)
#   bench_tmp TAG KEEP [LXCNAME...]
#                             TMP ROOTFS LXCPATH CTRUN LOGDIR, cleanup traps
#   make_rootfs DIR           a minimal busybox rootfs
#   write_myinit ROOTFS [SLEEP [STOP_DELAY]]
#                             ROOTFS/sbin/myinit: an init that exits 0 on SIGTERM
#                             (STOP_DELAY seconds after it)
#   write_lxc_conf FILE ROOTFS [LINE...]
#                             the LXC config every script compares ct with
#   setup_timer               TIMEIT (C helper) or $EPOCHREALTIME
#   timed LOG CMD...          T_NS, T_RC
#   setup_runner              RUNMANY: C helper running many commands (runmany.c)
#   stats FILE                "N MEDIAN MIN MAX" in ms
#   ns_ms NS / ratio A B      formatting: ms with 3 decimals; A/B or n/a
#   summary KEY VALUE         appends "KEY VALUE" to $SUMMARY (if set)
#   status_field PID FIELD / alive PID / gone PID / catches_term PID
#   all_catch_term PIDFILE    every pid in PIDFILE has a SIGTERM handler
#   wait_for SECS CMD...      retries CMD every 10 ms for SECS seconds
#   json_num KEY / json_str KEY
#                             a number / string value from the JSON on stdin
#   smaps_kb PID              "PSS RSS" of PID in KiB
#   mem_available_kb          MemAvailable of /proc/meminfo
#   pids_with_arg STR         pids whose command line contains STR
#   kill_pids PID...          SIGKILL them (by pid) and wait until they are gone
#   cgroup_dirs PATTERN...    existing cgroups matching PATTERN in any hierarchy
#   remove_cgroup DIR         kill what is in it, remove it depth-first
#
# Cleanup (on EXIT) first calls the function bench_pre_cleanup if the caller
# defined one (e.g. to stop containers still running), then SIGKILLs every
# process whose command line still names the temp dir (ct monitors run with
# --rundir TMP/..., LXC's are "[lxc monitor] TMP/lxcpath NAME"), removes the
# cgroups matching BENCH_CG_PATTERNS (set by the caller; relative to each
# hierarchy's root), the temp dir (unless KEEP is 1) and what LXC leaves
# outside its lxcpath, for the container names LXCNAME.

# Set here, used by the scripts that source this file.
# shellcheck disable=SC2034
TIMEIT=
RUNMANY=
T_NS=0
T_RC=0

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# parse_opts SPEC -- ARG...: the one option parser of the bench scripts. SPEC is a list of
# "SHORT|LONG:VAR" (an option with a value: -S V, --LONG V, --LONG=V set VAR) and
# "SHORT|LONG=VAR=VALUE" (a flag that sets VAR to VALUE); SHORT may be empty. -h and --help call
# the script's usage(); anything else is an error.
parse_opts() {
	local spec=$1 arg item names var value short long
	shift 2
	while (($#)); do
		arg=$1
		shift
		if [[ $arg == -h || $arg == --help ]]; then
			usage
			exit 0
		fi
		for item in $spec; do
			if [[ $item == *=*=* ]]; then
				names=${item%%=*} value=${item#*=*=} var=${item#*=}
				var=${var%%=*}
			else
				names=${item%%:*} var=${item#*:} value=
			fi
			short=${names%%|*} long=${names#*|}
			if [[ $item == *=*=* ]]; then
				[[ $arg == "--$long" || (-n $short && $arg == "-$short") ]] || continue
				printf -v "$var" '%s' "$value"
			elif [[ $arg == "--$long="* ]]; then
				printf -v "$var" '%s' "${arg#*=}"
			elif [[ $arg == "--$long" || (-n $short && $arg == "-$short") ]]; then
				(($#)) || die "$arg needs a value"
				printf -v "$var" '%s' "$1"
				shift
			else
				continue
			fi
			continue 2
		done
		usage >&2
		die "unknown argument: $arg"
	done
}

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

# find_lxc_tools TOOL...: for each lxc-X sets LXC_X (lxc-start -> LXC_START)
# to its path in PATH, or empty; LXC_SKIP_WHY says which are missing (empty
# when all are there).
find_lxc_tools() {
	local t var missing=()
	for t in "$@"; do
		var=LXC_${t#lxc-}
		var=${var^^}
		printf -v "$var" '%s' "$(command -v "$t" || true)"
		[[ -n ${!var} ]] || missing+=("$t")
	done
	LXC_SKIP_WHY=
	if ((${#missing[@]})); then
		LXC_SKIP_WHY="${missing[*]} not found (apt-get install lxc)"
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
	BENCH_CG_PATTERNS=()
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
	local rc=$? d p n pids
	set +e
	trap '' INT TERM   # a second ^C must not cut the cleanup short
	if declare -F bench_pre_cleanup >/dev/null; then
		bench_pre_cleanup
	fi
	# Whatever still runs with the temp dir in its command line is ours: a
	# monitor that did not stop, a tool interrupted mid-way.  Killed by pid.
	mapfile -t pids < <(pids_with_arg "$TMP")
	if ((${#pids[@]})); then
		note "cleanup: killing ${#pids[@]} leftover process(es) of this run: ${pids[*]:0:20}"
		kill_pids "${pids[@]}"
	fi
	if ((${#BENCH_CG_PATTERNS[@]})); then
		cgroup_dirs "${BENCH_CG_PATTERNS[@]}" | while read -r d; do
			remove_cgroup "$d" || note "cleanup: could not remove cgroup $d"
		done
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

# write_myinit ROOTFS [SLEEP [STOP_DELAY]]: ROOTFS/sbin/myinit, a shell script
# init that exits 0 on SIGTERM: a container that cooperates with a
# SIGTERM-based stop.  (The kernel delivers to a PID-namespace init only the
# signals it has a handler for; the trap installs one.)  "sleep SLEEP & wait"
# so that the signal is handled at once, not after the sleep (default SLEEP 1;
# a long one keeps a thousand idle containers from forking every second).
# STOP_DELAY (seconds, may be fractional; default none): the handler first
# sleeps that long, a guest that takes a while to shut down.
write_myinit() {
	cat >"$1/sbin/myinit" <<EOF
#!/bin/sh
# PID 1 of the ct benchmarks: exits 0 on SIGTERM${3:+, $3 s after it}.
trap '${3:+sleep $3; }exit 0' TERM
while :; do
	sleep ${2:-1} &
	wait \$!
done
EOF
	chmod 0755 "$1/sbin/myinit"
}

# write_lxc_conf FILE ROOTFS [LINE...]: the LXC config of the benchmarks,
# made as comparable to ct's as LXC allows, plus the extra LINEs:
#  - lxc.namespace.clone: exactly mnt pid uts ipc net (ct's default set).
#    Without it LXC also unshares a cgroup namespace.
#  - lxc.net.0.type = empty: a new network namespace with only lo in it (no
#    veth, no lxcbr0, lxc-net not needed).  -f replaces /etc/lxc/default.conf,
#    whose veth/lxcbr0 network is therefore not used.
#  - lxc.mount.auto = proc:rw sys:ro: plain /proc and a read-only /sys; ct
#    mounts /proc and /sys too (DESIGN.md); lxc.autodev (on by default) gives
#    a minimal tmpfs /dev, like ct's minimal /dev.
#  - lxc.console.path = none: no console pty and no proxying; stdio is passed
#    through as ctstart does in the foreground.
#  - lxc.apparmor.profile = unconfined: no LSM work (AppArmor may not even be
#    enabled; then LXC uses its "nop" LSM anyway).  No seccomp, no cap.drop,
#    no hooks, no lxc.include of the distro common.conf.  (ct applies its
#    default seccomp profile and drops capabilities: that cost is ct's own.)
#  - No cgroup limits.  LXC cannot be told not to create cgroups: as root it
#    always creates lxc.monitor.NAME and lxc.payload.NAME in every hierarchy
#    and migrates the monitor and the payload into them.  That cost is LXC's
#    own, so it is measured, not configured away.
write_lxc_conf() {
	local f=$1 r=$2
	shift 2
	{
		printf '%s\n' \
			"lxc.uts.name = bench" \
			"lxc.rootfs.path = dir:$r" \
			"lxc.namespace.clone = mnt pid uts ipc net" \
			"lxc.net.0.type = empty" \
			"lxc.mount.auto = proc:rw sys:ro" \
			"lxc.console.path = none" \
			"lxc.apparmor.profile = unconfined"
		if (($#)); then printf '%s\n' "$@"; fi
	} >"$f"
}

# ------------------------------------------------------------ timing helper ---
# The helpers are programs of the build (bench/timeit.c, bench/runmany.c:
# noinst_PROGRAMS): CT_BENCH_BINDIR names where they were built (bench/run.sh
# --build and scripts/run-tests.sh set it); without it they are compiled here.

# bench_program NAME: BENCH_BINDIR/NAME if built, else NAME.c compiled into TMP.
bench_program() {
	local name=$1 cc=${CC:-$(command -v cc || command -v gcc || true)}
	local src
	if [[ -n ${CT_BENCH_BINDIR:-} && -x $CT_BENCH_BINDIR/$name ]]; then
		echo "$CT_BENCH_BINDIR/$name"
		return 0
	fi
	src=$(dirname -- "${BASH_SOURCE[0]}")/$name.c
	[[ -n $cc && -r $src ]] || return 1
	"$cc" -O2 -o "$TMP/$name" "$src" 2>"$LOGDIR/$name-cc.log" || return 1
	echo "$TMP/$name"
}

# setup_timer: the timing helper (sets TIMEIT), or bash's $EPOCHREALTIME.
setup_timer() {
	TIMEIT=$(bench_program timeit) || {
		TIMEIT=
		note "no timing helper (see $LOGDIR/timeit-cc.log); using \$EPOCHREALTIME"
	}
	[[ -n $TIMEIT || -n ${EPOCHREALTIME:-} ]] || die "no C compiler and no \$EPOCHREALTIME (bash >= 5 needed)"
}

# setup_runner: the runmany helper (sets RUNMANY); dies without it.
setup_runner() {
	RUNMANY=$(bench_program runmany) ||
		die "no runmany helper (see $LOGDIR/runmany-cc.log; a C compiler is needed)"
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

# ns_ms NS -> milliseconds with 3 decimals
ns_ms() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e6 }'; }

# ratio A B -> A/B with 3 decimals, or n/a if either is empty, "-" or B is 0
ratio() {
	awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
		if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "n/a"
		else printf "%.3f\n", a / b }'
}

# summary KEY VALUE: one "KEY VALUE" line for bench/run.sh, if SUMMARY is set.
SUMMARY=${SUMMARY:-}
summary() {
	if [[ -n $SUMMARY ]]; then printf '%s %s\n' "$1" "${2:--}" >>"$SUMMARY"; fi
}

# ---------------------------------------------------------------- processes ---
# status_field PID FIELD: a field of /proc/PID/status (fails if PID is gone).
status_field() {
	awk -v k="$2:" '$1 == k { print $2; found = 1; exit } END { exit !found }' \
		"/proc/$1/status" 2>/dev/null
}
# alive PID: PID exists and is not a zombie.
alive() {
	local st
	st=$(status_field "$1" State) && [[ $st != Z ]]
}
gone() { ! alive "$1"; }
# catches_term PID: PID has a SIGTERM handler (bit 15 of SigCgt).
catches_term() {
	local cgt
	cgt=$(status_field "$1" SigCgt) && [[ $cgt =~ ^[0-9a-f]+$ ]] && (((16#$cgt >> 14) & 1))
}
# all_catch_term PIDFILE: every pid in PIDFILE (one a line) is there and has a
# SIGTERM handler (one awk for all of them; SigCgt is checked in bash: mawk has
# no bitwise and).  With wait_for: the inits of many containers are ready.
all_catch_term() {
	local pid cgt files=()
	while read -r pid; do
		[[ -r /proc/$pid/status ]] || return 1
		files+=("/proc/$pid/status")
	done <"$1"
	((${#files[@]})) || return 0
	while read -r pid cgt; do
		[[ $cgt =~ ^[0-9a-f]+$ ]] && (((16#$cgt >> 14) & 1)) || return 1
	done < <(awk '$1 == "Pid:" { p = $2 } $1 == "SigCgt:" { print p, $2 }' "${files[@]}" 2>/dev/null)
}
# wait_for SECS CMD...: runs CMD every 10 ms until it succeeds (true) or SECS
# have passed (false).
wait_for() {
	local n=$(($1 * 100)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.01
	done
	"$@"
}

# json_num KEY: the number value of "KEY" in the JSON on stdin.
json_num() {
	sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*\(-\{0,1\}[0-9][0-9]*\).*/\1/p' | head -n 1
}
# json_str KEY: the string value of "KEY" in the JSON on stdin (no escapes).
json_str() {
	sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1
}

# smaps_kb PID -> "PSS RSS" in KiB
smaps_kb() {
	awk '$1 == "Pss:" { p = $2 } $1 == "Rss:" { r = $2 }
		END { if (p == "" || r == "") exit 1; print p, r }' "/proc/$1/smaps_rollup" 2>/dev/null
}

mem_available_kb() { awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo; }

# pids_with_arg STR: the pids (one a line) whose command line contains STR,
# e.g. this run's unique temp dir.  Not this shell, not the grep itself.
pids_with_arg() {
	local out pid
	# grep -z: the NUL-separated arguments are its "lines".  Its own pid
	# matches too: it has exited (and is filtered out) once $() returns.
	out=$(grep -lzF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null || true)
	for pid in $out; do
		pid=${pid#/proc/}
		pid=${pid%/cmdline}
		[[ $pid != "$$" && $pid != "$BASHPID" ]] || continue
		grep -qzF -- "$1" "/proc/$pid/cmdline" 2>/dev/null || continue
		echo "$pid"
	done
}

# kill_pids PID...: SIGKILL each, then wait up to 5 s until they are gone.
kill_pids() {
	local p i
	for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "$@"; do
		for ((i = 0; i < 500; i++)); do
			alive "$p" || break
			sleep 0.01
		done
	done
}

# ------------------------------------------------------------------ cgroups ---
# cgroup_dirs PATTERN...: the existing cgroup directories matching a glob
# PATTERN relative to the root of a hierarchy (pure cgroup2: /sys/fs/cgroup;
# v1 and hybrid: /sys/fs/cgroup/*), one a line.
cgroup_dirs() {
	local r pat d
	for r in /sys/fs/cgroup /sys/fs/cgroup/*; do
		[[ -d $r && ! -L $r ]] || continue
		for pat in "$@"; do
			# shellcheck disable=SC2086  # PATTERN is a glob
			for d in "$r"/$pat; do
				if [[ -d $d ]]; then echo "$d"; fi
			done
		done
	done
}

# remove_cgroup DIR: kill what is in DIR and its subgroups (cgroup.kill, or
# SIGKILL to the pids of v1 cgroup.procs), remove them depth-first; retried
# for 5 s.  False if DIR is still there.
remove_cgroup() {
	local d=$1 i p
	for ((i = 0; i < 50; i++)); do
		[[ -d $d ]] || return 0
		if [[ -e $d/cgroup.kill ]]; then
			echo 1 >"$d/cgroup.kill" 2>/dev/null || true
		else
			while read -r p; do
				kill -KILL "$p" 2>/dev/null || true
			done < <(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)
		fi
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
		[[ -d $d ]] || return 0
		sleep 0.1
	done
	[[ ! -d $d ]]
}

# require_ct_tools: CTSTART, CTSTOP and CTINFO, the tools every ct side needs, or die.
# shellcheck disable=SC2034  # used by the scripts
require_ct_tools() {
	find_ct_tools ctstart ctstop ctinfo
	[[ -z $CT_SKIP_WHY ]] || die "ct tools not found: $CT_SKIP_WHY"
	CTSTART=$CT_BINDIR/ctstart
	CTSTOP=$CT_BINDIR/ctstop
	CTINFO=$CT_BINDIR/ctinfo
}

# parse_sizes LIST: NS, the container counts of a -N option (comma or space separated, each
# 1-10000), or die.
parse_sizes() {
	local n
	read -r -a NS <<<"${1//,/ }"
	((${#NS[@]})) || die "-N: no size given"
	for n in "${NS[@]}"; do
		if ! is_uint "$n" || ((n < 1 || n > 10000)); then
			die "-N: sizes must be integers from 1 to 10000, got '$n'"
		fi
	done
}

# write_ct_conf FILE ROOTFS [LINE...]: the ct config the benchmarks run (hostname bench), plus
# LINEs (e.g. init = /sbin/myinit).
write_ct_conf() {
	local f=$1 line
	{
		echo "rootfs = $2"
		echo "hostname = bench"
		shift 2
		for line in "$@"; do echo "$line"; done
	} >"$f"
}
