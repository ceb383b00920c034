#!/usr/bin/env bash
# Functions called only indirectly (the EXIT trap) look unreachable:
# shellcheck disable=SC2317
#
# bench/oci.sh -- ct as an OCI runtime (ctrun) beside Debian's crun and runc,
# in the same run (prints numbers; it is not a test):
#
#   run      RUNTIME --root STATE run --bundle B ID: start-to-exit of
#            /bin/true in a busybox bundle (pid, mount, ipc, uts, network
#            namespaces; no user namespace, no limits), the runtimes
#            alternated run by run after warm-up runs; medians, min, max.
#   podman   podman --runtime RUNTIME run --rm --rootfs R true (Podman 4.3,
#            conmon, cgroupfs, this script's own storage): what a user waits
#            for, the engine's work included.
#   stop     podman stop -t T of a Debian 12 sysvinit guest (/sbin/init,
#            tests/integration/debian-rootfs.sh): ctrun with the annotation
#            org.ct.shutdown-method=sysvinit (graceful: runlevel 0 through
#            initctl) vs crun and runc, which deliver Podman's SIGRTMIN+3
#            (sysvinit ignores it) and SIGKILL after T.  --stop-rounds rounds
#            each; the guest's exit code says which (130: halted, 137: killed).
#
# crun 1.8.1 refuses a hybrid cgroup host whose cgroup2 hierarchy has any
# controller.  On such a host this script runs itself in a private mount
# namespace where hugetlb (the only controller there) is bound to a v1
# hierarchy, for every runtime alike; it returns to cgroup2 at the end.
#
# Exit status: 0 if every ctrun run succeeded and every ctrun stop was
# graceful; 1 otherwise or on a usage or setup error.
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
RUNS=20
WARM=3
STOP_ROUNDS=3
TIMEOUT=10
NO_PODMAN=0

usage() {
	cat <<EOF2
Usage: $PROG [-n RUNS] [-w WARM] [--stop-rounds N] [-t TIMEOUT] [--no-podman]
       [--summary FILE] [-h]

ctrun vs crun vs runc: "run" of /bin/true, "podman run --rm", and "podman
stop" of a Debian sysvinit guest (see the top of this script).  Needs root,
the ct tools (CT_BINDIR: ctrun), busybox-static, crun and runc (each missing
one is skipped), podman and conmon for the Podman parts.
EOF2
}

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$BENCH_DIR/lib.sh"
parse_opts "n|runs:RUNS w|warm:WARM |stop-rounds:STOP_ROUNDS t|timeout:TIMEOUT |no-podman=NO_PODMAN=1 |summary:SUMMARY" -- "$@"
for v in "$RUNS" "$WARM" "$STOP_ROUNDS" "$TIMEOUT"; do is_uint "$v" || die "'$v': a number expected"; done
[[ $(id -u) == 0 ]] || die "needs root"

if [[ -z ${CT_OCI_BENCH_NS:-} && -n $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null) ]]; then
	note "hybrid host with cgroup2 controllers: running in a private mount namespace with hugetlb on a v1 hierarchy (crun needs it)"
	# shellcheck disable=SC2016  # expanded by that bash
	exec unshare -m --propagation private env CT_OCI_BENCH_NS=1 bash -c \
		'd=$(mktemp -d) && mount -t cgroup -o hugetlb none "$d" && exec "$0" "$@"' "$0" "$@"
fi

find_busybox
find_ct_tools ctrun
[[ -z $CT_SKIP_WHY ]] || die "$CT_SKIP_WHY"
CTRUN_BIN=$CT_BINDIR/ctrun
bench_tmp oci 0
setup_timer
mkdir -p "$LOGDIR"
make_rootfs "$ROOTFS"
RUNTIMES=(ctrun)
for r in crun runc; do
	if command -v $r >/dev/null; then RUNTIMES+=("$r"); else note "$r is not installed: skipped"; fi
done
rt_bin() {
	if [[ $1 == ctrun ]]; then echo "$CTRUN_BIN"; else command -v "$1"; fi
}

B=$TMP/bundle
mkdir -p "$B"
cat >"$B/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": { "user": { "uid": 0, "gid": 0 }, "args": [ "/bin/true" ], "env": [ "PATH=/bin" ],
		     "cwd": "/", "noNewPrivileges": true,
		     "capabilities": { "bounding": [ "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
				       "effective": [ "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
				       "permitted": [ "CAP_KILL", "CAP_NET_BIND_SERVICE" ] } },
	"root": { "path": "$ROOTFS", "readonly": true },
	"hostname": "bench",
	"mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" },
		    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] },
		    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] } ],
	"linux": { "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
		   "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
				   { "type": "uts" }, { "type": "mount" } ] }
}
JSON

declare -A FAILS=()
# ---- run: start-to-exit
note "run: $RUNS runs of each (after $WARM warm-up runs), alternated"
for ((i = 0; i < WARM + RUNS; i++)); do
	for rt in "${RUNTIMES[@]}"; do
		timed "$LOGDIR/run-$rt.log" "$(rt_bin "$rt")" --root "$TMP/state-$rt" run --bundle "$B" "b$i"
		if [[ $T_RC != 0 ]]; then
			FAILS[$rt]=$((${FAILS[$rt]:-0} + 1))
			continue
		fi
		((i < WARM)) || echo "$T_NS" >>"$TMP/run-$rt.ns"
	done
