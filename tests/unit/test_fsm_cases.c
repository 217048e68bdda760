// SPDX-License-Identifier: GPL-2.0
/*
 * The state machine (include/xdpct/tcp_fsm.h) cell by cell and case by
 * case: every entry of the fact x state table against RFC 9293, every
 * real transition driven by segments, and the cases of issue 3
 * (simultaneous open and close, SYN retransmission, lost SYN+ACK, RST
 * in and out of window, old duplicate SYNs, window validation and
 * scaling, bad flags) with both states and the sequence fields checked
 * after each segment. Last, a property: an invalid segment never changes
 * the flow.
 */
#include <string.h>
#include <xdpct/tcp_fsm.h>
#include "check.h"

#define X 1000u  /* client ISN */
#define Y 5000u  /* server ISN */
#define C 0      /* segment from the client (key side a) */
#define S 1      /* segment from the server (key side b) */

static struct xdpct_flow F;
static __u64 NOW = 100;

struct opt {
	__u16 window;  /* 0: 64000 */
	int wscale;    /* -1: no option (SYN only) */
};

static struct xdpct_pkt mkseg(__u8 flags, __u32 seq, __u32 ack, __u16 len, const struct opt *o)
{
	struct xdpct_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.payload_len = len;
	p.window = o && o->window ? o->window : 64000;
	p.ip_len = (__u16)(40 + len);
	if (o && o->wscale >= 0 && (flags & TCPF_SYN)) {
		p.opts |= OPT_WSCALE;
		p.wscale = (__u8)o->wscale;
	}
	return p;
}

static struct xdpct_step sendo(int from, __u8 flags, __u32 seq, __u32 ack, __u16 len,
			       const struct opt *o)
{
	struct xdpct_pkt p = mkseg(flags, seq, ack, len, o);
	struct xdpct_step st;

	xdpct_fsm_step(&F, from, &p, NOW, false, &st);
	return st;
}

static struct xdpct_step sendp(int from, __u8 flags, __u32 seq, __u32 ack, __u16 len)
{
	return sendo(from, flags, seq, ack, len, NULL);
}

static void open_with(const struct opt *o)
{
	struct xdpct_pkt p = mkseg(TCPF_SYN, X, 0, 0, o);
	struct xdpct_step st;

	CHECK(xdpct_fsm_open(&F, C, &p, 1, NOW, &st), "SYN opens a flow");
	CHECK_EQ(st.event, EV_NEW, "new event");
}

static void open_flow(void)
{
	open_with(NULL);
}

static void establish(void)
{
	open_flow();
	sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0);
	sendp(C, TCPF_ACK, X + 1, Y + 1, 0);
}

/* An established flow closed simultaneously: the FINs cross, both ends in TIME-WAIT. */
static void both_in_time_wait(void)
{
	establish();
	sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0);
	sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0);
	sendp(C, TCPF_ACK, X + 2, Y + 2, 0);
	sendp(S, TCPF_ACK, Y + 2, X + 2, 0);
}

#define CL TCP_S_CLOSED
#define SS TCP_S_SYN_SENT
#define SR TCP_S_SYN_RECEIVED
#define ES TCP_S_ESTABLISHED
#define F1 TCP_S_FIN_WAIT_1
#define F2 TCP_S_FIN_WAIT_2
#define CW TCP_S_CLOSE_WAIT
#define CG TCP_S_CLOSING
#define LA TCP_S_LAST_ACK
#define TW TCP_S_TIME_WAIT

static char msgbuf[160];

static const char *msg(const char *what, const char *field)
{
	snprintf(msgbuf, sizeof(msgbuf), "%s: %s", what, field);
	return msgbuf;
}

/* Both endpoint states and the summary. */
#define STATES(ct, c, s, what)                                                       \
	do {                                                                         \
		CHECK_EQ(F.state, ct, msg(what, "conntrack state"));                 \
		CHECK_EQ(F.ep[DIR_ORIG].state, c, msg(what, "client state"));        \
		CHECK_EQ(F.ep[DIR_REPLY].state, s, msg(what, "server state"));       \
	} while (0)

#define VALID(st, what) CHECK_EQ((st).invalid, INV_NONE, msg(what, "valid"))

/* An invalid segment: the reason, and the flow byte for byte as it was. */
#define REJECT(from, flags, seq, ack, len, reason, what)                             \
	do {                                                                         \
		struct xdpct_flow before_ = F;                                       \
		struct xdpct_step st_ = sendp(from, flags, seq, ack, len);           \
		CHECK_EQ(st_.invalid, reason, msg(what, "invalid reason"));          \
		CHECK(!memcmp(&before_, &F, sizeof(F)), msg(what, "flow unchanged")); \
	} while (0)

/*
 * The table, written out again from RFC 9293 3.3.2 (figure 5) as an
 * observer applies it: K keeps the state, B means the fact cannot happen.
 */
#define K T_KEEP
#define B T_BAD
static const __u8 rfc_table[F__MAX][TCP_S__MAX] = {
	/*                      CL  SS  SR  ES  F1  F2  CW  CG  LA  TW */
	[F_SEND_SYN]        = { SS, K,  B,  B,  B,  B,  B,  B,  B,  B },
	[F_SEND_SYNACK]     = { SR, SR, K,  K,  B,  B,  B,  B,  B,  B },
	[F_SEND_FIN]        = { B,  B,  F1, F1, K,  K,  LA, K,  K,  K },
	[F_SEND_ACK_OF_FIN] = { K,  B,  CW, CW, CG, TW, K,  K,  K,  K },
	[F_RECV_SYN]        = { K,  SR, K,  K,  K,  K,  K,  K,  K,  K },
	[F_RECV_ACK_OF_SYN] = { K,  ES, ES, K,  K,  K,  K,  K,  K,  K },
	[F_RECV_ACK_OF_FIN] = { K,  K,  K,  K,  F2, K,  K,  TW, CL, K },
};
#undef K
#undef B

static void every_table_cell_matches_rfc(void)
{
	struct xdpct_endpoint ep;
	unsigned int fact, s;
	char msg[96];

	memset(&ep, 0, sizeof(ep));
	for (fact = 0; fact < F__MAX; fact++) {
		for (s = 0; s < TCP_S__MAX; s++) {
			__u8 want = rfc_table[fact][s];

			ep.state = (__u8)s;
			snprintf(msg, sizeof(msg), "fact %u in %s", fact, xdpct_tcp_state_name(s));
			CHECK_EQ(xdpct_next(&ep, fact), want, msg);
			/* apply: moves on a transition, keeps on K, refuses and keeps on B. */
			CHECK_EQ(xdpct_apply(&ep, fact), want != T_BAD, msg);
			CHECK_EQ(ep.state, want < TCP_S__MAX ? want : s, msg);
		}
	}
	ep.state = TCP_S__MAX;
	CHECK_EQ(xdpct_next(&ep, F_SEND_SYN), T_BAD, "state out of range");
	ep.state = TCP_S_CLOSED;
	CHECK_EQ(xdpct_next(&ep, F__MAX), T_BAD, "fact out of range");
}

