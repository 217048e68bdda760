// SPDX-License-Identifier: GPL-2.0
/* xdpct flush [filters] and xdpct delete FLOW: as conntrack -F and -D. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <xdpct/tcp_fsm.h>
#include "cli.h"
#include "filter.h"
#include "flows.h"
#include "instance.h"
#include "ipc.h"
#include "json.h"

static const struct cli_opt flush_opts[] = {
	FILTER_OPTS,
	{ 0 },
};
static const struct cli_opt delete_opts[] = {
	{ 0 },
};

static int run_flush(int argc, char **argv);
static int run_delete(int argc, char **argv);

const struct cli_cmd cmd_flush = {
	.name = "flush",
	.args = "[filters]",
	.summary = "Remove every tracked flow (or those the filters select).",
	.opts = flush_opts,
	.run = run_flush,
};

const struct cli_cmd cmd_delete = {
	.name = "delete",
	.args = "ADDR:PORT ADDR:PORT",
	.summary = "Remove one flow, given its two endpoints in either order ([v6]:port for IPv6).",
	.opts = delete_opts,
	.run = run_delete,
};

static void report(const char *what, size_t n)
{
	struct json j;

	if (g_opts.json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_u64(&j, what, n);
		json_obj_end(&j);
		json_end(&j);
	} else {
		printf("%s %zu flow%s\n", what, n, n == 1 ? "" : "s");
	}
}

/*
 * Delete keys from one table in batches; marks in gone[] those that went
 * (not an entry the daemon expired meanwhile) and returns how many.
 */
static size_t delete_keys(int fd, const struct xdpct_flow_key *keys, size_t nd, bool *gone)
{
	size_t i, j, done = 0;

	/* An entry gone meanwhile stops a batch, so go on one by one. */
	for (i = 0; i < nd;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 cnt = (__u32)(nd - i > 4096 ? 4096 : nd - i);
		bool whole = bpf_map_delete_batch(fd, &keys[i], &cnt, &opts) == 0;

		for (j = 0; j < cnt; j++)
			gone[i + j] = true;
		done += cnt;
		i += cnt;
		if (!whole && i < nd) {
			gone[i] = bpf_map_delete_elem(fd, &keys[i]) == 0;
			done += gone[i];
			i++;
		}
	}
	return done;
}

