/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SYN cookies made and checked by the kernel's own helpers, so that the
 * host's listening socket (tcp_syncookies=2) accepts the ACK that returns
 * one. TCP options travel in the timestamp as Linux encodes them
 * (net/ipv4/syncookies.c, cookie_init_timestamp()): the low 6 bits of
 * our tsval hold the client's window scale (0xf: none) and SACK-permitted,
 * and the client echoes them back in its tsecr.
 *
 * Requirements on the host, which rebuilds the connection from the ACK:
 * net.ipv4.tcp_syncookies=2, and net.ipv4.tcp_timestamps=2 when clients
 * use timestamps (with 1 the host adds a secret per-connection offset to
 * timestamps, which it would subtract from the echo before decoding).
 */
#ifndef XDPCT_BPF_RESPOND_COOKIE_H
#define XDPCT_BPF_RESPOND_COOKIE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdpct/tcp_fsm.h>
#include "respond_build.h"

#define XDPCT_COOKIE_WSCALE_DEFAULT 7
#define XDPCT_TS_OPT_WSCALE_MASK 0xf
#define XDPCT_TS_OPT_SACK (1 << 4)
#define XDPCT_TSBITS 6
#define XDPCT_TCP_MSS_DEFAULT 536 /* RFC 9293 3.7.1, what the helper assumes without MSS */
#define XDPCT_NSEC_PER_MSEC 1000000ULL
#define XDPCT_TCPOLEN_TSTAMP_ALIGNED 12

/*
 * Headers as the cookie helpers read them: only what they use is filled
 * (addresses, ports, sequence numbers, the SYN's MSS option). Kept off the
 * stack by the caller: the BPF stack is shared with the tracker.
 */
struct xdpct_cookie_hdrs {
	union {
		struct xdpct_ip4 ip4;
		struct xdpct_ip6 ip6;
	};
	struct xdpct_tcp th;
	__u8 mss_opt[4];
};

static __always_inline void xdpct_cookie_hdrs(struct xdpct_cookie_hdrs *h,
					      const struct xdpct_pkt *pkt)
{
	__builtin_memset(h, 0, sizeof(*h));
	if (pkt->family == 4) {
		h->ip4.ver_ihl = 0x45;
		h->ip4.protocol = XDPCT_IPPROTO_TCP;
		h->ip4.saddr = pkt->saddr[0];
		h->ip4.daddr = pkt->daddr[0];
	} else {
		h->ip6.ver_tc_flow = xdpct_htonl(0x60000000);
		h->ip6.nexthdr = XDPCT_IPPROTO_TCP;
		__builtin_memcpy(h->ip6.saddr, pkt->saddr, 16);
		__builtin_memcpy(h->ip6.daddr, pkt->daddr, 16);
	}
	h->th.sport = pkt->sport;
	h->th.dport = pkt->dport;
	h->th.seq = xdpct_htonl(pkt->seq);
	h->th.ack = xdpct_htonl(pkt->ack);
	h->th.flags = pkt->flags;
	h->th.doff_res = 5 << 4;
}

static __always_inline __u8 xdpct_cookie_wscale(const struct xdpct_config *cfg)
{
	return cfg->cookie_wscale ? (cfg->cookie_wscale > 14 ? 14 : cfg->cookie_wscale)
				  : XDPCT_COOKIE_WSCALE_DEFAULT;
}

/* The kernel's cookie for this SYN: cookie | mss << 32, or a negative errno. */
static __always_inline __s64 xdpct_cookie_gen(const struct xdpct_pkt *pkt,
					      struct xdpct_cookie_hdrs *h)
{
	__u16 mss = (pkt->opts & OPT_MSS) ? pkt->mss : XDPCT_TCP_MSS_DEFAULT;

	xdpct_cookie_hdrs(h, pkt);
	h->th.doff_res = ((sizeof(h->th) + sizeof(h->mss_opt)) / 4) << 4;
	h->mss_opt[0] = 2;
	h->mss_opt[1] = 4;
	h->mss_opt[2] = (__u8)(mss >> 8);
	h->mss_opt[3] = (__u8)mss;
	if (pkt->family == 4)
		return bpf_tcp_raw_gen_syncookie_ipv4((struct iphdr *)&h->ip4,
						      (struct tcphdr *)&h->th,
						      sizeof(h->th) + sizeof(h->mss_opt));
	return bpf_tcp_raw_gen_syncookie_ipv6((struct ipv6hdr *)&h->ip6, (struct tcphdr *)&h->th,
					      sizeof(h->th) + sizeof(h->mss_opt));
}

/* Does this ACK return a cookie we (or the host) issued in the last two minutes? */
static __always_inline bool xdpct_cookie_ok(const struct xdpct_pkt *pkt,
					    struct xdpct_cookie_hdrs *h)
{
	xdpct_cookie_hdrs(h, pkt);
	if (pkt->family == 4)
		return !bpf_tcp_raw_check_syncookie_ipv4((struct iphdr *)&h->ip4,
							 (struct tcphdr *)&h->th);
	return !bpf_tcp_raw_check_syncookie_ipv6((struct ipv6hdr *)&h->ip6,
						 (struct tcphdr *)&h->th);
}

/*
 * Our tsval: the host's TCP clock (CLOCK_MONOTONIC in ms, as tcp_clock_ms()
 * reads it, so the host's later timestamps never run behind it) with the
 * options in the low bits, rounded down so that it is not in the future.
 */
