// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the shared state machine (include/xdpct/tcp_fsm.h),
 * compiled for userspace: the very code the data path runs.
 */
#include <string.h>
#include <xdpct/tcp_fsm.h>
#include "check.h"

#define X 1000u
#define Y 5000u

static struct xdpct_flow F;
static __u64 NOW = 100;

/* A segment from the client (a = 0) or the server (a = 1). */
static struct xdpct_pkt seg(int from_server, __u8 flags, __u32 seq, __u32 ack, __u16 len)
{
	struct xdpct_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.payload_len = len;
	p.window = 64000;
	p.ip_len = (__u16)(40 + len);
	(void)from_server;
	return p;
}

/* The client is key side a (src_is_b = 0), the server side b. */
static struct xdpct_step send_seg(int from_server, __u8 flags, __u32 seq, __u32 ack, __u16 len)
{
	struct xdpct_pkt p = seg(from_server, flags, seq, ack, len);
	struct xdpct_step st;

	xdpct_fsm_step(&F, from_server, &p, NOW, false, &st);
	return st;
}

static void open_flow(void)
{
	struct xdpct_pkt p = seg(0, TCPF_SYN, X, 0, 0);
	struct xdpct_step st;

	CHECK(xdpct_fsm_open(&F, 0, &p, 1, NOW, &st), "SYN opens a flow");
	CHECK_EQ(st.event, EV_NEW, "new event");
}

static void establish(void)
{
	open_flow();
	send_seg(1, TCPF_SYN | TCPF_ACK, Y, X + 1, 0);
	send_seg(0, TCPF_ACK, X + 1, Y + 1, 0);
}

static void three_way_handshake(void)
{
	struct xdpct_step st;

	open_flow();
	CHECK_EQ(F.state, CT_SYN_SENT, "after SYN");
	CHECK_EQ(F.ep[DIR_ORIG].state, TCP_S_SYN_SENT, "client SYN-SENT");
	st = send_seg(1, TCPF_SYN | TCPF_ACK, Y, X + 1, 0);
	CHECK_EQ(st.invalid, INV_NONE, "SYN+ACK acking x+1 is valid");
	CHECK_EQ(F.state, CT_SYN_RECV, "after SYN+ACK");
	CHECK_EQ(F.ep[DIR_REPLY].state, TCP_S_SYN_RECEIVED, "server SYN-RECEIVED");
	st = send_seg(0, TCPF_ACK, X + 1, Y + 1, 0);
	CHECK_EQ(st.invalid, INV_NONE, "third ACK valid");
	CHECK_EQ(st.event, EV_ESTABLISHED, "established event");
	CHECK_EQ(F.state, CT_ESTABLISHED, "after third ACK");
}

static void synack_must_ack_isn_plus_one(void)
{
	struct xdpct_step st;

	open_flow();
	st = send_seg(1, TCPF_SYN | TCPF_ACK, Y, X + 2, 0);
	CHECK_EQ(st.invalid, INV_BAD_SYNACK, "SYN+ACK acking x+2");
	CHECK_EQ(F.ep[DIR_REPLY].state, TCP_S_CLOSED, "server unchanged");
	CHECK_EQ(F.state, CT_SYN_SENT, "flow unchanged");
}

static void server_closes_first(void)
{
	establish();
	send_seg(1, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0);
	CHECK_EQ(F.ep[DIR_REPLY].state, TCP_S_FIN_WAIT_1, "server FIN-WAIT-1");
	send_seg(0, TCPF_ACK, X + 1, Y + 2, 0);
	CHECK_EQ(F.ep[DIR_ORIG].state, TCP_S_CLOSE_WAIT, "client CLOSE-WAIT");
	CHECK_EQ(F.ep[DIR_REPLY].state, TCP_S_FIN_WAIT_2, "server FIN-WAIT-2");
	send_seg(0, TCPF_FIN | TCPF_ACK, X + 1, Y + 2, 0);
	CHECK_EQ(F.ep[DIR_ORIG].state, TCP_S_LAST_ACK, "client LAST-ACK");
	send_seg(1, TCPF_ACK, Y + 2, X + 2, 0);
	CHECK_EQ(F.ep[DIR_REPLY].state, TCP_S_TIME_WAIT, "server TIME-WAIT");
	CHECK_EQ(F.ep[DIR_ORIG].state, TCP_S_CLOSED, "client CLOSED");
	CHECK_EQ(F.state, CT_TIME_WAIT, "flow TIME_WAIT");
}

