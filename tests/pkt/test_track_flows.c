// SPDX-License-Identifier: GPL-2.0
/*
 * Connection scenarios through the real XDP (and tc egress) programs with
 * BPF_PROG_TEST_RUN. After every frame tests/lib/track_steps.h checks the
 * verdict, both endpoint states, the sender's sequence end and counts (or,
 * for an invalid segment, the flow unchanged), every counter, and the
 * events read from the ring buffer (among the counters, which frames the
 * express lane settled). The close scenarios run over IPv4, IPv4 in two
 * VLAN tags (802.1ad + 802.1Q), plain IPv6, IPv6 with hop-by-hop and
 * destination-options headers, and IPv6 with both.
 */
#include "track_steps.h"

#define X 1000u  /* client ISN */
#define Y 5000u  /* server ISN */
#define C 0
#define S 1
#define P XDP_PASS
#define D XDP_DROP

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

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN (TCPF_FIN | TCPF_ACK)
#define RST TCPF_RST
#define PSH (TCPF_ACK | TCPF_PSH)

static const struct endpoint C4 = { 4, "198.18.0.1", 40000 };
static const struct endpoint S4 = { 4, "198.18.1.1", 80 };
static const struct endpoint C6 = { 6, "2001:db8::1", 40000 };
static const struct endpoint S6 = { 6, "2001:db8:1::1", 443 };

static struct track T;

struct variant {
	const char *name;
	const struct endpoint *client, *server;
	int vlans, ip6_ext;
};

static const struct variant VARIANTS[] = {
	{ "ipv4", &C4, &S4, 0, 0 },
	{ "ipv4 in one VLAN tag", &C4, &S4, 1, 0 },
	{ "ipv4 in two VLAN tags", &C4, &S4, 2, 0 },
	{ "ipv6", &C6, &S6, 0, 0 },
	{ "ipv6 in one VLAN tag", &C6, &S6, 1, 0 },
	{ "ipv6 with extension headers", &C6, &S6, 0, 1 },
	{ "ipv6 with extension headers in two VLAN tags", &C6, &S6, 2, 1 },
};

static int open_variant(const struct variant *v)
{
	if (track_open(&T, v->client, v->server))
		return -1;
	T.base.vlans = v->vlans;
	T.base.ip6_ext = v->ip6_ext;
	return 0;
}

static void handshake(void)
{
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_NEW), "client SYN x");
	track_step(&T, S, SYN | ACK, Y, X + 1, 0, W(P, CT_SYN_RECV, ES, SR, 0, 0),
		   "server SYN+ACK y, ack x+1");
	track_step(&T, C, ACK, X + 1, Y + 1, 0, W(P, CT_ESTABLISHED, ES, ES, 0, EV_ESTABLISHED),
		   "client ACK x+1, y+1");
}

/* Handshake, data both ways, the client closes first, half-close, TIME-WAIT. */
static void client_closes_first(const struct variant *v)
{
	struct xdpct_flow f;

	if (open_variant(v))
		return;
	handshake();
	f = track_flow(&T);
	CHECK_EQ(f.ep[DIR_ORIG].isn, X, "client isn");
	CHECK_EQ(f.ep[DIR_REPLY].isn, Y, "server isn");
	track_step(&T, C, PSH, X + 1, Y + 1, 100, W(P, CT_ESTABLISHED, ES, ES, 0, 0), "client data 100");
	track_step(&T, S, PSH, Y + 1, X + 101, 200, W(P, CT_ESTABLISHED, ES, ES, 0, 0),
		   "server data 200, acks 100");
	track_step(&T, C, FIN, X + 101, Y + 201, 0, W(P, CT_FIN_WAIT, F1, ES, 0, EV_FIN),
		   "client FIN u=x+101");
	track_step(&T, S, ACK, Y + 201, X + 102, 0, W(P, CT_CLOSE_WAIT, F2, CW, 0, 0), "server ACK u+1");
	track_step(&T, S, PSH, Y + 201, X + 102, 50, W(P, CT_CLOSE_WAIT, F2, CW, 0, 0),
		   "half-close: server data");
	track_step(&T, C, ACK, X + 102, Y + 251, 0, W(P, CT_CLOSE_WAIT, F2, CW, 0, 0),
		   "half-close: client acks it");
	track_set_time(&T, 1100);
	track_step(&T, S, FIN, Y + 251, X + 102, 0, W(P, CT_LAST_ACK, F2, LA, 0, 0), "server FIN w");
	track_set_time(&T, 1200);
	track_step(&T, C, ACK, X + 102, Y + 252, 0, W(P, CT_TIME_WAIT, TW, CL, 0, EV_TIME_WAIT),
		   "client ACK w+1");
	f = track_flow(&T);
	CHECK_EQ(f.ep[DIR_ORIG].end, X + 102, "client end");
	CHECK_EQ(f.ep[DIR_REPLY].end, Y + 252, "server end");
	CHECK_EQ(f.ep[DIR_ORIG].fin_seq, X + 101, "client fin_seq");
	CHECK_EQ(f.ep[DIR_REPLY].fin_seq, Y + 251, "server fin_seq");
	CHECK_EQ(f.ep[DIR_ORIG].packets, 6, "client packets");
	CHECK_EQ(f.ep[DIR_REPLY].packets, 5, "server packets");
	/* IP bytes as conntrack counts them: IP header (+ extensions) + TCP header + data. */
	{
		unsigned int hdr = v->client->family == 4 ? 40 : 40 + 16 * v->ip6_ext + 20;

		CHECK_EQ(f.ep[DIR_ORIG].bytes, 6 * hdr + 100, "client IP bytes");
		CHECK_EQ(f.ep[DIR_REPLY].bytes, 5 * hdr + 250, "server IP bytes");
	}
	CHECK_EQ(f.first_seen, 1000, "first_seen");
	CHECK_EQ(f.last_seen, 1200, "last_seen");
	CHECK_EQ(f.tw_start, 1200, "tw_start");
	CHECK_EQ(f.ifindex, 1, "ifindex of the test run (lo)");
	track_close(&T);
}

