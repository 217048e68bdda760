// SPDX-License-Identifier: GPL-2.0
/* The daemon's loop: epoll over the ring buffer, the socket, signals and timers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "daemon.h"
#include "metrics.h"
#include "ipc.h"
#include "loader.h"
#include "mono.h"

#define MAX_CLIENTS 64
#define SWEEP_BATCH 4096
#define IFACES_MAX 256 /* the ifaces map's size */
#define IFACE_CHECK_MS 1000 /* how soon a deleted interface's pin goes */
#define STOP_WAIT_MS 5000
#define EVENTS_PER_WAKE 65536

/* epoll data: a kind, and for the kinds with many descriptors fd << 8. */
enum { TAG_RB = 1, TAG_LISTEN, TAG_SIG, TAG_CLIENT, TAG_METRICS };

/* ---- timers ---------------------------------------------------------- */

int tw_heap_push(struct tw_heap *h, __u64 due, const struct xdpct_flow_key *key)
{
	size_t i;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct tw_timer *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	i = h->n++;
	while (i > 0 && h->v[(i - 1) / 2].due > due) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i].due = due;
	h->v[i].key = *key;
	return 0;
}

const struct tw_timer *tw_heap_top(const struct tw_heap *h)
{
	return h->n ? &h->v[0] : NULL;
}

void tw_heap_pop(struct tw_heap *h)
{
	struct tw_timer last;
	size_t i = 0, c;

	if (!h->n)
		return;
	last = h->v[--h->n];
	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && h->v[c + 1].due < h->v[c].due)
			c++;
		if (last.due <= h->v[c].due)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
}

