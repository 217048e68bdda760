// SPDX-License-Identifier: GPL-2.0
/*
 * A SYN flood with SYN cookies off, through the real XDP program: every
 * spoofed SYN opens a flow, so the table fills. It must never hold more
 * than its size (the LRU hash evicts), every segment still passes, the
 * entries stay consistent, and established flows that carry traffic
 * during the flood survive it.
 *
 * Eviction policy as it stands: the kernel's LRU hash (common LRU list,
 * per-CPU free lists) evicts the entries least recently looked up,
 * whatever their state; a lookup marks an entry referenced and keeps it
 * off the inactive list's tail. Nothing counts evictions: flows_new minus
 * the table's size is how many went. Idle established flows get no
 * protection: the number that survive is printed, not asserted.
 */
#include "bpf_env.h"
#include "check.h"
#include "invariants.h"

#define TABLE 1024
#define ESTABLISHED 100
#define FLOOD 20000

static struct env E;

struct conn {
	struct endpoint c;
	char addr[32];
};

static struct conn C[ESTABLISHED];
static const struct endpoint SERVER = { 4, "198.18.1.1", 80 };

static int run(const struct endpoint *src, const struct endpoint *dst, uint8_t flags, uint32_t seq,
	       uint32_t ack, uint16_t len)
{
	struct frame f;

	frame_tcp(&f, src, dst, flags, seq, ack, len);
	return env_run_xdp(&E, &f);
}

static void syn_flood_fills_at_most_the_table(void)
{
	const struct inv_opts opts = { .min_ip_len = 40, .single_segs = 1 };
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	int i, bad_verdicts = 0, active_ok = 0, idle_ok = 0;
	struct inv_walk w;
	size_t flows;

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
		struct endpoint src;
		char addr[32];

		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		/* Spoofed sources in 198.19.0.0/16, random ports. */
		snprintf(addr, sizeof(addr), "198.19.%u.%u", (unsigned)(rng >> 8) & 0xff,
			 (unsigned)rng & 0xff);
		src = (struct endpoint){ 4, addr, (uint16_t)(1024 + (rng >> 16) % 60000) };
		if (run(&src, &SERVER, TCPF_SYN, (uint32_t)(rng >> 32), 0, 0) != XDP_PASS)
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
	flows = env_flow_count(&E);
	CHECK(flows <= TABLE, "the table holds at most its size");
	CHECK_EQ(env_counter(&E, CNT_FLOW_NEW), ESTABLISHED + FLOOD, "every SYN opened a flow");
	CHECK_EQ(env_counter(&E, CNT_FLOW_CREATE_FAILED), 0, "no flow creation failed");
	CHECK_EQ(inv_walk_tables(E.flows_fd, E.embryos_fd, &opts, &w), 0, "flows breaking an invariant");
	for (i = 0; i < ESTABLISHED; i++) {
		struct xdpct_flow f;
		int ok = env_flow(&E, &C[i].c, &SERVER, &f) == 0 && f.state == CT_ESTABLISHED;

		if (i < ESTABLISHED / 2)
			active_ok += ok;
		else
			idle_ok += ok;
	}
	CHECK_EQ(active_ok, ESTABLISHED / 2, "established flows with traffic survive the flood");
	printf("  %zu flows in a table of %d after %d SYNs: %llu evicted (uncounted); "
	       "idle established flows surviving: %d of %d\n",
	       flows, TABLE, FLOOD,
	       (unsigned long long)(env_counter(&E, CNT_FLOW_NEW) - flows), idle_ok,
	       ESTABLISHED / 2);
	env_close(&E);
}

int main(void)
{
	RUN(syn_flood_fills_at_most_the_table);
	return TEST_EXIT();
}
