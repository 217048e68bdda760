# xdpct replay: a capture made here (tcpdump on the server's veth while xdpct
# tracks the same traffic live) replayed through the real programs in private
# maps must end in the states the live table showed; a short MSL config
# expires the TIME-WAIT entry as 2MSL passes in the capture's own time;
# --until stops early; bad files are one line, exit 1.
. "$(dirname "$0")/../lib/e2e.sh"

if ! command -v tcpdump >/dev/null; then
	skip replay_matches_live "tcpdump is not installed (make deps)"; e2e_exit
fi
ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
addr c veth0 2001:db8::1/64 nodad; addr s veth0 2001:db8::2/64 nodad
X() { "$XDPCT" -n "$(ns s)" "$@"; }
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
DUMP= DUMPS=()
trap '[ -n "$DUMP" ] && kill $DUMP 2>/dev/null; kill "${DUMPS[@]}" 2>/dev/null; e2e_cleanup; rm -rf "$RUN_DIR"' EXIT
CAP=$E2E_TMP/cap.pcap

if ! X attach veth0 >/dev/null; then
	fail replay_matches_live; e2e_exit
fi
nsenter --net="/run/netns/$(ns s)" tcpdump -Z root --immediate-mode -B 65536 -i veth0 -U -s 0 -w "$CAP" >"$E2E_TMP/tcpdump.log" 2>&1 &
DUMP=$!
# The same traffic as tcpdump -i any records it (Linux cooked v2, and v1):
# each frame marked as sent by the host or received.
for lt in LINUX_SLL2 LINUX_SLL; do
	nsenter --net="/run/netns/$(ns s)" tcpdump -Z root --immediate-mode -B 65536 -i any -y $lt -U -s 0 \
		-w "$E2E_TMP/any_$lt.pcap" >"$E2E_TMP/tcpdump_$lt.log" 2>&1 &
	DUMPS+=($!)
done
for log in tcpdump tcpdump_LINUX_SLL2 tcpdump_LINUX_SLL; do
	for i in $(seq 50); do grep -qs listening "$E2E_TMP/$log.log" && break; sleep 0.1; done
done

# A open (v4), B closed by the client (TIME_WAIT), C open (v6), D aborted (CLOSE).
run s "$PEER" server 198.18.0.2 8001 "touch:$E2E_TMP/la" recv:100 send:200 "wait:$E2E_TMP/done" &
wait_file "$E2E_TMP/la"
run c "$PEER" client 198.18.0.2 8001 sport:44001 send:100 recv:200 "touch:$E2E_TMP/oa" "wait:$E2E_TMP/done" &
run s "$PEER" server 198.18.0.2 8002 "touch:$E2E_TMP/lb" recv:10 eof close &
wait_file "$E2E_TMP/lb"
run c "$PEER" client 198.18.0.2 8002 sport:44002 send:10 shut eof close
run s "$PEER" server 2001:db8::2 8003 "touch:$E2E_TMP/lc" recv:1 "wait:$E2E_TMP/done" &
wait_file "$E2E_TMP/lc"
run c "$PEER" client 2001:db8::2 8003 sport:44003 send:1 "touch:$E2E_TMP/oc" "wait:$E2E_TMP/done" &
run s "$PEER" server 198.18.0.2 8004 "touch:$E2E_TMP/ld" recv:5 "wait:$E2E_TMP/done" &
wait_file "$E2E_TMP/ld"
run c "$PEER" client 198.18.0.2 8004 sport:44004 send:5 sleep:100 abort
wait_file "$E2E_TMP/oa"; wait_file "$E2E_TMP/oc"; sleep 0.2
X -j list >"$E2E_TMP/live.json"
# More than 2 x 200 ms later, one more frame: the capture now spans 2MSL of a 200 ms MSL.
sleep 0.6
run c bash -c 'echo tick >/dev/udp/198.18.0.2/9' # a UDP frame: the clock moves, no flow
sleep 0.3
kill -INT $DUMP "${DUMPS[@]}"; wait $DUMP "${DUMPS[@]}"; DUMP= DUMPS=()

