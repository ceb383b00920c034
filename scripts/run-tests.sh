#!/bin/sh
# The whole test suite from a clean clone (as root): dependencies; a -Werror build with the unit
# and integration tests (the escape suite and the real Debian guests among them); a smoke run of the benchmark suite against LXC on that build (bench/run.sh
# --quick, into a temp dir; BENCH=0 skips it); the same suites under ASan+UBSan; a short run of
# every fuzz harness (FUZZ_SECONDS each, default 60). Ends with a one-line "N passed, N failed"
# summary.
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0

count() { cat tests/unit/*.trs tests/integration/*.trs 2>/dev/null | grep -Ec "^:test-result: $1"; }

show_failures() {
	for trs in tests/unit/*.trs tests/integration/*.trs; do
		grep -Eq '^:test-result: (FAIL|ERROR)' "$trs" 2>/dev/null || continue
		echo "==== ${trs%.trs}.log"
		tail -n 40 "${trs%.trs}.log"
	done
}

# suite NAME CONFIGURE-ARGS...: configure, build and run make check; adds to the counts.
suite() {
	name=$1
	shift
	echo "==== $name"
	[ -f Makefile ] && make distclean >/dev/null 2>&1
	./configure "$@" >/dev/null || { echo "configure failed (see config.log)"; failed=$((failed + 1)); return; }
	make -j"$(nproc)" >/dev/null 2>&1 || { make; failed=$((failed + 1)); return; }
	make -j"$(nproc)" check || show_failures
	passed=$((passed + $(count PASS)))
	failed=$((failed + $(count '(FAIL|ERROR)')))
}

./scripts/install-deps.sh || exit 1
./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed"; exit 1; }
# bench_smoke: the benchmarks still run end to end (their figures are not judged here: a shared CI
# machine is too noisy for that; bench/run.sh fails when ct fails or leaves something behind).
bench_smoke() {
	echo "==== benchmark smoke test (bench/run.sh --quick)"
	out=$(mktemp -d) || return 1
	bench/install-deps.sh && shellcheck bench/*.sh bench/install-deps.sh &&
		CT_BINDIR=$PWD/tests/stage/usr/local/bin bench/run.sh --quick --out "$out" >"$out/run.log" 2>&1
	rc=$?
	[ $rc = 0 ] || tail -n 40 "$out/run.log"
	rm -rf "$out"
	return $rc
}

suite "build and test (-Werror)" --enable-werror
if [ "${BENCH:-1}" != 0 ]; then
	if bench_smoke; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
# The real Debian guests boot once, above; under the sanitizers they would only repeat it.
CT_SKIP_SLOW=1 suite "build and test under ASan+UBSan" --enable-werror --enable-sanitizers
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
