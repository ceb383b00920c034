#!/usr/bin/env bash
# bench/ab.sh -- start-to-exit of /bin/true with two ct builds, run by run interleaved (A, B, A,
# B, ...) so that both see the same machine: what a change costs per start.
#
#   bench/ab.sh [-n RUNS] [--privileged] BINDIR_A BINDIR_B
#
# Each BINDIR holds a ctstart (e.g. an old build's DESTDIR/usr/local/bin). Prints the median and
# min/max in ms of each, and B - A. Needs root and a static busybox.
set -euo pipefail
runs=60 privileged=0
while [ $# -gt 0 ]; do
	case $1 in
	-n | --runs) runs=$2; shift 2 ;;
	--privileged) privileged=1; shift ;;
	-h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
done
[ $# = 2 ] || { echo "usage: bench/ab.sh [-n RUNS] [--privileged] BINDIR_A BINDIR_B" >&2; exit 2; }
BUSYBOX=${BUSYBOX:-$(command -v busybox)}
T=$(mktemp -d /tmp/ct-ab.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$T/rootfs/bin/busybox"
ln -s busybox "$T/rootfs/bin/true"
{ echo "rootfs = $T/rootfs"; [ "$privileged" = 0 ] || echo "idmap = none"; } >"$T/ab.conf"
one() { # BINDIR: ms of one start-to-exit
	local s e
	s=$EPOCHREALTIME
	"$1/ctstart" --rundir "$T/run" -n ab -f "$T/ab.conf" -- /bin/true </dev/null >/dev/null 2>&1 ||
		{ echo "ctstart in $1 failed" >&2; exit 1; }
	e=$EPOCHREALTIME
	echo "($e - $s) * 1000" | bc -l
}
for ((i = 0; i < 3; i++)); do one "$1" >/dev/null; one "$2" >/dev/null; done # warm-up
for ((i = 0; i < runs; i++)); do
	echo "A $(one "$1")"
	echo "B $(one "$2")"
done >"$T/times"
stats() { grep "^$1 " "$T/times" | awk '{print $2}' | sort -n |
	awk '{a[NR]=$1} END {printf "%.3f %.3f %.3f\n", a[int((NR+1)/2)], a[1], a[NR]}'; }
read -r ma mina maxa < <(stats A)
read -r mb minb maxb < <(stats B)
printf '%-4s %8s %8s %8s  %s\n' "" median min max ctstart
printf '%-4s %8s %8s %8s  %s\n' A "$ma" "$mina" "$maxa" "$1" B "$mb" "$minb" "$maxb" "$2"
printf 'B - A: %+.3f ms per start (%d runs each%s)\n' "$(echo "$mb - $ma" | bc -l)" "$runs" \
	"$([ "$privileged" = 1 ] && echo ", privileged mode")"
