# A bounded SYN flood (random sources and ports) from a third namespace at
# a protected port: XDP answers every SYN with a cookie, no flow entry is
# added for any of them, and a real client still connects during it.
. "$(dirname "$0")/../lib/e2e.sh"
TOOLS=${TOP:-.}/build/tests/tools
FLOOD=20000 PPS=10000

ns_add c; ns_add s; ns_add a
link c veth0 s veth0
link a veth0 s veth1
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
addr a veth0 198.18.2.1/24; addr s veth1 198.18.2.2/24
run s sysctl -qw net.ipv4.tcp_syncookies=2 net.ipv4.tcp_timestamps=2

for n in s c; do
	if ! "$XDPCT" -n "$(ns $n)" attach veth0 >/dev/null; then fail attach; e2e_exit; fi
done
"$XDPCT" -n "$(ns s)" attach veth1 >/dev/null || { fail attach; e2e_exit; }
dir=/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
"$XDPCT" -n "$(ns s)" config set syncookies on >/dev/null &&
	"$XDPCT" -n "$(ns s)" config set protected-ports 8080 >/dev/null || { fail configure; e2e_exit; }
ctr() { "$TOOLS/respctl" "$dir" counter "$1"; }

t=syn_flood_adds_no_flows_and_a_client_still_connects
ok=1
run s "$TOOLS/accepter" 198.18.0.2 8080 2 1000 "$E2E_TMP/listening" &
spid=$!
wait_file "$E2E_TMP/listening" || ok=0
# Arm the listener with a first connection, as any real traffic would.
run c "$PEER" client 198.18.0.2 8080 sport:47000 recv:1000 close || { echo "  first connection failed"; ok=0; }
flows0=$("$TOOLS/respctl" "$dir" flows); syn0=$(ctr responder_syncookie_synack)
mac=$(ip -n "$(ns s)" -j link show veth1 | jq -r '.[0].address')

run a "$TOOLS/synflood" veth0 "$mac" 198.18.2.0 198.18.2.2 8080 $FLOOD $PPS >"$E2E_TMP/sent" &
fpid=$!
sleep 0.5
run c "$PEER" client 198.18.0.2 8080 sport:47001 recv:1000 send:100000 close ||
	{ echo "  client during the flood failed"; ok=0; }
kill -0 $fpid 2>/dev/null || { echo "  the flood ended before the client connected"; ok=0; }
wait $fpid
wait $spid || { echo "  server failed"; ok=0; }

sent=$(cat "$E2E_TMP/sent")
expect "SYNs sent" "$sent" $FLOOD || ok=0
answered=$(( $(ctr responder_syncookie_synack) - syn0 ))
# At most one SYN a second per port goes on to the host instead (arming).
[ "$answered" -ge $((FLOOD - 5)) ] || { echo "  SYN+ACKs from XDP: $answered of $sent"; ok=0; }
expect "flow entries added" "$(( $("$TOOLS/respctl" "$dir" flows) - flows0 ))" 1 || ok=0
# The client closed first: tracked to the end after its cookie handshake.
expect "the client's flow" "$(flow_field s 47001 state)" TIME_WAIT || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
