# The daemon under what a peer, an operator or a caller can do to it: a FIN
# replayed into TIME-WAIT thousands of times (one timer, not one per
# packet), msl lowered while timers are pending (they move), SIGHUP and
# SIGUSR1 (logged, ignored), seventy idle connections (the CLI still gets
# in), a flush while the daemon is stopped (2 s, not a hang), a caller's
# descriptors (not kept), and a
# daemon killed with SIGKILL before detach (nothing left in /run/xdpct).
# Real kernel TCP between two namespaces, xdpct on the server's interface,
# a sweep interval of an hour so that only the timers remove TIME-WAIT.
. "$(dirname "$0")/../lib/e2e.sh"
TOOLS=${TOP:-.}/build/tests/tools

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
X() { "$XDPCT" -n "$(ns s)" "$@"; }
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
READER=
stop_all() {
	[ -n "$READER" ] && kill "$READER" 2>/dev/null
	[ -s "$RUN_DIR/daemon.pid" ] && kill -9 "$(cat "$RUN_DIR/daemon.pid")" 2>/dev/null
	e2e_cleanup
	rm -rf "$RUN_DIR"
}
trap stop_all EXIT

printf 'msl 1s\n' >"$E2E_TMP/lab.conf"
if ! X attach veth0 --config "$E2E_TMP/lab.conf" --sweep-interval 1h >/dev/null; then
	fail attach; e2e_exit
fi
"$XDPCT" -n "$(ns s)" -j events >"$E2E_TMP/ev.json" 2>&1 & READER=$!
for i in $(seq 50); do [ "$(X -j status | jq .daemon.readers)" = 1 ] && break; sleep 0.1; done

# close_first_by_client PORT SPORT: the client closes first (client TIME-WAIT).
close_first_by_client() {
	run s "$PEER" server 198.18.0.2 "$1" "touch:$E2E_TMP/l$1" recv:10 eof close &
	wait_file "$E2E_TMP/l$1"
	run c "$PEER" client 198.18.0.2 "$1" "sport:$2" send:10 shut eof close
	wait $!
}
nev() { jq -r --argjson p "$1" --arg t "$2" 'select(.sport == $p and .type == $t) | .type' \
	"$E2E_TMP/ev.json" | wc -l; }
timers() { X -j status | jq .daemon.timers; }

t=fin_replayed_into_time_wait_arms_one_timer
ok=1
# The server's FIN, captured as it leaves, then sent again 2000 times
# through the same egress hook while the client is in TIME-WAIT.
run s tcpdump -i veth0 -c 1 -w "$E2E_TMP/fin.pcap" -U \
	'src host 198.18.0.2 and src port 8101 and tcp[tcpflags] & tcp-fin != 0' \
	2>"$E2E_TMP/tcpdump.err" &
dump=$!
for i in $(seq 50); do grep -q listening "$E2E_TMP/tcpdump.err" && break; sleep 0.1; done
before=$(timers)
close_first_by_client 8101 42101
wait $dump
expect state "$(flow_field s 42101 state)" TIME_WAIT || ok=0
run s python3 - "$E2E_TMP/fin.pcap" <<'PY' || ok=0
import socket, struct, sys, time
data = open(sys.argv[1], "rb").read()
incl = struct.unpack("<I", data[32:36])[0]   # first record's captured length
frame = data[40:40 + incl]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("veth0", 0))
t0 = time.time()
for i in range(2000):
    s.send(frame)
    if time.time() - t0 > 5:
        break
PY
for i in $(seq 30); do [ "$(nev 42101 tw-restart)" -ge 1000 ] && break; sleep 0.1; done
restarts=$(nev 42101 tw-restart)
after=$(timers)
echo "  $restarts tw-restart events; TIME-WAIT timers $before before, $after after"
[ "$restarts" -ge 1000 ] || { echo "  the replayed FINs did not restart TIME-WAIT"; ok=0; }
[ "$after" -le $((before + 1)) ] || { echo "  a timer per restart"; ok=0; }
# The one timer still removes the flow, 2MSL (2 s) after the last restart.
for i in $(seq 50); do [ "$(flow_field s 42101 state)" = null ] && break; sleep 0.1; done
expect removed "$(flow_field s 42101 state)" null || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=lower_msl_moves_pending_timers
ok=1
X config set msl 10m >/dev/null || ok=0
close_first_by_client 8102 42102
expect state "$(flow_field s 42102 state)" TIME_WAIT || ok=0
X config set msl 500ms >/dev/null || ok=0
t0=$(date +%s%3N)
for i in $(seq 40); do [ "$(flow_field s 42102 state)" = null ] && break; sleep 0.1; done
echo "  removed $(( $(date +%s%3N) - t0 )) ms after msl went from 10m to 500ms (2MSL 1 s)"
expect removed "$(flow_field s 42102 state)" null || ok=0
X config set msl 1s >/dev/null
[ $ok = 1 ] && pass $t || fail $t