# The fields replay must reproduce, per flow, sorted by client port.
fields='[.[] | {sport, family, src, dst, dport, state, client_state, server_state, packets_orig, packets_reply, bytes_orig, bytes_reply}] | sort_by(.sport)'
t=replay_matches_live
ok=1
expect live_count "$(jq length "$E2E_TMP/live.json")" 4 || ok=0
"$XDPCT" -j replay "$CAP" --egress-from 198.18.0.2 --egress-from 2001:db8::2 >"$E2E_TMP/r1.json" 2>"$E2E_TMP/r1.err" ||
	{ echo "  replay failed: $(cat "$E2E_TMP/r1.err")"; ok=0; }
expect same_table "$(jq -c ".flows | $fields" "$E2E_TMP/r1.json")" "$(jq -c "$fields" "$E2E_TMP/live.json")" || ok=0
expect states "$(jq -r '.flows | sort_by(.sport) | map(.state) | join(",")' "$E2E_TMP/r1.json")" \
	"ESTABLISHED,TIME_WAIT,ESTABLISHED,CLOSE" || ok=0
[ "$(jq .frames_tc "$E2E_TMP/r1.json")" -gt 0 ] && [ "$(jq .frames_xdp "$E2E_TMP/r1.json")" -gt 0 ] ||
	{ echo "  frames: $(jq -c '[.frames_xdp, .frames_tc]' "$E2E_TMP/r1.json")"; ok=0; }
expect no_removal "$(jq .expired_removed "$E2E_TMP/r1.json")" 0 || ok=0
# The event log: each flow's new, B's time-wait, D's closed, in capture order.
expect ev_b "$(jq -r '[.events[] | select(.sport == 44002) | .type] | join(",")' "$E2E_TMP/r1.json")" \
	"new,established,fin,time-wait" || ok=0
expect ev_d_closed "$(jq -r '[.events[] | select(.sport == 44004 and .type == "closed")] | length' "$E2E_TMP/r1.json")" 1 || ok=0
expect ev_sorted "$(jq '[.events[].t_us] | . == sort' "$E2E_TMP/r1.json")" true || ok=0
expect opened "$(jq .counters.flows_new "$E2E_TMP/r1.json" 2>/dev/null)" 4 || ok=0
# The live table is untouched by a replay.
X -j list >"$E2E_TMP/live2.json"
expect live_untouched "$(jq -c "$fields" "$E2E_TMP/live2.json")" "$(jq -c "$fields" "$E2E_TMP/live.json")" || ok=0
touch "$E2E_TMP/done"
[ $ok = 1 ] && pass $t || { cat "$E2E_TMP/r1.err"; fail $t; }

t=replay_all_through_xdp
ok=1
# Without --egress-from every frame is ingress: the tracker finds the client by the SYN all the same.
"$XDPCT" -j replay "$CAP" >"$E2E_TMP/r2.json" 2>&1 || ok=0
expect same_states "$(jq -c '.flows | sort_by(.sport) | map([.state, .client_state, .server_state])' "$E2E_TMP/r2.json")" \
	"$(jq -c 'sort_by(.sport) | map([.state, .client_state, .server_state])' "$E2E_TMP/live.json")" || ok=0
expect tc_none "$(jq .frames_tc "$E2E_TMP/r2.json")" 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=replay_time_wait_expires_2msl
ok=1
printf 'msl 200ms\n' >"$E2E_TMP/short.conf"
"$XDPCT" -j replay --config "$E2E_TMP/short.conf" --egress-from 198.18.0.2 --egress-from 2001:db8::2 "$CAP" \
	>"$E2E_TMP/r3.json" 2>&1 || ok=0
expect remaining "$(jq -r '.flows | sort_by(.sport) | map("\(.sport):\(.state)") | join(",")' "$E2E_TMP/r3.json")" \
	"44001:ESTABLISHED,44003:ESTABLISHED,44004:CLOSE" || ok=0
