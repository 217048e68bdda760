# The demo (`make demo`, one of README's two commands) shows what it says:
# each phase's table holds the states its heading names, 2MSL removes the
# TIME-WAIT entries, the JSON is the last table, and the lab is gone after.
. "$(dirname "$0")/../lib/e2e.sh"

t=demo_shows_every_phase
ok=1
out=$E2E_TMP/demo.out
"$XDPCT" demo >"$out" 2>&1; rc=$?
expect rc "$rc" 0 || ok=0

# section N: the lines of phase N's table (from its heading to its "-- events:").
section() { awk -v h="== $1." 'index($0, h) == 1 {on = 1; next} on && /^-- events:/ {exit} on' "$out"; }
# states N PORT: STATE CLIENT-STATE SERVER-STATE of the client port's row in phase N.
states() { section "$1" | awk -v p=":$2" '$2 ~ p"$" {print $4, $5, $6}'; }
expect phase1 "$(states 1 40001)" "ESTABLISHED ESTABLISHED ESTABLISHED" || ok=0
expect phase2 "$(states 2 40002)" "CLOSE_WAIT FIN-WAIT-2 CLOSE-WAIT" || ok=0
expect phase3 "$(states 3 40002)" "TIME_WAIT TIME-WAIT CLOSED" || ok=0
expect phase4 "$(states 4 40003)" "TIME_WAIT CLOSED TIME-WAIT" || ok=0
expect phase5 "$(states 5 40004)" "CLOSE CLOSED CLOSED" || ok=0
expect phase6_rows "$(section 6 | awk '$1 == "ipv4" {print $2}' | sort | tr '\n' ' ')" \
	"198.18.0.2:40001 198.18.0.2:40004 " || ok=0
expect expired "$(grep -c 'destroyed .* reason expired' "$out")" 2 || ok=0
json=$(awk '/^== the same table as JSON/ {getline; print; exit}' "$out")
expect json "$(jq -c 'map("\(.sport) \(.state)") | sort' <<<"$json" 2>&1)" '["40001 ESTABLISHED","40004 CLOSE"]' || ok=0
# The counters agree with the last table: connection 1 still open, 4 reset.
expect stats_states "$(grep -A1 '^== counters (xdpct stats)' "$out" | grep -o 'ESTABLISHED=[0-9]* .*CLOSE=[0-9]*' | grep -o 'ESTABLISHED=[0-9]*\|TIME_WAIT=[0-9]*\|CLOSE=[0-9]*' | tr '\n' ' ')" \
	"ESTABLISHED=1 TIME_WAIT=0 CLOSE=1 " || ok=0
grep -q '^demo done: lab removed$' "$out" || { echo "  no 'demo done' line"; ok=0; }
left=$(ip netns list | grep -c '^xdpct-demo-')
expect namespaces_left "$left" 0 || ok=0
[ $ok = 1 ] && pass $t || { sed 's/^/  | /' "$out" | head -80; fail $t; }
e2e_exit
