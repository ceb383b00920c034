#!/usr/bin/env bash
# debian-rootfs.sh [--no-cache] [--stock-umountroot] sysvinit|systemd DEST
#
# Builds a Debian 12 (bookworm) `debootstrap --variant=minbase` root filesystem in DEST for the
# system-container tests, with sysvinit or systemd as /sbin/init, then adapts it to life in a
# container (see the tweak_* functions: each change says why).
#
# The pristine debootstrap result is cached as a tarball under $CT_ROOTFS_CACHE (default
# /var/cache/ct-tests), named <flavour>-<hash>.tar, the hash covering the suite, mirror, variant and
# package list. The first call downloads and installs (35-50 s here); later calls only extract
# the tarball (1-4 s). The container tweaks are applied to DEST on every call, so changing
# them never needs a rebuild.
#
# --stock-umountroot leaves sysvinit's /etc/init.d/umountroot as Debian ships it: its
# `mount -o remount,ro /` at halt is the attack t-debian.sh runs from a rootfs on a throwaway
# loop-mounted file system, to show that a container cannot remount the file system it lives on.
#
# Exit status: 0 built; 77 (automake's SKIP) when it cannot be built here: not root, no debootstrap
# and apt cannot install it, or the mirror cannot be reached; 1 for any other error; 2 bad usage.
#
# Environment:
#   DEBIAN_MIRROR     mirror URL (default: the bookworm URIs of /etc/apt/sources.list.d/debian.sources,
#                     else /etc/apt/sources.list, else http://deb.debian.org/debian)
#   CT_ROOTFS_CACHE   cache directory (default /var/cache/ct-tests)
#
# Configs that boot these guests under ctstart and stop them cleanly (measured stops 0.06-0.2 s):
#   sysvinit:  env = TERM=linux
#              mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755
#              (without the /run tmpfs, rcS mounts one over /run/initctl and for ~0.2 s of boot
#              there is no FIFO to ask for runlevel 0)
#   systemd:   namespaces = pid mount uts ipc net cgroup
#              mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755
#              mount = tmpfs /run/lock tmpfs rw,nosuid,nodev,noexec,size=5m,create=dir
#              shutdown_method = systemd
#              (the monitor clones init into a cgroup2 cgroup of its own and, with the cgroup
#              namespace, mounts cgroup2 at /sys/fs/cgroup: the guest owns its subtree)
set -euo pipefail

SUITE=bookworm
VARIANT=minbase
CACHE=${CT_ROOTFS_CACHE:-/var/cache/ct-tests}
PROG=$(basename "$0")

# The packages on top of minbase (which has no init at all: no /sbin/init, no halt).
#   sysvinit-core  /sbin/init, halt, shutdown; pulls in initscripts, sysv-rc, sysvinit-utils
#                  (killall5, pidof: what /etc/init.d/sendsigs needs to stop everything at halt)
#   systemd-sysv   /sbin/init -> systemd, halt/poweroff links; pulls in systemd itself
#   procps         ps, pkill, free: only so that a test (or a person) can look inside
PACKAGES_sysvinit="sysvinit-core,procps"
PACKAGES_systemd="systemd-sysv,procps"
# postgres: the sysvinit guest with PostgreSQL 15 (its cluster "main", its sysvinit script), for
# the stop-under-load test. Installed after debootstrap with every service start refused, so
# that the build never runs a server on the build host.
PACKAGES_postgres="sysvinit-core,procps"
EXTRA_postgres="postgresql"

usage() {
	echo "Usage: $PROG [--no-cache] [--stock-umountroot] sysvinit|systemd DEST" >&2
	exit 2
}

skip() {
	echo "SKIP: $PROG: $*" >&2
	exit 77
}

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

log() {
	echo "$PROG: $*" >&2
}

