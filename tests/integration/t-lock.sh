#!/usr/bin/env bash
# One monitor per name: a second start is refused; a monitor killed with SIGKILL takes its
# container down, and its stale lock and socket do not block the next start.
. "$(dirname "$0")/lib.sh"

conf=$(write_conf db "init = /sbin/testinit --ready /ready")
ct ctstart -n db -f "$conf" -d
run_rc rc ct ctstart -n db -f "$conf" -d 2>"$T/err"
expect_eq "second start of a running name fails" 125 "$rc"
expect_match "and says why" "container 'db' is already running" "$(cat "$T/err")"
run_rc rc ct ctstart -n db -f "$conf" -- true 2>/dev/null
expect_eq "also in the foreground" 125 "$rc"
expect_match "the first is untouched" "RUNNING" "$(ct ctinfo -n db)"

read -r mon pid <"$RUNDIR/db/pid"
kill -9 "$mon"
wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" || fail "init $pid survived its monitor"
ok "SIGKILLed monitor takes its container down"
[ -S "$RUNDIR/db/sock" ] || fail "expected a stale socket for this test"
run_rc rc ct ctinfo -n db 2>"$T/err"
expect_eq "stale socket reads as not running" 2 "$rc"
wait_for 10 sh -c "[ -z \"\$(grep -c ' $T' /proc/self/mountinfo | grep -v '^0$')\" ]" || true

ct ctstart -n db -f "$conf" -d
ok "a new start of the same name works after a killed monitor"
expect_match "and runs" "RUNNING" "$(ct ctinfo -n db)"
ct ctstop -n db --force >/dev/null 2>&1

# A monitor killed during a foreground run as well.
"$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n fg -f "$conf" &
fg=$!
wait_for 10 test -S "$RUNDIR/fg/sock" || fail "foreground start"
wait_for 10 sh -c "[ -s '$RUNDIR/fg/pid' ]" || fail "no pid record"
read -r _ pid <"$RUNDIR/fg/pid"
kill -9 "$fg"
wait "$fg" 2>/dev/null || true
wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" || fail "init survived a killed foreground ctstart"
ok "killed foreground ctstart takes its container down"
ct ctstart -n fg -f "$conf" -- true
ok "restart after that works"

assert_clean