t=sighup_and_sigusr1_are_logged_and_ignored
ok=1
pid=$(X -j status | jq -r .daemon.pid)
kill -HUP "$pid"; kill -USR1 "$pid"
sleep 0.3
expect same_daemon "$(X -j status | jq -r .daemon.pid)" "$pid" || ok=0
expect running "$(X -j status | jq -r .daemon.running)" true || ok=0
grep -q "signal 1 from pid [0-9]*: ignored" "$RUN_DIR/daemon.log" || { echo "  no SIGHUP line in the log"; ok=0; }
grep -q "signal 10 from pid [0-9]*: ignored" "$RUN_DIR/daemon.log" || { echo "  no SIGUSR1 line in the log"; ok=0; }
# Still expiring: a TIME-WAIT made after the signals goes at 2MSL.
close_first_by_client 8103 42103
for i in $(seq 40); do [ "$(flow_field s 42103 state)" = null ] && break; sleep 0.1; done
expect expired "$(flow_field s 42103 state)" null || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=idle_connections_do_not_lock_the_cli_out
# Seventy connections to the daemon's socket that never ask anything: the
# oldest idle one makes room, so status still answers and a reader still
# subscribes.
ok=1
python3 - "$RUN_DIR/events.sock" <<'PY' &
import socket, sys, time
held = []
for i in range(70):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    held.append(s)
time.sleep(3)
PY
idle=$!
sleep 1
out=$(X -j status 2>&1) || { echo "  status: $out"; ok=0; }
expect running "$(jq -r .daemon.running <<<"$out" 2>/dev/null)" true || ok=0
timeout 5 "$XDPCT" -n "$(ns s)" events --count 1 >"$E2E_TMP/ev1" 2>&1 &
r=$!
sleep 0.5
close_first_by_client 8104 42104
wait $r; expect reader_rc $? 0 || { cat "$E2E_TMP/ev1"; ok=0; }
wait $idle
[ $ok = 1 ] && pass $t || fail $t

t=flush_does_not_wait_on_a_stopped_daemon
# flush tells the daemon of each flow it removed; a daemon that stopped
# reading (SIGSTOP here) costs it 2 s, not a hang.
ok=1
mac=$(ip -n "$(ns s)" -j link show veth0 | jq -r '.[0].address')
run c "$TOOLS/synflood" veth0 "$mac" 198.18.1.0 198.18.0.2 9 3000 20000 >"$E2E_TMP/sent"
n=$(X -j stats | jq .tables.embryos.entries)
[ "$n" -ge 2000 ] || { echo "  only $n embryos"; ok=0; }
pid=$(X -j status | jq -r .daemon.pid)
kill -STOP "$pid"
a=$(date +%s%3N)
timeout 20 "$XDPCT" -n "$(ns s)" flush >/dev/null; rc=$?
took=$(( $(date +%s%3N) - a ))
kill -CONT "$pid"
echo "  flush of $n flows took $took ms with the daemon stopped"
expect rc "$rc" 0 || ok=0
[ "$took" -lt 8000 ] || { echo "  flush waited on the daemon"; ok=0; }
expect left "$(X -j stats | jq .tables.embryos.entries)" 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=daemon_keeps_none_of_the_callers_descriptors
ok=1
kill "$READER"; wait "$READER" 2>/dev/null; READER=
X daemon --stop >/dev/null || ok=0
# The caller's fd 9 is the pipe to cat: cat ends only when no one holds it.
timeout 10 bash -c "'$XDPCT' -n '$(ns s)' daemon 9>&1 >/dev/null | cat >/dev/null"
expect pipeline_rc $? 0 || ok=0
pid=$(X -j status | jq -r .daemon.pid)
expect running "$(X -j status | jq -r .daemon.running)" true || ok=0
pipes=$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -c 'pipe:')
expect daemon_pipes "$pipes" 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=detach_after_kill_9_leaves_no_run_dir
ok=1
pid=$(X -j status | jq -r .daemon.pid)
kill -9 "$pid"
for i in $(seq 50); do [ "$(X -j status | jq -r .daemon.running)" = false ] && break; sleep 0.1; done
X detach --all >/dev/null || ok=0
left=$(ls -A "$RUN_DIR" 2>/dev/null | tr '\n' ' ')
expect run_dir "$( [ -e "$RUN_DIR" ] && echo "present: $left" || echo gone)" gone || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
