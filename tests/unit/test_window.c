// SPDX-License-Identifier: GPL-2.0
/*
 * xdpct_window_step() against tcp_in_window's checks as netfilter writes
 * them (four modular compares, each bound read once up front). The step
 * orders and merges the compares to keep the fast path short: on every
 * input below it must accept the same segments and leave both endpoints
 * byte for byte the same. Sequence numbers come near the wrap, and near
 * each edge of the window, as often as at random.
 */
#include <stdlib.h>
#include <string.h>
#include <xdpct/tcp_fsm.h>
#include "check.h"

#define ROUNDS 2000000

/* The reference: the checks and updates as netfilter's tcp_in_window has them. */
static bool reference_step(struct xdpct_endpoint *snd, struct xdpct_endpoint *rcv, __u32 seq,
			   __u32 end, __u32 ack, __u32 win, bool has_ack, bool rcv_unseen,
			   __u32 rcv_end, __u32 rcv_maxend)
{
	__u32 snd_maxend = snd->maxend, snd_end = snd->end, snd_maxwin = snd->maxwin;
	__u32 rcv_maxwin = rcv->maxwin;
	__u32 ackwin = snd_maxwin > XDPCT_MAXACKWIN_MIN ? snd_maxwin : XDPCT_MAXACKWIN_MIN;

	if (!(xdpct_seq_before(seq, snd_maxend + 1) &&
	      xdpct_seq_after(end, snd_end - rcv_maxwin - 1) &&
	      xdpct_seq_before(ack, rcv_end + 1) && xdpct_seq_after(ack, rcv_end - ackwin - 1)))
		return false;
	if (rcv_maxwin != 0 && xdpct_seq_after(end, snd_maxend))
		rcv->maxwin = rcv_maxwin + (end - snd_maxend);
	if (snd_maxwin < win)
		snd->maxwin = win;
	if (xdpct_seq_after(end, snd_end))
		snd->end = end;
	/* td_maxack, once set (xdpct_in_window() sets the first). */
	if (has_ack && xdpct_seq_after(ack, snd->maxack))
		snd->maxack = ack;
	if (rcv_unseen)
		rcv->end = rcv_end;
	if (has_ack && xdpct_seq_after(ack + win, rcv_maxend - 1))
		rcv->maxend = ack + win + (win == 0);
	else if (rcv_unseen)
		rcv->maxend = rcv_maxend;
	return true;
}

static __u32 rnd32(void)
{
	return (__u32)rand() << 16 ^ (__u32)rand();
}

/* A value near base: on it, one off either side, or anywhere. */
static __u32 near(__u32 base)
{
	switch (rand() % 5) {
	case 0:
		return base;
	case 1:
		return base + 1;
	case 2:
		return base - 1;
	case 3:
		return base + (__u32)(rand() % 200000) - 100000;
	default:
		return rnd32();
	}
}

/* A window as TCP can have one: up to 65535 << 14. */
static __u32 window(void)
{
	switch (rand() % 4) {
	case 0:
		return 0;
	case 1:
		return (__u32)(rand() % 65536);
	case 2:
		return XDPCT_MAXACKWIN_MIN + (__u32)(rand() % 3) - 1;
	default:
		return (__u32)(rand() % 65536) << (rand() % 15);
	}
}

static void window_step_equals_netfilter_compares(void)
{
	int i, accepted = 0, mismatches = 0;

	srand(20261126);
	for (i = 0; i < ROUNDS; i++) {
		struct xdpct_endpoint s, r, s2, r2;
		__u32 base = rand() % 4 ? rnd32() : (__u32)-(rand() % 100000);
		__u32 seq, end, ack, win, rcv_end, rcv_maxend, ackwin;
		bool has_ack = rand() % 8, unseen = !(rand() % 8), a, b;

		memset(&s, 0, sizeof(s));
		memset(&r, 0, sizeof(r));
		s.end = near(base);
		s.maxwin = window();
		r.maxwin = unseen ? 0 : window();
		s.maxend = near(s.end + r.maxwin);
		r.end = near(s.maxend - s.maxwin);
		r.maxend = near(r.end + s.maxwin);
		rcv_end = unseen ? near(r.end) : r.end;
		rcv_maxend = unseen ? rcv_end : r.maxend;
		ackwin = s.maxwin > XDPCT_MAXACKWIN_MIN ? s.maxwin : XDPCT_MAXACKWIN_MIN;
		/* Edges: the right edge, the oldest byte, the newest and the oldest ack. */
		seq = near(rand() % 2 ? s.maxend : s.end - r.maxwin);
		end = seq + (rand() % 3 ? (__u32)(rand() % 70000) : 0);
		ack = near(rand() % 2 ? rcv_end : rcv_end - ackwin);
		s.maxack = near(ack);
		win = window();
		s2 = s;
		r2 = r;
		a = xdpct_window_step(&s, &r, seq, end, ack, win, has_ack, unseen, rcv_end, rcv_maxend);
		b = reference_step(&s2, &r2, seq, end, ack, win, has_ack, unseen, rcv_end, rcv_maxend);
		accepted += a;
		if (a != b || memcmp(&s, &s2, sizeof(s)) || memcmp(&r, &r2, sizeof(r))) {
			if (mismatches++ < 5)
				printf("  differs: seq %u end %u ack %u win %u snd end %u maxend %u "
				       "maxwin %u rcv end %u maxend %u maxwin %u: step %d, reference %d\n",
				       seq, end, ack, win, s2.end, s2.maxend, s2.maxwin, rcv_end,
				       rcv_maxend, r2.maxwin, a, b);
		}
	}
	printf("  %d of %d segments in window\n", accepted, ROUNDS);
	CHECK_EQ(mismatches, 0, "the same verdict and endpoints as the reference");
	/* Both verdicts must be common, or the comparison proves little. */
	CHECK(accepted > ROUNDS / 20 && accepted < ROUNDS - ROUNDS / 20, "both verdicts exercised");
}

/*
 * The widening of a receiver's window view stops short of half the
 * sequence space. Only a view already that wide gets there: the sender is
 * past its right edge (end 1000, maxend 900), and sends 900..1002.
 */
static void widening_is_clamped(void)
{
	struct xdpct_endpoint s, r;

	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	s.end = 1000;
	s.maxend = 900;
	s.maxwin = 1 << 30;
	r.maxwin = XDPCT_MAXWIN_MAX - 3;
	r.end = 5000;
	r.maxend = 5000;
	CHECK(xdpct_window_step(&s, &r, 900, 1002, 5000, 0, true, false, 5000, 5000),
	      "data beyond the right edge, in window");
	CHECK_EQ(r.maxwin, XDPCT_MAXWIN_MAX, "widened up to the clamp, not past it");
	CHECK_EQ(s.end, 1002, "the sender's end moved");
}

int main(void)
{
	RUN(window_step_equals_netfilter_compares);
	RUN(widening_is_clamped);
	return TEST_EXIT();
}
