# The CLI's side of SYN cookies: attach and config set warn, naming the
# sysctls, when the namespace's do not suit cookies; cookie-wscale defaults
# from the namespace's buffers as Linux computes its own window scale;
# events name a response event's reason.
. "$(dirname "$0")/../lib/e2e.sh"

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
X() { "$XDPCT" -n "$(ns s)" "$@"; }
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
READER=
trap '[ -n "$READER" ] && kill "$READER" 2>/dev/null; [ -s "$RUN_DIR/daemon.pid" ] && kill -9 "$(cat "$RUN_DIR/daemon.pid")" 2>/dev/null; e2e_cleanup' EXIT

t=cookie_wscale_defaults_from_the_namespace_buffers
ok=1
run s sysctl -qw net.ipv4.tcp_rmem="4096 131072 1048576"
rmax=$(run s cat /proc/sys/net/core/rmem_max)
space=$(( rmax > 1048576 ? rmax : 1048576 ))
want=$(( $(echo "l($space)/l(2)" | bc -l | cut -d. -f1) - 15 ))
[ $want -lt 1 ] && want=1; [ $want -gt 14 ] && want=14
printf 'syncookies on\n' >"$E2E_TMP/c.conf"
run s sysctl -qw net.ipv4.tcp_syncookies=1 net.ipv4.tcp_timestamps=1
X attach veth0 --mode generic --config "$E2E_TMP/c.conf" >/dev/null 2>"$E2E_TMP/err"; rc=$?
expect attach_rc "$rc" 0 || ok=0
expect wscale "$(X config get cookie-wscale)" "$want" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=syncookies_on_warns_about_the_sysctls
ok=1
expect attach_warning "$(cat "$E2E_TMP/err")" "xdpct: attach: warning: syncookies on needs net.ipv4.tcp_syncookies=2 and net.ipv4.tcp_timestamps=2 in this namespace (now 1 and 1): sysctl -w net.ipv4.tcp_syncookies=2 net.ipv4.tcp_timestamps=2" || ok=0
X config set syncookies off
err=$(X config set syncookies on 2>&1 >/dev/null); expect set_rc "$?" 0 || ok=0
grep -q "^xdpct: config set syncookies: warning: .*(now 1 and 1)" <<<"$err" || { echo "  got: $err"; ok=0; }
run s sysctl -qw net.ipv4.tcp_syncookies=2 net.ipv4.tcp_timestamps=2
err=$(X config set syncookies on 2>&1 >/dev/null); expect quiet "$err" "" || ok=0
err=$(X config set ttl 60 2>&1 >/dev/null); expect other_key_quiet "$err" "" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=events_name_the_response_reason
ok=1
X config set protected-ports 8400 >/dev/null && X config set events all >/dev/null || ok=0
X -j events >"$E2E_TMP/ev.json" 2>&1 & READER=$!
X events >"$E2E_TMP/ev.txt" 2>&1 & READER="$READER $!"
for i in $(seq 50); do [ "$(X -j status | jq .daemon.readers)" = 2 ] && break; sleep 0.1; done
# The first SYN arms the host's listener; the second is answered with a cookie.
run s "${ACCEPTER:-build/tests/tools/accepter}" 198.18.0.2 8400 2 10 "$E2E_TMP/l8400" &
acc=$!
wait_file "$E2E_TMP/l8400" || ok=0
run c "$PEER" client 198.18.0.2 8400 sport:46000 recv:10 shut eof close || ok=0
run c "$PEER" client 198.18.0.2 8400 sport:46001 recv:10 shut eof close || ok=0
wait $acc
for i in $(seq 40); do grep -q response "$E2E_TMP/ev.json" && break; sleep 0.05; done
expect json_reason "$(jq -r 'select(.type == "response") | .reason' "$E2E_TMP/ev.json" | head -1)" cookie-synack || ok=0
grep -q "response .* reason cookie-synack" "$E2E_TMP/ev.txt" || { echo "  text: $(grep response "$E2E_TMP/ev.txt" | head -1)"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