void tw_heap_free(struct tw_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

/* The same rule as the data path's xdpct_stale(), and never for a future entry. */
bool xdpct_flow_expired(const struct xdpct_flow *f, const struct xdpct_config *cfg, __u64 now)
{
	__u64 since, limit;

	if (f->state >= CT__MAX)
		return true;
	since = f->state == CT_TIME_WAIT ? f->tw_start : f->last_seen;
	limit = cfg->timeout_ticks[f->state];
	return limit && now > since && now - since > limit;
}

/* ---- the daemon ------------------------------------------------------ */

struct client {
	int fd;
	__u64 since_ms; /* connected (CLOCK_MONOTONIC) */
	bool subscribed;
	bool full; /* its socket buffer was full: skip it until the next wake-up */
	__u64 lost; /* events it missed, told to it once there is room */
};

struct daemon {
	struct xdpct_instance in;
	struct xdpct_daemon_opts opts;
	struct xdpct_config cfg;
	struct ring_buffer *rb;
	struct tw_heap heap;
	struct tw_heap heap_next; /* the one each sweep fills, then takes for heap */
	bool sweep_broke;         /* this sweep stopped short of a table's end */
	struct client clients[MAX_CLIENTS];
	int nclients;
	int epfd, lfd, sigfd, pidfd;
	struct metrics_server metrics; /* lfd -1 when off */
	__u64 now; /* clock ticks, refreshed on every wake-up */
	__u64 next_sweep_ms;
	__u64 next_iface_ms;
	__u32 rb_batch; /* events taken in this consume call */
	bool rb_more;   /* the last call stopped at EVENTS_PER_WAKE */
	int metrics_wait_ms; /* until a metrics connection's deadline, -1: none */
	struct ipc_status st;
	bool stop;
};

static void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void dlog(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld xdpctd[%d]: ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static __u64 cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000 + (__u64)ts.tv_nsec / 1000;
}

/*
 * A shorter TIME-WAIT (msl lowered) makes the pending timers late: make
 * every one due now, so that run_timers() looks at each entry again and
 * re-arms it for the new limit. All dues equal keeps the heap a heap.
 */
static void timers_due_now(struct tw_heap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		h->v[i].due = 0;
}

static __u64 sweep_interval(const struct daemon *d);

static void refresh(struct daemon *d)
{
	struct xdpct_config cfg;
	__u64 soon;

	if (!xdpct_config_read(&d->in, &cfg)) {
		if (cfg.timeout_ticks[CT_TIME_WAIT] < d->cfg.timeout_ticks[CT_TIME_WAIT])
			timers_due_now(&d->heap);
		d->cfg = cfg;
		/*
		 * Timeouts lowered: the sweep they call for comes one new interval
		 * from now at the latest, not when the old interval ends (up to
		 * 5 s later with the defaults, 30 min with long timeouts).
		 */
		soon = mono_ms() + sweep_interval(d);
		if (d->next_sweep_ms > soon)
			d->next_sweep_ms = soon;
	}
	xdpct_clock_read(&d->in, &d->now, NULL);
}

static void fan_out(struct daemon *d, const struct xdpct_event *ev)
{
	struct ipc_msg m = { .op = IPC_EVENT, .ev = *ev };
	int i;

	for (i = 0; i < d->nclients; i++) {
		struct client *c = &d->clients[i];

		if (!c->subscribed)
			continue;
		/*
		 * A slow reader misses events; it never holds the others up. Once
		 * its buffer is full, no more send() calls until the next wake-up:
		 * a sweep expiring a million flows costs no million failed calls.
		 */
		if (c->full || send(c->fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			c->full = true;
			c->lost++;
			d->st.reader_drops++;
		}
	}
}

/* A new wake-up: try the reader again, first telling it what it missed. */
static void tell_lost(struct client *c)
{
	struct ipc_msg m = { .op = IPC_LOST };

	c->full = false;
	if (!c->lost)
		return;
	m.ev.time = c->lost;
	if (send(c->fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(m))
		c->lost = 0;
	else
		c->full = true;
}

static void destroyed(struct daemon *d, const struct xdpct_flow_key *k, const struct xdpct_flow *f)
{
	struct xdpct_event ev = xdpct_destroyed_event(k, f, d->now, DESTROY_EXPIRED);

	d->st.destroyed++;
	if (d->cfg.event_mask & (1u << EV_DESTROYED))
		fan_out(d, &ev);
}

static __u64 tw_due(const struct daemon *d, const struct xdpct_flow *f)
{
	/* Removal needs now - tw_start > limit: the first tick after 2MSL. */
	return f->tw_start + d->cfg.timeout_ticks[CT_TIME_WAIT] + 1;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct daemon *d = ctx;
	const struct xdpct_event *ev = data;

	if (len < sizeof(*ev))
		return 0;
	d->st.events++;
	/*
	 * One timer per entry into TIME-WAIT. A restart (a FIN retransmitted
	 * into it) arms none: the pending timer finds the later tw_start when
	 * it fires and waits again (run_timers()). Arming one per restart let
	 * a peer replaying a FIN grow the heap by one timer per packet.
	 */
	if (ev->type == EV_TIME_WAIT)
		tw_heap_push(&d->heap, ev->time + d->cfg.timeout_ticks[CT_TIME_WAIT] + 1, &ev->key);
	fan_out(d, ev);
	/*
	 * libbpf 1.1's consume goes on for as long as the producer does: an
	 * event flood would keep the loop from its clients and timers. A
	 * negative return stops it (this event is consumed); the loop comes
	 * back at once (wait_ms()).
	 */
	if (++d->rb_batch >= EVENTS_PER_WAKE)
		return -EAGAIN;
	return 0;
}

static void consume_events(struct daemon *d)
{
	d->rb_batch = 0;
	d->rb_more = ring_buffer__consume(d->rb) == -EAGAIN;
}

/*
 * Remove one entry if it is still due, re-checked after the delete: a SYN
 * may have reopened it meanwhile, and then it goes back.
 */
static void reap_one(struct daemon *d, int table, const struct xdpct_flow_key *k)
{
	int fd = xdpct_table_fd(&d->in, table);
	struct xdpct_flow f;

	if (bpf_map_lookup_and_delete_elem(fd, k, &f))
		return;
	if (!xdpct_flow_expired(&f, &d->cfg, d->now)) {
		bpf_map_update_elem(fd, k, &f, BPF_NOEXIST);
		return;
	}
	xdpct_removed_add(&d->in, table, 1);
	destroyed(d, k, &f);
}

static void run_timers(struct daemon *d)
{
	const struct tw_timer *t;

	while ((t = tw_heap_top(&d->heap)) && t->due <= d->now) {
		struct xdpct_flow_key k = t->key;
		struct xdpct_flow f;

		tw_heap_pop(&d->heap);
		/* TIME-WAIT is past the handshake: in flows, never in embryos. */
		if (bpf_map_lookup_elem(d->in.flows_fd, &k, &f))
			continue; /* gone already */
		if (f.state != CT_TIME_WAIT)
			continue; /* reopened or closed otherwise: the sweep has it */
		if (xdpct_flow_expired(&f, &d->cfg, d->now))
			reap_one(d, TABLE_FLOWS, &k);
		else if (tw_due(d, &f) > d->now) /* restarted, or msl grew: wait for it */
			tw_heap_push(&d->heap, tw_due(d, &f), &k);
		/* else a tw_start from the future (a corrupt entry): the sweep's, not a timer loop */
	}
	d->st.timers = d->heap.n;
}

/*
 * The safety net: one pass over a table in batches, deleting in batches
 * what timed out; a timer into arm for each TIME-WAIT entry that stays.
 * Returns the entries seen.
 */
static __u64 sweep_table(struct daemon *d, int table, struct tw_heap *arm)
{
	int fd = xdpct_table_fd(&d->in, table);
	static struct xdpct_flow_key keys[SWEEP_BATCH], dead[SWEEP_BATCH];
	static struct xdpct_flow vals[SWEEP_BATCH];
	static bool rechecked[SWEEP_BATCH], gone[SWEEP_BATCH];
	__u32 in_tok = 0, out_tok = 0, n, i, ndead;
	__u64 seen = 0;
	bool first = true;
	int err;

	do {
		LIBBPF_OPTS(bpf_map_batch_opts, bopts);

		n = SWEEP_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in_tok, &out_tok, keys,
					   vals, &n, &bopts);
		if (err && errno != ENOENT) {
			dlog("sweep: batch lookup: %s", strerror(errno));
			d->sweep_broke = true;
			break;
		}
		err = err ? -ENOENT : 0;
		seen += n;
		ndead = 0;
		if (n > SWEEP_BATCH)
			n = SWEEP_BATCH;
		for (i = 0; i < n; i++) {
			rechecked[i] = false;
			if (!xdpct_flow_expired(&vals[i], &d->cfg, d->now)) {
				if (vals[i].state == CT_TIME_WAIT)
					tw_heap_push(arm, tw_due(d, &vals[i]), &keys[i]);
				continue;
			}
			/*
			 * TIME-WAIT here means its event was lost: rare, and a SYN may
			 * reopen it any moment, so re-check it one by one. Idle flows
			 * go in batches (a segment racing the delete is the only loss).
			 */
			if (vals[i].state == CT_TIME_WAIT) {
				reap_one(d, table, &keys[i]);
				rechecked[i] = true; /* not in dead[]: no second event */
				continue;
			}
			dead[ndead++] = keys[i];
		}
		if (ndead) {
			__u32 nd = ndead, j;
			LIBBPF_OPTS(bpf_map_batch_opts, dopts);

			for (j = 0; j < ndead; j++)
				gone[j] = true;
			/*
			 * An entry deleted meanwhile (flush, delete, an LRU eviction)
			 * stops a batch: finish one by one. Only what this sweep
			 * deleted is counted and reported: the other had its event.
			 */
			if (bpf_map_delete_batch(fd, dead, &nd, &dopts))
				for (j = nd; j < ndead; j++) {
					gone[j] = !bpf_map_delete_elem(fd, &dead[j]);
					nd += gone[j];
				}
			xdpct_removed_add(&d->in, table, nd);
			for (i = 0, j = 0; i < n && j < ndead; i++)
				if (!rechecked[i] && !memcmp(&keys[i], &dead[j], sizeof(dead[j]))) {
					if (gone[j])
						destroyed(d, &keys[i], &vals[i]);
					j++;
				}
		}
		in_tok = out_tok;
		first = false;
	} while (!err);
	return seen;
}

/*
 * Each sweep makes the timers anew from what it sees: one per TIME-WAIT
 * entry in the table. Events arm timers between sweeps, and their entries
 * may leave without one firing (flush, delete, a SYN that reopens one);
 * at start-up, entries whose event was still in the ring got a timer from
 * it and another from the sweep. Pending timers then counted such entries
 * until their due times passed (`status`, metrics); now until the next
 * sweep at most. An entry the sweep could not arm (no memory) is reaped
 * by a later sweep, as one whose event was lost.
 */
static void sweep(struct daemon *d)
{
	__u64 t0 = cpu_us(), seen;
	struct tw_heap old;

	d->heap_next.n = 0;
	d->sweep_broke = false;
	seen = sweep_table(d, TABLE_FLOWS, &d->heap_next);
	seen += sweep_table(d, TABLE_EMBRYOS, &d->heap_next);
	if (d->sweep_broke) {
		size_t i;

		/* Entries past the break were not seen: keep their timers, add the new. */
		for (i = 0; i < d->heap_next.n; i++)
			tw_heap_push(&d->heap, d->heap_next.v[i].due, &d->heap_next.v[i].key);
	} else {
		old = d->heap;
		d->heap = d->heap_next;
		d->heap_next = old;
	}
	d->st.sweeps++;
	d->st.last_sweep_seen = seen;
	d->st.last_sweep_us = cpu_us() - t0;
	d->st.timers = d->heap.n;
}

static __u64 sweep_interval(const struct daemon *d)
{
	return d->opts.sweep_ms ? d->opts.sweep_ms : xdpct_sweep_default_ms(&d->cfg);
}

static void client_drop(struct daemon *d, int i)
{
	close(d->clients[i].fd);
	d->clients[i] = d->clients[--d->nclients];
	d->st.readers = 0;
	for (i = 0; i < d->nclients; i++)
		d->st.readers += d->clients[i].subscribed;
}

static void client_accept(struct daemon *d)
{
	struct epoll_event e = { .events = EPOLLIN };
	int fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (fd < 0)
		return;
	/* The socket is root's alone (0600 in a 0700 directory); say so twice. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		close(fd);
		return;
	}
	/*
	 * Full: the oldest connection that is not an events reader (a command
	 * that never finished, or never asked anything) makes room, so idle
	 * connections cannot keep status and flush out. Readers stay.
	 */
	if (d->nclients == MAX_CLIENTS) {
		int i, oldest = -1;

		for (i = 0; i < d->nclients; i++)
			if (!d->clients[i].subscribed &&
			    (oldest < 0 || d->clients[i].since_ms < d->clients[oldest].since_ms))
				oldest = i;
		if (oldest < 0) {
			close(fd);
			return;
		}
		client_drop(d, oldest);
	}
	/* Room for bursts (a sweep expiring many flows); capped by net.core.wmem_max. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ 4 << 20 }, sizeof(int));
	e.data.u64 = (__u64)fd << 8 | TAG_CLIENT;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &e)) {
		close(fd);
		return;
	}
	d->clients[d->nclients++] = (struct client){ .fd = fd, .since_ms = mono_ms() };
}

static void client_input(struct daemon *d, int fd)
{
	struct ipc_msg m;
	ssize_t n;
	int i;

	for (i = 0; i < d->nclients && d->clients[i].fd != fd; i++)
		;
	if (i == d->nclients)
		return;
	for (;;) {
		n = recv(fd, &m, sizeof(m), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			client_drop(d, i);
			return;
		}
		if (n != sizeof(m))
			continue;
		switch (m.op) {
		case IPC_SUBSCRIBE:
			if (!d->clients[i].subscribed)
				d->st.readers++;
			d->clients[i].subscribed = true;
			break;
		case IPC_EVENT:
			if (m.ev.type == EV_DESTROYED)
				d->st.destroyed += 0; /* removed by the CLI, counted there */
			if (m.ev.type < EV__MAX && d->cfg.event_mask & (1u << m.ev.type))
				fan_out(d, &m.ev);
			break;
		case IPC_STATUS:
			m.op = IPC_STATUS_REPLY;
			m.st = d->st;
			m.st.timers = d->heap.n;
			m.st.sweep_interval_ms = sweep_interval(d);
			send(fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL);
			break;
		}
	}
}

