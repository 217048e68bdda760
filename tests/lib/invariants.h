/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What must hold for every entry of the flow table, whatever traffic made
 * it: checked by the fuzzer after every step and by the packet tests after
 * they walk the real map. Each rule says why it holds, so that a violation
 * points at the transition that broke it.
 *
 * inv_check_flow() needs only include/xdpct/ (the fuzzer compiles it with
 * no libbpf); inv_walk_map() is there when <bpf/bpf.h> is.
 */
#ifndef XDPCT_TEST_INVARIANTS_H
#define XDPCT_TEST_INVARIANTS_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <xdpct/tcp_fsm.h>

/* What the caller knows about how the entry was made. */
struct inv_opts {
	__u32 ifindex;      /* nonzero: every flow was opened on this interface */
	__u32 min_ip_len;   /* nonzero: each counted segment had at least this many IP bytes */
	int single_segs;    /* every counted frame was one segment (XDP, no GSO) */
};

#define INV_FLOW_FLAGS (FLOW_CLIENT_IS_B | FLOW_SIMOPEN | FLOW_RST | FLOW_COOKIE | FLOW_REOPENED)
#define INV_EP_FLAGS \
	(EP_WSCALE | EP_SACK_PERM | EP_TIMESTAMPS | EP_FIN_SENT | EP_FIN_ACKED | EP_MAXACK)

static inline int inv_fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The key is canonical: side a sorts lower, as xdpct_flow_key_make() orders. */
static inline int inv_check_key(const struct xdpct_flow_key *k, char *why, size_t n)
{
	int i;

	if (k->family != 4 && k->family != 6)
		return inv_fail(why, n, "key family %u", k->family);
	if (k->pad[0] || k->pad[1] || k->pad[2])
		return inv_fail(why, n, "key padding not zero");
	if (k->family == 4)
		for (i = 1; i < 4; i++)
			if (k->addr_a[i] || k->addr_b[i])
				return inv_fail(why, n, "IPv4 key with address word %d set", i);
	for (i = 0; i < 4; i++) {
		if (k->addr_a[i] < k->addr_b[i])
			return 0;
		if (k->addr_a[i] > k->addr_b[i])
			return inv_fail(why, n, "key not canonical: address a sorts after b");
	}
	if (k->port_a > k->port_b)
		return inv_fail(why, n, "key not canonical: same address, port a > port b");
	return 0;
}

static inline int inv_check_ep(const struct xdpct_flow *f, int d, const struct inv_opts *o,
			       char *why, size_t n)
{
	const struct xdpct_endpoint *ep = &f->ep[d], *peer = &f->ep[!d];
	const char *side = d == DIR_ORIG ? "client" : "server";
	__u8 s = ep->state;

	if (s >= TCP_S__MAX)
		return inv_fail(why, n, "%s state %u out of range", side, s);
	if (ep->flags & ~INV_EP_FLAGS)
		return inv_fail(why, n, "%s flags %#x has unknown bits", side, ep->flags);
	/* RFC 7323 2.3: a shift above 14 is used as 14. */
	if (ep->wscale > 14)
		return inv_fail(why, n, "%s wscale %u > 14", side, ep->wscale);
	/* Only a SYN or SYN+ACK starts an endpoint, and that sets maxwin >= 1. */
	if (s != TCP_S_CLOSED && ep->maxwin == 0)
		return inv_fail(why, n, "%s in %s but never seen sending a SYN (maxwin 0)", side,
				xdpct_tcp_state_name(s));
	if (ep->maxwin == 0 && (ep->isn || (ep->flags & (EP_WSCALE | EP_SACK_PERM | EP_TIMESTAMPS))))
		return inv_fail(why, n, "%s has SYN facts (isn %u flags %#x) but maxwin 0", side,
				ep->isn, ep->flags);
	/* The peer acks a FIN only after it was sent. */
	if ((ep->flags & EP_FIN_ACKED) && !(ep->flags & EP_FIN_SENT))
		return inv_fail(why, n, "%s FIN acked but never sent", side);
	/* Only F_SEND_FIN leads into the closing states. */
	if ((s == TCP_S_FIN_WAIT_1 || s == TCP_S_FIN_WAIT_2 || s == TCP_S_CLOSING ||
	     s == TCP_S_LAST_ACK || s == TCP_S_TIME_WAIT) &&
	    !(ep->flags & EP_FIN_SENT))
		return inv_fail(why, n, "%s in %s without having sent a FIN", side,
				xdpct_tcp_state_name(s));
	/* FIN-WAIT-2 and TIME-WAIT come after the own FIN was acked. */
	if ((s == TCP_S_FIN_WAIT_2 || s == TCP_S_TIME_WAIT) && !(ep->flags & EP_FIN_ACKED))
		return inv_fail(why, n, "%s in %s but its FIN was never acked", side,
				xdpct_tcp_state_name(s));
	/* CLOSE-WAIT and LAST-ACK answer the peer's FIN. */
	if ((s == TCP_S_CLOSE_WAIT || s == TCP_S_LAST_ACK) && !(peer->flags & EP_FIN_SENT))
		return inv_fail(why, n, "%s in %s but the peer sent no FIN", side,
				xdpct_tcp_state_name(s));
	if (o->min_ip_len && ep->bytes < (__u64)o->min_ip_len * ep->packets && o->single_segs)
		return inv_fail(why, n, "%s: %llu bytes for %llu packets (< %u per packet)", side,
				(unsigned long long)ep->bytes, (unsigned long long)ep->packets,
				o->min_ip_len);
	return 0;
}

