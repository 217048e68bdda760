// SPDX-License-Identifier: GPL-2.0
/* Client side of the daemon's socket, and finding the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "ipc.h"

int ipc_connect(const struct xdpct_instance *in)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.90s/%s", in->run_dir, XDPCT_SOCK_NAME);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	/* A daemon that stopped reading costs a command 2 s per send at most, not forever. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &(struct timeval){ .tv_sec = 2 }, sizeof(struct timeval));
	return fd;
}

int ipc_send(int fd, const struct ipc_msg *m)
{
	return send(fd, m, sizeof(*m), MSG_NOSIGNAL) == (ssize_t)sizeof(*m) ? 0 : -errno;
}

int ipc_status(const struct xdpct_instance *in, struct ipc_status *st)
{
	struct timeval tv = { .tv_sec = 2 };
	struct ipc_msg m = { .op = IPC_STATUS };
	int fd = ipc_connect(in), err = 0;
	ssize_t n;

	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = ipc_send(fd, &m);
	while (!err) {
		n = recv(fd, &m, sizeof(m), 0);
		if (n != (ssize_t)sizeof(m)) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		if (m.op == IPC_STATUS_REPLY) {
			*st = m.st;
			break;
		}
	}
	close(fd);
	return err;
}

void ipc_publish(const struct xdpct_event *ev, size_t n)
{
	struct xdpct_instance in;
	struct ipc_msg m = { .op = IPC_EVENT };
	size_t i;
	int fd;

	if (!n || xdpct_instance_paths(&in))
		return;
	fd = ipc_connect(&in);
	if (fd < 0)
		return;
	for (i = 0; i < n; i++) {
		m.ev = ev[i];
		if (ipc_send(fd, &m))
			break;
	}
	close(fd);
}

long xdpct_daemon_pid(const struct xdpct_instance *in)
{
	char path[256], buf[64] = "";
	long pid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", in->run_dir, XDPCT_PID_NAME);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* The daemon holds the lock while it lives: a free lock means no daemon. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0)
		pid = strtol(buf, NULL, 10);
	close(fd);
	return pid;
}

struct xdpct_event xdpct_destroyed_event(const struct xdpct_flow_key *k, const struct xdpct_flow *f,
					 __u64 time, __u8 reason)
{
	return (struct xdpct_event){
		.time = time,
		.key = *k,
		.ifindex = f->ifindex,
		.type = EV_DESTROYED,
		.state = f->state,
		.client_state = f->ep[DIR_ORIG].state,
		.server_state = f->ep[DIR_REPLY].state,
		.reason = reason,
		.client_is_b = !!(f->flags & FLOW_CLIENT_IS_B),
	};
}
