// SPDX-License-Identifier: GPL-2.0
/* Skeleton load, pinning, and XDP / tc attachment per interface. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "cli.h"
#include "loader.h"
#include "xdpct.skel.h"

/* tc filter identity: ours, so detach never touches anyone else's. */
#define XDPCT_TC_HANDLE 0x7863 /* "xc" */
#define XDPCT_TC_PRIO 0xc7

/* Map name in the object, and its pin name. */
static const char *const pinned_maps[][2] = {
	{ "flows", "flows" },	{ "config_map", "config" }, { "counters", "counters" },
	{ "events", "events" }, { "ifaces", "ifaces" },	   { "flow_locks", "flow_locks" },
	{ "ports", "ports" },	{ "embryos", "embryos" },   { "user_removed", "user_removed" },
	/*
	 * Pinned so that the kernel keeps their slots: a program array is
	 * emptied when no file or descriptor holds it any more.
	 */
	{ "xdp_full_path", "xdp_full_path" }, { "tc_full_path", "tc_full_path" },
};

/* HZ from the kernel config, else measured: jiffies over a known sleep. */
static __u32 clock_hz(const struct xdpct_instance *in)
{
	static const __u32 known[] = { 100, 250, 300, 1000 };
	struct timespec a, b;
	__u64 t0, t1;
	__u32 hz = 0, best = 250;
	double rate, diff = 1e9;
	size_t i;

	if (xdpct_clock_read(in, &t0, &hz) == 0 && hz)
		return hz;
	clock_gettime(CLOCK_MONOTONIC, &a);
	usleep(200000);
	if (xdpct_clock_read(in, &t1, NULL))
		return best;
	clock_gettime(CLOCK_MONOTONIC, &b);
	rate = (double)(t1 - t0) / ((double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		double d = rate > known[i] ? rate - known[i] : known[i] - rate;

		if (d < diff) {
			diff = d;
			best = known[i];
		}
	}
	return best;
}

/*
 * What the data path needs from the kernel, asked before loading, so that an
 * older kernel gets one line naming the missing piece instead of a verifier
 * log. XDPCT_TEST_MISSING=NAME makes NAME look missing (the test of this).
 */
int xdpct_probe_features(void)
{
	static const struct {
		enum bpf_map_type type;
		const char *name;
	} maps[] = {
		{ BPF_MAP_TYPE_LRU_HASH, "map type lru_hash (Linux 4.10)" },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, "map type percpu_array (Linux 4.6)" },
		{ BPF_MAP_TYPE_RINGBUF, "map type ringbuf (Linux 5.8)" },
	};
	static const struct {
		enum bpf_prog_type prog;
		enum bpf_func_id id;
		const char *name;
	} helpers[] = {
		{ BPF_PROG_TYPE_XDP, BPF_FUNC_jiffies64, "helper bpf_jiffies64 in XDP (Linux 5.5)" },
		{ BPF_PROG_TYPE_XDP, BPF_FUNC_ringbuf_reserve, "helper bpf_ringbuf_reserve in XDP (Linux 5.8)" },
		{ BPF_PROG_TYPE_XDP, BPF_FUNC_spin_lock, "helper bpf_spin_lock in XDP (Linux 5.1)" },
		{ BPF_PROG_TYPE_XDP, BPF_FUNC_check_mtu, "helper bpf_check_mtu in XDP (Linux 5.12)" },
		{ BPF_PROG_TYPE_XDP, BPF_FUNC_skc_lookup_tcp, "helper bpf_skc_lookup_tcp in XDP (Linux 5.2)" },
		{ BPF_PROG_TYPE_XDP, BPF_FUNC_tcp_raw_gen_syncookie_ipv4,
		  "helper bpf_tcp_raw_gen_syncookie_ipv4 in XDP (Linux 6.0)" },
		{ BPF_PROG_TYPE_XDP, BPF_FUNC_tcp_raw_check_syncookie_ipv6,
		  "helper bpf_tcp_raw_check_syncookie_ipv6 in XDP (Linux 6.0)" },
		{ BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_jiffies64, "helper bpf_jiffies64 in tc (Linux 5.5)" },
		{ BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_skb_pull_data, "helper bpf_skb_pull_data in tc" },
	};
	const char *fake = getenv("XDPCT_TEST_MISSING");
	size_t i;
	int r;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		r = libbpf_probe_bpf_map_type(maps[i].type, NULL);
		if (fake && strstr(maps[i].name, fake))
			r = 0;
		if (r == 0) {
			xdpct_err("attach: this kernel lacks %s, which xdpct needs", maps[i].name);
			return -EOPNOTSUPP;
		}
	}
	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		r = libbpf_probe_bpf_helper(helpers[i].prog, helpers[i].id, NULL);
		if (fake && strstr(helpers[i].name, fake))
			r = 0;
		if (r == 0) {
			xdpct_err("attach: this kernel lacks %s, which xdpct needs", helpers[i].name);
			return -EOPNOTSUPP;
		}
	}
	/* r < 0: the probe itself failed (no privileges, no bpf()); the load will say. */
	return 0;
}

