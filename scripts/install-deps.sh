#!/bin/sh
# Installs the Debian 12 packages needed to build ct and run its test suite (as root).
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	gcc make libc6-dev musl-tools autoconf automake pkg-config \
	libcap-dev libseccomp-dev libcmocka-dev libmnl-dev libjson-c-dev iproute2 iputils-ping postgresql-client \
	busybox-static util-linux procps e2fsprogs debootstrap \
	jq systemd strace \
	clang libclang-rt-14-dev >/dev/null
# The OCI engines and runtimes ctrun is tested with and against (tests/integration/t-oci.sh,
# t-podman.sh, t-containerd.sh, t-docker.sh). Their packages must not start a daemon on this machine: a
# policy-rc.d refusing every start is in place while they are installed (only one made here is
# removed afterwards).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get install -y -qq --no-install-recommends \
	bats podman conmon crun runc containerd containernetworking-plugins iptables docker.io >/dev/null
echo "install-deps: build and test dependencies are installed"
