// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile TCP in bulk through the real XDP program (the single cases are in
 * test_track_flows): blind RSTs and SYNs with random sequence numbers from
 * both sides never close or reset an established flow, nor move its window;
 * an ACK flood for unknown flows creates no entry; data far outside the
 * window is flagged every time. Afterwards the entry still tracks the real
 * connection and the table keeps its invariants.
 */
#include "bpf_env.h"
#include "check.h"
#include "invariants.h"

#define BLIND 50000
#define FLOOD 50000
#define OOW 20000

static struct env E;
static uint64_t rng = 0x2545f4914f6cdd1dULL;
static const struct endpoint CLI = { 4, "198.18.0.1", 40000 };
static const struct endpoint SRV = { 4, "198.18.1.1", 80 };
/* After the handshake (client ISN 1000, server ISN 5000, no data yet). */
#define CLI_NXT 1001u
#define SRV_NXT 5001u

static uint32_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static int run(const struct endpoint *src, const struct endpoint *dst, uint8_t flags, uint32_t seq,
	       uint32_t ack, uint16_t len)
{
	struct frame f;

	frame_tcp(&f, src, dst, flags, seq, ack, len);
	return env_run_xdp(&E, &f);
}

/* The flow as the tracker judges it: states and windows (not the packet counters). */
static int flow_same(const struct xdpct_flow *a, const struct xdpct_flow *b)
{
	int d;

	for (d = 0; d < 2; d++) {
		const struct xdpct_endpoint *x = &a->ep[d], *y = &b->ep[d];

		if (x->isn != y->isn || x->end != y->end || x->maxend != y->maxend ||
		    x->maxwin != y->maxwin || x->fin_seq != y->fin_seq || x->wscale != y->wscale ||
		    x->flags != y->flags || x->state != y->state) {
			printf("  endpoint %d: end %u->%u maxend %u->%u maxwin %u->%u state %u->%u\n", d,
			       x->end, y->end, x->maxend, y->maxend, x->maxwin, y->maxwin, x->state,
			       y->state);
			return 0;
		}
	}
	return a->state == b->state && a->flags == b->flags;
}

static int established(struct xdpct_flow *f)
{
	run(&CLI, &SRV, TCPF_SYN, CLI_NXT - 1, 0, 0);
	run(&SRV, &CLI, TCPF_SYN | TCPF_ACK, SRV_NXT - 1, CLI_NXT, 0);
	run(&CLI, &SRV, TCPF_ACK, CLI_NXT, SRV_NXT, 0);
	return env_flow(&E, &CLI, &SRV, f) || f->state != CT_ESTABLISHED;
}

static void blind_rsts_and_syns_never_close_an_established_flow(void)
{
	static const uint8_t kinds[] = { TCPF_RST, TCPF_RST | TCPF_ACK, TCPF_SYN,
					 TCPF_SYN | TCPF_ACK };
	struct xdpct_flow before, after;
	int i, not_passed = 0, changed = 0, dropped = 0;
	uint64_t inv0;

	REQUIRE(env_open(&E, 1024) == 0, "load the data path");
	REQUIRE(established(&before) == 0, "handshake");
	inv0 = env_counter(&E, CNT_INV_RST_IN_WINDOW) + env_counter(&E, CNT_INV_RST_OUT_OF_WINDOW) +
	       env_counter(&E, CNT_INV_SYN_ON_OPEN) + env_counter(&E, CNT_INV_BAD_SYNACK) +
	       env_counter(&E, CNT_INV_OUT_OF_WINDOW) + env_counter(&E, CNT_INV_UNEXPECTED);
	for (i = 0; i < BLIND; i++) {
		int from_cli = rnd() & 1;
		uint8_t fl = kinds[rnd() % 4];
		uint32_t seq = rnd(), ack = rnd();

		/* Only the exact next sequence number may reset (RFC 5961 3.2): skip it. */
		if (seq == (from_cli ? CLI_NXT : SRV_NXT))
			seq++;
		if ((from_cli ? run(&CLI, &SRV, fl, seq, ack, 0) : run(&SRV, &CLI, fl, seq, ack, 0)) !=
		    XDP_PASS)
			not_passed++;
		if (i % 1000 == 999) {
			if (env_flow(&E, &CLI, &SRV, &after) || !flow_same(&before, &after))
				changed++;
		}
	}
	CHECK_EQ(not_passed, 0, "blind segments not passed under policy pass");
	CHECK_EQ(changed, 0, "checks at which the flow had changed");
	CHECK_EQ(env_counter(&E, CNT_INV_RST_IN_WINDOW) +
			 env_counter(&E, CNT_INV_RST_OUT_OF_WINDOW) +
			 env_counter(&E, CNT_INV_SYN_ON_OPEN) + env_counter(&E, CNT_INV_BAD_SYNACK) +
			 env_counter(&E, CNT_INV_OUT_OF_WINDOW) +
			 env_counter(&E, CNT_INV_UNEXPECTED) + env_counter(&E, CNT_INV_BAD_ACK) -
			 inv0,
		 BLIND, "every blind segment counted invalid");

	/*
	 * Under strict the same segments are dropped, the flow still untouched;
	 * all but those RFC 5961 has the host answer with a challenge ACK (an
	 * in-window RST, a SYN on the open flow): those reach the host.
	 */
	E.cfg.policy = POLICY_STRICT;
	env_set_config(&E);
	inv0 = env_counter(&E, CNT_INV_RST_IN_WINDOW) + env_counter(&E, CNT_INV_SYN_ON_OPEN);
	for (i = 0; i < BLIND / 10; i++) {
		uint32_t seq = rnd();

		if (seq == CLI_NXT)
			seq++;
		dropped += run(&CLI, &SRV, kinds[i % 4], seq, rnd(), 0) == XDP_DROP;
	}
	CHECK_EQ(dropped + env_counter(&E, CNT_INV_RST_IN_WINDOW) +
			 env_counter(&E, CNT_INV_SYN_ON_OPEN) - inv0,
		 BLIND / 10, "strict: blind segments dropped, or challenged by the host");
	CHECK(env_flow(&E, &CLI, &SRV, &after) == 0 && flow_same(&before, &after),
	      "strict: flow unchanged");

	/* The real connection goes on: data both ways is in window and tracked. */
	CHECK_EQ(run(&CLI, &SRV, TCPF_ACK | TCPF_PSH, CLI_NXT, SRV_NXT, 100), XDP_PASS, "client data");
	CHECK_EQ(run(&SRV, &CLI, TCPF_ACK | TCPF_PSH, SRV_NXT, CLI_NXT + 100, 100), XDP_PASS,
		 "server data");
	CHECK(env_flow(&E, &CLI, &SRV, &after) == 0 && after.state == CT_ESTABLISHED,
	      "still established");
	CHECK_EQ(after.ep[DIR_ORIG].end, CLI_NXT + 100, "client's edge follows its real data");
	CHECK_EQ(after.ep[DIR_REPLY].end, SRV_NXT + 100, "server's edge follows its real data");
	/* And its exact RST still closes it. */
	CHECK_EQ(run(&SRV, &CLI, TCPF_RST, SRV_NXT + 100, 0, 0), XDP_PASS, "exact RST passes");
	CHECK(env_flow(&E, &CLI, &SRV, &after) == 0 && after.state == CT_CLOSE, "exact RST closes");
	env_close(&E);
}

