// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration key table (user/conf.c): durations, port lists, every
 * key's default against xdpct_config_defaults(), refusal leaving the state
 * unchanged, config files all or nothing, the README's table; and the
 * daemon's TIME-WAIT timer heap and expiry rule.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xdpct/event.h>
#include "check.h"
#include "conf.h"
#include "daemon.h"
#include "instance.h"

static struct conf_state st, before;

static void defaults(void)
{
	memset(&st, 0, sizeof(st));
	xdpct_config_defaults(&st.cfg, 250);
}

static void durations_parse_with_units(void)
{
	static const struct {
		const char *in;
		unsigned long long ms;
	} ok[] = { { "250ms", 250 }, { "2s", 2000 },	  { "3m", 180000 },
		   { "1h", 3600000 }, { "5d", 432000000 }, { "7", 7000 },
		   { "0ms", 0 },     { "3650d", 3650ull * 86400000 } };
	static const char *const bad[] = { "", "s", "-1s", "1.5s", "1 s", "2w", "10sec", "ms10",
					   "3651d", "99999999999999999999" };
	size_t i;
	__u64 ms;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ms = 12345;
		CHECK_EQ(conf_parse_duration(ok[i].in, &ms), 0, ok[i].in);
		CHECK_EQ(ms, ok[i].ms, ok[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(conf_parse_duration(bad[i], &ms) != 0, bad[i]);
}

static void durations_print_in_the_largest_exact_unit(void)
{
	static const struct {
		unsigned long long ms;
		const char *out;
	} v[] = { { 1, "1ms" },	      { 1500, "1500ms" }, { 2000, "2s" }, { 90000, "90s" },
		  { 120000, "2m" },   { 7200000, "2h" },  { 432000000, "5d" }, { 0, "0ms" } };
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		conf_format_duration(v[i].ms, buf, sizeof(buf));
		CHECK_STR(buf, v[i].out, "format");
	}
}

static void every_default_matches_the_loaded_defaults(void)
{
	char val[512];
	size_t i;

	defaults();
	for (i = 0; i < conf_nkeys; i++) {
		conf_get(&st, &conf_keys[i], val, sizeof(val));
		CHECK_STR(val, conf_keys[i].def, conf_keys[i].name);
	}
}

static void every_value_printed_is_accepted_back(void)
{
	char val[512], why[256];
	size_t i;

	defaults();
	for (i = 0; i < conf_nkeys; i++) {
		if (!strcmp(conf_keys[i].name, "timeout-time-wait"))
			continue; /* read-only */
		conf_get(&st, &conf_keys[i], val, sizeof(val));
		before = st;
		CHECK_EQ(conf_set(&st, conf_keys[i].name, val, why, sizeof(why)), 0,
			 conf_keys[i].name);
		CHECK(!memcmp(&before, &st, sizeof(st)), conf_keys[i].name);
	}
}

static void values_are_applied(void)
{
	char why[256], val[512];

	defaults();
	CHECK_EQ(conf_set(&st, "msl", "500ms", why, sizeof(why)), 0, "msl");
	CHECK_EQ(st.cfg.msl_ms, 500, "msl_ms");
	conf_get(&st, conf_find("timeout-time-wait"), val, sizeof(val));
	CHECK_STR(val, "1s", "2 x msl");
	CHECK_EQ(conf_set(&st, "timeout-established", "1h", why, sizeof(why)), 0, "est");
	CHECK_EQ(st.cfg.timeout_ms[CT_ESTABLISHED], 3600000, "timeout_ms[ESTABLISHED]");
	CHECK_EQ(conf_set(&st, "policy", "reject", why, sizeof(why)), 0, "policy");
	CHECK_EQ(st.cfg.policy, POLICY_REJECT, "policy");
	CHECK_EQ(conf_set(&st, "syncookies", "on", why, sizeof(why)), 0, "syncookies");
	CHECK_EQ(conf_set(&st, "tw-reack", "yes", why, sizeof(why)), 0, "tw-reack");
	CHECK_EQ(st.cfg.flags, CFG_SYNCOOKIES | CFG_TW_REACK, "flags");
	CHECK_EQ(conf_set(&st, "events", "new,destroyed", why, sizeof(why)), 0, "events");
	CHECK_EQ(st.cfg.event_mask, (1u << EV_NEW) | (1u << EV_DESTROYED), "event_mask");
	CHECK_EQ(conf_set(&st, "ttl", "255", why, sizeof(why)), 0, "ttl");
	CHECK_EQ(st.cfg.ttl, 255, "ttl");
	CHECK_EQ(conf_set(&st, "challenge-ack-rate", "0", why, sizeof(why)), 0, "rate");
	CHECK_EQ(st.cfg.challenge_ack_per_sec, 0, "rate");
}

static void port_lists_and_ranges(void)
{
	char why[256], val[512];

	defaults();
	CHECK_EQ(conf_set(&st, "protected-ports", "80,443,8000-8010", why, sizeof(why)), 0, "set");
	CHECK_EQ(st.ports[80], PORT_PROTECTED, "80");
	CHECK_EQ(st.ports[81], 0, "81");
	CHECK_EQ(st.ports[8000], PORT_PROTECTED, "8000");
	CHECK_EQ(st.ports[8010], PORT_PROTECTED, "8010");
	CHECK_EQ(st.ports[8011], 0, "8011");
	conf_get(&st, conf_find("protected-ports"), val, sizeof(val));
	CHECK_STR(val, "80,443,8000-8010", "printed back");
	/* Other flags of a port survive; the list replaces the protected set. */
	st.ports[22] = 0x80;
	CHECK_EQ(conf_set(&st, "protected-ports", "22,65535", why, sizeof(why)), 0, "replace");
	CHECK_EQ(st.ports[22], 0x80 | PORT_PROTECTED, "22 keeps its other flag");
	CHECK_EQ(st.ports[80], 0, "80 no longer");
	CHECK_EQ(conf_set(&st, "protected-ports", "none", why, sizeof(why)), 0, "none");
	CHECK_EQ(st.ports[65535], 0, "65535 cleared");
	CHECK_EQ(st.ports[22], 0x80, "22 keeps its other flag");
}

static void bad_values_are_refused_with_a_reason_and_change_nothing(void)
{
	static const char *const bad[][2] = {
		{ "msl", "0" },		   { "msl", "abc" },	      { "msl", "1w" },
		{ "timeout-time-wait", "5s" }, { "policy", "drop" },  { "protected-ports", "0" },
		{ "protected-ports", "65536" }, { "protected-ports", "90-80" },
		{ "protected-ports", "80,,81" }, { "protected-ports", "80;81" },
		{ "events", "new,bogus" },    { "events", "" },	      { "syncookies", "maybe" },
		{ "events", "new," },	   { "events", "new,,fin" },  { "events", ",new" },
		{ "events", "," },	   { "protected-ports", "80," },
		{ "ttl", "0" },		   { "ttl", "256" },	      { "challenge-ack-rate", "-1" },
		{ "nosuchkey", "1" },
	};
	char why[256];
	size_t i;

	defaults();
	conf_set(&st, "protected-ports", "80", why, sizeof(why));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		before = st;
		why[0] = '\0';
		CHECK(conf_set(&st, bad[i][0], bad[i][1], why, sizeof(why)) != 0, bad[i][0]);
		CHECK(why[0] != '\0', "a reason is given");
		CHECK(!memcmp(&before, &st, sizeof(st)), bad[i][0]);
	}
	CHECK_EQ(conf_set(&st, "nosuchkey", "1", why, sizeof(why)), -ENOENT, "unknown key");
}