/* The server closes first: it is the one left in TIME-WAIT. */
static void server_closes_first(const struct variant *v)
{
	if (open_variant(v))
		return;
	handshake();
	track_step(&T, S, FIN, Y + 1, X + 1, 0, W(P, CT_FIN_WAIT, ES, F1, 0, EV_FIN), "server FIN");
	track_step(&T, C, ACK, X + 1, Y + 2, 0, W(P, CT_CLOSE_WAIT, CW, F2, 0, 0), "client ACK");
	track_step(&T, C, PSH, X + 1, Y + 2, 10, W(P, CT_CLOSE_WAIT, CW, F2, 0, 0),
		   "half-close: client data");
	track_step(&T, S, ACK, Y + 2, X + 11, 0, W(P, CT_CLOSE_WAIT, CW, F2, 0, 0), "server acks");
	track_step(&T, C, FIN, X + 11, Y + 2, 0, W(P, CT_LAST_ACK, LA, F2, 0, 0), "client FIN");
	track_step(&T, S, ACK, Y + 2, X + 12, 0, W(P, CT_TIME_WAIT, CL, TW, 0, EV_TIME_WAIT),
		   "server ACK");
	track_close(&T);
}

#define FOR_VARIANTS(fn)                                                          \
	static void fn##_all(void)                                                \
	{                                                                         \
		size_t i;                                                         \
		for (i = 0; i < sizeof(VARIANTS) / sizeof(VARIANTS[0]); i++) {   \
			int was = t_failed;                                       \
			fn(&VARIANTS[i]);                                         \
			if (t_failed && !was)                                     \
				printf("  (in variant: %s)\n", VARIANTS[i].name); \
		}                                                                 \
	}

FOR_VARIANTS(client_closes_first)
FOR_VARIANTS(server_closes_first)

static void simultaneous_open_and_close(void)
{
	if (open_variant(&VARIANTS[0]))
		return;
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_NEW), "client SYN");
	track_step(&T, S, SYN, Y, 0, 0, W(P, CT_SYN_SENT2, SR, SS, 0, 0), "server SYN crosses it");
	track_step(&T, C, SYN | ACK, X, Y + 1, 0, W(P, CT_SYN_RECV, SR, ES, 0, 0), "client SYN+ACK");
	track_step(&T, S, SYN | ACK, Y, X + 1, 0, W(P, CT_ESTABLISHED, ES, ES, 0, EV_ESTABLISHED),
		   "server SYN+ACK");
	track_step(&T, C, FIN, X + 1, Y + 1, 0, W(P, CT_FIN_WAIT, F1, ES, 0, EV_FIN), "client FIN");
	track_step(&T, S, FIN, Y + 1, X + 1, 0, W(P, CT_LAST_ACK, F1, F1, 0, 0), "server FIN crosses");
	track_step(&T, C, ACK, X + 2, Y + 2, 0, W(P, CT_LAST_ACK, CG, F2, 0, 0),
		   "client acks: CLOSING");
	track_step(&T, S, ACK, Y + 2, X + 2, 0, W(P, CT_TIME_WAIT, TW, TW, 0, EV_TIME_WAIT),
		   "server acks: both TIME-WAIT");
	track_close(&T);
}

static void rst_in_and_out_of_window(void)
{
	struct xdpct_flow f;

	if (open_variant(&VARIANTS[0]))
		return;
	handshake();
	track_step(&T, C, PSH, X + 1, Y + 1, 500, W(P, CT_ESTABLISHED, ES, ES, 0, 0), "client data");
	track_step(&T, S, RST, Y + 1000, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_RST_IN_WINDOW, 0),
		   "RST in window, not exact");
	track_step(&T, S, RST, Y - 1, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_RST_OUT_OF_WINDOW, 0),
		   "RST before the window");
	track_step(&T, S, RST | ACK, Y + 200000, X + 501, 0,
		   W(P, CT_ESTABLISHED, ES, ES, INV_RST_OUT_OF_WINDOW, 0), "RST beyond the window");
	track_step(&T, C, RST, X, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_RST_OUT_OF_WINDOW, 0),
		   "client RST behind the server's last ACK");
	track_step(&T, C, RST, X + 250, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_RST_IN_WINDOW, 0),
		   "client RST inside its unacked data");
	/* Strict drops what pass only counts. */
	T.e.cfg.policy = POLICY_STRICT;
	env_set_config(&T.e);
	/* RFC 5961: the host answers it with a challenge ACK, so strict passes it on. */
	track_step(&T, S, RST, Y + 1000, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_RST_IN_WINDOW, 0),
		   "strict: in-window RST passed to the host");
	track_step(&T, S, RST, Y + 900000, 0, 0,
		   W(D, CT_ESTABLISHED, ES, ES, INV_RST_OUT_OF_WINDOW, 0),
		   "strict: out-of-window RST dropped");
	track_step(&T, S, RST | ACK, Y + 1, X + 501, 0, W(P, CT_CLOSE, CL, CL, 0, EV_CLOSED),
		   "exact RST");
	f = track_flow(&T);
	CHECK(f.flags & FLOW_RST, "closed by RST");
	track_step(&T, C, ACK, X + 501, Y + 1, 0, W(D, CT_CLOSE, CL, CL, INV_UNEXPECTED, 0),
		   "strict: ACK after RST dropped");
	track_close(&T);
}

