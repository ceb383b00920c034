#!/bin/sh
# The subsystem folders of src/ are layers: a file includes headers of its own folder and of
# folders below it only, so there is no include cycle between folders and each library links
# only what is below it. Says so in TAP (one check; each include that breaks this as a "#" line)
# and exits 1 if one does.
#   common < cmd < config < seccomp, cgroup < spawn < monitor < tools   (init: nothing of ours)
# Run by `make check` and usable alone: scripts/check-layers.sh [SRCDIR]
set -eu
src=${1:-$(cd "$(dirname "$0")/.." && pwd)/src}
rank() {
	case $1 in
	common) echo 0 ;; cmd) echo 1 ;; config) echo 2 ;; seccomp | cgroup) echo 3 ;;
	spawn) echo 4 ;; monitor) echo 5 ;; tools) echo 6 ;; init) echo -1 ;; *) echo 99 ;;
	esac
}
bad=0
for dir in "$src"/*/; do
	from=$(basename "$dir")
	for f in "$dir"*.c "$dir"*.h; do
		[ -e "$f" ] || continue
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			[ "$h" = ctbuild.h ] && continue
			owner=$(cd "$src" && ls -d */"$h" 2>/dev/null | head -n 1 | cut -d/ -f1)
			if [ -z "$owner" ]; then
				echo "# $f: includes \"$h\", which no folder of src/ has"
				bad=1
			elif [ "$owner" != "$from" ] && [ "$(rank "$owner")" -ge "$(rank "$from")" ]; then
				echo "# $f: includes $owner/$h: $owner is not below $from"
				bad=1
			fi
		done
	done
done
echo "1..1"
if [ "$bad" = 0 ]; then
	echo "ok 1 - each folder of src/ includes only from those below it"
else
	echo "not ok 1 - includes that go up or sideways between the folders of src/ (above)"
fi
exit $bad
