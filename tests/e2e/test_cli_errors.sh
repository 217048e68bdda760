# Every command's --help, usage errors (exit 2), run-time errors (exit 1),
# bad input refused with one line on stderr, and attaches that fail leaving
# nothing behind (no programs, pins or daemon).
. "$(dirname "$0")/../lib/e2e.sh"

ns_add a
for i in 0 1; do
	ip -n "$(ns a)" link add dummy$i type veth peer name peer$i
	ip -n "$(ns a)" link set dummy$i up; ip -n "$(ns a)" link set peer$i up
done
X() { "$XDPCT" -n "$(ns a)" "$@"; }
PIN_DIR=/sys/fs/bpf/xdpct/net$(stat -L -c %i "/run/netns/$(ns a)")
RUN_DIR=/run/xdpct/net$(stat -L -c %i "/run/netns/$(ns a)")
trap 'pkill -9 -F "$RUN_DIR/daemon.pid" 2>/dev/null; e2e_cleanup' EXIT

nothing_left() { # no pins, no daemon, no XDP on the dummies
	local ok=0
	[ -e "$PIN_DIR" ] && { echo "  pins left in $PIN_DIR"; ok=1; }
	[ -s "$RUN_DIR/daemon.pid" ] && "$XDPCT" -n "$(ns a)" status >/dev/null 2>&1 &&
		{ echo "  a daemon was left"; ok=1; }
	for i in dummy0 dummy1; do
		[ "$(ip -n "$(ns a)" -j link show $i | jq -r '.[0].xdp.prog.id // "none"')" = none ] ||
			{ echo "  XDP left on $i"; ok=1; }
	done
	return $ok
}

t=every_command_has_help_from_its_table
ok=1
for c in attach detach status list events stats config flush delete daemon demo top; do
	out=$("$XDPCT" $c --help 2>&1); rc=$?
	expect "$c --help rc" "$rc" 0 || ok=0
	grep -q "^Usage: xdpct .* $c" <<<"$out" || { echo "  $c --help: no usage line"; ok=0; }
	# top and demo are made for a terminal: they refuse -j, and their help does not offer it.
	case $c in
	top|demo) grep -q -- "--json" <<<"$out" && { echo "  $c --help offers -j"; ok=0; } ;;
	*) grep -q -- "--json" <<<"$out" || { echo "  $c --help: no -j"; ok=0; } ;;
	esac
done
"$XDPCT" --help | grep -q "^  config " || { echo "  xdpct --help lacks config"; ok=0; }
grep -q -- "--sweep-interval DURATION" <<<"$("$XDPCT" attach --help)" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=usage_errors_exit_2_with_one_line
ok=1
check_error nocmd 2 "not a command" "$XDPCT" frobnicate || ok=0
check_error badglobal 2 "unknown or needs an argument" "$XDPCT" --bogus list || ok=0
check_error badopt 2 "^xdpct: list: option '--bogus'" X list --bogus || ok=0
check_error noiface 2 "attach: no interface given" X attach || ok=0
check_error badmode 2 "--mode: 'turbo' is not native or generic" X attach dummy0 --mode turbo || ok=0
check_error badflows 2 "--flows" X attach dummy0 --flows 3 || ok=0
check_error badsweep 2 "--sweep-interval" X attach dummy0 --sweep-interval 1y || ok=0
check_error detachboth 2 "not both" X detach dummy0 --all || ok=0
check_error badstate 2 "--state: 'OPEN' is not a state" X list --state OPEN || ok=0
check_error badaddr 2 "--addr: '198.18.0.300' is not" X list --addr 198.18.0.300 || ok=0
check_error badprefix 2 "--addr: '198.18.0.0/33'" X list --addr 198.18.0.0/33 || ok=0
check_error ctjson 2 "--conntrack and -j are two formats" X -j list --conntrack || ok=0
check_error stopplus 2 "daemon: --stop takes no other option" X daemon --stop --metrics-listen 9100 || ok=0
check_error badport 2 "--port: '0'" X events --port 0 || ok=0
check_error badtype 2 "--type: 'boom'" X events --type boom || ok=0
# A filter option takes one value: a second would replace the first, unseen.
check_error porttwice 2 "^xdpct: list: --port: given twice" X list --port 9003 --port 9004 || ok=0
check_error statetwice 2 "^xdpct: events: --state: given twice" X events --state established --state fin-wait || ok=0
check_error addrtwice 2 "^xdpct: flush: --addr: given twice" X flush --addr 198.18.0.1 --addr 198.18.0.2 || ok=0
check_error badcount 2 "--count" X stats --interval 1s --count x || ok=0
check_error countalone 2 "--count needs --interval" X stats --count 2 || ok=0
check_error badinterval 2 "--interval" X stats --interval 0 || ok=0
check_error configsub 2 "'put' is not get, set or keys" X config put msl 1s || ok=0
check_error configset1 2 "set: needs KEY VALUE" X config set msl || ok=0
check_error markdownget 2 "--markdown goes with keys, not get" X config --markdown get || ok=0
check_error delete1 2 "needs two endpoints" X delete 198.18.0.1:1 || ok=0
check_error delete2 2 "'198.18.0.1' is not ADDR:PORT" X delete 198.18.0.1 198.18.0.2:80 || ok=0
check_error delete3 2 "one IPv4 and one IPv6" X delete 198.18.0.1:1 [2001:db8::1]:2 || ok=0
check_error demons 2 "no -n" X demo || ok=0
check_error demonosuch 2 "demo: makes its own namespaces: no -n" "$XDPCT" -n xdpct-no-such-ns demo || ok=0
check_error demojson 2 "demo: a show for a terminal, not JSON" "$XDPCT" -j demo || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=not_attached_is_a_runtime_error
ok=1
for c in status list stats flush events daemon "config get"; do
	check_error "$c" 1 "^xdpct: ${c%% *}: xdpct is not attached in this namespace$" X $c || ok=0
