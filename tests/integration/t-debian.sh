#!/usr/bin/env bash
# Real system containers: stock Debian 12 minbase root filesystems with sysvinit and with
# systemd boot under ctstart and stop cleanly with their own methods (runlevel 0 through
# /run/initctl; SIGRTMIN+4), well inside the timeout and without SIGKILL, in the default mode (a
# user namespace: init and everything below it run as an unprivileged host uid) and in privileged
# mode (idmap = none). Neither mode lets a guest change the host: Debian's halt remounts / read-only
# (tried from a rootfs on a throwaway loop-mounted ext4, which must stay read-write) and systemd
# chmods /dev/console (the host's /dev/null must keep its mode). Skipped (77) when no Debian
# mirror can be reached to build the root filesystems, or with CT_SKIP_SLOW=1 (CI runs it once,
# not again under the sanitizer build).
. "$(dirname "$0")/lib.sh"
[ "${CT_SKIP_SLOW:-0}" != 1 ] || skip "CT_SKIP_SLOW=1 (boots real Debian guests, about a minute)"
BUILD=$CT_SRCDIR/tests/integration/debian-rootfs.sh
DISK=$T/disk
MODES="default privileged"

# Puts back what a guest must not have changed, whatever stopped the test: the host's /dev/null,
# the loop mount (lazily, should a leftover process still hold it).
debian_cleanup() {
	local rc=$?
	set +e
	if [ ! -c /dev/null ]; then
		rm -f /dev/null && mknod -m 666 /dev/null c 1 3
	elif [ "$(stat -c %a /dev/null)" != 666 ]; then
		chmod 666 /dev/null
	fi
	mountpoint -q "$DISK" && { umount "$DISK" 2>/dev/null || umount -l "$DISK"; }
	(exit "$rc")
	cleanup
}
trap debian_cleanup EXIT

# mode_lines MODE: the config lines of a mode (the default one has none: idmap = auto).
mode_lines() {
	[ "$1" = privileged ] && echo "idmap = none"
	return 0
}

# guest_conf NAME MODE ROOTFS LINE...: a config of the guest's own (no write_conf rootfs line).
guest_conf() {
	local name=$1 mode=$2 rootfs=$3
	shift 3
	{
		echo "rootfs = $rootfs"
		mode_lines "$mode"
		printf '%s\n' "$@"
	} >"$T/$name-$mode.conf"
	echo "$T/$name-$mode.conf"
}

