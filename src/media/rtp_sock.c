/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RTP/RTCP socket pair of one session, and symmetric RTP.
 *
 * RFC 3550 §11: RTP on an even port, RTCP on the next (odd) one.  Ports
 * come from a configured range, starting at a process-wide cursor so that
 * consecutive calls do not retry the same busy ports; with no range the
 * kernel picks, and we retry until it gives an even port whose neighbour
 * is free.
 *
 * Symmetric RTP (RFC 4961; the "comedia" habit of NAT'd peers): until a
 * packet arrives we send where SDP said; then, if latching is on, we send
 * to where packets come from.  RTP_LATCH_ONCE then accepts only that
 * address, so a third party cannot steal the stream; RTP_LATCH_FOLLOW
 * moves with the same SSRC (a NAT rebinding).
 *
 * Reads use recvmmsg on edge-triggered sockets: one readiness event
 * costs one system call however many packets queued up, and epoll does
 * not poll a drained socket again.
 */
#include "media/rtp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"

#define RTP_RECV_BATCH	4
#define EPHEMERAL_TRIES 64

/* What a packet received or sent reads comes first, so that it shares
 * the cache line of the allocation's header (mem_ref touches it); then
 * the addresses, whose start latching compares.  With thousands of calls
 * the socket is cold whenever its packet arrives. */
struct rtp_sock {
	int fd[2]; /* [0] RTP, [1] RTCP */
	bool have_remote[2];
	bool latched[2];
	bool connected[2]; /* connect()ed to the latched address */
	enum rtp_latch latch;
	uint32_t latched_ssrc;
	rtp_sock_recv_h *h;
	void *arg;
	struct loop *loop;
	struct sockaddr_storage remote[2];
	struct sockaddr_storage local;
	char name[56];
};

static atomic_uint port_cursor;
static _Thread_local uint64_t rx_total;

uint64_t rtp_sock_rx_total(void)
{
	return rx_total;
}

static socklen_t sa_len(const struct sockaddr_storage *sa)
{
	return sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static uint16_t sa_port(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

static void sa_set_port(struct sockaddr_storage *sa, uint16_t port)
{
	if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons(port);
}

void rtp_addr_fmt(const struct sockaddr_storage *sa, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host,
			  sizeof(host));
		snprintf(out, size, "[%s]:%u", host, sa_port(sa));
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof(host));
		snprintf(out, size, "%s:%u", host, sa_port(sa));
	}
}

bool rtp_addr_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

static void rtp_sock_destroy(void *data)
{
	struct rtp_sock *rs = data;

	for (int i = 0; i < 2; i++) {
		if (rs->fd[i] < 0)
			continue;
		loop_fd_del(rs->loop, rs->fd[i]);
		close(rs->fd[i]);
	}
	mem_deref(rs->loop);
}

/* A non-blocking UDP socket bound to `sa`: the fd, or -errno. */
static int udp_bind(const struct sockaddr_storage *sa)
{
	int fd = socket(sa->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)sa, sa_len(sa)) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/* Bind the pair at the even RTP port `port`; 0 or errno. */
static int pair_bind(struct rtp_sock *rs, uint16_t port)
{
	struct sockaddr_storage sa = rs->local, sa1;

	sa_set_port(&sa, port);
	sa1 = sa;
	sa_set_port(&sa1, (uint16_t)(port + 1));
	int fd = udp_bind(&sa);
	if (fd < 0)
		return -fd;
	int fd1 = udp_bind(&sa1);
	if (fd1 < 0) {
		close(fd);
		return -fd1;
	}
	rs->fd[0] = fd;
	rs->fd[1] = fd1;
	rs->local = sa;
	return 0;
}

/* An even port near one the kernel considers free.  Both sockets are
 * then bound to explicit ports: a socket bound to port 0 loses its port
 * when it is disconnected again (see sock_disconnect). */
static int pair_bind_ephemeral(struct rtp_sock *rs)
{
	struct sockaddr_storage sa = rs->local;
	socklen_t len = sizeof(sa);

	sa_set_port(&sa, 0);
	int fd = udp_bind(&sa);
	if (fd < 0)
		return -fd;
	int err = getsockname(fd, (struct sockaddr *)&sa, &len) < 0 ? errno : 0;
	close(fd);
	if (err)
		return err;
	uint16_t port = (uint16_t)(sa_port(&sa) & ~1u);
	return port ? pair_bind(rs, port) : EADDRINUSE;
}

