/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's stats in the Prometheus text exposition format (0.0.4),
 * served over HTTP on a listen address given to attach or daemon
 * (--metrics-listen; off unless set, loopback when only a port is given).
 */
#ifndef XDPCT_USER_METRICS_H
#define XDPCT_USER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "instance.h"
#include "ipc.h"

/* The daemon's record of its listen address, in its run directory. */
#define METRICS_FILE "metrics-listen"

/* Check "ADDR:PORT", "[V6]:PORT", "PORT" (127.0.0.1) or "off"; 0 or -EINVAL with why. */
int metrics_addr_check(const char *spec, char *why, size_t len);
/* Remember the address for the next daemon ("off" forgets it). */
void metrics_remember(const char *run_dir, const char *given);
/* The address remembered, or NULL (off). */
const char *metrics_remembered(const char *run_dir);
/* Do two specs name one socket address ("9100" is "127.0.0.1:9100")? */
bool metrics_addr_same(const char *a, const char *b);
/* A listening, non-blocking TCP socket on spec; fd or -errno. */
int metrics_listen(const char *spec);
/* Write the exposition: data path counters, flows per interface and state, the daemon's own. */
int metrics_render(FILE *out, const struct xdpct_instance *in, const struct ipc_status *st);

/* The endpoint in the daemon's epoll loop (user/metrics_http.c). */
#define METRICS_CONNS_MAX 16
#define METRICS_CONN_MS 2000 /* a connection's whole life: request and reply */

struct metrics_conn {
	int fd;
	size_t got;        /* request bytes read */
	char req[1024];
	char *out;         /* the reply, once the request line is in */
	size_t out_len, out_off;
	bool draining;     /* the reply is out: reading until the client closes */
	__u64 deadline_ms; /* CLOCK_MONOTONIC */
};

struct metrics_server {
	int lfd, epfd;
	__u8 tag; /* epoll data: fd << 8 | tag, for the listener and each connection */
	int n;
	struct metrics_conn c[METRICS_CONNS_MAX];
};

/* Listen on spec and add the listener to epfd; 0 or -errno. */
int metrics_server_open(struct metrics_server *m, const char *spec, int epfd, __u8 tag);
void metrics_server_close(struct metrics_server *m);
/* An epoll event whose data carried the server's tag: fd is the listener or a connection. */
void metrics_server_event(struct metrics_server *m, int fd, __u32 events,
			  const struct xdpct_instance *in, const struct ipc_status *st);
/* Close the connections past their deadline; ms until the next one, or -1. */
int metrics_server_expire(struct metrics_server *m);

#endif /* XDPCT_USER_METRICS_H */
