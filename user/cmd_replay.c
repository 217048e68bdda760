// SPDX-License-Identifier: GPL-2.0
/*
 * xdpct replay FILE: every frame of a capture through the real XDP and tc
 * programs (BPF_PROG_TEST_RUN) in a private set of maps, the capture's own
 * timestamps driving the data path's clock (config clock_override). Entries
 * that time out are removed as the daemon would, with a `destroyed` event at
 * the tick they became due. Nothing is pinned or attached: the live table is
 * untouched.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpct/counters.h>
#include <xdpct/event.h>
#include <xdpct/parse.h>
#include "cli.h"
#include "conf.h"
#include "daemon.h"
#include "event_out.h"
#include "flows.h"
#include "instance.h"
#include "ipc.h"
#include "json.h"
#include "replay.h"
#include "xdpct.skel.h"

enum { OPT_CONFIG = 'c', OPT_UNTIL = 'u', OPT_EGRESS = 256, OPT_FLOWS, OPT_MTU };

static const struct cli_opt replay_opts[] = {
	{ "config", OPT_CONFIG, "FILE", "configuration to replay under (as attach --config)" },
	{ "until", OPT_UNTIL, "TIME", "stop at this capture-relative time (2s, 500ms ...)" },
	{ "egress-from", OPT_EGRESS, "ADDR",
	  "frames sent by ADDR go through tc egress, others through XDP (up to 8 times; "
	  "default: as a Linux cooked capture marks them, else all through XDP)" },
	{ "flows", OPT_FLOWS, "N", "the replay's flow table size (default 262144; LRU beyond)" },
	{ "mtu", OPT_MTU, "N",
	  "the captured link's MTU (default 1500): bigger TCP frames (GRO/TSO) are cut to it" },
	{ 0 },
};

static int run_replay(int argc, char **argv);

const struct cli_cmd cmd_replay = {
	.name = "replay",
	.args = "FILE",
	.summary = "Run a capture (pcap, pcapng) through the real programs in private maps, "
		   "its timestamps as the clock; print the final table, events and counters.",
	.opts = replay_opts,
	.run = run_replay,
};

/* Ticks of the private clock at the capture's first frame: nonzero, as jiffies never are. */
#define REPLAY_BASE_TICKS 1000000ull
/* The replay's own table size (the live default is 1M). */
#define REPLAY_FLOWS_MAX (1u << 18)
/* BPF_PROG_TEST_RUN takes a page minus headroom and skb_shared_info. */
#define REPLAY_FRAME_MAX 3520
/* The largest captured frame read (tcpdump's snaplen): a GRO or BIG TCP frame is cut (run_split). */
#define REPLAY_CAPTURE_MAX 262144
#define NSEC 1000000000ull
#define REPLAY_EGRESS_MAX 8
/*
 * TCP frames over the link's MTU (GRO/TSO super-frames) are cut into
 * segments of this MTU unless --mtu says otherwise. The largest MTU whose
 * frames still fit a test run, with a VLAN tag.
 */
#define REPLAY_MTU_DEFAULT 1500
#define REPLAY_MTU_MIN 576
#define REPLAY_MTU_MAX (REPLAY_FRAME_MAX - 18)

struct rev {
	struct xdpct_event ev;
	__u64 rel_ns; /* capture-relative time */
	__u64 frame;  /* 1-based; 0 for removals */
	size_t seq;   /* the order recorded in: ties in time keep it */
};

struct replay {
	const char *path;
	struct xdpct_bpf *skel;
	struct xdpct_instance in; /* the private maps and programs, as the helpers take them */
	struct xdpct_config cfg;
	__u32 hz, flows_max, mtu;
	struct rev *ev;
	size_t nev, cap;
	struct tw_heap tw; /* TIME-WAIT timers, as the daemon arms them */
	__u64 cur_rel_ns, cur_frame;
	bool oom;
	/* what happened to the frames */
	__u64 frames, xdp, tc, skipped_link, too_big, cut, expired, split, segments;
	__u64 verdict_pass, verdict_drop, verdict_tx, verdict_other;
	int negress;
	/*
	 * Without --egress-from, a Linux cooked capture says which frames the
	 * host sent (cur_outgoing, per frame): those go through tc egress.
	 */
	bool by_capture;
	bool cur_outgoing;
	struct {
		int family;
		__u32 addr[4];
	} egress[REPLAY_EGRESS_MAX];
};