/* The pid file is also the lock that keeps a second daemon out. */
static int take_pidfile(struct daemon *d)
{
	char path[256], buf[64];
	int fd, n;

	mkdir(XDPCT_RUN_ROOT, 0700);
	if (mkdir(d->in.run_dir, 0700) && errno != EEXIST)
		return -errno;
	chmod(d->in.run_dir, 0700);
	snprintf(path, sizeof(path), "%s/%s", d->in.run_dir, XDPCT_PID_NAME);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return -EALREADY;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n) {
		close(fd);
		return -EIO;
	}
	d->pidfd = fd;
	return 0;
}

static int listen_socket(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.90s/%s", d->in.run_dir, XDPCT_SOCK_NAME);
	unlink(sa.sun_path); /* a dead daemon's: we hold the lock now */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
		int err = -errno;

		umask(old);
		close(fd);
		return err;
	}
	umask(old);
	chmod(sa.sun_path, 0600);
	d->lfd = fd;
	return 0;
}

static int epoll_add(int epfd, int fd, __u64 tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

/*
 * An interface deleted while attached takes its XDP link and tc filter with
 * it; what stays is ours: its link pin and its ifaces entry. Drop those, and
 * go on serving the other interfaces.
 */
static void check_ifaces(struct daemon *d)
{
	__u32 keys[IFACES_MAX], key, *prev = NULL;
	int n = 0, i;

	while (n < IFACES_MAX && bpf_map_get_next_key(d->in.ifaces_fd, prev, &key) == 0) {
		keys[n++] = key;
		prev = &keys[n - 1];
	}
	for (i = 0; i < n; i++) {
		/* Gone, or gone and its index taken by another: the link says which. */
		if (xdpct_iface_link_alive(&d->in, keys[i]))
			continue;
		xdpct_iface_detach(&d->in, NULL, keys[i]);
		dlog("interface %u is gone: its pin and entry removed", keys[i]);
	}
}

static void detach_all(struct daemon *d)
{
	__u32 key;

	while (bpf_map_get_next_key(d->in.ifaces_fd, NULL, &key) == 0) {
		char name[IF_NAMESIZE] = "?";

		if_indextoname(key, name);
		xdpct_iface_detach(&d->in, name, key);
		dlog("detached from %s", name);
	}
	xdpct_instance_unpin(&d->in);
}

static void cleanup(struct daemon *d)
{
	char path[256];
	int i;

	for (i = 0; i < d->nclients; i++)
		close(d->clients[i].fd);
	ring_buffer__free(d->rb);
	tw_heap_free(&d->heap);
	tw_heap_free(&d->heap_next);
	if (d->lfd >= 0) {
		snprintf(path, sizeof(path), "%s/%s", d->in.run_dir, XDPCT_SOCK_NAME);
		unlink(path);
		close(d->lfd);
	}
	if (d->pidfd >= 0) {
		snprintf(path, sizeof(path), "%s/%s", d->in.run_dir, XDPCT_PID_NAME);
		unlink(path);
		close(d->pidfd);
	}
	if (d->sigfd >= 0)
		close(d->sigfd);
	metrics_server_close(&d->metrics);
	if (d->epfd >= 0)
		close(d->epfd);
	/* Detached: nothing left to log for either. */
	xdpct_pin_path(&d->in, "flows", path, sizeof(path));
	if (access(path, F_OK))
		xdpct_daemon_forget(&d->in);
	xdpct_instance_close(&d->in);
	rmdir(d->in.run_dir);
}

void xdpct_daemon_forget(const struct xdpct_instance *in)
{
	static const char *const names[] = { XDPCT_LOG_NAME, METRICS_FILE, XDPCT_PID_NAME,
					     XDPCT_SOCK_NAME };
	char path[256];
	size_t i;

	/* A daemon killed by SIGKILL left its pid file and socket: no one else will. */
	if (xdpct_daemon_pid(in))
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", in->run_dir, names[i]);
		unlink(path);
	}
	rmdir(in->run_dir);
}

