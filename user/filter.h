/* SPDX-License-Identifier: GPL-2.0 */
/* Flow filters shared by list, events and flush: state, address or prefix, port, interface. */
#ifndef XDPCT_USER_FILTER_H
#define XDPCT_USER_FILTER_H

#include <stdbool.h>
#include <xdpct/flow.h>
#include "cli.h"

enum { OPT_F_STATE = 's', OPT_F_ADDR = 'a', OPT_F_PORT = 'p', OPT_F_IFACE = 'i' };

#define FILTER_OPTS                                                                       \
	{ "state", OPT_F_STATE, "STATE", "only flows in STATE (ESTABLISHED, time-wait ...)" }, \
	{ "addr", OPT_F_ADDR, "ADDR[/LEN]", "only flows with an endpoint in this address or prefix" }, \
	{ "port", OPT_F_PORT, "PORT", "only flows with an endpoint on PORT" },              \
	{ "iface", OPT_F_IFACE, "IFACE", "only flows first seen on IFACE" }

struct flow_filter {
	int state;           /* enum xdpct_ct_state, -1: any */
	int family;          /* 0: no address filter */
	__u8 addr[16];
	int plen;
	int port;            /* -1: any */
	unsigned int ifindex; /* 0: any */
	unsigned int given;  /* which filter options were seen (filter.c): each takes one value */
};

void filter_init(struct flow_filter *f);
/*
 * Handle one filter option; 1 when it was one, 0 when not, -EXIT_USAGE after a
 * usage error. An option given twice is one: a second --port would otherwise
 * replace the first, where a reader may take it for "either port".
 */
int filter_opt(struct flow_filter *f, int key, const char *arg, const struct cli_cmd *cmd);
bool filter_match(const struct flow_filter *f, const struct xdpct_flow_key *k, unsigned int state,
		  unsigned int ifindex);
/* "time-wait", "TIME_WAIT" -> CT_TIME_WAIT; -1 when not a state. */
int ct_state_parse(const char *s);

#endif /* XDPCT_USER_FILTER_H */
