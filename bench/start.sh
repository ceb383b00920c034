#!/usr/bin/env bash
# bench/start.sh -- container start-time benchmark (prints numbers; it is not a test).
#
# Compares, on one throwaway busybox rootfs, the time to start a container that
# runs /bin/true and to get its exit status back:
#
#   ct    ctstart --rundir DIR -n NAME -f CONF -- /bin/true
#         application container; namespaces: the ctstart default (pid mount uts ipc
#         net cgroup) and, by default, a user namespace (idmap = auto: an id range
#         leased from the pool, the rootfs idmapped)
#   ctpriv  the same with idmap = none (privileged mode: no user namespace, the
#         privileged seccomp filter on top)
#   lxc   lxc-execute -P LXCPATH -n NAME -f LXCCONF -- /bin/true
#         same rootfs, same namespaces, empty network namespace, no cgroup limits
#   bare  unshare -fpmuin chroot ROOTFS /bin/true
#         the floor: the same namespaces and a chroot, no supervisor at all
#         (no /proc, /sys or /dev mounts; unshare -m does make / rprivate)
#
# Runs alternate (ct, lxc, bare, ct, lxc, bare, ...) so that slow drifts of the
# machine hit every tool alike.  Warm-up rounds are run first and not counted.
# Every run is timed with CLOCK_MONOTONIC by a tiny C helper compiled into the
# temp dir (fork + exec + wait; the same overhead for every tool).  Without a C
# compiler, bash's $EPOCHREALTIME is used instead (wall clock, microseconds).
#
# Exit status: 0 unless ctstart failed (a failing or missing lxc-execute, or a
# failing unshare, is reported but does not change the exit status); 1 also on
# a usage or setup error.
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
RUNS=30
WARMUP=3
KEEP=0
RAW=

