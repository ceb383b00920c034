#!/bin/sh
# The demo: builds a throwaway busybox rootfs, starts an application container in the background,
# shows it with ctinfo, stops it, and checks that nothing is left behind.
# Usage: scripts/demo.sh [BINDIR]   (default: the ct tools on PATH)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bindir=${1:-}
[ -n "$bindir" ] && PATH="$bindir:$PATH"
command -v ctstart >/dev/null || { echo "demo: ctstart not found (make install first)" >&2; exit 1; }
busybox=$(command -v busybox || echo /bin/busybox)
dir=$(mktemp -d /tmp/ct-demo.XXXXXX)
run=$dir/run
trap 'ctstop --rundir "$run" -n demo --force >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp"
cp "$busybox" "$dir/rootfs/bin/busybox"
for a in sh sleep echo hostname cat ps; do ln -s busybox "$dir/rootfs/bin/$a"; done
cp "$here/config/demo.conf" "$dir/demo.conf"

echo "== ctstart -d: a service that saves its state when asked to stop"
ctstart --rundir "$run" -n demo -f "$dir/demo.conf" -d -o "$dir/demo.log" -- sh -c '
	trap "echo saved > /tmp/state; echo \"demo: got SIGTERM, state saved\"; exit 0" TERM
	echo "$GREETING (hostname $(hostname), pid $$)"
	while :; do sleep 1; done'
echo "== ctinfo"
ctinfo --rundir "$run" -n demo
echo "== ctstop"
ctstop --rundir "$run" -n demo --force
echo "== the container's output and the monitor's log"
cat "$dir/demo.log"
if [ -e "$run/demo" ]; then echo "demo: run dir left behind" >&2; exit 1; fi
echo "demo: started, inspected and stopped; nothing left behind"
