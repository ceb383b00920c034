#!/usr/bin/env bash
# Control groups: a cgroup per container (created before init runs, removed after), limits on
# whichever hierarchy carries each controller, freeze/thaw, stopping a frozen container, killing
# whatever is left in the cgroup, usage in ctinfo. Run on this host's layout (hybrid, or pure
# v2), and again with cgroup2 mounted over /sys/fs/cgroup in a private mount namespace so the
# cgroup2-only paths (cgroup.freeze, cgroup.kill) are exercised too.
. "$(dirname "$0")/lib.sh"

json() { ct ctinfo -n "$1" --json | sed -n "s/.*\"$2\": \"\{0,1\}\([^,\"]*\).*/\1/p"; }
# cgdir PID CONTROLLER: the directory of PID's cgroup for a v1 controller, or for cgroup2 ("").
cgdir() {
	local rel
	if [ -z "$2" ]; then
		rel=$(sed -n 's/^0::\(.*\)/\1/p' /proc/"$1"/cgroup)
		echo "$CG2$rel"
	else
		rel=$(sed -n "s/^[0-9]*:[^:]*\b$2\b[^:]*:\(.*\)/\1/p" /proc/"$1"/cgroup)
		echo "/sys/fs/cgroup/$2$rel"
	fi
}
CG2=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || CG2=/sys/fs/cgroup/unified
V1=no
grep -q " - cgroup .*memory" /proc/self/mountinfo && [ "$CG2" != /sys/fs/cgroup ] && V1=yes
echo "# cgroup2 at $CG2; v1 controllers: $V1"

# ---- placement, and removal after the stop
conf=$(write_conf cg "init = /sbin/testinit --on TERM=exit:0 --ready /ready" "shutdown_method = application")
ct ctstart -n cg -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "cg did not start"
pid=$(json cg init_pid)
dir=$(cgdir "$pid" "")
expect_match "init is in a cgroup of its own on cgroup2 (its payload part)" \
	"^$CG2/ct/cg-[0-9a-f]{8}/payload$" "$dir"
expect_eq "init is its only process" "$pid" "$(cat "$dir/cgroup.procs")"
ct ctstop -n cg -t 10 2>/dev/null
dir=${dir%/payload}
[ -e "$dir" ] && fail "cgroup $dir left behind"
ok "the cgroup is removed after the stop"
rm -f "$ROOTFS/ready"

# ---- freeze and thaw
conf=$(write_conf fz)
ct ctstart -n fz -f "$conf" -d -- sh -c \
	'trap "echo saved >/state; exit 0" TERM; i=0; while :; do i=$((i+1)); echo $i >/c.new; mv /c.new /c; done'
wait_for 10 test -e "$ROOTFS/c" || fail "fz did not start"
ct ctfreeze -n fz
expect_eq "ctinfo says FROZEN" FROZEN "$(json fz state)"
a=$(cat "$ROOTFS/c"); sleep 0.3; b=$(cat "$ROOTFS/c")
expect_eq "nothing runs while frozen" "$a" "$b"
ct ctfreeze -n fz
ok "freezing a frozen container is fine"
ct ctunfreeze -n fz
expect_eq "thawed: RUNNING" RUNNING "$(json fz state)"
wait_for 10 sh -c "[ \"\$(cat '$ROOTFS/c')\" != '$b' ]" || fail "still not running after the thaw"
ok "it runs again after the thaw"
run_rc rc ct ctunfreeze -n fz 2>"$T/err"
expect_eq "thawing a running container is an error" 1 "$rc"
expect_match "that says so" "is not frozen" "$(cat "$T/err")"

# ---- a graceful stop of a frozen container thaws it first; the timeout runs from the thaw
ct ctfreeze -n fz
run_rc rc ct ctstop -n fz -t 10 2>"$T/err"
expect_eq "graceful stop of a frozen container" 0 "$rc"
expect_eq "the application got to save its state" saved "$(cat "$ROOTFS/state")"
rm -f "$ROOTFS/state" "$ROOTFS/c"

