// SPDX-License-Identifier: GPL-2.0
/*
 * Packet tests: crafted frames through the real XDP and tc programs with
 * BPF_PROG_TEST_RUN, asserting the verdict, both endpoint states, the
 * sequence fields and the counters after every frame.
 */
#include "bpf_env.h"
#include "check.h"

static struct env E;
static const struct endpoint CLIENT = { 4, "198.18.0.1", 40000 };
static const struct endpoint SERVER = { 4, "198.18.1.1", 80 };

#define X 1000u  /* client ISN */
#define Y 5000u  /* server ISN */

/* Send one frame and check the verdict plus both states afterwards. */
static void step(const struct endpoint *src, const struct endpoint *dst, uint8_t flags,
		 uint32_t seq, uint32_t ack, uint16_t len, int want_verdict, int want_ct,
		 int want_client, int want_server, const char *what)
{
	struct xdpct_flow f;
	struct frame fr;
	char msg[160];

	frame_tcp(&fr, src, dst, flags, seq, ack, len);
	snprintf(msg, sizeof(msg), "%s: verdict", what);
	CHECK_EQ(env_run_xdp(&E, &fr), want_verdict, msg);
	snprintf(msg, sizeof(msg), "%s: flow present", what);
	CHECK(env_flow(&E, &CLIENT, &SERVER, &f) == 0, msg);
	snprintf(msg, sizeof(msg), "%s: conntrack state", what);
	CHECK_EQ(f.state, want_ct, msg);
	snprintf(msg, sizeof(msg), "%s: client state", what);
	CHECK_EQ(f.ep[DIR_ORIG].state, want_client, msg);
	snprintf(msg, sizeof(msg), "%s: server state", what);
	CHECK_EQ(f.ep[DIR_REPLY].state, want_server, msg);
}

static void handshake_data_and_client_close(void)
{
	struct xdpct_flow f;

	REQUIRE(env_open(&E, 1024) == 0, "load the data path");
	step(&CLIENT, &SERVER, TCPF_SYN, X, 0, 0, XDP_PASS, CT_SYN_SENT, TCP_S_SYN_SENT,
	     TCP_S_CLOSED, "client sends SYN x");
	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow after SYN");
	CHECK_EQ(f.ep[DIR_ORIG].isn, X, "client ISN recorded");
	CHECK_EQ(f.ep[DIR_ORIG].end, X + 1, "SYN consumes one sequence number");

	step(&SERVER, &CLIENT, TCPF_SYN | TCPF_ACK, Y, X + 1, 0, XDP_PASS, CT_SYN_RECV,
	     TCP_S_ESTABLISHED, TCP_S_SYN_RECEIVED, "server answers SYN+ACK y, ack x+1");
	step(&CLIENT, &SERVER, TCPF_ACK, X + 1, Y + 1, 0, XDP_PASS, CT_ESTABLISHED,
	     TCP_S_ESTABLISHED, TCP_S_ESTABLISHED, "client ACK seq x+1 ack y+1");
	step(&CLIENT, &SERVER, TCPF_ACK | TCPF_PSH, X + 1, Y + 1, 100, XDP_PASS, CT_ESTABLISHED,
	     TCP_S_ESTABLISHED, TCP_S_ESTABLISHED, "client sends 100 bytes");
	step(&SERVER, &CLIENT, TCPF_ACK, Y + 1, X + 101, 0, XDP_PASS, CT_ESTABLISHED,
	     TCP_S_ESTABLISHED, TCP_S_ESTABLISHED, "server acks the data");

	/* Four-way teardown, client first: FIN u = x+101. */
	step(&CLIENT, &SERVER, TCPF_FIN | TCPF_ACK, X + 101, Y + 1, 0, XDP_PASS, CT_FIN_WAIT,
	     TCP_S_FIN_WAIT_1, TCP_S_ESTABLISHED, "client FIN u");
	step(&SERVER, &CLIENT, TCPF_ACK, Y + 1, X + 102, 0, XDP_PASS, CT_CLOSE_WAIT,
	     TCP_S_FIN_WAIT_2, TCP_S_CLOSE_WAIT, "server ACKs u+1");
	step(&SERVER, &CLIENT, TCPF_ACK, Y + 1, X + 102, 50, XDP_PASS, CT_CLOSE_WAIT,
	     TCP_S_FIN_WAIT_2, TCP_S_CLOSE_WAIT, "half-close: server still sends data");
	step(&SERVER, &CLIENT, TCPF_FIN | TCPF_ACK, Y + 51, X + 102, 0, XDP_PASS, CT_LAST_ACK,
	     TCP_S_FIN_WAIT_2, TCP_S_LAST_ACK, "server FIN w, ack u+1 repeated");
	step(&CLIENT, &SERVER, TCPF_ACK, X + 102, Y + 52, 0, XDP_PASS, CT_TIME_WAIT,
	     TCP_S_TIME_WAIT, TCP_S_CLOSED, "client ACKs w+1");

	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow after close");
	CHECK_EQ(f.ep[DIR_ORIG].packets, 5, "client packets: SYN, ACK, data, FIN, ACK");
	CHECK_EQ(f.ep[DIR_REPLY].packets, 5, "server packets: SYN+ACK, ACK of data, ACK of FIN, data, FIN");
	CHECK_EQ(f.ep[DIR_ORIG].bytes, 5 * 40 + 100, "client IP bytes");
	CHECK_EQ(f.ep[DIR_REPLY].fin_seq, Y + 51, "server FIN sequence");
	CHECK_EQ(f.tw_start, 1000, "TIME-WAIT start from the data path's clock");
	CHECK_EQ(env_counter(&E, CNT_FLOW_NEW), 1, "flows_new");
	CHECK_EQ(env_counter(&E, CNT_FLOW_ESTABLISHED), 1, "flows_established");
	CHECK_EQ(env_counter(&E, CNT_FLOW_TIME_WAIT), 1, "flows_time_wait");
	env_close(&E);
}

