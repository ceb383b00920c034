#!/usr/bin/env bash
# User namespaces by default: init and its children run as a mapped host uid, never 0; two
# running containers get disjoint ranges; a name gets its range again (after a stop, and after
# its monitor was SIGKILLed); the stock root-owned rootfs is the container root's own through an
# idmapped mount while files keep their on-disk owners; explicit ranges and idmap = none; clear
# errors for what cannot work.
. "$(dirname "$0")/lib.sh"

json() { ct ctinfo -n "$1" --json | sed -n "s/.*\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p"; }
# host_uid PID: the effective uid of a process as the host sees it.
host_uid() { awk '/^Uid:/ {print $3}' /proc/"$1"/status; }
# base NAME: the host uid container root maps to, from ctinfo's idmap ("u 0 BASE COUNT g ...").
base() { json "$1" idmap | awk '{print $3}'; }

conf=$(write_conf ns "init = /sbin/testinit --spawn 2 --on TERM=exit:0" "shutdown_method = application")
ct ctstart -n a -f "$conf" -d
ct ctstart -n b -f "$conf" -d

a=$(base a)
b=$(base b)
expect_match "ctinfo shows the mapping" "^u 0 [0-9]+ 65536 g 0 [0-9]+ 65536$" "$(json a idmap)"
[ "$a" -ge 65536 ] || fail "container root maps to host uid $a"
ok "container a's root is host uid $a, not 0"
[ $((a + 65536)) -le "$b" ] || [ $((b + 65536)) -le "$a" ] || fail "ranges overlap: $a and $b"
ok "two running containers get disjoint ranges ($a, $b)"

pid=$(json a init_pid)
wait_for 10 sh -c "pgrep -P $pid >/dev/null" || fail "init did not fork its children"
expect_eq "init runs as the mapped uid" "$a" "$(host_uid "$pid")"
children=0
for p in $(pgrep -P "$pid"); do
	expect_eq "init's child $p runs as the mapped uid" "$a" "$(host_uid "$p")"
	children=$((children + 1))
done
[ "$children" -gt 0 ] || fail "init has no child to check"
expect_eq "inside, init is root" "0" "$(nsenter -t "$pid" -U -m -p -r -w sh -c 'id -u' 2>/dev/null ||
	echo "nsenter failed")"

# The stock root-owned rootfs is the container root's; what it creates is uid 0 on disk.
nsenter -t "$pid" -U -m -r -w sh -c 'touch /made-inside; ls -ln /bin/busybox' >"$T/ls"
expect_match "the rootfs looks root-owned inside" "^-[-rwx]+ +[0-9]+ 0 +0 " "$(cat "$T/ls")"
expect_eq "a file the container's root made is owned by uid 0 on disk" "0:0" \
	"$(stat -c %u:%g "$ROOTFS/made-inside")"
rm -f "$ROOTFS/made-inside"

# The payload cgroup is delegated to the container's root.
cg=$(awk -F: '$1 == 0 {print $3}' /proc/"$pid"/cgroup)
root=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
expect_eq "the payload cgroup belongs to the container's root" "$a" "$(stat -c %u "$root$cg")"
expect_eq "and so does its cgroup.procs" "$a" "$(stat -c %u "$root$cg/cgroup.procs")"

# A restart of a name reuses its range, also after its monitor was SIGKILLed.
ct ctstop -n a -t 10 >/dev/null
ct ctstart -n a -f "$conf" -d
expect_eq "a restarted name gets its range again" "$a" "$(base a)"
mon=$(json a monitor_pid)
pid=$(json a init_pid)
kill -9 "$mon"
wait_for 10 sh -c "! kill -0 $mon 2>/dev/null && ! kill -0 $pid 2>/dev/null" ||
	fail "the SIGKILLed monitor or its init is still there"
ct ctstart -n a -f "$conf" -d
expect_eq "after a SIGKILLed monitor too" "$a" "$(base a)"
ct ctstop -n a -t 10 >/dev/null
ct ctstop -n b -t 10 >/dev/null

# The exec shutdown helper enters init's user namespace as its root, never acting as the host's.
rm -f "$ROOTFS/ready"
conf=$(write_conf hx "init = /sbin/testinit --on TERM=exit:0 --ready /ready" "shutdown_method = exec" \
	"shutdown_command = /bin/sh -c 'cat /proc/self/uid_map >/helper.map; id -u >/helper.uid; kill -TERM 1'")
