/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TCP state machine of RFC 9293 as an observer in the middle infers it.
 *
 * Every segment is a set of facts about two endpoints: its sender sent a
 * SYN, a FIN, an ACK of the peer's FIN; its receiver got its SYN or FIN
 * acknowledged, or a RST. Each fact moves one endpoint's state, and the
 * moves are the tables below, indexed by fact and current state as
 * netfilter's tcp_conntracks is. The code around the tables only finds the
 * facts (which needs the sequence numbers) and applies them in the order a
 * real stack would: acknowledgments first, then the sender's FIN.
 *
 * No BPF helpers here: the data path, the unit tests and the fuzzer run
 * this very code. The caller serialises calls for one flow.
 */
#ifndef XDPCT_TCP_FSM_H
#define XDPCT_TCP_FSM_H

#include "flow.h"
#include "event.h"
#include "parse.h"

/* What a segment is, by its flags (netfilter's get_conntrack_index). */
enum xdpct_seg {
	SEG_SYN = 0,
	SEG_SYNACK,
	SEG_FIN,
	SEG_ACK,
	SEG_RST,
	SEG_BAD, /* a flag combination no TCP sends */
	SEG__MAX,
};

/* Facts a segment establishes about one endpoint. */
enum xdpct_fact {
	F_SEND_SYN = 0,
	F_SEND_SYNACK,
	F_SEND_FIN,
	F_SEND_ACK_OF_FIN, /* it acknowledges the peer's FIN */
	F_RECV_SYN,
	F_RECV_ACK_OF_SYN, /* its SYN is acknowledged */
	F_RECV_ACK_OF_FIN, /* its FIN is acknowledged */
	F__MAX,
};

#define T_KEEP TCP_S__MAX       /* fact changes nothing in this state */
#define T_BAD (TCP_S__MAX + 1)  /* fact is impossible in this state */

#define sCL TCP_S_CLOSED
#define sSS TCP_S_SYN_SENT
#define sSR TCP_S_SYN_RECEIVED
#define sES TCP_S_ESTABLISHED
#define sF1 TCP_S_FIN_WAIT_1
#define sF2 TCP_S_FIN_WAIT_2
#define sCW TCP_S_CLOSE_WAIT
#define sCG TCP_S_CLOSING
#define sLA TCP_S_LAST_ACK
#define sTW TCP_S_TIME_WAIT
#define sKP T_KEEP
#define sXX T_BAD

/*
 * Rows and columns are padded to powers of two so that a masked index is
 * in bounds by construction: the verifier then needs no range proof.
 */
#define XDPCT_FSM_ROWS 8
#define XDPCT_FSM_COLS 16

static const __u8 xdpct_fsm_table[XDPCT_FSM_ROWS][XDPCT_FSM_COLS] = {
	/*                      sCL  sSS  sSR  sES  sF1  sF2  sCW  sCG  sLA  sTW */
	/* An active open; a retransmitted SYN keeps SYN-SENT. */
	[F_SEND_SYN]        = { sSS, sKP, sXX, sXX, sXX, sXX, sXX, sXX, sXX, sXX },
	/* A passive open, or the second half of a simultaneous open. */
	[F_SEND_SYNACK]     = { sSR, sSR, sKP, sKP, sXX, sXX, sXX, sXX, sXX, sXX },
	/* Close: ESTABLISHED -> FIN-WAIT-1, CLOSE-WAIT -> LAST-ACK; repeats keep. */
	[F_SEND_FIN]        = { sXX, sXX, sF1, sF1, sKP, sKP, sLA, sKP, sKP, sKP },
	/* ACKing the peer's FIN: passive close, simultaneous close, or the end. */
	[F_SEND_ACK_OF_FIN] = { sKP, sXX, sCW, sCW, sCG, sTW, sKP, sKP, sKP, sKP },
	/* A SYN reaching a SYN-SENT endpoint is a simultaneous open. */
	[F_RECV_SYN]        = { sKP, sSR, sKP, sKP, sKP, sKP, sKP, sKP, sKP, sKP },
	/* The handshake completes for whoever waited for its SYN's ACK. */
	[F_RECV_ACK_OF_SYN] = { sKP, sES, sES, sKP, sKP, sKP, sKP, sKP, sKP, sKP },
	/* FIN-WAIT-1 -> FIN-WAIT-2, CLOSING -> TIME-WAIT, LAST-ACK -> CLOSED. */
	[F_RECV_ACK_OF_FIN] = { sKP, sKP, sKP, sKP, sF2, sKP, sKP, sTW, sCL, sKP },
};

#undef sCL
#undef sSS
#undef sSR
#undef sES
#undef sF1
#undef sF2
#undef sCW
#undef sCG
#undef sLA
#undef sTW
#undef sKP
#undef sXX

/* netfilter's MAXACKWINCONST: how far behind an ACK may lag at least. */
#define XDPCT_MAXACKWIN_MIN 66000
/*
 * Past half the sequence space a distance no longer orders (RFC 1982): no
 * view of a window grows beyond this.
 */
#define XDPCT_MAXWIN_MAX 0x7ffffffeu

/* What one step decided, for the caller to count, emit and act on. */
struct xdpct_step {
	__u8 invalid; /* enum xdpct_invalid, INV_NONE when valid */
	__u8 event;   /* enum xdpct_event_type, EV_NONE when nothing to say */
	__u8 dir;     /* enum xdpct_dir of the segment */
	__u8 respond; /* enum xdpct_respond: an answer the responder may send */
};

/* Answers the data path may send for a segment (the responder decides). */
enum xdpct_respond {
	RESP_NONE = 0,
	RESP_TW_REACK,  /* FIN retransmitted into TIME-WAIT: ACK it again */
	RESP_CHALLENGE, /* RFC 5961: challenge ACK */
};

