// SPDX-License-Identifier: GPL-2.0
/*
 * Both directions of one flow on two CPUs at once: two threads, each
 * pinned to its own CPU, run BPF_PROG_TEST_RUN on the two directions of
 * the same flows. Nothing may be lost: every packet and byte counted on
 * its direction, every sequence end exact, every transition taken (a
 * simultaneous close on many flows at once ends with both endpoints in
 * TIME-WAIT on every one; a FIN that races with the third ACK, and so
 * with the flow's move from `embryos` to `flows`, is never lost), no
 * segment judged invalid. Bounded: a fixed number of runs per thread.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include "bpf_env.h"
#include "check.h"

#define X 1000u
#define Y 5000u
#define DATA_RUNS 50000    /* test runs per thread in the data phase (about 1 us each) */
#define REPEAT 1           /* repeat > 1 costs ~20 ms per run on this kernel */
#define PAYLOAD 100
#define CLOSE_FLOWS 5000   /* flows closed simultaneously from both ends */
#define MOVE_FLOWS 4000    /* handshakes completed while the server's FIN races the third ACK */
#define MOVE_ROUNDS 4      /* of MOVE_FLOWS each: a lost FIN showed in 3 - 15 flows a round */

static struct env E;
static const struct endpoint CLIENT = { 4, "198.18.0.1", 40000 };
static const struct endpoint SERVER = { 4, "198.18.1.1", 80 };
static pthread_barrier_t BAR;

struct worker {
	int from_server;
	int cpu;
	int phase;      /* 0: data, 1: FIN on every close flow, 2: ACK of the peer's FIN,
			 * 3: third ACK (client) against FIN (server) on every move flow */
	int round;      /* phase 3: which MOVE_ROUNDS round */
	int errors;     /* test runs that failed or did not pass */
};

static int run_xdp(const struct frame *f, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->buf, .data_size_in = f->len,
		    .repeat = (__u32)repeat);

	if (bpf_prog_test_run_opts(E.xdp_fd, &o))
		return -errno;
	return (int)o.retval;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static struct endpoint close_client(int i)
{
	struct endpoint e = { 4, "198.18.0.2", (uint16_t)(20000 + i) };

	return e;
}

static struct endpoint move_client(int round, int i)
{
	static const char *const addr[MOVE_ROUNDS] = { "198.18.0.10", "198.18.0.11",
						       "198.18.0.12", "198.18.0.13" };
	struct endpoint e = { 4, addr[round], (uint16_t)(20000 + i) };

	return e;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct frame f;
	int i;

	pin(w->cpu);
	pthread_barrier_wait(&BAR);
	if (w->phase == 0) {
		for (i = 0; i < DATA_RUNS; i++) {
			uint32_t off = (uint32_t)i * PAYLOAD;

			if (w->from_server)
				frame_tcp(&f, &SERVER, &CLIENT, TCPF_ACK | TCPF_PSH, Y + 1 + off, X + 1,
					  PAYLOAD);
			else
				frame_tcp(&f, &CLIENT, &SERVER, TCPF_ACK | TCPF_PSH, X + 1 + off, Y + 1,
					  PAYLOAD);
			if (run_xdp(&f, REPEAT) != XDP_PASS)
				w->errors++;
		}
		return NULL;
	}
	if (w->phase == 3) {
		for (i = 0; i < MOVE_FLOWS; i++) {
			struct endpoint c = move_client(w->round, i);

			if (w->from_server)
				frame_tcp(&f, &SERVER, &c, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0);
			else
				frame_tcp(&f, &c, &SERVER, TCPF_ACK, X + 1, Y + 1, 0);
			if (run_xdp(&f, 1) != XDP_PASS)
				w->errors++;
		}
		return NULL;
	}
	for (i = 0; i < CLOSE_FLOWS; i++) {
		struct endpoint c = close_client(i);

		if (w->phase == 1 && w->from_server)
			frame_tcp(&f, &SERVER, &c, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0);
		else if (w->phase == 1)
			frame_tcp(&f, &c, &SERVER, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0);
		else if (w->from_server)
			frame_tcp(&f, &SERVER, &c, TCPF_ACK, Y + 2, X + 2, 0);
		else
			frame_tcp(&f, &c, &SERVER, TCPF_ACK, X + 2, Y + 2, 0);
		if (run_xdp(&f, 1) != XDP_PASS)
			w->errors++;
	}
	return NULL;
}

/* Both directions at once; returns the failed runs (client's, server's in errors). */
static int race_round(int phase, int round, int *errors)
{
	struct worker w[2] = { { 0, 0, phase, round, 0 }, { 1, 1, phase, round, 0 } };
	pthread_t th[2];
	int i;

	pthread_barrier_init(&BAR, NULL, 2);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, work, &w[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&BAR);
	if (errors) {
		errors[0] = w[0].errors;
		errors[1] = w[1].errors;
	}
	return w[0].errors + w[1].errors;
}

static int race(int phase)
{
	return race_round(phase, 0, NULL);
}

