# Prometheus metrics: the daemon started by attach --metrics-listen serves
# its stats over HTTP inside the namespace; curl scrapes them and the text
# is checked against the exposition format line by line, and against stats.
. "$(dirname "$0")/../lib/e2e.sh"

if ! command -v curl >/dev/null; then
	skip metrics_format "curl is not installed (make deps)"; e2e_exit
fi
ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
X() { "$XDPCT" -n "$(ns s)" "$@"; }
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
trap 'e2e_cleanup; rm -rf "$RUN_DIR"' EXIT
URL=http://127.0.0.1:9469/metrics

t=metrics_format
ok=1
if ! X attach veth0 --metrics-listen 9469 >/dev/null; then
	fail $t; e2e_exit
fi
run s "$PEER" server 198.18.0.2 8001 "touch:$E2E_TMP/la" recv:10 "wait:$E2E_TMP/done" &
wait_file "$E2E_TMP/la"
run c "$PEER" client 198.18.0.2 8001 sport:45001 send:10 "touch:$E2E_TMP/oa" "wait:$E2E_TMP/done" &
run s "$PEER" server 198.18.0.2 8002 "touch:$E2E_TMP/lb" recv:10 eof close &
wait_file "$E2E_TMP/lb"
run c "$PEER" client 198.18.0.2 8002 sport:45002 send:10 shut eof close
wait_file "$E2E_TMP/oa"; sleep 0.2
# Counters move while we read (IPv6 link-local chatter on the veth comes at
# any time): the scrape must fall between two reads of stats.
X -j stats >"$E2E_TMP/stats0.json"
run s curl -sS -D "$E2E_TMP/headers" -o "$E2E_TMP/m.txt" "$URL" || { echo "  curl failed"; ok=0; }
X -j stats >"$E2E_TMP/stats.json"
touch "$E2E_TMP/done"
grep -qi '^content-type: text/plain; version=0.0.4' "$E2E_TMP/headers" ||
	{ echo "  headers: $(cat "$E2E_TMP/headers")"; ok=0; }
