# attach's edges: under `ip netns exec` (a private /sys without the host's
# bpffs) it refuses and leaves nothing; a second attach that asks the running
# daemon for the settings it already has (the same metrics address spelled
# otherwise, the same --sweep-interval) is taken, other settings are not; the
# text of stats and status says evictions once and reader_drops.
. "$(dirname "$0")/../lib/e2e.sh"

ns_add a
for i in 0 1 2 3; do
	ip -n "$(ns a)" link add d$i type veth peer name p$i
	ip -n "$(ns a)" link set d$i up; ip -n "$(ns a)" link set p$i up
done
X() { "$XDPCT" -n "$(ns a)" "$@"; }
PIN_DIR=/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$(ns a)")
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns a)")
trap '[ -s "$RUN_DIR/daemon.pid" ] && kill -9 "$(cat "$RUN_DIR/daemon.pid")" 2>/dev/null; e2e_cleanup' EXIT

attached() { X -j status | jq -r '.interfaces | map(.name) | sort | join(",")'; }

t=ip_netns_exec_is_refused_and_leaves_nothing
# ip netns exec mounts a fresh /sys: a bpffs mounted there, and the pins and
# daemon in it, would be seen by no other xdpct (status, detach).
ok=1
NSX=(ip netns exec "$(ns a)")
USE_N="use 'xdpct -n NAME' instead of 'ip netns exec NAME xdpct'"
check_error attach 1 "^xdpct: attach: /sys here is not the host's and holds no bpffs .*$USE_N" \
	"${NSX[@]}" "$XDPCT" attach d0 --mode generic || ok=0
expect xdp "$(ip -n "$(ns a)" -j link show d0 | jq -r '.[0].xdp.prog.id // "none"')" none || ok=0
expect tc "$(tc -n "$(ns a)" filter show dev d0 egress)" "" || ok=0
[ -e "$PIN_DIR" ] && { echo "  pins made in $PIN_DIR"; ok=0; }
expect pids "$(ip netns pids "$(ns a)")" "" || ok=0
# Read-only commands say why they see nothing, not "not attached".
check_error status 1 "^xdpct: status: /sys here is not the host's and holds no bpffs" \
	"${NSX[@]}" "$XDPCT" status || ok=0
check_error detach 1 "^xdpct: detach: /sys here is not the host's and holds no bpffs" \
	"${NSX[@]}" "$XDPCT" detach --all || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=the_running_daemons_own_settings_are_taken
ok=1
X attach d0 --mode generic --metrics-listen 9100 --sweep-interval 2s >/dev/null ||
	{ echo "  first attach failed"; ok=0; }
pid=$(X -j status | jq -r .daemon.pid)
# A bare port is 127.0.0.1's; the same period the daemon was given.
X attach d1 --mode generic --metrics-listen 127.0.0.1:9100 >/dev/null || ok=0
X attach d2 --mode generic --sweep-interval 2000ms >/dev/null || ok=0
expect attached "$(attached)" d0,d1,d2 || ok=0
expect same_daemon "$(X -j status | jq -r .daemon.pid)" "$pid" || ok=0
check_error metrics_other 1 "attach: --metrics-listen: the daemon running here \(pid $pid\) serves metrics on 9100: stop it first" \
	X attach d3 --mode generic --metrics-listen 127.0.0.1:9101 || ok=0
check_error metrics_v6 1 "serves metrics on 9100" X attach d3 --mode generic --metrics-listen '[::1]:9100' || ok=0
check_error sweep_other 1 "attach: --sweep-interval: the daemon running here \(pid $pid\) sweeps every 2000 ms: stop it first" \
	X attach d3 --mode generic --sweep-interval 3s || ok=0
expect attached_after "$(attached)" d0,d1,d2 || ok=0
# A daemon given no period sweeps at half the shortest timeout (5 s by
# default): asking for that cannot be told from asking it to keep 5 s.
X daemon --stop >/dev/null && X daemon >/dev/null || { echo "  daemon restart failed"; ok=0; }
pid=$(X -j status | jq -r .daemon.pid)
check_error sweep_derived 1 "attach: --sweep-interval: the daemon running here \(pid $pid\) sweeps every 5000 ms, which may follow the timeouts" \
	X attach d3 --mode generic --sweep-interval 5s || ok=0
