# Faults: kill -9 of the daemon in the middle of traffic (tracking goes on,
# the next daemon resumes, nothing lost or leaked); an interface deleted while
# attached (the daemon drops its pin and ifaces entry, keeps serving the
# other); bpffs not mounted (attach mounts it; in a private mount namespace);
# a kernel feature missing (one line naming it, nothing left behind).
# A full table with real connections; its flood, a full ring buffer and a
# second attach are in pkt/test_syn_flood, pkt/test_track_flows and
# e2e/test_harden_cli.
. "$(dirname "$0")/../lib/e2e.sh"

ns_add c; ns_add s
link c veth0 s veth0
addr c veth0 198.18.0.1/24; addr s veth0 198.18.0.2/24
ip -n "$(ns s)" link add d1 type veth peer name p1
ip -n "$(ns s)" link set d1 up; ip -n "$(ns s)" link set p1 up
X() { "$XDPCT" -n "$(ns s)" "$@"; }
INO=$(stat -L -c %i "/run/netns/$(ns s)")
PIN_DIR=/sys/fs/bpf/xdpct/net$INO
RUN_DIR=/run/xdpct/net$INO
ACCEPTER=${ACCEPTER:-build/tests/tools/accepter}
trap '[ -s "$RUN_DIR/daemon.pid" ] && kill -9 "$(cat "$RUN_DIR/daemon.pid")" 2>/dev/null; e2e_cleanup' EXIT

# nflows STATE: entries in that state (all with no argument).
nflows() { X -j list | jq --arg s "${1:-}" '[.[] | select($s == "" or .state == $s)] | length'; }
daemon_pid() { X -j status | jq -r '.daemon.pid // 0'; }

# Short connections end in TIME-WAIT (2MSL: 1 s here), but now and then in
# CLOSE: under load a late segment of the client's (its FIN sent again,
# most likely) reaches the server after it closed, and the server's stack
# answers with a RST. A CI run's leftover entry had 6/5 segments, the last
# reply 40 bytes: a RST without options, as a stack sends for no socket.
# That is netfilter's CLOSE too, and its 10 s default would outlast the
# waits below: give CLOSE the same 1 s.
printf 'msl 500ms\ntimeout-close 1s\n' >"$E2E_TMP/lab.conf"
if ! X attach veth0 d1 --mode generic --config "$E2E_TMP/lab.conf" >/dev/null; then
	fail attach; e2e_exit
fi

t=kill_9_under_traffic_loses_and_leaks_nothing
ok=1
# Five long-lived connections, established before and kept through it all.
LONG=()
for i in 1 2 3 4 5; do
	run s "$PEER" server 198.18.0.2 $((8100 + i)) "touch:$E2E_TMP/r$i" recv:10 "wait:$E2E_TMP/done" close &
	LONG+=($!)
	wait_file "$E2E_TMP/r$i" || ok=0
	run c "$PEER" client 198.18.0.2 $((8100 + i)) sport:$((43100 + i)) send:10 "wait:$E2E_TMP/done" close &
	LONG+=($!)
done
for i in $(seq 50); do [ "$(nflows ESTABLISHED)" = 5 ] && break; sleep 0.1; done
expect long_established "$(nflows ESTABLISHED)" 5 || ok=0
# 60 short connections in a row; the daemon is killed after 20, back after 40.
CHURN=60
run s "$ACCEPTER" 198.18.0.2 8200 $CHURN 10 "$E2E_TMP/acc" >/dev/null &
acc=$!
wait_file "$E2E_TMP/acc" || ok=0
old=$(daemon_pid)
done_n=0
for i in $(seq $CHURN); do
	run c "$PEER" client 198.18.0.2 8200 sport:$((44000 + i)) recv:10 shut eof close && done_n=$((done_n + 1))
	if [ "$i" = 20 ]; then
		kill -9 "$old"
		for k in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.02; done
		expect daemon_dead "$(X -j status | jq -r .daemon.running)" false || ok=0
	fi
	[ "$i" = 40 ] && { X daemon >/dev/null || { echo "  second daemon failed"; ok=0; }; }
