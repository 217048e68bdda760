# Real kernel TCP between two namespaces over veth, xdpct on the server's
# interface (XDP ingress + tc egress): what `xdpct list` shows after each phase.
. "$(dirname "$0")/../lib/e2e.sh"

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
addr c veth0 2001:db8::1/64 nodad; addr s veth0 2001:db8::2/64 nodad

if ! "$XDPCT" -n "$(ns s)" attach veth0 >/dev/null; then
	fail attach; e2e_exit
fi

# A connection left open: ESTABLISHED on both ends.
t=established_connection_is_listed
run s "$PEER" server 198.18.0.2 8001 "touch:$E2E_TMP/l1" recv:100 send:200 "wait:$E2E_TMP/done1" &
wait_file "$E2E_TMP/l1"
run c "$PEER" client 198.18.0.2 8001 sport:41001 send:100 recv:200 "touch:$E2E_TMP/open1" "wait:$E2E_TMP/done1" &
wait_file "$E2E_TMP/open1"
ok=1
expect state "$(flow_field s 41001 state)" ESTABLISHED || ok=0
expect client_state "$(flow_field s 41001 client_state)" ESTABLISHED || ok=0
expect server_state "$(flow_field s 41001 server_state)" ESTABLISHED || ok=0
# 100 bytes of payload one way, 200 the other, plus at least 40 bytes of headers each.
[ "$(flow_field s 41001 bytes_orig)" -ge 140 ] || { echo "  bytes_orig < 140"; ok=0; }
[ "$(flow_field s 41001 bytes_reply)" -ge 240 ] || { echo "  bytes_reply < 240"; ok=0; }
touch "$E2E_TMP/done1"; wait
[ $ok = 1 ] && pass $t || fail $t

# Client closes first: the client ends in TIME-WAIT, the server CLOSED.
t=client_close_leaves_client_in_time_wait
run s "$PEER" server 198.18.0.2 8002 "touch:$E2E_TMP/l2" recv:10 eof close &
wait_file "$E2E_TMP/l2"
run c "$PEER" client 198.18.0.2 8002 sport:41002 send:10 shut eof close
wait; sleep 0.2
ok=1
expect state "$(flow_field s 41002 state)" TIME_WAIT || ok=0
expect client_state "$(flow_field s 41002 client_state)" TIME-WAIT || ok=0
expect server_state "$(flow_field s 41002 server_state)" CLOSED || ok=0
[ $ok = 1 ] && pass $t || fail $t

# IPv6, server closes first: the server is the one in TIME-WAIT.
t=ipv6_server_close_leaves_server_in_time_wait
run s "$PEER" server 2001:db8::2 8003 "touch:$E2E_TMP/l3" send:10 shut eof close &
wait_file "$E2E_TMP/l3"
run c "$PEER" client 2001:db8::2 8003 sport:41003 recv:10 eof close
wait; sleep 0.2
ok=1
expect family "$(flow_field s 41003 family)" 6 || ok=0
expect state "$(flow_field s 41003 state)" TIME_WAIT || ok=0
expect client_state "$(flow_field s 41003 client_state)" CLOSED || ok=0
expect server_state "$(flow_field s 41003 server_state)" TIME-WAIT || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=detach_removes_programs_and_pins
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
ok=1
[ -s "$RUN_DIR/daemon.log" ] || { echo "  no daemon log in $RUN_DIR while attached"; ok=0; }
"$XDPCT" -n "$(ns s)" detach veth0 >/dev/null
expect xdp "$(ip -n "$(ns s)" -j link show veth0 | jq -r '.[0].xdp.prog.id // "none"')" none || ok=0
out=$("$XDPCT" -n "$(ns s)" list 2>&1); rc=$?
expect list_rc "$rc" 1 || ok=0
expect list_err "$out" "xdpct: list: xdpct is not attached in this namespace" || ok=0
# What the daemon kept for the namespace (log, socket, pid file) goes too.
[ -e "$RUN_DIR" ] && { echo "  $RUN_DIR is left: $(ls "$RUN_DIR" | tr '\n' ' ')"; ok=0; }
[ -e "/sys/fs/bpf/xdpct/${RUN_DIR##*/}" ] && { echo "  the pin directory is left"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
