# The table commands on real flows: list -j checked field by field, list
# filters, stats (counters and flows per state), status, delete, flush, and
# the destroyed events they send to readers. IPv4 and IPv6.
. "$(dirname "$0")/../lib/e2e.sh"

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
addr c veth0 2001:db8::1/64 nodad; addr s veth0 2001:db8::2/64 nodad
X() { "$XDPCT" -n "$(ns s)" "$@"; }
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
READER= READER2=
trap '[ -n "$READER" ] && kill $READER $READER2 2>/dev/null; e2e_cleanup; rm -rf "$RUN_DIR"' EXIT

if ! X attach veth0 >/dev/null; then
	fail attach; e2e_exit
fi
"$XDPCT" -n "$(ns s)" -j events --type destroyed >"$E2E_TMP/destroyed.json" 2>&1 &
READER=$!
# A list of types, and the option given again: the types add up.
"$XDPCT" -n "$(ns s)" -j events --type new,time-wait --type established \
	>"$E2E_TMP/some.json" 2>&1 &
READER2=$!
for i in $(seq 50); do [ "$(X -j status | jq .daemon.readers)" = 2 ] && break; sleep 0.1; done

# Three flows: A open (v4), B closed by the client (v4, TIME_WAIT), C open (v6).
run s "$PEER" server 198.18.0.2 8001 "touch:$E2E_TMP/la" recv:100 send:200 "wait:$E2E_TMP/done" &
pa=$!
wait_file "$E2E_TMP/la"
run c "$PEER" client 198.18.0.2 8001 sport:43001 send:100 recv:200 "touch:$E2E_TMP/oa" "wait:$E2E_TMP/done" &
ca=$!
run s "$PEER" server 198.18.0.2 8002 "touch:$E2E_TMP/lb" recv:10 eof close &
wait_file "$E2E_TMP/lb"
run c "$PEER" client 198.18.0.2 8002 sport:43002 send:10 shut eof close
wait $!
run s "$PEER" server 2001:db8::2 8003 "touch:$E2E_TMP/lc" recv:1 "wait:$E2E_TMP/done" &
pc=$!
wait_file "$E2E_TMP/lc"
run c "$PEER" client 2001:db8::2 8003 sport:43003 send:1 "touch:$E2E_TMP/oc" "wait:$E2E_TMP/done" &
cc=$!
wait_file "$E2E_TMP/oa"; wait_file "$E2E_TMP/oc"; sleep 0.2