done
wait $acc
expect churn_done "$done_n" $CHURN || ok=0
new=$(daemon_pid)
[ "$new" != 0 ] && [ "$new" != "$old" ] || { echo "  no new daemon (old $old, now $new)"; ok=0; }
# Tracking went on without a daemon: every connection was seen.
expect flows_new "$(X -j stats | jq '.counters.flows_new')" $((5 + CHURN)) || ok=0
# No loss: the long-lived flows are all there. No leak: every short one is
# reaped once 2MSL (1 s) has passed, including those closed while no daemon ran.
for i in $(seq 60); do [ "$(nflows)" = 5 ] && break; sleep 0.1; done
# On a failure, what was left says which path missed it (a state, its age).
expect left_only_long "$(nflows)" 5 || { ok=0; X list | sed 's/^/    /'; }
expect long_still_established "$(nflows ESTABLISHED)" 5 || ok=0
expect same_ports "$(X -j list | jq -c '[.[].sport] | sort')" "[43101,43102,43103,43104,43105]" || ok=0
touch "$E2E_TMP/done"; wait "${LONG[@]}"
for i in $(seq 60); do [ "$(nflows)" = 0 ] && break; sleep 0.1; done
expect all_reaped "$(nflows)" 0 || { ok=0; X list | sed 's/^/    /'; X stats | grep -E 'invalid|full_path' | sed 's/^/    /'; }
[ $ok = 1 ] && pass $t || fail $t

t=interface_deleted_while_attached_is_forgotten
ok=1
idx=$(ip -n "$(ns s)" -j link show d1 | jq '.[0].ifindex')
pid=$(daemon_pid)
[ -e "$PIN_DIR/link_xdp_$idx" ] || { echo "  no pin for d1 before"; ok=0; }
ip -n "$(ns s)" link del d1
for i in $(seq 40); do [ -e "$PIN_DIR/link_xdp_$idx" ] || break; sleep 0.1; done
[ -e "$PIN_DIR/link_xdp_$idx" ] && { echo "  pin link_xdp_$idx still there after 4 s"; ok=0; }
expect ifaces "$(bpftool -j map dump pinned "$PIN_DIR/ifaces" | jq length)" 1 || ok=0
expect status_ifaces "$(X -j status | jq -r '.interfaces | map(.name) | join(",")')" veth0 || ok=0
expect same_daemon "$(daemon_pid)" "$pid" || ok=0
grep -q "interface $idx is gone" "$RUN_DIR/daemon.log" || { echo "  daemon.log does not say"; ok=0; }
# The other interface is still tracked.
run s "$PEER" server 198.18.0.2 8300 "touch:$E2E_TMP/r8300" recv:10 close &
srv=$!
wait_file "$E2E_TMP/r8300"
run c "$PEER" client 198.18.0.2 8300 sport:45000 send:10 eof close
wait $srv
expect veth0_tracked "$(flow_field s 45000 state)" TIME_WAIT || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=a_stale_record_does_not_block_a_reused_ifindex
# With no daemon to notice, an interface goes and a new one takes its index:
# attach finds the recorded link dead and takes the index afresh.
ok=1
ip -n "$(ns s)" link add d3 type veth peer name p3
ip -n "$(ns s)" link set d3 up; ip -n "$(ns s)" link set p3 up
X attach d3 --mode generic >/dev/null || { echo "  attach d3"; ok=0; }
idx=$(ip -n "$(ns s)" -j link show d3 | jq '.[0].ifindex')
pid=$(daemon_pid)
kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
ip -n "$(ns s)" link del d3
ip -n "$(ns s)" link add d4 index "$idx" type veth peer name p4
ip -n "$(ns s)" link set d4 up
expect reused "$(ip -n "$(ns s)" -j link show d4 | jq '.[0].ifindex')" "$idx" || ok=0
out=$(X attach d4 --mode generic 2>&1); rc=$?
expect rc "$rc" 0 || { echo "  $out"; ok=0; }
[ "$(ip -n "$(ns s)" -j link show d4 | jq -r '.[0].xdp.prog.id // "none"')" != none ] || { echo "  no XDP on d4"; ok=0; }
expect status_ifaces "$(X -j status | jq -r '.interfaces | map(.name) | sort | join(",")')" d4,veth0 || ok=0
X detach d4 >/dev/null || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=detach_all_after_a_deleted_interface_leaves_nothing
ok=1
X detach --all >/dev/null || ok=0
[ -e "$PIN_DIR" ] && { echo "  pins left: $(ls "$PIN_DIR")"; ok=0; }
[ $ok = 1 ] && pass $t || fail $t

