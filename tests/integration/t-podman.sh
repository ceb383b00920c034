#!/usr/bin/env bash
# ctrun under Podman 4.3 and conmon (podman --runtime ctrun, cgroupfs: PID 1 here is not systemd):
# an application container (podman run, ps, exec with and without a terminal, pause/unpause, top,
# stop, rm -f; --device, and --tmpfs with its tmpcopyup), and a Debian 12 sysvinit guest with
# org.ct.shutdown-method=sysvinit, which `podman stop` stops gracefully: Podman sends the
# SIGRTMIN+3 it sends any container whose command is /sbin/init, ctrun asks sysvinit for runlevel
# 0 instead, the guest runs its shutdown scripts (the last, /etc/init.d/halt, leaves a marker) and
# halts. The same guest under runc and crun (Debian's) gets the raw signal, which sysvinit
# ignores, and is SIGKILLed after the timeout: no marker. Podman's storage is this test's own.
. "$(dirname "$0")/lib.sh"
[ "${CT_SKIP_SLOW:-0}" != 1 ] || skip "CT_SKIP_SLOW=1 (boots a real Debian guest under Podman)"
command -v podman >/dev/null || skip "needs podman (apt-get install podman)"
command -v conmon >/dev/null || skip "needs conmon (apt-get install conmon)"
CTRUN=$CT_BINDIR/ctrun
P=(podman --root "$T/storage" --runroot "$T/runroot" --cgroup-manager cgroupfs --events-backend file)
# Podman asks for RLIMIT_NOFILE and RLIMIT_NPROC of 1048576; raising a hard limit needs
# CAP_SYS_RESOURCE, which a sandbox may not give (this one does not): limits below conmon's.
U=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
EXTRA_CLEANUP='"${P[@]}" rm -a -f -t 0 >/dev/null 2>&1 || true; umount -R "$T/storage" "$T/runroot" 2>/dev/null || true'
pod() { "${P[@]}" --runtime "$CTRUN" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }

out=$(pod run --rm "${U[@]}" --rootfs "$ROOTFS" sh -c 'echo hello; hostname')
expect_match "podman run --rm: the command ran under ctrun" '^hello' "$out"

