// SPDX-License-Identifier: GPL-2.0
/*
 * The generator of the forwarding bench (tests/bench/forward.sh), run with
 * BPF_PROG_TEST_RUN live frames. Live frames recycle their pages, and the
 * router rewrote the last use's MACs and TTL: put the original headers
 * back, then go on to the program under test (slot 0 of `next`: xdpct's
 * XDP program, or nothing) as if it ran first.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define HEAD_LEN 54 /* Ethernet + IPv4 + TCP, no options */

/* Set by bench before load; writable, so the compiler cannot fold it to zeros. */
__u8 head[HEAD_LEN];

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} next SEC(".maps");

SEC("xdp")
int bench_fixer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + HEAD_LEN > data_end)
		return XDP_PASS;
	__builtin_memcpy(data, head, HEAD_LEN);
	bpf_tail_call(ctx, &next, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
