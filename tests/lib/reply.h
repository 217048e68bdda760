/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading back a frame the responder wrote, with a parser of its own (not
 * xdpct's), and checksums recomputed over the bytes as they are.
 */
#ifndef XDPCT_TEST_REPLY_H
#define XDPCT_TEST_REPLY_H

#include <stdint.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "frame.h"

struct reply {
	uint32_t len;
	uint8_t dst_mac[6], src_mac[6];
	int vlans;
	uint16_t vlan_tci[2];
	int family;
	uint32_t l3, l4;
	uint8_t ttl;      /* or hop limit */
	uint8_t ip_proto; /* or next header */
	uint16_t ip_frag; /* IPv4 flags + fragment offset */
	uint16_t ip_len;  /* IPv4 total length / IPv6 payload length */
	char src[64], dst[64];
	uint16_t sport, dport, window;
	uint32_t seq, ack;
	uint8_t flags, doff;
	uint8_t opts[40];
	int opt_len;
	int ip_csum_ok, tcp_csum_ok;
};

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 0 when the frame is Ethernet [VLAN...] IPv4/IPv6 (no extension headers) TCP. */
static inline int reply_parse(const uint8_t *b, uint32_t len, struct reply *r)
{
	uint32_t off = 12, tcplen;
	uint16_t type;
	uint32_t sum = 0;

	memset(r, 0, sizeof(*r));
	r->len = len;
	if (len < 14)
		return -1;
	memcpy(r->dst_mac, b, 6);
	memcpy(r->src_mac, b + 6, 6);
	type = get16(b + off);
	while ((type == 0x8100 || type == 0x88a8) && r->vlans < 2) {
		r->vlan_tci[r->vlans++] = get16(b + off + 2);
		off += 4;
		type = get16(b + off);
	}
	off += 2;
	r->l3 = off;
	if (type == 0x0800) {
		if (len < off + 20 || (b[off] >> 4) != 4)
			return -1;
		r->family = 4;
		r->ip_len = get16(b + off + 2);
		r->ip_frag = get16(b + off + 6);
		r->ttl = b[off + 8];
		r->ip_proto = b[off + 9];
		inet_ntop(AF_INET, b + off + 12, r->src, sizeof(r->src));
		inet_ntop(AF_INET, b + off + 16, r->dst, sizeof(r->dst));
		r->ip_csum_ok = csum_fold32(csum_add(0, b + off, (size_t)(b[off] & 0xf) * 4)) == 0;
		r->l4 = off + (uint32_t)(b[off] & 0xf) * 4;
		tcplen = r->ip_len - (uint32_t)(b[off] & 0xf) * 4;
	} else if (type == 0x86dd) {
		if (len < off + 40 || (b[off] >> 4) != 6)
			return -1;
		r->family = 6;
		r->ip_len = get16(b + off + 4);
		r->ip_proto = b[off + 6];
		r->ttl = b[off + 7];
		inet_ntop(AF_INET6, b + off + 8, r->src, sizeof(r->src));
		inet_ntop(AF_INET6, b + off + 24, r->dst, sizeof(r->dst));
		r->ip_csum_ok = 1;
		r->l4 = off + 40;
		tcplen = r->ip_len;
	} else {
		return -1;
	}
	if (r->ip_proto != 6 || len < r->l4 + 20 || r->l4 + tcplen > len)
		return -1;
	off = r->l4;
	r->sport = get16(b + off);
	r->dport = get16(b + off + 2);
	r->seq = get32(b + off + 4);
	r->ack = get32(b + off + 8);
	r->doff = b[off + 12] >> 4;
	r->flags = b[off + 13];
	r->window = get16(b + off + 14);
	r->opt_len = r->doff * 4 - 20;
	if (r->opt_len < 0 || r->opt_len > 40 || (uint32_t)r->doff * 4 > tcplen)
		return -1;
	memcpy(r->opts, b + off + 20, (size_t)r->opt_len);
	/* Pseudo-header, then the segment as it is: a right checksum sums to zero. */
	if (r->family == 4)
		sum = csum_add(sum, b + r->l3 + 12, 8);
	else
		sum = csum_add(sum, b + r->l3 + 8, 32);
	sum += 6 + tcplen;
	sum = csum_add(sum, b + off, tcplen);
	r->tcp_csum_ok = csum_fold32(sum) == 0;
	return 0;
}

/* CLOCK_MONOTONIC in ms: the clock TCP timestamps count in. */
static inline uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The MTU of an interface in this namespace (BPF_PROG_TEST_RUN runs on lo). */
static inline int if_mtu(const char *ifname)
{
	char path[128];
	FILE *f;
	int mtu = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", ifname);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &mtu) != 1)
			mtu = -1;
		fclose(f);
	}
	return mtu;
}

#endif /* XDPCT_TEST_REPLY_H */
