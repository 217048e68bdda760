/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The responder: segments xdpct answers itself with XDP_TX, before the
 * host spends anything on them. The tracker (track.h, via respond_hook.h)
 * hands over what to answer; this file decides, builds (respond_build.h,
 * respond_cookie.h), counts and reports.
 *
 *  - SYN to a protected port, no flow, cookies on: SYN+ACK with a cookie.
 *    The returning ACK is checked before any entry exists: valid opens the
 *    flow (ESTABLISHED, FLOW_COOKIE) and goes on to the host; invalid is
 *    dropped (answered with a RST under policy reject, as the host would).
 *  - Any other segment but RST of no flow on a protected port, policy
 *    reject: RST as RFC 9293 3.10.7.1 builds it.
 *  - FIN retransmitted into TIME-WAIT (CFG_TW_REACK): the ACK again.
 *  - RST in window but not exact, SYN on a synchronized flow
 *    (CFG_CHALLENGE_ACK): RFC 5961 challenge ACK, at most
 *    challenge_ack_per_sec per second in all.
 *
 * An answer replaces the segment: it never reaches the host.
 */
#ifndef XDPCT_BPF_RESPOND_H
#define XDPCT_BPF_RESPOND_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "track.h"
#include "respond_build.h"
#include "respond_cookie.h"

#define XDPCT_TTL_DEFAULT 64

/*
 * One token bucket for all CPUs (RFC 5961 10: limit challenge ACKs so that
 * they cannot be used to amplify). Tokens count in 1/HZ of an ACK; the
 * bucket holds one second's worth. Each answer draws a random half to one
 * and a half ACKs' worth (one on average), as Linux randomised its shared
 * limit: how many of his own challenges are answered tells an attacker
 * nothing certain of those other flows drew (CVE-2016-5696). Each flow has
 * its own limit too (xdpct_challenge_flow_due()).
 */
struct xdpct_bucket {
	struct bpf_spin_lock lock;
	__u64 last;
	__u64 tokens;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_bucket);
} challenge_bucket SEC(".maps");

/* Room to build an answer in: the BPF stack is shared with the tracker. */
struct xdpct_resp_work {
	struct xdpct_reply rp;
	struct xdpct_result ev;
	struct xdpct_flow_key key;
	struct xdpct_cookie_hdrs hdrs;
	struct bpf_sock_tuple tuple;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_resp_work);
} resp_work SEC(".maps");

static __always_inline bool xdpct_challenge_allowed(const struct xdpct_config *cfg, __u64 now)
{
	__u64 rate = cfg->challenge_ack_per_sec, hz = xdpct_hz(cfg), cap = rate * hz;
	__u64 cost = hz / 2 + bpf_get_prandom_u32() % (hz + 1);
	struct xdpct_bucket *b;
	__u32 zero = 0;
	bool ok = false;

	b = bpf_map_lookup_elem(&challenge_bucket, &zero);
	if (!b || !rate)
		return false;
	bpf_spin_lock(&b->lock);
	if (now > b->last) {
		__u64 gain = (now - b->last) * rate;

		b->tokens = gain >= cap || b->tokens + gain >= cap ? cap : b->tokens + gain;
		b->last = now;
	}
	if (b->tokens >= cost) {
		b->tokens -= cost;
		ok = true;
	}
	bpf_spin_unlock(&b->lock);
	return ok;
}

/*
 * Timestamps on an answer in a flow that uses them (RFC 7323 3.2): echo
 * the segment's tsval, and send back as ours the tsval it echoed, which
 * its sender already holds as recent, so PAWS accepts it.
 */
static __always_inline void xdpct_reply_add_ts(struct xdpct_reply *rp, const struct xdpct_pkt *pkt)
{
	if (!(pkt->opts & OPT_TIMESTAMPS) || !pkt->tsecr)
		return;
	rp->opt[0] = xdpct_opt_word(1, 1, 8, 10);
	rp->opt[1] = xdpct_htonl(pkt->tsecr);
	rp->opt[2] = xdpct_htonl(pkt->tsval);
	rp->words = 3;
}

