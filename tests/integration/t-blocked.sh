#!/usr/bin/env bash
# A stop held up from outside the container is named, never reported as done. As reported: a
# process put into the container with nsenter (the guest's sendsigs SIGSTOPped it, nsenter never
# reaped it) kept init from ever finishing its exit; `ctstop -t 10` failed after 20 s with "the
# monitor did not answer in time", `ctstop --force` exited 0 while ctls still showed STOPPING,
# and a new ctstart of the name said only "already running". Here the nsenter is stopped
# itself, so its child, killed with the container, stays an unreaped zombie of the container's
# pid namespace.
. "$(dirname "$0")/lib.sh"
command -v nsenter >/dev/null || skip "needs nsenter (util-linux)"

conf=$(write_conf blocked)
ct ctstart -n bl -f "$conf" -d -- sleep 1000
init=$(ct ctinfo -n bl --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
nsenter -t "$init" -p -m -U --preserve-credentials -- /bin/sleep 4343 &
holder=$!
EXTRA_CLEANUP='kill -CONT $holder 2>/dev/null || true; kill -9 $holder 2>/dev/null || true'
wait_for 10 pgrep -f '^/bin/sleep 434[3]' >/dev/null || fail "the entered sleep never ran"
kill -STOP "$holder"

run_rc rc ct ctstop -n bl -t 2 2>"$T/err"
expect_eq "a graceful stop that cannot end: an error" 1 "$rc"
expect_match "naming the holder outside and its zombie child" \
	"cannot finish stopping: pid $holder \(nsenter\) outside the container has not reaped its child, pid [0-9]+ \(sleep\) of the container; it is stopped" \
	"$(cat "$T/err")"
expect_match "ctinfo: STOPPING, and why" "blocked: +pid $holder \(nsenter\)" "$(ct ctinfo -n bl)"
run_rc rc ct ctstop -n bl --force 2>"$T/err"
expect_eq "--force never reports success while the container is still there" 1 "$rc"
expect_match "saying why" "cannot finish stopping: pid $holder \(nsenter\)" "$(cat "$T/err")"
run_rc rc ct ctstart -n bl -f "$conf" -d -- true 2>"$T/err"
expect_eq "a new start of the name fails" 125 "$rc"
expect_match "saying what is in the way" \
	"container 'bl' is still STOPPING \(monitor pid [0-9]+\) and cannot finish: pid $holder \(nsenter\)" \
	"$(cat "$T/err")"

# Once the holder reaps (here: dies), the stop ends by itself.
kill -CONT "$holder" 2>/dev/null || true # it may reap and exit at once
kill -9 "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
wait_for 20 sh -c "! $CT_BINDIR/ctinfo --rundir $RUNDIR -n bl >/dev/null 2>&1" ||
	fail "the container did not finish stopping once its holder was gone"
ok "the container finished stopping once the holder was gone"
assert_clean
