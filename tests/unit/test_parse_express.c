// SPDX-License-Identifier: GPL-2.0
/*
 * The express lane's parser (xdpct_parse_express) is a second parser, so it
 * is held to the first: for every frame it accepts, xdpct_parse() must
 * accept it too and give the same value in every field the express lane
 * fills, and the key the express lane makes (xdpct_flow_key_make4() for
 * IPv4, xdpct_flow_key_make6() from an untagged IPv6 frame's own words)
 * must be the full path's. Frames: every shape the frame builder
 * makes, each also truncated and with random bytes changed.
 */
#include <stdlib.h>
#include <string.h>
#include <xdpct/tcp_fsm.h>
#include "check.h"
#include "frame.h"

#define MUTATIONS 200000

static const struct endpoint a4 = { 4, "198.18.0.1", 40000 }, b4 = { 4, "198.18.0.2", 80 };
static const struct endpoint a6 = { 6, "2001:db8::1", 40000 }, b6 = { 6, "2001:db8::2", 80 };

/* Compare the two parsers on one frame; returns whether express took it. */
static int compare(const uint8_t *buf, uint32_t len)
{
	struct xdpct_pkt full, fast;
	struct xdpct_flow_key kfull, kfast;
	int rc, b_full, b_fast;

	memset(&full, 0, sizeof(full));
	memset(&fast, 0, sizeof(fast));
	rc = xdpct_parse(buf, buf + len, len, &full);
	if (!xdpct_parse_express(buf, buf + len, len, &fast))
		return 0;
	CHECK_EQ(rc, PARSE_OK, "the full parser accepts what the express one does");
	if (rc != PARSE_OK)
		return 1;
	CHECK_EQ(fast.family, full.family, "family");
	CHECK(!memcmp(fast.saddr, full.saddr, sizeof(fast.saddr)), "saddr");
	CHECK(!memcmp(fast.daddr, full.daddr, sizeof(fast.daddr)), "daddr");
	CHECK_EQ(fast.sport, full.sport, "sport");
	CHECK_EQ(fast.dport, full.dport, "dport");
	CHECK_EQ(fast.seq, full.seq, "seq");
	CHECK_EQ(fast.ack, full.ack, "ack");
	CHECK_EQ(fast.window, full.window, "window");
	CHECK_EQ(fast.flags, full.flags, "flags");
	CHECK_EQ(fast.payload_len, full.payload_len, "payload_len");
	CHECK_EQ(fast.ip_len, full.ip_len, "ip_len");
	CHECK_EQ(fast.vlans, full.vlans, "vlans");
	CHECK_EQ(fast.l3_off, full.l3_off, "l3_off");
	CHECK_EQ(fast.l4_off, full.l4_off, "l4_off");
	CHECK_EQ(fast.opt_len, full.opt_len, "opt_len");
	b_full = xdpct_flow_key_make(&full, &kfull);
	/* As bpf/express.h makes it. */
	b_fast = fast.family == 4 ? xdpct_flow_key_make4(&fast, &kfast)
				  : xdpct_flow_key_make(&fast, &kfast);
	CHECK_EQ(b_fast, b_full, "same side");
	CHECK(!memcmp(&kfast, &kfull, sizeof(kfast)), "same key, byte for byte");
	/* An untagged IPv6 frame's own path: addresses not copied, the key from the frame. */
	if (fast.family == 6 && !fast.vlans) {
		struct xdpct_pkt p6;
		__u32 s[4], d[4];

		memset(&p6, 0, sizeof(p6));
		CHECK(xdpct_parse_express_l3_addrs(buf, buf + len, len, xdpct_htons(XDPCT_ETH_P_IPV6),
						   14, &p6, false),
		      "the untagged IPv6 path takes it");
		memcpy(s, buf + 14 + 8, sizeof(s));
		memcpy(d, buf + 14 + 24, sizeof(d));
		CHECK_EQ(xdpct_flow_key_make6(s, d, p6.sport, p6.dport, &kfast), b_full,
			 "same side, untagged IPv6");
		CHECK(!memcmp(&kfast, &kfull, sizeof(kfast)), "same key from the frame, byte for byte");
	}
	return 1;
}

static void frame_of(struct frame *f, int family, int vlans, int ip6_ext, int payload, int opts)
{
	struct seg_spec s = { .flags = TCPF_ACK | TCPF_PSH, .seq = 1000, .ack = 2000,
			      .payload = (uint16_t)payload, .wscale = -1, .vlans = vlans,
			      .ip6_ext = ip6_ext, .timestamps = opts };

	if (family == 4)
		frame_build(f, &a4, &b4, &s);
	else
		frame_build(f, &a6, &b6, &s);
}

