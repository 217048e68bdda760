// SPDX-License-Identifier: GPL-2.0
/* xdpct stats: counters like conntrack -S, and flows per state. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xdpct/counters.h>
#include "cli.h"
#include "conf.h"
#include "flows.h"
#include "instance.h"
#include "json.h"
#include "replay.h"

enum { OPT_INTERVAL = 'I', OPT_COUNT = 'c' };

static const struct cli_opt stats_opts[] = {
	{ "interval", OPT_INTERVAL, "DURATION", "print again every DURATION (2, 500ms ...) until stopped" },
	{ "count", OPT_COUNT, "N", "with --interval: stop after N samples" },
	{ 0 },
};

static int run_stats(int argc, char **argv);

const struct cli_cmd cmd_stats = {
	.name = "stats",
	.args = "",
	.summary = "Show counters (packets, flows opened and closed, invalid by reason, drops) and flows per state.",
	.opts = stats_opts,
	.run = run_stats,
};

void xdpct_stats_json(struct json *j, const __u64 *per_state, const __u64 *cnt)
{
	int i;

	json_obj_begin(j, "flows_by_state");
	for (i = 1; i < CT__MAX; i++)
		json_u64(j, xdpct_ct_state_name((unsigned int)i), per_state[i]);
	json_obj_end(j);
	json_obj_begin(j, "counters");
	for (i = 0; i < CNT__MAX; i++)
		json_u64(j, xdpct_counter_names[i], cnt[i]);
	json_obj_end(j);
}

void xdpct_stats_states(__u64 total, const __u64 *per_state)
{
	int i;

	printf("flows %llu:", (unsigned long long)total);
	for (i = 1; i < CT__MAX; i++)
		printf(" %s=%llu", xdpct_ct_state_name((unsigned int)i),
		       (unsigned long long)per_state[i]);
	printf("\n");
}

void xdpct_stats_counters(const __u64 *cnt)
{
	int i;

	for (i = 0; i < CNT__MAX; i++)
		printf("  %-30s %llu\n", xdpct_counter_names[i], (unsigned long long)cnt[i]);
}

static int sample(const struct xdpct_instance *in)
{
	__u64 cnt[CNT__MAX], per_state[CT__MAX], total, live[TABLE__MAX], evicted[TABLE__MAX];
	__u64 removed[TABLE__MAX] = { 0 };
	struct json j;
	int err, i;

	/* Counters, then what userspace removed, then the tables: see xdpct_evictions(). */
	err = xdpct_counters_read(in, cnt);
	for (i = 0; i < TABLE__MAX && in->removed; i++)
		removed[i] = __atomic_load_n(&in->removed->n[i], __ATOMIC_RELAXED);
	if (!err)
		err = xdpct_tables_count(in->flows_fd, in->embryos_fd, per_state, &total, live);
	if (err) {
		xdpct_err("stats: read %s: %s", in->dir, strerror(-err));
		return err;
	}
	if (g_opts.json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		xdpct_evictions(cnt, removed, live, evicted);
		json_u64(&j, "flows", total);
		json_obj_begin(&j, "tables");
		json_obj_begin(&j, "flows");
		json_u64(&j, "entries", live[TABLE_FLOWS]);
		json_u64(&j, "evictions", evicted[TABLE_FLOWS]);
		json_obj_end(&j);
		json_obj_begin(&j, "embryos");
		json_u64(&j, "entries", live[TABLE_EMBRYOS]);
		json_u64(&j, "evictions", evicted[TABLE_EMBRYOS]);
		json_obj_end(&j);
		json_obj_end(&j);
		json_u64(&j, "evictions", evicted[TABLE_FLOWS] + evicted[TABLE_EMBRYOS]);
		xdpct_stats_json(&j, per_state, cnt);
		json_obj_end(&j);
		json_end(&j);
		return 0;
	}
	xdpct_stats_states(total, per_state);
	xdpct_evictions(cnt, removed, live, evicted);
	printf("tables: flows %llu (evictions %llu), embryos %llu (evictions %llu)\n",
	       (unsigned long long)live[TABLE_FLOWS], (unsigned long long)evicted[TABLE_FLOWS],
	       (unsigned long long)live[TABLE_EMBRYOS], (unsigned long long)evicted[TABLE_EMBRYOS]);
	xdpct_stats_counters(cnt);
	return 0;
}

static int run_stats(int argc, char **argv)
{
	struct xdpct_instance in;
	__u64 interval = 0;
	long count = -1, n;
	char *end;
	int c, err;

	while ((c = cli_next(argc, argv, &cmd_stats)) != -1) {
		switch (c) {
		case -2:
			return cli_status();
		case OPT_INTERVAL:
			if (conf_parse_duration(optarg, &interval) || interval < 10 ||
			    interval > 86400000)
				return cli_usage(&cmd_stats,
						 "--interval: '%s' is not a duration from 10ms to 1d",
						 optarg);
			break;
		case OPT_COUNT:
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || count < 1)
				return cli_usage(&cmd_stats, "--count: '%s' is not a positive number",
						 optarg);
			break;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_stats, "unexpected argument '%s'", argv[optind]);
	if (count > 0 && !interval)
		return cli_usage(&cmd_stats, "--count needs --interval");
	if (xdpct_instance_need(&in, "stats"))
		return EXIT_RUNTIME;
	for (n = 0;; n++) {
		struct timespec ts = { (time_t)(interval / 1000), (long)(interval % 1000) * 1000000 };

		if (n && !g_opts.json)
			printf("\n");
		if (n && (err = xdpct_instance_follow(&in)) < 0) {
			xdpct_err("stats: %s", err == -ENOENT ? "xdpct was detached"
							     : xdpct_open_error(err));
			return EXIT_RUNTIME;
		}
		if (sample(&in)) {
			xdpct_instance_close(&in);
			return EXIT_RUNTIME;
		}
		if (!interval || (count > 0 && n + 1 >= count))
			break;
		nanosleep(&ts, NULL);
	}
	xdpct_instance_close(&in);
	return 0;
}
