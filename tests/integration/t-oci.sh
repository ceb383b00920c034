#!/usr/bin/env bash
# ctrun against the runtime-tools command-line semantics: tests/oci/runtime.bats (create/start/
# state transitions, kill, delete with and without --force, the pid file, the console socket,
# hooks and their order, exit statuses, the process's settings), run against ctrun and, side
# by side, against Debian's runc and crun. ctrun must pass every check; where runc or crun
# differ, the difference must be one this file names (with why), so that a new one shows.
#
# crun 1.8.1 refuses a hybrid cgroup host whose cgroup2 hierarchy has any controller ("cgroups in
# hybrid mode not supported, drop all controllers from cgroupv2"). Its run here is made inside a
# private mount namespace where hugetlb (the only controller such hosts leave on cgroup2) is
# bound to a v1 hierarchy for the duration; it goes back to cgroup2 when that is unmounted.
. "$(dirname "$0")/lib.sh"
command -v bats >/dev/null || skip "needs bats (apt-get install bats)"
: "${CT_RECVTTY:?CT_RECVTTY must point at tests/oci/recvtty}"
SUITE=$CT_SRCDIR/tests/oci/runtime.bats

# What runc 1.1.5 does otherwise, by test name.
declare -A KNOWN_runc=(
	["hooks run in order with the state on stdin: prestart, createRuntime at create; poststart at start; poststop at delete"]="runc 1.1.5 runs poststart hooks at create, before start (runtime.md: after the process runs, before start returns)"
)
declare -A KNOWN_crun=()

OCIROOT=$T/oci-rootfs
make_rootfs "$OCIROOT"
for a in pwd head wc tty seq cut sort awk; do ln -sf busybox "$OCIROOT/bin/$a"; done
EXTRA_CLEANUP='umount "$T/hugetlb" 2>/dev/null || true'

# suite NAME RUNTIME [WRAP...]: the bats suite's TAP in $T/NAME.tap.
suite() {
	local name=$1 runtime=$2
	shift 2
	RUNTIME=$runtime ROOTFS=$OCIROOT RECVTTY=$CT_RECVTTY timeout 600 "$@" bats --tap "$SUITE" \
		>"$T/$name.tap" 2>&1 || true
}

# results NAME: "ok|not ok<TAB>test name" per test.
results() {
	sed -n -E 's/^(ok|not ok) [0-9]+ (.*)$/\1\t\2/p' "$T/$1.tap"
}

# crun's wrapper on a hybrid host (see the top). Whether its cgroup2 has hugetlb right now is
# not asked: t-podman, beside this test, may hold it on a v1 hierarchy for a while, and mounting
# it again joins that hierarchy.
CRUN_WRAP=()
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	CRUN_WRAP=(unshare -m --propagation private bash -c
		'mkdir -p "$0/hugetlb" && { mount -t cgroup -o hugetlb none "$0/hugetlb" || :; } && exec "$@"' "$T")
fi

suite ctrun "$CT_BINDIR/ctrun"
total=$(grep -c -E '^(ok|not ok) ' "$T/ctrun.tap" || true)
[ "$total" -gt 0 ] || fail "the bats suite did not run: $(tail -n 5 "$T/ctrun.tap")"
while IFS=$'\t' read -r res name; do
	[ "$res" = ok ] || fail "ctrun: $name: $(grep -A6 -F "$name" "$T/ctrun.tap" | grep '^#' | head -n 6 | tr '\n' ' ')"
	ok "ctrun: $name"
done < <(results ctrun)

# compare NAME: the other runtime's results against ctrun's, with the known differences.
compare() {
	local name=$1 res test agree=0 known=0
	local -n knownv=KNOWN_$name
	while IFS=$'\t' read -r res test; do
		if [ "$res" = ok ]; then
			agree=$((agree + 1))
		elif [ -n "${knownv[$test]:-}" ]; then
			known=$((known + 1))
			echo "# $name differs, as known: $test: ${knownv[$test]}"
		else
			fail "$name differs from ctrun, unexpectedly: $test: $(grep -A6 -F "$test" "$T/$name.tap" | grep '^#' | head -n 4 | tr '\n' ' ')"
		fi
	done < <(results "$name")
	[ $((agree + known)) = "$total" ] || fail "$name ran $((agree + known)) of $total checks: $(tail -n 3 "$T/$name.tap")"
	ok "$name $($name --version | head -n 1 | awk '{print $NF}') agrees with ctrun on $agree of $total checks; the other $known as known"
}

for rt in runc crun; do
	if ! command -v $rt >/dev/null; then
		echo "# $rt is not installed: no side-by-side run (apt-get install $rt)"
		continue
	fi
	if [ $rt = crun ]; then
		suite crun crun "${CRUN_WRAP[@]}"
	else
		suite runc runc
	fi
	if ! grep -q -E '^(ok|not ok) ' "$T/$rt.tap"; then
		echo "# $rt could not run the suite here: $(tail -n 2 "$T/$rt.tap" | tr '\n' ' ')"
		continue
	fi
	compare $rt
done

printf '# %-100s %-6s %-6s %s\n' "check" ctrun runc crun
while IFS=$'\t' read -r res name; do
	r=$(grep -F -- "$name" "$T/runc.tap" 2>/dev/null | grep -o -E '^(ok|not ok)' | head -n 1)
	c=$(grep -F -- "$name" "$T/crun.tap" 2>/dev/null | grep -o -E '^(ok|not ok)' | head -n 1)
	printf '# %-100.100s %-6s %-6s %s\n' "$name" "$res" "${r:--}" "${c:--}"
done < <(results ctrun)

left=$(ls /sys/fs/cgroup/unified/ctrun 2>/dev/null | grep '^bats-' || true)
[ -z "$left" ] || fail "cgroups left behind: $left"
assert_clean
