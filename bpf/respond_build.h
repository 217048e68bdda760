/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing an answer over the frame that asked for it, for XDP_TX: MACs
 * swapped, VLAN tags kept, a fresh IP header (no IPv4 options, no IPv6
 * extension headers) with the addresses swapped, then a TCP header with
 * the answer's fields and options, both checksums computed.
 */
#ifndef XDPCT_BPF_RESPOND_BUILD_H
#define XDPCT_BPF_RESPOND_BUILD_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdpct/parse.h>
#include "csum.h"

/* Our answers carry at most MSS, SACK-permitted, timestamps and window scale. */
#define XDPCT_REPLY_OPT_WORDS 5
/* Ethernet and at most XDPCT_MAX_VLAN_TAGS tags come before IP (parse.h). */
#define XDPCT_MAX_L3_OFF (14 + 4 * XDPCT_MAX_VLAN_TAGS)
#define XDPCT_IP4_DF 0x4000

/* xdpct_reply_write()'s outcome. */
enum {
	REPLY_OK = 0,
	REPLY_UNTOUCHED = -1, /* the frame could not be resized: it is as it came */
	REPLY_BROKEN = -2,    /* half-written: drop it */
};

/* One answer's TCP fields; ports and addresses come from the segment. */
struct xdpct_reply {
	__u32 seq;
	__u32 ack;
	__u16 window;
	__u8 flags;   /* TCPF_* */
	__u8 words;   /* 32-bit words of options used */
	__u32 opt[XDPCT_REPLY_OPT_WORDS]; /* options in wire order */
};

static __always_inline __u32 xdpct_opt_word(__u8 a, __u8 b, __u8 c, __u8 d)
{
	return xdpct_htonl((__u32)a << 24 | (__u32)b << 16 | (__u32)c << 8 | d);
}

/*
 * Addresses the responder may answer between: unicast (not multicast, not
 * the limited broadcast, not unspecified: RFC 1122 4.2.3.10), and none that
 * Linux drops as a martian before TCP sees it: loopback (127/8, ::1), "this
 * network" (0/8), IPv4-mapped IPv6 (::ffff:0:0/96, refused by TCP over
 * IPv6), and a segment from an address to itself. A subnet's directed
 * broadcast, or another of our own addresses as the source, needs the
 * routes to tell: not checked.
 */
static __always_inline bool xdpct_addr4_answerable(__u32 a)
{
	__u32 h = xdpct_ntohl(a);

	return (h >> 24) != 0 && (h >> 24) != 127 && h != 0xffffffff && (h >> 28) != 0xe;
}

static __always_inline bool xdpct_addr6_answerable(const __u32 *a)
{
	if ((xdpct_ntohl(a[0]) >> 24) == 0xff)
		return false; /* multicast */
	if (a[0] | a[1])
		return true;
	/* ::, ::1 and ::ffff:a.b.c.d */
	return a[2] != 0 ? a[2] != xdpct_htonl(0xffff) : a[3] != 0 && a[3] != xdpct_htonl(1);
}

static __always_inline bool xdpct_addrs_answerable(__u8 family, const __u32 *a, const __u32 *b)
{
	if (family == 4)
		return a[0] != b[0] && xdpct_addr4_answerable(a[0]) && xdpct_addr4_answerable(b[0]);
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) != 0 &&
	       xdpct_addr6_answerable(a) && xdpct_addr6_answerable(b);
}

static __always_inline void xdpct_swap_macs(struct xdpct_eth *eth)
{
	__u8 tmp[6];

	__builtin_memcpy(tmp, eth->dst, 6);
	__builtin_memcpy(eth->dst, eth->src, 6);
	__builtin_memcpy(eth->src, tmp, 6);
}

