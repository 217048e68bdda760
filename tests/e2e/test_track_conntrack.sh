# netfilter conntrack as the oracle. A router namespace between a client
# and a server forwards real kernel TCP (IPv4 and IPv6); it runs an
# nftables `ct state` rule (so conntrack tracks every forwarded segment,
# with accounting on) and xdpct on both its interfaces. For each way a
# connection can be left, `conntrack -L` and `xdpct -j list` must agree
# on the state and on the packets and bytes per direction. The one
# expected difference (a connection open before attach, which netfilter
# picks up mid-stream and xdpct does not) is asserted as a difference;
# README "Differences from netfilter conntrack" explains each.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/track_e2e.sh"

ns_add c; ns_add r; ns_add s
link c veth0 r veth0
link r veth1 s veth0
addr c veth0 198.18.0.1/24; addr r veth0 198.18.0.254/24
addr r veth1 198.18.1.254/24; addr s veth0 198.18.1.1/24
addr c veth0 2001:db8:1::1/64 nodad; addr r veth0 2001:db8:1::fe/64 nodad
addr r veth1 2001:db8:2::fe/64 nodad; addr s veth0 2001:db8:2::1/64 nodad
run c ip route add default via 198.18.0.254
run s ip route add default via 198.18.1.254
run c ip -6 route add default via 2001:db8:1::fe
run s ip -6 route add default via 2001:db8:2::fe
run r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
run r nft -f - <<'EOF'
table inet oracle {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state invalid counter
		ct state new counter
		ct state established counter
	}
}
EOF
run r sysctl -qw net.netfilter.nf_conntrack_acct=1
# The server drops SYNs to 9999 silently: a connection left in SYN_SENT.
run s nft -f - <<'EOF'
table inet blackhole {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 9999 drop
	}
}
EOF

# ct NS FAMILY SPORT: the conntrack entry of the flow with client port SPORT,
# as "STATE packets_orig bytes_orig packets_reply bytes_reply" ("none" if absent).
ct() {
	run "$1" conntrack -L -f "ipv$2" -p tcp --orig-port-src "$3" 2>/dev/null |
		awk 'NR == 1 {
			n = 0
			for (i = 1; i <= NF; i++) if ($i ~ /^(packets|bytes)=/) { split($i, kv, "="); v[n++] = kv[2] }
			print $4, v[0], v[1], v[2], v[3]; found = 1
		} END { if (!found) print "none" }'
}

# xd SPORT: the same from xdpct's list on the router.
xd() {
	"$XDPCT" -n "$(ns r)" -j list | jq -r --argjson p "$1" \
		'[.[] | select(.sport == $p)][0] | if . == null then "none" else
		"\(.state) \(.packets_orig) \(.bytes_orig) \(.packets_reply) \(.bytes_reply)" end'
}

# ctline FAMILY SPORT / xdline SPORT: the flow's line as conntrack -L prints
# it, and as xdpct list --conntrack does; the seconds left (field 3) blanked.
ctline() { run r conntrack -L -f "ipv$1" -p tcp --orig-port-src "$2" 2>/dev/null | awk '{$3 = ""; print}'; }
xdline() { "$XDPCT" -n "$(ns r)" list --conntrack --port "$1" 2>/dev/null | awk '{$3 = ""; print}'; }

# agree T FAMILY SPORT [WANT_STATE]: both views equal (and the state WANT_STATE),
# down to conntrack -L's own line.
agree() {
	local a b la lb ok=0
	a=$(ct r "$2" "$3"); b=$(xd "$3")
	expect "conntrack vs xdpct (state pkts_o bytes_o pkts_r bytes_r)" "$b" "$a" || ok=1
	[ -n "${4:-}" ] && { expect state "${b%% *}" "$4" || ok=1; }
	la=$(ctline "$2" "$3"); lb=$(xdline "$3")
	[ -n "$la" ] || { echo "  conntrack -L printed no line"; ok=1; }
	expect "conntrack -L line" "$lb" "$la" || ok=1
	[ $ok = 0 ] && pass "$1" || fail "$1"
}

# A connection opened before xdpct is attached: netfilter knows it, xdpct not.
run s "$PEER" server 198.18.1.1 8000 "touch:$E2E_TMP/l0" recv:10 recv:10 "wait:$E2E_TMP/d0" &
wait_file "$E2E_TMP/l0"
run c "$PEER" client 198.18.1.1 8000 sport:43000 send:10 "wait:$E2E_TMP/a0" send:10 \
	"touch:$E2E_TMP/o0" "wait:$E2E_TMP/d0" &
