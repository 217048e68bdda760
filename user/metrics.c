// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition of the counters, the table and the daemon (user/metrics.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <xdpct/counters.h>
#include "flows.h"
#include "json.h"
#include "metrics.h"

#define METRICS_IFACES_MAX 64

static int parse(const char *spec, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *colon, *port_s;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	unsigned long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		colon = strstr(spec, "]:");
		if (!colon || (size_t)(colon - spec - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec + 1, (size_t)(colon - spec - 1));
		host[colon - spec - 1] = 0;
		port_s = colon + 2;
	} else if ((colon = strrchr(spec, ':'))) {
		if ((size_t)(colon - spec) >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
		port_s = colon + 1;
	} else {
		strcpy(host, "127.0.0.1");
		port_s = spec;
	}
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || *end || !*port_s || port < 1 || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((__u16)port);
		*sl = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((__u16)port);
		*sl = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

int metrics_addr_check(const char *spec, char *why, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (!strcmp(spec, "off"))
		return 0;
	if (parse(spec, &ss, &sl)) {
		snprintf(why, len, "'%s' is not ADDR:PORT, [ADDR]:PORT or PORT", spec);
		return -EINVAL;
	}
	return 0;
}

bool metrics_addr_same(const char *a, const char *b)
{
	struct sockaddr_storage sa, sb;
	socklen_t la, lb;

	if (parse(a, &sa, &la) || parse(b, &sb, &lb))
		return !strcmp(a, b);
	return la == lb && !memcmp(&sa, &sb, la);
}

int metrics_listen(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, err;

	if (parse(spec, &ss, &sl))
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 16)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void metrics_remember(const char *run_dir, const char *given)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", run_dir, METRICS_FILE);
	if (!strcmp(given, "off")) {
		unlink(path);
		return;
	}
	f = fopen(path, "we");
	if (f) {
		fprintf(f, "%s\n", given);
		fclose(f);
	}
}

const char *metrics_remembered(const char *run_dir)
{
	static char buf[128];
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", run_dir, METRICS_FILE);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf[0] ? buf : NULL;
}

/* A counter of the data path: its family, and the label it carries within it. */
static void counter_family(const char *name, char *family, size_t flen, const char **label,
			   const char **value, const char **help)
{
	static const struct {
		const char *prefix, *family, *label, *help;
	} groups[] = {
		{ "invalid_", "xdpct_invalid_segments_total", "reason",
		  "TCP segments the state machine judged invalid, by reason." },
		{ "malformed_", "xdpct_malformed_packets_total", "layer",
		  "Frames whose headers did not parse, by the layer that failed." },
		{ "responder_", "xdpct_responder_total", "action",
		  "What the responder did: SYN cookies, cookie ACKs checked, re-ACKs, RSTs, challenge ACKs." },
	};
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strncmp(name, groups[i].prefix, strlen(groups[i].prefix))) {
			snprintf(family, flen, "%s", groups[i].family);
			*label = groups[i].label;
			*value = name + strlen(groups[i].prefix);
			*help = groups[i].help;
			return;
		}
	snprintf(family, flen, "xdpct_%s_total", name);
	*label = NULL;
	*value = NULL;
	*help = NULL;
}

/*
 * The interface's name as a label value: backslash and double quote
 * escaped, as the exposition format asks, and a byte that does not start
 * valid UTF-8 written as U+FFFD (a name is bytes, a label is text).
 */
