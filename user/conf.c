// SPDX-License-Identifier: GPL-2.0
/* The configuration key table, and parsing / printing of each key's value. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <xdpct/event.h>
#include "conf.h"

#define MAX_LINE 1024
#define CHALLENGE_RATE_MAX 1000000

/* Timeout keys in the order of enum xdpct_ct_state; NULL: not settable. */
static const char *const timeout_keys[CT__MAX] = {
	[CT_SYN_SENT] = "timeout-syn-sent",	  [CT_SYN_RECV] = "timeout-syn-recv",
	[CT_ESTABLISHED] = "timeout-established", [CT_FIN_WAIT] = "timeout-fin-wait",
	[CT_CLOSE_WAIT] = "timeout-close-wait",	  [CT_LAST_ACK] = "timeout-last-ack",
	[CT_TIME_WAIT] = "timeout-time-wait",	  [CT_CLOSE] = "timeout-close",
	[CT_SYN_SENT2] = "timeout-syn-sent2",
};

const struct conf_key conf_keys[] = {
	{ "policy", CONF_POLICY, "pass",
	  "pass: track only; strict: drop invalid segments; reject: strict, and RST for unknown flows on protected ports" },
	{ "msl", CONF_DURATION, "1m", "maximum segment lifetime: TIME-WAIT lasts 2 x msl" },
	{ "timeout-syn-sent", CONF_DURATION, "2m", "idle timeout in SYN_SENT" },
	{ "timeout-syn-recv", CONF_DURATION, "1m", "idle timeout in SYN_RECV" },
	{ "timeout-established", CONF_DURATION, "5d", "idle timeout in ESTABLISHED" },
	{ "timeout-fin-wait", CONF_DURATION, "2m", "idle timeout in FIN_WAIT" },
	{ "timeout-close-wait", CONF_DURATION, "1m", "idle timeout in CLOSE_WAIT" },
	{ "timeout-last-ack", CONF_DURATION, "30s", "idle timeout in LAST_ACK" },
	{ "timeout-time-wait", CONF_DURATION, "2m", "TIME_WAIT: always 2 x msl (read-only; set msl)" },
	{ "timeout-close", CONF_DURATION, "10s", "idle timeout in CLOSE (after a RST)" },
	{ "timeout-syn-sent2", CONF_DURATION, "2m", "idle timeout in SYN_SENT2 (simultaneous open)" },
	{ "protected-ports", CONF_PORTS, "none",
	  "server ports answered by the responder: list and ranges (80,443,8000-8010) or none" },
	{ "events", CONF_EVENTS, "new,established,fin,time-wait,tw-restart,closed,reopened,destroyed,response",
	  "event types the data path emits: list, all or none" },
	{ "syncookies", CONF_BOOL, "off", "answer SYNs to protected ports with SYN cookies" },
	{ "tw-reack", CONF_BOOL, "off", "re-ACK FINs retransmitted into TIME-WAIT" },
	{ "challenge-ack", CONF_BOOL, "off", "send RFC 5961 challenge ACKs" },
	{ "challenge-ack-rate", CONF_UINT, "1000", "challenge ACKs per second at most" },
	{ "ttl", CONF_UINT, "64", "TTL / hop limit of responses (1-255)" },
	{ "cookie-wscale", CONF_UINT, "7",
	  "window scale of SYN-cookie SYN+ACKs (1-14); at first load ilog2(max(tcp_rmem[2], rmem_max)) - 15 in the namespace, as Linux picks its own" },
};
const size_t conf_nkeys = sizeof(conf_keys) / sizeof(conf_keys[0]);

const char *conf_type_name(enum conf_type t)
{
	switch (t) {
	case CONF_DURATION:
		return "duration";
	case CONF_POLICY:
		return "policy";
	case CONF_PORTS:
		return "ports";
	case CONF_EVENTS:
		return "events";
	case CONF_BOOL:
		return "on|off";
	case CONF_UINT:
		return "number";
	}
	return "?";
}

const struct conf_key *conf_find(const char *name)
{
	size_t i;

	for (i = 0; i < conf_nkeys; i++)
		if (!strcmp(conf_keys[i].name, name))
			return &conf_keys[i];
	return NULL;
}

