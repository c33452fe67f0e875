/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A gateway call: one incoming leg and one outgoing leg, joined by a
 * table-driven FSM that maps call progress across them (RFC 3666 for
 * SIP ⇄ ISDN), routed by the mapping files, with causes translated by the
 * cause tables (RFC 3398) and a CDR when it ends.
 *
 * A leg is one side of the call behind an ops table: a SIP INVITE session,
 * an ISDN call on a B-channel, later an analog line or a SIP-I session.
 * The FSM never knows which: it asks a leg to set up, alert, answer or
 * release, and legs report what their far end did with call_leg_*().  The
 * adapters (SIP leg, ISDN leg) live beside the gateway; the FSM is tested
 * with fake legs.
 *
 * Causes: every release carries a Q.850 cause and, where SIP is involved,
 * a status.  A leg reports what it knows (a SIP leg its status and the
 * Reason header's cause if there was one; an ISDN leg its cause); the call
 * fills in the other through the cause table before telling the other leg.
 */
#ifndef STROWGER_CALL_CALL_H
#define STROWGER_CALL_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call/cdr.h"
#include "call/route.h"

struct call;
struct call_leg;
struct call_limit;
struct cause_map;
struct loop;

enum call_side { CALL_SIDE_SIP, CALL_SIDE_PSTN };

/* A number as signalling carries it (Q.931 code points). */
struct call_party {
	char digits[ROUTE_NUM_MAX + 1];
	uint8_t ton, npi, pres, screen;
	bool present;
};

/* What the incoming leg knew of the call, and (after routing) what the
 * outgoing leg is asked to set up. */
struct call_setup {
	struct call_party called, calling, redirecting;
	uint8_t redirect_reason;
	char trunk[ROUTE_NAME_MAX];  /* SIP trunk it came from, or "" */
	char group[ROUTE_NAME_MAX];  /* span group it came from, or "" */
	unsigned span;               /* span it came from, 0: none */
	uint8_t addr[16];            /* source address (route_ctx form) */
	uint8_t addr_family;
	/* Overlap receiving ended by T302 (Q.931 §5.2.4): the number may be
	 * incomplete, so a number no rule matches is cleared with 28 (invalid
	 * number format), not 3.  An explicit reject keeps its own cause. */
	bool overlap_timeout;
	/* Wall ns the incoming leg began (a SETUP before its digits were
	 * collected): the CDR's start.  0: when the call is made. */
	uint64_t t_begin;	/* RFC 3578: the called number may still grow; the incoming leg reports
	 * its next digits with call_leg_digits(). */
	bool overlap_open;
};

/* What the FSM asks of a leg.  Each returns 0 or an errno; an outgoing leg
 * whose setup fails counts as released with cause 34 (EBUSY: no channel)
 * or 41 (anything else). */
struct call_leg_ops {
	const char *kind; /* "sip", "isdn": for logs */
	/* Outgoing: start the call toward the destination it was made for. */
	int (*setup)(struct call_leg *leg, const struct call_setup *s);
	/* Incoming: the call is being worked on (Q.931 CALL PROCEEDING; for
	 * SIP, 100 Trying went out already). */
	int (*proceeding)(struct call_leg *leg);
	/* Incoming: the far end rings.  `inband`: its ringback/announcement
	 * travels in-band (ISDN progress indicator 1 or 8; SIP 183 with SDP). */
	int (*alerting)(struct call_leg *leg, bool inband);
	/* Incoming: in-band information without alerting (ISDN PROGRESS). */
	int (*progress)(struct call_leg *leg);
	int (*answer)(struct call_leg *leg);
	/* Either: clear the call.  `status` is the SIP final status for a SIP
	 * leg not yet answered (0: CANCEL/BYE), `cause` the Q.850 cause (a SIP
	 * leg carries it in a Reason header, RFC 3326). */
	void (*release)(struct call_leg *leg, unsigned cause, unsigned status);
	/* Fill what the leg knows into a CDR (span/channel, Call-ID, trunk). */
	void (*describe)(const struct call_leg *leg, struct cdr *rec);
	/* Free the adapter's state.  Called once, when the call is freed. */
	void (*destroy)(struct call_leg *leg);
	/* Optional (a leg that can ask for a transfer, RFC 3515): report on the
	 * transfer this leg asked for with call_leg_transfer().  202: accept it
	 * (from inside call_leg_transfer); 1xx: progress; 200: done; an error
	 * status: it failed.  The SIP leg sends them as NOTIFY sipfrags. */
	void (*transfer_report)(struct call_leg *leg, unsigned status);
};

struct call_leg {
	const struct call_leg_ops *ops;
	struct call *call;   /* set by the call */
	enum call_side side;
	void *priv;          /* the adapter's */
	bool gone;           /* the far end cleared it (no release to send) */
	/* The trunk's or span's limit this leg holds a place in (call/limit.h),
	 * or NULL; the call gives it back when the leg is finished. */
	struct call_limit *limit;
	bool limit_out;
	struct call_leg *next_retired; /* the call's: outgoing legs it is done with */
};

/* Media: the gateway joins or parts the legs' audio. */
enum call_media {
	CALL_MEDIA_CONNECT,       /* early media or answered: audio both ways */
	CALL_MEDIA_RINGBACK_ON,   /* local ringback toward the incoming PSTN leg */
	CALL_MEDIA_RINGBACK_OFF,
	CALL_MEDIA_STOP,
};

struct call_env_ops {
	/* Make the outgoing leg for `dest` (not yet set up). */
	int (*leg_create)(struct call *call, const struct route_dest *dest,
			  struct call_leg **legp, void *arg);
	void (*media)(struct call *call, enum call_media what, void *arg);
	/* The call is over; `rec` is its CDR.  The call is freed after. */
	void (*ended)(struct call *call, const struct cdr *rec, void *arg);
	/* Optional: the call leaves destination `from` (which failed with the
	 * congestion cause `cause`) for the next one of its route. */
	void (*failover)(struct call *call, const struct route_dest *from, unsigned cause,
			 void *arg);
	/* Optional: a record that ends before the call does: the part of a
	 * call before a transfer completed (call_xfer.c). */
	void (*record)(struct call *call, const struct cdr *rec, void *arg);
};

/* What calls share; owned by the gateway and outliving its calls. */
struct call_env {
	struct loop *loop;
	const struct call_env_ops *ops;
	void *arg;
	const struct route_set *routes;   /* each call takes its own reference */
	const struct cause_map *causes;   /* owned by the gateway */
	uint64_t t_noanswer;              /* ns; 0: 180 s */
	const char *node;                 /* for CDRs */
};

/* A call for a new incoming leg: route it and set up the outgoing leg.
 * Returns 0 (the call now owns `in`; it may already have ended, e.g. a
 * reject), or an errno when no call could be made at all (then the caller
 * still owns `in` and should clear it with cause 47). */
int call_incoming(const struct call_env *env, struct call_leg *in, const struct call_setup *s);

/* What the far end of a leg did (the adapters call these). */
void call_leg_proceeding(struct call_leg *leg);
void call_leg_alerting(struct call_leg *leg, bool inband);
void call_leg_progress(struct call_leg *leg);
void call_leg_answer(struct call_leg *leg);
/* The leg is gone: `cause` (0: unknown) and `status` (0: none). */
void call_leg_released(struct call_leg *leg, unsigned cause, unsigned status);
/* The outgoing leg never reached its far end: no response in time (RFC
 * 3261 §8.1.3.1: as a 408) or a transport error (as a 503).  Like
 * call_leg_released(), but the next destination is tried whatever the
 * cause the status maps to, as RFC 3263 §4.3 moves on to the next server
 * in the same two cases. */
void call_leg_unreachable(struct call_leg *leg, unsigned status);
/* Overlap dialling into SIP, RFC 3578 (a call made with overlap_open): the
 * incoming leg's called number grew by `digits`; `final` when no more will
 * come (Sending Complete, a digit map, T302).  While the call is still
 * being set up, a pending INVITE is cancelled and the call routed again
 * with the longer number; after a 484 the call waits for more digits, and
 * clears with 28 once they are final.  Ignored once the far end rings. */
void call_leg_digits(struct call_leg *in, const char *digits, bool final);

/* Blind transfer (RFC 3515, RFC 5589; src/call/call_xfer.c): `leg`, the
 * SIP party of an answered call with a PSTN party, asks that the PSTN party
 * be connected to `target` instead.  The call routes a new outgoing leg as
 * a `dir to-sip` call from the PSTN party (its number as the PSTN side
 * knows it) to `target`, reporting progress through the leg's
 * transfer_report (202 first, from inside this call).  0: accepted; else
 * an errno and in *status the SIP status to refuse with (403 not now or
 * not here, 404 no route, 491 a transfer is already under way). */
int call_leg_transfer(struct call_leg *leg, const struct call_party *target, unsigned *status);

/* Clear the call from outside (strowger-ctl hangup, shutdown, a span
 * taken down): both legs get `cause`. */
void call_hangup(struct call *call, unsigned cause);

const char *call_name(const struct call *call);     /* "call 17{ACTIVE}" */
unsigned call_id(const struct call *call);           /* 17 */
/* Visit every live call (for strowger-ctl); the visitor must not end one. */
typedef void(call_visit_h)(const struct call *call, void *arg);
void call_foreach(call_visit_h *h, void *arg);
/* The live call with this id, or NULL. */
struct call *call_find(unsigned id);
/* The legs (out is NULL before routing or between failover attempts). */
struct call_leg *call_leg_in(const struct call *call);
struct call_leg *call_leg_out(const struct call *call);
/* A slot for the gateway (its media bridge, say); NULL at first. */
void call_set_user(struct call *call, void *user);
void *call_user(const struct call *call);
/* What `strowger-ctl calls` shows of a call: its numbers and times. */
const struct call_setup *call_setup_in(const struct call *call);
uint64_t call_start_time(const struct call *call);   /* wall ns */
uint64_t call_answer_time(const struct call *call);  /* wall ns; 0: not answered */
/* A leg in one word: "isdn:SPAN/CHAN" (CHAN "-" before one is chosen),
 * "sip:CALL-ID" or "sip/TRUNK:CALL-ID"; "-" for no leg (NULL). */
void call_leg_text(const struct call_leg *leg, char *buf, size_t sz);
const char *call_state(const struct call *call);
unsigned call_count(void);                           /* calls alive in the process */

/* Congestion causes after which the next destination is tried (Q.850:
 * 34 no circuit, 38 network out of order, 41 temporary failure, 42
 * switching equipment congestion, 44 requested channel not available,
 * 47 resource unavailable). */
bool call_cause_is_congestion(unsigned cause);

#endif