/*
 * The client's ACKs move its maxack on the express lane too: the server's
 * later data is lost beyond us, and its RST at the client's last ACK (a
 * server that lost the connection) closes the flow, as in netfilter.
 */
static void rst_at_the_receivers_last_ack_after_express_acks(void)
{
	struct xdpct_flow f;

	if (open_variant(&VARIANTS[0]))
		return;
	handshake();
	track_step(&T, S, PSH, Y + 1, X + 1, 1000, W(P, CT_ESTABLISHED, ES, ES, 0, 0), "server data");
	track_step(&T, C, ACK, X + 1, Y + 1001, 0, W(P, CT_ESTABLISHED, ES, ES, 0, 0), "client ACK");
	f = track_flow(&T);
	CHECK_EQ(f.ep[DIR_ORIG].maxack, Y + 1001, "client's maxack moved");
	track_step(&T, S, PSH, Y + 1001, X + 1, 500, W(P, CT_ESTABLISHED, ES, ES, 0, 0),
		   "server data, lost beyond us");
	track_step(&T, S, RST, Y + 1200, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_RST_IN_WINDOW, 0),
		   "RST inside the lost data");
	track_step(&T, S, RST, Y + 1001, 0, 0, W(P, CT_CLOSE, CL, CL, 0, EV_CLOSED),
		   "RST at the client's last ACK");
	track_close(&T);
}

static void rst_answering_a_syn_then_retry(void)
{
	if (open_variant(&VARIANTS[0]))
		return;
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_NEW), "client SYN");
	track_step(&T, S, RST | ACK, 0, X, 0, W(P, CT_SYN_SENT, SS, CL, INV_RST_OUT_OF_WINDOW, 0),
		   "RST acking x");
	track_step(&T, S, RST | ACK, 0, X + 1, 0, W(P, CT_CLOSE, CL, CL, 0, EV_CLOSED),
		   "RST acking x+1: refused");
	track_step(&T, C, SYN, X + 100, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_REOPENED),
		   "client tries again");
	track_close(&T);
}

static void retransmitted_syn_and_lost_synack(void)
{
	if (open_variant(&VARIANTS[0]))
		return;
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_NEW), "client SYN");
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, 0), "SYN retransmitted");
	track_step(&T, S, SYN | ACK, Y, X + 1, 0, W(P, CT_SYN_RECV, ES, SR, 0, 0),
		   "SYN+ACK (lost beyond us)");
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_RECV, SS, SR, 0, 0),
		   "SYN again: client still SYN-SENT");
	track_step(&T, S, SYN | ACK, Y, X + 1, 0, W(P, CT_SYN_RECV, ES, SR, 0, 0),
		   "SYN+ACK retransmitted");
	track_step(&T, C, ACK, X + 1, Y + 1, 0, W(P, CT_ESTABLISHED, ES, ES, 0, EV_ESTABLISHED),
		   "third ACK");
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_SYN_ON_OPEN, 0),
		   "SYN on the open flow");
	track_close(&T);
}

/*
 * The SYN+ACK lost beyond us and the SYN sent twice more: the second
 * retransmission must not start the client's window view over, and its
 * ACK, once the SYN+ACK got through, completes the handshake.
 */
static void repeated_syn_retransmission_then_the_clients_ack(void)
{
	if (open_variant(&VARIANTS[0]))
		return;
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_NEW), "client SYN");
	track_step(&T, S, SYN | ACK, Y, X + 1, 0, W(P, CT_SYN_RECV, ES, SR, 0, 0),
		   "SYN+ACK (delayed beyond us)");
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_RECV, SS, SR, 0, 0), "SYN again");
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_RECV, SS, SR, 0, 0), "and again");
	track_step(&T, C, ACK, X + 1, Y + 1, 0, W(P, CT_ESTABLISHED, ES, ES, 0, EV_ESTABLISHED),
		   "the SYN+ACK arrived: client ACK");
	track_step(&T, C, PSH, X + 1, Y + 1, 1000, W(P, CT_ESTABLISHED, ES, ES, 0, 0), "data");
	track_step(&T, C, PSH, X + 1001, Y + 1, 1000, W(P, CT_ESTABLISHED, ES, ES, 0, 0),
		   "more data");
	track_close(&T);
}

/* The final ACK is lost: the FIN comes again into TIME-WAIT and 2MSL restarts. */
static void lost_final_ack_fin_into_time_wait(void)
{
	struct xdpct_flow f;

	if (open_variant(&VARIANTS[0]))
		return;
	handshake();
	track_step(&T, C, FIN, X + 1, Y + 1, 0, W(P, CT_FIN_WAIT, F1, ES, 0, EV_FIN), "client FIN");
	track_step(&T, S, FIN, Y + 1, X + 2, 0, W(P, CT_LAST_ACK, F2, LA, 0, 0),
		   "server FIN+ACK acks it");
	track_set_time(&T, 2000);
	track_step(&T, C, ACK, X + 2, Y + 2, 0, W(P, CT_TIME_WAIT, TW, CL, 0, EV_TIME_WAIT),
		   "final ACK (lost beyond us)");
	f = track_flow(&T);
	CHECK_EQ(f.tw_start, 2000, "TIME-WAIT entered at 2000");
	track_set_time(&T, 2600);
	track_step(&T, S, FIN, Y + 1, X + 2, 0, W(P, CT_TIME_WAIT, TW, LA, 0, EV_TW_RESTART),
		   "server FIN retransmitted into TIME-WAIT");
	f = track_flow(&T);
	CHECK_EQ(f.tw_start, 2600, "2MSL restarted at 2600");
	CHECK_EQ(f.ep[DIR_REPLY].fin_seq, Y + 1, "same FIN");
	track_set_time(&T, 2601);
	track_step(&T, C, ACK, X + 2, Y + 2, 0, W(P, CT_TIME_WAIT, TW, CL, 0, 0), "client re-ACKs");
	f = track_flow(&T);
	CHECK_EQ(f.tw_start, 2600, "tw_start stays at the restart");
	track_close(&T);
}

