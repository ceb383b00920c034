#!/usr/bin/env bash
# Functions called only indirectly (the EXIT trap) look unreachable:
# shellcheck disable=SC2317
#
# bench/syscalls.sh -- syscall profile of a container start, ct vs LXC
# (prints tables for the report; it is not a test).
#
# 1. Start-to-exit of /bin/true in an application container, as in
#    bench/start.sh (same rootfs and configs):
#      ct    ctstart --rundir DIR -n NAME -f CONF -- /bin/true
#      lxc   lxc-execute -P LXCPATH -n NAME -f CONF -- /bin/true
#    traced twice, after one untraced warm-up run each:
#      strace -f -c -S calls          the classic summary: calls per syscall
#                                     (the top rows and the total)
#      strace -f -ff -ttt --decode-pids=pidns
#                                     one trace file per process, from which
#                                     the syscalls are counted per process and
#                                     phase (see below)
# 2. Unless --no-daemon, the background life cycle of a container whose init
#    loops until SIGTERM (bench/stop.sh's):
#      ct    ctstart -d (traced until its monitor exits), then ctstop -t 10
#      lxc   lxc-start -d (likewise), then lxc-stop -t 10
#    counted per process and phase, with two columns: the syscalls made
#    until the start command had returned (the container RUNNING), and those
#    made after it (idle monitor and the stop).
#
# Phases: every process is named after the program it runs (argv[0] of its
# last successful execve/execveat; "X child" for a fork of X that has not
# exec'd yet, "X thread" for a thread).  A process that clones the
# container (a clone with CLONE_NEW* flags) is split into "until the
# container's clone" and "after".  So for ct: "ctstart" (the monitor) until
# and after the clone, "ctstart child" (the container's setup: mounts,
# pivot_root, capabilities, seccomp) until it execs "ctinit", "ctinit child"
# until it execs "true"; for LXC: "lxc-execute" until and after the clone,
# "lxc-execute child" (setup and then LXC's init, which does not exec), and
# so on.  Counted: syscall lines of the traces (an interrupted syscall that
# is restarted counts twice, as strace prints it twice); the exec that starts
# a program counts for that program.
#
# strace slows everything down; the counts, not the times, are the result.
#
# Exit status: 0 unless the ct runs failed; 1 also on a usage or setup error
# (strace missing included).
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
KEEP=0
DAEMON=1
TOP=15
TIMEOUT=10

