/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring-buffer record: one fixed-size struct per state change, written
 * by the data path (and by the daemon for "destroyed"), read by the daemon.
 */
#ifndef XDPCT_EVENT_H
#define XDPCT_EVENT_H

#include "flow.h"

enum xdpct_event_type {
	EV_NONE = 0,
	EV_NEW,          /* first SYN of a flow */
	EV_ESTABLISHED,  /* both endpoints ESTABLISHED */
	EV_FIN,          /* first FIN of the flow */
	EV_TIME_WAIT,    /* an endpoint entered TIME-WAIT */
	EV_TW_RESTART,   /* a FIN retransmitted into TIME-WAIT restarted 2MSL */
	EV_CLOSED,       /* accepted RST */
	EV_INVALID,      /* a segment judged invalid (reason says why) */
	EV_REOPENED,     /* a new SYN took over a TIME-WAIT or closed flow */
	EV_DESTROYED,    /* the daemon removed the entry (expiry, flush) */
	EV_RESPONSE,     /* the data path answered with XDP_TX */
	EV__MAX,
};

/* Why a segment was invalid; 0 means valid. Order matches CNT_INV_*. */
enum xdpct_invalid {
	INV_NONE = 0,
	INV_BAD_FLAGS,      /* SYN+FIN, SYN+RST, no flags, FIN without ACK ... */
	INV_NO_FLOW,        /* not a SYN, and no flow */
	INV_OUT_OF_WINDOW,  /* fails tcp_in_window */
	INV_BAD_SYNACK,     /* SYN+ACK that does not ack the SYN */
	INV_BAD_ACK,        /* ack of something never sent */
	INV_RST_OUT_OF_WINDOW,
	INV_RST_IN_WINDOW,  /* RFC 5961: in window but not exact: challenge */
	INV_SYN_ON_OPEN,    /* SYN on a synchronized flow: challenge */
	INV_OLD_SYN,        /* SYN into TIME-WAIT with an ISN not beyond the old one */
	INV_UNEXPECTED,     /* segment the state does not allow */
	INV__MAX,
};

/* Event mask bits for config: 1 << enum xdpct_event_type. */
#define XDPCT_EVENTS_DEFAULT                                                     \
	((1u << EV_NEW) | (1u << EV_ESTABLISHED) | (1u << EV_FIN) |              \
	 (1u << EV_TIME_WAIT) | (1u << EV_TW_RESTART) | (1u << EV_CLOSED) |      \
	 (1u << EV_REOPENED) | (1u << EV_DESTROYED) | (1u << EV_RESPONSE))

struct xdpct_event {
	__u64 time;     /* xdpct clock (jiffies) */
	struct xdpct_flow_key key;
	__u32 ifindex;
	__u8 type;      /* enum xdpct_event_type */
	__u8 state;     /* enum xdpct_ct_state after the segment */
	__u8 client_state;
	__u8 server_state;
	__u8 reason;    /* enum xdpct_invalid for EV_INVALID, else detail */
	__u8 dir;       /* enum xdpct_dir of the segment */
	__u8 client_is_b;
	__u8 pad;
};

/* What the data path answered: the reason of an EV_RESPONSE event. */
enum xdpct_response {
	RESPONSE_NONE = 0,
	RESPONSE_COOKIE_SYNACK, /* SYN+ACK carrying a SYN cookie */
	RESPONSE_TW_REACK,      /* ACK of a FIN retransmitted into TIME-WAIT */
	RESPONSE_RST,           /* RST for a segment of no known flow (policy reject) */
	RESPONSE_CHALLENGE_ACK, /* RFC 5961 challenge ACK */
	RESPONSE__MAX,
};

#ifndef __bpf__
XDPCT_INLINE const char *xdpct_response_name(unsigned int r)
{
	static const char *const names[RESPONSE__MAX] = {
		"none", "cookie-synack", "time-wait-reack", "rst", "challenge-ack",
	};
	return r < RESPONSE__MAX ? names[r] : "?";
}

XDPCT_INLINE const char *xdpct_event_name(unsigned int t)
{
	static const char *const names[EV__MAX] = {
		"none",      "new",     "established", "fin",       "time-wait", "tw-restart",
		"closed",    "invalid", "reopened",    "destroyed", "response",
	};
	return t < EV__MAX ? names[t] : "?";
}

XDPCT_INLINE const char *xdpct_invalid_name(unsigned int r)
{
	static const char *const names[INV__MAX] = {
		"none",          "bad-flags",          "no-flow",           "out-of-window",
		"bad-synack",    "bad-ack",            "rst-out-of-window", "rst-in-window",
		"syn-on-open",   "old-syn",            "unexpected",
	};
	return r < INV__MAX ? names[r] : "?";
}
#endif

#endif /* XDPCT_EVENT_H */
