// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile and broken input through the real data path: well over 100,000
 * frames through the XDP and tc programs with BPF_PROG_TEST_RUN, a mix of
 * plausible conversations (a model keeps each direction's next sequence
 * number, so handshakes, data, closes and resets happen), the same frames
 * mutated (bytes flipped, cut short, headers overwritten) and random bytes.
 * The verdict is never XDP_ABORTED, and afterwards every entry of the real
 * flow map satisfies tests/lib/invariants.h and the counters add up.
 *
 * XDPCT_RANDOM_SEED=N replays one run; the seed is printed on failure.
 */
#include <time.h>
#include "bpf_env.h"
#include "check.h"
#include "invariants.h"
#include "reply.h"

#define PAIRS 48
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

static struct env E;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fast, and a seed replays a run exactly. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

struct pair {
	struct endpoint ep[2]; /* [0] the client, [1] the server */
	char addr[2][64];
	uint32_t isn[2], nxt[2];
};

static struct pair P[PAIRS];

static void pairs_init(void)
{
	int i;

	for (i = 0; i < PAIRS; i++) {
		struct pair *p = &P[i];
		int v6 = i % 3 == 2;

		if (v6) {
			snprintf(p->addr[0], sizeof(p->addr[0]), "2001:db8::%x", 0x100 + i);
			snprintf(p->addr[1], sizeof(p->addr[1]), "2001:db8:1::%x", 1 + i % 4);
		} else {
			snprintf(p->addr[0], sizeof(p->addr[0]), "198.18.0.%d", 1 + i);
			snprintf(p->addr[1], sizeof(p->addr[1]), "198.18.1.%d", 1 + i % 4);
		}
		/* Some clients sort above their server: both key orders occur. */
		if (i % 4 == 3) {
			char t[64];

			memcpy(t, p->addr[0], sizeof(t));
			memcpy(p->addr[0], p->addr[1], sizeof(t));
			memcpy(p->addr[1], t, sizeof(t));
		}
		p->ep[0] = (struct endpoint){ v6 ? 6 : 4, p->addr[0], (uint16_t)(40000 + i) };
		p->ep[1] = (struct endpoint){ v6 ? 6 : 4, p->addr[1], (uint16_t)(i % 2 ? 443 : 80) };
		p->isn[0] = (uint32_t)rnd();
		p->isn[1] = (uint32_t)rnd();
		p->nxt[0] = p->isn[0];
		p->nxt[1] = p->isn[1];
	}
}

/* A segment a real peer might send next, often enough the right one. */
static void plausible(struct frame *f)
{
	static const uint8_t kinds[] = {
		TCPF_SYN, TCPF_SYN | TCPF_ACK, TCPF_ACK, TCPF_ACK, TCPF_ACK | TCPF_PSH,
		TCPF_ACK | TCPF_PSH, TCPF_FIN | TCPF_ACK, TCPF_RST, TCPF_RST | TCPF_ACK,
		TCPF_ACK | TCPF_ECE | TCPF_CWR,
	};
	struct pair *p = &P[rnd_below(PAIRS)];
	struct seg_spec s = { .wscale = -1 };
	int dir = (int)rnd_below(2);
	uint32_t r = rnd_below(100);

	s.flags = r < 3 ? (uint8_t)rnd() : kinds[rnd_below(sizeof(kinds))];
	if ((s.flags & TCPF_SYN) && !(s.flags & TCPF_ACK))
		dir = rnd_below(8) ? 0 : 1; /* mostly the client; sometimes a simultaneous open */
	if (s.flags & TCPF_SYN) {
		/* A fresh ISN now and then: reopen after TIME-WAIT, or an attacker's guess. */
		if (!rnd_below(6))
			p->isn[dir] = (uint32_t)rnd();
		p->nxt[dir] = p->isn[dir];
		s.mss = rnd_below(3) ? 1460 : (uint16_t)rnd();
		s.wscale = rnd_below(4) ? (int)rnd_below(16) : -1;
		s.sack_perm = (int)rnd_below(2);
		s.timestamps = (int)rnd_below(2);
		s.tsval = (uint32_t)rnd();
	}
	s.seq = p->nxt[dir];
	s.ack = p->nxt[!dir] + ((s.flags & TCPF_SYN) && (s.flags & TCPF_ACK) ? 1 : 0);
	if (!rnd_below(10))
		s.seq += (uint32_t)rnd_below(200000) - 100000;
	if (!rnd_below(10))
		s.ack += (uint32_t)rnd_below(200000) - 100000;
	if (!rnd_below(40)) {
		s.seq = (uint32_t)rnd();
		s.ack = (uint32_t)rnd();
	}
	s.payload = (s.flags & TCPF_SYN) || rnd_below(2) ? 0 : (uint16_t)rnd_below(300);
	s.window = rnd_below(10) ? (uint16_t)(1000 + rnd_below(64000)) : (uint16_t)rnd_below(3);
	s.vlans = rnd_below(10) ? 0 : (int)rnd_below(3);
	s.ip6_ext = p->ep[0].family == 6 && !rnd_below(8);
	frame_build(f, &p->ep[dir], &p->ep[!dir], &s);
	p->nxt[dir] = s.seq + s.payload + !!(s.flags & TCPF_SYN) + !!(s.flags & TCPF_FIN);
}

