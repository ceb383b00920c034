#!/usr/bin/env bash
# The end of init: reboot(2) restarts the container in place unless a stop was requested; the
# foreground ctstart turns SIGTERM/SIGINT into a graceful stop (twice: forced); a monitor that
# does not answer is reported, and --force still kills the container.
. "$(dirname "$0")/lib.sh"

json_field() { ct ctinfo -n "$1" --json | sed -n "s/.*\"$2\": \"\{0,1\}\([^,\"]*\).*/\1/p"; }

# ---- reboot: same name, same socket, a new init
conf=$(write_conf rb "init = /sbin/testinit --on USR1=reboot --on TERM=exit:0 --log /init.log --ready /ready" \
	"shutdown_method = application")
ct ctstart -n rb -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "rb did not start"
first=$(json_field rb init_pid)
rm -f "$ROOTFS/ready"
kill -USR1 "$first"
wait_for 10 test -e "$ROOTFS/ready" || fail "rb did not come back after the reboot"
expect_eq "ctinfo counts the reboot" 1 "$(json_field rb reboots)"
expect_eq "and the container runs" RUNNING "$(json_field rb state)"
[ "$(json_field rb init_pid)" != "$first" ] || fail "same init after a reboot"
expect_eq "init started twice" 2 "$(grep -c '^started pid=1$' "$ROOTFS/init.log")"
ct ctstop -n rb -t 10 2>/dev/null
ok "stops normally after a reboot"
rm -f "$ROOTFS/ready" "$ROOTFS/init.log"

# ---- a reboot while a stop was requested ends the container
conf=$(write_conf rb2 "init = /sbin/testinit --on TERM=reboot --ready /ready" "shutdown_method = application")
ct ctstart -n rb2 -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "rb2 did not start"
run_rc rc ct ctstop -n rb2 -t 10 2>"$T/err"
expect_eq "reboot during a stop: stopped, gracefully" 0 "$rc"
run_rc rc ct ctinfo -n rb2 2>/dev/null
expect_eq "and not restarted" 2 "$rc"
rm -f "$ROOTFS/ready"

# ---- halt (reboot(2) RB_POWER_OFF in a pid namespace: init dies by SIGINT) is a clean stop
conf=$(write_conf halt "init = /sbin/testinit --on TERM=halt --ready /ready" "shutdown_method = application")
ct ctstart -n halt -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "halt did not start"
run_rc rc ct ctstop -n halt -t 10 2>"$T/err"
expect_eq "halt: graceful" 0 "$rc"
expect_match "reported as halted" "init halted" "$(cat "$T/err")"
rm -f "$ROOTFS/ready"
# ... and a foreground system container that halts exits 0 (not 128+SIGINT)
"$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n halt -f "$conf" </dev/null >/dev/null 2>&1 &
pid=$!
wait_for 10 test -e "$ROOTFS/ready" || fail "halt did not start in the foreground"
kill -TERM $pid
run_rc rc wait $pid
expect_eq "halt in the foreground: ctstart exits 0" 0 "$rc"
rm -f "$ROOTFS/ready"

# ---- foreground: SIGTERM to ctstart is a graceful stop
conf=$(write_conf fg)
"$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n fg -f "$conf" -- \
	sh -c 'trap "echo saved >/state; exit 0" TERM; touch /ready; while :; do sleep 1; done' &
pid=$!
wait_for 10 test -e "$ROOTFS/ready" || fail "fg did not start"
kill -TERM $pid
run_rc rc wait $pid
expect_eq "SIGTERM to a foreground ctstart: graceful, the command's status" 0 "$rc"
expect_eq "the command saved its state" saved "$(cat "$ROOTFS/state")"
rm -f "$ROOTFS/ready" "$ROOTFS/state"

# ... and a second SIGINT forces
"$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n fg -f "$conf" -- \
	sh -c 'trap "" TERM INT; touch /ready; while :; do sleep 1; done' &
pid=$!
wait_for 10 test -e "$ROOTFS/ready" || fail "fg did not start"
kill -INT $pid
sleep 0.3
kill -0 $pid || fail "one SIGINT already ended a container that ignores SIGTERM"
kill -INT $pid
run_rc rc wait $pid
expect_eq "a second SIGINT kills: 128+9" 137 "$rc"
rm -f "$ROOTFS/ready"

# ---- a monitor that does not answer
conf=$(write_conf stuck "init = /sbin/testinit --ready /ready")
ct ctstart -n stuck -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "stuck did not start"
read -r mon init _ <"$RUNDIR/stuck/pid"
kill -STOP "$mon"
t0=$(date +%s%N)
run_rc rc ct ctstop -n stuck -t 1 2>"$T/err"
expect_eq "plain stop, monitor frozen: error" 1 "$rc"
expect_match "says the monitor did not answer" "did not answer" "$(cat "$T/err")"
# Two client deadlines of 5 s (the stop, then the look at what blocks it), and room for load.
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 25000 ] || fail "took too long to give up: $ms ms"
ok "gave up within its deadlines ($ms ms)"
run_rc rc ct ctstop -n stuck --force 2>"$T/err"
expect_eq "--force, monitor frozen: init killed anyway" 0 "$rc"
expect_match "directly" "killed init \(pid $init\) directly" "$(cat "$T/err")"
# Killed, it stays a zombie until its frozen parent reaps it.
wait_for 10 sh -c "! kill -0 $init 2>/dev/null || grep -q '^State:.*Z' /proc/$init/status" ||
	fail "init still alive"
kill -CONT "$mon"
wait_for 10 sh -c "! kill -0 $mon 2>/dev/null" || fail "the monitor did not exit once thawed"
ok "the thawed monitor reaped its init and exited"
rm -f "$ROOTFS/ready"

assert_clean
