# TIME-WAIT re-ACK end to end: the server's side drops the client's final
# ACK once (nftables), the server retransmits its FIN from LAST-ACK, and
# xdpct on the client's side (where the client sits in TIME-WAIT) answers
# it from XDP; both ends close.
. "$(dirname "$0")/../lib/e2e.sh"
TOOLS=${TOP:-.}/build/tests/tools

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24

for n in c s; do
	if ! "$XDPCT" -n "$(ns $n)" attach veth0 >/dev/null; then fail attach; e2e_exit; fi
done
dir=/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$(ns c)")
"$XDPCT" -n "$(ns c)" config set tw-reack on >/dev/null || { fail configure; e2e_exit; }

t=fin_retransmitted_into_time_wait_is_acked_from_xdp
ok=1
run s "$PEER" server 198.18.0.2 8100 "touch:$E2E_TMP/l" recv:100 "wait:$E2E_TMP/go" eof close &
spid=$!
wait_file "$E2E_TMP/l" || ok=0
run c "$PEER" client 198.18.0.2 8100 sport:41501 send:100 "touch:$E2E_TMP/open" \
	"wait:$E2E_TMP/go" shut eof close &
cpid=$!
wait_file "$E2E_TMP/open" || ok=0
# From now on the first pure ACK from the client (its final ACK) is lost.
run s nft -f - <<'NFT' || { echo "  nft failed"; ok=0; }
table inet xdpct_test {
	chain input {
		type filter hook input priority 0;
		tcp sport 41501 tcp flags & (fin | syn | rst | ack) == ack quota until 60 bytes counter drop
	}
}
NFT
# On the client's host: count the server's FINs that get past XDP.
run c nft -f - <<'NFT' || { echo "  nft failed"; ok=0; }
table inet xdpct_test {
	chain input {
		type filter hook input priority 0;
		tcp dport 41501 tcp flags & fin == fin counter
	}
}
NFT
touch "$E2E_TMP/go"
wait $cpid || { echo "  client failed"; ok=0; }
wait $spid || { echo "  server failed"; ok=0; }
# The server retransmits its FIN after its RTO (at least 200 ms).
for i in $(seq 50); do
	[ -z "$(run s ss -tanH state last-ack "( sport = :8100 )")" ] && break
	sleep 0.1
done
expect "server sockets in LAST-ACK" "$(run s ss -tanH state last-ack "( sport = :8100 )" | wc -l)" 0 || ok=0
expect "client sockets in TIME-WAIT" "$(run c ss -tanH state time-wait "( dport = :8100 )" | wc -l)" 1 || ok=0
expect "final ACKs dropped" "$(run s nft -j list ruleset | jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets][0]')" 1 || ok=0
[ "$("$TOOLS/respctl" "$dir" counter responder_time_wait_reack)" -ge 1 ] ||
	{ echo "  no re-ACK from XDP"; ok=0; }
# The retransmitted FIN was answered by XDP: the client's host only saw the first.
expect "FINs reaching the client's host" "$(run c nft -j list ruleset | jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets][0]')" 1 || ok=0
expect client_state "$("$XDPCT" -n "$(ns c)" -j list | jq -r '[.[] | select(.sport == 41501)][0].client_state')" TIME-WAIT || ok=0
# Our re-ACK is recorded as the ACK the server finally got.
expect server_state "$("$XDPCT" -n "$(ns c)" -j list | jq -r '[.[] | select(.sport == 41501)][0].server_state')" CLOSED || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
