#!/usr/bin/env bash
# The console of a container under -d: a system container's /dev/console and stdio are a pty
# whose master the monitor holds; what it prints goes to a ring buffer, the log (which outlives
# the container) and every ctconsole attached. Checked: the log path and console in ctinfo, the
# boot lines in the log and replayed on attach, typing through a real terminal (ctescape
# operator), Ctrl-a q detaching with the container running on, a read-only client beside it
# whose typing never arrives, /dev/console inside, an application container refused, the last
# console lines when a stop had to kill, a client that stops reading never holding up the
# container or its stop, a CONSOLE request with a pipe instead of a socket refused, and the log
# after the stop.
. "$(dirname "$0")/lib.sh"
: "${CT_ESCAPE:?CT_ESCAPE must point at the static ctescape (make check sets it)}"
: "${CT_PROBE:?CT_PROBE must point at ctprobe (make check sets it)}"
CONSOLE="$CT_BINDIR/ctconsole --rundir $RUNDIR"

cat >"$ROOTFS/sbin/echoinit" <<'SH'
#!/bin/sh
trap 'echo "shutting down: saved"; exit 0' TERM
echo "booting: console up"
while :; do
	read -r line || sleep 1
	[ -n "$line" ] && echo "got: $line"
done
SH
chmod +x "$ROOTFS/sbin/echoinit"
conf=$(write_conf console "init = /sbin/echoinit" "shutdown_method = application")
ct ctstart -n c1 -f "$conf" -d
info=$(ct ctinfo -n c1)
expect_match "ctinfo: a console" "console: +yes" "$info"
expect_match "ctinfo: the log, beside the run dir" "log: +$RUNDIR/c1.log" "$info"
wait_for 10 grep -q "booting: console up" "$RUNDIR/c1.log" || fail "the boot line is not in the log"
ok "what init prints on its console is in the log"

# Typing on a real terminal: the boot line replayed, the echo, Ctrl-a q detaches (the typing's
# times count from the replayed line: ctconsole is attached by then).
out=$(timeout 60 "$CT_ESCAPE" operator -W 'booting: console up' -i '0.5:hello\015' -i '3:\001q' -- bash -c "$CONSOLE -n c1; echo \"[ctconsole: \$?]\"" 2>&1 || true)
expect_match "attached: the last output replayed first" "booting: console up" "$out"
expect_match "typing reaches init (its stdin is the console)" "got: hello" "$out"
expect_match "Ctrl-a q detaches with status 0" '\[ctconsole: 0\]' "$out"
expect_eq "the container runs on" RUNNING "$(ct ctinfo -n c1 --json | sed -n 's/.*"state": "\([A-Z]*\)".*/\1/p')"

# A read-only client beside a writer: it sees the writer's echo (live, or replayed if it
# attached late), its own typing goes nowhere.
(printf 'from-readonly\n'; sleep 4) | timeout 6 $CONSOLE -n c1 -r -t 1 >"$T/ro.out" 2>&1 &
ro=$!
sleep 1
(printf 'from-writer\n'; sleep 2) | timeout 3 $CONSOLE -n c1 -t 0 >"$T/rw.out" 2>&1 || true
wait "$ro" || true
expect_match "two clients at once: the read-only one sees the writer's" "got: from-writer" "$(cat "$T/ro.out")"
[ "$(grep -c 'got: from-readonly' "$RUNDIR/c1.log")" = 0 ] || fail "a read-only client's typing reached the container"
ok "a read-only client's typing never reaches the container"

# /dev/console inside is the same pty; a stop's output lands in the log.
$CT_BINDIR/ctexec --rundir "$RUNDIR" -n c1 -- sh -c 'echo "to-dev-console" >/dev/console'
wait_for 10 grep -q "to-dev-console" "$RUNDIR/c1.log" || fail "/dev/console is not the console"
ok "/dev/console inside is the console"

# A client that stops reading holds up nothing: a flood, a stopped client, a graceful stop.
$CT_BINDIR/ctexec --rundir "$RUNDIR" -n c1 -- sh -c 'i=0; while [ $i -lt 20000 ]; do echo "flood line $i" >/dev/console; i=$((i+1)); done' &
flood=$!
$CONSOLE -n c1 -r -t 0 >/dev/null 2>&1 &
stuck=$!
sleep 0.3
kill -STOP "$stuck"
wait "$flood" || fail "the flood stopped with a stopped client attached"
ok "a flood is not held up by a client that stopped reading"
run_rc rc ct ctstop -n c1 -t 10
expect_eq "nor is a graceful stop" 0 "$rc"
kill -CONT "$stuck"
wait "$stuck" || true
[ -e "$RUNDIR/c1.log" ] || fail "the log went with the container"
expect_match "the log outlives the container, with its shutdown line" "shutting down: saved" "$(cat "$RUNDIR/c1.log")"

# A stop that had to kill shows the console's last lines.
cat >"$ROOTFS/sbin/deafinit" <<'SH'
#!/bin/sh
trap 'echo "deaf: ignoring TERM"' TERM
echo "deaf: up"
while :; do sleep 1 & wait $!; done
SH
chmod +x "$ROOTFS/sbin/deafinit"
conf=$(write_conf deaf "init = /sbin/deafinit" "shutdown_method = application")
ct ctstart -n deaf -f "$conf" -d
wait_for 10 grep -q "deaf: up" "$RUNDIR/deaf.log" || fail "deaf did not come up"
run_rc rc ct ctstop -n deaf -t 3 2>"$T/err"
expect_eq "a deaf container: killed at the deadline" 3 "$rc"
expect_match "ctstop shows its console's last lines" "deaf: ignoring TERM" "$(cat "$T/err")"

# An application container has no console; a CONSOLE with a pipe instead of a socket: refused.
conf=$(write_conf app)
ct ctstart -n app -f "$conf" -d -- sleep 100
run_rc rc $CONSOLE -n app 2>"$T/err"
expect_eq "ctconsole on an application container: an error" 1 "$rc"
expect_match "saying where its output is" "has no console: an application container's output goes to its log" "$(cat "$T/err")"
expect_eq "CONSOLE with a pipe for a socket: refused" EBADF "$("$CT_PROBE" "$RUNDIR/app/sock" console-pipe)"
ct ctstop -n app -t 10
run_rc rc $CONSOLE -n app 2>"$T/err"
expect_eq "ctconsole on a stopped container: not running" 2 "$rc"
assert_clean
