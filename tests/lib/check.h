/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C tests' assertions. Each test prints exactly one result line,
 * "PASS name", "FAIL name" or "SKIP name: why", which tests/run counts;
 * a failed check first prints what it expected and what it got.
 */
#ifndef XDPCT_TEST_CHECK_H
#define XDPCT_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static const char *t_name;
static int t_failed;
static int t_skipped;
static int t_any_failed;

#define CHECK(cond, what)                                                             \
	do {                                                                          \
		if (!(cond)) {                                                        \
			printf("  %s:%d: %s: check failed: %s\n", __FILE__, __LINE__, \
			       what, #cond);                                          \
			t_failed = 1;                                                 \
		}                                                                     \
	} while (0)

#define CHECK_EQ(got, want, what)                                                      \
	do {                                                                           \
		unsigned long long g_ = (unsigned long long)(got);                     \
		unsigned long long w_ = (unsigned long long)(want);                    \
		if (g_ != w_) {                                                        \
			printf("  %s:%d: %s: expected %llu (%#llx), got %llu (%#llx)\n", \
			       __FILE__, __LINE__, what, w_, w_, g_, g_);              \
			t_failed = 1;                                                  \
		}                                                                      \
	} while (0)

#define CHECK_STR(got, want, what)                                                    \
	do {                                                                          \
		const char *g_ = (got), *w_ = (want);                                 \
		if (strcmp(g_, w_)) {                                                 \
			printf("  %s:%d: %s: expected %s, got %s\n", __FILE__, __LINE__, \
			       what, w_, g_);                                         \
			t_failed = 1;                                                 \
		}                                                                     \
	} while (0)

/* Stop the current test: a later check would only repeat the failure. */
#define REQUIRE(cond, what)                                                           \
	do {                                                                          \
		CHECK(cond, what);                                                    \
		if (t_failed)                                                         \
			return;                                                       \
	} while (0)

#define SKIP(why)                                                                     \
	do {                                                                          \
		printf("SKIP %s: %s\n", t_name, why);                                 \
		t_skipped = 1;                                                        \
		return;                                                               \
	} while (0)

#define RUN(fn)                                                                       \
	do {                                                                          \
		t_name = #fn;                                                         \
		t_failed = t_skipped = 0;                                             \
		fn();                                                                 \
		if (t_failed) {                                                       \
			printf("FAIL %s\n", t_name);                                  \
			t_any_failed = 1;                                             \
		} else if (!t_skipped) {                                              \
			printf("PASS %s\n", t_name);                                  \
		}                                                                     \
		fflush(stdout);                                                       \
	} while (0)

#define TEST_EXIT() (t_any_failed ? 1 : 0)

#endif /* XDPCT_TEST_CHECK_H */