/* Set up everything; ready() is told before the loop begins. */
static int daemon_init(struct daemon *d)
{
	const char *given;
	sigset_t mask;
	int err;

	d->epfd = d->lfd = d->sigfd = d->pidfd = d->metrics.lfd = -1;
	d->metrics_wait_ms = -1;
	err = xdpct_instance_open(&d->in);
	if (!err)
		err = xdpct_instance_check(&d->in);
	if (err) {
		xdpct_err("daemon: %s", xdpct_open_error(err));
		return err;
	}
	err = take_pidfile(d);
	if (err) {
		if (err == -EALREADY)
			xdpct_daemon_said_running(&d->in);
		else
			xdpct_err("daemon: pid file in %s: %s", d->in.run_dir, strerror(-err));
		return err;
	}
	err = listen_socket(d);
	if (err) {
		xdpct_err("daemon: socket in %s: %s", d->in.run_dir, strerror(-err));
		return err;
	}
	d->rb = ring_buffer__new(d->in.events_fd, on_event, d, NULL);
	if (!d->rb) {
		err = -errno;
		xdpct_err("daemon: ring buffer: %s", strerror(-err));
		return err;
	}
	/*
	 * Every signal whose default would end the daemon without its clean-up
	 * comes through the loop: INT and TERM stop it, the others are logged
	 * and ignored (a SIGHUP from a closed terminal must not stop expiry).
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGALRM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->epfd < 0 || epoll_add(d->epfd, ring_buffer__epoll_fd(d->rb), TAG_RB) ||
	    epoll_add(d->epfd, d->lfd, TAG_LISTEN) || epoll_add(d->epfd, d->sigfd, TAG_SIG)) {
		err = -errno;
		xdpct_err("daemon: epoll: %s", strerror(-err));
		return err ? err : -EIO;
	}
	/* Given: remembered for the next daemon once it is open, not before. */
	given = d->opts.metrics_listen;
	if (!given)
		d->opts.metrics_listen = metrics_remembered(d->in.run_dir);
	else if (!strcmp(given, "off"))
		d->opts.metrics_listen = NULL;
	if (d->opts.metrics_listen) {
		err = metrics_server_open(&d->metrics, d->opts.metrics_listen, d->epfd, TAG_METRICS);
		if (err) {
			xdpct_err("daemon: metrics on %s: %s", d->opts.metrics_listen, strerror(-err));
			return err;
		}
	}
	if (given)
		metrics_remember(d->in.run_dir, given);
	d->st.pid = getpid();
	d->st.started = (__u64)time(NULL);
	/* Take over: drain what a dead daemon left, reap at once, re-arm TIME-WAIT. */
	refresh(d);
	consume_events(d);
	sweep(d);
	d->next_sweep_ms = mono_ms() + sweep_interval(d);
	check_ifaces(d);
	d->next_iface_ms = mono_ms() + IFACE_CHECK_MS;
	return 0;
}

