// SPDX-License-Identifier: GPL-2.0
/*
 * xdpct's entry points: XDP on ingress, tc on egress (XDP never sees what
 * the host itself sends), and a clock the CLI reads. Each entry program
 * runs the express lane (express.h) inline and tail-calls its hook's full
 * path for anything else. They only wire the headers: parsing and the
 * state machine live in include/xdpct/, tracking in track.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "track.h"
#include "express.h"
#include "respond.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
/* Ethernet, two VLAN tags, IPv6 with extension headers and TCP with options fit. */
#define XDPCT_PULL_LEN 256

/*
 * SYN options, parsed in global functions: the verifier checks each once on
 * its own instead of once for every path through the tracker.
 */
__noinline int xdpct_syn_options_xdp(struct xdp_md *ctx, struct xdpct_pkt *pkt)
{
	if (!pkt)
		return PARSE_MAL_TCP_OPT;
	return xdpct_parse_syn_options((void *)(long)ctx->data, (void *)(long)ctx->data_end, pkt);
}

__noinline int xdpct_syn_options_skb(struct __sk_buff *skb, struct xdpct_pkt *pkt)
{
	if (!pkt)
		return PARSE_MAL_TCP_OPT;
	return xdpct_parse_syn_options((void *)(long)skb->data, (void *)(long)skb->data_end, pkt);
}

static int syn_options_xdp(void *ctx, struct xdpct_pkt *pkt)
{
	return xdpct_syn_options_xdp(ctx, pkt);
}

static int syn_options_skb(void *ctx, struct xdpct_pkt *pkt)
{
	return xdpct_syn_options_skb(ctx, pkt);
}

/*
 * Tracking on ingress, in a global function of its own: its stack frame
 * then ends before the responder's begins (the BPF stack holds 512 bytes
 * for a whole chain of calls).
 */
__noinline int xdpct_xdp_track(struct xdp_md *ctx, struct xdpct_result *r, int not_in_flows)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (!r)
		return XDP_PASS;
	return xdpct_track(data, data_end, (__u32)(data_end - data), ctx->ingress_ifindex, 1, r,
			   syn_options_xdp, ctx, true, not_in_flows) == ACT_DROP
		       ? XDP_DROP
		       : XDP_PASS;
}

/*
 * The full path on ingress: every segment the express lane did not settle,
 * reached by tail call from xdpct_xdp() below.
 */
SEC("xdp")
int xdpct_xdp_full(struct xdp_md *ctx)
{
	struct xdpct_result r;
	int verdict;

	verdict = xdpct_xdp_track(ctx, &r, xdpct_express_not_in_flows(HANDOFF_XDP));

	/* Segments the responder may answer (bpf/respond.h): rare, so off the fast path. */
	if (r.claimed || r.step.respond) {
		switch (xdpct_respond_xdp(ctx, &r, verdict)) {
		case XDP_TX:
			return XDP_TX;
		case XDP_DROP:
			return XDP_DROP;
		default:
			return XDP_PASS;
		}
	}
	return verdict == XDP_DROP ? XDP_DROP : XDP_PASS;
}

/*
 * Read skb->data / data_end with one plain load each. Left to itself clang
 * may compute the field's address into a register first, and the verifier
 * refuses loads through a modified context pointer.
 */
#define skb_field_ptr(skb, field)                                                 \
	({                                                                        \
		__u64 v_;                                                         \
		asm volatile("%0 = *(u32 *)(%1 + %2)"                             \
			     : "=r"(v_)                                           \
			     : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, field))); \
		(void *)(long)v_;                                                 \
	})

/* Wire segments a frame stands for: a GSO frame leaves as gso_segs of them. */
static __always_inline __u32 skb_segs(const struct __sk_buff *skb)
{
	return skb->gso_segs ? skb->gso_segs : 1;
}

/*
 * Tracking on egress, a global function as on ingress: verified once on its
 * own, the tc full path costs the verifier 156k instructions. Inlined it cost
 * 199k, when this way cost 165k.
 */
