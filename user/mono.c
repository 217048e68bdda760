// SPDX-License-Identifier: GPL-2.0
/* user/mono.h */
#include <time.h>
#include "mono.h"

__u64 mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}