# ... and --force kills it, then thaws so the kill takes effect
ct ctstart -n fz -f "$conf" -d -- sh -c 'trap "" TERM; while :; do sleep 1; done'
ct ctfreeze -n fz
run_rc rc ct ctstop -n fz --force 2>"$T/err"
expect_eq "forced stop of a frozen container" 0 "$rc"
run_rc rc ct ctinfo -n fz 2>/dev/null
expect_eq "and it is gone" 2 "$rc"

# ---- the exec method's shutdown_command runs in the container's cgroups too
conf=$(write_conf ex "init = /sbin/testinit --on TERM=exit:0 --ready /ready" "shutdown_method = exec" \
	"shutdown_command = /bin/sh -c 'cat /proc/self/cgroup >/helper.cg; cat /proc/1/cgroup >/init.cg; kill -TERM 1'")
ct ctstart -n ex -f "$conf" -d
wait_for 10 test -e "$ROOTFS/ready" || fail "ex did not start"
ct ctstop -n ex -t 10 2>/dev/null
# Both as seen inside (the cgroup namespace shows paths relative to the container's own): the
# same v1 cgroups; on cgroup2 the container's cgroup (its limits), in helpers beside the guest's
# tree (payload), which a guest that enables controllers for its subtree closes to new processes.
expect_eq "the shutdown_command was in init's v1 cgroups" "$(grep -v '^0::' "$ROOTFS/init.cg")" \
	"$(grep -v '^0::' "$ROOTFS/helper.cg")"
expect_eq "and in the container's cgroup2 cgroup, beside the guest's tree" "0::/../helpers" \
	"$(grep '^0::' "$ROOTFS/helper.cg")"
rm -f "$ROOTFS/ready" "$ROOTFS/helper.cg"
conf=$(write_conf fz)

# ---- usage in ctinfo
ct ctstart -n use -f "$conf" -d -- sh -c 'while :; do :; done'
busy() { [ "$(json use tasks)" -ge 2 ] && [ "$(json use cpu_usec)" -gt 100000 ]; }
wait_for 20 busy || fail "tasks: $(json use tasks), cpu_usec: $(json use cpu_usec)"
ok "ctinfo shows tasks and CPU time ($(json use tasks) tasks, $(json use cpu_usec) us)"
if grep -qw memory "$CG2/cgroup.controllers"; then
	[ "$(json use memory_bytes)" -gt 0 ] || fail "memory: $(json use memory_bytes)"
	ok "and memory ($(json use memory_bytes) bytes)"
	expect_match "in the text output too" "memory: +[0-9.]+ MiB" "$(ct ctinfo -n use)"
elif [ "$V1" = yes ]; then
	# Hybrid: without a limit the container joins no v1 hierarchy (a migration would cost the
	# start an RCU grace period), so the memory figure is its processes' PSS ...
	pid=$(json use init_pid)
	expect_eq "no v1 memory cgroup without a limit" "" "$(sed -n 's/^[0-9]*:memory:\(\/ct\/.*\)/\1/p' /proc/"$pid"/cgroup)"
	[ "$(json use memory_bytes)" -gt 0 ] || fail "memory without a controller: $(json use memory_bytes)"
	expect_eq "memory: the processes' PSS, said so" processes "$(json use memory_source)"
	ct ctstop -n use --force >/dev/null 2>&1
	# ... unless cgroup.v1 = all asks for every v1 hierarchy.
	conf=$(write_conf v1all "cgroup.v1 = all")
	ct ctstart -n use -f "$conf" -d -- sh -c 'while :; do :; done'
	pid=$(json use init_pid)
	expect_match "cgroup.v1 = all: init is in its v1 memory cgroup" "^/ct/use-[0-9a-f]{8}$" \
		"$(sed -n 's/^[0-9]*:memory:\(.*\)/\1/p' /proc/"$pid"/cgroup)"
	[ "$(json use memory_bytes)" -gt 0 ] || fail "memory: $(json use memory_bytes)"
	ok "and memory ($(json use memory_bytes) bytes)"
	expect_match "in the text output too" "memory: +[0-9.]+ MiB" "$(ct ctinfo -n use)"
	conf=$(write_conf fz)