int xdpct_instance_create(struct xdpct_instance *in, const struct xdpct_load_opts *opts)
{
	struct xdpct_bpf *skel;
	struct xdpct_config cfg;
	char path[256];
	size_t i;
	int err;

	err = xdpct_probe_features();
	if (err)
		return err;
	err = xdpct_bpffs_ensure();
	if (err)
		return err;
	mkdir(XDPCT_PIN_ROOT, 0700);
	chmod(XDPCT_PIN_ROOT, 0700);
	if (mkdir(in->dir, 0700) && errno != EEXIST) {
		err = -errno;
		xdpct_err("%s: %s", in->dir, strerror(-err));
		return err;
	}
	chmod(in->dir, 0700); /* made before us, maybe by someone else: root's only */

	skel = xdpct_bpf__open();
	if (!skel) {
		err = -errno;
		xdpct_err("open BPF object: %s", strerror(-err));
		goto fail;
	}
	if (opts && opts->flows_max)
		bpf_map__set_max_entries(skel->maps.flows, opts->flows_max);
	if (opts && (opts->embryos_max || opts->flows_max)) {
		__u32 e = opts->embryos_max ? opts->embryos_max : opts->flows_max / 4;

		bpf_map__set_max_entries(skel->maps.embryos, e < 16 ? 16 : e);
	}
	if (opts && opts->ringbuf_size)
		bpf_map__set_max_entries(skel->maps.events, opts->ringbuf_size);
	err = xdpct_bpf__load(skel);
	if (err) {
		xdpct_err("load BPF programs: %s (run with -v for the verifier's log)",
			  strerror(-err));
		goto fail;
	}

	for (i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, pinned_maps[i][0]);

		xdpct_pin_path(in, pinned_maps[i][1], path, sizeof(path));
		err = m ? bpf_map__pin(m, path) : -ENOENT;
		if (err) {
			xdpct_err("pin %s: %s", path, strerror(-err));
			goto fail;
		}
	}
	{
		struct bpf_program *progs[] = { skel->progs.xdpct_xdp, skel->progs.xdpct_tc_egress,
						skel->progs.xdpct_clock };
		const char *names[] = { "prog_xdp", "prog_tc", "prog_clock" };

		for (i = 0; i < 3; i++) {
			xdpct_pin_path(in, names[i], path, sizeof(path));
			err = bpf_program__pin(progs[i], path);
			if (err) {
				xdpct_err("pin %s: %s", path, strerror(-err));
				goto fail;
			}
		}
	}
	xdpct_bpf__destroy(skel);
	skel = NULL;

	err = xdpct_instance_open(in);
	if (err) {
		xdpct_err("%s: cannot open pinned objects: %s", in->dir, strerror(-err));
		goto fail;
	}
	xdpct_config_defaults(&cfg, clock_hz(in));
	cfg.cookie_wscale = xdpct_ns_cookie_wscale();
	err = xdpct_config_write(in, &cfg);
	if (!err)
		err = xdpct_instance_mark_netns(in);
	if (err) {
		xdpct_err("write config: %s", strerror(-err));
		goto fail;
	}
	return 0;

fail:
	xdpct_bpf__destroy(skel);
	xdpct_instance_close(in);
	xdpct_instance_unpin(in);
	return err;
}

static void link_pin_name(unsigned int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, "link_xdp_%u", ifindex);
}

/*
 * The id of the program in xdpct's tc egress slot on ifindex (our handle
 * and priority) when it is an xdpct program: 0 when the slot is empty,
 * -EEXIST when another program holds it.
 */
/* 1 when program `id` is named `name`, 0 when it is another, -1 when it is gone. */
static int prog_named(__u32 id, const char *name)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), named;

	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	named = !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name);
	close(fd);
	return named;
}

