// SPDX-License-Identifier: GPL-2.0
/*
 * A SYN flood with SYN cookies off, through the real XDP program: every
 * spoofed SYN opens a flow, so the table fills. It must never hold more
 * than its size (the LRU hash evicts), every segment still passes, the
 * entries stay consistent, and established flows that carry traffic
 * during the flood survive it.
 *
 * Eviction policy: a SYN opens its flow in `embryos`, a separate LRU
 * hash (a quarter of the flow table here), and only a completed handshake
 * moves it to `flows`. A flood of SYNs that never complete evicts other
 * embryos, least recently used first, and never a synchronized flow: idle
 * established flows all survive. Evictions are counted as inserted -
 * deleted - live per table (user/flows.c xdpct_evictions()), checked here
 * against the flood's flows that are gone.
 */
#include "bpf_env.h"
#include "check.h"
#include "invariants.h"
#include "flows.h"

#define TABLE 1024
#define ESTABLISHED 100
#define FLOOD 20000
#define EMBRYOS (TABLE / 4) /* as the loader sizes it */

static struct env E;

struct conn {
	struct endpoint c;
	char addr[32];
};

static struct conn C[ESTABLISHED];
static struct conn F[FLOOD]; /* the flood's spoofed sources */
static const struct endpoint SERVER = { 4, "198.18.1.1", 80 };

static int run(const struct endpoint *src, const struct endpoint *dst, uint8_t flags, uint32_t seq,
	       uint32_t ack, uint16_t len)
{
	struct frame f;

	frame_tcp(&f, src, dst, flags, seq, ack, len);
	return env_run_xdp(&E, &f);
}