static int why_(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why_(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int conf_parse_duration(const char *s, __u64 *ms)
{
	static const struct {
		const char *unit;
		__u64 ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
		      { "", 1000 } };
	unsigned long long v;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (v > XDPCT_DURATION_MAX_MS / units[i].ms)
			return -ERANGE;
		*ms = v * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

void conf_format_duration(__u64 ms, char *buf, size_t len)
{
	if (ms && ms % 86400000 == 0)
		snprintf(buf, len, "%llud", (unsigned long long)(ms / 86400000));
	else if (ms && ms % 3600000 == 0)
		snprintf(buf, len, "%lluh", (unsigned long long)(ms / 3600000));
	else if (ms && ms % 60000 == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(ms / 60000));
	else if (ms && ms % 1000 == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
	else
		snprintf(buf, len, "%llums", (unsigned long long)ms);
}

static int parse_port(const char *s, const char **end, unsigned int *port)
{
	unsigned long v;
	char *e;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || v < 1 || v > 65535)
		return -ERANGE;
	*port = (unsigned int)v;
	*end = e;
	return 0;
}

int conf_parse_ports(const char *s, __u8 *out, char *why, size_t whylen)
{
	const char *list = s;
	unsigned int p;

	for (p = 0; p < XDPCT_PORTS; p++)
		out[p] &= (__u8)~PORT_PROTECTED;
	if (!strcmp(s, "none"))
		return 0;
	for (;;) {
		unsigned int lo, hi;
		const char *e;

		if (!*s || *s == ',')
			return why_(why, whylen, "'%s' has an empty element", list);
		if (parse_port(s, &e, &lo))
			return why_(why, whylen, "'%s' is not a port from 1 to 65535", s);
		hi = lo;
		if (*e == '-') {
			if (parse_port(e + 1, &e, &hi))
				return why_(why, whylen, "'%s' is not a port range (LOW-HIGH)", s);
			if (hi < lo)
				return why_(why, whylen, "range %u-%u runs backwards", lo, hi);
		}
		for (p = lo; p <= hi; p++)
			out[p] |= PORT_PROTECTED;
		if (!*e)
			return 0;
		if (*e != ',')
			return why_(why, whylen, "unexpected '%c' in port list", *e);
		s = e + 1;
	}
}

static void format_ports(const __u8 *ports, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int p = 1, hi;

	buf[0] = '\0';
	while (p < XDPCT_PORTS && used + 16 < len) {
		if (!(ports[p] & PORT_PROTECTED)) {
			p++;
			continue;
		}
		for (hi = p; hi + 1 < XDPCT_PORTS && ports[hi + 1] & PORT_PROTECTED; hi++)
			;
		used += (size_t)snprintf(buf + used, len - used, used ? ",%u" : "%u", p);
		if (hi > p)
			used += (size_t)snprintf(buf + used, len - used, "-%u", hi);
		p = hi + 1;
	}
	if (!used)
		snprintf(buf, len, "none");
}

/* All event types but "none". */
#define EVENTS_ALL (((1u << EV__MAX) - 1) & ~1u)

int conf_parse_events(const char *s, __u32 *mask, char *why, size_t whylen)
{
	char copy[MAX_LINE], *tok, *next;
	__u32 m = 0;
	unsigned int t;

	if (!strcmp(s, "none")) {
		*mask = 0;
		return 0;
	}
	if (!strcmp(s, "all")) {
		*mask = EVENTS_ALL;
		return 0;
	}
	if (!*s)
		return why_(why, whylen, "empty list (use none)");
	if (strlen(s) >= sizeof(copy))
		return why_(why, whylen, "list too long");
	strcpy(copy, s);
	/* strtok would pass over "new,,fin" and "new,": a slip, said rather than guessed at. */
	for (next = copy; next;) {
		tok = strsep(&next, ",");
		if (!*tok)
			return why_(why, whylen, "'%s' has an empty element", s);
		for (t = EV_NONE + 1; t < EV__MAX; t++)
			if (!strcmp(tok, xdpct_event_name(t)))
				break;
		if (t == EV__MAX)
			return why_(why, whylen, "'%s' is not an event type (see 'xdpct config keys')",
				    tok);
		m |= 1u << t;
	}
	*mask = m;
	return 0;
}

static void format_events(__u32 mask, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int t;

	buf[0] = '\0';
	if ((mask & EVENTS_ALL) == EVENTS_ALL) {
		snprintf(buf, len, "all");
		return;
	}
	for (t = EV_NONE + 1; t < EV__MAX; t++)
		if (mask & (1u << t) && used < len)
			used += (size_t)snprintf(buf + used, len - used, used ? ",%s" : "%s",
						 xdpct_event_name(t));
	if (!used)
		snprintf(buf, len, "none");
}

static int parse_bool(const char *s, bool *v)
{
	static const char *const on[] = { "on", "yes", "true", "1" };
	static const char *const off[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(s, on[i])) {
			*v = true;
			return 0;
		}
		if (!strcmp(s, off[i])) {
			*v = false;
			return 0;
		}
	}
	return -EINVAL;
}

int conf_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &e, 10);
	if (errno || *e || *v < min || *v > max)
		return -EINVAL;
	return 0;
}

