#!/usr/bin/env bash
# Soak: 500 reboot cycles inside one monitor with no growth in its fds or memory, and 500
# start/stop cycles of separate containers with nothing left behind.
. "$(dirname "$0")/lib.sh"
CYCLES=${CT_SOAK_CYCLES:-500}

# monitor_usage PID: "FDS RSS_KIB". Sampled only while the container sits running: in the middle
# of a restart the monitor briefly holds more or fewer fds (sync socket, old and new pidfd), and
# a moment after a ctinfo it may still be closing that connection: the count once it settles.
monitor_usage() {
	echo "$(settled_fd_count "$1") $(awk '/^VmRSS/ {print $2}' /proc/"$1"/status)"
}
boots() { cat "$ROOTFS/boots" 2>/dev/null || echo 0; }
settled() { [ "$(boots)" -ge "$1" ] && ct ctinfo -n soak | grep -q "state: *RUNNING"; }

# 20 boots on its own, then it sits still: the baseline.
conf=$(write_conf soak "init = /sbin/testinit --on TERM=exit:0 --on USR1=reboot --reboot-until /boots:20" \
	"shutdown_method = application")
ct ctstart -n soak -f "$conf" -d
read -r mon _ <"$RUNDIR/soak/pid"
wait_for 60 settled 20 || fail "the first 20 boots stalled at $(boots)"
sleep 0.2
early=$(monitor_usage "$mon")
# Then one reboot at a time, asked for by SIGUSR1 to the current init.
for i in $(seq 21 "$CYCLES"); do
	pid=$(ct ctinfo -n soak --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
	kill -USR1 "$pid"
	wait_for 10 settled "$i" || fail "reboot $i stalled"
done
sleep 0.2
late=$(monitor_usage "$mon")
info=$(ct ctinfo -n soak --json)
expect_match "$CYCLES boots in one monitor" "\"reboots\": $((CYCLES - 1))," "$info"
expect_eq "the monitor's fds do not grow over $CYCLES restarts" "${early% *}" "${late% *}"
growth=$(( ${late#* } - ${early#* } ))
if grep -q __asan_init "$CT_BINDIR/ctstart"; then
	# AddressSanitizer keeps freed memory in quarantine: RSS says nothing about leaks there.
	echo "# ASan build: the monitor's RSS (${early#* } -> ${late#* } KiB) is not compared"
else
	[ "$growth" -le 256 ] || fail "the monitor's RSS grew by $growth KiB (${early#* } -> ${late#* })"
	ok "the monitor's memory does not grow (${early#* } -> ${late#* } KiB)"
fi
ct ctstop -n soak -t 10 2>/dev/null
ls /sys/fs/cgroup/unified/ct 2>/dev/null | grep -q "^soak-" && fail "cgroup left behind"
ok "its cgroup is gone"

# Many short-lived containers, one after another.
conf=$(write_conf cyc "init = /sbin/testinit --on TERM=exit:0" "shutdown_method = application")
for i in $(seq "$CYCLES"); do
	ct ctstart -n cyc -f "$conf" -d || fail "start $i"
	ct ctstop -n cyc -t 10 2>/dev/null || fail "stop $i"
done
ok "$CYCLES start/stop cycles"
ls /sys/fs/cgroup/unified/ct 2>/dev/null | grep -q "^cyc-" && fail "cgroup left behind"
ok "no cgroup left behind"

assert_clean
