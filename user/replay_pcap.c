// SPDX-License-Identifier: GPL-2.0
/*
 * Reading captures for `replay` through libpcap (pcap and pcapng), the link
 * layer turned into Ethernet. Kept apart: <pcap/pcap.h> and <linux/bpf.h>
 * both define struct bpf_insn.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "replay.h"

struct replay_cap {
	pcap_t *p;
	int dlt;
};

int replay_cap_open(const char *path, struct replay_cap **out, char *why, size_t len)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct replay_cap *c;
	const char *name;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		fclose(f);
		snprintf(why, len, "%s", strerror(ENOMEM));
		return -1;
	}
	c->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->p) {
		fclose(f);
		free(c);
		snprintf(why, len, "not a pcap or pcapng capture (%s)", errbuf);
		return -1;
	}
	c->dlt = pcap_datalink(c->p);
	if (c->dlt != DLT_EN10MB && c->dlt != DLT_LINUX_SLL && c->dlt != DLT_LINUX_SLL2 &&
	    c->dlt != DLT_RAW && c->dlt != DLT_IPV4 && c->dlt != DLT_IPV6) {
		name = pcap_datalink_val_to_name(c->dlt);
		snprintf(why, len, "link type %s is not one replay reads (Ethernet, Linux cooked, raw IP)",
			 name ? name : "unknown");
		replay_cap_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

int replay_cap_next(struct replay_cap *c, unsigned long long *ts_ns, const unsigned char **data,
		    size_t *caplen, size_t *len)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(c->p, &h, &d);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1)
		return -1;
	/* Nanosecond precision: tv_usec holds nanoseconds. */
	*ts_ns = (unsigned long long)h->ts.tv_sec * 1000000000ull + (unsigned long long)h->ts.tv_usec;
	*data = d;
	*caplen = h->caplen;
	*len = h->len;
	return 1;
}

const char *replay_cap_error(struct replay_cap *c)
{
	return pcap_geterr(c->p);
}

void replay_cap_close(struct replay_cap *c)
{
	if (!c)
		return;
	pcap_close(c->p);
	free(c);
}

/* sll_pkttype of a frame the host sent (<linux/if_packet.h>'s PACKET_OUTGOING). */
#define REPLAY_PACKET_OUTGOING 4

int replay_cap_knows_direction(const struct replay_cap *c)
{
	return c->dlt == DLT_LINUX_SLL || c->dlt == DLT_LINUX_SLL2;
}

int replay_cap_outgoing(const struct replay_cap *c, const unsigned char *pkt, size_t len)
{
	/* SLL: the packet type comes first (16 bits); SLL2: at byte 10 (8 bits). */
	if (c->dlt == DLT_LINUX_SLL && len >= 16)
		return ((unsigned int)pkt[0] << 8 | pkt[1]) == REPLAY_PACKET_OUTGOING;
	if (c->dlt == DLT_LINUX_SLL2 && len >= 20)
		return pkt[10] == REPLAY_PACKET_OUTGOING;
	return 0;
}

size_t replay_cap_ethernet(const struct replay_cap *c, const unsigned char *pkt, size_t len,
			   unsigned char *buf, size_t cap)
{
	size_t hdr;
	unsigned int proto;

	switch (c->dlt) {
	case DLT_EN10MB:
		if (len > cap)
			return 0;
		memcpy(buf, pkt, len);
		return len;
	case DLT_LINUX_SLL: /* 16 bytes, protocol last */
		hdr = 16;
		if (len < hdr)
			return 0;
		proto = (unsigned int)pkt[14] << 8 | pkt[15];
		break;
	case DLT_LINUX_SLL2: /* 20 bytes, protocol first */
		hdr = 20;
		if (len < hdr)
			return 0;
		proto = (unsigned int)pkt[0] << 8 | pkt[1];
		break;
	default: /* raw IP */
		hdr = 0;
		if (len < 1)
			return 0;
		proto = (pkt[0] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	}
	if (len - hdr + 14 > cap)
		return 0;
	memset(buf, 0, 12);
	buf[12] = (unsigned char)(proto >> 8);
	buf[13] = (unsigned char)proto;
	memcpy(buf + 14, pkt + hdr, len - hdr);
	return len - hdr + 14;
}
