#!/usr/bin/env bash
# Bad input fails before anything is created, with a message naming the file, line and key.
. "$(dirname "$0")/lib.sh"

# expect_bad WHAT REGEX ARGS...: ctstart exits 125 with a message matching REGEX, creates nothing.
expect_bad() {
	local what=$1 re=$2
	shift 2
	run_rc rc ct ctstart "$@" 2>"$T/err"
	[ "$rc" = 125 ] || fail "$what: exit $rc, expected 125 ($(cat "$T/err"))"
	grep -Eq -- "$re" "$T/err" || fail "$what: message '$(cat "$T/err")' does not match /$re/"
	[ ! -e "$RUNDIR/bad" ] || fail "$what: created $RUNDIR/bad"
	ok "$what"
}

printf 'rootfs = %s\nbogus = 1\n' "$ROOTFS" >"$T/unknown.conf"
expect_bad "unknown key" "$T/unknown.conf:2: key 'bogus'" -n bad -f "$T/unknown.conf" -- true

printf 'rootfs = %s\n\nshutdown_method = teleport\n' "$ROOTFS" >"$T/value.conf"
expect_bad "bad value" "$T/value.conf:3: key 'shutdown_method'" -n bad -f "$T/value.conf" -- true

printf 'hostname = x\n' >"$T/norootfs.conf"
expect_bad "missing rootfs" "$T/norootfs.conf: key 'rootfs'" -n bad -f "$T/norootfs.conf" -- true

printf 'rootfs = %s/nothere\n' "$T" >"$T/ghost.conf"
expect_bad "rootfs that does not exist" "rootfs '$T/nothere'.*No such file" -n bad \
	-f "$T/ghost.conf" -- true

printf 'rootfs = %s\nthis line has no equals\n' "$ROOTFS" >"$T/noeq.conf"
expect_bad "line without =" "$T/noeq.conf:2" -n bad -f "$T/noeq.conf" -- true

printf 'rootfs = %s\nhostname = a\nhostname = b\n' "$ROOTFS" >"$T/dup.conf"
expect_bad "duplicate key" "$T/dup.conf:3: key 'hostname'" -n bad -f "$T/dup.conf" -- true

expect_bad "missing config file" "$T/none.conf" -n bad -f "$T/none.conf" -- true
expect_bad "no default config" "no config for 'bad'" -n bad -- true
expect_bad "invalid name" "invalid container name" -n ../bad -f "$T/dup.conf" -- true
expect_bad "missing name" "missing -n NAME" -f "$T/dup.conf" -- true
expect_bad "a log file without -d" "logfile is for -d" -n bad -f "$T/dup.conf" -o "$T/x.log" -- true

for tool in ctstart ctstop ctinfo; do
	"$CT_BINDIR/$tool" --help | grep -q "^Usage: $tool" || fail "$tool --help"
	"$CT_BINDIR/$tool" --version | grep -q "^$tool (ct) " || fail "$tool --version"
done
ok "--help and --version on every tool"
run_rc rc "$CT_BINDIR/ctstop" --bogus 2>/dev/null
expect_eq "unknown option is an error" 1 "$rc"

assert_clean