static void syn_flood_evicts_embryos_only(void)
{
	const struct inv_opts opts = { .min_ip_len = 40, .single_segs = 1 };
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	int i, bad_verdicts = 0, active_ok = 0, idle_ok = 0;
	__u64 cnt[CNT__MAX], live[TABLE__MAX], evicted[TABLE__MAX], removed[TABLE__MAX] = { 0 };
	__u64 gone = 0;
	struct inv_walk w;

	REQUIRE(env_open(&E, TABLE) == 0, "load the data path");
	for (i = 0; i < ESTABLISHED; i++) {
		snprintf(C[i].addr, sizeof(C[i].addr), "198.18.0.%d", 1 + i);
		C[i].c = (struct endpoint){ 4, C[i].addr, (uint16_t)(40000 + i) };
		run(&C[i].c, &SERVER, TCPF_SYN, 1000, 0, 0);
		run(&SERVER, &C[i].c, TCPF_SYN | TCPF_ACK, 5000, 1001, 0);
		run(&C[i].c, &SERVER, TCPF_ACK, 1001, 5001, 0);
	}
	CHECK_EQ(env_counter(&E, CNT_FLOW_ESTABLISHED), ESTABLISHED, "handshakes completed");

	for (i = 0; i < FLOOD; i++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		/* Spoofed sources in 198.19.0.0/16, random ports. */
		snprintf(F[i].addr, sizeof(F[i].addr), "198.19.%u.%u", (unsigned)(rng >> 8) & 0xff,
			 (unsigned)rng & 0xff);
		F[i].c = (struct endpoint){ 4, F[i].addr, (uint16_t)(1024 + (rng >> 16) % 60000) };
		if (run(&F[i].c, &SERVER, TCPF_SYN, (uint32_t)(rng >> 32), 0, 0) != XDP_PASS)
			bad_verdicts++;
		/* The first half of the established flows keep talking during the flood. */
		if (i % 200 == 0) {
			int k;

			for (k = 0; k < ESTABLISHED / 2; k++)
				if (run(&C[k].c, &SERVER, TCPF_ACK | TCPF_PSH, 1001, 5001, 10) !=
				    XDP_PASS)
					bad_verdicts++;
		}
	}
	CHECK_EQ(bad_verdicts, 0, "segments not passed under policy pass");
	CHECK_EQ(bpf_map__max_entries(E.skel->maps.embryos), EMBRYOS, "embryos sized flows/4");
	live[TABLE_FLOWS] = env_map_count(E.flows_fd);
	live[TABLE_EMBRYOS] = env_map_count(E.embryos_fd);
	CHECK(live[TABLE_EMBRYOS] <= EMBRYOS, "embryos holds at most its size");
	CHECK_EQ(live[TABLE_FLOWS], ESTABLISHED, "flows holds the established flows, no embryo");
	CHECK_EQ(env_counter(&E, CNT_FLOW_NEW), ESTABLISHED + FLOOD, "every SYN opened a flow");
	CHECK_EQ(env_counter(&E, CNT_EMBRYO_OPENED), ESTABLISHED + FLOOD, "each in embryos");
	CHECK_EQ(env_counter(&E, CNT_FLOW_MOVED), ESTABLISHED, "handshakes moved to flows");
	CHECK_EQ(env_counter(&E, CNT_EMBRYO_DELETED), ESTABLISHED, "and left embryos");
	CHECK_EQ(env_counter(&E, CNT_FLOW_CREATE_FAILED), 0, "no flow creation failed");
	CHECK_EQ(inv_walk_tables(E.flows_fd, E.embryos_fd, &opts, &w), 0, "flows breaking an invariant");
	for (i = 0; i < ESTABLISHED; i++) {
		struct xdpct_flow f;
		int ok = env_flow_table(&E, &C[i].c, &SERVER, &f) == TABLE_FLOWS &&
			 f.state == CT_ESTABLISHED;

		if (i < ESTABLISHED / 2)
			active_ok += ok;
		else
			idle_ok += ok;
	}
	CHECK_EQ(active_ok, ESTABLISHED / 2, "established flows with traffic survive the flood");
	CHECK_EQ(idle_ok, ESTABLISHED / 2, "idle established flows survive the flood");
	/* The count against the truth: which of the flood's flows are gone. */
	for (i = 0; i < FLOOD; i++) {
		struct xdpct_flow f;

		gone += env_flow_table(&E, &F[i].c, &SERVER, &f) == -ENOENT;
	}
	for (i = 0; i < CNT__MAX; i++)
		cnt[i] = env_counter(&E, i);
	xdpct_evictions(cnt, removed, live, evicted);
	CHECK_EQ(evicted[TABLE_FLOWS], 0, "evictions from flows");
	CHECK_EQ(evicted[TABLE_EMBRYOS], gone, "evictions from embryos: the flood's flows gone");
	CHECK_EQ(gone, FLOOD - live[TABLE_EMBRYOS], "every flood flow is in embryos or gone");
	printf("  %llu embryos of %d and %llu flows after %d SYNs: %llu evicted, counted; "
	       "idle established flows surviving: %d of %d\n",
	       (unsigned long long)live[TABLE_EMBRYOS], EMBRYOS,
	       (unsigned long long)live[TABLE_FLOWS], FLOOD,
	       (unsigned long long)evicted[TABLE_EMBRYOS], idle_ok, ESTABLISHED / 2);
	env_close(&E);
}

/*
 * Where a flow lives at each step: embryos through the handshake, flows
 * from the third ACK on, exactly one table at every step; a handshake
 * closed by RST stays an embryo; a flow reopened from TIME-WAIT stays in
 * flows.
 */
