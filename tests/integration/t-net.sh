#!/usr/bin/env bash
# Networking (net.N.*; n1 user-namespaced, n2 privileged), all inside a network namespace this
# test makes (a bridge br0 with 10.77.0.1/24 and fd77::1/64, a veth end as the "host NIC" for
# phys, a bridge as the macvlan parent): no
# traffic leaves the machine. Two veth containers in the bridge ping each other and the bridge
# (v4 and v6); addresses, routes, names, hardware address and mtu as `ip -j` reports them inside;
# ctinfo shows the network; a phys interface moves in and back out under its name; errors name
# the key and the interface; nothing is left (no stray veth) after a stop, a failed start, or a
# SIGKILLed monitor, and a restart with the same name works.
. "$(dirname "$0")/lib.sh"
command -v ip >/dev/null || skip "needs ip (iproute2)"
NS=ctnet-$$
ip netns add "$NS" || skip "cannot make a network namespace"
EXTRA_CLEANUP='ip netns del $NS 2>/dev/null || true'
# nsenter, not `ip netns exec`: that would remount /sys, hiding the cgroup file systems
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
in_ns ip link set lo up
in_ns ip link add br0 type bridge
in_ns ip addr add 10.77.0.1/24 dev br0
in_ns ip addr add fd77::1/64 dev br0 nodad
in_ns ip link set br0 up
# (no dummy driver on every kernel: a veth end plays the host NIC, a bridge the macvlan parent)
in_ns ip link add nic0 type veth peer name nic0peer
in_ns ip link add parent0 type bridge
in_ns ip link set parent0 up
for a in ping ip ifconfig route; do ln -sf busybox "$ROOTFS/bin/$a"; done
NCT() { in_ns "$CT_BINDIR/$1" --rundir "$RUNDIR" "${@:2}"; }
inside() { NCT ctexec -n "$1" -- "${@:2}"; }

conf1=$(write_conf n1 "net.0.type = veth" "net.0.link = br0" "net.0.ipv4 = 10.77.0.2/24" \
	"net.0.ipv4.gateway = 10.77.0.1" "net.0.ipv6 = fd77::2/64" "net.0.mtu = 1400" \
	"net.0.hwaddr = 02:00:00:77:00:02")
conf2=$(write_conf n2 "idmap = none" "net.0.type = veth" "net.0.link = br0" "net.0.name = lan0" \
	"net.0.ipv4 = 10.77.0.3/24")
NCT ctstart -n n1 -f "$conf1" -d -- sleep 1000
NCT ctstart -n n2 -f "$conf2" -d -- sleep 1000
ok "two containers with veths in a bridge started"
j=$(inside n1 ip -o addr show eth0)
expect_match "n1: eth0 has its IPv4 address" "inet 10\.77\.0\.2/24" "$j"
expect_match "n1: and its IPv6 address" "inet6 fd77::2/64" "$j"
j=$(inside n1 ip -o link show eth0)
expect_match "n1: its mtu" "mtu 1400" "$j"
expect_match "n1: its hardware address" "link/ether 02:00:00:77:00:02" "$j"
expect_match "n1: up" "UP" "$j"
expect_match "n1: the default route via the gateway" "default via 10\.77\.0\.1 dev eth0" "$(inside n1 ip route)"
# The same as the host's iproute2 reports it in the container's namespace, in JSON.
init=$(NCT ctinfo -n n1 --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
expect_eq "ip -j: eth0's global addresses" "10.77.0.2/24 fd77::2/64" \
	"$(nsenter -t "$init" -n ip -j addr show eth0 | jq -r '[.[0].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"] | join(" ")')"
expect_eq "ip -j: the default route" "10.77.0.1 eth0" \
	"$(nsenter -t "$init" -n ip -j route show default | jq -r '.[0] | "\(.gateway) \(.dev)"')"
expect_match "n2: the interface named as configured" "lan0" "$(inside n2 ip -o link show lan0)"
expect_match "n2: a stable derived hardware address (locally administered)" "link/ether 02:c7:" "$(inside n2 ip -o link show lan0)"
inside n1 ping -c 1 -W 5 10.77.0.3 >/dev/null || fail "n1 cannot ping n2"
ok "n1 pings n2 through the bridge"
inside n2 ping -c 1 -W 5 10.77.0.1 >/dev/null || fail "n2 cannot ping the bridge"
ok "n2 pings the bridge (the host side)"
in_ns ping -c 1 -W 5 fd77::2 >/dev/null || fail "the host side cannot ping n1 over IPv6"
ok "the host side pings n1 over IPv6"
host_end=$(in_ns ip -o link show master br0 | grep -o 'vct[0-9a-f]*\.0' | head -n 1)
[ -n "$host_end" ] || fail "no host end vct*.0 in the bridge"
ok "the host ends are in the bridge ($host_end)"
expect_match "ctinfo shows the network" "network: +eth0 10\.77\.0\.2/24 fd77::2/64 \(veth vct[0-9a-f]+\.0 in br0\)" "$(NCT ctinfo -n n1)"