/* The server closed first: the client's SYN reaches its TIME-WAIT (RFC 6191). */
static void old_duplicate_syn_into_time_wait(void)
{
	if (open_variant(&VARIANTS[0]))
		return;
	handshake();
	track_step(&T, C, PSH, X + 1, Y + 1, 1000, W(P, CT_ESTABLISHED, ES, ES, 0, 0), "client data");
	track_step(&T, S, FIN, Y + 1, X + 1001, 0, W(P, CT_FIN_WAIT, ES, F1, 0, EV_FIN),
		   "server FIN");
	track_step(&T, C, FIN, X + 1001, Y + 2, 0, W(P, CT_LAST_ACK, LA, F2, 0, 0),
		   "client FIN+ACK");
	track_step(&T, S, ACK, Y + 2, X + 1002, 0, W(P, CT_TIME_WAIT, CL, TW, 0, EV_TIME_WAIT),
		   "final ACK");
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_TIME_WAIT, CL, TW, INV_OLD_SYN, 0),
		   "old duplicate SYN (old ISN)");
	track_step(&T, C, SYN, X + 1002, 0, 0, W(P, CT_TIME_WAIT, CL, TW, INV_OLD_SYN, 0),
		   "SYN at the old end");
	track_step(&T, C, SYN, X + 50000, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_REOPENED),
		   "SYN beyond: reopens");
	/* A new connection: unassured in list --conntrack until its handshake is done. */
	CHECK(track_flow(&T).flags & FLOW_REOPENED, "reopened: unassured");
	track_step(&T, S, SYN | ACK, Y + 7, X + 50001, 0, W(P, CT_SYN_RECV, ES, SR, 0, 0),
		   "new SYN+ACK");
	CHECK(track_flow(&T).flags & FLOW_REOPENED, "still unassured");
	track_step(&T, C, ACK, X + 50001, Y + 8, 0, W(P, CT_ESTABLISHED, ES, ES, 0, EV_ESTABLISHED),
		   "new connection established");
	CHECK(!(track_flow(&T).flags & FLOW_REOPENED), "assured again");
	track_close(&T);
}

/* A segment from one side carrying the timestamps option. */
static void step_ts(int from_server, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t tsval,
		    const struct want *w, const char *what)
{
	struct seg_spec s = T.base;

	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.timestamps = 1;
	s.tsval = tsval;
	s.tsecr = 1;
	track_step_spec(&T, from_server, &s, w, what);
}

/*
 * RFC 6191 through the real programs: the client's FIN carries TSval
 * 70000, read from the frame (options are read on FINs for it); a SYN
 * with an ISN behind the old end reopens only with a newer TSval.
 */
static void syn_with_a_newer_timestamp_into_time_wait(void)
{
	if (open_variant(&VARIANTS[0]))
		return;
	handshake();
	track_step(&T, S, FIN, Y + 1, X + 1, 0, W(P, CT_FIN_WAIT, ES, F1, 0, EV_FIN), "server FIN");
	step_ts(C, FIN, X + 1, Y + 2, 70000, W(P, CT_LAST_ACK, LA, F2, 0, 0), "client FIN+ACK, TSval 70000");
	CHECK_EQ(track_flow(&T).fin_tsval[DIR_ORIG], 70000, "the FIN's TSval, read from the frame");
	track_step(&T, S, ACK, Y + 2, X + 2, 0, W(P, CT_TIME_WAIT, CL, TW, 0, EV_TIME_WAIT),
		   "final ACK");
	step_ts(C, SYN, X - 100, 0, 70000, W(P, CT_TIME_WAIT, CL, TW, INV_OLD_SYN, 0),
		"SYN behind, the FIN's TSval");
	step_ts(C, SYN, X - 100, 0, 70500, W(P, CT_SYN_SENT, SS, CL, 0, EV_REOPENED),
		"SYN behind, a newer TSval: reopens");
	track_close(&T);
}

/*
 * The client closed first: it is the one in TIME-WAIT, and its new SYN
 * goes to a CLOSED server, which takes any ISN; so does netfilter.
 */
static void syn_from_the_time_wait_side_reopens_for_any_isn(void)
{
	if (open_variant(&VARIANTS[0]))
		return;
	handshake();
	track_step(&T, C, FIN, X + 1, Y + 1, 0, W(P, CT_FIN_WAIT, F1, ES, 0, EV_FIN), "client FIN");
	track_step(&T, S, FIN, Y + 1, X + 2, 0, W(P, CT_LAST_ACK, F2, LA, 0, 0), "server FIN+ACK");
	track_step(&T, C, ACK, X + 2, Y + 2, 0, W(P, CT_TIME_WAIT, TW, CL, 0, EV_TIME_WAIT),
		   "final ACK");
	track_step(&T, C, SYN, X - 500, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_REOPENED),
		   "client SYN, ISN below the old one");
	track_step(&T, S, SYN | ACK, Y + 7, X - 499, 0, W(P, CT_SYN_RECV, ES, SR, 0, 0),
		   "server SYN+ACK");
	track_step(&T, C, ACK, X - 499, Y + 8, 0, W(P, CT_ESTABLISHED, ES, ES, 0, EV_ESTABLISHED),
		   "established");
	track_close(&T);
}

