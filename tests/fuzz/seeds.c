// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the fuzzer's seed corpus: the conversations the packet tests
 * build with tests/lib/frame.h, in fuzz_track's record format
 * (ctrl, u16 length, frame); with a second DIR, fuzz_conf's seeds too (a
 * key index byte, then a value). Usage: seeds DIR [CONF_DIR]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame.h"

struct seed {
	uint8_t buf[16384];
	size_t len;
};

static const struct endpoint C4 = { 4, "198.18.0.1", 40000 }, S4 = { 4, "198.18.1.1", 80 };
static const struct endpoint C6 = { 6, "2001:db8::1", 40001 }, S6 = { 6, "2001:db8::2", 443 };

static void add(struct seed *s, uint8_t ctrl, const struct frame *f)
{
	if (s->len + 3 + f->len > sizeof(s->buf))
		return;
	s->buf[s->len++] = ctrl;
	s->buf[s->len++] = (uint8_t)f->len;
	s->buf[s->len++] = (uint8_t)(f->len >> 8);
	memcpy(s->buf + s->len, f->buf, f->len);
	s->len += f->len;
}

static void seg(struct seed *s, const struct endpoint *a, const struct endpoint *b,
		struct seg_spec sp)
{
	struct frame f;

	frame_build(&f, a, b, &sp);
	add(s, 1, &f);
}

#define SYN_OPTS .mss = 1460, .sack_perm = 1, .timestamps = 1, .tsval = 1, .wscale = 7

/* Handshake with options, data both ways, close from `closer`, a FIN retransmitted into TIME-WAIT. */
static void lifecycle(struct seed *s, const struct endpoint *c, const struct endpoint *sv,
		      int vlans, int ext, int server_closes)
{
	const uint32_t x = 1000, y = 5000;
	const struct endpoint *a = server_closes ? sv : c, *b = server_closes ? c : sv;
	uint32_t as = server_closes ? y + 1 : x + 101, bs = server_closes ? x + 101 : y + 1;

	seg(s, c, sv, (struct seg_spec){ .flags = TCPF_SYN, .seq = x, SYN_OPTS, .vlans = vlans,
					 .ip6_ext = ext });
	seg(s, sv, c, (struct seg_spec){ .flags = TCPF_SYN | TCPF_ACK, .seq = y, .ack = x + 1,
					 SYN_OPTS, .vlans = vlans, .ip6_ext = ext });
	seg(s, c, sv, (struct seg_spec){ .flags = TCPF_ACK, .seq = x + 1, .ack = y + 1, .wscale = -1,
					 .vlans = vlans, .ip6_ext = ext });
	seg(s, c, sv, (struct seg_spec){ .flags = TCPF_ACK | TCPF_PSH, .seq = x + 1, .ack = y + 1,
					 .payload = 100, .wscale = -1, .vlans = vlans, .ip6_ext = ext });
	seg(s, sv, c, (struct seg_spec){ .flags = TCPF_ACK, .seq = y + 1, .ack = x + 101,
					 .wscale = -1, .vlans = vlans, .ip6_ext = ext });
	seg(s, a, b, (struct seg_spec){ .flags = TCPF_FIN | TCPF_ACK, .seq = as, .ack = bs,
					.wscale = -1, .vlans = vlans, .ip6_ext = ext });
	seg(s, b, a, (struct seg_spec){ .flags = TCPF_ACK, .seq = bs, .ack = as + 1, .wscale = -1,
					.vlans = vlans, .ip6_ext = ext });
	seg(s, b, a, (struct seg_spec){ .flags = TCPF_FIN | TCPF_ACK, .seq = bs, .ack = as + 1,
					.wscale = -1, .vlans = vlans, .ip6_ext = ext });
	seg(s, a, b, (struct seg_spec){ .flags = TCPF_ACK, .seq = as + 1, .ack = bs + 1,
					.wscale = -1, .vlans = vlans, .ip6_ext = ext });
	/* The final ACK was lost: the FIN comes again into TIME-WAIT. */
	seg(s, b, a, (struct seg_spec){ .flags = TCPF_FIN | TCPF_ACK, .seq = bs, .ack = as + 1,
					.wscale = -1, .vlans = vlans, .ip6_ext = ext });
}

