/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/transport: the transport object, address helpers and dispatch to the
 * UDP (transport_udp.c) and stream (transport_tcp.c: TCP, and TLS with
 * transport_tls.c) halves.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/log.h"
#include "core/mem.h"
#include "sip/transport.h"

const char *sip_proto_name(enum sip_proto p)
{
	return p == SIP_PROTO_TLS ? "TLS" : p == SIP_PROTO_TCP ? "TCP" : "UDP";
}

static void tp_destroy(void *data)
{
	struct sip_tp *tp = data;

	sip_tcp_close_all(tp);
	sip_udp_close_all(tp);
	mem_deref(tp->conns);
	mem_deref(tp->tls);
	free(tp->rxbuf);
}

int sip_tp_alloc(struct sip_tp **tpp, struct loop *loop, const struct sip_tp_prm *prm,
		 sip_tp_recv_h *rh, void *arg)
{
	struct sip_tp *tp = mem_zalloc(sizeof(*tp), tp_destroy);
	int err;

	if (!tp)
		return ENOMEM;
	tp->loop = loop;
	tp->prm = *prm;
	tp->rh = rh;
	tp->arg = arg;
	tp->rxbuf = malloc(65536);
	err = tp->rxbuf ? hash_alloc(&tp->conns, 64) : ENOMEM;
	if (err) {
		mem_deref(tp);
		return err;
	}
	*tpp = tp;
	return 0;
}

int sip_tp_tls(struct sip_tp *tp, const struct sip_tls_conf *tc, char *why, size_t whysz)
{
	struct sip_tls *t;
	int err;

	if (tp->n_tlsl) {
		snprintf(why, whysz, "TLS settings cannot change while listening");
		return EBUSY;
	}
	err = sip_tls_alloc(&t, tc, why, whysz);
	if (err)
		return err;
	mem_deref(tp->tls);
	tp->tls = t;
	return 0;
}

int sip_tp_listen(struct sip_tp *tp, enum sip_proto proto, const struct sip_sa *addr,
		  struct sip_sa *bound)
{
	if (proto == SIP_PROTO_UDP)
		return sip_udp_listen(tp, addr, bound);
	if (proto == SIP_PROTO_TCP)
		return sip_tcp_listen(tp, proto, addr, bound);
	if (proto == SIP_PROTO_TLS)
		return sip_tls_can_serve(tp->tls) ? sip_tcp_listen(tp, proto, addr, bound) : EINVAL;
	return EPROTONOSUPPORT;
}

int sip_tp_local(const struct sip_tp *tp, enum sip_proto proto, int family, struct sip_sa *out)
{
	unsigned n = proto == SIP_PROTO_UDP   ? tp->n_udp
		     : proto == SIP_PROTO_TCP ? tp->n_tcpl
					      : tp->n_tlsl;

	for (unsigned i = 0; i < n; i++) {
		const struct sip_sa *a = proto == SIP_PROTO_UDP	  ? &tp->udp[i].addr
					 : proto == SIP_PROTO_TCP ? &tp->tcpl[i].addr
								  : &tp->tlsl[i].addr;

		if (family == AF_UNSPEC || a->ss.ss_family == family) {
			*out = *a;
			return 0;
		}
	}
	return ENOENT;
}

int sip_tp_send(struct sip_tp *tp, enum sip_proto proto, struct sip_conn *conn, int udp_fd,
		const struct sip_sa *dst, const char *name, const char *buf, size_t len)
{
	if (proto == SIP_PROTO_TCP || proto == SIP_PROTO_TLS)
		return sip_tcp_send(tp, proto, conn, dst, name, buf, len);
	return sip_udp_send(tp, udp_fd, dst, buf, len);
}

unsigned sip_tp_conn_count(const struct sip_tp *tp)
{
	return tp->n_conns;
}

/* --- addresses ---------------------------------------------------------- */

int sip_sa_set(struct sip_sa *sa, const char *host, uint16_t port)
{
	char tmp[64];
	size_t n = strlen(host);

	memset(sa, 0, sizeof(*sa));
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= sizeof(tmp))
			return EINVAL;
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = 0;
		host = tmp;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)&sa->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa->ss;

	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sa->len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sa->len = sizeof(*s6);
		return 0;
	}
	return EINVAL;
}

uint16_t sip_sa_port(const struct sip_sa *sa)
{
	if (sa->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&sa->ss)->sin_port);
	if (sa->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&sa->ss)->sin6_port);
	return 0;
}

bool sip_sa_eq(const struct sip_sa *a, const struct sip_sa *b)
{
	if (a->ss.ss_family != b->ss.ss_family || sip_sa_port(a) != sip_sa_port(b))
		return false;
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)&b->ss)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		       &((const struct sockaddr_in6 *)&b->ss)->sin6_addr, 16);
}

uint32_t sip_sa_hash(const struct sip_sa *sa)
{
	uint16_t port = sip_sa_port(sa);
	uint32_t h = hash_fnv(&port, sizeof(port), HASH_SEED);

	if (sa->ss.ss_family == AF_INET)
		return hash_fnv(&((const struct sockaddr_in *)&sa->ss)->sin_addr, 4, h);
	return hash_fnv(&((const struct sockaddr_in6 *)&sa->ss)->sin6_addr, 16, h);
}

/* Dotted quad by hand: every request's Via is checked against its source
 * address (§18.2.1), and inet_ntop's sprintf cost ~1,700 instructions. */
static bool ip4_fmt(const struct in_addr *in, char *buf, size_t sz)
{
	const uint8_t *b = (const uint8_t *)&in->s_addr;
	char *p = buf;

	if (sz < INET_ADDRSTRLEN)
		return false;
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	return true;
}

const char *sip_sa_ip(const struct sip_sa *sa, char *buf, size_t sz)
{
	if (sa->ss.ss_family == AF_INET &&
	    ip4_fmt(&((const struct sockaddr_in *)&sa->ss)->sin_addr, buf, sz))
		return buf;
	const void *a = sa->ss.ss_family == AF_INET
			    ? (const void *)&((const struct sockaddr_in *)&sa->ss)->sin_addr
			    : (const void *)&((const struct sockaddr_in6 *)&sa->ss)->sin6_addr;

	if (!inet_ntop(sa->ss.ss_family, a, buf, (socklen_t)sz))
		snprintf(buf, sz, "?");
	return buf;
}

const char *sip_sa_str(const struct sip_sa *sa, char *buf, size_t sz)
{
	char ip[INET6_ADDRSTRLEN];

	sip_sa_ip(sa, ip, sizeof(ip));
	if (sa->ss.ss_family == AF_INET6)
		snprintf(buf, sz, "[%s]:%u", ip, sip_sa_port(sa));
	else
		snprintf(buf, sz, "%s:%u", ip, sip_sa_port(sa));
	return buf;
}
