/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live configuration: one struct in a one-slot array map. The CLI writes it
 * whole, the programs read it on every packet, so a change takes effect on
 * the next packet without a reload.
 */
#ifndef XDPCT_CONFIG_H
#define XDPCT_CONFIG_H

#include "flow.h"

enum xdpct_policy {
	POLICY_PASS = 0,   /* track only: a tracker must never break traffic */
	POLICY_STRICT = 1, /* drop invalid segments */
	POLICY_REJECT = 2, /* strict, and answer unknown flows on protected ports with RST */
};

/* Flags of struct xdpct_config.flags. */
enum {
	CFG_SYNCOOKIES = 1 << 0, /* answer SYNs to protected ports with cookies */
	CFG_TW_REACK = 1 << 1,   /* re-ACK FINs retransmitted into TIME-WAIT */
	CFG_CHALLENGE_ACK = 1 << 2,
};

/* Flags of the ports map, indexed by the server's port. */
enum {
	PORT_PROTECTED = 1 << 0, /* SYN cookies, and RST for unknown flows under reject */
};

struct xdpct_config {
	__u32 policy;     /* enum xdpct_policy */
	__u32 flags;      /* CFG_* */
	__u32 event_mask; /* 1 << enum xdpct_event_type */
	__u32 hz;         /* kernel HZ: the clock's ticks per second */
	__u64 msl_ms;     /* maximum segment lifetime; TIME-WAIT lasts 2 * msl */
	__u64 timeout_ms[CT__MAX];
	/* The same timeouts in clock ticks, derived by whoever writes ms. */
	__u64 timeout_ticks[CT__MAX];
	__u32 challenge_ack_per_sec;
	__u8 ttl;         /* TTL / hop limit of responses */
	/*
	 * Window scale a cookie SYN+ACK announces: the host's own, which it
	 * derives from max(tcp_rmem[2], rmem_max) as ilog2(that) - 15 when it
	 * rebuilds the connection from the cookie. 0: use 7 (Linux's default).
	 */
	__u8 cookie_wscale;
	__u8 pad[2];
	/*
	 * Nonzero: "now" for the data path, in programs loaded to read it
	 * (bpf/clock.h): replay drives time from a capture, the packet tests
	 * step it. A live instance ignores it.
	 */
	__u64 clock_override;
};

#endif /* XDPCT_CONFIG_H */