done
check_error detach 1 "detach dummy0: xdpct is not attached" X detach dummy0 || ok=0
check_error netns 1 "netns nosuchns: no such network namespace" "$XDPCT" -n nosuchns list || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=failed_attach_leaves_nothing_behind
ok=1
check_error unknown 1 "attach nosuch0: interface not found" X attach dummy0 nosuch0 || ok=0
nothing_left || ok=0
check_error twice 2 "attach: 'dummy0' is given twice" X attach dummy0 dummy0 || ok=0
nothing_left || ok=0
printf 'msl 2s\nttl 0\n' >"$E2E_TMP/bad.conf"
check_error badconf 2 "bad.conf:2: ttl: '0' is not a number from 1 to 255" \
	X attach dummy0 --config "$E2E_TMP/bad.conf" || ok=0
nothing_left || ok=0
printf 'msl 2s\nttl 9\0x\n' >"$E2E_TMP/nul.conf"
check_error nulconf 2 "nul.conf:2: a NUL byte" X attach dummy0 --config "$E2E_TMP/nul.conf" || ok=0
nothing_left || ok=0
check_error noconf 2 "--config .*/none.conf: No such file" X attach dummy0 --config "$E2E_TMP/none.conf" || ok=0
nothing_left || ok=0
check_error nonroot 1 "^xdpct: attach: needs root" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$XDPCT" -n "$(ns a)" attach dummy0 || ok=0
nothing_left || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=attach_with_config_file_applies_it
printf '# lab settings\nmsl = 250ms\npolicy strict\nprotected-ports 80,443,8000-8010\n' >"$E2E_TMP/good.conf"
ok=1
out=$(X attach dummy0 --mode generic --config "$E2E_TMP/good.conf" -j) || { echo "  attach failed"; ok=0; }
expect json "$(jq -r '"\(.attached | join(",")) \(.mode) \(.egress) \(.daemon_started) \(.daemon_pid > 0)"' <<<"$out")" \
	"dummy0 generic true true true" || ok=0