/* 0 when the entry is consistent; otherwise -1 and a reason in why. */
static inline int inv_check_flow(const struct xdpct_flow_key *k, const struct xdpct_flow *f,
				 const struct inv_opts *o, char *why, size_t n)
{
	int d;
	__u8 summary;

	if (k && inv_check_key(k, why, n))
		return -1;
	if (f->state >= CT__MAX)
		return inv_fail(why, n, "conntrack state %u out of range", f->state);
	if (f->flags & ~INV_FLOW_FLAGS)
		return inv_fail(why, n, "flow flags %#x has unknown bits", f->flags);
	/* A reopened flow is assured again when it reaches ESTABLISHED. */
	if ((f->flags & FLOW_REOPENED) && f->state == CT_ESTABLISHED)
		return inv_fail(why, n, "ESTABLISHED and still marked reopened");
	for (d = 0; d < 2; d++)
		if (inv_check_ep(f, d, o, why, n))
			return -1;
	/* Every valid step ends by storing the summary of both endpoints. */
	summary = xdpct_ct_summary(f);
	if (f->state != summary)
		return inv_fail(why, n, "state %s but endpoints %s/%s summarise to %s",
				xdpct_ct_state_name(f->state),
				xdpct_tcp_state_name(f->ep[0].state),
				xdpct_tcp_state_name(f->ep[1].state), xdpct_ct_state_name(summary));
	/* A flow is opened (or reopened) by the client's SYN, which is counted. */
	if (f->ep[DIR_ORIG].packets == 0)
		return inv_fail(why, n, "no client packet counted");
	if (f->ep[DIR_ORIG].maxwin == 0)
		return inv_fail(why, n, "client never initialised from its SYN");
	if (f->first_seen > f->last_seen)
		return inv_fail(why, n, "first_seen %llu after last_seen %llu",
				(unsigned long long)f->first_seen, (unsigned long long)f->last_seen);
	if (f->state == CT_TIME_WAIT &&
	    (f->tw_start < f->first_seen || f->tw_start > f->last_seen))
		return inv_fail(why, n, "TIME_WAIT since %llu, outside [%llu, %llu]",
				(unsigned long long)f->tw_start, (unsigned long long)f->first_seen,
				(unsigned long long)f->last_seen);
	/*
	 * Window scaling holds only when both SYNs offered it (RFC 7323 2.2):
	 * once the handshake is done, a shift without both offers is wrong.
	 */
	if (f->state == CT_ESTABLISHED && (f->ep[0].wscale || f->ep[1].wscale) &&
	    !((f->ep[0].flags & f->ep[1].flags) & EP_WSCALE))
		return inv_fail(why, n, "ESTABLISHED with wscale %u/%u but offers %s/%s",
				f->ep[0].wscale, f->ep[1].wscale,
				(f->ep[0].flags & EP_WSCALE) ? "yes" : "no",
				(f->ep[1].flags & EP_WSCALE) ? "yes" : "no");
	if (o->ifindex && f->ifindex != o->ifindex)
		return inv_fail(why, n, "ifindex %u, expected %u", f->ifindex, o->ifindex);
	return 0;
}