static void an_empty_element_of_a_list_is_named(void)
{
	static const char *const lists[] = { "new,", "new,,fin", ",new", "," };
	char why[256];
	__u32 m = 0;
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		why[0] = '\0';
		CHECK(conf_parse_events(lists[i], &m, why, sizeof(why)) != 0, lists[i]);
		CHECK(strstr(why, "has an empty element") != NULL, why);
	}
	CHECK_EQ(conf_parse_events("new,fin", &m, why, sizeof(why)), 0, "new,fin");
	CHECK_EQ(m, 1u << EV_NEW | 1u << EV_FIN, "new,fin mask");
}

static void config_files_apply_all_or_nothing(void)
{
	char path[] = "/tmp/xdpct-conf-XXXXXX", why[512];
	int fd = mkstemp(path);
	FILE *f;

	REQUIRE(fd >= 0, "mkstemp");
	f = fdopen(fd, "w");
	fprintf(f, "# comment\nmsl 2s\n\ntimeout-close = 3s  # trailing\npolicy=strict\n");
	fclose(f);
	defaults();
	CHECK_EQ(conf_load_file(&st, path, why, sizeof(why)), 0, "good file");
	CHECK_EQ(st.cfg.msl_ms, 2000, "msl");
	CHECK_EQ(st.cfg.timeout_ms[CT_CLOSE], 3000, "timeout-close");
	CHECK_EQ(st.cfg.policy, POLICY_STRICT, "policy");

	f = fopen(path, "w");
	fprintf(f, "msl 9s\nttl 300\n");
	fclose(f);
	before = st;
	CHECK(conf_load_file(&st, path, why, sizeof(why)) != 0, "bad file");
	CHECK(strstr(why, ":2: ttl") != NULL, "reason names line 2");
	CHECK(!memcmp(&before, &st, sizeof(st)), "nothing applied");
	unlink(path);
	CHECK(conf_load_file(&st, path, why, sizeof(why)) != 0, "missing file");
}