expect msl "$(X config get msl)" 250ms || ok=0
expect tw "$(X config get timeout-time-wait)" 500ms || ok=0
expect policy "$(X config get policy)" strict || ok=0
expect ports "$(X -j config get protected-ports | jq -r '."protected-ports"')" 80,443,8000-8010 || ok=0
# An already attached interface fails and leaves the first attach alone.
check_error again 1 "already attached" X attach dummy0 --mode generic || ok=0
expect still "$(X -j status | jq -r '.interfaces | map(.name) | join(",")')" dummy0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=config_set_refuses_bad_values_and_changes_nothing
ok=1
before=$(X -j config get)
check_error key 2 "'bogus' is not a configuration key" X config set bogus 1 || ok=0
check_error dur 2 "msl: '10 s' is not a duration" X config set msl "10 s" || ok=0
check_error zero 2 "msl: must be at least 1ms" X config set msl 0 || ok=0
check_error long 2 "longer than 3650d" X config set timeout-established 4000d || ok=0
check_error tw 2 "timeout-time-wait: is always 2 x msl" X config set timeout-time-wait 1s || ok=0
check_error pol 2 "policy: 'drop' is not pass, strict or reject" X config set policy drop || ok=0
check_error ports 2 "range 90-80 runs backwards" X config set protected-ports 90-80 || ok=0
check_error ports2 2 "'70000' is not a port" X config set protected-ports 80,70000 || ok=0
check_error ev 2 "'bogus' is not an event type" X config set events new,bogus || ok=0
check_error evcomma 2 "events: 'new,' has an empty element" X config set events new, || ok=0
check_error evcommas 2 "events: 'new,,fin' has an empty element" X config set events new,,fin || ok=0
check_error portcomma 2 "protected-ports: '80,' has an empty element" X config set protected-ports 80, || ok=0
check_error portcommas 2 "protected-ports: '80,,443' has an empty element" X config set protected-ports 80,,443 || ok=0
# (were it taken, the reader would wait for events: timeout ends it)
check_error typecomma 2 "^xdpct: events: --type: 'new,' has an empty element" timeout 5 "$XDPCT" -n "$(ns a)" events --type new, || ok=0
check_error flag 2 "syncookies: 'maybe' is not on or off" X config set syncookies maybe || ok=0
check_error getkey 2 "'nokey' is not a configuration key" X config get nokey || ok=0
expect unchanged "$(X -j config get)" "$before" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=config_set_changes_the_live_map
ok=1
X config set timeout-established 2h && X config set syncookies on 2>/dev/null &&
	X config set events all && X config set protected-ports none && X config set ttl 32 || ok=0
expect est "$(X config get timeout-established)" 2h || ok=0
expect sc "$(X config get syncookies)" on || ok=0
expect ev "$(X config get events)" all || ok=0
expect pp "$(X config get protected-ports)" none || ok=0
expect ttl "$(X config get ttl)" 32 || ok=0
# The ports map itself, as the data path reads it (key 80 = 0x50).
X config set protected-ports 80
expect map80 "$(bpftool -j map lookup pinned "$PIN_DIR/ports" key 80 0 0 0 | jq -r '.value[0]')" 0x01 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=output_that_cannot_be_written_is_an_error
# A full disk (/dev/full) loses the output: exit 1 and a line on stderr,
# where every command said 0. An instance is attached here.
ok=1
for c in "config keys" "config get" "list" "status" "stats" "-j status"; do
	# shellcheck disable=SC2086 # a command and its words
	out=$(X $c 2>&1 >/dev/full); rc=$?
	expect "$c rc" "$rc" 1 || ok=0
	case "$out" in *"the output could not be written"*) ;; *) echo "  $c: '$out'"; ok=0 ;; esac
done
out=$(X config keys 2>&1 >/dev/null); expect devnull_rc $? 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=settings_a_running_instance_cannot_take_are_refused
# Table sizes are set at first load, daemon settings when it starts: a
# second attach that asks for others fails (nothing attached) instead of
# dropping them; asking for what is in effect is fine.
ok=1
check_error flows 1 "attach: --flows/--embryos: the tables exist already \(1048576 flows, 262144 embryos\)" \
	X attach dummy1 --flows 4096 || ok=0
check_error metrics 1 "attach: --metrics-listen: the daemon running here \(pid [0-9]+\) serves metrics nowhere" \
	X attach dummy1 --metrics-listen 127.0.0.1:19101 || ok=0
check_error sweep 1 "attach: --sweep-interval: the daemon running here \(pid [0-9]+\) sweeps every 250 ms" \
	X attach dummy1 --sweep-interval 1s || ok=0
