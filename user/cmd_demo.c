// SPDX-License-Identifier: GPL-2.0
/*
 * xdpct demo: the namespace lab of tests/tools/demo.sh (client, router,
 * server; xdpct on the router; every phase of a connection's life). The
 * script sits beside the build: BUILD/xdpct -> tests/tools/demo.sh.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const struct cli_opt demo_opts[] = {
	{ 0 },
};

static int run_demo(int argc, char **argv);

const struct cli_cmd cmd_demo = {
	.name = "demo",
	.args = "",
	.summary = "Build a client/router/server namespace lab, show every TCP phase, remove the lab.",
	.opts = demo_opts,
	.run = run_demo,
	.no_json = true,
};

static int run_demo(int argc, char **argv)
{
	char exe[PATH_MAX], dir[PATH_MAX], script[PATH_MAX + 64], peer[PATH_MAX + 64];
	ssize_t n;
	int c;

	while ((c = cli_next(argc, argv, &cmd_demo)) != -1)
		if (c == -2)
			return cli_status();
	if (optind < argc)
		return cli_usage(&cmd_demo, "unexpected argument '%s'", argv[optind]);
	if (g_opts.json)
		return cli_usage(&cmd_demo, "a show for a terminal, not JSON: 'xdpct -j list' on a lab "
				 "of your own");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		xdpct_err("demo: /proc/self/exe: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	exe[n] = '\0';
	strcpy(dir, exe);
	dirname(dir);
	snprintf(script, sizeof(script), "%s/../tests/tools/demo.sh", dir);
	snprintf(peer, sizeof(peer), "%s/tests/tools/peer", dir);
	if (access(script, R_OK) || access(peer, X_OK)) {
		xdpct_err("demo: needs %s and %s (run 'make demo' in the source tree)", script, peer);
		return EXIT_RUNTIME;
	}
	setenv("XDPCT", exe, 1);
	setenv("PEER", peer, 1);
	execl("/bin/bash", "bash", script, (char *)NULL);
	xdpct_err("demo: /bin/bash: %s", strerror(errno));
	return EXIT_RUNTIME;
}
