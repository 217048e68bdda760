/* SPDX-License-Identifier: GPL-2.0 */
/* What the commands share: errors, options tables, the instance they act on. */
#ifndef XDPCT_USER_CLI_H
#define XDPCT_USER_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* Global options, set by main before a command runs. */
struct xdpct_globals {
	const char *netns; /* -n NAME: act inside /run/netns/NAME */
	bool json;
	bool verbose;
};
extern struct xdpct_globals g_opts;

/* One line to stderr naming the object and the cause. */
void xdpct_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xdpct_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xdpct_libbpf_logging(bool verbose);

/*
 * Options as a table, xdp-loader style: one row drives parsing, --help
 * and the README's reference alike.
 */
struct cli_opt {
	const char *name;  /* long name */
	int key;           /* short letter, or a value >= 256 for long-only */
	const char *arg;   /* argument name, NULL for a flag */
	const char *help;
};

struct cli_cmd {
	const char *name;
	const char *args;    /* positional synopsis */
	const char *summary;
	const struct cli_opt *opts; /* terminated by a zero row */
	int (*run)(int argc, char **argv);
	void (*help_extra)(FILE *out); /* more after the options, e.g. config's keys */
	bool no_json; /* output for a person only: -j refused (its run says so), not in --help */
};

/*
 * getopt_long over a table. Returns the key of the next option (optarg
 * holds its argument), -1 at the end, or -2 after printing help or a usage
 * error (cli_status() then says which exit status to use).
 */
int cli_next(int argc, char **argv, const struct cli_cmd *cmd);
int cli_status(void);
void cli_help(FILE *out, const struct cli_cmd *cmd);
const struct cli_cmd *cli_find(const char *name);
extern const struct cli_cmd *const cli_commands[];

/* Usage error: prints one line and returns EXIT_USAGE. */
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error naming the first of argv[from..argc) given twice; 0 when none is. */
int cli_unique_args(const struct cli_cmd *cmd, int from, int argc, char **argv);
/* optarg as a number from min to max into *v: 0, or cli_usage()'s status naming option opt. */
int cli_uint_arg(const struct cli_cmd *cmd, const char *opt, unsigned long min, unsigned long max,
		 unsigned long *v);

#endif /* XDPCT_USER_CLI_H */
