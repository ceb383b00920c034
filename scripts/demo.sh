#!/bin/sh
# The demo: builds a throwaway busybox rootfs, starts an application container in the background,
# shows it with ctinfo and ctls, stops it gracefully (the application saves its state), and
# checks that nothing is left behind.
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
	touch /tmp/ready
	while :; do sleep 1; done'
# Wait until the service has set its SIGTERM trap (a real service would signal readiness).
i=0
while [ ! -e "$dir/rootfs/tmp/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
echo "== ctinfo"
ctinfo --rundir "$run" -n demo
echo "== ctls: every container of the run dir"
ctls --rundir "$run"
echo "== ctstop: asks the application to stop (SIGTERM through ctinit), SIGKILL only after 10 s"
ctstop --rundir "$run" -n demo --timeout 10
echo "== the container's output and the monitor's log"
cat "$dir/demo.log"
if [ -e "$run/demo" ]; then echo "demo: run dir left behind" >&2; exit 1; fi
[ "$(cat "$dir/rootfs/tmp/state" 2>/dev/null)" = saved ] || { echo "demo: state not saved" >&2; exit 1; }
echo "demo: started, inspected, stopped gracefully with its state saved; nothing left behind"