static __u64 rel_to_ticks(const struct replay *r, __u64 rel_ns)
{
	return REPLAY_BASE_TICKS + rel_ns / NSEC * r->hz + rel_ns % NSEC * r->hz / NSEC;
}

static __u64 ticks_to_rel(const struct replay *r, __u64 ticks)
{
	__u64 t = ticks > REPLAY_BASE_TICKS ? ticks - REPLAY_BASE_TICKS : 0;

	return t / r->hz * NSEC + t % r->hz * NSEC / r->hz;
}

static int push_event(struct replay *r, const struct xdpct_event *ev, __u64 rel_ns, __u64 frame)
{
	if (r->nev == r->cap) {
		size_t c = r->cap ? r->cap * 2 : 256;
		struct rev *n = realloc(r->ev, c * sizeof(*n));

		if (!n) {
			r->oom = true;
			return -ENOMEM;
		}
		r->ev = n;
		r->cap = c;
	}
	r->ev[r->nev] = (struct rev){ .ev = *ev, .rel_ns = rel_ns, .frame = frame, .seq = r->nev };
	r->nev++;
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct xdpct_event *ev = data;
	struct replay *r = ctx;

	if (size < sizeof(struct xdpct_event))
		return 0;
	if (ev->type == EV_TIME_WAIT &&
	    tw_heap_push(&r->tw, ev->time + r->cfg.timeout_ticks[CT_TIME_WAIT] + 1, &ev->key)) {
		r->oom = true;
		return -ENOMEM;
	}
	return push_event(r, data, r->cur_rel_ns, r->cur_frame);
}

static int set_clock(struct replay *r, __u64 ticks)
{
	if (r->cfg.clock_override == ticks)
		return 0;
	r->cfg.clock_override = ticks;
	return xdpct_config_write(&r->in, &r->cfg);
}

/* When an entry became due: the first tick past its timeout (the daemon's rule). */
static __u64 due_tick(const struct replay *r, const struct xdpct_flow *f)
{
	__u64 since = f->state == CT_TIME_WAIT ? f->tw_start : f->last_seen;

	return since + r->cfg.timeout_ticks[f->state < CT__MAX ? f->state : 0] + 1;
}

/* Remove one timed-out entry, with its destroyed event as the daemon sends it. */
static int expire(struct replay *r, int fd, const struct xdpct_flow_key *k,
		  const struct xdpct_flow *f, __u64 now)
{
	struct xdpct_event ev;

	if (bpf_map_delete_elem(fd, k))
		return 0;
	r->expired++;
	ev = xdpct_destroyed_event(k, f, due_tick(r, f), DESTROY_EXPIRED);
	if (ev.time > now)
		ev.time = now;
	if (r->cfg.event_mask & (1u << EV_DESTROYED))
		return push_event(r, &ev, ticks_to_rel(r, ev.time), 0);
	return 0;
}

/*
 * TIME-WAIT ends at 2MSL on the dot, by the daemon's timer, not at its
 * next sweep: a SYN of the same 4-tuple just after it must open a new
 * flow, not reopen the old one, whatever other frames kept the sweeps on
 * time. The same rules as the daemon's run_timers().
 */
static int run_tw_timers(struct replay *r, __u64 now)
{
	const struct tw_timer *t;
	int err = 0;

	while (!err && (t = tw_heap_top(&r->tw)) && t->due <= now) {
		struct xdpct_flow_key k = t->key;
		struct xdpct_flow f;

		tw_heap_pop(&r->tw);
		if (bpf_map_lookup_elem(r->in.flows_fd, &k, &f) || f.state != CT_TIME_WAIT)
			continue;
		if (xdpct_flow_expired(&f, &r->cfg, now))
			err = expire(r, r->in.flows_fd, &k, &f, now);
		else if (due_tick(r, &f) > now) /* restarted by a FIN: wait for it */
			err = tw_heap_push(&r->tw, due_tick(r, &f), &k);
	}
	return err;
}