t=list_json_field_by_field
ok=1
X -j list >"$E2E_TMP/list.json"
expect count "$(jq length "$E2E_TMP/list.json")" 3 || ok=0
a=$(jq -c '.[] | select(.sport == 43001)' "$E2E_TMP/list.json")
expect family "$(jq .family <<<"$a")" 4 || ok=0
expect src "$(jq -r .src <<<"$a")" 198.18.0.1 || ok=0
expect sport "$(jq .sport <<<"$a")" 43001 || ok=0
expect dst "$(jq -r .dst <<<"$a")" 198.18.0.2 || ok=0
expect dport "$(jq .dport <<<"$a")" 8001 || ok=0
expect state "$(jq -r .state <<<"$a")" ESTABLISHED || ok=0
expect client_state "$(jq -r .client_state <<<"$a")" ESTABLISHED || ok=0
expect server_state "$(jq -r .server_state <<<"$a")" ESTABLISHED || ok=0
# SYN, ACK, 100 bytes (one segment), ACK of 200 bytes at least; headers 40+ bytes each.
[ "$(jq .packets_orig <<<"$a")" -ge 3 ] || { echo "  packets_orig $(jq .packets_orig <<<"$a")"; ok=0; }
[ "$(jq .packets_reply <<<"$a")" -ge 2 ] || { echo "  packets_reply"; ok=0; }
[ "$(jq .bytes_orig <<<"$a")" -ge $((100 + 3 * 40)) ] || { echo "  bytes_orig"; ok=0; }
[ "$(jq .bytes_reply <<<"$a")" -ge $((200 + 2 * 40)) ] || { echo "  bytes_reply"; ok=0; }
[ "$(jq .age_ms <<<"$a")" -ge 100 ] && [ "$(jq .age_ms <<<"$a")" -lt 10000 ] || { echo "  age_ms"; ok=0; }
# ESTABLISHED: 5 days minus the idle time.
[ "$(jq .expires_ms <<<"$a")" -gt $((432000000 - 10000)) ] || { echo "  expires_ms"; ok=0; }
expect ifindex "$(jq .ifindex <<<"$a")" "$(ip -n "$(ns s)" -j link show veth0 | jq '.[0].ifindex')" || ok=0
b=$(jq -c '.[] | select(.sport == 43002)' "$E2E_TMP/list.json")
expect b_state "$(jq -r '[.state, .client_state, .server_state] | join(" ")' <<<"$b")" "TIME_WAIT TIME-WAIT CLOSED" || ok=0
[ "$(jq .expires_ms <<<"$b")" -le 120000 ] && [ "$(jq .expires_ms <<<"$b")" -gt 110000 ] || { echo "  b expires_ms"; ok=0; }
c=$(jq -c '.[] | select(.sport == 43003)' "$E2E_TMP/list.json")
expect c_family "$(jq .family <<<"$c")" 6 || ok=0
expect c_ends "$(jq -r '"\(.src) \(.dst) \(.dport)"' <<<"$c")" "2001:db8::1 2001:db8::2 8003" || ok=0
# Every object has every documented key.
expect keys "$(jq -r '[.[] | keys | contains(["family","src","sport","dst","dport","state","client_state","server_state","packets_orig","packets_reply","bytes_orig","bytes_reply","age_ms","expires_ms"])] | all' "$E2E_TMP/list.json")" true || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=list_filters
ok=1
lj() { X -j list "$@" | jq -r '[.[].sport] | sort | map(tostring) | join(",")'; }
expect state "$(lj --state established)" 43001,43003 || ok=0
expect state2 "$(lj --state TIME_WAIT)" 43002 || ok=0
expect port "$(lj --port 8002)" 43002 || ok=0
expect port2 "$(lj -p 43001)" 43001 || ok=0
expect addr6 "$(lj --addr 2001:db8::/32)" 43003 || ok=0
expect addr4 "$(lj --addr 198.18.0.1)" 43001,43002 || ok=0
expect prefix "$(lj --addr 198.18.0.0/15)" 43001,43002 || ok=0
expect none "$(lj --addr 198.19.0.0/16)" "" || ok=0
expect iface "$(lj --iface veth0 --state established --port 8003)" 43003 || ok=0
expect text "$(X list --state time-wait | tail -1)" "1 flow" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=stats_counts_flows_per_state_and_counters
ok=1
X -j stats >"$E2E_TMP/stats.json"
expect flows "$(jq .flows "$E2E_TMP/stats.json")" 3 || ok=0
expect est "$(jq .flows_by_state.ESTABLISHED "$E2E_TMP/stats.json")" 2 || ok=0
expect tw "$(jq .flows_by_state.TIME_WAIT "$E2E_TMP/stats.json")" 1 || ok=0
expect new "$(jq .counters.flows_new "$E2E_TMP/stats.json")" 3 || ok=0
expect twc "$(jq .counters.flows_time_wait "$E2E_TMP/stats.json")" 1 || ok=0
[ "$(jq .counters.tcp_packets "$E2E_TMP/stats.json")" -ge 15 ] || { echo "  tcp_packets"; ok=0; }
expect drops "$(jq .counters.ringbuf_drops "$E2E_TMP/stats.json")" 0 || ok=0
expect samples "$(X -j stats --interval 100ms --count 3 | jq -s length)" 3 || ok=0
X stats | grep -q "^  invalid_out_of_window " || { echo "  text stats lack invalid_out_of_window"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=status_shows_interface_programs_fill_and_daemon
ok=1
X -j status >"$E2E_TMP/status.json"
expect iface "$(jq -r '.interfaces[0] | "\(.name) \(.mode) \(.egress)"' "$E2E_TMP/status.json")" "veth0 native true" || ok=0
expect prog "$(jq '.interfaces[0].xdp_prog_id' "$E2E_TMP/status.json")" \
	"$(ip -n "$(ns s)" -j link show veth0 | jq '.[0].xdp.prog.id')" || ok=0
expect progs "$(jq '.programs.xdp == .interfaces[0].xdp_prog_id' "$E2E_TMP/status.json")" true || ok=0
expect fill "$(jq -r '"\(.flows.entries)/\(.flows.max)"' "$E2E_TMP/status.json")" 3/1048576 || ok=0
expect pid "$(jq .daemon.pid "$E2E_TMP/status.json")" "$(cat "$RUN_DIR/daemon.pid")" || ok=0
expect readers "$(jq .daemon.readers "$E2E_TMP/status.json")" 2 || ok=0
expect perms "$(stat -c %a "$RUN_DIR") $(stat -c %a "$RUN_DIR/events.sock")" "700 600" || ok=0
X status | grep -q "^daemon    pid [0-9]*, up " || { echo "  text status: $(X status)"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=list_text_columns_line_up
# Every row as long as the header: the last column is right-aligned, and a
# flow that expires in ten years (3650d: 315360000 s) widens its column.
ok=1
# With -j, config set prints the key as it now reads; as text, nothing.
expect set_json "$(X -j config set timeout-established 3650d | jq -c .)" '{"timeout-established":"3650d"}' || ok=0
X list >"$E2E_TMP/list.txt"
expect rows "$(wc -l <"$E2E_TMP/list.txt")" 5 || ok=0
expect lengths "$(head -n -1 "$E2E_TMP/list.txt" | awk '{print length}' | sort -u | wc -l)" 1 || ok=0
grep -Eq "^ipv6 +\[2001:db8::1\]:43003 .* 31535[0-9]{4}\.[0-9]$" "$E2E_TMP/list.txt" ||
	{ echo "  no v6 row expiring in 3650d:"; cat "$E2E_TMP/list.txt"; ok=0; }
expect set_text "$(X config set timeout-established 5d)" "" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=delete_one_flow_either_order
ok=1
out=$(X delete 198.18.0.2:8002 198.18.0.1:43002); rc=$?
expect rc "$rc" 0 || ok=0
expect out "$out" "deleted 1 flow" || ok=0
expect gone "$(flow_field s 43002 state)" null || ok=0
out=$(X delete 198.18.0.1:43002 198.18.0.2:8002 2>&1); rc=$?
expect again_rc "$rc" 1 || ok=0
expect again "$out" "xdpct: delete 198.18.0.1:43002 198.18.0.2:8002: no such flow" || ok=0
X delete "[2001:db8::1]:43003" "[2001:db8::2]:8003" >/dev/null || ok=0
expect gone6 "$(flow_field s 43003 state)" null || ok=0
expect left "$(X -j list | jq length)" 1 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=events_type_takes_a_list
# Three flows opened (new, established each) and one closed (time-wait):
# nothing else (no fin, no destroyed) reaches this reader.
ok=1
for i in $(seq 30); do [ "$(wc -l <"$E2E_TMP/some.json")" -ge 7 ] && break; sleep 0.1; done
expect types "$(jq -r .type "$E2E_TMP/some.json" | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
	"established=3 new=3 time-wait=1 " || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=flush_removes_everything_and_readers_see_it
ok=1
expect filtered "$(X -j flush --port 9999 | jq .flushed)" 0 || ok=0
expect flushed "$(X -j flush | jq .flushed)" 1 || ok=0
expect empty "$(X -j list | jq length)" 0 || ok=0
for i in $(seq 30); do [ "$(wc -l <"$E2E_TMP/destroyed.json")" -ge 3 ] && break; sleep 0.1; done
expect destroyed "$(jq -r '"\(.sport):\(.reason)"' "$E2E_TMP/destroyed.json" | sort | tr '\n' ' ')" \
	"43001:deleted 43002:deleted 43003:deleted " || ok=0
# The open connection goes on; its next segments open nothing (no SYN).
touch "$E2E_TMP/done"; wait $pa $ca $pc $cc
expect after "$(X -j list | jq length)" 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=events_says_when_a_type_is_off
# The data path emits only the types the events key lets through (invalid
# is off by default): a reader waiting for one of the others waited silently.
ok=1
timeout 2 "$XDPCT" -n "$(ns s)" events --type invalid,new >/dev/null 2>"$E2E_TMP/off.err"
expect warning "$(cat "$E2E_TMP/off.err")" \
	"xdpct: events: warning: 'invalid' events are off in the configuration, none will come ('xdpct config set events ...' turns them on)" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=stats_interval_follows_a_detach
# stats --interval holds the maps it opened, which outlive a detach: it
# printed the gone instance's last numbers for ever. Now it follows a new
# instance, and says so when there is none.
ok=1
kill $READER $READER2 2>/dev/null; READER=
X -j stats --interval 2s --count 3 >"$E2E_TMP/follow.json" 2>"$E2E_TMP/follow.err" &
st=$!
sleep 0.5
X detach --all >/dev/null && X attach veth0 >/dev/null || { echo "  detach, attach"; ok=0; }
run s "$PEER" server 198.18.0.2 8009 "touch:$E2E_TMP/l9" recv:10 close &
wait_file "$E2E_TMP/l9"
run c "$PEER" client 198.18.0.2 8009 sport:43009 send:10 close; wait $!
wait $st || { echo "  stats: $(cat "$E2E_TMP/follow.err")"; ok=0; }
# The first sample was the old instance's (its flushed table); the last is the new one's.
expect samples "$(jq -s length "$E2E_TMP/follow.json")" 3 || ok=0
expect new_flows "$(jq -s '.[2].counters.flows_new' "$E2E_TMP/follow.json")" 1 || ok=0
X -j stats --interval 300ms --count 100 >/dev/null 2>"$E2E_TMP/gone.err" &
st=$!
sleep 0.4
X detach --all >/dev/null || ok=0
for i in $(seq 30); do kill -0 $st 2>/dev/null || break; sleep 0.1; done
kill -0 $st 2>/dev/null && { echo "  stats still running after the detach"; kill $st; ok=0; }
wait $st; rc=$?
expect gone_rc "$rc" 1 || ok=0
expect gone_msg "$(cat "$E2E_TMP/gone.err")" "xdpct: stats: xdpct was detached" || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