# The grammar, strictly: HELP and TYPE lines, samples name{label="v",...} value;
# a family's TYPE once and before its samples; counters end in _total; no blank lines.
awk '
function bad(why) { printf "  line %d: %s: %s\n", NR, why, $0; err = 1 }
/^# HELP / { if ($0 !~ /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* [^ ].*$/) bad("HELP"); next }
/^# TYPE / {
	if ($0 !~ /^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge)$/) { bad("TYPE"); next }
	if ($3 in type) bad("second TYPE")
	type[$3] = $4
	if ($4 == "counter" && $3 !~ /_total$/) bad("counter without _total")
	if ($4 == "gauge" && $3 ~ /_total$/) bad("gauge with _total")
	next
}
/^#/ { bad("comment"); next }
{
	if ($0 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) { bad("sample"); next }
	name = $0; sub(/[{ ].*/, "", name)
	if (!(name in type)) bad("sample before its TYPE")
	if (seen[$1]++) bad("duplicate series")
	n++
}
END { if (!err && n < 20) { print "  only " n " samples"; err = 1 } exit err }
' "$E2E_TMP/m.txt" || ok=0
# The values: what stats says, as labelled series.
val() { awk -v k="$1" '$1 == k { print $2 }' "$E2E_TMP/m.txt"; }
# between NAME VALUE COUNTER: VALUE lies between COUNTER before and after the scrape.
between() {
	local lo hi
	lo=$(jq ".counters.$3" "$E2E_TMP/stats0.json"); hi=$(jq ".counters.$3" "$E2E_TMP/stats.json")
	[ -n "$2" ] && [ "$lo" -le "$2" ] && [ "$2" -le "$hi" ] ||
		{ echo "  $1: expected $lo..$hi, got '$2'"; return 1; }
}
between packets "$(val xdpct_packets_total)" packets || ok=0
expect flows_new "$(val xdpct_flows_new_total)" 2 || ok=0
between invalid "$(val 'xdpct_invalid_segments_total{reason="out_of_window"}')" \
	invalid_out_of_window || ok=0
expect malformed "$(val 'xdpct_malformed_packets_total{layer="tcp"}')" 0 || ok=0
expect responder "$(val 'xdpct_responder_total{action="rst"}')" 0 || ok=0
expect est "$(val 'xdpct_flows{interface="veth0",state="ESTABLISHED"}')" 1 || ok=0
expect tw "$(val 'xdpct_flows{interface="veth0",state="TIME_WAIT"}')" 1 || ok=0
# The tables as stats shows them: two flows synchronized, no handshake, nothing evicted.
expect table_flows "$(val 'xdpct_table_entries{table="flows"}')" "$(jq .tables.flows.entries "$E2E_TMP/stats.json")" || ok=0
expect table_flows2 "$(val 'xdpct_table_entries{table="flows"}')" 2 || ok=0
expect table_embryos "$(val 'xdpct_table_entries{table="embryos"}')" 0 || ok=0
expect evictions "$(val 'xdpct_table_evictions_total{table="flows"}')" "$(jq .tables.flows.evictions "$E2E_TMP/stats.json")" || ok=0
expect attached "$(val 'xdpct_interface_attached{interface="veth0",ifindex="'"$(ip -n "$(ns s)" -j link show veth0 | jq '.[0].ifindex')"'"}')" 1 || ok=0
[ "$(val xdpct_daemon_events_total)" -ge 4 ] || { echo "  daemon events $(val xdpct_daemon_events_total)"; ok=0; }
[ $ok = 1 ] && pass $t || { sed 's/^/    /' "$E2E_TMP/m.txt" | head -80; fail $t; }

t=metrics_http_and_errors
ok=1
code=$(run s curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9469/nothing)
expect not_found "$code" 404 || ok=0
# A bare request line ending in LF alone is still a request for /metrics.
status=$(run s bash -c 'exec 3<>/dev/tcp/127.0.0.1/9469; printf "GET /metrics\n" >&3; head -1 <&3')
expect lf_only "${status%$'\r'}" "HTTP/1.0 200 OK" || ok=0
# The absolute form, as a proxy sends it (RFC 9112 3.2.2), names the same resource.
status=$(run s bash -c 'exec 3<>/dev/tcp/127.0.0.1/9469; printf "GET http://127.0.0.1:9469/metrics HTTP/1.1\r\nHost: x\r\n\r\n" >&3; head -1 <&3')
expect absolute_form "${status%$'\r'}" "HTTP/1.0 200 OK" || ok=0
status=$(run s bash -c 'exec 3<>/dev/tcp/127.0.0.1/9469; printf "GET http://127.0.0.1:9469/other HTTP/1.1\r\n\r\n" >&3; head -1 <&3')
expect absolute_other "${status%$'\r'}" "HTTP/1.0 404 Not Found" || ok=0
code=$(run s curl -s -X POST -D "$E2E_TMP/h405" -o /dev/null -w '%{http_code}' "$URL")
expect post "$code" 405 || ok=0
grep -qi '^allow: GET' "$E2E_TMP/h405" || { echo "  405 without Allow: $(cat "$E2E_TMP/h405")"; ok=0; }
# Loopback only: the namespace's own address does not answer.
run s curl -s -m 2 -o /dev/null http://198.18.0.2:9469/metrics && { echo "  answered off loopback"; ok=0; }
# A client that connects and says nothing holds the daemon up at most a moment.
run s bash -c 'exec 3<>/dev/tcp/127.0.0.1/9469; sleep 1' &
sleep 0.1
code=$(run s curl -s -m 3 -o /dev/null -w '%{http_code}' "$URL")
expect after_silent "$code" 200 || ok=0
wait
"$XDPCT" -n "$(ns s)" daemon --metrics-listen nowhere:x >/dev/null 2>&1; expect bad_addr_rc $? 2 || ok=0
"$XDPCT" -n "$(ns c)" attach veth0 --metrics-listen 1.2.3.4 >/dev/null 2>&1; expect bad_port_rc $? 2 || ok=0
# Restarted with the option, the daemon serves again.
X daemon --stop >/dev/null
X daemon --metrics-listen '[::1]:9470' >/dev/null || ok=0
code=$(run s curl -s -m 3 -o /dev/null -w '%{http_code}' 'http://[::1]:9470/metrics')
expect v6 "$code" 200 || ok=0
# Remembered: a daemon restarted without the option serves there again; "off" forgets.
X daemon --stop >/dev/null; X daemon >/dev/null || ok=0
code=$(run s curl -s -m 3 -o /dev/null -w '%{http_code}' 'http://[::1]:9470/metrics')
expect remembered "$code" 200 || ok=0
X daemon --stop >/dev/null; X daemon --metrics-listen off >/dev/null || ok=0
code=$(run s curl -s -m 3 -o /dev/null -w '%{http_code}' 'http://[::1]:9470/metrics')
expect off "$code" 000 || ok=0
X daemon --stop >/dev/null; X daemon >/dev/null || ok=0
code=$(run s curl -s -m 3 -o /dev/null -w '%{http_code}' 'http://[::1]:9470/metrics')
expect still_off "$code" 000 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=slow_metrics_clients_hold_nothing_up
# One client trickles its request a byte at a time, twenty more connect and
# say nothing: the daemon goes on answering the CLI and serves a scrape.
ok=1
X daemon --stop >/dev/null; X daemon --metrics-listen 9470 >/dev/null || ok=0
run s python3 - <<'PY' &
import socket, time
t0 = time.time()
idle = []
for i in range(20):
    s = socket.create_connection(("127.0.0.1", 9470), timeout=2)
    idle.append(s)
slow = socket.create_connection(("127.0.0.1", 9470), timeout=2)
while time.time() - t0 < 4:
    try:
        slow.send(b"G")
    except OSError:
        break
    time.sleep(0.3)
PY
clients=$!
sleep 0.5
worst=0
for i in 1 2 3 4 5; do
	a=$(date +%s%3N)
	X -j status >"$E2E_TMP/st.json" 2>&1 || { echo "  status: $(cat "$E2E_TMP/st.json")"; ok=0; }
	d=$(( $(date +%s%3N) - a )); [ $d -gt $worst ] && worst=$d
	sleep 0.3
done
echo "  slowest status while the clients held on: $worst ms"
[ $worst -lt 1000 ] || { echo "  the daemon was held up"; ok=0; }
code=$(run s curl -s -m 3 -o /dev/null -w '%{http_code}' 'http://127.0.0.1:9470/metrics')
expect scrape "$code" 200 || ok=0
wait $clients
[ $ok = 1 ] && pass $t || fail $t

t=odd_interface_names_are_escaped
# A name is bytes (any but '/', ':' and white space): the exposition escapes
# the quote and the backslash, and the JSON and the labels stay UTF-8.
ok=1
odd='q"x\y'
bin=$'z\xffw'
ip -n "$(ns s)" link add "$odd" type veth peer name odd1 && ip -n "$(ns s)" link set "$odd" up || ok=0
ip -n "$(ns s)" link add "$bin" type veth peer name bin1 && ip -n "$(ns s)" link set "$bin" up || ok=0
X attach "$odd" "$bin" --mode generic >/dev/null || ok=0
run s curl -s -m 3 -o "$E2E_TMP/m2.txt" 'http://127.0.0.1:9470/metrics' || ok=0
grep -q '^xdpct_interface_attached{interface="q\\"x\\\\y",ifindex="[0-9]*"} 1$' "$E2E_TMP/m2.txt" ||
	{ echo "  $(grep interface_attached "$E2E_TMP/m2.txt")"; ok=0; }
grep -q "^xdpct_interface_attached{interface=\"z$(printf '\xef\xbf\xbd')w\"" "$E2E_TMP/m2.txt" ||
	{ echo "  no U+FFFD for the 0xff byte"; ok=0; }
iconv -f UTF-8 -t UTF-8 "$E2E_TMP/m2.txt" >/dev/null 2>&1 || { echo "  metrics not UTF-8"; ok=0; }
X -j status >"$E2E_TMP/st2.json" || ok=0
names=$(python3 -c 'import json,sys; print(" ".join(sorted(i["name"] for i in json.load(open(sys.argv[1], encoding="utf-8"))["interfaces"])))' \
	"$E2E_TMP/st2.json" 2>&1)
expect json_names "$names" "q\"x\\y veth0 z$(printf '\xef\xbf\xbd')w" || ok=0
X detach "$odd" "$bin" >/dev/null || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=long_requests_get_the_whole_reply
# 2 KB of headers (an Authorization header alone can be 1 KB) from a client
# that reads late through a small buffer: the whole body arrives and the
# connection ends in an orderly close, not a reset.
ok=1
out=$(run s python3 -c 'import re, socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.connect(("127.0.0.1", 9470))
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"v" * 2000 + b"\r\n\r\n")
time.sleep(0.5)
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
head, _, body = data.partition(b"\r\n\r\n")
want = int(re.search(rb"Content-Length: (\d+)", head).group(1))
print("whole" if len(body) == want else "got %d of %d" % (len(body), want))' 2>&1 | tail -1)
expect body "$out" whole || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=metrics_port_taken_fails_attach_and_is_not_remembered
# A daemon that cannot listen fails attach whole (exit 1, nothing attached),
# every time: it once held its pid lock while exiting and passed for a
# daemon already running. And a daemon that failed on an address does not
# replace the one remembered.
ok=1
C_RUN=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns c)")
C_PINS=/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$(ns c)")
hold() { # NS PORT: listen on 127.0.0.1:PORT in NS for 20 s, until killed
	run "$1" python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(20)' "$2" &
}
hold c 9471; holder=$!
for i in $(seq 30); do run c bash -c 'exec 3<>/dev/tcp/127.0.0.1/9471' 2>/dev/null && break; sleep 0.1; done
for i in 1 2 3 4 5; do
	"$XDPCT" -n "$(ns c)" attach veth0 --metrics-listen 9471 >/dev/null 2>"$E2E_TMP/err"; rc=$?
	expect "try$i rc" "$rc" 1 || ok=0
	grep -q "daemon: failed to start" "$E2E_TMP/err" || { echo "  try$i: $(cat "$E2E_TMP/err")"; ok=0; }
	[ -e "$C_PINS" ] && { echo "  try$i: pins left in $C_PINS"; ok=0; }
	ip -n "$(ns c)" -j link show veth0 | grep -q '"xdp"' && { echo "  try$i: XDP left on veth0"; ok=0; }
