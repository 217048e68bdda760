// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing through the real programs: frames cut at every length, each
 * header kind (802.1Q, 802.1ad, QinQ, IPv4 options and fragments, IPv6
 * hop-by-hop / routing / destination options up to the bound and
 * fragments, TCP options) and each malformed-header reason. A malformed
 * frame is passed (never XDP_ABORTED), counted once under its reason, and
 * opens no flow; only strict drops it.
 */
#include "track_steps.h"

#define X 1000u
#define Y 5000u

static const struct endpoint C4 = { 4, "198.18.0.1", 40000 };
static const struct endpoint S4 = { 4, "198.18.1.1", 80 };
static const struct endpoint C6 = { 6, "2001:db8::1", 40000 };
static const struct endpoint S6 = { 6, "2001:db8:1::1", 443 };

static struct env E;

/* Back to a fresh table and zero counters without reloading (a load costs ~100 ms). */
static void env_reset(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xdpct_flow_key k;
	__u32 zero = 0;
	void *z = calloc((size_t)ncpu, sizeof(uint64_t) * CNT__MAX);

	while (!bpf_map_get_next_key(E.flows_fd, NULL, &k))
		bpf_map_delete_elem(E.flows_fd, &k);
	while (!bpf_map_get_next_key(E.embryos_fd, NULL, &k))
		bpf_map_delete_elem(E.embryos_fd, &k);
	bpf_map_update_elem(E.counters_fd, &zero, z, BPF_ANY);
	free(z);
	E.cfg.policy = POLICY_PASS;
	env_set_config(&E);
}

/* Bytes of the frame that are the IP datagram's (the rest is Ethernet padding). */
static uint32_t frame_real_len(const struct frame *f)
{
	const uint8_t *ip = f->buf + f->l3;

	if ((ip[0] >> 4) == 4)
		return f->l3 + (uint32_t)(ip[2] << 8 | ip[3]);
	return f->l3 + 40 + (uint32_t)(ip[4] << 8 | ip[5]);
}

/* Insert n bytes at offset `at` of the datagram, fixing the IP length fields. */
static void frame_insert(struct frame *f, uint32_t at, const uint8_t *bytes, uint32_t n)
{
	uint32_t real = frame_real_len(f);
	uint8_t *ip = f->buf + f->l3;

	memmove(f->buf + at + n, f->buf + at, real - at);
	memcpy(f->buf + at, bytes, n);
	real += n;
	memset(f->buf + real, 0, FRAME_MAX - real);
	if ((ip[0] >> 4) == 4)
		put16(ip + 2, (uint16_t)(ip[2] << 8 | (ip[3] + n)));
	else
		put16(ip + 4, (uint16_t)((ip[4] << 8 | ip[5]) + n));
	if (at <= f->l4)
		f->l4 += n;
	f->len = real < 60 ? 60 : real;
}

/* IPv4 options: n bytes (a multiple of 4) of NOPs ending with EOL. */
static void ip4_add_options(struct frame *f, uint32_t n)
{
	uint8_t opts[40];

	memset(opts, 1, n);
	opts[n - 1] = 0;
	frame_insert(f, f->l3 + 20, opts, n);
	f->buf[f->l3] = (uint8_t)(0x40 | (5 + n / 4));
}

/*
 * IPv6 extension headers right after the fixed header, in the order
 * given; the last one's next header is what the fixed header had.
 */
static void ip6_add_ext(struct frame *f, const uint8_t *types, int n)
{
	uint8_t hdrs[8 * 8];
	uint8_t first_next = f->buf[f->l3 + 6];
	int i;

	memset(hdrs, 0, sizeof(hdrs));
	for (i = 0; i < n; i++) {
		hdrs[8 * i] = i + 1 < n ? types[i + 1] : first_next;
		hdrs[8 * i + 1] = 0; /* 8 bytes */
		hdrs[8 * i + 2] = 1; /* PadN */
		hdrs[8 * i + 3] = 4;
	}
	frame_insert(f, f->l3 + 40, hdrs, (uint32_t)(8 * n));
	f->buf[f->l3 + 6] = types[0];
}

