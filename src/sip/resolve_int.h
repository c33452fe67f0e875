/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/sip/resolve*.c. */
#ifndef STROWGER_SIP_RESOLVE_INT_H
#define STROWGER_SIP_RESOLVE_INT_H

#include <ares.h>
#include <netinet/in.h>

#include "core/list.h"
#include "core/loop.h"
#include "sip/resolve.h"

#define RES_NAME_MAX 256
#define RES_NAPTR_MAX 8
#define RES_ADDRS_PER 4  /* addresses kept per SRV target and family */

struct sip_resolver {
	struct loop *loop;
	ares_channel channel;
	struct loop_timer tmr;
	struct sip_res_conf conf;
	unsigned seed;
	struct le reqs;
	unsigned n_reqs;
	bool destroying;
};

/* A host to look up, with the port and transport it will be used with. */
struct res_host {
	struct sip_res_req *req;  /* c-ares hands this back with each answer */
	char name[RES_NAME_MAX];
	uint16_t port;
	enum sip_res_tp tp;
	struct in_addr v4[RES_ADDRS_PER];
	struct in6_addr v6[RES_ADDRS_PER];
	unsigned n4, n6;
};

struct sip_res_req {
	struct le le;
	struct sip_resolver *r;
	sip_resolve_h *h;
	void *arg;
	char host[RES_NAME_MAX];
	struct sip_res_query q;
	unsigned pending;        /* c-ares callbacks (and a deferral) still due */
	bool done, cancelled;
	int addr_err;            /* the worst error of the address step */
	/* NAPTR/SRV candidates: a name to query SRV for, with its transport */
	struct {
		char name[RES_NAME_MAX];
		enum sip_res_tp tp;
	} cand[RES_NAPTR_MAX];
	unsigned n_cand, next_cand;
	struct res_host hosts[SIP_RES_MAX_TARGETS];
	unsigned n_hosts;
	struct sip_target lit;   /* an IP literal's answer */
};

/* resolve.c */
void res_finish(struct sip_res_req *req, int err, const struct sip_target *t, unsigned n);
/* Count a c-ares callback as returned; true if the request should go on
 * (not finished, not cancelled).  Frees the request when nothing is due. */
bool res_returned(struct sip_res_req *req);
void res_query(struct sip_res_req *req, const char *name, int type, ares_callback cb);
void res_host_lookup(struct sip_res_req *req, unsigned i, int family, ares_host_callback cb);
int res_status_errno(int status);

/* resolve_3263.c */
void res_start(struct sip_res_req *req);
/* RFC 2782 order: by priority, weighted random within a priority. */
struct ares_srv_reply;
unsigned res_srv_order(struct ares_srv_reply *list, struct ares_srv_reply **out, unsigned max,
		       unsigned *seed);

#endif