/* A handshake from one thread, with window scaling so that long runs stay in window. */
static void handshake(const struct endpoint *c, const struct endpoint *s)
{
	struct seg_spec syn = { .flags = TCPF_SYN, .seq = X, .wscale = 14 };
	struct seg_spec synack = { .flags = TCPF_SYN | TCPF_ACK, .seq = Y, .ack = X + 1, .wscale = 14 };
	struct frame f;

	frame_build(&f, c, s, &syn);
	run_xdp(&f, 1);
	frame_build(&f, s, c, &synack);
	run_xdp(&f, 1);
	frame_tcp(&f, c, s, TCPF_ACK, X + 1, Y + 1, 0);
	run_xdp(&f, 1);
	/*
	 * The server's first scaled window: until it passes, the client may
	 * send only the SYN+ACK's unscaled 64240 bytes, whichever thread
	 * starts first.
	 */
	frame_tcp(&f, s, c, TCPF_ACK, Y + 1, X + 1, 0);
	run_xdp(&f, 1);
}

static void both_directions_of_one_flow_at_once(void)
{
	const uint64_t n = (uint64_t)DATA_RUNS * REPEAT;
	struct xdpct_flow f;
	int i;

	if (libbpf_num_possible_cpus() < 2)
		SKIP("needs two CPUs");
	REQUIRE(env_open(&E, 4096) == 0, "load the data path");
	handshake(&CLIENT, &SERVER);
	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow");
	REQUIRE(f.state == CT_ESTABLISHED, "established before the race");
	CHECK_EQ(race(0), 0, "every run passed");
	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow after the race");
	CHECK_EQ(f.state, CT_ESTABLISHED, "still established");
	CHECK_EQ(f.ep[DIR_ORIG].packets, 2 + n, "client packets: SYN, ACK and every run");
	CHECK_EQ(f.ep[DIR_REPLY].packets, 2 + n, "server packets: SYN+ACK, window and every run");
	CHECK_EQ(f.ep[DIR_ORIG].bytes, 44 + 40 + n * (40 + PAYLOAD), "client bytes: SYN with wscale, ACK, data");
	CHECK_EQ(f.ep[DIR_ORIG].end, X + 1 + DATA_RUNS * PAYLOAD, "client end");
	CHECK_EQ(f.ep[DIR_REPLY].end, Y + 1 + DATA_RUNS * PAYLOAD, "server end");
	CHECK_EQ(env_counter(&E, CNT_PKT_TCP), 4 + 2 * n, "tcp packets");
	for (i = CNT_INV_BAD_FLAGS; i <= CNT_INV_UNEXPECTED; i++)
		CHECK_EQ(env_counter(&E, i), 0, xdpct_counter_names[i]);
	env_close(&E);
}

static void simultaneous_close_on_many_flows_at_once(void)
{
	uint64_t tw = 0, bad = 0;
	int i;

	if (libbpf_num_possible_cpus() < 2)
		SKIP("needs two CPUs");
	REQUIRE(env_open(&E, 2 * CLOSE_FLOWS) == 0, "load the data path");
	for (i = 0; i < CLOSE_FLOWS; i++) {
		struct endpoint c = close_client(i);

		handshake(&c, &SERVER);
	}
	CHECK_EQ(env_counter(&E, CNT_FLOW_ESTABLISHED), CLOSE_FLOWS, "all established");
	CHECK_EQ(race(1), 0, "FINs from both ends at once");
	CHECK_EQ(env_counter(&E, CNT_FLOW_FIN), CLOSE_FLOWS, "one fin event per flow");
	CHECK_EQ(race(2), 0, "ACKs of both FINs at once");
	for (i = 0; i < CLOSE_FLOWS; i++) {
		struct endpoint c = close_client(i);
		struct xdpct_flow f;

		if (env_flow(&E, &c, &SERVER, &f) || f.state != CT_TIME_WAIT ||
		    f.ep[DIR_ORIG].state != TCP_S_TIME_WAIT || f.ep[DIR_REPLY].state != TCP_S_TIME_WAIT ||
		    f.ep[DIR_ORIG].packets != 4 || f.ep[DIR_REPLY].packets != 4) {
			if (bad++ < 3)
				printf("  flow %d: %s %s/%s packets %llu/%llu\n", i,
				       xdpct_ct_state_name(f.state),
				       xdpct_tcp_state_name(f.ep[DIR_ORIG].state),
				       xdpct_tcp_state_name(f.ep[DIR_REPLY].state),
				       (unsigned long long)f.ep[DIR_ORIG].packets,
				       (unsigned long long)f.ep[DIR_REPLY].packets);
		} else {
			tw++;
		}
	}
	CHECK_EQ(tw, CLOSE_FLOWS, "every flow: both endpoints in TIME-WAIT, packets exact");
	CHECK_EQ(env_counter(&E, CNT_FLOW_TIME_WAIT), CLOSE_FLOWS, "one time-wait event per flow");
	for (i = CNT_INV_BAD_FLAGS; i <= CNT_INV_UNEXPECTED; i++)
		CHECK_EQ(env_counter(&E, i), 0, xdpct_counter_names[i]);
	env_close(&E);
}