static void mutate(struct frame *f)
{
	int n = 1 + (int)rnd_below(4), i;

	switch (rnd_below(4)) {
	case 0: /* a few bytes anywhere */
		for (i = 0; i < n; i++)
			f->buf[rnd_below(f->len)] = (uint8_t)rnd();
		break;
	case 1: /* the headers that steer the parser */
		for (i = 0; i < n; i++) {
			uint32_t at = rnd_below(3) == 0 ? 12 + rnd_below(8)
				      : rnd_below(2)   ? f->l3 + rnd_below(40)
						       : f->l4 + rnd_below(24);
			if (at < f->len)
				f->buf[at] = (uint8_t)rnd();
		}
		break;
	case 2: /* cut short, but an Ethernet header stays */
		f->len = 14 + rnd_below(f->len - 13);
		break;
	default: /* trailing bytes past the IP datagram */
		n = (int)rnd_below(64);
		for (i = 0; i < n && f->len < FRAME_MAX; i++)
			f->buf[f->len++] = (uint8_t)rnd();
	}
}

static void random_bytes(struct frame *f)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806 };
	uint32_t i;

	memset(f, 0, sizeof(*f));
	f->len = 14 + rnd_below(160);
	for (i = 0; i < f->len; i++)
		f->buf[i] = (uint8_t)rnd();
	if (rnd_below(4)) {
		uint16_t t = types[rnd_below(sizeof(types) / sizeof(types[0]))];

		f->buf[12] = (uint8_t)(t >> 8);
		f->buf[13] = (uint8_t)t;
		if (t == 0x0800 && rnd_below(2))
			f->buf[14] = 0x45, f->buf[23] = 6; /* IPv4 carrying TCP */
	}
	f->l3 = 14;
	f->l4 = 34;
}

struct tally {
	uint64_t frames, drops, aborted, bad_verdict, refused, tx, bad_tx;
};

static int responder_on; /* the current case turned the responder's answers on */

