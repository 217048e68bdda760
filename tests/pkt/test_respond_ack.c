// SPDX-License-Identifier: GPL-2.0
/*
 * Answers on known flows through the real XDP program: the ACK for a FIN
 * retransmitted into TIME-WAIT, and RFC 5961 challenge ACKs with their
 * rate limit. Every field that matters is checked, checksums recomputed.
 */
#include "bpf_env.h"
#include "check.h"
#include "reply.h"

static struct env E;
static const struct endpoint CLIENT = { 4, "198.18.0.1", 40000 };
static const struct endpoint SERVER = { 4, "198.18.1.1", 80 };
static const struct endpoint CLIENT6 = { 6, "2001:db8::1", 40000 };
static const struct endpoint SERVER6 = { 6, "2001:db8:1::1", 80 };

#define X 1000u /* client ISN */
#define Y 5000u /* server ISN */
#define HZ 250

static int load(uint32_t flags, uint32_t per_sec)
{
	if (env_open(&E, 1024))
		return -1;
	E.cfg.flags = flags;
	E.cfg.hz = HZ;
	E.cfg.ttl = 0; /* unset: the default, 64 */
	E.cfg.challenge_ack_per_sec = per_sec;
	return env_set_config(&E);
}

static int send_seg(const struct endpoint *src, const struct endpoint *dst, uint8_t flags,
		    uint32_t seq, uint32_t ack, uint16_t len)
{
	struct frame fr;

	frame_tcp(&fr, src, dst, flags, seq, ack, len);
	return env_run_xdp(&E, &fr);
}

static int handshake(const struct endpoint *c, const struct endpoint *s)
{
	return send_seg(c, s, TCPF_SYN, X, 0, 0) != XDP_PASS ||
	       send_seg(s, c, TCPF_SYN | TCPF_ACK, Y, X + 1, 0) != XDP_PASS ||
	       send_seg(c, s, TCPF_ACK, X + 1, Y + 1, 0) != XDP_PASS;
}

/* A bare ACK from `from` to `to`, seq/ack/window as given. */
static void check_ack(const struct endpoint *from, const struct endpoint *to, uint32_t seq,
		      uint32_t ack, uint16_t window, int opt_words)
{
	struct reply r;

	REQUIRE(reply_parse(E.out, E.out_len, &r) == 0, "the answer parses as TCP");
	CHECK(!memcmp(r.dst_mac, "\x02\x00\x00\x00\x00\x01", 6), "dst MAC swapped");
	CHECK(!memcmp(r.src_mac, "\x02\x00\x00\x00\x00\x02", 6), "src MAC swapped");
	CHECK_STR(r.src, from->addr, "source address");
	CHECK_STR(r.dst, to->addr, "destination address");
	CHECK_EQ(r.sport, from->port, "source port");
	CHECK_EQ(r.dport, to->port, "destination port");
	CHECK_EQ(r.ttl, 64, "default TTL / hop limit");
	CHECK_EQ(r.flags, TCPF_ACK, "flags: ACK only");
	CHECK_EQ(r.seq, seq, "seq");
	CHECK_EQ(r.ack, ack, "ack");
	CHECK_EQ(r.window, window, "window");
	CHECK_EQ(r.doff, 5 + opt_words, "header length");
	CHECK_EQ(E.out_len, r.l4 + 20 + 4u * (unsigned)opt_words, "frame length");
	CHECK(r.ip_csum_ok, "IPv4 header checksum");
	CHECK(r.tcp_csum_ok, "TCP checksum with pseudo-header");
}

/* Client closes first; the server's final FIN is acked: client TIME-WAIT. */
static int close_to_time_wait(const struct endpoint *c, const struct endpoint *s)
{
	return send_seg(c, s, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0) != XDP_PASS ||
	       send_seg(s, c, TCPF_ACK, Y + 1, X + 2, 0) != XDP_PASS ||
	       send_seg(s, c, TCPF_FIN | TCPF_ACK, Y + 1, X + 2, 0) != XDP_PASS ||
	       send_seg(c, s, TCPF_ACK, X + 2, Y + 2, 0) != XDP_PASS;
}

