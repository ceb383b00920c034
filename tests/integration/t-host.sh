#!/usr/bin/env bash
# Host lifecycle on this machine (its PID 1 is not systemd; the nested test, t-nested.sh, boots a
# real systemd host): ctstart --all starts the autostart containers of a config dir in order
# (groups, start.order, start.delay, batches in parallel), skips what runs and what is not
# autostart, reports a broken config without giving up on the others; ctstop --all stops in the
# exact reverse, a batch at a time; ct-generator writes the drop-ins and links systemd needs;
# `systemd-analyze verify` accepts the shipped units; the monitor speaks sd_notify (READY=1,
# STOPPING=1, EXTEND_TIMEOUT_USEC from the stop's deadline) and keeps NOTIFY_SOCKET from the
# guest; --delegated puts the container below the caller's cgroup; the sysvinit script does the
# same as --all at boot and at halt.
. "$(dirname "$0")/lib.sh"

CG2=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || CG2=/sys/fs/cgroup/unified
CONFDIR=$T/conf
SHARED=$T/shared
mkdir -p "$CONFDIR" "$SHARED"
chmod 777 "$SHARED"

# A container that notes its start and, on SIGTERM, takes 0.3 s (or $STOP) to stop and notes that
# too; with IGNORE set it ignores SIGTERM.
cat >"$ROOTFS/bin/svc" <<'EOF'
#!/bin/sh
trap 'sleep ${STOP:-0.3}; echo "stop $NAME" >>/shared/events; exit 0' TERM
[ -z "$IGNORE" ] || trap '' TERM
echo "start $NAME" >>/shared/events
while :; do sleep 1 & wait $!; done
EOF
chmod 755 "$ROOTFS/bin/svc"

# conf NAME [LINE...]: CONFDIR/NAME.conf for such a container.
conf() {
	local name=$1
	shift
	{
		echo "rootfs = $ROOTFS"
		echo "command = /bin/svc"
		echo "env = NAME=$name"
		echo "mount = $SHARED /shared none bind,create=dir"
		for line in "$@"; do echo "$line"; done
	} >"$CONFDIR/$name.conf"
}
# start_ms NAME: when the monitor saw it RUNNING (ctinfo --json).
start_ms() { ct ctinfo -n "$1" --json | sed -n 's/.*"start_time_ms": \([0-9]*\).*/\1/p'; }
events() { tr '\n' ' ' <"$SHARED/events" | sed 's/ $//'; }

# ---- the order
conf db1 "autostart = yes" "group = 10-data" "start.order = 1" "start.delay = 1"
conf db2 "autostart = yes" "group = 10-data" "start.order = 1"
conf cache "autostart = yes" "group = 10-data" "start.order = 2"
conf web "autostart = yes" "group = 20-app"
conf plain "autostart = yes"
conf manual "autostart = no" "group = 10-data"
run_rc rc ct ctstart --all --list --configdir "$CONFDIR" >"$T/list"
expect_eq "--list: exit 0" 0 "$rc"
expect_eq "--list: no group first, then groups by name, then start.order, then name" \
	"plain db1 db2 cache web" "$(awk '{ printf "%s%s", s, $1; s = " " }' "$T/list")"
expect_eq "--list started nothing" "" "$(ls -A "$RUNDIR" 2>/dev/null || true)"

run_rc rc ct ctstart --all --group 10-data --list --configdir "$CONFDIR" >"$T/list"
expect_eq "--group selects" "db1 db2 cache" "$(awk '{ printf "%s%s", s, $1; s = " " }' "$T/list")"
run_rc rc ct ctstart --all --group - --list --configdir "$CONFDIR" >"$T/list"
expect_eq "--group - is the containers without a group" "plain" "$(awk '{ print $1 }' "$T/list")"
run_rc rc ct ctstart --all --group 'bad/name' --configdir "$CONFDIR" 2>"$T/err"
expect_eq "a bad group name: exit 125" 125 "$rc"
expect_match "names it" "invalid group 'bad/name'" "$(cat "$T/err")"
run_rc rc ct ctstart --all -n web --configdir "$CONFDIR" 2>"$T/err"
expect_eq "--all with -n: exit 125" 125 "$rc"
run_rc rc ct ctstart --all --configdir "$T/nothere" 2>"$T/err"
expect_eq "a missing config dir: exit 125" 125 "$rc"
expect_match "names it" "config directory '$T/nothere'" "$(cat "$T/err")"

