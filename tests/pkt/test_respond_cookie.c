// SPDX-License-Identifier: GPL-2.0
/*
 * SYN cookies through the real XDP program: the SYN+ACK field by field
 * (MACs, VLAN tags, addresses, ports, flags, seq/ack, options and their
 * values, both checksums recomputed here), the returning ACK checked by the
 * kernel's helper (valid opens an ESTABLISHED flow, invalid is dropped),
 * the once-a-minute SYN that arms the host, and a flood that opens nothing.
 */
#define _GNU_SOURCE
#include "bpf_env.h"
#include "check.h"
#include "reply.h"
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static struct env E;
static const struct endpoint CLIENT = { 4, "198.18.0.1", 40000 };
static const struct endpoint SERVER = { 4, "198.18.1.1", 80 };
static const struct endpoint CLIENT6 = { 6, "2001:db8::1", 40000 };
static const struct endpoint SERVER6 = { 6, "2001:db8:1::1", 443 };

#define X 1000u /* client ISN */
#define HZ 250
#define TTL 77
#define WSCALE 9

static int protect(uint16_t port)
{
	__u32 key = port;
	__u8 v = PORT_PROTECTED;

	return bpf_map_update_elem(bpf_map__fd(E.skel->maps.ports), &key, &v, BPF_ANY);
}

/* A data path with cookies on for ports 80 and 443, whose host was armed just now. */
static int setup(void)
{
	struct frame fr;

	if (env_open(&E, 4096))
		return -1;
	E.cfg.flags |= CFG_SYNCOOKIES;
	E.cfg.ttl = TTL;
	E.cfg.cookie_wscale = WSCALE;
	E.cfg.hz = HZ;
	if (env_set_config(&E) || protect(80) || protect(443))
		return -1;
	/* The first SYN per port and family goes to the host (it arms its listener). */
	frame_tcp(&fr, &(struct endpoint){ 4, "198.18.0.9", 1 }, &SERVER, TCPF_SYN, 1, 0, 0);
	if (env_run_xdp(&E, &fr) != XDP_PASS)
		return -1;
	frame_tcp(&fr, &(struct endpoint){ 6, "2001:db8::9", 1 }, &SERVER6, TCPF_SYN, 1, 0, 0);
	if (env_run_xdp(&E, &fr) != XDP_PASS)
		return -1;
	return 0;
}

static void syn_full(struct frame *fr, const struct endpoint *c, const struct endpoint *s,
		     uint32_t tsval, int vlans)
{
	struct seg_spec sp = { .flags = TCPF_SYN, .seq = X, .mss = 1460, .wscale = 7,
			       .sack_perm = 1, .timestamps = 1, .tsval = tsval, .vlans = vlans };

	frame_build(fr, c, s, &sp);
}

static void check_addresses(const struct reply *r, const struct endpoint *c,
			    const struct endpoint *s)
{
	CHECK(!memcmp(r->dst_mac, "\x02\x00\x00\x00\x00\x01", 6), "dst MAC is the SYN's source");
	CHECK(!memcmp(r->src_mac, "\x02\x00\x00\x00\x00\x02", 6), "src MAC is the SYN's destination");
	CHECK_EQ(r->family, c->family, "family");
	CHECK_STR(r->src, s->addr, "source address is the server");
	CHECK_STR(r->dst, c->addr, "destination address is the client");
	CHECK_EQ(r->sport, s->port, "source port");
	CHECK_EQ(r->dport, c->port, "destination port");
	CHECK_EQ(r->ttl, TTL, "TTL / hop limit from config");
	CHECK_EQ(r->ip_proto, 6, "protocol TCP, no extension headers");
	CHECK(r->ip_csum_ok, "IPv4 header checksum");
	CHECK(r->tcp_csum_ok, "TCP checksum with pseudo-header");
}

/* The ACK that completes the handshake, with a timestamp echoing tsecr. */
static void ack_for(struct frame *fr, const struct endpoint *c, const struct endpoint *s,
		    uint32_t ack, int ts, uint32_t tsecr)
{
	struct seg_spec sp = { .flags = TCPF_ACK, .seq = X + 1, .ack = ack, .window = 502,
			       .wscale = -1, .timestamps = ts, .tsval = 777, .tsecr = tsecr };

	frame_build(fr, c, s, &sp);
}