XDPCT_INLINE int xdpct_seg_kind(__u8 flags)
{
	__u8 f = flags & (TCPF_SYN | TCPF_ACK | TCPF_FIN | TCPF_RST);

	/* netfilter's tcp_valid_flags, without the PSH/URG/ECN bits. */
	switch (f) {
	case TCPF_SYN:
		return SEG_SYN;
	case TCPF_SYN | TCPF_ACK:
		return SEG_SYNACK;
	case TCPF_FIN | TCPF_ACK:
		return SEG_FIN;
	case TCPF_ACK:
		return SEG_ACK;
	case TCPF_RST:
	case TCPF_RST | TCPF_ACK:
		return SEG_RST;
	default:
		return SEG_BAD;
	}
}

/*
 * The key's last eight bytes (ports, family and padding) as two 32-bit
 * stores. The lookup hashes the key a 32-bit word at a time, right after
 * it is written: a word put together from 8- and 16-bit stores cannot be
 * forwarded from the store buffer, and each such load waits for the
 * stores to reach the cache (about 5 ns of the express lane's 50).
 */
XDPCT_INLINE void xdpct_key_tail(struct xdpct_flow_key *key, __u16 port_a, __u16 port_b,
				 __u8 family)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__u32 ports = (__u32)port_a | (__u32)port_b << 16, fam = family;
#else
	__u32 ports = (__u32)port_a << 16 | port_b, fam = (__u32)family << 24;
#endif

	__builtin_memcpy(&key->port_a, &ports, sizeof(ports));
	__builtin_memcpy(&key->family, &fam, sizeof(fam));
}

/*
 * Build the canonical key; returns 1 when the segment's source is side b.
 * The endpoint that sorts lower (address, then port) is side a.
 */
XDPCT_INLINE int xdpct_flow_key_make(const struct xdpct_pkt *pkt, struct xdpct_flow_key *key)
{
	int src_is_b = 0, i, decided = 0;

	for (i = 0; i < 4; i++) {
		if (!decided && pkt->saddr[i] != pkt->daddr[i]) {
			src_is_b = pkt->saddr[i] > pkt->daddr[i];
			decided = 1;
		}
	}
	if (!decided)
		src_is_b = pkt->sport > pkt->dport;
	for (i = 0; i < 4; i++) {
		key->addr_a[i] = src_is_b ? pkt->daddr[i] : pkt->saddr[i];
		key->addr_b[i] = src_is_b ? pkt->saddr[i] : pkt->daddr[i];
	}
	xdpct_key_tail(key, src_is_b ? pkt->dport : pkt->sport,
		       src_is_b ? pkt->sport : pkt->dport, pkt->family);
	return src_is_b;
}

/*
 * xdpct_flow_key_make() for an IPv4 segment (family 4, only the first
 * address word read), in a fraction of the instructions: with the other
 * three words zero on both sides the order is decided by the first word or
 * the ports. The express lane's (bpf/express.h); the same key, byte for
 * byte (tests/unit/test_parse_express.c). Not used on the full path: as a
 * branch there it would double what the verifier explores after it.
 */
XDPCT_INLINE int xdpct_flow_key_make4(const struct xdpct_pkt *pkt, struct xdpct_flow_key *key)
{
	/*
	 * Address then port, as one 48-bit number per endpoint: one compare
	 * orders them, and a mask swaps them without a branch (BPF has no
	 * conditional move; each branch here cost a few instructions).
	 */
	__u64 src = (__u64)pkt->saddr[0] << 16 | pkt->sport;
	__u64 dst = (__u64)pkt->daddr[0] << 16 | pkt->dport;
	int src_is_b = src > dst;
	__u64 swap = (src ^ dst) & (0 - (__u64)src_is_b);
	__u64 a = src ^ swap, b = dst ^ swap;

	key->addr_a[0] = (__u32)(a >> 16);
	key->addr_a[1] = key->addr_a[2] = key->addr_a[3] = 0;
	key->addr_b[0] = (__u32)(b >> 16);
	key->addr_b[1] = key->addr_b[2] = key->addr_b[3] = 0;
	xdpct_key_tail(key, (__u16)a, (__u16)b, 4);
	return src_is_b;
}

/*
 * xdpct_flow_key_make() for an IPv6 segment whose addresses are read where
 * they are (s, d: four words each, as in the frame): each as two 64-bit
 * numbers (word 0 high), one compare per half, a mask to swap. The express
 * lane's, for an untagged frame; the same key, byte for byte
 * (tests/unit/test_parse_express.c).
 */
XDPCT_INLINE int xdpct_flow_key_make6(const __u32 *s, const __u32 *d, __u16 sport, __u16 dport,
				      struct xdpct_flow_key *key)
{
	__u64 sh = (__u64)s[0] << 32 | s[1], dh = (__u64)d[0] << 32 | d[1];
	__u64 sl = (__u64)s[2] << 32 | s[3], dl = (__u64)d[2] << 32 | d[3];
	__u64 m, xh, xl;
	__u32 xp;
	int src_is_b;

	if (sh != dh)
		src_is_b = sh > dh;
	else if (sl != dl)
		src_is_b = sl > dl;
	else
		src_is_b = sport > dport;
	m = 0 - (__u64)src_is_b;
	xh = (sh ^ dh) & m;
	xl = (sl ^ dl) & m;
	sh ^= xh, dh ^= xh, sl ^= xl, dl ^= xl;
	key->addr_a[0] = (__u32)(sh >> 32);
	key->addr_a[1] = (__u32)sh;
	key->addr_a[2] = (__u32)(sl >> 32);
	key->addr_a[3] = (__u32)sl;
	key->addr_b[0] = (__u32)(dh >> 32);
	key->addr_b[1] = (__u32)dh;
	key->addr_b[2] = (__u32)(dl >> 32);
	key->addr_b[3] = (__u32)dl;
	xp = (__u32)(sport ^ dport) & (__u32)m;
	xdpct_key_tail(key, (__u16)(sport ^ xp), (__u16)(dport ^ xp), 6);
	return src_is_b;
}

