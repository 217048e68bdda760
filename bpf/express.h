/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The express lane: most segments on a busy link are data or ACKs of an
 * established flow, inside the window, in a plain frame. They need no
 * lock, no event and no answer, so they are settled here before the full
 * path (xdpct_track()) is called at all, with a parser for the common
 * frame only (xdpct_parse_express()) and the shared key and fast step.
 * So are ACKs of no flow that the responder would not take, which only
 * need counting, reporting and the policy (xdpct_express_no_flow()).
 * Anything else, or any doubt, takes the full path, which parses the
 * frame again from scratch.
 */
#ifndef XDPCT_BPF_EXPRESS_H
#define XDPCT_BPF_EXPRESS_H

#include "track.h"

enum xdpct_express_rc {
	EXPRESS_DONE = 0,     /* tracked and counted: pass the frame */
	EXPRESS_FULL,         /* take the full path */
	EXPRESS_NOT_IN_FLOWS, /* the full path, which need not look in `flows` again */
	EXPRESS_DROP,         /* settled, and dropped by policy */
};

/* The segments the express lane may take: ACK, and no SYN, FIN or RST. */
static __always_inline bool xdpct_express_ack_only(const struct xdpct_pkt *pkt)
{
	return (pkt->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST | TCPF_ACK)) == TCPF_ACK;
}

/*
 * Parse the frame and make its key; returns src_is_b, or -1 when the frame
 * is not one the express lane takes (then before the key is made: a SYN
 * flood's frames are refused at the flags). An untagged IPv4 frame is tried on
 * its own first: with the EtherType and the offsets constants the compiler
 * folds them into the loads, and the key needs no family branch (one
 * parser for every frame kept its merged offsets in registers, and
 * spilled them). `bench ab` against that: 0.975 and 0.986 of the lane in
 * quiet hours, 1.000 in a noisy one. So is an untagged IPv6 frame, whose
 * addresses the key reads in the frame, not copied into pkt first:
 * 0.97 - 0.98 of the IPv6 lane that took the general parser (`bench ab ...
 * v6`, four runs), the IPv4 lane unchanged. Other frames take the general
 * parser.
 */
static __always_inline int xdpct_express_key(void *data, void *data_end, __u32 frame_len,
					     struct xdpct_pkt *pkt, struct xdpct_flow_key *key)
{
	const struct xdpct_eth *eth = data;

	if ((const void *)(eth + 1) > data_end)
		return -1;
	pkt->vlans = 0;
	if (eth->proto == xdpct_htons(XDPCT_ETH_P_IP) &&
	    xdpct_parse_express_l3(data, data_end, frame_len, xdpct_htons(XDPCT_ETH_P_IP),
				   sizeof(*eth), pkt))
		return xdpct_express_ack_only(pkt) ? xdpct_flow_key_make4(pkt, key) : -1;
	if (eth->proto == xdpct_htons(XDPCT_ETH_P_IPV6) &&
	    xdpct_parse_express_l3_addrs(data, data_end, frame_len, xdpct_htons(XDPCT_ETH_P_IPV6),
					 sizeof(*eth), pkt, false)) {
		const struct xdpct_ip6 *ip6 = (const void *)(eth + 1);

		return xdpct_express_ack_only(pkt)
			       ? xdpct_flow_key_make6(ip6->saddr, ip6->daddr, pkt->sport, pkt->dport, key)
			       : -1;
	}
	if (!xdpct_parse_express(data, data_end, frame_len, pkt) || !xdpct_express_ack_only(pkt))
		return -1;
	return pkt->family == 4 ? xdpct_flow_key_make4(pkt, key) : xdpct_flow_key_make(pkt, key);
}

/*
 * An ACK (no SYN, FIN or RST) whose key is not in `flows`. One in `embryos`
 * completes or continues a handshake, and one the responder would take
 * (a cookie's ACK, a RST to send under reject) needs the responder: both
 * go to the full path. Any other belongs to no flow, and the full path
 * would only count it, report it and apply the policy (xdpct_track():
 * xdpct_fsm_open() refuses it as INV_NO_FLOW): done here, to the same
 * counters, event record and verdict, it saves that path's tail call,
 * second parse and key, 0.3 of such a segment's time (`bench ab ...
 * unknown`). Segments of connections open before `attach`, which xdpct
 * never picks up, and ACK floods are such segments.
 */