sleep 0.3

if ! "$XDPCT" -n "$(ns r)" attach veth0 veth1 >/dev/null; then
	fail attach; e2e_exit
fi

t=midstream_connection_known_to_conntrack_only
touch "$E2E_TMP/a0"; wait_file "$E2E_TMP/o0"; sleep 0.2
ok=0
expect conntrack "$(ct r 4 43000 | cut -d' ' -f1)" ESTABLISHED || ok=1
expect xdpct "$(xd 43000)" none || ok=1
touch "$E2E_TMP/d0"; wait
[ $ok = 0 ] && pass $t || fail $t

n=0
for fam in 4 6; do
	if [ $fam = 4 ]; then srv=198.18.1.1; else srv=2001:db8:2::1; fi
	n=$((n + 1)); base=$((43000 + n * 10))

	p=$((base + 1)); d="$E2E_TMP/d$p"
	run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:100 send:200 "wait:$d" &
	wait_file "$E2E_TMP/l$p"
	run c "$PEER" client $srv $p sport:$p send:100 recv:200 "touch:$E2E_TMP/o$p" "wait:$d" &
	wait_file "$E2E_TMP/o$p"; sleep 0.2
	agree ipv${fam}_open_connection $fam $p ESTABLISHED
	touch "$d"; wait

	p=$((base + 2))
	run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:10 eof close &
	wait_file "$E2E_TMP/l$p"
	run c "$PEER" client $srv $p sport:$p send:10 shut eof close
	wait; sleep 0.2
	agree ipv${fam}_client_close $fam $p TIME_WAIT

	p=$((base + 3))
	run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" send:10 shut eof close &
	wait_file "$E2E_TMP/l$p"
	run c "$PEER" client $srv $p sport:$p recv:10 eof close
	wait; sleep 0.2
	agree ipv${fam}_server_close $fam $p TIME_WAIT

	p=$((base + 4)); d="$E2E_TMP/d$p"
	run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:10 eof send:20 "wait:$d" close &
	wait_file "$E2E_TMP/l$p"
	run c "$PEER" client $srv $p sport:$p send:10 shut recv:20 "touch:$E2E_TMP/o$p" "wait:$d" eof close &
	wait_file "$E2E_TMP/o$p"; sleep 0.2
	agree ipv${fam}_half_closed $fam $p CLOSE_WAIT
	touch "$d"; wait

	p=$((base + 5))
	run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:10 sleep:500 &
	wait_file "$E2E_TMP/l$p"
	run c "$PEER" client $srv $p sport:$p send:10 sleep:100 abort
	sleep 0.2
	agree ipv${fam}_aborted $fam $p CLOSE
	wait

	# Bulk data: packets and bytes per direction still agree segment for segment.
	p=$((base + 6))
	run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:1000000 close &
	wait_file "$E2E_TMP/l$p"
	run c "$PEER" client $srv $p sport:$p send:1000000 eof close
	wait; sleep 0.2
	agree ipv${fam}_bulk_transfer $fam $p TIME_WAIT

	# Difference: a SYN answered by RST. netfilter deletes a connection whose
	# only reply is a RST at once; xdpct keeps it as CLOSE for its CLOSE timeout.
	t=ipv${fam}_refused_kept_as_close_by_xdpct_only
	p=$((base + 7))
	run c "$PEER" client $srv 7 sport:$p 2>/dev/null
	sleep 0.2
	ok=0
	expect conntrack "$(ct r $fam $p)" none || ok=1
	expect xdpct "$(xd $p | cut -d' ' -f1,2,4)" "CLOSE 1 1" || ok=1
	[ $ok = 0 ] && pass $t || fail $t

	# Difference: SYNs the server drops. Both say SYN_SENT; netfilter counts
	# only the first SYN (it ignores retransmissions in SYN_SENT, without even
	# refreshing the timeout), xdpct every SYN that passed.
	t=ipv${fam}_unanswered_syn_retransmissions_counted_by_xdpct_only
	p=$((base + 8))
	run c timeout 2.5 "$PEER" client $srv 9999 sport:$p 2>/dev/null &
	sleep 1.6
	ok=0
	a=$(ct r $fam $p); b=$(xd $p)
	expect conntrack "$(echo "$a" | cut -d' ' -f1,2,4)" "SYN_SENT 1 0" || ok=1
	expect xdpct_state "$(echo "$b" | cut -d' ' -f1,4)" "SYN_SENT 0" || ok=1
	[ "$(echo "$b" | cut -d' ' -f2)" -ge 2 ] || { echo "  xdpct saw fewer than 2 SYNs: $b"; ok=1; }
	# The same line otherwise, [UNREPLIED] and all (the original counters blanked).
	unc='s/packets=[0-9]* bytes=[0-9]* \[UNREPLIED\]/[UNREPLIED]/'
	la=$(ctline $fam $p | sed "$unc"); lb=$(xdline $p | sed "$unc")
	[[ "$la" == *"[UNREPLIED]"* ]] || { echo "  conntrack -L: '$la'"; ok=1; }
	expect "conntrack -L line" "$lb" "$la" || ok=1
	[ $ok = 0 ] && pass $t || fail $t
	wait

	# A SYN into TIME-WAIT reopens the 4-tuple. conntrack drops the old
	# entry for a new one, unassured until its handshake completes; xdpct
	# reopens its entry in place, and must not call it [ASSURED] before then
	# either. The server's SYN+ACKs are dropped on their way out (before
	# the router sees them) until the first check, so the handshake stalls.
	t=ipv${fam}_reopened_unassured_until_its_handshake
	p=$((base + 9)); d="$E2E_TMP/d$p"
	run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" send:10 shut eof close &
	wait_file "$E2E_TMP/l$p"
	run c "$PEER" client $srv $p sport:$p recv:10 eof close
	wait; sleep 0.2
	ok=0
	expect xdpct_before "$(xd $p | cut -d' ' -f1)" TIME_WAIT || ok=1
	run s nft -f - <<EOF2
