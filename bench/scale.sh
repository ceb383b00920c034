#!/usr/bin/env bash
# Functions called only indirectly (the EXIT trap, "round_$tool") look
# unreachable:
# shellcheck disable=SC2317
#
# bench/scale.sh -- many containers at once: start N, check them, stop them all
# in parallel, check that nothing is left (prints numbers; it is not a test).
#
# For each N of the list, one ct round and then (N <= --lxc-max) one LXC round,
# on one shared busybox rootfs whose init, /sbin/myinit, is a shell loop that
# exits 0 on SIGTERM (lib.sh: write_myinit; it sleeps 100000 s between
# iterations so that N idle containers do not fork every second).  The same
# guest for both tools: PID 1 is /sbin/myinit, SIGTERM stops it.
#
# ct round (containers ctbs<pid>-N-I, a private run dir):
#   start   ctstart --rundir DIR -n NAME -f CONF -d -o LOG   for I = 1..N,
#           one after the other (-P 1, the default) or P at a time (-P P);
#           CONF: rootfs, init = /sbin/myinit, shutdown_method = application
#   check   ctinfo --json of each: state RUNNING, monitor and init pids (not
#           timed); "ctls --rundir DIR --json" too, timed, if ctls exists
#   memory  PSS and RSS of every monitor (/proc/PID/smaps_rollup), summed and
#           per container; MemAvailable before the start, with all N running,
#           and after the stop
#   stop    "ctstop --all --rundir DIR -t T" if this ctstop has --all (one
#           command stops every container of the run dir in parallel under
#           one deadline), else the fallback: N "ctstop --rundir DIR -n NAME
#           -t T" started at once; the output says which mode was used
#   left    ct monitor processes (command line naming the run dir), entries
#           in the run dir, cgroups <root>/ct/ctbs<pid>-N-* in any hierarchy,
#           mounts under the temp dir; then whatever was found is removed
#           (forced) so that the next round starts clean
# LXC round (containers lxbs<pid>-N-I, a private lxcpath, config in
#           LXCPATH/NAME/config: bench/start.sh's settings, lxc.init.cmd =
#           /sbin/myinit, lxc.signal.halt = SIGTERM):
#   start   lxc-start -P LXCPATH -n NAME -d -o LOG, like ct's (same -P)
#   check   lxc-info -s -p of each (not timed); the monitor is init's parent
#   stop    N "lxc-stop -P LXCPATH -n NAME -t T" started at once (LXC has no
#           stop-all command)
#   left    "[lxc monitor] LXCPATH ..." processes, lxc.*.lxbs<pid>-N-*
#           cgroups, lock files in /run/lxc/lock/LXCPATH (LXC leaves one per
#           container even after a clean stop: counted, reported, removed),
#           mounts.  No lxc-destroy: it would delete the shared rootfs; the
#           container dirs are removed with the temp dir.
#
# Timing: the commands are run by runmany (bench/runmany.c, compiled into the
# temp dir): fork + exec + wait of each, CLOCK_MONOTONIC, so that the shell
# does not add its own cost.  "start s" = first fork to last exit; "stop s" =
# first fork to the exit of the last stop command; "gone s" = until the last
# monitor process has exited (pidfds opened before the stop).
#
# Graceful: ct: ctstop exit 0 (3 = SIGKILLed after the timeout, other =
# failure); LXC: lxc-stop exit 0 and less than the timeout (lxc-stop exits 0
# after a SIGKILL too).
#
# Exit status: 0 if every ct container started, was RUNNING, stopped
# gracefully and left nothing behind; 1 otherwise (LXC's failures are
# reported but do not change it), or on a usage or setup error.
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
SIZES="100 250 500 1000"
TIMEOUT=10
PAR=1
LXC_MAX=1000
STOP_MODE=auto
KEEP=0
DATA=
SETTLE=1

