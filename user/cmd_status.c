// SPDX-License-Identifier: GPL-2.0
/* xdpct status: interfaces, modes, program ids, table fill, the daemon. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "flows.h"
#include "ipc.h"
#include "json.h"
#include "loader.h"

static const struct cli_opt status_opts[] = {
	{ 0 },
};

static int run_status(int argc, char **argv);

const struct cli_cmd cmd_status = {
	.name = "status",
	.args = "",
	.summary = "Show interfaces, XDP modes, program ids, table fill and the daemon.",
	.opts = status_opts,
	.run = run_status,
};

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The program id behind the pinned XDP link of an interface. */
static __u32 link_prog_id(const struct xdpct_instance *in, __u32 ifindex, __u32 *link_id)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	char name[64], path[256];
	int fd;

	snprintf(name, sizeof(name), "link_xdp_%u", ifindex);
	xdpct_pin_path(in, name, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.prog_id = 0;
	close(fd);
	*link_id = info.id;
	return info.prog_id;
}

static void uptime_str(__u64 secs, char *buf, size_t len)
{
	if (secs >= 86400)
		snprintf(buf, len, "%llud %lluh", secs / 86400, secs % 86400 / 3600);
	else if (secs >= 3600)
		snprintf(buf, len, "%lluh %llum", secs / 3600, secs % 3600 / 60);
	else if (secs >= 60)
		snprintf(buf, len, "%llum %llus", secs / 60, secs % 60);
	else
		snprintf(buf, len, "%llus", secs);
}

static int run_status(int argc, char **argv)
{
	struct xdpct_instance in;
	struct ipc_status st = { 0 };
	struct xdpct_config cfg;
	__u64 per_state[CT__MAX], total = 0, live[TABLE__MAX] = { 0 };
	__u32 key, *prev = NULL, flags, max, emax;
	struct json j;
	bool daemon;
	int c;

	while ((c = cli_next(argc, argv, &cmd_status)) != -1)
		if (c == -2)
			return cli_status();
	if (optind < argc)
		return cli_usage(&cmd_status, "unexpected argument '%s'", argv[optind]);
	if (xdpct_instance_need(&in, "status"))
		return EXIT_RUNTIME;
	daemon = ipc_status(&in, &st) == 0;
	if (!daemon)
		st.pid = xdpct_daemon_pid(&in); /* alive but not answering */
	xdpct_tables_count(in.flows_fd, in.embryos_fd, per_state, &total, live);
	if (xdpct_config_read(&in, &cfg))
		cfg.hz = 0;
	max = xdpct_map_max_entries(in.flows_fd);
	emax = xdpct_map_max_entries(in.embryos_fd);

	if (g_opts.json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_str(&j, "pin_dir", in.dir);
		json_arr_begin(&j, "interfaces");
	} else {
		printf("instance  %s\n", in.dir);
		printf("programs  xdp %u, tc egress %u, clock %u\n", prog_id(in.prog_xdp_fd),
		       prog_id(in.prog_tc_fd), prog_id(in.prog_clock_fd));
		printf("%-16s %-8s %-8s %-6s %s\n", "INTERFACE", "IFINDEX", "MODE", "EGRESS",
		       "XDP-PROG/LINK");
	}
	while (bpf_map_get_next_key(in.ifaces_fd, prev, &key) == 0) {
		char name[IF_NAMESIZE] = "?";
		__u32 link_id = 0, pid;

		prev = &key;
		if (bpf_map_lookup_elem(in.ifaces_fd, &key, &flags))
			continue;
		if_indextoname(key, name);
		pid = link_prog_id(&in, key, &link_id);
		if (g_opts.json) {
			json_obj_begin(&j, NULL);
			json_str(&j, "name", name);
			json_u64(&j, "ifindex", key);
			json_str(&j, "mode", flags & IFACE_GENERIC ? "generic" : "native");
			json_bool(&j, "egress", flags & IFACE_EGRESS);
			json_u64(&j, "xdp_prog_id", pid);
			json_u64(&j, "xdp_link_id", link_id);
			json_obj_end(&j);
		} else {
			printf("%-16s %-8u %-8s %-6s %u/%u\n", name, key,
			       flags & IFACE_GENERIC ? "generic" : "native",
			       flags & IFACE_EGRESS ? "yes" : "no", pid, link_id);
		}
	}
	if (g_opts.json) {
		json_arr_end(&j);
		json_obj_begin(&j, "programs");
		json_u64(&j, "xdp", prog_id(in.prog_xdp_fd));
		json_u64(&j, "tc_egress", prog_id(in.prog_tc_fd));
		json_u64(&j, "clock", prog_id(in.prog_clock_fd));
		json_obj_end(&j);
		json_u64(&j, "hz", cfg.hz);
		json_obj_begin(&j, "flows");
		json_u64(&j, "entries", live[TABLE_FLOWS]);
		json_u64(&j, "max", max);
		json_obj_end(&j);
		json_obj_begin(&j, "embryos");
		json_u64(&j, "entries", live[TABLE_EMBRYOS]);
		json_u64(&j, "max", emax);
		json_obj_end(&j);
		json_obj_begin(&j, "daemon");
		json_bool(&j, "running", st.pid > 0);
		if (st.pid > 0)
			json_i64(&j, "pid", st.pid);
		if (daemon) {
			json_u64(&j, "uptime_s", (__u64)time(NULL) - st.started);
			json_u64(&j, "readers", st.readers);
			json_u64(&j, "timers", st.timers);
			json_u64(&j, "events", st.events);
			json_u64(&j, "destroyed", st.destroyed);
			json_u64(&j, "sweeps", st.sweeps);
			json_u64(&j, "sweep_interval_ms", st.sweep_interval_ms);
			json_u64(&j, "last_sweep_entries", st.last_sweep_seen);
			json_u64(&j, "last_sweep_cpu_us", st.last_sweep_us);
			json_u64(&j, "reader_drops", st.reader_drops);
		}
		json_obj_end(&j);
		json_obj_end(&j);
		json_end(&j);
	} else {
		char up[32];

		printf("flows     %llu of %u (%.1f%%)\n", (unsigned long long)live[TABLE_FLOWS], max,
		       max ? 100.0 * (double)live[TABLE_FLOWS] / max : 0.0);
		printf("embryos   %llu of %u (%.1f%%)\n", (unsigned long long)live[TABLE_EMBRYOS],
		       emax, emax ? 100.0 * (double)live[TABLE_EMBRYOS] / emax : 0.0);
		if (daemon) {
			uptime_str((__u64)time(NULL) - st.started, up, sizeof(up));
			printf("daemon    pid %lld, up %s, %llu reader%s (reader_drops %llu), "
			       "%llu TIME-WAIT timer%s, %llu destroyed\n",
			       (long long)st.pid, up, (unsigned long long)st.readers,
			       st.readers == 1 ? "" : "s", (unsigned long long)st.reader_drops,
			       (unsigned long long)st.timers, st.timers == 1 ? "" : "s",
			       (unsigned long long)st.destroyed);
			printf("sweep     every %llu ms, last: %llu entries in %.1f ms CPU\n",
			       (unsigned long long)st.sweep_interval_ms,
			       (unsigned long long)st.last_sweep_seen, st.last_sweep_us / 1000.0);
		} else if (st.pid > 0) {
			printf("daemon    pid %lld, not answering\n", (long long)st.pid);
		} else {
			printf("daemon    not running (start it with 'xdpct daemon')\n");
		}
	}
	xdpct_instance_close(&in);
	return 0;
}
