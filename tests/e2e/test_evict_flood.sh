# A SYN flood with cookies off through real interfaces, into small tables
# (--flows 64 --embryos 16): idle established connections stay in flows,
# embryos never holds more than its size, and `stats` counts the
# evictions, unchanged by what `flush` and `delete` remove afterwards.
. "$(dirname "$0")/../lib/e2e.sh"
TOOLS=${TOP:-.}/build/tests/tools
FLOOD=2000 PPS=4000 CONNS=5

ns_add c; ns_add s; ns_add a
link c veth0 s veth0
link a veth0 s veth1
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
addr a veth0 198.18.2.1/24; addr s veth1 198.18.2.2/24
X() { "$XDPCT" -n "$(ns s)" "$@"; }
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
trap 'e2e_cleanup; rm -rf "$RUN_DIR"' EXIT

X attach veth0 veth1 --flows 64 --embryos 16 >/dev/null || { fail attach; e2e_exit; }

t=syn_flood_evicts_embryos_and_counts_them
ok=1
expect "status: embryos max" "$(X -j status | jq .embryos.max)" 16 || ok=0
expect "status: flows max" "$(X -j status | jq .flows.max)" 64 || ok=0
for i in $(seq $CONNS); do
	run s "$PEER" server 198.18.0.2 $((8000 + i)) "touch:$E2E_TMP/l$i" recv:1 "wait:$E2E_TMP/done" &
	wait_file "$E2E_TMP/l$i"
	run c "$PEER" client 198.18.0.2 $((8000 + i)) sport:$((44000 + i)) send:1 "touch:$E2E_TMP/o$i" "wait:$E2E_TMP/done" &
	wait_file "$E2E_TMP/o$i"
done
sleep 0.2
mac=$(ip -n "$(ns s)" -j link show veth1 | jq -r '.[0].address')
run a "$TOOLS/synflood" veth0 "$mac" 198.18.2.0 198.18.2.2 9 $FLOOD $PPS >"$E2E_TMP/sent"
expect "SYNs sent" "$(cat "$E2E_TMP/sent")" $FLOOD || ok=0
X -j stats >"$E2E_TMP/stats.json"
for i in $(seq $CONNS); do
	expect "idle connection $i" "$(flow_field s $((44000 + i)) state)" ESTABLISHED || ok=0
done
emb=$(jq .tables.embryos.entries "$E2E_TMP/stats.json")
[ "$emb" -le 16 ] || { echo "  embryos holds $emb of 16"; ok=0; }
expect "flows entries" "$(jq .tables.flows.entries "$E2E_TMP/stats.json")" $CONNS || ok=0
expect "evictions from flows" "$(jq .tables.flows.evictions "$E2E_TMP/stats.json")" 0 || ok=0
opened=$(jq .counters.embryos_opened "$E2E_TMP/stats.json")
moved=$(jq .counters.embryos_deleted "$E2E_TMP/stats.json")
[ "$opened" -ge $((FLOOD + CONNS)) ] || { echo "  embryos_opened $opened"; ok=0; }
ev=$(jq .tables.embryos.evictions "$E2E_TMP/stats.json")
expect "evictions from embryos" "$ev" $((opened - moved - emb)) || ok=0
expect "evictions in all" "$(jq .evictions "$E2E_TMP/stats.json")" "$ev" || ok=0
# What userspace removes is not an eviction.
X flush --state SYN_SENT >/dev/null; X flush --state CLOSE >/dev/null
X delete 198.18.0.1:44001 198.18.0.2:8001 >/dev/null || { echo "  delete"; ok=0; }
X -j stats >"$E2E_TMP/stats2.json"
expect "embryos after flush" "$(jq .tables.embryos.entries "$E2E_TMP/stats2.json")" 0 || ok=0
expect "flows after delete" "$(jq .tables.flows.entries "$E2E_TMP/stats2.json")" $((CONNS - 1)) || ok=0
expect "evictions from embryos after flush" "$(jq .tables.embryos.evictions "$E2E_TMP/stats2.json")" "$ev" || ok=0
expect "evictions from flows after delete" "$(jq .tables.flows.evictions "$E2E_TMP/stats2.json")" 0 || ok=0
X stats | grep -q "^tables: flows $((CONNS - 1)) (evictions 0), embryos 0 (evictions $ev)" ||
	{ echo "  stats text: $(X stats | grep '^tables')"; ok=0; }
echo "  $opened embryos opened, $moved moved to flows, $emb live of 16, $ev evicted"
touch "$E2E_TMP/done"
wait
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
