#!/bin/sh
# The whole test suite from a clean clone (as root): dependencies, a -Werror build, unit and
# integration tests. Ends with a one-line "N passed, N failed" summary.
set -u
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || exit 1
./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed"; exit 1; }
./configure --enable-werror >/dev/null || { echo "configure failed (see config.log)"; exit 1; }
make -j"$(nproc)" >/dev/null || { make; exit 1; }
make -j"$(nproc)" check
rc=$?
pass=$(cat tests/unit/*.trs tests/integration/*.trs 2>/dev/null | grep -c '^:test-result: PASS')
failed=$(cat tests/unit/*.trs tests/integration/*.trs 2>/dev/null | grep -Ec '^:test-result: (FAIL|ERROR)')
if [ "$rc" != 0 ]; then
	for log in tests/unit/*.log tests/integration/*.log; do
		grep -q '^FAIL\|^ERROR' "${log%.log}.trs" 2>/dev/null || continue
		echo "==== $log"
		tail -n 40 "$log"
	done
fi
echo "$pass passed, $failed failed"
exit "$rc"
