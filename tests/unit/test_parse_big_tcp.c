// SPDX-License-Identifier: GPL-2.0
/*
 * BIG TCP GSO packets on tc egress (include/xdpct/parse.h): beyond 64 KiB
 * the IPv4 total length and the IPv6 payload length say 0, and the frame's
 * length (skb->len, most of it not readable: a non-linear skb) is the
 * truth. A short frame saying 0 stays malformed.
 */
#include <string.h>
#include <xdpct/tcp_fsm.h>
#include "check.h"
#include "frame.h"

static const struct endpoint a4 = { 4, "198.18.0.1", 40000 }, b4 = { 4, "198.18.0.2", 80 };
static const struct endpoint a6 = { 6, "2001:db8::1", 40000 }, b6 = { 6, "2001:db8::2", 80 };

#define BIG 150000u /* IP datagram bytes the packet stands for */

static int parse(struct frame *f, uint32_t frame_len, struct xdpct_pkt *p)
{
	memset(p, 0, sizeof(*p));
	return xdpct_parse(f->buf, f->buf + f->len, frame_len, p);
}

static void build(struct frame *f, int family, int ip6_ext)
{
	struct seg_spec s = { .flags = TCPF_ACK, .seq = 1000, .ack = 2000, .payload = 0,
			      .wscale = -1, .ip6_ext = ip6_ext, .timestamps = 1 };

	frame_build(f, family == 4 ? &a4 : &a6, family == 4 ? &b4 : &b6, &s);
	put16(f->buf + f->l3 + (family == 4 ? 2 : 4), 0); /* the length field says 0 */
}

static void ipv4_total_length_zero_takes_the_frames(void)
{
	struct xdpct_pkt p;
	struct frame f;

	build(&f, 4, 0);
	REQUIRE(parse(&f, f.l3 + BIG, &p) == PARSE_OK, "parsed");
	CHECK_EQ(p.ip_len, BIG, "ip_len");
	CHECK_EQ(p.payload_len, BIG - 20 - 32, "payload_len");
	CHECK_EQ(p.jumbo_hbh, 0, "no jumbo header in IPv4");
	CHECK_EQ(parse(&f, f.l3 + 0xffff, &p), PARSE_MAL_IP4, "64 KiB or less saying 0");
}

static void ipv6_payload_length_zero_takes_the_frames(void)
{
	struct xdpct_pkt p;
	struct frame f;

	build(&f, 6, 0);
	REQUIRE(parse(&f, f.l3 + 40 + BIG, &p) == PARSE_OK, "parsed");
	CHECK_EQ(p.ip_len, 40 + BIG, "ip_len");
	CHECK_EQ(p.payload_len, BIG - 32, "payload_len");
	CHECK_EQ(p.jumbo_hbh, 0, "no hop-by-hop header");
	CHECK_EQ(parse(&f, f.l3 + 40 + 0xffff, &p), PARSE_MAL_IP6, "64 KiB or less saying 0");
}

/* Kernels before 6.12 put an 8-byte hop-by-hop jumbo header first; segments drop it. */
static void ipv6_jumbo_header_is_not_counted(void)
{
	struct xdpct_flow f = { 0 };
	struct xdpct_pkt p;
	struct frame fr;

	build(&fr, 6, 1); /* hop-by-hop (8 bytes) and destination options (8) */
	REQUIRE(parse(&fr, fr.l3 + 40 + BIG, &p) == PARSE_OK, "parsed");
	CHECK_EQ(p.jumbo_hbh, 8, "jumbo header");
	CHECK_EQ(p.ip_len, 40 + BIG - 8, "ip_len without it");
	CHECK_EQ(p.payload_len, BIG - 16 - 32, "payload_len");
	/* 10 wire segments: each 40 + 8 (destination options) + 32 header bytes. */
	xdpct_flow_count(&f, DIR_ORIG, &p, 10);
	CHECK_EQ(f.ep[DIR_ORIG].bytes, (__u64)p.payload_len + 10 * (40 + 8 + 32), "bytes");
	CHECK_EQ(f.ep[DIR_ORIG].packets, 10, "packets");
}

int main(void)
{
	RUN(ipv4_total_length_zero_takes_the_frames);
	RUN(ipv6_payload_length_zero_takes_the_frames);
	RUN(ipv6_jumbo_header_is_not_counted);
	return TEST_EXIT();
}
