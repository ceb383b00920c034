#!/usr/bin/env bash
# Functions called only indirectly (the EXIT trap, "round_$tool") look
# unreachable:
# shellcheck disable=SC2317
#
# bench/shutdown.sh -- host shutdown: N running containers whose inits take a
# while to stop, all stopped by the one command a host's shutdown runs
# (prints numbers; it is not a test).
#
# For each N of the list (default "10 100") and each round, a ct round and
# then an LXC round, on one shared busybox rootfs whose init, /sbin/myinit, is
# a shell loop that, on SIGTERM, sleeps --stop-delay seconds (default 0.5) and
# then exits 0 (lib.sh: write_myinit ROOTFS 100000 DELAY; it sleeps 100000 s
# between iterations so that N idle containers do not fork).  The same guest
# for both tools: PID 1 is /sbin/myinit, SIGTERM stops it, 0.5 s later.
#
#   ct    ctstart --rundir DIR -n NAME -f CONF -d -o LOG   x N    (not timed)
#         CONF: rootfs, init = /sbin/myinit, shutdown_method = application
#         (SIGTERM to init, then wait); then, timed:
#         ctstop --all --rundir DIR -t T
#         one command that stops every container of the run dir, all in
#         parallel under one deadline (T = -t, default 30 s).
#   lxc   LXCPATH/NAME/config x N: bench/start.sh's settings (lib.sh:
#         write_lxc_conf), lxc.init.cmd = /sbin/myinit, lxc.signal.halt =
#         SIGTERM (so both tools send the same signal), lxc.start.auto = 1 and
#         no lxc.group;
#         lxc-start -P LXCPATH -n NAME -d -l DEBUG -o LOG  x N    (not timed)
#         then, timed:
#         lxc-autostart -P LXCPATH -s -t T
#         what a Debian host's shutdown runs (/usr/libexec/lxc/lxc-containers
#         stop: "lxc-autostart -a -A -s -t 5" by /etc/default/lxc; -a and -A
#         are not needed here: every container is autostart and has no group).
#
# Before the timed stop the script checks that every container is RUNNING
# (ctinfo --json / lxc-info), that "lxc-autostart -P LXCPATH -s -L" lists all
# N LXC containers, waits until every init has its SIGTERM handler installed
# (SigCgt: a SIGTERM that arrives before the shell has run its "trap" is
# dropped by the kernel, and the stop would wait out its timeout), and lets
# them settle (--settle, default 1 s).
#
# Timing: the stop command is run by runmany (bench/runmany.c): fork + exec +
# wait, CLOCK_MONOTONIC.  "stop s" = until the stop command returned;
# "gone s" = until the last monitor process had exited (pidfds opened before
# the stop).  "spread s" = from the first container's end to the last one's,
# by the time stamps (ms) of the monitors' own logs: ct's "container 'X'
# stopped: init exited (status 0)" (ctstart -o LOG), LXC's "Container init
# process PID exited" (lxc-start -l DEBUG; INFO logs nothing for an init that
# exits on its own).  ~0 if the containers were stopped in parallel, ~(N-1) x
# delay if one after the other.  (Not the per-container times ctstop prints:
# each monitor times its stop from when its request arrived, and the requests
# of one ctstop --all go out over tens of ms.)  "conc" = N x delay / stop s
# (delay: the timeout if shorter): how many containers were shutting down at
# once on average (N for a perfectly parallel stop, 1 for a sequential one).
#
# Kills (ended by SIGKILL):
#   ct    ctstop prints on stderr one line per container ("container 'X'
#         stopped gracefully in 0.50 s: ..." or "... killed after the timeout,
#         30.00 s: ...") and a summary ("ctstop: G stopped gracefully, K
#         killed, R not running, E errors in T s"); it exits 3 if any was
#         killed.  K of the summary is counted; the script checks that it
#         agrees with the per-container lines, with the exit status, with the
#         number of RUNNING containers and with the monitors' logs ("stopped:
#         init killed (signal 9)"), and reports a disagreement as a ct problem.
#   lxc   lxc-autostart exits 0 whether it stopped or killed (its status only
#         tells containers it could not process); each container's monitor log
#         says "ended on signal Killed(9)" when init was SIGKILLed: those logs
#         are counted.  A stop whose init exited on its own logs nothing at
#         INFO level.
#
# Pitfalls found:
#   - lxc-autostart stops one container after the other: it calls
#     c->shutdown(c, T) for each, which sends the halt signal and waits for
#     that container to be STOPPED (or T to pass, then kills it) before it
#     moves on.  With N containers that each take D seconds the shutdown takes
#     N x D (plus ~20 ms each): 100 x 0.5 s = 50 s, and a shutdown timeout of
#     T s per container can add up to N x T.  Debian's lxc-containers says so
#     ("The stop is serialized and can take excessive time") and keeps T at 5.
#   - lxc-autostart considers only containers with lxc.start.auto = 1 and, for
#     -s without -a or -g, only those with no lxc.group ("the NULL group"); a
#     container with a group is silently skipped.  "-L" lists without acting;
#     "lxc-autostart -L" without -s lists the containers it would START (none
#     while they run), so the check here is "lxc-autostart -s -L".
#   - lxc-autostart loads LXCPATH/NAME/config of every defined container
#     (stopped ones too): each round's LXC container dirs are removed after
#     the round so that the next one does not pay for them.
#   - lxc-stop and lxc-autostart take lxc.signal.halt from LXCPATH/NAME/config
#     (without it: SIGPWR, which the init ignores: every container would be
#     killed after T); the config lives there and lxc-start reads it from
#     there.
#   - LXC's per-container lock files in /run/lxc/lock/LXCPATH stay after a
#     clean stop; they are counted as left behind (as bench/scale.sh does),
#     then removed.
#   - ctstart -d without -o puts the container's log into the run dir
#     (RUNDIR/NAME.log, the documented default with --rundir), where it stays
#     after the stop; -o keeps the run dir empty, so that "left behind" means
#     what the stop did not clean.
#
# Left behind (checked right after each stop, then removed so that the next
# round starts clean): processes (command line naming the run dir / lxcpath,
# inits still alive), run dir entries (ct), cgroups ct/PFX-* / lxc.*.PFX-* in
# any hierarchy, mounts under the temp dir, LXC lock files.
#
# Exit status: 0 if every ct container started, was RUNNING, was stopped
# gracefully by "ctstop --all" (exit 0, output consistent) and left nothing
# behind; 1 otherwise (LXC's failures and kills are reported but do not
# change it), or on a usage or setup error.
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
SIZES="10 100"
ROUNDS=1
TIMEOUT=30
STOP_DELAY=0.5
SETTLE=1
NO_LXC=0
KEEP=0

