# SYN cookies end to end: real kernel clients connect to a real listener on
# a protected port through cookies xdpct sends from XDP, and move data with
# window scaling, SACK and timestamps negotiated (`ss -ti` on both ends).
. "$(dirname "$0")/../lib/e2e.sh"
TOOLS=${TOP:-.}/build/tests/tools

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
addr c veth0 2001:db8::1/64 nodad; addr s veth0 2001:db8::2/64 nodad
# The host rebuilds connections from cookies: always (2), with plain timestamps (2).
run s sysctl -qw net.ipv4.tcp_syncookies=2 net.ipv4.tcp_timestamps=2
# A client whose window scale differs from the server's, so that a mix-up shows.
run c sysctl -qw net.ipv4.tcp_rmem="4096 131072 1048576"

# The window scale a namespace's kernel picks: ilog2(max(tcp_rmem[2], rmem_max)) - 15.
wscale_of() {
	local rmem core space w=0
	rmem=$(run "$1" cat /proc/sys/net/ipv4/tcp_rmem | awk '{print $3}')
	core=$(cat /proc/sys/net/core/rmem_max)
	space=$(( rmem > core ? rmem : core ))
	while [ $(( space >> (w + 16) )) -gt 0 ] && [ $w -lt 14 ]; do w=$((w + 1)); done
	echo $w
}
ws=$(wscale_of s); wc=$(wscale_of c)

# A connection the host holds from before attach: the table never sees its SYN.
run s "$PEER" server 198.18.0.2 8081 "touch:$E2E_TMP/l8081" recv:100 "wait:$E2E_TMP/go8081" \
	send:100000 recv:100000 close &
old_s=$!
wait_file "$E2E_TMP/l8081"
run c "$PEER" client 198.18.0.2 8081 sport:45081 send:100 "wait:$E2E_TMP/go8081" \
	recv:100000 send:100000 close &
old_c=$!

# xdpct on both ends: native XDP_TX on a veth reaches a peer that runs XDP.
if ! "$XDPCT" -n "$(ns s)" attach veth0 >/dev/null || ! "$XDPCT" -n "$(ns c)" attach veth0 >/dev/null; then
	fail attach; t=connection_from_before_attach_survives_cookies
ok=1
bad0=$(ctr responder_cookie_ack_invalid)
touch "$E2E_TMP/go8081"
wait $old_c || { echo "  client failed"; ok=0; }
wait $old_s || { echo "  server failed"; ok=0; }
expect "its ACKs taken for bad cookies" "$(( $(ctr responder_cookie_ack_invalid) - bad0 ))" 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
fi
dir=/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
cfg() { "$XDPCT" -n "$(ns s)" config set "$1" "$2" >/dev/null; }
# The window scale has no CLI key yet: written straight into the config map.
cfg syncookies on && cfg protected-ports 8080,8081,8443 && cfg ttl 61 &&
	"$TOOLS/respctl" "$dir" set cookie_wscale=$ws || { fail configure; e2e_exit; }
ctr() { "$TOOLS/respctl" "$dir" counter "$1"; }

# ss -tin of the one connection with client port $2, in namespace $1.
ss_info() { run "$1" ss -tineH "( sport = :$2 or dport = :$2 )" | tr -s ' \n' ' '; }

# check_cookie_connection NAME ADDR PORT FAMILY N: client ports 4500N (arming), 4600N
check_cookie_connection() {
	local t=$1 a=$2 p=$3 n=$5 ok=1 syn0 ok0 ci si cw sw opt cpid spid
	run s "$TOOLS/accepter" "$a" "$p" 2 1048576 "$E2E_TMP/l$p" &
	spid=$!
	wait_file "$E2E_TMP/l$p" || { fail "$t"; return; }
	# The first SYN goes on to the host, which answers it itself: that arms its listener.
	run c "$PEER" client "$a" "$p" sport:4500$n recv:1048576 send:1000 shut eof close ||
		{ echo "  arming connection failed"; ok=0; }
	syn0=$(ctr responder_syncookie_synack); ok0=$(ctr responder_cookie_ack_valid)
	run c "$PEER" client "$a" "$p" sport:4600$n recv:1048576 send:2000000 \
		"touch:$E2E_TMP/open$p" "wait:$E2E_TMP/done$p" shut eof close &
	cpid=$!
	if wait_file "$E2E_TMP/open$p"; then
		expect "SYN+ACKs from XDP" "$(( $(ctr responder_syncookie_synack) - syn0 ))" 1 || ok=0
		expect "valid cookie ACKs" "$(( $(ctr responder_cookie_ack_valid) - ok0 ))" 1 || ok=0
		expect family "$(flow_field s 4600$n family)" "$4" || ok=0
		expect state "$(flow_field s 4600$n state)" ESTABLISHED || ok=0
		ci=$(ss_info c 4600$n); si=$(ss_info s 4600$n)
		# wscale:SND,RCV: what each end applies to the other's windows must agree.
		cw=$(grep -o 'wscale:[0-9]*,[0-9]*' <<<"$ci"); sw=$(grep -o 'wscale:[0-9]*,[0-9]*' <<<"$si")
		expect "client wscale" "$cw" "wscale:$ws,$wc" || ok=0
		expect "server wscale" "$sw" "wscale:$wc,$ws" || ok=0
		for opt in ' ts ' ' sack '; do
			grep -q -- "$opt" <<<"$ci" || { echo "  client lacks$opt"; ok=0; }
			grep -q -- "$opt" <<<"$si" || { echo "  server lacks$opt"; ok=0; }
		done
		[ $ok = 1 ] || { echo "  client: $ci"; echo "  server: $si"; }
	else
		ok=0
	fi
	touch "$E2E_TMP/done$p"
	wait $cpid || { echo "  client failed"; ok=0; }
	wait $spid || { echo "  server failed"; ok=0; }
	[ $ok = 1 ] && pass "$t" || fail "$t"
}

check_cookie_connection ipv4_connection_through_xdp_syn_cookie 198.18.0.2 8080 4 1
check_cookie_connection ipv6_connection_through_xdp_syn_cookie 2001:db8::2 8443 6 2

t=connection_from_before_attach_survives_cookies
ok=1
bad0=$(ctr responder_cookie_ack_invalid)
touch "$E2E_TMP/go8081"
wait $old_c || { echo "  client failed"; ok=0; }
wait $old_s || { echo "  server failed"; ok=0; }
expect "its ACKs taken for bad cookies" "$(( $(ctr responder_cookie_ack_invalid) - bad0 ))" 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
