/* SPDX-License-Identifier: GPL-2.0 */
/* The maps the data path shares with the daemon and the CLI (pinned by the loader). */
#ifndef XDPCT_BPF_MAPS_H
#define XDPCT_BPF_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdpct/config.h>
#include <xdpct/counters.h>
#include <xdpct/event.h>
#include <xdpct/flow.h>

/* Default sizes; the loader resizes before load. */
#define XDPCT_FLOWS_DEFAULT (1 << 20)
#define XDPCT_RINGBUF_DEFAULT (1 << 20)
#define XDPCT_EMBRYOS_DEFAULT (XDPCT_FLOWS_DEFAULT / 4)
/*
 * LRU hashes cannot hold a bpf_spin_lock, so flows are serialised through
 * a striped lock array: two directions of one flow on two CPUs take the
 * same stripe. 4096 stripes keep unrelated flows from waiting on each other.
 */
#define XDPCT_LOCK_STRIPES 4096

struct xdpct_lock {
	struct bpf_spin_lock lock;
};

/* All counters of one CPU in one slot: one lookup per packet. */
struct xdpct_counters {
	__u64 c[CNT__MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_FLOWS_DEFAULT);
	__type(key, struct xdpct_flow_key);
	__type(value, struct xdpct_flow);
} flows SEC(".maps");

/*
 * Flows still in the handshake (SYN_SENT, SYN_RECV, SYN_SENT2, and a
 * handshake closed by RST) live in their own LRU: a SYN flood evicts
 * other embryos, never a synchronized flow. A flow moves to `flows` when
 * its handshake completes (xdpct_track()). Lookups try `flows` first.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_EMBRYOS_DEFAULT);
	__type(key, struct xdpct_flow_key);
	__type(value, struct xdpct_flow);
} embryos SEC(".maps");

/*
 * Entries userspace deleted, per table (enum xdpct_table), added to with
 * atomics through mmap: with the data path's counters this makes LRU
 * evictions countable (inserted - deleted - live).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xdpct_user_removed);
} user_removed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPCT_LOCK_STRIPES);
	__type(key, __u32);
	__type(value, struct xdpct_lock);
} flow_locks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_config);
} config_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XDPCT_RINGBUF_DEFAULT);
} events SEC(".maps");

/* Room to build a new flow entry: the BPF stack has 512 bytes in all. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_flow);
} new_flow SEC(".maps");

/* Per-port policy, indexed by the server's port in host order (PORT_* flags). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} ports SEC(".maps");

/* Interfaces xdpct is attached to (ifindex -> flags), for the egress hook. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} ifaces SEC(".maps");

#endif /* XDPCT_BPF_MAPS_H */