static int run_flush(int argc, char **argv)
{
	struct xdpct_flow_rec *v = NULL;
	struct xdpct_flow_key *keys;
	struct xdpct_event *evs;
	struct flow_filter flt;
	bool *gone;
	struct xdpct_instance in;
	size_t n = 0, nflows = 0, i, nd = 0, nd_flows = 0, done_f, done_e;
	int c, r, err;

	filter_init(&flt);
	while ((c = cli_next(argc, argv, &cmd_flush)) != -1) {
		if (c == -2)
			return cli_status();
		r = filter_opt(&flt, c, optarg, &cmd_flush);
		if (r < 0)
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage(&cmd_flush, "unexpected argument '%s'", argv[optind]);
	if (xdpct_instance_need(&in, "flush"))
		return EXIT_RUNTIME;
	err = xdpct_tables_read(in.flows_fd, in.embryos_fd, &v, &n, &nflows);
	if (err) {
		xdpct_err("flush: read %s: %s", in.dir, strerror(-err));
		xdpct_instance_close(&in);
		return EXIT_RUNTIME;
	}
	keys = calloc(n + 1, sizeof(*keys));
	evs = calloc(n + 1, sizeof(*evs));
	gone = calloc(n + 1, sizeof(*gone));
	if (!keys || !evs || !gone) {
		xdpct_err("flush: out of memory");
		free(v);
		free(keys);
		free(evs);
		free(gone);
		xdpct_instance_close(&in);
		return EXIT_RUNTIME;
	}
	/* v holds flows' entries first, then embryos': so does keys. */
	for (i = 0; i < n; i++)
		if (filter_match(&flt, &v[i].key, v[i].flow.state, v[i].flow.ifindex)) {
			keys[nd] = v[i].key;
			evs[nd] = xdpct_destroyed_event(&v[i].key, &v[i].flow, 0, DESTROY_DELETED);
			nd++;
			if (i < nflows)
				nd_flows++;
		}
	done_f = delete_keys(in.flows_fd, keys, nd_flows, gone);
	done_e = delete_keys(in.embryos_fd, keys + nd_flows, nd - nd_flows, gone + nd_flows);
	xdpct_removed_add(&in, TABLE_FLOWS, (__s64)done_f);
	xdpct_removed_add(&in, TABLE_EMBRYOS, (__s64)done_e);
	/* "destroyed" for what this flush removed: the daemon reports what it expired. */
	for (i = 0, n = 0; i < nd; i++)
		if (gone[i])
			evs[n++] = evs[i];
	ipc_publish(evs, n);
	report("flushed", done_f + done_e);
	free(v);
	free(keys);
	free(evs);
	free(gone);
	xdpct_instance_close(&in);
	return 0;
}

/* "198.18.0.1:80" or "[2001:db8::1]:80" into a parsed-packet endpoint. */
static int parse_endpoint(const char *s, __u32 *addr, __u16 *port, int *family)
{
	char buf[INET6_ADDRSTRLEN + 16], *colon, *host = buf, *end;
	unsigned long p;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (*host == '[') {
		host++;
		colon = strstr(host, "]:");
		if (!colon)
			return -EINVAL;
		*colon = '\0';
		colon++;
	} else {
		colon = strrchr(host, ':');
		if (!colon)
			return -EINVAL;
		*colon = '\0';
	}
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || !colon[1] || p < 1 || p > 65535)
		return -EINVAL;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, host, addr) == 1)
		*family = 4;
	else if (host != buf && inet_pton(AF_INET6, host, addr) == 1)
		*family = 6; /* bracketed only: "2001:db8::2:80" is itself an address */
	else
		return -EINVAL;
	*port = htons((__u16)p);
	return 0;
}

static int run_delete(int argc, char **argv)
{
	struct xdpct_pkt pkt = { 0 };
	struct xdpct_flow_key key;
	struct xdpct_instance in;
	struct xdpct_flow f;
	struct xdpct_event ev;
	int c, fa, fb;

	while ((c = cli_next(argc, argv, &cmd_delete)) != -1)
		if (c == -2)
			return cli_status();
	if (argc - optind != 2)
		return cli_usage(&cmd_delete, "needs two endpoints, ADDR:PORT ADDR:PORT");
	if (parse_endpoint(argv[optind], pkt.saddr, &pkt.sport, &fa))
		return cli_usage(&cmd_delete, "'%s' is not ADDR:PORT or [V6]:PORT", argv[optind]);
	if (parse_endpoint(argv[optind + 1], pkt.daddr, &pkt.dport, &fb))
		return cli_usage(&cmd_delete, "'%s' is not ADDR:PORT or [V6]:PORT",
				 argv[optind + 1]);
	if (fa != fb)
		return cli_usage(&cmd_delete, "one IPv4 and one IPv6 endpoint");
	pkt.family = (__u8)fa;
	xdpct_flow_key_make(&pkt, &key);
	if (xdpct_instance_need(&in, "delete"))
		return EXIT_RUNTIME;
	if (bpf_map_lookup_and_delete_elem(in.flows_fd, &key, &f) == 0) {
		xdpct_removed_add(&in, TABLE_FLOWS, 1);
	} else if (bpf_map_lookup_and_delete_elem(in.embryos_fd, &key, &f) == 0) {
		xdpct_removed_add(&in, TABLE_EMBRYOS, 1);
	} else {
		int err = errno;

		xdpct_err("delete %s %s: %s", argv[optind], argv[optind + 1],
			  err == ENOENT ? "no such flow" : strerror(err));
		xdpct_instance_close(&in);
		return EXIT_RUNTIME;
	}
	ev = xdpct_destroyed_event(&key, &f, 0, DESTROY_DELETED);
	ipc_publish(&ev, 1);
	report("deleted", 1);
	xdpct_instance_close(&in);
	return 0;
}
