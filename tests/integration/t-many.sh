#!/usr/bin/env bash
# Many containers at once: ctls (text and JSON) lists them all, ctstop -n a -n b and ctstop --all
# stop them in parallel under one shared deadline, containers that are not running (a stale run
# dir) are reported and skipped, one that does not answer is an error but not the others', and
# bad usage is refused. Nothing is left behind: processes, run dirs, cgroups.
. "$(dirname "$0")/lib.sh"

N=20
CG2=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || CG2=/sys/fs/cgroup/unified

# stop ARGS...: runs ctstop, leaving its status in $rc, its stderr in $msg, its time in $ms.
stop() {
	local t0
	t0=$(date +%s%N)
	run_rc rc ct ctstop "$@" 2>"$T/stop.err"
	ms=$((($(date +%s%N) - t0) / 1000000))
	msg=$(cat "$T/stop.err")
}

# names_of TEXT: the NAME column of ctls output, one line.
names_of() { printf '%s\n' "$1" | awk 'NR > 1 { printf "%s%s", sep, $1; sep = " " }'; }
# json_field FIELD: that field of every object of ctls --json on stdin, one line.
json_field() { jq -r ".[].$1" | tr '\n' ' ' | sed 's/ $//'; }
# count REGEX TEXT: the lines of TEXT that match.
count() { printf '%s\n' "$2" | grep -Ec -- "$1" || true; }

# ---- nothing there yet
run_rc rc ct ctls >"$T/out"
expect_eq "ctls without a run dir: exit 0" 0 "$rc"
expect_eq "just the header" "NAME STATE PID KIND METHOD UPTIME MEMORY TASKS" "$(tr -s ' ' <"$T/out")"
expect_eq "ctls --json: an empty array" "[]" "$(ct ctls --json)"
stop --all
expect_eq "ctstop --all with no containers: exit 0" 0 "$rc"
expect_eq "with a note" "ctstop: no containers in $RUNDIR" "$msg"

# ---- bad usage
stop
expect_eq "neither -n nor --all: exit 1" 1 "$rc"
expect_match "says what is missing" "missing -n NAME or --all" "$msg"
stop --all -n c01
expect_eq "--all with -n: exit 1" 1 "$rc"
expect_match "says they exclude each other" "--all and -n cannot be combined" "$msg"
stop -n c01 -n 'bad/name'
expect_eq "an invalid name among several: exit 1" 1 "$rc"
expect_match "named" "invalid container name 'bad/name'" "$msg"
stop -n c01 c02
expect_eq "a stray argument: exit 1" 1 "$rc"
for tool in ctls "ctinfo -n c01" "ctfreeze -n c01" "ctunfreeze -n c01"; do
	# shellcheck disable=SC2086 # the tool and its options
	run_rc rc ct $tool extra 2>"$T/stray.err"
	expect_eq "$tool with a stray argument: exit 1" 1 "$rc"
	expect_match "$tool names it" "unexpected argument 'extra'" "$(cat "$T/stray.err")"
done
stop -n nope1 -n nope2
expect_eq "several names, none running: exit 2" 2 "$rc"
expect_match "a summary" "0 stopped gracefully, 0 killed, 2 not running, 0 errors in" "$msg"

# ---- N containers
conf=$(write_conf many "init = /sbin/testinit --on TERM=exit:0" "shutdown_method = application")
all=""
for i in $(seq -w 1 $N); do
	ct ctstart -n "c$i" -f "$conf" -d
	all="$all c$i"
