#!/usr/bin/env bash
# A sysvinit host, without systemd: a Debian 12 sysvinit guest with ct installed inside it and
# /etc/init.d/ct enabled with update-rc.d (its S link in runlevels 2-5, its K link in 0 and 6
# before sendsigs), booted under ct on this machine (user-namespaced: see t-nested.sh for why,
# and for what nesting needs). At boot the script's `ctstart --all` starts db1 and db2 in order
# (db1's start.delay before db2); when the guest halts (`ctstop` of the outer guest asks its init
# for runlevel 0), the script's `ctstop --all` stops them gracefully, db2 first, before sendsigs
# would kill them, and its log (/var/log/ct/host.log) keeps one line per container with the time.
# Booted again, they come back in order.
. "$(dirname "$0")/lib.sh"
[ "${CT_SKIP_SLOW:-0}" != 1 ] || skip "CT_SKIP_SLOW=1 (boots a sysvinit guest with containers inside)"
. "$(dirname "$0")/nested-lib.sh"

build_host sysvinit
initd=${CT_INITD#"$CT_STAGE"}
[ "$initd" = /etc/init.d/ct ] || skip "the sysvinit script is installed in $initd, not /etc/init.d"
inner db1 10000 1 1 0.3
inner db2 30000 2 0 0.3
chroot "$G" update-rc.d ct defaults >"$T/rc.log" 2>&1 || fail "update-rc.d ct defaults: $(cat "$T/rc.log")"
k=$(cd "$G/etc/rc0.d" && ls | tr '\n' ' ')
case $k in
*K0[0-9]ct*K0[0-9]sendsigs*) ok "update-rc.d put ct's stop before sendsigs in runlevel 0 ($k)" ;;
*) fail "runlevel 0 order: $k" ;;
esac

conf=$(write_conf outer \
	"rootfs = $G" \
	"env = TERM=linux" \
	"mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755" \
	"mount = proc /dev/.ct/proc proc rw,nosuid,nodev,noexec,create=dir" \
	"shutdown_timeout = 90")
sed -i "1d" "$conf" # write_conf's own rootfs line (the test's busybox tree) is not this one

both_running() {
	[ "$(inside "$bindir/ctls" 2>/dev/null | grep -cE '^db[12] +RUNNING')" = 2 ]
}
boot() { # boot N
	ct ctstart -n outer -f "$conf" -d
	wait_for 120 both_running || fail "boot $1: db1 and db2 are not running: $(inside "$bindir/ctls" 2>&1)"
	ok "boot $1: /etc/init.d/ct started db1 and db2"
	started_in_order "$1"
}

boot 1
t0=$(date +%s%N)
run_rc rc ct ctstop -n outer -t 90 2>"$T/stop.err"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "ctstop of the outer guest: exit 0 ($(cat "$T/stop.err"))" 0 "$rc"
expect_match "it halted gracefully" "container 'outer' stopped gracefully" "$(cat "$T/stop.err")"
ok "the outer stop finished within its timeout ($ms ms)"
echo "# outer: $(cat "$T/stop.err")"
stopped_in_reverse
log=$G/var/log/ct/host.log
[ -f "$log" ] || fail "no $log"
sed 's/^/# host.log: /' "$log"
for n in db1 db2; do
	expect_match "host.log: ctstop's line for $n, with the time" \
		"^[0-9-]+ [0-9:]+ ctstop: container '$n' stopped gracefully" "$(grep "container '$n' stopped" "$log" || true)"
done
expect_eq "host.log: the script's start and stop, each with its exit status" \
	"ctstart --all: exit 0 ctstop --all: exit 0" \
	"$(sed -n 's/^[0-9-]* [0-9:]* \(ct[a-z]* --all: exit [0-9]*\)$/\1/p' "$log" | tr '\n' ' ' | sed 's/ $//')"

boot 2
ct ctstop -n outer -t 90 2>"$T/stop.err" || fail "the second stop: $(cat "$T/stop.err")"
expect_match "second halt: db2 stopped again" "stopped .*start [0-9.]+ stopped$" "$(lifecycle db2)"
ok "second halt: $(cat "$T/stop.err")"

assert_clean
