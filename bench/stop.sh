#!/usr/bin/env bash
# Many functions here are only called indirectly ("up_$t", "wait_for 5 gone
# PID", the EXIT trap), which shellcheck takes for unreachable code:
# shellcheck disable=SC2317
#
# bench/stop.sh -- graceful stop-latency and monitor-memory benchmark (prints
# numbers; it is not a test).
#
# One throwaway busybox rootfs whose init, /sbin/myinit, is a shell script
# that traps SIGTERM and exits 0: a container that cooperates with a
# SIGTERM-based stop.  (The kernel delivers to a PID-namespace init only the
# signals it has a handler for; the trap installs one.)
#
#   ct    ctstart --rundir DIR -n NAME -f CONF -d          (not timed), then
#         ctstop  --rundir DIR -n NAME --timeout T         (timed)
#         CONF: rootfs, init = /sbin/myinit, shutdown_method = application
#         (SIGTERM to init, then wait); namespaces: the ctstart default.
#   lxc   lxc-start -P LXCPATH -n NAME -f CONF -d          (not timed), then
#         lxc-stop  -P LXCPATH -n NAME -t T                (timed)
#         CONF: same rootfs, lxc.init.cmd = /sbin/myinit,
#         lxc.signal.halt = SIGTERM, and the settings bench/start.sh uses:
#         namespaces mnt pid uts ipc net, an empty network namespace, no
#         console, AppArmor unconfined, no cgroup limits.
#
# Only the stop command's wall time is measured (fork + exec + wait, by the
# CLOCK_MONOTONIC helper of bench/lib.sh).  Before each timed stop the script
# waits until the container's init has its SIGTERM handler installed
# (SigCgt in /proc/PID/status): "ctstart -d" and "lxc-start -d" return once
# init is exec'd, which can be before the shell has run its "trap"; a SIGTERM
# sent then is dropped by the kernel, and the stop would wait out its timeout.
# Then it lets the container settle (--settle, default 0.1 s; the same for
# both tools: on this kind of machine lxc-stop takes ~7 ms right after
# lxc-start but ~20 ms once the container has run for 0.1 s or more).  After
# each stop it waits until the monitor process has exited, so that runs do not
# overlap.  Runs alternate (ct, lxc, ct, lxc, ...); warm-up rounds are run
# first and not counted.
#
# How each stop ended:
#   ct    ctstop's exit status: 0 graceful, 3 SIGKILLed after the timeout,
#         2 not running, 1 error (2 and 1 are failures).
#   lxc   lxc-stop exits 0 either way; a kill shows in the container's monitor
#         log (lxc-start -l INFO: "ended on signal Killed(9)"), and a stop that
#         took the whole timeout is counted as killed too.
#
# The graceful "ctstop --timeout" may not exist yet in the ctstop under test
# (an older one only has --force).  The script probes it (ctstop --timeout on
# a name that is not running must exit 2); if it is rejected, the script says
# so and measures "ctstop --force" instead, labelled "ct-force": that is a
# SIGKILL, not a graceful stop, and not comparable with lxc-stop -t.
#
# Memory: with one container of each kind running, the PSS and RSS of each
# monitor process from /proc/PID/smaps_rollup.  ct: the parent of the
# container's init (ctinfo --json: "monitor_pid"); LXC: the "[lxc monitor]"
# process, the parent of the init pid that lxc-info -p reports.
#
# Pitfall (LXC): lxc-stop does not see the config the container was started
# with (-f); it loads LXCPATH/NAME/config.  Without that file it sends LXC's
# default halt signal, SIGPWR, which the init ignores, so every stop takes the
# full timeout and ends in SIGKILL.  The LXC config is therefore written to
# LXCPATH/NAME/config and that file is passed to lxc-start -f.
#
# Exit status: 0 unless a ct start or stop failed (a stop that had to SIGKILL
# is a result, reported, not a failure; LXC failures are reported but do not
# change the exit status); 1 also on a usage or setup error.
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
RUNS=20
WARMUP=2
TIMEOUT=10
KEEP=0
RAW=
SETTLE=0.1

