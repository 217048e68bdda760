// SPDX-License-Identifier: GPL-2.0
/* xdpct detach IFACE...|--all: remove the programs; the pins go with the last one. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "daemon.h"
#include "json.h"
#include "loader.h"

enum { OPT_ALL = 'a' };

static const struct cli_opt detach_opts[] = {
	{ "all", OPT_ALL, NULL, "detach from every interface of this namespace" },
	{ 0 },
};

static int run_detach(int argc, char **argv);

const struct cli_cmd cmd_detach = {
	.name = "detach",
	.args = "IFACE...|--all",
	.summary = "Detach xdpct from interfaces; after the last one, remove its pinned state.",
	.opts = detach_opts,
	.run = run_detach,
};

static bool ifaces_empty(int fd)
{
	__u32 key;

	return bpf_map_get_next_key(fd, NULL, &key) != 0;
}

static int run_detach(int argc, char **argv)
{
	struct xdpct_instance in;
	struct json j;
	bool all = false, json;
	int c, i, err, rc = 0;

	while ((c = cli_next(argc, argv, &cmd_detach)) != -1) {
		if (c == -2)
			return cli_status();
		if (c == OPT_ALL)
			all = true;
	}
	if (!all && optind >= argc)
		return cli_usage(&cmd_detach, "no interface given (or --all)");
	if (all && optind < argc)
		return cli_usage(&cmd_detach, "give interfaces or --all, not both");
	if (cli_unique_args(&cmd_detach, optind, argc, argv))
		return EXIT_USAGE;

	if (xdpct_instance_lock())
		return EXIT_RUNTIME;
	err = xdpct_instance_open(&in);
	if (err) {
		if (err == -ENOENT || err == -EUCLEAN || err == -ESTALE) {
			if (all) {
				/* Pins half gone: stop the daemon, remove what is left. */
				int n;

				err = xdpct_daemon_stop(&in);
				n = xdpct_instance_remove_partial(&in);
				if (!err && n >= 0)
					xdpct_daemon_forget(&in);
				if (n < 0) {
					xdpct_err("detach: remove %s: %s", in.dir, strerror(-n));
					return EXIT_RUNTIME;
				}
				if (n > 0)
					xdpct_info("removed %d pins of an incomplete instance", n);
				if (g_opts.json) {
					/* The pins do not say which interfaces they were on. */
					json_init(&j, stdout);
					json_obj_begin(&j, NULL);
					json_bool(&j, "removed", n > 0);
					json_u64(&j, "pins_removed", (unsigned long long)n);
					json_obj_end(&j);
					json_end(&j);
				}
				return 0;
			}
			xdpct_err("detach %s: %s", argv[optind], xdpct_open_error(err));
		} else if (err == -EXDEV) {
			xdpct_err("detach: %s", xdpct_open_error(err));
		} else {
			xdpct_err("open %s: %s", in.dir, strerror(-err));
		}
		return EXIT_RUNTIME;
	}
	if (!all) {
		/* All or nothing: every name is checked before any is detached. */
		for (i = optind; i < argc && !rc; i++) {
			unsigned int ifindex = if_nametoindex(argv[i]);
			__u32 flags;

			if (!ifindex) {
				xdpct_err("detach %s: interface not found", argv[i]);
				rc = EXIT_RUNTIME;
			} else if (bpf_map_lookup_elem(in.ifaces_fd, &ifindex, &flags)) {
				xdpct_err("detach %s: xdpct is not attached there", argv[i]);
				rc = EXIT_RUNTIME;
			}
		}
	}
	/* A refusal is its stderr line alone: no document that reads like a result. */
	json = g_opts.json && !rc;
	if (json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_arr_begin(&j, "detached");
	}
	if (all) {
		__u32 key;

		while (bpf_map_get_next_key(in.ifaces_fd, NULL, &key) == 0) {
			char name[IF_NAMESIZE] = "?";

			if_indextoname(key, name);
			xdpct_iface_detach(&in, name, key);
			xdpct_info("detached from %s", name);
			if (json)
				json_str(&j, NULL, name);
		}
	} else {
		for (i = optind; i < argc && !rc; i++) {
			unsigned int ifindex = if_nametoindex(argv[i]);

			if (xdpct_iface_detach(&in, argv[i], ifindex)) {
				xdpct_err("detach %s: xdpct is not attached there", argv[i]);
				rc = EXIT_RUNTIME;
				continue;
			}
			xdpct_info("detached from %s", argv[i]);
			if (json)
				json_str(&j, NULL, argv[i]);
		}
	}
	if (json) {
		json_arr_end(&j);
		json_bool(&j, "removed", ifaces_empty(in.ifaces_fd));
		json_obj_end(&j);
		json_end(&j);
	}
	if (ifaces_empty(in.ifaces_fd)) {
		/* Nothing left to serve: the daemon goes before the pins. */
		err = xdpct_daemon_stop(&in);
		if (err)
			xdpct_err("detach: stop daemon: %s", strerror(-err));
		xdpct_instance_unpin(&in);
		/* Its log goes with it (a daemon that would not stop keeps writing it). */
		if (!err)
			xdpct_daemon_forget(&in);
	}
	xdpct_instance_close(&in);
	return rc;
}