static __always_inline void xdpct_respond_report(const struct xdpct_config *cfg,
						 struct xdpct_counters *cnt,
						 const struct xdpct_resp_scratch *s,
						 struct xdpct_resp_work *w, const struct xdpct_result *r,
						 __u32 ifindex, __u32 counter, __u8 type, __u8 reason)
{
	xdpct_count(cnt, counter);
	/* The event's reason says which answer (enum xdpct_response). */
	w->ev = *r;
	w->ev.step.invalid = reason;
	xdpct_emit(cfg, cnt, &s->key, ifindex, &w->ev, type, s->now);
}

/* The options of a segment that is not a SYN (parse.h reads them for SYNs only). */
__noinline int xdpct_resp_options(struct xdp_md *ctx, struct xdpct_pkt *pkt)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 off;

	if (!pkt)
		return PARSE_MAL_TCP_OPT;
	off = pkt->l4_off;
	if (!pkt->opt_len || (pkt->flags & TCPF_SYN))
		return PARSE_OK;
	if (off > XDPCT_MAX_L4_OFF)
		return PARSE_MAL_TCP_OPT;
	return xdpct_parse_tcp_options((const __u8 *)data + off + sizeof(struct xdpct_tcp),
				       data_end, pkt->opt_len, pkt);
}

/* XDP_TX the answer, or drop what could not be turned into one. */
static __always_inline int xdpct_reply_send(struct xdp_md *ctx, const struct xdpct_config *cfg,
					    const struct xdpct_pkt *pkt,
					    const struct xdpct_reply *rp, int fallback)
{
	int rc = xdpct_reply_write(ctx, pkt, rp, cfg->ttl ? cfg->ttl : XDPCT_TTL_DEFAULT);

	if (rc == REPLY_OK)
		return XDP_TX;
	return rc == REPLY_UNTOUCHED ? fallback : XDP_DROP;
}

/* A valid cookie ACK: open its flow, already ESTABLISHED. */
static __always_inline void xdpct_cookie_open(struct xdp_md *ctx, const struct xdpct_config *cfg,
					      struct xdpct_counters *cnt,
					      struct xdpct_resp_scratch *s, struct xdpct_resp_work *w,
					      struct xdpct_result *r)
{
	struct xdpct_flow *nf;
	__u32 zero = 0;
	int src_is_b;

	nf = bpf_map_lookup_elem(&new_flow, &zero);
	if (!nf)
		return;
	xdpct_resp_options(ctx, &s->pkt);
	src_is_b = xdpct_flow_key_make(&s->pkt, &w->key);
	xdpct_cookie_flow(nf, &s->pkt, src_is_b, ctx->ingress_ifindex, s->now,
			  xdpct_cookie_wscale(cfg));
	xdpct_result_from(r, nf);
	r->step.dir = DIR_ORIG;
	/* Another CPU may have opened it first: then that entry stands. */
	if (bpf_map_update_elem(&flows, &w->key, nf, BPF_NOEXIST)) {
		xdpct_count(cnt, CNT_RESP_COOKIE_OK);
		return;
	}
	xdpct_count(cnt, CNT_FLOW_NEW);
	xdpct_count(cnt, CNT_FLOW_OPENED_EST);
	xdpct_respond_report(cfg, cnt, s, w, r, ctx->ingress_ifindex, CNT_RESP_COOKIE_OK,
			     EV_ESTABLISHED, 0);
	xdpct_count(cnt, CNT_FLOW_ESTABLISHED);
}

/*
 * Does the host hold a connection (not a listener) for this segment? Then
 * the table lost it (evicted, reaped, or opened before attach), not the
 * host: no cookie check or RST may cut it off.
 */
static __always_inline bool xdpct_host_has_conn(struct xdp_md *ctx, const struct xdpct_pkt *pkt,
						struct bpf_sock_tuple *t)
{
	struct bpf_sock *sk;
	__u32 size;
	bool conn;