/* Direction of a segment whose source is side b when src_is_b. */
XDPCT_INLINE int xdpct_flow_dir(const struct xdpct_flow *f, int src_is_b)
{
	return (!!(f->flags & FLOW_CLIENT_IS_B)) == (!!src_is_b) ? DIR_ORIG : DIR_REPLY;
}

/* Sequence space a segment occupies: SYN and FIN consume one number each. */
XDPCT_INLINE __u32 xdpct_seg_end(const struct xdpct_pkt *pkt)
{
	return pkt->seq + pkt->payload_len + !!(pkt->flags & TCPF_SYN) +
	       !!(pkt->flags & TCPF_FIN);
}

/* The conntrack-style summary, derived from both endpoints. */
XDPCT_INLINE __u8 xdpct_ct_summary(const struct xdpct_flow *f)
{
	__u8 c = f->ep[DIR_ORIG].state, s = f->ep[DIR_REPLY].state;
	int fins = !!(f->ep[DIR_ORIG].flags & EP_FIN_SENT) +
		   !!(f->ep[DIR_REPLY].flags & EP_FIN_SENT);

	if (c == TCP_S_TIME_WAIT || s == TCP_S_TIME_WAIT)
		return CT_TIME_WAIT;
	if (f->flags & FLOW_RST)
		return CT_CLOSE;
	if (c == TCP_S_CLOSED && s == TCP_S_CLOSED)
		return fins ? CT_CLOSE : CT_NONE;
	if (c == TCP_S_ESTABLISHED && s == TCP_S_ESTABLISHED)
		return CT_ESTABLISHED;
	if (!fins) {
		if ((f->flags & FLOW_SIMOPEN) && (c == TCP_S_SYN_SENT || s == TCP_S_SYN_SENT ||
						  (c == TCP_S_SYN_RECEIVED && s == TCP_S_SYN_RECEIVED)))
			return CT_SYN_SENT2;
		if (s == TCP_S_CLOSED || (c == TCP_S_SYN_SENT && s != TCP_S_SYN_RECEIVED))
			return CT_SYN_SENT;
		return CT_SYN_RECV;
	}
	if (c == TCP_S_LAST_ACK || s == TCP_S_LAST_ACK || fins == 2)
		return CT_LAST_ACK;
	if (c == TCP_S_CLOSE_WAIT || s == TCP_S_CLOSE_WAIT)
		return CT_CLOSE_WAIT;
	return CT_FIN_WAIT;
}

/* Start tracking one sender from its SYN or SYN+ACK (netfilter's td_* init). */
XDPCT_INLINE void xdpct_ep_init(struct xdpct_endpoint *ep, const struct xdpct_pkt *pkt)
{
	ep->isn = pkt->seq;
	ep->end = ep->maxend = xdpct_seg_end(pkt);
	/* Windows on SYNs are never scaled (RFC 7323 2.2). */
	ep->maxwin = pkt->window ? pkt->window : 1;
	ep->wscale = (pkt->opts & OPT_WSCALE) ? pkt->wscale : 0;
	ep->mss = (pkt->opts & OPT_MSS) ? pkt->mss : 0;
	ep->flags = ((pkt->opts & OPT_WSCALE) ? EP_WSCALE : 0) |
		    ((pkt->opts & OPT_SACK_PERM) ? EP_SACK_PERM : 0) |
		    ((pkt->opts & OPT_TIMESTAMPS) ? EP_TIMESTAMPS : 0);
	ep->fin_seq = 0;
}

/* A fresh flow for a SYN whose source is side b when src_is_b. */
XDPCT_INLINE void xdpct_flow_init(struct xdpct_flow *f, int src_is_b, __u32 ifindex, __u64 now)
{
	__builtin_memset(f, 0, sizeof(*f));
	f->first_seen = f->last_seen = now;
	f->ifindex = ifindex;
	f->flags = src_is_b ? FLOW_CLIENT_IS_B : 0;
}

/*
 * netfilter's tcp_in_window, without SACK blocks, on values already
 * resolved (xdpct_in_window() resolves them): is the segment inside what
 * the receiver allowed, and does it ack only what was sent? Updates the
 * window bookkeeping of both sides only when it is: an invalid segment
 * must leave the flow as it was. rcv_unseen: nothing has been seen from
 * the receiver yet, so rcv_end and rcv_maxend come from this segment and
 * are stored; otherwise they are the receiver's own and are left alone
 * (on the lock-free fast path another CPU may be moving rcv->end).
 */
XDPCT_INLINE bool xdpct_window_step(struct xdpct_endpoint *snd, struct xdpct_endpoint *rcv,
				    __u32 seq, __u32 end, __u32 ack, __u32 win, bool has_ack,
				    bool rcv_unseen, __u32 rcv_end, __u32 rcv_maxend)
{
	__u32 ackwin = snd->maxwin, snd_maxend, rcv_maxwin;

	/*
	 * One check at a time, each reading what it needs where it needs it:
	 * few values live at once keep the fast path out of stack spills.
	 *
	 * Acks nothing never sent, and nothing older than a window ago: ack
	 * in [rcv_end - ackwin, rcv_end], one unsigned compare of the
	 * distance. That is the two modular compares of tcp_in_window while
	 * ackwin stays below half the sequence space: a window is at most
	 * 2^30 (scale 14, RFC 7323), and the widening below is clamped.
	 */
	if (ackwin < XDPCT_MAXACKWIN_MIN)
		ackwin = XDPCT_MAXACKWIN_MIN;
	if (rcv_end - ack > ackwin)
		return false;
	/* Starts before the right edge the receiver advertised, */
	snd_maxend = snd->maxend;
	if (!xdpct_seq_before(seq, snd_maxend + 1))
		return false;
	/* and ends after the oldest byte it may still take. */
	rcv_maxwin = rcv->maxwin;
	if (!xdpct_seq_after(end, snd->end - rcv_maxwin - 1))
		return false;

	/* Data beyond what was allowed widens the view of the receiver's window. */
	if (rcv_maxwin != 0 && xdpct_seq_after(end, snd_maxend)) {
		rcv_maxwin += end - snd_maxend;
		rcv->maxwin = rcv_maxwin < XDPCT_MAXWIN_MAX ? rcv_maxwin : XDPCT_MAXWIN_MAX;
	}
	if (snd->maxwin < win)
		snd->maxwin = win;
	if (xdpct_seq_after(end, snd->end))
		snd->end = end;
	/* Where its peer's RST must be (xdpct_step_rst()); the first is set by xdpct_in_window(). */
	if (has_ack && xdpct_seq_after(ack, snd->maxack))
		snd->maxack = ack;
	if (rcv_unseen)
		rcv->end = rcv_end;
	/* A zero window still lets one byte through: the window probe. */
	if (has_ack && xdpct_seq_after(ack + win, rcv_maxend - 1))
		rcv->maxend = ack + win + (win == 0);
	else if (rcv_unseen)
		rcv->maxend = rcv_maxend;
	return true;
}

