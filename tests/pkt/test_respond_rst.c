// SPDX-License-Identifier: GPL-2.0
/*
 * Policy reject through the real XDP program: segments of no flow on a
 * protected port get a RST built as RFC 9293 3.10.7.1 says, field by
 * field; RSTs are never answered; other ports and SYNs keep their course.
 */
#include "bpf_env.h"
#include "check.h"
#include "reply.h"

static struct env E;
static const struct endpoint CLIENT = { 4, "198.18.0.1", 40000 };
static const struct endpoint SERVER = { 4, "198.18.1.1", 22 };
static const struct endpoint CLIENT6 = { 6, "2001:db8::1", 40000 };
static const struct endpoint SERVER6 = { 6, "2001:db8:1::1", 22 };

static int load(uint32_t flags)
{
	__u32 port = 22;
	__u8 v = PORT_PROTECTED;

	if (env_open(&E, 1024))
		return -1;
	E.cfg.policy = POLICY_REJECT;
	E.cfg.flags = flags;
	E.cfg.ttl = 200;
	if (env_set_config(&E))
		return -1;
	return bpf_map_update_elem(bpf_map__fd(E.skel->maps.ports), &port, &v, BPF_ANY);
}

static int send_seg(const struct endpoint *src, const struct endpoint *dst, uint8_t flags,
		    uint32_t seq, uint32_t ack, uint16_t len)
{
	struct frame fr;

	frame_tcp(&fr, src, dst, flags, seq, ack, len);
	return env_run_xdp(&E, &fr);
}

static void check_rst(const struct endpoint *c, const struct endpoint *s, uint8_t flags,
		      uint32_t seq, uint32_t ack)
{
	struct reply r;

	REQUIRE(reply_parse(E.out, E.out_len, &r) == 0, "the answer parses as TCP");
	CHECK(!memcmp(r.dst_mac, "\x02\x00\x00\x00\x00\x01", 6), "dst MAC swapped");
	CHECK(!memcmp(r.src_mac, "\x02\x00\x00\x00\x00\x02", 6), "src MAC swapped");
	CHECK_STR(r.src, s->addr, "from the server's address");
	CHECK_STR(r.dst, c->addr, "to the client's");
	CHECK_EQ(r.sport, s->port, "source port");
	CHECK_EQ(r.dport, c->port, "destination port");
	CHECK_EQ(r.ttl, 200, "TTL / hop limit from config");
	CHECK_EQ(r.flags, flags, "flags");
	CHECK_EQ(r.seq, seq, "seq");
	CHECK_EQ(r.ack, ack, "ack");
	CHECK_EQ(r.window, 0, "window");
	CHECK_EQ(r.doff, 5, "no options");
	CHECK_EQ(E.out_len, r.l4 + 20, "no payload: the segment's data is gone");
	CHECK(r.ip_csum_ok, "IPv4 header checksum");
	CHECK(r.tcp_csum_ok, "TCP checksum with pseudo-header");
}

static void ack_of_no_flow_gets_rst_seq_seg_ack(void)
{
	REQUIRE(load(0) == 0, "load, policy reject, port 22 protected");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_ACK | TCPF_PSH, 5555, 7777, 300), XDP_TX,
		 "data of no flow is answered");
	/* ACK on: <SEQ=SEG.ACK><CTL=RST>. */
	check_rst(&CLIENT, &SERVER, TCPF_RST, 7777, 0);
	CHECK_EQ(env_flow_count(&E), 0, "no flow opened");
	CHECK_EQ(env_counter(&E, CNT_RESP_RST), 1, "responder_rst");
	env_close(&E);
}

/*
 * Neither ACK nor SYN (a FIN, null or Xmas scan): a listening socket drops
 * it unanswered (RFC 9293 3.10.7.2), and so does reject.
 */
