#!/usr/bin/env bash
# ctexec: a command run inside a running container through its monitor, with what init has.
# Checked in both modes (privileged and user-namespaced): exit statuses, stdio over pipes (binary
# and both ways at once), -e/-w/-u, the same capabilities, seccomp, no_new_privs, cgroup and id
# mapping as init; a pty of the container's own from a terminal; refusals while frozen or not
# running; a stop never blocked by a session, which is told; a client killed mid-session (its
# command gets SIGHUP); SIGINT forwarded. Attacks: a host directory as ctexec's stdin never
# reaches the container (it gets a pipe), a TIOCSTI from a session's pty never reaches the
# operator's shell, and fds attached to requests (garbage, too many, a directory) never stay in
# the monitor.
. "$(dirname "$0")/lib.sh"
: "${CT_ESCAPE:?CT_ESCAPE must point at the static ctescape (make check sets it)}"
: "${CT_PROBE:?CT_PROBE must point at ctprobe (make check sets it)}"
cp "$CT_ESCAPE" "$ROOTFS/ctescape"
cat >>"$ROOTFS/etc/passwd" <<'PW'
alice:x:1000:1000:Alice:/home/alice:/bin/sh
PW
printf 'root:x:0:\nstaff:x:50:alice\nalice:x:1000:\n' >"$ROOTFS/etc/group"
mkdir -p "$ROOTFS/home/alice"
EXEC="$CT_BINDIR/ctexec --rundir $RUNDIR"

status_of() { # NAME PID: a /proc status field set, for comparing confinement
	grep -E '^(CapEff|CapPrm|CapBnd|Seccomp|NoNewPrivs):' "/proc/$2/status" | tr -s '\t ' ' '
}

