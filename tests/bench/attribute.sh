#!/usr/bin/env bash
# Where the established data segment's time goes: build variants of the
# data path with one piece taken out (in a temporary copy of bpf/; the
# tree is not touched), and time each against the calibration program
# (bench est: 15 interleaved rounds, median ratio). A variant is only a
# measurement: it is not a correct tracker.
#   tests/bench/attribute.sh        (after make bench; writes results/attribution.md)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=tests/bench/results/attribution.md

LOCK1='s/^\tbpf_spin_lock(&l->lock);$//'
LOCK2='s/^\tbpf_spin_unlock(&l->lock);$//'
CNT='s/^\tcnt = bpf_map_lookup_elem(&counters, &zero);$/\tcnt = 0;/'
FSM='s/^\txdpct_fsm_step(f, src_is_b, pkt, now, stale, &r->step);$/\tr->step.dir = (__u8)stale;/'

variant() { # NAME SED...
	local name=$1 v=$tmp/${#1}$RANDOM s x c r
	shift
	mkdir -p "$v/bpf" "$v/build"
	cp bpf/* "$v/bpf/"
	for s in "$@"; do
		cp "$v/bpf/track.h" "$v/before.h"
		sed -i "$s" "$v/bpf/track.h"
		# A pattern that no longer matches the source makes the variant meaningless.
		if cmp -s "$v/before.h" "$v/bpf/track.h"; then
			echo "| $name | (pattern '$s' not found in bpf/track.h: skipped) | | |" | tee -a "$out"
			return
		fi
	done
	clang-16 -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -w -Ivmlinux/x86/ -Iinclude -I"$v/bpf" \
		-c "$v/bpf/xdpct.bpf.c" -o "$v/build/xdpct.bpf.o" &&
	bpftool gen skeleton "$v/build/xdpct.bpf.o" name xdpct_bpf >"$v/build/xdpct.skel.h" &&
	cc -O2 -I"$v/build" -Iinclude -I"$BUILD" -I"$BUILD/bench" -Iuser -Itests/lib -o "$v/bench" \
		tests/bench/bench.c "$BUILD/libxdpct.a" -lbpf -lelf -lz -lpthread -lm || return
	read -r x c r < <("$v/bench" est)
	echo "| $name | $x | $c | $r |" | tee -a "$out"
}

{
	echo "# Where the established data segment's time goes"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), tests/bench/attribute.sh: variants of bpf/track.h with one piece removed, each timed against the calibration program (repeat runs, median of 15 interleaved rounds)."
	echo
	echo "| variant | xdpct ns | calibration ns | x calibration |"
	echo "|---|---:|---:|---:|"
} >"$out"
variant "as built" 
variant "without bpf_spin_lock/unlock" "$LOCK1" "$LOCK2"
variant "without the counters lookup" "$CNT"
variant "without xdpct_fsm_step" "$FSM"
variant "without lock and counters" "$LOCK1" "$LOCK2" "$CNT"
variant "without lock, counters and fsm step" "$LOCK1" "$LOCK2" "$CNT" "$FSM"
echo "wrote $out"