	__builtin_memset(t, 0, sizeof(*t));
	if (pkt->family == 4) {
		t->ipv4.saddr = pkt->saddr[0];
		t->ipv4.daddr = pkt->daddr[0];
		t->ipv4.sport = pkt->sport;
		t->ipv4.dport = pkt->dport;
		size = sizeof(t->ipv4);
	} else {
		__builtin_memcpy(t->ipv6.saddr, pkt->saddr, 16);
		__builtin_memcpy(t->ipv6.daddr, pkt->daddr, 16);
		t->ipv6.sport = pkt->sport;
		t->ipv6.dport = pkt->dport;
		size = sizeof(t->ipv6);
	}
	sk = bpf_skc_lookup_tcp(ctx, t, size, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return false;
	conn = sk->state != BPF_TCP_LISTEN;
	bpf_sk_release(sk);
	return conn;
}

/*
 * Our re-ACK reaches the LAST-ACK side, as the lost one should have: record
 * it on the flow, under its lock, so the table does not wait for an ACK no
 * program of ours will see.
 */
static __always_inline void xdpct_respond_reacked(const struct xdpct_flow_key *key, __u8 dir,
						  __u64 now)
{
	__u32 stripe = xdpct_lock_stripe(key);
	struct xdpct_lock *l = bpf_map_lookup_elem(&flow_locks, &stripe);
	struct xdpct_flow *f = bpf_map_lookup_elem(&flows, key);

	if (!l || !f)
		return;
	bpf_spin_lock(&l->lock);
	xdpct_fsm_fin_acked_for_peer(f, dir, now);
	bpf_spin_unlock(&l->lock);
}

/* A segment of no flow that the tracker handed over (xdpct_respond_claim()). */
static __always_inline int xdpct_respond_unknown(struct xdp_md *ctx,
						 const struct xdpct_config *cfg,
						 struct xdpct_counters *cnt,
						 struct xdpct_resp_scratch *s,
						 struct xdpct_resp_work *w, struct xdpct_result *r)
{
	const struct xdpct_pkt *pkt = &s->pkt;
	struct xdpct_reply *rp = &w->rp;
	int act;

