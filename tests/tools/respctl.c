// SPDX-License-Identifier: GPL-2.0
/*
 * respctl: the responder's knobs for e2e tests, written straight into the
 * pinned maps of an attached instance (until the CLI has `xdpct config`).
 *
 *   respctl DIR set KEY=VALUE...   policy flags ttl cookie_wscale challenge_ack_per_sec
 *                                  netns_cookie
 *   respctl DIR protect PORT...    set PORT_PROTECTED in the ports map
 *   respctl DIR counter NAME       print a counter summed over CPUs
 *   respctl DIR flows              print the number of flow entries
 *
 * DIR is the instance's pin directory, /sys/fs/bpf/xdpct/net<inode>.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../../include/xdpct/config.h"
#include "../../include/xdpct/counters.h"

static int map_fd(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "respctl: %s: %s\n", path, strerror(errno));
	return fd;
}

/* The namespace the instance takes for its own (user_removed, beside the config). */
static int set_netns_cookie(const char *dir, unsigned long long cookie)
{
	struct xdpct_user_removed u;
	__u32 zero = 0;
	int fd = map_fd(dir, "user_removed");

	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &u))
		return 1;
	u.netns_cookie = cookie;
	return bpf_map_update_elem(fd, &zero, &u, BPF_ANY) ? 1 : 0;
}

static int cmd_set(const char *dir, int argc, char **argv)
{
	struct xdpct_config cfg;
	__u32 zero = 0;
	int fd = map_fd(dir, "config"), i;

	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &cfg))
		return 1;
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		unsigned long v;

		if (!eq) {
			fprintf(stderr, "respctl: set: '%s' is not KEY=VALUE\n", argv[i]);
			return 2;
		}
		*eq = 0;
		v = strtoul(eq + 1, NULL, 0);
		if (!strcmp(argv[i], "policy"))
			cfg.policy = (__u32)v;
		else if (!strcmp(argv[i], "flags"))
			cfg.flags = (__u32)v;
		else if (!strcmp(argv[i], "ttl"))
			cfg.ttl = (__u8)v;
		else if (!strcmp(argv[i], "cookie_wscale"))
			cfg.cookie_wscale = (__u8)v;
		else if (!strcmp(argv[i], "challenge_ack_per_sec"))
			cfg.challenge_ack_per_sec = (__u32)v;
		else if (!strcmp(argv[i], "netns_cookie"))
			return set_netns_cookie(dir, strtoull(eq + 1, NULL, 0));
		else {
			fprintf(stderr, "respctl: set: unknown key '%s'\n", argv[i]);
			return 2;
		}
	}
	return bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY) ? 1 : 0;
}

static int cmd_protect(const char *dir, int argc, char **argv)
{
	int fd = map_fd(dir, "ports"), i;
	__u8 v = PORT_PROTECTED;

	if (fd < 0)
		return 1;
	for (i = 0; i < argc; i++) {
		__u32 port = (__u32)strtoul(argv[i], NULL, 0);

		if (bpf_map_update_elem(fd, &port, &v, BPF_ANY))
			return 1;
	}
	return 0;
}

static int cmd_counter(const char *dir, const char *name)
{
	int ncpu = libbpf_num_possible_cpus(), fd = map_fd(dir, "counters"), id, c;
	__u64 *v, sum = 0;
	__u32 zero = 0;

	for (id = 0; id < CNT__MAX; id++)
		if (!strcmp(xdpct_counter_names[id], name))
			break;
	if (id == CNT__MAX) {
		fprintf(stderr, "respctl: no counter '%s'\n", name);
		return 2;
	}
	v = calloc((size_t)ncpu, sizeof(__u64) * CNT__MAX);
	if (fd < 0 || !v || bpf_map_lookup_elem(fd, &zero, v))
		return 1;
	for (c = 0; c < ncpu; c++)
		sum += v[(size_t)c * CNT__MAX + (size_t)id];
	printf("%llu\n", (unsigned long long)sum);
	free(v);
	return 0;
}

static int cmd_flows(const char *dir)
{
	char key[64], next[64];
	int fd = map_fd(dir, "flows");
	void *prev = NULL;
	long n = 0;

	if (fd < 0)
		return 1;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	printf("%ld\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[2], "set"))
		return cmd_set(argv[1], argc - 3, argv + 3);
	if (argc >= 3 && !strcmp(argv[2], "protect"))
		return cmd_protect(argv[1], argc - 3, argv + 3);
	if (argc == 4 && !strcmp(argv[2], "counter"))
		return cmd_counter(argv[1], argv[3]);
	if (argc == 3 && !strcmp(argv[2], "flows"))
		return cmd_flows(argv[1]);
	fprintf(stderr, "usage: respctl DIR set KEY=VALUE... | protect PORT... | counter NAME | flows\n");
	return 2;
}
