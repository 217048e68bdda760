# xdpct top under tmux (80x24): the screen shows flows per state, the
# busiest flow, rates; it redraws; q quits and restores the terminal.
. "$(dirname "$0")/../lib/e2e.sh"

if ! command -v tmux >/dev/null; then
	skip top_screen "tmux is not installed (make deps)"; e2e_exit
fi
ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
X() { "$XDPCT" -n "$(ns s)" "$@"; }
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns s)")
TM="tmux -L $E2E_PREFIX-top"
trap '$TM kill-server 2>/dev/null; e2e_cleanup; rm -rf "$RUN_DIR"' EXIT

t=top_screen
ok=1
if ! X attach veth0 >/dev/null; then
	fail $t; e2e_exit
fi
# A busy flow (100 sends over ~6 s), an idle one, one in TIME_WAIT.
steps=(); for i in $(seq 100); do steps+=(send:100 sleep:60); done
run s "$PEER" server 198.18.0.2 8001 "touch:$E2E_TMP/la" recv:10000 "wait:$E2E_TMP/done" 2>/dev/null &
wait_file "$E2E_TMP/la"
run c "$PEER" client 198.18.0.2 8001 sport:46001 "${steps[@]}" "wait:$E2E_TMP/done" 2>/dev/null &
run s "$PEER" server 198.18.0.2 8002 "touch:$E2E_TMP/lb" recv:1 "wait:$E2E_TMP/done" &
wait_file "$E2E_TMP/lb"
run c "$PEER" client 198.18.0.2 8002 sport:46002 send:1 "wait:$E2E_TMP/done" &
run s "$PEER" server 198.18.0.2 8003 "touch:$E2E_TMP/lc" recv:1 eof close &
wait_file "$E2E_TMP/lc"
run c "$PEER" client 198.18.0.2 8003 sport:46003 send:1 shut eof close
$TM new-session -d -x 80 -y 24 "$XDPCT -n $(ns s) top; echo EXITED rc=\$?; sleep 30"
sleep 2.5
$TM capture-pane -p >"$E2E_TMP/s1"
grep -q "xdpct top" <(head -1 "$E2E_TMP/s1") || { echo "  first line: $(head -1 "$E2E_TMP/s1")"; ok=0; }
grep -q "FLOWS PER STATE" "$E2E_TMP/s1" || ok=0
grep -Eq "ESTABLISHED +2( |$)" "$E2E_TMP/s1" || { echo "  no ESTABLISHED 2"; ok=0; }
grep -Eq "TIME_WAIT +1( |$)" "$E2E_TMP/s1" || { echo "  no TIME_WAIT 1"; ok=0; }
grep -Eq " 3 flows" "$E2E_TMP/s1" || { echo "  no flow count"; ok=0; }
# The busy flow is listed with a rate; the idle one is not.
busy=$(grep -A3 "BUSIEST" "$E2E_TMP/s1" | grep "198.18.0.1:46001")
[ -n "$busy" ] || { echo "  busy flow not listed"; ok=0; }
grep -A5 "BUSIEST" "$E2E_TMP/s1" | grep -q "46002" && { echo "  idle flow listed as busy"; ok=0; }
r=$(awk '{ print $(NF-1) }' <<<"$busy")
awk -v r="$r" 'BEGIN { exit !(r >= 5 && r <= 100) }' || { echo "  busy pkts/s '$r'"; ok=0; }
grep -q "INVALID" "$E2E_TMP/s1" && grep -q "RESPONDER" "$E2E_TMP/s1" || ok=0
grep -Eq "^new/s [0-9.]+ +closed/s" "$E2E_TMP/s1" || { echo "  rates line"; ok=0; }
# 80 columns: nothing wrapped, 24 rows at most.
[ "$(awk '{ if (length($0) > 80) n++ } END { print n + 0 }' "$E2E_TMP/s1")" = 0 ] || ok=0
[ "$(wc -l <"$E2E_TMP/s1")" -le 24 ] || ok=0
# It redraws: the clock in the title moves.
sleep 1.2
$TM capture-pane -p >"$E2E_TMP/s2"
[ "$(head -1 "$E2E_TMP/s1")" != "$(head -1 "$E2E_TMP/s2")" ] || { echo "  no redraw"; ok=0; }
$TM send-keys q
sleep 0.7
$TM capture-pane -p >"$E2E_TMP/s3"
grep -q "EXITED rc=0" "$E2E_TMP/s3" || { echo "  after q:"; sed 's/^/    /' "$E2E_TMP/s3"; ok=0; }
grep -q "FLOWS PER STATE" "$E2E_TMP/s3" && { echo "  screen not restored"; ok=0; }
[ -n "${TOP_SHOW:-}" ] && cat "$E2E_TMP/s1"
touch "$E2E_TMP/done"
[ $ok = 1 ] && pass $t || { sed "s/^/    /" "$E2E_TMP/s1"; fail $t; }

