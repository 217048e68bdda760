// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics endpoint's connections, served from the daemon's epoll loop
 * without ever blocking it (user/metrics.h). Each connection reads its
 * request line as it arrives, gets the whole reply rendered at once and
 * written as the socket takes it, and is closed at its deadline whatever
 * state it is in: a client that trickles, stalls or never reads costs a
 * slot for METRICS_CONN_MS, never the loop's time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "metrics.h"
#include "mono.h"

static void conn_close(struct metrics_server *m, int i)
{
	close(m->c[i].fd);
	free(m->c[i].out);
	m->c[i] = m->c[--m->n];
}

static int conn_find(const struct metrics_server *m, int fd)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (m->c[i].fd == fd)
			return i;
	return -1;
}

/* The whole reply, head and body, into c->out. */
static void conn_reply(struct metrics_conn *c, const char *status, const char *type,
		       const char *body, size_t len)
{
	FILE *f = open_memstream(&c->out, &c->out_len);

	if (!f)
		return;
	/* A 405 names what is allowed (RFC 9110 15.5.6). */
	fprintf(f,
		"HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		"Connection: close\r\n\r\n",
		status, type, len, !strncmp(status, "405", 3) ? "Allow: GET\r\n" : "");
	fwrite(body, 1, len, f);
	if (fclose(f)) {
		free(c->out);
		c->out = NULL;
	}
}

static void conn_answer(struct metrics_conn *c, const struct xdpct_instance *in,
			const struct ipc_status *st)
{
	const char *path;
	char *body = NULL;
	size_t blen = 0;
	FILE *out;

	if (strncmp(c->req, "GET ", 4)) {
		conn_reply(c, "405 Method Not Allowed", "text/plain", "GET only\n", 9);
		return;
	}
	path = c->req + 4;
	/* The absolute form, as a proxy sends it, must be taken too (RFC 9112 3.2.2). */
	if (!strncasecmp(path, "http://", 7))
		path += 7 + strcspn(path + 7, "/ \r\n");
	/* "/metrics" then a space (HTTP/1.x), a query, or the line's end (HTTP/0.9, CRLF or LF). */
	if (strncmp(path, "/metrics ", 9) && strncmp(path, "/metrics?", 9) &&
	    strncmp(path, "/metrics\r", 9) && strncmp(path, "/metrics\n", 9)) {
		conn_reply(c, "404 Not Found", "text/plain", "try /metrics\n", 13);
		return;
	}
	out = open_memstream(&body, &blen);
	if (!out)
		return;
	if (metrics_render(out, in, st)) {
		fclose(out);
		free(body);
		conn_reply(c, "500 Internal Server Error", "text/plain", "read failed\n", 12);
		return;
	}
	fclose(out);
	conn_reply(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, blen);
	free(body);
}

/* Write what the socket takes; true when the connection is done with. */
static bool conn_write(struct metrics_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
		if (w <= 0)
			return true;
		c->out_off += (size_t)w;
	}
	return true;
}

/*
 * The reply is out: half-close, and read what the client still sends until
 * it closes. A close() with request bytes unread (headers beyond the
 * request line, an Authorization header makes them a kilobyte) sends a RST,
 * and the client's kernel then throws away the reply it has not read yet.
 * True when the connection is done with.
 */
static bool conn_finish(struct metrics_server *m, struct metrics_conn *c)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = (__u64)c->fd << 8 | m->tag };

	if (c->out_off < c->out_len || shutdown(c->fd, SHUT_WR))
		return true;
	c->draining = true;
	return epoll_ctl(m->epfd, EPOLL_CTL_MOD, c->fd, &e) != 0;
}

/* Discard what the client sends after its reply; true at its end of file or an error. */
static bool conn_drain(struct metrics_conn *c)
{
	char buf[4096];

	for (;;) {
		ssize_t r = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
		if (r <= 0)
			return true;
	}
}

/* Read what has come; true when the connection is done with. */
static bool conn_read(struct metrics_server *m, struct metrics_conn *c,
		      const struct xdpct_instance *in, const struct ipc_status *st)
{
	struct epoll_event e = { .events = EPOLLOUT, .data.u64 = (__u64)c->fd << 8 | m->tag };

	while (c->got < sizeof(c->req) - 1 && !memchr(c->req, '\n', c->got)) {
		ssize_t r = recv(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got, MSG_DONTWAIT);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
		if (r <= 0)
			return true;
		c->got += (size_t)r;
	}
	/* The request line is enough: answer now, then wait for room to write. */
	c->req[c->got] = 0;
	conn_answer(c, in, st);
	if (!c->out)
		return true;
	if (conn_write(c))
		return conn_finish(m, c);
	return epoll_ctl(m->epfd, EPOLL_CTL_MOD, c->fd, &e) != 0;
}

static void accept_all(struct metrics_server *m)
{
	struct epoll_event e = { .events = EPOLLIN };
	int fd, i, oldest;

	for (;;) {
		fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		/*
		 * All slots taken: the connection nearest its deadline makes room.
		 * Holding the endpoint then takes a new connection faster than a
		 * scrape is served, not a few idle ones.
		 */
		if (m->n == METRICS_CONNS_MAX) {
			for (oldest = 0, i = 1; i < m->n; i++)
				if (m->c[i].deadline_ms < m->c[oldest].deadline_ms)
					oldest = i;
			conn_close(m, oldest);
		}
		e.data.u64 = (__u64)fd << 8 | m->tag;
		if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &e)) {
			close(fd);
			continue;
		}
		m->c[m->n++] = (struct metrics_conn){ .fd = fd,
						      .deadline_ms = mono_ms() + METRICS_CONN_MS };
	}
}

int metrics_server_open(struct metrics_server *m, const char *spec, int epfd, __u8 tag)
{
	struct epoll_event e = { .events = EPOLLIN };

	memset(m, 0, sizeof(*m));
	m->epfd = epfd;
	m->tag = tag;
	m->lfd = metrics_listen(spec);
	if (m->lfd < 0)
		return m->lfd;
	e.data.u64 = (__u64)m->lfd << 8 | tag;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, m->lfd, &e)) {
		int err = -errno;

		close(m->lfd);
		m->lfd = -1;
		return err;
	}
	return 0;
}

void metrics_server_close(struct metrics_server *m)
{
	while (m->n)
		conn_close(m, m->n - 1);
	if (m->lfd >= 0)
		close(m->lfd);
	m->lfd = -1;
}

void metrics_server_event(struct metrics_server *m, int fd, __u32 events,
			  const struct xdpct_instance *in, const struct ipc_status *st)
{
	int i;
	bool done;

	if (fd == m->lfd) {
		accept_all(m);
		return;
	}
	i = conn_find(m, fd);
	if (i < 0)
		return;
	if (m->c[i].draining)
		done = conn_drain(&m->c[i]);
	else if (m->c[i].out)
		done = conn_write(&m->c[i]) && conn_finish(m, &m->c[i]);
	else
		done = conn_read(m, &m->c[i], in, st);
	if (done || (events & EPOLLERR))
		conn_close(m, i);
}

int metrics_server_expire(struct metrics_server *m)
{
	__u64 now = mono_ms(), next = 0;
	int i = 0;

	while (i < m->n) {
		if (m->c[i].deadline_ms <= now) {
			conn_close(m, i);
			continue;
		}
		if (!next || m->c[i].deadline_ms < next)
			next = m->c[i].deadline_ms;
		i++;
	}
	return next ? (int)(next - now) : -1;
}