/* Remove what timed out by now, as the daemon's sweep does, with destroyed events. */
static int sweep(struct replay *r, __u64 now)
{
	struct xdpct_flow_rec *v = NULL;
	size_t n = 0, nflows = 0, i;
	int err = xdpct_tables_read(r->in.flows_fd, r->in.embryos_fd, &v, &n, &nflows);

	for (i = 0; !err && i < n; i++)
		if (xdpct_flow_expired(&v[i].flow, &r->cfg, now))
			err = expire(r, i < nflows ? r->in.flows_fd : r->in.embryos_fd, &v[i].key,
				     &v[i].flow, now);
	free(v);
	return err;
}

static bool from_egress_addr(const struct replay *r, const __u8 *frame, size_t len)
{
	struct xdpct_pkt pkt;
	int i;

	if (!r->negress)
		return false;
	memset(&pkt, 0, sizeof(pkt));
	if (xdpct_parse(frame, frame + len, (__u32)len, &pkt) != PARSE_OK)
		return false;
	for (i = 0; i < r->negress; i++)
		if (pkt.family == r->egress[i].family &&
		    !memcmp(pkt.saddr, r->egress[i].addr, pkt.family == 4 ? 4 : 16))
			return true;
	return false;
}

static int run_frame(struct replay *r, const __u8 *frame, size_t len)
{
	static __u8 out[16384];
	bool egress = r->negress ? from_egress_addr(r, frame, len) : r->cur_outgoing;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int fd = egress ? r->in.prog_tc_fd : r->in.prog_xdp_fd;

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	if (egress) {
		r->tc++;
		if (o.retval == 0)
			r->verdict_pass++;
		else if (o.retval == 2)
			r->verdict_drop++;
		else
			r->verdict_other++;
	} else {
		r->xdp++;
		if (o.retval == 2)
			r->verdict_pass++;
		else if (o.retval == 1)
			r->verdict_drop++;
		else if (o.retval == 3)
			r->verdict_tx++;
		else
			r->verdict_other++;
	}
	return 0;
}

/*
 * A TCP frame over the link's MTU (GRO or TSO in the capture), cut as GSO
 * would have cut it: same headers, consecutive sequence numbers, FIN and
 * PSH on the last segment only. Returns 1 when it is not such a frame or
 * cannot be cut.
 */
static int run_split(struct replay *r, const __u8 *frame, size_t len)
{
	static __u8 seg[REPLAY_FRAME_MAX];
	struct xdpct_pkt pkt;
	const struct xdpct_tcp *th;
	struct xdpct_tcp *sth;
	__u32 l3hdr, tcphdr, hdr, mss, off, n, seq;
	int err;

	memset(&pkt, 0, sizeof(pkt));
	if (xdpct_parse(frame, frame + len, (__u32)len, &pkt) != PARSE_OK)
		return 1;
	th = (const struct xdpct_tcp *)(frame + pkt.l4_off);
	l3hdr = pkt.l4_off - pkt.l3_off;
	tcphdr = (__u32)(th->doff_res >> 4) * 4;
	hdr = pkt.l4_off + tcphdr;
	if (l3hdr + tcphdr >= r->mtu || !pkt.payload_len || l3hdr + tcphdr + pkt.payload_len <= r->mtu)
		return 1;
	mss = r->mtu - l3hdr - tcphdr;
	if (hdr + mss > sizeof(seg) || hdr + pkt.payload_len > len)
		return 1;
	seq = ntohl(th->seq);
	for (off = 0; off < pkt.payload_len; off += n) {
		n = pkt.payload_len - off < mss ? pkt.payload_len - off : mss;
		memcpy(seg, frame, hdr);
		memcpy(seg + hdr, frame + hdr + off, n);
		if (pkt.family == 4)
			((struct xdpct_ip4 *)(seg + pkt.l3_off))->tot_len =
				htons((__u16)(l3hdr + tcphdr + n));
		else
			((struct xdpct_ip6 *)(seg + pkt.l3_off))->payload_len =
				htons((__u16)(l3hdr - sizeof(struct xdpct_ip6) + tcphdr + n));
		sth = (struct xdpct_tcp *)(seg + pkt.l4_off);
		sth->seq = htonl(seq + off);
		if (off + n < pkt.payload_len)
			sth->flags &= (__u8)~(0x01 | 0x08); /* FIN, PSH: the last segment's */
		if (off)
			sth->flags &= (__u8)~0x80; /* CWR: the first's */
		err = run_frame(r, seg, hdr + n);
		if (err)
			return err;
		r->segments++;
	}
	r->split++;
	return 0;
}

