#!/usr/bin/env bash
# Graceful stop: every method, escalation on time, fail-fast on undeliverable signals, joins,
# tightening, SHUTDOWN during STARTING, exit statuses and messages.
. "$(dirname "$0")/lib.sh"

# stop NAME ARGS...: runs ctstop, leaving its status in $rc, its stderr in $msg, its time in $secs.
stop() {
	local name=$1 t0
	shift
	t0=$(date +%s%N)
	run_rc rc ct ctstop -n "$name" "$@" 2>"$T/stop.err"
	secs=$(( ($(date +%s%N) - t0) / 1000000000 ))
	msg=$(cat "$T/stop.err")
}
stopping() { ct ctinfo -n "$1" | grep -q "state: *STOPPING"; }

# ---- application: SIGTERM through ctinit to the whole container
conf=$(write_conf app)
ct ctstart -n app -f "$conf" -d -- sh -c \
	'trap "echo saved >/state; exit 0" TERM; touch /ready; while :; do sleep 1; done'
wait_for 10 test -e "$ROOTFS/ready" || fail "app did not start"
stop app -t 20
expect_eq "application: graceful stop exits 0" 0 "$rc"
expect_match "and says so" "stopped gracefully in [0-9.]+ s: init exited with status 0 \(signal 15 \(TERM\) sent to init\)" "$msg"
expect_eq "the application saved its state" saved "$(cat "$ROOTFS/state")"
rm -f "$ROOTFS/state" "$ROOTFS/ready"

# ---- application ignoring SIGTERM: killed when the timeout runs out, not before
ct ctstart -n deaf -f "$conf" -d -- sh -c 'trap "" TERM; touch /ready; while :; do sleep 1; done'
wait_for 10 test -e "$ROOTFS/ready" || fail "deaf did not start"
stop deaf -t 2
expect_eq "timeout: exit 3" 3 "$rc"
expect_match "killed after the timeout" "killed after the timeout, 2\.[0-9]+ s" "$msg"
[ "$secs" -ge 2 ] && [ "$secs" -lt 15 ] || fail "timeout took $secs s"
ok "escalation waited for the timeout, and not much longer ($secs s)"
rm -f "$ROOTFS/ready"

# ---- fail fast: an init that neither catches nor blocks the method's signal
conf=$(write_conf ign "init = /sbin/testinit --ignore-all --ready /ready" "shutdown_method = application")
ct ctstart -n ign -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "ign did not start"
# (a stop within the settle window, in which a just-exec'd init may still install its
# handlers, is retried until the window ends: 3 s, still far from the 60 s timeout)
stop ign -t 60
expect_eq "undeliverable signal: exit 3" 3 "$rc"
expect_match "says why at once" "neither catches nor blocks signal 15 \(TERM\): the kernel would drop it" "$msg"
[ "$secs" -lt 10 ] || fail "fail-fast took $secs s"
ok "no waiting out the 60 s timeout ($secs s)"
rm -f "$ROOTFS/ready"

# ---- shutdown_signal overrides the application method's signal
conf=$(write_conf usr2 "init = /sbin/testinit --on USR2=exit:0 --ready /ready" \
	"shutdown_method = application" "shutdown_signal = SIGUSR2")
ct ctstart -n usr2 -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "usr2 did not start"
stop usr2 -t 20
expect_eq "shutdown_signal = SIGUSR2: graceful" 0 "$rc"
expect_match "with SIGUSR2" "signal 12 \(USR2\) sent" "$msg"
rm -f "$ROOTFS/ready"

# ---- systemd: signal 38 (SIGRTMIN+4); in a pid namespace a poweroff ends init by SIGINT
conf=$(write_conf sd "init = /sbin/testinit --on RTMIN+4=halt --ready /ready" "shutdown_method = systemd")
ct ctstart -n sd -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "sd did not start"
stop sd -t 20
expect_eq "systemd method: graceful" 0 "$rc"
expect_match "signal 38 halts init" "init halted \(signal 38 \(RT\) sent to init\)" "$msg"
rm -f "$ROOTFS/ready"

# ---- sysvinit: a runlevel-0 request through the container's initctl FIFO
conf=$(write_conf sysv "init = /sbin/testinit --initctl /run/initctl --log /init.log --ready /ready")
ct ctstart -n sysv -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "sysv did not start"
stop sysv -t 20
expect_eq "sysvinit method: graceful" 0 "$rc"
expect_match "init read a runlevel-0 request and halted" "initctl runlevel 0" "$(cat "$ROOTFS/init.log")"
expect_match "reported" "init halted \(runlevel 0 requested through the initctl FIFO\)" "$msg"
rm -f "$ROOTFS/ready" "$ROOTFS/init.log" "$ROOTFS/run/initctl"

