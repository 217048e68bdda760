// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: a bounded SYN flood for tests, over AF_PACKET.
 *
 *   synflood IFACE DSTMAC SRCNET DST DPORT COUNT PPS
 *
 * Sends COUNT IPv4 SYNs out of IFACE to DSTMAC / DST:DPORT, from random
 * addresses in SRCNET (a /24, e.g. 198.18.2.0) and random source ports and
 * sequence numbers (never DST itself), at about PPS frames a second. Stops after COUNT frames
 * or 30 s, whichever comes first. Prints the number sent.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECONDS 30
#define FRAME_LEN 74 /* Ethernet + IPv4 + TCP with 20 bytes of options, like Linux's SYN */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static uint16_t csum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint8_t f[FRAME_LEN], *ip = f + 14, *th = f + 34;
	struct sockaddr_ll sll = { 0 };
	unsigned int mac[6];
	struct ifreq ifr = { 0 };
	struct in_addr net, dst;
	long count, pps, sent = 0, i;
	double t0;
	uint32_t sum;
	uint16_t c;
	int fd;

	if (argc != 8 || sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3],
				&mac[4], &mac[5]) != 6 ||
	    !inet_aton(argv[3], &net) || !inet_aton(argv[4], &dst)) {
		fprintf(stderr, "usage: synflood IFACE DSTMAC SRCNET DST DPORT COUNT PPS\n");
		return 2;
	}
	count = atol(argv[6]);
	pps = atol(argv[7]);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) || ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		perror("synflood: interface");
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifr.ifr_ifindex;
	sll.sll_halen = 6;
	memset(f, 0, sizeof(f));
	for (i = 0; i < 6; i++)
		f[i] = sll.sll_addr[i] = (uint8_t)mac[i];
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror("synflood: SIOCGIFHWADDR");
		return 1;
	}
	memcpy(f + 6, ifr.ifr_hwaddr.sa_data, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 60;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 16, &dst, 4);
	th[2] = (uint8_t)(atoi(argv[5]) >> 8);
	th[3] = (uint8_t)atoi(argv[5]);
	th[12] = 10 << 4;
	th[13] = 0x02;
	th[14] = 0xfa, th[15] = 0xf0;
	/* MSS 1460, SACK-permitted, timestamps, NOP, window scale 7. */
	memcpy(th + 20, "\x02\x04\x05\xb4\x04\x02\x08\x0a\0\0\0\0\0\0\0\0\x01\x03\x03\x07", 20);

	t0 = now_s();
	for (i = 0; i < count; i++) {
		uint32_t src = ntohl(net.s_addr) | (1 + rnd() % 254), seq = rnd(), ts = rnd();

		/* Never the destination itself: a segment from an address to itself is a martian. */
		if (src == ntohl(dst.s_addr))
			src = ntohl(net.s_addr) | ((src & 0xff) % 254 + 1);

		if (now_s() - t0 > MAX_SECONDS)
			break;
		/* Pace: never ahead of PPS. */
		while (pps > 0 && (double)i / (double)pps > now_s() - t0)
			usleep(200);
		src = htonl(src);
		memcpy(ip + 12, &src, 4);
		ip[10] = ip[11] = 0;
		c = csum(0, ip, 20);
		ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
		c = (uint16_t)(1024 + rnd() % 64000);
		th[0] = (uint8_t)(c >> 8), th[1] = (uint8_t)c;
		th[4] = (uint8_t)(seq >> 24), th[5] = (uint8_t)(seq >> 16);
		th[6] = (uint8_t)(seq >> 8), th[7] = (uint8_t)seq;
		memcpy(th + 28, &ts, 4);
		th[16] = th[17] = 0;
		sum = csum(0, ip + 12, 8);
		sum = (uint16_t)~sum + 6 + 40;
		c = csum(sum, th, 40);
		th[16] = (uint8_t)(c >> 8), th[17] = (uint8_t)c;
		if (sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll)) == sizeof(f))
			sent++;
	}
	printf("%ld\n", sent);
	return 0;
}