t=a_tc_filter_whose_pins_all_went_is_cleared
# tc filters outlive their pins: with the whole pin directory removed (by
# hand, or made in a mount namespace that is gone) the egress filter stayed,
# attach then failed on it (File exists) and detach said nothing was there.
ok=1
ip -n "$(ns s)" link add d5 type veth peer name p5
ip -n "$(ns s)" link set d5 up; ip -n "$(ns s)" link set p5 up
tc_filters() { tc -n "$(ns s)" filter show dev "$1" egress | grep -c xdpct_tc_egress; }
orphan() { # attach IFACE, then lose every pin
	X attach "$1" --mode generic >/dev/null && X daemon --stop >/dev/null && rm -rf "$PIN_DIR" ||
		{ echo "  could not set up the leftover on $1"; ok=0; }
	expect "leftover filter on $1" "$(tc_filters "$1")" 1 || ok=0
}
orphan veth0
X attach veth0 --mode generic >/dev/null || { echo "  attach over the leftover filter failed"; ok=0; }
expect "one filter after attach" "$(tc_filters veth0)" 1 || ok=0
X -j status | jq -e '.interfaces[] | select(.name == "veth0")' >/dev/null || { echo "  veth0 not attached"; ok=0; }
X detach --all >/dev/null || ok=0
expect "no filter after detach" "$(tc_filters veth0)" 0 || ok=0
orphan d5
out=$(X detach --all 2>&1) || { echo "  detach --all: $out"; ok=0; }
grep -q "removed xdpct's tc egress filter from d5" <<<"$out" || { echo "  detach --all said: $out"; ok=0; }
expect "no filter after detach --all" "$(tc_filters d5)" 0 || ok=0
# Another program in xdpct's slot is named, not replaced.
tc -n "$(ns s)" qdisc add dev d5 clsact 2>/dev/null
tc -n "$(ns s)" filter add dev d5 egress handle 0x7863 prio 0xc7 bpf da obj build/bench/empty.bpf.o sec xdp ||
	{ echo "  could not add a filter of our own"; ok=0; }
check_error slot_taken 1 "attach d5: tc egress: another program holds xdpct's filter slot \(handle 0x7863, priority 199\)" \
	X attach d5 --mode generic || ok=0
tc -n "$(ns s)" filter del dev d5 egress handle 0x7863 prio 0xc7 2>/dev/null
[ -e "$PIN_DIR" ] && { echo "  pins left: $(ls "$PIN_DIR")"; ok=0; }
X detach --all >/dev/null 2>&1 # whatever a failure above left
[ $ok = 1 ] && pass $t || fail $t

t=a_live_instance_unseen_keeps_its_tc_filter
# Where the pins cannot be seen (a mount namespace without the host's
# bpffs), detach --all took every xdpct tc filter for a leftover, a live
# instance's too: its egress went untracked while status still said yes.
ok=1
X attach veth0 --mode generic >/dev/null || ok=0
out=$(unshare -m --propagation private bash -c 'umount -l /sys/fs/bpf 2>/dev/null; "$1" -n "$2" detach --all 2>&1' _ "$XDPCT" "$(ns s)")
grep -q "removed xdpct's tc egress filter" <<<"$out" && { echo "  detach --all there: $out"; ok=0; }
expect "filter kept" "$(tc -n "$(ns s)" filter show dev veth0 egress | grep -c xdpct_tc_egress)" 1 || ok=0
expect "xdp kept" "$(ip -n "$(ns s)" -j link show veth0 | jq -r '.[0].xdp.prog.id // "none"' | grep -c '^[0-9]')" 1 || ok=0
X detach --all >/dev/null || ok=0
expect "filter gone after a real detach" "$(tc -n "$(ns s)" filter show dev veth0 egress | grep -c xdpct_tc_egress)" 0 || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=pins_of_a_gone_namespace_are_not_taken_for_this_ones
# Pins are named by the namespace's inode number, which a new namespace gets
# once the old one is gone. The old one's pins (its daemon killed, the
# namespace deleted without a detach) passed for the new one's: its strict
# policy and its interfaces in status. Made here by giving the instance
# another namespace's cookie, as a gone namespace's pins have.
ok=1
RESPCTL=${TOP:-.}/build/tests/tools/respctl
gone() {
	X attach veth0 --mode generic >/dev/null && X config set policy strict &&
		"$RESPCTL" "$PIN_DIR" set netns_cookie=12345 || { echo "  could not set up"; ok=0; }
}
gone
check_error status 1 "status: the pins here were left by a network namespace that is gone" X status || ok=0
check_error config 1 "the pins here were left by a network namespace that is gone" X config get policy || ok=0
out=$(X attach veth0 --mode generic 2>&1) || { echo "  attach over them: $out"; ok=0; }
grep -q "removing the pins a gone network namespace left here" <<<"$out" || { echo "  attach said: $out"; ok=0; }
expect "policy of the new instance" "$(X config get policy)" pass || ok=0
expect "its interfaces" "$(X -j status | jq -r '.interfaces | map(.name) | join(",")')" veth0 || ok=0
X detach --all >/dev/null || ok=0
gone
X detach --all >/dev/null || { echo "  detach --all of them failed"; ok=0; }
[ -e "$PIN_DIR" ] && { echo "  pins left: $(ls "$PIN_DIR")"; ok=0; }
expect xdp "$(ip -n "$(ns s)" -j link show veth0 | jq -r '.[0].xdp.prog.id // "none"')" none || ok=0
expect tc "$(tc -n "$(ns s)" filter show dev veth0 egress | grep -c xdpct_tc_egress)" 0 || ok=0
X detach --all >/dev/null 2>&1
[ $ok = 1 ] && pass $t || fail $t