static int load(struct replay *r, const struct conf_state *conf_in)
{
	static struct conf_state st;
	__u64 now;
	int err;

	r->skel = xdpct_bpf__open();
	if (!r->skel)
		return -errno;
	/* The capture's timestamps are the clock: config clock_override (set_clock()). */
	r->skel->rodata->xdpct_clock_from_config = true;
	bpf_map__set_max_entries(r->skel->maps.flows, r->flows_max);
	/* The handshake table: a quarter, as attach sizes it. */
	bpf_map__set_max_entries(r->skel->maps.embryos, r->flows_max / 4 < 16 ? 16 : r->flows_max / 4);
	err = xdpct_bpf__load(r->skel);
	if (err)
		return err;
	memset(&r->in, 0, sizeof(r->in));
	r->in.flows_fd = bpf_map__fd(r->skel->maps.flows);
	r->in.embryos_fd = bpf_map__fd(r->skel->maps.embryos);
	r->in.config_fd = bpf_map__fd(r->skel->maps.config_map);
	r->in.counters_fd = bpf_map__fd(r->skel->maps.counters);
	r->in.events_fd = bpf_map__fd(r->skel->maps.events);
	r->in.ifaces_fd = bpf_map__fd(r->skel->maps.ifaces);
	r->in.ports_fd = bpf_map__fd(r->skel->maps.ports);
	r->in.prog_xdp_fd = bpf_program__fd(r->skel->progs.xdpct_xdp);
	r->in.prog_tc_fd = bpf_program__fd(r->skel->progs.xdpct_tc_egress);
	r->in.prog_clock_fd = bpf_program__fd(r->skel->progs.xdpct_clock);
	/* The kernel's HZ, from the clock program (CONFIG_HZ). */
	err = xdpct_clock_read(&r->in, &now, &r->hz);
	if (err)
		return err;
	if (!r->hz)
		r->hz = 250;
	st = *conf_in;
	st.cfg.hz = r->hz;
	st.cfg.clock_override = REPLAY_BASE_TICKS;
	err = xdpct_conf_write(&r->in, NULL, &st);
	if (err)
		return err;
	r->cfg = st.cfg;
	xdpct_config_derive(&r->cfg);
	return 0;
}