/*
 * One destination-options header of n bytes (a multiple of 8) right after
 * the fixed header, padded with PadN options (each at most 257 bytes).
 */
static void ip6_add_dstopts(struct frame *f, uint32_t n)
{
	static uint8_t hdr[1024];
	uint32_t at = 2;

	memset(hdr, 0, sizeof(hdr));
	hdr[0] = f->buf[f->l3 + 6];
	hdr[1] = (uint8_t)(n / 8 - 1);
	while (at < n) {
		uint32_t chunk = n - at > 257 ? 257 : n - at;

		if (chunk == 1) /* Pad1 */
			break;
		if (n - at - chunk == 1) /* leave no single byte behind */
			chunk--;
		hdr[at] = 1;
		hdr[at + 1] = (uint8_t)(chunk - 2);
		at += chunk;
	}
	frame_insert(f, f->l3 + 40, hdr, n);
	f->buf[f->l3 + 6] = XDPCT_IPPROTO_DSTOPTS;
}

static void syn4(struct frame *f, int vlans)
{
	struct seg_spec s = { .flags = TCPF_SYN, .seq = X, .mss = 1460, .wscale = 7, .sack_perm = 1,
			      .timestamps = 1, .tsval = 111, .vlans = vlans };

	frame_build(f, &C4, &S4, &s);
}

static void syn6(struct frame *f, int vlans, int ext)
{
	struct seg_spec s = { .flags = TCPF_SYN, .seq = X, .mss = 1440, .wscale = 9, .sack_perm = 1,
			      .timestamps = 1, .tsval = 222, .vlans = vlans, .ip6_ext = ext };

	frame_build(f, &C6, &S6, &s);
}

/* Counters that must be zero but for the ones named. */
static void check_only(const char *what, int a, uint64_t va, int b, uint64_t vb, int c,
		       uint64_t vc)
{
	char m[200];
	int i;

	for (i = 0; i < CNT__MAX; i++) {
		int id = i == CNT_EMBRYO_OPENED ? CNT_FLOW_NEW : i; /* a SYN opens an embryo */
		uint64_t want = id == a ? va : id == b ? vb : id == c ? vc : 0;

		snprintf(m, sizeof(m), "%s: counter %s", what, xdpct_counter_names[i]);
		CHECK_EQ(env_counter(&E, i), want, m);
	}
}

/* The reason a frame cut at len must be refused for, or -1 when it parses. */
static int cut_reason(const struct frame *f, int vlans, uint32_t len)
{
	uint32_t real = frame_real_len(f);

	if (len < 14)
		return CNT_MAL_ETH;
	if (len < 14 + 4u * (uint32_t)vlans)
		return CNT_MAL_VLAN;
	if (len < real)
		return (f->buf[f->l3] >> 4) == 4 ? CNT_MAL_IP4 : CNT_MAL_IP6;
	return -1;
}

/*
 * Every length from 0 to the whole frame: below 14 bytes the kernel
 * refuses the run (ETH_HLEN), and the shared parser, run here in
 * userspace, calls it malformed Ethernet; from 14 on, the program passes
 * it and counts it under the reason of the header it cuts.
 */
