/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenario steps for the tracker's packet tests: one frame through the
 * real program, then every check at once. The verdict; both endpoint
 * states and the summary; for a valid segment the sender's packets,
 * bytes and end of sequence space, for an invalid one the flow byte for
 * byte as it was; every counter against a model that the steps keep;
 * and the events the ring buffer received for this frame.
 */
#ifndef XDPCT_TEST_TRACK_STEPS_H
#define XDPCT_TEST_TRACK_STEPS_H

#include "bpf_env.h"
#include "check.h"

struct track {
	struct env e;
	struct ring_buffer *rb;
	const struct endpoint *client, *server;
	struct seg_spec base;     /* vlans, ip6_ext, wscale for every frame */
	int use_tc_for_client;    /* the host is the client: its frames leave by egress */
	uint64_t want[CNT__MAX];  /* counters as they must be */
	struct xdpct_event events[16]; /* events read for the last frame */
	int nevents;
	uint64_t now;
};

static int track_on_event(void *ctx, void *data, size_t len)
{
	struct track *t = ctx;
	const struct xdpct_event *ev = data;

	if (len >= sizeof(*ev) && t->nevents < (int)(sizeof(t->events) / sizeof(t->events[0])))
		t->events[t->nevents++] = *ev;
	return 0;
}

/* Load a private data path with every event enabled; 0 or -errno. */
static inline int track_open(struct track *t, const struct endpoint *client,
			     const struct endpoint *server)
{
	int err;

	memset(t, 0, sizeof(*t));
	err = env_open(&t->e, 1024);
	if (err)
		return err;
	t->e.cfg.event_mask = XDPCT_EVENTS_DEFAULT | (1u << EV_INVALID);
	t->now = 1000;
	err = env_set_time(&t->e, t->now);
	if (err)
		return err;
	t->rb = ring_buffer__new(bpf_map__fd(t->e.skel->maps.events), track_on_event, t, NULL);
	if (!t->rb)
		return -errno;
	t->client = client;
	t->server = server;
	t->base.wscale = -1;
	return 0;
}

static inline void track_close(struct track *t)
{
	ring_buffer__free(t->rb);
	t->rb = NULL;
	env_close(&t->e);
}

static inline int track_set_time(struct track *t, uint64_t ticks)
{
	t->now = ticks;
	return env_set_time(&t->e, ticks);
}

static inline __u32 track_event_counter(int ev)
{
	switch (ev) {
	case EV_NEW: return CNT_FLOW_NEW;
	case EV_ESTABLISHED: return CNT_FLOW_ESTABLISHED;
	case EV_FIN: return CNT_FLOW_FIN;
	case EV_TIME_WAIT: return CNT_FLOW_TIME_WAIT;
	case EV_TW_RESTART: return CNT_FLOW_TW_RESTART;
	case EV_CLOSED: return CNT_FLOW_CLOSED;
	case EV_REOPENED: return CNT_FLOW_REOPENED;
	default: return CNT__MAX;
	}
}

/* Every counter against the model; prints each difference. */
static inline void track_check_counters(struct track *t, const char *what)
{
	char m[200];
	int i;

	for (i = 0; i < CNT__MAX; i++) {
		snprintf(m, sizeof(m), "%s: counter %s", what, xdpct_counter_names[i]);
		CHECK_EQ(env_counter(&t->e, i), t->want[i], m);
	}
}

/* A handshake state: such a flow lives in embryos (bpf/track.h). */
static inline int xdpct_track_embryonic(__u8 s)
{
	return s == CT_SYN_SENT || s == CT_SYN_RECV || s == CT_SYN_SENT2;
}

/* What one step expects. */
struct want {
	int verdict;      /* XDP_* (tc verdicts are mapped: OK = PASS, SHOT = DROP) */
	int ct, c, s;     /* summary and both endpoint states */
	int inv;          /* INV_* expected, INV_NONE for a valid segment */
	int ev;           /* EV_* expected for a valid segment */
};