/* Writes len bytes of text to a new file and loads it; why says what was wrong. */
static int load_bytes(const char *text, size_t len, char *why, size_t whylen)
{
	char path[] = "/tmp/xdpct-conf-XXXXXX";
	int fd = mkstemp(path), err;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return -EIO;
	close(fd);
	err = conf_load_file(&st, path, why, whylen);
	unlink(path);
	return err;
}

static void a_config_line_is_refused_for_what_is_wrong_with_it(void)
{
	static const char nul[] = "msl 2s\nttl 9\0x\n", nul_last[] = "msl 2s\nttl 9\0junk";
	static char long_line[CONF_FILE_LINE_MAX + 2];
	char why[512];

	defaults();
	before = st;
	why[0] = '\0';
	CHECK(load_bytes(nul, sizeof(nul) - 1, why, sizeof(why)) != 0, "NUL");
	CHECK(strstr(why, ":2: a NUL byte") != NULL, why);
	/* The last line, without its newline: fgets stopped at the NUL and took "ttl 9". */
	why[0] = '\0';
	CHECK(load_bytes(nul_last, sizeof(nul_last) - 1, why, sizeof(why)) != 0, "NUL, last line");
	CHECK(strstr(why, ":2: a NUL byte") != NULL, why);
	CHECK(!memcmp(&before, &st, sizeof(st)), "nothing applied");
	memset(long_line, '#', sizeof(long_line) - 2);
	long_line[sizeof(long_line) - 2] = '\n';
	why[0] = '\0';
	CHECK(load_bytes(long_line, strlen(long_line), why, sizeof(why)) != 0, "long");
	CHECK(strstr(why, ":1: line too long") != NULL, why);
	CHECK_EQ(load_bytes("ttl 9", 5, why, sizeof(why)), 0, "no newline at the end");
	CHECK_EQ(st.cfg.ttl, 9, "ttl");
}

/*
 * What `config get` prints (every key, `KEY VALUE` a line) loads back as a
 * config file to the same state: the read-only timeout-time-wait too,
 * when it is 2 x msl, and a port list of any length. A protected port at
 * every other number once printed as its first 100 ports, cut without a
 * mark, and a line of over 1023 bytes was refused.
 */
static void config_get_output_loads_back(void)
{
	static char text[CONF_VALUE_MAX * 2], val[CONF_VALUE_MAX];
	struct conf_state want;
	char why[512];
	size_t i, used = 0;
	unsigned int p;

	defaults();
	CHECK_EQ(conf_set(&st, "msl", "45s", why, sizeof(why)), 0, "msl");
	CHECK_EQ(conf_set(&st, "policy", "strict", why, sizeof(why)), 0, "policy");
	for (p = 1; p < XDPCT_PORTS; p += 2)
		st.ports[p] = PORT_PROTECTED;
	st.ports[65534] = PORT_PROTECTED; /* ends in a range: 65533-65535 */
	want = st;
	for (i = 0; i < conf_nkeys; i++) {
		conf_get(&st, &conf_keys[i], val, sizeof(val));
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%-20s %s\n",
					 conf_keys[i].name, val);
	}
	conf_get(&st, conf_find("protected-ports"), val, sizeof(val));
	CHECK(strlen(val) > 190000, "every port printed");
	CHECK(strstr(val, ",65531,65533-65535") != NULL && strncmp(val, "1,3,5,", 6) == 0,
	      "first and last ports");
	defaults();
	why[0] = '\0';
	CHECK_EQ(load_bytes(text, used, why, sizeof(why)), 0, why);
	CHECK(!memcmp(&want, &st, sizeof(st)), "the same configuration");

	/* timeout-time-wait that is not 2 x msl is refused, and says why. */
	defaults();
	before = st;
	why[0] = '\0';
	CHECK(load_bytes("timeout-time-wait 90s\nmsl 30s\n", 30, why, sizeof(why)) != 0,
	      "90s against msl 30s");
	CHECK(strstr(why, ":1: timeout-time-wait: '90s' is not 2 x msl (msl is 30s)") != NULL, why);
	CHECK(!memcmp(&before, &st, sizeof(st)), "nothing applied");
	CHECK_EQ(load_bytes("timeout-time-wait 1m\nmsl 30s\n", 29, why, sizeof(why)), 0,
		 "1m against msl 30s, given after it");
	CHECK_EQ(st.cfg.msl_ms, 30000, "msl");
	/* Each line is judged: a second one is refused rather than one of them unseen. */
	why[0] = '\0';
	CHECK(load_bytes("msl 1m\ntimeout-time-wait 5s\ntimeout-time-wait 2m\n", 49, why,
			 sizeof(why)) != 0,
	      "two timeout-time-wait lines");
	CHECK(strstr(why, ":3: timeout-time-wait: given twice (line 2)") != NULL, why);
	/* The longest msl still prints a TIME-WAIT that loads back. */
	defaults();
	CHECK(conf_set(&st, "msl", "1826d", why, sizeof(why)) != 0, "msl over 1825d");
	CHECK(strstr(why, "longer than 1825d") != NULL, why);
	CHECK_EQ(conf_set(&st, "msl", "1825d", why, sizeof(why)), 0, "msl 1825d");
	conf_get(&st, conf_find("timeout-time-wait"), val, sizeof(val));
	CHECK_STR(val, "3650d", "2 x msl");
	{
		char text[64];
		int len = snprintf(text, sizeof(text), "msl 1825d\ntimeout-time-wait %s\n", val);

		defaults();
		CHECK_EQ(load_bytes(text, (size_t)len, why, sizeof(why)), 0, why);
	}
}