static void ack_flood_for_unknown_flows_creates_nothing(void)
{
	static const uint8_t kinds[] = { TCPF_ACK, TCPF_ACK | TCPF_PSH, TCPF_ACK | TCPF_FIN,
					 TCPF_RST, TCPF_SYN | TCPF_ACK };
	const struct inv_opts opts = { .min_ip_len = 40, .single_segs = 1 };
	struct xdpct_flow f;
	struct inv_walk w;
	int i, not_passed = 0;
	uint64_t nf0;

	REQUIRE(env_open(&E, 1024) == 0, "load the data path");
	REQUIRE(established(&f) == 0, "handshake");
	nf0 = env_counter(&E, CNT_INV_NO_FLOW);
	for (i = 0; i < FLOOD; i++) {
		char addr[32];
		struct endpoint src;
		uint32_t r = rnd();

		snprintf(addr, sizeof(addr), "198.19.%u.%u", r >> 24, (r >> 16) & 0xff);
		src = (struct endpoint){ 4, addr, (uint16_t)(1024 + r % 60000) };
		if (run(&src, &SRV, kinds[i % 5], rnd(), rnd(), (i % 5 == 1) ? 100 : 0) != XDP_PASS)
			not_passed++;
	}
	CHECK_EQ(not_passed, 0, "flood segments not passed under policy pass");
	CHECK_EQ(env_flow_count(&E), 1, "entries after the flood (the one real flow)");
	CHECK_EQ(env_counter(&E, CNT_INV_NO_FLOW) - nf0, FLOOD, "each counted as no-flow");
	CHECK_EQ(env_counter(&E, CNT_FLOW_NEW), 1, "flows opened");
	CHECK(env_flow(&E, &CLI, &SRV, &f) == 0 && f.state == CT_ESTABLISHED, "real flow kept");
	CHECK_EQ(inv_walk_tables(E.flows_fd, E.embryos_fd, &opts, &w), 0, "flows breaking an invariant");
	env_close(&E);
}

static void data_far_outside_the_window_is_always_flagged(void)
{
	struct xdpct_flow before, after;
	int i, not_passed = 0;
	uint64_t oow0;

	REQUIRE(env_open(&E, 1024) == 0, "load the data path");
	REQUIRE(established(&before) == 0, "handshake");
	oow0 = env_counter(&E, CNT_INV_OUT_OF_WINDOW);
	for (i = 0; i < OOW; i++) {
		/* Half the sequence space away: beyond any window (at most 2^30). */
		uint32_t off = (1u << 30) + rnd() % (1u << 31);
		int from_cli = i & 1;

		if ((from_cli ? run(&CLI, &SRV, TCPF_ACK | TCPF_PSH, CLI_NXT + off, SRV_NXT, 100)
			      : run(&SRV, &CLI, TCPF_ACK | TCPF_PSH, SRV_NXT + off, CLI_NXT, 100)) !=
		    XDP_PASS)
			not_passed++;
	}
	CHECK_EQ(not_passed, 0, "segments not passed under policy pass");
	CHECK_EQ(env_counter(&E, CNT_INV_OUT_OF_WINDOW) - oow0, OOW, "flagged out of window");
	CHECK(env_flow(&E, &CLI, &SRV, &after) == 0 && flow_same(&before, &after),
	      "flow unchanged by out-of-window data");
	env_close(&E);
}

int main(void)
{
	RUN(blind_rsts_and_syns_never_close_an_established_flow);
	RUN(ack_flood_for_unknown_flows_creates_nothing);
	RUN(data_far_outside_the_window_is_always_flagged);
	return TEST_EXIT();
}
