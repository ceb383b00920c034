#!/usr/bin/env bash
# ctrun under Docker 20.10 (dockerd --add-runtime through daemon.json; Debian's docker.io, with
# its own containerd): an application (run, exec, pause/unpause, stop through ctinit), and a
# Debian 12 sysvinit guest stopped gracefully by `docker stop`. Docker 20.10 cannot set
# annotations, so the stop method comes from the runtime's registration: runtimeArgs
# ["--shutdown-method", "sysvinit"] (ctrun's default for containers whose annotations name
# none). dockerd runs with this test's own data root, exec root and socket, no iptables and no
# bridge.
. "$(dirname "$0")/lib.sh"
[ "${CT_SKIP_SLOW:-0}" != 1 ] || skip "CT_SKIP_SLOW=1 (boots a real Debian guest under Docker)"
command -v dockerd >/dev/null || skip "needs dockerd (apt-get install docker.io)"
CTRUN=$CT_BINDIR/ctrun
SOCK=$T/docker.sock
D=(docker -H "unix://$SOCK")
cat >"$T/daemon.json" <<JSON
{
	"runtimes": {
		"ctrun": { "path": "$CTRUN" },
		"ct-app": { "path": "$CTRUN", "runtimeArgs": [ "--shutdown-method", "application" ] },
		"ct-sysv": { "path": "$CTRUN", "runtimeArgs": [ "--shutdown-method", "sysvinit" ] }
	},
	"default-ulimits": {
		"nofile": { "Name": "nofile", "Soft": 1024, "Hard": 1024 },
		"nproc": { "Name": "nproc", "Soft": 4096, "Hard": 4096 }
	}
}
JSON
dockerd --config-file "$T/daemon.json" --data-root "$T/docker" --exec-root "$T/dx" \
	-H "unix://$SOCK" --pidfile "$T/docker.pid" --iptables=false --bridge=none \
	>"$T/dockerd.log" 2>&1 &
DOCKERD=$!
docker_cleanup() {
	set +e
	"${D[@]}" rm -f $("${D[@]}" ps -aq 2>/dev/null) >/dev/null 2>&1
	kill "$DOCKERD" 2>/dev/null
	wait "$DOCKERD" 2>/dev/null
	grep " $T" /proc/self/mountinfo | cut -d" " -f5 | sort -r | xargs -r -n1 umount -l 2>/dev/null
	set -e
}
EXTRA_CLEANUP=docker_cleanup
wait_for 60 "${D[@]}" info >/dev/null 2>&1 || fail "dockerd did not start: $(tail -n 5 "$T/dockerd.log")"
expect_match "dockerd knows the runtimes" "ct-sysv.*ctrun|ctrun.*ct-sysv" "$("${D[@]}" info 2>/dev/null | grep Runtimes)"

tar -C "$ROOTFS" -c . | "${D[@]}" import - ct-busybox:1 >/dev/null
out=$("${D[@]}" run --rm --runtime ctrun --network none ct-busybox:1 sh -c 'echo hello; hostname')
expect_match "docker run --rm --runtime ctrun: the command ran" '^hello' "$out"
out=$("${D[@]}" run --rm --runtime ctrun --network none --device /dev/net/tun ct-busybox:1 \
	sh -c '(exec 3<>/dev/net/tun) && echo tun-opened')
expect_eq "docker run --device: the node opens" tun-opened "$out"
# --privileged: Docker lists every device node of the host (its console among them, which on a
# host that is a container is a pty); ct keeps its own standard nodes. It also asks for every
# capability the kernel knows: a sandbox whose bounding set lacks one cannot give them (runc
# fails there the same: "unable to apply caps").
if [ "$(sed -n 's/^CapBnd:\t//p' /proc/self/status)" = "$(printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))" ]; then
	out=$("${D[@]}" run --rm --runtime ctrun --network none --privileged ct-busybox:1 \
		sh -c 'stat -c "%t:%T" /dev/null /dev/console; test -c /dev/net/tun && echo tun-there')
	expect_eq "docker run --privileged: the host's device nodes, ct's own null and console" "1:3
1:3
tun-there" "$out"
else
	echo "# docker run --privileged not run: this machine's bounding set lacks capabilities ($(sed -n 's/^CapBnd:\t//p' /proc/self/status))"
fi

"${D[@]}" run -d --name app --runtime ct-app --network none ct-busybox:1 sleep 1000 >/dev/null
expect_eq "docker exec: its output" inside "$("${D[@]}" exec app sh -c 'echo inside')"
"${D[@]}" pause app >/dev/null
expect_eq "docker pause: paused" paused "$("${D[@]}" inspect -f '{{.State.Status}}' app)"
"${D[@]}" unpause app >/dev/null
expect_eq "docker unpause: running" running "$("${D[@]}" inspect -f '{{.State.Status}}' app)"
t0=$(date +%s%N)
"${D[@]}" stop -t 30 app >/dev/null
t1=$(date +%s%N)
expect_eq "docker stop: SIGTERM reached the application through ctinit (143)" 143 \
	"$("${D[@]}" inspect -f '{{.State.ExitCode}}' app)"
[ $(((t1 - t0) / 1000000)) -lt 30000 ] || fail "docker stop waited out its timeout"
ok "docker stop of the application (ct-app): $(((t1 - t0) / 1000000)) ms"
"${D[@]}" rm app >/dev/null

sysvinit_guest "$T/deb" /run/ct-marker-dir/marker
tar -C "$T/deb" -c . | "${D[@]}" import - ct-sysvinit:1 >/dev/null
mkdir -p "$T/marker"
"${D[@]}" run -d --name sv --runtime ct-sysv --cap-add SYS_BOOT --network none \
	-v "$T/marker:/run/ct-marker-dir" ct-sysvinit:1 /sbin/init >/dev/null
booted() { "${D[@]}" exec sv /sbin/runlevel 2>/dev/null | grep -q ' 2$'; }
wait_for 60 booted || fail "the guest did not reach runlevel 2"
id=$("${D[@]}" inspect -f '{{.Id}}' sv)
[ -f "$T/dx/runtime-runc/moby/$id/state" ] || fail "no ctrun state under $T/dx/runtime-runc/moby"
t0=$(date +%s%N)
"${D[@]}" stop -t 90 sv >/dev/null
t1=$(date +%s%N)
expect_eq "docker stop: the guest ran its own shutdown scripts" "shut down by its own scripts" \
	"$(cat "$T/marker/marker" 2>/dev/null || echo none)"
expect_eq "docker stop: the guest halted (130)" 130 "$("${D[@]}" inspect -f '{{.State.ExitCode}}' sv)"
ok "docker stop -t 90 of the sysvinit guest (ct-sysv): graceful in $(((t1 - t0) / 1000000)) ms"
"${D[@]}" rm sv >/dev/null
[ -z "$(ls -A "$T/dx/runtime-runc/moby" 2>/dev/null)" ] ||
	fail "ctrun state left under $T/dx"
docker_cleanup
EXTRA_CLEANUP=
assert_clean