usage() {
	cat <<EOF
Usage: $PROG [-n RUNS] [-w WARMUP] [-t SECONDS] [--settle SECS] [--raw FILE]
       [--summary FILE] [--keep] [-h]

Graceful stop-latency benchmark: "ctstop --timeout T" vs "lxc-stop -t T" on
a busybox container whose init exits on SIGTERM, plus the PSS/RSS of the ct
and LXC monitor processes.  Needs root.

Options:
  -n, --runs N        measured stops per tool (default $RUNS)
  -w, --warmup N      warm-up stops per tool, not counted (default $WARMUP)
  -t, --timeout SECS  stop timeout passed to ctstop and lxc-stop (default $TIMEOUT)
      --settle SECS   pause between a container's start and its timed stop
                      (default $SETTLE)
      --raw FILE      also write every measured run as "tool run ms exit how"
                      lines (the stop-latency distribution; bench/run.sh plots it)
      --summary FILE  also write the results as "KEY VALUE" lines (for bench/run.sh)
  -k, --keep          keep the temp dir (rootfs, configs, logs) for inspection
  -h, --help          show this help

Environment:
  CT_BINDIR   directory holding ctstart, ctstop and ctinfo (default: the
              directory of 'command -v ctstart'; for an in-tree build:
              CT_BINDIR=\$PWD).  If they cannot be found the ct part is skipped.
  BUSYBOX     static busybox to put into the rootfs (default: busybox in PATH,
              from Debian's busybox-static)
  TMPDIR      where the temp dir is made (default /tmp)

Prints median, min and max stop time in ms per tool, the ratio of the medians
ct/lxc, the runs that ended in a SIGKILL, and the monitors' PSS and RSS in KiB.
If the ctstop under test has no graceful stop yet, "ctstop --force" is
measured instead and labelled ct-force.
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

parse_opts 'n|runs:RUNS w|warmup:WARMUP t|timeout:TIMEOUT |settle:SETTLE |raw:RAW |summary:SUMMARY k|keep=KEEP=1' -- "$@"
if ! is_uint "$RUNS" || ((RUNS < 1)); then
	die "-n RUNS must be a positive integer, got '$RUNS'"
fi
is_uint "$WARMUP" || die "-w WARMUP must be a non-negative integer, got '$WARMUP'"
if ! is_uint "$TIMEOUT" || ((TIMEOUT < 1)); then
	die "-t SECONDS must be a positive integer, got '$TIMEOUT'"
fi
[[ $SETTLE =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--settle SECS must be a number of seconds, got '$SETTLE'"
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

find_lxc_tools lxc-start lxc-stop lxc-info

# ---------------------------------------------------------- temp + cleanup ---
# TMP ROOTFS LXCPATH CTRUN LOGDIR, and the cleanup of LXC's leftovers outside
# its lxcpath (/run/lxc/lock/..., lxc.pivot and lxc.*.NAME cgroups): lib.sh.
NAME_CT=ctbench-stop-ct-$$
NAME_LXC=ctbench-stop-lxc-$$
# Monitor pids of the containers this script may have running (for cleanup).
CT_MON=
LXC_MON=
bench_tmp stop "$KEEP" "$NAME_LXC"
LXCCONF=$LXCPATH/$NAME_LXC/config

# stop_mon MONPID: wait up to 5 s for a monitor to exit after a forced stop,
# then SIGKILL it (the container dies with its monitor).
stop_mon() {
	[[ $1 =~ ^[0-9]+$ ]] || return 0
	wait_for 5 gone "$1" || kill -KILL "$1" 2>/dev/null
	wait_for 2 gone "$1"
}

# Called by the EXIT trap (lib.sh: bench_cleanup) before the temp dir goes.
# Asks the tools what is running rather than trusting CT_MON / LXC_MON: a
# signal can end the script between a start and the recording of its pids.
bench_pre_cleanup() {
	local json init mon
	if [[ -n $CTSTOP ]] &&
		json=$("$CTINFO" --rundir "$CTRUN" -n "$NAME_CT" --json 2>/dev/null); then
		mon=$(json_num monitor_pid <<<"$json")
		"$CTSTOP" --rundir "$CTRUN" -n "$NAME_CT" --force >/dev/null 2>&1
		stop_mon "$mon"
	fi
	if [[ -n $LXC_STOP ]] &&
		init=$("$LXC_INFO" -P "$LXCPATH" -n "$NAME_LXC" -p -H 2>/dev/null) &&
		[[ $init =~ ^[0-9]+$ ]]; then
		mon=$(status_field "$init" PPid)
		"$LXC_STOP" -P "$LXCPATH" -n "$NAME_LXC" -k >/dev/null 2>&1
		stop_mon "$mon"
	fi
	# Monitors recorded earlier that are somehow still there.
	for mon in "$CT_MON" "$LXC_MON"; do
		if [[ -n $mon ]] && alive "$mon"; then stop_mon "$mon"; fi
	done
}

# ----------------------------------------------------------------- rootfs ---
make_rootfs "$ROOTFS"
write_myinit "$ROOTFS"   # exits 0 on SIGTERM (lib.sh)

# ---------------------------------------------------------------- configs ---
write_ct_conf "$TMP/ct.conf" "$ROOTFS" "init = /sbin/myinit" "shutdown_method = application"

# lxc-stop reads lxc.signal.halt from LXCPATH/NAME/config (see the top).
mkdir -p "${LXCCONF%/*}"
# The settings of bench/start.sh (lib.sh: write_lxc_conf), plus the init and
# its halt signal.
write_lxc_conf "$LXCCONF" "$ROOTFS" \
	"lxc.init.cmd = /sbin/myinit" \
	"lxc.signal.halt = SIGTERM"

# ------------------------------------------------------------ timing helper ---
setup_timer

# ------------------------------------------------------- start / stop a tool ---
declare -A SKIP_WHY=() FAILS=() LOG=() KILLED=() LABEL=([ct]=ct [lxc]=lxc)
for t in ct lxc; do
	FAILS[$t]=0
	KILLED[$t]=
	LOG[$t]=$LOGDIR/$t.log
	: >"$TMP/$t.ns"
done
if [[ -n $CT_SKIP_WHY ]]; then SKIP_WHY[ct]=$CT_SKIP_WHY; fi
if [[ -n $LXC_SKIP_WHY ]]; then SKIP_WHY[lxc]=$LXC_SKIP_WHY; fi

INIT_PID=
MON_PID=

# check_init TOOL: INIT_PID is our /sbin/myinit, PID 1 of a new PID namespace
# in our rootfs, with its SIGTERM handler installed (waits up to 5 s for it).
check_init() {
	local t=$1 nspid
	if [[ ! $INIT_PID =~ ^[0-9]+$ ]] || ! alive "$INIT_PID"; then
		note "$t: no live init pid ('$INIT_PID')"
		return 1
	fi
	nspid=$(grep '^NSpid:' "/proc/$INIT_PID/status" || true)
	if [[ ! $nspid =~ [[:space:]]1$ ]] || [[ ! -e /proc/$INIT_PID/root/etc/ct-bench-rootfs ]]; then
		note "$t: init $INIT_PID is not PID 1 of a new PID namespace in the bench rootfs ($nspid)"
		return 1
	fi
	if ! wait_for 5 catches_term "$INIT_PID"; then
		note "$t: init $INIT_PID has no SIGTERM handler after 5 s"
		return 1
	fi
}

# up_TOOL RUNLABEL: starts the container, sets INIT_PID and MON_PID.
# (called as "up_$tool")
up_ct() {
	local json ppid
	INIT_PID='' MON_PID=''
	if ! "$CTSTART" --rundir "$CTRUN" -n "$NAME_CT" -f "$TMP/ct.conf" -d \
		-o "$LOGDIR/ct-monitor.log" </dev/null >>"${LOG[ct]}" 2>&1; then
		note "ct: ctstart -d failed"
		return 1
	fi
	if ! json=$("$CTINFO" --rundir "$CTRUN" -n "$NAME_CT" --json 2>>"${LOG[ct]}"); then
		note "ct: ctinfo --json failed"
		return 1
	fi
	INIT_PID=$(json_num init_pid <<<"$json")
	MON_PID=$(json_num monitor_pid <<<"$json")
	CT_MON=$MON_PID
	check_init ct || return 1
	ppid=$(status_field "$INIT_PID" PPid) || ppid='?'
	if [[ $ppid != "$MON_PID" ]]; then
		note "ct: ctinfo's monitor_pid $MON_PID is not the parent ($ppid) of init $INIT_PID"
		return 1
	fi
}
up_lxc() {
	local cmd
	INIT_PID='' MON_PID=''
	if ! "$LXC_START" -P "$LXCPATH" -n "$NAME_LXC" -f "$LXCCONF" -d \
		-l INFO -o "$LOGDIR/lxc-monitor.$1.log" </dev/null >>"${LOG[lxc]}" 2>&1; then
		note "lxc: lxc-start -d failed"
		return 1
	fi
	INIT_PID=$("$LXC_INFO" -P "$LXCPATH" -n "$NAME_LXC" -p -H 2>>"${LOG[lxc]}" || true)
	if [[ $INIT_PID =~ ^[0-9]+$ ]]; then
		MON_PID=$(status_field "$INIT_PID" PPid || true)
		LXC_MON=$MON_PID
	fi
	check_init lxc || return 1
	cmd=$(tr '\0' ' ' <"/proc/$MON_PID/cmdline" 2>/dev/null || true)
	if [[ $cmd != "[lxc monitor]"* ]]; then
		note "lxc: the parent $MON_PID of init $INIT_PID is not '[lxc monitor]' ($cmd)"
		return 1
	fi
}

CT_STOP_ARGS=(--timeout "$TIMEOUT")   # --force if the graceful stop is missing
CT_FALLBACK_WHY=

# cmd_TOOL: the stop command, NUL-separated.
# (called as "cmd_$tool")
cmd_ct() { printf '%s\0' "$CTSTOP" --rundir "$CTRUN" -n "$NAME_CT" "${CT_STOP_ARGS[@]}"; }
cmd_lxc() { printf '%s\0' "$LXC_STOP" -P "$LXCPATH" -n "$NAME_LXC" -t "$TIMEOUT"; }

# how_TOOL RUNLABEL: how the timed stop (T_RC, T_NS) ended: prints graceful,
# killed, forced or failed.
# (called as "how_$tool")
how_ct() {
	case $T_RC in
	0) if [[ -n $CT_FALLBACK_WHY ]]; then echo forced; else echo graceful; fi ;;
	3) echo killed ;;
	*) echo failed ;;
	esac
}
how_lxc() {
	if ((T_RC != 0)); then
		echo failed
	elif grep -q 'ended on signal Killed' "$LOGDIR/lxc-monitor.$1.log" 2>/dev/null ||
		((T_NS >= TIMEOUT * 1000000000)); then
		echo killed
	else
		echo graceful
	fi
}

# force_down TOOL: after a failure, make sure the container is gone.
force_down() {
	if [[ $1 == ct ]]; then
		"$CTSTOP" --rundir "$CTRUN" -n "$NAME_CT" --force >>"${LOG[ct]}" 2>&1 || true
	else
		"$LXC_STOP" -P "$LXCPATH" -n "$NAME_LXC" -k >>"${LOG[lxc]}" 2>&1 || true
	fi
	if [[ -n $MON_PID ]] && ! wait_for 5 gone "$MON_PID"; then
		note "$1: monitor $MON_PID still there after a forced stop; killing it"
		kill -KILL "$MON_PID" 2>/dev/null || true
		wait_for 2 gone "$MON_PID" || true
	fi
}

# one_stop TOOL RUNLABEL: start (not timed), timed stop, wait for the monitor
# to exit.  Sets HOW (graceful, killed, forced, failed); T_NS, T_RC.
one_stop() {
	local t=$1 run=$2 argv=()
	HOW=failed
	printf '=== run %s\n' "$run" >>"${LOG[$t]}"
	if ! "up_$t" "$run"; then
		force_down "$t"
		return 0
	fi
	sleep "$SETTLE"
	mapfile -d '' -t argv < <("cmd_$t")
	timed "${LOG[$t]}" "${argv[@]}"
	HOW=$("how_$t" "$run")
	if ! wait_for $((TIMEOUT + 5)) gone "$MON_PID"; then
		note "$t: run $run: monitor $MON_PID still running after the stop command returned"
		HOW=failed
	fi
	if [[ $HOW == failed ]]; then
		note "$t: run $run: stop exited with status $T_RC after $(awk -v n="$T_NS" 'BEGIN{printf "%.1f", n/1e6}') ms; its output so far:"
		show_log_tail "${LOG[$t]}"
		force_down "$t"
	fi
}

# --------------------------------------------------------- probes + sanity ---
TOOLS=()
if [[ -z ${SKIP_WHY[ct]:-} ]]; then
	# Does this ctstop have the graceful stop?  On a name that is not running
	# it must exit 2 ("not running"); an older ctstop rejects --timeout (1).
	prc=0
	"$CTSTOP" --rundir "$CTRUN" -n "$NAME_CT-probe" --timeout "$TIMEOUT" \
		</dev/null >"$LOGDIR/ct-probe.log" 2>&1 || prc=$?
	if ((prc != 2)); then
		CT_FALLBACK_WHY="'ctstop -n NAME --timeout $TIMEOUT' on a stopped container exited $prc, not 2: $(head -n 1 "$LOGDIR/ct-probe.log")"
		CT_STOP_ARGS=(--force)
		LABEL[ct]=ct-force
		note "ct: the graceful stop is not supported by $CTSTOP:"
		note "ct:   $CT_FALLBACK_WHY"
		note "ct: measuring 'ctstop --force' instead (SIGKILL at once, labelled ct-force)"
	fi
	TOOLS+=(ct)
fi
if [[ -z ${SKIP_WHY[lxc]:-} ]]; then TOOLS+=(lxc); fi

# ------------------------------------------------------------- measurement ---
labels=()
for t in "${TOOLS[@]}"; do labels+=("${LABEL[$t]}"); done
printf 'stop-time benchmark: %s runs per tool (+%s warm-up), timeout %s s, settle %s s, alternating %s\n' \
	"$RUNS" "$WARMUP" "$TIMEOUT" "$SETTLE" "${labels[*]:-(nothing)}"
printf 'kernel %s; lxc %s; busybox %s; timer: %s\n' "$(uname -r)" \
	"$([[ -n $LXC_START ]] && "$LXC_START" --version 2>/dev/null || echo -)" "$BUSYBOX" "$(timer_name)"
if [[ -n $CTSTOP ]]; then printf 'ctstop: %s %s\n' "$CTSTOP" "${CT_STOP_ARGS[*]}"; fi
summary timeout_s "$TIMEOUT"
summary settle_s "$SETTLE"
summary warmup "$WARMUP"
for t in ct lxc; do
	if [[ -n ${SKIP_WHY[$t]:-} ]]; then printf 'NOTE: %s skipped: %s\n' "$t" "${SKIP_WHY[$t]}"; fi
done

total=$((WARMUP + RUNS))
for ((i = 1; i <= total; i++)); do
	if ((i > WARMUP)); then run=$((i - WARMUP)); else run=w$i; fi
	for t in "${TOOLS[@]}"; do
		one_stop "$t" "$run"
		case $HOW in
		failed) FAILS[$t]=$((FAILS[$t] + 1)); continue ;;
		killed) KILLED[$t]+=" $run" ;;
		esac
		if ((i > WARMUP)); then
			printf '%s\n' "$T_NS" >>"$TMP/$t.ns"
			if [[ -n $RAW ]]; then
				printf '%s %d %s %d %s\n' "${LABEL[$t]}" "$run" \
					"$(awk -v n="$T_NS" 'BEGIN{printf "%.3f", n/1e6}')" "$T_RC" "$HOW" >>"$TMP/raw"
			fi
		fi
	done