table inet stall {
	chain output {
		type filter hook output priority 0; policy accept;
		tcp sport $p tcp flags & (syn | ack) == syn | ack drop
	}
}
EOF2
	run s "$PEER" server $srv $p "touch:$E2E_TMP/m$p" recv:10 "wait:$d" &
	wait_file "$E2E_TMP/m$p"
	run c timeout 10 "$PEER" client $srv $p sport:$p send:10 "wait:$d" &
	for _ in $(seq 30); do
		[[ "$(xdline $p)" == *SYN_SENT* && "$(ctline $fam $p)" == *SYN_SENT* ]] && break
		sleep 0.1
	done
	# Both SYN_SENT, [UNREPLIED], no [ASSURED]: the same line (the original
	# counters blanked: conntrack counts one SYN, xdpct every one that passed).
	la=$(ctline $fam $p | sed "$unc"); lb=$(xdline $p | sed "$unc")
	[[ "$la" == *SYN_SENT*"[UNREPLIED]"* && "$la" != *ASSURED* ]] ||
		{ echo "  conntrack -L, stalled: '$la'"; ok=1; }
	expect "conntrack -L line, stalled" "$lb" "$la" || ok=1
	run s nft delete table inet stall
	# The client's next SYN completes the handshake: both ESTABLISHED and [ASSURED].
	for _ in $(seq 50); do
		[[ "$(xdline $p)" == *ESTABLISHED*ASSURED* && "$(ctline $fam $p)" == *ESTABLISHED*ASSURED* ]] && break
		sleep 0.1
	done
	[[ "$(xdline $p)" == *ESTABLISHED*"[ASSURED]"* ]] || { echo "  xdpct: '$(xdline $p)'"; ok=1; }
	[[ "$(ctline $fam $p)" == *ESTABLISHED*"[ASSURED]"* ]] || { echo "  conntrack: '$(ctline $fam $p)'"; ok=1; }
	touch "$d"; wait
	[ $ok = 0 ] && pass $t || fail $t
done

# On all this real traffic xdpct judged nothing invalid but the segments of
# the connection it never saw open (its data, ACKs and close: at least 2).
t=real_traffic_has_no_invalid_segments
ok=0
nf=$(counters r '^invalid_no_flow$')
[ "$nf" -ge 2 ] || { echo "  invalid_no_flow: $nf < 2"; ok=1; }
expect other_invalid "$(counters r '^invalid_')" "$nf" || ok=1
expect malformed "$(counters r '^malformed_')" 0 || ok=1
[ $ok = 0 ] && pass $t || fail $t

e2e_exit
