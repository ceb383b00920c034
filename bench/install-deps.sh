#!/bin/sh
# bench/install-deps.sh -- installs what bench/run.sh needs besides ct itself
# (Debian 12, as root): LXC 5.0.2 as the reference, a static busybox for the
# containers' rootfs, strace for the syscall profile, gnuplot (no X) for the
# plots, and gcc for the benchmarks' small C timing helpers.  shellcheck is
# only for checking the scripts.  The build dependencies of ct itself are
# installed by scripts/install-deps.sh.
set -eu
case ${1:-} in
-h | --help)
	echo "Usage: $0    (as root) apt-get install lxc busybox-static strace gnuplot-nox gcc libc6-dev shellcheck"
	exit 0
	;;
"") ;;
*) echo "$0: no arguments expected (see --help)" >&2; exit 1 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "$0: must run as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	lxc busybox-static strace gnuplot-nox gcc libc6-dev shellcheck >/dev/null
echo "install-deps: benchmark dependencies are installed (lxc $(lxc-start --version 2>/dev/null || echo '?'))"
