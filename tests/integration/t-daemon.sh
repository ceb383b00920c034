#!/usr/bin/env bash
# Daemonized containers: -d returns once RUNNING, ctinfo (text and JSON), ctstop --force.
. "$(dirname "$0")/lib.sh"

conf=$(write_conf web "init = /sbin/testinit --ready /ready")
(cd "$T" && ct ctstart -n web -f "./${conf##*/}" -d) # a relative path
ok "ctstart -d returned 0"
[ -S "$RUNDIR/web/sock" ] || fail "no command socket"
expect_eq "run dir is 0700" 700 "$(stat -c %a "$RUNDIR/web")"
expect_eq "socket is 0600" 600 "$(stat -c %a "$RUNDIR/web/sock")"

info=$(ct ctinfo -n web)
expect_match "ctinfo shows RUNNING" "state: +RUNNING" "$info"
expect_match "ctinfo shows the kind" "kind: +system" "$info"
expect_match "ctinfo shows the method" "shutdown method: +sysvinit" "$info"
expect_match "ctinfo shows the config's absolute path, though given as relative" "config: +$conf\$" "$info"
expect_match "ctinfo shows the memory used (on a hybrid host without a memory controller: its processes')" \
	"memory: +[0-9.]+ MiB" "$info"
json=$(ct ctinfo -n web --json)
expect_match "json state" '"state": "RUNNING"' "$json"
pid=$(printf '%s' "$json" | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
mon=$(printf '%s' "$json" | sed -n 's/.*"monitor_pid": \([0-9]*\).*/\1/p')
kill -0 "$pid" || fail "init pid $pid not alive"
expect_eq "pid record" "$mon $pid" "$(cut -d" " -f1-2 "$RUNDIR/web/pid")"
expect_eq "monitor is init's parent" "$mon" "$(awk '/^PPid/ {print $2}' /proc/$pid/status)"
expect_eq "monitor detached into its own session" "$mon" "$(ps -o sid= -p "$mon" | tr -d ' ')"
wait_for 10 test -e "$ROOTFS/ready" || fail "init not ready"
[ -s "$RUNDIR/web.log" ] && ok "daemon log written (RUNDIR/NAME.log with --rundir)" || fail "no daemon log"

out=$(ct ctstop -n web --force 2>&1)
expect_match "ctstop --force reports the kill" "killed in [0-9.]+ s" "$out"
kill -0 "$pid" 2>/dev/null && fail "init still alive"
# The monitor closes the connection only on its way out; ctstop waits for that.
wait_for 5 sh -c "! kill -0 $mon 2>/dev/null || grep -q '^State:.*Z' /proc/$mon/status" ||
	fail "monitor still alive"
ok "init and monitor gone"
[ -e "$RUNDIR/web" ] && fail "run dir left: $(ls -A "$RUNDIR/web")"
ok "run dir removed"

run_rc rc ct ctstop -n web --force 2>"$T/err"
expect_eq "stop of a stopped container exits 2" 2 "$rc"
expect_match "and says so" "not running" "$(cat "$T/err")"
run_rc rc ct ctinfo -n web 2>/dev/null
expect_eq "ctinfo of a stopped container exits 2" 2 "$rc"

# A daemonized application container that exits by itself cleans up after itself.
ct ctstart -n app -f "$conf" -d -- sh -c 'sleep 0.2'
wait_for 20 test ! -e "$RUNDIR/app" || fail "run dir of an exited container stays"
ok "an exited daemon cleans up"

# A relative run dir works with -d too (the daemon leaves the working directory).
( cd "$T" && "$CT_BINDIR/ctstart" --rundir relrun -n rel -f "$conf" -d &&
	"$CT_BINDIR/ctinfo" --rundir relrun -n rel >/dev/null &&
	"$CT_BINDIR/ctstop" --rundir relrun -n rel --force 2>/dev/null ) || fail "relative --rundir with -d"
ok "a relative --rundir works with -d"

# --logfile keeps the log elsewhere, and it survives the stop.
ct ctstart -n logged -f "$conf" -d -o "$T/logged.log"
ct ctstop -n logged --force >/dev/null 2>&1
expect_match "the log records the stop" "stopped: init killed" "$(cat "$T/logged.log")"

# Concurrent force stops: each either joins the one kill or, arriving after it, finds the
# container gone; none errs. (Joining many waiters is unit-tested in test_server.)
ct ctstart -n many -f "$conf" -d
for i in $(seq 10); do
	(
		set +e
		ct ctstop -n many --force >"$T/stop.$i" 2>&1
		echo $? >"$T/rc.$i"
	) &
done
wait
kills=0
for i in $(seq 10); do
	case "$(cat "$T/rc.$i")" in
	0) grep -q "killed in" "$T/stop.$i" || fail "stop $i: $(cat "$T/stop.$i")"
	   kills=$((kills + 1)) ;;
	2) ;;
	*) fail "concurrent stop $i failed: $(cat "$T/stop.$i")" ;;
	esac