done
if [[ -n $RAW && -e $TMP/raw ]]; then cp -- "$TMP/raw" "$RAW"; fi

# ------------------------------------------------------------------ report ---
declare -A MED=()
echo
printf '%-9s %5s %6s %6s %11s %11s %11s\n' tool runs failed killed median_ms min_ms max_ms
for t in ct lxc; do
	if [[ -n ${SKIP_WHY[$t]:-} ]]; then
		printf '%-9s %5s %6s %6s %11s %11s %11s   (skipped)\n' "${LABEL[$t]}" - "${FAILS[$t]}" - - - -
		continue
	fi
	read -r nk _ <<<"$(wc -w <<<"${KILLED[$t]}")"
	read -r n med min max < <(stats "$TMP/$t.ns")
	printf '%-9s %5s %6s %6s %11s %11s %11s\n' "${LABEL[$t]}" "$n" "${FAILS[$t]}" "$nk" "$med" "$min" "$max"
	summary "${t}_label" "${LABEL[$t]}"
	summary "${t}_runs" "$n"
	summary "${t}_failed" "${FAILS[$t]}"
	summary "${t}_killed" "$nk"
	summary "${t}_median_ms" "$med"
	summary "${t}_min_ms" "$min"
	summary "${t}_max_ms" "$max"
	if ((n > 0)); then MED[$t]=$med; fi
