// SPDX-License-Identifier: GPL-2.0
/*
 * A scripted TCP peer for end-to-end tests: a real kernel socket driven
 * step by step, so a test decides exactly who closes first, half-closes or
 * aborts.
 *
 *   peer server ADDR PORT [STEP...]   listen, accept one connection, run steps
 *   peer client ADDR PORT [STEP...]   connect, run steps
 *
 * Steps: send:N  recv:N  shut  eof  close  abort  sleep:MS  touch:FILE
 *        wait:FILE (up to 10 s)  sport:PORT (client: bind this source port, first)
 * Exit status 0 when every step succeeded; one line on stderr otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WAIT_FILE_MS 10000
#define IO_TIMEOUT_S 10

static int fail(const char *what)
{
	fprintf(stderr, "peer: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse_addr(const char *a, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(port));
		*len = sizeof(*s4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(port));
		*len = sizeof(*s6);
		return AF_INET6;
	}
	return -1;
}

static void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int step(int fd, const char *s)
{
	char buf[65536];
	long n;

	if (!strncmp(s, "send:", 5)) {
		n = atol(s + 5);
		memset(buf, 'x', sizeof(buf));
		while (n > 0) {
			ssize_t w = send(fd, buf, n > (long)sizeof(buf) ? sizeof(buf) : (size_t)n, 0);

			if (w <= 0)
				return fail("send");
			n -= w;
		}
	} else if (!strncmp(s, "recv:", 5)) {
		n = atol(s + 5);
		while (n > 0) {
			ssize_t r = recv(fd, buf, n > (long)sizeof(buf) ? sizeof(buf) : (size_t)n, 0);

			if (r <= 0)
				return r == 0 ? (fprintf(stderr, "peer: recv: early EOF\n"), 1)
					      : fail("recv");
			n -= r;
		}
	} else if (!strcmp(s, "shut")) {
		if (shutdown(fd, SHUT_WR))
			return fail("shutdown");
	} else if (!strcmp(s, "eof")) {
		ssize_t r;

		while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
			;
		if (r < 0)
			return fail("recv until EOF");
	} else if (!strcmp(s, "close")) {
		close(fd);
	} else if (!strcmp(s, "abort")) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(fd);
	} else if (!strncmp(s, "sleep:", 6)) {
		usleep((useconds_t)atol(s + 6) * 1000);
	} else if (!strncmp(s, "touch:", 6)) {
		int f = open(s + 6, O_CREAT | O_WRONLY, 0600);

		if (f < 0)
			return fail(s);
		close(f);
	} else if (!strncmp(s, "wait:", 5)) {
		struct stat st;
		int ms;

		for (ms = 0; stat(s + 5, &st); ms += 10) {
			if (ms >= WAIT_FILE_MS) {
				fprintf(stderr, "peer: %s: timed out\n", s);
				return 1;
			}
			usleep(10000);
		}
	} else {
		fprintf(stderr, "peer: unknown step '%s'\n", s);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam, fd, one = 1, i = 4, rc;

	if (argc < 4 || (strcmp(argv[1], "server") && strcmp(argv[1], "client"))) {
		fprintf(stderr, "usage: peer server|client ADDR PORT [STEP...]\n");
		return 2;
	}
	fam = parse_addr(argv[2], argv[3], &ss, &len);
	if (fam < 0) {
		fprintf(stderr, "peer: bad address %s\n", argv[2]);
		return 2;
	}
	fd = socket(fam, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	timeouts(fd);
	if (!strcmp(argv[1], "server")) {
		int c;

		if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16))
			return fail("bind/listen");
		/* The first touch: step, if any, says "listening" to the test. */
		for (; i < argc && !strncmp(argv[i], "touch:", 6); i++)
			if (step(fd, argv[i]))
				return 1;
		c = accept(fd, NULL, NULL);
		if (c < 0)
			return fail("accept");
		close(fd);
		fd = c;
		timeouts(fd);
	} else {
		if (i < argc && !strncmp(argv[i], "sport:", 6)) {
			struct sockaddr_storage local;
			socklen_t llen;
			char any[] = "0.0.0.0", any6[] = "::";

			parse_addr(fam == AF_INET ? any : any6, argv[i] + 6, &local, &llen);
			if (bind(fd, (struct sockaddr *)&local, llen))
				return fail("bind source port");
			i++;
		}
		if (connect(fd, (struct sockaddr *)&ss, len))
			return fail("connect");
	}
	for (; i < argc; i++) {
		rc = step(fd, argv[i]);
		if (rc)
			return rc;
	}
	return 0;
}