/* Resolve a segment's values as tcp_in_window does, then check and update. */
XDPCT_INLINE bool xdpct_in_window(struct xdpct_endpoint *snd, struct xdpct_endpoint *rcv,
				  const struct xdpct_pkt *pkt)
{
	__u32 ack = pkt->ack, win = pkt->window;
	bool has_ack = pkt->flags & TCPF_ACK;
	bool rcv_unseen = rcv->maxwin == 0;
	__u32 rcv_end = rcv->end, rcv_maxend = rcv->maxend;

	if (rcv_unseen)
		rcv_end = rcv_maxend = ack;
	if (!has_ack)
		ack = rcv_end;
	if (!(pkt->flags & TCPF_SYN))
		win <<= snd->wscale;
	if (!xdpct_window_step(snd, rcv, pkt->seq, xdpct_seg_end(pkt), ack, win, has_ack,
			       rcv_unseen, rcv_end, rcv_maxend))
		return false;
	/*
	 * Its first ACK: a SYN+ACK or the handshake's third ACK, both on this
	 * locked path, so the fast path only ever moves a maxack set here.
	 */
	if (has_ack && !(snd->flags & EP_MAXACK)) {
		snd->maxack = ack;
		snd->flags |= EP_MAXACK;
	}
	return true;
}

/* Window scaling holds only when both SYNs offered it (RFC 7323 1.3). */
XDPCT_INLINE void xdpct_wscale_agree(struct xdpct_endpoint *a, struct xdpct_endpoint *b)
{
	if (!(a->flags & EP_WSCALE) || !(b->flags & EP_WSCALE))
		a->wscale = b->wscale = 0;
}

/* Where one fact takes an endpoint: a state, T_KEEP or T_BAD. */
XDPCT_INLINE __u8 xdpct_next(const struct xdpct_endpoint *ep, unsigned int fact)
{
	unsigned int state = ep->state;

	if (fact >= F__MAX || state >= TCP_S__MAX)
		return T_BAD;
	XDPCT_BARRIER_VAR(state);
	XDPCT_BARRIER_VAR(fact);
	return xdpct_fsm_table[fact & (XDPCT_FSM_ROWS - 1)][state & (XDPCT_FSM_COLS - 1)];
}

/* Apply one fact to one endpoint; false when the fact is impossible there. */
XDPCT_INLINE bool xdpct_apply(struct xdpct_endpoint *ep, unsigned int fact)
{
	__u8 next = xdpct_next(ep, fact);

	if (next == T_BAD)
		return false;
	if (next != T_KEEP)
		ep->state = next;
	return true;
}

XDPCT_INLINE bool xdpct_acks(const struct xdpct_pkt *pkt, __u32 upto)
{
	return (pkt->flags & TCPF_ACK) && !xdpct_seq_before(pkt->ack, upto);
}

/*
 * Does the segment acknowledge rcv's SYN, and nothing it did not send?
 * x+1 for a plain SYN; up to x+1+len when the SYN carried data (TCP Fast
 * Open, RFC 7413), which the answer may or may not accept.
 */
XDPCT_INLINE bool xdpct_acks_syn(const struct xdpct_pkt *pkt, const struct xdpct_endpoint *rcv)
{
	return (pkt->flags & TCPF_ACK) && !xdpct_seq_before(pkt->ack, rcv->isn + 1) &&
	       !xdpct_seq_after(pkt->ack, rcv->end);
}

XDPCT_INLINE void xdpct_reset_flow(struct xdpct_flow *f, int client_is_b, __u64 now)
{
	__u32 ifindex = f->ifindex;

	xdpct_flow_init(f, client_is_b, ifindex, now);
}

/* The receiver's highest ACK once it sent one, else the sender's end. */
XDPCT_INLINE __u32 xdpct_rst_window_start(const struct xdpct_endpoint *snd,
					  const struct xdpct_endpoint *rcv)
{
	return (rcv->flags & EP_MAXACK) ? rcv->maxack : snd->end;
}

/*
 * Linux's tcp_reset_check(): a receiver that got the sender's FIN
 * (CLOSE-WAIT, LAST-ACK, CLOSING) also takes a RST at RCV.NXT - 1, the
 * FIN's own sequence number, which a peer that sent its FIN may give its
 * RST. Only in those states and only that number: with the FIN not yet
 * acked, it is the receiver's highest ACK and exact anyway.
 */
XDPCT_INLINE bool xdpct_rst_at_fin(const struct xdpct_endpoint *snd,
				   const struct xdpct_endpoint *rcv, __u32 seq)
{
	__u8 s = rcv->state;

	return (snd->flags & EP_FIN_SENT) && seq == snd->fin_seq &&
	       (s == TCP_S_CLOSE_WAIT || s == TCP_S_LAST_ACK || s == TCP_S_CLOSING);
}