run_rc rc ct ctstart --all --configdir "$CONFDIR" 2>"$T/start.err"
expect_eq "ctstart --all: exit 0" 0 "$rc"
expect_match "one line per container, in order (a batch's as they come)" \
	"^plain (db1 db2|db2 db1) cache web$" \
	"$(sed -n "s/^ctstart: container '\([a-z0-9]*\)' started.*/\1/p" "$T/start.err" | tr '\n' ' ' | sed 's/ $//')"
expect_match "start.delay is said" "waiting 1 s \(start.delay\)" "$(cat "$T/start.err")"
expect_eq "the autostart = no one was not started" "" "$(ls "$RUNDIR" | grep -x manual || true)"
p=$(start_ms plain) d1=$(start_ms db1) d2=$(start_ms db2) c=$(start_ms cache) w=$(start_ms web)
[ "$p" -le "$d1" ] && [ "$d1" -le "$c" ] && [ "$d2" -le "$c" ] && [ "$c" -le "$w" ] ||
	fail "start order by the monitors' clocks: plain $p db1 $d1 db2 $d2 cache $c web $w"
ok "each batch runs before the next starts (plain, db1+db2, cache, web)"
[ $((c - d1)) -ge 1000 ] || fail "cache started $((c - d1)) ms after db1, its start.delay is 1 s"
ok "the batch after db1 waited its start.delay"
expect_eq "ctinfo shows group and order" "10-data, 2" \
	"$(ct ctinfo -n cache | sed -n 's/^group, order: *//p')"
expect_match "ctls --json has them" '"group": "20-app", "start_order": 0' \
	"$(ct ctls --json | tr -d '\n' | tr -s ' ')"

# Running containers are skipped, and a broken config does not keep the others from starting.
echo "no equals sign" >"$CONFDIR/broken.conf"
run_rc rc ct ctstart --all --configdir "$CONFDIR" 2>"$T/err"
expect_eq "again, with a broken config: exit 125" 125 "$rc"
expect_match "the broken one is named with its line" "broken.conf:1" "$(cat "$T/err")"
expect_match "running ones are said to be running" "container 'web' is already running" \
	"$(cat "$T/err")"
rm "$CONFDIR/broken.conf"
# A monitor that does not answer: said so, not started again (a start would only find the lock).
read -r wmon _ <"$RUNDIR/web/pid"
kill -STOP "$wmon"
run_rc rc ct ctstart --all --configdir "$CONFDIR" 2>"$T/err"
kill -CONT "$wmon"
expect_eq "with a monitor that does not answer: exit 125" 125 "$rc"
expect_match "it is named, and not started again" \
	"container 'web' has a monitor that does not answer \(Connection timed out\): not started again" \
	"$(cat "$T/err")"
expect_match "the others are still seen running" "container 'cache' is already running" "$(cat "$T/err")"

# A start that hangs (here its log is a FIFO nobody reads; think of a rootfs on a dead NFS server)
# holds up its batch only until --timeout: the next batch starts without it.
mkdir -p "$T/conf3"
mkfifo "$T/hang.log"
CONFDIR=$T/conf3 conf hang "autostart = yes" "log.path = $T/hang.log"
CONFDIR=$T/conf3 conf after "autostart = yes" "start.order = 1"
run_rc rc ct ctstart --all --timeout 2 --configdir "$T/conf3" 2>"$T/err"
expect_eq "--all with a start that hangs: exit 125" 125 "$rc"
expect_match "it says which and goes on" "container 'hang' is still starting after 2 s: going on without it" \
	"$(cat "$T/err")"
expect_match "the next batch started" "container 'after' started" "$(cat "$T/err")"
# The hung start is the process with that command line that is not after's monitor (it blocks
# signals as a monitor does: SIGKILL; the [r] keeps the pattern from matching the shell's).
amon=$(ct ctinfo -n after --json | sed -n 's/.*"monitor_pid": \([0-9]*\).*/\1/p')
hung() { pgrep -f -- "--configdi[r] $T/conf3" | grep -vx "$amon" || true; }
for p in $(hung); do kill -KILL "$p"; done
wait_for 5 test -z "$(hung)" || fail "the hung start is still there"
rm -rf "${RUNDIR:?}/hang" "$T/hang.log"
ct ctstop -n after 2>/dev/null
# A batch larger than the starts under way at once (32), all of which hang: the ones never begun
# are said not to be started when the batch's time is up.
mkdir -p "$T/conf5"
mkfifo "$T/hang2.log"
for i in $(seq -w 1 33); do
	CONFDIR=$T/conf5 conf "hang$i" "autostart = yes" "log.path = $T/hang2.log"