usage() {
	cat <<EOF
Usage: $PROG [-N SIZES] [-r ROUNDS] [-t SECONDS] [-d DELAY] [--settle SECS]
       [--no-lxc] [--summary FILE] [--keep] [-h]

Host-shutdown benchmark: N running containers whose init needs DELAY seconds
to exit after SIGTERM, stopped by one command: "ctstop --all -t T" (ct, in
parallel) vs "lxc-autostart -s -t T" (LXC 5.0.2, what a Debian host's
shutdown runs).  Reports the total stop time, the containers killed by the
timeout, how parallel the stop was, and what was left behind.  Needs root.

Options:
  -N, --sizes LIST      container counts, comma or space separated
                        (default "$SIZES")
  -r, --rounds R        rounds per size and tool (default $ROUNDS; LXC takes
                        about N x DELAY per round)
  -t, --timeout SECS    stop timeout of ctstop and lxc-autostart (default
                        $TIMEOUT; lxc-autostart applies it per container)
  -d, --stop-delay SECS how long each init takes to exit after SIGTERM
                        (default $STOP_DELAY; more than -t makes every stop a
                        kill, which checks the kill counting)
      --settle SECS     pause with all N running before the stop (default $SETTLE)
      --no-lxc          ct rounds only
      --summary FILE    also write the results as "KEY VALUE" lines
  -k, --keep            keep the temp dir (rootfs, configs, logs)
  -h, --help            show this help

Environment:
  CT_BINDIR        directory holding ctstart, ctstop and ctinfo (default:
                   the directory of 'command -v ctstart')
  CT_BENCH_BINDIR  where bench/runmany was built (else it is compiled)
  BUSYBOX          static busybox for the rootfs (default: busybox in PATH)
  TMPDIR           where the temp dir is made (default /tmp)

Summary keys (TOOL = ct or lxc, N = each size; times are medians over the
rounds, counts are sums): sizes, rounds, timeout_s, stop_delay_s,
TOOL_stop_cmd, TOOL_nN_rounds, TOOL_nN_stop_s, TOOL_nN_gone_s,
TOOL_nN_spread_s, TOOL_nN_concurrency, TOOL_nN_killed, TOOL_nN_graceful,
TOOL_nN_failed (starts that failed or were not RUNNING, containers the stop
did not stop), TOOL_nN_left (LXC: with the lock files it keeps).
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

parse_opts 'N|sizes:SIZES r|rounds:ROUNDS t|timeout:TIMEOUT d|stop-delay:STOP_DELAY |settle:SETTLE |no-lxc=NO_LXC=1 |summary:SUMMARY k|keep=KEEP=1' -- "$@"
parse_sizes "$SIZES"
if ! is_uint "$ROUNDS" || ((ROUNDS < 1)); then die "-r ROUNDS must be a positive integer, got '$ROUNDS'"; fi
if ! is_uint "$TIMEOUT" || ((TIMEOUT < 1)); then die "-t SECONDS must be a positive integer, got '$TIMEOUT'"; fi
[[ $STOP_DELAY =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "-d DELAY must be a number of seconds, got '$STOP_DELAY'"
[[ $SETTLE =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--settle SECS must be a number of seconds, got '$SETTLE'"
((EUID == 0)) || die "must run as root (namespaces, cgroups, lxc-start)"
if [[ -n $SUMMARY ]]; then : >"$SUMMARY" || die "cannot write --summary file $SUMMARY"; fi

# ---------------------------------------------------------------- tools ---
find_busybox
require_ct_tools
# The point of the ct side is one "ctstop --all" (ctstop --help lists it).
"$CTSTOP" --help 2>&1 | grep -qE -- '(^|[^-])--all\b' ||
	die "$CTSTOP has no --all (ctstop --help does not list it)"

find_lxc_tools lxc-start lxc-stop lxc-info lxc-autostart
if ((NO_LXC)); then LXC_SKIP_WHY="--no-lxc"; fi

# ---------------------------------------------------------- temp + cleanup ---
# Names: ct bsd-ct<pid>-N-R-I, LXC bsd-lx<pid>-N-R-I (this run only).
CT_PFX=bsd-ct$$
LXC_PFX=bsd-lx$$
bench_tmp shutdown "$KEEP"
# ct's cgroup is NAME-HASH under cgroup.parent "ct"; LXC's lxc.monitor.NAME
# and lxc.payload.NAME at the root of each hierarchy.  lib.sh's cleanup
# removes what is left of them.
# shellcheck disable=SC2034  # read by lib.sh's bench_cleanup
BENCH_CG_PATTERNS=("ct/$CT_PFX-*" "lxc.*.$LXC_PFX-*")

# Called by the EXIT trap before lib.sh's generic cleanup (which then kills
# whatever still names the temp dir and removes the cgroups above): kill what
# still runs, one command per tool.
bench_pre_cleanup() {
	if [[ -n ${CTSTOP:-} && -d $CTRUN ]] && [[ -n $(ls -A -- "$CTRUN" 2>/dev/null) ]]; then
		note "cleanup: killing the ct containers still in $CTRUN"
		timeout -k 5 60 "$CTSTOP" --all --rundir "$CTRUN" --force >>"$LOGDIR/cleanup.log" 2>&1
	fi
	if [[ -n ${LXC_AUTOSTART:-} && -d /run/lxc/lock$LXCPATH ]] &&
		[[ -n $(ls -A -- "/run/lxc/lock$LXCPATH" 2>/dev/null) ]]; then
		note "cleanup: killing the LXC containers still in $LXCPATH"
		# -a -A: every container of LXCPATH, whatever its group or autostart flag.
		timeout -k 5 120 "$LXC_AUTOSTART" -P "$LXCPATH" -a -A -k >>"$LOGDIR/cleanup.log" 2>&1
	fi
}

# ------------------------------------------------------------ rootfs + config ---
make_rootfs "$ROOTFS"
write_myinit "$ROOTFS" 100000 "$STOP_DELAY"
write_ct_conf "$TMP/ct.conf" "$ROOTFS" "init = /sbin/myinit" "shutdown_method = application"
setup_runner

# ---------------------------------------------------------------- helpers ---
# live_count PIDFILE -> how many of the pids are alive (not zombies)
live_count() {
	local pid c=0
	while read -r pid; do
		if [[ -n $pid ]] && alive "$pid"; then c=$((c + 1)); fi
	done <"$1"
	echo "$c"
}

# mounts_under DIR -> number of mount points below DIR (host mount namespace)
mounts_under() { findmnt -rn -o TARGET | grep -cF -- "$1/" || true; }

# secs NS -> seconds with 3 decimals
secs() { awk -v t="$1" 'BEGIN { printf "%.3f", t / 1e9 }'; }

# conc N STOP_S -> N x D / STOP_S, one decimal, D = the time one container's
# stop takes: STOP_DELAY, or the timeout if that is shorter (then it is killed)
conc() {
	awk -v n="$1" -v d="$STOP_DELAY" -v t="$TIMEOUT" -v s="$2" \
		'BEGIN { if (t < d) d = t; if (s > 0) printf "%.1f", n * d / s; else print "-" }'
}

# nonzero DETAIL -> the non-zero parts of "a=0,b=3,c=0" ("b=3"), or "-"
nonzero() { tr ',' '\n' <<<"$1" | grep -v '=0$' | paste -sd, - | grep . || echo -; }

# stamp_s STAMP -> seconds since the epoch of a log time stamp: a ct
# monitor's 2026-12-07T06:32:28.155Z or LXC's 20261207063228.155 (both UTC)
stamp_s() {
	local t=${1%Z} d
	if [[ $t == *T* ]]; then
		d="${t%%T*} ${t#*T}"
		d=${d%.*}
	else
		d="${t:0:4}-${t:4:2}-${t:6:2} ${t:8:2}:${t:10:2}:${t:12:2}"
	fi
	printf '%s.%s\n' "$(date -u -d "$d" +%s)" "${t##*.}"
}

# spread < STAMPS -> seconds from the first to the last time stamp (3
# decimals; both formats sort as text), or "-" if there is none
spread() {
	local first last
	read -r first last < <(sort | sed -n '1p;$p' | paste -sd' ' -) || true
	if [[ -z ${first:-} ]]; then echo -; return; fi
	awk -v a="$(stamp_s "$first")" -v b="$(stamp_s "${last:-$first}")" 'BEGIN { printf "%.3f", b - a }'
}

# start_all TOOL N R CMDFILE: runs the starts one after the other (not timed);
# sets R_STARTFAIL
start_all() {
	local out=$TMP/$1-$2-$3.start.out
	"$RUNMANY" -P 1 -T $((5 * $2 + 120)) "$LOGDIR/$1-$2-$3.start.log" "$4" >"$out"
	read -r _ _ R_STARTFAIL < <(grep '^total ' "$out") || die "runmany failed (see $LOGDIR/$1-$2-$3.start.log)"
	if ((R_STARTFAIL > 0)); then
		note "$1: $R_STARTFAIL of $2 starts failed; see $LOGDIR/$1-$2-$3.start.log"
		tail -n 5 -- "$LOGDIR/$1-$2-$3.start.log" | sed 's/^/    | /' >&2
	fi
}

# ready TOOL INITFILE: every init has its SIGTERM handler, then the settle pause
ready() {
	wait_for 10 all_catch_term "$2" || note "$1: not every init has its SIGTERM handler after 10 s"
	sleep "$SETTLE"
}

# timed_stop TOOL N R CMDFILE MONFILE CAP: runs the one stop command, watching
# the monitors; sets R_STOP_NS R_GONE_NS R_RC R_LEFTMON
timed_stop() {
	local out=$TMP/$1-$2-$3.stop.out left
	"$RUNMANY" -P 0 -T "$6" -w "$5" -W 30 "$LOGDIR/$1-$2-$3.stop.log" "$4" >"$out"
	read -r _ R_STOP_NS _ < <(grep '^total ' "$out") || die "runmany failed (see $LOGDIR/$1-$2-$3.stop.log)"
	read -r _ _ R_GONE_NS left < <(grep '^watched ' "$out") || die "runmany watched nothing (see $LOGDIR/$1-$2-$3.stop.log)"
	R_RC=$(awk '$1 == "cmd" { print $5 }' "$out")
	R_RC=${R_RC:--1}
	R_LEFTMON=$left
}

# Results: one row per round, ROW[N,TOOL,R] = "stop_s gone_s killed graceful
# notstopped startfail spread_s conc left left_detail"
declare -A ROW=()
CT_BAD=0
CT_PROBLEMS=()

# ------------------------------------------------------------------ ct round ---
round_ct() {
	local n=$1 r=$2 i pfx=$CT_PFX-$1-$2
	local cmds=$TMP/ct-$n-$r.cmds monf=$TMP/ct-$n-$r.mon inits=$TMP/ct-$n-$r.init
	local log=$LOGDIR/ct-$n-$r.stop.log
	local json st running=0 sum g k nr e t want lines_g lines_k other spr mon_k procs rundirs cgs mnts left
	: >"$cmds"
	for ((i = 1; i <= n; i++)); do
		printf '%s\t--rundir\t%s\t-n\t%s\t-f\t%s\t-d\t-o\t%s\n' "$CTSTART" "$CTRUN" "$pfx-$i" \
			"$TMP/ct.conf" "$LOGDIR/ct-$pfx-$i.log" >>"$cmds"
	done
	start_all ct "$n" "$r" "$cmds"

	: >"$monf"
	: >"$inits"
	for ((i = 1; i <= n; i++)); do
		json=$("$CTINFO" --rundir "$CTRUN" -n "$pfx-$i" --json 2>/dev/null) || continue
		st=$(json_str state <<<"$json")
		json_num monitor_pid <<<"$json" >>"$monf"
		json_num init_pid <<<"$json" >>"$inits"
		if [[ $st == RUNNING ]]; then running=$((running + 1)); fi
	done
	ready ct "$inits"

	printf '%s\t--all\t--rundir\t%s\t-t\t%s\n' "$CTSTOP" "$CTRUN" "$TIMEOUT" >"$cmds.stop"
	timed_stop ct "$n" "$r" "$cmds.stop" "$monf" $((TIMEOUT + 60))

	# Its output: one line per container and the summary line.  A kill is
	# "killed after the timeout, T s", "killed in T s" (a forced stop) or
	# "stopped in T s: init was SIGKILLed, not by us"; after a kill at the
	# timeout the container's last console lines may follow (not "ctstop:").
	lines_g=$(grep -cE "^ctstop: container '[^']*' stopped gracefully in [0-9.]+ s" "$log" || true)
	lines_k=$(grep -cE "^ctstop: container '[^']*' (killed |stopped in [0-9.]+ s: init was SIGKILLed)" "$log" || true)
	other=$(grep '^ctstop: ' "$log" | grep -vcE "^ctstop: container '[^']*' (stopped gracefully in [0-9.]+ s|killed |stopped in [0-9.]+ s: init was SIGKILLed|: its console's last lines:)|^ctstop: [0-9]+ stopped gracefully, [0-9]+ killed, [0-9]+ not running, [0-9]+ errors in [0-9.]+ s$" || true)
	sum=$(sed -nE 's/^ctstop: ([0-9]+) stopped gracefully, ([0-9]+) killed, ([0-9]+) not running, ([0-9]+) errors in ([0-9.]+) s$/\1 \2 \3 \4 \5/p' "$log" | tail -n 1)
	if [[ -n $sum ]]; then
		read -r g k nr e t <<<"$sum"
	else
		g='?' k='?' nr='?' e='?' t='?'
		CT_PROBLEMS+=("N=$n round $r: no summary line in ctstop's output ($log)")
	fi
	if [[ -n $sum ]] && ((g != lines_g || k != lines_k)); then
		CT_PROBLEMS+=("N=$n round $r: summary says $g graceful, $k killed, but the per-container lines say $lines_g, $lines_k")
	fi
	# ctstop --help: 1 if any error, else 3 if any was killed, else 2 if none
	# was running, else 0.
	if [[ -n $sum ]]; then
		if ((e > 0)); then want=1; elif ((k > 0)); then want=3; elif ((g == 0 && nr > 0)); then want=2; else want=0; fi
		if ((R_RC != want)); then
			CT_PROBLEMS+=("N=$n round $r: exit status $R_RC, but the summary ($g graceful, $k killed, $nr not running, $e errors) means $want")
		fi
	fi
	if ((other > 0)); then
		CT_PROBLEMS+=("N=$n round $r: $other unexpected line(s) in ctstop's output (see $log)")
	fi
	if [[ -n $sum ]] && ((g + k != running)); then
		CT_PROBLEMS+=("N=$n round $r: $running were RUNNING, ctstop stopped $((g + k)) ($g graceful, $k killed, $nr not running, $e errors)")
	fi
	# The monitors' own logs (-o): "TIME ctstart: container 'X' stopped: init
	# exited (status 0)" / "... init killed (signal 9), killed: ...".  Their
	# time stamps give the spread; their kills must agree with ctstop's.
	spr=$({ grep -h "^[^ ]* ctstart: container '[^']*' stopped: " "$LOGDIR/ct-$pfx-"*.log 2>/dev/null || true; } |
		awk '{ print $1 }' | spread)
	mon_k=$({ grep -l "^[^ ]* ctstart: container '[^']*' stopped: init [a-z]* (signal 9)" "$LOGDIR/ct-$pfx-"*.log 2>/dev/null || true; } | wc -l)
	if [[ -n $sum ]] && ((mon_k != k)); then
		CT_PROBLEMS+=("N=$n round $r: ctstop counts $k killed, the monitors' logs $mon_k")
	fi

	procs=$(($(pids_with_arg "$CTRUN" | wc -l) + $(live_count "$inits")))
	rundirs=$(find "$CTRUN" -mindepth 1 -maxdepth 1 | wc -l)
	cgs=$(cgroup_dirs "ct/$pfx-*" | wc -l)
	mnts=$(mounts_under "$TMP")
	left=$((procs + rundirs + cgs + mnts))
	if ((left > 0)); then
		note "ct: N=$n round $r: left behind after the stop: procs=$procs,rundirs=$rundirs,cgroups=$cgs,mounts=$mnts; removing it"
		cleanup_ct_round "$pfx"
	fi
	ROW[$n,ct,$r]="$(secs "$R_STOP_NS") $(secs "$R_GONE_NS") $k $g $R_LEFTMON $((R_STARTFAIL + n - running)) $spr $(conc "$n" "$(secs "$R_STOP_NS")") $left procs=$procs,rundirs=$rundirs,cgroups=$cgs,mounts=$mnts"
	if ((R_STARTFAIL > 0 || running != n || R_RC != 0 || left > 0 || R_LEFTMON > 0)) || [[ $k != 0 ]]; then CT_BAD=1; fi
}

# cleanup_ct_round PFX: forced removal of what a ct round left
cleanup_ct_round() {
	local pids d
	timeout -k 5 60 "$CTSTOP" --all --rundir "$CTRUN" --force >>"$LOGDIR/cleanup.log" 2>&1 || true
	mapfile -t pids < <(pids_with_arg "$CTRUN")
	if ((${#pids[@]})); then kill_pids "${pids[@]}"; fi
	cgroup_dirs "ct/$1-*" | while read -r d; do remove_cgroup "$d" || note "cannot remove $d"; done
	find "$CTRUN" -mindepth 1 -delete 2>/dev/null || true
}

# ----------------------------------------------------------------- LXC round ---
round_lxc() {
	local n=$1 r=$2 i name pfx=$LXC_PFX-$1-$2
	local cmds=$TMP/lxc-$n-$r.cmds monf=$TMP/lxc-$n-$r.mon inits=$TMP/lxc-$n-$r.init
	local out st init mon running=0 listed killed signalled stopped spr
	local procs cgs locks mnts left
	: >"$cmds"
	for ((i = 1; i <= n; i++)); do
		name=$pfx-$i
		mkdir -p "$LXCPATH/$name"
		write_lxc_conf "$LXCPATH/$name/config" "$ROOTFS" \
			"lxc.init.cmd = /sbin/myinit" "lxc.signal.halt = SIGTERM" "lxc.start.auto = 1"
		printf '%s\t-P\t%s\t-n\t%s\t-d\t-l\tDEBUG\t-o\t%s\n' "$LXC_START" "$LXCPATH" "$name" \
			"$LOGDIR/lxc-$name.log" >>"$cmds"
	done
	start_all lxc "$n" "$r" "$cmds"

	: >"$monf"
	: >"$inits"
	for ((i = 1; i <= n; i++)); do
		out=$("$LXC_INFO" -P "$LXCPATH" -n "$pfx-$i" -s -p 2>/dev/null) || continue
		st=$(awk '$1 == "State:" { print $2 }' <<<"$out")
		init=$(awk '$1 == "PID:" { print $2 }' <<<"$out")
		if [[ $init =~ ^[0-9]+$ ]]; then
			echo "$init" >>"$inits"
			mon=$(status_field "$init" PPid || true)
			if [[ $mon =~ ^[0-9]+$ ]]; then echo "$mon" >>"$monf"; fi
		fi
		if [[ $st == RUNNING ]]; then running=$((running + 1)); fi
	done
	# Does lxc-autostart see them?  (-L: list, do nothing.)
	listed=$("$LXC_AUTOSTART" -P "$LXCPATH" -s -L 2>>"$LOGDIR/lxc-$n-$r.list.log" | grep -c "^$pfx-" || true)
	if ((listed != running)); then
		note "lxc: N=$n round $r: lxc-autostart -s -L lists $listed of the $running running containers"
	fi
	ready lxc "$inits"

	printf '%s\t-P\t%s\t-s\t-t\t%s\n' "$LXC_AUTOSTART" "$LXCPATH" "$TIMEOUT" >"$cmds.stop"
	# Sequential in the worst case: every container waits out the timeout.
	timed_stop lxc "$n" "$r" "$cmds.stop" "$monf" $((n * (TIMEOUT + 5) + 60))
	if ((R_RC != 0)); then note "lxc: N=$n round $r: lxc-autostart exited $R_RC"; fi

	# Kills: the monitors' logs.  Stopped: lxc-info.
	killed=0 signalled=0 stopped=0
	for ((i = 1; i <= n; i++)); do
		name=$pfx-$i
		if grep -q 'ended on signal Killed' "$LOGDIR/lxc-$name.log" 2>/dev/null; then killed=$((killed + 1)); fi
		if grep -q 'ended on signal' "$LOGDIR/lxc-$name.log" 2>/dev/null; then signalled=$((signalled + 1)); fi
		st=$("$LXC_INFO" -P "$LXCPATH" -n "$name" -s -H 2>/dev/null || true)
		if [[ $st == STOPPED ]]; then stopped=$((stopped + 1)); fi
	done
	if ((signalled > killed)); then
		note "lxc: N=$n round $r: $((signalled - killed)) init(s) ended on a signal other than SIGKILL"
	fi
	# Spread: the monitors' "Container init process PID exited" lines (DEBUG).
	spr=$({ grep -h 'Container init process [0-9]* exited' "$LOGDIR/lxc-$pfx-"*.log 2>/dev/null || true; } |
		awk '{ print $3 }' | spread)

	procs=$(($(pids_with_arg "$LXCPATH" | wc -l) + $(live_count "$inits")))
	cgs=$(cgroup_dirs "lxc.*.$pfx-*" | wc -l)
	locks=$({ find "/run/lxc/lock$LXCPATH" -mindepth 1 -maxdepth 1 -name ".$pfx-*" 2>/dev/null || true; } | wc -l)
	mnts=$(mounts_under "$TMP")
	left=$((procs + cgs + locks + mnts))
	cleanup_lxc_round "$pfx"
	ROW[$n,lxc,$r]="$(secs "$R_STOP_NS") $(secs "$R_GONE_NS") $killed $((stopped - killed)) $((running - stopped)) $((R_STARTFAIL + n - running)) $spr $(conc "$n" "$(secs "$R_STOP_NS")") $left procs=$procs,cgroups=$cgs,lockfiles=$locks,mounts=$mnts"
}

# cleanup_lxc_round PFX: forced removal of what an LXC round left, and of its
# container dirs (lxc-autostart would load their configs next round)
cleanup_lxc_round() {
	local pids d
	mapfile -t pids < <(pids_with_arg "$LXCPATH")
	if ((${#pids[@]})); then kill_pids "${pids[@]}"; fi
	cgroup_dirs "lxc.*.$1-*" | while read -r d; do remove_cgroup "$d" || note "cannot remove $d"; done
	find "/run/lxc/lock$LXCPATH" -mindepth 1 -maxdepth 1 -name ".$1-*" -exec rm -rf {} + 2>/dev/null || true
	find "$LXCPATH" -mindepth 1 -maxdepth 1 -name "$1-*" -exec rm -rf {} + 2>/dev/null || true
}

# --------------------------------------------------------------------- main ---
TOOLS=(ct)
if [[ -z $LXC_SKIP_WHY ]]; then TOOLS+=(lxc); fi
declare -A STOP_CMD=([ct]="ctstop --all -t $TIMEOUT" [lxc]="lxc-autostart -s -t $TIMEOUT")

printf 'shutdown benchmark: sizes %s; %s round(s); init exits %s s after SIGTERM; stop timeout %s s\n' \
	"${NS[*]}" "$ROUNDS" "$STOP_DELAY" "$TIMEOUT"
printf 'kernel %s; %s CPUs; load %s; lxc %s; ctstop %s\n' "$(uname -r)" "$(nproc)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)" \
	"$([[ -n $LXC_START ]] && "$LXC_START" --version 2>/dev/null || echo -)" "$CTSTOP"
printf 'ct: %s    lxc: %s\n' "${STOP_CMD[ct]}" \
	"$([[ -z $LXC_SKIP_WHY ]] && echo "${STOP_CMD[lxc]}" || echo "skipped: $LXC_SKIP_WHY")"
summary sizes "${NS[*]}"
summary rounds "$ROUNDS"
summary timeout_s "$TIMEOUT"
summary stop_delay_s "$STOP_DELAY"
for t in "${TOOLS[@]}"; do summary "${t}_stop_cmd" "${STOP_CMD[$t]}"; done

# The per-round table (ROW: stop_s gone_s killed graceful notstopped
# startfail spread_s conc left detail).
HDR='%-6s %-4s %5s %9s %9s %9s %8s %6s %9s %6s %5s\n'
# shellcheck disable=SC2059  # HDR is the format
print_row() { # N TOOL ROUND ROW-FIELDS...
	printf "$HDR" "$1" "$2" "$3" "$4" "$5" "$6/$1" "$7" $(($8 + $9)) "${10}" "${11}" "${12}"
}
echo
# shellcheck disable=SC2059
printf "$HDR" N tool round stop_s gone_s killed graceful failed spread_s conc left
for n in "${NS[@]}"; do
	for ((r = 1; r <= ROUNDS; r++)); do
		for t in "${TOOLS[@]}"; do
			"round_$t" "$n" "$r"
			# shellcheck disable=SC2086  # the row's fields
			print_row "$n" "$t" "$r" ${ROW[$n,$t,$r]}
		done
	done
done

# ---------------------------------------------------------- medians + summary ---
TABLE=$TMP/table
for n in "${NS[@]}"; do
	for t in "${TOOLS[@]}"; do
		: >"$TMP/stop.ns" && : >"$TMP/gone.ns" && : >"$TMP/spread.ns"
		killed=0 graceful=0 failed=0 left=0 notes=
		for ((r = 1; r <= ROUNDS; r++)); do
			read -r s g k gr ns sf sp _ l ld <<<"${ROW[$n,$t,$r]}"
			awk -v s="$s" 'BEGIN { printf "%.0f\n", s * 1e9 }' >>"$TMP/stop.ns"
			awk -v s="$g" 'BEGIN { printf "%.0f\n", s * 1e9 }' >>"$TMP/gone.ns"
			if [[ $sp != - ]]; then awk -v s="$sp" 'BEGIN { printf "%.0f\n", s * 1e9 }' >>"$TMP/spread.ns"; fi
			if [[ $k =~ ^[0-9]+$ ]]; then killed=$((killed + k)); else notes+=" killed?"; fi
			if [[ $gr =~ ^[0-9]+$ ]]; then graceful=$((graceful + gr)); fi
			failed=$((failed + sf + ns))
			left=$((left + l))
			if ((l > 0)); then notes+=" r$r:$(nonzero "$ld")"; fi
		done
		read -r _ sm _ _ < <(stats "$TMP/stop.ns")
		read -r _ gm _ _ < <(stats "$TMP/gone.ns")
		read -r _ pm _ _ < <(stats "$TMP/spread.ns")
		sm=$(awk -v m="$sm" 'BEGIN { printf "%.3f", m / 1000 }')
		gm=$(awk -v m="$gm" 'BEGIN { printf "%.3f", m / 1000 }')
		if [[ $pm != - ]]; then pm=$(awk -v m="$pm" 'BEGIN { printf "%.3f", m / 1000 }'); fi
		cm=$(conc "$n" "$sm")
		summary "${t}_n${n}_rounds" "$ROUNDS"
		summary "${t}_n${n}_stop_s" "$sm"
		summary "${t}_n${n}_gone_s" "$gm"
		summary "${t}_n${n}_spread_s" "$pm"
		summary "${t}_n${n}_concurrency" "$cm"
		summary "${t}_n${n}_killed" "$killed"
		summary "${t}_n${n}_graceful" "$graceful"
		summary "${t}_n${n}_failed" "$failed"
		summary "${t}_n${n}_left" "$left"
		printf '%s %s %s %s %s %s %s %s %s%s\n' "$n" "$t" "$sm" "$gm" "$killed/$((n * ROUNDS))" "$failed" "$pm" "$cm" "$left" "$notes" >>"$TABLE"
	done
done

echo
if ((ROUNDS > 1)); then echo "medians over $ROUNDS rounds (killed, failed, left: sums):"; else echo "summary:"; fi
printf '%-6s %-4s %-26s %9s %9s %9s %6s %9s %6s %s\n' N tool "stop command" stop_s gone_s killed failed spread_s conc left
while read -r n t sm gm k f pm cm l rest; do
	printf '%-6s %-4s %-26s %9s %9s %9s %6s %9s %6s %s\n' "$n" "$t" "${STOP_CMD[$t]}" "$sm" "$gm" "$k" "$f" "$pm" "$cm" "$l${rest:+ ($rest)}"
done <"$TABLE"
echo
echo "stop_s: the stop command's wall time; gone_s: until the last monitor exited; killed: ended by"
echo "SIGKILL at the timeout; failed: starts that failed or were not RUNNING + containers not stopped;"
echo "spread_s: first to last init exit; conc = N x $(awk -v d="$STOP_DELAY" -v t="$TIMEOUT" 'BEGIN { print (t < d ? t : d) }') s / stop_s (N: all at once, 1: one by one);"
echo "left: processes, run dir entries, cgroups, mounts (LXC: + the lock files it keeps after a clean stop)."

echo
if ((${#CT_PROBLEMS[@]})); then
	echo "ct problems:"
	for p in "${CT_PROBLEMS[@]}"; do echo "  - $p"; done
	CT_BAD=1
fi
if ((CT_BAD)); then
	echo "FAIL: ct had failed starts, containers not RUNNING, kills, a non-zero ctstop exit, inconsistent output or leftovers (see above)"
	exit 1
fi
echo "ct: every container started, was stopped gracefully by one 'ctstop --all' and left nothing behind"
exit 0
