// SPDX-License-Identifier: GPL-2.0
/* xdpct <command> [options]: global options, then the command's own. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "instance.h"

extern const struct cli_cmd cmd_attach, cmd_detach, cmd_status, cmd_list, cmd_events, cmd_stats,
	cmd_config, cmd_flush, cmd_delete, cmd_daemon, cmd_demo;
extern const struct cli_cmd cmd_replay, cmd_top;

const struct cli_cmd *const cli_commands[] = {
	&cmd_attach, &cmd_detach, &cmd_status, &cmd_list,   &cmd_events, &cmd_stats,
	&cmd_config, &cmd_flush,  &cmd_delete, &cmd_daemon, &cmd_demo,	 &cmd_replay,
	&cmd_top,	NULL,
};

static void usage(FILE *out)
{
	int i;

	fprintf(out, "Usage: xdpct [-n NETNS] [-j] [-v] COMMAND [options]\n\n"
		     "An eBPF/XDP TCP connection tracker and responder.\n\n"
		     "Global options:\n"
		     "  -n, --netns NAME   act inside network namespace NAME (as ip -n)\n"
		     "  -j, --json         machine-readable output\n"
		     "  -v, --verbose      show libbpf's messages\n"
		     "  -h, --help         show this help\n\nCommands:\n");
	for (i = 0; cli_commands[i]; i++)
		fprintf(out, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fprintf(out, "\nRun 'xdpct COMMAND --help' for a command's options.\n");
}

/*
 * Root without its capabilities (capsh --drop, a container) could still
 * unlink pins and detach links it has no right to re-create: refuse up front,
 * naming what is missing, before anything is touched.
 */
static int check_caps(const char *cmd)
{
	static const struct {
		int bit;
		const char *name;
	} need[] = { { 12, "CAP_NET_ADMIN" }, { 21, "CAP_SYS_ADMIN" }, { 39, "CAP_BPF" } };
	char line[256], missing[96] = "";
	unsigned long long eff = 0;
	bool found = false;
	int last;
	FILE *f;
	size_t i;

	if (geteuid() != 0) {
		xdpct_err("%s: needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN)", cmd);
		return EXIT_RUNTIME;
	}
	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	if (f)
		fclose(f);
	if (!found)
		return 0; /* no /proc: the kernel will say no itself */
	/* A kernel older than a capability (CAP_BPF: 5.8) grants its work under CAP_SYS_ADMIN. */
	f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (!f || fscanf(f, "%d", &last) != 1)
		last = 63;
	if (f)
		fclose(f);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (need[i].bit <= last && !(eff & (1ull << need[i].bit))) {
			if (*missing)
				strcat(missing, ", ");
			strcat(missing, need[i].name);
		}
	if (*missing) {
		xdpct_err("%s: needs root with %s (the process lacks it)", cmd, missing);
		return EXIT_RUNTIME;
	}
	return 0;
}

/*
 * `config keys` (its options anywhere, and whatever follows, which its
 * own parse refuses): the one command that reads nothing of the kernel's,
 * in no namespace.
 */
static bool is_config_keys(const struct cli_cmd *cmd, int argc, char **argv)
{
	int i;

	if (strcmp(cmd->name, "config"))
		return false;
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			return !strcmp(argv[i], "keys");
	return false;
}

/*
 * The command's options read once for their syntax alone, before the
 * privilege check: an unknown option, or one missing its argument, is a
 * usage error (exit 2) for anyone. What the values mean is the command's
 * to judge when it runs. Returns -2 when help or a usage error was printed
 * (cli_status() then gives the exit status), 0 otherwise.
 */
static int options_read_once(const struct cli_cmd *cmd, int argc, char **argv)
{
	int c;

	while ((c = cli_next(argc, argv, cmd)) >= 0)
		;
	optind = 0;
	return c == -2 ? -2 : 0;
}

int main(int argc, char **argv)
{
	static const struct option gopts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_cmd *cmd;
	int c, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:jvh", gopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			g_opts.netns = optarg;
			break;
		case 'j':
			g_opts.json = true;
			break;
		case 'v':
			g_opts.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			xdpct_err("option '%s' is unknown or needs an argument (see 'xdpct --help')",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cli_find(argv[optind]);
	if (!cmd) {
		xdpct_err("'%s' is not a command (see 'xdpct --help')", argv[optind]);
		return EXIT_USAGE;
	}
	xdpct_libbpf_logging(g_opts.verbose);
	/* The command sees its own name as argv[0]; getopt starts afresh. */
	argc -= optind;
	argv += optind;
	optind = 0;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cli_help(stdout, cmd);
		return 0;
	}
	if (options_read_once(cmd, argc, argv) == -2)
		return cli_status();
	/* The demo makes its own namespaces: said before any -n is looked for. */
	if (g_opts.netns && !strcmp(cmd->name, "demo"))
		return cli_usage(cmd, "makes its own namespaces: no -n");
	if (g_opts.netns && !xdpct_netns_name_ok(g_opts.netns)) {
		xdpct_err("-n '%s': not a namespace name (see 'ip netns list')", g_opts.netns);
		return EXIT_USAGE;
	}
	/* `config keys` prints a table built in: nothing to be privileged for. */
	if (!is_config_keys(cmd, argc, argv)) {
		if (check_caps(cmd->name))
			return EXIT_RUNTIME;
		if (g_opts.netns && xdpct_enter_netns(g_opts.netns))
			return EXIT_RUNTIME;
	}
	rc = cmd->run(argc, argv);
	/*
	 * Output that was not written is no output (a full disk, /dev/full):
	 * an exit status of 0 would say it was. A closed pipe ends the process
	 * by SIGPIPE before this.
	 */
	errno = 0;
	if ((fflush(stdout) || ferror(stdout)) && !rc) {
		xdpct_err("%s: the output could not be written%s%s", cmd->name, errno ? ": " : "",
			  errno ? strerror(errno) : "");
		rc = EXIT_RUNTIME;
	}
	return rc;
}