done
CONFDIR=$T/conf5 conf zzz "autostart = yes"
run_rc rc ct ctstart --all --timeout 2 --configdir "$T/conf5" 2>"$T/err"
expect_eq "a batch of 34 whose first 32 hang: exit 125" 125 "$rc"
expect_eq "32 are still starting when its time is up" 32 "$(grep -c "is still starting after 2 s" "$T/err")"
expect_match "the rest were never begun, and say so" \
	"container 'zzz' not started: its batch ran out of time \(2 s\)" "$(cat "$T/err")"
expect_match "hang33 too" "container 'hang33' not started" "$(cat "$T/err")"
pkill -KILL -f -- "--configdi[r] $T/conf5" || true
wait_for 5 sh -c "! pgrep -f -- '--configdi[r] $T/conf5' >/dev/null" || fail "hung starts are still there"
rm -rf "${RUNDIR:?}"/hang[0-9]* "$T/hang2.log"

# ---- the stop: the reverse, a batch at a time, each waiting for the one before to end
: >"$SHARED/events"
run_rc rc ct ctstop --all 2>"$T/stop.err"
expect_eq "ctstop --all: exit 0 (all graceful)" 0 "$rc"
ev=$(events)
order=$(sed 's/stop //g' <<<"$ev")
case $order in
"web cache db1 db2 plain" | "web cache db2 db1 plain") ok "stopped in reverse: $order" ;;
*) fail "stop order: $ev" ;;
esac
expect_eq "one line per container" 5 "$(grep -c "container '.*' stopped gracefully" "$T/stop.err")"
expect_match "and a summary" "5 stopped gracefully" "$(cat "$T/stop.err")"

# With -t, each batch has a deadline of its own: the one stopped last (the database) is not left
# with what the first batch did not use.
mkdir -p "$T/conf2"
CONFDIR=$T/conf2 conf stubborn "group = 20-app" "env = IGNORE=1"
CONFDIR=$T/conf2 conf slowdb "group = 10-data" "env = STOP=1.5"
ct ctstart -n stubborn -f "$T/conf2/stubborn.conf" -d
ct ctstart -n slowdb -f "$T/conf2/slowdb.conf" -d
# (svc notes its start once its traps are set: stubborn ignores SIGTERM by then)
wait_for 10 grep -q "start slowdb" "$SHARED/events" || fail "slowdb did not start"
wait_for 10 grep -q "start stubborn" "$SHARED/events" || fail "stubborn did not start"
run_rc rc ct ctstop --all -t 3 2>"$T/stop.err"
expect_eq "ctstop --all -t 3: exit 3 (one killed)" 3 "$rc"
expect_match "the one that ignores SIGTERM is killed at its batch's deadline" \
	"container 'stubborn' killed after the timeout" "$(cat "$T/stop.err")"
expect_match "the next batch still gets its 3 s: the database stops gracefully" \
	"container 'slowdb' stopped gracefully in [0-9.]+ s" "$(cat "$T/stop.err")"

# ---- ct-generator
gen=$T/gen
mkdir -p "$gen"
conf slow "autostart = yes" "group = 20-app" "shutdown_timeout = 120" "start.delay = 3"
conf forever "shutdown_timeout = -1"
CT_CONFIGDIR=$CONFDIR "$CT_GENERATOR" "$gen" "$gen.early" "$gen.late"
expect_eq "ct-generator: the autostart ones are wanted by ct.target" \
	"ct@cache.service ct@db1.service ct@db2.service ct@plain.service ct@slow.service ct@web.service" \
	"$(ls "$gen/ct.target.wants" | tr '\n' ' ' | sed 's/ $//')"
expect_match "the links point at the installed template" "^/.*/systemd/system/ct@\.service$" \
	"$(readlink "$gen/ct.target.wants/ct@web.service")"
d=$gen/ct@cache.service.d/50-ct-generator.conf
expect_match "After= the batch before" "After=ct@db1.service ct@db2.service" "$(cat "$d")"
expect_match "TimeoutStopSec = shutdown_timeout + margin" "TimeoutStopSec=45" "$(cat "$d")"
expect_match "RequiresMountsFor= the rootfs, quoted" "RequiresMountsFor=\"$ROOTFS\"" "$(cat "$d")"
expect_match "start.delay as a sleep after the start" "ExecStartPost=sleep 3" \
	"$(cat "$gen/ct@slow.service.d/50-ct-generator.conf")"