static int cmp_rev(const void *a, const void *b)
{
	const struct rev *x = a, *y = b;

	if (x->rel_ns != y->rel_ns)
		return x->rel_ns < y->rel_ns ? -1 : 1;
	/* qsort is not stable: ties keep the order they were recorded in by seq */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void print_json(struct replay *r, const struct xdpct_flow_rec *v, size_t n, __u64 now,
		       __u64 end_ns, bool stopped, const __u64 *cnt, const __u64 *per_state,
		       __u64 total)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "file", r->path);
	json_u64(&j, "frames", r->frames);
	json_u64(&j, "frames_xdp", r->xdp);
	json_u64(&j, "frames_tc", r->tc);
	json_u64(&j, "frames_skipped", r->skipped_link + r->too_big + r->cut);
	json_u64(&j, "frames_too_big", r->too_big);
	json_u64(&j, "frames_cut", r->cut);
	json_u64(&j, "frames_split", r->split);
	json_u64(&j, "split_segments", r->segments);
	json_u64(&j, "mtu", r->mtu);
	json_str(&j, "egress_by", r->negress ? "addresses" : r->by_capture ? "capture" : "none");
	json_obj_begin(&j, "verdicts");
	json_u64(&j, "pass", r->verdict_pass);
	json_u64(&j, "drop", r->verdict_drop);
	json_u64(&j, "tx", r->verdict_tx);
	json_u64(&j, "other", r->verdict_other);
	json_obj_end(&j);
	json_u64(&j, "duration_ms", end_ns / 1000000);
	json_bool(&j, "stopped_by_until", stopped);
	json_u64(&j, "hz", r->hz);
	json_u64(&j, "expired_removed", r->expired);
	xdpct_list_json(&j, "flows", v, n, &r->cfg, now);
	json_arr_begin(&j, "events");
	for (i = 0; i < r->nev; i++) {
		json_obj_begin(&j, NULL);
		json_u64(&j, "t_us", r->ev[i].rel_ns / 1000);
		if (r->ev[i].frame)
			json_u64(&j, "frame", r->ev[i].frame);
		/* No interface: a test run has none. */
		xdpct_event_json(&j, &r->ev[i].ev, NULL);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_u64(&j, "flows_total", total);
	xdpct_stats_json(&j, per_state, cnt);
	json_obj_end(&j);
	json_end(&j);
}

static void print_text(struct replay *r, const struct xdpct_flow_rec *v, size_t n, __u64 now,
		       __u64 end_ns, bool stopped, const __u64 *cnt, const __u64 *per_state,
		       __u64 total)
{
	size_t i;

	printf("replay %s: %llu frames over %.3f s%s: %llu through XDP, %llu through tc egress, "
	       "%llu skipped; verdicts pass %llu drop %llu tx %llu\n",
	       r->path, (unsigned long long)r->frames, end_ns / 1e9, stopped ? " (stopped by --until)" : "",
	       (unsigned long long)r->xdp, (unsigned long long)r->tc,
	       (unsigned long long)(r->skipped_link + r->too_big + r->cut),
	       (unsigned long long)r->verdict_pass,
	       (unsigned long long)r->verdict_drop, (unsigned long long)r->verdict_tx);
	if (r->by_capture)
		printf("  frames the capture marks as sent by the host (Linux cooked) went through tc egress\n");
	if (r->split)
		printf("  %llu TCP frames over the %u-byte MTU (GRO/TSO) ran as %llu segments\n",
		       (unsigned long long)r->split, r->mtu, (unsigned long long)r->segments);
	if (r->too_big)
		printf("  %llu frames larger than %u bytes that could not be cut were not run\n",
		       (unsigned long long)r->too_big, REPLAY_FRAME_MAX);
	if (r->cut)
		printf("  %llu frames the capture cut short (its snaplen) were not run: their flows "
		       "lack them (capture with -s 0)\n",
		       (unsigned long long)r->cut);
	printf("  %llu flows timed out and were removed, as the daemon would\n\nFlows at %.3f s:\n",
	       (unsigned long long)r->expired, end_ns / 1e9);
	xdpct_list_table(v, n, &r->cfg, now);
	printf("\nEvents:\n");
	for (i = 0; i < r->nev; i++) {
		printf("%12.6f ", r->ev[i].rel_ns / 1e9);
		xdpct_event_line(stdout, &r->ev[i].ev, NULL);
	}
	printf("%zu event%s\n\nStats:\n", r->nev, r->nev == 1 ? "" : "s");
	xdpct_stats_states(total, per_state);
	xdpct_stats_counters(cnt);
}

