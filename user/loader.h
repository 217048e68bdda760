/* SPDX-License-Identifier: GPL-2.0 */
/* Loading the programs and attaching them to interfaces. */
#ifndef XDPCT_USER_LOADER_H
#define XDPCT_USER_LOADER_H

#include <stdbool.h>
#include "instance.h"

struct xdpct_load_opts {
	__u32 flows_max;   /* flow table size; 0: default */
	__u32 embryos_max; /* handshake table size; 0: flows_max / 4, at least 16 */
	__u32 ringbuf_size; /* bytes, power of two; 0: default */
};

/* Load a fresh instance and pin it; fills in's fds. Nothing is left on failure. */
int xdpct_instance_create(struct xdpct_instance *in, const struct xdpct_load_opts *opts);

enum xdpct_xdp_mode {
	XDPCT_MODE_NATIVE = 0,
	XDPCT_MODE_GENERIC,
};

/* Attach XDP (and tc egress unless no_egress) to one interface; undone on failure. */
int xdpct_iface_attach(struct xdpct_instance *in, const char *ifname, enum xdpct_xdp_mode mode,
		       bool no_egress);
/* Detach from one interface; -ENOENT when xdpct is not attached there. */
int xdpct_iface_detach(struct xdpct_instance *in, const char *ifname, unsigned int ifindex);

/*
 * detach --all when some pins are gone (removed by hand, a crash midway):
 * detach every pinned XDP link and our tc filter on its interface, remove
 * every pin. Returns how many pins went.
 */
int xdpct_instance_remove_partial(struct xdpct_instance *in);

/* Is our pinned XDP link on ifindex still attached there (not gone with its interface)? */
bool xdpct_iface_link_alive(const struct xdpct_instance *in, unsigned int ifindex);

/* Ask the kernel for every map type and helper the data path uses; one line names what lacks. */
int xdpct_probe_features(void);

/* Flags kept per interface in the ifaces map. */
enum {
	IFACE_GENERIC = 1 << 0,
	IFACE_EGRESS = 1 << 1,
};

#endif /* XDPCT_USER_LOADER_H */