# build FLAVOUR [DEST [OPTION...]]: the guest's rootfs in DEST (default $T/FLAVOUR); skips the test
# if it cannot be built here.
build() {
	local flavour=$1 dest=${2:-$T/$1} rc=0
	shift $(($# < 2 ? $# : 2))
	"$BUILD" "$@" "$flavour" "$dest" >"$T/build-$flavour.log" 2>&1 || rc=$?
	if [ "$rc" = 77 ]; then
		skip "cannot build a Debian $flavour rootfs here: $(tail -n 1 "$T/build-$flavour.log")"
	fi
	[ "$rc" = 0 ] || fail "building the $flavour rootfs: $(tail -n 5 "$T/build-$flavour.log")"
}

init_pid() {
	ct ctinfo -n "$1" --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p'
}

# inside NAME CMD...: runs CMD inside the container's namespaces (as its root).
inside() {
	local pid userns=()
	pid=$(init_pid "$1")
	shift
	# A user namespace of its own (the default mode): enter it too, as the guest's root.
	[ "$(readlink /proc/"$pid"/ns/user)" = "$(readlink /proc/self/ns/user)" ] || userns=(-U)
	nsenter -t "$pid" "${userns[@]}" -m -u -i -n -p -r -w "$@"
}

# host_uids NAME: "PID UID" for every process in init's pid namespace, init included; UID is the
# smallest of its real, effective, saved and fs uids as the host sees them: 0 if any one is root.
host_uids() {
	local init ns p u
	init=$(init_pid "$1")
	ns=$(readlink /proc/"$init"/ns/pid)
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
		u=$(awk '/^Uid:/ { m = $2; for (i = 3; i <= 5; i++) if ($i + 0 < m + 0) m = $i; print m }' \
			"$p/status" 2>/dev/null) || continue
		[ -n "$u" ] && echo "${p#/proc/} $u"
	done
	return 0
}

# unprivileged NAME: neither init nor anything in its pid namespace is the host's root.
unprivileged() {
	local init uids
	init=$(init_pid "$1")
	uids=$(host_uids "$1")
	echo "# $1: host uids (pid uid): $(printf '%s\n' "$uids" | tr '\n' ' ')"
	printf '%s\n' "$uids" | grep -q "^$init " || fail "$1: init ($init) not found in its pid namespace"
	! printf '%s\n' "$uids" | grep -q ' 0$' ||
		fail "$1: processes running as the host's root: $(printf '%s\n' "$uids" | grep ' 0$' | tr '\n' ' ')"
	ok "$1: init (host uid $(printf '%s\n' "$uids" | sed -n "s/^$init //p")) and the $(($(printf '%s\n' "$uids" | wc -l) - 1)) other processes of the guest are not the host's root"
}

# guest NAME MODE CONF BOOTED-CHECK...: boots, waits until BOOTED-CHECK NAME succeeds, checks the
# default mode's uids, runs booted_NAME NAME if there is one, stops, checks the stop.
guest() {
	local name=$1 mode=$2 conf=$3 t0 secs log=$T/$1-$2
	shift 3
	ct ctstart -n "$name" -f "$conf" -d -o "$log.log"
	wait_for 120 "$@" "$name" || fail "$name guest ($mode) did not boot: $(tail -n 20 "$log.log")"
	ok "$name guest booted ($mode)"
	[ "$mode" = default ] && unprivileged "$name"
	if declare -F "booted_$name" >/dev/null; then "booted_$name" "$name"; fi
	t0=$(date +%s%N)
	run_rc rc ct ctstop -n "$name" -t 120 2>"$log.stop"
	secs=$(( ($(date +%s%N) - t0) / 1000000 ))
	expect_eq "$name guest ($mode): graceful stop" 0 "$rc"
	expect_match "$name guest ($mode): init halted, not killed" \
		"stopped gracefully in [0-9.]+ s: init halted" "$(cat "$log.stop")"
	[ "$secs" -lt 60000 ] || fail "$name ($mode) stop took $secs ms"
	echo "# $name guest ($mode) stopped in $secs ms: $(cat "$log.stop")"
	ok "$name guest ($mode) stopped well inside the timeout ($secs ms)"
}

is_rw() {
	case ",$(findmnt -no OPTIONS -T "$1")," in
	*,rw,*) return 0 ;;
	*) return 1 ;;
	esac
}

sysv_booted() { inside "$1" /sbin/runlevel 2>/dev/null | grep -q ' 2$'; }
sysv_lines=("env = TERM=linux" "mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755")

build sysvinit
for mode in $MODES; do
	guest sysvinit "$mode" "$(guest_conf sysv "$mode" "$T/sysvinit" "${sysv_lines[@]}")" sysv_booted
done

# The stock halt's umountroot runs `mount -o remount,ro /`: a superblock remount of the file system
# holding the rootfs. Here that is a throwaway ext4 image: if the remount got through, only the
# test's own loop mount would turn read-only.
truncate -s 1536M "$T/disk.img"
mkfs.ext4 -q -F "$T/disk.img"
mkdir -p "$DISK"
mount -o loop "$T/disk.img" "$DISK" || fail "cannot loop-mount an ext4 image here"
build sysvinit "$DISK/sysvinit" --stock-umountroot
grep -q 'remount,ro' "$DISK/sysvinit/etc/init.d/umountroot" || fail "no stock umountroot in the rootfs"
for mode in $MODES; do
	guest sysvloop "$mode" "$(guest_conf sysvloop "$mode" "$DISK/sysvinit" "${sysv_lines[@]}")" sysv_booted
	if ! is_rw "$DISK"; then
		mount -o remount,rw "$DISK"
		fail "the guest's halt ($mode) remounted the file system holding its rootfs read-only"
	fi
	ok "the file system holding the rootfs is still read-write after the stock halt ($mode)"
done
umount "$DISK" || fail "the loop file system is still busy after the guests stopped"

build systemd
for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
	for d in init.scope system.slice user.slice; do [ -d "$root/$d" ] && touch "$T/had-$d"; done
