/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracking one parsed segment: find or open its flow, run the shared state
 * machine under the flow's lock stripe, count, and report the change.
 * Both the XDP and the tc egress program call xdpct_track().
 */
#ifndef XDPCT_BPF_TRACK_H
#define XDPCT_BPF_TRACK_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdpct/tcp_fsm.h>
#include "maps.h"
#include "clock.h"
#include "respond_hook.h"

/* What the entry program should do with the frame. */
enum xdpct_action {
	ACT_PASS = 0,
	ACT_DROP,
};

/* Everything about one segment's outcome, copied out of the lock. */
struct xdpct_result {
	struct xdpct_step step;
	__u8 state;
	__u8 client_state;
	__u8 server_state;
	__u8 client_is_b;
	/* For the responder (bpf/respond.h), XDP only. */
	__u8 claimed;   /* CLAIM_*: an unknown flow's segment it takes: no entry opened */
	__u8 challenge_limited; /* the receiver had its challenge ACK of the last half second */
	__u16 resp_win; /* answering for the receiver: its window, scaled down */
	__u32 resp_seq; /* the receiver's next sequence number */
	__u32 resp_ack; /* the sender's next sequence number */
};

static __always_inline void xdpct_count(struct xdpct_counters *cnt, __u32 id)
{
	if (cnt && id < CNT__MAX)
		cnt->c[id]++;
}

static __always_inline __u32 xdpct_parse_counter(int rc)
{
	switch (rc) {
	case PARSE_NOT_TCP:
		return CNT_PKT_NOT_TCP;
	case PARSE_FRAG4:
		return CNT_PKT_FRAG4;
	case PARSE_FRAG6:
		return CNT_PKT_FRAG6;
	case PARSE_MAL_ETH:
		return CNT_MAL_ETH;
	case PARSE_MAL_VLAN:
		return CNT_MAL_VLAN;
	case PARSE_MAL_IP4:
		return CNT_MAL_IP4;
	case PARSE_MAL_IP6:
		return CNT_MAL_IP6;
	case PARSE_MAL_IP6_EXT:
		return CNT_MAL_IP6_EXT;
	case PARSE_MAL_TCP:
		return CNT_MAL_TCP;
	default:
		return CNT_MAL_TCP_OPT;
	}
}

static __always_inline __u32 xdpct_lock_stripe(const struct xdpct_flow_key *k)
{
	__u32 h = k->addr_a[0] ^ k->addr_a[3] ^ k->addr_b[0] ^ k->addr_b[3] ^
		  ((__u32)k->port_a << 16 | k->port_b);

	/* Fibonacci hashing spreads nearby addresses and ports over the stripes. */
	return (h * 2654435761u) >> 20 & (XDPCT_LOCK_STRIPES - 1);
}

/* Has the flow outlived its timeout? The daemon reaps it; a SYN may start over. */
static __always_inline bool xdpct_stale(const struct xdpct_flow *f,
					const struct xdpct_config *cfg, __u64 now)
{
	__u32 s = f->state;
	__u64 since = s == CT_TIME_WAIT ? f->tw_start : f->last_seen;
	__u64 limit;

	if (s >= CT__MAX)
		return true;
	limit = cfg->timeout_ticks[s];
	return limit && now - since > limit;
}

static __always_inline void xdpct_emit(const struct xdpct_config *cfg,
				       struct xdpct_counters *cnt,
				       const struct xdpct_flow_key *key, __u32 ifindex,
				       const struct xdpct_result *r, __u8 type, __u64 now)
{
	struct xdpct_event *ev;

	if (type == EV_NONE || !(cfg->event_mask & (1u << type)))
		return;
	/* A full ring drops and counts: the data path never waits for a reader. */
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		xdpct_count(cnt, CNT_EVENT_DROP);
		return;
	}
	ev->time = now;
	ev->key = *key;
	ev->ifindex = ifindex;
	ev->type = type;
	ev->state = r->state;
	ev->client_state = r->client_state;
	ev->server_state = r->server_state;
	ev->reason = r->step.invalid;
	ev->dir = r->step.dir;
	ev->client_is_b = r->client_is_b;
	ev->pad = 0;
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline void xdpct_result_from(struct xdpct_result *r, const struct xdpct_flow *f)
{
	r->state = f->state;
	r->client_state = f->ep[DIR_ORIG].state;
	r->server_state = f->ep[DIR_REPLY].state;
	r->client_is_b = !!(f->flags & FLOW_CLIENT_IS_B);
}