static void cut_everywhere(const struct frame *full, int vlans, const char *name)
{
	uint32_t len;
	char m[200];

	for (len = 0; len <= full->len; len++) {
		struct frame f = *full;
		struct xdpct_pkt pkt;
		int want = cut_reason(full, vlans, len), rc;

		f.len = len;
		memset(&pkt, 0, sizeof(pkt));
		rc = xdpct_parse(f.buf, f.buf + len, len, &pkt);
		snprintf(m, sizeof(m), "%s cut at %u: userspace parse", name, len);
		if (want < 0)
			CHECK_EQ(rc, PARSE_OK, m);
		else
			CHECK_EQ(rc - PARSE_MAL_ETH + CNT_MAL_ETH, want, m);
		env_reset();
		if (len < 14) {
			snprintf(m, sizeof(m), "%s cut at %u: the kernel refuses runs below ETH_HLEN",
				 name, len);
			CHECK_EQ(env_run_xdp(&E, &f), -EINVAL, m);
			continue;
		}
		snprintf(m, sizeof(m), "%s cut at %u: XDP verdict", name, len);
		CHECK_EQ(env_run_xdp(&E, &f), XDP_PASS, m);
		snprintf(m, sizeof(m), "%s cut at %u", name, len);
		if (want >= 0) {
			check_only(m, CNT_PKT_SEEN, 1, want, 1, -1, 0);
			CHECK_EQ(env_flow_count(&E), 0, m);
		} else {
			check_only(m, CNT_PKT_SEEN, 1, CNT_PKT_TCP, 1, CNT_FLOW_NEW, 1);
			CHECK_EQ(env_flow_count(&E), 1, m);
		}
		/*
		 * The tc program runs the same parser. The kernel itself refuses
		 * an skb run whose untagged IP header cannot be pulled.
		 */
		snprintf(m, sizeof(m), "%s cut at %u: tc verdict", name, len);
		CHECK_EQ(env_run_tc(&E, &f),
			 !vlans && len < f.l3 + ((f.buf[f.l3] >> 4) == 4 ? 20u : 40u) ? -EINVAL : 0, m);
		if (t_failed)
			return;
	}
}

static void truncated_at_every_offset(void)
{
	struct frame f;
	struct seg_spec one = { .flags = TCPF_SYN, .seq = X, .wscale = -1, .vlans = 1 };

	REQUIRE(env_open(&E, 64) == 0, "load the data path");
	syn4(&f, 0);
	cut_everywhere(&f, 0, "ipv4 SYN with options");
	syn4(&f, 2);
	cut_everywhere(&f, 2, "ipv4 SYN in two VLAN tags");
	syn6(&f, 2, 1);
	cut_everywhere(&f, 2, "ipv6 SYN, extension headers, two VLAN tags");
	syn4(&f, 0);
	ip4_add_options(&f, 12);
	cut_everywhere(&f, 0, "ipv4 SYN with IP options");
	frame_build(&f, &C4, &S4, &one);
	cut_everywhere(&f, 1, "ipv4 SYN in one tag, padded to 60 bytes");
	env_close(&E);
}

/* Run one frame on a fresh instance; returns the verdict. */
static int fresh_run(const struct frame *f)
{
	if (env_open(&E, 64))
		return -1;
	return env_run_xdp(&E, f);
}

/* One malformed frame: passed, counted once under its reason, no flow; strict drops it. */
static void expect_malformed(const struct frame *f, int reason, const char *what)
{
	char m[200];

	snprintf(m, sizeof(m), "%s: verdict", what);
	CHECK_EQ(fresh_run(f), XDP_PASS, m);
	check_only(what, CNT_PKT_SEEN, 1, reason, 1, -1, 0);
	snprintf(m, sizeof(m), "%s: no flow", what);
	CHECK_EQ(env_flow_count(&E), 0, m);
	E.cfg.policy = POLICY_STRICT;
	env_set_config(&E);
	snprintf(m, sizeof(m), "%s: strict verdict", what);
	CHECK_EQ(env_run_xdp(&E, f), XDP_DROP, m);
	CHECK_EQ(env_counter(&E, CNT_VERDICT_DROP), 1, m);
	env_close(&E);
}