/* CL->SS (send SYN), CL->SR (send SYN+ACK), SS->ES and SR->ES (SYN acked). */
static void handshake_transitions_and_sequences(void)
{
	struct xdpct_step st;

	open_flow();
	STATES(CT_SYN_SENT, SS, CL, "SYN x");
	CHECK_EQ(F.ep[DIR_ORIG].isn, X, "client isn");
	CHECK_EQ(F.ep[DIR_ORIG].end, X + 1, "SYN consumes one number");
	CHECK_EQ(F.ep[DIR_ORIG].maxwin, 64000, "client window");
	st = sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0);
	VALID(st, "SYN+ACK y ack x+1");
	STATES(CT_SYN_RECV, ES, SR, "SYN+ACK y ack x+1");
	CHECK_EQ(F.ep[DIR_REPLY].isn, Y, "server isn");
	CHECK_EQ(F.ep[DIR_REPLY].end, Y + 1, "server end");
	CHECK_EQ(F.ep[DIR_ORIG].maxend, X + 1 + 64000, "client may send up to ack + window");
	REJECT(C, TCPF_ACK, X + 1, Y + 2, 0, INV_BAD_ACK, "third ACK acking y+2");
	REJECT(C, TCPF_ACK, X + 1, Y, 0, INV_BAD_ACK, "third ACK acking y");
	st = sendp(C, TCPF_ACK, X + 1, Y + 1, 0);
	VALID(st, "ACK x+1 y+1");
	CHECK_EQ(st.event, EV_ESTABLISHED, "established event");
	STATES(CT_ESTABLISHED, ES, ES, "ACK x+1 y+1");
	CHECK_EQ(F.ep[DIR_REPLY].maxend, Y + 1 + 64000, "server may send up to ack + window");
	st = sendp(C, TCPF_ACK | TCPF_PSH, X + 1, Y + 1, 100);
	VALID(st, "client data");
	CHECK_EQ(F.ep[DIR_ORIG].end, X + 101, "data moves the client's end");
	CHECK_EQ(st.event, EV_NONE, "no event for data");
}

static void synack_checks(void)
{
	open_flow();
	REJECT(S, TCPF_SYN | TCPF_ACK, Y, X + 2, 0, INV_BAD_SYNACK, "SYN+ACK acking x+2");
	REJECT(S, TCPF_SYN | TCPF_ACK, Y, X, 0, INV_BAD_SYNACK, "SYN+ACK acking x");
	/* The client's own direction: a SYN+ACK to a peer that sent no SYN. */
	REJECT(C, TCPF_SYN | TCPF_ACK, X, Y + 1, 0, INV_BAD_SYNACK, "SYN+ACK from the client");
	STATES(CT_SYN_SENT, SS, CL, "after bad SYN+ACKs");
	/* A retransmitted SYN+ACK must carry the same ISN. */
	sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0);
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0), "SYN+ACK retransmitted");
	REJECT(S, TCPF_SYN | TCPF_ACK, Y + 7, X + 1, 0, INV_BAD_SYNACK, "SYN+ACK with another ISN");
	STATES(CT_SYN_RECV, ES, SR, "after SYN+ACK");
}

/* RFC 7413: a SYN with data; the SYN+ACK acks the data, or only the SYN. */
static void fast_open_syn_with_data(void)
{
	struct xdpct_pkt p;
	struct xdpct_step st;
	int accepted;

	for (accepted = 0; accepted < 2; accepted++) {
		__u32 ack = accepted ? X + 101 : X + 1;

		p = mkseg(TCPF_SYN, X, 0, 100, NULL);
		CHECK(xdpct_fsm_open(&F, C, &p, 1, NOW, &st), "SYN with 100 bytes opens");
		CHECK_EQ(F.ep[DIR_ORIG].end, X + 101, "SYN and data consume 101");
		REJECT(S, TCPF_SYN | TCPF_ACK, Y, X + 102, 0, INV_BAD_SYNACK, "SYN+ACK acking unsent");
		REJECT(S, TCPF_SYN | TCPF_ACK, Y, X, 0, INV_BAD_SYNACK, "SYN+ACK not acking the SYN");
		VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, ack, 0), accepted ? "data accepted" : "SYN only");
		STATES(CT_SYN_RECV, ES, SR, "after SYN+ACK");
		/* Not accepted: the client sends the data again after the handshake. */
		VALID(sendp(C, TCPF_ACK, accepted ? X + 101 : X + 1, Y + 1, accepted ? 0 : 100),
		      "third ACK");
		STATES(CT_ESTABLISHED, ES, ES, "established");
		CHECK_EQ(F.ep[DIR_ORIG].end, X + 101, "client end");
	}
	/* A RST answering such a SYN acks its data too (RFC 9293 3.10.7.1). */
	p = mkseg(TCPF_SYN, X, 0, 100, NULL);
	xdpct_fsm_open(&F, C, &p, 1, NOW, &st);
	VALID(sendp(S, TCPF_RST | TCPF_ACK, 0, X + 101, 0), "RST acking SYN and data");
	STATES(CT_CLOSE, CL, CL, "refused");
}

/* Nothing but a SYN may come before the receiver's SYN. */
static void ack_before_the_peers_syn_is_unexpected(void)
{
	open_flow();
	REJECT(C, TCPF_ACK, X + 1, 77, 0, INV_UNEXPECTED, "client ACK before any SYN+ACK");
	REJECT(S, TCPF_ACK, Y, X + 1, 0, INV_UNEXPECTED, "server ACK without its SYN");
	REJECT(C, TCPF_FIN | TCPF_ACK, X + 1, 77, 0, INV_UNEXPECTED, "client FIN before SYN+ACK");
	STATES(CT_SYN_SENT, SS, CL, "unchanged");
}

/* ES->F1, ES->CW, F1->F2, CW->LA, F2->TW, LA->CL; data after the half-close. */
static void client_closes_first_with_half_close(void)
{
	struct xdpct_step st;

	establish();
	st = sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0);
	VALID(st, "client FIN u=x+1");
	CHECK_EQ(st.event, EV_FIN, "fin event");
	STATES(CT_FIN_WAIT, F1, ES, "client FIN");
	CHECK_EQ(F.ep[DIR_ORIG].fin_seq, X + 1, "fin_seq");
	CHECK_EQ(F.ep[DIR_ORIG].end, X + 2, "FIN consumes one number");
	REJECT(S, TCPF_ACK, Y + 1, X + 3, 0, INV_OUT_OF_WINDOW, "ACK beyond the FIN");
	st = sendp(S, TCPF_ACK, Y + 1, X + 2, 0);
	VALID(st, "server ACK u+1");
	STATES(CT_CLOSE_WAIT, F2, CW, "server ACK u+1");
	CHECK(F.ep[DIR_ORIG].flags & EP_FIN_ACKED, "client FIN acked");
	/* Half-close: the server keeps sending, the client keeps acking. */
	VALID(sendp(S, TCPF_ACK | TCPF_PSH, Y + 1, X + 2, 300), "server data after half-close");
	VALID(sendp(C, TCPF_ACK, X + 2, Y + 301, 0), "client acks it");
	STATES(CT_CLOSE_WAIT, F2, CW, "half-closed");
	CHECK_EQ(F.ep[DIR_REPLY].end, Y + 301, "server end");
	st = sendp(S, TCPF_FIN | TCPF_ACK, Y + 301, X + 2, 0);
	VALID(st, "server FIN w");
	STATES(CT_LAST_ACK, F2, LA, "server FIN");
	CHECK_EQ(F.ep[DIR_REPLY].fin_seq, Y + 301, "server fin_seq");
	NOW = 150;
	st = sendp(C, TCPF_ACK, X + 2, Y + 302, 0);
	VALID(st, "client ACK w+1");
	CHECK_EQ(st.event, EV_TIME_WAIT, "time-wait event");
	STATES(CT_TIME_WAIT, TW, CL, "client ACK w+1");
	CHECK_EQ(F.tw_start, 150, "tw_start");
	NOW = 100;
}

