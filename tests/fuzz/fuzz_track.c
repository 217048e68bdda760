// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the shared parser and state machine, compiled for
 * userspace from include/xdpct/ exactly as the data path includes them.
 *
 * The input is a sequence of records, each one frame:
 *   u8  ctrl   bits 0-2: clock ticks to advance, bit 3: the flow is stale,
 *              bit 4: frame_len exceeds the readable bytes (a non-linear
 *              skb on tc egress), bits 5-7: extra bytes then (x 8)
 *   u16 len    little endian, clipped to what is left
 *   len bytes  the frame, from the Ethernet header on
 * Every frame is copied to the end of a buffer that ends exactly with it,
 * so that AddressSanitizer catches any read past data_end. The frame
 * starts 2 bytes into the buffer (NET_IP_ALIGN's placement), so that the IP
 * header is 4-byte aligned as the parser's structs expect in C; BPF on x86
 * reads packet data at any alignment, so this hides nothing there. Parsed segments go
 * through a small flow table (a model of the LRU map) with
 * xdpct_fsm_open() / xdpct_fsm_step() as bpf/track.h calls them, and after
 * every step the entry must satisfy tests/lib/invariants.h, an invalid
 * segment must leave the entry unchanged, the key must be the same seen
 * from either direction, and the express lane's parser must agree with
 * the full one. Any violation aborts with the reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "invariants.h"

#define FLOWS 8
#define MAX_FRAMES 64

struct slot {
	int used;
	struct xdpct_flow_key key;
	struct xdpct_flow flow;
};

static void die(const char *what, const struct xdpct_flow *f)
{
	fprintf(stderr, "fuzz_track: %s\n", what);
	if (f)
		inv_print_flow(stderr, f);
	abort();
}

/* What the parser reports must lie inside the frame. */
static void check_pkt(const struct xdpct_pkt *p, __u32 readable, __u32 frame_len)
{
	if (p->family != 4 && p->family != 6)
		die("parsed family not 4 or 6", NULL);
	if (p->l3_off < 14 || p->l4_off < p->l3_off + 20)
		die("header offsets out of order", NULL);
	if ((__u32)p->l4_off + sizeof(struct xdpct_tcp) > readable)
		die("TCP header beyond the readable bytes", NULL);
	if ((__u32)p->l4_off + sizeof(struct xdpct_tcp) + p->opt_len + p->payload_len >
	    frame_len)
		die("TCP options and payload beyond the frame", NULL);
	if ((__u32)p->l3_off + p->ip_len > frame_len)
		die("IP length beyond the frame", NULL);
	if (p->opt_len > 40 || p->wscale > 14)
		die("option length or window scale out of range", NULL);
}

/*
 * The express lane's parser takes a subset of frames, and on it agrees
 * with the full parser in every byte of the segment description.
 */
static void check_express(const __u8 *frame, __u32 len, __u32 frame_len, int rc,
			  const struct xdpct_pkt *full)
{
	struct xdpct_pkt p;

	memset(&p, 0, sizeof(p));
	if (!xdpct_parse_express(frame, frame + len, frame_len, &p))
		return;
	if (rc != PARSE_OK)
		die("the express parser accepts a frame the full one refuses", NULL);
	if (memcmp(&p, full, sizeof(p)))
		die("the express parser disagrees with the full one", NULL);
	if (p.family == 4) {
		struct xdpct_flow_key k4, k;

		if (xdpct_flow_key_make4(&p, &k4) != xdpct_flow_key_make(full, &k) ||
		    memcmp(&k4, &k, sizeof(k)))
			die("the express lane's IPv4 key differs from the full path's", NULL);
	}
}

/* The same endpoints seen from the other side give the same key. */
static void check_key_symmetry(const struct xdpct_pkt *p, const struct xdpct_flow_key *key,
			       int src_is_b)
{
	struct xdpct_pkt r = *p;
	struct xdpct_flow_key rk;
	int r_is_b;

	memcpy(r.saddr, p->daddr, sizeof(r.saddr));
	memcpy(r.daddr, p->saddr, sizeof(r.daddr));
	r.sport = p->dport;
	r.dport = p->sport;
	r_is_b = xdpct_flow_key_make(&r, &rk);
	if (memcmp(&rk, key, sizeof(rk)))
		die("reversed segment gives another key", NULL);
	/* Unless both endpoints are the same, exactly one of them is side b. */
	if (memcmp(p->saddr, p->daddr, sizeof(p->saddr)) || p->sport != p->dport)
		if (r_is_b == src_is_b)
			die("both directions claim the same side", NULL);
}

/* An invalid segment changes nothing (the tracker's promise in tcp_fsm.h). */
static void check_unchanged(const struct xdpct_flow *before, const struct xdpct_flow *after)
{
	if (memcmp(before, after, sizeof(*after))) {
		inv_print_flow(stderr, before);
		die("an invalid segment changed the flow", after);
	}
}

static struct slot *find(struct slot *t, const struct xdpct_flow_key *k)
{
	int i;

	for (i = 0; i < FLOWS; i++)
		if (t[i].used && !memcmp(&t[i].key, k, sizeof(*k)))
			return &t[i];
	return NULL;
}

static void track(struct slot *t, unsigned int *victim, const uint8_t *frame, __u32 len,
		  __u32 frame_len, __u64 now, bool stale)
{
	static const struct inv_opts opts = { .ifindex = 7, .min_ip_len = 40, .single_segs = 1 };
	struct xdpct_pkt pkt;
	struct xdpct_flow_key key;
	struct xdpct_step st;
	struct xdpct_flow before;
	struct slot *s;
	char why[256];
	int rc, src_is_b;

	memset(&pkt, 0, sizeof(pkt));
	rc = xdpct_parse(frame, frame + len, frame_len, &pkt);
	if (rc < PARSE_OK || rc > PARSE_MAL_TCP_OPT)
		die("parser returned an unknown code", NULL);
	check_express(frame, len, frame_len, rc, &pkt);
	if (rc != PARSE_OK)
		return;
	check_pkt(&pkt, len, frame_len);
	if ((pkt.flags & TCPF_SYN) && xdpct_parse_syn_options(frame, frame + len, &pkt) != PARSE_OK)
		return;
	src_is_b = xdpct_flow_key_make(&pkt, &key);
	if (inv_check_key(&key, why, sizeof(why)))
		die(why, NULL);
	check_key_symmetry(&pkt, &key, src_is_b);

	s = find(t, &key);
	if (!s) {
		struct xdpct_flow nf;

		if (!xdpct_fsm_open(&nf, src_is_b, &pkt, 7, now, &st)) {
			if (st.invalid != INV_NO_FLOW && st.invalid != INV_BAD_FLAGS)
				die("open refused with an unexpected reason", NULL);
			return;
		}
		xdpct_flow_account(&nf, DIR_ORIG, &pkt, now, 1);
		/* A full table evicts, as the LRU does. */
		s = &t[(*victim)++ % FLOWS];
		s->used = 1;
		s->key = key;
		s->flow = nf;
	} else {
		before = s->flow;
		xdpct_fsm_step(&s->flow, src_is_b, &pkt, now, stale, &st);
		if (st.invalid >= INV__MAX || st.event >= EV__MAX || st.dir > DIR_REPLY)
			die("step result out of range", &s->flow);
		if (st.invalid) {
			check_unchanged(&before, &s->flow);
			return;
		}
		xdpct_flow_account(&s->flow, st.dir, &pkt, now, 1);
	}
	if (inv_check_flow(&s->key, &s->flow, &opts, why, sizeof(why)))
		die(why, &s->flow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slot table[FLOWS];
	unsigned int victim = 0;
	__u64 now = 1000;
	size_t off = 0;
	int n;

	memset(table, 0, sizeof(table));
	for (n = 0; n < MAX_FRAMES && off + 3 <= size; n++) {
		uint8_t ctrl = data[off];
		size_t len = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;
		__u32 frame_len;
		uint8_t *frame;

		off += 3;
		if (len > size - off)
			len = size - off;
		frame_len = (__u32)len + ((ctrl & 0x10) ? (ctrl >> 5) * 8u : 0);
		/* Exactly len bytes after the 2: one past the end is a heap overflow. */
		frame = malloc(len + 2);
		if (!frame)
			return 0;
		memcpy(frame + 2, data + off, len);
		off += len;
		now += ctrl & 7;
		track(table, &victim, frame + 2, (__u32)len, frame_len, now, ctrl & 8);
		free(frame);
	}
	return 0;
}
