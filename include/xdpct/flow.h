/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow table's key and entry, and the names of the states both sides
 * print. One definition, shared by the BPF programs, the CLI and the tests.
 */
#ifndef XDPCT_FLOW_H
#define XDPCT_FLOW_H

#include "types.h"

/* Endpoint states as RFC 9293 3.3.2 names them, inferred from what passes. */
enum xdpct_tcp_state {
	TCP_S_CLOSED = 0,
	TCP_S_SYN_SENT,
	TCP_S_SYN_RECEIVED,
	TCP_S_ESTABLISHED,
	TCP_S_FIN_WAIT_1,
	TCP_S_FIN_WAIT_2,
	TCP_S_CLOSE_WAIT,
	TCP_S_CLOSING,
	TCP_S_LAST_ACK,
	TCP_S_TIME_WAIT,
	TCP_S__MAX,
};

/* The connection as a whole, named as netfilter conntrack names it. */
enum xdpct_ct_state {
	CT_NONE = 0,
	CT_SYN_SENT,
	CT_SYN_RECV,
	CT_ESTABLISHED,
	CT_FIN_WAIT,
	CT_CLOSE_WAIT,
	CT_LAST_ACK,
	CT_TIME_WAIT,
	CT_CLOSE,
	CT_SYN_SENT2,
	CT__MAX,
};

/* Direction of a segment relative to the flow: the client opened it. */
enum xdpct_dir {
	DIR_ORIG = 0,  /* client -> server */
	DIR_REPLY = 1, /* server -> client */
};

/*
 * Both directions must find one entry with one lookup, so the key is
 * canonical: the endpoint that sorts lower is "a". IPv4 addresses sit in
 * the first word of addr with the rest zero.
 */
struct xdpct_flow_key {
	__u32 addr_a[4];
	__u32 addr_b[4];
	__u16 port_a; /* network byte order */
	__u16 port_b;
	__u8 family; /* 4 or 6 */
	__u8 pad[3];
};

/* Per-endpoint flags. */
enum {
	EP_WSCALE = 1 << 0,   /* offered window scaling on its SYN */
	EP_SACK_PERM = 1 << 1,
	EP_TIMESTAMPS = 1 << 2,
	EP_FIN_SENT = 1 << 3, /* fin_seq is valid */
	EP_FIN_ACKED = 1 << 4,
	EP_MAXACK = 1 << 5,   /* maxack is valid: it has sent an ACK */
};

/*
 * What window tracking (netfilter's tcp_in_window) needs about one sender,
 * plus its inferred RFC state and traffic counters.
 */
struct xdpct_endpoint {
	__u32 isn;     /* initial sequence number */
	__u32 end;     /* highest seq + len sent (td_end) */
	__u32 maxend;  /* highest ack + window the peer allowed (td_maxend) */
	__u32 maxwin;  /* largest window advertised (td_maxwin), 0: unknown */
	__u32 fin_seq; /* sequence number of its FIN */
	__u16 mss;
	__u8 wscale;   /* shift applied to its windows once both agreed */
	__u8 flags;    /* EP_* */
	__u8 state;    /* enum xdpct_tcp_state */
	__u8 pad;
	/* The clock's low 16 bits when a challenge ACK was last sent in its name, 0: never. */
	__u16 challenge_at;
	__u32 maxack;  /* highest ACK it sent (td_maxack), with EP_MAXACK */
	__u64 packets;
	__u64 bytes;   /* IP bytes, as conntrack counts them */
};

/* Flow flags. */
enum {
	FLOW_CLIENT_IS_B = 1 << 0, /* key side b opened the connection */
	FLOW_SIMOPEN = 1 << 1,     /* both sides sent a SYN */
	FLOW_RST = 1 << 2,         /* closed by an accepted RST */
	FLOW_COOKIE = 1 << 3,      /* opened through a SYN cookie */
	FLOW_REOPENED = 1 << 4,    /* reopened in place by a SYN, its handshake not done */
	FLOW_MOVING = 1 << 5,      /* an embryo being moved to `flows`: stepped there only */
};

struct xdpct_flow {
	__u64 first_seen; /* xdpct clock (jiffies) */
	__u64 last_seen;
	__u64 tw_start;   /* when TIME-WAIT was entered or last restarted */
	__u32 ifindex;    /* interface that saw the first segment */
	__u8 state;       /* enum xdpct_ct_state */
	__u8 flags;       /* FLOW_* */
	__u8 pad[2];
	struct xdpct_endpoint ep[2]; /* indexed by enum xdpct_dir */
	/*
	 * The timestamp (TSval) each side's FIN carried, 0 for none: a SYN
	 * into TIME-WAIT with a newer one is a new connection even when its
	 * ISN is not beyond the old one's end (RFC 6191). Last, out of the
	 * cache lines the express lane reads.
	 */
	__u32 fin_tsval[2];
};

#ifndef __bpf__
/* Names for output; the data path never needs them. */
XDPCT_INLINE const char *xdpct_tcp_state_name(unsigned int s)
{
	static const char *const names[TCP_S__MAX] = {
		"CLOSED",     "SYN-SENT",   "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
		"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",      "LAST-ACK",    "TIME-WAIT",
	};
	return s < TCP_S__MAX ? names[s] : "?";
}

XDPCT_INLINE const char *xdpct_ct_state_name(unsigned int s)
{
	static const char *const names[CT__MAX] = {
		"NONE",     "SYN_SENT",  "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",     "SYN_SENT2",
	};
	return s < CT__MAX ? names[s] : "?";
}

#endif /* !__bpf__ */

#endif /* XDPCT_FLOW_H */
