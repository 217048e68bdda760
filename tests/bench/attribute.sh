#!/usr/bin/env bash
# Where the established data segment's time goes: build variants of the
# express lane (bpf/express.h, include/xdpct/tcp_fsm.h) that stop after
# one more piece, or leave one piece out, in a temporary copy of the
# sources (the tree is not touched), and time each in one process with the
# build as it stands and the calibration program (bench ab: 201 interleaved
# rounds of repeat runs, trimmed means of the per-round ratios; of three
# such runs, the one with the median ratio to the build).
# The variants keep the flow entry's layout, which bench ab needs.
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
# The parse and the key are one function (xdpct_express_key()): -2 from it is "stop".
AFTER_PARSE='s/^\t\treturn xdpct_express_ack_only(pkt) ? xdpct_flow_key_make4(pkt, key) : -1;$/\t\treturn pkt->seq != 12345 ? -2 : -1;/; s/^\tif (src_is_b < 0)$/\tif (src_is_b == -2)\n\t\treturn EXPRESS_DONE;\n&/'
AFTER_KEY='s/^\tf = bpf_map_lookup_elem(&flows, &key);$/\tif (key.port_a != 1)\n\t\treturn EXPRESS_DONE;\n&/'
AFTER_LOOKUP='s/^\tif (!xdpct_fast_step_ack(f, src_is_b, &pkt, segs, &step))$/\tif (f->state != 77)\n\t\treturn EXPRESS_DONE;\n&/'
NO_WINDOW_UPDATES='s|^\t/\* Data beyond what was allowed widens the view of the receiver.s window. \*/$|\treturn true;|'
NO_COUNTERS='s/^\tcnt = bpf_map_lookup_elem(&counters, &zero);$/\tcnt = 0;/'
NO_WINDOW='s/^\t       xdpct_window_step(snd, rcv, pkt->seq, pkt->seq + pkt->payload_len, pkt->ack,$/\t       (pkt->seq != 12345 || xdpct_window_step(snd, rcv, pkt->seq, pkt->seq + pkt->payload_len, pkt->ack,/; s/^\t\t\t\t rcv->maxend);$/\t\t\t\t rcv->maxend));/'

variant() { # NAME [FILE SED]...
	local name=$1 v=$tmp/v$RANDOM x a c r rab file s
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
			echo "| $name | (pattern not found in ${file#$v/}: skipped) | | | | |" | tee -a "$out"
			return
		fi
	done
	# shellcheck disable=SC2086 # BPF_CFLAGS is a list of flags
	"$CLANG" ${BPF_CFLAGS//-I/-I$v/} -w -I"$PWD/vmlinux/x86" -c "$v/bpf/xdpct.bpf.c" \
		-o "$v/build/xdpct.bpf.o" || return
	# Three runs of bench ab against the build as it stands; the one with the median ratio.
	if read -r x a c r rab < <(for _ in 1 2 3; do
				       "$BUILD/tests/bench/bench" ab "$v/build/xdpct.bpf.o" \
					       "$BUILD/xdpct.bpf.o" 2>/dev/null
			       done | awk '{print $1, $2, $3, $4, $6}' | sort -k5 -n | sed -n 2p); then
		echo "| $name | $x | $a | $c | $r | $rab |" | tee -a "$out"
	else
		echo "| $name | (did not load) | | | | |" | tee -a "$out"
	fi
}

{
	echo "# Where the established data segment's time goes"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), tests/bench/attribute.sh: variants of the express lane, each timed in one process with the build as it stands and the calibration program (\`bench ab\`: repeat runs on one flow, 201 interleaved rounds, trimmed means of the per-round ratios; of three such runs, the one with the median ratio to the build). \"as built\" against itself shows the noise of the last column."
	echo
	echo "| variant | variant ns | as built ns | calibration ns | variant x calibration | variant x as built |"
	echo "|---|---:|---:|---:|---:|---:|"
} >"$out"
variant "as built"
variant "stop after the parse" bpf/express.h "$AFTER_PARSE"
variant "stop after the key" bpf/express.h "$AFTER_KEY"
variant "stop after the lookup" bpf/express.h "$AFTER_LOOKUP"
variant "without the window check" include/xdpct/tcp_fsm.h "$NO_WINDOW"
variant "without the window's updates (checks kept)" include/xdpct/tcp_fsm.h "$NO_WINDOW_UPDATES"
variant "without the counters" bpf/express.h "$NO_COUNTERS"
echo "wrote $out"