for mode in privileged userns; do
	idmap=$([ "$mode" = privileged ] && echo none || echo auto)
	conf=$(write_conf "exec-$mode" "idmap = $idmap" "env = FROMCONF=yes" "no_new_privs = yes")
	ct ctstart -n ex -f "$conf" -d -- sleep 1000
	init=$(ct ctinfo -n ex --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')

	out=$($EXEC -n ex -- sh -c 'echo out; echo err >&2; exit 7' 2>"$T/err") && rc=0 || rc=$?
	expect_eq "$mode: exit status passes through" 7 "$rc"
	expect_eq "$mode: stdout" out "$out"
	expect_eq "$mode: stderr apart" err "$(cat "$T/err")"
	run_rc rc $EXEC -n ex -- nosuch-command 2>/dev/null
	expect_eq "$mode: not found: 127" 127 "$rc"
	run_rc rc $EXEC -n ex -- /etc/passwd 2>/dev/null
	expect_eq "$mode: not executable: 126" 126 "$rc"
	run_rc rc $EXEC -n ex -- sh -c 'kill -9 $$'
	expect_eq "$mode: killed by SIGKILL: 137" 137 "$rc"

	head -c 2000000 /dev/urandom >"$T/blob"
	expect_eq "$mode: 2 MB of binary stdin through cat, unchanged" "$(md5sum <"$T/blob")" \
		"$($EXEC -n ex -- cat <"$T/blob" | md5sum)"
	expect_eq "$mode: env from the config" yes "$($EXEC -n ex -- sh -c 'echo $FROMCONF')"
	expect_eq "$mode: -e over it, each variable once" "x y 1" \
		"$($EXEC -n ex -e FROMCONF=x -e NEW=y -- sh -c 'echo $FROMCONF $NEW $(env | grep -c ^FROMCONF=)')"
	expect_eq "$mode: -w" /home/alice "$($EXEC -n ex -w /home/alice -- sh -c pwd)"
	expect_eq "$mode: -u NAME: its ids, groups and HOME from the container's files" \
		"uid=1000(alice) gid=1000(alice) groups=50(staff) /home/alice alice" \
		"$($EXEC -n ex -u alice -- sh -c 'echo $(id) $HOME $USER')"
	expect_eq "$mode: -u UID:GID" "uid=4321 gid=50(staff)" "$($EXEC -n ex -u 4321:50 -- id)"
	run_rc rc $EXEC -n ex -u nobody-here -- id 2>"$T/err"
	expect_eq "$mode: an unknown user: 125" 125 "$rc"
	expect_match "$mode: saying so" "user 'nobody-here': not in the container's /etc/passwd" "$(cat "$T/err")"

	# What init has: the same capabilities, filter, no_new_privs, cgroup and id mapping.
	$EXEC -n ex -- sh -c 'grep -v "^0::" /proc/self/cgroup; cat /proc/self/uid_map; grep -E "^(CapEff|CapPrm|CapBnd|Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\t " " "' >"$T/exec.view"
	$EXEC -n ex -- sh -c 'grep -v "^0::" /proc/1/cgroup; cat /proc/1/uid_map; grep -E "^(CapEff|CapPrm|CapBnd|Seccomp|NoNewPrivs):" /proc/1/status | tr -s "\t " " "' >"$T/init.view"
	expect_eq "$mode: the session has init's capabilities, seccomp, no_new_privs, v1 cgroups, id map" \
		"$(cat "$T/init.view")" "$(cat "$T/exec.view")"
	expect_eq "$mode: and is in the container's cgroup2 cgroup, beside the guest's tree" \
		"0::/../helpers" "$($EXEC -n ex -- grep '^0::' /proc/self/cgroup)"
	expect_match "$mode: ... which are a filter and no_new_privs" "Seccomp: 2" "$(cat "$T/exec.view")"
	expect_match "$mode: the host sees init confined the same" "NoNewPrivs: 1" "$(status_of ex "$init")"

	# A host directory as stdin: the container gets a pipe, never the directory.
	expect_match "$mode: a host directory as ctexec's stdin reaches the container as a pipe" \
		"^pipe:" "$($EXEC -n ex -- readlink /proc/self/fd/0 </)"
	expect_eq "$mode: the command holds nothing but its stdio (3: ls's own listing)" "0 1 2 3" \
		"$($EXEC -n ex -- ls /proc/self/fd </dev/null | tr '\n' ' ' | sed 's/ $//')"

	# Sessions are counted; SIGINT to ctexec reaches the command.
	$EXEC -n ex -- sh -c 'trap "echo got-int; exit 5" INT; echo trapping; sleep 100 & wait' >"$T/int.out" 2>&1 &
	pid=$!
	wait_for 20 grep -q trapping "$T/int.out" || fail "$mode: the command never set its trap"
	wait_for 10 sh -c "$CT_BINDIR/ctinfo --rundir $RUNDIR -n ex | grep -q 'exec sessions: *1'" ||
		fail "$mode: ctinfo does not count the session"
	ok "$mode: ctinfo counts the session"
	kill -INT "$pid"
	run_rc rc wait "$pid"
	expect_eq "$mode: SIGINT forwarded: the command's trap ran" "trapping got-int 5" "$(echo $(cat "$T/int.out")) $rc"

	# A client killed mid-session: its command gets a hangup and is gone.
	$EXEC -n ex -- sleep 4242 &
	pid=$!
	wait_for 10 pgrep -f "^sleep 424[2]" >/dev/null || fail "$mode: the session's sleep never ran"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	wait_for 10 sh -c '! pgrep -f "^sleep 424[2]"' || fail "$mode: the session outlived its client"
	ok "$mode: a client killed with SIGKILL: its command got SIGHUP and is gone"

	# Refused while frozen.
	ct ctfreeze -n ex
	run_rc rc $EXEC -n ex -- true 2>"$T/err"
	expect_eq "$mode: frozen: 125" 125 "$rc"
	expect_match "$mode: saying so" "is frozen: ctunfreeze it first" "$(cat "$T/err")"
	ct ctunfreeze -n ex

	# Hostile requests with fds: none stays in the monitor, which answers on. Counted once the
	# sessions above are over in the monitor too (under load it closes theirs a moment later).
	mon=$(ct ctinfo -n ex --json | sed -n 's/.*"monitor_pid": \([0-9]*\).*/\1/p')
	wait_for 10 sh -c "$CT_BINDIR/ctinfo --rundir $RUNDIR -n ex | grep -q 'exec sessions: *0'" ||
		fail "$mode: the monitor still counts a session that ended"
	before=$(settled_fd_count "$mon")
	expect_eq "$mode: INFO with fds attached: answered" OK "$("$CT_PROBE" "$RUNDIR/ex/sock" info-fds)"
	expect_eq "$mode: EXEC with garbage and fds: refused" EBADMSG "$("$CT_PROBE" "$RUNDIR/ex/sock" exec-garbage)"
	expect_eq "$mode: EXEC with a host directory as stdin: refused" EBADF "$("$CT_PROBE" "$RUNDIR/ex/sock" exec-dir)"
	expect_eq "$mode: EXEC with too many fds: refused" EBADMSG "$("$CT_PROBE" "$RUNDIR/ex/sock" exec-manyfds)"
	# The probes' connections close as the monitor reads their ends: a leak never converges.
	wait_for 10 sh -c "[ \$(ls /proc/$mon/fd | wc -l) = $before ]" || true
	expect_eq "$mode: the monitor kept none of those fds" "$before" "$(ls "/proc/$mon/fd" | wc -l)"

	# A stop is never blocked by a session; the session is told and ends with the container.
	$EXEC -n ex -- sleep 1000 >"$T/sess.out" 2>&1 &
	pid=$!
	# Counted in the container's pid namespace: other tests beside this one run "sleep 1000" too.
	wait_for 10 sh -c "[ \$(pgrep --ns $init --nslist pid -fc '^sleep 100[0]') -ge 2 ]" ||
		fail "$mode: the session's sleep never ran"
	run_rc rc ct ctstop -n ex -t 10
	expect_eq "$mode: ctstop with a session running: graceful" 0 "$rc"
	run_rc rc wait "$pid"
	[ "$rc" = 143 ] || cat "$T/sess.out" >&2
	expect_eq "$mode: the session ended with the container (SIGTERM from ctinit)" 143 "$rc"
	expect_match "$mode: and was told" "container 'ex' is stopping" "$(cat "$T/sess.out")"
	run_rc rc $EXEC -n ex -- true 2>"$T/err"
	expect_eq "$mode: not running: 125" 125 "$rc"
	expect_match "$mode: saying so" "not running" "$(cat "$T/err")"
done

# A pty of the container's own, from a terminal: its size, a controlling terminal, the status.
conf=$(write_conf exec-tty)
ct ctstart -n tt -f "$conf" -d -- sleep 1000
out=$(timeout 60 "$CT_ESCAPE" operator -s 31x83 -- bash -c "$EXEC -n tt -- sh -c 'tty; busybox stty size; test -t 0 && echo on-a-tty; exit 3'; echo \"[ctexec: \$?]\"" 2>&1 || true)
expect_match "-t: the session's terminal is a pty of the container's devpts" "^/dev/pts/[0-9]" "$(echo "$out" | tr -d '\r' | grep /dev/)"
expect_match "-t: with the operator's size" "31 83" "$out"
expect_match "-t: as stdin" "on-a-tty" "$out"
expect_match "-t: the status passes through" '\[ctexec: 3\]' "$out"
expect_match "-t: the operator's terminal is restored" "termios after: icanon=1 echo=1" "$out"
out=$(timeout 60 "$CT_ESCAPE" operator -- bash -c "$EXEC -n tt -- /ctescape tiocsti; read -t 3 line; echo \"[shell read: \$line]\"" 2>&1 || true)
expect_match "-t: TIOCSTI from the session lands in its own pty" "tiocsti /dev/tty: pushed" "$out"
expect_match "-t: the operator's shell read nothing of it" '\[shell read: \]' "$out"
ct ctstop -n tt -t 10
assert_clean
