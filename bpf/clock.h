/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one function for "now". jiffies cost about 2 ns against 45 for
 * bpf_ktime_get_ns(), and timeouts need no better than a tick. Replay sets
 * clock_override so that a capture's own timestamps drive time.
 */
#ifndef XDPCT_BPF_CLOCK_H
#define XDPCT_BPF_CLOCK_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdpct/config.h>

static __always_inline __u64 xdpct_now(const struct xdpct_config *cfg)
{
	return cfg->clock_override ? cfg->clock_override : bpf_jiffies64();
}

#endif /* XDPCT_BPF_CLOCK_H */
