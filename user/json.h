/* SPDX-License-Identifier: GPL-2.0 */
/* The one JSON emitter: commands describe values, this writes the syntax. */
#ifndef XDPCT_USER_JSON_H
#define XDPCT_USER_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
	FILE *out;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *out);
void json_obj_begin(struct json *j, const char *key);   /* key NULL inside arrays */
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, unsigned long long val);
void json_i64(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
/* Ends the document with a newline. */
void json_end(struct json *j);
/* Bytes of the valid UTF-8 sequence that starts at s (1 to 4), or 0 when it is not one. */
size_t utf8_seq_len(const unsigned char *s);

#endif /* XDPCT_USER_JSON_H */