/*
 * The third ACK completes the handshake on one CPU, which moves the flow
 * from `embryos` to `flows`, while the server's FIN+ACK arrives on the
 * other; whichever is stepped first moves it. The FIN must be taken, in
 * whichever table it lands: stepped on the embryo after the move copied
 * it, it was lost with the embryo (143 - 1896 flows of 16,000 in five runs),
 * the flow left ESTABLISHED, and the client's ACK of the FIN judged out of
 * window and dropped under strict. Nor is the third ACK: one the express
 * lane looked up in `flows` before the FIN's move put the flow there and
 * in `embryos` after it took it out was a segment of no flow
 * (invalid_no_flow) and dropped under strict, 2 - 31 flows a run, until
 * the lane looked in `flows` once more.
 */
static void fin_racing_the_third_ack_is_never_lost(void)
{
	struct seg_spec syn = { .flags = TCPF_SYN, .seq = X, .wscale = 7 };
	struct seg_spec synack = { .flags = TCPF_SYN | TCPF_ACK, .seq = Y, .ack = X + 1, .wscale = 7 };
	uint64_t good = 0, bad = 0, not_passed = 0, acks_lost = 0, fins_lost = 0;
	struct frame fr;
	int r, i, errors[2];

	if (libbpf_num_possible_cpus() < 2)
		SKIP("needs two CPUs");
	/* Embryos are a quarter of flows: room for a round's handshakes four times over. */
	REQUIRE(env_open(&E, 16 * MOVE_FLOWS) == 0, "load the data path");
	E.cfg.policy = POLICY_STRICT;
	REQUIRE(env_set_config(&E) == 0, "strict");
	for (r = 0; r < MOVE_ROUNDS; r++) {
		for (i = 0; i < MOVE_FLOWS; i++) {
			struct endpoint c = move_client(r, i);

			frame_build(&fr, &c, &SERVER, &syn);
			run_xdp(&fr, 1);
			frame_build(&fr, &SERVER, &c, &synack);
			run_xdp(&fr, 1);
		}
		race_round(3, r, errors);
		acks_lost += (uint64_t)errors[0];
		fins_lost += (uint64_t)errors[1];
		/* The client acks the FIN: in window only if the FIN was taken. */
		for (i = 0; i < MOVE_FLOWS; i++) {
			struct endpoint c = move_client(r, i);
			struct xdpct_flow f;
			int table;

			frame_tcp(&fr, &c, &SERVER, TCPF_ACK, X + 1, Y + 2, 0);
			if (run_xdp(&fr, 1) != XDP_PASS)
				not_passed++;
			table = env_flow_table(&E, &c, &SERVER, &f);
			if (table != TABLE_FLOWS || f.state != CT_CLOSE_WAIT ||
			    f.ep[DIR_ORIG].state != TCP_S_CLOSE_WAIT ||
			    f.ep[DIR_REPLY].state != TCP_S_FIN_WAIT_2) {
				if (bad++ < 3)
					printf("  round %d flow %d: table %d, %s %s/%s\n", r, i, table,
					       xdpct_ct_state_name(f.state),
					       xdpct_tcp_state_name(f.ep[DIR_ORIG].state),
					       xdpct_tcp_state_name(f.ep[DIR_REPLY].state));
			} else {
				good++;
			}
		}
	}
	printf("  %llu of %d flows lost the FIN; third ACKs of no flow: %llu\n",
	       (unsigned long long)bad, MOVE_ROUNDS * MOVE_FLOWS, (unsigned long long)acks_lost);
	CHECK_EQ(good, MOVE_ROUNDS * MOVE_FLOWS,
		 "every flow in `flows`, CLOSE_WAIT, CLOSE-WAIT/FIN-WAIT-2: no FIN lost");
	CHECK_EQ(fins_lost, 0, "every FIN passed under strict");
	CHECK_EQ(acks_lost, 0, "every third ACK passed under strict");
	CHECK_EQ(not_passed, 0, "every ACK of the FIN passed under strict");
	CHECK_EQ(env_map_count(E.embryos_fd), 0, "no embryo left");
	CHECK_EQ(env_counter(&E, CNT_FLOW_FIN), MOVE_ROUNDS * MOVE_FLOWS, "one fin event per flow");
	CHECK_EQ(env_counter(&E, CNT_FLOW_MOVED), MOVE_ROUNDS * MOVE_FLOWS, "one move per flow");
	for (i = CNT_INV_BAD_FLAGS; i <= CNT_INV_UNEXPECTED; i++)
		CHECK_EQ(env_counter(&E, i), 0, xdpct_counter_names[i]);
	env_close(&E);
}

int main(void)
{
	RUN(both_directions_of_one_flow_at_once);
	RUN(simultaneous_close_on_many_flows_at_once);
	RUN(fin_racing_the_third_ack_is_never_lost);
	return TEST_EXIT();
}
