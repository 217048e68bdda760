/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kernel and user both need before any xdpct header: fixed-width
 * types and an inline marker. BPF objects get the types from vmlinux.h,
 * which they include first; userspace gets them from the UAPI headers.
 */
#ifndef XDPCT_TYPES_H
#define XDPCT_TYPES_H

#ifdef __bpf__
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define XDPCT_INLINE static __always_inline
#else
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#define XDPCT_INLINE static inline
#endif

/*
 * Keep the compiler from dropping a mask it believes redundant: the
 * verifier tracks the masked register, not the compiler's knowledge.
 */
#ifdef __bpf__
#define XDPCT_BARRIER_VAR(v) asm volatile("" : "+r"(v))
#else
#define XDPCT_BARRIER_VAR(v) ((void)0)
#endif

/*
 * A loop the verifier walks once per iteration anyway: unrolled, its
 * copies would differ only in constants, which the verifier cannot merge.
 */
#ifdef __bpf__
#define XDPCT_NO_UNROLL _Pragma("clang loop unroll(disable)")
#else
#define XDPCT_NO_UNROLL
#endif

/* Sequence-space comparisons (RFC 9293 3.4): modulo 2^32. */
XDPCT_INLINE bool xdpct_seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

XDPCT_INLINE bool xdpct_seq_after(__u32 a, __u32 b)
{
	return (__s32)(b - a) < 0;
}

#endif /* XDPCT_TYPES_H */