usage() {
	cat <<EOF
Usage: $PROG [-N SIZES] [-P PAR] [-t SECONDS] [--lxc-max N] [--no-lxc]
       [--stop-mode auto|all|each] [--data FILE] [--keep] [-h]

Scale benchmark: N containers running at once, for each N in SIZES; ct
(ctstart -d, then one parallel ctstop) and then LXC (lxc-start -d, then
parallel lxc-stop) at the same N.  Reports total start time, start rate,
parallel stop time, failures, monitor PSS/RSS (sum and per container), host
memory used, and what is left behind.  Needs root.

Options:
  -N, --sizes LIST    container counts, comma or space separated
                      (default "$SIZES")
  -P, --parallel P    start P containers at a time (default $PAR: one after
                      the other; 0 = all at once); the same for both tools
  -t, --timeout SECS  stop timeout for ctstop and lxc-stop (default $TIMEOUT)
      --lxc-max N     run the LXC round only for sizes <= N (default
                      $LXC_MAX; 0 = no LXC).  LXC may be slow or fail at large
                      N: what it managed is reported as measured
      --no-lxc        the same as --lxc-max 0
      --stop-mode M   auto (default): "ctstop --all" if ctstop has it, else
                      each; all: require "ctstop --all"; each: one
                      "ctstop -n NAME" per container, all at once
      --settle SECS   pause with all N running before measuring memory and
                      stopping (default $SETTLE)
      --data FILE     also write one tab-separated row per round (header
                      first; for bench/run.sh)
  -k, --keep          keep the temp dir (rootfs, configs, logs)
  -h, --help          show this help

Environment:
  CT_BINDIR   directory holding ctstart, ctstop and ctinfo (and ctls if it
              exists); default: the directory of 'command -v ctstart'
  BUSYBOX     static busybox for the rootfs (default: busybox in PATH)
  TMPDIR      where the temp dir is made (default /tmp)

Targets (issue 6): 1000 ct containers started in < 15 s, all stopped
gracefully in parallel in < 3 s, zero failures, nothing left behind.
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

parse_opts 'N|sizes:SIZES P|parallel:PAR t|timeout:TIMEOUT |lxc-max:LXC_MAX |no-lxc=LXC_MAX=0 |stop-mode:STOP_MODE |settle:SETTLE |data:DATA k|keep=KEEP=1' -- "$@"
parse_sizes "$SIZES"
is_uint "$PAR" || die "-P must be a non-negative integer, got '$PAR'"
if ! is_uint "$TIMEOUT" || ((TIMEOUT < 1)); then
	die "-t SECONDS must be a positive integer, got '$TIMEOUT'"
fi
is_uint "$LXC_MAX" || die "--lxc-max must be a non-negative integer, got '$LXC_MAX'"
[[ $STOP_MODE =~ ^(auto|all|each)$ ]] || die "--stop-mode must be auto, all or each, got '$STOP_MODE'"
[[ $SETTLE =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--settle SECS must be a number of seconds, got '$SETTLE'"
((EUID == 0)) || die "must run as root (namespaces, cgroups, lxc-start)"
if [[ -n $DATA ]]; then : >"$DATA" || die "cannot write --data file $DATA"; fi

# ---------------------------------------------------------------- tools ---
find_busybox
require_ct_tools
CTLS=
if [[ -x $CT_BINDIR/ctls ]]; then CTLS=$CT_BINDIR/ctls; fi

# Does this ctstop have --all?  (ctstop --help lists it.)
HAVE_ALL=0
if "$CTSTOP" --help 2>&1 | grep -qE -- '(^|[^-])--all\b'; then HAVE_ALL=1; fi
case $STOP_MODE in
auto) if ((HAVE_ALL)); then CT_STOP_MODE=all; else CT_STOP_MODE=each; fi ;;
all) ((HAVE_ALL)) || die "--stop-mode all: $CTSTOP has no --all (ctstop --help does not list it)"
	CT_STOP_MODE=all ;;
each) CT_STOP_MODE=each ;;
esac

find_lxc_tools lxc-start lxc-stop lxc-info
if [[ -z $LXC_SKIP_WHY ]] && ((LXC_MAX == 0)); then
	LXC_SKIP_WHY="--lxc-max 0 / --no-lxc"