expect only_dummy0 "$(X -j status | jq -r '.interfaces | map(.name) | join(",")')" dummy0 || ok=0
# (syncookies are on from the test before: attach warns of the sysctls.)
X attach dummy1 --flows 1048576 --metrics-listen off >/dev/null 2>&1 || { echo "  same settings refused"; ok=0; }
expect both "$(X -j status | jq -r '.interfaces | map(.name) | sort | join(",")')" dummy0,dummy1 || ok=0
X detach dummy1 >/dev/null || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=a_daemon_that_loses_the_race_says_so_on_stderr
# Two daemons started at once: the loser's child finds the pid file locked
# after its parent found none running. Holding the lock on an empty pid file
# (a winner that has not written its pid yet) makes that moment last.
ok=1
X daemon --stop >/dev/null || ok=0
: >"$RUN_DIR/daemon.pid"
exec 9<>"$RUN_DIR/daemon.pid"
flock -x 9
check_error lost 1 "^xdpct: daemon: already running \(another one is starting\)$" X daemon || ok=0
exec 9>&-
# And for real: of four started at once one starts, three say why not.
X daemon --stop >/dev/null || ok=0
for i in 1 2 3 4; do
	( X daemon >"$E2E_TMP/race$i.out" 2>"$E2E_TMP/race$i.err"; echo $? >"$E2E_TMP/race$i.rc" ) &
done
wait
expect started "$(cat "$E2E_TMP"/race?.rc | sort | tr -d '\n')" 0111 || ok=0
for i in 1 2 3 4; do
	[ "$(cat "$E2E_TMP/race$i.rc")" = 0 ] && continue
	expect "race$i" "$(sed 's/([^)]*)/(X)/' "$E2E_TMP/race$i.err")" "xdpct: daemon: already running (X)" || ok=0
done
[ $ok = 1 ] && pass $t || fail $t

t=json_says_what_daemon_and_detach_did_and_nothing_on_error
ok=1
pid=$(X -j status | jq -r .daemon.pid)
out=$(X -j daemon --stop) || ok=0
expect stopped "$(jq -c . <<<"$out")" "{\"daemon_stopped\":true,\"daemon_pid\":$pid}" || ok=0
out=$(X -j daemon --stop) || ok=0
expect none "$(jq -c . <<<"$out")" '{"daemon_stopped":false}' || ok=0
out=$(X -j daemon) || ok=0
expect started "$(jq -c . <<<"$out")" "{\"daemon_started\":true,\"daemon_pid\":$(X -j status | jq .daemon.pid)}" || ok=0
# A refusal is its stderr line; stdout holds no document that reads like a result.
check_error nosuch 1 "^xdpct: detach nosuch0: interface not found$" X -j detach nosuch0 || ok=0
expect nosuch_stdout "$(cat "$E2E_TMP/out")" "" || ok=0
check_error other 1 "^xdpct: detach dummy1: xdpct is not attached there$" X -j detach dummy0 dummy1 || ok=0
expect other_stdout "$(cat "$E2E_TMP/out")" "" || ok=0
check_error running 1 "^xdpct: daemon: already running \(pid [0-9]+\)$" X -j daemon || ok=0
expect running_stdout "$(cat "$E2E_TMP/out")" "" || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=detach_all_stops_the_daemon_and_removes_pins
ok=1
pid=$(X -j status | jq -r .daemon.pid)
out=$(X -j detach --all) || ok=0
expect json "$(jq -c . <<<"$out")" '{"detached":["dummy0"],"removed":true}' || ok=0
nothing_left || ok=0
kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ] && { echo "  daemon $pid alive"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=detach_all_of_an_incomplete_instance_says_what_went_in_json
ok=1
X attach dummy0 --mode generic >/dev/null || ok=0
rm -f "$PIN_DIR/flows" "$PIN_DIR/config"
pins=$(ls "$PIN_DIR" | wc -l)
out=$(X -j detach --all) || ok=0
expect json "$(jq -c . <<<"$out")" "{\"removed\":true,\"pins_removed\":$pins}" || ok=0
nothing_left || ok=0
out=$(X -j detach --all) || ok=0
expect again "$(jq -c . <<<"$out")" '{"removed":false,"pins_removed":0}' || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
