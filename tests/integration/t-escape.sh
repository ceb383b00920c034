#!/usr/bin/env bash
# Escapes, as an attacker would try them: ctescape runs as the container's root, in the default
# mode (a user namespace: idmap = auto) and in privileged mode (idmap = none), and tries the host's
# disk, a host-wide sysctl, a superblock remount, a writable /sys, the kernel log, the host's
# cgroup tree, kernel modules, raw I/O and the host's device nodes. Each attempt must print
# "blocked:", and the host side must be unchanged: the sysctl's value, the read-write state of the
# file systems, the loop image's bytes, the modes of /dev's nodes. What an attack did change is
# repaired at once (and again on exit), then reported; every attack runs even after a failure, so
# that one run shows them all. Only a loop-mounted ext4 image of the test's own is remounted or
# read as a block device: a successful attack cannot reach the machine's real disk.
. "$(dirname "$0")/lib.sh"
: "${CT_ESCAPE:?CT_ESCAPE must point at the static ctescape (make check sets it)}"

DISK=$T/disk
SYSCTL=vm/overcommit_ratio
sysctl_orig=$(cat /proc/sys/$SYSCTL)
dmesg_orig=$(cat /proc/sys/kernel/dmesg_restrict)
MARKER=ctescape-$(basename "$T")
cgroup2=$(findmnt -rn -t cgroup2 -o TARGET | head -n 1)
FAILURES=()