static void run_frames(uint32_t count, int allow_strict, struct tally *t)
{
	struct frame f;
	uint64_t now = 1000;
	uint32_t i;

	for (i = 0; i < count; i++) {
		uint32_t r = rnd_below(100);
		int v, tc;

		/* Time moves: sometimes past every timeout, so stale flows start over. */
		if (i % 500 == 0) {
			now += rnd_below(20) ? rnd_below(2000) : 40000 + rnd_below(200000);
			if (allow_strict)
				E.cfg.policy = rnd_below(responder_on ? 3 : 2);
			REQUIRE(env_set_time(&E, now) == 0, "set the clock");
		}
		if (r < 55)
			plausible(&f);
		else if (r < 85) {
			plausible(&f);
			mutate(&f);
		} else
			random_bytes(&f);
		tc = rnd_below(5) == 0;
		v = tc ? env_run_tc(&E, &f) : env_run_xdp(&E, &f);
		/*
		 * The kernel's skb test run refuses frames too short for the
		 * network header its protocol names; the program never runs.
		 */
		if (tc && v == -EINVAL) {
			t->refused++;
			continue;
		}
		t->frames++;
		if (v < 0) {
			if (t->bad_verdict++ < 3)
				printf("  frame %u (%s, %u bytes): BPF_PROG_TEST_RUN failed: %s\n", i,
				       tc ? "tc" : "xdp", f.len, strerror(-v));
		} else if (!tc && v == XDP_ABORTED) {
			t->aborted++;
		} else if (!tc && v == XDP_TX) {
			struct reply rp;

			/* Every answer is a well-formed TCP segment with correct checksums. */
			t->tx++;
			if (reply_parse(E.out, E.out_len, &rp) || !rp.ip_csum_ok || !rp.tcp_csum_ok) {
				if (t->bad_tx++ < 3)
					printf("  frame %u: XDP_TX answer malformed or with a bad checksum\n", i);
			}
		} else if (tc ? (v == TC_ACT_SHOT) : (v == XDP_DROP)) {
			t->drops++;
		} else if (tc ? v != TC_ACT_OK : v != XDP_PASS) {
			if (t->bad_verdict++ < 3)
				printf("  frame %u: unexpected verdict %d (%s)\n", i, v, tc ? "tc" : "xdp");
		}
	}
}

static uint64_t counter_sum(int from, int to)
{
	uint64_t s = 0;
	int i;

	for (i = from; i <= to; i++)
		s += env_counter(&E, i);
	return s;
}

static void check_counters(const struct tally *t, const struct inv_walk *w, int evicts)
{
	uint64_t seen = env_counter(&E, CNT_PKT_SEEN), tcp = env_counter(&E, CNT_PKT_TCP);
	uint64_t other = counter_sum(CNT_PKT_NOT_TCP, CNT_PKT_FRAG6) +
			 counter_sum(CNT_MAL_ETH, CNT_MAL_TCP_OPT);
	uint64_t invalid = counter_sum(CNT_INV_BAD_FLAGS, CNT_INV_UNEXPECTED);

	CHECK_EQ(seen, t->frames, "packets counter: every frame seen once");
	CHECK_EQ(tcp + other, seen, "every frame is TCP, not TCP, a fragment or malformed");
	CHECK(invalid <= tcp, "invalid segments are TCP segments");
	/* The responder drops bad cookie ACKs under its own counters. */
	if (!responder_on)
		CHECK_EQ(env_counter(&E, CNT_VERDICT_DROP), t->drops, "drops counted = drops seen");
	CHECK_EQ(env_counter(&E, CNT_FLOW_CREATE_FAILED), 0, "no flow creation failed");
	/* Valid segments are counted on their flow; reopening and eviction forget some. */
	CHECK(w->packets <= tcp - invalid, "flows count no more segments than were valid");
	if (!evicts && !responder_on) {
		CHECK_EQ(w->flows, env_counter(&E, CNT_FLOW_NEW), "every opened flow is in the table");
		if (env_counter(&E, CNT_FLOW_REOPENED) == 0)
			CHECK_EQ(w->packets, tcp - invalid, "segments on flows = valid segments");
	}
}

static void report_states(const struct inv_walk *w)
{
	char line[512];
	size_t off = 0;
	int s;

	for (s = 0; s < CT__MAX; s++)
		if (w->per_state[s])
			off += (size_t)snprintf(line + off, sizeof(line) - off, " %s=%zu",
						xdpct_ct_state_name((unsigned)s), w->per_state[s]);
	printf("  %zu flows:%s\n", w->flows, off ? line : " none");
}