static void synack_ipv4_field_by_field(void)
{
	int mss = if_mtu("lo") - 40, eff;
	struct reply r;
	struct frame fr;
	uint64_t t0, t1;
	uint32_t tsval;

	REQUIRE(setup() == 0, "load and configure");
	if (mss > 65535)
		mss = 65535;
	eff = mss - 12;
	syn_full(&fr, &CLIENT, &SERVER, 12345, 0);
	t0 = mono_ms();
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "SYN to a protected port is answered");
	t1 = mono_ms();
	REQUIRE(reply_parse(E.out, E.out_len, &r) == 0, "the answer parses as TCP");
	check_addresses(&r, &CLIENT, &SERVER);
	CHECK_EQ(E.out_len, 14 + 20 + 40, "frame length: no padding left over");
	CHECK_EQ(r.ip_len, 20 + 40, "IPv4 total length");
	CHECK_EQ(r.ip_frag, 0x4000, "DF, not a fragment");
	CHECK_EQ(r.flags, TCPF_SYN | TCPF_ACK, "flags SYN+ACK");
	CHECK_EQ(r.ack, X + 1, "acks the client's ISN + 1");
	CHECK_EQ(r.doff, 10, "header with 20 bytes of options");
	CHECK_EQ(r.window, 65535 - 65535 % eff, "64 KiB in whole segments");
	/* MSS, SACK-permitted + timestamps, NOP + window scale: Linux's order. */
	CHECK_EQ(r.opts[0], 2, "MSS kind");
	CHECK_EQ(r.opts[1], 4, "MSS length");
	CHECK_EQ(get16(r.opts + 2), mss, "MSS: the interface's MTU less 40");
	CHECK_EQ(r.opts[4], 4, "SACK-permitted kind");
	CHECK_EQ(r.opts[5], 2, "SACK-permitted length");
	CHECK_EQ(r.opts[6], 8, "timestamps kind");
	CHECK_EQ(r.opts[7], 10, "timestamps length");
	tsval = get32(r.opts + 8);
	CHECK_EQ(get32(r.opts + 12), 12345, "tsecr echoes the client's tsval");
	CHECK_EQ(tsval & 0x3f, 0x10 | 7, "tsval low bits: SACK, client's window scale 7");
	CHECK(tsval <= (uint32_t)t1 && tsval + 64 + 1000 >= (uint32_t)t0,
	      "tsval: the TCP clock (ms), not in the future");
	CHECK_EQ(r.opts[16], 1, "NOP");
	CHECK_EQ(r.opts[17], 3, "window scale kind");
	CHECK_EQ(r.opts[18], 3, "window scale length");
	CHECK_EQ(r.opts[19], WSCALE, "our window scale from config");
	CHECK_EQ(env_flow_count(&E), 0, "no flow opened, not even for the arming SYNs");
	CHECK_EQ(env_counter(&E, CNT_RESP_SYNCOOKIE), 1, "responder_syncookie_synack");
	env_close(&E);
}

static void valid_cookie_ack_opens_an_established_flow(void)
{
	struct xdpct_flow f;
	struct reply r;
	struct frame fr;
	uint32_t cookie, tsval;

	REQUIRE(setup() == 0, "load and configure");
	syn_full(&fr, &CLIENT, &SERVER, 12345, 0);
	REQUIRE(env_run_xdp(&E, &fr) == XDP_TX, "SYN answered");
	REQUIRE(reply_parse(E.out, E.out_len, &r) == 0, "SYN+ACK parses");
	cookie = r.seq;
	tsval = get32(r.opts + 8);

	ack_for(&fr, &CLIENT, &SERVER, cookie + 2, 1, tsval);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_DROP, "an ACK of cookie + 1 is not one");
	CHECK(env_flow(&E, &CLIENT, &SERVER, &f) != 0, "no flow for it");
	CHECK_EQ(env_counter(&E, CNT_RESP_COOKIE_BAD), 1, "responder_cookie_ack_invalid");

	ack_for(&fr, &CLIENT, &SERVER, cookie + 1, 1, tsval);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "the right ACK goes on to the host");
	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow opened");
	CHECK_EQ(f.state, CT_ESTABLISHED, "conntrack state");
	CHECK_EQ(f.ep[DIR_ORIG].state, TCP_S_ESTABLISHED, "client ESTABLISHED");
	CHECK_EQ(f.ep[DIR_REPLY].state, TCP_S_ESTABLISHED, "server ESTABLISHED");
	CHECK(f.flags & FLOW_COOKIE, "flagged as opened through a cookie");
	CHECK_EQ(f.ep[DIR_ORIG].isn, X, "client ISN");
	CHECK_EQ(f.ep[DIR_REPLY].isn, cookie, "server ISN is the cookie");
	CHECK_EQ(f.ep[DIR_ORIG].wscale, 7, "client window scale from the echoed tsval");
	CHECK_EQ(f.ep[DIR_REPLY].wscale, WSCALE, "server window scale as announced");
	CHECK_EQ(f.ep[DIR_ORIG].flags & (EP_WSCALE | EP_SACK_PERM | EP_TIMESTAMPS),
		 EP_WSCALE | EP_SACK_PERM | EP_TIMESTAMPS, "options negotiated");
	CHECK_EQ(f.ep[DIR_ORIG].packets, 1, "the ACK counted");
	CHECK_EQ(env_counter(&E, CNT_RESP_COOKIE_OK), 1, "responder_cookie_ack_valid");

	/* The connection goes on under ordinary tracking. */
	frame_tcp(&fr, &CLIENT, &SERVER, TCPF_ACK | TCPF_PSH, X + 1, cookie + 1, 100);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "data passes");
	REQUIRE(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "flow still there");
	CHECK_EQ(f.ep[DIR_ORIG].end, X + 101, "data tracked");
	CHECK_EQ(env_counter(&E, CNT_INV_OUT_OF_WINDOW), 0, "nothing out of window");
	env_close(&E);
}