fi
ct ctstop -n use --force >/dev/null 2>&1

# ---- whatever is left in the cgroup when init is gone is killed
ct ctstart -n stray -f "$conf" -d -- sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'
pid=$(json stray init_pid)
dir=$(cgdir "$pid" "")
sleep 1000 &
stray=$!
echo "$stray" >"$dir/cgroup.procs"
# ... and one hidden in a subgroup, as a guest's own manager would make.
mkdir "$dir/sub"
sleep 1000 &
hidden=$!
echo "$hidden" >"$dir/sub/cgroup.procs"
run_rc rc ct ctstop -n stray -t 10 2>/dev/null
expect_eq "graceful stop with stray processes in the cgroup" 0 "$rc"
wait $stray $hidden 2>/dev/null || true
kill -0 $stray 2>/dev/null && fail "the stray process survived"
kill -0 $hidden 2>/dev/null && fail "the process in a subgroup survived"
[ -e "${dir%/payload}" ] && fail "cgroup left behind"
ok "stray processes (a subgroup's too) were killed and the cgroup removed"

# ---- with a cgroup namespace the guest sees its payload as the root, not the limits above it
conf=$(write_conf ns "namespaces = pid mount uts ipc net cgroup")
out=$(ct ctstart -n ns -f "$conf" -- sh -c \
	'grep "^0::" /proc/self/cgroup; ls /sys/fs/cgroup | grep -c "^payload$" || true')
expect_eq "the guest's cgroup root is its payload cgroup" "0::/
0" "$out"

# ---- limits (where this host has the controllers)
if [ "$V1" = yes ] || grep -qw pids "$CG2/cgroup.controllers"; then
	conf=$(write_conf lim "cgroup.memory.max = 64M" "cgroup.pids.max = 20" "cgroup.cpu.weight = 50" \
		"cgroup.cpu.max = 50000 100000" "shutdown_method = application" \
		"init = /sbin/testinit --on TERM=exit:0 --log /lim.log --spawn 100 --ready /ready")
	ct ctstart -n lim -f "$conf" -d
	wait_for 10 test -e "$ROOTFS/ready" || fail "lim did not start"
	# (ready comes before the fork loop, which a cpu.max of half a CPU slows down)
	wait_for 20 grep -q "^spawned" "$ROOTFS/lim.log" || fail "lim's fork loop did not end"
	pid=$(json lim init_pid)
	if [ "$V1" = yes ]; then
		expect_eq "memory limit (v1)" $((64 << 20)) "$(cat "$(cgdir "$pid" memory)/memory.limit_in_bytes")"
		expect_eq "pids limit (v1)" 20 "$(cat "$(cgdir "$pid" pids)/pids.max")"
		expect_eq "cpu weight 50 as v1 shares" 512 "$(cat "$(cgdir "$pid" cpu)/cpu.shares")"
		expect_eq "cpu.max as the v1 quota" 50000 "$(cat "$(cgdir "$pid" cpu)/cpu.cfs_quota_us")"
	else
		expect_eq "memory limit (v2)" $((64 << 20)) "$(cat "$(cgdir "$pid" "")/memory.max")"
		expect_eq "pids limit (v2)" 20 "$(cat "$(cgdir "$pid" "")/pids.max")"
	fi
	tasks=$(json lim tasks)
	[ "$tasks" -le 20 ] || fail "the fork loop went past pids.max: $tasks tasks"
	expect_match "a fork loop stops at pids.max ($tasks tasks)" "spawned 19 failed 81" "$(cat "$ROOTFS/lim.log")"
	expect_eq "the container keeps answering" RUNNING "$(json lim state)"
	run_rc rc ct ctstop -n lim -t 10 2>"$T/err"
	expect_eq "and stops normally" 0 "$rc"
	rm -f "$ROOTFS/ready" "$ROOTFS/lim.log"