/* One frame that is passed untracked: counted under `reason`, even under strict. */
static void expect_untracked(const struct frame *f, int reason, const char *what)
{
	char m[200];

	snprintf(m, sizeof(m), "%s: verdict", what);
	CHECK_EQ(fresh_run(f), XDP_PASS, m);
	check_only(what, CNT_PKT_SEEN, 1, reason, 1, -1, 0);
	snprintf(m, sizeof(m), "%s: no flow", what);
	CHECK_EQ(env_flow_count(&E), 0, m);
	E.cfg.policy = POLICY_STRICT;
	env_set_config(&E);
	snprintf(m, sizeof(m), "%s: strict passes it too", what);
	CHECK_EQ(env_run_xdp(&E, f), XDP_PASS, m);
	env_close(&E);
}

/* One SYN that must open a flow; returns it through *out. */
static void expect_tracked(const struct frame *f, struct xdpct_flow *out, const char *what)
{
	char m[200];

	snprintf(m, sizeof(m), "%s: verdict", what);
	CHECK_EQ(fresh_run(f), XDP_PASS, m);
	check_only(what, CNT_PKT_SEEN, 1, CNT_PKT_TCP, 1, CNT_FLOW_NEW, 1);
	snprintf(m, sizeof(m), "%s: one flow", what);
	CHECK_EQ(env_flow_count(&E), 1, m);
	if (out) {
		const struct endpoint *c = f->buf[f->l3] >> 4 == 4 ? &C4 : &C6;
		const struct endpoint *s = c == &C4 ? &S4 : &S6;

		memset(out, 0, sizeof(*out));
		CHECK(env_flow(&E, c, s, out) == 0, m);
	}
	env_close(&E);
}

static void vlan_tags(void)
{
	struct frame f;

	syn4(&f, 1);
	expect_tracked(&f, NULL, "802.1Q");
	syn4(&f, 2);
	expect_tracked(&f, NULL, "802.1ad + 802.1Q");
	syn4(&f, 1);
	put16(f.buf + 12, XDPCT_ETH_P_8021AD);
	expect_tracked(&f, NULL, "802.1ad alone");
	syn4(&f, 2);
	put16(f.buf + 12, XDPCT_ETH_P_8021Q);
	expect_tracked(&f, NULL, "802.1Q + 802.1Q");
	syn6(&f, 2, 0);
	expect_tracked(&f, NULL, "ipv6 in two tags");
	/* A third tag is more than the bound: not something we track. */
	syn4(&f, 2);
	{
		uint8_t tag[4] = { 0x81, 0x00, 0x01, 0x2c };

		memmove(f.buf + 22, f.buf + 18, f.len - 18);
		memcpy(f.buf + 18, tag, 4);
		f.len += 4;
		f.l3 += 4;
		f.l4 += 4;
	}
	expect_untracked(&f, CNT_PKT_NOT_TCP, "three tags");
}

static void ipv4_options_and_fragments(void)
{
	struct xdpct_flow fl;
	struct frame f;

	syn4(&f, 0);
	ip4_add_options(&f, 4);
	expect_tracked(&f, &fl, "ipv4 with 4 bytes of options");
	CHECK_EQ(fl.ep[DIR_ORIG].mss, 1460, "TCP options read behind IP options");
	syn4(&f, 1);
	ip4_add_options(&f, 40);
	expect_tracked(&f, &fl, "ipv4 with 40 bytes of options (IHL 15)");
	CHECK_EQ(fl.ep[DIR_ORIG].wscale, 7, "wscale behind IP options");

	syn4(&f, 0);
	f.buf[f.l3 + 6] = 0x20; /* MF */
	expect_untracked(&f, CNT_PKT_FRAG4, "first fragment (MF)");
	syn4(&f, 0);
	f.buf[f.l3 + 7] = 0x10; /* offset 16 * 8 */
	expect_untracked(&f, CNT_PKT_FRAG4, "later fragment");
	syn4(&f, 0);
	f.buf[f.l3 + 6] = 0x40; /* DF alone is no fragment */
	expect_tracked(&f, NULL, "DF set");
	syn4(&f, 0);
	f.buf[f.l3 + 9] = 17;
	expect_untracked(&f, CNT_PKT_NOT_TCP, "UDP");
	syn4(&f, 0);
	put16(f.buf + 12, 0x0806);
	expect_untracked(&f, CNT_PKT_NOT_TCP, "ARP");
}

