#!/bin/sh
# The whole test suite from a clean clone (as root): dependencies; a -Werror build with the unit
# and integration tests (the escape suite and the real Debian guests among them); a smoke run of the benchmark suite against LXC on that build (bench/run.sh
# --quick, into a temp dir; BENCH=0 skips it); the same suites under ASan+UBSan; a short run of
# every fuzz harness (FUZZ_SECONDS each, default 60). Ends with a one-line "N passed, N failed"
# summary (checks: every test reports each of its checks).
set -u
cd "$(dirname "$0")/.."
SRC=$PWD
# Each variant is built in a directory of its own (scripts/build-in.sh), never in the source tree.
BUILD=${CT_BUILD_DIR:-$SRC/build}
passed=0
failed=0

# count DIR RESULT: checks with that result (every test speaks TAP: one line per check).
count() { cat "$1"/tests/unit/*.trs "$1"/tests/integration/*.trs "$1"/scripts/*.trs 2>/dev/null | grep -Ec "^:test-result: $2"; }

show_failures() {
	for trs in "$1"/tests/unit/*.trs "$1"/tests/integration/*.trs "$1"/scripts/*.trs; do
		grep -Eq '^:test-result: (FAIL|ERROR)' "$trs" 2>/dev/null || continue
		echo "==== ${trs%.trs}.log"
		tail -n 40 "${trs%.trs}.log"
	done
}

# suite NAME DIR CONFIGURE-ARGS...: builds in BUILD/DIR and runs make check; adds to the counts.
suite() {
	name=$1 dir=$BUILD/$2
	shift 2
	echo "==== $name (in $dir)"
	rm -rf "$dir"
	scripts/build-in.sh "$dir" "$@" || { failed=$((failed + 1)); return; }
	make -C "$dir" -j"$(nproc)" check || show_failures "$dir"
	passed=$((passed + $(count "$dir" PASS)))
	failed=$((failed + $(count "$dir" '(FAIL|ERROR)')))
}

./scripts/install-deps.sh || exit 1
./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed"; exit 1; }
# bench_smoke: the benchmarks still run end to end (their figures are not judged here: a shared CI
# machine is too noisy for that; bench/run.sh fails when ct fails or leaves something behind).
bench_smoke() {
	echo "==== benchmark smoke test (bench/run.sh --quick)"
	out=$(mktemp -d) || return 1
	bench/install-deps.sh && shellcheck bench/*.sh bench/install-deps.sh &&
		CT_BINDIR=$BUILD/werror/tests/stage/usr/local/bin CT_BENCH_BINDIR=$BUILD/werror/bench \
		bench/run.sh --quick --out "$out" >"$out/run.log" 2>&1
	rc=$?
	[ $rc = 0 ] || tail -n 40 "$out/run.log"
	rm -rf "$out"
	return $rc
}

suite "build and test (-Werror)" werror --enable-werror
# step NAME COMMAND...: one more check of the build, counted as one.
step() {
	name=$1
	shift
	echo "==== $name"
	if "$@" >"$BUILD/step.log" 2>&1; then
		passed=$((passed + 1))
	else
		tail -n 40 "$BUILD/step.log"
		failed=$((failed + 1))
	fi
}
# The tarball holds everything to build and test (its own tests: a quick subset, the whole suite
# ran above), and clang builds the tree with -Werror too.
step "make distcheck" make -C "$BUILD/werror" distcheck \
	TESTS="scripts/check-layers.sh tests/unit/test_config tests/unit/test_seccomp tests/integration/t-app.sh"
step "clang -Werror build" scripts/build-in.sh "$BUILD/clang" CC=clang --enable-werror
if [ "${BENCH:-1}" != 0 ]; then
	if bench_smoke; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
# The real Debian guests boot once, above; under the sanitizers they would only repeat it.
CT_SKIP_SLOW=1 suite "build and test under ASan+UBSan" asan --enable-werror --enable-sanitizers
echo "==== fuzzing, ${FUZZ_SECONDS:-60} s per harness"
for h in config protocol seccomp; do
	[ -e "tests/fuzz/fuzz_$h.c" ] || continue
	if tests/fuzz/run.sh "${FUZZ_SECONDS:-60}" "$h"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