static int replay_file(struct replay *r, struct replay_cap *cap, __u64 until_ns, bool has_until)
{
	/* As large as tcpdump captures (262144), with room for a cooked header made Ethernet. */
	static __u8 frame[REPLAY_CAPTURE_MAX + 64];
	__u64 t0 = 0, rel = 0, end_ns = 0, now, cnt[CNT__MAX], per_state[CT__MAX], total;
	__u64 sweep_every, next_sweep;
	struct ring_buffer *rb;
	struct xdpct_flow_rec *v = NULL;
	const unsigned char *data;
	unsigned long long ts;
	bool stopped = false;
	size_t n = 0, nflows = 0, caplen, wirelen;
	int rc, err = 0, s;

	rb = ring_buffer__new(r->in.events_fd, on_event, r, NULL);
	if (!rb) {
		xdpct_err("replay: ring buffer: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	/* The daemon's sweep period: half the shortest timeout, 100 ms .. 5 s. */
	sweep_every = ~0ull;
	for (s = 1; s < CT__MAX; s++)
		if (r->cfg.timeout_ticks[s] && r->cfg.timeout_ticks[s] / 2 < sweep_every)
			sweep_every = r->cfg.timeout_ticks[s] / 2;
	if (sweep_every < r->hz / 10)
		sweep_every = r->hz / 10;
	if (sweep_every > 5ull * r->hz)
		sweep_every = 5ull * r->hz;
	if (!sweep_every)
		sweep_every = 1;
	next_sweep = REPLAY_BASE_TICKS + sweep_every;
	while ((rc = replay_cap_next(cap, &ts, &data, &caplen, &wirelen)) == 1) {
		size_t len;

		if (!r->frames)
			t0 = ts;
		/*
		 * Until the clock has moved, an earlier frame moves its origin
		 * back: a first frame stamped wrong (years ahead) must not hold
		 * every later one at time 0.
		 */
		else if (!rel && ts < t0)
			t0 = ts;
		/* A clock never goes back: a frame stamped earlier runs at the latest time. */
		if (ts >= t0 && ts - t0 > rel)
			rel = ts - t0;
		if (has_until && rel > until_ns) {
			stopped = true;
			break;
		}
		r->frames++;
		r->cur_rel_ns = rel;
		r->cur_frame = r->frames;
		now = rel_to_ticks(r, rel);
		err = run_tw_timers(r, now);
		if (!err && now >= next_sweep) {
			err = sweep(r, now);
			next_sweep = now + sweep_every;
		}
		if (!err)
			err = set_clock(r, now);
		if (err)
			break;
		r->cur_outgoing = r->by_capture && replay_cap_outgoing(cap, data, caplen);
		/*
		 * A frame cut short would run as malformed, its data lost to its
		 * flow: counted apart instead, and said.
		 */
		if (caplen < wirelen) {
			r->cut++;
			continue;
		}
		if (caplen > REPLAY_CAPTURE_MAX) {
			r->too_big++;
			continue;
		}
		len = replay_cap_ethernet(cap, data, caplen, frame, sizeof(frame));
		/* Not Ethernet, or shorter than its header (a test run refuses those). */
		if (len < 14) {
			r->skipped_link++;
			continue;
		}
		/*
		 * Not only frames too big for a test run: a TSO frame of two
		 * segments fits one, and the wire still carried two packets.
		 */
		if (len > r->mtu) {
			err = run_split(r, frame, len);
			if (err > 0 && len > REPLAY_FRAME_MAX) {
				r->too_big++;
				err = 0;
				continue;
			}
			if (err > 0)
				err = run_frame(r, frame, len);
		} else {
			err = run_frame(r, frame, len);
		}
		if (err)
			break;
		if (ring_buffer__consume(rb) < 0 || r->oom) {
			err = -ENOMEM;
			break;
		}
	}
	if (rc < 0) {
		xdpct_err("replay: %s: %s", r->path, replay_cap_error(cap));
		ring_buffer__free(rb);
		tw_heap_free(&r->tw);
		return EXIT_RUNTIME;
	}
	if (!err) {
		end_ns = stopped ? until_ns : rel;
		now = rel_to_ticks(r, end_ns);
		err = set_clock(r, now);
		if (!err)
			err = run_tw_timers(r, now);
		if (!err)
			err = sweep(r, now);
	}
	ring_buffer__free(rb);
	tw_heap_free(&r->tw);
	if (!err)
		err = xdpct_tables_read(r->in.flows_fd, r->in.embryos_fd, &v, &n, &nflows);
	if (!err)
		err = xdpct_counters_read(&r->in, cnt);
	if (!err)
		err = xdpct_tables_count(r->in.flows_fd, r->in.embryos_fd, per_state, &total, NULL);
	if (err) {
		xdpct_err("replay: %s: frame %llu: %s", r->path, (unsigned long long)r->frames,
			  strerror(-err));
		free(v);
		return EXIT_RUNTIME;
	}
	if (r->nev)
		qsort(r->ev, r->nev, sizeof(*r->ev), cmp_rev);
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (g_opts.json)
		print_json(r, v, n, now, end_ns, stopped, cnt, per_state, total);
	else
		print_text(r, v, n, now, end_ns, stopped, cnt, per_state, total);
	free(v);
	return 0;
}

static int run_replay(int argc, char **argv)
{
	static struct conf_state conf;
	struct replay_cap *cap = NULL;
	char why[256];
	const char *config = NULL;
	struct replay r = { 0 };
	__u64 until_ms = 0;
	bool has_until = false;
	unsigned long n;
	int c, ret;

	while ((c = cli_next(argc, argv, &cmd_replay)) != -1) {
		switch (c) {
		case -2:
			return cli_status();
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_UNTIL:
			if (conf_parse_duration(optarg, &until_ms))
				return cli_usage(&cmd_replay, "--until: '%s' is not a duration", optarg);
			has_until = true;
			break;
		case OPT_FLOWS:
			if (cli_uint_arg(&cmd_replay, "--flows", 16, 1ul << 26, &n))
				return EXIT_USAGE;
			r.flows_max = (__u32)n;
			break;
		case OPT_MTU:
			if (cli_uint_arg(&cmd_replay, "--mtu", REPLAY_MTU_MIN, REPLAY_MTU_MAX, &n))
				return EXIT_USAGE;
			r.mtu = (__u32)n;
			break;
		case OPT_EGRESS:
			if (r.negress == REPLAY_EGRESS_MAX)
				return cli_usage(&cmd_replay, "--egress-from: at most %d addresses",
						 REPLAY_EGRESS_MAX);
			if (inet_pton(AF_INET, optarg, r.egress[r.negress].addr) == 1)
				r.egress[r.negress].family = 4;
			else if (inet_pton(AF_INET6, optarg, r.egress[r.negress].addr) == 1)
				r.egress[r.negress].family = 6;
			else
				return cli_usage(&cmd_replay, "--egress-from: '%s' is not an address",
						 optarg);
			r.negress++;
			break;
		}
	}
	if (!r.flows_max)
		r.flows_max = REPLAY_FLOWS_MAX;
	if (!r.mtu)
		r.mtu = REPLAY_MTU_DEFAULT;
	if (optind >= argc)
		return cli_usage(&cmd_replay, "a capture FILE is needed");
	if (optind + 1 < argc)
		return cli_usage(&cmd_replay, "unexpected argument '%s'", argv[optind + 1]);
	r.path = argv[optind];
	xdpct_config_defaults(&conf.cfg, 100);
	if (config && conf_load_file(&conf, config, why, sizeof(why))) {
		xdpct_err("replay: --config %s", why);
		return EXIT_USAGE;
	}

	if (replay_cap_open(r.path, &cap, why, sizeof(why))) {
		xdpct_err("replay: %s: %s", r.path, why);
		return EXIT_RUNTIME;
	}
	r.by_capture = !r.negress && replay_cap_knows_direction(cap);
	ret = load(&r, &conf);
	if (ret) {
		xdpct_err("replay: load the programs: %s", strerror(-ret));
		xdpct_bpf__destroy(r.skel);
		replay_cap_close(cap);
		return EXIT_RUNTIME;
	}
	ret = replay_file(&r, cap, until_ms * 1000000ull, has_until);
	free(r.ev);
	xdpct_bpf__destroy(r.skel);
	replay_cap_close(cap);
	return ret;
}