fi

# A limit this host cannot enforce fails the start, and ctstart -d says which and why.
if ! grep -q " - cgroup .*hugetlb" /proc/self/mountinfo && [ "$V1" = no ] &&
	! grep -qw memory "$CG2/cgroup.controllers"; then
	conf=$(write_conf nomem "cgroup.memory.max = 64M")
	run_rc rc ct ctstart -n nomem -f "$conf" -d -- true 2>"$T/err"
	expect_eq "a limit without its controller fails the start" 125 "$rc"
	expect_match "ctstart -d names the controller" "memory controller \(not available" "$(cat "$T/err")"
fi

printf 'rootfs = %s\ncgroup.memory.max = lots\n' "$ROOTFS" >"$T/bad.conf"
run_rc rc ct ctstart -n bad -f "$T/bad.conf" -- true 2>"$T/err"
expect_eq "a bad limit fails the start" 125 "$rc"
expect_match "naming file, line and key" "$T/bad.conf:2: key 'cgroup.memory.max': invalid size 'lots'" "$(cat "$T/err")"

# ---- nesting is bounded (cgroup.max.depth, .descendants on the container's cgroup, above the
# guest's root), and any depth is removed with a bounded number of fds
nest='d=/sys/fs/cgroup; i=0; while [ $i -lt 1100 ] && mkdir $d/a 2>/dev/null; do d=$d/a; i=$((i + 1)); done; echo $i'
conf=$(write_conf nest)
expect_eq "the guest nests 31 levels below its root by default" 31 "$(ct ctstart -n nest -f "$conf" -- sh -c "$nest")"
conf=$(write_conf nest2 "cgroup.max.depth = 5")
expect_eq "cgroup.max.depth = 5: 4 levels" 4 "$(ct ctstart -n nest -f "$conf" -- sh -c "$nest")"
conf=$(write_conf nest3 "cgroup.max.descendants = 10" "cgroup.max.depth = max")
expect_eq "cgroup.max.descendants = 10: payload and 9 below it" 9 \
	"$(ct ctstart -n nest -f "$conf" -- sh -c "$nest")"
# 1100 levels, as the attack had it; fds capped below the depth: the removal and the next start
# of the name work.
conf=$(write_conf deep "cgroup.max.depth = max" "cgroup.max.descendants = max")
expect_eq "with both at max, the guest nests 1100 levels" 1100 \
	"$(bash -c "ulimit -n 200; exec \"\$@\"" sh "$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n deep -f "$conf" -- sh -c "$nest")"
ok "and its cgroup was removed with at most 200 fds"
expect_eq "the name starts again" ran "$(ct ctstart -n deep -f "$conf" -- echo ran)"
printf 'rootfs = %s\ncgroup.max.depth = 1\n' "$ROOTFS" >"$T/bad-depth.conf"
run_rc rc ct ctstart -n bad -f "$T/bad-depth.conf" -- true 2>"$T/err"
expect_eq "cgroup.max.depth below 2 is refused" 125 "$rc"
expect_match "naming the key" "key 'cgroup.max.depth': invalid count '1'" "$(cat "$T/err")"

assert_clean

# ---- the same on a pure cgroup2 view: cgroup2 over /sys/fs/cgroup in a private mount namespace
if [ -z "${CT_CGROUP_V2_ONLY:-}" ] && [ "$CG2" != /sys/fs/cgroup ]; then
	# Its own TAP stream goes in as comments: one check here stands for the whole run.
	unshare -m sh -c 'mount --make-rprivate / && mount -t cgroup2 none /sys/fs/cgroup &&
		CT_CGROUP_V2_ONLY=1 exec "$0"' "$0" 2>&1 | sed 's/^/# cgroup2 only: /' ||
		fail "the pure cgroup2 run failed (its lines above)"
	ok "the pure cgroup2 run passed"
fi