/* The server closes first: it ends in TIME-WAIT; FIN+ACK acking a FIN at once. */
static void server_closes_first_and_fin_acks_fin(void)
{
	establish();
	VALID(sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0), "server FIN");
	STATES(CT_FIN_WAIT, ES, F1, "server FIN");
	/* The client's FIN+ACK acks the server's FIN in the same segment: ES->CW->LA. */
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 2, 0), "client FIN+ACK acking w+1");
	STATES(CT_LAST_ACK, LA, F2, "client FIN+ACK");
	VALID(sendp(S, TCPF_ACK, Y + 2, X + 2, 0), "server ACK");
	STATES(CT_TIME_WAIT, CL, TW, "server ACK");
}

/* SS->SR on receiving a SYN; SS->SR on sending SYN+ACK; both reach ESTABLISHED. */
static void simultaneous_open(int synack_from_server_first)
{
	struct xdpct_step st;

	open_flow();
	st = sendp(S, TCPF_SYN, Y, 0, 0);
	VALID(st, "server SYN y crosses the client's");
	STATES(CT_SYN_SENT2, SR, SS, "both SYNs");
	CHECK(F.flags & FLOW_SIMOPEN, "simultaneous open flagged");
	CHECK_EQ(F.ep[DIR_REPLY].isn, Y, "server isn");
	if (synack_from_server_first) {
		VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0), "server SYN+ACK y, x+1");
		STATES(CT_SYN_RECV, ES, SR, "server SYN+ACK");
		VALID(sendp(C, TCPF_SYN | TCPF_ACK, X, Y + 1, 0), "client SYN+ACK x, y+1");
	} else {
		VALID(sendp(C, TCPF_SYN | TCPF_ACK, X, Y + 1, 0), "client SYN+ACK x, y+1");
		STATES(CT_SYN_RECV, SR, ES, "client SYN+ACK");
		VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0), "server SYN+ACK y, x+1");
	}
	STATES(CT_ESTABLISHED, ES, ES, "both SYN+ACKs");
	CHECK_EQ(F.ep[DIR_ORIG].end, X + 1, "client end");
	CHECK_EQ(F.ep[DIR_REPLY].end, Y + 1, "server end");
	VALID(sendp(C, TCPF_ACK, X + 1, Y + 1, 10), "data after simultaneous open");
}

static void simultaneous_open_client_synack_first(void)
{
	simultaneous_open(0);
}

static void simultaneous_open_server_synack_first(void)
{
	simultaneous_open(1);
}

/*
 * Both first SYNs are lost after us: each end is still SYN-SENT and
 * sends its SYN again, then the SYN+ACKs cross (seen on real TCP).
 */
static void simultaneous_open_with_both_syns_lost(void)
{
	open_flow();
	VALID(sendp(S, TCPF_SYN, Y, 0, 0), "server SYN (lost beyond us)");
	STATES(CT_SYN_SENT2, SR, SS, "crossed SYNs");
	VALID(sendp(C, TCPF_SYN, X, 0, 0), "client SYN again: it never got the server's");
	STATES(CT_SYN_SENT2, SS, SS, "client still SYN-SENT");
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0), "server got it: SYN+ACK");
	STATES(CT_SYN_RECV, ES, SR, "server SYN-RECEIVED");
	VALID(sendp(C, TCPF_ACK, X + 1, Y + 1, 0), "client ACK");
	STATES(CT_ESTABLISHED, ES, ES, "both established");
}

/* F1->CG and CG->TW on one side, F1->F2->TW on the other; both in TIME-WAIT. */
static void simultaneous_close_via_closing(void)
{
	struct xdpct_step st;

	establish();
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0), "client FIN");
	VALID(sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0), "server FIN crosses it");
	STATES(CT_LAST_ACK, F1, F1, "both FINs");
	VALID(sendp(C, TCPF_ACK, X + 2, Y + 2, 0), "client acks the server's FIN");
	STATES(CT_LAST_ACK, CG, F2, "client CLOSING");
	NOW = 120;
	st = sendp(S, TCPF_ACK, Y + 2, X + 2, 0);
	VALID(st, "server acks the client's FIN");
	STATES(CT_TIME_WAIT, TW, TW, "both TIME-WAIT");
	CHECK_EQ(F.tw_start, 120, "tw_start");
	/* The server's FIN again: our view saw its ACK, the client did not get it. */
	NOW = 300;
	st = sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 2, 0);
	VALID(st, "server FIN retransmitted");
	CHECK_EQ(st.event, EV_TW_RESTART, "restart");
	CHECK_EQ(st.respond, RESP_TW_REACK, "re-ACK hint");
	STATES(CT_TIME_WAIT, TW, CG, "server back in CLOSING");
	CHECK_EQ(F.tw_start, 300, "2MSL restarted");
	VALID(sendp(C, TCPF_ACK, X + 2, Y + 2, 0), "client re-ACKs");
	STATES(CT_TIME_WAIT, TW, TW, "both TIME-WAIT again");
	NOW = 100;
}

/*
 * After a simultaneous close, the first FIN retransmission takes its
 * sender from TIME-WAIT back to CLOSING; a second one keeps it there, so
 * the peer's re-ACK brings it to TIME-WAIT, not to CLOSED.
 */
static void fin_retransmitted_again_in_closing_stays_closing(void)
{
	struct xdpct_step st;
	int i;

	both_in_time_wait();
	STATES(CT_TIME_WAIT, TW, TW, "both TIME-WAIT");
	for (i = 0; i < 2; i++) {
		st = sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 2, 0);
		VALID(st, "client FIN retransmitted");
		CHECK_EQ(st.event, EV_TW_RESTART, "restart");
		CHECK_EQ(st.respond, RESP_TW_REACK, "re-ACK hint");
		STATES(CT_TIME_WAIT, CG, TW, "client CLOSING");
	}
	VALID(sendp(S, TCPF_ACK, Y + 2, X + 2, 0), "server re-ACKs");
	STATES(CT_TIME_WAIT, TW, TW, "both TIME-WAIT again");
}

/* SR->F1: the server closes before the third ACK. */
static void close_in_syn_received(void)
{
	open_flow();
	sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0);
	VALID(sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0), "server FIN from SYN-RECEIVED");
	STATES(CT_FIN_WAIT, ES, F1, "server FIN-WAIT-1");
	VALID(sendp(C, TCPF_ACK, X + 1, Y + 2, 0), "client acks SYN and FIN");
	STATES(CT_CLOSE_WAIT, CW, F2, "after");
}

static void syn_retransmission(void)
{
	struct xdpct_step st;

	open_flow();
	st = sendp(C, TCPF_SYN, X, 0, 0);
	VALID(st, "same SYN again");
	CHECK_EQ(st.event, EV_NONE, "no event");
	STATES(CT_SYN_SENT, SS, CL, "still SYN-SENT");
	CHECK_EQ(F.ep[DIR_ORIG].isn, X, "isn kept");
	/* A new attempt on the same port with another ISN replaces it. */
	VALID(sendp(C, TCPF_SYN, X + 500, 0, 0), "SYN with a new ISN");
	CHECK_EQ(F.ep[DIR_ORIG].isn, X + 500, "new isn");
	REJECT(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0, INV_BAD_SYNACK, "SYN+ACK for the old ISN");
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 501, 0), "SYN+ACK for the new one");
	STATES(CT_SYN_RECV, ES, SR, "after");
}

/*
 * The SYN+ACK delayed beyond us, the SYN sent twice more: the second
 * retransmission is the SYN the client is known from, and starts nothing
 * over (its ACK edge and window, the scale agreed). The client's ACK then
 * shows it got the SYN+ACK after all.
 */