usage() {
	cat <<EOF
Usage: $PROG [-n RUNS] [-w WARMUP] [--raw FILE] [--summary FILE] [--keep] [-h]

Start-time benchmark: ctstart vs lxc-execute vs bare unshare+chroot, each
starting a busybox application container that runs /bin/true.  Needs root.

Options:
  -n, --runs N      measured runs per tool (default $RUNS)
  -w, --warmup N    warm-up runs per tool, not counted (default $WARMUP)
      --raw FILE    also write every measured run as "tool run ms exit" lines
      --summary FILE  also write the results as "KEY VALUE" lines (for bench/run.sh)
  -k, --keep        keep the temp dir (rootfs, configs, logs) for inspection
  -h, --help        show this help

Environment:
  CT_BINDIR   directory holding ctstart (default: the directory of
              'command -v ctstart'; for an in-tree build: CT_BINDIR=\$PWD).
              If ctstart cannot be found the ct part is skipped.
  BUSYBOX     static busybox to put into the rootfs (default: busybox in PATH,
              from Debian's busybox-static)
  TMPDIR      where the temp dir is made (default /tmp)

Prints a table of median, min and max start time in ms per tool, and the
ratios of the medians ct/lxc and ct/bare.
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

parse_opts 'n|runs:RUNS w|warmup:WARMUP |raw:RAW |summary:SUMMARY k|keep=KEEP=1' -- "$@"
if ! is_uint "$RUNS" || ((RUNS < 1)); then
	die "-n RUNS must be a positive integer, got '$RUNS'"
fi
is_uint "$WARMUP" || die "-w WARMUP must be a non-negative integer, got '$WARMUP'"
((EUID == 0)) || die "must run as root (namespaces, chroot, lxc-execute)"
if [[ -n $RAW ]]; then : >"$RAW" || die "cannot write --raw file $RAW"; fi
if [[ -n $SUMMARY ]]; then : >"$SUMMARY" || die "cannot write --summary file $SUMMARY"; fi

# ---------------------------------------------------------------- tools ---
UNSHARE=$(command -v unshare) || die "unshare (util-linux) not found"
CHROOT=$(command -v chroot) || die "chroot (coreutils) not found"
find_busybox
find_ct_tools ctstart
CTSTART=
if [[ -z $CT_SKIP_WHY ]]; then CTSTART=$CT_BINDIR/ctstart; fi

find_lxc_tools lxc-execute

# ---------------------------------------------------------- temp + cleanup ---
# TMP ROOTFS LXCPATH CTRUN LOGDIR, and the cleanup of LXC's leftovers outside
# its lxcpath (/run/lxc/lock/..., lxc.pivot and lxc.*.NAME cgroups): lib.sh.
NAME_CT=ctbench-ct-$$
NAME_LXC=ctbench-lxc-$$
bench_tmp start "$KEEP" "$NAME_LXC"

# ----------------------------------------------------------------- rootfs ---
# busybox, applet links, passwd/group, and the marker /etc/ct-bench-rootfs
# (checked once per tool: proves the command ran in this rootfs).
make_rootfs "$ROOTFS"
# Note: LXC 5.0.2's lxc-execute does not need init.lxc(.static) in or bound
# into the rootfs: its init (PID 1) is the forked liblxc child itself, which
# forks the command as PID 2 (checked with strace: no exec of init.lxc).

# ---------------------------------------------------------------- configs ---
# ctstart: rootfs is all it needs; the namespaces default to pid mount uts ipc
# net, i.e. what lxc.namespace.clone below asks LXC for.  No cgroup.* keys.
write_ct_conf "$TMP/ct.conf" "$ROOTFS"
{ cat "$TMP/ct.conf"; echo "idmap = none"; } >"$TMP/ctpriv.conf"

# lxc-execute, made as comparable to ctstart as LXC allows: the settings and
# why are in lib.sh (write_lxc_conf): namespaces mnt pid uts ipc net, an
# empty network namespace, proc and sys mounted, no console, AppArmor
# unconfined, no cgroup limits (LXC's cgroups are its own cost).
write_lxc_conf "$TMP/lxc.conf" "$ROOTFS"

# ------------------------------------------------------------ timing helper ---
# timed LOG CMD... (lib.sh): CLOCK_MONOTONIC helper compiled into TMP, else
# $EPOCHREALTIME.
setup_timer

# ------------------------------------------------------------ the commands ---
# shellcheck disable=SC2317  # called as "cmd_$tool"
cmd_ct() { printf '%s\0' "$CTSTART" --rundir "$CTRUN" -n "$NAME_CT" -f "$TMP/ct.conf" -- "$@"; }
# shellcheck disable=SC2317
cmd_ctpriv() { printf '%s\0' "$CTSTART" --rundir "$CTRUN" -n "$NAME_CT" -f "$TMP/ctpriv.conf" -- "$@"; }
# shellcheck disable=SC2317
cmd_lxc() { printf '%s\0' "$LXC_EXECUTE" -P "$LXCPATH" -n "$NAME_LXC" -f "$TMP/lxc.conf" -- "$@"; }
# shellcheck disable=SC2317
cmd_bare() { printf '%s\0' "$UNSHARE" -fpmuin "$CHROOT" "$ROOTFS" "$@"; }

# run_tool TOOL LOG CMD...: timed run of CMD in TOOL's container.
run_tool() {
	local tool=$1 log=$2 argv=()
	shift 2
	mapfile -d '' -t argv < <("cmd_$tool" "$@")
	timed "$log" "${argv[@]}"
}

TOOLS=()
declare -A SKIP_WHY=() FAILS=() LOG=()
if [[ -z $CT_SKIP_WHY ]]; then TOOLS+=(ct ctpriv); else SKIP_WHY[ct]=$CT_SKIP_WHY; SKIP_WHY[ctpriv]=$CT_SKIP_WHY; fi
if [[ -z $LXC_SKIP_WHY ]]; then TOOLS+=(lxc); else SKIP_WHY[lxc]=$LXC_SKIP_WHY; fi
TOOLS+=(bare)
for t in ct ctpriv lxc bare; do
	FAILS[$t]=0
	LOG[$t]=$LOGDIR/$t.log
	: >"$TMP/$t.ns"
done

# ------------------------------------------------------------ sanity check ---
# One run per tool of a command that must see the marker file (so it is in
# this rootfs) and have a small PID (so it is in a new PID namespace).
check='test -e /etc/ct-bench-rootfs && test $$ -lt 10'
active=()
for t in "${TOOLS[@]}"; do
	run_tool "$t" "${LOG[$t]}" /bin/sh -c "$check"
	if ((T_RC == 0)); then
		active+=("$t")
	else
		SKIP_WHY[$t]="sanity run failed with exit status $T_RC"
		FAILS[$t]=1
		note "$t: ${SKIP_WHY[$t]}; its output:"
		show_log_tail "${LOG[$t]}"
		[[ $t == ct* ]] || note "$t: left out of the measurements"
	fi
done
TOOLS=("${active[@]}")

# ------------------------------------------------------------- measurement ---
printf 'start-time benchmark: %s runs per tool (+%s warm-up), alternating %s\n' \
	"$RUNS" "$WARMUP" "${TOOLS[*]:-(nothing)}"
printf 'kernel %s; lxc %s; busybox %s; timer: %s\n' "$(uname -r)" \
	"$([[ -n $LXC_EXECUTE ]] && "$LXC_EXECUTE" --version 2>/dev/null || echo -)" "$BUSYBOX" \
	"$(timer_name)"
if [[ -n $CTSTART ]]; then printf 'ctstart: %s\n' "$CTSTART"; fi
summary warmup "$WARMUP"
for t in ct ctpriv lxc bare; do
	if [[ -n ${SKIP_WHY[$t]:-} ]]; then printf 'NOTE: %s skipped: %s\n' "$t" "${SKIP_WHY[$t]}"; fi
done

total=$((WARMUP + RUNS))
for ((i = 1; i <= total; i++)); do
	for t in "${TOOLS[@]}"; do
		run_tool "$t" "${LOG[$t]}" /bin/true
		if ((T_RC != 0)); then
			FAILS[$t]=$((FAILS[$t] + 1))
			note "$t: run $i exited with status $T_RC; its output so far:"
			show_log_tail "${LOG[$t]}"
			continue
		fi
		if ((i > WARMUP)); then
			printf '%s\n' "$T_NS" >>"$TMP/$t.ns"
			if [[ -n $RAW ]]; then
				printf '%s %d %s %d\n' "$t" "$((i - WARMUP))" \
					"$(awk -v n="$T_NS" 'BEGIN{printf "%.3f", n/1e6}')" "$T_RC" >>"$TMP/raw"
			fi
		fi
	done
done
if [[ -n $RAW && -e $TMP/raw ]]; then cp -- "$TMP/raw" "$RAW"; fi

# ------------------------------------------------------------------ report ---
declare -A MED=()
echo
printf '%-6s %5s %6s %11s %11s %11s\n' tool runs failed median_ms min_ms max_ms
for t in ct ctpriv lxc bare; do
	if [[ -n ${SKIP_WHY[$t]:-} ]]; then
		printf '%-6s %5s %6s %11s %11s %11s   (skipped)\n' "$t" - "${FAILS[$t]}" - - -
		continue
	fi
	read -r n med min max < <(stats "$TMP/$t.ns")
	printf '%-6s %5s %6s %11s %11s %11s\n' "$t" "$n" "${FAILS[$t]}" "$med" "$min" "$max"
	summary "${t}_runs" "$n"
	summary "${t}_failed" "${FAILS[$t]}"
	summary "${t}_median_ms" "$med"
	summary "${t}_min_ms" "$min"
	summary "${t}_max_ms" "$max"
	if ((n > 0)); then MED[$t]=$med; fi
done

ratio() {
	local a=$1 b=$2
	if [[ -n ${MED[$a]:-} && -n ${MED[$b]:-} ]]; then
		awk -v x="${MED[$a]}" -v y="${MED[$b]}" -v l="$a/$b" \
			'BEGIN { printf "ratio %-9s (medians) %8.3f\n", l, (y > 0 ? x / y : 0) }'
	else
		printf 'ratio %-9s (medians)      n/a\n' "$a/$b"
	fi
}
echo
ratio ct lxc
ratio ctpriv lxc
ratio ct ctpriv
ratio ct bare
ratio lxc bare

if [[ -n ${SKIP_WHY[lxc]:-} ]]; then
	echo "NOTE: lxc-execute was not measured: ${SKIP_WHY[lxc]}"
fi
if [[ -n $CT_SKIP_WHY ]]; then
	echo "NOTE: ctstart was not measured: $CT_SKIP_WHY"
fi
if ((FAILS[ct] + FAILS[ctpriv] > 0)); then
	echo "FAIL: ctstart failed $((FAILS[ct] + FAILS[ctpriv])) time(s)"
	exit 1
fi
exit 0
