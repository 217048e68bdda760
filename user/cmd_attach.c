// SPDX-License-Identifier: GPL-2.0
/*
 * xdpct attach IFACE...: load (or reuse) the instance, attach to each
 * interface, apply --config, start the daemon. All or nothing: on any error
 * what this call did is undone.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "cli.h"
#include "conf.h"
#include "daemon.h"
#include "metrics.h"
#include "ipc.h"
#include "json.h"
#include "loader.h"

enum {
	OPT_MODE = 'm',
	OPT_CONFIG = 'c',
	OPT_FOREGROUND = 'f',
	OPT_NO_EGRESS = 256,
	OPT_FLOWS,
	OPT_EMBRYOS,
	OPT_DETACH_ON_EXIT,
	OPT_SWEEP,
	OPT_METRICS,
};

static const struct cli_opt attach_opts[] = {
	{ "mode", OPT_MODE, "MODE", "XDP mode: native (default) or generic" },
	{ "no-egress", OPT_NO_EGRESS, NULL, "do not attach the tc egress program" },
	{ "config", OPT_CONFIG, "FILE", "apply FILE's 'KEY VALUE' lines (the keys of xdpct config)" },
	{ "foreground", OPT_FOREGROUND, NULL, "run the daemon in this process, logging to stderr" },
	{ "detach-on-exit", OPT_DETACH_ON_EXIT, NULL, "when the daemon stops, detach everything" },
	{ "sweep-interval", OPT_SWEEP, "DURATION",
	  "daemon's table sweep period (default: half the shortest timeout, 100ms..5s)" },
	{ "flows", OPT_FLOWS, "N", "flow table size at first load (default 1048576)" },
	{ "embryos", OPT_EMBRYOS, "N", "handshake table size at first load (default flows/4, at least 16)" },
	{ "metrics-listen", OPT_METRICS, "ADDR:PORT",
	  "daemon serves Prometheus metrics there (a bare PORT: 127.0.0.1)" },
	{ 0 },
};

static int run_attach(int argc, char **argv);

const struct cli_cmd cmd_attach = {
	.name = "attach",
	.args = "IFACE...",
	.summary = "Load xdpct, attach it to interfaces (XDP ingress, tc egress), start the daemon.",
	.opts = attach_opts,
	.run = run_attach,
};

/* The live config before --config (cur) and with it (next); cur is put back on undo. */
static struct conf_state cur, next;
static bool conf_written;

static int apply_config(struct xdpct_instance *in, const char *path)
{
	char why[512];
	int err;

	err = xdpct_conf_read(in, &cur);
	if (err) {
		xdpct_err("attach: read config: %s", strerror(-err));
		return err;
	}
	next = cur;
	if (conf_load_file(&next, path, why, sizeof(why))) {
		xdpct_err("attach: --config %s", why);
		return -EINVAL;
	}
	/* From here the ports map may be half written: undo restores either way. */
	conf_written = true;
	err = xdpct_conf_write(in, &cur, &next);
	if (err)
		xdpct_err("attach: write config: %s", strerror(-err));
	return err;
}

/*
 * May an attach asking for --sweep-interval sweep_ms leave the running
 * daemon as it is? Only when it was told that period: the daemon says its
 * period, not whether it was given one, so a period equal to the one it
 * would derive from the timeouts is refused (it would change with them).
 */
