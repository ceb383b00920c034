#!/usr/bin/env bash
# ctrun on its own: the stop methods behind `kill` (org.ct.shutdown-method), the fail-fast SIGKILL
# when a method cannot reach init, exec's options, and what a bad bundle, ID, state root or
# state file, a hook that hangs, and a create killed halfway get: a clear error naming what is
# wrong, and nothing left behind (no process, cgroup, state or mount).
. "$(dirname "$0")/lib.sh"
CTRUN=$CT_BINDIR/ctrun
STATE=$T/state
B=$T/bundle
mkdir -p "$B" "$T/out"
chmod 777 "$T/out"
# Every container's cgroup is CG/ID (cgroupsPath): nothing of another run of this test is
# touched, nor is another's of this one.
CG=ct-test-$$
cgroups_left() { ls -A "/sys/fs/cgroup/unified/$CG" 2>/dev/null | grep -v '^cgroup\.\|\.' || true; }
# rt ARGS...: ctrun with the test's state root; create gets the bundle with its cgroupsPath
rt() {
	if [ "$1" = create ] && [ -f "$B/config.json" ]; then
		local id=${*: -1} dir
		dir=$T/b-$(printf %s "$id" | tr -c 'A-Za-z0-9' _)
		mkdir -p "$dir"
		sed "s|@ID@|$id|" "$B/config.json" >"$dir/config.json"
		set -- "${@/#$B/$dir}"
	fi
	"$CTRUN" --root "$STATE" "$@"
}
EXTRA_CLEANUP='for c in $(rt list -q 2>/dev/null); do rt delete --force "$c"; done 2>/dev/null || true; for d in /sys/fs/cgroup/*/"$CG"; do rmdir "$d" 2>/dev/null || true; done'

# bundle ARGS_JSON [ANNOTATIONS_JSON] [HOOKS_JSON]
bundle() {
	cat >"$B/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": { "user": { "uid": 0, "gid": 0 }, "args": $1, "env": [ "PATH=/bin:/sbin" ],
		     "cwd": "/",
		     "capabilities": { "bounding": [ "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_DAC_OVERRIDE" ],
				       "effective": [ "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_DAC_OVERRIDE" ],
				       "permitted": [ "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_DAC_OVERRIDE" ] } },
	"root": { "path": "$ROOTFS" },
	"annotations": ${2:-{\}},
	"hooks": ${3:-{\}},
	"mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" },
		    { "destination": "/out", "type": "bind", "source": "$T/out", "options": [ "rbind" ] } ],
	"linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" } ],
		   "cgroupsPath": "/$CG/@ID@" }
}
JSON
}
status_of() { rt state "$1" | tr -d ' \n\t' | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'; }
stopped() { [ "$(status_of "$1")" = stopped ]; }
up() { [ -s "$T/out/up" ]; }
# start_up ID: create and start, and wait until its process says it is up.
start_up() {
	rm -f "$T/out/up"
	rt create --bundle "$B" "$1"
	rt start "$1"
	wait_for 10 up || fail "$1 never came up"
}

expect_match "--help names the commands" "create --bundle DIR" "$("$CTRUN" --help)"
expect_match "--version" "^ctrun version" "$("$CTRUN" --version)"
run_rc rc rt frobnicate x 2>"$T/err"
expect_eq "an unknown command: exit 1" 1 "$rc"
expect_match "... named" "unknown command 'frobnicate'" "$(cat "$T/err")"
run_rc rc "$CTRUN" --systemd-cgroup list 2>"$T/err"
expect_match "--systemd-cgroup is refused, saying what to use" "not supported.*cgroupfs" "$rc $(cat "$T/err")"

# The stop methods behind kill.
TRAP='"sh", "-c", "trap \"echo TERM > /out/got; exit 0\" TERM; trap \"echo INT > /out/got; exit 0\" INT; echo up > /out/up; while :; do sleep 0.1; done"'
bundle '["sh", "-c", "echo up > /out/up; while :; do sleep 0.1; done"]'
start_up plain
rt kill plain TERM
sleep 0.5
expect_eq "no annotation: TERM is delivered as is (and init, with no handler, drops it)" running "$(status_of plain)"
rt delete --force plain

bundle '["sh", "-c", "echo up > /out/up; while :; do sleep 0.1; done"]' \
	'{ "org.ct.shutdown-method": "systemd" }'
start_up sd
rt kill sd TERM 2>"$T/err"
wait_for 5 stopped sd || fail "the systemd method on an init without a handler: still $(status_of sd)"
expect_match "the systemd method on an init that drops signal 38: said, and SIGKILLed at once" \
	"no handler for signal 38.*SIGKILL delivered instead" "$(cat "$T/err")"
rt delete sd

bundle "[$TRAP]" '{ "org.ct.shutdown-method": "application" }'
start_up app
expect_match "application: ctinit is init, the process its child" "ctinit -- sh -c trap" "$(rt ps app)"
rt kill app INT
wait_for 5 stopped app || fail "application: still $(status_of app) after INT"
expect_eq "application: the stop signal reaches the process as sent (INT: PostgreSQL's fast shutdown), through ctinit" \
	INT "$(cat "$T/out/got")"
rt delete app

rm -f "$T/out/got"
bundle "[$TRAP]" '{ "org.ct.shutdown-method": "exec", "org.ct.shutdown-command": "sh -c \"cat /proc/self/cgroup > /out/cg; sleep 2; echo by-command > /out/cmd; kill -TERM 1\"" }'
start_up ex
t0=$(date +%s%N)
rt kill ex SIGPWR | cat
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 1500 ] || fail "exec: kill waited for the command (its stdout held the reader)"
ok "exec: kill returns at once, the command detached from its stdio ($(((t1 - t0) / 1000000)) ms)"
wait_for 10 stopped ex || fail "exec: still $(status_of ex)"
expect_eq "exec: the shutdown command ran inside the container" by-command "$(cat "$T/out/cmd")"
expect_eq "exec: ... and stopped it its way" TERM "$(cat "$T/out/got")"
expect_match "exec: the command ran in the container's cgroup (its device policy and limits)" \
	"$CG/ex/" "$(cat "$T/out/cg")"