static long tc_slot_xdpct(unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, topts, .handle = XDPCT_TC_HANDLE, .priority = XDPCT_TC_PRIO);
	int named;

	if (bpf_tc_query(&hook, &topts))
		return 0;
	named = prog_named(topts.prog_id, "xdpct_tc_egress");
	if (named < 0)
		return 0; /* gone since */
	return named ? (long)topts.prog_id : -EEXIST;
}

/* The id of the program behind fd, 0 when it cannot be read. */
static __u32 prog_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Is an xdpct XDP program other than prog `except` attached to ifindex, in any mode? */
static bool xdp_is_xdpct(unsigned int ifindex, __u32 except)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 ids[3], i;

	if (bpf_xdp_query((int)ifindex, 0, &q))
		return false;
	ids[0] = q.drv_prog_id;
	ids[1] = q.skb_prog_id;
	ids[2] = q.hw_prog_id;
	for (i = 0; i < 3; i++)
		if (ids[i] && ids[i] != except && prog_named(ids[i], "xdpct_xdp") > 0)
			return true;
	return false;
}

/* xdp_fd: the instance's own XDP program, which the caller attached just before. */
static int tc_attach(int prog_fd, int xdp_fd, unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, topts, .handle = XDPCT_TC_HANDLE, .priority = XDPCT_TC_PRIO,
		    .prog_fd = prog_fd);
	long left;
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	/*
	 * The caller knows no instance it can see holds this interface: an
	 * xdpct filter in our slot is a leftover (its pins were removed by
	 * hand, or made in a mount namespace that is gone) and is replaced,
	 * unless an xdpct XDP program other than ours runs beside it: then it
	 * is a live instance's whose pins are not visible here.
	 */
	left = tc_slot_xdpct(ifindex);
	if (left < 0)
		return (int)left;
	if (left > 0 && xdp_is_xdpct(ifindex, prog_id(xdp_fd)))
		return -EEXIST; /* a live instance's, whose pins this process cannot see */
	if (left > 0)
		topts.flags = BPF_TC_F_REPLACE;
	return bpf_tc_attach(&hook, &topts);
}

static int tc_detach(unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, topts, .handle = XDPCT_TC_HANDLE, .priority = XDPCT_TC_PRIO);

	return bpf_tc_detach(&hook, &topts);
}

/*
 * xdpct tc filters that no instance holds: an instance whose pins all
 * went left them (tc filters outlive their pins; its XDP link went with
 * its pin). A filter beside an xdpct XDP program belongs to a live
 * instance this process cannot see (its pins on a bpffs not mounted here)
 * and stays. Each one removed is said.
 */
static void tc_remove_leftovers(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	if (!ifs)
		return;
	for (i = ifs; i->if_index; i++)
		if (tc_slot_xdpct(i->if_index) > 0 && !xdp_is_xdpct(i->if_index, 0) &&
		    !tc_detach(i->if_index))
			xdpct_info("removed xdpct's tc egress filter from %s", i->if_name);
	if_freenameindex(ifs);
}

/* Is our pinned XDP link on ifindex still attached there? */
bool xdpct_iface_link_alive(const struct xdpct_instance *in, unsigned int ifindex)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char name[64], path[256];
	int fd;
	bool alive;

	link_pin_name(ifindex, name, sizeof(name));
	xdpct_pin_path(in, name, path, sizeof(path));
	/*
	 * Only a missing pin or a link on no interface (or on another) says
	 * gone. A failure to read (EMFILE, ENOMEM) says nothing, and the
	 * daemon must not detach a live interface on it.
	 */
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno != ENOENT;
	memset(&info, 0, sizeof(info));
	alive = bpf_obj_get_info_by_fd(fd, &info, &len) || info.xdp.ifindex == ifindex;
	close(fd);
	return alive;
}

