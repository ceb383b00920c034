#!/usr/bin/env bash
# log.target = journal: the monitor's lines and a system container's console go to journald (its
# stream protocol), as ct-NAME. Against a real systemd-journald: the host's if one runs, else one
# this test starts (and stops, removing what it made) when the binary is there.
. "$(dirname "$0")/lib.sh"
command -v journalctl >/dev/null || skip "needs journalctl (systemd)"
JD=/lib/systemd/systemd-journald
if [ ! -S /run/systemd/journal/stdout ]; then
	[ -x "$JD" ] || skip "no journald running and no $JD to start"
	made_run=$([ -e /run/systemd/journal ] && echo no || echo yes)
	made_log=$([ -e /run/log/journal ] && echo no || echo yes)
	"$JD" >"$T/journald.out" 2>&1 &
	jd=$!
	EXTRA_CLEANUP='kill $jd 2>/dev/null || true; wait $jd 2>/dev/null || true;
		[ "$made_run" = yes ] && rm -rf /run/systemd/journal; [ "$made_log" = yes ] && rm -rf /run/log/journal; true'
	wait_for 10 test -S /run/systemd/journal/stdout || fail "journald did not come up: $(cat "$T/journald.out")"
	ok "started a journald of the test's own"
fi
id=ct-jt$$
cat >"$ROOTFS/sbin/jinit" <<'SH'
#!/bin/sh
trap 'echo "jinit: stopping cleanly"; exit 0' TERM
echo "jinit: booted"
while :; do sleep 1; done
SH
chmod +x "$ROOTFS/sbin/jinit"
conf=$(write_conf journal "init = /sbin/jinit" "shutdown_method = application" "log.target = journal")
ct ctstart -n "jt$$" -f "$conf" -d
expect_match "ctinfo: the log is journald" "log: +journald \(journalctl -t $id\)" "$(ct ctinfo -n "jt$$")"
wait_for 10 sh -c "journalctl -t $id --no-pager -o cat | grep -q 'jinit: booted'" ||
	fail "the console's line is not in the journal: $(journalctl -t "$id" --no-pager -o cat | tail -n 3)"
ok "the console's output is in the journal, as $id"
# (journald takes each stream on its own: the monitor's lines are waited for too)
journal_has() { journalctl -t "$id" --no-pager -o cat | grep -q "$1"; }
wait_for 10 journal_has "is running, init pid" || true
expect_match "so is the monitor's" "is running, init pid" "$(journalctl -t "$id" --no-pager -o cat)"
ct ctstop -n "jt$$" -t 10
wait_for 10 sh -c "journalctl -t $id --no-pager -o cat | grep -q 'stopping cleanly'" ||
	fail "the shutdown line is not in the journal"
ok "the guest's shutdown line is in the journal"
wait_for 10 journal_has "stopped: init exited" || true
expect_match "and how the stop went" "stopped: init exited" "$(journalctl -t "$id" --no-pager -o cat)"
[ ! -e "$RUNDIR/jt$$.log" ] || fail "a log file was written besides"
ok "no log file besides"
conf=$(write_conf bad "log.target = syslog")
run_rc rc ct ctstart -n bad -f "$conf" -d -- true 2>"$T/err"
expect_match "an unknown target is refused, naming the key" "key 'log.target': unknown target 'syslog'" "$(cat "$T/err")"
assert_clean
