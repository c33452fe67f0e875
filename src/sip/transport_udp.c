/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/transport over UDP (RFC 3261 §18.1.1, §18.2.1): one datagram is one
 * message.  A datagram longer than max_msg is handed up marked oversize
 * (the stack answers 513, §18.1.1); one that does not fit our 64 KiB buffer
 * is truncated, which the flag covers too.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "sip/transport.h"

/* Bounded so one busy socket cannot starve the rest of the loop. */
#define UDP_BATCH 64

static int sock_bind(int type, const struct sip_sa *addr, struct sip_sa *bound)
{
	int fd = socket(addr->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -errno;
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	bound->len = sizeof(bound->ss);
	getsockname(fd, (struct sockaddr *)&bound->ss, &bound->len);
	return fd;
}

int sip_sock_bind(int type, const struct sip_sa *addr, struct sip_sa *bound)
{
	return sock_bind(type, addr, bound);
}

static void udp_read(int fd, uint32_t events, void *arg)
{
	struct sip_tp *tp = arg;
	unsigned i;
	(void)events;

	for (i = 0; i < tp->n_udp; i++)
		if (tp->udp[i].fd == fd)
			break;
	if (i == tp->n_udp)
		return;
	for (int n = 0; n < UDP_BATCH; n++) {
		struct sip_rx rx = {.proto = SIP_PROTO_UDP, .udp_fd = fd};
		ssize_t len;

		rx.src.len = sizeof(rx.src.ss);
		len = recvfrom(fd, tp->rxbuf, 65535, MSG_TRUNC, (struct sockaddr *)&rx.src.ss,
			       &rx.src.len);
		if (len < 0)
			break;
		rx.local = tp->udp[i].addr;
		rx.buf = tp->rxbuf;
		rx.oversize = (size_t)len > tp->prm.max_msg || len > 65535;
		rx.len = len > 65535 ? 65535 : (size_t)len;
		tp->rxbuf[rx.len] = 0;
		if (rx.len == 0 || (rx.len <= 4 && strspn(rx.buf, "\r\n") == rx.len))
			continue; /* keep-alive (RFC 5626 §3.5.1 over UDP) */
		tp->rh(&rx, tp->arg);
		/* The handler may have freed the transport's sockets. */
		if (i >= tp->n_udp || tp->udp[i].fd != fd)
			return;
	}
}

int sip_udp_listen(struct sip_tp *tp, const struct sip_sa *addr, struct sip_sa *bound)
{
	struct sip_sa b;
	int fd, err;

	if (tp->n_udp == SIP_TP_MAX_SOCKS)
		return ENOSPC;
	fd = sock_bind(SOCK_DGRAM, addr, &b);
	if (fd < 0)
		return -fd;
	int sz = 4 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	err = loop_fd_add(tp->loop, fd, EPOLLIN, udp_read, tp);
	if (err) {
		close(fd);
		return err;
	}
	tp->udp[tp->n_udp].fd = fd;
	tp->udp[tp->n_udp].addr = b;
	tp->n_udp++;
	if (bound)
		*bound = b;
	return 0;
}

int sip_udp_send(struct sip_tp *tp, int fd, const struct sip_sa *dst, const char *buf, size_t len)
{
	char a[64];

	if (fd < 0) {
		for (unsigned i = 0; i < tp->n_udp; i++) {
			if (tp->udp[i].addr.ss.ss_family == dst->ss.ss_family) {
				fd = tp->udp[i].fd;
				break;
			}
		}
	}
	if (fd < 0)
		return EAFNOSUPPORT;
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)&dst->ss, dst->len) < 0) {
		int err = errno;

		LOGW(LC_SIP, "sip udp", "send to %s: %s", sip_sa_str(dst, a, sizeof(a)),
		     strerror(err));
		return err;
	}
	return 0;
}

void sip_udp_close_all(struct sip_tp *tp)
{
	for (unsigned i = 0; i < tp->n_udp; i++) {
		loop_fd_del(tp->loop, tp->udp[i].fd);
		close(tp->udp[i].fd);
	}
	tp->n_udp = 0;
}