static void iface_name(unsigned int ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];
	const unsigned char *p = (const unsigned char *)name;
	size_t o = 0, n;

	if (!ifindex || !if_indextoname(ifindex, name)) {
		snprintf(buf, len, "ifindex%u", ifindex);
		return;
	}
	while (*p && o + 4 < len) {
		if (*p == '\\' || *p == '"') {
			buf[o++] = '\\';
			buf[o++] = (char)*p++;
		} else if ((n = utf8_seq_len(p))) {
			memcpy(buf + o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	buf[o] = 0;
}

int metrics_render(FILE *out, const struct xdpct_instance *in, const struct ipc_status *st)
{
	__u64 cnt[CNT__MAX], (*per)[CT__MAX], removed[TABLE__MAX] = { 0 }, live[TABLE__MAX];
	__u64 evicted[TABLE__MAX];
	static const char *const table_names[TABLE__MAX] = { "flows", "embryos" };
	unsigned int ifidx[METRICS_IFACES_MAX], key, *prev = NULL;
	struct xdpct_flow_rec *v = NULL;
	char family[96], last[96] = "", name[IF_NAMESIZE * 3 + 16];
	size_t n = 0, nflows, i, nif = 0, k;
	int err, s;

	/* Counters, then what userspace removed, then the tables: see xdpct_evictions(). */
	err = xdpct_counters_read(in, cnt);
	if (err)
		return err;
	for (s = 0; s < TABLE__MAX && in->removed; s++)
		removed[s] = __atomic_load_n(&in->removed->n[s], __ATOMIC_RELAXED);
	/* The attached interfaces, then flows per interface and state. */
	while (nif < METRICS_IFACES_MAX && !bpf_map_get_next_key(in->ifaces_fd, prev, &key)) {
		ifidx[nif++] = key;
		prev = &ifidx[nif - 1];
	}
	err = xdpct_tables_read(in->flows_fd, in->embryos_fd, &v, &n, &nflows);
	if (err)
		return err;
	live[TABLE_FLOWS] = nflows;
	live[TABLE_EMBRYOS] = n - nflows;
	xdpct_evictions(cnt, removed, live, evicted);
	per = calloc(nif + 1, sizeof(*per));
	if (!per) {
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < nif && ifidx[k] != v[i].flow.ifindex; k++)
			;
		if (v[i].flow.state < CT__MAX)
			per[k][v[i].flow.state]++;
	}
	free(v);

	for (i = 0; i < CNT__MAX; i++) {
		const char *label, *value, *help;

		counter_family(xdpct_counter_names[i], family, sizeof(family), &label, &value, &help);
		if (strcmp(family, last)) {
			if (help)
				fprintf(out, "# HELP %s %s\n", family, help);
			else
				fprintf(out, "# HELP %s Data path counter %s.\n", family,
					xdpct_counter_names[i]);
			fprintf(out, "# TYPE %s counter\n", family);
			snprintf(last, sizeof(last), "%s", family);
		}
		if (label)
			fprintf(out, "%s{%s=\"%s\"} %llu\n", family, label, value,
				(unsigned long long)cnt[i]);
		else
			fprintf(out, "%s %llu\n", family, (unsigned long long)cnt[i]);
	}
	fprintf(out, "# HELP xdpct_flows Tracked flows (handshake and synchronized tables), by interface first seen on and state.\n"
		     "# TYPE xdpct_flows gauge\n");
	for (k = 0; k <= nif; k++) {
		__u64 any = 0;

		for (s = 1; s < CT__MAX; s++)
			any += per[k][s];
		if (k == nif && !any)
			continue; /* no flow of a vanished interface */
		if (k == nif)
			snprintf(name, sizeof(name), "other");
		else
			iface_name(ifidx[k], name, sizeof(name));
		for (s = 1; s < CT__MAX; s++)
			fprintf(out, "xdpct_flows{interface=\"%s\",state=\"%s\"} %llu\n", name,
				xdpct_ct_state_name((unsigned int)s), (unsigned long long)per[k][s]);
	}
	free(per);
	/* As `xdpct stats` shows them: evictions are the sign of a table too small. */
	fprintf(out, "# HELP xdpct_table_entries Entries in each flow table (embryos: handshakes).\n"
		     "# TYPE xdpct_table_entries gauge\n");
	for (s = 0; s < TABLE__MAX; s++)
		fprintf(out, "xdpct_table_entries{table=\"%s\"} %llu\n", table_names[s],
			(unsigned long long)live[s]);
	fprintf(out, "# HELP xdpct_table_evictions_total Entries each flow table's LRU evicted to make room.\n"
		     "# TYPE xdpct_table_evictions_total counter\n");
	for (s = 0; s < TABLE__MAX; s++)
		fprintf(out, "xdpct_table_evictions_total{table=\"%s\"} %llu\n", table_names[s],
			(unsigned long long)evicted[s]);
	fprintf(out, "# HELP xdpct_interface_attached Interfaces xdpct is attached to.\n"
		     "# TYPE xdpct_interface_attached gauge\n");
	for (k = 0; k < nif; k++) {
		iface_name(ifidx[k], name, sizeof(name));
		fprintf(out, "xdpct_interface_attached{interface=\"%s\",ifindex=\"%u\"} 1\n", name,
			ifidx[k]);
	}
	if (!st)
		return 0;
	fprintf(out,
		"# HELP xdpct_daemon_events_total Events the daemon read from the ring buffer.\n"
		"# TYPE xdpct_daemon_events_total counter\n"
		"xdpct_daemon_events_total %llu\n"
		"# HELP xdpct_daemon_expired_total Entries the daemon removed as timed out.\n"
		"# TYPE xdpct_daemon_expired_total counter\n"
		"xdpct_daemon_expired_total %llu\n"
		"# HELP xdpct_daemon_sweeps_total Table sweeps the daemon ran.\n"
		"# TYPE xdpct_daemon_sweeps_total counter\n"
		"xdpct_daemon_sweeps_total %llu\n"
		"# HELP xdpct_daemon_reader_drops_total Events slow readers missed.\n"
		"# TYPE xdpct_daemon_reader_drops_total counter\n"
		"xdpct_daemon_reader_drops_total %llu\n"
		"# HELP xdpct_daemon_readers Event readers connected.\n"
		"# TYPE xdpct_daemon_readers gauge\n"
		"xdpct_daemon_readers %llu\n"
		"# HELP xdpct_daemon_time_wait_timers TIME-WAIT timers pending.\n"
		"# TYPE xdpct_daemon_time_wait_timers gauge\n"
		"xdpct_daemon_time_wait_timers %llu\n"
		"# HELP xdpct_daemon_start_time_seconds When the daemon started, unix time.\n"
		"# TYPE xdpct_daemon_start_time_seconds gauge\n"
		"xdpct_daemon_start_time_seconds %llu\n",
		(unsigned long long)st->events, (unsigned long long)st->destroyed,
		(unsigned long long)st->sweeps, (unsigned long long)st->reader_drops,
		(unsigned long long)st->readers, (unsigned long long)st->timers,
		(unsigned long long)st->started);
	return 0;
}
