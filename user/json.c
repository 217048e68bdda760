// SPDX-License-Identifier: GPL-2.0
/*
 * The one JSON emitter. `list -j` on a million flows writes some 15 million
 * values, so the hot paths avoid printf: plain strings go out whole and
 * numbers are converted by hand.
 */
#define _GNU_SOURCE
#include <string.h>
#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->need_comma[0] = false;
}

static void put_string(FILE *out, const char *s)
{
	size_t n = strcspn(s, "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
			      "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f");

	fputc_unlocked('"', out);
	if (!s[n]) { /* nothing to escape: the common case */
		fwrite_unlocked(s, 1, n, out);
		fputc_unlocked('"', out);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc_unlocked(c, out);
	}
	fputc_unlocked('"', out);
}

static void put_u64(FILE *out, unsigned long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), out);
}

static void prefix(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc_unlocked(',', j->out);
	j->need_comma[j->depth] = true;
	if (key) {
		put_string(j->out, key);
		fputc_unlocked(':', j->out);
	}
}

static void open_(struct json *j, const char *key, char c)
{
	prefix(j, key);
	fputc_unlocked(c, j->out);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct json *j, char c)
{
	fputc_unlocked(c, j->out);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_begin(struct json *j, const char *key)
{
	open_(j, key, '{');
}

void json_obj_end(struct json *j)
{
	close_(j, '}');
}

void json_arr_begin(struct json *j, const char *key)
{
	open_(j, key, '[');
}

void json_arr_end(struct json *j)
{
	close_(j, ']');
}

void json_str(struct json *j, const char *key, const char *val)
{
	prefix(j, key);
	put_string(j->out, val);
}

void json_u64(struct json *j, const char *key, unsigned long long val)
{
	prefix(j, key);
	put_u64(j->out, val);
}

void json_i64(struct json *j, const char *key, long long val)
{
	prefix(j, key);
	if (val < 0) {
		fputc_unlocked('-', j->out);
		put_u64(j->out, 0ull - (unsigned long long)val);
	} else {
		put_u64(j->out, (unsigned long long)val);
	}
}

void json_bool(struct json *j, const char *key, bool val)
{
	prefix(j, key);
	fputs_unlocked(val ? "true" : "false", j->out);
}

void json_end(struct json *j)
{
	fputc_unlocked('\n', j->out);
	fflush(j->out);
}
