/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ethernet / 802.1Q / 802.1ad / IPv4 / IPv6 / TCP parsing into one segment
 * description. No BPF helpers: the XDP and tc programs, the unit tests and
 * the fuzzer run this very code. Every read is checked against data_end
 * right where it happens; lengths are checked against frame_len, which is
 * the whole frame (for a non-linear skb data_end only covers the head).
 */
#ifndef XDPCT_PARSE_H
#define XDPCT_PARSE_H

#include "types.h"

#define XDPCT_ETH_P_IP 0x0800
#define XDPCT_ETH_P_IPV6 0x86DD
#define XDPCT_ETH_P_8021Q 0x8100
#define XDPCT_ETH_P_8021AD 0x88A8
#define XDPCT_IPPROTO_HOPOPTS 0
#define XDPCT_IPPROTO_TCP 6
#define XDPCT_IPPROTO_ROUTING 43
#define XDPCT_IPPROTO_FRAGMENT 44
#define XDPCT_IPPROTO_DSTOPTS 60

/* 802.1ad outer tag plus one 802.1Q inner tag: QinQ as carriers use it. */
#define XDPCT_MAX_VLAN_TAGS 2
/* Hop-by-hop, routing, destination options: a real stack sends at most a few. */
#define XDPCT_MAX_IPV6_EXT 4
/*
 * TCP options fill at most 40 bytes, and each step of the option walk
 * consumes at least one: 40 steps read them all, even when a middlebox
 * blanked an option into a run of NOPs ahead of the window scale.
 */
#define XDPCT_MAX_TCP_OPT_BYTES 40

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20
#define TCPF_ECE 0x40
#define TCPF_CWR 0x80

/* Which TCP options a SYN carried (struct xdpct_pkt.opts). */
enum {
	OPT_MSS = 1 << 0,
	OPT_WSCALE = 1 << 1,
	OPT_SACK_PERM = 1 << 2,
	OPT_TIMESTAMPS = 1 << 3,
};

enum xdpct_parse_rc {
	PARSE_OK = 0,
	PARSE_NOT_TCP,   /* not IP, or IP but not TCP: passed untouched */
	PARSE_FRAG4,     /* fragments are counted and passed, not tracked */
	PARSE_FRAG6,
	PARSE_MAL_ETH,
	PARSE_MAL_VLAN,
	PARSE_MAL_IP4,
	PARSE_MAL_IP6,
	PARSE_MAL_IP6_EXT,
	PARSE_MAL_TCP,
	PARSE_MAL_TCP_OPT,
};

/* One TCP segment as the tracker needs it. Addresses and ports stay in network order. */
struct xdpct_pkt {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport;
	__u16 dport;
	__u32 seq; /* host order from here on */
	__u32 ack;
	/* Beyond 64 KiB only in a BIG TCP GSO packet (tc egress): 32 bits. */
	__u32 payload_len; /* TCP payload bytes */
	__u32 ip_len;      /* IP datagram length, what conntrack counts as bytes */
	__u16 window;      /* unscaled, as on the wire */
	__u16 l3_off;      /* offset of the IP header in the frame */
	__u16 l4_off;      /* offset of the TCP header */
	__u16 mss;
	__u32 tsval;
	__u32 tsecr;
	__u8 family; /* 4 or 6 */
	__u8 flags;  /* TCPF_* */
	__u8 opts;   /* OPT_*, filled for SYN segments only */
	__u8 wscale;
	__u8 vlans;  /* tags seen */
	__u8 opt_len; /* bytes of TCP options after the fixed header */
	__u8 jumbo_hbh; /* a BIG TCP packet's hop-by-hop jumbo header: its segments carry none */
	__u8 pad[1];
};

XDPCT_INLINE __u16 xdpct_ntohs(__u16 v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap16(v);
#else
	return v;
#endif
}

