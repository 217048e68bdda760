// SPDX-License-Identifier: GPL-2.0
/* Finding, opening and removing an instance's pinned objects. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpct/event.h>
#include <xdpct/counters.h>
#include "cli.h"
#include "conf.h"
#include "instance.h"

#define BPF_FS_MAGIC_NUMBER 0xcafe4a11

bool xdpct_netns_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && strlen(name) <= 200 && strcmp(name, ".") &&
	       strcmp(name, "..");
}

int xdpct_enter_netns(const char *name)
{
	char path[256];
	int fd, err;

	if (!xdpct_netns_name_ok(name)) {
		xdpct_err("netns %s: not a namespace name", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		xdpct_err("netns %s: %s", name,
			  err == -ENOENT ? "no such network namespace" : strerror(-err));
		return err;
	}
	err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	if (err)
		xdpct_err("netns %s: cannot enter: %s", name, strerror(-err));
	return err;
}

int xdpct_instance_paths(struct xdpct_instance *in)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st)) {
		xdpct_err("/proc/self/ns/net: %s", strerror(errno));
		return -errno;
	}
	snprintf(in->dir, sizeof(in->dir), XDPCT_PIN_ROOT "/net%lu", (unsigned long)st.st_ino);
	snprintf(in->run_dir, sizeof(in->run_dir), XDPCT_RUN_ROOT "/net%lu",
		 (unsigned long)st.st_ino);
	return 0;
}

/* The lock of the namespace this process is in: -1 while none is held. */
static int lock_fd = -1;

/*
 * Commands that change an instance (attach, detach, config set) hold this
 * lock through their read-modify-write. Without it, two first attaches both
 * loaded, and the loser's undo unpinned the winner's maps; two config sets
 * each wrote the other's key back as it was. It is a lock on the namespace
 * itself (its nsfs file): nothing to create or clean up, and it holds
 * whatever the state of the pins. The kernel drops it when the process
 * exits; a daemon forked by attach closes it.
 */
int xdpct_instance_lock(void)
{
	const char *path = "/proc/self/ns/net";

	if (lock_fd >= 0)
		return 0;
	lock_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (lock_fd < 0) {
		xdpct_err("lock %s: %s", path, strerror(errno));
		return -errno;
	}
	while (flock(lock_fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		xdpct_err("lock %s: %s", path, strerror(errno));
		close(lock_fd);
		lock_fd = -1;
		return -EIO;
	}
	return 0;
}

void xdpct_instance_unlock(void)
{
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
}

/* How deep a process tree host_sys() climbs: far more than any shell nesting. */
#define ANCESTORS_MAX 64

/*
 * /sys as the host has it: pid 1's; where that cannot be read (pid 1 may
 * be closed even to root, as here), the one of the outermost ancestor that
 * can be. -ENOENT when none can.
 */
static int host_sys(struct stat *out)
{
	char path[64], buf[512], *p;
	long pid = (long)getppid();
	struct stat st;
	int err = -ENOENT, i;
	FILE *f;

	if (!stat("/proc/1/root/sys", out))
		return 0;
	for (i = 0; i < ANCESTORS_MAX && pid > 1; i++) {
		snprintf(path, sizeof(path), "/proc/%ld/root/sys", pid);
		if (!stat(path, &st)) {
			*out = st;
			err = 0;
		}
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		f = fopen(path, "re");
		if (!f)
			break;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
		if (!p || sscanf(p + 1, " %*c %ld", &pid) != 1)
			break;
	}
	return err;
}

/*
 * `ip netns exec` mounts a sysfs of its own on /sys (another device than
 * the host's), which hides the host's bpffs. A private mount namespace
 * that kept the host's /sys but has no bpffs on it is taken as a host
 * without one: attach mounts it there.
 */
int xdpct_bpffs_check(void)
{
	struct stat self, host;
	struct statfs sfs;

	if (!statfs(XDPCT_BPFFS, &sfs) && sfs.f_type == BPF_FS_MAGIC_NUMBER)
		return 0;
	/* Unknown (no /proc): take it for the host's, as before. */
	if (stat("/sys", &self) || host_sys(&host))
		return -ENOENT;
	return self.st_dev == host.st_dev ? -ENOENT : -EXDEV;
}

int xdpct_bpffs_ensure(void)
{
	int err = xdpct_bpffs_check();

	if (err == -EXDEV)
		xdpct_err("%s", xdpct_open_error(err));
	if (err != -ENOENT)
		return err;
	mkdir(XDPCT_BPFFS, 0700);
	if (mount("bpf", XDPCT_BPFFS, "bpf", 0, "mode=0700")) {
		int err = -errno;

		xdpct_err("mount bpffs on " XDPCT_BPFFS ": %s", strerror(-err));
		return err;
	}
	return 0;
}

void xdpct_pin_path(const struct xdpct_instance *in, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", in->dir, name);
}

static int open_pin(const struct xdpct_instance *in, const char *name)
{
	char path[256];

	xdpct_pin_path(in, name, path, sizeof(path));
	return bpf_obj_get(path);
}

/* Map user_removed; it stays NULL when it cannot be (then removals go uncounted). */
static void removed_map(struct xdpct_instance *in)
{
	void *p;

	if (in->removed || in->removed_fd < 0)
		return;
	p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED,
		 in->removed_fd, 0);
	in->removed = p == MAP_FAILED ? NULL : p;
}

