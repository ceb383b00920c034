#!/usr/bin/env bash
# Real system containers: stock Debian 12 minbase root filesystems with sysvinit and with
# systemd boot under ctstart and stop cleanly with their own methods (runlevel 0 through
# /run/initctl; SIGRTMIN+4), well inside the timeout and without SIGKILL. Skipped (77) only when
# no Debian mirror can be reached to build the root filesystems.
. "$(dirname "$0")/lib.sh"
BUILD=$CT_SRCDIR/tests/integration/debian-rootfs.sh

# build FLAVOUR: the guest's rootfs in $T/FLAVOUR, or exit 77 (skip) if it cannot be built here.
build() {
	local rc=0
	"$BUILD" "$1" "$T/$1" >"$T/build-$1.log" 2>&1 || rc=$?
	if [ "$rc" = 77 ]; then
		echo "SKIP: cannot build a Debian $1 rootfs here: $(tail -n 1 "$T/build-$1.log")"
		exit 77
	fi
	[ "$rc" = 0 ] || fail "building the $1 rootfs: $(tail -n 5 "$T/build-$1.log")"
}

# inside NAME CMD...: runs CMD inside the container's namespaces (as its root).
inside() {
	local pid
	pid=$(ct ctinfo -n "$1" --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
	shift
	nsenter -t "$pid" -m -u -i -n -p -r -w "$@"
}

# guest FLAVOUR CONF BOOTED-CHECK...: boots, waits until booted, stops, checks the stop.
guest() {
	local flavour=$1 conf=$2 t0 secs
	shift 2
	ct ctstart -n "$flavour" -f "$conf" -d -o "$T/$flavour.log"
	wait_for 120 "$@" || fail "$flavour guest did not boot: $(tail -n 20 "$T/$flavour.log")"
	ok "$flavour guest booted"
	t0=$(date +%s%N)
	run_rc rc ct ctstop -n "$flavour" -t 60 2>"$T/$flavour.stop"
	secs=$(( ($(date +%s%N) - t0) / 1000000 ))
	expect_eq "$flavour guest: graceful stop" 0 "$rc"
	expect_match "$flavour guest: init halted, not killed" "stopped gracefully in [0-9.]+ s: init halted" \
		"$(cat "$T/$flavour.stop")"
	[ "$secs" -lt 30000 ] || fail "$flavour stop took $secs ms"
	echo "# $flavour guest stopped in $secs ms: $(cat "$T/$flavour.stop")"
	ok "$flavour guest stopped well inside the timeout ($secs ms)"
}

build sysvinit
conf=$(write_conf sysv "rootfs = $T/sysvinit" "env = TERM=linux" \
	"mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755")
sed -i "1d" "$conf" # write_conf's default rootfs line; ours follows
sysv_booted() { inside sysvinit /sbin/runlevel 2>/dev/null | grep -q ' 2$'; }
guest sysvinit "$conf" sysv_booted

build systemd
for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
	for d in init.scope system.slice user.slice; do [ -d "$root/$d" ] && touch "$T/had-$d"; done
done
conf=$(write_conf sd "rootfs = $T/systemd" "namespaces = pid mount uts ipc net cgroup" \
	"mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755" \
	"mount = tmpfs /run/lock tmpfs rw,nosuid,nodev,noexec,size=5m,create=dir" \
	"shutdown_method = systemd")
sed -i "1d" "$conf"
sd_booted() {
	local s
	s=$(inside systemd systemctl is-system-running 2>/dev/null || true)
	[ "$s" = running ] || [ "$s" = degraded ]
}
guest systemd "$conf" sd_booted
# The guest managed its own subtree only: nothing of it at the host's cgroup roots.
for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
	for d in init.scope system.slice user.slice; do
		[ -d "$root/$d" ] && [ ! -e "$T/had-$d" ] && fail "the guest created $root/$d on the host"
	done
done
ok "the systemd guest left the host's cgroup tree alone"

assert_clean