int xdpct_iface_attach(struct xdpct_instance *in, const char *ifname, enum xdpct_xdp_mode mode,
		       bool no_egress)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts);
	unsigned int ifindex = if_nametoindex(ifname);
	__u32 flags = 0;
	char name[64], path[256];
	int link_fd = -1, err;

	if (!ifindex) {
		xdpct_err("attach %s: interface not found", ifname);
		return -ENODEV;
	}
	if (bpf_map_lookup_elem(in->ifaces_fd, &ifindex, &flags) == 0) {
		if (!xdpct_iface_link_alive(in, ifindex)) {
			/* The interface went and its index came back: a stale record. */
			xdpct_iface_detach(in, ifname, ifindex);
		} else {
			xdpct_err("attach %s: xdpct is already attached (detach it first)", ifname);
			return -EEXIST;
		}
	}
	lopts.flags = mode == XDPCT_MODE_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	link_fd = bpf_link_create(in->prog_xdp_fd, (int)ifindex, BPF_XDP, &lopts);
	if (link_fd < 0) {
		err = -errno;
		if (err == -EBUSY || err == -EEXIST)
			xdpct_err("attach %s: another XDP program is attached", ifname);
		else if (mode == XDPCT_MODE_NATIVE && err == -EOPNOTSUPP)
			xdpct_err("attach %s: driver has no native XDP (try --mode generic)", ifname);
		else
			xdpct_err("attach %s: XDP: %s", ifname, strerror(-err));
		return err;
	}
	link_pin_name(ifindex, name, sizeof(name));
	xdpct_pin_path(in, name, path, sizeof(path));
	err = bpf_obj_pin(link_fd, path);
	if (err) {
		err = -errno;
		xdpct_err("attach %s: pin %s: %s", ifname, path, strerror(-err));
		goto fail_link;
	}
	flags = mode == XDPCT_MODE_GENERIC ? IFACE_GENERIC : 0;
	if (!no_egress) {
		err = tc_attach(in->prog_tc_fd, in->prog_xdp_fd, ifindex);
		if (err) {
			if (err == -EEXIST)
				xdpct_err("attach %s: tc egress: another program holds xdpct's filter "
					  "slot (handle 0x%x, priority %u)",
					  ifname, XDPCT_TC_HANDLE, XDPCT_TC_PRIO);
			else
				xdpct_err("attach %s: tc egress: %s", ifname, strerror(-err));
			goto fail_pin;
		}
		flags |= IFACE_EGRESS;
	}
	if (bpf_map_update_elem(in->ifaces_fd, &ifindex, &flags, BPF_NOEXIST)) {
		err = -errno;
		xdpct_err("attach %s: record interface: %s", ifname, strerror(-err));
		if (!no_egress)
			tc_detach(ifindex);
		goto fail_pin;
	}
	close(link_fd);
	return 0;

fail_pin:
	unlink(path);
fail_link:
	bpf_link_detach(link_fd);
	close(link_fd);
	return err;
}

int xdpct_iface_detach(struct xdpct_instance *in, const char *ifname, unsigned int ifindex)
{
	char name[64], path[256];
	__u32 flags;
	int link_fd;

	if (bpf_map_lookup_elem(in->ifaces_fd, &ifindex, &flags))
		return -ENOENT;
	link_pin_name(ifindex, name, sizeof(name));
	xdpct_pin_path(in, name, path, sizeof(path));
	link_fd = bpf_obj_get(path);
	if (link_fd >= 0) {
		bpf_link_detach(link_fd);
		close(link_fd);
	}
	unlink(path);
	if (flags & IFACE_EGRESS)
		tc_detach(ifindex); /* the interface may be gone already: nothing to undo */
	bpf_map_delete_elem(in->ifaces_fd, &ifindex);
	(void)ifname;
	return 0;
}

int xdpct_instance_remove_partial(struct xdpct_instance *in)
{
	struct dirent *de;
	char path[512];
	unsigned int ifindex;
	int n = 0;
	DIR *dir;

	if (xdpct_instance_paths(in))
		return -EINVAL;
	dir = opendir(in->dir);
	if (!dir) {
		if (errno != ENOENT)
			return -errno;
		tc_remove_leftovers(); /* said one by one: they are no pins */
		return 0;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", in->dir, de->d_name);
		if (sscanf(de->d_name, "link_xdp_%u", &ifindex) == 1) {
			int fd = bpf_obj_get(path);

			if (fd >= 0) {
				bpf_link_detach(fd);
				close(fd);
			}
			/* Ours only: our handle and priority, an xdpct program in it. */
			if (tc_slot_xdpct(ifindex) > 0)
				tc_detach(ifindex);
		}
		if (!unlink(path))
			n++;
	}
	closedir(dir);
	rmdir(in->dir);
	rmdir(XDPCT_PIN_ROOT);
	tc_remove_leftovers(); /* said one by one: they are no pins */
	return n;
}