/* Still in the handshake: such a flow lives in `embryos`. */
static __always_inline bool xdpct_embryonic(__u8 s)
{
	return s == CT_SYN_SENT || s == CT_SYN_RECV || s == CT_SYN_SENT2;
}

/* What xdpct_step_locked() found about an embryo. */
enum xdpct_embryo {
	EMBRYO_STAYS = 0, /* stepped, still in the handshake (or not an embryo) */
	EMBRYO_MOVE,      /* stepped out of the handshake: the caller moves the copy */
	EMBRYO_MOVING,    /* another CPU is moving it: not stepped, step it in `flows` */
};

/*
 * Run the state machine on an existing entry: established traffic through
 * the lock-free fast path, everything else under the flow's stripe lock.
 * `move` is non-NULL when f is in `embryos`: the step that takes the flow
 * out of the handshake into a synchronized state copies the entry there
 * (under the lock, so the copy is whole), marks the embryo FLOW_MOVING and
 * returns EMBRYO_MOVE; the caller moves it after the unlock, as no helper
 * may be called under the lock. A segment that finds the mark is not
 * stepped on the embryo, which is about to be deleted with whatever it
 * took: it gets the same copy and EMBRYO_MOVING, and goes to `flows`
 * (xdpct_moved_flow()). So a marked embryo never changes again, and every
 * copy of it is the one the mover took. Embryos skip the fast path: one in
 * ESTABLISHED is always being moved. A handshake closed by RST (CT_CLOSE)
 * stays an embryo: SYN+RST pairs must not be a way into `flows`.
 */
static __always_inline int xdpct_step_locked(struct xdpct_flow *f,
					     const struct xdpct_flow_key *key, int src_is_b,
					     const struct xdpct_pkt *pkt,
					     const struct xdpct_config *cfg, __u64 now,
					     __u32 segs, struct xdpct_result *r,
					     struct xdpct_flow *move)
{
	int outcome = EMBRYO_STAYS;
	struct xdpct_lock *l;
	__u32 stripe;
	bool stale, was;

	if (!move && xdpct_fast_step(f, src_is_b, pkt, now, segs, &r->step)) {
		xdpct_result_from(r, f);
		return EMBRYO_STAYS;
	}
	stripe = xdpct_lock_stripe(key);
	l = bpf_map_lookup_elem(&flow_locks, &stripe);
	if (!l) /* cannot happen: the stripe is masked into range */
		return EMBRYO_STAYS;
	bpf_spin_lock(&l->lock);
	if (move && (f->flags & FLOW_MOVING)) {
		*move = *f;
		move->flags &= ~FLOW_MOVING;
		bpf_spin_unlock(&l->lock);
		return EMBRYO_MOVING;
	}
	was = xdpct_embryonic(f->state);
	stale = xdpct_stale(f, cfg, now);
	xdpct_fsm_step(f, src_is_b, pkt, now, stale, &r->step);
	if (!r->step.invalid)
		xdpct_flow_account(f, r->step.dir, pkt, now, segs);
	xdpct_result_from(r, f);
	if (r->step.respond)
		xdpct_respond_note(f, r->step.dir, r->step.respond, &r->resp_seq, &r->resp_ack,
				   &r->resp_win);
	if (r->step.respond == RESP_CHALLENGE && (cfg->flags & CFG_CHALLENGE_ACK))
		r->challenge_limited =
			!xdpct_challenge_flow_due(&f->ep[(r->step.dir & 1) ^ 1], cfg, now);
	if (move && was && !xdpct_embryonic(f->state) && f->state != CT_CLOSE) {
		*move = *f;
		f->flags |= FLOW_MOVING;
		outcome = EMBRYO_MOVE;
	}
	bpf_spin_unlock(&l->lock);
	return outcome;
}

/*
 * Move a flow that just completed its handshake from `embryos` to `flows`:
 * into `flows` first, then out of `embryos`, so that the key is in one
 * table or the other at every instant. Segments that find the embryo
 * marked meanwhile step the flow in `flows` (xdpct_moved_flow()).
 */
