/* SPDX-License-Identifier: GPL-2.0 */
/* An event as the CLI shows it: `events` live, `replay` from a capture. */
#ifndef XDPCT_USER_EVENT_OUT_H
#define XDPCT_USER_EVENT_OUT_H

#include <stdio.h>
#include <xdpct/event.h>
#include "json.h"

/*
 * Its fields, "type" to "reason", into the open JSON object; "iface"
 * follows "ifindex" unless ifname is NULL.
 */
void xdpct_event_json(struct json *j, const struct xdpct_event *ev, const char *ifname);
/*
 * Its line after the time column: type, state, client -> server, both
 * endpoints' states, " on IFACE" when ifname names one, " reason R".
 */
void xdpct_event_line(FILE *out, const struct xdpct_event *ev, const char *ifname);

#endif /* XDPCT_USER_EVENT_OUT_H */
