// SPDX-License-Identifier: GPL-2.0
/* Error and info lines; libbpf's own messages only with -v. */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "cli.h"

struct xdpct_globals g_opts;

void xdpct_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xdpct: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void xdpct_info(const char *fmt, ...)
{
	va_list ap;

	if (g_opts.json)
		return;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!g_opts.verbose && level != LIBBPF_WARN)
		return 0;
	if (!g_opts.verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void xdpct_libbpf_logging(bool verbose)
{
	g_opts.verbose = verbose;
	libbpf_set_print(libbpf_print);
}