/*
 * RFC 5961 3.2: a RST closes the flow only when its sequence number is
 * exactly the next one expected; in window but not exact earns a
 * challenge ACK; anything else is ignored. The receiver expects what it
 * last acked, which is behind what we saw sent when data was lost beyond
 * us (a host that lost the connection answers with seq = that ACK): so
 * both the receiver's highest ACK (netfilter's td_maxack) and the
 * sender's end are exact, and the window starts at the first. Once the
 * receiver acked the sender's FIN, so is the FIN's number (xdpct_rst_at_fin()).
 */
XDPCT_INLINE void xdpct_step_rst(struct xdpct_flow *f, struct xdpct_endpoint *snd,
				 struct xdpct_endpoint *rcv, const struct xdpct_pkt *pkt,
				 struct xdpct_step *st)
{
	__u32 lo;
	bool ok;

	/*
	 * Closed by a RST already: a host answers each segment for a closed
	 * connection with another RST. Valid, unjudged, as netfilter takes
	 * any RST in CLOSE: counted in the flow as conntrack counts it, and
	 * passed under strict (the peer may have lost the first). It changes
	 * nothing, so no second EV_CLOSED (xdpct_fsm_step()) and no challenge.
	 */
	if (f->flags & FLOW_RST)
		ok = true;
	else if (rcv->state == TCP_S_SYN_SENT && snd->state == TCP_S_CLOSED)
		/* RFC 9293 3.10.7.3: the answer to a SYN must ack the SYN. */
		ok = xdpct_acks_syn(pkt, rcv);
	else if (snd->maxwin == 0)
		ok = false;
	else if (pkt->seq == snd->end || pkt->seq == (lo = xdpct_rst_window_start(snd, rcv)) ||
		 xdpct_rst_at_fin(snd, rcv, pkt->seq))
		ok = true;
	else {
		if (xdpct_seq_after(pkt->seq, lo) && xdpct_seq_before(pkt->seq, snd->maxend)) {
			st->invalid = INV_RST_IN_WINDOW;
			st->respond = RESP_CHALLENGE;
		} else {
			st->invalid = INV_RST_OUT_OF_WINDOW;
		}
		return;
	}
	if (!ok) {
		st->invalid = INV_RST_OUT_OF_WINDOW;
		return;
	}
	snd->state = TCP_S_CLOSED;
	rcv->state = TCP_S_CLOSED;
	f->flags |= FLOW_RST;
}

/*
 * RFC 6191, as Linux's tcp_timewait_state_process() takes it: a SYN whose
 * timestamp is newer than the last the TIME-WAIT end had from that side
 * is a new connection, whatever its ISN (after a transfer faster than the
 * ISN clock, a new ISN falls behind the old end). Here the last is the
 * one the side's FIN carried; what it sent after its FIN is not newer by
 * more than a round trip, and an old duplicate SYN is older than both.
 */
XDPCT_INLINE bool xdpct_syn_ts_newer(const struct xdpct_flow *f, int dir,
				     const struct xdpct_pkt *pkt)
{
	__u32 fin_ts = f->fin_tsval[dir & 1];

	return (pkt->opts & OPT_TIMESTAMPS) && fin_ts && (__s32)(fin_ts - pkt->tsval) < 0;
}

/*
 * A SYN for a flow we already hold. Returns true when it was handled here
 * (reopen, retransmission, or invalid); false to go on with the tables.
 */
XDPCT_INLINE bool xdpct_step_syn_on_flow(struct xdpct_flow *f, int dir, int src_is_b,
					 const struct xdpct_pkt *pkt, __u64 now, bool stale,
					 struct xdpct_step *st)
{
	struct xdpct_endpoint *snd = &f->ep[dir], *rcv = &f->ep[!dir];
	__u8 ct = f->state;

	if (ct == CT_TIME_WAIT || ct == CT_CLOSE || stale) {
		/*
		 * RFC 6191: a SYN may take over a TIME-WAIT 4-tuple only with an
		 * ISN beyond everything the old connection used in that
		 * direction; otherwise it may be an old duplicate. That is what
		 * the TIME-WAIT end does with a SYN it receives (RFC 1122
		 * 4.2.2.13); a CLOSED receiver (a listener) takes any ISN, as
		 * netfilter reopens on any SYN in TIME_WAIT. (The receiver in
		 * TIME-WAIT implies ct == CT_TIME_WAIT.)
		 */
		if (rcv->state == TCP_S_TIME_WAIT && !stale &&
		    !xdpct_seq_after(pkt->seq, snd->end) && !xdpct_syn_ts_newer(f, dir, pkt)) {
			st->invalid = INV_OLD_SYN;
			return true;
		}
		xdpct_reset_flow(f, src_is_b, now);
		/*
		 * A new connection in the old entry: unassured, as conntrack's new
		 * entry is, until its handshake completes (xdpct_fsm_step()).
		 */
		f->flags |= FLOW_REOPENED;
		xdpct_ep_init(&f->ep[DIR_ORIG], pkt);
		f->ep[DIR_ORIG].state = TCP_S_SYN_SENT;
		st->dir = DIR_ORIG;
		st->event = EV_REOPENED;
		return true;
	}
	if (snd->state == TCP_S_SYN_SENT || (snd->state == TCP_S_CLOSED && rcv->state == TCP_S_SYN_SENT))
		return false; /* retransmission, or simultaneous open: the tables say */
	/*
	 * The same SYN again from an endpoint we moved on: what moved it (the
	 * peer's SYN+ACK, or in a simultaneous open the peer's SYN) was lost
	 * after us, and it is still SYN-SENT.
	 */
	if (pkt->seq == snd->isn &&
	    ((snd->state == TCP_S_ESTABLISHED && rcv->state == TCP_S_SYN_RECEIVED) ||
	     (snd->state == TCP_S_SYN_RECEIVED && (f->flags & FLOW_SIMOPEN)))) {
		snd->state = TCP_S_SYN_SENT;
		return true;
	}
	/* RFC 5961 4.2: a SYN on a synchronized connection gets a challenge ACK. */
	st->invalid = INV_SYN_ON_OPEN;
	st->respond = RESP_CHALLENGE;
	return true;
}