/* Does the instance's pin directory hold anything? */
static bool pin_dir_in_use(const struct xdpct_instance *in)
{
	DIR *d = opendir(in->dir);
	struct dirent *e;
	bool used = false;

	if (!d)
		return false;
	while (!used && (e = readdir(d)))
		used = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return used;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

__u64 xdpct_netns_cookie(void)
{
	socklen_t len = sizeof(__u64);
	__u64 cookie = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(fd);
	return cookie;
}

/*
 * Pins are named by the namespace's inode number, which the kernel gives
 * to a new namespace once the old one is gone: pins the old one left (its
 * daemon killed, the namespace deleted without a detach) would pass for
 * the new one's, config and all. The cookie the instance was made with
 * tells them apart.
 */
static bool instance_of_a_gone_netns(const struct xdpct_instance *in)
{
	struct xdpct_user_removed u = { 0 };
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), zero = 0;
	__u64 now;

	/*
	 * Another build's map (an older one's holds no cookie) is not read
	 * here: xdpct_instance_check() names it, and nothing is removed.
	 */
	if (bpf_obj_get_info_by_fd(in->removed_fd, &info, &len) ||
	    info.value_size != sizeof(u) || bpf_map_lookup_elem(in->removed_fd, &zero, &u) ||
	    !u.netns_cookie)
		return false;
	now = xdpct_netns_cookie();
	return now && now != u.netns_cookie;
}

int xdpct_instance_mark_netns(const struct xdpct_instance *in)
{
	struct xdpct_user_removed u;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(in->removed_fd, &zero, &u))
		return -errno;
	u.netns_cookie = xdpct_netns_cookie();
	return bpf_map_update_elem(in->removed_fd, &zero, &u, BPF_ANY) ? -errno : 0;
}

int xdpct_instance_open(struct xdpct_instance *in)
{
	struct {
		const char *name;
		int *fd;
	} objs[] = {
		{ "flows", &in->flows_fd },	    { "config", &in->config_fd },
		{ "embryos", &in->embryos_fd },	    { "user_removed", &in->removed_fd },
		{ "counters", &in->counters_fd },   { "events", &in->events_fd },
		{ "ifaces", &in->ifaces_fd },	    { "ports", &in->ports_fd },
		{ "prog_xdp", &in->prog_xdp_fd },
		{ "prog_tc", &in->prog_tc_fd },	    { "prog_clock", &in->prog_clock_fd },
	};
	size_t i;
	int err;

	in->removed = NULL;
	err = xdpct_instance_paths(in);
	if (err)
		return err;
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		*objs[i].fd = -1;
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		*objs[i].fd = open_pin(in, objs[i].name);
		if (*objs[i].fd < 0) {
			err = -errno;
			xdpct_instance_close(in);
			/* Not "not attached" when we cannot see where it would be, */
			if (err == -ENOENT && xdpct_bpffs_check() == -EXDEV)
				err = -EXDEV;
			/* nor when what is there is an instance with pins missing. */
			else if (err == -ENOENT && pin_dir_in_use(in))
				err = -EUCLEAN;
			return err;
		}
	}
	if (instance_of_a_gone_netns(in)) {
		xdpct_instance_close(in);
		return -ESTALE;
	}
	removed_map(in);
	return 0;
}

