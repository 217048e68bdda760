# Two observation points of one link, each an xdpct instance: one on the
# client's end of the veth, one on the server's. Each sees one direction
# at XDP ingress, as wire segments, and the other at tc egress, where the
# sender's TCP hands over GSO packets of many segments. After bulk data
# both ways (IPv4 and IPv6) both instances must show the same flow: the
# same states, packets and IP bytes per direction. (Before GSO packets
# were counted as their segments' headers too, egress bytes fell ~3% short.)
# Most of those segments must have taken the express lane.
. "$(dirname "$0")/../lib/e2e.sh"

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
addr c veth0 2001:db8::1/64 nodad; addr s veth0 2001:db8::2/64 nodad

for side in c s; do
	if ! "$XDPCT" -n "$(ns $side)" attach veth0 >/dev/null; then
		fail attach_$side; e2e_exit
	fi
done

# view NS SPORT: what an instance knows of the flow, without times.
view() {
	"$XDPCT" -n "$(ns "$1")" -j list | jq -c --argjson p "$2" \
		'[.[] | select(.sport == $p) | del(.age_ms, .expires_ms, .ifindex)][0]'
}

# retrans NS: segments the namespace's TCP has sent again, since it was made.
retrans() { run "$1" nstat -az TcpRetransSegs | awk '$1 == "TcpRetransSegs" {print $2}'; }

p=44000
for fam in 4 6; do
	if [ $fam = 4 ]; then srv=198.18.0.2; else srv=2001:db8::2; fi
	t=ipv${fam}_both_ends_count_the_same_bulk_flow
	# A segment the veth dropped between the two points (a slow spell of
	# this machine) is counted by the sender's egress and not by the
	# receiver's ingress, and then sent again: the views differ by what was
	# lost. Only a transfer with nothing retransmitted must agree exactly;
	# up to three are tried.
	for try in 1 2 3; do
		p=$((p + 1))
		r0=$(( $(retrans c) + $(retrans s) ))
		run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:2000000 send:2000000 close &
		wait_file "$E2E_TMP/l$p"
		run c "$PEER" client $srv $p sport:$p send:2000000 recv:2000000 eof close
		wait; sleep 0.3
		lost=$(( $(retrans c) + $(retrans s) - r0 ))
		[ "$lost" = 0 ] && break
		echo "  transfer $try: $lost segments sent again (lost between the two points)"
	done
	a=$(view c $p); b=$(view s $p)
	ok=0
	if ! expect "client-side vs server-side view" "$a" "$b"; then
		ok=1
		# What each side judged otherwise, to tell a lost segment from a
		# miscount, and the kernel's own view: segments its TCP sent again,
		# duplicates reported back (DSACK), drops at the veth.
		for side in c s; do
			echo "  $side: $("$XDPCT" -n "$(ns $side)" -j stats | jq -c '.counters |
				with_entries(select(.value > 0))')"
			echo "  $side kernel: $(run $side nstat -az TcpRetransSegs TcpExtTCPDSACKRecv \
				TcpExtTCPDSACKOldSent TcpExtTCPLossProbes TcpExtTCPTimeouts |
				awk '!/^#/ {printf "%s=%s ", $1, $2}')"
			run $side ip -s -s link show veth0 | sed 's/^/    /'
			"$XDPCT" -n "$(ns $side)" list | sed 's/^/    /'
		done
	fi
	expect state "$(echo "$b" | jq -r .state)" TIME_WAIT || ok=1
	# 2 MB each way: at least that many payload bytes, and over 1000 segments.
	[ "$(echo "$b" | jq '.bytes_orig >= 2000000 and .bytes_reply >= 2000000 and
		.packets_orig > 1000 and .packets_reply > 1000')" = true ] ||
		{ echo "  too little counted: $b"; ok=1; }
	[ $ok = 0 ] && pass $t || fail $t
done

# Bulk data of established flows is what the express lane is for: nearly
# every segment at both points, at XDP ingress and at tc egress, is
# settled there (handshakes, FINs and their ACKs are not).
t=bulk_traffic_takes_the_express_lane
ok=0
for side in c s; do
	st=$("$XDPCT" -n "$(ns $side)" -j stats)
	x=$(echo "$st" | jq .counters.express_packets)
	tcp=$(echo "$st" | jq .counters.tcp_packets)
	echo "  $side: $x of $tcp TCP packets in the express lane"
	[ "$x" -gt $((tcp * 9 / 10)) ] && [ "$x" -le "$tcp" ] || ok=1
done
[ $ok = 0 ] && pass $t || fail $t

e2e_exit