static void segments_without_ack_are_dropped_unanswered(void)
{
	REQUIRE(load(0) == 0, "load");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_FIN | TCPF_PSH, 5555, 0, 10), XDP_DROP,
		 "FIN without ACK: dropped");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, 0, 5555, 0, 0), XDP_DROP, "no flags at all: dropped");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_FIN | TCPF_PSH | 0x20, 5555, 0, 0), XDP_DROP,
		 "FIN, PSH, URG (Xmas): dropped");
	CHECK_EQ(send_seg(&CLIENT6, &SERVER6, TCPF_PSH, 9999, 0, 20), XDP_DROP,
		 "IPv6 segment without ACK: dropped");
	CHECK_EQ(env_counter(&E, CNT_RESP_RST), 0, "no RST sent");
	/* None is a valid flag set for TCP (netfilter's tcp_valid_flags): invalid before any flow. */
	CHECK_EQ(env_counter(&E, CNT_INV_BAD_FLAGS), 4, "each counted as bad flags");
	env_close(&E);
}

static void rst_syn_and_other_ports_keep_their_course(void)
{
	struct endpoint other = { 4, "198.18.1.1", 8080 };
	struct xdpct_flow f;

	REQUIRE(load(0) == 0, "load");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_RST, 5555, 0, 0), XDP_DROP,
		 "a RST is never answered (dropped: reject is strict)");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_RST | TCPF_ACK, 5555, 1, 0), XDP_DROP,
		 "nor a RST+ACK");
	CHECK_EQ(send_seg(&CLIENT, &other, TCPF_ACK, 5555, 7777, 0), XDP_DROP,
		 "unprotected port: dropped, unanswered");
	CHECK_EQ(env_counter(&E, CNT_RESP_RST), 0, "no RST sent");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_SYN, 5555, 0, 0), XDP_PASS,
		 "a SYN (cookies off) opens a flow as usual");
	CHECK(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow opened");
	env_close(&E);
}

static void bad_cookie_ack_under_reject_gets_rst(void)
{
	REQUIRE(load(CFG_SYNCOOKIES) == 0, "load, cookies on");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_ACK, 5555, 7777, 0), XDP_TX,
		 "an ACK that returns no cookie is answered");
	check_rst(&CLIENT, &SERVER, TCPF_RST, 7777, 0);
	CHECK_EQ(env_counter(&E, CNT_RESP_COOKIE_BAD), 1, "counted as a bad cookie");
	CHECK_EQ(env_counter(&E, CNT_RESP_RST), 1, "and a RST");
	E.cfg.policy = POLICY_STRICT;
	REQUIRE(env_set_config(&E) == 0, "strict");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_ACK, 5555, 7777, 0), XDP_DROP,
		 "under strict it is dropped");
	E.cfg.policy = POLICY_PASS;
	REQUIRE(env_set_config(&E) == 0, "pass");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_ACK, 5555, 7777, 0), XDP_DROP,
		 "and under pass too: cookies are on");
	CHECK_EQ(env_counter(&E, CNT_RESP_COOKIE_BAD), 3, "three bad cookies");
	env_close(&E);
}

/*
 * Nothing is answered to or from a group address (RFC 1122 4.2.3.10):
 * multicast or broadcast IPs, or a group MAC on a unicast IP. Under
 * reject such a segment is dropped as one of no flow, and no RST is sent;
 * with cookies on, neither is a SYN answered.
 */