# --device: the node in the container's /dev, opened (Podman adds its allow rule); --tmpfs
# (tmpcopyup by Podman's default): the image's files are there, writes stay in the tmpfs.
mkdir -p "$ROOTFS/srv/conf"
echo from-image >"$ROOTFS/srv/conf/app.ini"
out=$(pod run --rm "${U[@]}" --device /dev/net/tun --tmpfs /srv/conf --rootfs "$ROOTFS" sh -c \
	'stat -c "%F %t:%T" /dev/net/tun; (exec 3<>/dev/net/tun) && echo tun-opened;
	 grep -c "^tmpfs /srv/conf tmpfs" /proc/self/mounts; cat /srv/conf/app.ini; echo changed >/srv/conf/app.ini')
expect_eq "podman run --device /dev/net/tun --tmpfs /srv/conf: the node opens, the tmpfs holds the image's file" \
	"character special file a:c8
tun-opened
1
from-image" "$out"
expect_eq "... and the image's file is unchanged" from-image "$(cat "$ROOTFS/srv/conf/app.ini")"
rm -rf "$ROOTFS/srv"

# An application, with ctinit as its init (the application method).
pod run -d --name app "${U[@]}" --annotation org.ct.shutdown-method=application \
	--rootfs "$ROOTFS" sleep 1000 >/dev/null
expect_match "podman ps: running" '^app Up' "$("${P[@]}" ps -a --format '{{.Names}} {{.Status}}')"
expect_eq "podman exec: its output" "inside" "$(pod exec app sh -c 'echo inside')"
run_rc rc pod exec app sh -c 'exit 4'
expect_eq "podman exec: its exit status" 4 "$rc"
expect_match "podman exec -t: a terminal" '^TTY' "$(pod exec -t app sh -c 'test -t 0 && test -t 1 && echo TTY')"
pod pause app >/dev/null
expect_match "podman pause: paused" '^app Paused' "$("${P[@]}" ps -a --format '{{.Names}} {{.Status}}')"
pod unpause app >/dev/null
expect_match "podman unpause: running again" '^app Up' "$("${P[@]}" ps -a --format '{{.Names}} {{.Status}}')"
expect_match "podman top: ctinit is PID 1, the command its child" 'ctinit -- sleep 1000' "$(pod top app)"
t0=$(ms)
pod stop -t 30 app >/dev/null
t1=$(ms)
expect_eq "podman stop: SIGTERM reached the application through ctinit (exit 143)" 143 \
	"$("${P[@]}" inspect -f '{{.State.ExitCode}}' app)"
echo "# podman stop of the application: $((t1 - t0)) ms"
pod rm app >/dev/null

id=$(pod run -d --name gone "${U[@]}" --rootfs "$ROOTFS" sleep 1000)
[ -d "/run/ctrun/$id" ] || fail "no ctrun state for the container (/run/ctrun/$id)"
pod rm -f -t 0 gone >/dev/null
[ -z "$(container_procs)" ] || fail "podman rm -f left processes: $(container_procs)"
[ ! -e "/run/ctrun/$id" ] || fail "podman rm -f left ctrun's state /run/ctrun/$id"
ok "podman rm -f: the container and its processes are gone"

# The Debian sysvinit guest.
sysvinit_guest "$T/deb" /var/log/ct-marker
cp -a "$T/deb" "$T/deb-pristine"
GUEST=(-d --name sv "${U[@]}" --cap-add SYS_BOOT --rootfs "$T/deb" /sbin/init)
booted() { "$@" exec sv runlevel 2>/dev/null | grep -q ' 2$'; }

# stop_guest WHAT TIMEOUT RUNTIME-ARGS...: boot, `podman stop -t TIMEOUT`; sets STOP_MS, CODE, MARKER
stop_guest() {
	local what=$1 timeout=$2 t0 t1
	shift 2
	rm -rf "$T/deb" && cp -a "$T/deb-pristine" "$T/deb"
	"$@" run "${GUEST[@]}" >/dev/null || fail "$what: podman run"
	wait_for 60 booted "$@" || fail "$what: the guest did not reach runlevel 2"
	t0=$(ms)
	"$@" stop -t "$timeout" sv >/dev/null
	t1=$(ms)
	STOP_MS=$((t1 - t0))
	CODE=$("$@" inspect -f '{{.State.ExitCode}}' sv)
	MARKER=$(cat "$T/deb/var/log/ct-marker" 2>/dev/null || echo none)
	"$@" rm -f -t 0 sv >/dev/null
}

GUEST=(-d --name sv "${U[@]}" --cap-add SYS_BOOT --annotation org.ct.shutdown-method=sysvinit
	--rootfs "$T/deb" /sbin/init)
stop_guest ctrun 90 pod
expect_eq "ctrun: the guest ran its own shutdown scripts" "shut down by its own scripts" "$MARKER"
expect_eq "ctrun: the guest halted (init ends with SIGINT from reboot(2) in its pid namespace: 130)" \
	130 "$CODE"
[ "$STOP_MS" -lt 60000 ] || fail "ctrun: podman stop took $STOP_MS ms"
ok "ctrun: podman stop -t 90 of the sysvinit guest: graceful in $STOP_MS ms"
CT_MS=$STOP_MS

GUEST=(-d --name sv "${U[@]}" --cap-add SYS_BOOT --rootfs "$T/deb" /sbin/init)
report_raw() {
	local rt=$1
	expect_eq "$rt: the guest never ran its shutdown scripts" none "$MARKER"
	expect_eq "$rt: SIGKILLed after the timeout (137)" 137 "$CODE"
	ok "$rt: podman stop -t 5 of the same guest: killed after $STOP_MS ms"
}
if command -v runc >/dev/null; then
	stop_guest runc 5 "${P[@]}" --runtime runc
	report_raw runc
	RUNC_MS=$STOP_MS
fi
if command -v crun >/dev/null; then
	# crun 1.8.1 refuses a hybrid host with cgroup2 controllers (see t-oci.sh): the whole run is
	# made where hugetlb is bound to a v1 hierarchy (on any hybrid host: t-oci, beside this
	# test, may hold it there for a while, and mounting it again joins that hierarchy).
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		mkdir -p "$T/hugetlb"
		export T
		unshare -m --propagation private bash -c "{ mount -t cgroup -o hugetlb none $T/hugetlb || :; } && \
			$(declare -f stop_guest wait_for booted ms fail); $(declare -p P U GUEST T); \
			stop_guest crun 5 \"\${P[@]}\" --runtime crun; \
			echo \"\$STOP_MS \$CODE \$MARKER\" > $T/crun.result" || true
		read -r STOP_MS CODE MARKER <"$T/crun.result" 2>/dev/null || fail "crun: no result"
	else
		stop_guest crun 5 "${P[@]}" --runtime crun
	fi
	report_raw crun
fi
echo "# podman stop of a Debian 12 sysvinit guest: ctrun ${CT_MS} ms (graceful), runc ${RUNC_MS:--} ms, crun ${STOP_MS} ms (killed)"
assert_clean