/* The id of the map behind fd, 0 when it cannot be read. */
static __u32 map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int xdpct_instance_follow(struct xdpct_instance *in)
{
	int fd = open_pin(in, "flows");
	bool same;

	if (fd < 0 && errno != ENOENT)
		return 0; /* cannot tell (EMFILE ...): keep what is open */
	same = fd >= 0 && map_id(fd) == map_id(in->flows_fd);
	if (fd >= 0)
		close(fd);
	if (same)
		return 0;
	xdpct_instance_close(in);
	if (xdpct_instance_open(in))
		return -ENOENT;
	/* Checked as the first open was (xdpct_instance_need()): it may be another build's. */
	if (xdpct_instance_check(in)) {
		xdpct_instance_close(in);
		return -EPROTO;
	}
	return 1;
}

static char check_why[200];

/*
 * The pinned maps are what userspace reads into fixed-size buffers: a map
 * from another build (or put there by someone else) with other sizes would
 * overflow them or be misread. Check each before trusting it.
 */
int xdpct_instance_check(const struct xdpct_instance *in)
{
	const struct {
		const char *name;
		int fd;
		__u32 type, key, value;
	} want[] = {
		{ "flows", in->flows_fd, BPF_MAP_TYPE_LRU_HASH, sizeof(struct xdpct_flow_key),
		  sizeof(struct xdpct_flow) },
		{ "embryos", in->embryos_fd, BPF_MAP_TYPE_LRU_HASH, sizeof(struct xdpct_flow_key),
		  sizeof(struct xdpct_flow) },
		{ "user_removed", in->removed_fd, BPF_MAP_TYPE_ARRAY, 4,
		  sizeof(struct xdpct_user_removed) },
		{ "config", in->config_fd, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct xdpct_config) },
		{ "counters", in->counters_fd, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		  sizeof(__u64) * CNT__MAX },
		{ "ifaces", in->ifaces_fd, BPF_MAP_TYPE_HASH, 4, 4 },
		{ "ports", in->ports_fd, BPF_MAP_TYPE_ARRAY, 4, 1 },
		{ "events", in->events_fd, BPF_MAP_TYPE_RINGBUF, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(want[i].fd, &info, &len))
			return -errno;
		if (info.type != want[i].type || info.key_size != want[i].key ||
		    info.value_size != want[i].value) {
			snprintf(check_why, sizeof(check_why),
				 "pinned map %s is not this xdpct's (type %u, key %u, value %u "
				 "bytes; want %u, %u, %u): xdpct detach --all, then attach again",
				 want[i].name, info.type, info.key_size, info.value_size, want[i].type,
				 want[i].key, want[i].value);
			return -EPROTO;
		}
		if (want[i].fd == in->removed_fd &&
		    (!(info.map_flags & BPF_F_MMAPABLE) || info.max_entries != 1)) {
			snprintf(check_why, sizeof(check_why),
				 "pinned map user_removed is not this xdpct's (flags 0x%x, %u entries): "
				 "xdpct detach --all, then attach again",
				 info.map_flags, info.max_entries);
			return -EPROTO;
		}
	}
	return 0;
}

void xdpct_removed_add(const struct xdpct_instance *in, int table, __s64 n)
{
	if (in->removed && table >= 0 && table < TABLE__MAX && n)
		__atomic_fetch_add(&in->removed->n[table], (__u64)n, __ATOMIC_RELAXED);
}

const char *xdpct_open_error(int err)
{
	if (err == -ENOENT)
		return "xdpct is not attached in this namespace";
	if (err == -EUCLEAN)
		return "an incomplete instance is pinned here (pins were removed): "
		       "'xdpct detach --all' clears it";
	if (err == -ESTALE)
		return "the pins here were left by a network namespace that is gone (this one "
		       "has its inode number): 'xdpct detach --all' clears them, attach replaces them";
	if (err == -EXDEV)
		return "/sys here is not the host's and holds no bpffs (as under 'ip netns exec'): "
		       "use 'xdpct -n NAME' instead of 'ip netns exec NAME xdpct'";
	if (err == -EPROTO && *check_why)
		return check_why;
	return strerror(-err);
}

