// SPDX-License-Identifier: GPL-2.0
/* An event as the CLI shows it (user/event_out.h). */
#include <arpa/inet.h>
#include "event_out.h"
#include "flows.h"
#include "ipc.h"

struct event_text {
	char src[64], dst[64], reason[32];
	__u16 sport, dport;
};

/* The client's side first, as `list` shows a flow; the reason by event type. */
static void event_text(const struct xdpct_event *ev, struct event_text *t)
{
	const struct xdpct_flow_key *k = &ev->key;

	xdpct_addr_str(ev->client_is_b ? k->addr_b : k->addr_a, k->family, t->src, sizeof(t->src));
	xdpct_addr_str(ev->client_is_b ? k->addr_a : k->addr_b, k->family, t->dst, sizeof(t->dst));
	t->sport = ntohs(ev->client_is_b ? k->port_b : k->port_a);
	t->dport = ntohs(ev->client_is_b ? k->port_a : k->port_b);
	t->reason[0] = 0;
	if (ev->type == EV_INVALID)
		snprintf(t->reason, sizeof(t->reason), "%s", xdpct_invalid_name(ev->reason));
	else if (ev->type == EV_DESTROYED)
		snprintf(t->reason, sizeof(t->reason), "%s",
			 ev->reason == DESTROY_DELETED ? "deleted" : "expired");
	else if (ev->type == EV_RESPONSE)
		snprintf(t->reason, sizeof(t->reason), "%s", xdpct_response_name(ev->reason));
}

void xdpct_event_json(struct json *j, const struct xdpct_event *ev, const char *ifname)
{
	struct event_text t;

	event_text(ev, &t);
	json_str(j, "type", xdpct_event_name(ev->type));
	json_u64(j, "clock", ev->time); /* data path ticks (jiffies) */
	json_u64(j, "family", ev->key.family);
	json_str(j, "src", t.src);
	json_u64(j, "sport", t.sport);
	json_str(j, "dst", t.dst);
	json_u64(j, "dport", t.dport);
	json_str(j, "state", xdpct_ct_state_name(ev->state));
	json_str(j, "client_state", xdpct_tcp_state_name(ev->client_state));
	json_str(j, "server_state", xdpct_tcp_state_name(ev->server_state));
	json_u64(j, "ifindex", ev->ifindex);
	if (ifname)
		json_str(j, "iface", ifname);
	if (ev->type != EV_DESTROYED)
		json_str(j, "dir", ev->dir == DIR_REPLY ? "reply" : "orig");
	if (t.reason[0])
		json_str(j, "reason", t.reason);
}

void xdpct_event_line(FILE *out, const struct xdpct_event *ev, const char *ifname)
{
	const char *fmt = ev->key.family == 6 ? "[%s]:%u" : "%s:%u";
	struct event_text t;
	char a[96], b[96];

	event_text(ev, &t);
	snprintf(a, sizeof(a), fmt, t.src, t.sport);
	snprintf(b, sizeof(b), fmt, t.dst, t.dport);
	fprintf(out, "%-12s %-11s %s -> %s client %s server %s%s%s%s%s\n", xdpct_event_name(ev->type),
		xdpct_ct_state_name(ev->state), a, b, xdpct_tcp_state_name(ev->client_state),
		xdpct_tcp_state_name(ev->server_state), ifname && *ifname ? " on " : "",
		ifname ? ifname : "", t.reason[0] ? " reason " : "", t.reason);
}
