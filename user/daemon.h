/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon: owns the ring buffer, fans events out to readers, and removes
 * entries that timed out: TIME-WAIT by timers armed from the events, every
 * other state (and anything an event was lost for) by a periodic batch sweep.
 * Its state is the pinned maps, so a new daemon takes over after a crash.
 */
#ifndef XDPCT_USER_DAEMON_H
#define XDPCT_USER_DAEMON_H

#include <stdbool.h>
#include <linux/types.h>
#include "instance.h"

struct xdpct_daemon_opts {
	bool foreground;      /* log to stderr and stay in this process */
	bool detach_on_exit;  /* on SIGINT/SIGTERM, detach everything too */
	__u64 sweep_ms;       /* 0: half the shortest timeout, within 100 ms .. 5 s */
	const char *metrics_listen; /* serve Prometheus metrics there (user/metrics.h); NULL: off */
};

/*
 * Start the daemon for the instance of this namespace. In the background
 * it returns once the daemon is ready (socket listening, first sweep done);
 * in the foreground it returns when the daemon stops. -EALREADY when one runs.
 */
int xdpct_daemon_start(const struct xdpct_daemon_opts *opts);
/*
 * The foreground daemon in two steps, for attach: get ready (pid file,
 * socket, metrics, first sweep; 0 or a negative errno, the reason logged),
 * so that a daemon that cannot start leaves attach free to undo itself;
 * then serve until stopped.
 */
int xdpct_daemon_prepare(const struct xdpct_daemon_opts *opts);
void xdpct_daemon_serve_prepared(void);
/* The one line for -EALREADY: "daemon: already running (pid N)". */
void xdpct_daemon_said_running(const struct xdpct_instance *in);
/* SIGTERM the daemon and wait for it (up to 5 s); 0 when none ran. */
int xdpct_daemon_stop(const struct xdpct_instance *in);
/*
 * After the daemon stopped and the pins went: remove what it kept for the
 * namespace (log, metrics address, and the pid file and socket a killed
 * daemon left) and its directory under /run/xdpct. Nothing while a daemon
 * holds the pid file.
 */
void xdpct_daemon_forget(const struct xdpct_instance *in);

/* Would the data path and the daemon call this entry timed out at now? */
bool xdpct_flow_expired(const struct xdpct_flow *f, const struct xdpct_config *cfg, __u64 now);

/* Min-heap of TIME-WAIT timers, keyed by due time (clock ticks). */
struct tw_timer {
	__u64 due;
	struct xdpct_flow_key key;
};

struct tw_heap {
	struct tw_timer *v;
	size_t n, cap;
};

int tw_heap_push(struct tw_heap *h, __u64 due, const struct xdpct_flow_key *key);
/* The earliest timer, or NULL when empty. */
const struct tw_timer *tw_heap_top(const struct tw_heap *h);
void tw_heap_pop(struct tw_heap *h);
void tw_heap_free(struct tw_heap *h);

#endif /* XDPCT_USER_DAEMON_H */
