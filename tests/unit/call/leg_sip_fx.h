/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixture for the test_leg_sip*.c suites: the gateway's SIP stack (its handlers go to
 * the SIP leg) and a far end's (a phone or a carrier, driven by the test)
 * on loopback, one virtual-time loop, a fake PSTN leg as in test_call.c:
 *
 *   far end (sip_stack) ══ UDP ══ gateway stack ── leg_sip ══ call ══ fake PSTN leg
 *
 * Plan: from SIP → group pstn (the fake leg); to SIP: called 1… → uri
 * sip:${called}@127.0.0.1:<far port>, 8… → a host name, 2… → trunk "far",
 * 3… → trunk "far" then "far2" (the far end again, another domain), 4… →
 * trunk "dead" (nothing answers) then "far".
 * `trail` holds what the far end saw ("far:EVENT(status)") and what the
 * PSTN leg was told ("pstn:…" when outgoing, "in:…" when incoming).
 */
#ifndef STROWGER_TESTS_LEG_SIP_FX_H
#define STROWGER_TESTS_LEG_SIP_FX_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>

#include "call/call.h"
#include "call/call_int.h"
#include "call/leg_sip.h"
#include "call/leg_sip_int.h"
#include "core/loop.h"
#include "sip/sdp.h"

struct fake {
	struct call_leg leg;
	char name[8];
};

extern struct route_set *routes;
extern struct call_env cenv;
extern uint16_t gw_port, far_port;
extern char trail[4096];
extern struct fake *pstn;	     /* the fake PSTN leg of the call */
extern struct call_setup pstn_setup; /* what it was asked to set up */
extern struct cdr last_cdr;
extern unsigned n_ended;
/* Calls from trunk itsp are admitted under this limit (NULL: none). */
extern struct call_limit *itsp_limit;
extern unsigned n_failovers;
/* The far end: its session, and what it last saw. */
extern struct sip_sess *far_sess;
extern char far_retry_after[32], far_reason[160], far_sdp[1024], far_ruri[256], far_from[256], far_pai[256],
    far_privacy[64];

void leg_sip_fx_setup(void);
/* The far end challenges (401) every new request; trunk "far" answers
 * as gw1 with `trunk_password`. */
void far_requires_digest(const char *password, const char *trunk_password);
void leg_sip_fx_teardown(void);

void run(unsigned ms);
bool has(const char *needle);
/* The far end's SDP: an offer of `fmts` (and telephone-event 101), an answer. */
const char *far_offer(const char *fmts);
const char *far_answer_sdp(const char *fmts);
/* The far end calls the gateway (SIP → PSTN). */
struct sip_sess *far_call(const char *ruser, const char *from, const char *const *extra,
			  const char *sdp);
/* The fake PSTN leg calls through the gateway (PSTN → SIP); the calling
 * number with type of number pstn_calling_ton (reset to unknown). */
extern uint8_t pstn_calling_ton;
struct call_leg *pstn_call(const char *called, const char *calling, uint8_t pres);
/* The call of the fake PSTN leg, and its SIP leg. */
struct call *the_call(void);
struct call_leg *sip_leg(void);
/* One frame of TDM audio into the SIP leg's stream: one RTP packet with
 * payload type `pt` reaches `fd`; or (a hold) five frames and none does. */
void rtp_reaches_fd(int fd, uint8_t pt);
void rtp_silent_fd(int fd);
/* The same at the far end's RTP port (the remote from SDP). */
void rtp_reaches_far_end(uint8_t pt);
void rtp_silent_at_far_end(void);
/* The port (and format list) of the first m-line the far end last saw. */
unsigned far_sdp_port(const char **fmts);
unsigned gw_rtp_port(void);

#endif
