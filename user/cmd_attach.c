// SPDX-License-Identifier: GPL-2.0
/* xdpct attach IFACE...: load (or reuse) the instance and attach to each interface. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include "cli.h"
#include "loader.h"

enum { OPT_MODE = 'm', OPT_NO_EGRESS = 256, OPT_FLOWS };

static const struct cli_opt attach_opts[] = {
	{ "mode", OPT_MODE, "MODE", "XDP mode: native (default) or generic" },
	{ "no-egress", OPT_NO_EGRESS, NULL, "do not attach the tc egress program" },
	{ "flows", OPT_FLOWS, "N", "flow table size at first load (default 1048576)" },
	{ 0 },
};

static int run_attach(int argc, char **argv);

const struct cli_cmd cmd_attach = {
	.name = "attach",
	.args = "IFACE...",
	.summary = "Load xdpct and attach it to interfaces: XDP on ingress, tc on egress.",
	.opts = attach_opts,
	.run = run_attach,
};

static int run_attach(int argc, char **argv)
{
	enum xdpct_xdp_mode mode = XDPCT_MODE_NATIVE;
	struct xdpct_load_opts lopts = { 0 };
	struct xdpct_instance in;
	bool no_egress = false, created = false;
	int c, i, err, done = 0;

	while ((c = cli_next(argc, argv, &cmd_attach)) != -1) {
		char *end;

		switch (c) {
		case -2:
			return cli_status();
		case OPT_MODE:
			if (!strcmp(optarg, "native"))
				mode = XDPCT_MODE_NATIVE;
			else if (!strcmp(optarg, "generic"))
				mode = XDPCT_MODE_GENERIC;
			else
				return cli_usage(&cmd_attach, "--mode: '%s' is not native or generic",
						 optarg);
			break;
		case OPT_NO_EGRESS:
			no_egress = true;
			break;
		case OPT_FLOWS:
			errno = 0;
			lopts.flows_max = (__u32)strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || lopts.flows_max < 16 ||
			    strtoul(optarg, NULL, 10) > (1ul << 26))
				return cli_usage(&cmd_attach, "--flows: '%s' is not a number from 16 to %lu",
						 optarg, 1ul << 26);
			break;
		}
	}
	if (optind >= argc)
		return cli_usage(&cmd_attach, "no interface given");

	err = xdpct_instance_open(&in);
	if (err == -ENOENT) {
		err = xdpct_instance_paths(&in);
		if (!err)
			err = xdpct_instance_create(&in, &lopts);
		if (err)
			return EXIT_RUNTIME;
		created = true;
	} else if (err) {
		xdpct_err("open %s: %s", in.dir, strerror(-err));
		return EXIT_RUNTIME;
	}
	for (i = optind; i < argc; i++) {
		err = xdpct_iface_attach(&in, argv[i], mode, no_egress);
		if (err)
			break;
		done++;
		xdpct_info("attached to %s (%s%s)", argv[i], mode == XDPCT_MODE_GENERIC ? "generic" : "native",
			   no_egress ? "" : ", tc egress");
	}
	if (err) {
		/* All or nothing: undo the interfaces this call attached. */
		for (i = optind; i < optind + done; i++)
			xdpct_iface_detach(&in, argv[i], if_nametoindex(argv[i]));
		if (created)
			xdpct_instance_unpin(&in);
	}
	xdpct_instance_close(&in);
	return err ? EXIT_RUNTIME : 0;
}
