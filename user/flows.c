// SPDX-License-Identifier: GPL-2.0
/* Batch reads of the flow table and per-flow derived values. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "flows.h"

#define BATCH 4096

static int grow(struct xdpct_flow_rec **v, size_t *cap, size_t need)
{
	struct xdpct_flow_rec *n;
	size_t c = *cap ? *cap : BATCH;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return 0;
	n = realloc(*v, c * sizeof(**v));
	if (!n)
		return -ENOMEM;
	*v = n;
	*cap = c;
	return 0;
}

static int read_one_by_one(int fd, struct xdpct_flow_rec **out, size_t *n, size_t *cap)
{
	struct xdpct_flow_key key, next;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (grow(out, cap, *n + 1))
			return -ENOMEM;
		/* An entry may vanish between the two calls: skip it. */
		if (bpf_map_lookup_elem(fd, &next, &(*out)[*n].flow) == 0) {
			(*out)[*n].key = next;
			(*n)++;
		}
		key = next;
		prev = &key;
	}
	return 0;
}

int xdpct_flows_read(int fd, struct xdpct_flow_rec **out, size_t *n)
{
	struct xdpct_flow_key *keys = NULL;
	struct xdpct_flow *vals = NULL;
	size_t cap = 0;
	__u32 batch, in_tok = 0, out_tok = 0;
	bool first = true;
	int err = 0;

	*out = NULL;
	*n = 0;
	keys = malloc(BATCH * sizeof(*keys));
	vals = malloc(BATCH * sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto done;
	}
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, bopts);
		size_t i;

		batch = BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in_tok, &out_tok, keys, vals, &batch,
					   &bopts);
		if (err && errno != ENOENT) {
			err = -errno;
			if (first && (err == -EINVAL || err == -EOPNOTSUPP)) {
				err = read_one_by_one(fd, out, n, &cap);
			} else if (err == -ENOSPC) {
				/* A bucket larger than the batch: fall back for the rest. */
				free(*out);
				*out = NULL;
				*n = cap = 0;
				err = read_one_by_one(fd, out, n, &cap);
			}
			goto done;
		}
		if (grow(out, &cap, *n + batch)) {
			err = -ENOMEM;
			goto done;
		}
		for (i = 0; i < batch; i++) {
			(*out)[*n].key = keys[i];
			(*out)[*n].flow = vals[i];
			(*n)++;
		}
		if (err) { /* ENOENT: that was the last batch */
			err = 0;
			break;
		}
		in_tok = out_tok;
		first = false;
	}
done:
	free(keys);
	free(vals);
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

void xdpct_addr_str(const __u32 *addr, int family, char *buf, size_t len)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void xdpct_flow_endpoints(const struct xdpct_flow_key *k, const struct xdpct_flow *f,
			  char *src, size_t srclen, __u16 *sport, char *dst, size_t dstlen,
			  __u16 *dport)
{
	bool client_is_b = f->flags & FLOW_CLIENT_IS_B;

	xdpct_addr_str(client_is_b ? k->addr_b : k->addr_a, k->family, src, srclen);
	xdpct_addr_str(client_is_b ? k->addr_a : k->addr_b, k->family, dst, dstlen);
	*sport = ntohs(client_is_b ? k->port_b : k->port_a);
	*dport = ntohs(client_is_b ? k->port_a : k->port_b);
}

__u64 xdpct_flow_age_ms(const struct xdpct_flow *f, __u64 now, __u32 hz)
{
	if (!hz || now < f->first_seen)
		return 0;
	return (now - f->first_seen) * 1000 / hz;
}

__u64 xdpct_flow_expires_ms(const struct xdpct_flow *f, const struct xdpct_config *cfg,
			    __u64 now)
{
	__u64 since, limit, due;

	if (f->state >= CT__MAX || !cfg->hz)
		return 0;
	since = f->state == CT_TIME_WAIT ? f->tw_start : f->last_seen;
	limit = cfg->timeout_ticks[f->state];
	due = since + limit;
	if (now >= due)
		return 0;
	return (due - now) * 1000 / cfg->hz;
}

int xdpct_tables_read(int flows_fd, int embryos_fd, struct xdpct_flow_rec **out, size_t *n,
		      size_t *nflows)
{
	struct xdpct_flow_rec *e = NULL, *all;
	size_t ne = 0;
	int err;

	err = xdpct_flows_read(flows_fd, out, n);
	if (err)
		return err;
	*nflows = *n;
	err = xdpct_flows_read(embryos_fd, &e, &ne);
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	if (ne) {
		all = realloc(*out, (*n + ne) * sizeof(*all));
		if (!all) {
			free(e);
			free(*out);
			*out = NULL;
			return -ENOMEM;
		}
		memcpy(all + *n, e, ne * sizeof(*e));
		*out = all;
		*n += ne;
	}
	free(e);
	return 0;
}

int xdpct_tables_count(int flows_fd, int embryos_fd, __u64 *per_state, __u64 *total,
		       __u64 *live)
{
	__u64 ps[CT__MAX], t;
	int err, i;

	err = xdpct_flows_count(flows_fd, per_state, total);
	if (live)
		live[TABLE_FLOWS] = *total;
	if (err)
		return err;
	err = xdpct_flows_count(embryos_fd, ps, &t);
	if (live)
		live[TABLE_EMBRYOS] = t;
	for (i = 0; i < CT__MAX; i++)
		per_state[i] += ps[i];
	*total += t;
	return err;
}

static __u64 sub_floor(__u64 in, __u64 out)
{
	return in > out ? in - out : 0;
}

void xdpct_evictions(const __u64 *cnt, const __u64 *user_removed, const __u64 *live,
		     __u64 *evicted)
{
	evicted[TABLE_FLOWS] = sub_floor(cnt[CNT_FLOW_MOVED] + cnt[CNT_FLOW_OPENED_EST],
					 user_removed[TABLE_FLOWS] + live[TABLE_FLOWS]);
	evicted[TABLE_EMBRYOS] = sub_floor(cnt[CNT_EMBRYO_OPENED],
					   cnt[CNT_EMBRYO_DELETED] + user_removed[TABLE_EMBRYOS] +
						   live[TABLE_EMBRYOS]);
}

int xdpct_flows_count(int fd, __u64 *per_state, __u64 *total)
{
	struct xdpct_flow_key *keys = malloc(BATCH * sizeof(*keys));
	struct xdpct_flow *vals = malloc(BATCH * sizeof(*vals));
	__u32 batch, in_tok = 0, out_tok = 0, i;
	bool first = true;
	int err = 0;

	memset(per_state, 0, sizeof(*per_state) * CT__MAX);
	*total = 0;
	if (!keys || !vals) {
		err = -ENOMEM;
		goto done;
	}
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, bopts);

		batch = BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in_tok, &out_tok, keys, vals, &batch,
					   &bopts);
		if (err && errno != ENOENT) {
			err = -errno;
			break;
		}
		for (i = 0; i < batch; i++) {
			if (vals[i].state < CT__MAX)
				per_state[vals[i].state]++;
			(*total)++;
		}
		if (err) {
			err = 0;
			break;
		}
		in_tok = out_tok;
		first = false;
	}
	if (err) { /* no batch support: one by one */
		struct xdpct_flow_rec *v;
		size_t n, j;

		err = xdpct_flows_read(fd, &v, &n);
		if (!err) {
			*total = n;
			for (j = 0; j < n; j++)
				if (v[j].flow.state < CT__MAX)
					per_state[v[j].flow.state]++;
			free(v);
		}
	}
done:
	free(keys);
	free(vals);
	return err;
}
