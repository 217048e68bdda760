# The daemon: two event readers at once, TIME-WAIT expiry after 2MSL and not
# before, a FIN retransmitted into TIME-WAIT (the final ACK dropped by
# nftables) restarting the clock, idle timeouts, survival of kill -9, and a
# clean stop on SIGTERM / SIGINT. Real kernel TCP between two namespaces,
# xdpct on the server's interface, msl 500ms (2MSL = 1 s).
. "$(dirname "$0")/../lib/e2e.sh"

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
X() { "$XDPCT" -n "$(ns s)" "$@"; }
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
READERS=()
stop_all() {
	local p
	for p in "${READERS[@]}"; do kill "$p" 2>/dev/null; done
	[ -s "$RUN_DIR/daemon.pid" ] && kill -9 "$(cat "$RUN_DIR/daemon.pid")" 2>/dev/null
	e2e_cleanup
	rm -rf "$RUN_DIR"
}
trap stop_all EXIT

printf 'msl 500ms\n' >"$E2E_TMP/lab.conf"
if ! X attach veth0 --config "$E2E_TMP/lab.conf" >/dev/null; then
	fail attach; e2e_exit
fi

# Two readers, JSON and text, for the whole run.
"$XDPCT" -n "$(ns s)" -j events >"$E2E_TMP/ev.json" 2>&1 & READERS+=($!)
"$XDPCT" -n "$(ns s)" events >"$E2E_TMP/ev.txt" 2>&1 & READERS+=($!)
HZ=$(X -j status | jq .hz)
TW_TICKS=$((HZ))  # 2MSL = 1 s
for i in $(seq 50); do [ "$(X -j status | jq .daemon.readers)" = 2 ] && break; sleep 0.1; done

# ev SPORT TYPE: ts_ms of the last event TYPE of the flow with client port SPORT.
ev() { jq -r --argjson p "$1" --arg t "$2" 'select(.sport == $p and .type == $t) | .ts_ms' \
	"$E2E_TMP/ev.json" | tail -1; }
# clk SPORT TYPE: the data path clock (ticks) of that event.
clk() { jq -r --argjson p "$1" --arg t "$2" 'select(.sport == $p and .type == $t) | .clock' \
	"$E2E_TMP/ev.json" | tail -1; }
# wait_ev SPORT TYPE [SECONDS]
wait_ev() {
	local i
	for i in $(seq $((${3:-5} * 20))); do [ -n "$(ev "$1" "$2")" ] && return 0; sleep 0.05; done
	echo "  no '$2' event for port $1"
	return 1
}
now_ms() { date +%s%3N; }
# close_first_by_client PORT SPORT: a connection the client closes first (client TIME-WAIT).
close_first_by_client() {
	run s "$PEER" server 198.18.0.2 "$1" "touch:$E2E_TMP/l$1" recv:10 eof close &
	wait_file "$E2E_TMP/l$1"
	run c "$PEER" client 198.18.0.2 "$1" "sport:$2" send:10 shut eof close
	wait $!
}

t=two_readers_see_the_same_events
close_first_by_client 8001 42001
wait_ev 42001 time-wait
ok=1
expect types "$(jq -r 'select(.sport == 42001) | .type' "$E2E_TMP/ev.json" | head -4 | tr '\n' ' ')" \
	"new established fin time-wait " || ok=0
expect text "$(grep -c '198.18.0.1:42001 -> 198.18.0.2:8001' "$E2E_TMP/ev.txt")" \
	"$(jq -r 'select(.sport == 42001) | .type' "$E2E_TMP/ev.json" | wc -l)" || ok=0
line=$(jq -c 'select(.sport == 42001 and .type == "time-wait")' "$E2E_TMP/ev.json")
expect src "$(jq -r .src <<<"$line")" 198.18.0.1 || ok=0
expect dst "$(jq -r '"\(.dst):\(.dport)"' <<<"$line")" 198.18.0.2:8001 || ok=0
expect state "$(jq -r .state <<<"$line")" TIME_WAIT || ok=0
expect cs "$(jq -r .client_state <<<"$line")" TIME-WAIT || ok=0
expect iface "$(jq -r .iface <<<"$line")" veth0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=time_wait_leaves_after_2msl_and_not_before
ok=1
tw=$(ev 42001 time-wait)
last_seen=0
for i in $(seq 40); do
	if [ "$(flow_field s 42001 state)" = TIME_WAIT ]; then last_seen=$(now_ms); else break; fi
	sleep 0.05
