# Real kernel TCP between two namespaces over veth, xdpct on the server's
# interface (XDP ingress + tc egress; native, generic, and native under
# policy strict), IPv4 and IPv6. For each way a connection can be left
# (open, closed by either side, closed with the final ACK lost, closed by
# both at once, half-closed, aborted) `xdpct -j list` must show the
# summary and both endpoint states, and each endpoint state must be what
# the kernel's own socket says (`ss` in that endpoint's namespace).
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/track_e2e.sh"

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
addr c veth0 2001:db8::1/64 nodad; addr s veth0 2001:db8::2/64 nodad

# kstate NS SPORT: the kernel's state of the socket with local or peer port SPORT
# (ss prints FIN-WAIT-2, TIME-WAIT, ... as xdpct does; "none" when gone).
kstate() {
	local st
	st=$(run "$1" ss -tanH "( sport = :$2 or dport = :$2 )" | awk 'NR == 1 { print $1 }')
	case "$st" in
	ESTAB) echo ESTABLISHED ;;
	FIN-WAIT-1|FIN-WAIT-2|CLOSE-WAIT|LAST-ACK|TIME-WAIT|CLOSING|SYN-SENT) echo "$st" ;;
	SYN-RECV) echo SYN-RECEIVED ;;
	"") echo none ;;
	*) echo "$st" ;;
	esac
}

# check SPORT CT CLIENT SERVER [KCLIENT KSERVER]: xdpct's view, then the kernel's
# (by default the kernel's states are the endpoint states; CLOSED means no socket).
check() {
	local sport=$1 ok=0 kc=${5:-$3} ks=${6:-$4}
	[ "$kc" = CLOSED ] && kc=none
	[ "$ks" = CLOSED ] && ks=none
	expect state "$(flow_field s "$sport" state)" "$2" || ok=1
	expect client_state "$(flow_field s "$sport" client_state)" "$3" || ok=1
	expect server_state "$(flow_field s "$sport" server_state)" "$4" || ok=1
	expect kernel_client "$(kstate c "$sport")" "$kc" || ok=1
	expect kernel_server "$(kstate s "$sport")" "$ks" || ok=1
	return $ok
}

