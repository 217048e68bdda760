# Security: pins, the run directory and the control socket are root's alone;
# userspace survives garbage in the maps it reads (a flow entry of random or
# all-ones bytes, a config of random bytes, a pinned map of the wrong size):
# list, stats, status, config, events and the daemon go on, one line names a
# map it cannot use, and the daemon reaps entries that make no sense.
. "$(dirname "$0")/../lib/e2e.sh"

ns_add s
ip -n "$(ns s)" link add d0 type veth peer name p0
ip -n "$(ns s)" link set d0 up; ip -n "$(ns s)" link set p0 up
X() { "$XDPCT" -n "$(ns s)" "$@"; }
INO=$(stat -L -c %i "/run/netns/$(ns s)")
PIN_DIR=/sys/fs/bpf/xdpct/net$INO
RUN_DIR=/run/xdpct/net$INO
READER=
trap '[ -n "$READER" ] && kill "$READER" 2>/dev/null; [ -s "$RUN_DIR/daemon.pid" ] && kill -9 "$(cat "$RUN_DIR/daemon.pid")" 2>/dev/null; e2e_cleanup' EXIT
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

if ! X attach d0 --mode generic --sweep-interval 100ms >/dev/null; then fail attach; e2e_exit; fi

t=pins_run_dir_and_socket_are_root_only
ok=1
expect root "$(stat -c '%a %U' /sys/fs/bpf/xdpct)" "700 root" || ok=0
expect dir "$(stat -c '%a %U' "$PIN_DIR")" "700 root" || ok=0
for f in "$PIN_DIR"/*; do
	expect "$(basename "$f")" "$(stat -c '%a %U' "$f")" "600 root" || ok=0
done
expect run_root "$(stat -c '%a %U' /run/xdpct)" "700 root" || ok=0
expect run_dir "$(stat -c '%a %U' "$RUN_DIR")" "700 root" || ok=0
for f in "$RUN_DIR"/*; do
	expect "$(basename "$f")" "$(stat -c '%a %U' "$f")" "600 root" || ok=0
done
[ -S "$RUN_DIR/events.sock" ] || { echo "  no control socket"; ok=0; }
"${NOBODY[@]}" ls "$PIN_DIR" >/dev/null 2>&1 && { echo "  nobody lists the pins"; ok=0; }
"${NOBODY[@]}" stat "$RUN_DIR/events.sock" >/dev/null 2>&1 && { echo "  nobody reaches the socket"; ok=0; }
"${NOBODY[@]}" bpftool map show pinned "$PIN_DIR/flows" >/dev/null 2>&1 && { echo "  nobody opens flows"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

# hexbytes N [FILL]: N bytes as bpftool wants them; random unless FILL.
hexbytes() {
	if [ -n "${2:-}" ]; then printf "$2 %.0s" $(seq "$1"); else od -An -tx1 -N"$1" /dev/urandom; fi | tr -s ' \n' '  '
}
KS=$(bpftool -j map show pinned "$PIN_DIR/flows" | jq .bytes_key)
VS=$(bpftool -j map show pinned "$PIN_DIR/flows" | jq .bytes_value)
CS=$(bpftool -j map show pinned "$PIN_DIR/config" | jq .bytes_value)

t=garbage_flow_entries_do_not_break_list_stats_or_the_daemon
ok=1
X config set events all >/dev/null
X -j events >"$E2E_TMP/ev.json" 2>"$E2E_TMP/ev.err" & READER=$!
for i in $(seq 50); do [ "$(X -j status | jq .daemon.readers)" = 1 ] && break; sleep 0.1; done
pid=$(X -j status | jq -r .daemon.pid)
X config set timeout-established 1h >/dev/null
for i in $(seq 20); do
	bpftool map update pinned "$PIN_DIR/flows" key hex $(hexbytes "$KS") value hex $(hexbytes "$VS") || ok=0
done
bpftool map update pinned "$PIN_DIR/flows" key hex $(hexbytes "$KS" ff) value hex $(hexbytes "$VS" ff) || ok=0
bpftool map update pinned "$PIN_DIR/flows" key hex $(hexbytes "$KS" 00) value hex $(hexbytes "$VS" 00) || ok=0
for c in "list" "-j list" "stats" "-j stats" "status" "-j status" "list --state ESTABLISHED" \
	"list --addr 198.18.0.0/15" "list --port 80" "config get"; do
	X $c >"$E2E_TMP/out" 2>"$E2E_TMP/err"; rc=$?
	[ $rc = 0 ] || { echo "  '$c' exit $rc: $(head -2 "$E2E_TMP/err")"; ok=0; }
done
X -j list | jq -e 'type == "array"' >/dev/null || { echo "  list -j is not JSON"; ok=0; }
X -j stats | jq -e '.counters' >/dev/null || { echo "  stats -j is not JSON"; ok=0; }
sleep 1 # ten sweeps
expect daemon_alive "$(X -j status | jq -r .daemon.pid)" "$pid" || ok=0
kill -0 "$pid" || ok=0
# Entries in no state (>= CT__MAX) are reaped as expired; the reader survived their events.
left=$(X -j list | jq '[.[] | select(.state == "?")] | length')
expect nonsense_reaped "$left" 0 || ok=0
n=$(jq -s '[.[] | select(.type == "destroyed")] | length' "$E2E_TMP/ev.json")
[ "$n" -ge 15 ] || { echo "  only $n destroyed events for 22 garbage entries"; ok=0; }
kill -0 "$READER" || { echo "  the events reader died: $(cat "$E2E_TMP/ev.err")"; ok=0; }
jq -s 'length' "$E2E_TMP/ev.json" >/dev/null || { echo "  events -j output is not JSON"; ok=0; }
X flush >/dev/null || { echo "  flush failed"; ok=0; }
expect flushed "$(X -j list | jq length)" 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=garbage_config_does_not_break_userspace
ok=1
cp_cfg=$(bpftool -j map lookup pinned "$PIN_DIR/config" key hex 00 00 00 00 | jq -r '.value | join(" ")')
bpftool map update pinned "$PIN_DIR/config" key hex 00 00 00 00 value hex $(hexbytes "$CS") || ok=0
for c in "config get" "-j config get" "list" "stats" "status" "config get cookie-wscale"; do
	X $c >"$E2E_TMP/out" 2>"$E2E_TMP/err"; rc=$?
	[ $rc = 0 ] || { echo "  '$c' exit $rc: $(head -2 "$E2E_TMP/err")"; ok=0; }
done
sleep 0.5
kill -0 "$pid" || { echo "  daemon died on a garbage config"; ok=0; }
bpftool map update pinned "$PIN_DIR/config" key hex 00 00 00 00 value hex $cp_cfg || ok=0
expect restored "$(X config get ttl)" 64 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=a_pinned_map_of_the_wrong_size_is_named_not_read
ok=1
bpftool map pin pinned "$PIN_DIR/counters" "$PIN_DIR/counters_orig" || ok=0
rm -f "$PIN_DIR/counters"
bpftool map create "$PIN_DIR/counters" type percpu_array key 4 value 8 entries 1 name fake || ok=0
for c in stats list status "config get"; do
	out=$(X $c 2>&1 >/dev/null); rc=$?
	expect "$c rc" "$rc" 1 || ok=0
	grep -q "^xdpct: ${c%% *}: pinned map counters is not this xdpct's (type 6, key 4, value 8 bytes" <<<"$out" ||
		{ echo "  $c: $out"; ok=0; }
	[ "$(wc -l <<<"$out")" = 1 ] || ok=0
done
out=$("$XDPCT" -n "$(ns s)" daemon --foreground 2>&1); rc=$?
expect daemon_rc "$rc" 1 || ok=0
rm -f "$PIN_DIR/counters"; mv "$PIN_DIR/counters_orig" "$PIN_DIR/counters" || ok=0
X stats >/dev/null || { echo "  stats after restoring"; ok=0; }
kill -0 "$pid" || { echo "  daemon died"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=an_older_builds_instance_is_named_not_removed
# An instance pinned by an older build has a smaller user_removed map (no
# namespace cookie in it): it was read past its end, and when the stack
# held anything there, taken for a gone namespace's, which attach removed
# while it was live. Now it is named, and attach leaves it alone.
ok=1
bpftool map pin pinned "$PIN_DIR/user_removed" "$PIN_DIR/user_removed_orig" || ok=0
rm -f "$PIN_DIR/user_removed"
bpftool map create "$PIN_DIR/user_removed" type array key 4 value 16 entries 1 name user_removed flags 1024 || ok=0
bpftool map update pinned "$PIN_DIR/user_removed" key hex 00 00 00 00 value hex 07 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 || ok=0
out=$(X status 2>&1); expect status_rc "$?" 1 || ok=0
grep -q "^xdpct: status: pinned map user_removed is not this xdpct's (type 2, key 4, value 16 bytes" <<<"$out" ||
	{ echo "  status: $out"; ok=0; }
ip -n "$(ns s)" link add d9 type veth peer name p9
out=$(X attach d9 2>&1); expect attach_rc "$?" 1 || ok=0
grep -q "^xdpct: attach: pinned map user_removed is not this xdpct's" <<<"$out" || { echo "  attach: $out"; ok=0; }
expect xdp_kept "$(ip -n "$(ns s)" -j link show d0 | jq -r '.[0].xdp.prog.id // "none"' | grep -c '^[0-9]')" 1 || ok=0
[ -e "$PIN_DIR/flows" ] || { echo "  pins removed"; ok=0; }
rm -f "$PIN_DIR/user_removed"; mv "$PIN_DIR/user_removed_orig" "$PIN_DIR/user_removed" || ok=0
X status >/dev/null || { echo "  status after restoring"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=detach_all_removes_an_incomplete_instance
ok=1
rm -f "$PIN_DIR/flows" "$PIN_DIR/config"
check_out=$(X status 2>&1); expect status_rc "$?" 1 || ok=0
expect status "$check_out" "xdpct: status: an incomplete instance is pinned here (pins were removed): 'xdpct detach --all' clears it" || ok=0
# attach neither builds over it nor, failing, takes the pins that are left.
pins=$(ls "$PIN_DIR" | wc -l)
ip -n "$(ns s)" link add d1 type veth peer name p1
out=$(X attach d1 2>&1); expect attach_rc "$?" 1 || ok=0
grep -q "^xdpct: attach: an incomplete instance is pinned here" <<<"$out" || { echo "  attach: $out"; ok=0; }
expect pins_kept "$(ls "$PIN_DIR" | wc -l)" "$pins" || ok=0
out=$(X detach --all 2>&1); rc=$?
expect rc "$rc" 0 || ok=0
grep -q "^removed [0-9]* pins of an incomplete instance" <<<"$out" || { echo "  got: $out"; ok=0; }
[ -e "$PIN_DIR" ] && { echo "  pins left: $(ls "$PIN_DIR")"; ok=0; }
expect xdp "$(ip -n "$(ns s)" -j link show d0 | jq -r '.[0].xdp.prog.id // "none"')" none || ok=0
expect tc "$(tc -n "$(ns s)" filter show dev d0 egress)" "" || ok=0
kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ] && { echo "  daemon $pid alive"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