done
echo
if [[ -n ${MED[ct]:-} && -n ${MED[lxc]:-} ]]; then
	awk -v x="${MED[ct]}" -v y="${MED[lxc]}" -v l="${LABEL[ct]}/lxc" \
		'BEGIN { printf "ratio %-12s (medians) %8.3f\n", l, (y > 0 ? x / y : 0) }'
else
	printf 'ratio %-12s (medians)      n/a\n' "${LABEL[ct]}/lxc"
fi
for t in "${TOOLS[@]}"; do
	if [[ -n ${KILLED[$t]} ]]; then
		printf '%s: ended by SIGKILL after the timeout in run(s):%s%s\n' "${LABEL[$t]}" "${KILLED[$t]}" \
			"$([[ ${KILLED[$t]} == *w* ]] && echo '  (wN = warm-up run N)')"
	else
		printf '%s: no run ended by timeout/SIGKILL\n' "${LABEL[$t]}"
	fi
done

# ------------------------------------------------------------------ memory ---

echo
echo "monitor memory (one container of each running; /proc/PID/smaps_rollup):"
declare -A MEM_MON=() MEM_PSS=() MEM_RSS=()
for t in "${TOOLS[@]}"; do
	printf '=== memory\n' >>"${LOG[$t]}"
	if ! "up_$t" mem; then
		note "$t: could not start the container for the memory measurement"
		FAILS[$t]=$((FAILS[$t] + 1))
		force_down "$t"
		continue
	fi
	MEM_MON[$t]=$MON_PID
