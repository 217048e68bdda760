# Bad input to every command, on an attached instance: missing, malformed and
# out-of-range arguments, unknown interfaces, no privileges (non-root, and
# root with its capabilities dropped). Each is one line naming the problem,
# exit 2 (usage) or 1 (run time), and leaves pins, attached programs, config,
# interfaces and flows exactly as they were.
. "$(dirname "$0")/../lib/e2e.sh"

ns_add a
ip -n "$(ns a)" link add d0 type veth peer name p0
ip -n "$(ns a)" link set d0 up; ip -n "$(ns a)" link set p0 up
ip -n "$(ns a)" addr add 198.18.0.1/24 dev d0
X() { "$XDPCT" -n "$(ns a)" "$@"; }
PIN_DIR=/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$(ns a)")
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns a)")
trap '[ -s "$RUN_DIR/daemon.pid" ] && kill -9 "$(cat "$RUN_DIR/daemon.pid")" 2>/dev/null; e2e_cleanup' EXIT

# Everything a command could change, in one text.
snapshot() {
	ls -l --time-style=+ "$PIN_DIR" 2>&1 | sort
	ip -n "$(ns a)" -d link show d0 | grep -o 'prog/xdp id [0-9]*'
	ip -n "$(ns a)" -d link show p0 | grep -o 'prog/xdp id [0-9]*'
	tc -n "$(ns a)" filter show dev d0 egress 2>&1
	tc -n "$(ns a)" filter show dev p0 egress 2>&1
	X -j config get
	bpftool -j map dump pinned "$PIN_DIR/ifaces"
	bpftool -j map dump pinned "$PIN_DIR/flows" | jq -c 'map(.key)'
	cat "$RUN_DIR/daemon.pid"
}

# check NAME WANT_RC REGEX CMD...: exit status, one stderr line, no state change.
check() {
	local name=$1 rc_want=$2 re=$3 rc lines
	shift 3
	snapshot >"$E2E_TMP/before" 2>&1
	"$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null; rc=$?
	snapshot >"$E2E_TMP/after" 2>&1
	lines=$(wc -l <"$E2E_TMP/err")
	if [ "$rc" != "$rc_want" ] || ! grep -Eq -- "$re" "$E2E_TMP/err" || [ "$lines" != 1 ]; then
		echo "  $name: expected exit $rc_want and one stderr line matching /$re/"
		echo "  got exit $rc, $lines lines: $(head -3 "$E2E_TMP/err")"
		return 1
	fi
	if ! cmp -s "$E2E_TMP/before" "$E2E_TMP/after"; then
		echo "  $name: state changed:"; diff "$E2E_TMP/before" "$E2E_TMP/after" | head -5 | sed 's/^/    /'
		return 1
	fi
}

if ! X attach d0 --mode generic >/dev/null; then fail attach; e2e_exit; fi
# A flow in the table, so that flush/delete refusals have something to spare.
X config set timeout-syn-sent 1h >/dev/null
run a ping -c1 -W1 198.18.0.2 >/dev/null 2>&1
run a bash -c 'exec 3<>/dev/tcp/198.18.0.2/80' 2>/dev/null &
sleep 0.5