/*
 * Staleness in the data path: 2MSL after tw_start the TIME-WAIT is over,
 * and even a SYN with an old ISN starts a new connection; one tick
 * before, it is an old duplicate. An idle ESTABLISHED flow past its
 * timeout may be reopened too.
 */
static void expired_flows_reopen_for_any_syn(void)
{
	uint64_t tw_ticks, est_ticks, t0;
	struct xdpct_flow f;

	if (open_variant(&VARIANTS[0]))
		return;
	tw_ticks = T.e.cfg.timeout_ticks[CT_TIME_WAIT];
	est_ticks = T.e.cfg.timeout_ticks[CT_ESTABLISHED];
	CHECK_EQ(tw_ticks, 2 * T.e.cfg.msl_ms * T.e.cfg.hz / 1000, "TIME-WAIT lasts 2MSL in ticks");
	handshake();
	/* The server closes first: the client's SYN goes to its TIME-WAIT. */
	track_step(&T, S, FIN, Y + 1, X + 1, 0, W(P, CT_FIN_WAIT, ES, F1, 0, EV_FIN), "server FIN");
	track_step(&T, C, FIN, X + 1, Y + 2, 0, W(P, CT_LAST_ACK, LA, F2, 0, 0), "client FIN+ACK");
	track_step(&T, S, ACK, Y + 2, X + 2, 0, W(P, CT_TIME_WAIT, CL, TW, 0, EV_TIME_WAIT),
		   "final ACK");
	t0 = T.now;
	track_set_time(&T, t0 + tw_ticks);
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_TIME_WAIT, CL, TW, INV_OLD_SYN, 0),
		   "old ISN at the last tick of 2MSL");
	track_set_time(&T, t0 + tw_ticks + 1);
	track_step(&T, C, SYN, X, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_REOPENED),
		   "old ISN once 2MSL is over");
	f = track_flow(&T);
	CHECK_EQ(f.first_seen, t0 + tw_ticks + 1, "a new flow's first_seen");
	track_step(&T, S, SYN | ACK, Y + 9, X + 1, 0, W(P, CT_SYN_RECV, ES, SR, 0, 0), "SYN+ACK");
	track_step(&T, C, ACK, X + 1, Y + 10, 0, W(P, CT_ESTABLISHED, ES, ES, 0, EV_ESTABLISHED),
		   "established again");
	t0 = T.now;
	track_set_time(&T, t0 + est_ticks);
	track_step(&T, C, SYN, X + 5, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_SYN_ON_OPEN, 0),
		   "SYN on a live ESTABLISHED flow");
	track_set_time(&T, t0 + est_ticks + 1);
	track_step(&T, C, SYN, X + 5, 0, 0, W(P, CT_SYN_SENT, SS, CL, 0, EV_REOPENED),
		   "SYN on an idle flow past its timeout");
	track_close(&T);
}

/* The host is the client: its frames leave through tc egress, answers arrive by XDP. */
static void egress_and_ingress_share_the_flow(void)
{
	if (open_variant(&VARIANTS[2]))
		return;
	T.use_tc_for_client = 1;
	handshake();
	track_step(&T, S, FIN, Y + 1, X + 1, 0, W(P, CT_FIN_WAIT, ES, F1, 0, EV_FIN), "server FIN");
	track_step(&T, C, FIN, X + 1, Y + 2, 0, W(P, CT_LAST_ACK, LA, F2, 0, 0), "client FIN+ACK");
	track_step(&T, S, ACK, Y + 2, X + 2, 0, W(P, CT_TIME_WAIT, CL, TW, 0, EV_TIME_WAIT),
		   "server ACK");
	track_close(&T);
}

/* Segments that open nothing, and bad flags. */
static void unknown_flows_and_bad_flags(void)
{
	if (open_variant(&VARIANTS[0]))
		return;
	track_step(&T, C, ACK, X, Y, 0, W(P, CT_NONE, 0, 0, INV_NO_FLOW, 0), "ACK for no flow");
	track_step(&T, S, SYN | ACK, Y, X + 1, 0, W(P, CT_NONE, 0, 0, INV_NO_FLOW, 0),
		   "SYN+ACK for no flow");
	track_step(&T, C, SYN | TCPF_FIN, X, 0, 0, W(P, CT_NONE, 0, 0, INV_BAD_FLAGS, 0),
		   "SYN+FIN opens nothing");
	handshake();
	track_step(&T, C, 0, X + 1, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_BAD_FLAGS, 0), "no flags");
	track_step(&T, C, TCPF_FIN, X + 1, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_BAD_FLAGS, 0),
		   "FIN without ACK");
	track_step(&T, C, SYN | RST, X + 1, 0, 0, W(P, CT_ESTABLISHED, ES, ES, INV_BAD_FLAGS, 0),
		   "SYN+RST");
	track_step(&T, C, ACK, X + 1 + 70000, Y + 1, 10,
		   W(P, CT_ESTABLISHED, ES, ES, INV_OUT_OF_WINDOW, 0), "data beyond the window");
	track_step(&T, S, ACK, Y + 1, X + 5000, 0, W(P, CT_ESTABLISHED, ES, ES, INV_OUT_OF_WINDOW, 0),
		   "ack of unsent data");
	CHECK_EQ(env_flow_count(&T.e), 1, "one flow");
	track_close(&T);
}

