// SPDX-License-Identifier: GPL-2.0
/* xdpct daemon: (re)start the daemon for what is attached, e.g. after kill -9. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "conf.h"
#include "daemon.h"
#include "metrics.h"
#include "ipc.h"
#include "json.h"

enum { OPT_FOREGROUND = 'f', OPT_DETACH_ON_EXIT = 256, OPT_SWEEP, OPT_STOP, OPT_METRICS };

static const struct cli_opt daemon_opts[] = {
	{ "foreground", OPT_FOREGROUND, NULL, "stay in this process, logging to stderr" },
	{ "detach-on-exit", OPT_DETACH_ON_EXIT, NULL, "when stopped, detach everything" },
	{ "sweep-interval", OPT_SWEEP, "DURATION",
	  "table sweep period (default: half the shortest timeout, 100ms..5s)" },
	{ "stop", OPT_STOP, NULL, "stop the running daemon (programs stay attached)" },
	{ "metrics-listen", OPT_METRICS, "ADDR:PORT",
	  "serve Prometheus metrics there (a bare PORT: 127.0.0.1)" },
	{ 0 },
};

static int run_daemon(int argc, char **argv);

const struct cli_cmd cmd_daemon = {
	.name = "daemon",
	.args = "",
	.summary = "Start the daemon that serves events and expires flows (attach starts it too).",
	.opts = daemon_opts,
	.run = run_daemon,
};

/* -j: what happened, in attach's keys: {"daemon_started":true,"daemon_pid":N}. */
static void say_json(const char *what, bool done, long pid)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_bool(&j, what, done);
	if (pid > 0)
		json_i64(&j, "daemon_pid", pid);
	json_obj_end(&j);
	json_end(&j);
}

static int run_daemon(int argc, char **argv)
{
	struct xdpct_daemon_opts o = { 0 };
	struct xdpct_instance in;
	bool stop = false;
	long pid;
	int c, err;

	while ((c = cli_next(argc, argv, &cmd_daemon)) != -1) {
		switch (c) {
		case -2:
			return cli_status();
		case OPT_FOREGROUND:
			o.foreground = true;
			break;
		case OPT_DETACH_ON_EXIT:
			o.detach_on_exit = true;
			break;
		case OPT_METRICS: {
			char why[128];

			if (metrics_addr_check(optarg, why, sizeof(why)))
				return cli_usage(&cmd_daemon, "--metrics-listen: %s", why);
			o.metrics_listen = optarg;
			break;
		}
		case OPT_STOP:
			stop = true;
			break;
		case OPT_SWEEP:
			if (conf_parse_duration(optarg, &o.sweep_ms) || o.sweep_ms < 10 ||
			    o.sweep_ms > 3600000)
				return cli_usage(&cmd_daemon,
						 "--sweep-interval: '%s' is not a duration from 10ms to 1h",
						 optarg);
			break;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_daemon, "unexpected argument '%s'", argv[optind]);
	/* What a daemon should run with means nothing to one being stopped. */
	if (stop && (o.foreground || o.detach_on_exit || o.metrics_listen || o.sweep_ms))
		return cli_usage(&cmd_daemon, "--stop takes no other option");
	if (xdpct_instance_need(&in, "daemon"))
		return EXIT_RUNTIME;
	pid = xdpct_daemon_pid(&in);
	if (stop) {
		err = xdpct_daemon_stop(&in);
		xdpct_instance_close(&in);
		if (err) {
			xdpct_err("daemon --stop: pid %ld: %s", pid, strerror(-err));
			return EXIT_RUNTIME;
		}
		if (pid)
			xdpct_info("daemon stopped (pid %ld)", pid);
		else
			xdpct_info("no daemon was running");
		if (g_opts.json)
			say_json("daemon_stopped", pid > 0, pid);
		return 0;
	}
	xdpct_instance_close(&in);
	if (pid) {
		xdpct_err("daemon: already running (pid %ld)", pid);
		return EXIT_RUNTIME;
	}
	err = xdpct_daemon_start(&o);
	/*
	 * Another daemon took the lock after the look above (two started at
	 * once): the child said so in the log only. In the foreground that
	 * log is our stderr, and the line is there already.
	 */
	if (err == -EALREADY && !o.foreground)
		xdpct_daemon_said_running(&in);
	if (err)
		return EXIT_RUNTIME;
	if (!o.foreground) {
		pid = xdpct_daemon_pid(&in);
		xdpct_info("daemon started (pid %ld)", pid);
		if (g_opts.json)
			say_json("daemon_started", true, pid);
	}
	return 0;
}
