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

G=$T/guest
rc=0
"$CT_SRCDIR/tests/integration/debian-rootfs.sh" systemd "$G" >"$T/build.log" 2>&1 || rc=$?
[ "$rc" != 77 ] || skip "no Debian guest can be built here: $(tail -n 1 "$T/build.log")"
[ "$rc" = 0 ] || fail "building the systemd guest failed: $(tail -n 5 "$T/build.log")"
ok "a Debian 12 systemd guest is built"

# ---- ct inside: the install, and the libraries it links that minbase lacks
tar -C "$CT_STAGE" -c . | tar -C "$G" -x --keep-directory-symlink
for lib in $(ldd "$CT_BINDIR/ctstart" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
	[ -e "$G$lib" ] || cp -L "$lib" "$G$lib"
done
bindir=${CT_BINDIR#"$CT_STAGE"}
unitdir=${CT_UNITDIR#"$CT_STAGE"}
[ -x "$G$bindir/ctstart" ] && [ -f "$G$unitdir/ct@.service" ] || fail "ct is not installed in the guest"
ok "ct is installed in the guest ($bindir, $unitdir)"
mkdir -p "$G/var/log/journal" # a persistent journal: it is read from here after the power-off

# ---- two inner containers: busybox, init a shell that notes its start and its graceful stop
# (kernel uptime: one clock for all of them) in its own log, /var/log/lifecycle. Its stop takes
# STOP seconds.
inner() {
	local name=$1 base=$2 order=$3 delay=$4 stop=$5 r=$G/srv/$1
	mkdir -p "$r"/{bin,sbin,proc,sys,dev,tmp,etc,run,var/log}
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in sh sleep cut cat echo chmod stat; do ln -sf busybox "$r/bin/$a"; done
	cat >"$r/sbin/init" <<'EOF'
#!/bin/sh
up() { cut -d' ' -f1 /proc/uptime; }
trap 'echo "$(up) graceful-stop"; sleep $STOP; echo "$(up) stopped" >>/var/log/lifecycle; exit 0' TERM
echo "$(up) start" >>/var/log/lifecycle
while :; do sleep 1 & wait $!; done
EOF
	chmod 755 "$r/sbin/init"
	# Owned by the ids the inner container maps its root to (the outer sees on-disk ids as
	# they are: its rootfs is idmapped 0:HOST:65536, so on-disk 10000 is its 10000).
	chown -R -h "$base:$base" "$r"
	mkdir -p "$G/etc/ct"
	cat >"$G/etc/ct/$name.conf" <<EOF
rootfs = /srv/$name
init = /sbin/init
shutdown_method = application
shutdown_timeout = 20
idmap = u 0 $base 20000
idmap = g 0 $base 20000
env = STOP=$stop
autostart = yes
group = db
start.order = $order
start.delay = $delay
EOF
	ln -sfn "$unitdir/ct@.service" "$G/etc/systemd/system/multi-user.target.wants/ct@$name.service"
}
inner db1 10000 1 1 3
inner db2 30000 2 0 0.3
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

# lifecycle NAME: the inner container's own log, one line.
lifecycle() { tr '\n' ' ' <"$G/srv/$1/var/log/lifecycle" 2>/dev/null | sed 's/ $//'; }
# nth_time NAME WORD N: the uptime of the Nth WORD line in its log.
nth_time() { awk -v w="$2" -v n="$3" '$2 == w && ++c == n { print $1 }' "$G/srv/$1/var/log/lifecycle"; }
# inside CMD...: run in the outer guest.
inside() { ct ctexec -n outer -- "$@"; }
both_running() { [ "$(inside systemctl is-active ct@db1.service ct@db2.service 2>/dev/null | tr '\n' ' ')" = "active active " ]; }

boot() { # boot N: the Nth boot, and the inner containers' start in order
	local n=$1 t1 t2
	ct ctstart -n outer -f "$conf" -d
	wait_for 120 both_running ||
		fail "boot $n: ct@db1/ct@db2 not active: $(inside systemctl status --no-pager ct@db1 ct@db2 2>&1 | tail -n 30)"
	ok "boot $n: systemd in the guest has ct@db1 and ct@db2 active (READY=1 from the monitors)"
	t1=$(nth_time db1 start "$n") t2=$(nth_time db2 start "$n")
	[ -n "$t1" ] && [ -n "$t2" ] || fail "boot $n: no start line: db1 '$(lifecycle db1)' db2 '$(lifecycle db2)'"
	awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b - a >= 1.0) }' ||
		fail "boot $n: db2 started at $t2, not 1 s (db1's start.delay) after db1 ($t1)"
	ok "boot $n: autostarted in order: db1 at $t1, db2 at $t2 (after db1's start.delay)"
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
for n in db1 db2; do
	expect_match "$n stopped gracefully at the power-off (its log: $(lifecycle $n))" \
		"start [0-9.]+ stopped$" "$(lifecycle $n)"
done
s1=$(nth_time db1 stopped 1) s2=$(nth_time db2 stopped 1)
awk -v a="$s1" -v b="$s2" 'BEGIN { exit !(b <= a) }' ||
	fail "db2 (started after db1) stopped at $s2, after db1 ($s1)"
ok "stopped in the reverse order: db2 at $s2, then db1 at $s1"
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