t=a_full_table_evicts_and_everything_goes_on
# 200 real connections through a table of 64 entries: it never holds more,
# every connection is still tracked as it happens, userspace reads it fine.
ok=1
printf 'msl 10s\n' >"$E2E_TMP/full.conf"
X attach veth0 --mode generic --flows 64 --config "$E2E_TMP/full.conf" >/dev/null || { echo "  attach"; ok=0; }
N=200
run s "$ACCEPTER" 198.18.0.2 8500 $N 10 "$E2E_TMP/acc8500" >/dev/null &
acc=$!
wait_file "$E2E_TMP/acc8500" || ok=0
done_n=0
for i in $(seq $N); do
	run c "$PEER" client 198.18.0.2 8500 sport:$((47000 + i)) recv:10 shut eof close && done_n=$((done_n + 1))
done
wait $acc
expect connections "$done_n" $N || ok=0
expect flows_new "$(X -j stats | jq '.counters.flows_new')" $N || ok=0
expect create_failed "$(X -j stats | jq '.counters.flow_create_failed')" 0 || ok=0
expect max "$(X -j status | jq '.flows.max')" 64 || ok=0
n=$(X -j list | jq length)
echo "  $n entries in a table of 64 after $N connections"
[ "$n" -le 64 ] && [ "$n" -gt 0 ] || ok=0
# The latest connection is in the table, in TIME-WAIT (msl 10 s).
expect latest "$(flow_field s $((47000 + N)) state)" TIME_WAIT || ok=0
pid=$(daemon_pid); sleep 0.3
expect daemon_alive "$(daemon_pid)" "$pid" || ok=0
X detach --all >/dev/null || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=missing_kernel_feature_is_named_and_nothing_is_left
ok=1
out=$(XDPCT_TEST_MISSING=tcp_raw_gen X attach veth0 --mode generic 2>&1); rc=$?
expect rc "$rc" 1 || ok=0
expect msg "$out" "xdpct: attach: this kernel lacks helper bpf_tcp_raw_gen_syncookie_ipv4 in XDP (Linux 6.0), which xdpct needs" || ok=0
[ -e "$PIN_DIR" ] && { echo "  pins left"; ok=0; }
expect xdp "$(ip -n "$(ns s)" -j link show veth0 | jq -r '.[0].xdp.prog.id // "none"')" none || ok=0
[ $ok = 1 ] && pass $t || fail $t

t=bpffs_not_mounted_is_mounted_by_attach
ok=1
# A private mount namespace: the host's /sys/fs/bpf is never touched.
out=$(unshare -m --propagation private bash -c '
	umount -l /sys/fs/bpf 2>/dev/null
	before=$(stat -f -c %T /sys/fs/bpf)
	"$1" -n "$2" attach veth0 --mode generic >/dev/null || echo attach-failed
	echo "before=$before after=$(stat -f -c %T /sys/fs/bpf) mode=$(stat -c %a /sys/fs/bpf) pins=$(ls "$3" | wc -l)"
	"$1" -n "$2" detach --all >/dev/null || echo detach-failed
	echo "left=$(ls /sys/fs/bpf/xdpct 2>/dev/null | wc -l)"
' _ "$XDPCT" "$(ns s)" "$PIN_DIR" 2>&1)
echo "$out" | sed 's/^/  /'
grep -Eq "^before=sysfs after=bpf_fs mode=1?700 pins=[1-9]" <<<"$out" && grep -q "^left=0" <<<"$out" || { echo "  bpffs not mounted as expected"; ok=0; }
grep -q "failed" <<<"$out" && ok=0
expect host_bpffs "$(stat -f -c %T /sys/fs/bpf)" bpf_fs || ok=0
expect xdp "$(ip -n "$(ns s)" -j link show veth0 | jq -r '.[0].xdp.prog.id // "none"')" none || ok=0
[ $ok = 1 ] && pass $t || fail $t

e2e_exit