ct ctstart -n hx -f "$conf" -d
# The command's "kill -TERM 1" is dropped if init has no handler yet (no settle retry for it).
wait_for 10 test -e "$ROOTFS/ready" || fail "hx did not start"
pid=$(json hx init_pid)
init_map=$(cat /proc/"$pid"/uid_map)
ct ctstop -n hx -t 10 >/dev/null
expect_eq "the shutdown_command runs in init's user namespace" "$(echo $init_map)" \
	"$(echo $(cat "$ROOTFS/helper.map"))"
expect_eq "as its root" 0 "$(cat "$ROOTFS/helper.uid")"
expect_eq "and what it writes is root's on disk, through the idmapped rootfs" 0 \
	"$(stat -c %u "$ROOTFS/helper.uid")"
rm -f "$ROOTFS/helper.map" "$ROOTFS/helper.uid"

# Explicit ranges and privileged mode.
conf=$(write_conf ex "idmap = u 0 3000000 65536" "idmap = g 0 3100000 65536")
out=$(ct ctstart -n ex -f "$conf" -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map')
expect_eq "explicit ranges are written as given" "0 3000000 65536 0 3100000 65536" "$(echo $out)"
# Explicit ranges that overlap a running auto container's are refused (the pool blocks they
# overlap are leased like an auto container's).
conf=$(write_conf hold "init = /sbin/testinit --on TERM=exit:0" "shutdown_method = application")
ct ctstart -n hold -f "$conf" -d
h=$(base hold)
conf=$(write_conf clash "idmap = u 0 $((h + 1000)) 65536" "idmap = g 0 $((h + 1000)) 65536")
run_rc rc ct ctstart -n clash -f "$conf" -- true 2>"$T/err"
expect_eq "explicit ranges overlapping a running container's are refused" 125 "$rc"
expect_match "naming the ids" "overlap those of a running container \(host ids $h-" "$(cat "$T/err")"
ct ctstop -n hold -t 10 >/dev/null
expect_eq "and accepted once it stopped" ran "$(ct ctstart -n clash -f "$conf" -- echo ran)"
conf=$(write_conf priv "idmap = none")
out=$(ct ctstart -n priv -f "$conf" -- sh -c 'cat /proc/self/uid_map')
expect_eq "idmap = none: no user namespace" "0 0 4294967295" "$(echo $out)"

# ctshift: a rootfs shifted once runs with its range as an explicit map, not idmapped again.
make_rootfs "$T/shifted"
touch "$T/shifted/suid" && chmod 4755 "$T/shifted/suid"
"$CT_BINDIR/../sbin/ctshift" "$T/shifted" 1879048192 >"$T/shift.out"
expect_match "ctshift says what it did" "files shifted to 1879048192/1879048192, 0 left" "$(cat "$T/shift.out")"
expect_eq "owners on disk are in the range" "1879048192:1879048192" "$(stat -c %u:%g "$T/shifted/bin/busybox")"
expect_eq "set-id bits survive the chown" "4755" "$(stat -c %a "$T/shifted/suid")"
printf 'rootfs = %s\nidmap = u 0 1879048192 65536\nidmap = g 0 1879048192 65536\n' "$T/shifted" >"$T/sh.conf"
out=$(ct ctstart -n shifted -f "$T/sh.conf" -- sh -c 'stat -c %u:%g /bin/busybox; touch /new; stat -c %u /new')
expect_eq "inside, the shifted rootfs is root's" "0:0 0" "$(echo $out)"
expect_eq "and what root makes there is in the range on disk" "1879048192" "$(stat -c %u "$T/shifted/new")"
run_rc rc "$CT_BINDIR/../sbin/ctshift" "$T/shifted" 4294967290 2>"$T/err"
expect_eq "a range past the last id is refused" 1 "$rc"

# ctshift against a tree others can write: a symlink or a hardlink to a host file is never
# followed, and a user swapping files for symlinks while it runs (in the rootfs's sticky /tmp)
# cannot make it chmod or chown the host file the symlinks name.
echo secret >"$T/host-file" && chmod 600 "$T/host-file"
before=$(stat -c '%u:%g %a' "$T/host-file")
make_rootfs "$T/hostile"
chmod 1777 "$T/hostile/tmp"
ln -s "$T/host-file" "$T/hostile/etc/link"
run_rc rc "$CT_BINDIR/../sbin/ctshift" "$T/hostile" 1879048192 2>"$T/err" >/dev/null
expect_eq "a symlink to a host file: shifted itself, not followed" "$before" "$(stat -c '%u:%g %a' "$T/host-file")"
ln "$T/host-file" "$T/hostile/etc/hardlink"
run_rc rc "$CT_BINDIR/../sbin/ctshift" "$T/hostile" 1879048192 2>"$T/err" >/dev/null
expect_eq "a hardlink to a host file fails the run" 1 "$rc"
expect_match "naming the reason" "a hardlink to a file outside" "$(cat "$T/err")"
expect_eq "and the host file is untouched" "$before" "$(stat -c '%u:%g %a' "$T/host-file")"
rm "$T/hostile/etc/hardlink"
chmod 711 "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups mkdir -m 0777 "$T/hostile/tmp/d"
setpriv --reuid=65534 --regid=65534 --clear-groups "$CT_ESCAPE" swapper "$T/hostile/tmp/d" 2000 \
	"$T/host-file" >"$T/swapper.out" 2>&1 &
swapper=$!
wait_for 20 grep -q ready "$T/swapper.out" || fail "the swapper did not start: $(cat "$T/swapper.out")"
for i in 1 2 3; do
	"$CT_BINDIR/../sbin/ctshift" "$T/hostile" $((1879048192 + i * 65536)) >/dev/null 2>&1 || true
done
kill "$swapper"
wait "$swapper" 2>/dev/null || true
chmod 700 "$T"
expect_eq "a symlink swap race while ctshift runs leaves the host file alone" "$before" \
	"$(stat -c '%u:%g %a' "$T/host-file")"

# Through the idmapped rootfs, what the container's root makes is host root's on disk, set-uid
# files too: a rootfs (or a writable bind source) other host users can reach is refused.
chmod 755 "$T"
mkdir -p "$T/open" && chmod 755 "$T/open"
make_rootfs "$T/open/rootfs"
printf 'rootfs = %s/open/rootfs\n' "$T" >"$T/open.conf"
run_rc rc ct ctstart -n open -f "$T/open.conf" -- true 2>"$T/err"
expect_eq "a rootfs other users can reach is refused" 125 "$rc"
expect_match "saying why and what to do" "other users of the host can reach it.*chmod 700" "$(cat "$T/err")"
mkdir -p "$T/open/data" "$T/priv" && chmod 700 "$T/priv"
make_rootfs "$T/priv/rootfs"
printf 'rootfs = %s/priv/rootfs\nmount = %s/open/data /data none bind,create=dir\n' "$T" "$T" >"$T/b.conf"
run_rc rc ct ctstart -n bindopen -f "$T/b.conf" -- true 2>"$T/err"
expect_eq "so is a writable bind source they can reach" 125 "$rc"
expect_match "naming it" "mount source '$T/open/data': other users of the host can reach it" "$(cat "$T/err")"
sed -i 's/bind,create=dir/bind,ro,create=dir/' "$T/b.conf"
expect_eq "a read-only one is fine" ran "$(ct ctstart -n bindro -f "$T/b.conf" -- echo ran)"
chmod 700 "$T"
printf 'rootfs = %s/open/rootfs\n' "$T" >"$T/open.conf"
expect_eq "once a directory above is closed, it starts" ran "$(ct ctstart -n open -f "$T/open.conf" -- echo ran)"

# What cannot work says why.
printf 'rootfs = /sys/kernel\n' >"$T/sysfs.conf"
run_rc rc ct ctstart -n bad -f "$T/sysfs.conf" -- true 2>"$T/err"
expect_eq "a rootfs that cannot be idmapped fails the start" 125 "$rc"
expect_match "naming the file system and the ways out" \
	"rootfs '/sys/kernel' \(.*\) cannot be idmapped: set idmap = none" "$(cat "$T/err")"

# Leases are host-wide, whatever the run dir: the same name in two run dirs gets two ranges.
other=$T/run2
conf=$(write_conf lease "init = /sbin/testinit --on TERM=exit:0" "shutdown_method = application")
ct ctstart -n a -f "$conf" -d
"$CT_BINDIR/ctstart" --rundir "$other" -n a -f "$conf" -d
b2=$("$CT_BINDIR/ctinfo" --rundir "$other" -n a --json | sed -n 's/.*"idmap": "u 0 \([0-9]*\) .*/\1/p')
a=$(base a)
[ $((a + 65536)) -le "$b2" ] || [ $((b2 + 65536)) -le "$a" ] || fail "two run dirs share a range: $a, $b2"
ok "the same name in two run dirs gets disjoint ranges ($a, $b2)"
"$CT_BINDIR/ctstop" --rundir "$other" -n a -t 10 >/dev/null
ct ctstop -n a -t 10 >/dev/null

assert_clean