rt delete ex

# The command's stdout is init's open file itself, never a new open of /proc/PID/fd/1 as the
# host's root: an init whose fd 1 is a read-only file cannot have it written for it.
echo "secret" >"$ROOTFS/etc/secret"
chmod 644 "$ROOTFS/etc/secret"
bundle '["sh", "-c", "exec 1</etc/secret; trap \"exit 0\" TERM; echo up > /out/up; while :; do sleep 0.1; done"]' \
	'{ "org.ct.shutdown-method": "exec", "org.ct.shutdown-command": "sh -c \"echo pwned; kill -TERM 1\"" }'
start_up ro1
rt kill ro1 TERM
wait_for 10 stopped ro1 || fail "exec: still $(status_of ro1)"
expect_eq "exec: init's read-only stdout stays read-only for the command" secret "$(cat "$ROOTFS/etc/secret")"
rt delete ro1
rm -f "$ROOTFS/etc/secret"

bundle "[$TRAP]" '{ "org.ct.shutdown-method": "sysvinit" }'
start_up sv
rt kill sv TERM 2>"$T/err"
wait_for 5 stopped sv || fail "sysvinit without an initctl FIFO: still $(status_of sv)"
expect_match "sysvinit without an initctl FIFO: said, and SIGKILLed" \
	"initctl failed.*SIGKILL delivered instead" "$(cat "$T/err")"
rt delete sv

bundle "[$TRAP]" '{ "org.ct.shutdown-method": "sysvinit" }'
start_up usr
rm -f "$T/out/got"
rt kill usr USR1
sleep 0.3
expect_eq "with an annotation, a signal that is no stop signal is delivered as is" running "$(status_of usr)"
rt delete --force usr

bundle '["sh", "-c", "echo up > /out/up; sleep 100"]' '{ "org.ct.shutdown-method": "shutdown" }'
run_rc rc rt create --bundle "$B" badm 2>"$T/err"
expect_match "an unknown method is refused at create, naming the annotation" \
	"1 .*org.ct.shutdown-method 'shutdown'" "$rc $(cat "$T/err")"

# exec's options
bundle '["sh", "-c", "echo up > /out/up; sleep 100"]'
start_up ex2
expect_eq "exec --user --cwd --env" "1000 1000 /tmp bar" \
	"$(rt exec --user 1000:1000 --cwd /tmp --env FOO=bar ex2 sh -c 'echo $(id -u) $(id -g) $(pwd) $FOO')"