done
[ "$kills" -ge 1 ] || fail "no concurrent stop reported the kill"
ok "10 concurrent ctstop --force: $kills joined the kill, none failed"


# ---- output that never ends fills nothing: the log is rotated at log.size, log.rotate kept
flood='while :; do echo yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy; done'
conf=$(write_conf flood "log.size = 64K" "log.rotate = 2")
ct ctstart -n flood -f "$conf" -d -- sh -c "$flood"
wait_for 20 test -e "$RUNDIR/flood.log.2" || fail "the flood's log was not rotated"
sleep 1
total=$({ cat "$RUNDIR"/flood.log* 2>/dev/null || true; } | wc -c) # one may be mid-rotation
[ "$total" -le $((3 * 65536)) ] || fail "the logs hold $total bytes, more than 3 x 64K"
ok "a container printing without end: its logs stay within 3 x 64K ($total bytes)"
[ ! -e "$RUNDIR/flood.log.3" ] || fail "more rotated logs than log.rotate"
# log.2, which a rotation replaces in one rename (log.1 is missing for a moment, between the
# rename of log.1 to log.2 and that of log to log.1)
expect_match "what it printed is in them" "^[1-9][0-9]*$" "$(grep -cx 'y\+' "$RUNDIR/flood.log.2" || true)"
run_rc rc ct ctstop -n flood -t 10
expect_eq "and it stops gracefully" 0 "$rc"
[ ! -e "$RUNDIR/flood" ] || fail "the run dir of a stopped container is still there"
[ -e "$RUNDIR/flood.log" ] && [ -e "$RUNDIR/flood.log.1" ] || fail "the logs went with the container"
ok "the logs outlive the container, beside its run dir (RUNDIR/NAME.log with --rundir)"
# -o FILE: rotated beside it; log.rotate = 0 truncates instead.
conf=$(write_conf flood0 "log.size = 64K" "log.rotate = 0")
ct ctstart -n flood0 -f "$conf" -d -o "$T/flood.log" -- sh -c "$flood"
sleep 2
[ "$(wc -c <"$T/flood.log")" -le 65536 ] || fail "log.rotate = 0: $T/flood.log holds more than 64K"
[ ! -e "$T/flood.log.1" ] || fail "log.rotate = 0 rotated"
ok "log.rotate = 0: the log is truncated at log.size"
run_rc rc ct ctstop -n flood0 -t 10
expect_eq "and that one stops too" 0 "$rc"
printf 'rootfs = %s\nlog.size = 100\n' "$ROOTFS" >"$T/small.conf"
run_rc rc ct ctstart -n small -f "$T/small.conf" -d -- true 2>"$T/err"
expect_eq "a log.size below 4K is refused" 125 "$rc"
expect_match "naming the key" "key 'log.size': invalid size '100'" "$(cat "$T/err")"

assert_clean