int xdpct_instance_need(struct xdpct_instance *in, const char *what)
{
	int err = xdpct_instance_open(in);

	if (!err) {
		err = xdpct_instance_check(in);
		if (err)
			xdpct_instance_close(in);
	}
	if (err)
		xdpct_err("%s: %s", what, xdpct_open_error(err));
	return err;
}

void xdpct_instance_close(struct xdpct_instance *in)
{
	int *fds[] = { &in->flows_fd,	 &in->config_fd,   &in->counters_fd, &in->events_fd,
		       &in->ifaces_fd,	 &in->ports_fd,	   &in->prog_xdp_fd, &in->prog_tc_fd,
		       &in->prog_clock_fd, &in->embryos_fd, &in->removed_fd };
	size_t i;

	if (in->removed)
		munmap(in->removed, (size_t)sysconf(_SC_PAGESIZE));
	in->removed = NULL;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

void xdpct_instance_unpin(struct xdpct_instance *in)
{
	static const char *const names[] = { "flows",	 "config",   "counters",   "events",
					     "ifaces",	 "flow_locks", "ports",	   "prog_xdp",
					     "prog_tc",	 "prog_clock", "embryos", "user_removed",
					     "xdp_full_path", "tc_full_path" };
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		xdpct_pin_path(in, names[i], path, sizeof(path));
		unlink(path);
	}
	rmdir(in->dir);
	rmdir(XDPCT_PIN_ROOT); /* fails harmlessly while other instances remain */
}

int xdpct_config_read(const struct xdpct_instance *in, struct xdpct_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(in->config_fd, &zero, cfg) ? -errno : 0;
}

int xdpct_config_write(const struct xdpct_instance *in, const struct xdpct_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(in->config_fd, &zero, cfg, BPF_ANY) ? -errno : 0;
}

static __u64 ms_to_ticks(__u64 ms, __u32 hz)
{
	/* Round up: a timeout never fires early. */
	return (ms * hz + 999) / 1000;
}

void xdpct_config_derive(struct xdpct_config *cfg)
{
	int s;

	cfg->timeout_ms[CT_TIME_WAIT] = 2 * cfg->msl_ms;
	for (s = 0; s < CT__MAX; s++)
		cfg->timeout_ticks[s] = ms_to_ticks(cfg->timeout_ms[s], cfg->hz);
}

__u64 xdpct_sweep_default_ms(const struct xdpct_config *cfg)
{
	__u64 ms = XDPCT_SWEEP_MAX_MS;
	int s;

	for (s = 1; s < CT__MAX; s++)
		if (cfg->timeout_ms[s] && cfg->timeout_ms[s] / 2 < ms)
			ms = cfg->timeout_ms[s] / 2;
	return ms < XDPCT_SWEEP_MIN_MS ? XDPCT_SWEEP_MIN_MS : ms;
}

void xdpct_config_defaults(struct xdpct_config *cfg, __u32 hz)
{
	/* netfilter's nf_conntrack_tcp_timeout_* defaults, in ms. */
	static const __u64 timeouts[CT__MAX] = {
		[CT_NONE] = 10000,	      [CT_SYN_SENT] = 120000,    [CT_SYN_RECV] = 60000,
		[CT_ESTABLISHED] = 432000000, [CT_FIN_WAIT] = 120000,    [CT_CLOSE_WAIT] = 60000,
		[CT_LAST_ACK] = 30000,	      [CT_TIME_WAIT] = 120000,   [CT_CLOSE] = 10000,
		[CT_SYN_SENT2] = 120000,
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->policy = POLICY_PASS;
	cfg->event_mask = XDPCT_EVENTS_DEFAULT;
	cfg->hz = hz;
	cfg->msl_ms = 60000;
	memcpy(cfg->timeout_ms, timeouts, sizeof(timeouts));
	cfg->challenge_ack_per_sec = 1000;
	cfg->ttl = 64;
	cfg->cookie_wscale = 7; /* what 0 means to the data path, spelled out */
	xdpct_config_derive(cfg);
}

/* A number from a /proc/sys file: the field'th of its words; 0 if absent. */
unsigned long xdpct_sysctl_read(const char *path, int field)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "re");
	int i;

	if (!f)
		return 0;
	for (i = 0; i <= field; i++)
		if (fscanf(f, "%lu", &v) != 1) {
			v = 0;
			break;
		}
	fclose(f);
	return v;
}

