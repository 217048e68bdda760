/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tracker hands over to the responder (bpf/respond.h), XDP only:
 * which segments of unknown flows it answers instead of opening an entry,
 * the sequence numbers an answer on a known flow needs (read under the
 * flow's lock), and the parsed segment, kept per CPU for building it.
 */
#ifndef XDPCT_BPF_RESPOND_HOOK_H
#define XDPCT_BPF_RESPOND_HOOK_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdpct/config.h>
#include <xdpct/parse.h>
#include "maps.h"
#include "respond_build.h"

/* The segment being answered: the BPF stack is too small to carry it along. */
struct xdpct_resp_scratch {
	struct xdpct_pkt pkt;
	struct xdpct_flow_key key;
	__u64 now;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_resp_scratch);
} resp_scratch SEC(".maps");

/*
 * The host's listener accepts a cookie ACK only within two minutes of
 * issuing a cookie itself (the kernel's tcp_synq_no_recent_overflow()).
 * So once a second per protected port and family one SYN goes on to the
 * host, which with tcp_syncookies=2 answers it with a cookie of its own,
 * keeping no state, and stays ready for the cookies xdpct sends; a
 * listener restarted in between is ready again within that second. No
 * entry is opened for that SYN or for the host's SYN+ACK: the flow opens
 * when the ACK returns, as for xdpct's own cookies (same helpers, same
 * secret).
 */
#define XDPCT_COOKIE_ARM_TICKS(hz) (hz)

/* What the responder does with a segment of no flow (struct xdpct_result.claimed). */
enum {
	CLAIM_NONE = 0,
	CLAIM_ANSWER,  /* answer it (bpf/respond.h) */
	CLAIM_ARM,     /* a SYN for the host, to arm its listener: pass it, open nothing */
	CLAIM_PASS,    /* the host's SYN+ACK to such a SYN: pass it, open nothing */
};

struct xdpct_cookie_arm {
	__u64 at[2]; /* when a SYN last went to the host, [family == 6]; 0: never */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct xdpct_cookie_arm);
} cookie_arm SEC(".maps");

static __always_inline __u32 xdpct_hz(const struct xdpct_config *cfg)
{
	return cfg->hz ? cfg->hz : 1000;
}

static __always_inline void xdpct_respond_save(const struct xdpct_pkt *pkt,
					       const struct xdpct_flow_key *key, __u64 now)
{
	__u32 zero = 0;
	struct xdpct_resp_scratch *s = bpf_map_lookup_elem(&resp_scratch, &zero);

	if (!s)
		return;
	s->pkt = *pkt;
	s->key = *key;
	s->now = now;
}

/* Is it time to let a SYN through to the host's listener? Marks it if so. */
static __always_inline bool xdpct_cookie_arm_due(const struct xdpct_config *cfg, __u32 port,
						 int v6, __u64 now)
{
	struct xdpct_cookie_arm *a = bpf_map_lookup_elem(&cookie_arm, &port);
	__u64 *at;

	if (!a)
		return false;
	at = &a->at[v6 & 1];
	if (*at && now - *at < XDPCT_COOKIE_ARM_TICKS((__u64)xdpct_hz(cfg)))
		return false;
	*at = now ? now : 1;
	return true;
}

static __always_inline bool xdpct_port_protected(__u16 port_be)
{
	__u32 port = xdpct_ntohs(port_be);
	__u8 *pf = bpf_map_lookup_elem(&ports, &port);

	return pf && (*pf & PORT_PROTECTED);
}

/*
 * Does the responder take this segment of a flow the table does not hold?
 * On protected ports: a SYN when cookies are on (answered with a cookie, or
 * passed on to arm the host), an ACK when cookies are on (its cookie
 * checked), and under policy reject an ACK (answered with a RST). On both
 * hooks, the host's SYN+ACK to a SYN passed on to it goes through. Returns CLAIM_NONE, CLAIM_PASS, or CLAIM_ANSWER for a
 * segment to answer or to arm the host with; saves nothing, so the express
 * lane (bpf/express.h) may ask before it settles a segment of no flow.
 */