done
sleep 0.5   # let both monitors settle into their main loops
for t in "${!MEM_MON[@]}"; do
	if out=$(smaps_kb "${MEM_MON[$t]}"); then
		read -r pss rss <<<"$out"
		MEM_PSS[$t]=$pss
		MEM_RSS[$t]=$rss
	else
		note "$t: could not read /proc/${MEM_MON[$t]}/smaps_rollup"
	fi
done
printf '%-5s %8s %10s %10s  %s\n' tool pid pss_kib rss_kib process
for t in "${!MEM_PSS[@]}"; do
	summary "${t}_pss_kib" "${MEM_PSS[$t]}"
	summary "${t}_rss_kib" "${MEM_RSS[$t]}"
done
for t in ct lxc; do
	if [[ -n ${MEM_PSS[$t]:-} ]]; then
		printf '%-5s %8s %10s %10s  %s\n' "$t" "${MEM_MON[$t]}" "${MEM_PSS[$t]}" "${MEM_RSS[$t]}" \
			"$(tr '\0' ' ' <"/proc/${MEM_MON[$t]}/cmdline" 2>/dev/null | cut -c1-60)"
	else
		printf '%-5s %8s %10s %10s\n' "$t" - - -
	fi
done
if [[ -n ${MEM_PSS[ct]:-} && -n ${MEM_PSS[lxc]:-} ]]; then
	awk -v a="${MEM_PSS[ct]}" -v b="${MEM_PSS[lxc]}" -v c="${MEM_RSS[ct]}" -v d="${MEM_RSS[lxc]}" \
		'BEGIN { printf "ratio ct/lxc  PSS %.3f  RSS %.3f\n", (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
