// SPDX-License-Identifier: GPL-2.0
/* The floor of `make bench`: what BPF_PROG_TEST_RUN costs with no work at all. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