static void repeated_syn_retransmission_keeps_the_window_view(void)
{
	struct opt ws7 = { .window = 0, .wscale = 7 }, w500 = { .window = 500, .wscale = -1 };
	struct xdpct_flow after_first;
	struct xdpct_step st;

	open_with(&ws7);
	VALID(sendo(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0, &ws7), "SYN+ACK, scale 7");
	VALID(sendo(C, TCPF_SYN, X, 0, 0, &ws7), "SYN retransmitted");
	STATES(CT_SYN_RECV, SS, SR, "client back in SYN-SENT");
	after_first = F;
	VALID(sendo(C, TCPF_SYN, X, 0, 0, &ws7), "SYN retransmitted again");
	CHECK(!memcmp(&after_first, &F, sizeof(F)), "the second retransmission changes nothing");
	CHECK_EQ(F.ep[DIR_ORIG].maxend, X + 1 + 64000, "client's right edge from the SYN+ACK");
	st = sendo(C, TCPF_ACK, X + 1, Y + 1, 0, &w500);
	VALID(st, "client ACK: it got the SYN+ACK");
	CHECK_EQ(st.event, EV_ESTABLISHED, "established event");
	STATES(CT_ESTABLISHED, ES, ES, "established");
	CHECK_EQ(F.ep[DIR_REPLY].maxend, Y + 1 + 500 * 128, "server's right edge, scaled");
	VALID(sendo(C, TCPF_ACK, X + 1, Y + 1, 1000, &w500), "client data");
	VALID(sendo(C, TCPF_ACK, X + 1001, Y + 1, 1000, &w500), "more client data");
	CHECK_EQ(F.ep[DIR_ORIG].end, X + 2001, "client end");
}

static void lost_synack(void)
{
	struct xdpct_step st;

	open_flow();
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0), "SYN+ACK (lost after us)");
	st = sendp(C, TCPF_SYN, X, 0, 0);
	VALID(st, "client retransmits its SYN");
	STATES(CT_SYN_RECV, SS, SR, "client back in SYN-SENT");
	VALID(sendp(C, TCPF_SYN, X, 0, 0), "and again");
	STATES(CT_SYN_RECV, SS, SR, "client still SYN-SENT");
	REJECT(S, TCPF_SYN | TCPF_ACK, Y + 1, X + 1, 0, INV_BAD_SYNACK, "SYN+ACK with another ISN");
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0), "server retransmits SYN+ACK");
	STATES(CT_SYN_RECV, ES, SR, "client ESTABLISHED");
	st = sendp(C, TCPF_ACK, X + 1, Y + 1, 0);
	CHECK_EQ(st.event, EV_ESTABLISHED, "established");
	STATES(CT_ESTABLISHED, ES, ES, "after third ACK");
}

static void rst_cases(void)
{
	struct xdpct_step st;

	establish();
	sendp(C, TCPF_ACK, X + 1, Y + 1, 1000);
	/* Exact is RCV.NXT = what the sender sent up to; in window earns a challenge. */
	st = sendp(S, TCPF_RST, Y + 100, 0, 0);
	CHECK_EQ(st.invalid, INV_RST_IN_WINDOW, "RST in window, not exact");
	CHECK_EQ(st.respond, RESP_CHALLENGE, "challenge ACK hint");
	REJECT(S, TCPF_RST, Y + 100, 0, 0, INV_RST_IN_WINDOW, "in-window RST changes nothing");
	REJECT(S, TCPF_RST, Y, 0, 0, INV_RST_OUT_OF_WINDOW, "RST below the window");
	REJECT(S, TCPF_RST | TCPF_ACK, Y + 1 + 64000, X + 1001, 0, INV_RST_OUT_OF_WINDOW,
	       "RST at the right edge");
	REJECT(S, TCPF_RST, Y + 1000000, 0, 0, INV_RST_OUT_OF_WINDOW, "RST far beyond");
	/* The server acked only the SYN (X + 1): its window starts there. */
	REJECT(C, TCPF_RST, X, 0, 0, INV_RST_OUT_OF_WINDOW, "client RST behind the server's ACK");
	st = sendp(C, TCPF_RST, X + 500, 0, 0);
	CHECK_EQ(st.invalid, INV_RST_IN_WINDOW, "client RST inside its unacked data");
	CHECK_EQ(st.respond, RESP_CHALLENGE, "its challenge ACK hint");
	STATES(CT_ESTABLISHED, ES, ES, "still established");
	st = sendp(C, TCPF_RST | TCPF_ACK, X + 1001, Y + 1, 0);
	VALID(st, "exact RST");
	CHECK_EQ(st.event, EV_CLOSED, "closed event");
	STATES(CT_CLOSE, CL, CL, "closed by RST");
	CHECK(F.flags & FLOW_RST, "FLOW_RST");
	REJECT(C, TCPF_ACK, X + 1001, Y + 1, 0, INV_UNEXPECTED, "ACK after RST");
}

/*
 * Data the server sent was lost beyond us; the server then lost the
 * connection (a reboot) and answers the client's next segment with a RST
 * at that segment's ACK, which is the client's RCV.NXT: exact, as
 * netfilter has it (td_maxack), though behind what we saw the server send.
 */
static void rst_at_the_receivers_last_ack_closes(void)
{
	struct xdpct_step st;

	establish();
	VALID(sendp(S, TCPF_ACK, Y + 1, X + 1, 1000), "server data, lost beyond us");
	VALID(sendp(C, TCPF_ACK, X + 1, Y + 1, 100), "client data, acking only the SYN+ACK");
	CHECK(F.ep[DIR_ORIG].flags & EP_MAXACK, "client's maxack known");
	CHECK_EQ(F.ep[DIR_ORIG].maxack, Y + 1, "client's maxack");
	REJECT(S, TCPF_RST, Y, 0, 0, INV_RST_OUT_OF_WINDOW, "RST behind the client's ACK");
	st = sendp(S, TCPF_RST, Y + 501, 0, 0);
	CHECK_EQ(st.invalid, INV_RST_IN_WINDOW, "RST between the ACK and the server's end");
	st = sendp(S, TCPF_RST, Y + 1, 0, 0);
	VALID(st, "RST at the client's ACK");
	CHECK_EQ(st.event, EV_CLOSED, "closed event");
	STATES(CT_CLOSE, CL, CL, "closed by RST");
}

/*
 * Linux's tcp_reset_check(): once the receiver has acked the sender's FIN
 * (CLOSE-WAIT, LAST-ACK, CLOSING), a RST at the FIN's own number (its
 * RCV.NXT - 1) closes too; one below it, or in any other receiver state,
 * does not.
 */
