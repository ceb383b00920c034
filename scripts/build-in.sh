#!/bin/sh
# scripts/build-in.sh DIR [CONFIGURE-ARG...]: configures and builds ct in DIR, a build directory
# of its own (VPATH), so that sanitizer, coverage and benchmark builds never share objects with
# each other or with an in-tree build. An in-tree build is cleaned away first (make distclean):
# automake refuses a VPATH build of a configured source tree. Quiet unless something fails.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: scripts/build-in.sh DIR [CONFIGURE-ARG...]" >&2; exit 2; }
dir=$1
shift
[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >/dev/null 2>&1) ||
	{ echo "build-in: autogen.sh failed in $src" >&2; exit 1; }
if [ -f "$src/config.status" ]; then
	if [ -n "${CT_KEEP_TREE:-}" ]; then # make coverage from that very build: not under its feet
		echo "build-in: $src holds an in-tree build; run 'make distclean' there first" >&2
		exit 1
	fi
	echo "build-in: cleaning the in-tree build of $src (make distclean) for a build in $dir" >&2
	make -C "$src" distclean >/dev/null 2>&1 || rm -f "$src/config.status"
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
(cd "$dir" && "$src/configure" "$@" >configure.out 2>&1) ||
	{ tail -n 20 "$dir/configure.out" >&2; echo "build-in: configure failed (see $dir/config.log)" >&2; exit 1; }
make -C "$dir" -j"$(nproc)" >"$dir/make.out" 2>&1 ||
	{ tail -n 40 "$dir/make.out" >&2; echo "build-in: make failed in $dir" >&2; exit 1; }
