#!/usr/bin/env bash
# System containers: the config's init is PID 1 (here the static test init), with container=ct.
. "$(dirname "$0")/lib.sh"

conf=$(write_conf sys "init = /sbin/testinit --ready /ready --hostname-to /hostname --exit 0")
run_rc rc ct ctstart -n sys -f "$conf"
expect_eq "system container init exits 0" 0 "$rc"
expect_eq "hostname defaults to the container name" sys "$(cat "$ROOTFS/hostname")"
rm -f "$ROOTFS/ready" "$ROOTFS/hostname"

conf=$(write_conf sys2 "init = /sbin/testinit --exit 9")
run_rc rc ct ctstart -n sys2 -f "$conf"
expect_eq "init's exit code propagates" 9 "$rc"

# The default init is /sbin/init.
ln -s testinit "$ROOTFS/sbin/init"
conf=$(write_conf sys3 "hostname = box")
ct ctstart -n sys3 -f "$conf" -d
pid=$(ct ctinfo -n sys3 --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
expect_eq "default init is /sbin/init" "/sbin/init" "$(tr '\0' '\n' </proc/$pid/cmdline | head -1)"
expect_match "init gets container=ct" "container=ct" "$(tr '\0' '\n' </proc/$pid/environ)"
expect_eq "init sees itself as pid 1" 1 "$(grep NSpid /proc/$pid/status | awk '{print $NF}')"
expect_eq "only fds 0-2 reach init" "0 1 2" "$(ls /proc/$pid/fd | sort -n | tr '\n' ' ' | sed 's/ $//')"
ct ctstop -n sys3 --force >/dev/null 2>&1
rm "$ROOTFS/sbin/init"

# A missing init is a start failure naming the step.
conf=$(write_conf sys4 "init = /sbin/nothere")
run_rc rc ct ctstart -n sys4 -f "$conf" 2>"$T/err"
expect_eq "missing init fails the start" 125 "$rc"
expect_match "message names the exec step and errno" \
	"setup step 'exec' \(/sbin/nothere\) failed: No such file or directory" "$(cat "$T/err")"

# A bind entry whose source does not exist: the monitor opens bind sources (to idmap them).
conf=$(write_conf sys5 "init = /sbin/testinit --exit 0" "mount = /no/such/dir /mnt none bind,create=dir")
run_rc rc ct ctstart -n sys5 -f "$conf" -d 2>"$T/err"
expect_eq "missing bind source with -d" 125 "$rc"
expect_match "message names the source" "mount source '/no/such/dir': No such file" "$(cat "$T/err")"
conf=$(write_conf sys5o "mount = /no/such/dir /mnt none bind,create=dir,optional")
expect_eq "an optional bind whose source is missing is skipped" ran \
	"$(ct ctstart -n sys5o -f "$conf" -- echo ran)"
# A failing setup step in the child (a mount the kernel refuses).
conf=$(write_conf sys5b "init = /sbin/testinit --exit 0" "mount = tmpfs /mnt tmpfs bogus=1,create=dir")
run_rc rc ct ctstart -n sys5b -f "$conf" -d 2>"$T/err"
expect_eq "failed setup step with -d" 125 "$rc"
expect_match "message names the mount step" "setup step 'mount' \(/mnt\) failed: Invalid argument" \
	"$(cat "$T/err")"

# A working mount entry, read-only bind.
mkdir -p "$T/data" && echo payload >"$T/data/file"
conf=$(write_conf sys6 "mount = $T/data /data none bind,ro,create=dir")
out=$(ct ctstart -n sys6 -f "$conf" -- sh -c 'cat /data/file; touch /data/x 2>/dev/null || echo ro')
expect_eq "bind mount entry, read-only" "payload
ro" "$out"

assert_clean
