#!/usr/bin/env bash
# A container never gets the operator's terminal. The operator is a real pty (ctescape operator)
# whose session a bash leads; bash runs ctstart in the foreground, then reads a line from its
# terminal. Attacks, as reported against the old code (the container in ctstart's session, the
# host tty as its stdio and /dev/console): TIOCSTI on /dev/tty, stdio or /dev/console made the
# operator's bash run a command after ctstart exited, even with all stdio redirected; a container
# that stopped tty output (TCOOFF) wedged the monitor in a blocking write, and `ctstop -t 3` then
# failed with "monitor did not answer". Now the container gets a pty of its own, in its devpts,
# relayed by the monitor without ever blocking; init leads a session of its own.
. "$(dirname "$0")/lib.sh"
: "${CT_ESCAPE:?CT_ESCAPE must point at the static ctescape (make check sets it)}"
cp "$CT_ESCAPE" "$ROOTFS/ctescape"
CTSTART="$CT_BINDIR/ctstart --rundir $RUNDIR"

# operator ARGS... -- SCRIPT: runs bash -c SCRIPT on a fresh operator terminal; prints what the
# terminal showed.
operator() {
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	timeout 90 "$CT_ESCAPE" operator "${args[@]}" -- bash -c "$1" 2>&1 || true
}

for mode in privileged userns; do
	idmap=$([ "$mode" = privileged ] && echo none || echo auto)
	conf=$(write_conf "tty-$mode" "idmap = $idmap")
	out=$(operator -- "$CTSTART -n sti -f $conf -- /ctescape tiocsti; read -t 3 line; echo \"[shell read: \$line]\"")
	expect_match "$mode: the container pushed into its own terminal" "tiocsti /dev/console: pushed" "$out"
	expect_match "$mode: the operator's shell read nothing of it" '\[shell read: \]' "$out"
	out=$(operator -- "$CTSTART -n sti -f $conf -- /ctescape tiocsti </dev/null >$T/sti.out 2>&1; read -t 3 line; echo \"[shell read: \$line]\"")
	expect_match "$mode: stdio redirected, the shell read nothing either" '\[shell read: \]' "$out"
	expect_match "$mode: no controlling terminal in the container (its own session)" \
		"tiocsti /dev/tty: cannot open" "$(cat "$T/sti.out")"
done

# Raw mode while ctstart runs, restored after; the window size at start and on SIGWINCH.
conf=$(write_conf tty-size)
# (operator -w: the events' times count from when the container is up, not from ctstart's exec)
rm -f "$ROOTFS/ready"
out=$(operator -s 33x77 -w "$ROOTFS/ready" -m 1 -r 2:40x100 -- "$CTSTART -n size -f $conf -- sh -c 'touch /ready; busybox stty size; sleep 4; busybox stty size'")
expect_match "the container's terminal has the operator's size" "33 77" "$out"
expect_match "and follows it (SIGWINCH)" "40 100" "$out"
expect_match "the operator's terminal is raw while ctstart runs" "termios during: icanon=0 echo=0" "$out"
expect_match "and restored after" "termios after: icanon=1 echo=1" "$out"
expect_match "/dev/console is the container's pty" "^/dev/pts/0" \
	"$(operator -- "$CTSTART -n size -f $conf -- readlink /proc/self/fd/0" | tr -d '\r' | grep /dev/)"

# Started in the background of an interactive shell: the monitor is not stopped by SIGTTIN, and
# the shell's terminal keeps its mode.
rm -f "$ROOTFS/ready"
out=$(timeout 90 "$CT_ESCAPE" operator -w "$ROOTFS/ready" -m 1 -- bash -ic "set -m; $CTSTART -n bg -f $conf -- sh -c 'touch /ready; sleep 2; echo bg-done' & wait \$!; echo \"[ctstart: \$?]\"" 2>&1 || true)
expect_match "a background ctstart runs its container to the end" "bg-done" "$out"
expect_match "and exits with its status" '\[ctstart: 0\]' "$out"
expect_match "the terminal stays cooked for the shell" "termios during: icanon=1 echo=1" "$out"