/*
 * One segment of an existing flow, sent in direction dir. `stale` tells
 * that the flow outlived its timeout (the daemon has not reaped it yet), so
 * a SYN may start over. Fills st; the flow changes only for valid segments.
 */
XDPCT_INLINE void xdpct_fsm_step(struct xdpct_flow *f, int src_is_b, const struct xdpct_pkt *pkt,
				 __u64 now, bool stale, struct xdpct_step *st)
{
	int dir = xdpct_flow_dir(f, src_is_b);
	struct xdpct_endpoint *snd = &f->ep[dir], *rcv = &f->ep[!dir];
	int kind = xdpct_seg_kind(pkt->flags);
	__u8 before = f->state, snd_was = snd->state, rcv_was = rcv->state;
	bool had_fin = (f->ep[0].flags | f->ep[1].flags) & EP_FIN_SENT;
	bool acks_fin, retransmitted_fin;

	st->invalid = INV_NONE;
	st->event = EV_NONE;
	st->dir = (__u8)dir;
	st->respond = RESP_NONE;

	if (kind == SEG_BAD) {
		st->invalid = INV_BAD_FLAGS;
		return;
	}
	if (kind == SEG_RST) {
		xdpct_step_rst(f, snd, rcv, pkt, st);
		goto done;
	}
	if (kind == SEG_SYN) {
		if (xdpct_step_syn_on_flow(f, dir, src_is_b, pkt, now, stale, st))
			goto done;
		if (!xdpct_apply(snd, F_SEND_SYN)) {
			st->invalid = INV_SYN_ON_OPEN;
			return;
		}
		/*
		 * The same SYN again keeps what the endpoint learnt since (the
		 * peer's ACK and window, the scale agreed), as netfilter
		 * re-initialises only for a SYN ending beyond td_end.
		 */
		if (snd_was != TCP_S_SYN_SENT || pkt->seq != snd->isn)
			xdpct_ep_init(snd, pkt);
		if (rcv->state == TCP_S_SYN_SENT) {
			f->flags |= FLOW_SIMOPEN;
			xdpct_apply(rcv, F_RECV_SYN);
		}
		/* Both SYNs known (simultaneous open, or a SYN again after the SYN+ACK). */
		if (rcv->maxwin != 0)
			xdpct_wscale_agree(snd, rcv);
		goto done;
	}
	if (kind == SEG_SYNACK) {
		/* It must ack the peer's SYN: x+1 (beyond only for data on the SYN). */
		if (rcv->state == TCP_S_CLOSED || rcv->maxwin == 0 || !xdpct_acks_syn(pkt, rcv)) {
			st->invalid = INV_BAD_SYNACK;
			return;
		}
		if (xdpct_next(snd, F_SEND_SYNACK) == T_BAD) {
			st->invalid = INV_UNEXPECTED;
			return;
		}
		if (snd->state == TCP_S_CLOSED || snd->state == TCP_S_SYN_SENT) {
			struct xdpct_endpoint snd_old = *snd;

			xdpct_ep_init(snd, pkt);
			snd->state = snd_old.state;
			/* A SYN+ACK's window is never scaled: agree only once it is judged. */
			if (!xdpct_in_window(snd, rcv, pkt)) {
				*snd = snd_old; /* an invalid segment changes nothing */
				st->invalid = INV_OUT_OF_WINDOW;
				return;
			}
			xdpct_wscale_agree(snd, rcv);
		} else if (pkt->seq != snd->isn) {
			st->invalid = INV_BAD_SYNACK;
			return;
		} else if (!xdpct_in_window(snd, rcv, pkt)) {
			st->invalid = INV_OUT_OF_WINDOW;
			return;
		}
		xdpct_apply(snd, F_SEND_SYNACK);
		xdpct_apply(rcv, F_RECV_ACK_OF_SYN);
		goto done;
	}

	/* ACK or FIN+ACK: only once the sender is known from its SYN. */
	if (snd->state == TCP_S_CLOSED && !(snd->flags & EP_FIN_SENT)) {
		st->invalid = INV_UNEXPECTED;
		return;
	}
	/* Nor before the receiver's SYN: nothing it sent could be acked yet. */
	if (rcv->maxwin == 0) {
		st->invalid = INV_UNEXPECTED;
		return;
	}
	if (rcv->state == TCP_S_SYN_RECEIVED && !xdpct_acks_syn(pkt, rcv)) {
		/* RFC 9293 3.10.7.4: in SYN-RECEIVED only the SYN can be acked. */
		st->invalid = INV_BAD_ACK;
		return;
	}
	acks_fin = (rcv->flags & EP_FIN_SENT) && xdpct_acks(pkt, rcv->fin_seq + 1);
	retransmitted_fin = kind == SEG_FIN && (snd->flags & EP_FIN_SENT) &&
			    pkt->seq + pkt->payload_len == snd->fin_seq;
	/* Judge the facts before the window, so that nothing moves when invalid. */
	if ((acks_fin && xdpct_next(snd, F_SEND_ACK_OF_FIN) == T_BAD) ||
	    (kind == SEG_FIN && !retransmitted_fin && xdpct_next(snd, F_SEND_FIN) == T_BAD)) {
		st->invalid = INV_UNEXPECTED;
		return;
	}
	if (!xdpct_in_window(snd, rcv, pkt)) {
		st->invalid = INV_OUT_OF_WINDOW;
		return;
	}
	/*
	 * The LAST-ACK side sends its FIN again: our view saw the final ACK
	 * pass, but it never arrived. The peer in TIME-WAIT must ACK again,
	 * and its 2MSL starts over (RFC 9293 3.10.7.4, TIME-WAIT). After a
	 * simultaneous close the sender is in TIME-WAIT too in our view, but
	 * really still CLOSING. So undo what the lost ACK did (TIME-WAIT back
	 * to CLOSING, anything else to LAST-ACK, whose FIN is not acked); a
	 * sender already back in CLOSING, sending its FIN once more, stays.
	 */
	if (retransmitted_fin && rcv->state == TCP_S_TIME_WAIT) {
		if (snd->state == TCP_S_TIME_WAIT)
			snd->state = TCP_S_CLOSING;
		else if (snd->state != TCP_S_CLOSING)
			snd->state = TCP_S_LAST_ACK;
		snd->flags &= ~EP_FIN_ACKED;
		f->tw_start = now;
		st->event = EV_TW_RESTART;
		st->respond = RESP_TW_REACK;
		goto done;
	}
	/*
	 * A SYN-SENT sender acking the SYN+ACK (checked above) did get it:
	 * only its SYN retransmission made us think it lost it.
	 */
	if (snd->state == TCP_S_SYN_SENT && rcv->state == TCP_S_SYN_RECEIVED)
		xdpct_apply(snd, F_RECV_ACK_OF_SYN);
	/* Acknowledgments first, as the receiving stack processes them. */
	if (rcv->state == TCP_S_SYN_SENT || rcv->state == TCP_S_SYN_RECEIVED) {
		if (xdpct_acks(pkt, rcv->isn + 1))
			xdpct_apply(rcv, F_RECV_ACK_OF_SYN);
	}
	if (acks_fin) {
		xdpct_apply(snd, F_SEND_ACK_OF_FIN);
		if (!(rcv->flags & EP_FIN_ACKED)) {
			rcv->flags |= EP_FIN_ACKED;
			xdpct_apply(rcv, F_RECV_ACK_OF_FIN);
		}
	}
	if (kind == SEG_FIN) {
		xdpct_apply(snd, F_SEND_FIN);
		if (!(snd->flags & EP_FIN_SENT)) {
			snd->flags |= EP_FIN_SENT;
			snd->fin_seq = pkt->seq + pkt->payload_len;
			f->fin_tsval[dir & 1] = (pkt->opts & OPT_TIMESTAMPS) ? pkt->tsval : 0;
		}
	}

done:
	if (st->invalid)
		return;
	f->state = xdpct_ct_summary(f);
	if (snd->state == TCP_S_TIME_WAIT && snd_was != TCP_S_TIME_WAIT)
		f->tw_start = now;
	if (rcv->state == TCP_S_TIME_WAIT && rcv_was != TCP_S_TIME_WAIT)
		f->tw_start = now;
	if (st->event != EV_NONE)
		return;
	if (f->state == CT_TIME_WAIT && before != CT_TIME_WAIT) {
		st->event = EV_TIME_WAIT;
	} else if (f->state == CT_ESTABLISHED && before != CT_ESTABLISHED) {
		st->event = EV_ESTABLISHED;
		/*
		 * A reopened flow, which starts in SYN_SENT, becomes ESTABLISHED
		 * only here. Cleared in this branch: one of its own cost the
		 * verifier a fifth more of the full path.
		 */
		f->flags &= ~FLOW_REOPENED;
	} else if (!had_fin && ((f->ep[0].flags | f->ep[1].flags) & EP_FIN_SENT)) {
		st->event = EV_FIN;
	} else if (f->state == CT_CLOSE && before != CT_CLOSE) {
		/* Only a RST closes (xdpct_step_rst()): its first, not a repeat. */
		st->event = EV_CLOSED;
	}
}