static __always_inline void xdpct_move_to_flows(struct xdpct_counters *cnt,
						const struct xdpct_flow_key *key,
						const struct xdpct_flow *copy)
{
	/*
	 * An entry already in `flows` stands: one a segment that found the
	 * embryo marked put there (the same copy, maybe stepped since), or a
	 * cookie flow opened meanwhile.
	 */
	if (!bpf_map_update_elem(&flows, key, copy, BPF_NOEXIST))
		xdpct_count(cnt, CNT_FLOW_MOVED);
	if (!bpf_map_delete_elem(&embryos, key))
		xdpct_count(cnt, CNT_EMBRYO_DELETED);
}

/*
 * The embryo was being moved by another CPU (EMBRYO_MOVING): the flow to
 * step is the one in `flows`. The mover may not have inserted it yet (it
 * runs between its unlock and its insert, or was preempted there): then
 * insert the copy here, which is the mover's own (a marked embryo changes
 * no more), and whichever insert comes second finds the first and stands
 * back. No waiting, no retries. NULL only when the entry left `flows` in
 * that instant (LRU eviction, or userspace deleting it).
 */
static __always_inline struct xdpct_flow *xdpct_moved_flow(struct xdpct_counters *cnt,
							   const struct xdpct_flow_key *key,
							   const struct xdpct_flow *copy)
{
	struct xdpct_flow *f = bpf_map_lookup_elem(&flows, key);

	if (f)
		return f;
	if (!bpf_map_update_elem(&flows, key, copy, BPF_NOEXIST))
		xdpct_count(cnt, CNT_FLOW_MOVED);
	return bpf_map_lookup_elem(&flows, key);
}

/*
 * An in-window RST that is not exact, or a SYN on an open flow: RFC 5961
 * has the host answer with a challenge ACK, which is how a peer that lost
 * its state gets the connection reset. Unless our responder answers it,
 * strict passes it to the host instead of dropping it.
 */
static __always_inline bool xdpct_host_challenges(const struct xdpct_config *cfg,
						  const struct xdpct_result *r)
{
	return r->step.respond == RESP_CHALLENGE && !(cfg->flags & CFG_CHALLENGE_ACK);
}

static __always_inline __u32 xdpct_event_counter(__u8 type)
{
	switch (type) {
	case EV_NEW:
		return CNT_FLOW_NEW;
	case EV_ESTABLISHED:
		return CNT_FLOW_ESTABLISHED;
	case EV_FIN:
		return CNT_FLOW_FIN;
	case EV_TIME_WAIT:
		return CNT_FLOW_TIME_WAIT;
	case EV_TW_RESTART:
		return CNT_FLOW_TW_RESTART;
	case EV_CLOSED:
		return CNT_FLOW_CLOSED;
	case EV_REOPENED:
		return CNT_FLOW_REOPENED;
	default:
		return CNT__MAX;
	}
}

/*
 * Track one frame. data/data_end bound what may be read, frame_len is the
 * whole frame, segs how many wire segments it stands for (GSO on egress).
 * not_in_flows: the express lane (express.h) looked this segment's key up
 * in `flows` already and found nothing.
 */
