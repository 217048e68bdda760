/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internet checksums (RFC 1071) for the frames the responder writes. Words
 * are summed as loaded; the one's complement sum does not care about byte
 * order as long as the result is stored the same way.
 */
#ifndef XDPCT_BPF_CSUM_H
#define XDPCT_BPF_CSUM_H

#include "vmlinux.h"
#include <xdpct/parse.h>

/* The longest header the responder checksums: TCP with 20 bytes of options. */
#define XDPCT_CSUM_MAX_WORDS 10

static __always_inline __u16 xdpct_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Sum `words` 32-bit words from p; each read is checked against data_end. */
static __always_inline __u64 xdpct_csum_words(const __u32 *p, __u32 words, const void *data_end)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < XDPCT_CSUM_MAX_WORDS; i++) {
		if (i >= words || (const void *)(p + i + 1) > data_end)
			break;
		sum += p[i];
	}
	return sum;
}

/* The TCP pseudo-header (RFC 9293 3.1, RFC 8200 8.1): addresses, protocol, length. */
static __always_inline __u64 xdpct_csum_pseudo(const __u32 *saddr, const __u32 *daddr,
					       int family, __u32 tcp_len)
{
	__u64 sum = xdpct_htons((__u16)(XDPCT_IPPROTO_TCP + tcp_len));
	int i;

	if (family == 4)
		return sum + saddr[0] + daddr[0];
#pragma unroll
	for (i = 0; i < 4; i++)
		sum += (__u64)saddr[i] + daddr[i];
	return sum;
}

#endif /* XDPCT_BPF_CSUM_H */