static int wait_ms(const struct daemon *d)
{
	const struct tw_timer *t = tw_heap_top(&d->heap);
	__u64 now = mono_ms(), ms;

	if (d->rb_more)
		return 0;
	ms = d->next_sweep_ms > now ? d->next_sweep_ms - now : 0;
	/* At least once a second: interfaces, and a config change (refresh()). */
	if (d->next_iface_ms < now + ms)
		ms = d->next_iface_ms > now ? d->next_iface_ms - now : 0;
	if (t && d->cfg.hz) {
		__u64 tw = t->due > d->now ? ((t->due - d->now) * 1000 + d->cfg.hz - 1) / d->cfg.hz : 0;

		if (tw < ms)
			ms = tw;
	}
	if (d->metrics_wait_ms >= 0 && (__u64)d->metrics_wait_ms < ms)
		ms = (__u64)d->metrics_wait_ms;
	return (int)ms;
}

static void daemon_loop(struct daemon *d)
{
	struct epoll_event evs[16];
	char path[256];
	int n, i;

	xdpct_pin_path(&d->in, "flows", path, sizeof(path));
	while (!d->stop) {
		bool rb;

		n = epoll_wait(d->epfd, evs, 16, wait_ms(d));
		if (n < 0 && errno != EINTR) {
			dlog("epoll: %s", strerror(errno));
			break;
		}
		refresh(d);
		for (i = 0; i < d->nclients; i++)
			tell_lost(&d->clients[i]);
		rb = d->rb_more;
		for (i = 0; i < n; i++) {
			__u64 tag = evs[i].data.u64;

			if (tag == TAG_RB) {
				rb = true;
			} else if (tag == TAG_LISTEN) {
				client_accept(d);
			} else if ((tag & 0xff) == TAG_METRICS) {
				d->st.timers = d->heap.n;
				metrics_server_event(&d->metrics, (int)(tag >> 8), evs[i].events, &d->in,
						     &d->st);
			} else if (tag == TAG_SIG) {
				struct signalfd_siginfo si;

				if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) {
					dlog("signal %u: stopping", si.ssi_signo);
					d->stop = true;
				} else {
					dlog("signal %u from pid %u: ignored", si.ssi_signo, si.ssi_pid);
				}
			} else {
				int fd = (int)(tag >> 8);

				if (evs[i].events & (EPOLLHUP | EPOLLERR) && !(evs[i].events & EPOLLIN)) {
					int j;

					for (j = 0; j < d->nclients; j++)
						if (d->clients[j].fd == fd) {
							client_drop(d, j);
							break;
						}
				} else {
					client_input(d, fd);
				}
			}
		}
		if (rb)
			consume_events(d);
		run_timers(d);
		d->metrics_wait_ms = metrics_server_expire(&d->metrics);
		if (mono_ms() >= d->next_sweep_ms) {
			/* Detached under us (pins removed): nothing left to serve. */
			if (access(path, F_OK)) {
				dlog("instance removed: stopping");
				break;
			}
			sweep(d);
			d->next_sweep_ms = mono_ms() + sweep_interval(d);
		}
		if (mono_ms() >= d->next_iface_ms) {
			check_ifaces(d);
			d->next_iface_ms = mono_ms() + IFACE_CHECK_MS;
		}
	}
}

