/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny frame builder for tests: Ethernet, optional VLAN tags, IPv4 or
 * IPv6 (with optional extension headers), TCP with optional options and
 * payload, correct lengths and checksums.
 */
#ifndef XDPCT_TEST_FRAME_H
#define XDPCT_TEST_FRAME_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <xdpct/parse.h>

#define FRAME_MAX 2048

struct endpoint {
	int family;     /* 4 or 6 */
	const char *addr;
	uint16_t port;
};

struct frame {
	uint8_t buf[FRAME_MAX];
	uint32_t len;
	uint32_t l3, l4; /* offsets, for tests that poke at headers */
};

/* What goes into one segment beyond addresses: all optional but flags. */
struct seg_spec {
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t window;      /* default 64240 */
	uint16_t payload;     /* bytes of payload */
	uint16_t mss;         /* MSS option when nonzero */
	int wscale;           /* window-scale option when >= 0 (set -1 for none) */
	int sack_perm;
	int timestamps;
	uint32_t tsval, tsecr;
	int vlans;            /* 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) */
	int ip6_ext;          /* IPv6: hop-by-hop + destination options headers */
};

static inline uint16_t csum_fold32(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

/* The TCP checksum over the pseudo-header, computed independently of xdpct. */
static inline uint16_t frame_tcp_csum(const struct frame *f, int family)
{
	uint32_t sum = 0, tcplen;
	const uint8_t *ip = f->buf + f->l3;

	if (family == 4) {
		tcplen = (uint32_t)(ip[2] << 8 | ip[3]) - (uint32_t)((ip[0] & 0xf) * 4);
		sum = csum_add(sum, ip + 12, 8);
		sum += 6 + tcplen;
	} else {
		tcplen = f->len - f->l4;
		sum = csum_add(sum, ip + 8, 32);
		sum += 6 + tcplen;
	}
	sum = csum_add(sum, f->buf + f->l4, tcplen);
	return csum_fold32(sum);
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void frame_build(struct frame *f, const struct endpoint *src,
			       const struct endpoint *dst, const struct seg_spec *s)
{
	uint8_t *p = f->buf, opts[40];
	uint32_t off = 0, optlen = 0, tcplen, i;
	uint16_t csum;

	memset(f, 0, sizeof(*f));
	/* Ethernet: locally administered MACs, src 02:..:01, dst 02:..:02. */
	memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	off = 12;
	if (s->vlans >= 2) {
		put16(p + off, XDPCT_ETH_P_8021AD);
		put16(p + off + 2, 100);
		off += 4;
	}
	if (s->vlans >= 1) {
		put16(p + off, XDPCT_ETH_P_8021Q);
		put16(p + off + 2, 200);
		off += 4;
	}
	put16(p + off, src->family == 4 ? XDPCT_ETH_P_IP : XDPCT_ETH_P_IPV6);
	off += 2;
	f->l3 = off;

	if (s->mss) {
		opts[optlen++] = 2, opts[optlen++] = 4;
		put16(opts + optlen, s->mss), optlen += 2;
	}
	if (s->sack_perm)
		opts[optlen++] = 4, opts[optlen++] = 2;
	if (s->timestamps) {
		opts[optlen++] = 8, opts[optlen++] = 10;
		put32(opts + optlen, s->tsval), optlen += 4;
		put32(opts + optlen, s->tsecr), optlen += 4;
	}
	if (s->wscale >= 0 && (s->flags & TCPF_SYN)) {
		opts[optlen++] = 1;
		opts[optlen++] = 3, opts[optlen++] = 3, opts[optlen++] = (uint8_t)s->wscale;
	}
	while (optlen % 4)
		opts[optlen++] = 0;
	tcplen = 20 + optlen + s->payload;

	if (src->family == 4) {
		p[off] = 0x45;
		put16(p + off + 2, (uint16_t)(20 + tcplen));
		p[off + 8] = 64;
		p[off + 9] = 6;
		inet_pton(AF_INET, src->addr, p + off + 12);
		inet_pton(AF_INET, dst->addr, p + off + 16);
		csum = csum_fold32(csum_add(0, p + off, 20));
		put16(p + off + 10, csum);
		off += 20;
	} else {
		uint32_t ext = s->ip6_ext ? 16 : 0;

		p[off] = 0x60;
		put16(p + off + 4, (uint16_t)(tcplen + ext));
		p[off + 6] = s->ip6_ext ? XDPCT_IPPROTO_HOPOPTS : 6;
		p[off + 7] = 64;
		inet_pton(AF_INET6, src->addr, p + off + 8);
		inet_pton(AF_INET6, dst->addr, p + off + 24);
		off += 40;
		if (s->ip6_ext) {
			/* Hop-by-hop (8 bytes of PadN) then destination options (8 bytes). */
			p[off] = XDPCT_IPPROTO_DSTOPTS, p[off + 1] = 0, p[off + 2] = 1, p[off + 3] = 4;
			off += 8;
			p[off] = 6, p[off + 1] = 0, p[off + 2] = 1, p[off + 3] = 4;
			off += 8;
		}
	}
	f->l4 = off;
	put16(p + off, src->port);
	put16(p + off + 2, dst->port);
	put32(p + off + 4, s->seq);
	put32(p + off + 8, s->ack);
	p[off + 12] = (uint8_t)(((20 + optlen) / 4) << 4);
	p[off + 13] = s->flags;
	put16(p + off + 14, s->window ? s->window : 64240);
	memcpy(p + off + 20, opts, optlen);
	for (i = 0; i < s->payload; i++)
		p[off + 20 + optlen + i] = (uint8_t)('a' + i % 26);
	f->len = off + tcplen;
	put16(p + f->l4 + 16, frame_tcp_csum(f, src->family));
	/* Ethernet minimum, as a real NIC pads. */
	if (f->len < 60)
		f->len = 60;
}

/* Shorthand for the common case: flags, seq, ack, payload bytes. */
static inline void frame_tcp(struct frame *f, const struct endpoint *src,
			     const struct endpoint *dst, uint8_t flags, uint32_t seq, uint32_t ack,
			     uint16_t payload)
{
	struct seg_spec s = { .flags = flags, .seq = seq, .ack = ack, .payload = payload,
			      .wscale = -1 };

	frame_build(f, src, dst, &s);
}

#endif /* XDPCT_TEST_FRAME_H */
