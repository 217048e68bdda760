#!/usr/bin/env bash
# The demo: a client, a router and a server namespace; xdpct on the router's
# two interfaces; real connections through the lifecycle, the table after each.
set -u
XDPCT=${XDPCT:-build/xdpct}
PEER=${PEER:-build/tests/tools/peer}
P="xdpct-demo-$$"
TMP=$(mktemp -d)

cleanup() {
	"$XDPCT" -n "$P-r" detach --all >/dev/null 2>&1
	for n in c r s; do ip netns del "$P-$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
for n in c r s; do ip netns add "$P-$n"; ip -n "$P-$n" link set lo up; done
ip link add eth0 netns "$P-c" type veth peer name to-c netns "$P-r"
ip link add eth0 netns "$P-s" type veth peer name to-s netns "$P-r"
ip -n "$P-c" addr add 198.18.0.2/24 dev eth0; ip -n "$P-r" addr add 198.18.0.1/24 dev to-c
ip -n "$P-s" addr add 198.18.1.2/24 dev eth0; ip -n "$P-r" addr add 198.18.1.1/24 dev to-s
for l in "c eth0" "s eth0" "r to-c" "r to-s"; do set -- $l; ip -n "$P-$1" link set "$2" up; done
ip -n "$P-c" route add default via 198.18.0.1; ip -n "$P-s" route add default via 198.18.1.1
ip netns exec "$P-r" sysctl -qw net.ipv4.ip_forward=1
# Native XDP on a veth needs an XDP program on the peer to deliver XDP_TX; generic needs nothing.
"$XDPCT" -n "$P-r" attach to-c to-s --mode generic || exit 1
in_ns() { local n=$1; shift; nsenter --net="/run/netns/$P-$n" "$@"; }
show() { echo; echo "== $1"; "$XDPCT" -n "$P-r" list; }

in_ns s "$PEER" server 198.18.1.2 80 "touch:$TMP/a" recv:1000 send:5000 "wait:$TMP/a-done" &
sleep 0.2
in_ns c "$PEER" client 198.18.1.2 80 sport:40001 send:1000 recv:5000 "touch:$TMP/a-open" "wait:$TMP/a-done" &
sleep 0.5; show "handshake and data: ESTABLISHED"

in_ns s "$PEER" server 198.18.1.2 81 "touch:$TMP/b" recv:100 eof send:300 "wait:$TMP/b-go" close &
sleep 0.2
in_ns c "$PEER" client 198.18.1.2 81 sport:40002 send:100 shut recv:300 eof close &
sleep 0.5; show "half-close: the client sent FIN, the server still sends (FIN-WAIT-2 / CLOSE-WAIT)"
touch "$TMP/b-go"; sleep 0.3
show "client closed first: client TIME-WAIT"

in_ns s "$PEER" server 198.18.1.2 82 "touch:$TMP/c" send:10 shut eof close &
sleep 0.2
in_ns c "$PEER" client 198.18.1.2 82 sport:40003 recv:10 eof close
sleep 0.3; show "server closed first: server TIME-WAIT"

in_ns s "$PEER" server 198.18.1.2 83 "touch:$TMP/d" eof &
sleep 0.2
in_ns c "$PEER" client 198.18.1.2 83 sport:40004 send:10 abort
sleep 0.3; show "aborted with RST: CLOSE"
touch "$TMP/a-done"; wait
echo; echo "== the same table as JSON (xdpct -j list)"; "$XDPCT" -n "$P-r" -j list
echo; echo "demo done: lab removed"