done
sd_booted() {
	local s
	s=$(inside "$1" systemctl is-system-running 2>/dev/null || true)
	[ "$s" = running ] || [ "$s" = degraded ]
}
# What agetty and systemd do to a console they take over (console-getty is masked in the rootfs,
# so it is done by hand, as the guest's root): on the guest's own /dev/console only, whatever it
# is; allowed to fail (in a user namespace, the node may not be root's).
booted_systemd() { inside "$1" chmod 600 /dev/console 2>/dev/null || true; }
for mode in $MODES; do
	conf=$(guest_conf systemd "$mode" "$T/systemd" "namespaces = pid mount uts ipc net cgroup" \
		"mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755" \
		"mount = tmpfs /run/lock tmpfs rw,nosuid,nodev,noexec,size=5m,create=dir" \
		"shutdown_method = systemd")
	guest systemd "$mode" "$conf" sd_booted
	# The guest's /dev/console was chmod'ed 0600: it must have been its own node, not the host's.
	[ -c /dev/null ] || fail "the host's /dev/null is no character device after the systemd guest ($mode)"
	expect_eq "the host's /dev/null keeps its mode after the systemd guest ($mode)" 666 \
		"$(stat -c %a /dev/null)"
	# The guest managed its own subtree only: nothing of it at the host's cgroup roots.
	for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
		for d in init.scope system.slice user.slice; do
			[ -d "$root/$d" ] && [ ! -e "$T/had-$d" ] && fail "the guest ($mode) created $root/$d on the host"
		done
	done
	ok "the systemd guest ($mode) left the host's cgroup tree alone"
done

# ---- PostgreSQL stopped under a write load, in the default (user-namespaced) mode: a clean
# shutdown (the server's own "database system is shut down"), no crash recovery at the next
# start, no committed transaction lost. The load runs inside the guest (a pgbench the guest's
# init inherits), as a service's clients would.
build postgres
pg_conf=$(guest_conf pg default "$T/postgres" "${sysv_lines[@]}")
PGLOG=$(echo "$T"/postgres/var/log/postgresql/postgresql-*-main.log)
PGBIN=$(echo "$T"/postgres/usr/lib/postgresql/*/bin)
PGBIN=/${PGBIN#"$T/postgres/"}
psql_in() { inside pg runuser -u postgres -- psql -XAtqc "$1" 2>/dev/null; }
pg_ready() { [ "$(psql_in 'select 1')" = 1 ]; }
ct ctstart -n pg -f "$pg_conf" -d -o "$T/pg.log"
wait_for 120 pg_ready || fail "PostgreSQL did not come up: $(tail -n 5 "$PGLOG" 2>/dev/null)"
ok "PostgreSQL runs in the user-namespaced guest"
inside pg runuser -u postgres -- "$PGBIN/pgbench" -q -i -s 5 postgres >"$T/pgbench-init.log" 2>&1 ||
	fail "pgbench -i: $(tail -n 3 "$T/pgbench-init.log")"
inside pg sh -c "runuser -u postgres -- $PGBIN/pgbench -c 8 -T 120 postgres >/tmp/pgbench.log 2>&1 &"
has_load() { [ "$(psql_in 'select count(*) > 500 from pgbench_history')" = t ]; }
wait_for 30 has_load || fail "no write load: $(inside pg cat /tmp/pgbench.log 2>&1 | tail -n 3)"
before=$(psql_in 'select count(*) from pgbench_history')
run_rc rc ct ctstop -n pg -t 60 2>"$T/pg.stop"
expect_eq "PostgreSQL under load: graceful stop" 0 "$rc"
expect_match "by the guest's own halt" "stopped gracefully in [0-9.]+ s: init halted" "$(cat "$T/pg.stop")"
echo "# postgres: $before transactions committed before the stop; $(cat "$T/pg.stop")"
expect_match "the server shut down cleanly" "database system is shut down" "$(tail -n 20 "$PGLOG")"
lines=$(wc -l <"$PGLOG")
ct ctstart -n pg -f "$pg_conf" -d -o "$T/pg.log"
wait_for 120 pg_ready || fail "PostgreSQL did not come up again: $(tail -n 5 "$PGLOG")"
restart=$(tail -n +"$((lines + 1))" "$PGLOG")
expect_match "the next start found a clean shutdown" "database system was shut down at" "$restart"
if printf '%s' "$restart" | grep -Eq 'interrupted|automatic recovery|redo starts'; then
	fail "the next start ran crash recovery: $restart"
fi
ok "no crash recovery at the next start"
after=$(psql_in 'select count(*) from pgbench_history')
[ "$after" -ge "$before" ] || fail "committed transactions lost: $before before the stop, $after after"
ok "no committed transaction lost ($before before the stop, $after after)"
run_rc rc ct ctstop -n pg -t 60 2>/dev/null
expect_eq "and it stops gracefully again" 0 "$rc"

assert_clean
