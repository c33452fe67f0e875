/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/register: a REGISTER client (RFC 3261 §10.2) on a sip_stack.
 *
 * One object keeps one address-of-record bound to our Contact at one
 * registrar: it answers 401/407 (uac_auth.c), refreshes before the binding
 * expires, on 423 Interval Too Brief asks again with the Min-Expires
 * (§10.3 step 7), and on failure (timeout, transport error, 4xx-6xx)
 * tries again with exponential backoff, capped, honouring Retry-After
 * (§20.33).  A registrar named by host name is located per RFC 3263
 * (NAPTR, SRV, A/AAAA, on the stack's resolver) before the first REGISTER
 * and again before each retry after a failure; a 503, a timeout or a
 * transport error moves on to the next target (§4.3).  Over TLS the
 * server's certificate must name that host (RFC 5922).
 * sip_reg_stop() removes the binding (Expires: 0).  Like the
 * sessions it lives on the stack's loop, and must be freed before the
 * stack.
 */
#ifndef STROWGER_SIP_REGISTER_H
#define STROWGER_SIP_REGISTER_H

#include "sip/msg.h"
#include "sip/sip.h"

struct sip_reg;

enum sip_reg_state {
	SIP_REG_UNREGISTERED, /* stopped, or not started */
	SIP_REG_REGISTERING,  /* first REGISTER under way */
	SIP_REG_REGISTERED,   /* bound until `until` (refreshes keep this state) */
	SIP_REG_FAILED,	      /* last attempt failed; next one at `next` */
};

struct sip_reg_prm {
	enum sip_proto proto;	   /* UDP, TCP or TLS */
	const char *dst_ip;	   /* registrar address (IP literal), or: */
	const char *dst_host;	   /* its host name or IP literal (RFC 3263) */
	uint16_t dst_port;	   /* 0: 5060 (5061 TLS) for a literal, SRV for a name */
	bool tp_given;		   /* a name: look up `proto`'s SRV only */
	const char *registrar;		 /* Request-URI: "sip:example.net" */
	const char *aor;		 /* From and To: "sip:alice@example.net" */
	const char *username, *password; /* NULL: none */
	uint32_t expires;		 /* seconds asked for; 0: 3600 */
	uint32_t retry_min;		 /* first backoff, seconds; 0: 30 */
	uint32_t retry_max;		 /* backoff cap, seconds; 0: 1800 */
};

struct sip_reg_info {
	enum sip_reg_state state;
	uint64_t until;	      /* REGISTERED: loop time (ns) the binding ends */
	uint64_t next;	      /* loop time of the next REGISTER, 0: none planned */
	uint16_t last_status; /* last final status (408 timeout, 503 transport), 0 */
	uint32_t expires;     /* seconds granted, or asked for */
	unsigned failures;    /* in a row */
};

/* Called on every state change and every final response. */
typedef void(sip_reg_h)(struct sip_reg *r, const struct sip_reg_info *info, void *arg);

const char *sip_reg_state_name(enum sip_reg_state st);

/* A mem object; sends the first REGISTER at once.  EINVAL for a bad
 * address, URI or credentials. */
int sip_reg_alloc(struct sip_reg **rp, struct sip_stack *s, const struct sip_reg_prm *p,
		  sip_reg_h *h, void *arg);
/* Remove the binding (Expires: 0, answering one challenge) and stop. */
void sip_reg_stop(struct sip_reg *r);
void sip_reg_info(const struct sip_reg *r, struct sip_reg_info *out);
/* The loop time the info's times are on. */
uint64_t sip_reg_now(const struct sip_reg *r);
/* The handler's argument (when its owner moves). */
void sip_reg_set_arg(struct sip_reg *r, void *arg);

/* The builder REGISTER and the other out-of-dialog requests share
 * (stack_request.c): request line, From (tag added), To, Call-ID, CSeq,
 * Max-Forwards: 70, a Via with a fresh branch from `local`, User-Agent.
 * from/to are name-addrs ("<sip:a@example.net>"). */
struct sip_sa;
struct sip_req_hdrs {
	const char *method, *ruri, *from, *to, *call_id, *tag;
	uint32_t cseq;
	enum sip_proto proto;
};
int sip_req_build(const struct sip_stack *s, const struct sip_req_hdrs *h,
		  const struct sip_sa *local, osip_message_t **mp);

#endif