static int pair_alloc(struct rtp_sock *rs, uint16_t pmin, uint16_t pmax)
{
	int err = EADDRINUSE;

	if (!pmin && !pmax) {
		for (int i = 0; i < EPHEMERAL_TRIES && err == EADDRINUSE; i++)
			err = pair_bind_ephemeral(rs);
		return err;
	}
	pmin = (uint16_t)((pmin + 1) & ~1u);
	if (pmin == 0 || pmax < pmin + 1)
		return EINVAL;
	unsigned n = (unsigned)(pmax - pmin) / 2 + ((pmax - pmin) % 2 ? 1 : 0);
	if (n == 0)
		return EINVAL;
	unsigned start = atomic_fetch_add(&port_cursor, 1);
	for (unsigned i = 0; i < n; i++) {
		uint16_t port = (uint16_t)(pmin + 2 * ((start + i) % n));
		err = pair_bind(rs, port);
		if (err != EADDRINUSE && err != EACCES)
			break;
	}
	return err == EACCES ? EADDRINUSE : err;
}

static void sock_readable(struct rtp_sock *rs, bool rtcp)
{
	uint8_t buf[RTP_RECV_BATCH][RTP_MAX_DGRAM];
	struct sockaddr_storage from[RTP_RECV_BATCH];
	struct iovec iov[RTP_RECV_BATCH];
	struct mmsghdr msg[RTP_RECV_BATCH];
	int n;

	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < RTP_RECV_BATCH; i++) {
		iov[i] = (struct iovec){buf[i], sizeof(buf[i])};
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &from[i];
	}
	mem_ref(rs); /* a handler may drop the owner's reference */
	do {
		for (int i = 0; i < RTP_RECV_BATCH; i++)
			msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
		n = recvmmsg(rs->fd[rtcp], msg, RTP_RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n > 0)
			rx_total += (unsigned)n;
		for (int i = 0; i < n && rs->h; i++) {
			/* A truncated datagram is not the packet that was sent. */
			if (!(msg[i].msg_hdr.msg_flags & MSG_TRUNC))
				rs->h(rtcp, buf[i], msg[i].msg_len, &from[i], rs->arg);
		}
		/* Edge-triggered: a short batch means the queue was empty when
		 * the kernel looked, and any later packet raises a new edge. */
	} while (n == RTP_RECV_BATCH && rs->h);
	mem_deref(rs);
}

static void rtp_readable(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	sock_readable(arg, false);
}

static void rtcp_readable(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	sock_readable(arg, true);
}

static int sock_prm_check(const struct rtp_sock_prm *prm)
{
	if (!prm || !prm->local || prm->local_len > sizeof(struct sockaddr_storage))
		return EINVAL;
	if (prm->local->sa_family != AF_INET && prm->local->sa_family != AF_INET6)
		return EAFNOSUPPORT;
	return 0;
}

int rtp_sock_alloc(struct rtp_sock **rsp, struct loop *loop, const struct rtp_sock_prm *prm,
		   rtp_sock_recv_h *h, void *arg)
{
	int err = sock_prm_check(prm);
	if (err || !rsp || !loop || !h)
		return err ? err : EINVAL;
	struct rtp_sock *rs = mem_zalloc(sizeof(*rs), rtp_sock_destroy);
	if (!rs)
		return ENOMEM;
	rs->fd[0] = rs->fd[1] = -1;
	rs->loop = mem_ref(loop);
	rs->latch = prm->latch;
	rs->h = h;
	rs->arg = arg;
	memcpy(&rs->local, prm->local, prm->local_len);
	err = pair_alloc(rs, prm->port_min, prm->port_max);
	if (!err)
		err = loop_fd_add(loop, rs->fd[0], EPOLLIN | EPOLLET, rtp_readable, rs);
	if (!err)
		err = loop_fd_add(loop, rs->fd[1], EPOLLIN | EPOLLET, rtcp_readable, rs);
	if (err) {
		mem_deref(rs);
		return err;
	}
	char a[48];
	rtp_addr_fmt(&rs->local, a, sizeof(a));
	snprintf(rs->name, sizeof(rs->name), "rtp %s", a);
	*rsp = rs;
	return 0;
}

