// SPDX-License-Identifier: GPL-2.0
/* xdpct events: the events as they happen, like conntrack -E; one of many readers. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "conf.h"
#include "event_out.h"
#include "filter.h"
#include "ipc.h"
#include "json.h"

enum { OPT_TYPE = 't', OPT_COUNT = 'c' };

static const struct cli_opt events_opts[] = {
	FILTER_OPTS,
	{ "type", OPT_TYPE, "LIST", "only events of these types, comma-separated (new,time-wait ...)" },
	{ "count", OPT_COUNT, "N", "exit after N events" },
	{ 0 },
};

/*
 * The data path emits only the types the `events` key lets through: a
 * reader waiting for one it leaves out would wait for ever, unaware.
 */
static void warn_types_off(const struct xdpct_instance *in, __u32 types)
{
	struct xdpct_config cfg;
	int t;

	if (!types || xdpct_config_read(in, &cfg))
		return;
	for (t = 0; t < EV__MAX; t++)
		if ((types & (1u << t)) && !(cfg.event_mask & (1u << t)))
			xdpct_err("events: warning: '%s' events are off in the configuration, "
				  "none will come ('xdpct config set events ...' turns them on)",
				  xdpct_event_name((unsigned int)t));
}

static int run_events(int argc, char **argv);

const struct cli_cmd cmd_events = {
	.name = "events",
	.args = "[filters]",
	.summary = "Follow the events (new, established, fin, time-wait, destroyed ...) as they happen.",
	.opts = events_opts,
	.run = run_events,
};

static void print_event(const struct xdpct_event *ev)
{
	char ifname[IF_NAMESIZE] = "";
	struct timespec ts;
	struct tm tm;

	if_indextoname(ev->ifindex, ifname);
	clock_gettime(CLOCK_REALTIME, &ts);
	if (g_opts.json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_u64(&j, "ts_ms", (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
		xdpct_event_json(&j, ev, ifname);
		json_obj_end(&j);
		json_end(&j);
		return;
	}
	gmtime_r(&ts.tv_sec, &tm);
	printf("%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	xdpct_event_line(stdout, ev, ifname);
}

static int run_events(int argc, char **argv)
{
	struct flow_filter flt;
	struct xdpct_instance in;
	struct ipc_msg m = { .op = IPC_SUBSCRIBE };
	long count = -1, seen = 0;
	__u32 types = 0; /* 0: every type */
	int c, r, fd;
	char *end;

	filter_init(&flt);
	while ((c = cli_next(argc, argv, &cmd_events)) != -1) {
		if (c == -2)
			return cli_status();
		r = filter_opt(&flt, c, optarg, &cmd_events);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (c == OPT_TYPE) {
			char why[128];
			__u32 m;

			if (conf_parse_events(optarg, &m, why, sizeof(why)))
				return cli_usage(&cmd_events, "--type: %s", why);
			if (!m)
				return cli_usage(&cmd_events, "--type: 'none' selects no event");
			/* Given again, the types add up: --type new --type destroyed. */
			types |= m;
		} else if (c == OPT_COUNT) {
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || count < 1)
				return cli_usage(&cmd_events, "--count: '%s' is not a positive number",
						 optarg);
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_events, "unexpected argument '%s'", argv[optind]);
	if (xdpct_instance_need(&in, "events"))
		return EXIT_RUNTIME;
	warn_types_off(&in, types);
	fd = ipc_connect(&in);
	xdpct_instance_close(&in);
	if (fd < 0) {
		xdpct_err("events: no daemon runs in this namespace (start it with 'xdpct daemon')");
		return EXIT_RUNTIME;
	}
	if (ipc_send(fd, &m)) {
		xdpct_err("events: subscribe: %s", strerror(errno));
		close(fd);
		return EXIT_RUNTIME;
	}
	while (count < 0 || seen < count) {
		ssize_t n = recv(fd, &m, sizeof(m), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			xdpct_err("events: the daemon stopped");
			close(fd);
			return EXIT_RUNTIME;
		}
		if (n == sizeof(m) && m.op == IPC_LOST) {
			/* As conntrack -E says ENOBUFS: the stream has a gap here. */
			xdpct_err("events: %llu events lost: this reader did not keep up",
				  (unsigned long long)m.ev.time);
			continue;
		}
		if (n != sizeof(m) || m.op != IPC_EVENT)
			continue;
		if (types && (m.ev.type >= 32 || !(types & (1u << m.ev.type))))
			continue;
		if (!filter_match(&flt, &m.ev.key, m.ev.state, m.ev.ifindex))
			continue;
		print_event(&m.ev);
		seen++;
		/* Events nobody can read are not worth waiting for: main() says why. */
		if (ferror(stdout))
			break;
	}
	close(fd);
	return 0;
}