t=top_small_screen_ctrl_z_and_detach
# On 12 rows the last row drawn stayed blank (the clear below the frame
# erased it); Ctrl-Z left the shell on top's screen with no cursor, and q
# no longer quit after fg; a detach left it showing the gone instance.
ok=1
$TM kill-server 2>/dev/null
run s "$PEER" server 198.18.0.2 8004 "touch:$E2E_TMP/ld" recv:1 "wait:$E2E_TMP/done2" &
wait_file "$E2E_TMP/ld"
run c "$PEER" client 198.18.0.2 8004 sport:46004 send:1 "wait:$E2E_TMP/done2" &
# An interactive shell, for job control (Ctrl-Z, fg).
$TM new-session -d -x 80 -y 12 "env PS1='$ ' bash --norc --noprofile -i"
sleep 0.3
$TM send-keys "$XDPCT -n $(ns s) top; echo EXITED rc=\$?" Enter
sleep 1.5
$TM capture-pane -p >"$E2E_TMP/small"
last=$(sed -n 12p "$E2E_TMP/small")
[ -n "$last" ] || { echo "  row 12 blank:"; sed 's/^/    /' "$E2E_TMP/small"; ok=0; }
pid=$(pgrep -n -x xdpct -a | awk '/ top$/ {print $1}')
$TM send-keys C-z
sleep 0.5
expect "stopped" "$(ps -o stat= -p "$pid" | cut -c1)" T || ok=0
expect "alternate screen after C-z" "$($TM display -p '#{alternate_on}')" 0 || ok=0
expect "cursor after C-z" "$($TM display -p '#{cursor_flag}')" 1 || ok=0
$TM send-keys fg Enter
sleep 1.2
expect "alternate screen after fg" "$($TM display -p '#{alternate_on}')" 1 || ok=0
$TM capture-pane -p | grep -q "FLOWS PER STATE" || { echo "  not redrawn after fg"; ok=0; }
X detach --all >/dev/null || ok=0
sleep 1.5
$TM capture-pane -p >"$E2E_TMP/gone"
grep -q "xdpct: top: xdpct was detached" "$E2E_TMP/gone" && grep -q "EXITED rc=1" "$E2E_TMP/gone" ||
	{ echo "  after detach:"; sed 's/^/    /' "$E2E_TMP/gone"; ok=0; }
touch "$E2E_TMP/done2"
[ $ok = 1 ] && pass $t || fail $t

t=top_errors
ok=1
X top </dev/null >"$E2E_TMP/o" 2>"$E2E_TMP/e"; rc=$?
expect no_tty_rc $rc 1 || ok=0
expect no_tty_lines "$(wc -l <"$E2E_TMP/e")" 1 || ok=0
X -j top >/dev/null 2>&1; expect json_rc $? 2 || ok=0
X top --interval 5ms >/dev/null 2>&1; expect interval_rc $? 2 || ok=0
[ $ok = 1 ] && pass $t || fail $t
e2e_exit
