#!/usr/bin/env bash
# Time `xdpct -j list` on N flows: attach xdpct to a veth in a namespace of
# our own, fill its pinned flows map with N established flows (bench fill),
# list three times, report the median. Removes everything on exit.
#   tests/bench/list.sh N BENCH_BINARY
set -u
cd "$(dirname "$0")/../.."
n=$1 bench=$2
XDPCT=${XDPCT:-build/xdpct}
ns="xctbench$$"
cleanup() {
	"$XDPCT" -n "$ns" detach --all >/dev/null 2>&1
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$ns" || exit 1
ip -n "$ns" link add veth0 type veth peer name veth1 || exit 1
ip -n "$ns" link set veth0 up && ip -n "$ns" link set veth1 up
"$XDPCT" -n "$ns" attach veth0 >/dev/null || exit 1
pin="/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$ns")/flows"
[ -e "$pin" ] || { echo "no pinned flows map at $pin"; exit 1; }
t0=$(date +%s%N)
"$bench" fill "$pin" "$n" || exit 1
t1=$(date +%s%N)
times=()
for i in 1 2 3; do
	s=$(date +%s%N)
	"$XDPCT" -n "$ns" -j list >"/tmp/$ns.json" || exit 1
	e=$(date +%s%N)
	times+=($(( (e - s) / 1000000 )))
done
listed=$(jq length "/tmp/$ns.json")
bytes=$(stat -c %s "/tmp/$ns.json")
rm -f "/tmp/$ns.json"
med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "RESULT Attached to a veth in a namespace (default table of 1,048,576 entries), filled with $n established flows by bpf_map_update_batch in $(( (t1 - t0) / 1000000 )) ms: \`xdpct -j list\` printed $listed flows ($((bytes / 1048576)) MiB of JSON) in $med ms (median of 3: ${times[*]} ms)."