	r->step.dir = DIR_ORIG;
	r->client_is_b = xdpct_flow_key_make(pkt, &w->key);
	if (pkt->flags & TCPF_SYN) {
		__s64 v;

		/*
		 * A SYN on a connection the host holds (open before attach, or
		 * its entry lost): the host answers it with a challenge ACK
		 * (RFC 5961 4.2), which sorts the peer out. A cookie SYN+ACK
		 * would have the peer open a second connection on the 4-tuple,
		 * one the host's socket does not know. One socket lookup a SYN,
		 * as the kernel's XDP SYN-proxy sample does.
		 */
		if (xdpct_host_has_conn(ctx, pkt, &w->tuple))
			return XDP_PASS;
		v = xdpct_cookie_gen(pkt, &w->hdrs);

		if (v < 0) /* no cookie: let the host answer */
			return XDP_PASS;
		xdpct_cookie_synack(ctx, cfg, pkt, (__u32)v, rp);
		act = xdpct_reply_send(ctx, cfg, pkt, rp, XDP_PASS);
		if (act == XDP_TX)
			xdpct_respond_report(cfg, cnt, s, w, r, ctx->ingress_ifindex,
					     CNT_RESP_SYNCOOKIE, EV_RESPONSE,
					     RESPONSE_COOKIE_SYNACK);
		return act;
	}
	if ((cfg->flags & CFG_SYNCOOKIES) && (pkt->flags & TCPF_ACK) &&
	    xdpct_cookie_ok(pkt, &w->hdrs)) {
		xdpct_cookie_open(ctx, cfg, cnt, s, w, r);
		return XDP_PASS;
	}
	if (xdpct_host_has_conn(ctx, pkt, &w->tuple)) {
		/* As the tracker treats a segment of no flow: counted, and the policy's verdict. */
		xdpct_count(cnt, CNT_INV_NO_FLOW);
		return cfg->policy == POLICY_PASS ? XDP_PASS : XDP_DROP;
	}
	if ((cfg->flags & CFG_SYNCOOKIES) && (pkt->flags & TCPF_ACK)) {
		r->step.invalid = INV_BAD_ACK;
		xdpct_respond_report(cfg, cnt, s, w, r, ctx->ingress_ifindex, CNT_RESP_COOKIE_BAD,
				     EV_INVALID, INV_BAD_ACK);
		r->step.invalid = 0;
		if (cfg->policy != POLICY_REJECT)
			return XDP_DROP;
	}
	/* RFC 9293 3.10.7.1 for an ACK (the only segment claimed for a RST): <SEQ=SEG.ACK><CTL=RST>. */
	xdpct_reply_plain(rp, TCPF_RST, pkt->ack, 0, 0);
	act = xdpct_reply_send(ctx, cfg, pkt, rp, XDP_DROP);
	if (act == XDP_TX)
		xdpct_respond_report(cfg, cnt, s, w, r, ctx->ingress_ifindex, CNT_RESP_RST,
				     EV_RESPONSE, RESPONSE_RST);
	return act;
}

/*
 * The responder's entry: r is the tracker's result for the frame, verdict
 * what the tracker would do with it (XDP_PASS or XDP_DROP). Returns the
 * XDP action. A global function, verified once on its own.
 */
__noinline int xdpct_respond_xdp(struct xdp_md *ctx, struct xdpct_result *r, int verdict)
{
	struct xdpct_resp_scratch *s;
	struct xdpct_counters *cnt;
	struct xdpct_resp_work *w;
	struct xdpct_config *cfg;
	__u32 zero = 0, counter;
	__u8 kind;
	int act;

	if (!r)
		return XDP_PASS;
	cfg = bpf_map_lookup_elem(&config_map, &zero);
	s = bpf_map_lookup_elem(&resp_scratch, &zero);
	w = bpf_map_lookup_elem(&resp_work, &zero);
	cnt = bpf_map_lookup_elem(&counters, &zero);
	if (!cfg || !s || !w)
		return verdict;
	if (r->claimed == CLAIM_ARM)
		xdpct_count(cnt, CNT_RESP_COOKIE_ARM);
	if (r->claimed == CLAIM_ARM || r->claimed == CLAIM_PASS)
		return XDP_PASS;
	if (r->claimed)
		return xdpct_respond_unknown(ctx, cfg, cnt, s, w, r);

	if (r->step.respond == RESP_TW_REACK && (cfg->flags & CFG_TW_REACK)) {
		kind = RESPONSE_TW_REACK;
		counter = CNT_RESP_TW_REACK;
	} else if (r->step.respond == RESP_CHALLENGE && (cfg->flags & CFG_CHALLENGE_ACK)) {
		if (r->challenge_limited || !xdpct_challenge_allowed(cfg, s->now)) {
			xdpct_count(cnt, CNT_RESP_RATE_LIMITED);
			return verdict;
		}
		kind = RESPONSE_CHALLENGE_ACK;
		counter = CNT_RESP_CHALLENGE;
	} else {
		return verdict;
	}
	/* On the receiver's behalf: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
	xdpct_reply_plain(&w->rp, TCPF_ACK, r->resp_seq, r->resp_ack, r->resp_win);
	/*
	 * Timestamps only on the TIME-WAIT re-ACK, whose FIN came at the exact
	 * sequence number. A challenge ACK answers a SYN or RST anyone who
	 * knows the 4-tuple can send: its tsecr would become our tsval, the
	 * peer's ts_recent, and PAWS would then drop the receiver's own
	 * segments (Linux's challenge ACK carries its own clock; we have none).
	 */
	if (kind == RESPONSE_TW_REACK) {
		xdpct_resp_options(ctx, &s->pkt);
		xdpct_reply_add_ts(&w->rp, &s->pkt);
	}
	act = xdpct_reply_send(ctx, cfg, &s->pkt, &w->rp, verdict);
	if (act == XDP_TX) {
		if (kind == RESPONSE_TW_REACK)
			xdpct_respond_reacked(&s->key, r->step.dir, s->now);
		xdpct_respond_report(cfg, cnt, s, w, r, ctx->ingress_ifindex, counter, EV_RESPONSE,
				     kind);
	}
	return act;
}

#endif /* XDPCT_BPF_RESPOND_H */