static void synack_ipv6_without_timestamps(void)
{
	struct seg_spec sp = { .flags = TCPF_SYN, .seq = X, .mss = 1440, .wscale = 7,
			       .sack_perm = 1, .ip6_ext = 1 };
	int mss = if_mtu("lo") - 60;
	struct xdpct_flow f;
	struct reply r;
	struct frame fr;

	REQUIRE(setup() == 0, "load and configure");
	if (mss > 65535)
		mss = 65535;
	frame_build(&fr, &CLIENT6, &SERVER6, &sp);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "IPv6 SYN (with extension headers) answered");
	REQUIRE(reply_parse(E.out, E.out_len, &r) == 0, "the answer parses as TCP over IPv6");
	check_addresses(&r, &CLIENT6, &SERVER6);
	CHECK_EQ(E.out_len, 14 + 40 + 24, "frame length");
	CHECK_EQ(r.ip_len, 24, "payload length: TCP only, extension headers gone");
	CHECK_EQ(r.flags, TCPF_SYN | TCPF_ACK, "flags SYN+ACK");
	CHECK_EQ(r.ack, X + 1, "acks the client's ISN + 1");
	/* Without timestamps a cookie cannot carry window scaling or SACK. */
	CHECK_EQ(r.doff, 6, "MSS only");
	CHECK_EQ(r.opts[0], 2, "MSS kind");
	CHECK_EQ(get16(r.opts + 2), mss, "MSS: the interface's MTU less 60");
	CHECK_EQ(r.window, 65535 - 65535 % mss, "64 KiB in whole segments");

	frame_tcp(&fr, &CLIENT6, &SERVER6, TCPF_ACK, X + 1, r.seq + 1, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "cookie ACK passes");
	REQUIRE(env_flow(&E, &CLIENT6, &SERVER6, &f) == 0, "IPv6 flow opened");
	CHECK_EQ(f.state, CT_ESTABLISHED, "ESTABLISHED");
	CHECK_EQ(f.ep[DIR_ORIG].flags & (EP_WSCALE | EP_SACK_PERM | EP_TIMESTAMPS), 0,
		 "no options without timestamps");
	CHECK_EQ(f.ep[DIR_REPLY].wscale, 0, "no window scaling");
	env_close(&E);
}

static void vlan_tags_are_kept(void)
{
	struct reply r;
	struct frame fr;

	REQUIRE(setup() == 0, "load and configure");
	syn_full(&fr, &CLIENT, &SERVER, 1, 2);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "QinQ SYN answered");
	REQUIRE(reply_parse(E.out, E.out_len, &r) == 0, "answer parses");
	CHECK_EQ(r.vlans, 2, "both tags kept");
	CHECK_EQ(r.vlan_tci[0], 100, "outer tag");
	CHECK_EQ(r.vlan_tci[1], 200, "inner tag");
	check_addresses(&r, &CLIENT, &SERVER);
	env_close(&E);
}