NCT ctstop -n n1 -t 10
NCT ctstop -n n2 -t 10
expect_eq "after the stops, no veth of a container is left on the host side" "" "$(in_ns ip -o link show type veth | grep vct || true)"

# A SIGKILLed monitor: its container dies with it; a new start of the name works and leaves
# one veth.
NCT ctstart -n n1 -f "$conf1" -d -- sleep 1000
mon=$(NCT ctinfo -n n1 --json | sed -n 's/.*"monitor_pid": \([0-9]*\).*/\1/p')
init=$(NCT ctinfo -n n1 --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
kill -9 "$mon"
wait_for 10 sh -c "! kill -0 $mon 2>/dev/null && ! kill -0 $init 2>/dev/null" ||
	fail "the monitor or its init did not die"
NCT ctstart -n n1 -f "$conf1" -d -- sleep 1000
ok "a restart after a SIGKILLed monitor works"
expect_eq "with one veth on the host side" 1 "$(in_ns ip -o link show type veth | grep -c vct)"
NCT ctstop -n n1 -t 10

# phys: the host's nic0 moves in as eth0 and back out under its name on stop.
conf=$(write_conf p1 "net.0.type = phys" "net.0.link = nic0" "net.0.ipv4 = 10.88.0.2/24")
NCT ctstart -n p1 -f "$conf" -d -- sleep 1000
in_ns ip link show nic0 >/dev/null 2>&1 && fail "nic0 is still on the host side"
expect_match "phys: nic0 is eth0 inside, with its address" "inet 10\.88\.0\.2/24" "$(inside p1 ip -o addr show eth0)"
NCT ctstop -n p1 -t 10
in_ns ip link show nic0 >/dev/null 2>&1 || fail "nic0 did not come back"
ok "phys: nic0 is back on the host side under its name after the stop"
# The attack (what the guest's root can do in its own network namespace; done here with ip from
# outside): rename the moved interface, and give a device of its own the name the monitor would
# look for. The monitor moves back the interface it moved in (by index and kind), never that one.
NCT ctstart -n p1 -f "$conf" -d -- sleep 1000
init=$(NCT ctinfo -n p1 --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
nsenter -t "$init" -n ip link set eth0 name wg0
nsenter -t "$init" -n ip link add eth0 type veth peer name planted0
NCT ctstop -n p1 -t 10
in_ns ip link show nic0 >/dev/null 2>&1 || fail "the renamed interface did not come back as nic0"
ok "phys: renamed inside, the interface still comes back as nic0"
[ -z "$(in_ns ip -o link show | grep -E 'planted0|eth0')" ] || fail "a device the guest made reached the host side"
ok "phys: a device the guest named like it stays out of the host side"

# macvlan on a host interface.
conf=$(write_conf m1 "net.0.type = macvlan" "net.0.link = parent0" "net.0.ipv4 = 10.99.0.2/24")
NCT ctstart -n m1 -f "$conf" -d -- sleep 1000
expect_match "macvlan: eth0 inside, with its address" "inet 10\.99\.0\.2/24" "$(inside m1 ip -o addr show eth0)"
NCT ctstop -n m1 -t 10

# Errors name the key and the interface; a failed start leaves nothing.
conf=$(write_conf bad1 "net.0.type = veth" "net.0.link = br9")
run_rc rc NCT ctstart -n bad1 -f "$conf" -d -- true 2>"$T/err"
expect_eq "a bridge that does not exist: the start fails" 125 "$rc"
expect_match "naming the key and the interface" "net.0.link: no interface 'br9' on the host" "$(cat "$T/err")"
expect_eq "and leaves no veth" "" "$(in_ns ip -o link show type veth | grep vct || true)"
conf=$(write_conf bad2 "net.0.type = veth" "net.0.ipv4 = 10.1.2.3")
run_rc rc NCT ctstart -n bad2 -f "$conf" -d -- true 2>"$T/err"
expect_eq "an address without a prefix: refused" 125 "$rc"
expect_match "naming the key" "key 'net.0.ipv4': '10.1.2.3': an address with a prefix length is expected" "$(cat "$T/err")"
conf=$(write_conf bad3 "net.0.ipv4 = 10.1.2.3/24")
run_rc rc NCT ctstart -n bad3 -f "$conf" -d -- true 2>"$T/err"
expect_match "an interface without a type: refused, naming the key" "net.0.type.*missing" "$(cat "$T/err")"
conf=$(write_conf bad4 "net.9.type = veth")
run_rc rc NCT ctstart -n bad4 -f "$conf" -d -- true 2>"$T/err"
expect_match "net.9: refused" "net.N.KEY, N from 0 to 7" "$(cat "$T/err")"
conf=$(write_conf bad5 "net.0.type = phys")
run_rc rc NCT ctstart -n bad5 -f "$conf" -d -- true 2>"$T/err"
expect_match "phys without a link: refused" "net.0.link.*missing: type phys needs the host interface" "$(cat "$T/err")"
assert_clean