/* Plain frames go express, with one VLAN tag too; two tags and IPv6 extension headers do not. */
static void express_takes_plain_frames_only(void)
{
	struct frame f;

	frame_of(&f, 4, 0, 0, 100, 1);
	CHECK(compare(f.buf, f.len), "IPv4 with TCP options");
	frame_of(&f, 6, 0, 0, 0, 0);
	CHECK(compare(f.buf, f.len), "IPv6 ACK");
	frame_of(&f, 4, 1, 0, 10, 0);
	CHECK(compare(f.buf, f.len), "one 802.1Q tag goes express");
	frame_of(&f, 6, 1, 0, 10, 1);
	CHECK(compare(f.buf, f.len), "IPv6 under one tag goes express");
	frame_of(&f, 4, 2, 0, 10, 0);
	CHECK(!compare(f.buf, f.len), "two tags (QinQ) go the full way");
	frame_of(&f, 6, 0, 1, 10, 0);
	CHECK(!compare(f.buf, f.len), "IPv6 extension headers go the full way");
	frame_of(&f, 4, 0, 0, 10, 0);
	f.buf[f.l3] = 0x46; /* IPv4 options */
	CHECK(!compare(f.buf, f.len), "IPv4 with options goes the full way");
	frame_of(&f, 4, 0, 0, 10, 0);
	f.buf[f.l3 + 6] = 0x20; /* more fragments */
	CHECK(!compare(f.buf, f.len), "a fragment goes the full way");
	frame_of(&f, 4, 0, 0, 10, 0);
	f.buf[f.l3 + 6] = 0x40; /* don't fragment */
	CHECK(compare(f.buf, f.len), "DF is a plain frame");
	/* An IPv4 total length beyond the frame: the full parser calls it malformed. */
	frame_of(&f, 4, 0, 0, 10, 0);
	CHECK(!compare(f.buf, f.len - 20), "truncated IPv4");
}

/* Every shape, cut at every length, and mutated at random: never a disagreement. */
static void express_agrees_with_full_parser(void)
{
	unsigned long took = 0, tried = 0;
	struct frame f, m;
	uint32_t cut;
	int shape, i;

	srand(11);
	for (shape = 0; shape < 24 && !t_failed; shape++) {
		frame_of(&f, shape & 1 ? 6 : 4, (shape >> 1) & 1 ? 1 : shape >= 16 ? 2 : 0,
			 (shape >> 2) & 1, shape & 8 ? 300 : 0, (shape >> 2) & 1);
		for (cut = 0; cut <= f.len; cut++, tried++)
			took += (unsigned long)compare(f.buf, cut);
		for (i = 0; i < MUTATIONS / 24 && !t_failed; i++, tried++) {
			int n = 1 + rand() % 4;

			m = f;
			while (n--)
				m.buf[(uint32_t)rand() % m.len] = (uint8_t)rand();
			took += (unsigned long)compare(m.buf, m.len);
		}
	}
	CHECK(took > tried / 10, "the express parser took a fair share");
	printf("  %lu of %lu frames taken by the express parser, all agreed\n", took, tried);
}

/*
 * IPv4 endpoints that differ in their address only (each way round, in
 * the low bit and in the top bit), or only in their ports: every branch
 * of the order, where random frames would almost always decide on the
 * address.
 */
static void express_ipv4_key_orders_like_the_full_path(void)
{
	static const __u32 lo[] = { 0, 1, 0x7fffffff };
	static const __u32 hi[] = { 1, 0x80000000, 0xffffffff };
	int ports, v, swap, pairs = 0;

	for (ports = 0; ports < 2; ports++)
		for (v = 0; v < 3; v++)
			for (swap = 0; swap < 2; swap++) {
				struct xdpct_pkt p = { .family = 4, .sport = 80, .dport = 80 };
				struct xdpct_flow_key k, k4;

				p.saddr[0] = p.daddr[0] = 0x20010db8u;
				if (!ports) {
					p.saddr[0] = swap ? hi[v] : lo[v];
					p.daddr[0] = swap ? lo[v] : hi[v];
				} else {
					p.sport = (__u16)(swap ? 40000 + v : 80 + v);
					p.dport = (__u16)(swap ? 80 + v : 40000 + v);
				}
				CHECK_EQ(xdpct_flow_key_make4(&p, &k4), xdpct_flow_key_make(&p, &k),
					 "same side");
				CHECK(!memcmp(&k4, &k, sizeof(k)), "same key, byte for byte");
				pairs++;
			}
	CHECK_EQ(pairs, 12, "pairs tried");
}

/* Addresses that differ in each word in turn (and the sign bit), or only in the ports. */
static void express_ipv6_key_orders_like_the_full_path(void)
{
	static const __u32 lo[] = { 0, 1, 0x7fffffff };
	static const __u32 hi[] = { 1, 0x80000000, 0xffffffff };
	int word, v, swap, pairs = 0;

	for (word = 0; word < 5; word++)
		for (v = 0; v < 3; v++)
			for (swap = 0; swap < 2; swap++) {
				struct xdpct_pkt p = { .family = 6, .sport = 80, .dport = 80 };
				struct xdpct_flow_key k, k6;
				int i;

				for (i = 0; i < 4; i++)
					p.saddr[i] = p.daddr[i] = 0x20010db8u + (__u32)i;
				if (word < 4) {
					p.saddr[word] = swap ? hi[v] : lo[v];
					p.daddr[word] = swap ? lo[v] : hi[v];
				} else {
					p.sport = (__u16)(swap ? 40000 + v : 80 + v);
					p.dport = (__u16)(swap ? 80 + v : 40000 + v);
				}
				CHECK_EQ(xdpct_flow_key_make6(p.saddr, p.daddr, p.sport, p.dport, &k6),
					 xdpct_flow_key_make(&p, &k), "same side");
				CHECK(!memcmp(&k6, &k, sizeof(k)), "same key, byte for byte");
				pairs++;
			}
	CHECK_EQ(pairs, 30, "pairs tried");
}

int main(void)
{
	RUN(express_takes_plain_frames_only);
	RUN(express_agrees_with_full_parser);
	RUN(express_ipv4_key_orders_like_the_full_path);
	RUN(express_ipv6_key_orders_like_the_full_path);
	return TEST_EXIT();
}
