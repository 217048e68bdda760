/* SPDX-License-Identifier: GPL-2.0 */
/* What `replay` shares with the other commands: the flow table as `list` prints it, the counters as `stats` does. */
#ifndef XDPCT_USER_REPLAY_H
#define XDPCT_USER_REPLAY_H

#include <stddef.h>
#include "flows.h"
#include "json.h"

/* The flows as `list -j` prints them: an array under key (NULL inside arrays or at the top). */
void xdpct_list_json(struct json *j, const char *key, const struct xdpct_flow_rec *v, size_t n,
		     const struct xdpct_config *cfg, __u64 now);
/* The flows as `list` prints them, with the count line. */
void xdpct_list_table(const struct xdpct_flow_rec *v, size_t n, const struct xdpct_config *cfg,
		      __u64 now);

/* Flows per state and the counters, as `stats -j` prints them (two keys of the open object). */
void xdpct_stats_json(struct json *j, const __u64 *per_state, const __u64 *cnt);
/* The same as `stats` prints them: the "flows N: STATE=n ..." line. */
void xdpct_stats_states(__u64 total, const __u64 *per_state);
/* ... and one line per counter. */
void xdpct_stats_counters(const __u64 *cnt);

/* A capture (pcap or pcapng) read through libpcap: user/replay_pcap.c. */
struct replay_cap;
/* 0, or -1 with the reason (missing file, not a capture, unknown link type) in why. */
int replay_cap_open(const char *path, struct replay_cap **out, char *why, size_t len);
/*
 * 1 with the next frame, 0 at the end, -1 on an error (a truncated file):
 * see replay_cap_error. len is the frame's length on the wire, more than
 * caplen when the capture cut it (its snaplen).
 */
int replay_cap_next(struct replay_cap *c, unsigned long long *ts_ns, const unsigned char **data,
		    size_t *caplen, size_t *len);
const char *replay_cap_error(struct replay_cap *c);
void replay_cap_close(struct replay_cap *c);
/*
 * Whether the link type says which way each frame went: Linux cooked
 * captures (tcpdump -i any) mark what the host sent as outgoing.
 */
int replay_cap_knows_direction(const struct replay_cap *c);
/* 1 when the capture marks the frame as sent by the capturing host. */
int replay_cap_outgoing(const struct replay_cap *c, const unsigned char *pkt, size_t len);
/* The frame as Ethernet in buf (length returned); 0 when it does not fit or carries nothing. */
size_t replay_cap_ethernet(const struct replay_cap *c, const unsigned char *pkt, size_t len,
			   unsigned char *buf, size_t cap);

#endif /* XDPCT_USER_REPLAY_H */
