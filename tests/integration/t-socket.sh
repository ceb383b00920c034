#!/usr/bin/env bash
# The command socket under hostile clients: garbage, truncated, oversized, unknown and stalled
# requests get an error or a closed connection; the container keeps running and stops normally;
# a non-root peer is refused even when the file permissions would let it connect.
. "$(dirname "$0")/lib.sh"
PROBE=${CT_PROBE:?CT_PROBE must point at ctprobe}

conf=$(write_conf sock "init = /sbin/testinit --ready /ready")
ct ctstart -n sock -f "$conf" -d
S=$RUNDIR/sock/sock

expect_eq "garbage gets EBADMSG" EBADMSG "$("$PROBE" "$S" garbage | head -1)"
expect_eq "truncated frame gets EBADMSG" EBADMSG "$("$PROBE" "$S" truncated | head -1)"
expect_eq "oversized frame gets EMSGSIZE" EMSGSIZE "$("$PROBE" "$S" oversized | head -1)"
expect_eq "unknown command gets ENOSYS, then the idle connection is closed" \
	"ENOSYS closed" "$("$PROBE" "$S" unknown | tr '\n' ' ' | sed 's/ $//')"

# A stalled client holds one slot and nothing else: others are served meanwhile.
"$PROBE" "$S" stall >"$T/stall" &
probe=$!
sleep 0.2
expect_match "served while a client stalls" "RUNNING" "$(ct ctinfo -n sock)"
wait $probe
expect_eq "the stalled client is dropped at its deadline" closed "$(head -1 "$T/stall")"

# A client killed mid-request.
( exec "$PROBE" "$S" stall ) &
sleep 0.1
kill -9 $! 2>/dev/null; wait $! 2>/dev/null || true
expect_match "still running after all that" "RUNNING" "$(ct ctinfo -n sock)"

# Defence in depth: with every directory and the socket opened up, so that a non-root peer can
# connect, the monitor still refuses it (SO_PEERCRED), with an error reply.
chmod 755 "$T" "$RUNDIR" "$RUNDIR/sock"
chmod 666 "$S"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
expect_eq "non-root peer connects and is refused by the monitor" EACCES \
	"$(nobody "$PROBE" "$S" unknown | head -1)"
run_rc rc nobody "$CT_BINDIR/ctinfo" --rundir "$RUNDIR" -n sock 2>"$T/err"
expect_eq "ctinfo as non-root: an error, not 'not running'" 1 "$rc"
expect_match "permission denied" "Permission denied" "$(cat "$T/err")"
run_rc rc nobody "$CT_BINDIR/ctstop" --rundir "$RUNDIR" -n sock -t 5 2>"$T/err"
expect_eq "ctstop as non-root: refused" 1 "$rc"
expect_match "permission denied" "Permission denied" "$(cat "$T/err")"
run_rc rc nobody "$CT_BINDIR/ctstop" --rundir "$RUNDIR" -n sock --force 2>"$T/err"
expect_eq "ctstop --force as non-root: refused too" 1 "$rc"
chmod 700 "$T" "$RUNDIR/sock"
chmod 600 "$S"
expect_match "the container was not touched" "RUNNING" "$(ct ctinfo -n sock)"

# A flood of idle connections (more than the cap) cannot delay a stop's deadline: the extra
# clients get EBUSY at once, and the kill comes on time.
conf=$(write_conf deaf "init = /sbin/testinit --ignore-all --on TERM=ignore-handled --ready /ready" \
	"shutdown_method = application")
ct ctstart -n deaf -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "deaf did not start"
for i in $(seq 80); do "$PROBE" "$RUNDIR/deaf/sock" stall >"$T/flood.$i" 2>&1 & done
# The stop comes once the cap is reached: a client past it was refused.
wait_for 30 sh -c "cat $T/flood.* | grep -q EBUSY" || fail "no connection was refused as busy"
t0=$(date +%s)
run_rc rc ct ctstop -n deaf -t 2 2>"$T/err"
secs=$(($(date +%s) - t0))
wait
expect_eq "stop under a connection flood: killed at the deadline" 3 "$rc"
[ "$secs" -ge 2 ] && [ "$secs" -lt 10 ] || fail "the flood moved the deadline: $secs s"
ok "the deadline held under the flood ($secs s)"
busy=$(cat "$T"/flood.* | grep -c EBUSY || true)
[ "$busy" -ge 1 ] || fail "no connection was refused as busy: $(cat "$T"/flood.* | sort | uniq -c)"
ok "connections over the cap got EBUSY ($busy of 80)"
rm -f "$ROOTFS/ready"

out=$(ct ctstop -n sock --force 2>&1)
expect_match "stops normally afterwards" "killed in" "$out"
assert_clean