/* Print a flow on one line for a failure report. */
static inline void inv_print_flow(FILE *out, const struct xdpct_flow *f)
{
	int d;

	fprintf(out, "    state %s flags %#x first %llu last %llu tw %llu\n",
		xdpct_ct_state_name(f->state), f->flags, (unsigned long long)f->first_seen,
		(unsigned long long)f->last_seen, (unsigned long long)f->tw_start);
	for (d = 0; d < 2; d++) {
		const struct xdpct_endpoint *e = &f->ep[d];

		fprintf(out,
			"    %s: %s isn %u end %u maxend %u maxwin %u fin %u ws %u flags %#x pkts %llu bytes %llu\n",
			d ? "server" : "client", xdpct_tcp_state_name(e->state), e->isn, e->end,
			e->maxend, e->maxwin, e->fin_seq, e->wscale, e->flags,
			(unsigned long long)e->packets, (unsigned long long)e->bytes);
	}
}

#if __has_include(<bpf/bpf.h>)
#include <bpf/bpf.h>

/* Totals over a walk of the flow map. */
struct inv_walk {
	size_t flows, bad;
	__u64 packets; /* counted segments, both directions */
	size_t per_state[CT__MAX];
};

/* Walk one map into w (not reset); other_fd >= 0: its keys must not be there too. */
static inline void inv_walk_add(int fd, int other_fd, int embryos, const struct inv_opts *o,
				struct inv_walk *w)
{
	struct xdpct_flow_key k, next;
	struct xdpct_flow f, g;
	void *prev = NULL;
	char why[256];
	int bad;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &f))
			continue; /* evicted between the two calls */
		w->flows++;
		w->packets += f.ep[0].packets + f.ep[1].packets;
		if (f.state < CT__MAX)
			w->per_state[f.state]++;
		bad = inv_check_flow(&k, &f, o, why, sizeof(why));
		if (!bad && embryos && f.state != CT_SYN_SENT && f.state != CT_SYN_RECV &&
		    f.state != CT_SYN_SENT2 && f.state != CT_CLOSE)
			bad = inv_fail(why, sizeof(why), "embryos holds a %s flow",
				       xdpct_ct_state_name(f.state));
		if (!bad && other_fd >= 0 && !bpf_map_lookup_elem(other_fd, &k, &g))
			bad = inv_fail(why, sizeof(why), "flow in both tables");
		if (bad && w->bad++ < 5) {
			printf("  invariant: %s\n", why);
			inv_print_flow(stdout, &f);
		}
	}
}

/*
 * Check every entry of a flow map; prints the first few violations
 * (indented, as tests/run shows details). Returns the number of bad entries.
 */
static inline size_t inv_walk_map(int fd, const struct inv_opts *o, struct inv_walk *w)
{
	memset(w, 0, sizeof(*w));
	inv_walk_add(fd, -1, 0, o, w);
	return w->bad;
}

/*
 * Both tables: every entry as above, embryos only in the handshake (or a
 * handshake closed by RST), and no flow in both. Returns the bad entries.
 */
static inline size_t inv_walk_tables(int flows_fd, int embryos_fd, const struct inv_opts *o,
				     struct inv_walk *w)
{
	memset(w, 0, sizeof(*w));
	inv_walk_add(flows_fd, embryos_fd, 0, o, w);
	inv_walk_add(embryos_fd, -1, 1, o, w);
	return w->bad;
}
#endif

#endif /* XDPCT_TEST_INVARIANTS_H */