static __always_inline __u32 xdpct_cookie_tsval(const struct xdpct_pkt *pkt)
{
	__u64 now = bpf_ktime_get_ns() / XDPCT_NSEC_PER_MSEC, ts;
	__u32 options = (pkt->opts & OPT_WSCALE) ? (pkt->wscale & XDPCT_TS_OPT_WSCALE_MASK)
						 : XDPCT_TS_OPT_WSCALE_MASK;

	if (pkt->opts & OPT_SACK_PERM)
		options |= XDPCT_TS_OPT_SACK;
	ts = (now >> XDPCT_TSBITS) << XDPCT_TSBITS | options;
	if (ts > now)
		ts -= 1ULL << XDPCT_TSBITS;
	return (__u32)ts;
}

/* Our MSS: the interface's MTU less IP and TCP headers, as the host would say. */
static __always_inline __u16 xdpct_cookie_mss(struct xdp_md *ctx, int family)
{
	__u32 mtu = 0, hdrs = family == 4 ? 40 : 60;

	if (bpf_check_mtu(ctx, 0, &mtu, 0, 0) < 0 || mtu < hdrs + XDPCT_TCP_MSS_DEFAULT)
		return family == 4 ? 1460 : 1440;
	mtu -= hdrs;
	return mtu > 0xffff ? 0xffff : (__u16)mtu;
}

/*
 * The SYN+ACK for a SYN: seq the cookie, ack the client's ISN + 1, and the
 * options Linux sends with a cookie, in its order. Without timestamps there
 * is nowhere to keep window scaling and SACK, so they are not offered (as
 * Linux does: tcp_conn_request() clears them for cookies without TS).
 */
static __always_inline void xdpct_cookie_synack(struct xdp_md *ctx,
						const struct xdpct_config *cfg,
						const struct xdpct_pkt *pkt, __u32 cookie,
						struct xdpct_reply *rp)
{
	__u16 mss = xdpct_cookie_mss(ctx, pkt->family), eff = mss;
	bool ts = pkt->opts & OPT_TIMESTAMPS;

	__builtin_memset(rp, 0, sizeof(*rp));
	rp->flags = TCPF_SYN | TCPF_ACK;
	rp->seq = cookie;
	rp->ack = pkt->seq + 1;
	rp->opt[0] = xdpct_opt_word(2, 4, (__u8)(mss >> 8), (__u8)mss);
	rp->words = 1;
	if (ts) {
		rp->opt[1] = (pkt->opts & OPT_SACK_PERM) ? xdpct_opt_word(4, 2, 8, 10)
							 : xdpct_opt_word(1, 1, 8, 10);
		rp->opt[2] = xdpct_htonl(xdpct_cookie_tsval(pkt));
		rp->opt[3] = xdpct_htonl(pkt->tsval);
		rp->words = 4;
		if (pkt->opts & OPT_WSCALE) {
			rp->opt[4] = xdpct_opt_word(1, 3, 3, xdpct_cookie_wscale(cfg));
			rp->words = 5;
		}
		eff -= XDPCT_TCPOLEN_TSTAMP_ALIGNED;
	}
	/* Linux offers 64 KiB rounded down to whole segments; SYN windows are unscaled. */
	rp->window = eff ? (__u16)(0xffff - 0xffff % eff) : 0xffff;
}

/*
 * The entry for a connection whose cookie ACK just checked out: both ends
 * ESTABLISHED, windows and options as the handshake settled them. The
 * options come back in the ACK's tsecr (pkt must carry the ACK's parsed
 * timestamp option, if any).
 */
static __always_inline void xdpct_cookie_flow(struct xdpct_flow *f, const struct xdpct_pkt *pkt,
					      int src_is_b, __u32 ifindex, __u64 now,
					      __u8 our_wscale)
{
	struct xdpct_endpoint *c = &f->ep[DIR_ORIG], *s = &f->ep[DIR_REPLY];
	bool ts = pkt->opts & OPT_TIMESTAMPS;
	__u32 echo = ts ? pkt->tsecr : XDPCT_TS_OPT_WSCALE_MASK;
	bool ws = (echo & XDPCT_TS_OPT_WSCALE_MASK) != XDPCT_TS_OPT_WSCALE_MASK;
	__u8 flags = (ws ? EP_WSCALE : 0) | ((echo & XDPCT_TS_OPT_SACK) ? EP_SACK_PERM : 0) |
		     (ts ? EP_TIMESTAMPS : 0) | EP_MAXACK;
	__u32 cwin;

	xdpct_flow_init(f, src_is_b, ifindex, now);
	f->flags |= FLOW_COOKIE;
	f->state = CT_ESTABLISHED;

	c->state = TCP_S_ESTABLISHED;
	c->flags = flags;
	c->wscale = ws ? (__u8)(echo & XDPCT_TS_OPT_WSCALE_MASK) : 0;
	c->isn = pkt->seq - 1;
	c->end = xdpct_seg_end(pkt);
	cwin = (__u32)pkt->window << (c->wscale & 15);
	c->maxwin = cwin ? cwin : 1;
	c->maxack = pkt->ack; /* each has acked the other's SYN */

	s->state = TCP_S_ESTABLISHED;
	s->flags = flags;
	s->wscale = ws ? our_wscale : 0;
	s->isn = pkt->ack - 1;
	s->end = pkt->ack;
	/* The SYN+ACK offered at most 64 KiB, unscaled. */
	s->maxwin = 0xffff;
	s->maxack = pkt->seq;
	s->maxend = pkt->ack + c->maxwin;
	c->maxend = pkt->seq + s->maxwin;
	xdpct_flow_account(f, DIR_ORIG, pkt, now, 1);
}

#endif /* XDPCT_BPF_RESPOND_COOKIE_H */
