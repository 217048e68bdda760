// SPDX-License-Identifier: GPL-2.0
/*
 * pcap2ng IN OUT: rewrite a pcap file (host byte order, as tcpdump writes
 * it here) as pcapng: one section, one interface with nanosecond
 * timestamps, one enhanced packet block per frame. For replay's tests:
 * tcpdump writes only pcap, and no pcapng writer is installed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int put32(FILE *f, uint32_t v) { return fwrite(&v, 4, 1, f) == 1 ? 0 : -1; }
static int put16(FILE *f, uint16_t v) { return fwrite(&v, 2, 1, f) == 1 ? 0 : -1; }

int main(int argc, char **argv)
{
	static unsigned char buf[262144 + 4];
	uint32_t gh[6], rh[4], pad;
	uint64_t ns, scale;
	FILE *in, *out;

	if (argc != 3) {
		fprintf(stderr, "usage: pcap2ng IN.pcap OUT.pcapng\n");
		return 2;
	}
	in = fopen(argv[1], "rb");
	out = fopen(argv[2], "wb");
	if (!in || !out || fread(gh, sizeof(gh), 1, in) != 1) {
		fprintf(stderr, "pcap2ng: cannot read %s or write %s\n", argv[1], argv[2]);
		return 1;
	}
	if (gh[0] == 0xa1b2c3d4)
		scale = 1000;
	else if (gh[0] == 0xa1b23c4d)
		scale = 1;
	else {
		fprintf(stderr, "pcap2ng: %s: not a host-order pcap\n", argv[1]);
		return 1;
	}
	/* Section header block. */
	put32(out, 0x0A0D0D0A); put32(out, 28); put32(out, 0x1A2B3C4D);
	put16(out, 1); put16(out, 0); put32(out, 0xffffffff); put32(out, 0xffffffff); put32(out, 28);
	/* Interface description block: link type, snaplen, if_tsresol = 9 (ns). */
	put32(out, 1); put32(out, 32); put16(out, (uint16_t)gh[5]); put16(out, 0); put32(out, gh[4]);
	put16(out, 9); put16(out, 1); put32(out, 9); put32(out, 0); put32(out, 32);
	while (fread(rh, sizeof(rh), 1, in) == 1) {
		if (rh[2] > sizeof(buf) - 4 || fread(buf, 1, rh[2], in) != rh[2]) {
			fprintf(stderr, "pcap2ng: %s: truncated\n", argv[1]);
			return 1;
		}
		pad = (4 - rh[2] % 4) % 4;
		memset(buf + rh[2], 0, pad);
		ns = (uint64_t)rh[0] * 1000000000ull + (uint64_t)rh[1] * scale;
		put32(out, 6); put32(out, 32 + rh[2] + pad); put32(out, 0);
		put32(out, (uint32_t)(ns >> 32)); put32(out, (uint32_t)ns);
		put32(out, rh[2]); put32(out, rh[3]);
		fwrite(buf, 1, rh[2] + pad, out);
		put32(out, 32 + rh[2] + pad);
	}
	return fclose(out) ? 1 : 0;
}
