/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the flow table, and what a flow looks like to a user. */
#ifndef XDPCT_USER_FLOWS_H
#define XDPCT_USER_FLOWS_H

#include <stddef.h>
#include <xdpct/config.h>
#include <xdpct/flow.h>
#include <xdpct/counters.h>

struct xdpct_flow_rec {
	struct xdpct_flow_key key;
	struct xdpct_flow flow;
};

/* Read every entry (batch lookups where the kernel has them). Caller frees *out. */
int xdpct_flows_read(int map_fd, struct xdpct_flow_rec **out, size_t *n);
/*
 * Both tables into one array: flows first, then embryos; *nflows of them
 * from flows (the rest from embryos, which a delete must use).
 */
int xdpct_tables_read(int flows_fd, int embryos_fd, struct xdpct_flow_rec **out, size_t *n,
		      size_t *nflows);
/* Entries of both tables per state; live[TABLE_*] per table (may be NULL). */
int xdpct_tables_count(int flows_fd, int embryos_fd, __u64 *per_state, __u64 *total,
		       __u64 *live);
/*
 * LRU evictions per table from the counters (read before live was):
 * inserted by the data path - deleted by it - deleted by userspace - live.
 * Exact when no traffic runs between the two reads, else a lower bound.
 */
void xdpct_evictions(const __u64 *cnt, const __u64 *user_removed, const __u64 *live,
		     __u64 *evicted);

/* Count the entries, and per enum xdpct_ct_state (per_state[CT__MAX]). */
int xdpct_flows_count(int map_fd, __u64 *per_state, __u64 *total);

/* The client's and server's address/port of a flow, as strings. */
void xdpct_flow_endpoints(const struct xdpct_flow_key *k, const struct xdpct_flow *f,
			  char *src, size_t srclen, __u16 *sport, char *dst, size_t dstlen,
			  __u16 *dport);

/* Age and time left of an entry, in ms; time left is 0 once due. */
__u64 xdpct_flow_age_ms(const struct xdpct_flow *f, __u64 now, __u32 hz);
__u64 xdpct_flow_expires_ms(const struct xdpct_flow *f, const struct xdpct_config *cfg,
			    __u64 now);

/* Format one address of a key side (4 words, family 4 or 6). */
void xdpct_addr_str(const __u32 *addr, int family, char *buf, size_t len);

#endif /* XDPCT_USER_FLOWS_H */
