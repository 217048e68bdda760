// SPDX-License-Identifier: GPL-2.0
/*
 * The calibration program of `make bench`: what any tracker that keeps
 * one entry per flow must pay at least. It parses Ethernet, IPv4 or IPv6
 * and TCP (no VLANs, no extension headers, no options), looks the flow up
 * once in an LRU hash with xdpct's key and entry types and the same number
 * of entries, and writes a jiffies timestamp into the entry it finds.
 * Nothing else: no canonical key, no state machine, no lock, no counters.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdpct/flow.h>
#include <xdpct/parse.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 20); /* set to the flow table's size before load */
	__type(key, struct xdpct_flow_key);
	__type(value, struct xdpct_flow);
} calib_flows SEC(".maps");

SEC("xdp")
int bench_calib(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xdpct_eth *eth = data;
	struct xdpct_flow_key key = {};
	struct xdpct_tcp *th;
	struct xdpct_flow *f;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->proto == xdpct_htons(XDPCT_ETH_P_IP)) {
		struct xdpct_ip4 *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end || ip->protocol != XDPCT_IPPROTO_TCP)
			return XDP_PASS;
		key.addr_a[0] = ip->saddr;
		key.addr_b[0] = ip->daddr;
		key.family = 4;
		th = (void *)ip + (ip->ver_ihl & 0x0f) * 4;
	} else if (eth->proto == xdpct_htons(XDPCT_ETH_P_IPV6)) {
		struct xdpct_ip6 *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != XDPCT_IPPROTO_TCP)
			return XDP_PASS;
		__builtin_memcpy(key.addr_a, ip6->saddr, 16);
		__builtin_memcpy(key.addr_b, ip6->daddr, 16);
		key.family = 6;
		th = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if ((void *)(th + 1) > data_end)
		return XDP_PASS;
	key.port_a = th->sport;
	key.port_b = th->dport;
	f = bpf_map_lookup_elem(&calib_flows, &key);
	if (f)
		f->last_seen = bpf_jiffies64();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