fi

# ---------------------------------------------------------- temp + cleanup ---
CT_PFX=ctbs$$
LXC_PFX=lxbs$$
bench_tmp scale "$KEEP"
# Cgroups this run may create (lib.sh's cleanup removes what is left):
# ct's LEAF is NAME-HASH under cgroup.parent "ct"; LXC's lxc.monitor.NAME and
# lxc.payload.NAME at the root of each hierarchy.
BENCH_CG_PATTERNS=("ct/$CT_PFX-*" "lxc.*.$LXC_PFX-*")

# Called by the EXIT trap before lib.sh's generic cleanup (which then kills
# whatever still names the temp dir and removes the cgroups above): stop
# what runs, forcibly and in parallel.
bench_pre_cleanup() {
	local d cmds=$TMP/cleanup.cmds
	[[ -n ${RUNMANY:-} && -x ${RUNMANY:-} ]] || return 0
	: >"$cmds"
	for d in "$CTRUN"/*/; do
		[[ -d $d ]] || continue
		d=${d%/}
		printf '%s\t--rundir\t%s\t-n\t%s\t--force\n' "$CTSTOP" "$CTRUN" "${d##*/}" >>"$cmds"
	done
	for d in "$LXCPATH"/*/; do
		[[ -d $d && -n $LXC_STOP ]] || continue
		d=${d%/}
		# Only those that were started have a lock file.
		[[ -e /run/lxc/lock$LXCPATH/.${d##*/} ]] || continue
		printf '%s\t-P\t%s\t-n\t%s\t-k\n' "$LXC_STOP" "$LXCPATH" "${d##*/}" >>"$cmds"
	done
	if [[ -s $cmds ]]; then
		note "cleanup: force-stopping $(wc -l <"$cmds") container(s)"
		"$RUNMANY" -P 64 -T 60 "$LOGDIR/cleanup.log" "$cmds" >/dev/null 2>&1
	fi
}

# ------------------------------------------------------------ rootfs + config ---
make_rootfs "$ROOTFS"
write_myinit "$ROOTFS" 100000
write_ct_conf "$TMP/ct.conf" "$ROOTFS" "init = /sbin/myinit" "shutdown_method = application"
setup_runner

