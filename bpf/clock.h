/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one function for "now". jiffies cost about 2 ns against 45 for
 * bpf_ktime_get_ns(), and timeouts need no better than a tick.
 */
#ifndef XDPCT_BPF_CLOCK_H
#define XDPCT_BPF_CLOCK_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdpct/config.h>

/*
 * Set before load by what drives time itself: replay, where a capture's
 * own timestamps are the clock, and the packet tests, which step it a tick
 * at a time (config clock_override). A live instance leaves it false; the
 * value is read-only once loaded, so the verifier drops the override's
 * branch there and "now" is one read of jiffies, with no config lookup.
 */
const volatile bool xdpct_clock_from_config = false;

static __always_inline __u64 xdpct_now(const struct xdpct_config *cfg)
{
	if (xdpct_clock_from_config && cfg && cfg->clock_override)
		return cfg->clock_override;
	return bpf_jiffies64();
}

#endif /* XDPCT_BPF_CLOCK_H */
