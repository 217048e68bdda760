# BIG TCP: with a GSO size beyond 64 KiB on the client's veth, its TCP hands
# tc egress IPv6 packets of up to 192 KiB whose payload length says 0 (a
# jumbogram, with a hop-by-hop jumbo header the segments will not carry).
# Under strict, xdpct must pass them and count them as the wire segments
# they stand for: 40 + 32 header bytes each (timestamps on), nothing more.
# (Before, they were malformed, dropped, and the transfer stalled.)
. "$(dirname "$0")/../lib/e2e.sh"

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 2001:db8::1/64 nodad; addr s veth0 2001:db8::2/64 nodad
ip -n "$(ns c)" link set veth0 gso_max_size 196608
ip -n "$(ns s)" link set veth0 gro_max_size 196608
X() { "$XDPCT" -n "$(ns c)" "$@"; }

t=big_tcp_gso_packets_beyond_64k_pass_strict_and_count_as_their_segments
ok=1
X attach veth0 --mode generic >/dev/null || { fail $t; e2e_exit; }
X config set policy strict >/dev/null || ok=0
run c timeout 20 tcpdump -i veth0 -c 1 -w /dev/null 'ip6 and greater 65600' 2>"$E2E_TMP/dump" &
dump=$!
for i in $(seq 50); do grep -q listening "$E2E_TMP/dump" && break; sleep 0.1; done
run s "$PEER" server 2001:db8::2 9000 "touch:$E2E_TMP/l" recv:20000000 eof close &
wait_file "$E2E_TMP/l"
run c timeout 20 "$PEER" client 2001:db8::2 9000 sport:45000 send:20000000 shut eof close ||
	{ echo "  the transfer did not complete"; ok=0; }
wait $dump || { echo "  no packet beyond 64 KiB left the client: $(tail -2 "$E2E_TMP/dump")"; ok=0; }
wait
X -j stats | jq -c '.counters | with_entries(select(.value != 0))' >"$E2E_TMP/st"
bad=$(jq '[to_entries[] | select(.key | test("malformed|dropped|invalid")) | .value] | add // 0' "$E2E_TMP/st")
expect "malformed, dropped or invalid" "$bad" 0 || { cat "$E2E_TMP/st"; ok=0; }
f=$(X -j list | jq -c '.[] | select(.sport == 45000)')
pk=$(jq .packets_orig <<<"$f"); by=$(jq .bytes_orig <<<"$f")
# Every client segment: 40 IPv6 + 32 TCP (20 + timestamps); the SYN's
# options are 8 bytes longer; payload 20,000,000.
extra=$((by - 72 * pk - 20000000))
echo "  client segments $pk, IP bytes $by: $extra beyond 72 per segment and the payload"
[ "$extra" -ge 0 ] && [ "$extra" -le 8 ] || { echo "  miscounted"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t
e2e_exit
