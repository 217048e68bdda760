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

size_t utf8_seq_len(const unsigned char *s)
{
	unsigned int n, i, cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool plain(const char *s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p == '"' || *p == '\\' || *p >= 0x80)
			return false;
	*n = (size_t)(p - (const unsigned char *)s);
	return true;
}

/*
 * A JSON string. Interface names are bytes, not text (any but '/', ':'
 * and white space): a byte that does not start valid UTF-8 goes out as
 * U+FFFD, so that every reader can parse what we write.
 */
static void put_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc_unlocked('"', out);
	if (plain(s, &n)) { /* nothing to escape: the common case */
		fwrite_unlocked(s, 1, n, out);
		fputc_unlocked('"', out);
		return;
	}
	while (*p) {
		unsigned char c = *p;

		if (c == '"' || c == '\\') {
			fprintf(out, "\\%c", c);
			p++;
		} else if (c < 0x20) {
			fprintf(out, "\\u%04x", c);
			p++;
		} else if ((n = utf8_seq_len(p))) {
			fwrite_unlocked(p, 1, n, out);
			p += n;
		} else {
			fputs_unlocked("\\ufffd", out);
			p++;
		}
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