static void ipv6_extension_headers_and_fragments(void)
{
	static const uint8_t hop = XDPCT_IPPROTO_HOPOPTS, rt = XDPCT_IPPROTO_ROUTING,
			     dst = XDPCT_IPPROTO_DSTOPTS, frag = XDPCT_IPPROTO_FRAGMENT;
	struct xdpct_flow fl;
	struct frame f;

	{
		uint8_t t[] = { hop, rt, dst };

		syn6(&f, 0, 0);
		ip6_add_ext(&f, t, 3);
		expect_tracked(&f, &fl, "hop-by-hop, routing, destination options");
		CHECK_EQ(fl.ep[DIR_ORIG].mss, 1440, "TCP options behind extension headers");
	}
	{
		uint8_t t[] = { hop, dst, rt, dst };

		syn6(&f, 1, 0);
		ip6_add_ext(&f, t, 4);
		expect_tracked(&f, NULL, "four extension headers: the bound");
	}
	{
		uint8_t t[] = { hop, dst, rt, dst, dst };

		syn6(&f, 0, 0);
		ip6_add_ext(&f, t, 5);
		expect_malformed(&f, CNT_MAL_IP6_EXT, "five extension headers: beyond the bound");
	}
	{
		uint8_t t[] = { frag };

		syn6(&f, 0, 0);
		ip6_add_ext(&f, t, 1);
		expect_untracked(&f, CNT_PKT_FRAG6, "fragment header");
	}
	{
		uint8_t t[] = { hop, rt, frag };

		syn6(&f, 2, 0);
		ip6_add_ext(&f, t, 3);
		expect_untracked(&f, CNT_PKT_FRAG6, "fragment header behind others");
	}
	{
		uint8_t t[] = { hop, dst, rt, dst, frag };

		syn6(&f, 0, 0);
		ip6_add_ext(&f, t, 5);
		expect_untracked(&f, CNT_PKT_FRAG6, "fragment header right after the bound");
	}
	{
		uint8_t t[] = { hop, dst, rt, dst };

		syn6(&f, 0, 0);
		f.buf[f.l3 + 6] = 17;
		ip6_add_ext(&f, t, 4);
		expect_untracked(&f, CNT_PKT_NOT_TCP, "UDP behind four extension headers");
	}
	{
		uint8_t t[] = { hop, frag };

		/* Atomic (offset 0, M clear; RFC 6946): the whole datagram, tracked. */
		syn6(&f, 0, 0);
		ip6_add_ext(&f, t, 2);
		f.buf[f.l3 + 48 + 2] = 0, f.buf[f.l3 + 48 + 3] = 0x06; /* reserved bits set */
		expect_tracked(&f, &fl, "atomic fragment");
		CHECK_EQ(fl.ep[DIR_ORIG].wscale, 9, "TCP options behind an atomic fragment header");
		syn6(&f, 0, 0);
		ip6_add_ext(&f, t, 2);
		f.buf[f.l3 + 48 + 2] = 0, f.buf[f.l3 + 48 + 3] = 1; /* M */
		expect_untracked(&f, CNT_PKT_FRAG6, "first fragment (offset 0, M)");
	}
	/*
	 * A large destination-options header: a real stack sends one as a
	 * socket option asks. TCP then starts beyond 512 bytes, which was
	 * once the bound of the options' offset: its SYN was malformed.
	 */
	syn6(&f, 0, 0);
	ip6_add_dstopts(&f, 1024);
	expect_tracked(&f, &fl, "1024 bytes of destination options");
	CHECK_EQ(fl.ep[DIR_ORIG].wscale, 9, "TCP options behind 1024 bytes of extension headers");
	CHECK_EQ(fl.ep[DIR_ORIG].mss, 1440, "and the MSS");

	syn6(&f, 0, 1);
	f.buf[f.l3 + 40 + 1] = 10; /* hop-by-hop claims 88 bytes */
	expect_malformed(&f, CNT_MAL_IP6_EXT, "extension header longer than the payload");
	syn6(&f, 0, 0);
	f.buf[f.l3 + 6] = 17;
	expect_untracked(&f, CNT_PKT_NOT_TCP, "ipv6 UDP");
	syn6(&f, 0, 0);
	f.buf[f.l3 + 6] = 59; /* no next header */
	expect_untracked(&f, CNT_PKT_NOT_TCP, "ipv6 no next header");
}