# The first http(s) URI of a bookworm stanza (not -security) of the deb822 sources, or of a
# one-line sources.list entry.
host_mirror() {
	local f=/etc/apt/sources.list.d/debian.sources uri
	if [ -r "$f" ]; then
		uri=$(awk -v suite="$SUITE" '
			BEGIN { RS = ""; FS = "\n" }
			{
				uris = ""; ok = 0
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); uris = $i }
					if ($i ~ /^Suites:/) {
						n = split($i, w, /[ \t]+/)
						for (j = 2; j <= n; j++) if (w[j] == suite) ok = 1
					}
				}
				if (ok && uris != "") { split(uris, u, /[ \t]+/); print u[1]; exit }
			}' "$f")
		[ -n "$uri" ] && { echo "$uri"; return; }
	fi
	if [ -r /etc/apt/sources.list ]; then
		uri=$(awk -v suite="$SUITE" '$1 == "deb" && $0 ~ " " suite " " {
			for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
		[ -n "$uri" ] && { echo "$uri"; return; }
	fi
	echo http://deb.debian.org/debian
}

# Succeeds when the mirror serves the suite's Release file.
mirror_reachable() {
	local url="$1/dists/$SUITE/Release"
	if command -v curl >/dev/null; then
		curl -fsS --max-time 20 -o /dev/null "$url"
	elif command -v wget >/dev/null; then
		wget -q -T 20 -t 1 -O /dev/null "$url"
	else
		# apt's own http method needs no extra tool.
		/usr/lib/apt/apt-helper download-file "$url" /dev/null >/dev/null 2>&1
	fi
}

ensure_debootstrap() {
	command -v debootstrap >/dev/null && return 0
	log "debootstrap is missing: installing it with apt-get"
	if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } \
		>/dev/null 2>&1; then
		skip "debootstrap is not installed and apt-get could not install it (no mirror?)"
	fi
	command -v debootstrap >/dev/null || skip "debootstrap still missing after apt-get install"
}

# ---- tweaks for a container (applied to DEST on every call) ----

# Both flavours.
tweak_common() {
	local d=$1
	# The container's hostname comes from the UTS namespace (ctstart's `hostname` key); debootstrap
	# copies the build host's /etc/hostname, which hostname.sh / systemd would set back at boot.
	rm -f "$d/etc/hostname"
	# An fstab without entries: the monitor mounts /proc, /sys, /dev; nothing to fsck or mount.
	printf '# Container: the supervisor mounts /proc, /sys, /dev (see the config mount key).\n' \
		>"$d/etc/fstab"
}

tweak_sysvinit() {
	local d=$1 f=$1/etc/inittab
	[ -f "$f" ] || die "$f missing: not a sysvinit rootfs?"
	# A container has no virtual terminals (/dev/tty1..6 do not exist in the monitor's /dev):
	# the stock getty lines 1:2345:respawn:/sbin/getty 38400 tty1 ... would fail and respawn until
	# init disables them ("respawning too fast"). Comment them out. No getty is put on
	# /dev/console either: in a daemonized container it is /dev/null, where a getty cannot run.
	sed -i -E 's|^([1-6]:[0-9]+:respawn:.*getty.*tty[1-6].*)$|#\1  # ct: no VTs in a container|' "$f"
	# Ctrl-Alt-Del and power-failure lines stay: they are only ever triggered by signals.
	# sysvinit 3.06 reads /etc/inittab.d/ too and says "No inittab.d directory found" without it.
	mkdir -p "$d/etc/inittab.d"
	# Boot and halt scripts that act on the machine rather than on the container. By default the
	# container has a user namespace of its own, where the kernel refuses them; in privileged
	# mode (idmap = none) it has host root's capabilities but ct's (sys_time, sys_module,
	# sys_rawio, ... dropped; /proc/sys read-only; privileged.seccomp). Its rootfs is a mount of
	# a host directory either way, so each of these would reach the host or just fail noisily.
	# (umountroot is kept as Debian ships it with --stock-umountroot, to test that its remount
	# cannot reach the host's file system.)
	stub_initscript "$d" hwclock.sh "hwclock --hctosys at boot would set the host's clock" \
		"(CAP_SYS_TIME; time is not namespaced), --systohc at halt writes the RTC"
	stub_initscript "$d" checkroot.sh "remounts / (the host filesystem's superblock: the root is" \
		"a bind mount) rw or ro, and runs fsck on it"
	# checkroot.sh also makes /etc/mtab the /proc/mounts symlink (its mtab_migrate; debootstrap
	# leaves none); umountnfs.sh reads it at halt ("cannot open /etc/mtab" without).
	[ -L "$d/etc/mtab" ] || [ -e "$d/etc/mtab" ] || ln -s /proc/mounts "$d/etc/mtab"
	stub_initscript "$d" checkfs.sh "fsck of fstab's filesystems: a container has none of its own"
	[ "$stock_umountroot" = 1 ] ||
		stub_initscript "$d" umountroot "'mount -o remount,ro /' would make the host's filesystem" \
			"read-only (seen failing only because the host had it busy: 'mount point is busy')"
	stub_initscript "$d" umountfs "'swapoff -a' would turn off the host's swap (/proc/swaps is" \
		"the host's); unmounting is done by the kernel when the mount namespace goes"
	stub_initscript "$d" procps "'sysctl --system' writes the rootfs's sysctl.d into /proc/sys," \
		"which is the host's kernel for every key that is not namespaced"
	stub_initscript "$d" mount-configfs "mounts the host's configfs on /sys/kernel/config"
}

