// SPDX-License-Identifier: GPL-2.0
/*
 * accepter: one listening socket serving several connections in turn, for
 * tests that need the same listener across connections (SYN cookies arm
 * a listener, not a port).
 *
 *   accepter ADDR PORT COUNT SEND READY_FILE
 *
 * Listens, touches READY_FILE, then COUNT times: accept, send SEND bytes,
 * read until EOF, close. Gives up after 60 s in all (SO_RCVTIMEO/alarm).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOTAL_TIMEOUT_S 60
#define IO_TIMEOUT_S 20

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	static char buf[65536];
	socklen_t len;
	long count, send_n, i;
	int fd, one = 1, f;

	if (argc != 6) {
		fprintf(stderr, "usage: accepter ADDR PORT COUNT SEND READY_FILE\n");
		return 2;
	}
	alarm(TOTAL_TIMEOUT_S);
	if (inet_pton(AF_INET, argv[1], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(argv[2]));
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[1], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(argv[2]));
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "accepter: bad address %s\n", argv[1]);
		return 2;
	}
	count = atol(argv[3]);
	send_n = atol(argv[4]);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 128)) {
		perror("accepter: listen");
		return 1;
	}
	f = open(argv[5], O_CREAT | O_WRONLY, 0600);
	if (f >= 0)
		close(f);
	memset(buf, 'y', sizeof(buf));
	for (i = 0; i < count; i++) {
		long left = send_n;
		ssize_t n;
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			perror("accepter: accept");
			return 1;
		}
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		while (left > 0) {
			n = send(c, buf, left > (long)sizeof(buf) ? sizeof(buf) : (size_t)left, 0);
			if (n <= 0) {
				perror("accepter: send");
				return 1;
			}
			left -= n;
		}
		while ((n = recv(c, buf, sizeof(buf), 0)) > 0)
			;
		if (n < 0) {
			perror("accepter: recv");
			return 1;
		}
		close(c);
	}
	close(fd);
	return 0;
}