__noinline int xdpct_tc_track(struct __sk_buff *skb, int not_in_flows)
{
	void *data = skb_field_ptr(skb, data);
	void *data_end = skb_field_ptr(skb, data_end);
	struct xdpct_result r;

	return xdpct_track(data, data_end, skb->len, skb->ifindex, skb_segs(skb), &r,
			   syn_options_skb, skb, false, not_in_flows) == ACT_DROP
		       ? TC_ACT_SHOT
		       : TC_ACT_OK;
}

/* The full path on egress, reached by tail call from xdpct_tc_egress() below. */
SEC("tc")
int xdpct_tc_full(struct __sk_buff *skb)
{
	return xdpct_tc_track(skb, xdpct_express_not_in_flows(HANDOFF_TC)) == TC_ACT_SHOT
		       ? TC_ACT_SHOT
		       : TC_ACT_OK;
}

/*
 * One slot each, filled by libbpf at load. The tail call keeps the entry
 * programs free of calls (the express lane runs inline) and starts the full
 * path with a stack of its own.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} xdp_full_path SEC(".maps") = {
	.values = { [0] = (void *)&xdpct_xdp_full },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} tc_full_path SEC(".maps") = {
	.values = { [0] = (void *)&xdpct_tc_full },
};

/* A tail call returns only when its slot is empty: count it, let the frame pass. */
static __always_inline void full_path_missing(void)
{
	__u32 zero = 0;

	xdpct_count(bpf_map_lookup_elem(&counters, &zero), CNT_FULL_PATH_MISSING);
}

SEC("xdp")
int xdpct_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int lane;

	lane = xdpct_express(ctx, true, data, data_end, (__u32)(data_end - data), 1);
	if (lane == EXPRESS_DONE)
		return XDP_PASS;
	if (lane == EXPRESS_DROP)
		return XDP_DROP;
	xdpct_express_hand_off(HANDOFF_XDP, lane);
	bpf_tail_call(ctx, &xdp_full_path, 0);
	full_path_missing();
	return XDP_PASS;
}

SEC("tc")
int xdpct_tc_egress(struct __sk_buff *skb)
{
	__u32 in = skb->ingress_ifindex;
	void *data, *data_end;
	int lane;

	/* Forwarded from an interface we watch: XDP tracked it there already. */
	if (in && bpf_map_lookup_elem(&ifaces, &in)) {
		__u32 zero = 0;
		struct xdpct_counters *cnt = bpf_map_lookup_elem(&counters, &zero);

		xdpct_count(cnt, CNT_PKT_EGRESS_SKIPPED);
		return TC_ACT_OK;
	}
	/* Headers may sit beyond the linear part: make them readable. */
	if (skb->len > skb->data_end - skb->data)
		bpf_skb_pull_data(skb, skb->len < XDPCT_PULL_LEN ? skb->len : XDPCT_PULL_LEN);
	data = skb_field_ptr(skb, data);
	data_end = skb_field_ptr(skb, data_end);
	lane = xdpct_express(skb, false, data, data_end, skb->len, skb_segs(skb));
	if (lane == EXPRESS_DONE)
		return TC_ACT_OK;
	if (lane == EXPRESS_DROP)
		return TC_ACT_SHOT;
	xdpct_express_hand_off(HANDOFF_TC, lane);
	bpf_tail_call(skb, &tc_full_path, 0);
	full_path_missing();
	return TC_ACT_OK;
}

/* Ticks per second of bpf_jiffies64(); 0 when the kernel config is unreadable. */
extern unsigned int CONFIG_HZ __kconfig __weak;

/*
 * The CLI's view of the data path's clock: run with BPF_PROG_TEST_RUN on a
 * frame of 16 bytes or more, it writes xdpct_now() and HZ at its start.
 */
SEC("xdp")
int xdpct_clock(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xdpct_config *cfg;
	__u32 zero = 0;
	__u64 *out = data;

	cfg = bpf_map_lookup_elem(&config_map, &zero);
	if ((void *)(out + 2) > data_end || !cfg)
		return XDP_ABORTED;
	out[0] = xdpct_now(cfg);
	out[1] = CONFIG_HZ;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