else
	echo "ratio ct/lxc  n/a"
fi
# Stop them the ordinary way (not timed).
for t in "${!MEM_MON[@]}"; do
	MON_PID=${MEM_MON[$t]}
	mapfile -d '' -t argv < <("cmd_$t")
	"${argv[@]}" </dev/null >>"${LOG[$t]}" 2>&1 || true
	wait_for $((TIMEOUT + 5)) gone "$MON_PID" || force_down "$t"
done

# ----------------------------------------------------------------- verdict ---
echo
if [[ -n $CT_FALLBACK_WHY ]]; then
	echo "NOTE: the graceful ctstop is not available: $CT_FALLBACK_WHY"
	echo "NOTE: the ct-force numbers are 'ctstop --force' (immediate SIGKILL), NOT a graceful stop;"
	echo "      the ct-force/lxc ratio compares a kill with a graceful stop.  Rerun with a ctstop"
	echo "      that implements --timeout."
fi
if [[ -n ${SKIP_WHY[lxc]:-} ]]; then
	echo "NOTE: LXC was not measured: ${SKIP_WHY[lxc]}"
fi
if [[ -n $CT_SKIP_WHY ]]; then
	echo "NOTE: ct was not measured: $CT_SKIP_WHY"
fi
if ((FAILS[lxc] > 0)); then
	echo "NOTE: lxc failed ${FAILS[lxc]} time(s)"
fi
if ((FAILS[ct] > 0)); then
	echo "FAIL: ct failed ${FAILS[ct]} time(s)"
	exit 1
fi
exit 0