static void readme_has_the_key_table(void)
{
	static char readme[1 << 18], table[1 << 14], path[4096];
	const char *top = getenv("TOP"); /* tests/run exports it; it runs from the top too */
	FILE *in, *mem;
	size_t n;
	char *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/README.md", top ? top : ".");
	in = fopen(path, "r");
	REQUIRE(in != NULL, "README.md");
	n = fread(readme, 1, sizeof(readme) - 1, in);
	readme[n] = '\0';
	fclose(in);
	mem = fmemopen(table, sizeof(table), "w");
	conf_print_markdown(mem);
	fclose(mem);
	for (line = strtok_r(table, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strstr(readme, line)) {
			printf("  README.md lacks: %s\n  (paste 'xdpct config keys --markdown')\n", line);
			t_failed = 1;
		}
}

static void timer_heap_pops_in_due_order(void)
{
	struct tw_heap h = { 0 };
	struct xdpct_flow_key k = { 0 };
	__u64 last = 0, due;
	unsigned int i, seed = 1;

	for (i = 0; i < 10000; i++) {
		seed = seed * 1103515245 + 12345;
		k.port_a = (__u16)i;
		REQUIRE(tw_heap_push(&h, seed % 100000, &k) == 0, "push");
	}
	CHECK_EQ(h.n, 10000, "size");
	for (i = 0; i < 10000; i++) {
		due = tw_heap_top(&h)->due;
		if (due < last) {
			CHECK(due >= last, "order");
			break;
		}
		last = due;
		tw_heap_pop(&h);
	}
	CHECK(tw_heap_top(&h) == NULL, "empty");
	tw_heap_free(&h);
}

static void time_wait_expires_after_2msl_and_not_before(void)
{
	struct xdpct_flow f = { 0 };

	defaults(); /* HZ 250, msl 60 s: TIME-WAIT lasts 30000 ticks */
	f.state = CT_TIME_WAIT;
	f.tw_start = 1000;
	f.last_seen = 1;
	CHECK(!xdpct_flow_expired(&f, &st.cfg, 1000 + 30000), "exactly 2MSL: not yet");
	CHECK(xdpct_flow_expired(&f, &st.cfg, 1000 + 30001), "one tick after");
	f.tw_start = 5000; /* a FIN retransmitted into TIME-WAIT moved the start */
	CHECK(!xdpct_flow_expired(&f, &st.cfg, 1000 + 30001), "restarted");
	f.state = CT_ESTABLISHED;
	f.last_seen = 2000;
	CHECK(!xdpct_flow_expired(&f, &st.cfg, 1000), "seen after now: never");
	CHECK(!xdpct_flow_expired(&f, &st.cfg, 2000 + 432000ull * 250), "idle 5d: not yet");
	CHECK(xdpct_flow_expired(&f, &st.cfg, 2001 + 432000ull * 250), "idle past 5d");
}

int main(void)
{
	RUN(durations_parse_with_units);
	RUN(durations_print_in_the_largest_exact_unit);
	RUN(every_default_matches_the_loaded_defaults);
	RUN(every_value_printed_is_accepted_back);
	RUN(values_are_applied);
	RUN(port_lists_and_ranges);
	RUN(bad_values_are_refused_with_a_reason_and_change_nothing);
	RUN(an_empty_element_of_a_list_is_named);
	RUN(config_files_apply_all_or_nothing);
	RUN(a_config_line_is_refused_for_what_is_wrong_with_it);
	RUN(config_get_output_loads_back);
	RUN(readme_has_the_key_table);
	RUN(timer_heap_pops_in_due_order);
	RUN(time_wait_expires_after_2msl_and_not_before);
	return TEST_EXIT();
}