usage() {
	cat <<EOF
Usage: $PROG [--no-daemon] [--top N] [--summary FILE] [--keep] [-h]

Syscall profile of starting a container, ct vs LXC, with strace: the
start-to-exit of /bin/true in an application container (ctstart vs
lxc-execute: strace -c summary, and syscalls per process and phase), and
the background life cycle (ctstart -d + ctstop vs lxc-start -d + lxc-stop).
Needs root and strace.

Options:
      --no-daemon     skip the background life cycle
      --top N         rows of the strace -c summaries (default $TOP)
      --summary FILE  also write the totals as "KEY VALUE" lines (for bench/run.sh)
  -k, --keep          keep the temp dir (traces, rootfs, configs, logs)
  -h, --help          show this help

Environment:
  CT_BINDIR   directory holding ctstart, ctstop and ctinfo (default: the
              directory of 'command -v ctstart')
  BUSYBOX     static busybox for the rootfs (default: busybox in PATH)
  TMPDIR      where the temp dir is made (default /tmp)
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

parse_opts '|no-daemon=DAEMON=0 |top:TOP |summary:SUMMARY k|keep=KEEP=1' -- "$@"
if ! is_uint "$TOP" || ((TOP < 1)); then die "--top N must be a positive integer, got '$TOP'"; fi
((EUID == 0)) || die "must run as root (namespaces, lxc-execute)"
if [[ -n $SUMMARY ]]; then : >"$SUMMARY" || die "cannot write --summary file $SUMMARY"; fi

# ---------------------------------------------------------------- tools ---
STRACE=$(command -v strace || true)
[[ -n $STRACE ]] || die "strace not found (apt-get install strace)"
"$STRACE" --decode-pids=pidns -o /dev/null true 2>/dev/null ||
	die "this strace has no --decode-pids=pidns (strace >= 5.19 needed)"
find_busybox
require_ct_tools
find_lxc_tools lxc-execute lxc-start lxc-stop lxc-info

# ---------------------------------------------------------- temp + cleanup ---
N_APP_CT=ctbench-sys-app-$$
N_APP_LXC=ctbench-sys-lapp-$$
N_D_CT=ctbench-sys-dmn-$$
N_D_LXC=ctbench-sys-ldmn-$$
bench_tmp syscalls "$KEEP" "$N_APP_LXC" "$N_D_LXC"

# Stop what may still run (lib.sh then kills whatever names the temp dir,
# strace included).
bench_pre_cleanup() {
	"$CTSTOP" --rundir "$CTRUN" -n "$N_D_CT" --force >/dev/null 2>&1
	if [[ -n $LXC_STOP ]]; then "$LXC_STOP" -P "$LXCPATH" -n "$N_D_LXC" -k >/dev/null 2>&1; fi
	return 0
}

make_rootfs "$ROOTFS"
write_myinit "$ROOTFS" 100000   # no sleep process every second in the traces
printf 'rootfs = %s\nhostname = bench\n' "$ROOTFS" >"$TMP/ct-app.conf"
printf 'rootfs = %s\nhostname = bench\ninit = /sbin/myinit\nshutdown_method = application\n' \
	"$ROOTFS" >"$TMP/ct-d.conf"
write_lxc_conf "$TMP/lxc-app.conf" "$ROOTFS"
mkdir -p "$LXCPATH/$N_D_LXC"
write_lxc_conf "$LXCPATH/$N_D_LXC/config" "$ROOTFS" "lxc.init.cmd = /sbin/myinit" "lxc.signal.halt = SIGTERM"
mkdir -p "$TMP/trace"
# One trace file per process, epoch timestamps, host pids for clone() results
# in a PID namespace, long enough strings for argv[0].
FF=(-f -ff -q -ttt -s 256 --decode-pids=pidns)

# ---------------------------------------------------------------- analysis ---
# phases SPLIT FILE...: per process and phase syscall counts from strace -ff
# -ttt --decode-pids=pidns files (PREFIX.PID), given in pid order.  SPLIT: an
# epoch time (or 0): lines after it count in the second column.  Prints
# "LABEL<TAB>BEFORE<TAB>AFTER" rows, in process order.
phases() {
	local split=$1
	shift
	awk -v cut="$split" '
	function base(s) { sub(/.*\//, "", s); return s }
	function newseg(label) { nseg++; seglabel[nseg] = label; segpid[nseg] = pid; cur = nseg }
	FNR == 1 {
		pid = FILENAME; sub(/.*\./, "", pid)
		prog = (pid in childof) ? childof[pid] : "process " pid
		newseg(prog); cloned = 0
	}
	/^[0-9.]+ (\+\+\+|---) / { next }
	{
		t = $1 + 0
		line = $0; sub(/^[0-9.]+ /, "", line)
		if (line !~ /^[a-z_0-9]+\(/) next
		name = line; sub(/\(.*/, "", name)
		if ((name == "execve" || name == "execveat") && line ~ /\) += 0/) {
			# argv[0]: the first string of the [...] argument
			a = line; sub(/^[^[]*\["/, "", a); sub(/".*/, "", a)
			prog = base(a)
			newseg(prog)
		}
		if (cut > 0 && t > cut) after[cur]++; else before[cur]++
		if (name == "clone" || name == "clone3" || name == "fork" || name == "vfork") {
			c = line
			if (c ~ /in strace.s PID NS/) { sub(/.*\/\* /, "", c); sub(/ in strace.*/, "", c) }
			else { sub(/.*\) += /, "", c); sub(/[^0-9].*/, "", c) }
			if (c ~ /^[0-9]+$/) childof[c] = prog (line ~ /CLONE_THREAD/ ? " thread" : " child")
			if (line ~ /CLONE_NEW/ && !cloned) {
				cloned = 1
				seglabel[cur] = seglabel[cur] ": until the container clone"
				newseg(prog ": after the container clone")
			}
		}
	}
	END {
		for (i = 1; i <= nseg; i++)
			if (before[i] + after[i] > 0)
				printf "%s [%s]\t%d\t%d\n", seglabel[i], segpid[i], before[i], after[i]
	}' "$@"
}

# trace_files PREFIX: the -ff files of PREFIX in pid order
trace_files() {
	local f
	for f in "$1".*; do
		if [[ ${f##*.} =~ ^[0-9]+$ && -e $f ]]; then printf '%s %s\n' "${f##*.}" "$f"; fi
	done | sort -n | cut -d' ' -f2-
}

# print_phases TITLE TWO_COLUMNS ROWSFILE: the table of phases() rows
print_phases() {
	local title=$1 two=$2 rows=$3
	printf '\n%s\n' "$title"
	if ((two)); then
		awk -F '\t' '
			{ l[NR] = $1; b[NR] = $2; a[NR] = $3; tb += $2; ta += $3; w = length($1) > w ? length($1) : w }
			END {
				if (w < 28) w = 28
				printf "  %-" w "s %10s %10s %10s\n", "process: phase [pid]", "until up", "after", "total"
				for (i = 1; i <= NR; i++) printf "  %-" w "s %10d %10d %10d\n", l[i], b[i], a[i], b[i] + a[i]
				printf "  %-" w "s %10d %10d %10d\n", "total (" NR " rows)", tb, ta, tb + ta
			}' "$rows"
	else
		awk -F '\t' '
			{ l[NR] = $1; b[NR] = $2 + $3; t += $2 + $3; w = length($1) > w ? length($1) : w }
			END {
				if (w < 28) w = 28
				printf "  %-" w "s %10s\n", "process: phase [pid]", "syscalls"
				for (i = 1; i <= NR; i++) printf "  %-" w "s %10d\n", l[i], b[i]
				printf "  %-" w "s %10d\n", "total (" NR " rows)", t
			}' "$rows"
	fi
}

# print_c TITLE FILE: the top rows and the total of an strace -c summary
print_c() {
	printf '\n%s\n' "$1"
	awk -v top="$TOP" '
		/^% time/ { print "  " $0; hdr = 1; next }
		/^-+/ { next }
		/ total$/ { tot = $0; next }
		hdr && NF >= 5 { if (++n <= top) print "  " $0; else more++ }
		END {
			if (more) printf "  ... %d more syscalls\n", more
			if (tot != "") print "  " tot
		}' "$2"
}

# c_total FILE -> the total number of calls of an strace -c summary
# ("100.00 SECONDS USECS/CALL CALLS [ERRORS] total")
c_total() { awk '/ total$/ { print $4 }' "$1"; }

# run_ok LOG CMD...: runs CMD, its output to LOG; false (with a note) on failure
run_ok() {
	local log=$1 rc=0
	shift
	"$@" </dev/null >>"$log" 2>&1 || rc=$?
	if ((rc != 0)); then
		note "'$*' exited $rc; its output:"
		show_log_tail "$log"
		return 1
	fi
}

# ------------------------------------------------------------ app start ---
FAILED=0
APP_TOOLS=(ct)
[[ -n $LXC_SKIP_WHY ]] || APP_TOOLS+=(lxc)

app_cmd() {
	if [[ $1 == ct ]]; then
		printf '%s\0' "$CTSTART" --rundir "$CTRUN" -n "$N_APP_CT" -f "$TMP/ct-app.conf" -- /bin/true
	else
		printf '%s\0' "$LXC_EXECUTE" -P "$LXCPATH" -n "$N_APP_LXC" -f "$TMP/lxc-app.conf" -- /bin/true
	fi
}

printf 'syscall profile (strace %s); kernel %s; lxc %s\n' \
	"$("$STRACE" -V | awk 'NR == 1 { print $NF }')" "$(uname -r)" \
	"$([[ -n $LXC_EXECUTE ]] && "$LXC_EXECUTE" --version 2>/dev/null || echo -)"
printf 'ct: %s\n' "$CTSTART"
if [[ -n $LXC_SKIP_WHY ]]; then printf 'NOTE: LXC skipped: %s\n' "$LXC_SKIP_WHY"; fi

echo
echo "== start-to-exit of /bin/true (application container)"
echo "(\"X child\" = a fork of X that has not exec'd (yet): \"ctstart child\" is the container's"
echo " setup before it execs ctinit; LXC's container init is \"lxc-execute child\", which never execs)"
declare -A APP_TOTAL=() APP_PROCS=()
for t in "${APP_TOOLS[@]}"; do
	mapfile -d '' -t argv < <(app_cmd "$t")
	log=$LOGDIR/$t-app.log
	# Warm-up (page cache, lazy kernel state), then the two traced runs.
	run_ok "$log" "${argv[@]}" || { [[ $t == lxc ]] || FAILED=1; continue; }
	run_ok "$log" "$STRACE" -f -c -S calls -o "$TMP/trace/$t-app.c" "${argv[@]}" || { [[ $t == lxc ]] || FAILED=1; continue; }
	run_ok "$log" "$STRACE" "${FF[@]}" -o "$TMP/trace/$t-app" "${argv[@]}" ||
		{ [[ $t == lxc ]] || FAILED=1; continue; }
	mapfile -t files < <(trace_files "$TMP/trace/$t-app")
	phases 0 "${files[@]}" >"$TMP/$t-app.rows"
	APP_TOTAL[$t]=$(awk -F '\t' '{ s += $2 + $3 } END { print s + 0 }' "$TMP/$t-app.rows")
	APP_PROCS[$t]=${#files[@]}
	print_c "$t: strace -f -c -S calls (top $TOP), ${argv[0]##*/} ... -- /bin/true" "$TMP/trace/$t-app.c"
	print_phases "$t: syscalls per process and phase (${#files[@]} processes)" 0 "$TMP/$t-app.rows"
	summary "app_${t}_total" "${APP_TOTAL[$t]}"
	summary "app_${t}_c_total" "$(c_total "$TMP/trace/$t-app.c")"
	summary "app_${t}_procs" "${APP_PROCS[$t]}"
done
echo
for t in "${APP_TOOLS[@]}"; do
	printf 'total %-4s %6s syscalls in %s processes\n' "$t" "${APP_TOTAL[$t]:--}" "${APP_PROCS[$t]:--}"
done
printf 'ratio ct/lxc %s\n' "$(ratio "${APP_TOTAL[ct]:-}" "${APP_TOTAL[lxc]:-}")"

# ----------------------------------------------------- background life cycle ---
# lifecycle_abort TOOL STRACEPID: kill the container (strace then ends with
# its monitor), or strace itself if it does not.
lifecycle_abort() {
	if [[ $1 == ct ]]; then
		"$CTSTOP" --rundir "$CTRUN" -n "$N_D_CT" --force >/dev/null 2>&1
	else
		"$LXC_STOP" -P "$LXCPATH" -n "$N_D_LXC" -k >/dev/null 2>&1
	fi
	wait_for 5 gone "$2" || kill -KILL "$2" 2>/dev/null
	wait "$2" 2>/dev/null
	return 0
}

# lifecycle TOOL: traced "start -d" (until its monitor exits), untraced wait
# for RUNNING, traced stop.  Prints the table.
lifecycle() {
	local t=$1
	local pfx=$TMP/trace/$t-d log=$LOGDIR/$t-d.log spid root split i st init a b f
	local start=() stop=() files=() sfiles=()
	if [[ $t == ct ]]; then
		start=("$CTSTART" --rundir "$CTRUN" -n "$N_D_CT" -f "$TMP/ct-d.conf" -d -o "$LOGDIR/ct-d-monitor.log")
		stop=("$CTSTOP" --rundir "$CTRUN" -n "$N_D_CT" -t "$TIMEOUT")
	else
		start=("$LXC_START" -P "$LXCPATH" -n "$N_D_LXC" -d -o "$LOGDIR/lxc-d-monitor.log")
		stop=("$LXC_STOP" -P "$LXCPATH" -n "$N_D_LXC" -t "$TIMEOUT")
	fi
	# Warm-up, untraced.
	run_ok "$log" "${start[@]}" || return 1
	sleep 0.2
	run_ok "$log" "${stop[@]}" || return 1
	sleep 0.2

	"$STRACE" "${FF[@]}" -o "$pfx" "${start[@]}" </dev/null >>"$log" 2>&1 &
	spid=$!
	# Wait until the start command itself has exited (its trace says so):
	# its file is the one that begins with the exec of the start command.
	root=
	for ((i = 0; i < 1000; i++)); do
		if [[ -z $root ]]; then
			for f in "$pfx".*; do
				[[ -e $f ]] || continue
				if head -n 1 -- "$f" | grep -qF "execve(\"${start[0]}\""; then root=$f; fi
			done
		fi
		if [[ -n $root ]] && grep -qE '^[0-9.]+ \+\+\+ (exited|killed)' "$root"; then break; fi
		sleep 0.01
	done
	if [[ -z $root ]] || ! grep -qE '^[0-9.]+ \+\+\+ exited with 0' "$root"; then
		note "$t: the traced start did not exit 0 within 10 s"
		show_log_tail "$log"
		lifecycle_abort "$t" "$spid"
		return 1
	fi
	split=$(grep -E '^[0-9.]+ \+\+\+ exited' "$root" | awk '{ print $1 }')
	# Is it RUNNING, and has init its SIGTERM handler?  (untraced)
	if [[ $t == ct ]]; then
		st=$("$CTINFO" --rundir "$CTRUN" -n "$N_D_CT" --json 2>>"$log" | json_str state)
		init=$("$CTINFO" --rundir "$CTRUN" -n "$N_D_CT" --json 2>>"$log" | json_num init_pid)
	else
		st=$("$LXC_INFO" -P "$LXCPATH" -n "$N_D_LXC" -s 2>>"$log" | awk '{ print $2 }')
		init=$("$LXC_INFO" -P "$LXCPATH" -n "$N_D_LXC" -p 2>>"$log" | awk '{ print $2 }')
	fi
	[[ $st == RUNNING ]] || note "$t: state after the start returned: '$st' (RUNNING expected)"
	if [[ $init =~ ^[0-9]+$ ]]; then wait_for 5 catches_term "$init" || true; fi
	sleep 0.2
	run_ok "$log" "$STRACE" "${FF[@]}" -o "$pfx-stop" "${stop[@]}" || true
	# The start's strace ends with the monitor.
	for ((i = 0; i < 1500; i++)); do
		gone "$spid" && break
		sleep 0.01
	done
	if alive "$spid"; then
		note "$t: the monitor (traced) did not exit within 15 s of the stop"
		lifecycle_abort "$t" "$spid"
		return 1
	fi
	wait "$spid" 2>/dev/null || true
	mapfile -t files < <(trace_files "$pfx")
	mapfile -t sfiles < <(trace_files "$pfx-stop")
	{
		phases "$split" "${files[@]}"
		# Everything the stop command does comes after the split.
		phases 1 "${sfiles[@]}"
	} >"$TMP/$t-d.rows"
	print_phases "$t: background life cycle: '${start[*]##*/}' then '${stop[*]##*/}' (until up = until the start command returned)" 1 "$TMP/$t-d.rows"
	read -r b a < <(awk -F '\t' '{ b += $2; a += $3 } END { print b + 0, a + 0 }' "$TMP/$t-d.rows")
	D_UP[$t]=$b D_AFTER[$t]=$a
	summary "daemon_${t}_up" "$b"
	summary "daemon_${t}_after" "$a"
}

declare -A D_UP=() D_AFTER=()
if ((DAEMON)); then
	echo
	echo "== background life cycle (init = a shell loop that exits on SIGTERM)"
	echo "(\"X child\" = a fork of X that has not exec'd (yet): for ctstart -d, \"ctstart child\" is the"
	echo " daemonized monitor and \"ctstart child child\" the container's setup before it execs init)"
	for t in "${APP_TOOLS[@]}"; do
		lifecycle "$t" || { [[ $t == lxc ]] || FAILED=1; }
	done
	echo
	for t in "${APP_TOOLS[@]}"; do
		printf 'total %-4s until up %6s, after (idle + stop) %6s\n' "$t" "${D_UP[$t]:--}" "${D_AFTER[$t]:--}"
	done
fi

if ((FAILED)); then
	echo "FAIL: a ct run failed (see above)"
	exit 1
fi
exit 0