t=bad_arguments_to_every_command_change_nothing
ok=1
U=usage
check attach_none 2 "attach: no interface given" X attach || ok=0
check attach_unknown 1 "attach nosuch0: interface not found" X attach nosuch0 || ok=0
check attach_empty 1 "attach : interface not found" X attach "" || ok=0
check attach_long 1 "interface not found" X attach "$(printf 'x%.0s' $(seq 300))" || ok=0
check attach_again 1 "attach d0: xdpct is already attached" X attach d0 --mode generic || ok=0
check attach_mixed 1 "attach nosuch0: interface not found" X attach p0 nosuch0 || ok=0
check attach_mode 2 "--mode: 'x' is not native or generic" X attach p0 --mode x || ok=0
check attach_flows_big 2 "--flows: '99999999999999999999' is not a number" X attach p0 --flows 99999999999999999999 || ok=0
check attach_flows_neg 2 "--flows: '-5' is not a number" X attach p0 --flows -5 || ok=0
check attach_flows_junk 2 "--flows: '16x'" X attach p0 --flows 16x || ok=0
check attach_sweep 2 "--sweep-interval: '5ms'" X attach p0 --sweep-interval 5ms || ok=0
check attach_noarg 2 "option '--mode' needs a value" X attach p0 --mode || ok=0
check attach_value 2 "option '--no-egress' takes no value" X attach p0 --no-egress=1 || ok=0
check attach_ambiguous 2 "option '--m' is ambiguous \\(--mode, ...\\)" X attach p0 --m x || ok=0
check attach_conf_dir 2 "--config" X attach p0 --config / || ok=0
check detach_none 2 "detach: no interface given" X detach || ok=0
check detach_unknown 1 "detach nosuch0: interface not found" X detach nosuch0 || ok=0
check detach_other 1 "detach p0: xdpct is not attached there" X detach p0 || ok=0
check detach_both 2 "not both" X detach d0 --all || ok=0
check detach_mixed 1 "detach nosuch0: interface not found" X detach d0 nosuch0 || ok=0
check detach_mixed2 1 "detach p0: xdpct is not attached there" X detach d0 p0 || ok=0
check attach_dup 2 "attach: 'p0' is given twice" X attach p0 p0 || ok=0
check detach_dup 2 "detach: 'd0' is given twice" X detach d0 d0 || ok=0
for c in status events stats flush daemon; do
	check "${c}_extra" 2 "$c: unexpected argument 'x'" X $c x || ok=0
done
check list_extra 2 "list: unexpected argument 'x'" X list x || ok=0
check list_state_noarg 2 "option '--state' needs a value" X list --state || ok=0
check list_state 2 "--state: 'OPEN' is not a state" X list --state OPEN || ok=0
check list_port_big 2 "--port: '70000' is not a port" X list --port 70000 || ok=0
check list_port_neg 2 "--port: '-1' is not a port" X list --port -1 || ok=0
check list_iface 2 "--iface: nosuch0: interface not found" X list --iface nosuch0 || ok=0
check list_addr 2 "--addr: '1.2.3.4.5' is not" X list --addr 1.2.3.4.5 || ok=0
check list_addr6 2 "--addr: '2001:db8::/129'" X list --addr 2001:db8::/129 || ok=0
check events_count0 2 "--count: '0' is not a positive number" X events --count 0 || ok=0
check events_count_big 2 "--count: '99999999999999999999'" X events --count 99999999999999999999 || ok=0
check events_type 2 "--type: 'boom'" X events --type boom || ok=0
check stats_interval 2 "--interval: '99999999d'" X stats --interval 99999999d || ok=0
check stats_count0 2 "--count: '0'" X stats --interval 1s --count 0 || ok=0
check flush_state 2 "--state: 'BOGUS' is not a state" X flush --state BOGUS || ok=0
check flush_port 2 "--port: '0'" X flush --port 0 || ok=0
check delete_none 2 "needs two endpoints" X delete || ok=0
check delete_three 2 "needs two endpoints" X delete 198.18.0.1:1 198.18.0.2:1 198.18.0.3:1 || ok=0
check delete_port0 2 "'198.18.0.1:0' is not ADDR:PORT" X delete 198.18.0.1:0 198.18.0.2:80 || ok=0
check delete_port_big 2 "'198.18.0.1:70000' is not ADDR:PORT" X delete 198.18.0.1:70000 198.18.0.2:80 || ok=0
check delete_v6_noport 2 "is not ADDR:PORT" X delete '[2001:db8::1]' '[2001:db8::2]:80' || ok=0
check delete_v6_unbracketed 2 "'2001:db8::1:80' is not ADDR:PORT or \[V6\]:PORT" X delete 2001:db8::1:80 '[2001:db8::2]:80' || ok=0
check delete_missing 1 "no such flow" X delete 198.18.0.9:1 198.18.0.8:2 || ok=0
check daemon_again 1 "daemon: already running" X daemon || ok=0
check demo_ns 2 "no -n" X demo || ok=0
check config_none 2 "get, set or keys" X config || ok=0
check config_get2 2 "get: one key at most" X config get ttl msl || ok=0
check config_set1 2 "set: needs KEY VALUE" X config set ttl || ok=0
check config_set3 2 "set: needs KEY VALUE" X config set ttl 1 2 || ok=0
check config_key 2 "'nokey' is not a configuration key" X config set nokey 1 || ok=0
check config_ttl 2 "ttl: '256' is not a number from 1 to 255" X config set ttl 256 || ok=0
check config_ttl0 2 "ttl: '0'" X config set ttl 0 || ok=0
check config_ws 2 "cookie-wscale: '15' is not a number from 1 to 14" X config set cookie-wscale 15 || ok=0
check config_rate 2 "challenge-ack-rate: '1000001'" X config set challenge-ack-rate 1000001 || ok=0
check config_msl_big 2 "msl: '99999999999999999999ms'" X config set msl 99999999999999999999ms || ok=0
check config_ports 2 "'65536' is not a port" X config set protected-ports 65536 || ok=0
check config_ports_junk 2 "protected-ports" X config set protected-ports 80,,90 || ok=0
check global_netns 1 "netns nosuchns: no such network namespace" "$XDPCT" -n nosuchns status || ok=0
check global_netns_path 2 "-n '../a': not a namespace name" "$XDPCT" -n ../a status || ok=0
check global_netns_empty 2 "-n '': not a namespace name" "$XDPCT" -n "" status || ok=0
check global_netns_missing 1 "netns xdpct-no-such-ns: no such network namespace" \
	"$XDPCT" -n xdpct-no-such-ns status || ok=0