# stub_initscript ROOT SCRIPT REASON...: replaces /etc/init.d/SCRIPT by a no-op that keeps the LSB
# header, so that insserv's dependency graph (the .depend files of the concurrent boot) and the
# rc?.d links stay exactly as installed: no update-rc.d run in the rootfs, nothing to regenerate.
stub_initscript() {
	local d=$1 f=$1/etc/init.d/$2 header
	shift 2
	[ -f "$f" ] || return 0
	grep -q '^# ct: disabled' "$f" && return 0
	header=$(sed -n '/^### BEGIN INIT INFO/,/^### END INIT INFO/p' "$f")
	[ -n "$header" ] || die "$f has no LSB header"
	printf '#!/bin/sh\n%s\n# ct: disabled in a container by debian-rootfs.sh: %s\nexit 0\n' \
		"$header" "$*" >"$f"
}

tweak_systemd() {
	local d=$1 u
	# Each container must get its own machine id: an empty /etc/machine-id makes systemd generate
	# one at boot ("Initializing machine ID from random generator") instead of sharing the build's.
	: >"$d/etc/machine-id"
	rm -f "$d/var/lib/dbus/machine-id"
	# What cannot work needs no mask: in a container (container= in init's environment) systemd
	# skips it by itself (no udev in minbase; getty@tty1 needs /dev/tty0; systemd-shutdown does
	# not unmount, swapoff or detach devices). Masked:
	# - console-getty.service: the getty generator enables it in any container, but with ctstart
	#   -d /dev/console is a null device (no terminal): agetty fails "Inappropriate ioctl for
	#   device", hits its start limit, and the system ends "degraded" instead of "running".
	mask_unit "$d" console-getty.service
	# - units that reach the host (privileged mode) or fail (a user namespace):
	#   systemd-sysctl would write the rootfs's sysctl.d into the host's kernel (ct makes
	#   /proc/sys read-only, so it would only fail); the /sys/kernel/{debug,tracing,config}
	#   and fusectl mounts are the host kernel's debugfs, tracefs, configfs and fuse control;
	#   binfmt_misc (init user namespace) is the host's (its automount only prints UNSUPP).
	for u in systemd-sysctl.service sys-kernel-debug.mount sys-kernel-tracing.mount \
		sys-kernel-config.mount sys-fs-fuse-connections.mount proc-sys-fs-binfmt_misc.automount \
		proc-sys-fs-binfmt_misc.mount systemd-binfmt.service; do
		mask_unit "$d" "$u"
	done
}

# mask_unit ROOT UNIT: what `systemctl mask` does, without running anything in the rootfs.
mask_unit() {
	ln -sfn /dev/null "$1/etc/systemd/system/$2"
}