# sysvinit outcomes that cannot work are reported at once, then escalate.
conf=$(write_conf sysv2 "init = /sbin/testinit --ready /ready")
sysv_outcome() { # WHAT SETUP-COMMAND EXPECTED-REGEX
	eval "$2"
	ct ctstart -n sysv2 -f "$conf" -d
	wait_for 10 test -e "$ROOTFS/ready" || fail "sysv2 did not start"
	stop sysv2 -t 60
	[ "$rc" = 3 ] && [ "$secs" -lt 10 ] || fail "$1: rc $rc after $secs s: $msg"
	expect_match "sysvinit, $1" "$3" "$msg"
	rm -rf "$ROOTFS/ready" "$ROOTFS/run/initctl" "$ROOTFS/dev/initctl"
}
sysv_outcome "no FIFO" ":" "no FIFO at /run/initctl or /dev/initctl"
sysv_outcome "no reader" "mkfifo '$ROOTFS/run/initctl'" "FIFO has no reader"
sysv_outcome "not a FIFO" "touch '$ROOTFS/run/initctl'" "initctl is not a FIFO"
sysv_outcome "a symlink is not followed" "ln -s /dev/null '$ROOTFS/run/initctl'" "initctl is not a FIFO"

# ---- exec: shutdown_command runs inside the container
conf=$(write_conf ex "init = /sbin/testinit --on TERM=exit:0 --ready /ready" "shutdown_method = exec" \
	"shutdown_command = /bin/sh -c 'hostname > /who; kill -TERM 1'" "hostname = inside")
ct ctstart -n ex -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "ex did not start"
stop ex -t 20
expect_eq "exec method: graceful" 0 "$rc"
expect_eq "the command ran inside (uts namespace, root, pid 1 is init)" inside "$(cat "$ROOTFS/who")"
rm -f "$ROOTFS/ready" "$ROOTFS/who"

# A hanging shutdown_command and an init that ignores everything: killed on time, helper too.
conf=$(write_conf hang "init = /sbin/testinit --ignore-all --ready /ready" "shutdown_method = exec" \
	"shutdown_command = /bin/sleep 1037")
ct ctstart -n hang -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "hang did not start"
stop hang -t 2
expect_eq "hanging shutdown_command: exit 3 after the timeout" 3 "$rc"
[ "$secs" -ge 2 ] && [ "$secs" -lt 15 ] || fail "took $secs s"
pgrep -f "^/bin/sleep 1037$" >/dev/null && fail "the shutdown_command outlived the container"
ok "the hanging command was killed with the container"
rm -f "$ROOTFS/ready"

conf=$(write_conf bad "init = /sbin/testinit --ready /ready" "shutdown_method = exec" \
	"shutdown_command = /bin/false")
ct ctstart -n bad -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "bad did not start"
stop bad -t 60
expect_eq "failing shutdown_command: escalates at once" 3 "$rc"
expect_match "and says why" "shutdown_command exited with status 1" "$msg"
rm -f "$ROOTFS/ready"

# ---- concurrent stops join one dispatch (the trap holds the stop 5 s: time for the last of 12
# clients to connect on a loaded machine; one that came after the end would hear "not running")
conf=$(write_conf many)
ct ctstart -n many -f "$conf" -d -- sh -c \
	'trap "echo term >>/terms; sleep 5; exit 0" TERM; touch /ready; while :; do sleep 1; done'
wait_for 10 test -e "$ROOTFS/ready" || fail "many did not start"
for i in $(seq 12); do
	( set +e; ct ctstop -n many -t 30 >"$T/s.$i" 2>&1; echo $? >"$T/r.$i" ) &
done
wait
for i in $(seq 12); do
	[ "$(cat "$T/r.$i")" = 0 ] || fail "concurrent stop $i: $(cat "$T/r.$i") $(cat "$T/s.$i")"
	grep -q "stopped gracefully" "$T/s.$i" || fail "concurrent stop $i: $(cat "$T/s.$i")"
done
ok "12 concurrent ctstops all report the graceful stop"
expect_eq "and the method was dispatched once" term "$(cat "$ROOTFS/terms")"
rm -f "$ROOTFS/ready" "$ROOTFS/terms"

# ---- a join with a shorter timeout tightens the deadline
ct ctstart -n tight -f "$conf" -d -- sh -c 'trap "" TERM; touch /ready; while :; do sleep 1; done'
wait_for 10 test -e "$ROOTFS/ready" || fail "tight did not start"
( set +e; ct ctstop -n tight -t 60 >"$T/long" 2>&1; echo $? >"$T/long.rc" ) &
wait_for 10 stopping tight || fail "tight: the first stop did not begin"
stop tight -t 1
wait
expect_eq "the tighter deadline kills" 3 "$rc"
expect_eq "for the first caller too" 3 "$(cat "$T/long.rc")"
[ "$secs" -lt 10 ] || fail "tightened stop took $secs s"
ok "no waiting for the first caller's 60 s"
rm -f "$ROOTFS/ready"

