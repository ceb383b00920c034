#!/usr/bin/env bash
# Setup follows no path the guest controls out of its rootfs. Attacks, as reported against the old
# path-based setup: (1) the rootfs's proc, sys and dev swapped with symlinks to host directories
# (renameat2 RENAME_EXCHANGE in a loop) while containers start: the /proc/sys guard went onto a
# decoy and the container then wrote a host sysctl; (2) mount entries whose target runs through a
# symlink out of the rootfs (data -> a host directory) made directories and files on the host;
# (3) create=file opened an existing host FIFO for writing (the start hung). Now every start either
# works with the guards in place or fails cleanly naming its step, and nothing outside the rootfs
# changes. Both modes: privileged (idmap = none) and a user namespace (idmap = auto).
. "$(dirname "$0")/lib.sh"
: "${CT_ESCAPE:?CT_ESCAPE must point at the static ctescape (make check sets it)}"

SYSCTL=vm/overcommit_ratio
# What the container reports: its /proc/sys mount, and whether writing a host-wide sysctl (its
# current value, so a success changes nothing) worked. The exchanger goes on while the container
# runs, so its "/proc" is a symlink half the time: the probe works from inside /proc/sys, once it
# got there; the mount table names the directory as it is called at that moment.
PROBE='until cd /proc/sys 2>/dev/null; do :; done; grep -E " /proc(\.x)?/sys " ../self/mounts
v=$(cat '$SYSCTL'); if echo "$v" >'$SYSCTL' 2>/dev/null; then echo SYSCTL-WRITTEN; fi; echo probed'

# Host directories the swapped-in symlinks point at: they must stay empty.
for d in proc sys dev; do
	mkdir "$T/decoy-$d"
	ln -s "$T/decoy-$d" "$ROOTFS/$d.x"
done

decoys_empty() {
	[ -z "$(find "$T"/decoy-* -mindepth 1 2>/dev/null)" ] &&
		! grep -q " $T/decoy-" /proc/self/mountinfo
}

# Puts proc, sys and dev back as directories (the exchanger may stop mid-round).
unswap() {
	local d
	for d in proc sys dev; do
		if [ -L "$ROOTFS/$d" ]; then
			mv -T "$ROOTFS/$d" "$ROOTFS/$d.tmp"
			mv -T "$ROOTFS/$d.x" "$ROOTFS/$d"
			mv -T "$ROOTFS/$d.tmp" "$ROOTFS/$d.x"
		fi
	done
}

# race MODE N NAME...: N starts while each NAME of the rootfs is swapped with NAME.x.
race() {
	local mode=$1 n=$2 conf exchanger i rc started=0 refused=0 pairs=() d
	shift 2
	for d in "$@"; do pairs+=("$d" "$d.x"); done
	conf=$(write_conf "race-$mode" "idmap = $([ "$mode" = privileged ] && echo none || echo auto)")
	"$CT_ESCAPE" exchange "$ROOTFS" "${pairs[@]}" >"$T/exchange.out" &
	exchanger=$!
	wait_for 10 grep -q ready "$T/exchange.out" || fail "the exchanger did not start"
	for ((i = 0; i < n; i++)); do
		run_rc rc timeout 30 "$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n "race$i" -f "$conf" \
			-- sh -c "$PROBE" >"$T/race.out" 2>"$T/race.err"
		if [ "$rc" = 0 ]; then
			started=$((started + 1))
			grep -Eq '^proc /proc(\.x)?/sys proc ro,' "$T/race.out" ||
				{ kill "$exchanger"; fail "$mode: started without the read-only /proc/sys: $(cat "$T/race.out")"; }
			! grep -q SYSCTL-WRITTEN "$T/race.out" ||
				{ kill "$exchanger"; fail "$mode: the container wrote a host sysctl"; }
		else
			refused=$((refused + 1))
			[ "$rc" = 125 ] && grep -Eq "setup step '[^']+' \([^)]*\) failed" "$T/race.err" ||
				{ kill "$exchanger"; fail "$mode: start $i ended $rc: $(cat "$T/race.out" "$T/race.err")"; }
		fi
		decoys_empty || { kill "$exchanger"; fail "$mode: start $i put something into a decoy: $(find "$T"/decoy-*)"; }
	done
	kill "$exchanger"
	wait "$exchanger" 2>/dev/null || true
	unswap
	echo "# $mode: $started of $n starts worked with every guard, $refused failed cleanly"
	[ "$refused" -gt 0 ] || fail "$mode: no start met a swap: the race was not run"
	ok "$mode: $n starts against a rootfs swapping $* for symlinks out of it: nothing outside changed"
}

