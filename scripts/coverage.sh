#!/bin/sh
# scripts/coverage.sh [DIR]: unit-test line coverage. Builds ct with --coverage in DIR (default
# build/coverage, never the source tree), runs the unit tests only (what runs without root), and
# prints the share of lines executed per file of src/ and per folder, the monitor's first.
# `make coverage` runs it.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$src/build/coverage}
rm -rf "$dir"
CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" "$src/scripts/build-in.sh" "$dir"
units=$(cd "$src" && ls tests/unit/test_*.c | sed 's/\.c$//' | tr '\n' ' ')
make -C "$dir" check TESTS="$units" >"$dir/check.out" 2>&1 ||
	{ tail -n 30 "$dir/check.out"; echo "coverage: unit tests failed (see $dir/check.out)" >&2; exit 1; }
cd "$dir"
for f in "$src"/src/*/*.c; do
	rel=${f#"$src"/}
	folder=$(basename "$(dirname "$f")")
	base=$(basename "$f" .c)
	gcda=$(ls src/"$folder/$base".gcda src/"$folder"/lib*_a-"$base".gcda 2>/dev/null | head -n 1)
	if [ -z "$gcda" ]; then
		echo "$rel 0 0" # never run by a unit test (or a main() of a tool)
		continue
	fi
	gcov -n -o "$(dirname "$gcda")" "$gcda" 2>/dev/null |
		awk -v file="$rel" -v want="$(basename "$f")" '
			/^File / { cur = $2; gsub(/\x27/, "", cur) }
			/^Lines executed:/ && cur ~ ("/" want "$") {
				split($2, a, ":"); sub(/%/, "", a[2]); print file, a[2], $4; exit }'
done | awk '
	{ pct[$1] = $2; n[$1] = $3; split($1, p, "/"); f = p[2]
	  tot[f] += $3; hit[f] += $2 * $3 / 100 }
	END {
		printf "%-36s %8s %6s\n", "file", "lines", "cover"
		for (k in pct) printf "%-36s %8d %5.1f%%\n", k, n[k], pct[k] | "sort"
		close("sort")
		printf "\n%-12s %8s %6s\n", "folder", "lines", "cover"
		for (f in tot) printf "%-12s %8d %5.1f%%\n", f, tot[f], tot[f] ? 100 * hit[f] / tot[f] : 0
	}'