expect attached_end "$(attached)" d0,d1,d2 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=text_stats_says_evictions_once_and_status_says_reader_drops
ok=1
expect evictions "$(X stats | grep -c evictions)" 1 || ok=0
X stats | grep -q "^tables: flows [0-9]* (evictions 0), embryos [0-9]* (evictions 0)$" ||
	{ echo "  stats: $(X stats | head -3)"; ok=0; }
drops=$(X -j status | jq .daemon.reader_drops)
X status | grep -Eq "^daemon +pid [0-9]+, .*\(reader_drops $drops\)" ||
	{ echo "  status: $(X status | grep ^daemon)"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=concurrent_changes_are_serialised
# Two first attaches at once: each loads and pins, unless one waits for the
# other. The loser's undo used to unpin the winner's maps, leaving the
# instance broken. Two `config set`s at once: each wrote back the whole
# config as it read it, and one key was lost.
ok=1
X detach --all >/dev/null 2>&1
for r in 1 2 3 4 5; do
	X attach d0 --mode generic --flows 1024 >"$E2E_TMP/a0" 2>&1 & a0=$!
	X attach d1 --mode generic --flows 1024 >"$E2E_TMP/a1" 2>&1 & a1=$!
	wait $a0 || { echo "  round $r: d0: $(cat "$E2E_TMP/a0")"; ok=0; }
	wait $a1 || { echo "  round $r: d1: $(cat "$E2E_TMP/a1")"; ok=0; }
	expect "round $r attached" "$(attached)" d0,d1 || ok=0
	X list >/dev/null 2>&1 || { echo "  round $r: list fails"; ok=0; }
	for i in 1 2 3 4 5 6; do
		X config set ttl $((40 + r * 10 + i)) >/dev/null & c0=$!
		X config set challenge-ack-rate $((2000 + r * 10 + i)) >/dev/null & c1=$!
		wait $c0 && wait $c1 || { echo "  round $r: config set failed"; ok=0; }
		got="$(X config get ttl) $(X config get challenge-ack-rate)"
		expect "round $r.$i keys" "$got" "$((40 + r * 10 + i)) $((2000 + r * 10 + i))" || ok=0
	done
	X detach --all >/dev/null || { echo "  round $r: detach failed"; ok=0; }
	[ -e "$PIN_DIR" ] && { echo "  round $r: pins left"; ok=0; }
done
[ $ok = 1 ] && pass $t || fail $t

t=loopback_needs_no_egress_and_counts_once
# On lo a frame leaves by tc egress and comes back in by XDP: with both
# hooks each segment counted twice. attach says so; with --no-egress, XDP
# alone sees both directions, each segment once (TcpOutSegs of the namespace).
ok=1
check_error lo_egress 2 "attach: lo: a loopback interface passes each frame by both hooks, which would count it twice: add --no-egress" \
	X attach lo --mode generic || ok=0
ip -n "$(ns a)" link set lo up; ip -n "$(ns a)" addr add 198.18.9.1/32 dev lo
X attach lo --mode generic --no-egress >/dev/null || { echo "  attach lo --no-egress failed"; ok=0; }
segs() { run a nstat -az TcpOutSegs | awk '$1 == "TcpOutSegs" {print $2}'; }
s0=$(segs)
run a "$PEER" server 198.18.9.1 8600 "touch:$E2E_TMP/l8600" recv:20000 send:30000 close &
srv=$!
wait_file "$E2E_TMP/l8600" || ok=0
run a "$PEER" client 198.18.9.1 8600 sport:48600 send:20000 recv:30000 close || ok=0
wait $srv || ok=0
sleep 0.2
n=$(X -j list | jq '[.[] | select(.sport == 48600) | .packets_orig + .packets_reply] | add')
expect "packets of both directions" "$n" "$(( $(segs) - s0 ))" || ok=0
X detach --all >/dev/null || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