race privileged 50 proc
race privileged 25 proc sys dev
race userns 25 proc sys dev

# ---- mount targets through symlinks that lead out of the rootfs
mkdir "$T/hostdir"
mkfifo "$T/hostfifo"
ln -s "$T/hostdir" "$ROOTFS/data"
ln -s "$T/hostfifo" "$ROOTFS/fifo"
for mode in privileged userns; do
	idmap=$([ "$mode" = privileged ] && echo none || echo auto)
	for entry in "tmpfs /data/sub tmpfs create=dir" "/etc/hostname /data/file none bind,ro,create=file" \
		"/etc/hostname /fifo none bind,ro,create=file"; do
		conf=$(write_conf "link-$mode" "idmap = $idmap" "mount = $entry")
		run_rc rc timeout 20 "$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n link -f "$conf" -- true 2>"$T/link.err"
		expect_eq "$mode: '$entry' through a symlink to the host: the start fails" 125 "$rc"
		expect_match "$mode: naming the mount" "setup step 'mount' \(/(data/sub|data/file|fifo)\) failed" \
			"$(cat "$T/link.err")"
		[ -z "$(ls -A "$T/hostdir")" ] || fail "$mode: '$entry' made $(ls -A "$T/hostdir") on the host"
		[ -p "$T/hostfifo" ] || fail "$mode: the host FIFO was replaced"
	done
	ok "$mode: the host directory stayed empty, the host FIFO was never opened"
done

# The same symlink, with its target present inside the rootfs: followed there, inside.
mkdir -p "$ROOTFS$T/hostdir"
for mode in privileged userns; do
	idmap=$([ "$mode" = privileged ] && echo none || echo auto)
	conf=$(write_conf "inside-$mode" "idmap = $idmap" "mount = tmpfs /data/sub tmpfs create=dir" \
		"mount = /etc/hostname /data/file none bind,ro,create=file")
	run_rc rc ct ctstart -n inside -f "$conf" -- sh -c 'cat /proc/self/mounts' >"$T/inside.out"
	expect_eq "$mode: a symlink inside the rootfs is followed inside it" 0 "$rc"
	expect_match "$mode: the tmpfs is where the symlink leads in the container" \
		"^tmpfs $T/hostdir/sub tmpfs" "$(cat "$T/inside.out")"
	expect_match "$mode: so is the file" " $T/hostdir/file " "$(cat "$T/inside.out")"
	[ -d "$ROOTFS$T/hostdir/sub" ] && [ -f "$ROOTFS$T/hostdir/file" ] ||
		fail "$mode: the targets were not made inside the rootfs"
	[ -z "$(ls -A "$T/hostdir")" ] || fail "$mode: a target was made on the host"
	ok "$mode: targets made inside the rootfs only"
	rm -rf "$ROOTFS$T/hostdir/sub" "$ROOTFS$T/hostdir/file"
done

# A FIFO inside the rootfs as a create=file target: bound over, never opened.
mkfifo "$ROOTFS/ownfifo"
conf=$(write_conf ownfifo "mount = /etc/hostname /ownfifo none bind,ro,create=file")
run_rc rc timeout 20 "$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n ownfifo -f "$conf" -- sh -c 'cat /ownfifo' >"$T/ownfifo.out"
expect_eq "create=file on the rootfs's own FIFO: no hang, the bind is there" "0 $(cat /etc/hostname)" \
	"$rc $(cat "$T/ownfifo.out")"