# install_extra ROOT PACKAGES: apt-get install in the fresh rootfs, with a policy-rc.d that refuses
# every service start (a postinst must not start a server on the build host) and /proc mounted
# for the postinsts, unmounted again whatever happens.
install_extra() {
	local root=$1 rc=0
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	mount -t proc proc "$root/proc"
	chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $2" >"$root/../extra.log" 2>&1 || rc=$?
	umount "$root/proc"
	rm -f "$root/usr/sbin/policy-rc.d"
	[ "$rc" = 0 ] || tail -n 20 "$root/../extra.log" >&2
	return "$rc"
}

# The sysvinit guest, plus: local connections trusted, so that the test's clients (root of the
# container, or the host through the socket) need no password or peer match; and the server on
# TCP, trusting the test networks (10.66.0.0/16, t-database.sh), for clients on the host side.
tweak_postgres() {
	local d=$1 hba
	tweak_sysvinit "$d"
	hba=$(echo "$d"/etc/postgresql/*/main/pg_hba.conf)
	[ -f "$hba" ] || die "no PostgreSQL cluster in the rootfs ($hba)"
	sed -i -E 's/^(local|host)(.*)(peer|scram-sha-256|md5)$/\1\2trust/' "$hba"
	echo "host all all 10.66.0.0/16 trust" >>"$hba"
	echo "listen_addresses = '*'" >>"$(dirname "$hba")/postgresql.conf"
}

# ---- main ----

nocache=0
stock_umountroot=0
while [ $# -gt 0 ]; do
	case $1 in
	--no-cache) nocache=1; shift ;;
	--stock-umountroot) stock_umountroot=1; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
flavour=$1
dest=$2
case $flavour in
sysvinit) packages=$PACKAGES_sysvinit ;;
systemd) packages=$PACKAGES_systemd ;;
postgres) packages=$PACKAGES_postgres ;;
*) usage ;;
esac
extra_var=EXTRA_$flavour
extra=${!extra_var:-}

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, device nodes, file ownership)"
if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
	die "$dest exists and is not empty"
fi

mirror=${DEBIAN_MIRROR:-$(host_mirror)}
mirror=${mirror%/}
hash=$(printf '%s\n' "$SUITE" "$VARIANT" "$mirror" "$packages" "$extra" "$(dpkg --print-architecture)" |
	sha256sum | cut -c1-16)
tarball=$CACHE/$flavour-$hash.tar

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 # one build at a time; a second caller waits, then finds the tarball

started=$(date +%s.%N)
if [ "$nocache" = 1 ] || [ ! -s "$tarball" ]; then
	mirror_reachable "$mirror" || skip "the Debian mirror $mirror cannot be reached"
	ensure_debootstrap
	[ -r /usr/share/debootstrap/scripts/$SUITE ] || skip "this debootstrap does not know $SUITE"
	build=$(mktemp -d "$CACHE/build.XXXXXX")
	trap 'rm -rf "$build"' EXIT
	log "building $flavour rootfs ($SUITE, $VARIANT, +$packages) from $mirror"
	if ! debootstrap --variant="$VARIANT" --include="$packages" "$SUITE" "$build/root" "$mirror" \
		>"$build/debootstrap.log" 2>&1; then
		tail -n 20 "$build/debootstrap.log" >&2
		if ! mirror_reachable "$mirror"; then
			skip "the Debian mirror $mirror went away during the build"
		fi
		die "debootstrap failed (log above)"
	fi
	[ -z "$extra" ] || install_extra "$build/root" "$extra" || die "installing $extra failed"
	# Nothing from the build's apt run needs to be kept.
	rm -rf "$build/root/var/cache/apt/archives/"*.deb "$build/root/var/lib/apt/lists/"*_* \
		"$build/root/debootstrap"
	tar --numeric-owner --xattrs --xattrs-include='*' -C "$build/root" -cf "$build/rootfs.tar" .
	mv -f "$build/rootfs.tar" "$tarball"
	rm -rf "$build"
	trap - EXIT
	log "cached as $tarball"
else
	log "using cached $tarball"
fi

mkdir -p "$dest"
tar --numeric-owner --xattrs --xattrs-include='*' -C "$dest" -xpf "$tarball"
exec 9>&-
tweak_common "$dest"
"tweak_$flavour" "$dest"
ended=$(date +%s.%N)
log "$flavour rootfs ready in $dest ($(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }') s)"