static uint64_t seed_from_env(void)
{
	const char *s = getenv("XDPCT_RANDOM_SEED");

	return s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL) * 2654435761u + 1;
}

static void run_case(uint32_t flows_max, uint32_t count, int allow_strict, int evicts, int responder)
{
	const struct inv_opts opts = { .min_ip_len = 40, .single_segs = 1 };
	struct tally t = { 0 };
	struct inv_walk w;
	uint64_t seed = seed_from_env();

	rng_state = seed;
	REQUIRE(env_open(&E, flows_max) == 0, "load the data path");
	responder_on = responder;
	if (responder) {
		__u32 port;
		__u8 prot = PORT_PROTECTED;

		E.cfg.flags |= CFG_SYNCOOKIES | CFG_TW_REACK | CFG_CHALLENGE_ACK;
		REQUIRE(env_set_config(&E) == 0, "responder on");
		for (port = 80; port <= 443; port += 363)
			REQUIRE(bpf_map_update_elem(bpf_map__fd(E.skel->maps.ports), &port, &prot,
						    BPF_ANY) == 0,
				"protect ports 80 and 443");
	}
	pairs_init();
	run_frames(count, allow_strict, &t);
	CHECK_EQ(t.aborted, 0, "XDP_ABORTED verdicts");
	CHECK_EQ(t.bad_verdict, 0, "failed runs or unknown verdicts");
	CHECK(t.refused < count / 50, "few frames refused by the skb test run");
	CHECK_EQ(t.bad_tx, 0, "malformed answers");
	if (responder)
		CHECK(t.tx > 0, "the responder answered some segments");
	printf("  %llu frames run (%llu short ones refused by the skb test run), %llu dropped, %llu answered\n",
	       (unsigned long long)t.frames, (unsigned long long)t.refused,
	       (unsigned long long)t.drops, (unsigned long long)t.tx);
	CHECK_EQ(inv_walk_tables(E.flows_fd, E.embryos_fd, &opts, &w), 0, "flows breaking an invariant");
	CHECK(env_map_count(E.flows_fd) <= flows_max, "flows never holds more than its size");
	CHECK(env_map_count(E.embryos_fd) <= bpf_map__max_entries(E.skel->maps.embryos),
	      "embryos never holds more than its size");
	report_states(&w);
	check_counters(&t, &w, evicts);
	/* The generator must reach deep states, or the test proves little. */
	CHECK(w.per_state[CT_ESTABLISHED] + w.per_state[CT_FIN_WAIT] + w.per_state[CT_CLOSE_WAIT] +
			      w.per_state[CT_LAST_ACK] + w.per_state[CT_TIME_WAIT] > 0,
	      "some flows got past the handshake");
	if (t_failed)
		printf("  replay with XDPCT_RANDOM_SEED=%llu\n", (unsigned long long)seed);
	env_close(&E);
}

/* 120,000 frames, table large enough that nothing is evicted: exact accounting. */
static void random_and_mutated_frames_keep_the_table_consistent(void)
{
	run_case(65536, 120000, 0, 0, 0);
}

/*
 * Strict policy on and off, and full tables the LRU must evict from: 256
 * flows, 64 embryos (the random SYNs fill embryos first).
 */
static void strict_policy_and_a_full_table(void)
{
	run_case(256, 40000, 1, 1, 0);
}

/*
 * The responder on (SYN cookies for ports 80 and 443, TIME-WAIT re-ACKs,
 * challenge ACKs), policies pass, strict and reject in turn: every answer
 * is a well-formed segment, and the table stays consistent.
 */
static void random_frames_with_the_responder_on(void)
{
	run_case(65536, 60000, 1, 0, 1);
}

int main(void)
{
	RUN(random_and_mutated_frames_keep_the_table_consistent);
	RUN(strict_policy_and_a_full_table);
	RUN(random_frames_with_the_responder_on);
	return TEST_EXIT();
}