static void malformed_headers(void)
{
	struct frame f;

	syn4(&f, 0);
	f.buf[f.l3] = 0x44; /* IHL 16 bytes */
	expect_malformed(&f, CNT_MAL_IP4, "IHL below 5");
	syn4(&f, 0);
	f.buf[f.l3] = 0x65; /* version 6 in an IPv4 ethertype */
	expect_malformed(&f, CNT_MAL_IP4, "wrong IP version");
	syn4(&f, 0);
	put16(f.buf + f.l3 + 2, 19);
	expect_malformed(&f, CNT_MAL_IP4, "total length below the header");
	syn4(&f, 0);
	put16(f.buf + f.l3 + 2, 1000);
	expect_malformed(&f, CNT_MAL_IP4, "total length beyond the frame");
	syn4(&f, 0);
	put16(f.buf + f.l3 + 2, 20 + 19);
	expect_malformed(&f, CNT_MAL_TCP, "TCP header cut short by the IP length");
	syn4(&f, 0);
	f.buf[f.l4 + 12] = 0x40; /* data offset 16 bytes */
	expect_malformed(&f, CNT_MAL_TCP, "TCP data offset below 5");
	syn4(&f, 0);
	f.buf[f.l4 + 12] = 0xf0; /* 60 bytes, more than the segment */
	expect_malformed(&f, CNT_MAL_TCP, "TCP data offset beyond the segment");
	syn6(&f, 0, 0);
	put16(f.buf + f.l3 + 4, 0);
	expect_malformed(&f, CNT_MAL_IP6, "ipv6 payload length 0 (jumbogram)");
	syn6(&f, 0, 0);
	f.buf[f.l3] = 0x40;
	expect_malformed(&f, CNT_MAL_IP6, "wrong version in the IPv6 ethertype");
	syn6(&f, 0, 1);
	put16(f.buf + f.l3 + 4, 16 + 10);
	expect_malformed(&f, CNT_MAL_TCP, "ipv6: TCP cut short by the payload length");
	/* Option lengths that do not fit. */
	syn4(&f, 0);
	f.buf[f.l4 + 21] = 1; /* MSS option of length 1 */
	expect_malformed(&f, CNT_MAL_TCP_OPT, "TCP option length 1");
	syn4(&f, 0);
	f.buf[f.l4 + 21] = 40; /* runs past the options */
	expect_malformed(&f, CNT_MAL_TCP_OPT, "TCP option past the header");
}

/* A SYN of C4 to S4 whose TCP options are exactly n bytes (n a multiple of 4), some payload after. */
static void syn_with_options(struct frame *f, const uint8_t *opts, uint32_t n)
{
	struct seg_spec s = { .flags = TCPF_SYN, .seq = X, .wscale = -1, .payload = 8 };

	frame_build(f, &C4, &S4, &s);
	frame_insert(f, f->l4 + 20, opts, n);
	f->buf[f->l4 + 12] = (uint8_t)(((20 + n) / 4) << 4);
}