static void fin_into_time_wait_is_acked_again(void)
{
	struct xdpct_flow f;

	REQUIRE(load(CFG_TW_REACK, 1000) == 0, "load, TIME-WAIT re-ACK on");
	REQUIRE(handshake(&CLIENT, &SERVER) == 0, "handshake");
	REQUIRE(close_to_time_wait(&CLIENT, &SERVER) == 0, "close");
	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow");
	REQUIRE(f.ep[DIR_ORIG].state == TCP_S_TIME_WAIT, "client in TIME-WAIT");
	REQUIRE(env_set_time(&E, 5000) == 0, "time passes");

	/* The final ACK was lost: the server sends FIN w again. */
	CHECK_EQ(send_seg(&SERVER, &CLIENT, TCPF_FIN | TCPF_ACK, Y + 1, X + 2, 0), XDP_TX,
		 "the retransmitted FIN is answered");
	/* From the TIME-WAIT side: seq u+1, ack w+1, its window. */
	check_ack(&CLIENT, &SERVER, X + 2, Y + 2, 64240, 0);
	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow");
	CHECK_EQ(f.tw_start, 5000, "2MSL restarted");
	CHECK_EQ(f.ep[DIR_REPLY].state, TCP_S_CLOSED, "our re-ACK closed the server's LAST-ACK");
	CHECK_EQ(f.ep[DIR_ORIG].state, TCP_S_TIME_WAIT, "the client stays in TIME-WAIT");
	CHECK_EQ(f.state, CT_TIME_WAIT, "flow TIME_WAIT");
	CHECK_EQ(env_counter(&E, CNT_RESP_TW_REACK), 1, "responder_time_wait_reack");
	env_close(&E);
}

static void reack_echoes_timestamps_and_works_for_ipv6(void)
{
	struct seg_spec sp = { .flags = TCPF_FIN | TCPF_ACK, .seq = Y + 1, .ack = X + 2,
			       .wscale = -1, .timestamps = 1, .tsval = 70000, .tsecr = 90000 };
	struct reply r;
	struct frame fr;

	REQUIRE(load(CFG_TW_REACK, 1000) == 0, "load, TIME-WAIT re-ACK on");
	REQUIRE(handshake(&CLIENT6, &SERVER6) == 0, "handshake");
	REQUIRE(close_to_time_wait(&CLIENT6, &SERVER6) == 0, "close");
	frame_build(&fr, &SERVER6, &CLIENT6, &sp);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "the retransmitted FIN is answered");
	check_ack(&CLIENT6, &SERVER6, X + 2, Y + 2, 64240, 3);
	REQUIRE(reply_parse(E.out, E.out_len, &r) == 0, "parses");
	CHECK_EQ(r.ip_len, 32, "IPv6 payload length");
	CHECK(!memcmp(r.opts, "\x01\x01\x08\x0a", 4), "NOP, NOP, timestamps");
	/* Our tsval is what the peer echoed (it holds it as recent: PAWS passes). */
	CHECK_EQ(get32(r.opts + 4), 90000, "tsval: the FIN's tsecr");
	CHECK_EQ(get32(r.opts + 8), 70000, "tsecr: the FIN's tsval");
	env_close(&E);
}

static void reack_off_passes_the_fin(void)
{
	REQUIRE(load(0, 1000) == 0, "load, responder off");
	REQUIRE(handshake(&CLIENT, &SERVER) == 0, "handshake");
	REQUIRE(close_to_time_wait(&CLIENT, &SERVER) == 0, "close");
	CHECK_EQ(send_seg(&SERVER, &CLIENT, TCPF_FIN | TCPF_ACK, Y + 1, X + 2, 0), XDP_PASS,
		 "the host answers it itself");
	CHECK_EQ(env_counter(&E, CNT_RESP_TW_REACK), 0, "nothing sent");
	env_close(&E);
}