static void rst_at_the_fin_closes_once_the_fin_is_acked(void)
{
	struct xdpct_step st;

	/* Unacked, the FIN's number is the receiver's highest ACK: exact already. */
	establish();
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0), "client FIN u=x+1");
	STATES(CT_FIN_WAIT, F1, ES, "client FIN");
	VALID(sendp(C, TCPF_RST, X + 1, 0, 0), "RST at u, FIN unacked");
	STATES(CT_CLOSE, CL, CL, "closed by RST");

	/* The reviewer's case: the server acked u+1 and is CLOSE-WAIT. */
	establish();
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0), "client FIN u=x+1");
	VALID(sendp(S, TCPF_ACK, Y + 1, X + 2, 0), "server ACK u+1");
	STATES(CT_CLOSE_WAIT, F2, CW, "server CLOSE-WAIT");
	REJECT(C, TCPF_RST, X, 0, 0, INV_RST_OUT_OF_WINDOW, "RST below the FIN");
	REJECT(C, TCPF_RST, X + 3, 0, 0, INV_RST_IN_WINDOW, "RST beyond the FIN, in window");
	st = sendp(C, TCPF_RST, X + 1, 0, 0);
	VALID(st, "RST at u, receiver CLOSE-WAIT");
	CHECK_EQ(st.event, EV_CLOSED, "closed event");
	STATES(CT_CLOSE, CL, CL, "closed by RST at the FIN");
	CHECK(F.flags & FLOW_RST, "FLOW_RST");

	/* LAST-ACK: the server sent its FIN too; the client's RST carries u. */
	establish();
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0), "client FIN u=x+1");
	VALID(sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 2, 0), "server FIN+ACK u+1");
	STATES(CT_LAST_ACK, F2, LA, "server LAST-ACK");
	REJECT(C, TCPF_RST | TCPF_ACK, X, Y + 2, 0, INV_RST_OUT_OF_WINDOW, "RST below the FIN");
	VALID(sendp(C, TCPF_RST | TCPF_ACK, X + 1, Y + 2, 0), "RST at u, receiver LAST-ACK");
	STATES(CT_CLOSE, CL, CL, "closed by RST at the FIN");

	/* CLOSING: the FINs crossed and the client acked the server's FIN w=y+1. */
	establish();
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0), "client FIN");
	VALID(sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0), "server FIN crosses it");
	VALID(sendp(C, TCPF_ACK, X + 2, Y + 2, 0), "client acks w+1");
	STATES(CT_LAST_ACK, CG, F2, "client CLOSING");
	REJECT(S, TCPF_RST, Y, 0, 0, INV_RST_OUT_OF_WINDOW, "RST below the server's FIN");
	VALID(sendp(S, TCPF_RST, Y + 1, 0, 0), "RST at w, receiver CLOSING");
	STATES(CT_CLOSE, CL, CL, "closed by RST at the FIN");

	/* TIME-WAIT is not one of them: a RST at the FIN stays out of window. */
	establish();
	VALID(sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0), "server FIN w=y+1");
	VALID(sendp(C, TCPF_ACK, X + 1, Y + 2, 0), "client ACK w+1");
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 2, 0), "client FIN");
	VALID(sendp(S, TCPF_ACK, Y + 2, X + 2, 0), "server ACK");
	STATES(CT_TIME_WAIT, CL, TW, "server TIME-WAIT");
	REJECT(C, TCPF_RST, X + 1, 0, 0, INV_RST_OUT_OF_WINDOW, "RST at the FIN into TIME-WAIT");
	/* Nor FIN-WAIT-2, whose peer sent no FIN: its RST at end - 1 is not exact. */
	establish();
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0), "client FIN");
	VALID(sendp(S, TCPF_ACK, Y + 1, X + 2, 100), "server ACK u+1 with data");
	VALID(sendp(C, TCPF_ACK, X + 2, Y + 101, 0), "client acks the data");
	STATES(CT_CLOSE_WAIT, F2, CW, "client FIN-WAIT-2");
	REJECT(S, TCPF_RST, Y + 100, 0, 0, INV_RST_OUT_OF_WINDOW, "server RST at its end - 1");
}

/*
 * A RST on a flow a RST closed: valid (netfilter takes any RST in CLOSE),
 * the flow byte for byte as it was, and no second EV_CLOSED, whatever its
 * sequence number or side.
 */
static void repeated_rst_on_a_reset_flow_is_no_second_close(void)
{
	static const struct {
		int from;
		__u8 flags;
		__u32 seq, ack;
	} rsts[] = {
		{ C, TCPF_RST, X + 1, 0 },                    /* the same RST again */
		{ C, TCPF_RST | TCPF_ACK, X + 1, Y + 1 },
		{ C, TCPF_RST, X + 100, 0 },                  /* in window, not exact */
		{ S, TCPF_RST, Y + 1, 0 },                    /* the other side */
	};
	struct xdpct_flow before;
	struct xdpct_step st;
	size_t i;

	establish();
	st = sendp(C, TCPF_RST, X + 1, 0, 0);
	VALID(st, "exact RST");
	CHECK_EQ(st.event, EV_CLOSED, "closed event");
	STATES(CT_CLOSE, CL, CL, "closed by RST");
	for (i = 0; i < sizeof(rsts) / sizeof(rsts[0]); i++) {
		before = F;
		st = sendp(rsts[i].from, rsts[i].flags, rsts[i].seq, rsts[i].ack, 0);
		VALID(st, "RST again");
		CHECK_EQ(st.event, EV_NONE, "no second close");
		CHECK_EQ(st.respond, RESP_NONE, "no challenge");
		CHECK(!memcmp(&before, &F, sizeof(F)), "flow unchanged");
	}
	/* A handshake refused by RST: the RST repeated for the SYN repeated. */
	open_flow();
	CHECK_EQ(sendp(S, TCPF_RST | TCPF_ACK, 0, X + 1, 0).event, EV_CLOSED, "refused");
	before = F;
	st = sendp(S, TCPF_RST | TCPF_ACK, 0, X + 1, 0);
	VALID(st, "the refusal again");
	CHECK_EQ(st.event, EV_NONE, "no second close");
	CHECK(!memcmp(&before, &F, sizeof(F)), "flow unchanged");
}

/* RFC 9293 3.10.7.3: in SYN-SENT a RST is acceptable when it acks the SYN. */
static void rst_answering_a_syn(void)
{
	struct xdpct_step st;

	open_flow();
	REJECT(S, TCPF_RST, 0, 0, 0, INV_RST_OUT_OF_WINDOW, "RST without ACK");
	REJECT(S, TCPF_RST | TCPF_ACK, 0, X, 0, INV_RST_OUT_OF_WINDOW, "RST acking x");
	REJECT(S, TCPF_RST | TCPF_ACK, 0, X + 2, 0, INV_RST_OUT_OF_WINDOW, "RST acking x+2");
	st = sendp(S, TCPF_RST | TCPF_ACK, 0, X + 1, 0);
	VALID(st, "RST acking x+1");
	STATES(CT_CLOSE, CL, CL, "refused");
	/* The client tries again: a CLOSE flow reopens for any SYN. */
	st = sendp(C, TCPF_SYN, X, 0, 0);
	VALID(st, "SYN again");
	CHECK_EQ(st.event, EV_REOPENED, "reopened");
	STATES(CT_SYN_SENT, SS, CL, "new attempt");
	CHECK(!(F.flags & FLOW_RST), "RST flag cleared");
}

static void time_wait_by_client(void)
{
	establish();
	sendp(C, TCPF_ACK, X + 1, Y + 1, 500);
	sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 501, 0);
	sendp(C, TCPF_FIN | TCPF_ACK, X + 501, Y + 2, 0);
	sendp(S, TCPF_ACK, Y + 2, X + 502, 0);
	STATES(CT_TIME_WAIT, CL, TW, "server in TIME-WAIT");
}

/* RFC 6191: only an ISN beyond the old connection's sequence space reopens. */
static void old_duplicate_syn_into_time_wait(void)
{
	struct xdpct_step st;

	time_wait_by_client();
	REJECT(C, TCPF_SYN, X, 0, 0, INV_OLD_SYN, "old SYN with the old ISN");
	REJECT(C, TCPF_SYN, X + 502, 0, 0, INV_OLD_SYN, "SYN at the old end");
	REJECT(C, TCPF_SYN, X - 1000000, 0, 0, INV_OLD_SYN, "SYN far behind");
	STATES(CT_TIME_WAIT, CL, TW, "still TIME-WAIT");
	st = sendp(C, TCPF_SYN, X + 503, 0, 0);
	VALID(st, "ISN beyond the old end");
	CHECK_EQ(st.event, EV_REOPENED, "reopened");
	CHECK_EQ(st.dir, DIR_ORIG, "the new SYN's sender is the client");
	STATES(CT_SYN_SENT, SS, CL, "new connection");
	CHECK_EQ(F.ep[DIR_ORIG].isn, X + 503, "new isn");
	CHECK_EQ(F.ep[DIR_REPLY].maxwin, 0, "old server state gone");
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y + 9999, X + 504, 0), "new handshake goes on");
}