/*
 * Under strict, the client's RST carrying its FIN's sequence number, after
 * the server acked the FIN (CLOSE-WAIT), closes the flow as Linux's
 * tcp_reset_check() takes it; one number lower is dropped and changes nothing.
 */
static void rst_at_the_fin_closes_under_strict(void)
{
	REQUIRE(env_open(&E, 1024) == 0, "load the data path");
	E.cfg.policy = POLICY_STRICT;
	REQUIRE(env_set_config(&E) == 0, "set strict");
	step(&CLIENT, &SERVER, TCPF_SYN, X, 0, 0, XDP_PASS, CT_SYN_SENT, TCP_S_SYN_SENT,
	     TCP_S_CLOSED, "client SYN x");
	step(&SERVER, &CLIENT, TCPF_SYN | TCPF_ACK, Y, X + 1, 0, XDP_PASS, CT_SYN_RECV,
	     TCP_S_ESTABLISHED, TCP_S_SYN_RECEIVED, "server SYN+ACK y, ack x+1");
	step(&CLIENT, &SERVER, TCPF_ACK, X + 1, Y + 1, 0, XDP_PASS, CT_ESTABLISHED,
	     TCP_S_ESTABLISHED, TCP_S_ESTABLISHED, "client ACK");
	step(&CLIENT, &SERVER, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0, XDP_PASS, CT_FIN_WAIT,
	     TCP_S_FIN_WAIT_1, TCP_S_ESTABLISHED, "client FIN u=x+1");
	step(&SERVER, &CLIENT, TCPF_ACK, Y + 1, X + 2, 0, XDP_PASS, CT_CLOSE_WAIT,
	     TCP_S_FIN_WAIT_2, TCP_S_CLOSE_WAIT, "server ACKs u+1");
	step(&CLIENT, &SERVER, TCPF_RST, X, 0, 0, XDP_DROP, CT_CLOSE_WAIT, TCP_S_FIN_WAIT_2,
	     TCP_S_CLOSE_WAIT, "client RST at u-1: dropped");
	CHECK_EQ(env_counter(&E, CNT_INV_RST_OUT_OF_WINDOW), 1, "rst-out-of-window counted");
	step(&CLIENT, &SERVER, TCPF_RST, X + 1, 0, 0, XDP_PASS, CT_CLOSE, TCP_S_CLOSED,
	     TCP_S_CLOSED, "client RST at u: closes");
	CHECK_EQ(env_counter(&E, CNT_INV_RST_OUT_OF_WINDOW), 1, "no second rst-out-of-window");
	CHECK_EQ(env_counter(&E, CNT_FLOW_CLOSED), 1, "flows_closed");
	CHECK_EQ(env_counter(&E, CNT_VERDICT_DROP), 1, "only the RST at u-1 dropped");
	env_close(&E);
}

static void non_syn_for_unknown_flow_opens_nothing(void)
{
	struct frame fr;

	REQUIRE(env_open(&E, 1024) == 0, "load the data path");
	frame_tcp(&fr, &CLIENT, &SERVER, TCPF_ACK, X, Y, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "default policy passes");
	CHECK_EQ(env_flow_count(&E), 0, "no flow created");
	CHECK_EQ(env_counter(&E, CNT_INV_NO_FLOW), 1, "invalid_no_flow counted");

	E.cfg.policy = POLICY_STRICT;
	REQUIRE(env_set_config(&E) == 0, "set strict");
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_DROP, "strict drops it");
	CHECK_EQ(env_counter(&E, CNT_VERDICT_DROP), 1, "drop counted");
	env_close(&E);
}

static void egress_program_tracks_the_same_flow(void)
{
	struct xdpct_flow f;
	struct frame fr;

	REQUIRE(env_open(&E, 1024) == 0, "load the data path");
	/* The host is the client: its SYN leaves by egress, the answer arrives by XDP. */
	frame_tcp(&fr, &CLIENT, &SERVER, TCPF_SYN, X, 0, 0);
	CHECK_EQ(env_run_tc(&E, &fr), 0 /* TC_ACT_OK */, "tc verdict");
	frame_tcp(&fr, &SERVER, &CLIENT, TCPF_SYN | TCPF_ACK, Y, X + 1, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "xdp verdict");
	frame_tcp(&fr, &CLIENT, &SERVER, TCPF_ACK, X + 1, Y + 1, 0);
	CHECK_EQ(env_run_tc(&E, &fr), 0, "tc verdict");
	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow present");
	CHECK_EQ(f.state, CT_ESTABLISHED, "established across both hooks");
	env_close(&E);
}

int main(void)
{
	RUN(handshake_data_and_client_close);
	RUN(rst_at_the_fin_closes_under_strict);
	RUN(non_syn_for_unknown_flow_opens_nothing);
	RUN(egress_program_tracks_the_same_flow);
	return TEST_EXIT();
}