static int count_event(void *ctx, void *data, size_t len)
{
	(*(int *)ctx)++;
	return 0;
}

/* A full ring drops the event and counts it; the segment is tracked and passed all the same. */
static void full_ring_drops_and_counts(void)
{
	const int n = 300;
	struct ring_buffer *rb;
	struct env e;
	__u32 zero = 0;
	int i, read = 0;

	memset(&e, 0, sizeof(e));
	libbpf_set_print(quiet_libbpf);
	e.skel = xdpct_bpf__open();
	REQUIRE(e.skel != NULL, "open");
	e.skel->rodata->xdpct_clock_from_config = true;
	bpf_map__set_max_entries(e.skel->maps.events, 4096); /* one page: about 56 records */
	REQUIRE(xdpct_bpf__load(e.skel) == 0, "load with a one-page ring");
	e.xdp_fd = bpf_program__fd(e.skel->progs.xdpct_xdp);
	e.flows_fd = bpf_map__fd(e.skel->maps.flows);
	e.embryos_fd = bpf_map__fd(e.skel->maps.embryos);
	e.counters_fd = bpf_map__fd(e.skel->maps.counters);
	xdpct_config_defaults(&e.cfg, 250);
	e.cfg.clock_override = 1000;
	REQUIRE(!bpf_map_update_elem(bpf_map__fd(e.skel->maps.config_map), &zero, &e.cfg, BPF_ANY),
		"config");
	for (i = 0; i < n; i++) {
		struct endpoint c = { 4, "198.18.0.9", (uint16_t)(30000 + i) };
		struct frame f;

		frame_tcp(&f, &c, &S4, SYN, X, 0, 0);
		if (env_run_xdp(&e, &f) != XDP_PASS) {
			CHECK(0, "every SYN passed");
			break;
		}
	}
	rb = ring_buffer__new(bpf_map__fd(e.skel->maps.events), count_event, &read, NULL);
	REQUIRE(rb != NULL, "ring buffer");
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	CHECK_EQ(env_counter(&e, CNT_FLOW_NEW), n, "every flow opened");
	CHECK_EQ(env_flow_count(&e), n, "every flow in the table");
	CHECK(read > 0 && read < n, "the ring held some events, not all");
	CHECK_EQ(env_counter(&e, CNT_EVENT_DROP), n - read, "every event not in the ring counted as dropped");
	env_close(&e);
}

/*
 * The full path is a tail call away: with its slot emptied, the entry
 * programs still settle express segments, and pass the rest untracked,
 * counted, never aborted.
 */
static void empty_full_path_slot_is_counted(void)
{
	struct frame syn, data;
	struct env e;
	__u32 zero = 0;

	REQUIRE(env_open(&e, 1024) == 0, "load");
	frame_tcp(&syn, &C4, &S4, SYN, X, 0, 0);
	CHECK_EQ(env_run_xdp(&e, &syn), XDP_PASS, "SYN through the full path");
	CHECK_EQ(env_counter(&e, CNT_FULL_PATH_MISSING), 0, "nothing missing with the slots filled");
	REQUIRE(!bpf_map_delete_elem(bpf_map__fd(e.skel->maps.xdp_full_path), &zero) &&
			!bpf_map_delete_elem(bpf_map__fd(e.skel->maps.tc_full_path), &zero),
		"empty both slots");
	frame_tcp(&syn, &C4, &S4, SYN, X + 7, 0, 0);
	frame_tcp(&data, &C4, &S4, PSH, X + 1, Y + 1, 10);
	CHECK_EQ(env_run_xdp(&e, &syn), XDP_PASS, "XDP: passed");
	CHECK_EQ(env_run_tc(&e, &syn), 0 /* TC_ACT_OK */, "tc: passed");
	CHECK_EQ(env_run_xdp(&e, &data), XDP_PASS, "an ACK of no flow: passed");
	CHECK_EQ(env_counter(&e, CNT_FULL_PATH_MISSING), 3, "each counted");
	CHECK_EQ(env_counter(&e, CNT_FLOW_NEW), 1, "no flow opened without the full path");
	CHECK_EQ(env_counter(&e, CNT_PKT_SEEN), 1, "nor seen by it");
	env_close(&e);
}

struct events_seen {
	struct xdpct_event ev[4];
	int n;
};

static int collect_event(void *ctx, void *data, size_t len)
{
	struct events_seen *s = ctx;

	if (len >= sizeof(s->ev[0]) && s->n < 4)
		s->ev[s->n++] = *(const struct xdpct_event *)data;
	return 0;
}

static void counters_now(struct env *e, uint64_t *c)
{
	int i;

	for (i = 0; i < CNT__MAX; i++)
		c[i] = env_counter(e, i);
}

/*
 * An ACK of no flow is settled in the express lane (bpf/express.h,
 * xdpct_express_no_flow()) to the very counters, event record and verdict
 * the full path gives it: the reference is the same ACK in two VLAN tags,
 * which only the full path parses. With the full path's slots emptied it
 * still is, so the express lane did it. An ACK the responder would take,
 * and one of a flow in its handshake, still go to the full path. Either
 * way the event names the segment's sender as src (client_is_b: the
 * sender's side of the key), also when it is the key's side b.
 */