done
printf '\n%-8s %6s %10s %10s %10s %8s\n' "run" N "median ms" "min ms" "max ms" failed
for rt in "${RUNTIMES[@]}"; do
	read -r n med min max < <(stats "$TMP/run-$rt.ns" 2>/dev/null || echo "0 - - -")
	printf '%-8s %6s %10s %10s %10s %8s\n' "$rt" "$n" "$med" "$min" "$max" "${FAILS[$rt]:-0}"
	summary "run_${rt}_ms" "$med"
done
[[ -z ${FAILS[ctrun]:-} ]] || { show_log_tail "$LOGDIR/run-ctrun.log"; die "ctrun run failed ${FAILS[ctrun]} times"; }

if ((NO_PODMAN)) || ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
	note "podman parts skipped (--no-podman, or podman/conmon not installed)"
	exit 0
fi
P=(podman --root "$TMP/storage" --runroot "$TMP/runroot" --cgroup-manager cgroupfs --events-backend file)
U=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
bench_pre_cleanup() {
	"${P[@]}" rm -a -f -t 0 >/dev/null 2>&1 || true
	umount -R "$TMP/storage" "$TMP/runroot" 2>/dev/null || true
}

# ---- podman run --rm
note "podman run --rm: $RUNS runs of each (after $WARM warm-up runs), alternated"
declare -A PFAILS=()
for ((i = 0; i < WARM + RUNS; i++)); do
	for rt in "${RUNTIMES[@]}"; do
		timed "$LOGDIR/podman-$rt.log" "${P[@]}" --runtime "$(rt_bin "$rt")" run --rm "${U[@]}" \
			--network none --rootfs "$ROOTFS" /bin/true
		if [[ $T_RC != 0 ]]; then
			PFAILS[$rt]=$((${PFAILS[$rt]:-0} + 1))
			continue
		fi
		((i < WARM)) || echo "$T_NS" >>"$TMP/podman-$rt.ns"
	done
done
printf '\n%-8s %6s %10s %10s %10s %8s\n' "podman" N "median ms" "min ms" "max ms" failed
for rt in "${RUNTIMES[@]}"; do
	read -r n med min max < <(stats "$TMP/podman-$rt.ns" 2>/dev/null || echo "0 - - -")
	printf '%-8s %6s %10s %10s %10s %8s\n' "$rt" "$n" "$med" "$min" "$max" "${PFAILS[$rt]:-0}"
	summary "podman_run_${rt}_ms" "$med"
done
[[ -z ${PFAILS[ctrun]:-} ]] || { show_log_tail "$LOGDIR/podman-ctrun.log"; die "podman run with ctrun failed"; }

# ---- podman stop of a Debian sysvinit guest
DEB=$TMP/deb
if ! "$BENCH_DIR/../tests/integration/debian-rootfs.sh" sysvinit "$DEB.pristine" >"$LOGDIR/deb.log" 2>&1; then
	show_log_tail "$LOGDIR/deb.log"
	note "no Debian guest (see above): the stop part is skipped"
	exit 0
fi
booted() { "${P[@]}" exec sv runlevel 2>/dev/null | grep -q ' 2$'; }
note "podman stop -t $TIMEOUT of a Debian 12 sysvinit guest: $STOP_ROUNDS rounds of each"
bad=0
printf '\n%-8s %6s %10s %10s %10s %8s %8s\n' "stop" N "median ms" "min ms" "max ms" halted killed
for rt in "${RUNTIMES[@]}"; do
	halted=0 killed=0
	anno=()
	[[ $rt == ctrun ]] && anno=(--annotation org.ct.shutdown-method=sysvinit)
	for ((i = 0; i < STOP_ROUNDS; i++)); do
		rm -rf "$DEB" && cp -a "$DEB.pristine" "$DEB"
		"${P[@]}" --runtime "$(rt_bin "$rt")" run -d --name sv "${U[@]}" --cap-add SYS_BOOT \
			"${anno[@]}" --rootfs "$DEB" /sbin/init >>"$LOGDIR/stop-$rt.log" 2>&1 ||
			die "$rt: podman run of the guest failed"
		wait_for 60 booted || die "$rt: the guest did not reach runlevel 2"
		timed "$LOGDIR/stop-$rt.log" "${P[@]}" --runtime "$(rt_bin "$rt")" stop -t "$TIMEOUT" sv
		echo "$T_NS" >>"$TMP/stop-$rt.ns"
		case $("${P[@]}" inspect -f '{{.State.ExitCode}}' sv) in
		130) halted=$((halted + 1)) ;;
		137) killed=$((killed + 1)) ;;
		esac
		"${P[@]}" rm -f -t 0 sv >/dev/null
	done
	read -r n med min max < <(stats "$TMP/stop-$rt.ns")
	printf '%-8s %6s %10s %10s %10s %8s %8s\n' "$rt" "$n" "$med" "$min" "$max" "$halted" "$killed"
	summary "podman_stop_${rt}_ms" "$med"
	summary "podman_stop_${rt}_killed" "$killed/$n"
	[[ $rt != ctrun || $halted == "$n" ]] || bad=1
done
summary podman_stop_timeout_s "$TIMEOUT"
((bad == 0)) || die "a ctrun stop was not graceful (see $LOGDIR/stop-ctrun.log)"