n=0
# Native and generic XDP; then native under policy strict, which drops
# invalid segments: real TCP must not notice.
for mode in native generic strict; do
	xmode=$mode; [ $mode = strict ] && xmode=native
	if ! "$XDPCT" -n "$(ns s)" attach --mode $xmode veth0 >/dev/null; then
		fail attach_$mode; continue
	fi
	if [ $mode = strict ]; then
		"$XDPCT" -n "$(ns s)" config set policy strict >/dev/null
		if ! expect policy "$("$XDPCT" -n "$(ns s)" config get policy)" strict; then
			fail policy_strict; continue
		fi
	fi
	for fam in 4 6; do
		if [ $fam = 4 ]; then srv=198.18.0.2; else srv=2001:db8::2; fi
		n=$((n + 1)); base=$((42000 + n * 10))

		t=${mode}_ipv${fam}_open_connection_is_established
		p=$((base + 1)); d="$E2E_TMP/d$p"
		run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:100 send:200 "wait:$d" &
		wait_file "$E2E_TMP/l$p"
		run c "$PEER" client $srv $p sport:$p send:100 recv:200 "touch:$E2E_TMP/o$p" "wait:$d" &
		wait_file "$E2E_TMP/o$p"; sleep 0.1
		ok=0
		check $p ESTABLISHED ESTABLISHED ESTABLISHED || ok=1
		expect family "$(flow_field s $p family)" $fam || ok=1
		# 3 segments of handshake and data each way at least, never fewer.
		[ "$(flow_field s $p packets_orig)" -ge 3 ] || { echo "  packets_orig < 3"; ok=1; }
		touch "$d"; wait
		[ $ok = 0 ] && pass $t || fail $t

		t=${mode}_ipv${fam}_client_close_leaves_client_in_time_wait
		p=$((base + 2))
		run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:10 eof close &
		wait_file "$E2E_TMP/l$p"
		run c "$PEER" client $srv $p sport:$p send:10 shut eof close
		wait; sleep 0.2
		check $p TIME_WAIT TIME-WAIT CLOSED && pass $t || fail $t

		t=${mode}_ipv${fam}_server_close_leaves_server_in_time_wait
		p=$((base + 3))
		run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" send:10 shut eof close &
		wait_file "$E2E_TMP/l$p"
		run c "$PEER" client $srv $p sport:$p recv:10 eof close
		wait; sleep 0.2
		check $p TIME_WAIT CLOSED TIME-WAIT && pass $t || fail $t

		# The final ACK is lost: XDP sees it, then nftables drops it in the
		# server's stack. The server sends its FIN again into the client's
		# TIME-WAIT (restart), and the client's second ACK closes it.
		t=${mode}_ipv${fam}_lost_final_ack_restarts_time_wait
		p=$((base + 6)); d="$E2E_TMP/d$p"
		restarts=$(counters s '^time_wait_restarts$')
		run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:10 eof "touch:$E2E_TMP/e$p" "wait:$d" close &
		wait_file "$E2E_TMP/l$p"
		run c "$PEER" client $srv $p sport:$p send:10 shut eof close &
		wait_file "$E2E_TMP/e$p"; sleep 0.1
		run s nft -f - <<-EOF
			table inet lossy {
				chain input {
					type filter hook input priority 0; policy accept;
					tcp dport $p tcp flags & (fin | syn | rst | ack) == ack counter drop
				}
			}
		EOF
		touch "$d"; sleep 0.1
		ok=0
		expect final_ack_dropped "$(run s nft list table inet lossy | grep -o 'packets [0-9]*')" "packets 1" || ok=1
		run s nft delete table inet lossy
		wait; sleep 0.8
		check $p TIME_WAIT TIME-WAIT CLOSED || ok=1
		[ "$(counters s '^time_wait_restarts$')" -gt "$restarts" ] ||
			{ echo "  no TIME-WAIT restart counted"; ok=1; }
		[ $ok = 0 ] && pass $t || fail $t

		# Simultaneous close: both FINs are seen, then dropped by nftables in
		# the receiving namespaces, so each end waits in FIN-WAIT-1 with the
		# other's FIN still to come: crossed FINs. Once the rules go, the
		# retransmitted FINs take both kernels through CLOSING to TIME-WAIT.
		t=${mode}_ipv${fam}_simultaneous_close_both_in_time_wait
		p=$((base + 7)); d="$E2E_TMP/d$p"
		for side in c s; do
			run $side nft -f - <<-EOF
				table inet lossy {
					chain input {
						type filter hook input priority 0; policy accept;
						tcp sport $p tcp flags & fin == fin counter drop
						tcp dport $p tcp flags & fin == fin counter drop
					}
				}
			EOF
		done
		run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:10 "wait:$d" shut eof close &
		wait_file "$E2E_TMP/l$p"
		run c "$PEER" client $srv $p sport:$p send:10 "touch:$E2E_TMP/o$p" "wait:$d" shut eof close &
		wait_file "$E2E_TMP/o$p"; sleep 0.1
		touch "$d"; sleep 0.1
		ok=0
		expect both_fins "$(flow_field s $p state)/$(flow_field s $p client_state)/$(flow_field s $p server_state)" \
			LAST_ACK/FIN-WAIT-1/FIN-WAIT-1 || ok=1
		for side in c s; do run $side nft delete table inet lossy; done
		wait; sleep 0.2
		check $p TIME_WAIT TIME-WAIT TIME-WAIT || ok=1
		[ $ok = 0 ] && pass $t || fail $t

		# Simultaneous open (native only: each SYN retransmission costs a
		# second). Both ends connect to each other; both SYNs are seen, then
		# dropped in the receiving namespaces, so they cross: SYN_SENT2. Once
		# the rules go, the retransmitted SYNs meet SYN-SENT sockets, and both
		# kernels go through SYN-RECEIVED to ESTABLISHED.
		if [ $mode = native ]; then
			t=${mode}_ipv${fam}_simultaneous_open_both_established
			p=$((base + 8)); q=$((base + 9)); d="$E2E_TMP/d$p"
			if [ $fam = 4 ]; then cli=198.18.0.1; else cli=2001:db8::1; fi
			for side in c s; do
				run $side nft -f - <<-EOF
					table inet lossy {
						chain input {
							type filter hook input priority 0; policy accept;
							tcp flags & (syn | ack) == syn counter drop
						}
					}
				EOF
			done
			run c "$PEER" client $srv $q sport:$p "touch:$E2E_TMP/o$p" "wait:$d" close &
			sleep 0.1
			run s "$PEER" client $cli $p sport:$q "touch:$E2E_TMP/o$q" "wait:$d" close &
			sleep 0.3
			ok=0
			expect crossed_syns "$(flow_field s $p state)" SYN_SENT2 || ok=1
			for side in c s; do run $side nft delete table inet lossy; done
			wait_file "$E2E_TMP/o$p" && wait_file "$E2E_TMP/o$q" || ok=1
			sleep 0.2
			check $p ESTABLISHED ESTABLISHED ESTABLISHED || ok=1
			touch "$d"; wait
			[ $ok = 0 ] && pass $t || fail $t
		fi

		t=${mode}_ipv${fam}_half_closed_is_fin_wait_2_and_close_wait
		p=$((base + 4)); d="$E2E_TMP/d$p"
		run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:10 eof "touch:$E2E_TMP/e$p" send:20 "wait:$d" close &
		wait_file "$E2E_TMP/l$p"
		run c "$PEER" client $srv $p sport:$p send:10 shut recv:20 "touch:$E2E_TMP/o$p" "wait:$d" eof close &
		wait_file "$E2E_TMP/o$p"; sleep 0.2
		# Data still flowed from the server after the client's FIN.
		ok=0
		check $p CLOSE_WAIT FIN-WAIT-2 CLOSE-WAIT || ok=1
		[ "$(flow_field s $p bytes_reply)" -ge 60 ] || { echo "  no data after half-close"; ok=1; }
		touch "$d"; wait; sleep 0.2
		# And the rest of the close: the client that shut first ends in TIME-WAIT.
		check $p TIME_WAIT TIME-WAIT CLOSED || ok=1
		[ $ok = 0 ] && pass $t || fail $t

		t=${mode}_ipv${fam}_aborted_connection_is_close
		p=$((base + 5))
		run s "$PEER" server $srv $p "touch:$E2E_TMP/l$p" recv:10 sleep:500 &
		wait_file "$E2E_TMP/l$p"
		run c "$PEER" client $srv $p sport:$p send:10 sleep:100 abort
		sleep 0.2
		check $p CLOSE CLOSED CLOSED && pass $t || fail $t
		wait
	done

	# Real stacks sent nothing the tracker calls invalid or malformed.
	t=${mode}_real_traffic_has_no_invalid_or_malformed_segments
	ok=0
	if ! expect invalid "$(counters s '^invalid_')" 0; then
		ok=1
		for r in $(grep -o '"invalid_[a-z_]*"' "$TRACK_E2E_TOP/include/xdpct/counters.h" | tr -d '"'); do
			v=$(counters s "^$r\$"); [ "$v" = 0 ] || echo "    $r: $v"
		done
	fi
	expect malformed "$(counters s '^malformed_')" 0 || ok=1
	want_new=14; [ $mode = native ] && want_new=16
	expect flows_new "$(counters s '^flows_new$')" $want_new || ok=1
	expect flows_closed "$(counters s '^flows_closed$')" 2 || ok=1
	expect dropped "$(counters s '^dropped_by_policy$')" 0 || ok=1
	[ $ok = 0 ] && pass $t || fail $t
	"$XDPCT" -n "$(ns s)" detach veth0 >/dev/null
done

e2e_exit
