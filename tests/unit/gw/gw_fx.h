/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixture of the gateway scenario tests (RFC 3666 ISDN flows): the
 * whole gateway assembly (src/gateway.c with gw_pstn and gw_sip) on a
 * virtual-time loop, exactly as the daemon builds it from strowger.conf:
 *
 *   SIP phone (a sip_stack) ══ UDP ══ gateway ══ sim span 1 (group east) ══ pbx1
 *   (and a raw UDP peer)                       ══ sim span 2 (group west) ══ pbx2
 *
 * The PBXs are the scripted simulated switches (pstn/isdn_switch.h); by
 * default both run the test exchange of conf/sim-pbx.script.  The dial
 * plan: SIP → PSTN goes to group east, falling back to group west on
 * congestion; PSTN → SIP numbers 1… go to the phone's stack, 9… to the raw
 * peer.  Digit map `ext` completes 1 and three digits.  no_answer is 3 s.
 *
 * `trail` holds what the phone saw: "far:INVITE", "far:EVENT(status)".
 */
#ifndef STROWGER_TESTS_GW_FX_H
#define STROWGER_TESTS_GW_FX_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>

struct sip_sess;

struct gw_opt {
	const char *pbx1, *pbx2;   /* scripts (NULL: the test exchange) */
	const char *span1, *span2; /* more `key = value` lines for [span N] */
	const char *group2;	   /* span 2's group (NULL: west) */
	const char *sip;	   /* more `key = value` lines for [sip] */
};

extern char trail[4096];
extern char far_reason[160]; /* the last Reason header the phone received */
extern struct sip_sess *far_uac; /* the phone's outgoing call (SIP → PSTN) */
extern struct sip_sess *far_uas; /* the call the gateway made to the phone */
extern char far_ruri[256];	   /* the Request-URI of that INVITE */
extern char far_users[256];	   /* the user part of every INVITE, "10 100 " */
extern unsigned far_min_digits;	   /* shorter numbers get 484 at once (0: none) */
extern uint16_t gw_port;	   /* the gateway's SIP port (UDP) */
extern int raw;			   /* the raw UDP peer's socket */
extern uint16_t raw_port;
extern char raw_rx[8192];	   /* the last message it received */

void gw_fx_setup(void);
/* The fixture's loop (virtual time), for more servers in a test. */
struct loop *gw_fx_loop(void);
/* The gateway gw_start() made (its parts: gateway.h). */
struct gateway;
struct gateway *gw_fx_gateway(void);
void gw_fx_teardown(void);
/* Write the configuration, start the gateway, wait for the D-channels. */
void gw_start(const struct gw_opt *opt);
/* Free the gateway now, whatever it is doing (as the daemon's exit does). */
void gw_stop(void);
/* gateway_shutdown(): no new calls; the loop stops once none is left
 * (run() goes on regardless: it restarts the loop). */
void gw_shutdown(void);

void run(unsigned ms);
bool has(const char *needle);
unsigned count(const char *needle); /* how often the trail has it */
/* Simulated PBX n (1, 2): did its event log say `needle`?  Its log. */
bool pbx_has(unsigned n, const char *needle);
const char *pbx_log(unsigned n);
/* Every CDR so far, as `strowger-ctl cdr --csv` prints them. */
const char *cdrs(void);
/* Run a strowger-ctl command on the gateway: its reply (a static buffer);
 * *ok: whether it was OK. */
const char *gw_ctl(const char *line, bool *ok);
/* A fault on sim span `span` (gw_pstn_fault: "dchan-down", "red", ...). */
void fault(unsigned span, const char *what);

/* The phone calls `number` through the gateway with a PCMA offer. */
void phone_call(const char *number);
/* A PBX script that places `call CALL at 1s [then THEN]` (the D-channels
 * are up by then) and rejects calls to it; the call is made once
 * gw_start() and pbx_call_wait() have run. */
const char *pbx_call_script(const char *call, const char *then);
void pbx_call_wait(void);
/* The phone answers the gateway's call: 180, then 200 with SDP. */
void phone_answer(void);
/* Its SDP: offer or answer on its RTP port. */
const char *phone_sdp(void);
/* The same with a direction attribute and an o= version, for the raw
 * peer (RFC 3264 §8.4 hold: sendonly; resume: sendrecv). */
const char *raw_sdp(const char *direction, unsigned version);

/* The raw peer: send a request or response (CRLF-separated text whose
 * Content-Length this adds), receive the next message other than 100. */
void raw_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *raw_recv(void);
/* Header `name` of raw_rx ("" if absent), copied to a static buffer. */
const char *raw_hdr(const char *name);

#endif
