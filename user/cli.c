// SPDX-License-Identifier: GPL-2.0
/* Option tables to getopt_long, and help printed from the same rows. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "conf.h"

#define CLI_MAX_OPTS 30

static int status;

int cli_status(void)
{
	return status;
}

/* An option's left column: "-m, --mode MODE" or "    --flows N". */
static void opt_left(const struct cli_opt *o, char *buf, size_t len)
{
	if (o->key < 256)
		snprintf(buf, len, "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	else
		snprintf(buf, len, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void cli_help(FILE *out, const struct cli_cmd *cmd)
{
	const struct cli_opt *o;
	char left[64];
	int width = 12; /* "-h, --help" and "-j, --json" fit */

	fprintf(out, "Usage: xdpct [-n NETNS] [-j] [-v] %s%s%s\n\n%s\n", cmd->name,
		cmd->args && *cmd->args ? " " : "", cmd->args ? cmd->args : "", cmd->summary);
	fprintf(out, "\nOptions:\n");
	/* One column for the help texts, as wide as the longest option needs. */
	for (o = cmd->opts; o && o->name; o++) {
		opt_left(o, left, sizeof(left));
		if ((int)strlen(left) + 2 > width)
			width = (int)strlen(left) + 2;
	}
	for (o = cmd->opts; o && o->name; o++) {
		opt_left(o, left, sizeof(left));
		fprintf(out, "  %-*s%s\n", width, left, o->help);
	}
	if (!cmd->no_json)
		fprintf(out, "  %-*s%s\n", width, "-j, --json",
			"machine-readable output (as the global -j)");
	fprintf(out, "  %-*s%s\n", width, "-h, --help", "show this help");
	if (cmd->help_extra)
		cmd->help_extra(out);
}

int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpct: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'xdpct %s --help')\n", cmd->name);
	status = EXIT_USAGE;
	return EXIT_USAGE;
}

int cli_unique_args(const struct cli_cmd *cmd, int from, int argc, char **argv)
{
	int i, k;

	for (i = from; i < argc; i++)
		for (k = from; k < i; k++)
			if (!strcmp(argv[i], argv[k]))
				return cli_usage(cmd, "'%s' is given twice", argv[i]);
	return 0;
}

int cli_uint_arg(const struct cli_cmd *cmd, const char *opt, unsigned long min, unsigned long max,
		 unsigned long *v)
{
	if (!conf_parse_uint(optarg, min, max, v))
		return 0;
	return cli_usage(cmd, "%s: '%s' is not a number from %lu to %lu", opt, optarg, min, max);
}

/*
 * What was wrong with the long option arg, which getopt refused: one it
 * does not know, one given a value it takes none of, one given none of
 * the value it needs, or an abbreviation of more than one.
 */
static void long_option_error(const struct cli_cmd *cmd, const struct option *lopts,
			      const char *arg)
{
	size_t len = strcspn(arg + 2, "=");
	const struct option *o, *first = NULL;
	int matches = 0;

	for (o = lopts; o->name; o++) {
		if (strncmp(o->name, arg + 2, len))
			continue;
		if (strlen(o->name) == len) {
			first = o;
			matches = 1;
			break;
		}
		if (!matches++)
			first = o;
	}
	if (matches > 1)
		cli_usage(cmd, "option '--%.*s' is ambiguous (--%s, ...)", (int)len, arg + 2,
			  first->name);
	else if (matches && first->has_arg == no_argument && arg[2 + len] == '=')
		cli_usage(cmd, "option '--%s' takes no value", first->name);
	else if (matches)
		cli_usage(cmd, "option '--%s' needs a value", first->name);
	else
		cli_usage(cmd, "option '--%.*s' is unknown", (int)len, arg + 2);
}

int cli_next(int argc, char **argv, const struct cli_cmd *cmd)
{
	struct option lopts[CLI_MAX_OPTS + 3];
	char sopts[CLI_MAX_OPTS * 2 + 4] = "hj";
	const struct cli_opt *o;
	int n = 0, c;

	for (o = cmd->opts; o && o->name && n < CLI_MAX_OPTS; o++, n++) {
		lopts[n] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					    NULL, o->key };
		if (o->key < 256) {
			size_t l = strlen(sopts);

			sopts[l] = (char)o->key;
			sopts[l + 1] = o->arg ? ':' : '\0';
			sopts[l + 2] = '\0';
		}
	}
	lopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[n++] = (struct option){ "json", no_argument, NULL, 'j' };
	lopts[n] = (struct option){ 0 };

	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) == 'j')
		g_opts.json = true;
	if (c == 'h') {
		cli_help(stdout, cmd);
		status = 0;
		return -2;
	}
	if (c == '?' || c == ':') {
		const char *arg = argv[optind - 1];

		if (optind > 0 && !strncmp(arg, "--", 2))
			long_option_error(cmd, lopts, arg);
		else if (optopt && optopt < 256)
			cli_usage(cmd, "option '-%c' is unknown or needs an argument", optopt);
		else
			cli_usage(cmd, "option '%s' is unknown or needs an argument",
				  argv[optind - 1]);
		return -2;
	}
	return c;
}

const struct cli_cmd *cli_find(const char *name)
{
	int i;

	for (i = 0; cli_commands[i]; i++)
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
	return NULL;
}