/* Rewrite the frame into the answer to `pkt`; returns REPLY_*. */
static __always_inline int xdpct_reply_write(struct xdp_md *ctx, const struct xdpct_pkt *pkt,
					     const struct xdpct_reply *rp, __u8 ttl)
{
	__u32 l3 = pkt->l3_off, words = rp->words, ip_len, tcp_len;
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__s64 old_len = data_end - data;
	const struct xdpct_eth *eth = data;
	struct xdpct_tcp *th;
	__u64 sum;
	int i;

	/* Never from or to a group address (the tracker's answers; claims check the IPs too). */
	if ((void *)(eth + 1) > data_end || (eth->dst[0] & 1) || (eth->src[0] & 1) ||
	    !xdpct_addrs_answerable(pkt->family, pkt->saddr, pkt->daddr))
		return REPLY_UNTOUCHED;

	if (words > XDPCT_REPLY_OPT_WORDS)
		words = XDPCT_REPLY_OPT_WORDS;
	tcp_len = sizeof(*th) + words * 4;
	ip_len = pkt->family == 4 ? sizeof(struct xdpct_ip4) : sizeof(struct xdpct_ip6);
	if (l3 > XDPCT_MAX_L3_OFF)
		return REPLY_UNTOUCHED;
	XDPCT_BARRIER_VAR(old_len);
	if (bpf_xdp_adjust_tail(ctx, (int)(l3 + ip_len + tcp_len) - (int)old_len))
		return REPLY_UNTOUCHED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(struct xdpct_eth) > data_end)
		return REPLY_BROKEN;
	xdpct_swap_macs(data);

	XDPCT_BARRIER_VAR(l3);
	if (l3 > XDPCT_MAX_L3_OFF)
		return REPLY_BROKEN;
	if (pkt->family == 4) {
		struct xdpct_ip4 *ip = data + l3;

		if ((void *)(ip + 1) > data_end)
			return REPLY_BROKEN;
		ip->ver_ihl = 0x45;
		ip->tos = 0;
		ip->tot_len = xdpct_htons((__u16)(sizeof(*ip) + tcp_len));
		ip->id = 0;
		ip->frag_off = xdpct_htons(XDPCT_IP4_DF);
		ip->ttl = ttl;
		ip->protocol = XDPCT_IPPROTO_TCP;
		ip->check = 0;
		ip->saddr = pkt->daddr[0];
		ip->daddr = pkt->saddr[0];
		ip->check = xdpct_csum_fold(xdpct_csum_words((const __u32 *)ip, 5, data_end));
		th = (void *)(ip + 1);
	} else {
		struct xdpct_ip6 *ip = data + l3;

		if ((void *)(ip + 1) > data_end)
			return REPLY_BROKEN;
		ip->ver_tc_flow = xdpct_htonl(0x60000000);
		ip->payload_len = xdpct_htons((__u16)tcp_len);
		ip->nexthdr = XDPCT_IPPROTO_TCP;
		ip->hop_limit = ttl;
#pragma unroll
		for (i = 0; i < 4; i++) {
			ip->saddr[i] = pkt->daddr[i];
			ip->daddr[i] = pkt->saddr[i];
		}
		th = (void *)(ip + 1);
	}
	if ((void *)(th + 1) > data_end)
		return REPLY_BROKEN;
	th->sport = pkt->dport;
	th->dport = pkt->sport;
	th->seq = xdpct_htonl(rp->seq);
	th->ack = xdpct_htonl(rp->ack);
	th->doff_res = (__u8)((tcp_len / 4) << 4);
	th->flags = rp->flags;
	th->window = xdpct_htons(rp->window);
	th->check = 0;
	th->urg_ptr = 0;
#pragma unroll
	for (i = 0; i < XDPCT_REPLY_OPT_WORDS; i++) {
		__u32 *o = (__u32 *)(th + 1) + i;

		if (i >= words)
			break;
		if ((void *)(o + 1) > data_end)
			return REPLY_BROKEN;
		*o = rp->opt[i];
	}
	sum = xdpct_csum_pseudo(pkt->saddr, pkt->daddr, pkt->family, tcp_len) +
	      xdpct_csum_words((const __u32 *)th, tcp_len / 4, data_end);
	/* A fresh view of th: clang would reuse a pointer the loop's bound check left unusable. */
	XDPCT_BARRIER_VAR(th);
	if ((void *)(th + 1) > data_end)
		return REPLY_BROKEN;
	th->check = xdpct_csum_fold(sum);
	return REPLY_OK;
}

/* A bare ACK or RST: no options. */
static __always_inline void xdpct_reply_plain(struct xdpct_reply *rp, __u8 flags, __u32 seq,
					      __u32 ack, __u16 window)
{
	__builtin_memset(rp, 0, sizeof(*rp));
	rp->flags = flags;
	rp->seq = seq;
	rp->ack = ack;
	rp->window = window;
}

#endif /* XDPCT_BPF_RESPOND_BUILD_H */