XDPCT_INLINE __u32 xdpct_ntohl(__u32 v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

#define xdpct_htons xdpct_ntohs
#define xdpct_htonl xdpct_ntohl

/* Wire layouts we read; our own so that BPF and userspace agree on them. */
struct xdpct_eth {
	__u8 dst[6];
	__u8 src[6];
	__u16 proto;
};

struct xdpct_vlan {
	__u16 tci;
	__u16 proto;
};

struct xdpct_ip4 {
	__u8 ver_ihl;
	__u8 tos;
	__u16 tot_len;
	__u16 id;
	__u16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__u16 check;
	__u32 saddr;
	__u32 daddr;
};

struct xdpct_ip6 {
	__u32 ver_tc_flow;
	__u16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u32 saddr[4];
	__u32 daddr[4];
};

struct xdpct_ip6_ext {
	__u8 nexthdr;
	__u8 hdrlen; /* in 8-octet units, not counting the first 8 */
};

struct xdpct_tcp {
	__u16 sport;
	__u16 dport;
	__u32 seq;
	__u32 ack;
	__u8 doff_res; /* data offset in the high nibble */
	__u8 flags;
	__u16 window;
	__u16 check;
	__u16 urg_ptr;
};

#define XDPCT_IP4_MF 0x2000
#define XDPCT_IP4_OFFSET 0x1fff

/*
 * The TCP header's offset bounds the options' pointer for the verifier,
 * which takes no packet offset beyond 64 KiB (MAX_PACKET_OFF): the header
 * and its 40 option bytes must end below it. IPv6 extension headers may
 * put TCP far in (a destination-options header alone may be 2 KiB):
 * 512, the bound this once was, took the SYNs of real connections with
 * 464 bytes of them for malformed.
 */
#define XDPCT_MAX_L4_OFF (0xffff - 64)

/*
 * Options matter only on SYN and SYN+ACK (MSS, window scale, SACK-permitted,
 * timestamps) and on FIN (its timestamp, for RFC 6191), so only those
 * segments pay for this walk (and the responder's answers): xdpct_parse()
 * leaves it to the caller (xdpct_parse_syn_options()). In BPF it runs as a
 * separately verified function, so its branches do not multiply with the
 * tracker's.
 */
XDPCT_INLINE int xdpct_parse_tcp_options(const __u8 *opt, const void *data_end,
					 __u32 len, struct xdpct_pkt *pkt)
{
	/*
	 * The walk reads a copy on the stack, zero-padded past the longest
	 * option that can start at its last byte, and ended by a zero (end
	 * of options) at len. So the walk compares its offset with constants
	 * only: the verifier then tells few states apart. Walking the frame
	 * with len as the bound, each step's packet range and len's range
	 * made new states, and 20 steps cost it 0.7M instructions.
	 */
	__u32 words[(XDPCT_MAX_TCP_OPT_BYTES + 12) / 4] = {};
	__u8 *buf = (__u8 *)words, opts_before = pkt->opts;
	__u32 off = 0, i;

	if (len > XDPCT_MAX_TCP_OPT_BYTES)
		return PARSE_MAL_TCP_OPT;
	/* Options come in 32-bit words (the data offset counts them): copied so. */
	XDPCT_NO_UNROLL
	for (i = 0; i < XDPCT_MAX_TCP_OPT_BYTES / 4; i++) {
		if ((const void *)(opt + 4 * i + 4) > data_end)
			break;
		__builtin_memcpy(&words[i], opt + 4 * i, 4);
	}
	if (4 * i < len)
		return PARSE_MAL_TCP_OPT;
	buf[len] = 0;
	/* Each step moves off on by one byte at least: 40 steps at most. */
	XDPCT_NO_UNROLL
	while (off < XDPCT_MAX_TCP_OPT_BYTES) {
		__u8 kind = buf[off], olen;

		if (kind == 0) /* end of option list, or len reached */
			break;
		if (kind == 1) { /* no-op */
			off++;
			continue;
		}
		olen = buf[off + 1];
		if (olen < 2)
			break;
		if (kind == 2 && olen == 4) {
			pkt->mss = (__u16)(buf[off + 2] << 8 | buf[off + 3]);
			pkt->opts |= OPT_MSS;
		} else if (kind == 3 && olen == 3) {
			/* RFC 7323 2.3: a shift above 14 is used as 14. */
			pkt->wscale = buf[off + 2] > 14 ? 14 : buf[off + 2];
			pkt->opts |= OPT_WSCALE;
		} else if (kind == 4 && olen == 2) {
			pkt->opts |= OPT_SACK_PERM;
		} else if (kind == 8 && olen == 10) {
			pkt->tsval = (__u32)buf[off + 2] << 24 | (__u32)buf[off + 3] << 16 |
				     (__u32)buf[off + 4] << 8 | buf[off + 5];
			pkt->tsecr = (__u32)buf[off + 6] << 24 | (__u32)buf[off + 7] << 16 |
				     (__u32)buf[off + 8] << 8 | buf[off + 9];
			pkt->opts |= OPT_TIMESTAMPS;
		}
		off += olen;
	}
	/*
	 * An option shorter than 2 bytes, or one running past len (the walk
	 * then read on into the padding): the options are malformed, and what
	 * they seemed to say is forgotten.
	 */
	if (off > len || (off < len && buf[off] != 0)) {
		pkt->opts = opts_before;
		return PARSE_MAL_TCP_OPT;
	}
	return PARSE_OK;
}

XDPCT_INLINE int xdpct_parse_tcp(const void *data, const void *data_end, __u32 off,
				 __u32 l4_len, struct xdpct_pkt *pkt)
{
	const struct xdpct_tcp *th = (const struct xdpct_tcp *)((const __u8 *)data + off);
	__u32 hlen;

	if ((const void *)(th + 1) > data_end || l4_len < sizeof(*th))
		return PARSE_MAL_TCP;
	hlen = (__u32)(th->doff_res >> 4) * 4;
	if (hlen < sizeof(*th) || hlen > l4_len)
		return PARSE_MAL_TCP;
	pkt->l4_off = (__u16)off;
	pkt->sport = th->sport;
	pkt->dport = th->dport;
	pkt->seq = xdpct_ntohl(th->seq);
	pkt->ack = xdpct_ntohl(th->ack);
	pkt->window = xdpct_ntohs(th->window);
	pkt->flags = th->flags;
	pkt->payload_len = l4_len - hlen;
	pkt->opt_len = (__u8)(hlen - sizeof(*th));
	return PARSE_OK;
}

XDPCT_INLINE int xdpct_parse_ip4(const void *data, const void *data_end, __u32 off,
				 __u32 frame_len, struct xdpct_pkt *pkt)
{
	const struct xdpct_ip4 *iph = (const struct xdpct_ip4 *)((const __u8 *)data + off);
	__u32 ihl, tot;

	if ((const void *)(iph + 1) > data_end)
		return PARSE_MAL_IP4;
	ihl = (__u32)(iph->ver_ihl & 0x0f) * 4;
	tot = xdpct_ntohs(iph->tot_len);
	/* BIG TCP: a GSO packet beyond 64 KiB says 0, its length is the frame's. */
	if (tot == 0 && frame_len > off + 0xffff)
		tot = frame_len - off;
	if ((iph->ver_ihl >> 4) != 4 || ihl < sizeof(*iph) || tot < ihl || off + tot > frame_len)
		return PARSE_MAL_IP4;
	if (xdpct_ntohs(iph->frag_off) & (XDPCT_IP4_MF | XDPCT_IP4_OFFSET))
		return PARSE_FRAG4;
	if (iph->protocol != XDPCT_IPPROTO_TCP)
		return PARSE_NOT_TCP;
	pkt->family = 4;
	pkt->l3_off = (__u16)off;
	pkt->ip_len = tot;
	pkt->saddr[0] = iph->saddr;
	pkt->daddr[0] = iph->daddr;
	return xdpct_parse_tcp(data, data_end, off + ihl, tot - ihl, pkt);
}

XDPCT_INLINE int xdpct_parse_ip6(const void *data, const void *data_end, __u32 off,
				 __u32 frame_len, struct xdpct_pkt *pkt)
{
	const struct xdpct_ip6 *ip6 = (const struct xdpct_ip6 *)((const __u8 *)data + off);
	__u32 plen, ext_len = 0;
	bool jumbo = false;
	__u8 next;
	int i;

	if ((const void *)(ip6 + 1) > data_end)
		return PARSE_MAL_IP6;
	plen = xdpct_ntohs(ip6->payload_len);
	/*
	 * Payload length 0: a jumbogram (RFC 2675), as BIG TCP GSO packets
	 * beyond 64 KiB are (with a hop-by-hop jumbo option on kernels before
	 * 6.12, skipped below as any extension header): the length is the
	 * frame's. A shorter frame saying 0 is malformed.
	 */
	if (plen == 0 && frame_len > off + sizeof(*ip6) + 0xffff) {
		plen = frame_len - off - (__u32)sizeof(*ip6);
		jumbo = true;
	}
	if ((((const __u8 *)ip6)[0] >> 4) != 6 || plen == 0 ||
	    off + sizeof(*ip6) + plen > frame_len)
		return PARSE_MAL_IP6;
	pkt->family = 6;
	pkt->l3_off = (__u16)off;
	pkt->ip_len = plen + (__u32)sizeof(*ip6);
	for (i = 0; i < 4; i++) {
		pkt->saddr[i] = ip6->saddr[i];
		pkt->daddr[i] = ip6->daddr[i];
	}
	off += sizeof(*ip6);
	next = ip6->nexthdr;
	for (i = 0; i < XDPCT_MAX_IPV6_EXT; i++) {
		const struct xdpct_ip6_ext *ext;
		__u32 len;

		if (next == XDPCT_IPPROTO_TCP)
			return xdpct_parse_tcp(data, data_end, off, plen - ext_len, pkt);
		if (next != XDPCT_IPPROTO_HOPOPTS && next != XDPCT_IPPROTO_ROUTING &&
		    next != XDPCT_IPPROTO_DSTOPTS && next != XDPCT_IPPROTO_FRAGMENT)
			return PARSE_NOT_TCP;
		ext = (const struct xdpct_ip6_ext *)((const __u8 *)data + off);
		if ((const void *)((const __u8 *)ext + 4) > data_end)
			return PARSE_MAL_IP6_EXT;
		if (next == XDPCT_IPPROTO_FRAGMENT) {
			/*
			 * A fragment, unless it is an atomic one (offset 0, no
			 * more fragments: RFC 6946), which is the whole
			 * datagram and which the host takes as such: then an
			 * 8-byte header like any other.
			 */
			if (((const __u8 *)ext)[2] | (((const __u8 *)ext)[3] & 0xf9))
				return PARSE_FRAG6;
			len = 8;
		} else {
			len = ((__u32)ext->hdrlen + 1) * 8;
		}
		if (ext_len + len > plen)
			return PARSE_MAL_IP6_EXT;
		/*
		 * The kernel's jumbo header (8 bytes, first): segmentation drops
		 * it, so neither the bytes counted nor each segment's headers
		 * include it (xdpct_flow_count()).
		 */
		if (jumbo && i == 0 && next == XDPCT_IPPROTO_HOPOPTS && len == 8) {
			pkt->jumbo_hbh = 8;
			pkt->ip_len -= 8;
		}
		next = ext->nexthdr;
		ext_len += len;
		off += len;
	}
	if (next == XDPCT_IPPROTO_TCP)
		return xdpct_parse_tcp(data, data_end, off, plen - ext_len, pkt);
	if (next == XDPCT_IPPROTO_FRAGMENT)
		return PARSE_FRAG6;
	/*
	 * More extension headers than any real stack sends: count, do not
	 * track; under strict drop, as what they hide may be TCP. Whatever
	 * else comes after the bound is not TCP and passes.
	 */
	if (next == XDPCT_IPPROTO_HOPOPTS || next == XDPCT_IPPROTO_ROUTING ||
	    next == XDPCT_IPPROTO_DSTOPTS)
		return PARSE_MAL_IP6_EXT;
	return PARSE_NOT_TCP;
}

/*
 * The options of a parsed SYN or SYN+ACK, into pkt; of a FIN too, whose
 * timestamp a later SYN into TIME-WAIT is judged by (xdpct_fin_tsval()).
 */
XDPCT_INLINE int xdpct_parse_syn_options(const void *data, const void *data_end,
					 struct xdpct_pkt *pkt)
{
	__u32 off = pkt->l4_off;

	if (!(pkt->flags & (TCPF_SYN | TCPF_FIN)) || !pkt->opt_len)
		return PARSE_OK;
	if (off > XDPCT_MAX_L4_OFF)
		return PARSE_MAL_TCP_OPT;
	return xdpct_parse_tcp_options((const __u8 *)data + off + sizeof(struct xdpct_tcp),
				       data_end, pkt->opt_len, pkt);
}

/*
 * Parse one frame; on PARSE_OK pkt describes a TCP segment (options not
 * yet read: see xdpct_parse_syn_options()).
 */
XDPCT_INLINE int xdpct_parse(const void *data, const void *data_end, __u32 frame_len,
			     struct xdpct_pkt *pkt)
{
	const struct xdpct_eth *eth = (const struct xdpct_eth *)data;
	__u32 off = sizeof(*eth);
	__u16 proto;
	int i;

	if ((const void *)(eth + 1) > data_end || frame_len < sizeof(*eth))
		return PARSE_MAL_ETH;
	proto = eth->proto;
	for (i = 0; i < XDPCT_MAX_VLAN_TAGS; i++) {
		const struct xdpct_vlan *vh;

		if (proto != xdpct_htons(XDPCT_ETH_P_8021Q) &&
		    proto != xdpct_htons(XDPCT_ETH_P_8021AD))
			break;
		vh = (const struct xdpct_vlan *)((const __u8 *)data + off);
		if ((const void *)(vh + 1) > data_end)
			return PARSE_MAL_VLAN;
		proto = vh->proto;
		off += sizeof(*vh);
		pkt->vlans++;
	}
	if (proto == xdpct_htons(XDPCT_ETH_P_IP))
		return xdpct_parse_ip4(data, data_end, off, frame_len, pkt);
	if (proto == xdpct_htons(XDPCT_ETH_P_IPV6))
		return xdpct_parse_ip6(data, data_end, off, frame_len, pkt);
	return PARSE_NOT_TCP;
}

/*
 * The express lane's parser (bpf/express.h): the common frame only, in
 * few instructions. Ethernet with at most one VLAN tag (a trunk port, or
 * a veth a VLAN device sits on); IPv4 without options and not a fragment,
 * or IPv6 without extension headers; TCP. It fills what the key and the
 * established fast step read: addresses (for IPv4 only the first word),
 * ports, seq, ack, window, flags, payload_len, ip_len, vlans, l3_off,
 * l4_off and opt_len. Anything else returns false, and the full path
 * parses with xdpct_parse(), which for every frame accepted here gives the
 * same values (tests/unit/test_parse_express.c).
 */
/*
 * addrs false: IPv6 addresses are left out of pkt (the express lane's
 * untagged IPv6 frame makes its key from the frame's own words).
 */
XDPCT_INLINE bool xdpct_parse_express_l3_addrs(const void *data, const void *data_end,
					       __u32 frame_len, __u16 proto, __u32 l3_off,
					       struct xdpct_pkt *pkt, bool addrs)
{
	__u32 l4_off, l4_len;

	if (proto == xdpct_htons(XDPCT_ETH_P_IP)) {
		const struct xdpct_ip4 *iph = (const struct xdpct_ip4 *)((const __u8 *)data + l3_off);
		__u32 tot;

		if ((const void *)(iph + 1) > data_end || iph->ver_ihl != 0x45 ||
		    iph->protocol != XDPCT_IPPROTO_TCP ||
		    (iph->frag_off & xdpct_htons(XDPCT_IP4_MF | XDPCT_IP4_OFFSET)))
			return false;
		tot = xdpct_ntohs(iph->tot_len);
		if (tot < sizeof(*iph) || l3_off + tot > frame_len)
			return false;
		pkt->family = 4;
		pkt->ip_len = tot;
		pkt->saddr[0] = iph->saddr;
		pkt->daddr[0] = iph->daddr;
		l4_off = l3_off + sizeof(*iph);
		l4_len = tot - sizeof(*iph);
	} else if (proto == xdpct_htons(XDPCT_ETH_P_IPV6)) {
		const struct xdpct_ip6 *ip6 = (const struct xdpct_ip6 *)((const __u8 *)data + l3_off);
		int i;

		if ((const void *)(ip6 + 1) > data_end || (((const __u8 *)ip6)[0] >> 4) != 6 ||
		    ip6->nexthdr != XDPCT_IPPROTO_TCP)
			return false;
		l4_len = xdpct_ntohs(ip6->payload_len);
		if (l3_off + sizeof(*ip6) + l4_len > frame_len)
			return false;
		pkt->family = 6;
		pkt->ip_len = l4_len + (__u32)sizeof(*ip6);
		for (i = 0; i < 4 && addrs; i++) {
			pkt->saddr[i] = ip6->saddr[i];
			pkt->daddr[i] = ip6->daddr[i];
		}
		l4_off = l3_off + sizeof(*ip6);
	} else {
		return false;
	}
	pkt->l3_off = (__u16)l3_off;
	pkt->jumbo_hbh = 0;
	/* The TCP header as the full parser reads it. */
	return xdpct_parse_tcp(data, data_end, l4_off, l4_len, pkt) == PARSE_OK;
}

XDPCT_INLINE bool xdpct_parse_express_l3(const void *data, const void *data_end, __u32 frame_len,
					 __u16 proto, __u32 l3_off, struct xdpct_pkt *pkt)
{
	return xdpct_parse_express_l3_addrs(data, data_end, frame_len, proto, l3_off, pkt, true);
}

XDPCT_INLINE bool xdpct_parse_express(const void *data, const void *data_end, __u32 frame_len,
				      struct xdpct_pkt *pkt)
{
	const struct xdpct_eth *eth = (const struct xdpct_eth *)data;
	const struct xdpct_vlan *vh = (const struct xdpct_vlan *)(eth + 1);

	if ((const void *)(eth + 1) > data_end)
		return false;
	/*
	 * Untagged first, with constant offsets: the tag is looked for only
	 * in a frame that was not taken without one.
	 */
	pkt->vlans = 0;
	if (xdpct_parse_express_l3(data, data_end, frame_len, eth->proto, sizeof(*eth), pkt))
		return true;
	if ((eth->proto != xdpct_htons(XDPCT_ETH_P_8021Q) &&
	     eth->proto != xdpct_htons(XDPCT_ETH_P_8021AD)) ||
	    (const void *)(vh + 1) > data_end)
		return false;
	pkt->vlans = 1;
	return xdpct_parse_express_l3(data, data_end, frame_len, vh->proto, sizeof(*eth) + sizeof(*vh),
				      pkt);
}

#endif /* XDPCT_PARSE_H */