static void in_window_rst_gets_a_challenge_ack(void)
{
	REQUIRE(load(CFG_CHALLENGE_ACK, 1000) == 0, "load, challenge ACKs on");
	REQUIRE(handshake(&CLIENT, &SERVER) == 0, "handshake");
	REQUIRE(send_seg(&CLIENT, &SERVER, TCPF_ACK | TCPF_PSH, X + 1, Y + 1, 100) == XDP_PASS,
		"client sends 100 bytes");
	REQUIRE(send_seg(&SERVER, &CLIENT, TCPF_ACK, Y + 1, X + 101, 0) == XDP_PASS,
		"the server acks them");
	/* 300 more the server has not acked: they may still be on their way, or lost. */
	REQUIRE(send_seg(&CLIENT, &SERVER, TCPF_ACK | TCPF_PSH, X + 101, Y + 1, 300) == XDP_PASS,
		"client sends 300 more");
	/* RFC 5961 3.2: in the window, not the next sequence number. */
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_RST, X + 500, 0, 0), XDP_TX,
		 "in-window RST is answered");
	/*
	 * The server's <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>: up to what the
	 * server acked, never the 300 bytes it may not have (acked in its name,
	 * the client would never send them again).
	 */
	check_ack(&SERVER, &CLIENT, Y + 1, X + 101, 64240, 0);
	CHECK_EQ(env_counter(&E, CNT_RESP_CHALLENGE), 1, "responder_challenge_ack");

	/* RFC 5961 4.2: a SYN on a synchronized connection (half a second on: one a receiver). */
	REQUIRE(env_set_time(&E, 1000 + HZ / 2) == 0, "half a second later");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_SYN, 123456, 0, 0), XDP_TX, "SYN is answered");
	check_ack(&SERVER, &CLIENT, Y + 1, X + 101, 64240, 0);

	/* The server's side too: an in-window RST towards the client. */
	CHECK_EQ(send_seg(&SERVER, &CLIENT, TCPF_RST, Y + 300, 0, 0), XDP_TX,
		 "in-window RST from the server side is answered");
	check_ack(&CLIENT, &SERVER, X + 401, Y + 1, 64240, 0);

	/* The exact RST is no attack: it closes the flow, unanswered. */
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_RST, X + 101, 0, 0), XDP_PASS, "exact RST passes");
	CHECK_EQ(env_counter(&E, CNT_RESP_CHALLENGE), 3, "three challenges in all");
	env_close(&E);
}

/*
 * A challenge ACK carries no timestamps: it answers a SYN or RST anyone who
 * knows the 4-tuple can send, and its tsval, taken from their tsecr, would
 * become the peer's ts_recent: PAWS would then drop the receiver's own
 * segments, and the connection would stall.
 */
static void challenge_ack_takes_no_timestamp_from_the_segment(void)
{
	struct seg_spec sp = { .flags = TCPF_SYN, .seq = 424242, .wscale = -1, .timestamps = 1,
			       .tsval = 1, .tsecr = 0x7fff0000 };
	struct frame fr;

	__u32 port = SERVER.port;
	__u8 protected = PORT_PROTECTED;
	int round;

	for (round = 0; round < 2; round++) {
		REQUIRE(load(CFG_CHALLENGE_ACK, 1000) == 0, "load, challenge ACKs on");
		/* On a protected port too, where the responder has the segment saved whole. */
		if (round)
			REQUIRE(bpf_map_update_elem(bpf_map__fd(E.skel->maps.ports), &port,
						    &protected, BPF_ANY) == 0,
				"protect the server's port");
		REQUIRE(handshake(&CLIENT, &SERVER) == 0, "handshake");
		sp.flags = TCPF_SYN;
		sp.seq = 424242;
		frame_build(&fr, &CLIENT, &SERVER, &sp);
		CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "the SYN with timestamps is challenged");
		check_ack(&SERVER, &CLIENT, Y + 1, X + 1, 64240, 0);
		REQUIRE(env_set_time(&E, 1000 + HZ / 2) == 0, "half a second later");
		sp.flags = TCPF_RST;
		sp.seq = X + 100;
		frame_build(&fr, &CLIENT, &SERVER, &sp);
		CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX,
			 "the in-window RST with timestamps is challenged");
		check_ack(&SERVER, &CLIENT, Y + 1, X + 1, 64240, 0);
		env_close(&E);
	}
}

/*
 * A challenge ACK advertises the receiver's window as it last stood: the
 * client fills the server's 64240 bytes, the server acks them all with a
 * zero window, and a SYN's challenge must not open it again.
 */
static void challenge_ack_keeps_a_zero_window(void)
{
	struct frame fr;
	uint32_t i, end = X + 1 + 44 * 1460;

	REQUIRE(load(CFG_CHALLENGE_ACK, 1000) == 0, "load, challenge ACKs on");
	REQUIRE(handshake(&CLIENT, &SERVER) == 0, "handshake");
	for (i = 0; i < 44; i++)
		REQUIRE(send_seg(&CLIENT, &SERVER, TCPF_ACK, X + 1 + i * 1460, Y + 1, 1460) ==
				XDP_PASS,
			"client fills the window");
	frame_build(&fr, &SERVER, &CLIENT,
		    &(struct seg_spec){ .flags = TCPF_ACK, .seq = Y + 1, .ack = end, .wscale = -1 });
	fr.buf[fr.l4 + 14] = fr.buf[fr.l4 + 15] = 0; /* window 0 */
	fr.buf[fr.l4 + 16] = fr.buf[fr.l4 + 17] = 0;
	put16(fr.buf + fr.l4 + 16, frame_tcp_csum(&fr, 4));
	REQUIRE(env_run_xdp(&E, &fr) == XDP_PASS, "the server acks all with a zero window");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_SYN, 123456, 0, 0), XDP_TX, "SYN is answered");
	check_ack(&SERVER, &CLIENT, Y + 1, end, 0, 0);
	env_close(&E);
}