/*
 * The first segment of a flow the table does not hold. Only a SYN opens
 * one; returns false (with st->invalid set) for anything else.
 */
XDPCT_INLINE bool xdpct_fsm_open(struct xdpct_flow *f, int src_is_b, const struct xdpct_pkt *pkt,
				 __u32 ifindex, __u64 now, struct xdpct_step *st)
{
	int kind = xdpct_seg_kind(pkt->flags);

	st->dir = DIR_ORIG;
	st->respond = RESP_NONE;
	st->event = EV_NONE;
	if (kind != SEG_SYN) {
		st->invalid = kind == SEG_BAD ? INV_BAD_FLAGS : INV_NO_FLOW;
		return false;
	}
	st->invalid = INV_NONE;
	xdpct_flow_init(f, src_is_b, ifindex, now);
	xdpct_ep_init(&f->ep[DIR_ORIG], pkt);
	f->ep[DIR_ORIG].state = TCP_S_SYN_SENT;
	f->state = CT_SYN_SENT;
	st->event = EV_NEW;
	return true;
}

/*
 * Count a valid segment on the flow. A GSO packet (tc egress) stands for
 * segs wire segments, each with its own IP and TCP headers: count the
 * IP bytes the wire will carry, as a receiver sees them.
 */
XDPCT_INLINE void xdpct_flow_count(struct xdpct_flow *f, int dir, const struct xdpct_pkt *pkt,
				   __u32 segs)
{
	__u32 hdrs = pkt->l4_off - pkt->l3_off - pkt->jumbo_hbh + sizeof(struct xdpct_tcp) +
		     pkt->opt_len;

	/*
	 * Plain adds, written only by segments of this direction. One
	 * direction of a flow runs on one CPU at a time: RSS steers a flow's
	 * frames to one receive queue, and a socket's transmissions (the tc
	 * egress hook) are serialised by the socket's lock. Atomic adds would
	 * cost 17 ns of the fast path's 57 for a case that only multipath
	 * routing of one flow over two interfaces creates, where a lost count
	 * is the worst outcome, never a lost transition.
	 */
	f->ep[dir & 1].packets += segs;
	f->ep[dir & 1].bytes += pkt->ip_len + (__u64)(segs > 1 ? segs - 1 : 0) * hdrs;
}