static __always_inline int xdpct_express_no_flow(void *ctx, bool ingress,
						 const struct xdpct_pkt *pkt,
						 const struct xdpct_flow_key *key, int src_is_b)
{
	struct xdpct_counters *cnt;
	struct xdpct_config *cfg;
	struct xdpct_result r;
	__u32 zero = 0, ifindex;

	cfg = bpf_map_lookup_elem(&config_map, &zero);
	if (!cfg || xdpct_respond_claim_kind(cfg, pkt, ingress) != CLAIM_NONE ||
	    bpf_map_lookup_elem(&embryos, key))
		return EXPRESS_NOT_IN_FLOWS;
	/*
	 * In neither table: another CPU may have moved the flow between the
	 * two lookups (into `flows`, then out of `embryos`), as the full path
	 * knows too. Under a dropping policy, look again before taking it for
	 * a segment of no flow: a third ACK that raced the server's FIN was
	 * dropped, 2 - 35 of 16,000 flows a run. The lookup costs an ACK of no
	 * flow a third more (`bench ab ... unknown`); under pass, where such
	 * an ACK passes anyway, it would buy only its counts.
	 */
	if (cfg->policy != POLICY_PASS && bpf_map_lookup_elem(&flows, key))
		return EXPRESS_FULL;
	cnt = bpf_map_lookup_elem(&counters, &zero);
	xdpct_count(cnt, CNT_PKT_SEEN);
	xdpct_count(cnt, CNT_PKT_TCP);
	xdpct_count(cnt, CNT_INV_NO_FLOW);
	if (cfg->event_mask & (1u << EV_INVALID)) {
		__builtin_memset(&r, 0, sizeof(r));
		r.step.invalid = INV_NO_FLOW;
		r.step.dir = DIR_ORIG;
		/* The sender as the client: the event's src is who sent it. */
		r.client_is_b = (__u8)src_is_b;
		/* Read here, not passed in: a value kept across the lane costs it a register. */
		ifindex = ingress ? ((struct xdp_md *)ctx)->ingress_ifindex
				  : ((struct __sk_buff *)ctx)->ifindex;
		xdpct_emit(cfg, cnt, key, ifindex, &r, EV_INVALID, xdpct_now(cfg));
	}
	if (cfg->policy == POLICY_PASS)
		return EXPRESS_DONE;
	xdpct_count(cnt, CNT_VERDICT_DROP);
	return EXPRESS_DROP;
}

/*
 * Inlined into the entry programs, which reach the full path by tail call
 * (xdpct.bpf.c): a bpf-to-bpf call here cost about 0.07 x calibration on every
 * express segment (`make bench`), and a tail call does not add the full
 * path's stack frame to this one's.
 */
static __always_inline int xdpct_express(void *ctx, bool ingress, void *data, void *data_end,
					 __u32 frame_len, __u32 segs)
{
	struct xdpct_flow_key key;
	struct xdpct_counters *cnt;
	struct xdpct_config *cfg;
	struct xdpct_step step;
	struct xdpct_pkt pkt;
	struct xdpct_flow *f;
	__u32 zero = 0;
	int src_is_b;

	src_is_b = xdpct_express_key(data, data_end, frame_len, &pkt, &key);
	if (src_is_b < 0)
		return EXPRESS_FULL;
	f = bpf_map_lookup_elem(&flows, &key);
	if (!f)
		return xdpct_express_no_flow(ctx, ingress, &pkt, &key, src_is_b);
	/* Its flags were checked before the key: ACK, and no SYN, FIN or RST. */
	if (!xdpct_fast_step_ack(f, src_is_b, &pkt, segs, &step))
		return EXPRESS_FULL;
	/*
	 * The clock is read last: to the compiler it is a helper call, and
	 * every value live across a call is spilled to the stack. A live
	 * instance needs no config for it (clock.h).
	 */
	cfg = xdpct_clock_from_config ? bpf_map_lookup_elem(&config_map, &zero) : NULL;
	f->last_seen = xdpct_now(cfg);
	cnt = bpf_map_lookup_elem(&counters, &zero);
	xdpct_count(cnt, CNT_PKT_SEEN);
	xdpct_count(cnt, CNT_PKT_TCP);
	/* What share the express lane takes is worth knowing: `xdpct stats`. */
	xdpct_count(cnt, CNT_PKT_EXPRESS);
	return EXPRESS_DONE;
}

/*
 * What the express lane learnt, handed over the tail call to the full path
 * of the same hook on the same CPU (a tail call keeps no registers). XDP
 * and tc get a slot each: the full path reads it before anything else runs.
 */
enum xdpct_handoff_slot {
	HANDOFF_XDP = 0,
	HANDOFF_TC,
	HANDOFF__MAX,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HANDOFF__MAX);
	__type(key, __u32);
	__type(value, __u32);
} express_handoff SEC(".maps");

static __always_inline void xdpct_express_hand_off(__u32 slot, int lane)
{
	__u32 *h = bpf_map_lookup_elem(&express_handoff, &slot);

	if (h)
		*h = lane;
}

/* True when the express lane found the segment's key absent from `flows`. */
static __always_inline int xdpct_express_not_in_flows(__u32 slot)
{
	__u32 *h = bpf_map_lookup_elem(&express_handoff, &slot);

	return h && *h == EXPRESS_NOT_IN_FLOWS;
}

#endif /* XDPCT_BPF_EXPRESS_H */
