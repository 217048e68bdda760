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
	CHECK_EQ(filter_opt(&f, OPT_F_ADDR, "198.19.0.0/16", &cmd), 1, "prefix");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "server in 198.19/16");
	filter_opt(&f, OPT_F_ADDR, "198.18.0.1", &cmd);
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "client exact");
	filter_opt(&f, OPT_F_ADDR, "198.18.0.2/32", &cmd);
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "neither");
	filter_opt(&f, OPT_F_ADDR, "198.19.7.0/23", &cmd); /* an odd length: 198.19.6.0 - 7.255 */
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "/23");
	filter_opt(&f, OPT_F_ADDR, "198.19.8.0/23", &cmd);
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "/23 next");
	filter_opt(&f, OPT_F_ADDR, "0.0.0.0/0", &cmd);
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "/0");
	filter_opt(&f, OPT_F_ADDR, "2001:db8::/32", &cmd);
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "v6 prefix, v4 flow");
	k = key("2001:db8::1", 40000, "2001:db8:1::2", 443);
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "v6");
	filter_opt(&f, OPT_F_ADDR, "2001:db8:1::/48", &cmd);
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "v6 server /48");
	filter_opt(&f, OPT_F_ADDR, "2001:db8:2::/48", &cmd);
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "v6 neither");
}

static void ports_states_and_interfaces(void)
{
	struct xdpct_flow_key k = key("198.18.0.9", 40000, "198.18.0.1", 80);
	struct flow_filter f;

	filter_init(&f);
	CHECK_EQ(filter_opt(&f, OPT_F_PORT, "80", &cmd), 1, "port");
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "server port");
	filter_opt(&f, OPT_F_PORT, "40000", &cmd);
	CHECK(filter_match(&f, &k, CT_ESTABLISHED, 3), "client port");
	filter_opt(&f, OPT_F_PORT, "81", &cmd);
	CHECK(!filter_match(&f, &k, CT_ESTABLISHED, 3), "other port");
	filter_init(&f);
	filter_opt(&f, OPT_F_STATE, "time-wait", &cmd);
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

int main(void)
{
	RUN(state_names_in_both_spellings);
	RUN(prefixes_match_either_endpoint);
	RUN(ports_states_and_interfaces);
	RUN(bad_filters_are_usage_errors);
	return TEST_EXIT();
}