/* What a starting daemon tells its caller on the ready pipe. */
enum { READY_FAILED = 0, READY_OK = 1, READY_OTHER_DAEMON = 2 };

/* One daemon per process: its state is static (the signal handling needs no pointer). */
static struct daemon the_daemon;

/* Serve an initialised daemon until it is told to stop; then clean up. */
static void daemon_serve(struct daemon *d)
{
	dlog("running for %s: %zu TIME-WAIT timers, first sweep saw %llu entries", d->in.dir,
	     d->heap.n, (unsigned long long)d->st.last_sweep_seen);
	daemon_loop(d);
	if (d->opts.detach_on_exit)
		detach_all(d);
	dlog("stopped");
	cleanup(d);
}

int xdpct_daemon_prepare(const struct xdpct_daemon_opts *opts)
{
	struct daemon *d = &the_daemon;
	int err;

	memset(d, 0, sizeof(*d));
	d->opts = *opts;
	err = daemon_init(d);
	if (err)
		cleanup(d);
	return err;
}

static int daemon_main(const struct xdpct_daemon_opts *opts, int ready_fd)
{
	char ok = 0;
	int err;

	err = xdpct_daemon_prepare(opts);
	if (ready_fd >= 0) {
		ok = !err ? READY_OK : err == -EALREADY ? READY_OTHER_DAEMON : READY_FAILED;
		/* A caller that cannot hear "ready" is not served. */
		if (write(ready_fd, &ok, 1) != 1 && !err) {
			cleanup(&the_daemon);
			err = -EIO;
		}
		close(ready_fd);
	}
	if (err)
		return err;
	daemon_serve(&the_daemon);
	return 0;
}