# ---------------------------------------------------------------- helpers ---
# mem_sum PIDFILE -> "COUNT PSS_KIB RSS_KIB" summed over the pids' smaps_rollup
mem_sum() {
	local pid files=()
	while read -r pid; do
		if [[ -r /proc/$pid/smaps_rollup ]]; then files+=("/proc/$pid/smaps_rollup"); fi
	done <"$1"
	if ((${#files[@]} == 0)); then echo "0 0 0"; return; fi
	awk '$1 == "Pss:" { p += $2; n++ } $1 == "Rss:" { r += $2 }
		END { printf "%d %d %d\n", n, p, r }' "${files[@]}" 2>/dev/null || echo "0 0 0"
}

# live_count PIDFILE -> how many of the pids are alive (not zombies)
live_count() {
	local pid c=0
	while read -r pid; do
		if [[ -n $pid ]] && alive "$pid"; then c=$((c + 1)); fi
	done <"$1"
	echo "$c"
}

# cmd_stats OUT -> "MEDIAN_MS MAX_MS FIRST10_MEDIAN_MS LAST10_MEDIAN_MS" of the
# runmany "cmd" lines in OUT (first/last tenth: does a start slow down as the
# number of containers running grows?)
cmd_stats() {
	awk '$1 == "cmd" && $4 >= 0 { v[++n] = $4 }
		function med(a, lo, hi,   m, i, j, t, w) {
			m = 0
			for (i = lo; i <= hi; i++) w[++m] = a[i]
			for (i = 2; i <= m; i++) { t = w[i]; for (j = i - 1; j >= 1 && w[j] > t; j--) w[j + 1] = w[j]; w[j + 1] = t }
			return (m % 2) ? w[(m + 1) / 2] : (w[m / 2] + w[m / 2 + 1]) / 2
		}
		END {
			if (n == 0) { print "- - - -"; exit }
			k = int(n / 10); if (k < 1) k = 1
			mx = 0; for (i = 1; i <= n; i++) if (v[i] > mx) mx = v[i]
			printf "%.3f %.3f %.3f %.3f\n", med(v, 1, n) / 1e6, mx / 1e6, med(v, 1, k) / 1e6, med(v, n - k + 1, n) / 1e6
		}' "$1"
}

# exit_counts OUT -> "OK(0) THREE(3) OTHER" of the runmany "cmd" lines
exit_counts() {
	awk '$1 == "cmd" { if ($5 == 0) a++; else if ($5 == 3) b++; else c++ }
		END { printf "%d %d %d\n", a, b, c }' "$1"
}

# first_errors LOG: a few distinct error lines of LOG, indented
first_errors() {
	grep -iE 'error|fail|cannot|denied|refus' "$1" 2>/dev/null | sort | uniq -c | sort -rn | head -n 5 |
		sed 's/^/    | /' || true
}

# mounts_under DIR -> number of mount points below DIR (host mount namespace)
mounts_under() { findmnt -rn -o TARGET | grep -cF -- "$1/" || true; }

SEP=$'\t'
DATA_COLS=(n tool start_par start_s start_rate start_med_ms start_max_ms start_first_med_ms
	start_last_med_ms start_failed running ls_count ls_ms stop_mode stop_s gone_s stop_graceful
	stop_killed stop_failed mon_count pss_sum_kib rss_sum_kib pss_per_kib rss_per_kib
	memavail_before_kib memavail_running_kib memavail_after_kib mem_used_per_kib leftovers leftover_detail)
if [[ -n $DATA ]]; then (IFS=$SEP; printf '%s\n' "${DATA_COLS[*]}") >"$DATA"; fi
declare -A R=()

# data_row: appends R[...] as a row of DATA
data_row() {
	local c row=()
	for c in "${DATA_COLS[@]}"; do row+=("${R[$c]:--}"); done
	if [[ -n $DATA ]]; then (IFS=$SEP; printf '%s\n' "${row[*]}") >>"$DATA"; fi
}

# report_round: the human-readable block for R
report_round() {
	printf '  start    %s s for %s (%s at a time), %s/s; per start median %s ms, max %s ms, first tenth %s ms, last tenth %s ms; failed %s\n' \
		"${R[start_s]}" "${R[n]}" "${R[start_par]}" "${R[start_rate]}" "${R[start_med_ms]}" "${R[start_max_ms]}" \
		"${R[start_first_med_ms]}" "${R[start_last_med_ms]}" "${R[start_failed]}"
	printf '  running  %s of %s%s\n' "${R[running]}" "${R[n]}" \
		"$([[ ${R[ls_count]:--} != - ]] && printf '; ctls listed %s RUNNING in %s ms' "${R[ls_count]}" "${R[ls_ms]}")"
	printf '  memory   monitors: %s, PSS %s KiB total, %s KiB each; RSS %s KiB total, %s KiB each\n' \
		"${R[mon_count]}" "${R[pss_sum_kib]}" "${R[pss_per_kib]}" "${R[rss_sum_kib]}" "${R[rss_per_kib]}"
	printf '           MemAvailable %s KiB before, %s KiB running (%s KiB per container), %s KiB after the stop\n' \
		"${R[memavail_before_kib]}" "${R[memavail_running_kib]}" "${R[mem_used_per_kib]}" "${R[memavail_after_kib]}"
	printf '  stop     %s: commands done in %s s, last monitor gone at %s s; graceful %s, killed %s, failed %s\n' \
		"${R[stop_mode]}" "${R[stop_s]}" "${R[gone_s]}" "${R[stop_graceful]}" "${R[stop_killed]}" "${R[stop_failed]}"
	printf '  left     %s (%s)\n' "${R[leftovers]}" "${R[leftover_detail]}"
}

# start_phase TOOL N CMDFILE: runs the starts, fills R[start_*]
start_phase() {
	local out=$TMP/$1-$2.start.out tot failed a b c d
	R[memavail_before_kib]=$(mem_available_kb)
	"$RUNMANY" -P "$PAR" -T $((5 * $2 + 120)) "$LOGDIR/$1-$2.start.log" "$3" >"$out"
	read -r _ tot failed < <(grep '^total ' "$out")
	R[start_par]=$PAR
	if ((PAR == 0)); then R[start_par]=all; fi
	R[start_s]=$(awk -v t="$tot" 'BEGIN { printf "%.3f", t / 1e9 }')
	R[start_rate]=$(awk -v t="$tot" -v n="$2" 'BEGIN { printf "%.1f", (t > 0 ? n / (t / 1e9) : 0) }')
	R[start_failed]=$failed
	read -r a b c d < <(cmd_stats "$out")
	R[start_med_ms]=$a R[start_max_ms]=$b R[start_first_med_ms]=$c R[start_last_med_ms]=$d
	if ((failed > 0)); then
		note "$1: $failed of $2 starts failed; most frequent messages:"
		first_errors "$LOGDIR/$1-$2.start.log" >&2
	fi
}

# stop_phase TOOL N CMDFILE MONPIDS: runs the stop command(s), fills R[stop_*]
stop_phase() {
	local out=$TMP/$1-$2.stop.out ok three other tot gone left
	"$RUNMANY" -P 0 -T $((TIMEOUT + 60)) -w "$4" -W $((TIMEOUT + 30)) "$LOGDIR/$1-$2.stop.log" "$3" >"$out"
	read -r _ tot _ < <(grep '^total ' "$out")
	read -r _ _ gone left < <(grep '^watched ' "$out")
	R[stop_s]=$(awk -v t="$tot" 'BEGIN { printf "%.3f", t / 1e9 }')
	R[gone_s]=$(awk -v t="$gone" 'BEGIN { printf "%.3f", t / 1e9 }')
	if ((left > 0)); then
		note "$1: $left monitor(s) still running $((TIMEOUT + 30)) s after the stop"
		R[gone_s]="$(awk -v t="$gone" 'BEGIN { printf "%.3f", t / 1e9 }')+"
	fi
	read -r ok three other < <(exit_counts "$out")
	STOP_OUT=$out STOP_OK=$ok STOP_THREE=$three STOP_OTHER=$other
}

# ------------------------------------------------------------------ ct round ---
round_ct() {
	local n=$1
	local i name cmds=$TMP/ct-$n.cmds monf=$TMP/ct-$n.mon inits=$TMP/ct-$n.init
	local json st mon init running=0 t0 t1 out procs rundirs cgs mnts total_left a b c
	R=([n]=$n [tool]=ct)
	: >"$cmds"
	for ((i = 1; i <= n; i++)); do
		printf '%s\t--rundir\t%s\t-n\t%s\t-f\t%s\t-d\t-o\t%s\n' "$CTSTART" "$CTRUN" "$CT_PFX-$n-$i" \
			"$TMP/ct.conf" "$LOGDIR/ct-$n-$i.log" >>"$cmds"
	done
	start_phase ct "$n" "$cmds"

	# Check (not timed): ctinfo of each.
	: >"$monf"
	: >"$inits"
	for ((i = 1; i <= n; i++)); do
		name=$CT_PFX-$n-$i
		json=$("$CTINFO" --rundir "$CTRUN" -n "$name" --json 2>/dev/null) || continue
		st=$(json_str state <<<"$json")
		mon=$(json_num monitor_pid <<<"$json")
		init=$(json_num init_pid <<<"$json")
		[[ $mon =~ ^[0-9]+$ ]] && echo "$mon" >>"$monf"
		[[ $init =~ ^[0-9]+$ ]] && echo "$init" >>"$inits"
		[[ $st == RUNNING ]] && running=$((running + 1))
	done
	R[running]=$running
	if [[ -n $CTLS ]]; then
		t0=$EPOCHREALTIME
		out=$("$CTLS" --rundir "$CTRUN" --json 2>>"$LOGDIR/ctls.log" || true)
		t1=$EPOCHREALTIME
		R[ls_count]=$(grep -o '"RUNNING"' <<<"$out" | wc -l)
		R[ls_ms]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
	fi

	sleep "$SETTLE"
	wait_for 10 all_catch_term "$inits" || note "ct: not every init has its SIGTERM handler after 10 s"
	read -r a b c < <(mem_sum "$monf")
	R[mon_count]=$a R[pss_sum_kib]=$b R[rss_sum_kib]=$c
	R[memavail_running_kib]=$(mem_available_kb)

	# Stop.
	: >"$cmds.stop"
	if [[ $CT_STOP_MODE == all ]]; then
		R[stop_mode]="ctstop --all"
		printf '%s\t--all\t--rundir\t%s\t-t\t%s\n' "$CTSTOP" "$CTRUN" "$TIMEOUT" >"$cmds.stop"
	else
		R[stop_mode]="ctstop -n NAME x$n"
		for ((i = 1; i <= n; i++)); do
			printf '%s\t--rundir\t%s\t-n\t%s\t-t\t%s\n' "$CTSTOP" "$CTRUN" "$CT_PFX-$n-$i" "$TIMEOUT" >>"$cmds.stop"
		done
	fi
	stop_phase ct "$n" "$cmds.stop" "$monf"
	if [[ $CT_STOP_MODE == all ]]; then
		# One command for all: its exit status speaks for all (0 = all graceful).
		case $STOP_OK/$STOP_THREE in
		1/0) R[stop_graceful]=$running R[stop_killed]=0 R[stop_failed]=0 ;;
		0/1) R[stop_graceful]='?' R[stop_killed]="some (exit 3)" R[stop_failed]=0 ;;
		*) R[stop_graceful]='?' R[stop_killed]='?' R[stop_failed]="ctstop --all failed: $(awk '$1 == "cmd" { print "exit " $5 }' "$STOP_OUT")" ;;
		esac
	else
		R[stop_graceful]=$STOP_OK R[stop_killed]=$STOP_THREE R[stop_failed]=$STOP_OTHER
	fi
	if [[ ${R[stop_failed]} != 0 || ${R[stop_killed]} != 0 ]]; then
		note "ct: stop problems; most frequent messages:"
		first_errors "$LOGDIR/ct-$n.stop.log" >&2
	fi

	# Leftovers (right after the stop).
	procs=$(pids_with_arg "$CTRUN" | wc -l)
	procs=$((procs + $(live_count "$inits")))
	rundirs=$(find "$CTRUN" -mindepth 1 -maxdepth 1 | wc -l)
	cgs=$(cgroup_dirs "ct/$CT_PFX-$n-*" | wc -l)
	mnts=$(mounts_under "$TMP")
	total_left=$((procs + rundirs + cgs + mnts))
	R[leftovers]=$total_left
	R[leftover_detail]="procs=$procs,rundirs=$rundirs,cgroups=$cgs,mounts=$mnts"
	if ((total_left > 0)); then
		note "ct: left behind after the stop: ${R[leftover_detail]}; removing it"
		cleanup_ct_round "$n"
	fi
	sleep 1
	R[memavail_after_kib]=$(mem_available_kb)
	R[mem_used_per_kib]=$(awk -v a="${R[memavail_before_kib]}" -v b="${R[memavail_running_kib]}" -v n="$n" \
		'BEGIN { printf "%.0f", (a - b) / n }')
}

