// SPDX-License-Identifier: GPL-2.0
/* xdpct config get [KEY] | set KEY VALUE | keys: the live configuration. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "conf.h"
#include "instance.h"
#include "json.h"

enum { OPT_MARKDOWN = 256 };

static const struct cli_opt config_opts[] = {
	{ "markdown", OPT_MARKDOWN, NULL, "keys: print the key table as Markdown (the README's)" },
	{ 0 },
};

static int run_config(int argc, char **argv);

static void config_help(FILE *out)
{
	size_t i;

	fprintf(out, "\nKeys (durations take ms, s, m, h or d):\n");
	for (i = 0; i < conf_nkeys; i++)
		fprintf(out, "  %-20s %-9s %s\n", conf_keys[i].name,
			conf_type_name(conf_keys[i].type), conf_keys[i].help);
}

const struct cli_cmd cmd_config = {
	.name = "config",
	.args = "get [KEY] | set KEY VALUE | keys",
	.summary = "Read or change the live configuration (no reload); 'keys' lists every key.",
	.opts = config_opts,
	.run = run_config,
	.help_extra = config_help,
};

static struct conf_state cur, next;

static int config_keys(bool markdown)
{
	struct json j;
	size_t i;

	if (markdown) {
		conf_print_markdown(stdout);
		return 0;
	}
	if (g_opts.json) {
		json_init(&j, stdout);
		json_arr_begin(&j, NULL);
		for (i = 0; i < conf_nkeys; i++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "key", conf_keys[i].name);
			json_str(&j, "type", conf_type_name(conf_keys[i].type));
			json_str(&j, "default", conf_keys[i].def);
			json_str(&j, "help", conf_keys[i].help);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_end(&j);
		return 0;
	}
	printf("%-20s %-9s %-10s %s\n", "KEY", "TYPE", "DEFAULT", "MEANING");
	for (i = 0; i < conf_nkeys; i++)
		printf("%-20s %-9s %-10s %s\n", conf_keys[i].name, conf_type_name(conf_keys[i].type),
		       strlen(conf_keys[i].def) > 10 ? "(below)" : conf_keys[i].def,
		       conf_keys[i].help);
	/* A default too long for its column, in full after the table. */
	for (i = 0; i < conf_nkeys; i++)
		if (strlen(conf_keys[i].def) > 10)
			printf("\ndefault %s: %s\n", conf_keys[i].name, conf_keys[i].def);
	return 0;
}

static int config_get(const char *key)
{
	static char val[CONF_VALUE_MAX];
	const struct conf_key *k = NULL;
	struct json j;
	size_t i;

	if (key) {
		k = conf_find(key);
		if (!k) {
			xdpct_err("config get: '%s' is not a configuration key (see 'xdpct config keys')",
				  key);
			return EXIT_USAGE;
		}
	}
	if (g_opts.json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
	}
	for (i = 0; i < conf_nkeys; i++) {
		if (k && k != &conf_keys[i])
			continue;
		conf_get(&cur, &conf_keys[i], val, sizeof(val));
		if (g_opts.json)
			json_str(&j, conf_keys[i].name, val);
		else if (k)
			printf("%s\n", val);
		else
			printf("%-20s %s\n", conf_keys[i].name, val);
	}
	if (g_opts.json) {
		json_obj_end(&j);
		json_end(&j);
	}
	return 0;
}

static int run_config(int argc, char **argv)
{
	struct xdpct_instance in;
	bool markdown = false;
	const char *sub;
	char why[512];
	int c, err, rc;

	while ((c = cli_next(argc, argv, &cmd_config)) != -1) {
		if (c == -2)
			return cli_status();
		if (c == OPT_MARKDOWN)
			markdown = true;
	}
	if (optind >= argc)
		return cli_usage(&cmd_config, "get, set or keys?");
	sub = argv[optind++];
	if (!strcmp(sub, "keys")) {
		if (optind < argc)
			return cli_usage(&cmd_config, "keys: unexpected argument '%s'", argv[optind]);
		return config_keys(markdown);
	}
	if (markdown)
		return cli_usage(&cmd_config, "--markdown goes with keys, not %s", sub);
	if (!strcmp(sub, "get")) {
		if (argc - optind > 1)
			return cli_usage(&cmd_config, "get: one key at most");
	} else if (!strcmp(sub, "set")) {
		if (argc - optind != 2)
			return cli_usage(&cmd_config, "set: needs KEY VALUE");
	} else {
		return cli_usage(&cmd_config, "'%s' is not get, set or keys", sub);
	}
	if (!strcmp(sub, "set") && !conf_find(argv[optind])) {
		xdpct_err("config set: '%s' is not a configuration key (see 'xdpct config keys')",
			  argv[optind]);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "set")) {
		/* A bad value is a usage error whether or not xdpct is attached. */
		xdpct_config_defaults(&next.cfg, 100);
		if (conf_set(&next, argv[optind], argv[optind + 1], why, sizeof(why))) {
			xdpct_err("config set: %s", why);
			return EXIT_USAGE;
		}
	}
	/* A set reads, changes one key and writes the whole config back. */
	if (!strcmp(sub, "set") && xdpct_instance_lock())
		return EXIT_RUNTIME;
	if (xdpct_instance_need(&in, "config"))
		return EXIT_RUNTIME;
	err = xdpct_conf_read(&in, &cur);
	if (err) {
		xdpct_err("config: read %s: %s", in.dir, strerror(-err));
		xdpct_instance_close(&in);
		return EXIT_RUNTIME;
	}
	if (!strcmp(sub, "get")) {
		rc = config_get(optind < argc ? argv[optind] : NULL);
	} else {
		next = cur;
		rc = 0;
		if (conf_set(&next, argv[optind], argv[optind + 1], why, sizeof(why))) {
			xdpct_err("config set: %s", why);
			rc = EXIT_USAGE;
		} else {
			err = xdpct_conf_write(&in, &cur, &next);
			if (err) {
				xdpct_err("config set %s: write: %s", argv[optind], strerror(-err));
				rc = EXIT_RUNTIME;
			} else {
				if (next.cfg.flags & CFG_SYNCOOKIES &&
				    !strcmp(argv[optind], "syncookies"))
					xdpct_syncookie_sysctl_check("config set syncookies");
				/* Quiet as text; with -j the key as it now reads, as 'get KEY' prints it. */
				cur = next;
				if (g_opts.json)
					config_get(argv[optind]);
			}
		}
	}
	xdpct_instance_close(&in);
	return rc;
}