static void group_addresses_get_no_answer(void)
{
	static const struct endpoint BCAST = { 4, "255.255.255.255", 22 };
	static const struct endpoint MCAST = { 4, "224.0.0.1", 22 };
	static const struct endpoint MCAST_SRC = { 4, "239.1.2.3", 40000 };
	static const struct endpoint MCAST6 = { 6, "ff02::1", 22 };
	struct frame fr;
	int v;

	REQUIRE(load(CFG_SYNCOOKIES) == 0, "load, reject and cookies");
	v = send_seg(&CLIENT, &BCAST, TCPF_ACK, 100, 200, 0);
	CHECK(v != XDP_TX, "an ACK to 255.255.255.255 gets no RST");
	v = send_seg(&CLIENT, &MCAST, TCPF_SYN, 100, 0, 0);
	CHECK(v != XDP_TX, "a SYN to 224.0.0.1 gets no SYN+ACK");
	v = send_seg(&MCAST_SRC, &SERVER, TCPF_SYN, 100, 0, 0);
	CHECK(v != XDP_TX, "a SYN from 239.1.2.3 gets no SYN+ACK");
	v = send_seg(&CLIENT6, &MCAST6, TCPF_ACK, 100, 200, 0);
	CHECK(v != XDP_TX, "an ACK to ff02::1 gets no RST");
	/* Unicast addresses in a frame sent to the broadcast MAC. */
	frame_tcp(&fr, &CLIENT, &SERVER, TCPF_ACK, 100, 200, 0);
	memset(fr.buf, 0xff, 6);
	v = env_run_xdp(&E, &fr);
	CHECK(v != XDP_TX, "an ACK sent to ff:ff:ff:ff:ff:ff gets no RST");
	/* Martians, which Linux drops before TCP: loopback, 0/8, v4-mapped, to itself. */
	{
		static const struct endpoint LO_SRC = { 4, "127.0.0.1", 40000 };
		static const struct endpoint LO_DST = { 4, "127.0.0.1", 22 };
		static const struct endpoint ZERO8 = { 4, "0.1.2.3", 40000 };
		static const struct endpoint SELF = { 4, "198.18.1.1", 40000 };
		static const struct endpoint LO6 = { 6, "::1", 40000 };
		static const struct endpoint MAPPED = { 6, "::ffff:198.18.0.1", 40000 };
		static const struct endpoint SELF6 = { 6, "2001:db8:1::1", 40000 };

		CHECK(send_seg(&LO_SRC, &SERVER, TCPF_ACK, 100, 200, 0) != XDP_TX,
		      "an ACK from 127.0.0.1 gets no RST");
		CHECK(send_seg(&CLIENT, &LO_DST, TCPF_SYN, 100, 0, 0) != XDP_TX,
		      "a SYN to 127.0.0.1 gets no SYN+ACK");
		CHECK(send_seg(&ZERO8, &SERVER, TCPF_SYN, 100, 0, 0) != XDP_TX,
		      "a SYN from 0.1.2.3 gets no SYN+ACK");
		CHECK(send_seg(&SELF, &SERVER, TCPF_ACK, 100, 200, 0) != XDP_TX,
		      "an ACK from the destination's own address gets no RST");
		CHECK(send_seg(&LO6, &SERVER6, TCPF_ACK, 100, 200, 0) != XDP_TX,
		      "an ACK from ::1 gets no RST");
		CHECK(send_seg(&MAPPED, &SERVER6, TCPF_SYN, 100, 0, 0) != XDP_TX,
		      "a SYN from ::ffff:198.18.0.1 gets no SYN+ACK");
		CHECK(send_seg(&SELF6, &SERVER6, TCPF_ACK, 100, 200, 0) != XDP_TX,
		      "an IPv6 ACK from the destination's own address gets no RST");
	}
	CHECK_EQ(env_counter(&E, CNT_RESP_RST), 0, "no RST sent");
	CHECK_EQ(env_counter(&E, CNT_RESP_SYNCOOKIE), 0, "no SYN+ACK sent");
	/* Link-local sources are answered, as Linux answers them. */
	{
		static const struct endpoint LL6 = { 6, "fe80::1", 40000 };

		CHECK_EQ(send_seg(&LL6, &SERVER6, TCPF_ACK, 100, 200, 0), XDP_TX,
			 "an ACK from fe80::1 gets its RST");
	}
	/* The same unicast ACK to the host's own MAC is answered: the check is not blanket. */
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_ACK, 100, 200, 0), XDP_TX, "unicast gets its RST");
	env_close(&E);
}

int main(void)
{
	RUN(ack_of_no_flow_gets_rst_seq_seg_ack);
	RUN(segments_without_ack_are_dropped_unanswered);
	RUN(rst_syn_and_other_ports_keep_their_course);
	RUN(bad_cookie_ack_under_reject_gets_rst);
	RUN(group_addresses_get_no_answer);
	return TEST_EXIT();
}