cat >"$T/process.json" <<'JSON'
{ "args": [ "sh", "-c", "echo $(cat /proc/self/oom_score_adj) $(ulimit -n) $(umask)" ], "cwd": "/",
  "env": [ "PATH=/bin" ], "user": { "uid": 0, "gid": 0, "umask": 63 }, "oomScoreAdj": 100,
  "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 512, "soft": 512 } ] }
JSON
expect_eq "exec --process: its oomScoreAdj, rlimits and umask" "100 512 0077" \
	"$(rt exec --process "$T/process.json" ex2)"
"$CTRUN" --root "$STATE" exec ex2 sh -c 'trap "exit 7" TERM; echo up > /out/eup; while :; do sleep 0.1; done' &
ep=$!
wait_for 10 test -s "$T/out/eup" || fail "exec: the command never came up"
kill -TERM "$ep"
run_rc rc wait "$ep"
expect_eq "exec passes the signal it gets on to the command, and ends as it did" 7 "$rc"
run_rc rc rt exec ex2 /nonexistent 2>"$T/err"
expect_eq "exec of a command that is not there: 127" 127 "$rc"
rt delete --force ex2

# linux.devices: nodes of the container's /dev with the mode and owner asked; opening one is
# linux.resources.devices' to allow (tun is, fuse is not). A path through /dev/fd (a symlink to
# /proc/self/fd) makes nothing anywhere.
DEVS='"devices": [ { "path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200, "fileMode": 416, "uid": 1000, "gid": 5 },
		   { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229 }, { "path": "/dev/fifo", "type": "p", "fileMode": 384 } ],
	   "resources": { "devices": [ { "allow": false, "access": "rwm" }, { "allow": true, "type": "c", "major": 10, "minor": 200, "access": "rw" } ] },'
bundle '["sh", "-c", "cd /dev && stat -c \"%n %F %t:%T %a %u:%g\" net/tun fuse fifo > /out/devs; (exec 3<>/dev/net/tun) 2>/dev/null && echo tun-opened >> /out/devs; (exec 3<>/dev/fuse) 2>/dev/null || echo fuse-refused >> /out/devs"]'
sed -i "s|\"linux\": {|\"linux\": { ${DEVS//$'\n'/ }|" "$B/config.json"
rt create --bundle "$B" devs
rt start devs
wait_for 10 stopped devs || fail "the devices' container never ended"
expect_eq "linux.devices: the nodes with their type, device, mode and owner; tun opens, fuse (not allowed) does not" \
	"net/tun character special file a:c8 640 1000:5
fuse character special file a:e5 666 0:0
fifo fifo 0:0 600 0:0
tun-opened
fuse-refused" "$(cat "$T/out/devs")"
rt delete devs
bundle '["true"]'
sed -i 's|"linux": {|"linux": { "devices": [ { "path": "/dev/fd/evil", "type": "c", "major": 1, "minor": 1 } ],|' "$B/config.json"
run_rc rc rt create --bundle "$B" devfd 2>"$T/err"
expect_match "a node through the /dev/fd symlink: create fails, naming it" \
	"1 .*Failed to make /dev/fd/evil .*linux.devices" "$rc $(cat "$T/err")"
[ ! -e /proc/self/fd/evil ] && [ ! -e "$T/evil" ] || fail "a node was made through the symlink"
expect_eq "... and leaves no state" "" "$(ls -A "$STATE")"

# linux.resources.memory: the limit, and memory and swap together (cgroup v1's memsw limit,
# cgroup2's swap.max the difference).
bundle '["sleep", "100"]'
sed -i 's|"linux": {|"linux": { "resources": { "memory": { "limit": 67108864, "swap": 100663296 } },|' "$B/config.json"
rt create --bundle "$B" mem
if [ -e "/sys/fs/cgroup/memory/$CG/mem/memory.limit_in_bytes" ]; then
	got="$(cat "/sys/fs/cgroup/memory/$CG/mem/memory.limit_in_bytes") $(cat "/sys/fs/cgroup/memory/$CG/mem/memory.memsw.limit_in_bytes")"
	want="67108864 100663296"
else
	got="$(cat "/sys/fs/cgroup/$CG/mem/memory.max") $(cat "/sys/fs/cgroup/$CG/mem/memory.swap.max")"
	want="67108864 33554432"
fi
expect_eq "memory.limit and memory.swap reach the memory controller" "$want" "$got"
rt delete mem

# What is wrong is named, and nothing stays.
echo '{ "ociVersion": "1.0.2", "process": ' >"$B/config.json"
run_rc rc rt create --bundle "$B" bad1 2>"$T/err"
expect_match "invalid JSON: refused, naming the file" "1 .*config.json: not valid JSON" "$rc $(cat "$T/err")"
bundle '["true"]'
sed -i 's|"cwd": "/",|"cwd": "/", "apparmorProfile": "x",|' "$B/config.json"
run_rc rc rt create --bundle "$B" bad2 2>"$T/err"
expect_match "confinement ctrun cannot give is refused, naming the field" \
	"process.apparmorProfile" "$(cat "$T/err")"
bundle '["/bin/nonexistent"]'
run_rc rc rt create --bundle "$B" bad3 2>"$T/err"
expect_match "a command that is not there fails create, as runc says it" \
	'executable file not found in \$PATH' "$(cat "$T/err")"