void rtp_sock_detach(struct rtp_sock *rs)
{
	if (rs)
		rs->h = NULL;
}

const struct sockaddr_storage *rtp_sock_local(const struct rtp_sock *rs)
{
	return &rs->local;
}

const char *rtp_sock_name(const struct rtp_sock *rs)
{
	return rs->name;
}

/* Once latched for good, connect the socket: the kernel then drops
 * packets from anyone else before they cost us a wake-up, and sends skip
 * the per-packet route lookup.  Failure only loses that optimisation. */
static void sock_connect(struct rtp_sock *rs, bool rtcp)
{
	const struct sockaddr_storage *to = &rs->remote[rtcp];

	if (rs->latch != RTP_LATCH_ONCE)
		return;
	rs->connected[rtcp] = !connect(rs->fd[rtcp], (const struct sockaddr *)to, sa_len(to));
}

static void sock_disconnect(struct rtp_sock *rs)
{
	struct sockaddr sa = {.sa_family = AF_UNSPEC};

	for (int i = 0; i < 2; i++) {
		if (rs->connected[i])
			connect(rs->fd[i], &sa, sizeof(sa));
		rs->connected[i] = false;
	}
}

int rtp_sock_set_remote(struct rtp_sock *rs, const struct sockaddr *sa, socklen_t len)
{
	if (!rs || !sa || len > sizeof(struct sockaddr_storage) ||
	    sa->sa_family != rs->local.ss_family)
		return EINVAL;
	sock_disconnect(rs);
	memset(&rs->remote, 0, sizeof(rs->remote));
	memcpy(&rs->remote[0], sa, len);
	rs->remote[1] = rs->remote[0];
	sa_set_port(&rs->remote[1], (uint16_t)(sa_port(&rs->remote[0]) + 1));
	rs->have_remote[0] = rs->have_remote[1] = true;
	rs->latched[0] = rs->latched[1] = false;
	return 0;
}

static void sock_adopt(struct rtp_sock *rs, bool rtcp, const struct sockaddr_storage *from)
{
	rs->remote[rtcp] = *from;
	rs->have_remote[rtcp] = true;
	rs->latched[rtcp] = true;
	sock_connect(rs, rtcp);
	/* RTCP follows RTP's address (port + 1) until its own packet arrives. */
	if (!rtcp && !rs->latched[1]) {
		rs->remote[1] = *from;
		sa_set_port(&rs->remote[1], (uint16_t)(sa_port(from) + 1));
		rs->have_remote[1] = true;
	}
	if (log_enabled(LC_MEDIA, LL_INFO)) {
		char a[48];
		rtp_addr_fmt(from, a, sizeof(a));
		LOGI(LC_MEDIA, rs->name, "%s latched to %s", rtcp ? "rtcp" : "rtp", a);
	}
}

bool rtp_sock_latch(struct rtp_sock *rs, bool rtcp, const struct sockaddr_storage *from,
		    uint32_t ssrc)
{
	if (rs->latch == RTP_LATCH_OFF)
		return true;
	if (!rs->latched[rtcp]) {
		if (!rtcp)
			rs->latched_ssrc = ssrc;
		else if (rs->latched[0] && ssrc != rs->latched_ssrc)
			return false;
		sock_adopt(rs, rtcp, from);
		return true;
	}
	if (rtp_addr_eq(from, &rs->remote[rtcp]))
		return true;
	if (rs->latch == RTP_LATCH_FOLLOW && ssrc == rs->latched_ssrc) {
		sock_adopt(rs, rtcp, from);
		return true;
	}
	return false;
}

bool rtp_sock_latched(const struct rtp_sock *rs)
{
	return rs->latched[0];
}

int rtp_sock_send(struct rtp_sock *rs, bool rtcp, const uint8_t *buf, size_t len)
{
	if (!rs->have_remote[rtcp])
		return ENOTCONN;
	const struct sockaddr_storage *to = &rs->remote[rtcp];
	ssize_t r = rs->connected[rtcp] ? send(rs->fd[rtcp], buf, len, 0)
					: sendto(rs->fd[rtcp], buf, len, 0,
						 (const struct sockaddr *)to, sa_len(to));
	return r < 0 ? errno : 0;
}