static __always_inline __u8 xdpct_respond_claim_kind(const struct xdpct_config *cfg,
						     const struct xdpct_pkt *pkt, bool ingress)
{
	__u8 f = pkt->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST | TCPF_FIN);
	bool cookies = cfg->flags & CFG_SYNCOOKIES, reject = cfg->policy == POLICY_REJECT;

	if (f == (TCPF_SYN | TCPF_ACK))
		return cookies && xdpct_port_protected(pkt->sport) ? CLAIM_PASS : CLAIM_NONE;
	if (!ingress || (f & TCPF_RST)) /* a RST is never answered (RFC 9293 3.10.7.1) */
		return CLAIM_NONE;
	if (f & TCPF_SYN) {
		if (f != TCPF_SYN || !cookies)
			return CLAIM_NONE;
	} else if (!(f & TCPF_ACK) || (!reject && !cookies)) {
		/*
		 * Neither SYN nor ACK (a FIN, null or Xmas scan): a listening
		 * socket drops it unanswered (RFC 9293 3.10.7.2), and so does
		 * the tracker, as a segment of no flow.
		 */
		return CLAIM_NONE;
	}
	if (!xdpct_port_protected(pkt->dport))
		return CLAIM_NONE;
	return CLAIM_ANSWER;
}

/* xdpct_respond_claim_kind(), and what it claims saved for the answer. Returns CLAIM_*. */
static __always_inline __u8 xdpct_respond_claim(const struct xdpct_config *cfg,
						const struct xdpct_pkt *pkt,
						const struct xdpct_flow_key *key, __u64 now,
						bool ingress)
{
	__u8 claim = xdpct_respond_claim_kind(cfg, pkt, ingress);

	if (claim != CLAIM_ANSWER)
		return claim;
	/*
	 * Checked here, on the key, rather than in xdpct_respond_claim_kind():
	 * the express lane's IPv4 parse leaves the other address words unset,
	 * and the compiler read them (a register the verifier refuses).
	 * Such a segment the express lane hands on is then tracked as of no flow.
	 */
	if (!xdpct_addrs_answerable(key->family, key->addr_a, key->addr_b))
		return CLAIM_NONE;
	xdpct_respond_save(pkt, key, now);
	if ((pkt->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST | TCPF_FIN)) == TCPF_SYN &&
	    xdpct_cookie_arm_due(cfg, xdpct_ntohs(pkt->dport), pkt->family == 6, now))
		return CLAIM_ARM;
	return CLAIM_ANSWER;
}

/*
 * Answering on the receiver's behalf (RFC 5961's challenge ACK, the
 * TIME-WAIT re-ACK): <SEQ=SND.NXT><ACK=RCV.NXT> and its window. Runs under
 * the flow's lock. What passes here is all there is to go on:
 * - ack, for a challenge: the highest ACK the receiver sent. Its RCV.NXT may be further
 *   (data it holds and has not acked yet: then this is a duplicate ACK),
 *   but never less. The sender's highest sequence number seen here may be
 *   further than what reached the receiver (lost beyond this point, or
 *   still on its way); acked in its name, the sender would drop it from
 *   its queue and the receiver would never get it.
 * - window: up to the right edge the receiver advertised (which a
 *   receiver does not move back), from that ack: the window it last
 *   advertised, so that the answer opens none it closed.
 */
/*
 * One challenge ACK per receiver per half second, as Linux limits each
 * socket (tcp_invalid_ratelimit): what one flow draws is nobody else's
 * business. A count shared by all flows alone told an attacker, through
 * the answers on his own connection, of others' (CVE-2016-5696). Caller
 * holds the flow's lock; rcv is the endpoint the answer speaks for.
 */
static __always_inline bool xdpct_challenge_flow_due(struct xdpct_endpoint *rcv,
						     const struct xdpct_config *cfg, __u64 now)
{
	__u16 at = rcv->challenge_at, t = (__u16)now ? (__u16)now : 1;

	if (at && (__u16)(t - at) < xdpct_hz(cfg) / 2)
		return false;
	rcv->challenge_at = t;
	return true;
}

static __always_inline void xdpct_respond_note(const struct xdpct_flow *f, __u8 dir, __u8 respond,
					       __u32 *seq, __u32 *ack, __u16 *win)
{
	const struct xdpct_endpoint *snd = &f->ep[dir & 1], *rcv = &f->ep[(dir & 1) ^ 1];
	__u32 a = (rcv->flags & EP_MAXACK) ? rcv->maxack : snd->isn + 1, w = 0;

	/* TIME-WAIT was entered on the receiver's ACK of this FIN: ack it whole. */
	if (respond == RESP_TW_REACK)
		a = snd->end;

	/* One past a zero window's edge is the probe window tracking lets through: still 0. */
	if (xdpct_seq_after(snd->maxend, a + 1))
		w = (snd->maxend - a) >> (rcv->wscale & 15);
	*seq = rcv->end;
	*ack = a;
	*win = w > 0xffff ? 0xffff : (__u16)w;
}

#endif /* XDPCT_BPF_RESPOND_HOOK_H */
