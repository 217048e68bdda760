#!/usr/bin/env bash
# An attached instance at full size, in a namespace of our own (removed on
# exit): fill its pinned flows map with N established flows (bench fill),
# then measure `xdpct -j list`, the daemon's sweep over live entries, the
# events per second the daemon reads (bench produce through the attached
# XDP program), and a sweep that expires all N at once. Prints RESULT lines.
#   tests/bench/attached.sh N BENCH_BINARY [LIST_REPEATS]
set -u
cd "$(dirname "$0")/../.."
n=$1 bench=$2 reps=${3:-3}
XDPCT=${XDPCT:-build/xdpct}
ns="xctbench$$"
reader=
cleanup() {
	[ -n "$reader" ] && kill "$reader" 2>/dev/null
	"$XDPCT" -n "$ns" detach --all >/dev/null 2>&1
	ip netns del "$ns" 2>/dev/null
	rm -f "/tmp/$ns.json"
}
trap cleanup EXIT
x() { "$XDPCT" -n "$ns" "$@"; }
status() { x -j status | jq -r ".daemon.$1"; }
counter() { x -j stats | jq -r ".counters.$1"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Wait for two more sweeps, so that one ran wholly after the change (30 s at most).
# Sweeps are 3 s apart: a status call on a full table (it counts the
# entries) must fit between the removing sweep and the next.
wait_sweeps() {
	local s0 i
	s0=$(status sweeps)
	for i in $(seq 300); do
		[ "$(status sweeps)" -ge $((s0 + 2)) ] && return 0
		sleep 0.1
	done
	echo "no sweep in 30 s"
	return 1
}

ip netns add "$ns" || exit 1
ip -n "$ns" link add veth0 type veth peer name veth1 || exit 1
ip -n "$ns" link set veth0 up && ip -n "$ns" link set veth1 up
x attach veth0 --sweep-interval 3s >/dev/null || exit 1
dir="/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$ns")"
[ -e "$dir/flows" ] || { echo "no pinned flows map in $dir"; exit 1; }
max=$(x -j status | jq -r .flows.max)

t0=$(ms)
"$bench" fill "$dir/flows" "$n" || exit 1
t1=$(ms)
wait_sweeps || exit 1
seen=$(status last_sweep_entries) cpu=$(status last_sweep_cpu_us)
live=$seen # the LRU may have evicted a few while filling to the brim
times=()
for i in $(seq "$reps"); do
	s=$(ms)
	x -j list >"/tmp/$ns.json" || exit 1
	times+=($(( $(ms) - s )))
done
listed=$(jq length "/tmp/$ns.json")
mib=$(( $(stat -c %s "/tmp/$ns.json") / 1048576 ))
med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (reps + 1) / 2 ))p")
echo "RESULT Table of $max entries filled with $n established flows (bpf_map_update_batch, $((t1 - t0)) ms). \`xdpct -j list\` printed $listed flows ($mib MiB of JSON) in $med ms (median of $reps: ${times[*]} ms)."
echo "RESULT The daemon's sweep over $seen live entries (none expired): $((cpu / 1000)) ms of CPU, $(( seen ? cpu * 1000 / seen : 0 )) ms per 1M entries (target < 500)."

# Events: one reader attached, every segment an event, the producer flat out.
x config set events all >/dev/null || exit 1
x -j events >/dev/null 2>&1 &
reader=$!
sleep 0.5
e0=$(status events) d0=$(counter ringbuf_drops) r0=$(status reader_drops)
read -r produced secs < <("$bench" produce "$dir/prog_xdp" 3) || exit 1
sleep 0.5
e1=$(status events) d1=$(counter ringbuf_drops) r1=$(status reader_drops)
kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null; reader=
awk -v p="$produced" -v s="$secs" -v e=$((e1 - e0)) -v d=$((d1 - d0)) -v r=$((r1 - r0)) 'BEGIN {
	printf "RESULT Events: %d segments of an unknown flow through the attached XDP program in %.1f s (one test run each, %.2f M/s), each an \"invalid\" event: the daemon read %d (%.2f M events/s) with one `xdpct events` reader attached; %d dropped at the ring buffer (counted), %d missed by the reader.\n", p, s, p / s / 1e6, e, e / s / 1e6, d, r }'
x config set events default >/dev/null 2>&1 || x config set events new,established,fin,time-wait,tw-restart,closed,reopened,destroyed,response >/dev/null

# Expiry: the N flows have been idle for seconds now; an ESTABLISHED
# timeout of 1 s makes them all expired at once, and the next sweep removes
# them. Its cost is read from the daemon's status before the sweep after it.
destroyed0=$(status destroyed)
x config set timeout-established 1s >/dev/null || exit 1
for i in $(seq 600); do
	st=$(x -j status) || exit 1
	gone=$(( $(jq -r .daemon.destroyed <<<"$st") - destroyed0 ))
	[ "$gone" -ge "$live" ] && break
	sleep 0.05
done
x config set timeout-established 5d >/dev/null
seen=$(jq -r .daemon.last_sweep_entries <<<"$st") cpu=$(jq -r .daemon.last_sweep_cpu_us <<<"$st")
left=$(jq -r .flows.entries <<<"$st")
echo "RESULT A sweep that expires all $live flows (timeout-established set to 1 s): $gone removed (each a \"destroyed\" event), $left left; the last sweep looked at $seen entries in $((cpu / 1000)) ms of CPU ($(( seen ? cpu * 1000 / seen : 0 )) ms per 1M)."