done
# The same with --foreground, whose daemon runs in attach's own process: it
# printed its JSON and left veth0 attached with no daemon.
out=$(timeout 10 "$XDPCT" -n "$(ns c)" -j attach --foreground veth0 --metrics-listen 9471 2>"$E2E_TMP/err"); rc=$?
expect fg_rc "$rc" 1 || ok=0
expect fg_stdout "$out" "" || ok=0
grep -q "9471" "$E2E_TMP/err" || { echo "  fg: $(cat "$E2E_TMP/err")"; ok=0; }
[ -e "$C_PINS" ] && { echo "  fg: pins left in $C_PINS"; ok=0; }
ip -n "$(ns c)" -j link show veth0 | grep -q '"xdp"' && { echo "  fg: XDP left on veth0"; ok=0; }
kill $holder 2>/dev/null; wait $holder 2>/dev/null
rm -rf "$C_RUN"
X daemon --stop >/dev/null
hold s 9472; holder=$!
for i in $(seq 30); do run s bash -c 'exec 3<>/dev/tcp/127.0.0.1/9472' 2>/dev/null && break; sleep 0.1; done
X daemon --metrics-listen 9472 >/dev/null 2>&1; expect taken_rc $? 1 || ok=0
kill $holder 2>/dev/null; wait $holder 2>/dev/null
X daemon >/dev/null || ok=0
code=$(run s curl -s -m 3 -o /dev/null -w '%{http_code}' 'http://127.0.0.1:9470/metrics')
expect still_9470 "$code" 200 || ok=0
[ $ok = 1 ] && pass $t || fail $t
e2e_exit
