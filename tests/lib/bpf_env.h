/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real data path, loaded privately for packet tests: the skeleton with
 * its own maps (nothing pinned, nothing attached), default configuration,
 * and helpers to run a frame through a program and read back a flow.
 */
#ifndef XDPCT_TEST_BPF_ENV_H
#define XDPCT_TEST_BPF_ENV_H

#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpct/counters.h>
#include <xdpct/tcp_fsm.h>
#include "instance.h"
#include "frame.h"
#include "xdpct.skel.h"

struct env {
	struct xdpct_bpf *skel;
	int xdp_fd, tc_fd, flows_fd, embryos_fd, config_fd, counters_fd;
	struct xdpct_config cfg;
	uint8_t out[FRAME_MAX];
	uint32_t out_len;
};

static int quiet_libbpf(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

/*
 * Load a private instance; returns 0 or a negative errno. test_clock: time
 * is config clock_override, which the test steps (env_set_time()); else
 * the data path reads jiffies, as a live instance does (bpf/clock.h).
 */
static inline int env_open_clock(struct env *e, uint32_t flows_max, bool test_clock)
{
	__u32 zero = 0;

	memset(e, 0, sizeof(*e));
	libbpf_set_print(quiet_libbpf);
	e->skel = xdpct_bpf__open();
	if (!e->skel)
		return -errno;
	e->skel->rodata->xdpct_clock_from_config = test_clock;
	if (flows_max) {
		/* As the loader sizes them: embryos a quarter of flows, at least 16. */
		bpf_map__set_max_entries(e->skel->maps.flows, flows_max);
		bpf_map__set_max_entries(e->skel->maps.embryos,
					 flows_max / 4 < 16 ? 16 : flows_max / 4);
	}
	if (xdpct_bpf__load(e->skel)) {
		xdpct_bpf__destroy(e->skel);
		e->skel = NULL;
		return -EINVAL;
	}
	e->xdp_fd = bpf_program__fd(e->skel->progs.xdpct_xdp);
	e->tc_fd = bpf_program__fd(e->skel->progs.xdpct_tc_egress);
	e->flows_fd = bpf_map__fd(e->skel->maps.flows);
	e->embryos_fd = bpf_map__fd(e->skel->maps.embryos);
	e->config_fd = bpf_map__fd(e->skel->maps.config_map);
	e->counters_fd = bpf_map__fd(e->skel->maps.counters);
	xdpct_config_defaults(&e->cfg, 250);
	/* Tests drive time themselves, one tick at a time. */
	e->cfg.clock_override = test_clock ? 1000 : 0;
	return bpf_map_update_elem(e->config_fd, &zero, &e->cfg, BPF_ANY) ? -errno : 0;
}

/* A private instance whose clock the test drives. */
static inline int env_open(struct env *e, uint32_t flows_max)
{
	return env_open_clock(e, flows_max, true);
}

static inline void env_close(struct env *e)
{
	xdpct_bpf__destroy(e->skel);
	e->skel = NULL;
}

static inline int env_set_config(struct env *e)
{
	__u32 zero = 0;

	xdpct_config_derive(&e->cfg);
	return bpf_map_update_elem(e->config_fd, &zero, &e->cfg, BPF_ANY) ? -errno : 0;
}

/* Move the data path's clock to `ticks`. */
static inline int env_set_time(struct env *e, uint64_t ticks)
{
	e->cfg.clock_override = ticks;
	return env_set_config(e);
}

/* Run one frame through XDP; returns the verdict, or -errno. Output in e->out. */
static inline int env_run_xdp(struct env *e, const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->buf, .data_size_in = f->len,
		    .data_out = e->out, .data_size_out = sizeof(e->out), .repeat = 1);

	if (bpf_prog_test_run_opts(e->xdp_fd, &o))
		return -errno;
	e->out_len = o.data_size_out;
	return (int)o.retval;
}

/* Run one frame through the tc egress program; returns the tc verdict. */
static inline int env_run_tc(struct env *e, const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->buf, .data_size_in = f->len,
		    .data_out = e->out, .data_size_out = sizeof(e->out), .repeat = 1);

	if (bpf_prog_test_run_opts(e->tc_fd, &o))
		return -errno;
	e->out_len = o.data_size_out;
	return (int)o.retval;
}

/* The key of the flow between two endpoints (either order). */
static inline void env_key(const struct endpoint *a, const struct endpoint *b,
			   struct xdpct_flow_key *key)
{
	struct xdpct_pkt pkt = { 0 };

	pkt.family = (uint8_t)a->family;
	inet_pton(a->family == 4 ? AF_INET : AF_INET6, a->addr, pkt.saddr);
	inet_pton(b->family == 4 ? AF_INET : AF_INET6, b->addr, pkt.daddr);
	pkt.sport = htons(a->port);
	pkt.dport = htons(b->port);
	xdpct_flow_key_make(&pkt, key);
}

/*
 * Which table holds the flow between a and b: TABLE_FLOWS, TABLE_EMBRYOS,
 * -ENOENT, or -EEXIST when both do (never should: lookups try flows first).
 */
static inline int env_flow_table(struct env *e, const struct endpoint *a,
				 const struct endpoint *b, struct xdpct_flow *f)
{
	struct xdpct_flow_key key;
	struct xdpct_flow tmp;
	int in_flows, in_embryos;

	env_key(a, b, &key);
	in_flows = !bpf_map_lookup_elem(e->flows_fd, &key, f);
	in_embryos = !bpf_map_lookup_elem(e->embryos_fd, &key, in_flows ? &tmp : f);
	if (in_flows && in_embryos)
		return -EEXIST;
	return in_flows ? TABLE_FLOWS : in_embryos ? TABLE_EMBRYOS : -ENOENT;
}

/* Read the flow between a and b from either table (flows first); 0 when found. */
static inline int env_flow(struct env *e, const struct endpoint *a, const struct endpoint *b,
			   struct xdpct_flow *f)
{
	struct xdpct_flow_key key;

	env_key(a, b, &key);
	if (!bpf_map_lookup_elem(e->flows_fd, &key, f))
		return 0;
	return bpf_map_lookup_elem(e->embryos_fd, &key, f) ? -errno : 0;
}

/* One counter summed over CPUs. */
static inline uint64_t env_counter(struct env *e, int id)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t sum = 0, *v = calloc((size_t)ncpu, sizeof(uint64_t) * CNT__MAX);
	__u32 zero = 0;

	if (v && !bpf_map_lookup_elem(e->counters_fd, &zero, v))
		for (i = 0; i < ncpu; i++)
			sum += v[(size_t)i * CNT__MAX + (size_t)id];
	free(v);
	return sum;
}

/* Entries in one map. */
static inline size_t env_map_count(int fd)
{
	struct xdpct_flow_key k, next;
	void *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

/* Entries in both tables. */
static inline size_t env_flow_count(struct env *e)
{
	return env_map_count(e->flows_fd) + env_map_count(e->embryos_fd);
}

#endif /* XDPCT_TEST_BPF_ENV_H */
