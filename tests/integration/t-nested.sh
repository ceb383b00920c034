#!/usr/bin/env bash
# A real host to test the host lifecycle on: a Debian 12 systemd guest with ct installed inside it
# (the staged `make install`), booted under ct on this machine, user-namespaced (see below), runs
# two inner containers, ct@db1 and ct@db2, enabled as systemd units (Type=notify, Delegate=yes,
# ordered by the generator from their start.order and start.delay). `ctstop` of the outer guest
# makes its systemd power off, which stops the inner containers first, db2 before db1, each
# gracefully with its own method (their own logs and ctstop's journal lines say so); the outer
# stop ends within its timeout. Booted again, the inner containers start again, in order.
#
# Why user-namespaced and not privileged: a privileged container (idmap = none) gets the extra
# seccomp filter that refuses the new mount API (fsopen, open_tree) and bpf(2) to its root, which
# is what keeps a privileged guest from the host's mounts; ct needs both. In a user namespace the
# kernel confines the outer root instead, and nesting needs only (docs/host-integration.md):
# - a proc mount the outer guest can see whole (`mount = proc /dev/.ct/proc proc ...`): the kernel
#   lets a user namespace mount proc only where one is fully visible already, and ct's guards
#   over /proc/sys and the like are not;
# - id ranges for the inner containers inside the outer's 65536 ids (explicit `idmap` lines), with
#   inner rootfs trees owned by those ids (the outer's rootfs is already an idmapped mount, which
#   cannot be idmapped again);
# - ct inside uses the outer's device nodes (bound, not made: mknod needs the initial namespace)
#   and the outer's device policy (its own would need bpf(2) there).
. "$(dirname "$0")/lib.sh"
[ "${CT_SKIP_SLOW:-0}" != 1 ] || skip "CT_SKIP_SLOW=1 (boots a systemd guest with containers inside)"

. "$(dirname "$0")/nested-lib.sh"
build_host systemd
[ -f "$G$unitdir/ct@.service" ] || fail "ct's units are not installed in the guest"
mkdir -p "$G/var/log/journal" # a persistent journal: it is read from here after the power-off

inner db1 10000 1 1 3
inner db2 30000 2 0 0.3
for n in db1 db2; do
	ln -sfn "$unitdir/ct@.service" "$G/etc/systemd/system/multi-user.target.wants/ct@$n.service"
done
# db1 takes 3 s to stop, its unit only 2 s (a drop-in after the generator's): only the monitor's
# EXTEND_TIMEOUT_USEC (its 20 s shutdown_timeout plus a margin) keeps systemd from killing it.
mkdir -p "$G/etc/systemd/system/ct@db1.service.d"
printf '[Service]\nTimeoutStopSec=2\n' >"$G/etc/systemd/system/ct@db1.service.d/90-short.conf"
ok "ct@db1 and ct@db2 are enabled in the guest"

conf=$(write_conf outer \
	"rootfs = $G" \
	"namespaces = pid mount uts ipc net cgroup" \
	"mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755" \
	"mount = tmpfs /run/lock tmpfs rw,nosuid,nodev,noexec,size=5m,create=dir" \
	"mount = proc /dev/.ct/proc proc rw,nosuid,nodev,noexec,create=dir" \
	"shutdown_method = systemd" \
	"shutdown_timeout = 90")
sed -i "1d" "$conf" # write_conf's own rootfs line (the test's busybox tree) is not this one

both_running() { [ "$(inside systemctl is-active ct@db1.service ct@db2.service 2>/dev/null | tr '\n' ' ')" = "active active " ]; }

boot() { # boot N: the Nth boot, and the inner containers' start in order
	ct ctstart -n outer -f "$conf" -d
	wait_for 120 both_running ||
		fail "boot $1: ct@db1/ct@db2 not active: $(inside systemctl status --no-pager ct@db1 ct@db2 2>&1 | tail -n 30)"
	ok "boot $1: systemd in the guest has ct@db1 and ct@db2 active (READY=1 from the monitors)"
	started_in_order "$1"
}

boot 1
cg=$(inside sh -c 'cat /sys/fs/cgroup/system.slice/system-ct.slice/ct@db1.service/*/payload/cgroup.procs' 2>&1 | head -n 1)
expect_match "the inner container's cgroup is below its unit's (Delegate=yes, --delegated)" '^[0-9]+$' "$cg"
expect_eq "the inner monitor is the unit's main process, in its own leaf" \
	"0::/system.slice/system-ct.slice/ct@db1.service/.monitor" \
	"$(inside sh -c 'grep ^0:: /proc/$(systemctl show -P MainPID ct@db1.service)/cgroup')"
expect_match "ctls inside lists both" "db1 +RUNNING.*db2 +RUNNING" "$(inside "$bindir/ctls" | tr '\n' ' ')"
# The inner /dev/null is the outer's own node, bound read-only: it works as a device, but the inner
# root cannot chmod it (which would change the outer's /dev/null).
out=$(inside "$bindir/ctexec" -n db1 -- sh -c 'echo x >/dev/null && echo written;
	chmod 600 /dev/null 2>/dev/null && echo chmod-worked; stat -c %a /dev/null' 2>&1)
expect_eq "inner /dev/null: writable as a device, its mode unchangeable" "written
666" "$out"
expect_eq "the outer's /dev/null kept its mode" 666 "$(inside stat -c %a /dev/null)"

# ---- the power-off: the outer guest's systemd stops the inner containers first
t0=$(date +%s%N)
run_rc rc ct ctstop -n outer -t 90 2>"$T/stop.err"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "ctstop of the outer guest: exit 0 ($(cat "$T/stop.err"))" 0 "$rc"
expect_match "it stopped gracefully" "container 'outer' stopped gracefully" "$(cat "$T/stop.err")"
[ "$ms" -lt 90000 ] || fail "the outer stop took $ms ms, its timeout is 90 s"
ok "the outer stop finished within its timeout ($ms ms)"
echo "# outer: $(cat "$T/stop.err")"
stopped_in_reverse
if command -v journalctl >/dev/null && [ -n "$(ls -A "$G/var/log/journal")" ]; then
	journalctl -D "$G/var/log/journal" -o cat --no-pager >"$T/journal" 2>/dev/null || true
	grep -E "Stopp(ing|ed) ct@db[12]|Reached target.*(Power-Off|Shutdown)" "$T/journal" | sed 's/^/# journal: /' || true
	if grep -E "ct@db1.service: (.*timed out|Killing)" "$T/journal"; then
		fail "systemd timed out ct@db1 at its 2 s TimeoutStopSec despite EXTEND_TIMEOUT_USEC"
	fi
	ok "db1's 3 s stop outlived its unit's 2 s TimeoutStopSec: the monitor extended it"
	for n in db1 db2; do
		line=$(grep "ctstop: container '$n'" "$T/journal" | tail -n 1 || true)
		expect_match "the guest's journal has ctstop's line for $n" "container '$n' stopped gracefully" "$line"
		echo "# journal: $line"
	done
else
	ok "# SKIP no journalctl here to read the guest's journal"
fi

# ---- booted again: they come back, in order
boot 2
ct ctstop -n outer -t 90 2>"$T/stop.err" || fail "the second stop: $(cat "$T/stop.err")"
expect_match "second power-off: db1 and db2 stopped again" "stopped .*start [0-9.]+ stopped$" "$(lifecycle db2)"
ok "second power-off: $(cat "$T/stop.err")"

assert_clean