# Ctrl-a q stops the container gracefully.
rm -f "$ROOTFS/ready"
out=$(operator -w "$ROOTFS/ready" -i '1:\001q' -- "$CTSTART -n esc -f $conf -- sh -c 'touch /ready; exec sleep 60'; echo \"[ctstart: \$?]\"")
expect_match "Ctrl-a q: a graceful stop (sleep got SIGTERM)" '\[ctstart: 143\]' "$out"

# A container that stops its terminal's output, and an operator terminal that stops taking it:
# a stop still works at once.
stop_while() { # NAME WHAT OPERATOR-ARGS... -- COMMAND
	local name=$1 what=$2 args=()
	shift 2
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	operator "${args[@]}" -- "$CTSTART -n $name -f $conf -- $*; echo \$? >$T/$name.rc" >"$T/$name.out" &
	local op=$!
	wait_for 20 test -S "$RUNDIR/$name/sock" || fail "$name did not start"
	sleep 2
	run_rc rc ct ctstop -n "$name" -t 3 2>"$T/$name.err"
	expect_eq "$what: ctstop -t 3 answers and stops it" 0 "$rc"
	wait "$op"
	expect_match "$what: ctstart ended" '^[0-9]+$' "$(cat "$T/$name.rc" 2>&1)"
}
stop_while tcooff "a container that stopped its own terminal" -- /ctescape tcooff
stop_while stalled "the operator's terminal stopped (XOFF) under a flood" -x 1:10 -- busybox yes

# Ctrl-C reaches the application (its terminal's foreground), not init: sleep dies of SIGINT.
rm -f "$ROOTFS/ready"
out=$(operator -w "$ROOTFS/ready" -i '1:\003' -- "$CTSTART -n intr -f $conf -- sh -c 'touch /ready; exec sleep 60'; echo \"[ctstart: \$?]\"")
expect_match "Ctrl-C interrupts the application" '\[ctstart: 130\]' "$out"

# A guest with no slave open for a while (sysvinit opens its console only to write): the relay
# goes on.
out=$(operator -- "$CTSTART -n late -f $conf -- sh -c 'exec 0<&- 1>&- 2>&-; sleep 1; echo late-line >/dev/console'")
expect_match "output after every stdio fd was closed still arrives" "late-line" "$out"

# Input from a pipe, output to the terminal: the container reads the pipe's end as end-of-file.
out=$(operator -- "echo piped-in | $CTSTART -n pipe -f $conf -- sh -c 'cat; echo after-eof'")
expect_match "piped input reaches the container" "piped-in" "$out"
expect_match "and its end too" "after-eof" "$out"

# The exec shutdown helper runs guest code: it gets the container's terminal, in a session of its
# own, never the operator's.
hconf=$(write_conf tty-helper "init = /sbin/testinit --on TERM=exit:0 --ready /ready" \
	"shutdown_method = exec" "shutdown_command = /bin/sh -c '/ctescape tiocsti; kill -TERM 1'")
rm -f "$ROOTFS/ready"
operator -- "$CTSTART -n helper -f $hconf; read -t 3 line; echo \"[shell read: \$line]\"" >"$T/helper.out" &
op=$!
wait_for 20 test -e "$ROOTFS/ready" || fail "helper container did not start"
run_rc rc ct ctstop -n helper -t 10
expect_eq "the exec helper's stop worked" 0 "$rc"
wait "$op"
expect_match "the helper had no controlling terminal" "tiocsti /dev/tty: cannot open" "$(cat "$T/helper.out")"
expect_match "its stdio was the container's terminal (the operator saw its lines)" \
	"tiocsti stdin: " "$(cat "$T/helper.out")"
expect_match "and the operator's shell read nothing" '\[shell read: \]' "$(cat "$T/helper.out")"
rm -f "$ROOTFS/ready"

# Without a terminal, init still leads its own session (field 6 of /proc/1/stat: its session).
conf=$(write_conf tty-none)
expect_eq "init leads a session of its own" 1 "$($CTSTART -n sess -f "$conf" -- cat /proc/1/stat </dev/null | cut -d' ' -f6)"

assert_clean