/* One challenge ACK per receiver per half second, as Linux limits each socket. */
static void challenge_acks_are_limited_per_receiver(void)
{
	REQUIRE(load(CFG_CHALLENGE_ACK, 1000) == 0, "load, 1000 challenge ACKs a second in all");
	REQUIRE(handshake(&CLIENT, &SERVER) == 0, "handshake");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_RST, X + 10, 0, 0), XDP_TX, "first");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_SYN, 777, 0, 0), XDP_PASS,
		 "a second for the same receiver within half a second: the policy's verdict (pass)");
	CHECK_EQ(env_counter(&E, CNT_RESP_RATE_LIMITED), 1, "responder_rate_limited");
	CHECK_EQ(send_seg(&SERVER, &CLIENT, TCPF_RST, Y + 10, 0, 0), XDP_TX,
		 "the other end has its own");
	REQUIRE(env_set_time(&E, 1000 + HZ / 2) == 0, "half a second later");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_RST, X + 11, 0, 0), XDP_TX, "again");
	E.cfg.policy = POLICY_STRICT;
	REQUIRE(env_set_config(&E) == 0, "strict");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_RST, X + 12, 0, 0), XDP_DROP,
		 "limited under strict: dropped");
	CHECK_EQ(env_counter(&E, CNT_RESP_CHALLENGE), 3, "three sent");
	CHECK_EQ(env_counter(&E, CNT_RESP_RATE_LIMITED), 2, "two limited");
	env_close(&E);
}

/*
 * All flows together get at most challenge-ack-rate a second, each answer
 * drawing a random half to one and a half of the bucket's one-a-second
 * tokens: with 2 a second, 40 flows at one instant get 1 to 4 answers
 * (never a count an attacker could read another flow's draw from).
 */
static void challenge_acks_are_rate_limited_in_all(void)
{
	struct endpoint c[40];
	int i, round, tx, total = 0, seen[5] = { 0 }, counts = 0;

	REQUIRE(load(CFG_CHALLENGE_ACK, 2) == 0, "load, 2 challenge ACKs a second");
	for (i = 0; i < 40; i++) {
		c[i] = CLIENT;
		c[i].port = (uint16_t)(41000 + i);
		REQUIRE(handshake(&c[i], &SERVER) == 0, "handshake");
	}
	for (round = 0; round < 20; round++) {
		REQUIRE(env_set_time(&E, 1000 + (uint64_t)round * 2 * HZ) == 0, "two seconds on");
		for (i = 0, tx = 0; i < 40; i++)
			tx += send_seg(&c[i], &SERVER, TCPF_RST, X + 10, 0, 0) == XDP_TX;
		CHECK(tx >= 1 && tx <= 4, "1 to 4 of 40 answered at once");
		if (tx >= 1 && tx <= 4 && !seen[tx]++)
			counts++;
		total += tx;
	}
	/* A fixed cost gave 2 every time (P of one count in all 20 rounds < 1e-5). */
	CHECK(counts >= 2, "the count of answers varies from round to round");
	CHECK_EQ(env_counter(&E, CNT_RESP_CHALLENGE), total, "counted as sent");
	CHECK_EQ(env_counter(&E, CNT_RESP_RATE_LIMITED), 800 - total, "the rest counted as limited");
	env_close(&E);
}

static void challenge_off_leaves_the_verdict(void)
{
	REQUIRE(load(0, 1000) == 0, "load, responder off");
	REQUIRE(handshake(&CLIENT, &SERVER) == 0, "handshake");
	CHECK_EQ(send_seg(&CLIENT, &SERVER, TCPF_RST, X + 10, 0, 0), XDP_PASS, "passes");
	CHECK_EQ(env_counter(&E, CNT_RESP_CHALLENGE), 0, "nothing sent");
	env_close(&E);
}

int main(void)
{
	RUN(fin_into_time_wait_is_acked_again);
	RUN(reack_echoes_timestamps_and_works_for_ipv6);
	RUN(reack_off_passes_the_fin);
	RUN(in_window_rst_gets_a_challenge_ack);
	RUN(challenge_ack_takes_no_timestamp_from_the_segment);
	RUN(challenge_ack_keeps_a_zero_window);
	RUN(challenge_acks_are_limited_per_receiver);
	RUN(challenge_acks_are_rate_limited_in_all);
	RUN(challenge_off_leaves_the_verdict);
	return TEST_EXIT();
}
