# Shared by tests/e2e/test_track_*.sh (after tests/lib/e2e.sh).
TRACK_E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# counters NS PATTERN: the sum over CPUs of the counters whose names match
# PATTERN (an awk regex), read from the pinned per-CPU map through bpftool;
# ids are positions in include/xdpct/counters.h.
counters() {
	local ino idx b k v total=0 i
	ino=$(stat -L -c %i "/run/netns/$(ns "$1")")
	idx=$(grep -o 'X([A-Z0-9_]*, "[a-z0-9_]*")' "$TRACK_E2E_TOP/include/xdpct/counters.h" |
		awk -F'"' -v re="$2" '$2 ~ re { print NR - 1 }')
	while read -r -a b; do
		for i in $idx; do
			v=0
			for k in 7 6 5 4 3 2 1 0; do v=$((v * 256 + b[8 * i + k])); done
			total=$((total + v))
		done
	done < <(bpftool -j map dump pinned "/sys/fs/bpf/xdpct/net$ino/counters" |
		jq -r '.[0].values[].value | join(" ")')
	echo $total
}