# ---- tmpcopyup: the tmpfs starts with what the image has there (owners, modes, times, links as
# links, a FIFO), nothing mounted below it (a tmpfs, and a bind from the rootfs's own file
# system), and writes to it never reach the image. A symlink to a host path is copied as a
# link: nothing of the host is read. Read-only: filled, then read-only. A target create=dir
# makes keeps the tmpfs's own mode; set-id bits from a nosuid source are dropped; a target
# that leads into /proc is refused.
echo "host secret" >"$T/secret"
mkdir -p "$ROOTFS/seed/d" "$ROOTFS/seed/inner" "$ROOTFS/seed/bound" "$T/bindsrc" "$T/suid"
echo from-bind >"$T/bindsrc/x"
echo seed-a >"$ROOTFS/seed/a"
echo deep >"$ROOTFS/seed/d/b"
chown 1000:1000 "$ROOTFS/seed/a" && chmod 640 "$ROOTFS/seed/a"
chown 0:50 "$ROOTFS/seed/d" && chmod 750 "$ROOTFS/seed/d"
chmod 1777 "$ROOTFS/seed"
touch -d '2001-02-03 04:05:06' "$ROOTFS/seed/d/b"
ln -s "$T/secret" "$ROOTFS/seed/host"
mkfifo "$ROOTFS/seed/p"
cp "$ROOTFS/bin/busybox" "$T/suid/tool" && chmod 4755 "$T/suid/tool"
ln -s /proc "$ROOTFS/procdir"
for mode in privileged userns; do
	idmap=$([ "$mode" = privileged ] && echo none || echo auto)
	conf=$(write_conf "copyup-$mode" "idmap = $idmap" "mount = tmpfs /seed/inner tmpfs" \
		"mount = $T/bindsrc /seed/bound none bind" "mount = tmpfs /seed tmpfs size=1m,tmpcopyup")
	run_rc rc ct ctstart -n copyup -f "$conf" -- sh -c 'cd /seed && grep -c "^tmpfs /seed tmpfs" /proc/self/mounts &&
		stat -c "%n %F %a %u:%g" . a d d/b host p && stat -c %y d/b | cut -c1-19 && readlink host &&
		cat a d/b && ls inner bound 2>&1; echo changed > a && cat a' >"$T/copyup.out"
	expect_eq "$mode: tmpcopyup: the tmpfs holds the image's copy, the mounts below left out" "0 1
. directory 1777 0:0
a regular file 640 1000:1000
d directory 750 0:50
d/b regular file 644 0:0
host symbolic link 777 0:0
p fifo 644 0:0
2001-02-03 04:05:06
$T/secret
seed-a
deep
ls: inner: No such file or directory
ls: bound: No such file or directory
changed" "$rc $(cat "$T/copyup.out")"
	expect_eq "$mode: ... and the image's file is unchanged" seed-a "$(cat "$ROOTFS/seed/a")"
	conf=$(write_conf "copyup-ro-$mode" "idmap = $idmap" "mount = tmpfs /seed tmpfs ro,tmpcopyup" \
		"mount = tmpfs /fresh tmpfs create=dir,tmpcopyup" "mount = $T/suid /suid none bind,nosuid,create=dir" \
		"mount = tmpfs /suid tmpfs tmpcopyup")
	run_rc rc ct ctstart -n copyup -f "$conf" -- sh -c 'cat /seed/a; touch /seed/new 2>&1;
		stat -c "%a" /fresh /suid/tool' >"$T/copyup.out"
	expect_eq "$mode: tmpcopyup ro: filled, then read-only; a made target keeps tmpfs's 1777; no setuid from a nosuid source" "0 seed-a
touch: /seed/new: Read-only file system
1777
755" "$rc $(cat "$T/copyup.out")"
	[ -z "$(ls -A "$ROOTFS/fresh")" ] || fail "$mode: tmpcopyup wrote into the directory it covers"
	rmdir "$ROOTFS/fresh" # made by create=dir: the next mode makes it again
	conf=$(write_conf "copyup-proc-$mode" "idmap = $idmap" "mount = tmpfs /procdir tmpfs tmpcopyup")
	run_rc rc ct ctstart -n copyup -f "$conf" -- true 2>"$T/copyup.err"
	expect_match "$mode: tmpcopyup of a target that leads into /proc is refused" \
		"125 .*/procdir \(tmpcopyup of . \(a kernel file system\)\)" "$rc $(cat "$T/copyup.err")"
done
[ "$(stat -c %a "$T/suid/tool")" = 4755 ] || fail "tmpcopyup changed its source's mode"
conf=$(write_conf copyup-bad "mount = tmpfs /seed tmpfs size=4k,tmpcopyup")
dd if=/dev/zero of="$ROOTFS/seed/big" bs=64k count=1 2>/dev/null
run_rc rc ct ctstart -n copyup -f "$conf" -- true 2>"$T/copyup.err"
expect_match "a copy that does not fit fails the start, naming the mount and the file" \
	"125 .*/seed \(tmpcopyup of ./big\).*No space left" "$rc $(cat "$T/copyup.err")"