static void a_flow_moves_to_flows_at_the_third_ack(void)
{
	static const struct endpoint CL = { 4, "198.18.0.200", 41000 };
	static const struct endpoint CL2 = { 4, "198.18.0.201", 41001 };
	struct xdpct_flow f;

	REQUIRE(env_open(&E, TABLE) == 0, "load the data path");
	CHECK_EQ(run(&CL, &SERVER, TCPF_SYN, 1000, 0, 0), XDP_PASS, "SYN");
	CHECK_EQ(env_flow_table(&E, &CL, &SERVER, &f), TABLE_EMBRYOS, "after the SYN: embryos");
	CHECK_EQ(f.state, CT_SYN_SENT, "SYN_SENT");
	CHECK_EQ(run(&SERVER, &CL, TCPF_SYN | TCPF_ACK, 5000, 1001, 0), XDP_PASS, "SYN+ACK");
	CHECK_EQ(env_flow_table(&E, &CL, &SERVER, &f), TABLE_EMBRYOS, "after the SYN+ACK: embryos");
	CHECK_EQ(f.state, CT_SYN_RECV, "SYN_RECV");
	CHECK_EQ(env_counter(&E, CNT_FLOW_MOVED), 0, "nothing moved yet");
	CHECK_EQ(run(&CL, &SERVER, TCPF_ACK, 1001, 5001, 0), XDP_PASS, "third ACK");
	CHECK_EQ(env_flow_table(&E, &CL, &SERVER, &f), TABLE_FLOWS, "after the third ACK: flows");
	CHECK_EQ(f.state, CT_ESTABLISHED, "ESTABLISHED");
	CHECK_EQ(f.ep[DIR_ORIG].packets, 2, "the client's packets moved with it");
	CHECK_EQ(f.ep[DIR_REPLY].packets, 1, "the server's packets moved with it");
	CHECK_EQ(env_counter(&E, CNT_FLOW_MOVED), 1, "flows_synchronized");
	CHECK_EQ(env_counter(&E, CNT_EMBRYO_DELETED), 1, "embryos_deleted");
	CHECK_EQ(run(&CL, &SERVER, TCPF_ACK | TCPF_PSH, 1001, 5001, 100), XDP_PASS, "data");
	CHECK_EQ(env_flow_table(&E, &CL, &SERVER, &f), TABLE_FLOWS, "data: still flows");
	CHECK_EQ(f.ep[DIR_ORIG].packets, 3, "counted on the moved entry");

	/* Close into TIME-WAIT, then a new SYN reopens it in place. */
	run(&CL, &SERVER, TCPF_FIN | TCPF_ACK, 1101, 5001, 0);
	run(&SERVER, &CL, TCPF_ACK, 5001, 1102, 0);
	run(&SERVER, &CL, TCPF_FIN | TCPF_ACK, 5001, 1102, 0);
	run(&CL, &SERVER, TCPF_ACK, 1102, 5002, 0);
	CHECK_EQ(env_flow_table(&E, &CL, &SERVER, &f), TABLE_FLOWS, "TIME-WAIT: flows");
	CHECK_EQ(f.state, CT_TIME_WAIT, "TIME_WAIT");
	CHECK_EQ(run(&CL, &SERVER, TCPF_SYN, 900000, 0, 0), XDP_PASS, "SYN into TIME-WAIT");
	CHECK_EQ(env_flow_table(&E, &CL, &SERVER, &f), TABLE_FLOWS, "reopened: stays in flows");
	CHECK_EQ(f.state, CT_SYN_SENT, "reopened: SYN_SENT");

	/* A handshake refused by RST stays in embryos. */
	CHECK_EQ(run(&CL2, &SERVER, TCPF_SYN, 7000, 0, 0), XDP_PASS, "second SYN");
	CHECK_EQ(run(&SERVER, &CL2, TCPF_RST | TCPF_ACK, 0, 7001, 0), XDP_PASS, "RST answering it");
	CHECK_EQ(env_flow_table(&E, &CL2, &SERVER, &f), TABLE_EMBRYOS, "refused: still embryos");
	CHECK_EQ(f.state, CT_CLOSE, "CLOSE");
	CHECK_EQ(env_counter(&E, CNT_FLOW_MOVED), 1, "no second move");
	env_close(&E);
}

int main(void)
{
	RUN(syn_flood_evicts_embryos_only);
	RUN(a_flow_moves_to_flows_at_the_third_ack);
	return TEST_EXIT();
}
