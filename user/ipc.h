/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's unix socket (root only: the directory is 0700, the socket
 * 0600). SOCK_SEQPACKET keeps every message whole. A reader subscribes and
 * then receives events; flush and delete publish "destroyed" events through
 * it; status asks the daemon about itself.
 */
#ifndef XDPCT_USER_IPC_H
#define XDPCT_USER_IPC_H

#include <linux/types.h>
#include <xdpct/event.h>
#include "instance.h"

#define XDPCT_SOCK_NAME "events.sock"
#define XDPCT_PID_NAME "daemon.pid"
#define XDPCT_LOG_NAME "daemon.log"

enum ipc_op {
	IPC_SUBSCRIBE = 1, /* reader -> daemon: send me events */
	IPC_EVENT,         /* daemon -> reader; publisher -> daemon (fanned out) */
	IPC_STATUS,        /* -> daemon: reply with IPC_STATUS_REPLY */
	IPC_STATUS_REPLY,
	IPC_LOST,          /* daemon -> reader: ev.time holds how many events it missed */
};

/* Detail (struct xdpct_event.reason) of a "destroyed" event. */
enum {
	DESTROY_EXPIRED = 0, /* timed out: 2MSL in TIME-WAIT, else idle */
	DESTROY_DELETED = 1, /* xdpct flush / delete */
};

/* The "destroyed" event of the entry (k, f), removed at data path tick time for reason DESTROY_*. */
struct xdpct_event xdpct_destroyed_event(const struct xdpct_flow_key *k, const struct xdpct_flow *f,
					 __u64 time, __u8 reason);

struct ipc_status {
	__s64 pid;
	__u64 started;         /* unix time, seconds */
	__u64 readers;
	__u64 timers;          /* TIME-WAIT timers pending */
	__u64 events;          /* read from the ring buffer */
	__u64 destroyed;       /* entries removed by the daemon */
	__u64 sweeps;
	__u64 last_sweep_us;   /* CPU time of the last sweep */
	__u64 last_sweep_seen; /* entries it looked at */
	__u64 reader_drops;    /* events a slow reader missed */
	__u64 sweep_interval_ms;
};

struct ipc_msg {
	__u32 op;
	__u32 pad;
	union {
		struct xdpct_event ev;
		struct ipc_status st;
	};
};

/* Connect to the daemon of this namespace; -ENOENT / -ECONNREFUSED when none runs. */
int ipc_connect(const struct xdpct_instance *in);
int ipc_send(int fd, const struct ipc_msg *m);
/* Ask the daemon for its status (with a 2 s timeout). */
int ipc_status(const struct xdpct_instance *in, struct ipc_status *st);
/* Hand "destroyed" events to the daemon's readers; no-op without a daemon. */
void ipc_publish(const struct xdpct_event *ev, size_t n);

/* The daemon's pid when one runs for this instance, else 0. */
long xdpct_daemon_pid(const struct xdpct_instance *in);

#endif /* XDPCT_USER_IPC_H */