rm -rf "$ROOTFS/seed" "$ROOTFS/suid" "$ROOTFS/procdir"

# ---- remount entries reconfigure only file systems the config's own entries made. Reported: a
# guest's symlink (sub -> /) turned `mount = none /sub none remount,ro` into a remount of the
# superblock holding the rootfs, which went read-only for the host. The rootfs lives on a tmpfs
# of the test's own here, so a successful attack cannot reach the machine's disk.
mkdir "$T/fs"
mount -t tmpfs -o size=64m tmpfs "$T/fs"
EXTRA_CLEANUP='umount -l "$T/fs" 2>/dev/null || true'
cp -a "$ROOTFS" "$T/fs/rootfs"
ln -s / "$T/fs/rootfs/sub"
for mode in privileged userns; do
	idmap=$([ "$mode" = privileged ] && echo none || echo auto)
	for entry in "none / none remount,ro" "none /sub none remount,ro" "none /sys none remount,ro"; do
		printf 'rootfs = %s\nidmap = %s\nmount = %s\n' "$T/fs/rootfs" "$idmap" "$entry" >"$T/remount.conf"
		run_rc rc ct ctstart -n remount -f "$T/remount.conf" -- true 2>"$T/remount.err"
		expect_eq "$mode: '$entry' fails the start" 125 "$rc"
		if ! touch "$T/fs/probe" 2>/dev/null; then
			mount -o remount,rw "$T/fs"
			fail "$mode: '$entry' made the file system holding the rootfs read-only on the host"
		fi
	done
	ok "$mode: the host's file systems stayed read-write"
	printf 'rootfs = %s\nidmap = %s\nmount = tmpfs /vol tmpfs create=dir\nmount = none /vol none remount,ro\n' \
		"$T/fs/rootfs" "$idmap" >"$T/remount.conf"
	expect_match "$mode: a remount of the config's own tmpfs works" "Read-only" \
		"$(ct ctstart -n remount -f "$T/remount.conf" -- touch /vol/x 2>&1 || true)"
	printf 'rootfs = %s\nidmap = %s\nmount = tmpfs /vol tmpfs create=dir\nmount = none /vol none bind,remount,ro\nmount = none /vol none bind,remount,nosuid\n' \
		"$T/fs/rootfs" "$idmap" >"$T/remount.conf"
	run_rc rc ct ctstart -n remount -f "$T/remount.conf" -- touch /vol/x
	expect_eq "$mode: a bind remount sets exactly its flags (nosuid clears the earlier ro)" 0 "$rc"
done

# ---- a rootfs and a bind source on a shared mount (Docker's data-root is one). The detached
# copies setup makes were peers of the host's mounts: pivot_root refused the shared root
# (EINVAL: the start failed), and a mount the guest made in a bind would have appeared on the
# host. The copies are private now.
mount --make-shared "$T/fs"
mkdir -p "$T/fs/share/x"
printf 'rootfs = %s\nidmap = none\n' "$T/fs/rootfs" >"$T/shared.conf"
run_rc rc ct ctstart -n shared -f "$T/shared.conf" -- true
expect_eq "privileged: a rootfs on a shared mount starts" 0 "$rc"
# (privileged mode keeps mount(2) from the guest: the user namespace's root mounts)
printf 'rootfs = %s\nmount = %s /share none rbind,create=dir\n' "$T/fs/rootfs" "$T/fs/share" \
	>"$T/shared.conf"
run_rc rc ct ctstart -n shared -f "$T/shared.conf" -- sh -c \
	'mount -t tmpfs inside /share/x && grep -c " /share/x " /proc/self/mounts' >"$T/shared.out" 2>&1
expect_eq "userns: a rootfs on a shared mount starts; the guest mounts in its bind" "0 1" \
	"$rc $(cat "$T/shared.out")"
! grep -q " $T/fs/share/x " /proc/self/mountinfo ||
	fail "userns: the guest's mount in its bind propagated to the host"
ok "userns: nothing the guest mounted reached the host"
umount -R "$T/fs"
EXTRA_CLEANUP=

assert_clean