/* Count a valid segment and note when the flow last saw one. */
XDPCT_INLINE void xdpct_flow_account(struct xdpct_flow *f, int dir, const struct xdpct_pkt *pkt,
				     __u64 now, __u32 segs)
{
	xdpct_flow_count(f, dir, pkt, segs);
	f->last_seen = now;
}

/*
 * The responder answered a FIN of side dir with an ACK in its peer's name
 * (the TIME-WAIT re-ACK, sent by XDP_TX): no program of ours sees that ACK
 * pass, so apply here what seeing it would: the FIN is acknowledged
 * (LAST-ACK -> CLOSED, CLOSING -> TIME-WAIT). Caller holds the flow's lock.
 */
XDPCT_INLINE void xdpct_fsm_fin_acked_for_peer(struct xdpct_flow *f, int dir, __u64 now)
{
	struct xdpct_endpoint *ep = &f->ep[dir & 1];

	if (!(ep->flags & EP_FIN_SENT) || (ep->flags & EP_FIN_ACKED))
		return;
	ep->flags |= EP_FIN_ACKED;
	xdpct_apply(ep, F_RECV_ACK_OF_FIN);
	if (ep->state == TCP_S_TIME_WAIT)
		f->tw_start = now;
	f->state = xdpct_ct_summary(f);
}

/* The fast path's window check for a segment from snd to rcv. */
XDPCT_INLINE bool xdpct_fast_window(struct xdpct_endpoint *snd, struct xdpct_endpoint *rcv,
				    const struct xdpct_pkt *pkt)
{
	/*
	 * xdpct_in_window() with what is known here: an ACK, no SYN or FIN,
	 * and a receiver seen (both sides of an established flow sent a SYN).
	 */
	return rcv->maxwin != 0 &&
	       xdpct_window_step(snd, rcv, pkt->seq, pkt->seq + pkt->payload_len, pkt->ack,
				 (__u32)pkt->window << snd->wscale, true, false, rcv->end,
				 rcv->maxend);
}

/*
 * The fast path, taken without the flow's lock: a segment with ACK and no
 * SYN, FIN or RST on a flow whose two ends are ESTABLISHED, in window.
 * Such a segment changes no state: only its own direction's window
 * bookkeeping (end, maxwin, and the peer's maxend), the counters and
 * last_seen. Anything else, or a segment out of window, goes to the locked
 * xdpct_fsm_step(), which judges, counts and reports it.
 *
 * Why no lock is needed here:
 * - States change only under the lock, and never here, so no transition
 *   can be lost. A segment that raced with a transition (it read
 *   ESTABLISHED just before a FIN made it FIN-WAIT-1) is one the locked
 *   path would also have accepted: ACKs and data stay valid in the
 *   closing states, and a FIN changes no field written here.
 * - Each field written here belongs to one direction: a segment from d
 *   writes ep[d].end and ep[d].maxwin and ep[!d].maxend; the other
 *   direction writes the mirror fields. Only the rare window widening
 *   (data beyond maxend) touches the peer's maxwin: a lost update there
 *   leaves a window view slightly narrower, never a wrong state.
 * - Counters and last_seen: see xdpct_flow_account().
 * Returns false, with nothing changed, when the segment is not for it.
 * This part leaves last_seen to the caller (xdpct_fast_step() below), and
 * the segment's flags to xdpct_fast_step_unstamped().
 */
XDPCT_INLINE bool xdpct_fast_step_ack(struct xdpct_flow *f, int src_is_b,
				      const struct xdpct_pkt *pkt, __u32 segs, struct xdpct_step *st)
{
	int dir;

	if (f->state != CT_ESTABLISHED)
		return false;
	dir = xdpct_flow_dir(f, src_is_b);
	/*
	 * One copy per direction, each with its endpoints at constant offsets
	 * in the entry. With &f->ep[dir] and &f->ep[!dir] the compiled code
	 * kept two computed pointers live next to the segment's values and
	 * spilled them to the stack: `bench ab` of the express lane gave
	 * 0.954, 0.968, 0.971 and 0.957 of that build; counting in each copy
	 * too, 0.979 - 0.997 of that (five runs).
	 */
	if (dir == DIR_ORIG) {
		if (!xdpct_fast_window(&f->ep[DIR_ORIG], &f->ep[DIR_REPLY], pkt))
			return false;
		xdpct_flow_count(f, DIR_ORIG, pkt, segs);
	} else {
		if (!xdpct_fast_window(&f->ep[DIR_REPLY], &f->ep[DIR_ORIG], pkt))
			return false;
		xdpct_flow_count(f, DIR_REPLY, pkt, segs);
	}
	st->invalid = INV_NONE;
	st->event = EV_NONE;
	st->dir = (__u8)dir;
	st->respond = RESP_NONE;
	return true;
}

/*
 * The fast step for any segment: the ones it takes carry ACK and no SYN,
 * FIN or RST. The express lane (bpf/express.h) refused every other before
 * it made the key, and calls xdpct_fast_step_ack() itself.
 */
XDPCT_INLINE bool xdpct_fast_step_unstamped(struct xdpct_flow *f, int src_is_b,
					    const struct xdpct_pkt *pkt, __u32 segs,
					    struct xdpct_step *st)
{
	if ((pkt->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST | TCPF_ACK)) != TCPF_ACK)
		return false;
	return xdpct_fast_step_ack(f, src_is_b, pkt, segs, st);
}

XDPCT_INLINE bool xdpct_fast_step(struct xdpct_flow *f, int src_is_b, const struct xdpct_pkt *pkt,
				  __u64 now, __u32 segs, struct xdpct_step *st)
{
	if (!xdpct_fast_step_unstamped(f, src_is_b, pkt, segs, st))
		return false;
	f->last_seen = now;
	return true;
}

#endif /* XDPCT_TCP_FSM_H */