done
all=${all# }
ok "$N containers started"
pid=$(ct ctinfo -n c01 --json | jq -r .init_pid)
cg=$(sed -n 's/^0::\(.*\)/\1/p' /proc/"$pid"/cgroup)
suffix=$(printf '%s' "$cg" | sed -n 's|.*/c01\(-[0-9a-f]\{8\}\)\(/.*\)\{0,1\}$|\1|p')
[ -n "$suffix" ] || fail "no cgroup suffix in '$cg'"
cgroups() { ls -d "$CG2"/ct/*"$suffix" 2>/dev/null | wc -l; }
expect_eq "each has a cgroup" "$N" "$(cgroups)"

out=$(ct ctls)
expect_eq "ctls lists them all, sorted" "$all" "$(names_of "$out")"
expect_eq "all RUNNING" "$N" "$(count '^c[0-9]+ +RUNNING +[0-9]+ +system +application ' "$out")"
json=$(ct ctls --json)
expect_eq "ctls --json lists them all" "$all" "$(printf '%s' "$json" | json_field name)"
expect_eq "all RUNNING there too" "$N" "$(printf '%s' "$json" | jq '[.[] | select(.state == "RUNNING")] | length')"
monitors=$(printf '%s' "$json" | json_field monitor_pid)
inits=$(printf '%s' "$json" | json_field init_pid)
expect_eq "ctls shows the pid ctinfo shows" "$pid" "$(printf '%s' "$json" | jq '.[0].init_pid')"
for p in $inits; do kill -0 "$p" || fail "init $p from ctls is not alive"; done
ok "every init pid shown is alive"

# ---- two by name (a repeat is stopped and reported once)
stop -n c01 -n c02 -n c01
expect_eq "ctstop -n c01 -n c02: exit 0" 0 "$rc"
expect_eq "one line each and a summary" 3 "$(printf '%s\n' "$msg" | wc -l)"
expect_eq "both stopped gracefully" 2 \
	"$(count "^ctstop: container 'c0[12]' stopped gracefully in [0-9.]+ s: init exited with status 0" "$msg")"
expect_match "summary" "^ctstop: 2 stopped gracefully, 0 killed, 0 not running, 0 errors in [0-9.]+ s$" \
	"$(printf '%s\n' "$msg" | tail -n 1)"
expect_eq "the others are still listed" "${all#c01 c02 }" "$(names_of "$(ct ctls)")"

# ---- a stale run dir: a monitor killed with SIGKILL leaves its socket behind
ct ctstart -n gone -f "$conf" -d
read -r mon gpid <"$RUNDIR/gone/pid"
kill -9 "$mon"
wait_for 10 sh -c "! kill -0 $gpid 2>/dev/null" || fail "init $gpid survived its monitor"
[ -S "$RUNDIR/gone/sock" ] || fail "expected a stale socket for this test"
out=$(ct ctls 2>"$T/err")
expect_match "ctls shows the stale one as such" "gone +stale +- " "$out"
expect_match "and says why on stderr" "container 'gone': no monitor behind the socket" "$(cat "$T/err")"
expect_eq "and the others still" $((N - 2)) "$(count 'RUNNING' "$out")"
expect_eq "in JSON too" "stale" "$(ct ctls --json 2>/dev/null | jq -r '.[] | select(.name == "gone") | .state')"

# ---- the rest, all at once
stop --all -t 10
expect_eq "ctstop --all: exit 0 (the stale one does not count)" 0 "$rc"
expect_eq "every running one stopped gracefully" $((N - 2)) \
	"$(count "^ctstop: container 'c[0-9]+' stopped gracefully in [0-9.]+ s" "$msg")"
expect_match "the stale one is reported and skipped" \
	"container 'gone' is not running: stale run directory $RUNDIR/gone, skipped" "$msg"
expect_match "summary" "^ctstop: $((N - 2)) stopped gracefully, 0 killed, 1 not running, 0 errors in [0-9.]+ s$" \
	"$(printf '%s\n' "$msg" | tail -n 1)"
[ "$ms" -lt 8000 ] || fail "stopping $((N - 2)) cooperative containers took $ms ms"
ok "in parallel: $ms ms"
# (ctstop has its answer before a monitor's last steps: each gets a moment to be gone)
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' /proc/"$1"/status 2>/dev/null; }
for p in $monitors $inits; do
	wait_for 10 gone "$p" || fail "process $p still alive"
done
ok "no monitor or init left"
expect_eq "only the stale run dir is left (and the logs, which outlive the containers)" "gone" "$(ls "$RUNDIR" | grep -v '\.log$')"
expect_eq "ctls lists just that one" "gone" "$(names_of "$(ct ctls 2>/dev/null)")"
# The next start of the name recovers the stale state (and the killed monitor's cgroup).
ct ctstart -n gone -f "$conf" -d
stop -n gone -t 10
expect_eq "restarted and stopped" 0 "$rc"
expect_eq "no cgroups left" 0 "$(cgroups)"
assert_clean

# ---- the shared deadline: containers that ignore SIGTERM among cooperative ones
for i in 1 2 3 4; do
	ct ctstart -n "deaf$i" -f "$conf" -d -- sh -c "trap '' TERM; touch /ready.$i; while :; do sleep 1; done"
done
for i in $(seq 1 8); do ct ctstart -n "coop$i" -f "$conf" -d; done
for i in 1 2 3 4; do wait_for 10 test -e "$ROOTFS/ready.$i" || fail "deaf$i did not start"; done
stop --all -t 3
expect_eq "some needed SIGKILL: exit 3" 3 "$rc"
# "At once": well before the deadline (under 3 s, with room for a loaded machine).
expect_eq "the cooperative ones stopped gracefully at once" 8 \
	"$(count "^ctstop: container 'coop[0-9]' stopped gracefully in [0-2]\.[0-9]+ s" "$msg")"
expect_eq "the deaf ones were killed at the one deadline" 4 \
	"$(count "^ctstop: container 'deaf[0-9]' killed after the timeout, 3\.[0-9]+ s" "$msg")"
expect_match "summary" "^ctstop: 8 stopped gracefully, 4 killed, 0 not running, 0 errors in [3-8]\.[0-9]+ s$" \
	"$(printf '%s\n' "$msg" | tail -n 1)"
# One after the other, four timeouts would take 12 s.
[ "$ms" -ge 3000 ] && [ "$ms" -lt 9000 ] || fail "the shared 3 s deadline took $ms ms"
ok "one deadline for all: $ms ms"
assert_clean
rm -f "$ROOTFS"/ready.*

# ---- still one deadline when there are fewer fds than containers: with a hard limit of 34 open
# files (32 kept in reserve) ctstop asks two at a time, and each later pair gets the time left.
for i in 1 2 3 4 5 6; do
	ct ctstart -n "deaf$i" -f "$conf" -d -- sh -c "trap '' TERM; touch /ready.$i; while :; do sleep 1; done"
done
for i in 1 2 3 4 5 6; do wait_for 10 test -e "$ROOTFS/ready.$i" || fail "deaf$i did not start"; done
(ulimit -n 34 && stop --all -t 3 && echo "$rc $ms" >"$T/batched")
read -r rc ms <"$T/batched"
expect_eq "batched: all needed SIGKILL, exit 3" 3 "$rc"
expect_match "batched: summary" "^ctstop: 0 stopped gracefully, 6 killed, 0 not running, 0 errors" \
	"$(tail -n 1 "$T/stop.err")"
# Three pairs with a fresh 3 s each would take 9 s; the time left (rounded up to whole seconds)
# keeps the end within a second of the one deadline.
[ "$ms" -ge 3000 ] && [ "$ms" -lt 6500 ] || fail "batched: the shared 3 s deadline took $ms ms"
ok "batched under a low fd limit, still one deadline: $ms ms"
assert_clean
rm -f "$ROOTFS"/ready.*

# ---- --force for several
ct ctstart -n f1 -f "$conf" -d
ct ctstart -n f2 -f "$conf" -d
stop -n f1 -n f2 --force
expect_eq "ctstop -k with several: exit 0" 0 "$rc"
expect_eq "both killed as asked" 2 "$(count "^ctstop: container 'f[12]' killed in [0-9.]+ s$" "$msg")"
expect_match "summary" "0 stopped gracefully, 2 killed as asked, 0 killed, 0 not running, 0 errors" "$msg"

# ---- a monitor that does not answer: unreachable in ctls, an error for ctstop, the others fine
ct ctstart -n u1 -f "$conf" -d
ct ctstart -n u2 -f "$conf" -d
read -r umon _ <"$RUNDIR/u1/pid"
kill -STOP "$umon"
run_rc rc ct ctls >"$T/out" 2>"$T/err"
expect_eq "ctls with an unreachable monitor: exit 0" 0 "$rc"
expect_match "shows it as such" "u1 +unreachable " "$(cat "$T/out")"
expect_match "and the other as running" "u2 +RUNNING " "$(cat "$T/out")"
expect_match "says why" "container 'u1': the monitor did not answer in time" "$(cat "$T/err")"
stop --all -t 10
kill -CONT "$umon"
expect_eq "ctstop --all with an unreachable monitor: exit 1" 1 "$rc"
expect_match "the other stopped" "container 'u2' stopped gracefully" "$msg"
expect_match "the error is named" "error: container 'u1': the monitor did not answer in time" "$msg"
expect_match "summary" "1 stopped gracefully, 0 killed, 0 not running, 1 error in" "$msg"
# Thawed, the monitor reads the SHUTDOWN that waited in its socket and stops.
wait_for 20 test ! -e "$RUNDIR/u1" || fail "u1 did not stop once its monitor ran again"
ok "u1 stopped once its monitor ran again"

expect_eq "no cgroups left" 0 "$(cgroups)"
assert_clean