# ---- timeout 0 kills at once; --force during a graceful stop overtakes it
ct ctstart -n zero -f "$conf" -d -- sh -c 'while :; do sleep 1; done'
stop zero -t 0
expect_eq "-t 0 kills at once: exit 3" 3 "$rc"
ct ctstart -n over -f "$conf" -d -- sh -c 'trap "" TERM; touch /ready; while :; do sleep 1; done'
wait_for 10 test -e "$ROOTFS/ready" || fail "over did not start"
( set +e; ct ctstop -n over -t 60 >"$T/g" 2>&1; echo $? >"$T/g.rc" ) &
wait_for 10 stopping over || fail "over: the graceful stop did not begin"
stop over --force
wait
expect_eq "--force overtakes a graceful stop" 0 "$rc"
expect_eq "the graceful caller learns it was killed" 3 "$(cat "$T/g.rc")"
expect_match "and why" "a forced stop overtook this one" "$(cat "$T/g")"
rm -f "$ROOTFS/ready"

# ---- not running
stop over -t 5
expect_eq "stop of a stopped container: exit 2" 2 "$rc"
expect_match "not running" "container 'over' is not running" "$msg"
stop nosuch
expect_eq "stop of an unknown name: exit 2" 2 "$rc"
run_rc rc ct ctstop -n x -t abc 2>/dev/null
expect_eq "bad timeout is an error" 1 "$rc"

# ---- SHUTDOWN during STARTING is queued, not lost: the setup child is held in a frozen cgroup
# (its cgroup.parent's, frozen on cgroup2 before the start) until the stop is queued.
CG2=/sys/fs/cgroup
[ "$(stat -f -c %T $CG2)" = cgroup2fs ] || CG2=/sys/fs/cgroup/unified
GATE="$CG2/ct-test-gate-$$"
EXTRA_CLEANUP='[ ! -d "$GATE" ] || { echo 0 >"$GATE/cgroup.freeze"; sleep 0.5; rmdir "$GATE"; }'
mkdir "$GATE" && echo 1 >"$GATE/cgroup.freeze" || fail "cannot make a frozen cgroup in $CG2"
conf=$(write_conf gated "cgroup.parent = ${GATE#"$CG2"/}")
ct ctstart -n gated -f "$conf" -d -- sh -c 'trap "echo done >/state; exit 0" TERM; while :; do sleep 1; done' &
starter=$!
wait_for 10 test -S "$RUNDIR/gated/sock" || fail "gated monitor did not come up"
expect_match "held in STARTING" "state: +STARTING" "$(ct ctinfo -n gated)"
( set +e; ct ctstop -n gated -t 20 >"$T/q" 2>&1; echo $? >"$T/q.rc" ) &
stopper=$!
sleep 0.5
expect_match "still STARTING with a stop queued" "state: +STARTING" "$(ct ctinfo -n gated)"
echo 0 >"$GATE/cgroup.freeze" # setup goes on
wait $stopper
wait $starter || true
echo "# the queued stop: $(tr '\n' ' ' <"$T/q")"
expect_eq "the queued stop ran once the container was up: graceful" 0 "$(cat "$T/q.rc")"
# SIGTERM may arrive before the shell has set its trap (then it dies of it, 143): either way the
# application was asked, not killed.
expect_match "the application got its SIGTERM" \
	"init exited with status (0|143) \(signal 15 \(TERM\) sent to init\)" "$(cat "$T/q")"
rm -f "$ROOTFS/state"

# A queued stop keeps its deadline: a start that hangs (frozen again) is killed when it runs out.
echo 1 >"$GATE/cgroup.freeze"
( set +e; ct ctstart -n hung -f "$conf" -d -- true 2>"$T/hung.err"; echo $? >"$T/hung.rc" ) &
wait_for 10 test -S "$RUNDIR/hung/sock" || fail "hung monitor did not come up"
stop hung -t 2
wait
expect_eq "queued stop on a hung start: killed at the deadline" 3 "$rc"
[ "$secs" -ge 2 ] && [ "$secs" -lt 15 ] || fail "took $secs s"
expect_eq "ctstart -d fails" 125 "$(cat "$T/hung.rc")"
expect_match "saying why" "stopped during start \(timeout\)" "$(cat "$T/hung.err")"
rmdir "$GATE" || fail "the gate cgroup was left populated"

# ---- the host is never asked: a container sharing the host's rootfs sees the host's FIFO
if [ -e /run/initctl ] || [ -e /dev/initctl ]; then
	echo "# skipping the host-FIFO test: this host has its own initctl, which we must not touch"
else
	mkfifo /run/initctl
	( cat /run/initctl >"$T/host-got" ) &
	reader=$!
	# The host's own tree cannot be idmapped: sharing it is privileged mode.
	printf 'rootfs = /\nidmap = none\ninit = %s --ready %s/hready\nshutdown_method = sysvinit\n' \
		"$ROOTFS/sbin/testinit" "$T" >"$T/host.conf"
	ct ctstart -n host -f "$T/host.conf" -d
	wait_for 10 test -e "$T/hready" || fail "host-rootfs container did not start"
	stop host -t 60
	kill $reader 2>/dev/null || true
	wait $reader 2>/dev/null || true
	rm -f /run/initctl
	expect_eq "host FIFO: refused, escalated" 3 "$rc"
	expect_match "and says so" "refused: the FIFO is the host's own initctl" "$msg"
	expect_eq "the host's FIFO received nothing" 0 "$(wc -c <"$T/host-got")"
fi

assert_clean
