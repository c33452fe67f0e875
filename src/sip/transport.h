/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/transport: UDP and TCP sockets, IPv4 and IPv6 (RFC 3261 §18).
 *
 * The transport moves whole messages.  UDP: one datagram, one message.
 * TCP: messages framed by Content-Length (§18.3), CRLF keep-alive pings
 * answered with a CRLF pong (RFC 5626 §3.5.1), connections reused by peer
 * address, a stream that does not complete a message within msg_timeout is
 * closed, an idle connection is closed after idle_timeout.  Anything longer
 * than max_msg is handed up flagged `oversize` so the stack can answer 513.
 *
 * It knows nothing of SIP beyond framing; parsing is the stack's.
 */
#ifndef STROWGER_SIP_TRANSPORT_H
#define STROWGER_SIP_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sip/sip.h"

struct loop;
struct sip_tp;
struct sip_conn;

struct sip_sa {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct sip_rx {
	enum sip_proto proto;
	const char *buf;
	size_t len;
	bool oversize;	       /* longer than max_msg: answer 513 */
	bool bad_framing;      /* stream without a usable Content-Length */
	struct sip_sa src;     /* peer */
	struct sip_sa local;   /* our socket's address */
	struct sip_conn *conn; /* TCP: the connection (borrowed) */
	int udp_fd;	       /* UDP: the socket it came in on */
};

typedef void(sip_tp_recv_h)(const struct sip_rx *rx, void *arg);
/* Messages to `peer` were lost after the send call returned: a stream
 * that failed to connect or broke with bytes still queued. */
typedef void(sip_tp_fail_h)(enum sip_proto proto, const struct sip_sa *peer, void *arg);

struct sip_tp_prm {
	size_t max_msg;	       /* bytes */
	uint64_t msg_timeout;  /* ns to complete a message on a stream */
	uint64_t idle_timeout; /* ns before an idle stream is closed */
};

int sip_tp_alloc(struct sip_tp **tpp, struct loop *loop, const struct sip_tp_prm *prm,
		 sip_tp_recv_h *rh, void *arg);
/* Report lost messages to `fh` (with the alloc's `arg`); NULL: nobody. */
void sip_tp_set_fail_h(struct sip_tp *tp, sip_tp_fail_h *fh);
/* Listen on addr:port (port 0: ephemeral); the bound address comes back in
 * `bound` if not NULL. */
int sip_tp_listen(struct sip_tp *tp, enum sip_proto proto, const struct sip_sa *addr,
		  struct sip_sa *bound);
/* The first listening address of `proto` and family (AF_UNSPEC: any). */
int sip_tp_local(const struct sip_tp *tp, enum sip_proto proto, int family, struct sip_sa *out);

/* Send `buf` to `dst`.  TCP: over `conn` if it is given and still open,
 * else over a connection to `dst` (reused, or opened now).  UDP: from the
 * socket `udp_fd` if >= 0, else the first one of dst's family. */
int sip_tp_send(struct sip_tp *tp, enum sip_proto proto, struct sip_conn *conn, int udp_fd,
		const struct sip_sa *dst, const char *buf, size_t len);

/* Connections are mem objects; hold a reference to answer on one later. */
bool sip_conn_open(const struct sip_conn *conn);
const struct sip_sa *sip_conn_peer(const struct sip_conn *conn);
/* Close after what is queued has been written. */
void sip_conn_close(struct sip_conn *conn);
unsigned sip_tp_conn_count(const struct sip_tp *tp);

/* Internals shared by transport.c, transport_udp.c and transport_tcp.c. */
#define SIP_TP_MAX_SOCKS 8

struct sip_tp {
	struct loop *loop;
	struct sip_tp_prm prm;
	sip_tp_recv_h *rh;
	sip_tp_fail_h *fh;
	void *arg;
	struct {
		int fd;
		struct sip_sa addr;
	} udp[SIP_TP_MAX_SOCKS], tcpl[SIP_TP_MAX_SOCKS];
	unsigned n_udp, n_tcpl;
	char *rxbuf;	    /* UDP receive buffer, 64 KiB */
	struct hash *conns; /* struct sip_conn by peer address */
	unsigned n_conns;
};

int sip_tcp_listen(struct sip_tp *tp, const struct sip_sa *addr, struct sip_sa *bound);
int sip_tcp_send(struct sip_tp *tp, struct sip_conn *conn, const struct sip_sa *dst,
		 const char *buf, size_t len);
void sip_tcp_close_all(struct sip_tp *tp);
int sip_udp_listen(struct sip_tp *tp, const struct sip_sa *addr, struct sip_sa *bound);
int sip_udp_send(struct sip_tp *tp, int fd, const struct sip_sa *dst, const char *buf, size_t len);
void sip_udp_close_all(struct sip_tp *tp);
/* A bound non-blocking socket (fd), or -errno. */
int sip_sock_bind(int type, const struct sip_sa *addr, struct sip_sa *bound);
/* Stream framing (§18.3): 0 and the message length in *msglen, EAGAIN for
 * more bytes, EMSGSIZE beyond `max`, EBADMSG without a Content-Length. */
int sip_frame(const char *buf, size_t len, size_t max, size_t *msglen);

/* Address helpers.  `host` is an IP literal (IPv6 with or without []). */
int sip_sa_set(struct sip_sa *sa, const char *host, uint16_t port);
uint16_t sip_sa_port(const struct sip_sa *sa);
bool sip_sa_eq(const struct sip_sa *a, const struct sip_sa *b);
uint32_t sip_sa_hash(const struct sip_sa *sa);
/* "192.0.2.1" / "2001:db8::1" (no brackets); returns buf. */
const char *sip_sa_ip(const struct sip_sa *sa, char *buf, size_t sz);
/* "192.0.2.1:5060" / "[2001:db8::1]:5060"; returns buf. */
const char *sip_sa_str(const struct sip_sa *sa, char *buf, size_t sz);

#endif
