#!/usr/bin/env bash
# Functions called only indirectly ("cmd_$v", the EXIT trap) look unreachable:
# shellcheck disable=SC2317
#
# bench/daemon.sh -- background-start benchmark: the time until a daemonized
# container is RUNNING (prints numbers; it is not a test).
#
# One throwaway busybox rootfs whose /sbin/myinit is a shell loop that exits 0
# on SIGTERM (lib.sh: write_myinit).  Four variants, run alternately:
#
#   ct-app     ctstart --rundir DIR -n NAME -f CONF -d -o LOG -- /sbin/myinit
#              application container: ct's ctinit is PID 1 and runs the loop
#   ct-sys     ctstart --rundir DIR -n NAME -f CONF -d -o LOG
#              CONF: init = /sbin/myinit: the loop itself is PID 1
#   lxc-exec   lxc-execute -P LXCPATH -n NAME -f CONF -d -o LOG -- /sbin/myinit
#              LXC's application container: its own init is PID 1 and runs
#              the loop (the equivalent of ct-app)
#   lxc-start  lxc-start -P LXCPATH -n NAME -f CONF -d -o LOG
#              CONF: lxc.init.cmd = /sbin/myinit (the equivalent of ct-sys)
#
# The LXC configs are those of bench/start.sh (lib.sh: write_lxc_conf:
# namespaces mnt pid uts ipc net, empty network namespace, no console, AppArmor
# unconfined, no cgroup limits), with lxc.signal.halt = SIGTERM.
#
# What is timed: the start command alone, fork + exec + wait (the CLOCK_MONOTONIC
# helper of lib.sh).  Both tools return only once the container is RUNNING:
#   - ctstart -d returns 0 once the monitor reports RUNNING (DESIGN.md);
#   - lxc-start -d / lxc-execute -d (LXC 5.0.2, lxccontainer.c:
#     wait_on_daemonized_start) wait until the monitor sends the container
#     state over a socket pair and fail unless it is RUNNING.
# So no lxc-wait is needed, and none is timed: both sides measure "command
# issued" to "container RUNNING, command exited".  The script checks it
# after every start (not timed): ctinfo --json must say "RUNNING", lxc-info -s
# must say RUNNING; a start that returned before RUNNING is counted and
# reported ("early"), and makes the comparison suspect.
#
# After each timed start (not timed): wait until the container's PID 1 has
# its SIGTERM handler, stop it gracefully (ctstop -t / lxc-stop -t), and wait
# until its monitor has exited, so that runs do not overlap.  Warm-up rounds
# first, not counted.
#
# Exit status: 0 unless a ct start failed; 1 also on a usage or setup error.
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
RUNS=30
WARMUP=3
TIMEOUT=10
KEEP=0
RAW=
ALL_VARIANTS=(ct-app ct-sys lxc-exec lxc-start)
ONLY=