static int timeout_state(const char *name)
{
	int s;

	for (s = 0; s < CT__MAX; s++)
		if (timeout_keys[s] && !strcmp(timeout_keys[s], name))
			return s;
	return -1;
}

static __u32 flag_bit(const char *name)
{
	if (!strcmp(name, "syncookies"))
		return CFG_SYNCOOKIES;
	if (!strcmp(name, "tw-reack"))
		return CFG_TW_REACK;
	return CFG_CHALLENGE_ACK;
}

int conf_set(struct conf_state *st, const char *key, const char *value, char *why, size_t whylen)
{
	const struct conf_key *k = conf_find(key);
	struct xdpct_config *cfg = &st->cfg;
	unsigned long u;
	__u64 ms;
	bool b;
	int s, err;

	if (!k) {
		why_(why, whylen, "'%s' is not a configuration key (see 'xdpct config keys')", key);
		return -ENOENT;
	}
	switch (k->type) {
	case CONF_DURATION:
		err = conf_parse_duration(value, &ms);
		if (err == -ERANGE)
			return why_(why, whylen, "%s: '%s' is longer than 3650d", key, value);
		if (err)
			return why_(why, whylen, "%s: '%s' is not a duration (NUMBER with ms, s, m, h or d)",
				    key, value);
		if (!ms)
			return why_(why, whylen, "%s: must be at least 1ms", key);
		if (!strcmp(key, "msl")) {
			/* TIME-WAIT, 2 x msl, is a duration too, and printed as one. */
			if (ms > XDPCT_DURATION_MAX_MS / 2)
				return why_(why, whylen, "%s: '%s' is longer than 1825d (TIME-WAIT "
					    "lasts 2 x msl, at most 3650d)", key, value);
			cfg->msl_ms = ms;
			break;
		}
		s = timeout_state(key);
		if (s == CT_TIME_WAIT)
			return why_(why, whylen, "%s: is always 2 x msl; set msl instead", key);
		cfg->timeout_ms[s] = ms;
		break;
	case CONF_POLICY:
		if (!strcmp(value, "pass"))
			cfg->policy = POLICY_PASS;
		else if (!strcmp(value, "strict"))
			cfg->policy = POLICY_STRICT;
		else if (!strcmp(value, "reject"))
			cfg->policy = POLICY_REJECT;
		else
			return why_(why, whylen, "%s: '%s' is not pass, strict or reject", key, value);
		break;
	case CONF_PORTS: {
		static __u8 tmp[XDPCT_PORTS];
		char w[200];

		memcpy(tmp, st->ports, sizeof(tmp));
		if (conf_parse_ports(value, tmp, w, sizeof(w)))
			return why_(why, whylen, "%s: %s", key, w);
		memcpy(st->ports, tmp, sizeof(tmp));
		break;
	}
	case CONF_EVENTS: {
		char w[200];
		__u32 m = 0;

		if (conf_parse_events(value, &m, w, sizeof(w)))
			return why_(why, whylen, "%s: %s", key, w);
		cfg->event_mask = m;
		break;
	}
	case CONF_BOOL:
		if (parse_bool(value, &b))
			return why_(why, whylen, "%s: '%s' is not on or off", key, value);
		if (b)
			cfg->flags |= flag_bit(key);
		else
			cfg->flags &= ~flag_bit(key);
		break;
	case CONF_UINT:
		if (!strcmp(key, "ttl")) {
			if (conf_parse_uint(value, 1, 255, &u))
				return why_(why, whylen, "%s: '%s' is not a number from 1 to 255", key,
					    value);
			cfg->ttl = (__u8)u;
		} else if (!strcmp(key, "cookie-wscale")) {
			/* 0 in the map means 7 to the data path: 0 itself cannot be asked for. */
			if (conf_parse_uint(value, 1, 14, &u))
				return why_(why, whylen, "%s: '%s' is not a number from 1 to 14", key,
					    value);
			cfg->cookie_wscale = (__u8)u;
		} else {
			if (conf_parse_uint(value, 0, CHALLENGE_RATE_MAX, &u))
				return why_(why, whylen, "%s: '%s' is not a number from 0 to %u", key,
					    value, CHALLENGE_RATE_MAX);
			cfg->challenge_ack_per_sec = (__u32)u;
		}
		break;
	}
	return 0;
}

