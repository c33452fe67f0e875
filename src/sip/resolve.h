/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Locating SIP servers (RFC 3263 §4): from a URI's host, port, transport
 * parameter and scheme to an ordered list of (transport, address, port)
 * targets to try, through NAPTR, SRV (RFC 2782) and A/AAAA lookups.
 *
 * Asynchronous, on c-ares driven by a core/loop: its sockets are loop fd
 * watches and its timeouts one loop timer.  An IP literal needs no lookup
 * (the answer still arrives through the loop, never from inside the call).
 *
 * c-ares keeps its own (real) clock for query timeouts, so a test of a DNS
 * timeout runs on a real-clock loop with a short timeout; everything else
 * runs on virtual time against a DNS server in the test.
 */
#ifndef STROWGER_SIP_RESOLVE_H
#define STROWGER_SIP_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct sip_resolver;
struct sip_res_req;

enum sip_res_tp { SIP_RES_UDP, SIP_RES_TCP, SIP_RES_TLS, SIP_RES_TP__COUNT };

#define SIP_RES_TP_BIT(t) (1u << (t))
#define SIP_RES_MAX_TARGETS 16

struct sip_res_conf {
	const char *servers;   /* "127.0.0.1:5353,[::1]:53", or NULL: resolv.conf */
	unsigned transports;   /* SIP_RES_TP_BIT()s the stack can use */
	bool ipv4, ipv6;       /* address families to look up */
	unsigned timeout_ms;   /* per try; 0: c-ares' default */
	unsigned tries;        /* 0: c-ares' default */
	unsigned seed;         /* SRV weighted choice (RFC 2782); fixed in tests */
};

struct sip_res_query {
	const char *host;      /* a domain name or an IP literal ("[::1]" or "::1") */
	uint16_t port;         /* 0: none in the URI */
	int transport;         /* enum sip_res_tp from ;transport=, or -1: none */
	bool sips;
};

struct sip_target {
	enum sip_res_tp tp;
	struct sockaddr_storage addr;  /* with the port */
	socklen_t addrlen;
};

/* The answer: `err` 0 with n >= 1 targets in the order to try them, or
 * ENOENT (the name has no usable records), ETIMEDOUT, EPROTO (servers
 * failed or refused, or the answer was malformed), ENOMEM.  The request is over once this
 * has been called. */
typedef void(sip_resolve_h)(int err, const struct sip_target *t, unsigned n, void *arg);

/* A mem object; freeing it ends every pending request with ECANCELED. */
int sip_resolver_alloc(struct sip_resolver **rp, struct loop *loop,
		       const struct sip_res_conf *conf);
/* Start a lookup.  *reqp (may be NULL) lets the caller cancel it. */
int sip_resolve(struct sip_resolver *r, const struct sip_res_query *q, sip_resolve_h *h,
		void *arg, struct sip_res_req **reqp);
/* The handler will not be called. */
void sip_resolve_cancel(struct sip_res_req *req);
unsigned sip_resolver_pending(const struct sip_resolver *r);

const char *sip_res_tp_name(enum sip_res_tp tp);   /* "UDP", "TCP", "TLS" */

#endif
