# Shared helpers for the integration tests: a throwaway busybox rootfs, an isolated run dir, and
# checks that nothing (processes, mounts, run-dir entries) is left behind. Sourced by t-*.sh.
# Every test speaks TAP (automake's tap-driver reports each check): "ok N - WHAT" per check,
# "not ok N - WHY" for the failure that ends it, the plan "1..N" at the end; a test that cannot
# run here says "1..0 # SKIP WHY" (without root, for one).
set -euo pipefail

TEST_NAME=$(basename "$0" .sh)
CHECKS=0
PLANNED=0

# skip WHY: the rest of this test cannot run here.
skip() {
	if [ "$CHECKS" = 0 ]; then
		echo "1..0 # SKIP $*"
		PLANNED=1
	else
		CHECKS=$((CHECKS + 1))
		echo "ok $CHECKS # SKIP $*"
	fi
	exit 0
}

fail() {
	CHECKS=$((CHECKS + 1))
	echo "not ok $CHECKS - $*"
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $*"
}

[ "$(id -u)" = 0 ] || skip "needs root (starts real containers)"

: "${CT_BINDIR:?CT_BINDIR must point at the installed tools (make check sets it)}"
: "${CT_TESTINIT:?CT_TESTINIT must point at the static test init}"
PATH="$CT_BINDIR:$PATH"
BUSYBOX=${BUSYBOX:-/bin/busybox}
# Short paths: the command socket's path must fit in sun_path (108 bytes).
T=$(mktemp -d /tmp/ct.XXXXXX)
RUNDIR=$T/run
ROOTFS=$T/rootfs

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
	ok "$1"
}

# expect_match WHAT REGEX TEXT
expect_match() {
	# (a here-string, not a pipe: grep -q stops at the first match, and a writer killed by
	# SIGPIPE would fail the pipeline under pipefail)
	grep -Eq -- "$2" <<<"$3" || fail "$1: '$3' does not match /$2/"
	ok "$1"
}

make_rootfs() {
	local dir=${1:-$ROOTFS}
	mkdir -p "$dir"/{bin,sbin,proc,sys,dev,tmp,etc,run,root}
	cp "$BUSYBOX" "$dir/bin/busybox"
	for a in sh ash true false sleep cat echo hostname ls ps kill grep wc env id \
		readlink mount stat touch rm mkdir test tr head chown dd; do
		ln -sf busybox "$dir/bin/$a"
	done
	cp "$CT_TESTINIT" "$dir/sbin/testinit"
	echo "root:x:0:0:root:/root:/bin/sh" >"$dir/etc/passwd"
}

# sysvinit_guest DIR MARKER: the Debian 12 sysvinit guest (debian-rootfs.sh) in DIR, whose
# /etc/init.d/halt, the last of runlevel 0's scripts, writes "shut down by its own scripts" to
# MARKER (a path inside the guest) when it runs. Skips the test when it cannot be built here.
sysvinit_guest() {
	local rc=0
	"$CT_SRCDIR/tests/integration/debian-rootfs.sh" sysvinit "$1" >"$T/build.log" 2>&1 || rc=$?
	[ "$rc" = 77 ] && skip "cannot build the Debian guest here: $(tail -n 1 "$T/build.log")"
	[ "$rc" = 0 ] || fail "building the guest: $(tail -n 5 "$T/build.log")"
	sed -i "1a [ \"\$1\" = stop ] && echo 'shut down by its own scripts' >$2" "$1/etc/init.d/halt"
}

# write_conf NAME [LINE...]: a config with rootfs set, more lines appended.
write_conf() {
	local name=$1
	shift
	{
		echo "rootfs = $ROOTFS"
		for line in "$@"; do echo "$line"; done
	} >"$T/$name.conf"
	echo "$T/$name.conf"
}

ct() {
	local tool=$1
	shift
	"$CT_BINDIR/$tool" --rundir "$RUNDIR" "$@"
}

# run_rc VAR CMD...: runs CMD, storing its exit status in VAR without tripping set -e.
run_rc() {
	local __var=$1
	shift
	set +e
	"$@"
	eval "$__var=\$?"
	set -e
}

# wait_for SECONDS CMD...: polls CMD (generous bounds only; never a timing assertion).
wait_for() {
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# Processes whose root is inside our rootfs: what a leaked container looks like from the host.
container_procs() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOTFS" ] && echo "${p#/proc/}"
	done
	return 0
}

# settled_fd_count PID: how many fds PID holds, once two counts 0.3 s apart agree (a monitor
# still closing a client's connection holds its fds a moment longer).
settled_fd_count() {
	local a b i
	b=$(ls "/proc/$1/fd" | wc -l)
	for i in $(seq 50); do
		a=$b
		sleep 0.3
		b=$(ls "/proc/$1/fd" | wc -l)
		[ "$a" != "$b" ] || break
	done
	echo "$b"
}

# rundir_hash DIR: FNV-1a of DIR as ct names a run dir's containers on the host (NAME-HASH).
rundir_hash() {
	local h=2166136261 i c
	for ((i = 0; i < ${#1}; i++)); do
		printf -v c '%d' "'${1:i:1}"
		h=$((((h ^ c) * 16777619) & 0xffffffff))
	done
	printf '%08x' "$h"
}

# our_leases_held: whether an id range lease of a container of this test's run dir is still
# held (an flock on a lease file under /run/ct/.idmap naming NAME-HASH).
our_leases_held() {
	local f hash
	hash=$(rundir_hash "$RUNDIR")
	for f in /run/ct/.idmap/[0-9]*; do
		[ -f "$f" ] && grep -q -- "-$hash\$" "$f" 2>/dev/null || continue
		flock -n "$f" true || return 0
	done
	return 1
}

assert_clean() {
	local procs mounts left
	procs=$(container_procs)
	[ -z "$procs" ] || fail "processes left behind: $procs"
	mounts=$(grep -c " $T" /proc/self/mountinfo || true)
	[ "$mounts" = 0 ] || fail "mounts left behind under $T"
	# (NAME.log and its rotations stay by design: the logs outlive their containers)
	if [ -d "$RUNDIR" ]; then
		left=$(ls -A "$RUNDIR" | grep -v '\.log\(\.[0-9]\)\?$' || true)
		[ -z "$left" ] || fail "run dir not empty: $left"
	fi
	# /run/ct/.idmap keeps which id range each container had (so it gets it back); none of
	# ours may still be held once every monitor is gone.
	! our_leases_held || fail "an id range lease is still held after every container stopped"
	ok "nothing left behind"
}

cleanup() {
	local rc=$?
	if [ -d "$RUNDIR" ]; then
		for d in "$RUNDIR"/*/; do
			[ -S "$d/sock" ] && "$CT_BINDIR/ctstop" --rundir "$RUNDIR" -n "$(basename "$d")" \
				--force >/dev/null 2>&1 || true
		done
	fi
	for p in $(container_procs); do kill -9 "$p" 2>/dev/null || true; done
	eval "${EXTRA_CLEANUP:-}" # a test's own leftovers (set before it makes them)
	rm -rf "$T"
	[ "$PLANNED" = 1 ] || echo "1..$CHECKS"
	if [ "$rc" = 0 ]; then
		echo "# $TEST_NAME: $CHECKS checks passed"
	fi
	exit "$rc"
}
trap cleanup EXIT

make_rootfs
