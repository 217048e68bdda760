# `make bench BENCH_QUICK=1` as a smoke test: the benchmark runs end to end
# (baselines load, the table fills, list on an attached instance, events)
# and its own bookkeeping holds. It never fails on speed.
. "$(dirname "$0")/../lib/e2e.sh"
t=bench_quick_smoke_run
out=$E2E_TMP/bench
if ! "$TOP/build/tests/bench/bench" --quick --out "$out" >"$E2E_TMP/log" 2>&1; then
	sed 's/^/  /' "$E2E_TMP/log" | tail -20
	fail $t
	e2e_exit
fi
ok=1
md=$out/quick.md
for row in "established data segment, IPv4" "established data segment, IPv6" \
	"SYN that creates a flow" "third ACK of the handshake" "first FIN" "segment of an unknown flow" "SYN-cookie SYN+ACK" "TIME-WAIT re-ACK"; do
	grep -q "| $row" "$md" || { echo "  no row '$row' in $md"; ok=0; }
done
# Every row has a number, not nan.
if grep -qi '| nan' "$md"; then echo "  a figure is nan"; ok=0; fi
# Floors are 10th percentiles: never above the median of the same timings,
# and the ratios shown are the floors' (awk fields: 4 ns/pkt, 6 floor ns,
# 7 empty floor, 8 calibration floor, 9 x empty, 10 x calibration, 13
# calibration ns; ratios are rounded to two decimals).
awk -F' *\\| *' '/^\| .* \| (repeat|single) \|/ {
	if ($6 + 0 > $4 + 0 || $8 + 0 > $13 + 0 || $6 <= 0 || $8 <= 0 ||
	    ($10 - $6 / $8) ^ 2 > 0.0001 || ($9 - $6 / $7) ^ 2 > 0.0001) { print "  row: " $0; bad = 1 }
	rows++ } END { exit bad || rows < 8 }' "$md" || { echo "  floors or their ratios do not add up"; ok=0; }
grep -q '^Target: .* IPv4 .* x, IPv6 .* x at the floors (.*; the median of the rounds' "$md" ||
	{ echo "  no target line with floors and medians"; ok=0; }
grep -q 'delivered + dropped = 100000' "$md" || { echo "  burst: delivered + dropped != burst"; ok=0; }
grep -q 'printed 100000 flows' "$md" || { echo "  list -j did not print the 100000 flows filled"; ok=0; }
grep -q 'xdpct on both interfaces' "$md" ||
	{ echo "  no forwarding result: $(grep -E 'frames forwarded|did not track|xdpct:|rror' "$E2E_TMP/log" | head -5)"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

# bench ab loads a build from its object file: the build against itself
# gives six figures, and an A/B ratio near 1 (within 2x, not a speed test).
# A missing object is an error, not a figure.
t=bench_ab_loads_two_builds
ok=1
if ! r=$("$TOP/build/tests/bench/bench" ab "$TOP/build/xdpct.bpf.o" "$TOP/build/xdpct.bpf.o" 2>&1); then
	echo "  bench ab failed: $r"; ok=0
else
	echo "  A/A: $r"
	echo "$r" | awk 'NF != 6 || $6 < 0.5 || $6 > 2 || $4 <= 0 { exit 1 }' ||
		{ echo "  not six figures with A/B within 2x: $r"; ok=0; }
fi
# The same on an ACK of an unknown flow, which costs two lookups (`flows`,
# then `embryos`) where calibration costs one: "above 1 x" shows the frame
# took that path, and is no speed check.
if ! r=$("$TOP/build/tests/bench/bench" ab "$TOP/build/xdpct.bpf.o" "$TOP/build/xdpct.bpf.o" unknown 2>&1); then
	echo "  bench ab unknown failed: $r"; ok=0
else
	echo "  A/A unknown: $r"
	echo "$r" | awk 'NF != 6 || $6 < 0.5 || $6 > 2 || $4 <= 1 { exit 1 }' ||
		{ echo "  unknown: not six figures, A/B within 2x, A above calibration: $r"; ok=0; }
fi
if "$TOP/build/tests/bench/bench" ab "$E2E_TMP/none.o" "$TOP/build/xdpct.bpf.o" >/dev/null 2>&1; then
	echo "  a missing object file was not refused"; ok=0
fi
[ $ok = 1 ] && pass $t || fail $t
e2e_exit