static void simultaneous_open_and_rst(struct seed *s)
{
	seg(s, &C4, &S4, (struct seg_spec){ .flags = TCPF_SYN, .seq = 10, SYN_OPTS });
	seg(s, &S4, &C4, (struct seg_spec){ .flags = TCPF_SYN, .seq = 20, .wscale = -1 });
	seg(s, &C4, &S4, (struct seg_spec){ .flags = TCPF_SYN | TCPF_ACK, .seq = 10, .ack = 21,
					    SYN_OPTS });
	seg(s, &S4, &C4, (struct seg_spec){ .flags = TCPF_SYN | TCPF_ACK, .seq = 20, .ack = 11,
					    .wscale = -1 });
	seg(s, &S4, &C4, (struct seg_spec){ .flags = TCPF_RST | TCPF_ACK, .seq = 21, .ack = 11,
					    .wscale = -1 });
	seg(s, &C4, &S4, (struct seg_spec){ .flags = TCPF_SYN, .seq = 100000, SYN_OPTS });
}

static void odd_frames(struct seed *s)
{
	struct frame f;

	frame_tcp(&f, &C4, &S4, TCPF_SYN, 1, 0, 0);
	f.len = 30; /* truncated inside the IP header */
	add(s, 0, &f);
	frame_tcp(&f, &C6, &S6, TCPF_ACK, 1, 1, 10);
	f.buf[f.l4 + 12] = 0xf0; /* data offset beyond the segment */
	add(s, 0, &f);
	frame_tcp(&f, &C4, &S4, TCPF_SYN | TCPF_FIN, 1, 0, 0);
	add(s, 0x18, &f); /* stale, and a frame longer than what is readable */
	frame_tcp(&f, &C4, &S4, 0, 1, 0, 0);
	add(s, 2, &f);
}

static int write_seed(const char *dir, const char *name, const struct seed *s)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(s->buf, 1, s->len, fp) != s->len) {
		fprintf(stderr, "seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return fclose(fp);
}

int main(int argc, char **argv)
{
	static struct seed s;
	int err = 0;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: seeds DIR [CONF_DIR]\n");
		return 2;
	}
#define SEED(name, body)                                 \
	do {                                             \
		memset(&s, 0, sizeof(s));                \
		body;                                    \
		err |= write_seed(argv[1], name, &s);    \
	} while (0)
	SEED("ipv4_client_closes", lifecycle(&s, &C4, &S4, 0, 0, 0));
	SEED("ipv4_server_closes_qinq", lifecycle(&s, &C4, &S4, 2, 0, 1));
	SEED("ipv6_ext_headers", lifecycle(&s, &C6, &S6, 0, 1, 0));
	SEED("ipv6_vlan_server_closes", lifecycle(&s, &C6, &S6, 1, 0, 1));
	SEED("simultaneous_open_rst", simultaneous_open_and_rst(&s));
	SEED("odd_frames", odd_frames(&s));
	SEED("two_flows", (lifecycle(&s, &C4, &S4, 0, 0, 0), lifecycle(&s, &C6, &S6, 0, 0, 1)));
	if (argc == 3) {
		/* Values of every kind the keys take, for every key index. */
		static const char *const values[] = {
			"pass", "reject", "1m", "1500ms", "3650d", "80,443,8000-8010", "none",
			"all", "new,fin,destroyed", "on", "off", "1000", "255", "0",
		};
		unsigned int k, v;
		char name[64];

		for (k = 0; k < 24; k++)
			for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
				memset(&s, 0, sizeof(s));
				s.buf[0] = (uint8_t)k;
				s.len = 1 + strlen(values[v]);
				memcpy(s.buf + 1, values[v], s.len - 1);
				snprintf(name, sizeof(name), "key%u_%u", k, v);
				err |= write_seed(argv[2], name, &s);
			}
	}
	return err ? 1 : 0;
}