static void tcp_options_on_syn(void)
{
	struct xdpct_flow fl;
	struct frame f;
	struct seg_spec s = { .flags = TCPF_SYN, .seq = X, .mss = 536, .wscale = 15 };

	syn4(&f, 0);
	expect_tracked(&f, &fl, "SYN with all options");
	CHECK_EQ(fl.ep[DIR_ORIG].mss, 1460, "mss");
	CHECK_EQ(fl.ep[DIR_ORIG].wscale, 7, "wscale");
	CHECK_EQ(fl.ep[DIR_ORIG].flags & (EP_WSCALE | EP_SACK_PERM | EP_TIMESTAMPS),
		 EP_WSCALE | EP_SACK_PERM | EP_TIMESTAMPS, "option flags");
	frame_build(&f, &C4, &S4, &s);
	expect_tracked(&f, &fl, "SYN with MSS and a shift of 15");
	CHECK_EQ(fl.ep[DIR_ORIG].mss, 536, "mss");
	CHECK_EQ(fl.ep[DIR_ORIG].wscale, 14, "RFC 7323: a shift above 14 counts as 14");
	CHECK_EQ(fl.ep[DIR_ORIG].flags & (EP_SACK_PERM | EP_TIMESTAMPS), 0, "no SACK, no TS");
	s.mss = 0;
	s.wscale = -1;
	frame_build(&f, &C4, &S4, &s);
	expect_tracked(&f, &fl, "SYN without options");
	CHECK_EQ(fl.ep[DIR_ORIG].flags & EP_WSCALE, 0, "no wscale");
	/* Unknown options are skipped by their length. */
	syn4(&f, 0);
	f.buf[f.l4 + 20] = 30, f.buf[f.l4 + 21] = 4; /* kind 30 in place of MSS */
	expect_tracked(&f, &fl, "SYN with an unknown option");
	CHECK_EQ(fl.ep[DIR_ORIG].mss, 0, "no mss");
	CHECK_EQ(fl.ep[DIR_ORIG].wscale, 7, "later options still read");
	/*
	 * A middlebox that blanks the timestamps option leaves a run of NOPs
	 * ahead of the window scale: every option byte is read, up to 40.
	 */
	{
		uint8_t blanked[20] = { 2, 4, 0x05, 0xb4, 4, 2 }, nops[40];

		memset(blanked + 6, 1, 11);
		blanked[17] = 3, blanked[18] = 3, blanked[19] = 7;
		syn_with_options(&f, blanked, sizeof(blanked));
		expect_tracked(&f, &fl, "SYN with the timestamps blanked into NOPs");
		CHECK_EQ(fl.ep[DIR_ORIG].mss, 1460, "mss");
		CHECK_EQ(fl.ep[DIR_ORIG].flags & (EP_WSCALE | EP_SACK_PERM), EP_WSCALE | EP_SACK_PERM,
			 "window scale after 11 NOPs");
		CHECK_EQ(fl.ep[DIR_ORIG].wscale, 7, "wscale after 11 NOPs");
		memset(nops, 1, sizeof(nops));
		nops[37] = 3, nops[38] = 3, nops[39] = 9;
		syn_with_options(&f, nops, sizeof(nops));
		expect_tracked(&f, &fl, "SYN with 37 NOPs then the window scale");
		CHECK_EQ(fl.ep[DIR_ORIG].flags & EP_WSCALE, EP_WSCALE, "window scale in the last 3 bytes");
		CHECK_EQ(fl.ep[DIR_ORIG].wscale, 9, "wscale in the last 3 bytes");
		/* An option running past the options' end, into the payload. */
		nops[37] = 30, nops[38] = 4;
		syn_with_options(&f, nops, sizeof(nops));
		expect_malformed(&f, CNT_MAL_TCP_OPT, "option of 4 bytes at byte 37 of 40");
	}
}

int main(void)
{
	RUN(truncated_at_every_offset);
	RUN(vlan_tags);
	RUN(ipv4_options_and_fragments);
	RUN(ipv6_extension_headers_and_fragments);
	RUN(malformed_headers);
	RUN(tcp_options_on_syn);
	return TEST_EXIT();
}