void conf_get(const struct conf_state *st, const struct conf_key *k, char *buf, size_t len)
{
	const struct xdpct_config *cfg = &st->cfg;
	int s;

	switch (k->type) {
	case CONF_DURATION:
		if (!strcmp(k->name, "msl")) {
			conf_format_duration(cfg->msl_ms, buf, len);
			break;
		}
		s = timeout_state(k->name);
		conf_format_duration(s == CT_TIME_WAIT ? 2 * cfg->msl_ms : cfg->timeout_ms[s], buf,
				     len);
		break;
	case CONF_POLICY:
		snprintf(buf, len, "%s",
			 cfg->policy == POLICY_STRICT ? "strict"
			 : cfg->policy == POLICY_REJECT ? "reject"
							: "pass");
		break;
	case CONF_PORTS:
		format_ports(st->ports, buf, len);
		break;
	case CONF_EVENTS:
		format_events(cfg->event_mask, buf, len);
		break;
	case CONF_BOOL:
		snprintf(buf, len, "%s", cfg->flags & flag_bit(k->name) ? "on" : "off");
		break;
	case CONF_UINT:
		if (!strcmp(k->name, "cookie-wscale"))
			snprintf(buf, len, "%u",
				 !cfg->cookie_wscale ? 7 : cfg->cookie_wscale > 14 ? 14 : cfg->cookie_wscale);
		else
			snprintf(buf, len, "%u",
				 !strcmp(k->name, "ttl") ? cfg->ttl : cfg->challenge_ack_per_sec);
		break;
	}
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * One line into buf, without its newline: 1, or 0 at the end of the file.
 * -E2BIG for a line longer than buf holds, -EILSEQ for a NUL byte (fgets
 * ends the string there and hides the rest of the line).
 */
static int read_line(FILE *f, char *buf, size_t size)
{
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0')
			return -EILSEQ;
		if (n + 1 >= size)
			return -E2BIG;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return c == EOF && !n ? 0 : 1;
}

int conf_load_file(struct conf_state *st, const char *path, char *why, size_t whylen)
{
	static struct conf_state scratch;
	static char line[CONF_FILE_LINE_MAX];
	char w[300], tw_value[64] = "";
	FILE *f = fopen(path, "r");
	int n = 0, r, tw_line = 0;
	__u64 tw_ms = 0;

	if (!f)
		return why_(why, whylen, "%s: %s", path, strerror(errno));
	scratch = *st;
	while ((r = read_line(f, line, sizeof(line))) != 0) {
		char *p, *key, *val;

		n++;
		if (r < 0) {
			fclose(f);
			return why_(why, whylen, "%s:%d: %s", path, n,
				    r == -EILSEQ ? "a NUL byte (not a text file?)"
						 : "line too long");
		}
		p = strchr(line, '#');
		if (p)
			*p = '\0';
		key = trim(line);
		if (!*key)
			continue;
		val = key + strcspn(key, " \t=");
		if (*val) {
			*val++ = '\0';
			val = trim(val);
			if (*val == '=')
				val = trim(val + 1);
		}
		if (!*val) {
			fclose(f);
			return why_(why, whylen, "%s:%d: %s: no value", path, n, key);
		}
		/* Read-only, as `config get` prints it: judged against msl at the end. */
		if (!strcmp(key, "timeout-time-wait") && tw_line) {
			fclose(f);
			return why_(why, whylen, "%s:%d: timeout-time-wait: given twice (line %d)",
				    path, n, tw_line);
		}
		if (!strcmp(key, "timeout-time-wait") && !conf_parse_duration(val, &tw_ms) && tw_ms) {
			tw_line = n;
			snprintf(tw_value, sizeof(tw_value), "%s", val);
			continue;
		}
		if (conf_set(&scratch, key, val, w, sizeof(w))) {
			fclose(f);
			return why_(why, whylen, "%s:%d: %s", path, n, w);
		}
	}
	/* A directory, or a read error midway, is not an empty file. */
	if (ferror(f)) {
		int err = errno;

		fclose(f);
		return why_(why, whylen, "%s: %s", path, strerror(err ? err : EIO));
	}
	fclose(f);
	if (tw_line && tw_ms != 2 * scratch.cfg.msl_ms) {
		conf_format_duration(scratch.cfg.msl_ms, w, sizeof(w));
		return why_(why, whylen,
			    "%s:%d: timeout-time-wait: '%s' is not 2 x msl (msl is %s); it is always "
			    "2 x msl: set msl instead",
			    path, tw_line, tw_value, w);
	}
	*st = scratch;
	return 0;
}

/* A table cell: a '|' would end it. */
static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
}

void conf_print_markdown(FILE *out)
{
	size_t i;

	fprintf(out, "| key | type | default | meaning |\n|---|---|---|---|\n");
	for (i = 0; i < conf_nkeys; i++) {
		fprintf(out, "| `%s` | ", conf_keys[i].name);
		md_cell(out, conf_type_name(conf_keys[i].type));
		fprintf(out, " | `%s` | ", conf_keys[i].def);
		md_cell(out, conf_keys[i].help);
		fprintf(out, " |\n");
	}
}
