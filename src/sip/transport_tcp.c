/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/transport over TCP (RFC 3261 §18.3): Content-Length framing,
 * connection reuse by peer address, CRLF keep-alive (RFC 5626 §3.5.1),
 * bounded message time and idle time.
 *
 *   connecting --writable--> open --close()/error/timeout--> closed
 *
 * A connection is a mem object.  The transport holds one reference while it
 * is open; transactions hold more to answer on it (§18.2.2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/transport.h"

struct sip_conn {
	struct hash_le he;
	struct sip_tp *tp; /* NULL once closed */
	int fd;
	bool connecting, closing;
	struct sip_sa peer, local;
	char *rx, *tx;
	size_t rxlen, rxcap, txlen, txcap;
	struct loop_timer tmr;
	char name[64];
};

static void conn_close(struct sip_conn *c, const char *why);

static void conn_destroy(void *data)
{
	struct sip_conn *c = data;

	free(c->rx);
	free(c->tx);
}

bool sip_conn_open(const struct sip_conn *c)
{
	return c && c->tp && !c->closing;
}
const struct sip_sa *sip_conn_peer(const struct sip_conn *c)
{
	return &c->peer;
}

static void conn_timeout(void *arg)
{
	struct sip_conn *c = arg;

	conn_close(c, c->rxlen ? "message not completed in time" : "idle");
}

static void conn_arm(struct sip_conn *c)
{
	uint64_t t = c->rxlen ? c->tp->prm.msg_timeout : c->tp->prm.idle_timeout;

	loop_timer_start(c->tp->loop, &c->tmr, t, conn_timeout, c);
}

/* Find "Content-Length:" or compact "l:" at the start of a header line
 * inside the header block [buf, hend). */
static int content_length(const char *buf, size_t hend, size_t *cl)
{
	for (size_t i = 0; i < hend; i++) {
		if (i && buf[i - 1] != '\n')
			continue;
		size_t n = 0;

		if (hend - i > 15 && !strncasecmp(buf + i, "Content-Length", 14))
			n = 14;
		else if (hend - i > 2 && (buf[i] == 'l' || buf[i] == 'L') &&
			 (buf[i + 1] == ':' || buf[i + 1] == ' ' || buf[i + 1] == '\t'))
			n = 1;
		if (!n)
			continue;
		i += n;
		while (i < hend && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		if (i >= hend || buf[i] != ':')
			continue;
		i++;
		while (i < hend && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		if (i >= hend || buf[i] < '0' || buf[i] > '9')
			return EBADMSG;
		size_t v = 0;

		while (i < hend && buf[i] >= '0' && buf[i] <= '9') {
			v = v * 10 + (size_t)(buf[i++] - '0');
			if (v > (1u << 30))
				return EMSGSIZE;
		}
		*cl = v;
		return 0;
	}
	return EBADMSG;
}

int sip_frame(const char *buf, size_t len, size_t max, size_t *msglen)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	size_t hend, cl = 0;
	int err;

	if (!end)
		return len > max ? EMSGSIZE : EAGAIN;
	hend = (size_t)(end - buf) + 4;
	err = content_length(buf, hend, &cl);
	if (err)
		return err;
	if (hend + cl > max)
		return EMSGSIZE;
	if (len < hend + cl)
		return EAGAIN;
	*msglen = hend + cl;
	return 0;
}

static int conn_write(struct sip_conn *c)
{
	while (c->txlen) {
		ssize_t n = send(c->fd, c->tx, c->txlen, MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN ? 0 : errno;
		memmove(c->tx, c->tx + n, c->txlen - (size_t)n);
		c->txlen -= (size_t)n;
	}
	return 0;
}

/* Hand every complete message up; returns false if the conn was closed. */
static bool conn_deliver(struct sip_conn *c)
{
	while (c->tp && c->rxlen) {
		size_t skip = 0, mlen = 0;

		/* CRLFCRLF is a ping: answer CRLF (RFC 5626 §3.5.1). */
		if (c->rxlen >= 4 && !memcmp(c->rx, "\r\n\r\n", 4)) {
			sip_tcp_send(c->tp, c, NULL, "\r\n", 2);
			skip = 4;
		} else if (c->rx[0] == '\r' || c->rx[0] == '\n') {
			if (c->rxlen < 4 && !strncmp(c->rx, "\r\n\r\n", c->rxlen))
				return true;
			skip = 1;
		}
		if (skip) {
			memmove(c->rx, c->rx + skip, c->rxlen - skip);
			c->rxlen -= skip;
			continue;
		}
		int err = sip_frame(c->rx, c->rxlen, c->tp->prm.max_msg, &mlen);

		if (err == EAGAIN)
			return true;
		struct sip_rx rx = {.proto = SIP_PROTO_TCP,
				    .conn = c,
				    .udp_fd = -1,
				    .src = c->peer,
				    .local = c->local,
				    .buf = c->rx};

		rx.len = err ? c->rxlen : mlen;
		rx.oversize = err == EMSGSIZE;
		rx.bad_framing = err == EBADMSG;
		char save = c->rx[rx.len];

		c->rx[rx.len] = 0;
		c->tp->rh(&rx, c->tp->arg);
		if (err) { /* the stream cannot be resynchronised */
			conn_close(c, err == EMSGSIZE ? "message too large" : "bad framing");
			return false;
		}
		if (!c->tp)
			return false;
		c->rx[rx.len] = save;
		memmove(c->rx, c->rx + rx.len, c->rxlen - rx.len);
		c->rxlen -= rx.len;
	}
	return c->tp != NULL;
}

static int conn_read(struct sip_conn *c)
{
	for (;;) {
		if (c->rxcap - c->rxlen < 4096) {
			size_t cap = c->rxcap ? c->rxcap * 2 : 8192;

			if (cap > c->tp->prm.max_msg + 8192 && c->rxcap)
				return EMSGSIZE;
			char *nb = realloc(c->rx, cap + 1);

			if (!nb)
				return ENOMEM;
			c->rx = nb;
			c->rxcap = cap;
		}
		ssize_t n = recv(c->fd, c->rx + c->rxlen, c->rxcap - c->rxlen, 0);

		if (n == 0)
			return ECONNRESET;
		if (n < 0)
			return errno == EAGAIN ? 0 : errno;
		c->rxlen += (size_t)n;
		if (!conn_deliver(c))
			return ECANCELED;
	}
}

static void conn_event(int fd, uint32_t events, void *arg)
{
	struct sip_conn *c = mem_ref(arg);
	int err = 0;
	(void)fd;

	if (c->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		socklen_t l = sizeof(err);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		c->connecting = false;
	}
	if (!err && (events & EPOLLIN))
		err = conn_read(c);
	if (!err && c->tp && (events & EPOLLOUT))
		err = conn_write(c);
	if (err == ECANCELED) {
		mem_deref(c);
		return;
	}
	if (!err && c->tp && (events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN))
		err = ECONNRESET;
	if (c->tp && err) {
		struct sip_tp *tp = c->tp;
		bool lost = c->txlen > 0; /* e.g. the connect was refused */

		conn_close(c, strerror(err));
		if (lost && tp->fh) /* from the loop, never inside a send */
			tp->fh(SIP_PROTO_TCP, &c->peer, tp->arg);
	} else if (c->tp && c->closing && !c->txlen)
		conn_close(c, "closed");
	else if (c->tp) {
		loop_fd_mod(c->tp->loop, c->fd, EPOLLIN | (c->txlen ? EPOLLOUT : 0));
		conn_arm(c);
	}
	mem_deref(c);
}

static struct sip_conn *conn_new(struct sip_tp *tp, int fd, const struct sip_sa *peer)
{
	struct sip_conn *c = mem_zalloc(sizeof(*c), conn_destroy);
	int one = 1;

	if (!c)
		return NULL;
	/* Whole messages go out at once; Nagle would only add latency. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->tp = tp;
	c->fd = fd;
	c->peer = *peer;
	c->local.len = sizeof(c->local.ss);
	getsockname(fd, (struct sockaddr *)&c->local.ss, &c->local.len);
	loop_timer_init(&c->tmr);
	strcpy(c->name, "sip tcp ");
	sip_sa_str(peer, c->name + 8, sizeof(c->name) - 8);
	if (loop_fd_add(tp->loop, fd, EPOLLIN | EPOLLOUT, conn_event, c)) {
		mem_deref(c);
		return NULL;
	}
	hash_insert(tp->conns, &c->he, sip_sa_hash(peer));
	tp->n_conns++;
	conn_arm(c);
	return c;
}

static void conn_close(struct sip_conn *c, const char *why)
{
	struct sip_tp *tp = c->tp;

	if (!tp)
		return;
	LOGD(LC_SIP, c->name, "closing: %s", why);
	loop_timer_cancel(tp->loop, &c->tmr);
	loop_fd_del(tp->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	hash_remove(tp->conns, &c->he);
	tp->n_conns--;
	c->tp = NULL;
	mem_deref(c); /* the transport's reference */
}

void sip_conn_close(struct sip_conn *c)
{
	if (!c || !c->tp)
		return;
	if (!c->txlen)
		conn_close(c, "closed by us");
	else
		c->closing = true;
}

static void tcp_accept(int lfd, uint32_t events, void *arg)
{
	struct sip_tp *tp = arg;
	(void)events;

	for (int i = 0; i < 64; i++) {
		struct sip_sa peer = {.len = sizeof(peer.ss)};
		int fd = accept4(lfd, (struct sockaddr *)&peer.ss, &peer.len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (!conn_new(tp, fd, &peer))
			close(fd);
	}
}

int sip_tcp_listen(struct sip_tp *tp, const struct sip_sa *addr, struct sip_sa *bound)
{
	struct sip_sa b;
	int fd, err;

	if (tp->n_tcpl == SIP_TP_MAX_SOCKS)
		return ENOSPC;
	fd = sip_sock_bind(SOCK_STREAM, addr, &b);
	if (fd < 0)
		return -fd;
	if (listen(fd, 128) < 0 || (err = loop_fd_add(tp->loop, fd, EPOLLIN, tcp_accept, tp))) {
		err = errno;
		close(fd);
		return err ? err : EIO;
	}
	tp->tcpl[tp->n_tcpl].fd = fd;
	tp->tcpl[tp->n_tcpl].addr = b;
	tp->n_tcpl++;
	if (bound)
		*bound = b;
	return 0;
}

static struct sip_conn *conn_find(struct sip_tp *tp, const struct sip_sa *dst)
{
	struct le *h = hash_bucket(tp->conns, sip_sa_hash(dst)), *e;

	list_for_each(h, e)
	{
		struct sip_conn *c = container_of(e, struct sip_conn, he.le);

		if (!c->closing && sip_sa_eq(&c->peer, dst))
			return c;
	}
	return NULL;
}

static struct sip_conn *conn_connect(struct sip_tp *tp, const struct sip_sa *dst)
{
	int fd = socket(dst->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sip_conn *c;

	if (fd < 0)
		return NULL;
	if (connect(fd, (const struct sockaddr *)&dst->ss, dst->len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return NULL;
	}
	c = conn_new(tp, fd, dst);
	if (!c)
		close(fd);
	else
		c->connecting = true;
	return c;
}

int sip_tcp_send(struct sip_tp *tp, struct sip_conn *c, const struct sip_sa *dst, const char *buf,
		 size_t len)
{
	if (!sip_conn_open(c)) {
		/* §18.2.2: the connection is gone; open one to the address. */
		if (!dst)
			return ENOTCONN;
		c = conn_find(tp, dst);
		if (!c)
			c = conn_connect(tp, dst);
		if (!c)
			return ECONNREFUSED;
	}
	if (c->txcap - c->txlen < len) {
		size_t cap = c->txlen + len + 4096;
		char *nb = realloc(c->tx, cap);

		if (!nb)
			return ENOMEM;
		c->tx = nb;
		c->txcap = cap;
	}
	memcpy(c->tx + c->txlen, buf, len);
	c->txlen += len;
	if (!c->connecting) {
		int err = conn_write(c);

		if (err) {
			conn_close(c, strerror(err));
			return err;
		}
	}
	loop_fd_mod(tp->loop, c->fd, EPOLLIN | (c->txlen || c->connecting ? EPOLLOUT : 0));
	return 0;
}

void sip_tcp_close_all(struct sip_tp *tp)
{
	for (unsigned i = 0; i < tp->n_tcpl; i++) {
		loop_fd_del(tp->loop, tp->tcpl[i].fd);
		close(tp->tcpl[i].fd);
	}
	tp->n_tcpl = 0;
	while (tp->n_conns) {
		for (unsigned b = 0;; b++) {
			struct le *h = hash_bucket(tp->conns, b);

			if (!list_empty(h)) {
				conn_close(container_of(h->next, struct sip_conn, he.le),
					   "shutdown");
				break;
			}
		}
	}
}
