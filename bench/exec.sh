#!/usr/bin/env bash
# Functions called only indirectly ("cmd_$v", the EXIT trap) look unreachable:
# shellcheck disable=SC2317
#
# bench/exec.sh -- the latency of running a command inside a running container
# (prints numbers; it is not a test): /bin/true run inside, until it has exited.
#
#   ctexec    ctexec --rundir DIR -n NAME -T -- /bin/true
#             through the monitor: a helper joins, is confined as init, forks
#   attach    lxc-attach -P LXCPATH -n NAME -- /bin/true   (LXC 5's own exec)
#   nsenter   nsenter -t INITPID -a /bin/true   (into the ct container; no
#             confinement, host capabilities: the floor, not a safe way in)
#
# One ct and one LXC container (busybox, init = a shell loop), started once;
# the variants alternate run by run after warm-up runs.  What is timed: the
# command alone, fork + exec + wait.  Exit status: 0 unless a ctexec failed.
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
RUNS=30
WARMUP=3
KEEP=0
RAW=
ALL_VARIANTS=(ctexec attach nsenter)

usage() {
	cat <<EOF
Usage: $PROG [-n RUNS] [-w WARMUP] [--raw FILE] [--summary FILE] [--keep] [-h]

The latency of running /bin/true inside a running container: "ctexec -T"
(through ct's monitor, confined as init) vs LXC's "lxc-attach" and plain
"nsenter -a" into the same ct container (no confinement: the floor).  Needs
root; LXC (lxc-attach) and nsenter (util-linux) where present.

Options:
  -n, --runs N        measured runs per variant (default $RUNS)
  -w, --warmup N      warm-up runs per variant, not counted (default $WARMUP)
      --raw FILE      also write every measured run as "variant run ms exit" lines
      --summary FILE  also write the results as "KEY VALUE" lines (for bench/run.sh)
  -k, --keep          keep the temp dir (rootfs, configs, logs) for inspection
  -h, --help          show this help

Environment: CT_BINDIR (ctstart, ctstop, ctinfo, ctexec), BUSYBOX, TMPDIR.
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

parse_opts 'n|runs:RUNS w|warmup:WARMUP |raw:RAW |summary:SUMMARY k|keep=KEEP=1' -- "$@"
if ! is_uint "$RUNS" || ((RUNS < 1)); then die "-n RUNS must be a positive integer, got '$RUNS'"; fi
is_uint "$WARMUP" || die "-w WARMUP must be a non-negative integer, got '$WARMUP'"
((EUID == 0)) || die "must run as root (namespaces, lxc-start)"
if [[ -n $RAW ]]; then : >"$RAW" || die "cannot write --raw file $RAW"; fi
if [[ -n $SUMMARY ]]; then : >"$SUMMARY" || die "cannot write --summary file $SUMMARY"; fi

find_busybox
find_ct_tools ctstart ctstop ctinfo ctexec
[[ -z $CT_SKIP_WHY ]] || die "the ct tools are needed: $CT_SKIP_WHY"
find_lxc_tools lxc-start lxc-attach lxc-stop lxc-info
NSENTER=$(command -v nsenter || true)
CT_NAME=ctbench-exec-$$
LXC_NAME=ctbench-lexec-$$
bench_tmp exec "$KEEP" "$LXC_NAME"

bench_pre_cleanup() {
	"$CT_BINDIR/ctstop" --rundir "$CTRUN" -n "$CT_NAME" --force >/dev/null 2>&1
	[[ -z $LXC_STOP ]] || "$LXC_STOP" -P "$LXCPATH" -n "$LXC_NAME" -k >/dev/null 2>&1
	true
}

make_rootfs "$ROOTFS"
write_myinit "$ROOTFS"
printf 'rootfs = %s\nhostname = bench\ninit = /sbin/myinit\nshutdown_method = application\n' \
	"$ROOTFS" >"$TMP/ct.conf"
"$CT_BINDIR/ctstart" --rundir "$CTRUN" -n "$CT_NAME" -f "$TMP/ct.conf" -d -o "$LOGDIR/ct.log" ||
	die "ctstart failed (see $LOGDIR/ct.log)"
INIT_PID=$("$CT_BINDIR/ctinfo" --rundir "$CTRUN" -n "$CT_NAME" --json | json_num init_pid)
declare -A SKIP_WHY=()
if [[ -n $LXC_SKIP_WHY ]]; then
	SKIP_WHY[attach]=$LXC_SKIP_WHY
else
	mkdir -p "$LXCPATH/$LXC_NAME"
	write_lxc_conf "$LXCPATH/$LXC_NAME/config" "$ROOTFS" "lxc.init.cmd = /sbin/myinit" \
		"lxc.signal.halt = SIGTERM"
	"$LXC_START" -P "$LXCPATH" -n "$LXC_NAME" -d -o "$LOGDIR/lxc.log" ||
		SKIP_WHY[attach]="lxc-start failed (see $LOGDIR/lxc.log)"
fi
[[ -n $NSENTER ]] || SKIP_WHY[nsenter]="nsenter not found (util-linux)"
setup_timer

cmd_ctexec() { printf '%s\0' "$CT_BINDIR/ctexec" --rundir "$CTRUN" -n "$CT_NAME" -T -- /bin/true; }
cmd_attach() { printf '%s\0' "$LXC_ATTACH" -P "$LXCPATH" -n "$LXC_NAME" -- /bin/true; }
cmd_nsenter() { printf '%s\0' "$NSENTER" -t "$INIT_PID" -a /bin/true; }

declare -A FAILS=()
ACTIVE=()
for v in "${ALL_VARIANTS[@]}"; do
	FAILS[$v]=0
	: >"$TMP/$v.ns"
	if [[ -n ${SKIP_WHY[$v]:-} ]]; then
		printf 'NOTE: %s skipped: %s\n' "$v" "${SKIP_WHY[$v]}"
	else
		ACTIVE+=("$v")
	fi
done
printf 'exec benchmark: %s runs per variant (+%s warm-up), alternating %s; timer: %s\n' \
	"$RUNS" "$WARMUP" "${ACTIVE[*]}" "$(timer_name)"
total=$((WARMUP + RUNS))
for ((i = 1; i <= total; i++)); do
	for v in "${ACTIVE[@]}"; do
		mapfile -d '' -t argv < <("cmd_$v")
		timed "$LOGDIR/$v.log" "${argv[@]}"
		if ((T_RC != 0)); then
			FAILS[$v]=$((FAILS[$v] + 1))
			note "$v: run $i exited $T_RC"
			continue
		fi
		((i > WARMUP)) || continue
		printf '%s\n' "$T_NS" >>"$TMP/$v.ns"
		if [[ -n $RAW ]]; then printf '%s %s %s %d\n' "$v" $((i - WARMUP)) "$(ns_ms "$T_NS")" "$T_RC" >>"$RAW"; fi
	done
done

echo
printf '%-8s %5s %6s %11s %11s %11s\n' variant runs failed median_ms min_ms max_ms
declare -A MED=()
for v in "${ALL_VARIANTS[@]}"; do
	read -r n med min max < <(stats "$TMP/$v.ns")
	printf '%-8s %5s %6s %11s %11s %11s\n' "$v" "$n" "${FAILS[$v]}" "$med" "$min" "$max"
	summary "${v}_median_ms" "$med"
	summary "${v}_min_ms" "$min"
	summary "${v}_max_ms" "$max"
	summary "${v}_failed" "${FAILS[$v]}"
	MED[$v]=$med
done
printf 'ratio ctexec/lxc-attach: %s; ctexec/nsenter: %s\n' "$(ratio "${MED[ctexec]}" "${MED[attach]}")" \
	"$(ratio "${MED[ctexec]}" "${MED[nsenter]}")"
((FAILS[ctexec] == 0))