static void unprotected_ports_and_cookies_off_are_tracked_as_usual(void)
{
	struct endpoint other = { 4, "198.18.1.1", 8080 };
	struct xdpct_flow f;
	struct frame fr;

	REQUIRE(setup() == 0, "load and configure");
	syn_full(&fr, &CLIENT, &other, 1, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "unprotected port: SYN passes");
	CHECK(env_flow(&E, &CLIENT, &other, &f) == 0, "and opens a flow");
	E.cfg.flags &= ~CFG_SYNCOOKIES;
	REQUIRE(env_set_config(&E) == 0, "cookies off");
	syn_full(&fr, &CLIENT, &SERVER, 1, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "cookies off: SYN passes");
	CHECK(env_flow(&E, &CLIENT, &SERVER, &f) == 0, "and opens a flow");
	CHECK_EQ(env_counter(&E, CNT_RESP_SYNCOOKIE), 0, "no cookie sent");
	env_close(&E);
}

static void host_is_armed_once_a_second(void)
{
	struct endpoint c = CLIENT;
	struct frame fr;

	REQUIRE(setup() == 0, "load and configure");
	CHECK_EQ(env_counter(&E, CNT_RESP_COOKIE_ARM), 2, "the first SYN per family went on");
	c.port = 40001;
	frame_tcp(&fr, &c, &SERVER, TCPF_SYN, X, 0, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "within the second: answered here");
	REQUIRE(env_set_time(&E, 1000 + HZ - 1) == 0, "one tick short of a second later");
	c.port = 40002;
	frame_tcp(&fr, &c, &SERVER, TCPF_SYN, X, 0, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "still answered here");
	REQUIRE(env_set_time(&E, 1000 + HZ) == 0, "a second later");
	c.port = 40003;
	frame_tcp(&fr, &c, &SERVER, TCPF_SYN, X, 0, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "one SYN goes to the host again");
	c.port = 40004;
	frame_tcp(&fr, &c, &SERVER, TCPF_SYN, X, 0, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "the next is answered here");
	CHECK_EQ(env_counter(&E, CNT_RESP_COOKIE_ARM), 3, "responder_syn_passed_to_host");
	CHECK_EQ(env_flow_count(&E), 0, "none of them opened a flow");

	/* The host answers the SYN it got with its own cookie: that goes out, untracked. */
	E.cfg.policy = POLICY_STRICT;
	REQUIRE(env_set_config(&E) == 0, "policy strict");
	c.port = 40003;
	frame_tcp(&fr, &SERVER, &c, TCPF_SYN | TCPF_ACK, 777, X + 1, 0);
	CHECK_EQ(env_run_tc(&E, &fr), 0 /* TC_ACT_OK */, "the host's SYN+ACK leaves (egress)");
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "and passes XDP too (a router's view)");
	CHECK_EQ(env_flow_count(&E), 0, "without opening a flow");
	CHECK_EQ(env_counter(&E, CNT_VERDICT_DROP), 0, "nothing dropped");
	env_close(&E);
}

static void syn_flood_opens_nothing(void)
{
	struct endpoint c = { 4, "198.18.0.200", 0 };
	int i, tx = 0;
	struct frame fr;
	size_t before;

	REQUIRE(setup() == 0, "load and configure");
	before = env_flow_count(&E);
	for (i = 0; i < 5000; i++) {
		c.port = (uint16_t)(1024 + i);
		syn_full(&fr, &c, &SERVER, (uint32_t)i, 0);
		tx += env_run_xdp(&E, &fr) == XDP_TX;
	}
	CHECK_EQ(tx, 5000, "every SYN answered");
	CHECK_EQ(env_flow_count(&E), before, "no flow entry added");
	CHECK_EQ(env_counter(&E, CNT_RESP_SYNCOOKIE), 5000, "counted");
	env_close(&E);
}

/*
 * A connection the host holds but the table does not (evicted, reaped, or
 * opened before attach): its ACKs are no cookie ACKs and must not be cut
 * off. A real connection over the loopback device of a network namespace
 * of the test's own, where the test run's socket lookup looks, between two
 * addresses the responder may answer (127/8 it never answers).
 */