/* Is src side b of the canonical key? */
static inline int track_src_is_b(const struct endpoint *src, const struct endpoint *dst)
{
	struct xdpct_pkt pkt = { 0 };
	struct xdpct_flow_key key;

	pkt.family = (uint8_t)src->family;
	inet_pton(src->family == 4 ? AF_INET : AF_INET6, src->addr, pkt.saddr);
	inet_pton(dst->family == 4 ? AF_INET : AF_INET6, dst->addr, pkt.daddr);
	pkt.sport = htons(src->port);
	pkt.dport = htons(dst->port);
	return xdpct_flow_key_make(&pkt, &key);
}

/*
 * One segment from the client (from_server = 0) or the server, built
 * from t->base with these flags and numbers.
 */
static inline void track_step_spec(struct track *t, int from_server, const struct seg_spec *spec,
				   const struct want *w, const char *what)
{
	const struct endpoint *src = from_server ? t->server : t->client;
	const struct endpoint *dst = from_server ? t->client : t->server;
	struct xdpct_flow before, after;
	int table = env_flow_table(&t->e, t->client, t->server, &before), verdict;
	int had = table >= 0, want_table;
	struct frame fr;
	char m[200];

	frame_build(&fr, src, dst, spec);
	t->nevents = 0;
	if (t->use_tc_for_client && !from_server) {
		verdict = env_run_tc(&t->e, &fr);
		verdict = verdict == 0 ? XDP_PASS : verdict == 2 ? XDP_DROP : -1000 - verdict;
	} else {
		verdict = env_run_xdp(&t->e, &fr);
	}
	ring_buffer__consume(t->rb);
	snprintf(m, sizeof(m), "%s: verdict", what);
	CHECK_EQ(verdict, w->verdict, m);

	/* The counters' model: seen, tcp, then the reason or the event. */
	t->want[CNT_PKT_SEEN]++;
	t->want[CNT_PKT_TCP]++;
	if (w->inv)
		t->want[CNT_INV_BAD_FLAGS + w->inv - INV_BAD_FLAGS]++;
	else if (track_event_counter(w->ev) < CNT__MAX)
		t->want[track_event_counter(w->ev)]++;
	if (w->verdict == XDP_DROP)
		t->want[CNT_VERDICT_DROP]++;
	/*
	 * The express lane (bpf/express.h) settles a plain frame (one VLAN tag
	 * at most, no IPv6 extension header; the builder adds no IPv4 options) with ACK
	 * and no SYN, FIN or RST, of an established flow in `flows`, when
	 * valid. Everything else takes the full path.
	 */
	if (spec->vlans <= 1 && !spec->ip6_ext &&
	    (spec->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST | TCPF_ACK)) == TCPF_ACK &&
	    table == TABLE_FLOWS && before.state == CT_ESTABLISHED && !w->inv)
		t->want[CNT_PKT_EXPRESS]++;
	/*
	 * The tables: a SYN opens its flow in embryos; the step that takes it
	 * out of the handshake (not by RST) moves it to flows; otherwise a
	 * flow stays where it is.
	 */
	want_table = table;
	if (!had && !w->inv && w->ev == EV_NEW) {
		t->want[CNT_EMBRYO_OPENED]++;
		want_table = TABLE_EMBRYOS;
	} else if (table == TABLE_EMBRYOS && !w->inv && xdpct_track_embryonic(before.state) &&
		   !xdpct_track_embryonic((__u8)w->ct) && w->ct != CT_CLOSE && w->ct != CT_NONE) {
		t->want[CNT_FLOW_MOVED]++;
		t->want[CNT_EMBRYO_DELETED]++;
		want_table = TABLE_FLOWS;
	}
	snprintf(m, sizeof(m), "%s: table (0 flows, 1 embryos, <0 none)", what);
	CHECK_EQ(env_flow_table(&t->e, t->client, t->server, &after), want_table, m);
	track_check_counters(t, what);

	snprintf(m, sizeof(m), "%s: events", what);
	if (w->inv || w->ev) {
		const struct xdpct_event *ev = &t->events[0];
		struct xdpct_flow_key key;

		CHECK_EQ(t->nevents, 1, m);
		CHECK_EQ(ev->type, w->inv ? EV_INVALID : w->ev, m);
		snprintf(m, sizeof(m), "%s: event record", what);
		CHECK_EQ(ev->reason, w->inv, m);
		CHECK_EQ(ev->time, t->now, m);
		CHECK_EQ(ev->state, w->ct, m);
		env_key(src, dst, &key);
		CHECK(!memcmp(&ev->key, &key, sizeof(key)), m);
		if (w->ct != CT_NONE) {
			CHECK_EQ(ev->client_state, w->c, m);
			CHECK_EQ(ev->server_state, w->s, m);
		}
	} else {
		CHECK_EQ(t->nevents, 0, m);
	}

	snprintf(m, sizeof(m), "%s: flow present", what);
	if (env_flow(&t->e, t->client, t->server, &after)) {
		CHECK(w->ct == CT_NONE, m);
		return;
	}
	CHECK(w->ct != CT_NONE, m);
	snprintf(m, sizeof(m), "%s: conntrack state %s", what, xdpct_ct_state_name(after.state));
	CHECK_EQ(after.state, w->ct, m);
	snprintf(m, sizeof(m), "%s: client state %s", what,
		 xdpct_tcp_state_name(after.ep[DIR_ORIG].state));
	CHECK_EQ(after.ep[DIR_ORIG].state, w->c, m);
	snprintf(m, sizeof(m), "%s: server state %s", what,
		 xdpct_tcp_state_name(after.ep[DIR_REPLY].state));
	CHECK_EQ(after.ep[DIR_REPLY].state, w->s, m);

	if (w->inv) {
		snprintf(m, sizeof(m), "%s: invalid segment left the flow as it was", what);
		CHECK(had && !memcmp(&before, &after, sizeof(after)), m);
		return;
	}
	/* A valid segment: counted on its sender, which now has sent up to its end. */
	{
		int dir = xdpct_flow_dir(&after, track_src_is_b(src, dst));
		const struct xdpct_endpoint *snd = &after.ep[dir];
		__u32 end = spec->seq + spec->payload + !!(spec->flags & TCPF_SYN) +
			    !!(spec->flags & TCPF_FIN);
		uint64_t pk = had && w->ev != EV_REOPENED ? before.ep[dir].packets : 0;

		snprintf(m, sizeof(m), "%s: sender packets", what);
		CHECK_EQ(snd->packets, pk + 1, m);
		const struct xdpct_endpoint *old = &before.ep[dir], *rcv = &after.ep[!dir];
		int fresh = !had || w->ev == EV_REOPENED || old->maxwin == 0;
		__u32 want_end = fresh || xdpct_seq_after(end, old->end) ? end : old->end;

		/* The sender's end: exactly the furthest it sent (a RST moves nothing). */
		snprintf(m, sizeof(m), "%s: sender end", what);
		if (!(spec->flags & TCPF_RST))
			CHECK_EQ(snd->end, want_end, m);
		/* What the receiver may send never shrinks, and covers this ack. */
		snprintf(m, sizeof(m), "%s: receiver's right edge", what);
		if ((spec->flags & TCPF_ACK) && !(spec->flags & TCPF_RST) && !fresh) {
			CHECK(!xdpct_seq_before(rcv->maxend, before.ep[!dir].maxend), m);
			CHECK(xdpct_seq_after(rcv->maxend, spec->ack), m);
		}
		snprintf(m, sizeof(m), "%s: last_seen", what);
		CHECK_EQ(after.last_seen, t->now, m);
	}
}

static inline void track_step(struct track *t, int from_server, uint8_t flags, uint32_t seq,
			      uint32_t ack, uint16_t len, const struct want *w, const char *what)
{
	struct seg_spec s = t->base;

	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.payload = len;
	track_step_spec(t, from_server, &s, w, what);
}

#define W(verdict, ct, c, s, inv, ev) (&(struct want){ verdict, ct, c, s, inv, ev })

/* Read the flow; fails the test when it is missing. */
static inline struct xdpct_flow track_flow(struct track *t)
{
	struct xdpct_flow f;

	memset(&f, 0, sizeof(f));
	CHECK(env_flow(&t->e, t->client, t->server, &f) == 0, "flow present");
	return f;
}

#endif /* XDPCT_TEST_TRACK_STEPS_H */
