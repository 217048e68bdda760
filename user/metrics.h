/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's stats in the Prometheus text exposition format (0.0.4),
 * served over HTTP on a listen address given to attach or daemon
 * (--metrics-listen; off unless set, loopback when only a port is given).
 */
#ifndef XDPCT_USER_METRICS_H
#define XDPCT_USER_METRICS_H

#include <stddef.h>
#include <stdio.h>
#include "instance.h"
#include "ipc.h"

/* The daemon's record of its listen address, in its run directory. */
#define METRICS_FILE "metrics-listen"

/* Check "ADDR:PORT", "[V6]:PORT", "PORT" (127.0.0.1) or "off"; 0 or -EINVAL with why. */
int metrics_addr_check(const char *spec, char *why, size_t len);
/*
 * The address to serve on: given (remembered for the next daemon; "off"
 * forgets it), else the one remembered, else NULL (off).
 */
const char *metrics_remember(const char *run_dir, const char *given);
/* A listening, non-blocking TCP socket on spec; fd or -errno. */
int metrics_listen(const char *spec);
/* Write the exposition: data path counters, flows per interface and state, the daemon's own. */
int metrics_render(FILE *out, const struct xdpct_instance *in, const struct ipc_status *st);
/* Answer every connection waiting on lfd (GET /metrics), one at a time. */
void metrics_serve(int lfd, const struct xdpct_instance *in, const struct ipc_status *st);

#endif /* XDPCT_USER_METRICS_H */