usage() {
	cat <<EOF
Usage: $PROG [-n RUNS] [-w WARMUP] [-t SECONDS] [--only LIST] [--raw FILE]
       [--summary FILE] [--keep] [-h]

Background-start benchmark: "ctstart -d" until the container is RUNNING vs
"lxc-start -d" and "lxc-execute -d" (which also return once RUNNING), on a
busybox container whose init loops until SIGTERM.  Needs root.

Variants (run alternately): ct-app (ctinit runs the loop), ct-sys (the loop
is init), lxc-exec (lxc-execute -d: LXC's init runs the loop), lxc-start
(lxc.init.cmd = the loop).  Compare ct-app with lxc-exec and ct-sys with
lxc-start.

Options:
  -n, --runs N        measured starts per variant (default $RUNS)
  -w, --warmup N      warm-up starts per variant, not counted (default $WARMUP)
  -t, --timeout SECS  timeout of the (untimed) graceful stop after each start
                      (default $TIMEOUT)
      --only LIST     measure only these variants (comma or space separated,
                      from: ${ALL_VARIANTS[*]})
      --raw FILE      also write every measured run as "variant run ms exit" lines
      --summary FILE  also write the results as "KEY VALUE" lines (for bench/run.sh)
  -k, --keep          keep the temp dir (rootfs, configs, logs) for inspection
  -h, --help          show this help

Environment:
  CT_BINDIR   directory holding ctstart, ctstop and ctinfo (default: the
              directory of 'command -v ctstart').  If they cannot be found
              the ct variants are skipped.
  BUSYBOX     static busybox for the rootfs (default: busybox in PATH)
  TMPDIR      where the temp dir is made (default /tmp)

Prints median, min and max start time in ms per variant, the ratios
ct-app/lxc-exec, ct-sys/lxc-start and ct-app/lxc-start, and how many starts
returned before the container was RUNNING (should be 0).
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

parse_opts 'n|runs:RUNS w|warmup:WARMUP t|timeout:TIMEOUT |only:ONLY |raw:RAW |summary:SUMMARY k|keep=KEEP=1' -- "$@"
if ! is_uint "$RUNS" || ((RUNS < 1)); then
	die "-n RUNS must be a positive integer, got '$RUNS'"
fi
is_uint "$WARMUP" || die "-w WARMUP must be a non-negative integer, got '$WARMUP'"
if ! is_uint "$TIMEOUT" || ((TIMEOUT < 1)); then
	die "-t SECONDS must be a positive integer, got '$TIMEOUT'"
fi
VARIANTS=("${ALL_VARIANTS[@]}")
if [[ -n $ONLY ]]; then
	VARIANTS=()
	for v in ${ONLY//,/ }; do
		[[ " ${ALL_VARIANTS[*]} " == *" $v "* ]] || die "--only: unknown variant '$v' (known: ${ALL_VARIANTS[*]})"
		[[ " ${VARIANTS[*]} " == *" $v "* ]] || VARIANTS+=("$v")
	done
	((${#VARIANTS[@]})) || die "--only: no variant given"
fi
((EUID == 0)) || die "must run as root (namespaces, lxc-start)"
if [[ -n $RAW ]]; then : >"$RAW" || die "cannot write --raw file $RAW"; fi
if [[ -n $SUMMARY ]]; then : >"$SUMMARY" || die "cannot write --summary file $SUMMARY"; fi

# ---------------------------------------------------------------- tools ---
find_busybox
find_ct_tools ctstart ctstop ctinfo
CTSTART='' CTSTOP='' CTINFO=''
if [[ -z $CT_SKIP_WHY ]]; then
	CTSTART=$CT_BINDIR/ctstart
	CTSTOP=$CT_BINDIR/ctstop
	CTINFO=$CT_BINDIR/ctinfo
fi
find_lxc_tools lxc-start lxc-execute lxc-stop lxc-info

# ---------------------------------------------------------- temp + cleanup ---
declare -A NAME=(
	[ct-app]=ctbench-dmn-app-$$ [ct-sys]=ctbench-dmn-sys-$$
	[lxc-exec]=ctbench-dmn-lexec-$$ [lxc-start]=ctbench-dmn-lstart-$$
)
bench_tmp daemon "$KEEP" "${NAME[lxc-exec]}" "${NAME[lxc-start]}"

# stop_mon MONPID: wait up to 5 s for a monitor to exit, then SIGKILL it.
stop_mon() {
	[[ $1 =~ ^[0-9]+$ ]] || return 0
	wait_for 5 gone "$1" || kill -KILL "$1" 2>/dev/null
	wait_for 2 gone "$1"
}

# Called by the EXIT trap (lib.sh) before the temp dir goes: force-stop
# whatever this script may have left running (asking the tools by name).
bench_pre_cleanup() {
	local v json init mon
	for v in ct-app ct-sys; do
		[[ -n $CTSTOP ]] || break
		json=$("$CTINFO" --rundir "$CTRUN" -n "${NAME[$v]}" --json 2>/dev/null) || continue
		mon=$(json_num monitor_pid <<<"$json")
		"$CTSTOP" --rundir "$CTRUN" -n "${NAME[$v]}" --force >/dev/null 2>&1
		stop_mon "$mon"
	done
	for v in lxc-exec lxc-start; do
		[[ -n $LXC_STOP ]] || break
		init=$("$LXC_INFO" -P "$LXCPATH" -n "${NAME[$v]}" -p -H 2>/dev/null) || continue
		[[ $init =~ ^[0-9]+$ ]] || continue
		mon=$(status_field "$init" PPid)
		"$LXC_STOP" -P "$LXCPATH" -n "${NAME[$v]}" -k >/dev/null 2>&1
		stop_mon "$mon"
	done
}

# ------------------------------------------------------------ rootfs + configs ---
make_rootfs "$ROOTFS"
write_myinit "$ROOTFS"

cat >"$TMP/ct-app.conf" <<EOF
rootfs = $ROOTFS
hostname = bench
EOF
cat >"$TMP/ct-sys.conf" <<EOF
rootfs = $ROOTFS
hostname = bench
init = /sbin/myinit
shutdown_method = application
EOF
# lxc-stop reads LXCPATH/NAME/config (not the -f file): keep them the same.
declare -A LXCCONF=()
for v in lxc-exec lxc-start; do
	LXCCONF[$v]=$LXCPATH/${NAME[$v]}/config
	mkdir -p "$LXCPATH/${NAME[$v]}"
done
write_lxc_conf "${LXCCONF[lxc-exec]}" "$ROOTFS" "lxc.signal.halt = SIGTERM"
write_lxc_conf "${LXCCONF[lxc-start]}" "$ROOTFS" \
	"lxc.init.cmd = /sbin/myinit" "lxc.signal.halt = SIGTERM"

setup_timer

# ------------------------------------------------------------ the variants ---
# cmd_VARIANT RUNLABEL: the timed start command, NUL-separated.
cmd_ct-app() {
	printf '%s\0' "$CTSTART" --rundir "$CTRUN" -n "${NAME[ct-app]}" -f "$TMP/ct-app.conf" -d \
		-o "$LOGDIR/ct-app-monitor.log" -- /sbin/myinit
}
cmd_ct-sys() {
	printf '%s\0' "$CTSTART" --rundir "$CTRUN" -n "${NAME[ct-sys]}" -f "$TMP/ct-sys.conf" -d \
		-o "$LOGDIR/ct-sys-monitor.log"
}
cmd_lxc-exec() {
	printf '%s\0' "$LXC_EXECUTE" -P "$LXCPATH" -n "${NAME[lxc-exec]}" -f "${LXCCONF[lxc-exec]}" -d \
		-o "$LOGDIR/lxc-exec-monitor.log" -- /sbin/myinit
}
cmd_lxc-start() {
	printf '%s\0' "$LXC_START" -P "$LXCPATH" -n "${NAME[lxc-start]}" -f "${LXCCONF[lxc-start]}" -d \
		-o "$LOGDIR/lxc-start-monitor.log"
}

# probe VARIANT: after a start, sets STATE, INIT_PID and MON_PID (not timed).
probe() {
	local v=$1 json out
	STATE='' INIT_PID='' MON_PID=''
	if [[ $v == ct-* ]]; then
		json=$("$CTINFO" --rundir "$CTRUN" -n "${NAME[$v]}" --json 2>>"${LOG[$v]}") || return 0
		STATE=$(json_str state <<<"$json")
		INIT_PID=$(json_num init_pid <<<"$json")
		MON_PID=$(json_num monitor_pid <<<"$json")
	else
		# With two fields lxc-info labels them ("State:   RUNNING", "PID:   123").
		out=$("$LXC_INFO" -P "$LXCPATH" -n "${NAME[$v]}" -s -p 2>>"${LOG[$v]}") || return 0
		STATE=$(awk '$1 == "State:" { print $2 }' <<<"$out")
		INIT_PID=$(awk '$1 == "PID:" { print $2 }' <<<"$out")
		if [[ $INIT_PID =~ ^[0-9]+$ ]]; then MON_PID=$(status_field "$INIT_PID" PPid || true); fi
	fi
}

# down VARIANT: graceful stop (not timed), then make sure the monitor is gone.
down() {
	local v=$1 rc=0
	if [[ $INIT_PID =~ ^[0-9]+$ ]]; then wait_for 5 catches_term "$INIT_PID" || true; fi
	if [[ $v == ct-* ]]; then
		"$CTSTOP" --rundir "$CTRUN" -n "${NAME[$v]}" -t "$TIMEOUT" </dev/null >>"${LOG[$v]}" 2>&1 || rc=$?
	else
		"$LXC_STOP" -P "$LXCPATH" -n "${NAME[$v]}" -t "$TIMEOUT" </dev/null >>"${LOG[$v]}" 2>&1 || rc=$?
	fi
	if ((rc != 0)); then note "$v: the stop after the start exited $rc"; fi
	if [[ $MON_PID =~ ^[0-9]+$ ]] && ! wait_for $((TIMEOUT + 5)) gone "$MON_PID"; then
		note "$v: monitor $MON_PID still there after the stop; forcing"
		force_down "$v"
	fi
}

# force_down VARIANT: after a failure, make sure the container is gone.
force_down() {
	local v=$1
	if [[ $v == ct-* ]]; then
		"$CTSTOP" --rundir "$CTRUN" -n "${NAME[$v]}" --force >>"${LOG[$v]}" 2>&1 || true
	else
		"$LXC_STOP" -P "$LXCPATH" -n "${NAME[$v]}" -k >>"${LOG[$v]}" 2>&1 || true
	fi
	stop_mon "$MON_PID" || true
}

# ------------------------------------------------------------- measurement ---
declare -A SKIP_WHY=() FAILS=() EARLY=() LOG=()
ACTIVE=()
for v in "${VARIANTS[@]}"; do
	FAILS[$v]=0
	EARLY[$v]=0
	LOG[$v]=$LOGDIR/$v.log
	: >"$TMP/$v.ns"
	if [[ $v == ct-* && -n $CT_SKIP_WHY ]]; then
		SKIP_WHY[$v]=$CT_SKIP_WHY
	elif [[ $v == lxc-* && -n $LXC_SKIP_WHY ]]; then
		SKIP_WHY[$v]=$LXC_SKIP_WHY
	else
		ACTIVE+=("$v")
	fi
done

printf 'daemon-start benchmark: %s runs per variant (+%s warm-up), alternating %s\n' \
	"$RUNS" "$WARMUP" "${ACTIVE[*]:-(nothing)}"
printf 'kernel %s; lxc %s; busybox %s; timer: %s\n' "$(uname -r)" \
	"$([[ -n $LXC_START ]] && "$LXC_START" --version 2>/dev/null || echo -)" "$BUSYBOX" "$(timer_name)"
if [[ -n $CTSTART ]]; then printf 'ctstart: %s\n' "$CTSTART"; fi
for v in "${VARIANTS[@]}"; do
	if [[ -n ${SKIP_WHY[$v]:-} ]]; then printf 'NOTE: %s skipped: %s\n' "$v" "${SKIP_WHY[$v]}"; fi
done
summary warmup "$WARMUP"

total=$((WARMUP + RUNS))
for ((i = 1; i <= total; i++)); do
	if ((i > WARMUP)); then run=$((i - WARMUP)); else run=w$i; fi
	for v in "${ACTIVE[@]}"; do
		printf '=== run %s\n' "$run" >>"${LOG[$v]}"
		mapfile -d '' -t argv < <("cmd_$v")
		timed "${LOG[$v]}" "${argv[@]}"
		ns=$T_NS rc=$T_RC
		probe "$v"
		if ((rc != 0)); then
			FAILS[$v]=$((FAILS[$v] + 1))
			note "$v: run $run: the start exited $rc; its output so far:"
			show_log_tail "${LOG[$v]}"
			force_down "$v"
			continue
		fi
		if [[ $STATE != RUNNING ]]; then
			EARLY[$v]=$((EARLY[$v] + 1))
			note "$v: run $run: the start returned but the state is '$STATE', not RUNNING"
		fi
		down "$v"
		if ((i > WARMUP)); then
			printf '%s\n' "$ns" >>"$TMP/$v.ns"
			if [[ -n $RAW ]]; then
				printf '%s %s %s %d\n' "$v" "$run" "$(ns_ms "$ns")" "$rc" >>"$RAW"
			fi
		fi
	done
done

# ------------------------------------------------------------------ report ---
declare -A MED=()
echo
printf '%-10s %5s %6s %6s %11s %11s %11s\n' variant runs failed early median_ms min_ms max_ms
for v in "${VARIANTS[@]}"; do
	if [[ -n ${SKIP_WHY[$v]:-} ]]; then
		printf '%-10s %5s %6s %6s %11s %11s %11s   (skipped)\n' "$v" - - - - - -
		continue
	fi
	read -r n med min max < <(stats "$TMP/$v.ns")
	printf '%-10s %5s %6s %6s %11s %11s %11s\n' "$v" "$n" "${FAILS[$v]}" "${EARLY[$v]}" "$med" "$min" "$max"
	k=${v//-/_}
	summary "${k}_runs" "$n"
	summary "${k}_failed" "${FAILS[$v]}"
	summary "${k}_early" "${EARLY[$v]}"
	summary "${k}_median_ms" "$med"
	summary "${k}_min_ms" "$min"
	summary "${k}_max_ms" "$max"
	if ((n > 0)); then MED[$v]=$med; fi
done
echo
for pair in ct-app/lxc-exec ct-sys/lxc-start ct-app/lxc-start; do
	printf 'ratio %-18s (medians) %8s\n' "$pair" "$(ratio "${MED[${pair%/*}]:-}" "${MED[${pair#*/}]:-}")"
done
echo "(early = the start command returned before the container was RUNNING; 0 expected)"

if [[ -n $LXC_SKIP_WHY ]]; then echo "NOTE: LXC was not measured: $LXC_SKIP_WHY"; fi
if [[ -n $CT_SKIP_WHY ]]; then echo "NOTE: ct was not measured: $CT_SKIP_WHY"; fi
rc=0
for v in "${ACTIVE[@]}"; do
	if ((FAILS[$v] > 0)); then
		if [[ $v == ct-* ]]; then
			echo "FAIL: $v failed ${FAILS[$v]} time(s)"
			rc=1
		else
			echo "NOTE: $v failed ${FAILS[$v]} time(s)"
		fi
	fi
done
exit "$rc"
