// SPDX-License-Identifier: GPL-2.0
/* The JSON emitter's strings (user/json.c): escapes, and valid UTF-8 whatever the bytes. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "json.h"

/* The document {"k":S} as json_str() writes it. */
static char *doc(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "k", s);
	json_obj_end(&j);
	json_end(&j);
	fclose(f);
	return buf;
}

static void escapes_quote_backslash_and_controls(void)
{
	CHECK_STR(doc("veth0"), "{\"k\":\"veth0\"}\n", "plain");
	CHECK_STR(doc("q\"x\\y"), "{\"k\":\"q\\\"x\\\\y\"}\n", "quote and backslash");
	CHECK_STR(doc("a\tb\x01"), "{\"k\":\"a\\u0009b\\u0001\"}\n", "controls");
}

static void valid_utf8_passes_invalid_bytes_become_fffd(void)
{
	CHECK_STR(doc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		  "{\"k\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}\n", "two, three, four bytes");
	CHECK_STR(doc("z\xffw"), "{\"k\":\"z\\ufffdw\"}\n", "0xff");
	CHECK_STR(doc("\xc3"), "{\"k\":\"\\ufffd\"}\n", "cut short at the end");
	CHECK_STR(doc("\xc0\xaf"), "{\"k\":\"\\ufffd\\ufffd\"}\n", "overlong two bytes");
	CHECK_STR(doc("\xe0\x80\xaf"), "{\"k\":\"\\ufffd\\ufffd\\ufffd\"}\n", "overlong three");
	CHECK_STR(doc("\xed\xa0\x80"), "{\"k\":\"\\ufffd\\ufffd\\ufffd\"}\n", "surrogate");
	CHECK_STR(doc("\xf4\x90\x80\x80"), "{\"k\":\"\\ufffd\\ufffd\\ufffd\\ufffd\"}\n",
		  "beyond U+10FFFF");
	CHECK_STR(doc("\x80x"), "{\"k\":\"\\ufffdx\"}\n", "a lone continuation byte");
}

int main(void)
{
	RUN(escapes_quote_backslash_and_controls);
	RUN(valid_utf8_passes_invalid_bytes_become_fffd);
	return TEST_EXIT();
}