static void no_flow_ack_is_settled_as_the_full_path_would(void)
{
	static const struct endpoint C4b = { 4, "198.18.0.2", 40001 };
	struct seg_spec spec = { .flags = PSH, .seq = X + 1, .ack = Y + 1, .payload = 10,
				 .wscale = -1, .vlans = 2 };
	uint64_t c0[CNT__MAX], c1[CNT__MAX], c2[CNT__MAX];
	struct events_seen full = { 0 }, express = { 0 }, other = { 0 }, reply = { 0 };
	struct frame tagged, plain, f, tagged_reply, plain_reply;
	struct ring_buffer *rb;
	__u32 zero = 0, port = 80;
	__u8 protect = PORT_PROTECTED, none = 0;
	struct env e;
	int i, same, full_fd;

	REQUIRE(env_open(&e, 1024) == 0, "load");
	e.cfg.event_mask = XDPCT_EVENTS_DEFAULT | (1u << EV_INVALID);
	REQUIRE(env_set_time(&e, 777) == 0, "events of invalid segments on, a fixed clock");
	frame_build(&tagged, &C4, &S4, &spec);
	spec.vlans = 0;
	frame_build(&plain, &C4, &S4, &spec);
	frame_build(&plain_reply, &S4, &C4, &spec);
	spec.vlans = 2;
	frame_build(&tagged_reply, &S4, &C4, &spec);
	spec.vlans = 0;
	/* A flow in its handshake, opened while the full path is there. */
	frame_tcp(&f, &C4b, &S4, SYN, X, 0, 0);
	CHECK_EQ(env_run_xdp(&e, &f), XDP_PASS, "a SYN opens an embryo");

	rb = ring_buffer__new(bpf_map__fd(e.skel->maps.events), collect_event, &other, NULL);
	REQUIRE(rb, "ring buffer");
	ring_buffer__consume(rb);
	counters_now(&e, c0);
	CHECK_EQ(env_run_xdp(&e, &tagged), XDP_PASS, "full path: passed");
	ring_buffer__free(rb);
	rb = ring_buffer__new(bpf_map__fd(e.skel->maps.events), collect_event, &full, NULL);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	counters_now(&e, c1);

	REQUIRE(!bpf_map_delete_elem(bpf_map__fd(e.skel->maps.xdp_full_path), &zero) &&
			!bpf_map_delete_elem(bpf_map__fd(e.skel->maps.tc_full_path), &zero),
		"empty both slots");
	CHECK_EQ(env_run_xdp(&e, &plain), XDP_PASS, "express lane: passed");
	rb = ring_buffer__new(bpf_map__fd(e.skel->maps.events), collect_event, &express, NULL);
	ring_buffer__consume(rb);
	counters_now(&e, c2);
	CHECK_EQ(c1[CNT_INV_NO_FLOW] - c0[CNT_INV_NO_FLOW], 1, "full path: counted as no flow");
	for (i = 0, same = 1; i < CNT__MAX; i++)
		if (c2[i] - c1[i] != c1[i] - c0[i]) {
			printf("  counter %s: full path +%llu, express lane +%llu\n",
			       xdpct_counter_names[i], (unsigned long long)(c1[i] - c0[i]),
			       (unsigned long long)(c2[i] - c1[i]));
			same = 0;
		}
	CHECK(same, "the same counters moved by the same amounts");
	CHECK_EQ(full.n, 1, "full path: one event");
	CHECK_EQ(express.n, 1, "express lane: one event");
	CHECK(full.n == 1 && express.n == 1 && !memcmp(&full.ev[0], &express.ev[0], sizeof(full.ev[0])),
	      "the same event record, byte for byte");
	CHECK_EQ(express.ev[0].type, EV_INVALID, "an invalid event");
	CHECK_EQ(express.ev[0].reason, INV_NO_FLOW, "for no flow");
	CHECK_EQ(express.ev[0].client_is_b, 0, "from C4, the key's side a: src C4");

	/* From S4, which sorts after C4: the key's side b is the sender. */
	CHECK_EQ(env_run_xdp(&e, &plain_reply), XDP_PASS, "express lane: S4's ACK passed");
	full_fd = bpf_program__fd(e.skel->progs.xdpct_xdp_full);
	REQUIRE(!bpf_map_update_elem(bpf_map__fd(e.skel->maps.xdp_full_path), &zero, &full_fd,
				     BPF_ANY),
		"the XDP slot back");
	CHECK_EQ(env_run_xdp(&e, &tagged_reply), XDP_PASS, "full path: S4's ACK passed");
	REQUIRE(!bpf_map_delete_elem(bpf_map__fd(e.skel->maps.xdp_full_path), &zero), "emptied again");
	ring_buffer__free(rb);
	rb = ring_buffer__new(bpf_map__fd(e.skel->maps.events), collect_event, &reply, NULL);
	ring_buffer__consume(rb);
	CHECK_EQ(reply.n, 2, "two events");
	CHECK(reply.n == 2 && reply.ev[0].client_is_b == 1 && reply.ev[1].client_is_b == 1,
	      "both name S4, the key's side b, as src");
	counters_now(&e, c2);

	/* On egress too; and under strict both hooks drop it. */
	CHECK_EQ(env_run_tc(&e, &plain), 0 /* TC_ACT_OK */, "tc: passed");
	e.cfg.policy = POLICY_STRICT;
	REQUIRE(env_set_config(&e) == 0, "strict");
	CHECK_EQ(env_run_xdp(&e, &plain), XDP_DROP, "strict: XDP drops it");
	CHECK_EQ(env_run_tc(&e, &plain), 2 /* TC_ACT_SHOT */, "strict: tc drops it");
	CHECK_EQ(env_counter(&e, CNT_INV_NO_FLOW) - c2[CNT_INV_NO_FLOW], 3, "each counted as no flow");
	CHECK_EQ(env_counter(&e, CNT_VERDICT_DROP) - c2[CNT_VERDICT_DROP], 2, "and as dropped");

	/* What still needs the full path, which is missing now: counted as such. */
	e.cfg.policy = POLICY_PASS;
	e.cfg.flags |= CFG_SYNCOOKIES;
	REQUIRE(env_set_config(&e) == 0 &&
			!bpf_map_update_elem(bpf_map__fd(e.skel->maps.ports), &port, &protect, BPF_ANY),
		"cookies on port 80");
	counters_now(&e, c0);
	CHECK_EQ(env_run_xdp(&e, &plain), XDP_PASS, "an ACK a cookie may have opened");
	CHECK_EQ(env_run_tc(&e, &plain), 0, "the same ACK leaving: no cookie to check there");
	frame_tcp(&f, &C4b, &S4, ACK, X + 1, Y + 1, 0);
	e.cfg.flags &= ~CFG_SYNCOOKIES;
	REQUIRE(env_set_config(&e) == 0 &&
			!bpf_map_update_elem(bpf_map__fd(e.skel->maps.ports), &port, &none, BPF_ANY),
		"cookies off");
	CHECK_EQ(env_run_xdp(&e, &f), XDP_PASS, "the ACK of a flow in its handshake");
	CHECK_EQ(env_counter(&e, CNT_FULL_PATH_MISSING) - c0[CNT_FULL_PATH_MISSING], 2,
		 "the cookie's ACK and the handshake's went to the full path");
	CHECK_EQ(env_counter(&e, CNT_INV_NO_FLOW) - c0[CNT_INV_NO_FLOW], 1,
		 "the egress one was settled as no flow");
	ring_buffer__free(rb);
	env_close(&e);
}