expect removed "$(jq .expired_removed "$E2E_TMP/r3.json")" 1 || ok=0
d=$(jq -c '[.events[] | select(.type == "destroyed")]' "$E2E_TMP/r3.json")
expect destroyed "$(jq -r 'map("\(.sport) \(.state) \(.reason)") | join(",")' <<<"$d")" "44002 TIME_WAIT expired" || ok=0
# Due 2 x 200 ms after B's time-wait event, to the tick (HZ ticks: 1 tick is at most 10 ms).
tw=$(jq '[.events[] | select(.sport == 44002 and .type == "time-wait")][0].t_us' "$E2E_TMP/r3.json")
de=$(jq '.[0].t_us' <<<"$d")
[ $((de - tw)) -ge 400000 ] && [ $((de - tw)) -le 420000 ] || { echo "  destroyed $((de - tw)) us after time-wait"; ok=0; }
[ "$(jq .duration_ms "$E2E_TMP/r3.json")" -ge $(( (de / 1000) )) ] || { echo "  capture shorter than the expiry"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=replay_any_capture_knows_directions
ok=1
# No --egress-from: what the server sent goes through tc egress because the
# cooked header says so, and the table is the live one, flow for flow.
invalid='.counters | with_entries(select(.key | startswith("invalid_")))'
for lt in LINUX_SLL2 LINUX_SLL; do
	"$XDPCT" -j replay "$E2E_TMP/any_$lt.pcap" >"$E2E_TMP/r_$lt.json" 2>&1 ||
		{ echo "  $lt: replay failed: $(head -c 300 "$E2E_TMP/r_$lt.json")"; ok=0; continue; }
	expect "$lt egress_by" "$(jq -r .egress_by "$E2E_TMP/r_$lt.json")" capture || ok=0
	expect "$lt table" "$(jq -c ".flows | $fields" "$E2E_TMP/r_$lt.json")" "$(jq -c "$fields" "$E2E_TMP/live.json")" || ok=0
	# ARP and neighbour discovery the host sent go through tc as well: more tc frames.
	[ "$(jq .frames_tc "$E2E_TMP/r_$lt.json")" -ge "$(jq .frames_tc "$E2E_TMP/r1.json")" ] ||
		{ echo "  $lt: $(jq .frames_tc "$E2E_TMP/r_$lt.json") tc frames"; ok=0; }
	expect "$lt invalid" "$(jq -c "$invalid" "$E2E_TMP/r_$lt.json")" "$(jq -c "$invalid" "$E2E_TMP/r1.json")" || ok=0
done
# An explicit --egress-from still decides: the server's address alone, the IPv6 flow's frames all through XDP.
"$XDPCT" -j replay --egress-from 198.18.0.2 "$E2E_TMP/any_LINUX_SLL2.pcap" >"$E2E_TMP/r_sll_addr.json" 2>&1 || ok=0
expect addr_egress_by "$(jq -r .egress_by "$E2E_TMP/r_sll_addr.json")" addresses || ok=0
[ "$(jq .frames_tc "$E2E_TMP/r_sll_addr.json")" -lt "$(jq .frames_tc "$E2E_TMP/r1.json")" ] ||
	{ echo "  --egress-from 198.18.0.2: $(jq .frames_tc "$E2E_TMP/r_sll_addr.json") tc frames"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=replay_pcapng
ok=1
# The same capture as pcapng (nanosecond timestamps): the same replay, to the byte.
build/tests/tools/pcap2ng "$CAP" "$E2E_TMP/cap.pcapng" || ok=0
"$XDPCT" -j replay --egress-from 198.18.0.2 --egress-from 2001:db8::2 "$E2E_TMP/cap.pcapng" >"$E2E_TMP/r6.json" 2>&1 || ok=0
expect same_as_pcap "$(jq -c 'del(.file) | .flows |= sort_by(.sport)' "$E2E_TMP/r6.json")" "$(jq -c 'del(.file) | .flows |= sort_by(.sport)' "$E2E_TMP/r1.json")" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=replay_until
ok=1
# Stop 1 ms after B entered TIME_WAIT (C and D began 100 ms later).
u=$(( $(jq '[.events[] | select(.sport == 44002 and .type == "time-wait")][0].t_us' "$E2E_TMP/r1.json") / 1000 + 1 ))
"$XDPCT" -j replay --until "${u}ms" --egress-from 198.18.0.2 "$CAP" >"$E2E_TMP/r4.json" 2>&1 || ok=0
expect stopped "$(jq .stopped_by_until "$E2E_TMP/r4.json")" true || ok=0
expect duration "$(jq .duration_ms "$E2E_TMP/r4.json")" "$u" || ok=0
expect two_flows "$(jq -r '.flows | sort_by(.sport) | map("\(.sport):\(.state)") | join(",")' "$E2E_TMP/r4.json")" \
	"44001:ESTABLISHED,44002:TIME_WAIT" || ok=0
[ "$(jq .frames "$E2E_TMP/r4.json")" -lt "$(jq .frames "$E2E_TMP/r1.json")" ] || { echo "  every frame ran"; ok=0; }
"$XDPCT" replay --until 1h "$CAP" >"$E2E_TMP/r5.txt" 2>&1 || ok=0
grep -q "^4 flows$" "$E2E_TMP/r5.txt" || { echo "  text table:"; sed 's/^/    /' "$E2E_TMP/r5.txt"; ok=0; }
grep -q "stopped by --until" "$E2E_TMP/r5.txt" && { echo "  --until past the end stopped"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=replay_splits_tso_frames
ok=1
# 1 MB from the server, over IPv4 and IPv6: its egress carries TSO super-frames (tc sees them
# whole, gso_segs at a time), which a test run cannot take; replay cuts them
# as GSO did and must count what the live table counted.
CAP2=$E2E_TMP/bulk.pcap
nsenter --net="/run/netns/$(ns s)" tcpdump -Z root --immediate-mode -B 65536 -i veth0 -U -s 0 -w "$CAP2" >"$E2E_TMP/tcpdump2.log" 2>&1 &
DUMP=$!
for i in $(seq 50); do grep -qs listening "$E2E_TMP/tcpdump2.log" && break; sleep 0.1; done
txdrop0=$(ip -n "$(ns s)" -j -s link show veth0 | jq '.[0].stats64.tx.dropped')
run s "$PEER" server 198.18.0.2 8005 "touch:$E2E_TMP/le" recv:1 send:1000000 eof close &
wait_file "$E2E_TMP/le"
run c "$PEER" client 198.18.0.2 8005 sport:44005 send:1 recv:1000000 shut eof close
run s "$PEER" server 2001:db8::2 8006 "touch:$E2E_TMP/lf" recv:1 send:1000000 eof close &
wait_file "$E2E_TMP/lf"
run c "$PEER" client 2001:db8::2 8006 sport:44006 send:1 recv:1000000 shut eof close
sleep 0.3
X -j list --port 8005 >"$E2E_TMP/live_bulk.json"
X -j list --port 8006 >>"$E2E_TMP/live_bulk.json"
kill -INT $DUMP; wait $DUMP; DUMP=
"$XDPCT" -j replay --flows 64 --egress-from 198.18.0.2 --egress-from 2001:db8::2 "$CAP2" >"$E2E_TMP/r7.json" 2>&1 || ok=0
[ "$(jq .frames_split "$E2E_TMP/r7.json")" -gt 0 ] || { echo "  no TSO frame in the capture: $(jq -c '[.frames, .frames_split]' "$E2E_TMP/r7.json")"; ok=0; }
expect too_big "$(jq .frames_too_big "$E2E_TMP/r7.json")" 0 || ok=0
# Exact, except for segments tc egress saw and the veth dropped before the
# wire (and the capture): live counts them, the capture cannot hold them.
txdrop=$(( $(ip -n "$(ns s)" -j -s link show veth0 | jq '.[0].stats64.tx.dropped') - txdrop0 ))
states='map({sport, state, client_state, server_state})'
expect bulk_states "$(jq -c '.flows | map(select(.sport == 44005 or .sport == 44006)) | '"$fields | $states" "$E2E_TMP/r7.json")" \
	"$(jq -s -c "add | $fields | $states" "$E2E_TMP/live_bulk.json")" || ok=0
if [ "$txdrop" = 0 ]; then
	expect bulk "$(jq -c '.flows | map(select(.sport == 44005 or .sport == 44006)) | '"$fields" "$E2E_TMP/r7.json")" \
		"$(jq -s -c "add | $fields" "$E2E_TMP/live_bulk.json")" || ok=0
else
	lp=$(jq -s '[add[] | .packets_orig + .packets_reply] | add' "$E2E_TMP/live_bulk.json")
	rp=$(jq '[.flows[] | select(.sport == 44005 or .sport == 44006) | .packets_orig + .packets_reply] | add' "$E2E_TMP/r7.json")
	[ "$rp" -le "$lp" ] && [ $((lp - rp)) -le "$txdrop" ] ||
		{ echo "  packets: live $lp, replay $rp, veth tx drops $txdrop"; ok=0; }
fi
[ $ok = 1 ] && pass $t || { grep dropped "$E2E_TMP/tcpdump2.log" | sed 's/^/  /'; fail $t; }

t=replay_cuts_frames_over_the_mtu
ok=1
# A made-up capture of one TCP frame with 2000 bytes of payload, small
# enough for a test run: as a TSO frame it was two packets on a 1500-byte
# link (1460 + 540), three on a 1000-byte one, one on a 3000-byte one.
le32() { printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }
be16() { printf "$(printf '\\x%02x\\x%02x' $(($1 >> 8 & 255)) $(($1 & 255)))"; }
{
	printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00'; le32 0; le32 0; le32 262144; le32 1
	le32 1; le32 0; le32 2054; le32 2054
	printf '\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'
	printf '\x45\x00'; be16 2040; printf '\x00\x01\x40\x00\x40\x06\x00\x00\xc6\x12\x00\x01\xc6\x12\x00\x02'
	be16 44100; be16 8100; le32 1000; le32 2000; printf '\x50\x18'; be16 512; printf '\x00\x00\x00\x00'
	head -c 2000 /dev/zero
} >"$E2E_TMP/tso.pcap"
for m in default:2:1 1000:3:1 3000:1:0; do
	IFS=: read -r mtu want_pkts want_split <<<"$m"
	args=(); [ "$mtu" = default ] || args=(--mtu "$mtu")
	"$XDPCT" -j replay "${args[@]}" "$E2E_TMP/tso.pcap" >"$E2E_TMP/r8.json" 2>&1 || { echo "  mtu $mtu: $(cat "$E2E_TMP/r8.json")"; ok=0; continue; }
	expect "mtu $mtu packets" "$(jq .counters.packets "$E2E_TMP/r8.json")" "$want_pkts" || ok=0
	expect "mtu $mtu split" "$(jq .frames_split "$E2E_TMP/r8.json")" "$want_split" || ok=0
	expect "mtu $mtu frames" "$(jq .frames "$E2E_TMP/r8.json")" 1 || ok=0
done
[ $ok = 1 ] && pass $t || fail $t

t=replay_counts_cut_runt_and_big_tcp_frames
# A frame the capture cut short (snaplen 64) is counted and said, not run
# as malformed; a 10-byte runt is skipped, not fatal; a BIG TCP frame of
# 99,000 bytes (IPv4 total length 0) is cut into 68 segments of 1460.
ok=1
python3 - "$E2E_TMP/odd.pcap" <<'PY'
import struct, sys
def tcp_frame(payload, tot_len=None):
    ip_len = 40 + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len if tot_len is None else tot_len, 1, 0x4000,
                     64, 6, 0, bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
    tcp = struct.pack("!HHIIBBHHH", 44200, 8200, 1000, 2000, 0x50, 0x10, 512, 0, 0)
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp + b"\0" * payload
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    def rec(t, data, wire):
        f.write(struct.pack("<IIII", t, 0, len(data), wire) + data)
    full = tcp_frame(1460)
    rec(1, full[:64], len(full))
    rec(2, b"\x02" * 10, 10)
    big = tcp_frame(99000, tot_len=0)
    rec(3, big, len(big))
PY
"$XDPCT" -j replay "$E2E_TMP/odd.pcap" >"$E2E_TMP/odd.json" 2>"$E2E_TMP/odd.err" ||
	{ echo "  replay: $(cat "$E2E_TMP/odd.err")"; ok=0; }
expect frames "$(jq .frames "$E2E_TMP/odd.json")" 3 || ok=0
expect cut "$(jq .frames_cut "$E2E_TMP/odd.json")" 1 || ok=0
expect skipped "$(jq .frames_skipped "$E2E_TMP/odd.json")" 2 || ok=0
expect split "$(jq .frames_split "$E2E_TMP/odd.json")" 1 || ok=0
expect segments "$(jq .split_segments "$E2E_TMP/odd.json")" 68 || ok=0
expect malformed "$(jq .counters.malformed_ipv4 "$E2E_TMP/odd.json")" 0 || ok=0
"$XDPCT" replay "$E2E_TMP/odd.pcap" | grep -q "1 frames the capture cut short" ||
	{ echo "  the text says nothing of the cut frame"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=replay_a_wrong_first_timestamp_does_not_freeze_the_clock
# The first frame stamped in 2106, the next two 2 s apart: the replay lasts 2 s.
ok=1
python3 - "$E2E_TMP/future.pcap" <<'PY'
import struct, sys
frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x06" + b"\0" * 28  # ARP: not TCP, still a frame
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    for t in (0xfffffff0, 1700000000, 1700000002):
        f.write(struct.pack("<IIII", t, 0, len(frame), len(frame)) + frame)
PY
"$XDPCT" -j replay "$E2E_TMP/future.pcap" >"$E2E_TMP/future.json" 2>&1 || { echo "  $(cat "$E2E_TMP/future.json")"; ok=0; }
expect duration_ms "$(jq .duration_ms "$E2E_TMP/future.json")" 2000 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=replay_time_wait_ends_at_2msl_between_sweeps
# TIME-WAIT ends by a timer at 2MSL, as in the daemon, not at the next
# sweep: frames of other traffic every 250 ms kept the sweeps on schedule
# (every 1 s under msl 1s), and a SYN of the same 4-tuple 2.3 s after the
# last ACK reopened the old entry instead of opening a new flow.
ok=1
python3 - "$E2E_TMP/tw.pcap" <<'PY'
import struct, sys
C, S = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])
def tcp(src, dst, sp, dp, seq, ack, flags):
    th = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(th), 0, 0x4000, 64, 6, 0, src, dst)
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + th
arp = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x06" + b"\0" * 28
SYN, ACK, FIN = 0x02, 0x10, 0x01
frames = [
    (0.000, tcp(C, S, 41000, 8080, 1000, 0, SYN)),
    (0.001, tcp(S, C, 8080, 41000, 5000, 1001, SYN | ACK)),
    (0.002, tcp(C, S, 41000, 8080, 1001, 5001, ACK)),
    (0.010, tcp(S, C, 8080, 41000, 5001, 1001, FIN | ACK)),   # the server closes first
    (0.011, tcp(C, S, 41000, 8080, 1001, 5002, ACK)),
    (0.012, tcp(C, S, 41000, 8080, 1001, 5002, FIN | ACK)),
    (0.013, tcp(S, C, 8080, 41000, 5002, 1002, ACK)),         # the server in TIME-WAIT
] + [(0.25 * i, arp) for i in range(1, 10)] + [
    (2.300, tcp(C, S, 41000, 8080, 900000, 0, SYN)),          # the same 4-tuple again
]
frames.sort(key=lambda f: f[0])
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    for t, fr in frames:
        us = int(round(t * 1e6))
        f.write(struct.pack("<IIII", 1700000000 + us // 1000000, us % 1000000, len(fr), len(fr)) + fr)
PY
printf 'msl 1s\n' >"$E2E_TMP/msl1.conf"
"$XDPCT" -j replay --config "$E2E_TMP/msl1.conf" "$E2E_TMP/tw.pcap" >"$E2E_TMP/tw.json" 2>&1 ||
	{ echo "  $(head -3 "$E2E_TMP/tw.json")"; ok=0; }
expect events "$(jq -r '[.events[] | select(.sport == 41000 and (.type == "new" or .type == "time-wait" or .type == "reopened" or .type == "destroyed")) | .type] | join(",")' "$E2E_TMP/tw.json")" \
	"new,time-wait,destroyed,new" || ok=0
expect removed "$(jq .expired_removed "$E2E_TMP/tw.json")" 1 || ok=0
tw=$(jq '[.events[] | select(.sport == 41000 and .type == "time-wait")][0].t_us' "$E2E_TMP/tw.json")
de=$(jq '[.events[] | select(.sport == 41000 and .type == "destroyed")][0].t_us' "$E2E_TMP/tw.json")
if [[ "$tw" =~ ^[0-9]+$ && "$de" =~ ^[0-9]+$ ]]; then
	[ $((de - tw)) -ge 2000000 ] && [ $((de - tw)) -le 2020000 ] || { echo "  destroyed $((de - tw)) us after time-wait"; ok=0; }
else
	echo "  no time-wait ($tw) or destroyed ($de) event"; ok=0
fi
[ $ok = 1 ] && pass $t || fail $t

t=replay_bad_input
ok=1
# one_error NAME WANT_SUBSTRING CMD...: exit 1, nothing on stdout, one line on stderr.
one_error() {
	local name=$1 want=$2 rc out err
	shift 2
	"$@" >"$E2E_TMP/o" 2>"$E2E_TMP/e"; rc=$?
	expect "$name rc" "$rc" 1 || return 1
	expect "$name stdout" "$(wc -c <"$E2E_TMP/o")" 0 || return 1
	expect "$name lines" "$(wc -l <"$E2E_TMP/e")" 1 || return 1
	grep -q -- "$want" "$E2E_TMP/e" || { echo "  $name: '$(cat "$E2E_TMP/e")' lacks '$want'"; return 1; }
}
one_error missing "No such file" "$XDPCT" replay "$E2E_TMP/nonexistent.pcap" || ok=0
echo "hello, not a capture" >"$E2E_TMP/text.pcap"
one_error not_pcap "not a pcap" "$XDPCT" replay "$E2E_TMP/text.pcap" || ok=0
size=$(stat -c %s "$CAP")
head -c $((size - 7)) "$CAP" >"$E2E_TMP/trunc.pcap"
one_error truncated "truncated" "$XDPCT" replay "$E2E_TMP/trunc.pcap" || ok=0
head -c 30 "$CAP" >"$E2E_TMP/short.pcap"
one_error header_only "$E2E_TMP/short.pcap" "$XDPCT" replay "$E2E_TMP/short.pcap" || ok=0
"$XDPCT" replay >/dev/null 2>&1; expect usage_rc $? 2 || ok=0
"$XDPCT" replay --until soon "$CAP" >/dev/null 2>&1; expect until_rc $? 2 || ok=0
"$XDPCT" replay --egress-from nowhere "$CAP" >/dev/null 2>&1; expect egress_rc $? 2 || ok=0
"$XDPCT" replay --flows 3 "$CAP" >/dev/null 2>&1; expect flows_rc $? 2 || ok=0
"$XDPCT" replay --mtu 100 "$CAP" >/dev/null 2>&1; expect mtu_rc $? 2 || ok=0
[ $ok = 1 ] && pass $t || fail $t
e2e_exit
