// SPDX-License-Identifier: GPL-2.0
/* The flow filters of list, events and flush (user/filter.c), on canonical keys. */
#include <arpa/inet.h>
#include <string.h>
#include <xdpct/tcp_fsm.h>
#include "check.h"
#include "filter.h"

static const struct cli_cmd cmd = { .name = "test" };
/* main.c's command table; the filters' usage errors link against cli.c. */
const struct cli_cmd *const cli_commands[] = { &cmd, NULL };

/* The key the data path builds for a segment from S:SP to D:DP. */
static struct xdpct_flow_key key(const char *s, int sp, const char *d, int dp)
{
	struct xdpct_pkt p = { 0 };
	struct xdpct_flow_key k;
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;

	inet_pton(fam, s, p.saddr);
	inet_pton(fam, d, p.daddr);
	p.sport = htons((__u16)sp);
	p.dport = htons((__u16)dp);
	p.family = fam == AF_INET6 ? 6 : 4;
	xdpct_flow_key_make(&p, &k);
	return k;
}

/* A filter of one option: each option takes one value, so a new value is a new filter. */
static int only(struct flow_filter *f, int opt, const char *arg)
{
	filter_init(f);
	return filter_opt(f, opt, arg, &cmd);
}

static void state_names_in_both_spellings(void)
{
	CHECK_EQ(ct_state_parse("TIME_WAIT"), CT_TIME_WAIT, "TIME_WAIT");
	CHECK_EQ(ct_state_parse("time-wait"), CT_TIME_WAIT, "time-wait");
	CHECK_EQ(ct_state_parse("established"), CT_ESTABLISHED, "established");
	CHECK_EQ(ct_state_parse("syn_sent2"), CT_SYN_SENT2, "syn_sent2");
	CHECK_EQ(ct_state_parse("OPEN"), -1, "OPEN");
	CHECK_EQ(ct_state_parse(""), -1, "empty");
	CHECK_EQ(ct_state_parse("ESTABLISHED_BUT_LONGER_THAN_ANY_NAME"), -1, "long");
}

static void prefixes_match_either_endpoint(void)
{
	struct xdpct_flow_key k = key("198.18.0.1", 40000, "198.19.7.2", 80);
	struct flow_filter f;

	filter_init(&f);
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "no filter");
	CHECK_EQ(only(&f, OPT_F_ADDR, "198.19.0.0/16"), 1, "prefix");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "server in 198.19/16");
	only(&f, OPT_F_ADDR, "198.18.0.1");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "client exact");
	only(&f, OPT_F_ADDR, "198.18.0.2/32");
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "neither");
	only(&f, OPT_F_ADDR, "198.19.7.0/23"); /* an odd length: 198.19.6.0 - 7.255 */
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "/23");
	only(&f, OPT_F_ADDR, "198.19.8.0/23");
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "/23 next");
	only(&f, OPT_F_ADDR, "0.0.0.0/0");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "/0");
	only(&f, OPT_F_ADDR, "2001:db8::/32");
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "v6 prefix, v4 flow");
	k = key("2001:db8::1", 40000, "2001:db8:1::2", 443);
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "v6");
	only(&f, OPT_F_ADDR, "2001:db8:1::/48");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "v6 server /48");
	only(&f, OPT_F_ADDR, "2001:db8:2::/48");
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "v6 neither");
}

static void ports_states_and_interfaces(void)
{
	struct xdpct_flow_key k = key("198.18.0.9", 40000, "198.18.0.1", 80);
	struct flow_filter f;

	CHECK_EQ(only(&f, OPT_F_PORT, "80"), 1, "port");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "server port");
	only(&f, OPT_F_PORT, "40000");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "client port");
	only(&f, OPT_F_PORT, "81");
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "other port");
	only(&f, OPT_F_STATE, "time-wait");
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "state differs");
	CHECK(filter_match(&f, &k, CT_TIME_WAIT, 3), "state");
	filter_init(&f);
	f.ifindex = 3;
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "iface");
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 4), "other iface");
}

static void bad_filters_are_usage_errors(void)
{
	static const struct {
		int opt;
		const char *arg;
	} bad[] = { { OPT_F_ADDR, "198.18.0.256" }, { OPT_F_ADDR, "198.18.0.0/33" },
		    { OPT_F_ADDR, "2001:db8::/129" }, { OPT_F_ADDR, "198.18.0.0/" },
		    { OPT_F_ADDR, "198.18.0.0/x" },   { OPT_F_ADDR, "" },
		    { OPT_F_PORT, "0" },	      { OPT_F_PORT, "65536" },
		    { OPT_F_PORT, "8o" },	      { OPT_F_STATE, "closed-ish" },
		    { OPT_F_IFACE, "no-such-if0" } };
	struct flow_filter f;
	size_t i;

	/* Each prints its one usage line; these are expected, keep the log clean. */
	if (!freopen("/dev/null", "w", stderr))
		CHECK(0, "silence stderr");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		filter_init(&f);
		CHECK_EQ(filter_opt(&f, bad[i].opt, bad[i].arg, &cmd), -EXIT_USAGE, bad[i].arg);
	}
	CHECK_EQ(filter_opt(&f, 'z', "x", &cmd), 0, "not a filter option");
}

static void a_filter_option_given_twice_is_a_usage_error(void)
{
	static const struct {
		int opt;
		const char *a, *b;
	} twice[] = { { OPT_F_STATE, "established", "time-wait" },
		      { OPT_F_ADDR, "198.18.0.1", "198.18.0.2" },
		      { OPT_F_PORT, "9003", "9004" },
		      { OPT_F_PORT, "80", "80" },
		      { OPT_F_IFACE, "lo", "lo" } };
	struct xdpct_flow_key k = key("198.18.0.9", 9003, "198.18.0.1", 80);
	struct flow_filter f;
	size_t i;

	if (!freopen("/dev/null", "w", stderr))
		CHECK(0, "silence stderr");
	for (i = 0; i < sizeof(twice) / sizeof(twice[0]); i++) {
		filter_init(&f);
		CHECK_EQ(filter_opt(&f, twice[i].opt, twice[i].a, &cmd), 1, twice[i].a);
		CHECK_EQ(filter_opt(&f, twice[i].opt, twice[i].b, &cmd), -EXIT_USAGE, twice[i].b);
	}
	/* Different options add up: every one must match. */
	filter_init(&f);
	CHECK_EQ(filter_opt(&f, OPT_F_PORT, "9003", &cmd), 1, "port");
	CHECK_EQ(filter_opt(&f, OPT_F_ADDR, "198.18.0.1", &cmd), 1, "addr");
	CHECK_EQ(filter_opt(&f, OPT_F_STATE, "established", &cmd), 1, "state");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "all three");
	CHECK(!filter_match(&f, &k, CT_TIME_WAIT, 3), "not the state");
}

int main(void)
{
	RUN(state_names_in_both_spellings);
	RUN(prefixes_match_either_endpoint);
	RUN(ports_states_and_interfaces);
	RUN(bad_filters_are_usage_errors);
	RUN(a_filter_option_given_twice_is_a_usage_error);
	return TEST_EXIT();
}