# cleanup_ct_round N: forced removal of what a ct round left
cleanup_ct_round() {
	local pids d
	mapfile -t pids < <(pids_with_arg "$CTRUN")
	if ((${#pids[@]})); then kill_pids "${pids[@]}"; fi
	cgroup_dirs "ct/$CT_PFX-$1-*" | while read -r d; do remove_cgroup "$d" || note "cannot remove $d"; done
	find "$CTRUN" -mindepth 1 -delete 2>/dev/null || true
}

# ----------------------------------------------------------------- LXC round ---
round_lxc() {
	local n=$1
	local i name cmds=$TMP/lxc-$n.cmds monf=$TMP/lxc-$n.mon inits=$TMP/lxc-$n.init
	local out st init mon running=0 procs cgs locks mnts total_left a b c
	R=([n]=$n [tool]=lxc)
	: >"$cmds"
	for ((i = 1; i <= n; i++)); do
		name=$LXC_PFX-$n-$i
		mkdir -p "$LXCPATH/$name"
		write_lxc_conf "$LXCPATH/$name/config" "$ROOTFS" \
			"lxc.init.cmd = /sbin/myinit" "lxc.signal.halt = SIGTERM"
		printf '%s\t-P\t%s\t-n\t%s\t-d\t-o\t%s\n' "$LXC_START" "$LXCPATH" "$name" \
			"$LOGDIR/lxc-$n-$i.log" >>"$cmds"
	done
	start_phase lxc "$n" "$cmds"

	: >"$monf"
	: >"$inits"
	for ((i = 1; i <= n; i++)); do
		name=$LXC_PFX-$n-$i
		out=$("$LXC_INFO" -P "$LXCPATH" -n "$name" -s -p 2>/dev/null) || continue
		st=$(awk '$1 == "State:" { print $2 }' <<<"$out")
		init=$(awk '$1 == "PID:" { print $2 }' <<<"$out")
		if [[ $init =~ ^[0-9]+$ ]]; then
			echo "$init" >>"$inits"
			mon=$(status_field "$init" PPid || true)
			[[ $mon =~ ^[0-9]+$ ]] && echo "$mon" >>"$monf"
		fi
		[[ $st == RUNNING ]] && running=$((running + 1))
	done
	R[running]=$running

	sleep "$SETTLE"
	wait_for 10 all_catch_term "$inits" || note "lxc: not every init has its SIGTERM handler after 10 s"
	read -r a b c < <(mem_sum "$monf")
	R[mon_count]=$a R[pss_sum_kib]=$b R[rss_sum_kib]=$c
	R[memavail_running_kib]=$(mem_available_kb)

	: >"$cmds.stop"
	R[stop_mode]="lxc-stop -n NAME x$n"
	for ((i = 1; i <= n; i++)); do
		printf '%s\t-P\t%s\t-n\t%s\t-t\t%s\n' "$LXC_STOP" "$LXCPATH" "$LXC_PFX-$n-$i" "$TIMEOUT" >>"$cmds.stop"
	done
	stop_phase lxc "$n" "$cmds.stop" "$monf"
	# lxc-stop exits 0 after a SIGKILL too: a stop that took the whole
	# timeout counts as killed.
	read -r a b c < <(awk -v t="$TIMEOUT" '$1 == "cmd" {
			if ($5 != 0) f++; else if ($4 >= t * 1e9) k++; else g++ }
		END { printf "%d %d %d\n", g, k, f }' "$STOP_OUT")
	R[stop_graceful]=$a R[stop_killed]=$b R[stop_failed]=$c
	if [[ ${R[stop_failed]} != 0 ]]; then
		note "lxc: stop problems; most frequent messages:"
		first_errors "$LOGDIR/lxc-$n.stop.log" >&2
	fi

	procs=$(pids_with_arg "$LXCPATH" | wc -l)
	procs=$((procs + $(live_count "$inits")))
	cgs=$(cgroup_dirs "lxc.*.$LXC_PFX-$n-*" | wc -l)
	locks=$(find "/run/lxc/lock$LXCPATH" -mindepth 1 -maxdepth 1 -name ".$LXC_PFX-$n-*" 2>/dev/null | wc -l)
	mnts=$(mounts_under "$TMP")
	total_left=$((procs + cgs + locks + mnts))
	R[leftovers]=$total_left
	R[leftover_detail]="procs=$procs,cgroups=$cgs,lockfiles=$locks,mounts=$mnts"
	if ((total_left > 0)); then
		if ((total_left == locks)); then
			note "lxc: left behind after the stop: $locks lock file(s) in /run/lxc/lock$LXCPATH (LXC keeps them); removing them"
		else
			note "lxc: left behind after the stop: ${R[leftover_detail]}; removing it"
		fi
		cleanup_lxc_round "$n"
	fi
	sleep 1
	R[memavail_after_kib]=$(mem_available_kb)
	R[mem_used_per_kib]=$(awk -v a="${R[memavail_before_kib]}" -v b="${R[memavail_running_kib]}" -v n="$n" \
		'BEGIN { printf "%.0f", (a - b) / n }')
}

# cleanup_lxc_round N: forced removal of what an LXC round left
cleanup_lxc_round() {
	local pids d
	mapfile -t pids < <(pids_with_arg "$LXCPATH")
	if ((${#pids[@]})); then kill_pids "${pids[@]}"; fi
	cgroup_dirs "lxc.*.$LXC_PFX-$1-*" | while read -r d; do remove_cgroup "$d" || note "cannot remove $d"; done
	find "/run/lxc/lock$LXCPATH" -mindepth 1 -maxdepth 1 -name ".$LXC_PFX-$1-*" -exec rm -rf {} + 2>/dev/null || true
	find "$LXCPATH" -mindepth 1 -maxdepth 1 -name "$LXC_PFX-$1-*" -exec rm -rf {} + 2>/dev/null || true
}

# --------------------------------------------------------------------- main ---
per() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.0f", (n > 0 ? s / n : 0) }'; }

printf 'scale benchmark: sizes %s; start %s at a time; stop timeout %s s; ct stop mode: %s\n' \
	"${NS[*]}" "$([[ $PAR == 0 ]] && echo all || echo "$PAR")" "$TIMEOUT" "$CT_STOP_MODE"
printf 'kernel %s; %s CPUs; lxc %s; ctstart %s\n' "$(uname -r)" "$(nproc)" \
	"$([[ -n $LXC_START ]] && "$LXC_START" --version 2>/dev/null || echo -)" "$CTSTART"
if [[ $CT_STOP_MODE == each ]]; then
	if ((HAVE_ALL)); then
		echo "NOTE: ct stop mode 'each' (--stop-mode each): one 'ctstop -n NAME -t $TIMEOUT' per container, all at once"
	else
		echo "NOTE: this ctstop has no --all: fallback, one 'ctstop -n NAME -t $TIMEOUT' per container, all at once"
	fi
else
	echo "ct stop mode: one 'ctstop --all --rundir DIR -t $TIMEOUT'"
fi
if [[ -n $LXC_SKIP_WHY ]]; then echo "NOTE: LXC rounds skipped: $LXC_SKIP_WHY"; fi
if [[ -z $CTLS ]]; then echo "NOTE: no ctls in $CT_BINDIR: the listing check uses ctinfo only"; fi

CT_BAD=0
for n in "${NS[@]}"; do
	for tool in ct lxc; do
		if [[ $tool == lxc ]]; then
			[[ -z $LXC_SKIP_WHY ]] || continue
			if ((n > LXC_MAX)); then
				printf '\n== N=%s lxc: skipped (--lxc-max %s)\n' "$n" "$LXC_MAX"
				continue
			fi
		fi
		printf '\n== N=%s %s\n' "$n" "$tool"
		"round_$tool" "$n"
		R[pss_per_kib]=$(per "${R[pss_sum_kib]}" "${R[mon_count]}")
		R[rss_per_kib]=$(per "${R[rss_sum_kib]}" "${R[mon_count]}")
		report_round
		data_row
		if [[ $tool == ct ]]; then
			if ((R[start_failed] > 0 || R[running] != n || R[leftovers] > 0)) ||
				[[ ${R[stop_graceful]} != "$n" ]]; then
				CT_BAD=1
			fi
		fi
	done
done

echo
if ((CT_BAD)); then
	echo "FAIL: ct had failures, containers not RUNNING, stops that were not graceful, or leftovers (see above)"
	exit 1
fi
echo "ct: every container started, ran, stopped gracefully and left nothing behind"
exit 0
