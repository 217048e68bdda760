#!/usr/bin/env bash
# The demo (`xdpct demo`, `make demo`): a client, a router and a server
# namespace; xdpct on the router's two interfaces; real kernel connections
# through every phase (handshake, data, half-close, both closing orders,
# abort); the table, the events and the counters as it goes; the lab removed.
set -u
XDPCT=${XDPCT:-build/xdpct}
PEER=${PEER:-build/tests/tools/peer}
P="xdpct-demo-$$"
TMP=$(mktemp -d)
EV=

cleanup() {
	[ -n "$EV" ] && kill "$EV" 2>/dev/null
	"$XDPCT" -n "$P-r" detach --all >/dev/null 2>&1
	for n in c r s; do
		ip netns pids "$P-$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$P-$n" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }
for n in c r s; do ip netns add "$P-$n"; ip -n "$P-$n" link set lo up; done
ip link add eth0 netns "$P-c" type veth peer name to-c netns "$P-r"
ip link add eth0 netns "$P-s" type veth peer name to-s netns "$P-r"
ip -n "$P-c" addr add 198.18.0.2/24 dev eth0; ip -n "$P-r" addr add 198.18.0.1/24 dev to-c
ip -n "$P-s" addr add 198.18.1.2/24 dev eth0; ip -n "$P-r" addr add 198.18.1.1/24 dev to-s
for l in "c eth0" "s eth0" "r to-c" "r to-s"; do set -- $l; ip -n "$P-$1" link set "$2" up; done
ip -n "$P-c" route add default via 198.18.0.1; ip -n "$P-s" route add default via 198.18.1.1
ip netns exec "$P-r" sysctl -qw net.ipv4.ip_forward=1

bold "lab: client 198.18.0.2 -- [to-c  router  to-s] -- server 198.18.1.2"
# A short MSL so that TIME-WAIT visibly ends (2MSL = 4 s) within the demo.
printf 'msl 2s\n' >"$TMP/demo.conf"
"$XDPCT" -n "$P-r" attach to-c to-s --mode generic --config "$TMP/demo.conf" || exit 1
"$XDPCT" -n "$P-r" status
"$XDPCT" -n "$P-r" events >"$TMP/events" 2>&1 &
EV=$!
for i in $(seq 50); do
	[ "$("$XDPCT" -n "$P-r" -j status | jq .daemon.readers)" = 1 ] && break; sleep 0.1
done

in_ns() { local n=$1; shift; nsenter --net="/run/netns/$P-$n" "$@"; }
shown=0
show() {
	bold "$1"
	"$XDPCT" -n "$P-r" list
	echo "-- events:"
	tail -n +$((shown + 1)) "$TMP/events" | sed 's/^/   /'
	shown=$(wc -l <"$TMP/events")
}

in_ns s "$PEER" server 198.18.1.2 80 "touch:$TMP/a" recv:1000 send:5000 "wait:$TMP/a-done" &
sa=$!
sleep 0.2
in_ns c "$PEER" client 198.18.1.2 80 sport:40001 send:1000 recv:5000 "touch:$TMP/a-open" "wait:$TMP/a-done" &
ca=$!
sleep 0.5; show "1. handshake and data: ESTABLISHED (this one stays open to the end)"

in_ns s "$PEER" server 198.18.1.2 81 "touch:$TMP/b" recv:100 eof send:300 "wait:$TMP/b-go" close &
sleep 0.2
in_ns c "$PEER" client 198.18.1.2 81 sport:40002 send:100 shut recv:300 eof close &
sleep 0.5; show "2. half-close: the client sent FIN, the server still sends (FIN-WAIT-2 / CLOSE-WAIT)"
touch "$TMP/b-go"; sleep 0.3
show "3. the client closed first: the client is in TIME-WAIT"

in_ns s "$PEER" server 198.18.1.2 82 "touch:$TMP/c" send:10 shut eof close &
sleep 0.2
in_ns c "$PEER" client 198.18.1.2 82 sport:40003 recv:10 eof close
sleep 0.3; show "4. the server closed first: the server is in TIME-WAIT"

in_ns s "$PEER" server 198.18.1.2 83 "touch:$TMP/d" eof 2>/dev/null &  # it sees the reset
sleep 0.2
in_ns c "$PEER" client 198.18.1.2 83 sport:40004 send:10 abort
sleep 0.3; show "5. aborted with RST: CLOSE"

sleep 4.2
# Removal is to the tick of 2MSL; on a loaded machine, give the daemon a moment more.
for i in $(seq 30); do
	[ "$("$XDPCT" -n "$P-r" -j list | jq '[.[] | select(.state == "TIME_WAIT")] | length')" = 0 ] && break
	sleep 0.1
done
show "6. 2MSL (4 s here) later: the daemon removed the TIME-WAIT entries"
bold "the same table as JSON (xdpct -j list)"
"$XDPCT" -n "$P-r" -j list
bold "counters (xdpct stats), connection 1 still open"
"$XDPCT" -n "$P-r" stats | awk 'NR == 1 || $2 != 0'
echo "   (counters at zero left out)"
touch "$TMP/a-done"; wait $sa $ca 2>/dev/null
kill "$EV" 2>/dev/null; EV=
echo; echo "demo done: lab removed"