static int sweep_same(const struct xdpct_instance *in, long pid, __u64 sweep_ms)
{
	struct ipc_status st = { 0 };
	struct xdpct_config cfg;

	if (ipc_status(in, &st)) {
		xdpct_err("attach: --sweep-interval: the daemon running here (pid %ld) does not "
			  "answer, so its period is unknown: stop it first (xdpct daemon --stop)",
			  pid);
		return -EBUSY;
	}
	if (st.sweep_interval_ms != sweep_ms) {
		xdpct_err("attach: --sweep-interval: the daemon running here (pid %ld) sweeps every "
			  "%llu ms: stop it first (xdpct daemon --stop)",
			  pid, (unsigned long long)st.sweep_interval_ms);
		return -EBUSY;
	}
	if (xdpct_config_read(in, &cfg) || xdpct_sweep_default_ms(&cfg) == sweep_ms) {
		xdpct_err("attach: --sweep-interval: the daemon running here (pid %ld) sweeps every "
			  "%llu ms, which may follow the timeouts rather than be set: stop it first "
			  "(xdpct daemon --stop)",
			  pid, (unsigned long long)st.sweep_interval_ms);
		return -EBUSY;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, enum xdpct_xdp_mode *mode, bool *no_egress,
		      struct xdpct_load_opts *lopts, struct xdpct_daemon_opts *dopts,
		      const char **config)
{
	unsigned long n;
	int c;

	while ((c = cli_next(argc, argv, &cmd_attach)) != -1) {
		switch (c) {
		case -2:
			return cli_status() ? cli_status() : -1;
		case OPT_MODE:
			if (!strcmp(optarg, "native"))
				*mode = XDPCT_MODE_NATIVE;
			else if (!strcmp(optarg, "generic"))
				*mode = XDPCT_MODE_GENERIC;
			else
				return cli_usage(&cmd_attach, "--mode: '%s' is not native or generic",
						 optarg);
			break;
		case OPT_NO_EGRESS:
			*no_egress = true;
			break;
		case OPT_CONFIG:
			*config = optarg;
			break;
		case OPT_FOREGROUND:
			dopts->foreground = true;
			break;
		case OPT_DETACH_ON_EXIT:
			dopts->detach_on_exit = true;
			break;
		case OPT_SWEEP:
			if (conf_parse_duration(optarg, &dopts->sweep_ms) || dopts->sweep_ms < 10 ||
			    dopts->sweep_ms > 3600000)
				return cli_usage(&cmd_attach,
						 "--sweep-interval: '%s' is not a duration from 10ms to 1h",
						 optarg);
			break;
		case OPT_METRICS: {
			char why[128];

			if (metrics_addr_check(optarg, why, sizeof(why)))
				return cli_usage(&cmd_attach, "--metrics-listen: %s", why);
			dopts->metrics_listen = optarg;
			break;
		}
		case OPT_FLOWS:
			if (cli_uint_arg(&cmd_attach, "--flows", 16, 1ul << 26, &n))
				return EXIT_USAGE;
			lopts->flows_max = (__u32)n;
			break;
		case OPT_EMBRYOS:
			if (cli_uint_arg(&cmd_attach, "--embryos", 16, 1ul << 26, &n))
				return EXIT_USAGE;
			lopts->embryos_max = (__u32)n;
			break;
		}
	}
	return 0;
}

static bool iface_is_loopback(const char *name)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool lo;

	if (fd < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	lo = !ioctl(fd, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags & IFF_LOOPBACK);
	close(fd);
	return lo;
}

static int run_attach(int argc, char **argv)
{
	enum xdpct_xdp_mode mode = XDPCT_MODE_NATIVE;
	struct xdpct_load_opts lopts = { 0 };
	struct xdpct_daemon_opts dopts = { 0 };
	struct xdpct_instance in;
	const char *config = NULL;
	bool no_egress = false, created = false, started = false;
	char why[512];
	int i, err, done = 0;
	long pid;

	err = parse_opts(argc, argv, &mode, &no_egress, &lopts, &dopts, &config);
	if (err)
		return err < 0 ? 0 : err;
	if (optind >= argc)
		return cli_usage(&cmd_attach, "no interface given");
	if (cli_unique_args(&cmd_attach, optind, argc, argv))
		return EXIT_USAGE;
	/* Check what can be checked before anything is loaded. */
	for (i = optind; i < argc; i++) {
		if (!if_nametoindex(argv[i])) {
			xdpct_err("attach %s: interface not found", argv[i]);
			return EXIT_RUNTIME;
		}
		/* Looped back, a frame leaves by tc egress and comes in by XDP. */
		if (!no_egress && iface_is_loopback(argv[i]))
			return cli_usage(&cmd_attach,
					 "%s: a loopback interface passes each frame by both hooks, "
					 "which would count it twice: add --no-egress",
					 argv[i]);
	}
	if (config) {
		static struct conf_state scratch;

		xdpct_config_defaults(&scratch.cfg, 100);
		if (conf_load_file(&scratch, config, why, sizeof(why))) {
			xdpct_err("attach: --config %s", why);
			return EXIT_USAGE;
		}
	}

	if (xdpct_instance_lock())
		return EXIT_RUNTIME;
	err = xdpct_instance_open(&in);
	if (err == -ESTALE) {
		/* A gone namespace's: nothing of it can be attached anywhere now. */
		xdpct_info("attach: removing the pins a gone network namespace left here");
		xdpct_daemon_forget(&in);
		err = xdpct_instance_remove_partial(&in) < 0 ? -EIO : -ENOENT;
	}
	if (err == -ENOENT) {
		err = xdpct_instance_paths(&in);
		if (!err)
			err = xdpct_instance_create(&in, &lopts);
		if (err)
			return EXIT_RUNTIME;
		created = true;
	} else if (err == -EXDEV || err == -EUCLEAN) {
		/*
		 * ip netns exec: whatever we pinned would be invisible to every
		 * other xdpct. Pins missing: creating over the rest would fail,
		 * and its undo would take the pins that are left with it.
		 */
		xdpct_err("attach: %s", xdpct_open_error(err));
		return EXIT_RUNTIME;
	} else if (err) {
		xdpct_err("attach: open %s: %s", in.dir, strerror(-err));
		return EXIT_RUNTIME;
	} else {
		err = xdpct_instance_check(&in);
		if (err) {
			xdpct_err("attach: %s", xdpct_open_error(err));
			xdpct_instance_close(&in);
			return EXIT_RUNTIME;
		}
	}
	pid = xdpct_daemon_pid(&in);
	if (dopts.foreground && pid) {
		xdpct_err("attach: --foreground: a daemon already runs here (pid %ld)", pid);
		err = -EALREADY;
		goto undo;
	}
	/* Settings only a first load or a new daemon takes: never dropped silently. */
	if (!created && ((lopts.flows_max && lopts.flows_max != xdpct_map_max_entries(in.flows_fd)) ||
			 (lopts.embryos_max &&
			  lopts.embryos_max != xdpct_map_max_entries(in.embryos_fd)))) {
		xdpct_err("attach: --flows/--embryos: the tables exist already (%u flows, %u "
			  "embryos) and are sized at first load: detach every interface first",
			  xdpct_map_max_entries(in.flows_fd), xdpct_map_max_entries(in.embryos_fd));
		goto undo;
	}
	if (pid && dopts.metrics_listen) {
		const char *serving = metrics_remembered(in.run_dir);
		const char *want = strcmp(dopts.metrics_listen, "off") ? dopts.metrics_listen : NULL;

		if (!serving != !want || (want && !metrics_addr_same(serving, want))) {
			xdpct_err("attach: --metrics-listen: the daemon running here (pid %ld) serves "
				  "metrics %s%s: stop it first (xdpct daemon --stop)",
				  pid, serving ? "on " : "nowhere", serving ? serving : "");
			goto undo;
		}
	}
	if (pid && dopts.sweep_ms && sweep_same(&in, pid, dopts.sweep_ms))
		goto undo;
	if (pid && dopts.detach_on_exit) {
		xdpct_err("attach: --detach-on-exit: a daemon already runs here (pid %ld) with its "
			  "own settings: stop it first (xdpct daemon --stop)",
			  pid);
		goto undo;
	}
	if (config) {
		err = apply_config(&in, config);
		if (err)
			goto undo;
	}
	for (i = optind; i < argc; i++) {
		err = xdpct_iface_attach(&in, argv[i], mode, no_egress);
		if (err)
			goto undo;
		done++;
	}
	if (!pid && !dopts.foreground) {
		err = xdpct_daemon_start(&dopts);
		if (err && err != -EALREADY)
			goto undo;
		started = !err;
	}
	/* Ready before anything is said: a daemon that cannot start undoes the attach. */
	if (dopts.foreground) {
		err = xdpct_daemon_prepare(&dopts);
		if (err)
			goto undo;
	}
	for (i = optind; i < argc; i++)
		xdpct_info("attached to %s (%s%s)", argv[i],
			   mode == XDPCT_MODE_GENERIC ? "generic" : "native",
			   no_egress ? "" : ", tc egress");
	{
		struct xdpct_config cfg;

		if (!xdpct_config_read(&in, &cfg) && cfg.flags & CFG_SYNCOOKIES)
			xdpct_syncookie_sysctl_check("attach");
	}
	if (started)
		xdpct_info("daemon started (pid %ld)", xdpct_daemon_pid(&in));
	if (g_opts.json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_arr_begin(&j, "attached");
		for (i = optind; i < argc; i++)
			json_str(&j, NULL, argv[i]);
		json_arr_end(&j);
		json_str(&j, "mode", mode == XDPCT_MODE_GENERIC ? "generic" : "native");
		json_bool(&j, "egress", !no_egress);
		json_i64(&j, "daemon_pid", dopts.foreground ? (long long)getpid()
							     : xdpct_daemon_pid(&in));
		json_bool(&j, "daemon_started", started || dopts.foreground);
		json_obj_end(&j);
		json_end(&j);
	}
	xdpct_instance_close(&in);
	/* The daemon serves for long: the commands it would hold up must not wait on it. */
	xdpct_instance_unlock();
	if (dopts.foreground)
		xdpct_daemon_serve_prepared();
	return 0;

undo:
	for (i = optind; i < optind + done; i++)
		xdpct_iface_detach(&in, argv[i], if_nametoindex(argv[i]));
	/* A new instance goes whole; a running one gets its config back. */
	if (conf_written && !created) {
		err = xdpct_conf_write(&in, &next, &cur);
		if (err)
			xdpct_err("attach: restore config: %s", strerror(-err));
	}
	if (created)
		xdpct_instance_unpin(&in);
	xdpct_instance_close(&in);
	return EXIT_RUNTIME;
}
