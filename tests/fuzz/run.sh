#!/bin/sh
# Builds the libFuzzer harnesses (clang, ASan+UBSan) and runs each for SECONDS (default 60) on a
# scratch copy of its seed corpus. Exits non-zero if any harness finds a crash, leak or UB.
# Usage: tests/fuzz/run.sh [SECONDS] [HARNESS...]   (harnesses: config protocol seccomp)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-config protocol seccomp}
out=$(mktemp -d /tmp/ct-fuzz.XXXXXX)
trap 'rm -rf "$out"' EXIT
flags="-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-D_GNU_SOURCE -include $src/tests/fuzz/ctbuild-fuzz.h
	-I$src/src"
common="$src/src/common/util.c $src/src/common/log.c $src/src/common/linefile.c"
status=0
for h in $harnesses; do
	case $h in
	config) units="$src/src/config/*.c $src/src/cmd/protocol.c"; libs="-lcap" ;;
	protocol) units="$src/src/cmd/protocol.c"; libs="" ;;
	seccomp) units="$src/src/seccomp/*.c"; libs="-lseccomp" ;;
	*) echo "fuzz: unknown harness '$h'" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	clang $flags "$src/tests/fuzz/fuzz_$h.c" $common $units $libs -o "$out/fuzz_$h"
	mkdir -p "$out/corpus_$h"
	cp "$src"/tests/fuzz/corpus/"$h"/* "$out/corpus_$h/"
	echo "== fuzz_$h: $secs s"
	supp=""
	[ "$h" = seccomp ] && supp="suppressions=$src/tests/fuzz/lsan-libseccomp.supp"
	if ! LSAN_OPTIONS="$supp" "$out/fuzz_$h" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$out/$h-" "$out/corpus_$h" >"$out/$h.log" 2>&1; then
		status=1
		tail -n 40 "$out/$h.log"
		# The whole input, to reproduce it elsewhere (base64 -d >FILE; fuzz_HARNESS FILE).
		for a in "$out/$h"-*; do
			[ -e "$a" ] && { echo "artifact: $a (base64)"; base64 -w 100 "$a"; od -c "$a" | head; }
		done
	fi
	grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$h.log" | sed "s/^/fuzz_$h: /"
done
exit $status