/* A segment carrying the timestamps option with this TSval. */
static struct xdpct_step send_ts(int from, __u8 flags, __u32 seq, __u32 ack, __u32 tsval)
{
	struct xdpct_pkt p = mkseg(flags, seq, ack, 0, NULL);
	struct xdpct_step st;

	p.opts |= OPT_TIMESTAMPS;
	p.tsval = tsval;
	xdpct_fsm_step(&F, from, &p, NOW, false, &st);
	return st;
}

/*
 * RFC 6191, as Linux takes it: a SYN whose timestamp is newer than the
 * client's FIN's reopens the TIME-WAIT 4-tuple whatever its ISN (after a
 * transfer faster than the ISN clock, the new ISN falls behind the old
 * end); an older or equal one, or none, is still an old duplicate.
 */
static void syn_with_a_newer_timestamp_into_time_wait(void)
{
	struct xdpct_flow before;
	struct xdpct_step st;

	establish();
	sendp(C, TCPF_ACK, X + 1, Y + 1, 500);
	sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 501, 0);
	send_ts(C, TCPF_FIN | TCPF_ACK, X + 501, Y + 2, 70000);
	sendp(S, TCPF_ACK, Y + 2, X + 502, 0);
	STATES(CT_TIME_WAIT, CL, TW, "server in TIME-WAIT");
	CHECK_EQ(F.fin_tsval[DIR_ORIG], 70000, "the client's FIN's TSval kept");
	before = F;
	st = send_ts(C, TCPF_SYN, X - 1000, 0, 70000);
	CHECK_EQ(st.invalid, INV_OLD_SYN, "the FIN's own TSval: not newer");
	st = send_ts(C, TCPF_SYN, X - 1000, 0, 69000);
	CHECK_EQ(st.invalid, INV_OLD_SYN, "an older TSval");
	REJECT(C, TCPF_SYN, X - 1000, 0, 0, INV_OLD_SYN, "no timestamp");
	CHECK(!memcmp(&before, &F, sizeof(F)), "still the old flow");
	st = send_ts(C, TCPF_SYN, X - 1000, 0, 70001);
	VALID(st, "a newer TSval, the ISN behind the old end");
	CHECK_EQ(st.event, EV_REOPENED, "reopened");
	STATES(CT_SYN_SENT, SS, CL, "new connection");
	CHECK_EQ(F.ep[DIR_ORIG].isn, X - 1000, "new isn");
	CHECK_EQ(F.fin_tsval[DIR_ORIG], 0, "the old FIN's TSval gone with the old flow");
	/* Across the wrap of the 32-bit clock, as RFC 7323 compares. */
	time_wait_by_client();
	F.fin_tsval[DIR_ORIG] = 0xfffffff0u;
	st = send_ts(C, TCPF_SYN, X - 5, 0, 0x10);
	VALID(st, "newer across the wrap");
	CHECK_EQ(st.event, EV_REOPENED, "reopened across the wrap");
}

/* The old server may open the new connection: it becomes the client. */
static void reopen_by_the_other_side(void)
{
	struct xdpct_step st;

	time_wait_by_client();
	st = sendp(S, TCPF_SYN, Y + 100, 0, 0);
	VALID(st, "old server opens anew");
	CHECK(F.flags & FLOW_CLIENT_IS_B, "client is now side b");
	STATES(CT_SYN_SENT, SS, CL, "roles swapped");
	VALID(sendp(C, TCPF_SYN | TCPF_ACK, X + 7000, Y + 101, 0), "answer from side a");
	STATES(CT_SYN_RECV, ES, SR, "after");
}

/*
 * The old-duplicate rule is the TIME-WAIT receiver's (RFC 1122 4.2.2.13):
 * a SYN from the TIME-WAIT side goes to a CLOSED peer, a listener that
 * takes any ISN, and reopens as in netfilter, whatever its ISN.
 */
static void syn_from_the_time_wait_side_reopens_for_any_isn(void)
{
	struct xdpct_step st;

	/* The client closed first: client TIME-WAIT, server CLOSED. */
	establish();
	sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0);
	sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 2, 0);
	VALID(sendp(C, TCPF_ACK, X + 2, Y + 2, 0), "final ACK");
	STATES(CT_TIME_WAIT, TW, CL, "client in TIME-WAIT");
	st = sendp(C, TCPF_SYN, X - 500, 0, 0);
	VALID(st, "client SYN, ISN below the old one");
	CHECK_EQ(st.event, EV_REOPENED, "reopened");
	STATES(CT_SYN_SENT, SS, CL, "new connection");
	CHECK_EQ(F.ep[DIR_ORIG].isn, X - 500, "new isn");
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y + 7, X - 499, 0), "server SYN+ACK");
	st = sendp(C, TCPF_ACK, X - 499, Y + 8, 0);
	VALID(st, "client ACK");
	CHECK_EQ(st.event, EV_ESTABLISHED, "established");
	/* Both in TIME-WAIT: the receiver is one, so the rule holds. */
	both_in_time_wait();
	STATES(CT_TIME_WAIT, TW, TW, "simultaneous close");
	REJECT(C, TCPF_SYN, X - 500, 0, 0, INV_OLD_SYN, "SYN into the peer's TIME-WAIT");
}

/* Once the TIME-WAIT outlived its timeout, any SYN may start over. */
static void stale_time_wait_reopens_for_any_isn(void)
{
	struct xdpct_pkt p = mkseg(TCPF_SYN, X, 0, 0, NULL);
	struct xdpct_step st;

	time_wait_by_client();
	xdpct_fsm_step(&F, C, &p, NOW, true, &st);
	VALID(st, "stale flow");
	CHECK_EQ(st.event, EV_REOPENED, "reopened");
}

static void syn_on_established_flow_is_challenged(void)
{
	struct xdpct_step st;
	struct xdpct_flow before;

	establish();
	before = F;
	st = sendp(C, TCPF_SYN, X + 77, 0, 0);
	CHECK_EQ(st.invalid, INV_SYN_ON_OPEN, "SYN on ESTABLISHED");
	CHECK_EQ(st.respond, RESP_CHALLENGE, "challenge hint");
	CHECK(!memcmp(&before, &F, sizeof(F)), "flow unchanged");
	REJECT(S, TCPF_SYN, Y, 0, 0, INV_SYN_ON_OPEN, "server SYN on ESTABLISHED");
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0), "SYN+ACK retransmitted late");
	STATES(CT_ESTABLISHED, ES, ES, "still established");
}

