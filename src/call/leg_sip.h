/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP leg: an INVITE session (RFC 3261 §13) and its RTP stream behind
 * struct call_leg, the counterpart of the ISDN leg (leg_isdn.h).
 *
 * The gateway owns the sip_stack and forwards two of its handlers here:
 * sip_handlers.invite_h → leg_sip_incoming(), sip_handlers.sess_h →
 * leg_sip_sess_event().  A session is linked to its leg by the session's
 * user pointer (sip_sess_set_user); sessions with no user are ignored.
 *
 *   SIP → PSTN (UAS)                     PSTN → SIP (UAC)
 *   INVITE+SDP → 100, call_incoming()    setup → stream, INVITE+SDP offer
 *   proceeding → (nothing)               180/181/182   → alerting(false)
 *   alerting(-) → 180                    180 + SDP     → alerting(true)
 *   alerting(inband), progress → 183+SDP 183 + SDP     → progress
 *   answer → 200+SDP                     2xx + SDP     → answer
 *   release → 4xx-6xx/BYE + Reason       release → CANCEL/BYE + Reason
 *   CANCEL → released(-, 487)            error, BYE    → released(Reason's cause, status)
 *   REFER (either side, answered call) → blind transfer (leg_sip_refer.c,
 *     call_xfer.c): 202, NOTIFY 100/180/200 or the failure; Replaces 501
 *   re-INVITE + offer (either side) → 200 + our answer (hold: sendonly or
 *     c=0.0.0.0 ↔ recvonly, and our RTP stops, RFC 3264 §8.4; the stream
 *     follows a new address, and switches PCMA ⇄ PCMU in place), or 488 if
 *     nothing offered is usable; the call is not told: a re-INVITE never
 *     touches the PSTN leg
 *
 * Causes travel in the Reason header (RFC 3326; in responses RFC 6432).
 * Numbers: a leading '+' is kept (E.164); P-Asserted-Identity (RFC 3325)
 * and Privacy (RFC 3323) give the calling number and its presentation.
 */
#ifndef STROWGER_CALL_LEG_SIP_H
#define STROWGER_CALL_LEG_SIP_H

#include <stdint.h>
#include <sys/socket.h>

#include "call/call.h"
#include "media/media.h"
#include "sip/sip.h"

/* Where a SIP trunk or URI route sends its calls. */
struct leg_sip_target {
	enum sip_proto proto;
	bool tp_given;	  /* the URI said ;transport= (RFC 3263 §4.1) */
	char ip[256];	  /* an IP literal, or a host name the stack locates */
	uint16_t port;	  /* 0: 5060 (a host name: SRV, RFC 3263 §4.2) */
	char domain[128]; /* host of the Request-URI, From and To; "": ip[:port] */
	char username[128], password[128]; /* for its challenges; "": none */
};

/* Look up a trunk by name: 0, or ENOENT. */
typedef int(leg_sip_trunk_h)(void *arg, const char *trunk, struct leg_sip_target *out);
/* May an INVITE over `trunk` become a call?  0, with `leg` holding its
 * place in the trunk's limit (call_leg_limit_take); or EBUSY (max_calls) /
 * EAGAIN (max_cps) with the seconds for Retry-After. */
typedef int(leg_sip_admit_h)(void *arg, const char *trunk, struct call_leg *leg,
			     unsigned *retry_after);

/* What SIP legs share; owned by the gateway, outliving its legs. */
struct leg_sip_env {
	struct loop *loop;
	struct sip_stack *sip;
	const struct call_env *calls;	  /* for incoming calls */
	struct sockaddr_storage rtp_addr; /* RTP bind address (port ignored) */
	socklen_t rtp_addr_len;
	const char *sdp_addr;		/* c= in our SDP; NULL: rtp_addr's */
	uint16_t port_min, port_max;	/* RTP ports; 0,0: ephemeral */
	enum media_law tdm_law;		/* the B-channels' law */
	const char *trunk;		/* trunk name of incoming calls, or NULL */
	const struct cause_map *causes; /* Reason text; NULL: no text */
	leg_sip_trunk_h *trunk_target;	/* ROUTE_DEST_TRUNK; NULL: none */
	leg_sip_admit_h *admit;		/* incoming calls; NULL: no limits */
	void *trunk_arg;		/* for both */
	struct media_totals *media_totals; /* streams counted here; NULL: none */
};

/* sip_handlers.invite_h: a new INVITE.  Sends 100, reads the numbers and
 * the SDP offer, makes the stream and hands the leg to call_incoming().
 * Whatever fails is answered on the session (484, 488, or 503 without
 * Retry-After, i.e. as 500 (RFC 3261 §21.5.4), with Reason cause 47) and
 * returned as an errno; the caller has nothing more to do.  A call over
 * its trunk's limits (env->admit) gets 503 with Retry-After and Reason
 * cause 34 or 42 before anything else is done: no call, no other leg. */
int leg_sip_incoming(const struct leg_sip_env *env, struct sip_sess *sess,
		     const struct sip_msg *msg);

/* sip_handlers.sess_h: a session event, for the leg the session belongs to. */
void leg_sip_sess_event(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
			const struct sip_msg *msg);

/* A new outgoing leg toward `dest` (ROUTE_DEST_URI or ROUTE_DEST_TRUNK),
 * set up later by the call.  EINVAL for a group destination. */
int leg_sip_create(const struct leg_sip_env *env, const struct route_dest *dest,
		   struct call_leg **legp);

/* The leg's RTP stream (for the media bridge), or NULL: none yet, or not a
 * SIP leg.  An outgoing leg's stream is remade (same port) when the SDP
 * answer picks the other G.711 law; that is before the call's
 * CALL_MEDIA_CONNECT, so take the stream then and do not keep it past
 * CALL_MEDIA_STOP. */
struct media_stream *leg_sip_stream(const struct call_leg *leg);

#endif