static void fin_retransmitted_into_time_wait_restarts_2msl(void)
{
	struct xdpct_step st;

	establish();
	send_seg(0, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0);
	send_seg(1, TCPF_FIN | TCPF_ACK, Y + 1, X + 2, 0);
	send_seg(0, TCPF_ACK, X + 2, Y + 2, 0); /* lost after we saw it */
	CHECK_EQ(F.tw_start, 100, "TIME-WAIT entered at 100");
	NOW = 500;
	st = send_seg(1, TCPF_FIN | TCPF_ACK, Y + 1, X + 2, 0);
	CHECK_EQ(st.invalid, INV_NONE, "retransmitted FIN valid");
	CHECK_EQ(st.event, EV_TW_RESTART, "restart event");
	CHECK_EQ(st.respond, RESP_TW_REACK, "responder may re-ACK");
	CHECK_EQ(F.tw_start, 500, "2MSL clock restarted");
	CHECK_EQ(F.ep[DIR_REPLY].state, TCP_S_LAST_ACK, "server still LAST-ACK");
	send_seg(0, TCPF_ACK, X + 2, Y + 2, 0);
	CHECK_EQ(F.ep[DIR_REPLY].state, TCP_S_CLOSED, "re-ACK closes the server");
	NOW = 100;
}

static void rst_needs_exact_sequence(void)
{
	struct xdpct_step st;

	establish();
	st = send_seg(1, TCPF_RST, Y + 100, 0, 0);
	CHECK_EQ(st.invalid, INV_RST_IN_WINDOW, "in window, not exact");
	CHECK_EQ(st.respond, RESP_CHALLENGE, "challenge ACK");
	CHECK_EQ(F.state, CT_ESTABLISHED, "still established");
	st = send_seg(1, TCPF_RST, Y + 1, 0, 0);
	CHECK_EQ(st.invalid, INV_NONE, "exact RST accepted");
	CHECK_EQ(F.state, CT_CLOSE, "closed");
}

static void old_duplicate_syn_into_time_wait(void)
{
	struct xdpct_pkt p;
	struct xdpct_step st;

	server_closes_first();
	p = seg(0, TCPF_SYN, X, 0, 0);
	xdpct_fsm_step(&F, 0, &p, NOW, false, &st);
	CHECK_EQ(st.invalid, INV_OLD_SYN, "ISN not beyond the old sequence space");
	CHECK_EQ(F.state, CT_TIME_WAIT, "still TIME_WAIT");
	p = seg(0, TCPF_SYN, X + 100000, 0, 0);
	xdpct_fsm_step(&F, 0, &p, NOW, false, &st);
	CHECK_EQ(st.invalid, INV_NONE, "new ISN beyond the old");
	CHECK_EQ(st.event, EV_REOPENED, "reopened");
	CHECK_EQ(F.state, CT_SYN_SENT, "new handshake");
}

/*
 * The reopened entry is a new connection: unassured (FLOW_REOPENED, what
 * list --conntrack reads) until its own handshake completes, as conntrack's
 * new entry is; the old connection's flags do not carry over.
 */
static void reopened_flow_is_unassured_until_its_handshake(void)
{
	const __u32 x2 = X + 100000;

	server_closes_first();
	CHECK(!(F.flags & FLOW_REOPENED), "the first connection was not reopened");
	send_seg(0, TCPF_SYN, x2, 0, 0);
	CHECK_EQ(F.state, CT_SYN_SENT, "reopened");
	CHECK(F.flags & FLOW_REOPENED, "unassured after the SYN");
	send_seg(1, TCPF_SYN | TCPF_ACK, Y + 7777, x2 + 1, 0);
	CHECK_EQ(F.state, CT_SYN_RECV, "SYN+ACK");
	CHECK(F.flags & FLOW_REOPENED, "unassured after the SYN+ACK");
	send_seg(0, TCPF_ACK, x2 + 1, Y + 7778, 0);
	CHECK_EQ(F.state, CT_ESTABLISHED, "third ACK");
	CHECK(!(F.flags & FLOW_REOPENED), "assured once established");
	CHECK(!(F.flags & FLOW_CLIENT_IS_B), "the client is still side a");
}

static void bad_flags_are_invalid(void)
{
	static const __u8 bad[] = { 0, TCPF_SYN | TCPF_FIN, TCPF_SYN | TCPF_RST, TCPF_FIN,
				    TCPF_FIN | TCPF_PSH };
	size_t i;

	for (i = 0; i < sizeof(bad); i++)
		CHECK_EQ(xdpct_seg_kind(bad[i]), SEG_BAD, "flag combination");
	CHECK_EQ(xdpct_seg_kind(TCPF_SYN | TCPF_ECE | TCPF_CWR), SEG_SYN, "ECN SYN");
	CHECK_EQ(xdpct_seg_kind(TCPF_ACK | TCPF_PSH), SEG_ACK, "PSH ACK");
}

int main(void)
{
	RUN(three_way_handshake);
	RUN(synack_must_ack_isn_plus_one);
	RUN(server_closes_first);
	RUN(fin_retransmitted_into_time_wait_restarts_2msl);
	RUN(rst_needs_exact_sequence);
	RUN(old_duplicate_syn_into_time_wait);
	RUN(reopened_flow_is_unassured_until_its_handshake);
	RUN(bad_flags_are_invalid);
	return TEST_EXIT();
}