expect_match "the start timeout grows by the delay" "TimeoutStartSec=123" \
	"$(cat "$gen/ct@slow.service.d/50-ct-generator.conf")"
expect_match "a longer timeout" "TimeoutStopSec=135" "$(cat "$gen/ct@slow.service.d/50-ct-generator.conf")"
expect_match "forever" "TimeoutStopSec=infinity" "$(cat "$gen/ct@forever.service.d/50-ct-generator.conf")"
[ ! -e "$gen/ct.target.wants/ct@manual.service" ] && [ ! -e "$gen/ct.target.wants/ct@forever.service" ] ||
	fail "a container without autostart is wanted"
ok "containers without autostart get a drop-in but no link"
if grep -q "^After=" "$gen/ct@plain.service.d/50-ct-generator.conf"; then
	fail "the first batch waits for something"
fi
ok "the first batch waits for nothing"
# A value never reaches a unit as more than itself: a space does not split the path, '%' is no
# specifier, and a control character (a '\r' would end the line there) is refused by the parser.
printf 'rootfs = /srv/my root%%n\\x"\n' >"$CONFDIR/odd.conf"
printf 'rootfs = /srv/a\r[Service]\rExecStartPre=/bin/touch %s/pwned\n' "$T" >"$CONFDIR/evil.conf"
rm -rf "$gen" && mkdir -p "$gen"
CT_CONFIGDIR=$CONFDIR "$CT_GENERATOR" "$gen" 2>"$T/gen.err"
expect_eq "a path with a space, % and a quote is one quoted word" \
	'RequiresMountsFor="/srv/my root%%n\\x\""' \
	"$(grep RequiresMountsFor "$gen/ct@odd.service.d/50-ct-generator.conf")"
expect_match "a control character in a value is refused, named" "evil.conf:1: key 'rootfs': control character 0x0d" \
	"$(cat "$T/gen.err")"
[ ! -e "$gen/ct@evil.service.d" ] || fail "a drop-in was written for the config with a control character"
ok "no drop-in for it"
mkfifo "$CONFDIR/fifo.conf"
rm -rf "$gen" && mkdir -p "$gen"
run_rc rc timeout 10 env CT_CONFIGDIR="$CONFDIR" "$CT_GENERATOR" "$gen" 2>"$T/gen.err"
expect_eq "a FIFO in the config dir does not block the generator" 0 "$rc"
expect_match "it is skipped, named" "fifo.conf: not a regular file, skipped" "$(cat "$T/gen.err")"
rm -f "$CONFDIR/odd.conf" "$CONFDIR/evil.conf" "$CONFDIR/fifo.conf"
rm -rf "$gen"
CT_CONFIGDIR=$T/none "$CT_GENERATOR" "$gen"
expect_eq "no config dir: nothing generated, exit 0" "" "$(ls -A "$gen" 2>/dev/null || true)"
rm -f "$CONFDIR/slow.conf" "$CONFDIR/forever.conf"

# ---- the shipped units
if command -v systemd-analyze >/dev/null; then
	# The units name the installed ctstart/ctstop; the verifier checks they exist, so it runs
	# on copies naming the staged ones.
	u=$T/units
	mkdir -p "$u"
	sed "s|=\(-\?\)/[^ ]*/\(ct[a-z]*\) |=\1$CT_BINDIR/\2 |" "$CT_UNITDIR/ct@.service" >"$u/ct@.service"
	cp "$CT_UNITDIR/ct.target" "$u/"
	ln -s ct@.service "$u/ct@db1.service"
	run_rc rc systemd-analyze verify --man=no "$u/ct@db1.service" "$u/ct.target" >"$T/verify" 2>&1
	expect_eq "systemd-analyze verify ct@.service ct.target: exit 0 ($(tr '\n' ' ' <"$T/verify"))" 0 "$rc"
	if grep -v "Cannot add dependency job\|not-found\|Failed to create .*\.slice" "$T/verify" | grep -q .; then
		fail "systemd-analyze verify complains: $(cat "$T/verify")"
	fi
	ok "systemd-analyze verify has nothing to say about the units"
else
	ok "# SKIP systemd-analyze is not installed"
fi
expect_match "ct@.service: the foreground monitor, delegated, notify" \
	"ExecStart=.*/ctstart -n %i --delegated" "$(cat "$CT_UNITDIR/ct@.service")"
