/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Configuration keys as a table: one row per key (name, type, default,
 * help) drives `config get/set`, `attach --config FILE`, `config keys` and
 * the README's table. Values are parsed into a copy of the config and the
 * ports flags; nothing is written until every value has been accepted.
 */
#ifndef XDPCT_USER_CONF_H
#define XDPCT_USER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <xdpct/config.h>

#define XDPCT_PORTS 65536
/* The longest duration any key takes: ten years. */
#define XDPCT_DURATION_MAX_MS (3650ull * 86400 * 1000)

enum conf_type {
	CONF_DURATION, /* ms, s, m, h, d */
	CONF_POLICY,
	CONF_PORTS,
	CONF_EVENTS,
	CONF_BOOL,
	CONF_UINT,
};

struct conf_key {
	const char *name;
	enum conf_type type;
	const char *def; /* default, as `config get` prints it */
	const char *help;
};

/* The live state a key may touch: the config struct and the ports map. */
struct conf_state {
	struct xdpct_config cfg;
	__u8 ports[XDPCT_PORTS]; /* PORT_* flags per port */
};

extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

const struct conf_key *conf_find(const char *name);
const char *conf_type_name(enum conf_type t);

/*
 * Parse VALUE for KEY into st. On error returns -ENOENT (unknown key) or
 * -EINVAL (bad value) with the reason in why, and st is unchanged.
 */
int conf_set(struct conf_state *st, const char *key, const char *value, char *why, size_t whylen);
/*
 * Room for any value conf_get() writes: the longest is a port list, at
 * most 4 characters a port ("a-b," covers two ports and needs a gap).
 */
#define CONF_VALUE_MAX (XDPCT_PORTS * 4 + 16)
/* KEY's value in the form conf_set accepts, whole in CONF_VALUE_MAX bytes. */
void conf_get(const struct conf_state *st, const struct conf_key *k, char *buf, size_t len);

/*
 * Apply a file of "KEY VALUE" or "KEY = VALUE" lines (# comments) to st:
 * all or nothing. On error returns -EINVAL with "FILE:LINE: reason" in why.
 * What `config get` prints loads back: lines up to CONF_FILE_LINE_MAX, and
 * the read-only timeout-time-wait when it is 2 x msl as the file leaves it.
 */
#define CONF_FILE_LINE_MAX (CONF_VALUE_MAX + 64)
int conf_load_file(struct conf_state *st, const char *path, char *why, size_t whylen);

/* Durations: "250ms", "2m", "5d"; a bare number means seconds. */
int conf_parse_duration(const char *s, __u64 *ms);
/* A decimal number from min to max, digits only (no sign, no space): 0 or -EINVAL. */
int conf_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v);
/*
 * Event type names separated by commas ("new,destroyed"), "all" or "none",
 * into a mask of 1 << type: 0, or -1 with why saying what is wrong.
 */
int conf_parse_events(const char *s, __u32 *mask, char *why, size_t whylen);
void conf_format_duration(__u64 ms, char *buf, size_t len);
/* Port lists: "80,443,8000-8010" or "none"; sets PORT_PROTECTED in out[]. */
int conf_parse_ports(const char *s, __u8 *out, char *why, size_t whylen);

/* The README's table, in Markdown. */
void conf_print_markdown(FILE *out);

#endif /* XDPCT_USER_CONF_H */
