// SPDX-License-Identifier: GPL-2.0
/* xdpct list: the live flow table, like conntrack -L. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <xdpct/flow.h>
#include "cli.h"
#include "filter.h"
#include "flows.h"
#include "instance.h"
#include "json.h"
#include "replay.h"

enum { OPT_CONNTRACK = 256 };

static const struct cli_opt list_opts[] = {
	FILTER_OPTS,
	{ "conntrack", OPT_CONNTRACK, NULL,
	  "print as conntrack -L does (one line per flow), for tools that read it" },
	{ 0 },
};

static int run_list(int argc, char **argv);

const struct cli_cmd cmd_list = {
	.name = "list",
	.args = "[filters]",
	.summary = "Show the tracked flows: addresses, states, counters, age and time left.",
	.opts = list_opts,
	.run = run_list,
};

void xdpct_list_json(struct json *j, const char *key, const struct xdpct_flow_rec *v, size_t n,
		     const struct xdpct_config *cfg, __u64 now)
{
	size_t i;

	json_arr_begin(j, key);
	for (i = 0; i < n; i++) {
		const struct xdpct_flow *f = &v[i].flow;
		char src[64], dst[64];
		__u16 sport, dport;

		xdpct_flow_endpoints(&v[i].key, f, src, sizeof(src), &sport, dst, sizeof(dst),
				     &dport);
		json_obj_begin(j, NULL);
		json_u64(j, "family", v[i].key.family);
		json_str(j, "src", src);
		json_u64(j, "sport", sport);
		json_str(j, "dst", dst);
		json_u64(j, "dport", dport);
		json_str(j, "state", xdpct_ct_state_name(f->state));
		json_str(j, "client_state", xdpct_tcp_state_name(f->ep[DIR_ORIG].state));
		json_str(j, "server_state", xdpct_tcp_state_name(f->ep[DIR_REPLY].state));
		json_u64(j, "packets_orig", f->ep[DIR_ORIG].packets);
		json_u64(j, "packets_reply", f->ep[DIR_REPLY].packets);
		json_u64(j, "bytes_orig", f->ep[DIR_ORIG].bytes);
		json_u64(j, "bytes_reply", f->ep[DIR_REPLY].bytes);
		json_u64(j, "age_ms", xdpct_flow_age_ms(f, now, cfg->hz));
		json_u64(j, "expires_ms", xdpct_flow_expires_ms(f, cfg, now));
		json_u64(j, "ifindex", f->ifindex);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void print_json(const struct xdpct_flow_rec *v, size_t n, const struct xdpct_config *cfg,
		       __u64 now)
{
	struct json j;

	json_init(&j, stdout);
	xdpct_list_json(&j, NULL, v, n, cfg, now);
	json_end(&j);
}

/* Ten columns, the first six (family, endpoints, states) left-aligned. */
enum { LIST_COLS = 10, LIST_LEFT_COLS = 6, LIST_CELL = 96 };

/* One flow's cells as the table prints them. */
static void list_row(const struct xdpct_flow_rec *r, const struct xdpct_config *cfg, __u64 now,
		     char cells[LIST_COLS][LIST_CELL])
{
	const struct xdpct_flow *f = &r->flow;
	char src[64], dst[64];
	__u16 sport, dport;
	int v6 = r->key.family == 6;

	xdpct_flow_endpoints(&r->key, f, src, sizeof(src), &sport, dst, sizeof(dst), &dport);
	snprintf(cells[0], LIST_CELL, "%s", v6 ? "ipv6" : "ipv4");
	snprintf(cells[1], LIST_CELL, v6 ? "[%s]:%u" : "%s:%u", src, sport);
	snprintf(cells[2], LIST_CELL, v6 ? "[%s]:%u" : "%s:%u", dst, dport);
	snprintf(cells[3], LIST_CELL, "%s", xdpct_ct_state_name(f->state));
	snprintf(cells[4], LIST_CELL, "%s", xdpct_tcp_state_name(f->ep[0].state));
	snprintf(cells[5], LIST_CELL, "%s", xdpct_tcp_state_name(f->ep[1].state));
	snprintf(cells[6], LIST_CELL, "%llu/%llu", (unsigned long long)f->ep[0].packets,
		 (unsigned long long)f->ep[1].packets);
	snprintf(cells[7], LIST_CELL, "%llu/%llu", (unsigned long long)f->ep[0].bytes,
		 (unsigned long long)f->ep[1].bytes);
	snprintf(cells[8], LIST_CELL, "%.1f", xdpct_flow_age_ms(f, now, cfg->hz) / 1000.0);
	snprintf(cells[9], LIST_CELL, "%.1f", xdpct_flow_expires_ms(f, cfg, now) / 1000.0);
}

static void list_print_row(char cells[LIST_COLS][LIST_CELL], const int *width)
{
	int c;

	for (c = 0; c < LIST_COLS; c++)
		printf(c < LIST_LEFT_COLS ? "%-*s%s" : "%*s%s", width[c], cells[c], c == LIST_COLS - 1 ? "\n" : " ");
}

/*
 * Columns as wide as their widest cell (an IPv6 endpoint, a flow that
 * expires in years): the rows are formatted twice, once to measure.
 */