void xdpct_daemon_serve_prepared(void)
{
	daemon_serve(&the_daemon);
}

int xdpct_daemon_start(const struct xdpct_daemon_opts *opts)
{
	struct xdpct_instance in;
	int p[2], status, logfd;
	char ok = 0, path[256];
	pid_t pid;

	if (opts->foreground)
		return daemon_main(opts, -1);
	if (xdpct_instance_paths(&in))
		return -EIO;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		/* A grandchild, so that the daemon is nobody's child to reap. */
		close(p[0]);
		if (fork() != 0)
			_exit(0);
		setsid();
		prctl(PR_SET_NAME, "xdpctd", 0, 0, 0);
		/*
		 * Nothing of the caller's but the ready pipe: an inherited pipe
		 * would keep its reader waiting for as long as the daemon runs,
		 * and attach's own map and program descriptors are not ours.
		 */
		close_range(3, (unsigned int)p[1] - 1, 0);
		close_range((unsigned int)p[1] + 1, ~0U, 0);
		if (chdir("/")) {
			/* not fatal */
		}
		mkdir(XDPCT_RUN_ROOT, 0700);
		mkdir(in.run_dir, 0700);
		snprintf(path, sizeof(path), "%s/%s", in.run_dir, XDPCT_LOG_NAME);
		logfd = open("/dev/null", O_RDWR);
		if (logfd >= 0) {
			dup2(logfd, 0);
			dup2(logfd, 1);
			close(logfd);
		}
		/* Errors before the log is open still reach the caller's terminal. */
		logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (logfd >= 0) {
			dup2(logfd, 2);
			close(logfd);
		}
		_exit(daemon_main(opts, p[1]) ? 1 : 0);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	if (read(p[0], &ok, 1) != 1)
		ok = READY_FAILED;
	close(p[0]);
	/*
	 * Told, not guessed from the pid file: a daemon that failed may still
	 * hold its lock while it exits, and looks like one running.
	 */
	if (ok == READY_OTHER_DAEMON)
		return -EALREADY;
	if (ok != READY_OK) {
		/* The daemon's own error line went to its log; say where. */
		xdpct_err("daemon: failed to start (see %s/%s)", in.run_dir, XDPCT_LOG_NAME);
		return -EIO;
	}
	return 0;
}

void xdpct_daemon_said_running(const struct xdpct_instance *in)
{
	long pid = xdpct_daemon_pid(in);

	/* The other may hold the pid file's lock before it has written its pid. */
	if (pid > 0)
		xdpct_err("daemon: already running (pid %ld)", pid);
	else
		xdpct_err("daemon: already running (another one is starting)");
}

int xdpct_daemon_stop(const struct xdpct_instance *in)
{
	long pid = xdpct_daemon_pid(in);
	int i;

	if (pid <= 0)
		return 0;
	if (kill((pid_t)pid, SIGTERM))
		return errno == ESRCH ? 0 : -errno;
	for (i = 0; i < STOP_WAIT_MS / 10; i++) {
		if (!xdpct_daemon_pid(in))
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}
