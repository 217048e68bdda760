// SPDX-License-Identifier: GPL-2.0
/*
 * xdpct top: a live full-screen view in plain ANSI (no curses): flows per
 * state, new and closed per second, the busiest flows of the last interval,
 * invalid segments and responder actions. Redrawn every second; q quits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <xdpct/counters.h>
#include "cli.h"
#include "conf.h"
#include "flows.h"
#include "instance.h"
#include "mono.h"

enum { OPT_INTERVAL = 'I' };

static const struct cli_opt top_opts[] = {
	{ "interval", OPT_INTERVAL, "DURATION", "refresh period (default 1s; 100ms .. 1m)" },
	{ 0 },
};

static int run_top(int argc, char **argv);

const struct cli_cmd cmd_top = {
	.name = "top",
	.args = "",
	.summary = "Live view: flows per state, new and closed per second, the busiest flows, "
		   "invalid and responder counters (q quits).",
	.opts = top_opts,
	.run = run_top,
	.no_json = true,
};

struct sample {
	struct xdpct_flow_rec *v; /* sorted by key */
	size_t n;
	__u64 cnt[CNT__MAX];
	__u64 per_state[CT__MAX];
	__u64 mono_ms;
};

struct busy {
	const struct xdpct_flow_rec *r;
	__u64 pkts, bytes; /* over the interval */
};

static struct termios saved_tty;
static bool tty_saved;
static volatile sig_atomic_t stop_sig, suspend_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void on_suspend(int sig)
{
	suspend_sig = sig;
}

static void screen_restore(void)
{
	if (tty_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	/* cursor back, main screen */
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
}

/* Raw input (q without Enter), the alternate screen, no cursor. */
static void screen_take(const struct termios *raw)
{
	if (tty_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, raw);
	fputs("\033[?1049h\033[?25l\033[2J", stdout);
	fflush(stdout);
}

/* Ctrl-Z: the shell gets its terminal as it was; fg gives top the screen back. */
static void suspend(const struct termios *raw)
{
	screen_restore();
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP); /* stopped here until SIGCONT */
	signal(SIGTSTP, on_suspend);
	suspend_sig = 0;
	screen_take(raw);
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(&((const struct xdpct_flow_rec *)a)->key,
		      &((const struct xdpct_flow_rec *)b)->key, sizeof(struct xdpct_flow_key));
}