__u8 xdpct_ns_cookie_wscale(void)
{
	unsigned long space = xdpct_sysctl_read("/proc/sys/net/ipv4/tcp_rmem", 2);
	unsigned long rmem_max = xdpct_sysctl_read("/proc/sys/net/core/rmem_max", 0);
	int log = -1;

	/* Linux's tcp_select_initial_window(): ilog2(max(tcp_rmem[2], rmem_max)) - 15. */
	if (rmem_max > space)
		space = rmem_max;
	while (space) {
		space >>= 1;
		log++;
	}
	log -= 15;
	/* 0 in the map means 7: the smallest scale we can ask for is 1. */
	return log < 1 ? 1 : log > 14 ? 14 : (__u8)log;
}

void xdpct_syncookie_sysctl_check(const char *what)
{
	unsigned long sc = xdpct_sysctl_read("/proc/sys/net/ipv4/tcp_syncookies", 0);
	unsigned long ts = xdpct_sysctl_read("/proc/sys/net/ipv4/tcp_timestamps", 0);

	/* The host's listener must accept our cookies (README: Responder). */
	if (sc == 2 && ts == 2)
		return;
	fprintf(stderr,
		"xdpct: %s: warning: syncookies on needs net.ipv4.tcp_syncookies=2 and "
		"net.ipv4.tcp_timestamps=2 in this namespace (now %lu and %lu): "
		"sysctl -w net.ipv4.tcp_syncookies=2 net.ipv4.tcp_timestamps=2\n",
		what, sc, ts);
}

int xdpct_clock_read(const struct xdpct_instance *in, __u64 *now, __u32 *hz)
{
	__u64 buf[8] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = sizeof(buf),
		    .data_out = buf, .data_size_out = sizeof(buf), .repeat = 1);

	if (bpf_prog_test_run_opts(in->prog_clock_fd, &opts))
		return -errno;
	if (opts.retval != 2 /* XDP_PASS */)
		return -EIO;
	*now = buf[0];
	if (hz)
		*hz = (__u32)buf[1];
	return 0;
}

int xdpct_counters_read(const struct xdpct_instance *in, __u64 *out)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i;
	__u64 *vals;
	__u32 zero = 0;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(__u64) * CNT__MAX);
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(in->counters_fd, &zero, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	memset(out, 0, sizeof(__u64) * CNT__MAX);
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < CNT__MAX; i++)
			out[i] += vals[(size_t)cpu * CNT__MAX + i];
	free(vals);
	return 0;
}

int xdpct_conf_read(const struct xdpct_instance *in, struct conf_state *st)
{
	static __u32 keys[XDPCT_PORTS];
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	__u32 count = XDPCT_PORTS, out_tok = 0, i;
	int err;

	err = xdpct_config_read(in, &st->cfg);
	if (err)
		return err;
	memset(st->ports, 0, sizeof(st->ports));
	/* One batch for the whole array; one by one where batches are missing. */
	if (bpf_map_lookup_batch(in->ports_fd, NULL, &out_tok, keys, st->ports, &count, &bopts) &&
	    errno != ENOENT) {
		for (i = 0; i < XDPCT_PORTS; i++)
			if (bpf_map_lookup_elem(in->ports_fd, &i, &st->ports[i]))
				return -errno;
	} else {
		/* Values arrive in key order for an array, but go by the keys anyway. */
		static __u8 vals[XDPCT_PORTS];

		memcpy(vals, st->ports, sizeof(vals));
		memset(st->ports, 0, sizeof(st->ports));
		for (i = 0; i < count; i++)
			if (keys[i] < XDPCT_PORTS)
				st->ports[keys[i]] = vals[i];
	}
	return 0;
}

int xdpct_conf_write(const struct xdpct_instance *in, const struct conf_state *old,
		     const struct conf_state *st)
{
	struct xdpct_config cfg = st->cfg;
	__u32 p;

	for (p = 0; p < XDPCT_PORTS; p++) {
		if (old && old->ports[p] == st->ports[p])
			continue;
		if (!old && !st->ports[p])
			continue;
		if (bpf_map_update_elem(in->ports_fd, &p, &st->ports[p], BPF_ANY))
			return -errno;
	}
	xdpct_config_derive(&cfg);
	return xdpct_config_write(in, &cfg);
}

__u32 xdpct_map_max_entries(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}