static void window_validation(void)
{
	establish();
	/* The server allowed x+1 .. x+1+64000. */
	CHECK_EQ(F.ep[DIR_ORIG].maxend, X + 1 + 64000, "client's right edge");
	REJECT(C, TCPF_ACK, X + 1 + 64001, Y + 1, 10, INV_OUT_OF_WINDOW, "data beyond the window");
	VALID(sendp(C, TCPF_ACK, X + 1 + 64000, Y + 1, 10), "data starting at the right edge");
	CHECK_EQ(F.ep[DIR_ORIG].end, X + 64011, "end");
	/* Acks of data never sent. */
	REJECT(S, TCPF_ACK, Y + 1, X + 64012, 0, INV_OUT_OF_WINDOW, "ack beyond what was sent");
	VALID(sendp(S, TCPF_ACK, Y + 1, X + 64011, 0), "ack of everything");
	REJECT(C, TCPF_ACK, X + 64011, Y + 2, 0, INV_OUT_OF_WINDOW, "client acks unsent server data");
	/* Old acks: more than max(window, 66000) behind. */
	VALID(sendp(S, TCPF_ACK, Y + 1, X + 64011 - 66000, 0), "ack 66000 behind");
	REJECT(S, TCPF_ACK, Y + 1, X + 64011 - 66001, 0, INV_OUT_OF_WINDOW, "ack 66001 behind");
	/* Data past the right edge widened the view of the server's window. */
	CHECK_EQ(F.ep[DIR_REPLY].maxwin, 64010, "server maxwin widened by 10");
	/* Old data: ending at or before end - maxwin. */
	REJECT(C, TCPF_ACK, X + 64011 - 64010 - 11, Y + 1, 10, INV_OUT_OF_WINDOW,
	       "data entirely before the window");
	VALID(sendp(C, TCPF_ACK, X + 64011 - 64010 - 10, Y + 1, 10), "old data ending inside it");
	VALID(sendp(C, TCPF_ACK, X + 1, Y + 1, 100), "retransmission inside the window");
	CHECK_EQ(F.ep[DIR_ORIG].end, X + 64011, "retransmission does not move end");
}

/* A keepalive probe repeats the last byte already acked: seq = end - 1, no data. */
static void keepalive_probe(void)
{
	struct xdpct_flow before;

	establish();
	VALID(sendp(C, TCPF_ACK, X + 1, Y + 1, 10), "data");
	VALID(sendp(S, TCPF_ACK, Y + 1, X + 11, 0), "acked");
	before = F;
	VALID(sendp(C, TCPF_ACK, X + 10, Y + 1, 0), "keepalive, no data");
	VALID(sendp(C, TCPF_ACK, X + 10, Y + 1, 1), "keepalive with one byte");
	VALID(sendp(S, TCPF_ACK, Y + 1, X + 11, 0), "answered");
	CHECK_EQ(F.ep[DIR_ORIG].end, before.ep[DIR_ORIG].end, "keepalives move no end");
	STATES(CT_ESTABLISHED, ES, ES, "still established");
}

static void zero_window_probe(void)
{
	struct opt zw = { .window = 0, .wscale = -1 };
	struct xdpct_pkt p;
	struct xdpct_step st;

	establish();
	/* The server closes its window: ack x+1, window 0 (netfilter: td_maxend + 1). */
	p = mkseg(TCPF_ACK, Y + 1, X + 1, 0, &zw);
	p.window = 0;
	xdpct_fsm_step(&F, S, &p, NOW, false, &st);
	VALID(st, "zero window");
	CHECK_EQ(F.ep[DIR_ORIG].maxend, X + 1 + 64000, "maxend never shrinks");
	VALID(sendp(C, TCPF_ACK, X + 1, Y + 1, 1), "one-byte probe");
	xdpct_fsm_step(&F, S, &p, NOW, false, &st);
	xdpct_fsm_step(&F, S, &p, NOW, false, &st);
	CHECK_EQ(F.ep[DIR_ORIG].maxend, X + 1 + 64000, "repeated zero windows do not grow it");
}

/* RFC 7323: windows are scaled only when both SYNs carried the option. */
static void window_scaling_needs_both_syns(void)
{
	struct opt c7 = { .window = 1000, .wscale = 7 }, s7 = { .window = 1000, .wscale = 7 };
	struct opt none = { .window = 1000, .wscale = -1 }, small = { .window = 1000, .wscale = -1 };
	int round;

	for (round = 0; round < 3; round++) {
		const struct opt *co = round == 1 ? &none : &c7, *so = round == 2 ? &none : &s7;
		int scaled = round == 0;
		char what[64];

		snprintf(what, sizeof(what), "round %d", round);
		open_with(co);
		VALID(sendo(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0, so), what);
		CHECK_EQ(F.ep[DIR_ORIG].wscale, scaled ? 7 : 0, "client scale");
		CHECK_EQ(F.ep[DIR_REPLY].wscale, scaled ? 7 : 0, "server scale");
		/* Third ACK: window 1000, scaled 128000 only when agreed. */
		VALID(sendo(C, TCPF_ACK, X + 1, Y + 1, 0, &small), what);
		CHECK_EQ(F.ep[DIR_REPLY].maxend, Y + 1 + (scaled ? 128000 : 1000), "server's right edge");
		if (scaled)
			VALID(sendp(S, TCPF_ACK, Y + 1 + 100000, X + 1, 10), "data inside the scaled window");
		else
			REJECT(S, TCPF_ACK, Y + 1 + 100000, X + 1, 10, INV_OUT_OF_WINDOW,
			       "data beyond the unscaled window");
	}
}

static void window_scaling_in_simultaneous_open(void)
{
	struct opt c7 = { .wscale = 7 }, none = { .wscale = -1 };

	open_with(&c7);
	VALID(sendo(S, TCPF_SYN, Y, 0, 0, &none), "server SYN without the option");
	CHECK_EQ(F.ep[DIR_ORIG].wscale, 0, "client scale dropped");
	CHECK_EQ(F.ep[DIR_REPLY].wscale, 0, "server scale");
}

static void bad_flag_combinations(void)
{
	static const __u8 bad[] = { 0,
				    TCPF_SYN | TCPF_FIN,
				    TCPF_SYN | TCPF_RST,
				    TCPF_SYN | TCPF_FIN | TCPF_ACK,
				    TCPF_SYN | TCPF_RST | TCPF_ACK,
				    TCPF_FIN,
				    TCPF_FIN | TCPF_PSH,
				    TCPF_RST | TCPF_FIN,
				    TCPF_RST | TCPF_FIN | TCPF_ACK,
				    TCPF_PSH,
				    TCPF_URG,
				    TCPF_SYN | TCPF_FIN | TCPF_RST | TCPF_ACK | TCPF_PSH | TCPF_URG };
	struct xdpct_pkt p;
	struct xdpct_step st;
	size_t i;

	establish();
	for (i = 0; i < sizeof(bad); i++) {
		char what[48];

		snprintf(what, sizeof(what), "flags %#x", bad[i]);
		CHECK_EQ(xdpct_seg_kind(bad[i]), SEG_BAD, what);
		REJECT(C, bad[i], X + 1, Y + 1, 0, INV_BAD_FLAGS, what);
		p = mkseg(bad[i], X, 0, 0, NULL);
		CHECK(!xdpct_fsm_open(&F, C, &p, 1, NOW, &st), what);
		CHECK_EQ(st.invalid, INV_BAD_FLAGS, what);
	}
	CHECK_EQ(xdpct_seg_kind(TCPF_SYN | TCPF_ECE | TCPF_CWR), SEG_SYN, "ECN SYN");
	CHECK_EQ(xdpct_seg_kind(TCPF_SYN | TCPF_ACK | TCPF_ECE), SEG_SYNACK, "ECN SYN+ACK");
	CHECK_EQ(xdpct_seg_kind(TCPF_ACK | TCPF_PSH | TCPF_URG), SEG_ACK, "PSH URG ACK");
	CHECK_EQ(xdpct_seg_kind(TCPF_FIN | TCPF_ACK | TCPF_PSH), SEG_FIN, "FIN PSH ACK");
	CHECK_EQ(xdpct_seg_kind(TCPF_RST | TCPF_ACK), SEG_RST, "RST ACK");
	p = mkseg(TCPF_ACK, X, Y, 0, NULL);
	CHECK(!xdpct_fsm_open(&F, C, &p, 1, NOW, &st), "ACK opens nothing");
	CHECK_EQ(st.invalid, INV_NO_FLOW, "no flow");
}

