#!/usr/bin/env bash
# bench/run.sh -- the whole benchmark suite in one command: every comparison
# of issue 6 (ct vs LXC 5.0.2, side by side in the same run), its raw output
# in OUT/data/ (with OUT/data/meta.sh, what the run was), then bench/report.sh
# turns that into OUT/results.md (one table of the targets, the scale table,
# the syscall counts, how to reproduce) and the plots OUT/stop-latency.png
# and OUT/scale.png.
#
#   bench/start.sh     start-to-exit of /bin/true: ctstart vs lxc-execute vs
#                      unshare+chroot
#   bench/daemon.sh    ctstart -d until RUNNING vs lxc-execute -d / lxc-start -d
#   bench/stop.sh      graceful stop ctstop -t 10 vs lxc-stop -t 10 (every run's
#                      latency kept for the plot), monitor PSS/RSS
#   bench/exec.sh      /bin/true run inside a running container: ctexec vs
#                      lxc-attach vs nsenter
#   bench/scale.sh     N containers at once, started and stopped in parallel
#   bench/shutdown.sh  a host shutdown: N containers whose init takes 0.5 s to
#                      stop, ctstop --all vs lxc-autostart -s
#   bench/oci.sh       ctrun vs crun vs runc: run of /bin/true, podman run --rm,
#                      podman stop of a Debian sysvinit guest
#   bench/syscalls.sh  strace counts of a start, ct vs lxc-execute
#
# Each script alternates the tools run by run after warm-up runs and reports
# medians, min and max; see each one's --help.  This script installs nothing
# unless asked (--build): it says what is missing (bench/install-deps.sh
# installs it).
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
OUT=$BENCH_DIR
QUICK=0
RUNS=
SIZES=
LXC_MAX=1000
PAR=1
DO_SCALE=1
DO_SYSCALLS=1
BUILD=0
ARGS=("$@")

