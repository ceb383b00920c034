#!/bin/sh
# Installs the Debian 12 packages needed to build ct and run its test suite (as root).
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	gcc make libc6-dev musl-tools autoconf automake pkg-config \
	libcap-dev libseccomp-dev libcmocka-dev libmnl-dev libjson-c-dev iproute2 iputils-ping postgresql-client \
	busybox-static util-linux procps e2fsprogs debootstrap \
	jq systemd \
	clang libclang-rt-14-dev >/dev/null
echo "install-deps: build and test dependencies are installed"
