#!/usr/bin/env bash
# Where the established data segment's time goes: build variants of the
# express lane (bpf/express.h, include/xdpct/tcp_fsm.h) that stop after
# one more piece, or leave one piece out, in a temporary copy of the
# sources (the tree is not touched), and time each against the calibration
# program (bench est: 15 interleaved rounds of repeat runs, median ratio;
# the median of three such runs).
# A variant is only a measurement: it is not a correct tracker.
#   tests/bench/attribute.sh        (after make bench; writes results/attribution.md)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CLANG=$(make -s --no-print-directory print-CLANG)
BPF_CFLAGS=$(make -s --no-print-directory print-BPF_CFLAGS)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=tests/bench/results/attribution.md

# "Stop here": the frame passes, the code after the point stays (unreached).
AFTER_PARSE='s/^\tsrc_is_b = pkt.family == 4 ? xdpct_flow_key_make4(&pkt, &key)$/\tif (pkt.seq != 12345)\n\t\treturn EXPRESS_DONE;\n&/'
AFTER_KEY='s/^\tf = bpf_map_lookup_elem(&flows, &key);$/\tif (key.port_a != 1)\n\t\treturn EXPRESS_DONE;\n&/'
AFTER_LOOKUP='s/^\tif (!xdpct_fast_step_unstamped(f, src_is_b, &pkt, segs, &step))$/\tif (f->state != 77)\n\t\treturn EXPRESS_DONE;\n&/'
NO_COUNTERS='s/^\tcnt = bpf_map_lookup_elem(&counters, &zero);$/\tcnt = 0;/'
NO_WINDOW='s/^\t    !xdpct_window_step(snd, rcv, pkt->seq, pkt->seq + pkt->payload_len, pkt->ack,$/\t    (pkt->seq == 12345 \&\& !xdpct_window_step(snd, rcv, pkt->seq, pkt->seq + pkt->payload_len, pkt->ack,/; s/^\t\t\t       rcv->maxend))$/\t\t\t       rcv->maxend)))/'

variant() { # NAME [FILE SED]...
	local name=$1 v=$tmp/v$RANDOM x c r file s
	shift
	mkdir -p "$v/build"
	cp -r bpf include "$v/"
	while [ $# -ge 2 ]; do
		file=$v/$1 s=$2
		shift 2
		cp "$file" "$v/before"
		sed -i "$s" "$file"
		# A pattern that no longer matches the source makes the variant meaningless.
		if cmp -s "$v/before" "$file"; then
			echo "| $name | (pattern not found in ${file#$v/}: skipped) | | |" | tee -a "$out"
			return
		fi
	done
	# shellcheck disable=SC2086 # BPF_CFLAGS is a list of flags
	"$CLANG" ${BPF_CFLAGS//-I/-I$v/} -w -I"$PWD/vmlinux/x86" -c "$v/bpf/xdpct.bpf.c" \
		-o "$v/build/xdpct.bpf.o" &&
	bpftool gen skeleton "$v/build/xdpct.bpf.o" name xdpct_bpf >"$v/build/xdpct.skel.h" &&
	cc -O2 -I"$v/build" -Iinclude -I"$BUILD" -I"$BUILD/bench" -Iuser -Itests/lib -o "$v/bench" \
		tests/bench/bench.c "$BUILD/libxdpct.a" -lbpf -lelf -lz -lpthread -lm || return
	# Three runs of bench est; the one with the median ratio.
	if read -r x c r < <(for _ in 1 2 3; do "$v/bench" est 2>/dev/null; done | sort -k3 -n |
				 sed -n 2p); then
		echo "| $name | $x | $c | $r |" | tee -a "$out"
	else
		echo "| $name | (did not load) | | |" | tee -a "$out"
	fi
}

{
	echo "# Where the established data segment's time goes"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), tests/bench/attribute.sh: variants of the express lane, each timed against the calibration program (repeat runs on one flow; the median of three runs of 15 interleaved rounds each)."
	echo
	echo "| variant | xdpct ns | calibration ns | x calibration |"
	echo "|---|---:|---:|---:|"
} >"$out"
variant "as built"
variant "stop after the parse" bpf/express.h "$AFTER_PARSE"
variant "stop after the key" bpf/express.h "$AFTER_KEY"
variant "stop after the lookup" bpf/express.h "$AFTER_LOOKUP"
variant "without the window check" include/xdpct/tcp_fsm.h "$NO_WINDOW"
variant "without the counters" bpf/express.h "$NO_COUNTERS"
echo "wrote $out"
