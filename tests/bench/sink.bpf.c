// SPDX-License-Identifier: GPL-2.0
/* The far end of the forwarding bench: drops what reaches it, so the server costs nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