# The host's device nodes, "MODE PATH" a line: what a bind mount of them would let a guest change.
dev_modes() {
	local f
	for f in /dev/*; do
		{ [ -c "$f" ] || [ -b "$f" ]; } && [ ! -L "$f" ] && stat -c '%a %n' "$f"
	done
	return 0
}
dev_modes >"$T/dev.modes"
# dev_changes: what differs from that snapshot now, a node a line; a loop device that came or
# went is not counted (loop-control makes them for the losetup of tests running beside this one).
dev_changes() {
	dev_modes >"$T/dev.now"
	diff "$T/dev.modes" "$T/dev.now" | sed -n 's/^[<>] //p' | sort -k2 | awk '
		{ n[$2]++; line[$2] = line[$2] " " $1 }
		END { for (p in n) if (n[p] == 2 || p !~ /^\/dev\/loop[0-9]+$/) print p line[p] }'
	return 0
}

# Puts back what a successful attack changed; on exit as well, whatever stopped the test.
repair() {
	[ "$(cat /proc/sys/$SYSCTL)" = "$sysctl_orig" ] || echo "$sysctl_orig" >/proc/sys/$SYSCTL
	[ "$(cat /proc/sys/kernel/dmesg_restrict)" = "$dmesg_orig" ] ||
		echo "$dmesg_orig" >/proc/sys/kernel/dmesg_restrict
	if mountpoint -q "$DISK" && ! is_rw "$DISK"; then mount -o remount,rw "$DISK"; fi
	local mode path
	while read -r mode path; do
		[ "$(stat -c %a "$path" 2>/dev/null)" = "$mode" ] || chmod "$mode" "$path"
	done <"$T/dev.modes"
}

escape_cleanup() {
	local rc=$?
	set +e
	repair
	[ -n "$cgroup2" ] && rmdir "$cgroup2/$MARKER" 2>/dev/null
	# The containers are gone (foreground runs); lazily if something still holds the disk.
	mountpoint -q "$DISK" && { umount "$DISK" 2>/dev/null || umount -l "$DISK"; }
	(exit "$rc")
	cleanup
}
trap escape_cleanup EXIT

is_rw() {
	case ",$(findmnt -no OPTIONS -T "$1")," in
	*,rw,*) return 0 ;;
	*) return 1 ;;
	esac
}

# bad WHAT: records a failure and goes on, so that one run reports every attack.
bad() {
	FAILURES+=("$*")
	echo "not ok - $*"
}

# attack MODE CONF ATTACK [ARG...]: runs ctescape as the container's command; it must exit 0 with
# a "blocked:" line. Prints "# MODE: ATTACK: OUTCOME" for the record.
WRAP=() # a command ctstart runs under (the host without cgroup2, below)
attack() {
	local mode=$1 conf=$2 rc line
	shift 2
	run_rc rc "${WRAP[@]}" "$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n esc -f "$conf" -- /ctescape "$@" \
		</dev/null >"$T/out" 2>&1
	line=$(grep -E '^(blocked|ESCAPED): ' "$T/out" | tail -n 1 || true)
	echo "# $mode: $1: ${line:-exit $rc: $(tr '\n' ' ' <"$T/out")}"
	if [ "$rc" = 0 ] && [ "${line%%:*}" = blocked ]; then
		ok "$mode: $1 blocked"
	else
		bad "$mode: $1: exit $rc: ${line:-$(cat "$T/out")}"
	fi
}

# host_unchanged MODE ATTACK: what no attack may change on the host, checked after each.
host_unchanged() {
	local what="$1: $2" now changed
	now=$(cat /proc/sys/$SYSCTL)
	[ "$now" = "$sysctl_orig" ] || bad "$what: the host's $SYSCTL changed to $now"
	is_rw "$ROOTFS" || bad "$what: the file system holding the rootfs is read-only now"
	if mountpoint -q "$DISK"; then
		is_rw "$DISK" || bad "$what: the loop-mounted file system is read-only now"
	fi
	changed=$(dev_changes)
	[ -z "$changed" ] || bad "$what: the host's device nodes changed: $(echo "$changed" | tr '\n' ';')"
	repair
}

# A throwaway ext4 on a loop device, holding a second rootfs: the target of the remount attack
# and of the block device attack.
loop_disk() {
	command -v mkfs.ext4 >/dev/null || { echo "no mkfs.ext4"; return 1; }
	truncate -s 64M "$T/disk.img"
	# No lazy initialisation: nothing writes to the image while the test checks its bytes.
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$T/disk.img" ||
		{ echo "mkfs.ext4 failed"; return 1; }
	mkdir -p "$DISK"
	mount -o loop "$T/disk.img" "$DISK" 2>"$T/loop.err" || { cat "$T/loop.err"; return 1; }
	make_rootfs "$DISK/rootfs"
	cp "$CT_ESCAPE" "$DISK/rootfs/ctescape"
}

cp "$CT_ESCAPE" "$ROOTFS/ctescape"
if why=$(loop_disk 2>&1); then
	loopdev=$(findmnt -no SOURCE "$DISK")
	loop_majmin=$(findmnt -no MAJ:MIN "$DISK" | tr -d ' ')
	echo "# the loop disk: $loopdev ($loop_majmin) on $DISK"
else
	echo "# SKIP blockdev and remount: no loop-mounted ext4 here: $why"
	loopdev=
fi

# A sysfs file root may write; ctescape writes its own value back.
sysfile=
for f in /sys/kernel/mm/ksm/pages_to_scan /sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan \
	/sys/kernel/mm/ksm/sleep_millisecs; do
	[ -w "$f" ] && { sysfile=$f; break; }
done

# The kernel log is everybody's when dmesg_restrict is 0: the attack would prove nothing then.
if [ "$dmesg_orig" = 0 ]; then
	echo "# kernel.dmesg_restrict is 0 here: set to 1 for the test"
	echo 1 >/proc/sys/kernel/dmesg_restrict
fi
# A directory only the host's cgroup2 root has: a container that sees it sees the host's tree.
[ -n "$cgroup2" ] && mkdir "$cgroup2/$MARKER"

run_mode() {
	local mode=$1 conf=$2 dconf new
	new=$((sysctl_orig + 1))
	attack "$mode" "$conf" sysctl "$SYSCTL" "$new"
	host_unchanged "$mode" sysctl
	if [ -n "$sysfile" ]; then
		attack "$mode" "$conf" sysrw "$sysfile"
		host_unchanged "$mode" sysrw
	else
		echo "# $mode: sysrw: SKIP: no writable sysfs file known here"
	fi
	attack "$mode" "$conf" kmsg
	host_unchanged "$mode" kmsg
	if [ -n "$cgroup2" ]; then
		attack "$mode" "$conf" cgroup "$MARKER"
		host_unchanged "$mode" cgroup
	else
		echo "# $mode: cgroup: SKIP: the host has no cgroup2 mount"
	fi
	attack "$mode" "$conf" module
	host_unchanged "$mode" module
	attack "$mode" "$conf" rawio
	host_unchanged "$mode" rawio
	attack "$mode" "$conf" devnodes
	host_unchanged "$mode" devnodes
	[ -n "$loopdev" ] || return 0
	# The block device: nothing else uses the loop file system meanwhile, so its image must keep
	# every byte ("write" makes ctescape overwrite the unused first sector once it can read it).
	sync
	local sum
	sum=$(sha256sum <"$T/disk.img")
	# a block node in the image too, as an old rootfs tarball with a populated /dev has
	rm -f "$ROOTFS/image-blk"
	mknod "$ROOTFS/image-blk" b "${loop_majmin%:*}" "${loop_majmin#*:}"
	attack "$mode" "$conf" blockdev "$loop_majmin" write
	rm -f "$ROOTFS/image-blk"
	sync
	[ "$(sha256sum <"$T/disk.img")" = "$sum" ] || bad "$mode: blockdev: the loop image changed"
	host_unchanged "$mode" blockdev
	# The superblock remount, from a container whose rootfs is on the loop file system.
	dconf=$(sed "s|^rootfs = .*|rootfs = $DISK/rootfs|" "$conf")
	printf '%s\n' "$dconf" >"$T/$mode-disk.conf"
	attack "$mode" "$T/$mode-disk.conf" remount /
	host_unchanged "$mode" remount
}

# mode_line MODE: the config line of a mode.
mode_line() { [ "$1" = privileged ] && echo "idmap = none" || echo "# idmap = auto (the default)"; }

run_mode default "$(write_conf default)"
run_mode privileged "$(write_conf privileged "idmap = none")"

# A host with v1 hierarchies only, simulated: ctstart runs in a mount namespace of its own where
# the cgroup2 mount is gone. The device policy is then the v1 devices controller's allowlist.
if [ -n "$cgroup2" ] && [ -d /sys/fs/cgroup/devices ]; then
	WRAP=(unshare -m sh -c "umount '$cgroup2' && exec \"\$@\"" sh)
	for mode in default privileged; do
		conf=$(write_conf "v1-$mode" "$(mode_line "$mode")")
		for a in rawio kmsg devnodes; do
			attack "v1 $mode" "$conf" "$a"
			host_unchanged "v1 $mode" "$a"
		done
		if [ -n "$loopdev" ]; then
			sum=$(sha256sum <"$T/disk.img")
			attack "v1 $mode" "$conf" blockdev "$loop_majmin" write
			sync
			[ "$(sha256sum <"$T/disk.img")" = "$sum" ] || bad "v1 $mode: blockdev: the loop image changed"
			host_unchanged "v1 $mode" blockdev
		fi
	done
	WRAP=()
else
	echo "# v1-only host: SKIP: needs cgroup2 to hide and a v1 devices hierarchy"
fi

if [ -n "$loopdev" ]; then
	umount "$DISK" || fail "the loop file system is still busy"
	ok "the loop file system unmounts: nothing of the containers holds it"
fi
[ -n "$cgroup2" ] && rmdir "$cgroup2/$MARKER"
[ ${#FAILURES[@]} = 0 ] || fail "${#FAILURES[@]} escapes: $(printf '%s; ' "${FAILURES[@]}")"
assert_clean