sh -n "$CT_INITD" || fail "the sysvinit script does not parse"
ok "the sysvinit script parses"

# ---- sd_notify
"$CT_SDLISTEN" "$T/notify" "$T/notify.log" &
listener=$!
EXTRA_CLEANUP="kill $listener 2>/dev/null || true"
wait_for 5 test -S "$T/notify" || fail "sdlisten did not bind"
conf sd "shutdown_timeout = 20"
NOTIFY_SOCKET=$T/notify "$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n sd --configdir "$CONFDIR" \
	>"$T/sd.out" 2>&1 &
fg=$!
wait_for 10 grep -q "READY=1" "$T/notify.log" || fail "no READY=1: $(cat "$T/notify.log" "$T/sd.out")"
ok "READY=1 once the container runs"
expect_eq "the state is RUNNING then" RUNNING "$(ct ctinfo -n sd --json | sed -n 's/.*"state": "\([A-Z]*\)".*/\1/p')"
expect_match "with a STATUS= line" "STATUS=running: init pid [0-9]+, stops with the application method" \
	"$(cat "$T/notify.log")"
pid=$(ct ctinfo -n sd --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
if tr '\0' '\n' <"/proc/$pid/environ" | grep -q NOTIFY_SOCKET; then
	fail "NOTIFY_SOCKET reached the container's init"
fi
ok "NOTIFY_SOCKET does not reach the container"
ct ctstop -n sd -t 20 2>/dev/null
wait "$fg" || true
# (sdlisten writes what it received a moment after ctstart sent it; STATUS=stopped comes last)
wait_for 10 grep -q "STATUS=stopped" "$T/notify.log" || true
expect_match "STOPPING=1 when the stop begins" "STOPPING=1" "$(cat "$T/notify.log")"
ext=$(sed -n 's/^[0-9]* EXTEND_TIMEOUT_USEC=//p' "$T/notify.log")
[ -n "$ext" ] && [ "$ext" -gt 30000000 ] && [ "$ext" -le 35000000 ] ||
	fail "EXTEND_TIMEOUT_USEC=$ext, expected the 20 s deadline plus the 15 s margin"
ok "EXTEND_TIMEOUT_USEC covers the stop's deadline plus a margin ($ext)"
expect_match "STATUS=stopped at the end" "STATUS=stopped" "$(tail -n 1 "$T/notify.log")"

# -d: the daemon is not the process systemd would watch; it keeps quiet.
: >"$T/notify.log"
NOTIFY_SOCKET=$T/notify ct ctstart -n sdd --configdir "$CONFDIR" -f "$CONFDIR/sd.conf" -d
ct ctstop -n sdd 2>/dev/null
expect_eq "a daemon sends nothing" "" "$(cat "$T/notify.log")"
kill "$listener"
EXTRA_CLEANUP=
# A NOTIFY_SOCKET that is no socket address: said, not silently dropped (the unit would time out
# without a word); the container still runs.
out=$(NOTIFY_SOCKET=relative/path "$CT_BINDIR/ctstart" --rundir "$RUNDIR" -n sdbad \
	-f "$CONFDIR/sd.conf" -- /bin/echo ran 2>&1)
expect_match "an unusable NOTIFY_SOCKET is named" \
	"NOTIFY_SOCKET='relative/path' is neither a path nor an abstract name" "$out"
expect_match "and the container ran" "ran" "$out"

# ---- --delegated
run_rc rc ct ctstart -n dg --configdir "$CONFDIR" -f "$CONFDIR/sd.conf" --delegated -d 2>"$T/err"
if grep -q "^0::/$" /proc/self/cgroup; then
	expect_eq "--delegated from the root cgroup: exit 125" 125 "$rc"
	expect_match "says nothing was delegated" "nothing was delegated" "$(cat "$T/err")"
else
	ct ctstop -n dg --force >/dev/null 2>&1 || true
	ok "# SKIP this test does not run in the root cgroup"
fi
unit=$CG2/ct-test-unit-$$.service
mkdir "$unit"
EXTRA_CLEANUP="rmdir $unit/.monitor $unit 2>/dev/null || true"
sh -c "echo \$\$ >$unit/cgroup.procs && exec $CT_BINDIR/ctstart --rundir $RUNDIR -n dg \
	-f $CONFDIR/sd.conf --delegated -d"
pid=$(ct ctinfo -n dg --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
mon=$(ct ctinfo -n dg --json | sed -n 's/.*"monitor_pid": \([0-9]*\).*/\1/p')
expect_match "the container's cgroup is below the caller's" \
	"^0::/ct-test-unit-$$.service/[^/]+/payload$" "$(grep '^0::' "/proc/$pid/cgroup")"
expect_eq "the monitor sits in a leaf beside it" "0::/ct-test-unit-$$.service/.monitor" \
	"$(grep '^0::' "/proc/$mon/cgroup")"
ct ctstop -n dg 2>/dev/null
expect_eq "after the stop only the monitor's leaf is left (the unit's to remove)" ".monitor" \
	"$(find "$unit" -mindepth 1 -maxdepth 1 -type d -printf '%f\n')"
rmdir "$unit/.monitor" "$unit"
EXTRA_CLEANUP=

# ---- the sysvinit script: start and stop as at boot and halt (here, PID 1 is not systemd)
if [ -d /run/systemd/system ]; then
	ok "# SKIP this host runs systemd: the sysvinit script stands aside there"
else
	sed -e "s|^CTSTART=.*|CTSTART=\"$CT_BINDIR/ctstart --rundir $RUNDIR --configdir $CONFDIR\"|" \
		-e "s|^CTSTOP=.*|CTSTOP=\"$CT_BINDIR/ctstop --rundir $RUNDIR\"|" \
		-e "s|^CTLS=.*|CTLS=\"$CT_BINDIR/ctls --rundir $RUNDIR\"|" \
		-e "s|^LOG=.*|LOG=$T/host.log|" -e 's|\[ -x "\$CTSTART" \]|[ -x "${CTSTART%% *}" ]|' \
		-e 's|"\$CTSTART"|$CTSTART|; s|"\$CTSTOP"|$CTSTOP|' "$CT_INITD" >"$T/ct.init"
	run_rc rc sh "$T/ct.init" start >/dev/null 2>&1
	expect_eq "/etc/init.d/ct start: exit 0" 0 "$rc"
	expect_eq "it started the autostart ones" 5 "$(ct ctls | tail -n +2 | wc -l)"
	run_rc rc sh "$T/ct.init" status >"$T/status.out"
	expect_eq "status with containers running: exit 0 (LSB)" 0 "$rc"
	expect_eq "and ctls's listing" 6 "$(wc -l <"$T/status.out")"
	run_rc rc sh "$T/ct.init" stop >/dev/null 2>&1
	expect_eq "/etc/init.d/ct stop: exit 0" 0 "$rc"
	expect_eq "it stopped them all" 0 "$(ct ctls | tail -n +2 | wc -l)"
	expect_eq "its log has one line per container, with the time" 5 \
		"$(grep -cE '^[0-9-]+ [0-9:]+ ctstop: container .* stopped gracefully' "$T/host.log")"
	# A log that cannot be written (a read-only /var at halt) must not cut the stop short.
	sh "$T/ct.init" start >/dev/null 2>&1
	sed -i "s|^LOG=.*|LOG=/proc/no/such/host.log|" "$T/ct.init"
	run_rc rc sh "$T/ct.init" stop >/dev/null 2>"$T/init.err"
	expect_eq "stop with an unwritable log: exit 0" 0 "$rc"
	expect_eq "it still stopped them all" 0 "$(ct ctls | tail -n +2 | wc -l)"
	expect_eq "and said so on the console" 5 "$(grep -c "stopped gracefully in" "$T/init.err")"
	run_rc rc sh "$T/ct.init" status >/dev/null
	expect_eq "status with nothing running: exit 3 (LSB)" 3 "$rc"
fi

# ---- a batch larger than the starts ctstart --all runs at once (32): all of it starts
mkdir -p "$T/conf4"
for i in $(seq 1 40); do
	printf 'rootfs = %s\ncommand = /bin/sleep 1000\nautostart = yes\n' "$ROOTFS" >"$T/conf4/many$i.conf"
done
run_rc rc ct ctstart --all --configdir "$T/conf4" 2>"$T/err"
expect_eq "40 containers in one batch: exit 0" 0 "$rc"
expect_eq "each started, said once" 40 "$(grep -c "container 'many[0-9]*' started" "$T/err")"
run_rc rc ct ctstop --all -t 10 2>"$T/err"
expect_eq "and all stopped" 40 "$(grep -c "container 'many[0-9]*' stopped gracefully" "$T/err")"

assert_clean