/* Open C4 -> S4 and send one data segment, which the express lane settles. */
static void open_and_send(struct env *e, const char *what)
{
	struct frame f;
	char m[160];

	frame_tcp(&f, &C4, &S4, SYN, X, 0, 0);
	env_run_xdp(e, &f);
	frame_tcp(&f, &S4, &C4, SYN | ACK, Y, X + 1, 0);
	env_run_xdp(e, &f);
	frame_tcp(&f, &C4, &S4, ACK, X + 1, Y + 1, 0);
	env_run_xdp(e, &f);
	frame_tcp(&f, &C4, &S4, PSH, X + 1, Y + 1, 100);
	snprintf(m, sizeof(m), "%s: the data segment took the express lane", what);
	CHECK_EQ(env_run_xdp(e, &f), XDP_PASS, m);
	CHECK_EQ(env_counter(e, CNT_PKT_EXPRESS), 1, m);
}

/*
 * "now" is jiffies in a live instance, and config clock_override only
 * where the loader asked for it before load (replay, these tests): the
 * flag is read-only once loaded, so a live instance has no override to
 * set by mistake, and its express lane looks up no config for the time.
 */
static void clock_source_is_fixed_at_load(void)
{
	struct xdpct_instance in = { 0 };
	struct xdpct_flow fl;
	__u64 before, after;
	struct env e;

	REQUIRE(env_open_clock(&e, 1024, false) == 0, "load a live-clock instance");
	in.prog_clock_fd = bpf_program__fd(e.skel->progs.xdpct_clock);
	e.cfg.clock_override = 7;
	REQUIRE(env_set_config(&e) == 0, "an override in the config");
	REQUIRE(xdpct_clock_read(&in, &before, NULL) == 0, "read the clock");
	open_and_send(&e, "live clock");
	REQUIRE(xdpct_clock_read(&in, &after, NULL) == 0, "read the clock again");
	REQUIRE(env_flow(&e, &C4, &S4, &fl) == 0, "the flow");
	CHECK(before > 7 && fl.first_seen >= before && fl.first_seen <= after,
	      "full path: first_seen is jiffies, not the override");
	CHECK(fl.last_seen >= fl.first_seen && fl.last_seen <= after,
	      "express lane: last_seen is jiffies, not the override");
	env_close(&e);

	REQUIRE(env_open(&e, 1024) == 0, "load a test-clock instance");
	REQUIRE(env_set_time(&e, 4242) == 0, "set the clock");
	open_and_send(&e, "test clock");
	REQUIRE(env_flow(&e, &C4, &S4, &fl) == 0, "the flow");
	CHECK_EQ(fl.first_seen, 4242, "full path: first_seen is the override");
	CHECK_EQ(fl.last_seen, 4242, "express lane: last_seen is the override");
	env_close(&e);
}

int main(void)
{
	RUN(client_closes_first_all);
	RUN(server_closes_first_all);
	RUN(simultaneous_open_and_close);
	RUN(rst_in_and_out_of_window);
	RUN(rst_at_the_receivers_last_ack_after_express_acks);
	RUN(rst_answering_a_syn_then_retry);
	RUN(retransmitted_syn_and_lost_synack);
	RUN(repeated_syn_retransmission_then_the_clients_ack);
	RUN(lost_final_ack_fin_into_time_wait);
	RUN(old_duplicate_syn_into_time_wait);
	RUN(syn_with_a_newer_timestamp_into_time_wait);
	RUN(syn_from_the_time_wait_side_reopens_for_any_isn);
	RUN(expired_flows_reopen_for_any_syn);
	RUN(egress_and_ingress_share_the_flow);
	RUN(unknown_flows_and_bad_flags);
	RUN(full_ring_drops_and_counts);
	RUN(empty_full_path_slot_is_counted);
	RUN(clock_source_is_fixed_at_load);
	RUN(no_flow_ack_is_settled_as_the_full_path_would);
	return TEST_EXIT();
}
