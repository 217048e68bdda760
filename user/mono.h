/* SPDX-License-Identifier: GPL-2.0 */
/* Milliseconds of CLOCK_MONOTONIC: deadlines and rates that wall-clock steps must not move. */
#ifndef XDPCT_USER_MONO_H
#define XDPCT_USER_MONO_H

#include <linux/types.h>

__u64 mono_ms(void);

#endif /* XDPCT_USER_MONO_H */
