// SPDX-License-Identifier: GPL-2.0
/*
 * The lock-free fast path (xdpct_fast_step) must be an exact shortcut of
 * the locked state machine: for every segment it takes, the flow ends
 * byte for byte as xdpct_fsm_step plus xdpct_flow_account would leave it,
 * with the same verdict; every segment it refuses leaves the flow untouched.
 */
#include <stdlib.h>
#include <string.h>
#include <xdpct/tcp_fsm.h>
#include "check.h"

#define X 1000u
#define Y 5000u
#define ROUNDS 200000

static struct xdpct_pkt mk(__u8 flags, __u32 seq, __u32 ack, __u16 len, __u16 win)
{
	struct xdpct_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.payload_len = len;
	p.window = win;
	p.l3_off = 14;
	p.l4_off = 34;
	p.ip_len = (__u16)(40 + len);
	return p;
}

/* An ESTABLISHED flow with window scaling 2 on both sides. */
static void establish(struct xdpct_flow *f)
{
	struct xdpct_pkt p = mk(TCPF_SYN, X, 0, 0, 64000);
	struct xdpct_step st;

	p.opts = OPT_WSCALE;
	p.wscale = 2;
	xdpct_fsm_open(f, 0, &p, 1, 100, &st);
	p = mk(TCPF_SYN | TCPF_ACK, Y, X + 1, 0, 64000);
	p.opts = OPT_WSCALE;
	p.wscale = 2;
	xdpct_fsm_step(f, 1, &p, 100, false, &st);
	p = mk(TCPF_ACK, X + 1, Y + 1, 0, 16000);
	xdpct_fsm_step(f, 0, &p, 100, false, &st);
}

static __u32 jitter(__u32 range)
{
	return (__u32)rand() % (2 * range + 1) - range;
}

static void fast_path_equals_locked_path(void)
{
	static const __u8 flag_sets[] = { TCPF_ACK, TCPF_ACK | TCPF_PSH, TCPF_ACK | TCPF_FIN,
					  TCPF_RST, TCPF_ACK | TCPF_RST, TCPF_SYN, 0 };
	struct xdpct_flow base, fast, slow;
	unsigned long taken = 0, refused = 0;
	int i;

	srand(7);
	establish(&base);
	REQUIRE(base.state == CT_ESTABLISHED, "set-up reaches ESTABLISHED");
	for (i = 0; i < ROUNDS && !t_failed; i++) {
		int from = rand() & 1;
		struct xdpct_endpoint *s = &base.ep[from], *r = &base.ep[!from];
		__u8 flags = flag_sets[(size_t)rand() % sizeof(flag_sets)];
		/* Mostly near the edges of the window, sometimes far outside. */
		__u32 seq = s->end + jitter(rand() % 8 ? 3000 : 400000);
		__u32 ack = r->end + jitter(rand() % 8 ? 3000 : 400000);
		struct xdpct_pkt p = mk(flags, seq, ack, (__u16)(rand() % 1500), (__u16)rand());
		struct xdpct_step sf, ss;

		fast = base;
		slow = base;
		if (xdpct_fast_step(&fast, from, &p, 200 + i, 1, &sf)) {
			taken++;
			xdpct_fsm_step(&slow, from, &p, 200 + i, false, &ss);
			CHECK_EQ(ss.invalid, INV_NONE, "the locked path also accepts it");
			CHECK_EQ(ss.event, sf.event, "same event");
			CHECK_EQ(ss.dir, sf.dir, "same direction");
			xdpct_flow_account(&slow, ss.dir, &p, 200 + i, 1);
			CHECK(!memcmp(&fast, &slow, sizeof(fast)), "same flow, byte for byte");
			base = fast; /* walk on, so windows move */
		} else {
			refused++;
			CHECK(!memcmp(&fast, &base, sizeof(fast)), "a refused segment changes nothing");
		}
	}
	CHECK(taken > ROUNDS / 20, "the fast path took a fair share");
	CHECK(refused > ROUNDS / 20, "and refused a fair share");
}

static void fast_path_only_for_established(void)
{
	struct xdpct_flow f, before;
	struct xdpct_pkt p = mk(TCPF_SYN, X, 0, 0, 64000);
	struct xdpct_step st;

	xdpct_fsm_open(&f, 0, &p, 1, 100, &st);
	p = mk(TCPF_SYN | TCPF_ACK, Y, X + 1, 0, 64000);
	xdpct_fsm_step(&f, 1, &p, 100, false, &st);
	before = f;
	/* The third ACK changes the server's state: never the fast path's. */
	p = mk(TCPF_ACK, X + 1, Y + 1, 0, 64000);
	CHECK(!xdpct_fast_step(&f, 0, &p, 100, 1, &st), "SYN_RECV is not for the fast path");
	CHECK(!memcmp(&f, &before, sizeof(f)), "unchanged");
}

int main(void)
{
	RUN(fast_path_equals_locked_path);
	RUN(fast_path_only_for_established);
	return TEST_EXIT();
}