check global_noarg 2 "unknown or needs an argument" "$XDPCT" -n || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=failed_attach_with_config_leaves_the_live_config
# --config is applied before the interfaces are: a failure after it puts the
# old config and ports map back (the snapshot holds both, via config get).
printf 'msl 45s\npolicy strict\nprotected-ports 8080\n' >"$E2E_TMP/good.conf"
ok=1
check again 1 "attach d0: xdpct is already attached" \
	X attach d0 --mode generic --config "$E2E_TMP/good.conf" || ok=0
check second 1 "attach d0: xdpct is already attached" \
	X attach p0 d0 --mode generic --config "$E2E_TMP/good.conf" || ok=0
check dup 2 "attach: 'p0' is given twice" X attach p0 p0 --config "$E2E_TMP/good.conf" || ok=0
expect msl "$(X config get msl)" 1m || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=bad_values_are_usage_errors_even_when_not_attached
ns_add b
ok=1
Y() { "$XDPCT" -n "$(ns b)" "$@"; }
check ttl 2 "ttl: '0'" Y config set ttl 0 || ok=0
check key 2 "'nokey' is not a configuration key" Y config set nokey 1 || ok=0
check get 1 "config: xdpct is not attached in this namespace" Y config get || ok=0
[ -e "/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$(ns b)")" ] && { echo "  pins made"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

# Every command but help, as nobody and as root stripped of capabilities.
NOPRIV_CMDS=("attach p0" "detach d0" "detach --all" "status" "list" "events --count 1" "stats"
	"config get" "config set ttl 9" "flush" "delete 198.18.0.1:1 198.18.0.2:80" "daemon")

t=without_root_every_command_is_refused_and_changes_nothing
ok=1
for c in "${NOPRIV_CMDS[@]}"; do
	check "nobody $c" 1 "^xdpct: ${c%% *}: needs root" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$XDPCT" -n "$(ns a)" $c || ok=0
done
[ $ok = 1 ] && pass $t || fail $t

t=root_without_capabilities_is_refused_and_changes_nothing
ok=1
DROP=cap_bpf,cap_net_admin,cap_sys_admin,cap_perfmon
for c in "${NOPRIV_CMDS[@]}"; do
	check "capsh $c" 1 "^xdpct: ${c%% *}: needs root with CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_BPF" \
		nsenter --net="/run/netns/$(ns a)" capsh --drop=$DROP -- -c "exec $XDPCT $c" || ok=0
done
check "capsh one" 1 "^xdpct: detach: needs root with CAP_NET_ADMIN \(" \
	nsenter --net="/run/netns/$(ns a)" capsh --drop=cap_net_admin -- -c "exec $XDPCT detach --all" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=an_unknown_option_is_a_usage_error_without_root_too
# Syntax comes before privileges: exit 2 naming the option, for nobody as
# for root; a value out of range is still the command's (exit 1 before it).
ok=1
for c in "list --bogus" "events --count" "stats -Z" "detach --all --what"; do
	check "nobody $c" 2 "option '-?-?[A-Za-z]*' (is unknown|needs a value|is unknown or needs an argument)" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$XDPCT" -n "$(ns a)" $c || ok=0
	check "root $c" 2 "option '-?-?[A-Za-z]*' (is unknown|needs a value|is unknown or needs an argument)" \
		"$XDPCT" -n "$(ns a)" $c || ok=0