done
wait_ev 42001 destroyed 3 || ok=0
gone=$(ev 42001 destroyed)
echo "  TIME-WAIT at $tw, still listed at +$((last_seen - tw)) ms, destroyed at +$((gone - tw)) ms"
[ $((last_seen - tw)) -ge 850 ] || { echo "  not listed until 2MSL"; ok=0; }
ticks=$(( $(clk 42001 destroyed) - $(clk 42001 time-wait) ))
echo "  in data path ticks: destroyed $ticks after TIME-WAIT (2MSL = $TW_TICKS)"
[ "$ticks" -gt "$TW_TICKS" ] || { echo "  destroyed before 2MSL"; ok=0; }
[ $((gone - tw)) -le 1400 ] || { echo "  destroyed late"; ok=0; }
expect reason "$(jq -r 'select(.sport == 42001 and .type == "destroyed") | .reason' "$E2E_TMP/ev.json")" expired || ok=0
expect listed "$(flow_field s 42001 state)" null || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=fin_retransmitted_into_time_wait_restarts_2msl
# The server's netfilter drops the client's final ACK (XDP saw it first: the
# client is in TIME-WAIT), so the server's kernel retransmits its FIN.
ok=1
run s "$PEER" server 198.18.0.2 8002 "touch:$E2E_TMP/l8002" recv:10 eof "wait:$E2E_TMP/go" close &
srv=$!
wait_file "$E2E_TMP/l8002"
run c "$PEER" client 198.18.0.2 8002 sport:42002 send:10 shut eof close &
cli=$!
sleep 0.3
run s nft -f - <<'NFT'
table inet xdpct_test {
	chain in {
		type filter hook input priority 0;
		tcp sport 42002 tcp flags == ack counter drop
	}
}
NFT
touch "$E2E_TMP/go"
wait_ev 42002 time-wait || ok=0
wait_ev 42002 tw-restart 3 || ok=0
run s nft delete table inet xdpct_test
wait $srv $cli
wait_ev 42002 destroyed 4 || ok=0
tw=$(ev 42002 time-wait); rs=$(ev 42002 tw-restart); gone=$(ev 42002 destroyed)
echo "  TIME-WAIT at $tw, last restart +$((rs - tw)) ms, destroyed +$((gone - tw)) ms"
ticks=$(( $(clk 42002 destroyed) - $(clk 42002 tw-restart) ))
echo "  in data path ticks: destroyed $ticks after the last restart (2MSL = $TW_TICKS, HZ $HZ)"
[ "$ticks" -gt "$TW_TICKS" ] || { echo "  destroyed less than 2MSL after the restart"; ok=0; }
[ $((gone - rs)) -le 1400 ] || { echo "  destroyed late"; ok=0; }
[ $((gone - tw)) -ge 1150 ] || { echo "  the restart did not extend TIME-WAIT"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=a_flow_reopened_in_time_wait_is_kept
# The server closes first (server TIME-WAIT); the client connects again from
# the same port before 2MSL: the timer armed for the old TIME-WAIT fires,
# finds the reopened flow and leaves it.
ok=1
run s "$PEER" server 198.18.0.2 8007 "touch:$E2E_TMP/l8007" send:10 shut eof close &
wait_file "$E2E_TMP/l8007"
run c "$PEER" client 198.18.0.2 8007 sport:42007 recv:10 eof close
wait $!
wait_ev 42007 time-wait || ok=0
run s "$PEER" server 198.18.0.2 8007 "touch:$E2E_TMP/m8007" recv:10 "wait:$E2E_TMP/d8007" &
srv=$!
wait_file "$E2E_TMP/m8007"
run c "$PEER" client 198.18.0.2 8007 sport:42007 send:10 "touch:$E2E_TMP/o8007" "wait:$E2E_TMP/d8007" &
cli=$!
wait_file "$E2E_TMP/o8007"
wait_ev 42007 reopened 2 || ok=0
sleep 1.3 # past the old TIME-WAIT's 2MSL
expect state "$(flow_field s 42007 state)" ESTABLISHED || ok=0
expect destroyed "$(ev 42007 destroyed)" "" || ok=0
touch "$E2E_TMP/d8007"; wait $srv $cli
[ $ok = 1 ] && pass $t || fail $t

t=idle_flows_expire_by_the_sweep
ok=1
X config set timeout-established 300ms
run s "$PEER" server 198.18.0.2 8003 "touch:$E2E_TMP/l8003" recv:10 "wait:$E2E_TMP/d8003" &
srv=$!
wait_file "$E2E_TMP/l8003"
run c "$PEER" client 198.18.0.2 8003 sport:42003 send:10 "touch:$E2E_TMP/o8003" "wait:$E2E_TMP/d8003" &
cli=$!
wait_file "$E2E_TMP/o8003"
wait_ev 42003 destroyed 3 || ok=0
# The flow's last segment came after "established": the timeout runs from there.
est=$(ev 42003 established); gone=$(ev 42003 destroyed)
echo "  idle ESTABLISHED flow destroyed $((gone - est)) ms after its handshake (timeout 300ms)"
[ $((gone - est)) -ge 290 ] || { echo "  before its timeout"; ok=0; }
[ $((gone - est)) -le 1000 ] || { echo "  late"; ok=0; }
expect state "$(jq -r 'select(.sport == 42003 and .type == "destroyed") | .state' "$E2E_TMP/ev.json")" ESTABLISHED || ok=0
touch "$E2E_TMP/d8003"; wait $srv $cli
X config set timeout-established 5d
[ $ok = 1 ] && pass $t || fail $t

t=a_lowered_timeout_is_swept_for_at_once
# The sweep's period follows the shortest timeout (5 s at most). Lowering a
# timeout used to wait out the period in force: up to 5 s late.
ok=1
X config set msl 1m  # shortest timeout 10 s: a sweep every 5 s
run s "$PEER" server 198.18.0.2 8004 "touch:$E2E_TMP/l8004" recv:10 "wait:$E2E_TMP/d8004" &
srv=$!
wait_file "$E2E_TMP/l8004"
run c "$PEER" client 198.18.0.2 8004 sport:42004 send:10 "touch:$E2E_TMP/o8004" "wait:$E2E_TMP/d8004" &
cli=$!
wait_file "$E2E_TMP/o8004"
sleep 1.2 # idle for longer than the timeout set below
# Right after a sweep, so that the period in force has 5 s to run.
s0=$(X -j status | jq .daemon.sweeps)
for i in $(seq 120); do [ "$(X -j status | jq .daemon.sweeps)" != "$s0" ] && break; sleep 0.05; done
set_ms=$(now_ms)
X config set timeout-established 1s
wait_ev 42004 destroyed 8 || ok=0
late=$(( $(ev 42004 destroyed) - set_ms ))
echo "  destroyed $late ms after the timeout was lowered (period 5 s before, 500 ms after)"
# The daemon sees a config change within a second (it wakes at least once a
# second), then sweeps within one new period (500 ms): 1.5 s and the sweep.
[ "$late" -le 2000 ] || { echo "  late"; ok=0; }
touch "$E2E_TMP/d8004"; wait $srv $cli
X config set timeout-established 5d; X config set msl 500ms
[ $ok = 1 ] && pass $t || fail $t

t=kill_9_then_the_next_daemon_takes_over
ok=1
pid=$(X -j status | jq -r .daemon.pid)
kill -9 "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ] || break; sleep 0.05; done
expect running "$(X -j status | jq -r .daemon.running)" false || ok=0
out=$(X events 2>&1); rc=$?
expect events_rc "$rc" 1 || ok=0
# Tracking goes on: A enters TIME-WAIT and outlives 2MSL with no daemon.
close_first_by_client 8004 42004
expect tracked "$(flow_field s 42004 state)" TIME_WAIT || ok=0
sleep 1.2
expect not_reaped "$(flow_field s 42004 state)" TIME_WAIT || ok=0
# B enters TIME-WAIT just before the new daemon starts.
close_first_by_client 8005 42005
b=$(now_ms)
X daemon >/dev/null || { echo "  xdpct daemon failed"; ok=0; }
expect reaped_at_once "$(flow_field s 42004 state)" null || ok=0
expect b_kept "$(flow_field s 42005 state)" TIME_WAIT || ok=0
# One timer for B: its event, still in the ring, armed one and the first sweep another.
expect one_timer "$(X -j status | jq .daemon.timers)" 1 || ok=0
# The re-armed timer removes B on time.
for i in $(seq 40); do [ "$(flow_field s 42005 state)" = null ] && break; sleep 0.05; done
g=$(now_ms)
echo "  B removed about $((g - b)) ms after entering TIME-WAIT"
[ $((g - b)) -ge 950 ] && [ $((g - b)) -le 1600 ] || { echo "  B not removed at 2MSL"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=readers_of_the_new_daemon_get_events
ok=1
"$XDPCT" -n "$(ns s)" -j events --count 4 >"$E2E_TMP/ev2.json" 2>&1 &
r=$!
for i in $(seq 50); do [ "$(X -j status | jq .daemon.readers)" = 1 ] && break; sleep 0.1; done
close_first_by_client 8006 42006
for i in $(seq 50); do kill -0 $r 2>/dev/null || break; sleep 0.1; done
wait $r; rc=$?
expect rc "$rc" 0 || ok=0
expect types "$(jq -r .type "$E2E_TMP/ev2.json" | tr '\n' ' ')" "new established fin time-wait " || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=flushed_time_wait_entries_leave_no_timers
# Pending timers count entries in TIME-WAIT: flushed ones left theirs
# counted until their 2MSL passed. Now the next sweep (5 s at most here:
# half the shortest timeout, timeout-close 10s) drops them.
ok=1
# The last test's flow leaves its TIME-WAIT first (2MSL is 1 s).
for i in $(seq 30); do [ "$(flow_field s 42006 state)" = null ] && break; sleep 0.1; done
X config set msl 30s >/dev/null || ok=0
close_first_by_client 8007 42007
close_first_by_client 8008 42008
expect two_timers "$(X -j status | jq .daemon.timers)" 2 || ok=0
expect flushed "$(X -j flush --state time-wait | jq .flushed)" 2 || ok=0
for i in $(seq 70); do [ "$(X -j status | jq .daemon.timers)" = 0 ] && break; sleep 0.1; done
expect no_timers "$(X -j status | jq .daemon.timers)" 0 || ok=0
X config set msl 500ms >/dev/null || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=sigterm_stops_cleanly_and_programs_stay
ok=1
X daemon --stop >/dev/null || ok=0
"$XDPCT" -n "$(ns s)" daemon --foreground 2>"$E2E_TMP/fg.log" &
fg=$!
for i in $(seq 50); do [ "$(X -j status | jq -r .daemon.running)" = true ] && break; sleep 0.1; done
kill -TERM $fg; wait $fg; rc=$?
expect rc "$rc" 0 || ok=0
grep -q "signal 15: stopping" "$E2E_TMP/fg.log" || { echo "  log: $(cat "$E2E_TMP/fg.log")"; ok=0; }
expect attached "$(X -j status | jq -r '.interfaces[0].name')" veth0 || ok=0
expect running "$(X -j status | jq -r .daemon.running)" false || ok=0
expect xdp "$(ip -n "$(ns s)" -j link show veth0 | jq -r '.[0].xdp.prog.id // "none"' | grep -c '^[0-9]')" 1 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=sigint_with_detach_on_exit_detaches
ok=1
"$XDPCT" -n "$(ns s)" daemon --foreground --detach-on-exit 2>"$E2E_TMP/fg2.log" &
fg=$!
for i in $(seq 50); do [ "$(X -j status | jq -r .daemon.running)" = true ] && break; sleep 0.1; done
kill -INT $fg; wait $fg
expect xdp "$(ip -n "$(ns s)" -j link show veth0 | jq -r '.[0].xdp.prog.id // "none"')" none || ok=0
out=$(X status 2>&1)
expect status "$out" "xdpct: status: xdpct is not attached in this namespace" || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