/* A GSO packet of n segments: n packets, and n sets of headers on the wire. */
static void gso_packet_counts_its_segments(void)
{
	struct xdpct_pkt p = mkseg(TCPF_ACK, X + 1, Y + 1, 3 * 1448, NULL);

	establish();
	p.l3_off = 14;
	p.l4_off = 14 + 20;
	p.opt_len = 12; /* timestamps */
	p.ip_len = (__u16)(20 + 32 + 3 * 1448);
	F.ep[DIR_ORIG].packets = F.ep[DIR_ORIG].bytes = 0;
	xdpct_flow_account(&F, DIR_ORIG, &p, NOW, 3);
	CHECK_EQ(F.ep[DIR_ORIG].packets, 3, "three segments");
	CHECK_EQ(F.ep[DIR_ORIG].bytes, 3 * (20 + 32 + 1448), "three IP packets' bytes");
	xdpct_flow_account(&F, DIR_ORIG, &p, NOW, 1);
	CHECK_EQ(F.ep[DIR_ORIG].bytes, 3 * (20 + 32 + 1448) + p.ip_len, "one packet: its own length");
}

/* Sequence numbers wrap: an ISN just below 2^32. */
static void sequence_wraparound(void)
{
	const __u32 x = 0xfffffff0u, y = 0xffffff00u;
	struct xdpct_pkt p = mkseg(TCPF_SYN, x, 0, 0, NULL);
	struct xdpct_step st;

	xdpct_fsm_open(&F, C, &p, 1, NOW, &st);
	VALID(sendp(S, TCPF_SYN | TCPF_ACK, y, x + 1, 0), "SYN+ACK");
	VALID(sendp(C, TCPF_ACK, x + 1, y + 1, 100), "data across 2^32");
	CHECK_EQ(F.ep[DIR_ORIG].end, x + 101, "end wrapped");
	VALID(sendp(S, TCPF_ACK, y + 1, x + 101, 0), "ack across 2^32");
	VALID(sendp(C, TCPF_FIN | TCPF_ACK, x + 101, y + 1, 0), "FIN");
	VALID(sendp(S, TCPF_FIN | TCPF_ACK, y + 1, x + 102, 0), "FIN+ACK");
	VALID(sendp(C, TCPF_ACK, x + 102, y + 2, 0), "last ACK");
	STATES(CT_TIME_WAIT, TW, CL, "closed across the wrap");
}

/*
 * The invariant, as a property: from flows at every stage of a
 * connection, random segments near the live sequence numbers; whenever
 * one is judged invalid, the flow must be exactly as before.
 */
static __u32 rng_state = 12345;

static __u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void invalid_segment_changes_nothing(void)
{
	static const __u8 flag_set[] = { TCPF_SYN, TCPF_SYN | TCPF_ACK, TCPF_ACK, TCPF_FIN | TCPF_ACK,
					 TCPF_RST, TCPF_RST | TCPF_ACK, TCPF_FIN, 0,
					 TCPF_SYN | TCPF_FIN };
	unsigned long invalid = 0, valid = 0;
	int stage, i;

	for (stage = 0; stage < 8; stage++) {
		for (i = 0; i < 20000; i++) {
			struct xdpct_flow before;
			struct xdpct_pkt p;
			struct xdpct_step st;
			int from = rnd() & 1;
			__u32 base_s = from ? Y : X, base_a = from ? X : Y;

			/* Rebuild the stage: 0 SYN, 1 SYN+ACK, 2 established, 3.. closing. */
			open_flow();
			if (stage >= 1)
				sendp(S, TCPF_SYN | TCPF_ACK, Y, X + 1, 0);
			if (stage >= 2)
				sendp(C, TCPF_ACK, X + 1, Y + 1, 0);
			if (stage >= 3)
				sendp(C, TCPF_FIN | TCPF_ACK, X + 1, Y + 1, 0);
			if (stage >= 4)
				sendp(S, TCPF_FIN | TCPF_ACK, Y + 1, X + 1, 0);
			if (stage >= 5)
				sendp(C, TCPF_ACK, X + 2, Y + 2, 0);
			if (stage >= 6)
				sendp(S, TCPF_ACK, Y + 2, X + 2, 0);
			if (stage >= 7)
				sendp(S, TCPF_RST, Y + 2, 0, 0);
			p = mkseg(flag_set[rnd() % sizeof(flag_set)], base_s + (rnd() % 9) - 4 +
				  ((rnd() & 7) == 0 ? rnd() : 0), base_a + (rnd() % 9) - 4,
				  (__u16)((rnd() & 3) ? 0 : rnd() % 100), NULL);
			p.window = (__u16)((rnd() & 1) ? 64000 : rnd());
			before = F;
			xdpct_fsm_step(&F, from, &p, NOW + 1, rnd() % 16 == 0, &st);
			if (st.invalid) {
				invalid++;
				if (memcmp(&before, &F, sizeof(F))) {
					CHECK(0, "an invalid segment changed the flow");
					printf("  stage %d from %d flags %#x seq %u ack %u len %u: %s\n",
					       stage, from, p.flags, p.seq, p.ack, p.payload_len,
					       xdpct_invalid_name(st.invalid));
					return;
				}
			} else {
				valid++;
			}
		}
	}
	CHECK(invalid > 10000, "enough invalid segments drawn");
	CHECK(valid > 10000, "enough valid segments drawn");
}

int main(void)
{
	RUN(every_table_cell_matches_rfc);
	RUN(handshake_transitions_and_sequences);
	RUN(synack_checks);
	RUN(ack_before_the_peers_syn_is_unexpected);
	RUN(fast_open_syn_with_data);
	RUN(client_closes_first_with_half_close);
	RUN(server_closes_first_and_fin_acks_fin);
	RUN(simultaneous_open_client_synack_first);
	RUN(simultaneous_open_server_synack_first);
	RUN(simultaneous_open_with_both_syns_lost);
	RUN(simultaneous_close_via_closing);
	RUN(fin_retransmitted_again_in_closing_stays_closing);
	RUN(close_in_syn_received);
	RUN(syn_retransmission);
	RUN(lost_synack);
	RUN(repeated_syn_retransmission_keeps_the_window_view);
	RUN(rst_cases);
	RUN(rst_at_the_receivers_last_ack_closes);
	RUN(rst_at_the_fin_closes_once_the_fin_is_acked);
	RUN(rst_answering_a_syn);
	RUN(repeated_rst_on_a_reset_flow_is_no_second_close);
	RUN(old_duplicate_syn_into_time_wait);
	RUN(syn_with_a_newer_timestamp_into_time_wait);
	RUN(reopen_by_the_other_side);
	RUN(syn_from_the_time_wait_side_reopens_for_any_isn);
	RUN(stale_time_wait_reopens_for_any_isn);
	RUN(syn_on_established_flow_is_challenged);
	RUN(window_validation);
	RUN(zero_window_probe);
	RUN(keepalive_probe);
	RUN(window_scaling_needs_both_syns);
	RUN(window_scaling_in_simultaneous_open);
	RUN(bad_flag_combinations);
	RUN(gso_packet_counts_its_segments);
	RUN(sequence_wraparound);
	RUN(invalid_segment_changes_nothing);
	return TEST_EXIT();
}
