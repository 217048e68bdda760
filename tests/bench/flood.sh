#!/usr/bin/env bash
# A SYN flood at a listening port, answered three ways: xdpct's SYN cookies
# from XDP, the kernel's own syncookies, nftables synproxy. The flood is one
# SYN repeated with BPF_PROG_TEST_RUN live frames on the server's "in" veth
# (as fast as one CPU injects; answers go back to a namespace that drops
# them), while a real client on another veth opens connections one after
# another. Reports SYNs answered per second and the share of the client's
# connections that succeed during the flood. Namespaces of our own, removed
# on exit. Prints RESULT lines.
#   tests/bench/flood.sh BENCH_BINARY [SYNS] [CLIENT_TRIES]
set -u
cd "$(dirname "$0")/../.."
bench=$1 count=${2:-3000000} tries=${3:-20}
BUILD=${BUILD:-build}
XDPCT=${XDPCT:-$BUILD/xdpct}
PEER=${PEER:-$BUILD/tests/tools/peer}
ACCEPTER=$BUILD/tests/tools/accepter
p="xctsyn$$"
s=$p-s a=$p-a c=$p-c
FLOW=19205 # bench's flow: its SYN comes from 198.18.1.44:10005 to 198.19.0.1:80
tmp=$(mktemp -d)
cleanup() {
	"$XDPCT" -n "$s" detach --all >/dev/null 2>&1
	for n in "$s" "$a" "$c"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
in_ns() { local n=$1; shift; nsenter --net="/run/netns/$n" "$@"; }

for n in "$s" "$a" "$c"; do ip netns add "$n" || exit 1; ip -n "$n" link set lo up; done
ip -n "$s" link add in type veth peer name eth0 netns "$a" || exit 1
ip -n "$s" link add cl type veth peer name eth0 netns "$c" || exit 1
ip -n "$s" link set in address 02:00:00:00:00:02
ip -n "$a" link set eth0 address 02:00:00:00:00:01
for l in in cl; do ip -n "$s" link set "$l" up; done
ip -n "$a" link set eth0 up && ip -n "$c" link set eth0 up
ip -n "$s" addr add 198.19.0.1/24 dev in
ip -n "$s" route add 198.18.0.0/16 dev in
ip -n "$s" neigh replace 198.18.1.44 lladdr 02:00:00:00:00:01 dev in nud permanent
ip -n "$s" addr add 198.19.100.2/24 dev cl
ip -n "$c" addr add 198.19.100.1/24 dev eth0
ip -n "$a" link set eth0 xdp obj "$BUILD/bench/sink.bpf.o" sec xdp || exit 1
# A veth takes XDP_TX frames (xdpct's SYN+ACKs) only when its peer runs XDP.
ip -n "$c" link set eth0 xdp obj "$BUILD/bench/empty.bpf.o" sec xdp || exit 1
in_ns "$s" sysctl -qw net.ipv4.tcp_syncookies=2 net.ipv4.tcp_timestamps=2 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.in.rp_filter=0 net.core.somaxconn=4096

in_ns "$s" "$ACCEPTER" 0.0.0.0 80 100000 10 "$tmp/listening" >/dev/null 2>&1 &
for i in $(seq 50); do [ -e "$tmp/listening" ] && break; sleep 0.1; done

answers() { ip -n "$a" -s -j link show eth0 | jq '.[0].stats64.rx.packets'; }

# One setup: flood in the background, the client tries meanwhile.
flood() { # NAME PROG SYNS
	local r0 r1 ns ok=0 i count=$3
	r0=$(answers)
	in_ns "$s" "$bench" live "$2" in "$count" "$FLOW" syn >"$tmp/ns" 2>"$tmp/err" &
	local gen=$!
	sleep 0.2
	local tried=0
	for i in $(seq "$tries"); do
		kill -0 $gen 2>/dev/null || break
		tried=$((tried + 1))
		if timeout 3 nsenter --net="/run/netns/$c" "$PEER" client 198.19.100.2 80 recv:10 close \
			>/dev/null 2>&1; then ok=$((ok + 1)); fi
	done
	wait $gen || { echo "$1: generator failed: $(cat "$tmp/err")" >&2; return 1; }
	ns=$(cat "$tmp/ns")
	r1=$(answers)
	echo "$1: $(( (r1 - r0) )) of $count SYNs answered, $(awk -v n="$ns" 'BEGIN { printf "%.2f", 1000 / n }') M SYN/s ($ns ns each), client $ok of $tried connections" >&2
	printf '%s|%s|%s|%s|%s|%s\n' "$1" "$((r1 - r0))" "$ns" "$ok" "$tried" "$count"
}

results=()
# The kernel's own syncookies (tcp_syncookies=2: a cookie for every SYN).
results+=("$(flood "kernel syncookies" none "$count")") || exit 1
# nftables synproxy in front of the listener.
in_ns "$s" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 2>/dev/null
in_ns "$s" nft -f - <<'NFT' || exit 1
table ip xctsyn {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		tcp dport 80 tcp flags syn notrack
	}
	chain inp {
		type filter hook input priority filter; policy accept;
		tcp dport 80 ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
		ct state invalid drop
	}
}
NFT
results+=("$(flood "nftables synproxy" none "$count")") || exit 1
in_ns "$s" nft delete table ip xctsyn
# xdpct: cookies from XDP on both of the server's interfaces.
"$XDPCT" -n "$s" attach in cl >/dev/null || exit 1
"$XDPCT" -n "$s" config set syncookies on >/dev/null &&
	"$XDPCT" -n "$s" config set protected-ports 80 >/dev/null || exit 1
dir="/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$s")"
# Arm the listener with one real connection first, as any traffic would.
timeout 2 nsenter --net="/run/netns/$c" "$PEER" client 198.19.100.2 80 recv:10 close >/dev/null 2>&1
# About three times faster: three times the SYNs, for a flood as long.
results+=("$(flood "xdpct SYN cookies" "$dir/prog_xdp" $((count * 3)))") || exit 1

line="SYN flood (one SYN repeated, one CPU injecting with live frames) at a listener on port 80, a real client connecting meanwhile (up to $tries tries while the flood lasts, 3 s each):"
for r in "${results[@]}"; do
	IFS='|' read -r name ans ns ok tried sent <<<"$r"
	line+=" $name $(awk -v n="$ns" 'BEGIN { printf "%.2f", 1000 / n }') M SYN/s answered ($ans SYN+ACKs seen for $sent SYNs), client $ok of $tried;"
done
echo "RESULT ${line%;}."