static __always_inline int xdpct_track(void *data, void *data_end, __u32 frame_len,
				       __u32 ifindex, __u32 segs, struct xdpct_result *r,
				       int (*syn_options)(void *ctx, struct xdpct_pkt *pkt), void *ctx,
				       bool respond, bool not_in_flows)
{
	struct xdpct_pkt pkt = {};
	struct xdpct_flow_key key;
	struct xdpct_counters *cnt;
	struct xdpct_config *cfg;
	struct xdpct_flow *f, *nf;
	__u32 zero = 0;
	int rc, src_is_b;
	__u64 now;

	__builtin_memset(r, 0, sizeof(*r));
	cnt = bpf_map_lookup_elem(&counters, &zero);
	cfg = bpf_map_lookup_elem(&config_map, &zero);
	if (!cfg)
		return ACT_PASS;
	xdpct_count(cnt, CNT_PKT_SEEN);

	rc = xdpct_parse(data, data_end, frame_len, &pkt);
	if (rc != PARSE_OK) {
		xdpct_count(cnt, xdpct_parse_counter(rc));
		/* Malformed TCP is dropped under strict; anything else passes. */
		if (rc >= PARSE_MAL_ETH && cfg->policy != POLICY_PASS) {
			xdpct_count(cnt, CNT_VERDICT_DROP);
			return ACT_DROP;
		}
		return ACT_PASS;
	}
	if (pkt.flags & TCPF_SYN) {
		rc = syn_options(ctx, &pkt);
		if (rc != PARSE_OK) {
			xdpct_count(cnt, CNT_MAL_TCP_OPT);
			if (cfg->policy != POLICY_PASS) {
				xdpct_count(cnt, CNT_VERDICT_DROP);
				return ACT_DROP;
			}
			return ACT_PASS;
		}
	} else if (pkt.flags & TCPF_FIN) {
		/* Only its timestamp is wanted: options it cannot read leave it without. */
		syn_options(ctx, &pkt);
	}
	xdpct_count(cnt, CNT_PKT_TCP);
	now = xdpct_now(cfg);
	src_is_b = xdpct_flow_key_make(&pkt, &key);

	/* Synchronized flows first: the established fast path stays one lookup. */
	f = not_in_flows ? NULL : bpf_map_lookup_elem(&flows, &key);
	if (f)
		goto step_flow;
	/*
	 * A reopened flow (a SYN into TIME-WAIT or CLOSE, see
	 * xdpct_step_syn_on_flow()) stays in whichever table holds it: one in
	 * `flows` goes through its new handshake there.
	 */
	f = bpf_map_lookup_elem(&embryos, &key);
	/*
	 * In neither: another CPU may have moved the flow between the two
	 * lookups (into `flows`, then out of `embryos`), so look again before
	 * taking the segment for one of no flow. Not for a SYN: on a flow that
	 * just completed its handshake one could change nothing (a repeat, or
	 * syn-on-open), and the SYN that opens a flow is spared the lookup.
	 */
	if (!f && !(pkt.flags & TCPF_SYN)) {
		f = bpf_map_lookup_elem(&flows, &key);
		if (f)
			goto step_flow;
	}
	if (!f && (r->claimed = xdpct_respond_claim(cfg, &pkt, &key, now, respond)))
		return ACT_PASS;
	nf = bpf_map_lookup_elem(&new_flow, &zero);
	if (!nf)
		return ACT_PASS;
	if (!f) {
		if (!xdpct_fsm_open(nf, src_is_b, &pkt, ifindex, now, &r->step)) {
			/* Not a SYN: nothing to open. Its event names the sender as src. */
			r->client_is_b = (__u8)src_is_b;
			goto report;
		}
		xdpct_flow_account(nf, DIR_ORIG, &pkt, now, segs);
		xdpct_result_from(r, nf);
		if (!bpf_map_update_elem(&embryos, &key, nf, BPF_NOEXIST)) {
			xdpct_count(cnt, CNT_EMBRYO_OPENED);
			goto report;
		}
		/* Another CPU opened it first: step that entry instead. */
		f = bpf_map_lookup_elem(&embryos, &key);
		if (!f) {
			xdpct_count(cnt, CNT_FLOW_CREATE_FAILED);
			return ACT_PASS;
		}
	}
	/* nf: scratch for the copy when the step completes the handshake. */
	rc = xdpct_step_locked(f, &key, src_is_b, &pkt, cfg, now, segs, r, nf);
	if (rc == EMBRYO_MOVE)
		xdpct_move_to_flows(cnt, &key, nf);
	if (rc != EMBRYO_MOVING)
		goto report;
	f = xdpct_moved_flow(cnt, &key, nf);
	if (!f) {
		xdpct_count(cnt, CNT_FLOW_CREATE_FAILED);
		return ACT_PASS;
	}
	/*
	 * A clean result, as the first lookup's path has it: the verifier then
	 * prunes the step in `flows` it explored there (tc's full path: 218k
	 * processed instructions without this, 127k with it).
	 */
	__builtin_memset(r, 0, sizeof(*r));
step_flow:
	xdpct_step_locked(f, &key, src_is_b, &pkt, cfg, now, segs, r, NULL);

report:
	if (respond && r->step.respond)
		xdpct_respond_save(&pkt, &key, now);
	if (r->step.invalid) {
		xdpct_count(cnt, CNT_INV_BAD_FLAGS + r->step.invalid - INV_BAD_FLAGS);
		xdpct_emit(cfg, cnt, &key, ifindex, r, EV_INVALID, now);
		if (cfg->policy != POLICY_PASS && !xdpct_host_challenges(cfg, r)) {
			xdpct_count(cnt, CNT_VERDICT_DROP);
			return ACT_DROP;
		}
		return ACT_PASS;
	}
	xdpct_count(cnt, xdpct_event_counter(r->step.event));
	xdpct_emit(cfg, cnt, &key, ifindex, r, r->step.event, now);
	return ACT_PASS;
}

#endif /* XDPCT_BPF_TRACK_H */
