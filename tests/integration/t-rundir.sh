#!/usr/bin/env bash
# Run dirs are trusted only when they deserve it: a run dir others can write is refused by every
# tool; a container directory, pid record or lock planted by another user is never believed (root's
# `ctstop --force` kills nothing it names, ctls does not list it); a FIFO for a pid record or a
# lock hangs nothing; a monitor socket served by another user is refused.
. "$(dirname "$0")/lib.sh"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# A victim: a root process an attacker would like root's ctstop to kill. (The background
# processes hold none of the test's output: a failure must not leave the harness waiting on them.)
sleep 1037 >/dev/null 2>&1 &
victim=$!
holder= locker=
EXTRA_CLEANUP='kill $victim $holder $locker 2>/dev/null || true'
# serve [--nobody] SOCKET [UID]: the impostor in the background ($holder), run as nobody or
# becoming UID after its bind, once it listens (waiting for the socket file alone raced the
# listen: a refused connect).
serve() {
	local as=()
	if [ "$1" = --nobody ]; then
		as=("${NOBODY[@]}")
		shift
	fi
	rm -f "$T/serve.out"
	"${as[@]}" "$CT_ESCAPE" serve "$@" >"$T/serve.out" 2>&1 &
	holder=$!
	wait_for 10 grep -q ready "$T/serve.out" || fail "the impostor socket $1 did not listen"
}

# ---- a run dir others can write (as --rundir under /tmp would be)
open_dir=$T/open
mkdir -m 1777 "$open_dir"
conf=$(write_conf r)
run_rc rc "$CT_BINDIR/ctstart" --rundir "$open_dir" -n r -f "$conf" -- true 2>"$T/err"
expect_eq "ctstart refuses a run dir others can write" 125 "$rc"
expect_match "saying why" "run dir '$open_dir' is not trusted" "$(cat "$T/err")"
run_rc rc "$CT_BINDIR/ctls" --rundir "$open_dir" 2>"$T/err"
expect_eq "so does ctls" 1 "$rc"
expect_match "saying why" "not trusted" "$(cat "$T/err")"

# ---- another user's container directory in it, a fake record naming the victim, its lock held
chmod 711 "$T" # nobody may reach the open run dir, as under /tmp
fake=$open_dir/fake
"${NOBODY[@]}" mkdir -m 0700 "$fake"
echo "$$ $victim $(awk '{print $22}' /proc/$victim/stat)" | "${NOBODY[@]}" tee "$fake/pid" >/dev/null
serve --nobody "$fake/sock"
"${NOBODY[@]}" flock "$fake/lock" sleep 30 >/dev/null 2>&1 &
locker=$!
run_rc rc timeout 20 "$CT_BINDIR/ctstop" --rundir "$open_dir" -n fake --force 2>"$T/err"
expect_eq "root's ctstop --force refuses the fake" 1 "$rc"
kill -0 "$victim" 2>/dev/null || fail "ctstop --force killed the process a fake record named"
ok "the victim named by the fake record lives"
run_rc rc timeout 20 "$CT_BINDIR/ctstop" --rundir "$open_dir" --all --force 2>"$T/err"
kill -0 "$victim" 2>/dev/null || fail "ctstop --all --force killed the process a fake record named"
ok "and with --all --force too (exit $rc)"

# ---- a root-owned run dir holding a directory of another user (nobody cannot write the run dir:
# root made it so for the test, as a careless chown would)
rd=$T/run2
mkdir -m 0755 "$rd"
mv "$fake" "$rd/fake"
kill "$holder" "$locker" 2>/dev/null || true
wait "$holder" "$locker" 2>/dev/null || true
rm -f "$rd/fake/sock" "$rd/fake/lock"
serve --nobody "$rd/fake/sock"
"${NOBODY[@]}" flock "$rd/fake/lock" sleep 30 >/dev/null 2>&1 &
locker=$!
expect_eq "ctls does not list another user's container directory" "" \
	"$("$CT_BINDIR/ctls" --rundir "$rd" --json | grep -o '"fake"' || true)"
run_rc rc timeout 20 "$CT_BINDIR/ctstop" --rundir "$rd" -n fake --force 2>"$T/err"
expect_eq "ctstop --force refuses it" 1 "$rc"
expect_match "as not trusted" "not trusted" "$(cat "$T/err")"
kill -0 "$victim" 2>/dev/null || fail "the victim was killed"
ok "the victim lives"
kill "$holder" "$locker" 2>/dev/null || true
wait "$holder" "$locker" 2>/dev/null || true
rm -rf "$rd/fake"

# ---- a monitor socket served by another user, in a root-owned directory: root binds, the
# server then runs as nobody when it listens (its SO_PEERCRED is nobody's)
mkdir -m 0700 "$rd/imp"
serve "$rd/imp/sock" 65534
run_rc rc timeout 20 "$CT_BINDIR/ctinfo" --rundir "$rd" -n imp 2>"$T/err"
expect_eq "a monitor that is neither root nor the caller is refused" 1 "$rc"
expect_match "as not trusted" "not trusted" "$(cat "$T/err")"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
rm -rf "$rd/imp"

# ---- FIFOs for the pid record and the lock hang nothing
mkdir -m 0700 "$rd/fifo"
mkfifo "$rd/fifo/pid" "$rd/fifo/lock"
run_rc rc timeout 20 "$CT_BINDIR/ctstop" --rundir "$rd" -n fifo --force 2>"$T/err"
[ "$rc" != 124 ] || fail "ctstop --force hung on a FIFO"
ok "ctstop --force does not hang on FIFOs (exit $rc)"
run_rc rc timeout 20 "$CT_BINDIR/ctls" --rundir "$rd" >/dev/null 2>&1
[ "$rc" != 124 ] || fail "ctls hung on a FIFO"
ok "nor does ctls"
rm -rf "$rd/fifo"

kill "$victim"
wait "$victim" 2>/dev/null || true
chmod 700 "$T"
rm -rf "$open_dir" "$rd"
assert_clean
