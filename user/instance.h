/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An instance is the set of pinned programs and maps serving one network
 * namespace, under /sys/fs/bpf/xdpct/net<inode>/. The CLI finds it from any
 * shell in that namespace; -n NAME enters the namespace first.
 */
#ifndef XDPCT_USER_INSTANCE_H
#define XDPCT_USER_INSTANCE_H

#include <linux/types.h>
#include <stdbool.h>
#include <xdpct/config.h>
#include <xdpct/counters.h>

#define XDPCT_BPFFS "/sys/fs/bpf"
#define XDPCT_PIN_ROOT XDPCT_BPFFS "/xdpct"
#define XDPCT_RUN_ROOT "/run/xdpct"

struct xdpct_instance {
	char dir[128];     /* pin directory */
	char run_dir[128]; /* pid file and sockets */
	int flows_fd;
	int embryos_fd;   /* flows in the handshake (bpf/maps.h) */
	int removed_fd;   /* user_removed: what userspace deleted, per table */
	struct xdpct_user_removed *removed; /* removed_fd mmapped, or NULL */
	int config_fd;
	int counters_fd;
	int events_fd;
	int ifaces_fd;
	int ports_fd;
	int prog_xdp_fd;
	int prog_tc_fd;
	int prog_clock_fd;
};

/* A name `ip netns add` could have made: a file of /run/netns. */
bool xdpct_netns_name_ok(const char *name);
/* Enter /run/netns/NAME (network namespace only: mounts stay the host's). */
int xdpct_enter_netns(const char *name);
/* Fill the instance's paths for the current network namespace. */
int xdpct_instance_paths(struct xdpct_instance *in);
/*
 * Serialise the commands that change the instance of the network namespace
 * this process is in; held until exit or xdpct_instance_unlock().
 */
int xdpct_instance_lock(void);
/* This network namespace's cookie (never reused); 0 when the kernel cannot say. */
__u64 xdpct_netns_cookie(void);
/* Record this namespace as the instance's own (at first load). */
int xdpct_instance_mark_netns(const struct xdpct_instance *in);
void xdpct_instance_unlock(void);
/*
 * Is /sys/fs/bpf the host's bpffs? 0 when a bpffs is mounted there; -ENOENT
 * when none is on the host's /sys (attach mounts one); -EXDEV when none is
 * and /sys is not the host's (`ip netns exec` mounts a fresh one): pins
 * made there would live only as long as this process and be seen by no
 * other xdpct.
 */
int xdpct_bpffs_check(void);
/* Mount bpffs on /sys/fs/bpf when it is not there; -EXDEV (said) in a private mount namespace. */
int xdpct_bpffs_ensure(void);
/*
 * Open the pinned objects; -ENOENT when nothing is attached here, -EXDEV
 * when the host's bpffs cannot be seen from here (xdpct_bpffs_check()),
 * -EUCLEAN when some pins are there but not all (only detach --all may
 * touch such an instance).
 */
int xdpct_instance_open(struct xdpct_instance *in);
/*
 * For commands that read for long (stats --interval, top): the open maps
 * outlive a detach, and would show a gone instance's last numbers for
 * ever. 0: still the pinned instance; 1: another was pinned since, and is
 * open now; -ENOENT: none is; -EPROTO: the one pinned now fails
 * xdpct_instance_check() (xdpct_open_error() says why). Closed on errors.
 */
int xdpct_instance_follow(struct xdpct_instance *in);
void xdpct_instance_close(struct xdpct_instance *in);
/* Open, or print "xdpct: WHAT: xdpct is not attached in this namespace" (or the cause). */
int xdpct_instance_need(struct xdpct_instance *in, const char *what);
/* Are the pinned maps of the types and sizes this build reads? -EPROTO if not. */
int xdpct_instance_check(const struct xdpct_instance *in);
/* What an error of open/check means, in words. */
const char *xdpct_open_error(int err);
/* Remove every pin of the instance (programs stay attached through links/tc). */
void xdpct_instance_unpin(struct xdpct_instance *in);
/* Count n entries userspace deleted from a table (atomic: any process may). */
void xdpct_removed_add(const struct xdpct_instance *in, int table, __s64 n);
/* The table fds in enum xdpct_table order. */
static inline int xdpct_table_fd(const struct xdpct_instance *in, int table)
{
	return table == TABLE_EMBRYOS ? in->embryos_fd : in->flows_fd;
}

/* Path of a pinned object, e.g. "flows" or "link_xdp_3". */
void xdpct_pin_path(const struct xdpct_instance *in, const char *name, char *buf, size_t len);

struct conf_state;
/* The config struct and the ports map together (user/conf.h), read and written whole. */
int xdpct_conf_read(const struct xdpct_instance *in, struct conf_state *st);
/* Write st; the ports map only where it differs from old. */
int xdpct_conf_write(const struct xdpct_instance *in, const struct conf_state *old,
		     const struct conf_state *st);

/* Read and write the live configuration. */
int xdpct_config_read(const struct xdpct_instance *in, struct xdpct_config *cfg);
int xdpct_config_write(const struct xdpct_instance *in, const struct xdpct_config *cfg);
/*
 * The daemon's sweep period when not given one: half the shortest timeout,
 * within these bounds (the daemon's sweep_interval(), and attach, which
 * compares a running daemon's period with it).
 */
#define XDPCT_SWEEP_MIN_MS 100
#define XDPCT_SWEEP_MAX_MS 5000
__u64 xdpct_sweep_default_ms(const struct xdpct_config *cfg);
/* Defaults: netfilter's timeouts, MSL 60 s, policy pass. */
void xdpct_config_defaults(struct xdpct_config *cfg, __u32 hz);
/* Recompute timeout_ticks from timeout_ms and msl_ms. */
void xdpct_config_derive(struct xdpct_config *cfg);
/* A number from /proc/sys (the field'th word, from 0); 0 when absent. */
unsigned long xdpct_sysctl_read(const char *path, int field);
/* The window scale this namespace's own SYN+ACKs would offer (1..14). */
__u8 xdpct_ns_cookie_wscale(void);
/* One warning line naming the sysctls to set when they do not suit SYN cookies. */
void xdpct_syncookie_sysctl_check(const char *what);

/* The data path's clock: now in ticks, and ticks per second. */
int xdpct_clock_read(const struct xdpct_instance *in, __u64 *now, __u32 *hz);

/* Sum the per-CPU counters into out[CNT__MAX]. */
int xdpct_counters_read(const struct xdpct_instance *in, __u64 *out);
/* A map's capacity (max_entries); 0 when it cannot be read. */
__u32 xdpct_map_max_entries(int fd);

#endif /* XDPCT_USER_INSTANCE_H */