done
check "nobody range" 1 "^xdpct: events: needs root" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$XDPCT" -n "$(ns a)" events --count 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=help_needs_no_privileges
ok=1
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$XDPCT" list --help 2>&1) || ok=0
grep -q "^Usage: xdpct" <<<"$out" || { echo "  no help as nobody"; ok=0; }
# Nor does the table of configuration keys, which is built in.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$XDPCT" config keys 2>&1) || ok=0
grep -q "^protected-ports " <<<"$out" || { echo "  config keys as nobody: $(head -2 <<<"$out")"; ok=0; }
# In no namespace (-n is not entered for it), and its usage errors are usage errors for nobody too.
setpriv --reuid=65534 --regid=65534 --clear-groups "$XDPCT" -n "$(ns a)" config keys >/dev/null 2>&1 ||
	{ echo "  -n NS config keys as nobody failed"; ok=0; }
setpriv --reuid=65534 --regid=65534 --clear-groups "$XDPCT" config keys extra >/dev/null 2>&1
expect keys_extra_rc $? 2 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=random_arguments_never_crash_and_say_one_line
# 200 invocations of random commands with random tokens: exit 0, 1 or 2
# (never a signal), one stderr line when not 0. Read-only commands also
# leave the state as it was.
ok=1
TOKENS=(-n -j -v -h --help --all --state --addr --port --iface --type --count --interval --mode
	--flows --config --sweep-interval --foreground --no-egress --markdown -s -a -p -i -t -c -m
	ESTABLISHED TIME_WAIT "" " " x -1 0 1 65535 65536 4294967296 99999999999999999999 1e3 0x10
	1ms 10s 1y 3650d 3651d 198.18.0.1 198.18.0.1/33 2001:db8::1 "[2001:db8::1]:80"
	198.18.0.1:80 198.18.0.2:0 :80 nosuch0 p0 lo get set keys ttl msl policy events all none
	protected-ports 80,443 80-70 "$(printf 'y%.0s' $(seq 500))" "%s%n%x" $'\xff\xfe' "é")
RO=(status list stats)
MUT=(config flush delete detach)
RANDOM=7
bad=0
for i in $(seq 200); do
	if [ $((i % 2)) = 0 ]; then cmd=${RO[RANDOM % ${#RO[@]}]}; else cmd=${MUT[RANDOM % ${#MUT[@]}]}; fi
	args=()
	# Drawn in this shell: RANDOM inside $(...) would be a subshell's, unseeded.
	n=$((RANDOM % 4))
	for ((k = 0; k < n; k++)); do args+=("${TOKENS[RANDOM % ${#TOKENS[@]}]}"); done
	# A detach that names everything would legitimately empty the instance.
	[ "$cmd" = detach ] && printf '%s\n' "${args[@]}" | grep -qxE -- '--all|-a|d0|p0' && continue
	# stats --interval without --count would run until stopped
	[ "$cmd" = stats ] && printf '%s\n' "${args[@]}" | grep -qx -- "--interval" && continue
	[ "$cmd" = status ] || [ "$cmd" = list ] || [ "$cmd" = stats ] && snapshot >"$E2E_TMP/before" 2>&1
	timeout 5 "$XDPCT" -n "$(ns a)" "$cmd" "${args[@]}" >/dev/null 2>"$E2E_TMP/err" </dev/null
	rc=$?
	lines=$(wc -l <"$E2E_TMP/err")
	if [ $rc -gt 2 ] || { [ $rc != 0 ] && [ "$lines" != 1 ]; }; then
		echo "  xdpct $cmd ${args[*]}: exit $rc, $lines stderr lines: $(head -2 "$E2E_TMP/err")"
		bad=$((bad + 1))
	fi
	if [ "$cmd" = status ] || [ "$cmd" = list ] || [ "$cmd" = stats ]; then
		snapshot >"$E2E_TMP/after" 2>&1
		cmp -s "$E2E_TMP/before" "$E2E_TMP/after" || { echo "  xdpct $cmd ${args[*]}: state changed"; bad=$((bad + 1)); }
	fi
	[ $bad -ge 5 ] && break
done
[ $bad = 0 ] || ok=0
# Whatever the mutating ones did, the instance is still whole.
X -j status >/dev/null || { echo "  status fails afterwards"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