static int cmp_busy(const void *a, const void *b)
{
	const struct busy *x = a, *y = b;

	if (x->pkts != y->pkts)
		return x->pkts < y->pkts ? 1 : -1;
	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

static int take(const struct xdpct_instance *in, struct sample *s)
{
	size_t i, nflows;
	int err;

	memset(s, 0, sizeof(*s));
	err = xdpct_counters_read(in, s->cnt);
	if (!err)
		err = xdpct_tables_read(in->flows_fd, in->embryos_fd, &s->v, &s->n, &nflows);
	if (err)
		return err;
	for (i = 0; i < s->n; i++)
		if (s->v[i].flow.state < CT__MAX)
			s->per_state[s->v[i].flow.state]++;
	qsort(s->v, s->n, sizeof(*s->v), cmp_key);
	s->mono_ms = mono_ms();
	return 0;
}

static __u64 counter(const struct sample *s, const char *name)
{
	int i;

	for (i = 0; i < CNT__MAX; i++)
		if (!strcmp(xdpct_counter_names[i], name))
			return s->cnt[i];
	return 0;
}

/* Sum of the counters whose names start with prefix. */
static __u64 counter_sum(const struct sample *s, const char *prefix)
{
	size_t l = strlen(prefix);
	__u64 sum = 0;
	int i;

	for (i = 0; i < CNT__MAX; i++)
		if (!strncmp(xdpct_counter_names[i], prefix, l))
			sum += s->cnt[i];
	return sum;
}

/* One screen line, cut to the width; lines count toward the height. */
struct screen {
	int rows, cols, line;
};

/* Cut buf after cols visible characters (escape sequences take none). */
static void cut_visible(char *buf, int cols)
{
	int seen = 0;
	char *p = buf;

	while (*p) {
		if (*p == '\033' && p[1] == '[') {
			p += 2;
			while (*p && !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
				p++;
			if (*p)
				p++;
			continue;
		}
		if (seen == cols) {
			*p = 0;
			return;
		}
		seen++;
		p++;
	}
}

static void put(struct screen *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct screen *sc, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (sc->line >= sc->rows)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cut_visible(buf, sc->cols);
	/* position, text, attributes off, clear to the end of the line */
	printf("\033[%d;1H%s\033[0m\033[K", sc->line + 1, buf);
	sc->line++;
}

static double rate(__u64 now, __u64 before, __u64 ms)
{
	return ms ? (double)(now >= before ? now - before : 0) * 1000.0 / (double)ms : 0.0;
}

static void draw(struct screen *sc, const struct sample *cur, const struct sample *prev,
		 const char *where, __u64 interval_ms)
{
	__u64 ms = cur->mono_ms - prev->mono_ms;
	struct busy *b = NULL;
	size_t nb = 0, i;
	char when[16], a[64], z[64], line[160];
	time_t t = time(NULL);
	struct tm tm;
	int s, col, room;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	sc->line = 0;
	put(sc, "\033[7m xdpct top  %-16.16s %7zu flows  %s UTC  %4llums  q quits \033[0m",
	    where, cur->n, when, (unsigned long long)interval_ms);
	put(sc, "new/s %-7.1f closed/s %-7.1f pkts/s %-9.1f invalid/s %-6.1f dropped/s %.1f",
	    rate(counter(cur, "flows_new"), counter(prev, "flows_new"), ms),
	    rate(counter(cur, "flows_time_wait") + counter(cur, "flows_closed"),
		 counter(prev, "flows_time_wait") + counter(prev, "flows_closed"), ms),
	    rate(counter(cur, "packets"), counter(prev, "packets"), ms),
	    rate(counter_sum(cur, "invalid_"), counter_sum(prev, "invalid_"), ms),
	    rate(counter(cur, "dropped_by_policy"), counter(prev, "dropped_by_policy"), ms));
	put(sc, "%s", "");
	put(sc, "\033[1mFLOWS PER STATE\033[0m");
	/* Three columns of states. */
	for (s = 1; s < CT__MAX; s += 3) {
		char cell[3][32] = { "", "", "" };

		for (col = 0; col < 3 && s + col < CT__MAX; col++)
			snprintf(cell[col], sizeof(cell[col]), "%-12s %9llu",
				 xdpct_ct_state_name((unsigned int)(s + col)),
				 (unsigned long long)cur->per_state[s + col]);
		put(sc, "  %-24s  %-24s  %-24s", cell[0], cell[1], cell[2]);
	}
	put(sc, "%s", "");

	/* Invalid by reason and the responder, two lines each at most, nonzero ones. */
	for (room = 0; room < 2; room++) {
		const char *prefix = room ? "responder_" : "invalid_";
		size_t l = strlen(prefix), len;

		len = (size_t)snprintf(line, sizeof(line), "\033[1m%s\033[0m %llu:",
				       room ? "RESPONDER" : "INVALID",
				       (unsigned long long)counter_sum(cur, prefix));
		for (i = 0; i < CNT__MAX; i++) {
			if (strncmp(xdpct_counter_names[i], prefix, l) || !cur->cnt[i])
				continue;
			len += (size_t)snprintf(line + len, sizeof(line) - len, " %s=%llu",
						xdpct_counter_names[i] + l,
						(unsigned long long)cur->cnt[i]);
			if (len >= sizeof(line) - 1)
				break;
		}
		put(sc, "%s", line);
	}
	put(sc, "%s", "");

	/* The busiest flows of the interval: packets since the last sample. */
	b = calloc(cur->n ? cur->n : 1, sizeof(*b));
	for (i = 0; b && i < cur->n; i++) {
		const struct xdpct_flow_rec *r = &cur->v[i];
		const struct xdpct_flow_rec *p = bsearch(r, prev->v, prev->n, sizeof(*r), cmp_key);
		__u64 pk = r->flow.ep[0].packets + r->flow.ep[1].packets;
		__u64 by = r->flow.ep[0].bytes + r->flow.ep[1].bytes;

		if (p) {
			__u64 ppk = p->flow.ep[0].packets + p->flow.ep[1].packets;
			__u64 pby = p->flow.ep[0].bytes + p->flow.ep[1].bytes;

			pk = pk >= ppk ? pk - ppk : pk;
			by = by >= pby ? by - pby : by;
		}
		if (!pk)
			continue;
		b[nb++] = (struct busy){ r, pk, by };
	}
	if (b)
		qsort(b, nb, sizeof(*b), cmp_busy);
	put(sc, "\033[1m%-22s %-22s %-12s %8s %10s\033[0m", "BUSIEST CLIENT", "SERVER", "STATE",
	    "PKTS/s", "BYTES/s");
	for (i = 0; i < nb && sc->line < sc->rows; i++) {
		char src[64], dst[64];
		__u16 sport, dport;
		int v6 = b[i].r->key.family == 6;

		xdpct_flow_endpoints(&b[i].r->key, &b[i].r->flow, src, sizeof(src), &sport, dst,
				     sizeof(dst), &dport);
		snprintf(a, sizeof(a), v6 ? "[%s]:%u" : "%s:%u", src, sport);
		snprintf(z, sizeof(z), v6 ? "[%s]:%u" : "%s:%u", dst, dport);
		put(sc, "%-22.22s %-22.22s %-12s %8.1f %10.1f", a, z,
		    xdpct_ct_state_name(b[i].r->flow.state), rate(b[i].pkts, 0, ms),
		    rate(b[i].bytes, 0, ms));
	}
	if (!nb)
		put(sc, "  (no packets in the last interval)");
	free(b);
	/* Clear what the last frame left below (none when it filled the screen). */
	if (sc->line < sc->rows)
		printf("\033[%d;1H\033[J", sc->line + 1);
	fflush(stdout);
}

static int run_top(int argc, char **argv)
{
	struct xdpct_instance in;
	struct sample cur, prev;
	struct screen sc = { 24, 80, 0 };
	struct winsize ws;
	struct termios raw;
	__u64 interval = 1000;
	char where[64];
	int c, err = 0;

	while ((c = cli_next(argc, argv, &cmd_top)) != -1) {
		switch (c) {
		case -2:
			return cli_status();
		case OPT_INTERVAL:
			if (conf_parse_duration(optarg, &interval) || interval < 100 || interval > 60000)
				return cli_usage(&cmd_top,
						 "--interval: '%s' is not a duration from 100ms to 1m",
						 optarg);
			break;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_top, "unexpected argument '%s'", argv[optind]);
	if (g_opts.json)
		return cli_usage(&cmd_top, "a screen, not JSON: use 'xdpct -j stats --interval 1'");
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		xdpct_err("top: needs a terminal (use 'xdpct stats --interval 1' in scripts)");
		return EXIT_RUNTIME;
	}
	if (xdpct_instance_need(&in, "top"))
		return EXIT_RUNTIME;
	snprintf(where, sizeof(where), "%s", g_opts.netns ? g_opts.netns : "this namespace");
	if (take(&in, &prev)) {
		xdpct_err("top: read %s: %s", in.dir, strerror(errno));
		xdpct_instance_close(&in);
		return EXIT_RUNTIME;
	}
	if (!tcgetattr(STDIN_FILENO, &saved_tty)) {
		tty_saved = true;
		raw = saved_tty;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGTSTP, on_suspend);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	screen_take(&raw);
	/* The first frame at once: rates over a short first interval. */
	usleep(200000);
	while (!stop_sig) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		__u64 next;
		bool quit = false;

		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
			sc.rows = ws.ws_row;
			sc.cols = ws.ws_col < 500 ? ws.ws_col : 500;
		}
		/* Detached, or detached and attached again, since the last frame? */
		c = xdpct_instance_follow(&in);
		if (c < 0) {
			err = c;
			break;
		}
		if (c > 0) { /* another instance: rates start over */
			free(prev.v);
			prev.v = NULL;
			if ((err = take(&in, &prev)))
				break;
		}
		err = take(&in, &cur);
		if (err)
			break;
		draw(&sc, &cur, &prev, where, interval);
		free(prev.v);
		prev = cur;
		next = mono_ms() + interval;
		while (!stop_sig && !quit && !suspend_sig) {
			__u64 now = mono_ms();
			char ch;

			if (now >= next)
				break;
			if (poll(&p, 1, (int)(next - now)) > 0 && read(STDIN_FILENO, &ch, 1) == 1 &&
			    (ch == 'q' || ch == 'Q' || ch == 3 /* ^C in raw mode */))
				quit = true;
		}
		if (quit)
			break;
		if (suspend_sig)
			suspend(&raw);
	}
	free(prev.v);
	screen_restore();
	xdpct_instance_close(&in);
	if (err == -ENOENT || err == -EPROTO) {
		xdpct_err("top: %s", err == -ENOENT ? "xdpct was detached" : xdpct_open_error(err));
		return EXIT_RUNTIME;
	}
	if (err) {
		xdpct_err("top: read %s: %s", in.dir, strerror(-err));
		return EXIT_RUNTIME;
	}
	return 0;
}