for id in ../escape .hidden "a/b" ""; do
	run_rc rc rt create --bundle "$B" "$id" 2>/dev/null
	[ "$rc" != 0 ] || fail "the ID '$id' was taken"
done
[ ! -e "$T/escape" ] || fail "an ID reached outside the state root"
ok "IDs with a slash, a leading dot or nothing are refused"
expect_eq "nothing of the failed creates is left (state)" "" "$(ls -A "$STATE")"
expect_eq "... nor cgroups" "" "$(cgroups_left)"

mkdir -p "$T/open" && chmod 777 "$T/open"
bundle '["sleep", "100"]'
run_rc rc "$CTRUN" --root "$T/open" create --bundle "$B" w1 2>"$T/err"
expect_match "a state root others may write to is refused" "1 .*writ" "$rc $(cat "$T/err")"

bundle '["sleep", "100"]'
rt create --bundle "$B" garbled
sed -i 's/^pid=.*/pid=1/' "$STATE/garbled/state"
run_rc rc rt kill garbled KILL 2>"$T/err"
expect_match "a state whose pid is no longer the container's (pid 1 here): never signalled, in runc's words" \
	"1 .*container not running" "$rc $(cat "$T/err")"
rt delete --force garbled
expect_eq "... delete --force still kills what is in its cgroup" "" "$(container_procs)"
rt create --bundle "$B" garbled
sed -i 's|^cgroup.v2=.*|cgroup.v2=/sys/fs/cgroup/unified/../../../etc|' "$STATE/garbled/state"
run_rc rc rt delete --force garbled 2>"$T/err"
expect_match "a state naming a cgroup outside the cgroup file systems is refused" \
	"1 .*not a path below /sys/fs/cgroup" "$rc $(cat "$T/err")"
sed -i "s|^cgroup.v2=.*|cgroup.v2=/sys/fs/cgroup/unified/$CG/garbled|" "$STATE/garbled/state"
rt delete --force garbled

bundle '["sleep", "100"]'
sed -i "s|@ID@|same|" "$B/config.json"
rt create --bundle "$B" same1
run_rc rc rt create --bundle "$B" same2 2>"$T/err"
expect_match "a cgroupsPath another container holds is refused" "1 .*cgroup: $CG/same \(it holds processes\)" \
	"$rc $(cat "$T/err")"
expect_eq "... and that container keeps it" created "$(status_of same1)"
rt delete same1

echo "host file" >"$T/victim"
ln -s "$T/victim" "$T/pidlink"
bundle '["sleep", "100"]'
rt create --bundle "$B" --pid-file "$T/pidlink" pf
expect_eq "a pid file path that is a symlink: replaced, its target untouched" "host file" "$(cat "$T/victim")"
rt delete --force pf

cat >"$T/slow-hook" <<SH
#!/bin/sh
touch "$T/hook.running"
sleep 30
SH
chmod +x "$T/slow-hook"
bundle '["sleep", "100"]' '{}' "{ \"createRuntime\": [ { \"path\": \"$T/slow-hook\", \"timeout\": 1 } ] }"
run_rc rc rt create --bundle "$B" hook1 2>"$T/err"
expect_match "a hook past its timeout is killed and fails create" "1 .*killed after its timeout of 1 s" \
	"$rc $(cat "$T/err")"
rm -f "$T/hook.running"
rt create --bundle "$B" hook2 2>/dev/null &
cr=$!
wait_for 10 test -e "$T/hook.running" || fail "the create never reached its hook"
kill -9 "$cr"
wait "$cr" 2>/dev/null || true
expect_eq "a create killed halfway (in a hook) says so" creating "$(status_of hook2)"
init2=$(rt state hook2 | tr -d ' \n\t' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
[ -n "$init2" ] && kill -0 "$init2" || fail "the killed create left no init: the check below proves nothing"
[ -d "/sys/fs/cgroup/unified/$CG/hook2" ] || fail "the killed create had made no cgroup: the check below proves nothing"
rt delete hook2
pkill -KILL -f "$T/slow-hook" 2>/dev/null || true
wait_for 5 sh -c '[ -z "$(ls -A "'"$STATE"'")" ]' || fail "state left: $(ls -A "$STATE")"
wait_for 5 sh -c "! kill -0 $init2 2>/dev/null" || fail "the killed create's init was left"
expect_eq "... and delete removes what it left: no state, no process, no cgroup" "" "$(cgroups_left)"
for d in /sys/fs/cgroup/*/"$CG"; do rmdir "$d" 2>/dev/null || true; done
assert_clean