void xdpct_list_table(const struct xdpct_flow_rec *v, size_t n, const struct xdpct_config *cfg,
			__u64 now)
{
	static const char *const head[LIST_COLS] = {
		"FAM",		"CLIENT",	"SERVER",     "STATE",	"CLIENT-STATE",
		"SERVER-STATE", "PACKETS(O/R)", "BYTES(O/R)", "AGE(s)", "EXPIRES(s)",
	};
	char cells[LIST_COLS][LIST_CELL];
	int width[LIST_COLS], c;
	size_t i;

	for (c = 0; c < LIST_COLS; c++)
		width[c] = (int)strlen(head[c]);
	for (i = 0; i < n; i++) {
		list_row(&v[i], cfg, now, cells);
		for (c = 0; c < LIST_COLS; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = (int)strlen(cells[c]);
	}
	for (c = 0; c < LIST_COLS; c++)
		snprintf(cells[c], LIST_CELL, "%s", head[c]);
	list_print_row(cells, width);
	for (i = 0; i < n; i++) {
		list_row(&v[i], cfg, now, cells);
		list_print_row(cells, width);
	}
	printf("%zu flow%s\n", n, n == 1 ? "" : "s");
}

/*
 * conntrack -L's default output (conntrack-tools 1.4), with accounting on:
 * protocol, seconds left, state, the original tuple and its counters,
 * [UNREPLIED] before any reply, the reply tuple and its counters,
 * [ASSURED] once the handshake completed (the flow is in `flows`, not
 * `embryos`, and was not reopened by a SYN since: FLOW_REOPENED), then
 * mark and use. xdpct has no marks; the table holds each
 * entry once. The count goes to stderr, as conntrack's does.
 */
static void print_conntrack(const struct xdpct_flow_rec *v, const bool *assured, size_t n,
			    const struct xdpct_config *cfg, __u64 now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct xdpct_flow *f = &v[i].flow;
		char src[64], dst[64];
		__u16 sport, dport;

		xdpct_flow_endpoints(&v[i].key, f, src, sizeof(src), &sport, dst, sizeof(dst),
				     &dport);
		printf("%-8s %u %llu %s src=%s dst=%s sport=%u dport=%u packets=%llu bytes=%llu%s "
		       "src=%s dst=%s sport=%u dport=%u packets=%llu bytes=%llu%s mark=0 use=1\n",
		       "tcp", 6, (unsigned long long)(xdpct_flow_expires_ms(f, cfg, now) / 1000),
		       xdpct_ct_state_name(f->state), src, dst, sport, dport,
		       (unsigned long long)f->ep[DIR_ORIG].packets,
		       (unsigned long long)f->ep[DIR_ORIG].bytes,
		       f->ep[DIR_REPLY].packets ? "" : " [UNREPLIED]", dst, src, dport, sport,
		       (unsigned long long)f->ep[DIR_REPLY].packets,
		       (unsigned long long)f->ep[DIR_REPLY].bytes, assured[i] ? " [ASSURED]" : "");
	}
	fflush(stdout);
	fprintf(stderr, "xdpct: %zu flow entr%s been shown.\n", n, n == 1 ? "y has" : "ies have");
}

static int run_list(int argc, char **argv)
{
	struct xdpct_flow_rec *v = NULL;
	struct xdpct_instance in;
	struct xdpct_config cfg;
	struct flow_filter flt;
	size_t n = 0, nflows, i, m;
	bool conntrack = false, *assured = NULL;
	__u64 now;
	int c, r, err;

	filter_init(&flt);
	while ((c = cli_next(argc, argv, &cmd_list)) != -1) {
		if (c == -2)
			return cli_status();
		if (c == OPT_CONNTRACK) {
			conntrack = true;
			continue;
		}
		r = filter_opt(&flt, c, optarg, &cmd_list);
		if (r < 0)
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage(&cmd_list, "unexpected argument '%s'", argv[optind]);
	if (conntrack && g_opts.json)
		return cli_usage(&cmd_list, "--conntrack and -j are two formats: give one");

	if (xdpct_instance_need(&in, "list"))
		return EXIT_RUNTIME;
	err = xdpct_config_read(&in, &cfg);
	if (!err)
		err = xdpct_clock_read(&in, &now, NULL);
	if (!err)
		err = xdpct_tables_read(in.flows_fd, in.embryos_fd, &v, &n, &nflows);
	if (err) {
		xdpct_err("list: read %s: %s", in.dir, strerror(-err));
		xdpct_instance_close(&in);
		return EXIT_RUNTIME;
	}
	/* Nothing printed yet: a large buffer for a large table. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	/*
	 * Which entries finished their handshake: those read from `flows`, but
	 * for one a SYN reopened, until its new handshake completes.
	 */
	assured = calloc(n ? n : 1, sizeof(*assured));
	if (!assured) {
		xdpct_err("list: %s", strerror(ENOMEM));
		free(v);
		xdpct_instance_close(&in);
		return EXIT_RUNTIME;
	}
	for (i = 0, m = 0; i < n; i++)
		if (filter_match(&flt, &v[i].key, v[i].flow.state, v[i].flow.ifindex)) {
			assured[m] = i < nflows && !(v[i].flow.flags & FLOW_REOPENED);
			v[m++] = v[i];
		}
	n = m;
	if (g_opts.json)
		print_json(v, n, &cfg, now);
	else if (conntrack)
		print_conntrack(v, assured, n, &cfg, now);
	else
		xdpct_list_table(v, n, &cfg, now);
	free(assured);
	free(v);
	xdpct_instance_close(&in);
	return 0;
}