static void segments_of_a_connection_the_host_holds_pass(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, ca = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct endpoint srv = { 4, "198.18.1.1", 0 }, cli = { 4, "198.18.0.1", 0 }, other;
	int l = -1, c = -1, one = 1;
	__u32 port;
	__u8 v = PORT_PROTECTED;
	struct frame fr;

	REQUIRE(unshare(CLONE_NEWNET) == 0, "a network namespace of our own");
	REQUIRE(system("ip link set lo up && ip addr add 198.18.1.1/32 dev lo && "
		       "ip addr add 198.18.0.1/32 dev lo") == 0,
		"its loopback up with 198.18.1.1 and 198.18.0.1");
	inet_pton(AF_INET, "198.18.1.1", &a.sin_addr);
	inet_pton(AF_INET, "198.18.0.1", &ca.sin_addr);
	REQUIRE(setup() == 0, "load and configure");
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	REQUIRE(l >= 0 && c >= 0 && !bind(l, (struct sockaddr *)&a, len) && !listen(l, 4) &&
			!getsockname(l, (struct sockaddr *)&a, &len) &&
			!bind(c, (struct sockaddr *)&ca, sizeof(ca)) &&
			!connect(c, (struct sockaddr *)&a, len),
		"a connection over loopback");
	srv.port = ntohs(a.sin_port);
	len = sizeof(a);
	REQUIRE(!getsockname(c, (struct sockaddr *)&a, &len), "client port");
	cli.port = ntohs(a.sin_port);
	port = srv.port;
	REQUIRE(!bpf_map_update_elem(bpf_map__fd(E.skel->maps.ports), &port, &v, BPF_ANY),
		"protect the server's port");

	frame_tcp(&fr, &cli, &srv, TCPF_ACK, 1234, 5678, 10);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "an ACK of the host's connection passes");
	CHECK_EQ(env_counter(&E, CNT_RESP_COOKIE_BAD), 0, "not taken for a bad cookie");
	CHECK_EQ(env_counter(&E, CNT_INV_NO_FLOW), 1, "counted as a segment of no flow");
	E.cfg.policy = POLICY_REJECT;
	REQUIRE(env_set_config(&E) == 0, "policy reject");
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_DROP, "under reject: dropped as strict, no RST");
	CHECK_EQ(env_counter(&E, CNT_RESP_RST), 0, "no RST");
	/*
	 * A SYN on it is the host's to answer (its challenge ACK), not a
	 * cookie's. First a SYN from another port, which the responder passes
	 * to arm the host (once a second), so that this one is its to take.
	 */
	other = cli;
	other.port = (uint16_t)(cli.port + 2);
	frame_tcp(&fr, &other, &srv, TCPF_SYN, 999, 0, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "the port's first SYN arms the host");
	frame_tcp(&fr, &cli, &srv, TCPF_SYN, 999, 0, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_PASS, "a SYN on the host's connection passes");
	CHECK_EQ(env_counter(&E, CNT_RESP_SYNCOOKIE), 0, "no cookie SYN+ACK");

	/* The same 4-tuple once the host holds no connection: a bad cookie. */
	close(c);
	close(l);
	cli.port = (uint16_t)(cli.port + 1);
	frame_tcp(&fr, &cli, &srv, TCPF_ACK, 1234, 5678, 10);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "another port, no connection: RST under reject");
	CHECK_EQ(env_counter(&E, CNT_RESP_COOKIE_BAD), 1, "bad cookie");
	frame_tcp(&fr, &cli, &srv, TCPF_SYN, 999, 0, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "and a SYN there gets its cookie");
	env_close(&E);
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct xdpct_event *ev = data;
	int *seen = ctx;

	if (len >= sizeof(*ev) && ev->type == EV_RESPONSE && ev->reason == RESPONSE_COOKIE_SYNACK)
		(*seen)++;
	return 0;
}

static void synack_is_reported_as_an_event(void)
{
	struct ring_buffer *rb;
	struct frame fr;
	int seen = 0;

	REQUIRE(setup() == 0, "load and configure");
	rb = ring_buffer__new(bpf_map__fd(E.skel->maps.events), on_event, &seen, NULL);
	REQUIRE(rb != NULL, "open the ring buffer");
	ring_buffer__consume(rb);
	seen = 0;
	syn_full(&fr, &CLIENT, &SERVER, 1, 0);
	CHECK_EQ(env_run_xdp(&E, &fr), XDP_TX, "answered");
	ring_buffer__consume(rb);
	CHECK_EQ(seen, 1, "one EV_RESPONSE with reason cookie-synack");
	ring_buffer__free(rb);
	env_close(&E);
}

int main(void)
{
	RUN(synack_ipv4_field_by_field);
	RUN(valid_cookie_ack_opens_an_established_flow);
	RUN(synack_ipv6_without_timestamps);
	RUN(vlan_tags_are_kept);
	RUN(unprotected_ports_and_cookies_off_are_tracked_as_usual);
	RUN(host_is_armed_once_a_second);
	RUN(syn_flood_opens_nothing);
	RUN(segments_of_a_connection_the_host_holds_pass);
	RUN(synack_is_reported_as_an_event);
	return TEST_EXIT();
}
