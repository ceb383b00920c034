#!/bin/sh
# The subsystem folders of src/ are layers, each with one public header:
#   common < cmd < config < seccomp, cgroup, net < spawn, oci < monitor, ctrun < tools   (init: nothing
#   of ours)
# A file includes its own folder's headers by bare name ("config-internal.h") and another
# folder's as "folder/header.h", only from a folder below its own and only that folder's public
# header (common is a toolbox: any of its headers). So there is no include cycle between folders,
# each library links only what is below it, and a folder's other headers are its own.
# Says so in TAP (one check per rule; each include that breaks one as a "#" line), exits 1 if any
# does. Run by `make check` and usable alone: scripts/check-layers.sh [SRCDIR]
set -eu
src=${1:-$(cd "$(dirname "$0")/.." && pwd)/src}
rank() {
	case $1 in
	common) echo 0 ;; cmd) echo 1 ;; config) echo 2 ;; seccomp | cgroup | net) echo 3 ;;
	spawn | oci) echo 4 ;; monitor | ctrun) echo 5 ;; tools) echo 6 ;; init) echo -1 ;; *) echo 99 ;;
	esac
}
public() {
	case $1 in
	cmd) echo cmd.h ;; config) echo config.h ;; seccomp) echo seccomp-profile.h ;;
	cgroup) echo cgroup.h ;; net) echo net.h ;; spawn) echo spawn.h ;; oci) echo oci.h ;;
	monitor) echo monitor.h ;; ctrun) echo ctrun.h ;;
	*) echo - ;;
	esac
}
up=0 private=0
for dir in "$src"/*/; do
	from=$(basename "$dir")
	for f in "$dir"*.c "$dir"*.h; do
		[ -e "$f" ] || continue
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			[ "$h" = ctbuild.h ] && continue
			case $h in
			*/*) owner=${h%%/*} name=${h#*/} ;;
			*) owner=$from name=$h ;;
			esac
			if [ ! -e "$src/$owner/$name" ]; then
				echo "# $f: includes \"$h\", which is not in src/$owner"
				up=1
			elif [ "$owner" = "$from" ]; then
				[ "$h" = "$name" ] && continue
				echo "# $f: includes its own folder's \"$h\" by path, not by name"
				private=1
			elif [ "$(rank "$owner")" -ge "$(rank "$from")" ]; then
				echo "# $f: includes $h: $owner is not below $from"
				up=1
			elif [ "$owner" != common ] && [ "$name" != "$(public "$owner")" ]; then
				echo "# $f: includes $h: $owner's public header is $(public "$owner")"
				private=1
			fi
		done
	done
done
echo "1..2"
if [ "$up" = 0 ]; then
	echo "ok 1 - each folder of src/ includes only from those below it"
else
	echo "not ok 1 - includes that go up or sideways between the folders of src/ (above)"
fi
if [ "$private" = 0 ]; then
	echo "ok 2 - another folder's headers are included only through its public header"
else
	echo "not ok 2 - includes of another folder's private headers (above)"
fi
[ "$up" = 0 ] && [ "$private" = 0 ]