usage() {
	cat <<EOF
Usage: $PROG [--build] [--quick] [--out DIR] [--runs N] [--sizes LIST]
       [-P PAR] [--lxc-max N] [--no-scale] [--no-syscalls] [-h]

Runs every ct-vs-LXC benchmark of bench/ and writes DIR/results.md,
DIR/stop-latency.png and DIR/scale.png (raw outputs in DIR/data/).  Needs
root, the ct tools (CT_BINDIR), lxc, busybox-static, gcc, strace and
gnuplot-nox; what is missing is named (bench/install-deps.sh installs it) and
the parts that need it are skipped.

Options:
  -b, --build        first install every dependency (scripts/install-deps.sh,
                     bench/install-deps.sh), build ct from this tree and stage
                     it in bench/stage, and benchmark that: from a clean clone,
                     "bench/run.sh --build" is all it takes
  -q, --quick        fewer runs (10) and small scale sizes ("10 50"): a smoke
                     test of the suite in about a minute
  -o, --out DIR      where results.md, the PNGs and data/ go (default: bench/)
  -n, --runs N       measured runs per tool for start, daemon and stop
                     (default 30; quick 10)
  -N, --sizes LIST   scale sizes (default "100 250 500 1000"; quick "10 50")
  -P, --parallel P   scale: start P containers at a time (default 1)
      --lxc-max N    scale: LXC rounds only for sizes <= N (default $LXC_MAX)
      --no-scale     skip bench/scale.sh
      --no-syscalls  skip bench/syscalls.sh
  -h, --help         show this help

Environment: CT_BINDIR (directory holding ctstart, ctstop, ctinfo; for a
staged build: CT_BINDIR=\$PWD/tests/stage/usr/local/bin), BUSYBOX, TMPDIR,
as for the scripts.

A full run takes several minutes (the scale rounds dominate).  Numbers are
only meaningful on an otherwise idle machine: the load average is recorded.
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$BENCH_DIR/lib.sh"

parse_opts 'b|build=BUILD=1 q|quick=QUICK=1 o|out:OUT n|runs:RUNS N|sizes:SIZES P|parallel:PAR |lxc-max:LXC_MAX |no-scale=DO_SCALE=0 |no-syscalls=DO_SYSCALLS=0' -- "$@"
if ((QUICK)); then
	: "${RUNS:=10}" "${SIZES:=10 50}"
	WARM=1
else
	: "${RUNS:=30}" "${SIZES:=100 250 500 1000}"
	WARM=3
fi
if ! is_uint "$RUNS" || ((RUNS < 1)); then die "--runs must be a positive integer, got '$RUNS'"; fi
for n in ${SIZES//,/ }; do
	if ! is_uint "$n" || ((n < 1 || n > 10000)); then die "--sizes: integers from 1 to 10000, got '$n'"; fi
done
is_uint "$PAR" || die "-P must be a non-negative integer, got '$PAR'"
is_uint "$LXC_MAX" || die "--lxc-max must be a non-negative integer, got '$LXC_MAX'"
((EUID == 0)) || die "must run as root (namespaces, cgroups, LXC)"
mkdir -p -- "$OUT/data" || die "cannot create $OUT/data"
OUT=$(cd -- "$OUT" && pwd)
DATA=$OUT/data
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------- build ---
# --build: the dependencies, then ct built from this tree in a build directory of
# its own (build/bench: never the objects of a sanitizer build) and staged in
# bench/stage (its log in DATA/build.log).
if ((BUILD)); then
	TOP=$(cd -- "$BENCH_DIR/.." && pwd)
	note "installing dependencies and building ct (log: $DATA/build.log)"
	if ! (cd -- "$TOP" && ./scripts/install-deps.sh && bench/install-deps.sh &&
		rm -rf build/bench && scripts/build-in.sh build/bench && rm -rf bench/stage &&
		make -C build/bench install DESTDIR="$TOP/bench/stage") >"$DATA/build.log" 2>&1; then
		tail -n 20 -- "$DATA/build.log" >&2
		die "the build failed (see $DATA/build.log)"
	fi
	CT_BINDIR=$TOP/bench/stage/usr/local/bin
	export CT_BENCH_BINDIR=$TOP/build/bench/bench # the timer and runner of that build
fi

# --------------------------------------------------------- what is missing ---
MISSING=()    # "what (package)"
have() { command -v "$1" >/dev/null 2>&1; }
find_ct_tools ctstart ctstop ctinfo
if [[ -n $CT_SKIP_WHY ]]; then
	die "the ct tools are needed: $CT_SKIP_WHY
  build and benchmark them in one go: $0 --build
  or build them: ./autogen.sh && ./configure && make -j2 && make install DESTDIR=\$PWD/tests/stage
  then:       CT_BINDIR=\$PWD/tests/stage/usr/local/bin $0"
fi
export CT_BINDIR
HAVE_LXC=1
for t in lxc-start lxc-execute lxc-stop lxc-info; do
	if ! have "$t"; then HAVE_LXC=0; fi
done
((HAVE_LXC)) || MISSING+=("LXC tools lxc-start/lxc-execute/lxc-stop/lxc-info (lxc): every comparison is ct-only")
if ! (find_busybox) 2>/dev/null; then
	MISSING+=("a static busybox (busybox-static): nothing can run")
fi
if ! have cc && ! have gcc; then MISSING+=("a C compiler (gcc): scale.sh cannot run, timings fall back to \$EPOCHREALTIME"); fi
HAVE_STRACE=1
have strace || { HAVE_STRACE=0; MISSING+=("strace (strace): no syscall profile"); }
HAVE_GNUPLOT=1
have gnuplot || { HAVE_GNUPLOT=0; MISSING+=("gnuplot (gnuplot-nox): no PNG plots"); }
if ((${#MISSING[@]})); then
	note "missing (install with: $BENCH_DIR/install-deps.sh):"
	for m in "${MISSING[@]}"; do note "  - $m"; done
	[[ " ${MISSING[*]} " != *busybox-static* ]] || die "cannot run without a static busybox"
fi

# ------------------------------------------------------------------ header ---
T_BEGIN=$EPOCHREALTIME
DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
KERNEL="$(uname -sr) ($(uname -m))"
CPUS="$(nproc) x $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
MEM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
CT_DESC=$(git -C "$BENCH_DIR/.." describe --always --dirty --tags 2>/dev/null || echo '?')
CT_VER=$("$CT_BINDIR/ctstart" --version 2>/dev/null | head -n 1 || echo '?')
LXC_VER=$( ((HAVE_LXC)) && lxc-start --version 2>/dev/null || echo 'not installed')
BB=${BUSYBOX:-$(command -v busybox || true)}
BB_VER=$([[ -n $BB ]] && "$BB" 2>/dev/null | head -n 1 | sed 's/ multi-call binary\.//' || echo '?')
STRACE_VER=$( ((HAVE_STRACE)) && strace -V | head -n 1 || echo 'not installed')
GNUPLOT_VER=$( ((HAVE_GNUPLOT)) && gnuplot --version || echo 'not installed')
LOAD_BEGIN=$(cut -d' ' -f1-3 /proc/loadavg)

printf '%s: %s mode, %s runs, scale sizes "%s"; output in %s\n' "$PROG" \
	"$([[ $QUICK == 1 ]] && echo quick || echo full)" "$RUNS" "$SIZES" "$OUT"

# ------------------------------------------------------------- the scripts ---
declare -A RC=() SECS=()
# step NAME SCRIPT ARGS...: runs bench/SCRIPT, its output shown and kept in
# DATA/NAME.txt; records its exit status and duration.
step() {
	local name=$1 script=$2 t0 rc=0
	shift 2
	printf '\n===== %s: %s %s\n' "$name" "$script" "$*"
	t0=$EPOCHREALTIME
	"$BENCH_DIR/$script" "$@" 2>&1 | tee "$DATA/$name.txt" || rc=$?
	RC[$name]=$rc
	SECS[$name]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	printf '===== %s: exit %s after %s s\n' "$name" "$rc" "${SECS[$name]}"
}

rm -f -- "$DATA"/*.sum "$DATA"/*.raw "$DATA"/*.tsv "$DATA"/*.txt "$DATA"/*.cdf "$DATA"/*.dat
step start start.sh -n "$RUNS" -w "$WARM" --raw "$DATA/start.raw" --summary "$DATA/start.sum"
step daemon daemon.sh -n "$RUNS" -w "$WARM" --raw "$DATA/daemon.raw" --summary "$DATA/daemon.sum"
step stop stop.sh -n "$RUNS" -w "$WARM" -t 10 --raw "$DATA/stop.raw" --summary "$DATA/stop.sum"
step exec exec.sh -n "$RUNS" -w "$WARM" --raw "$DATA/exec.raw" --summary "$DATA/exec.sum"
if ((DO_SCALE)); then
	step scale scale.sh -N "$SIZES" -P "$PAR" -t 10 --lxc-max "$LXC_MAX" --data "$DATA/scale.tsv"
fi
# LXC stops one container after another: N x 0.5 s, about 50 s for 100.
step shutdown shutdown.sh -N "$([[ $QUICK == 1 ]] && echo 10 || echo "10 100")" -t 30 \
	--summary "$DATA/shutdown.sum"
step oci oci.sh -n "$RUNS" -w "$WARM" --stop-rounds "$([[ $QUICK == 1 ]] && echo 1 || echo 3)" \
	--summary "$DATA/oci.sum"
if ((DO_SYSCALLS && HAVE_STRACE)); then
	step syscalls syscalls.sh --summary "$DATA/syscalls.sum"
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
TOTAL_S=$(awk -v a="$T_BEGIN" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

# ------------------------------------------------------------ the report ---
# What the report needs to know about this run, then the report itself (bench/report.sh, which
# can redo it later from DATA alone).
declare -p ARGS DATE TOTAL_S KERNEL CPUS MEM CT_DESC CT_VER CT_BINDIR LXC_VER BB_VER STRACE_VER \
	GNUPLOT_VER RUNS WARM SIZES PAR LXC_MAX QUICK DO_SCALE DO_SYSCALLS HAVE_STRACE LOAD_BEGIN \
	LOAD_END MISSING RC | sed 's/^declare -\([aA]\)/declare -g\1/' >"$DATA/meta.sh"
"$BENCH_DIR/report.sh" "$OUT" || RC[report]=$?

# ----------------------------------------------------------------- summary ---
echo
echo "===== done in ${TOTAL_S} s: $OUT/results.md$( ((HAVE_GNUPLOT)) && echo ", $OUT/stop-latency.png, $OUT/scale.png")"
for s in start daemon stop exec scale shutdown syscalls; do
	[[ -n ${RC[$s]:-} ]] && printf '  %-9s exit %s, %s s\n' "$s" "${RC[$s]}" "${SECS[$s]}"
done
if ((${#MISSING[@]})); then
	echo "missing (bench/install-deps.sh installs them):"
	for m in "${MISSING[@]}"; do echo "  - $m"; done
fi
sed -n '/^## Targets/,/^## Scale/p' "$OUT/results.md" | sed '$d'
rc=0
for s in "${!RC[@]}"; do ((RC[$s] == 0)) || rc=1; done
exit "$rc"
