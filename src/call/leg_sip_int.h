/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/call/leg_sip*.c (and their tests): the leg's state, its
 * media (leg_sip_media.c) and reading numbers out of SIP headers and URIs
 * (leg_sip_hdr.c). */
#ifndef STROWGER_CALL_LEG_SIP_INT_H
#define STROWGER_CALL_LEG_SIP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "call/leg_sip.h"
#include "sip/sdp.h"

#define LEG_SIP_SDP_MAX 2048
#define LEG_SIP_DTMF_PT 101 /* our RFC 4733 payload type in offers */

struct leg_sip {
	struct call_leg leg;
	const struct leg_sip_env *env;
	struct sip_sess *sess; /* referenced; NULL once it ended */
	struct media_stream *ms;
	struct route_dest dest; /* outgoing */
	bool uac, released;
	uint8_t pt; /* the stream's payload type */
	int te_pt;
	unsigned seq; /* for names and SDP session ids */
	char call_id[128];
	char trunk[ROUTE_NAME_MAX];
	char name[32];
	char sdp[LEG_SIP_SDP_MAX]; /* our last SDP: UAS answer (183, 200), UAC offer */
	/* o= of our SDP: one session id, the version raised at each change
	 * (RFC 3264 §8); the id is set with our first SDP. */
	uint64_t sdp_id, sdp_ver;
};

/* --- leg_sip_media.c: the RTP stream and offer/answer (RFC 3264) --- */

/* A new stream for the leg (replacing its old one); `port` 0: from the
 * env's range, else that even port (its RTCP pair with it). */
int leg_sip_stream_make(struct leg_sip *l, uint8_t pt, int te_pt,
			const struct sockaddr_storage *rem, socklen_t rem_len, uint16_t port);
/* What we offer or answer with: the stream's address and port, our
 * session id and version (the id fixed at the first call). */
void leg_sip_caps(struct leg_sip *l, struct sip_sdp_caps *c, char *addr, size_t sz);
/* The application/sdp body of a message, NUL-terminated in buf, or NULL. */
const char *leg_sip_sdp_body(const struct sip_msg *msg, char *buf, size_t sz);
/* UAS: make the stream toward the offer, write our answer into l->sdp.
 * EPROTO: nothing we can carry (488); other errno: no stream. */
int leg_sip_offer_take(struct leg_sip *l, const char *text);
/* UAC: the answer's address and codec (the stream remade if it changed). */
int leg_sip_answer_take(struct leg_sip *l, const char *text);
/* A new offer in the dialog (re-INVITE, RFC 3264 §8): hold, resume, a new
 * address, the other G.711 law.  The stream keeps its port and follows in
 * place (direction, address, payload type); our answer goes to l->sdp.
 * EPROTO: no audio we can carry (488; the session stays as it was, RFC
 * 3261 §14.2). */
int leg_sip_reoffer(struct leg_sip *l, const char *text);

/* --- leg_sip_streams.c: what the media layer can carry --- */

/* 0 if the media layer can carry offered stream `m`; else an errno and the
 * reason in `why` (a malformed stream, SRTP, T.38, anything not audio). */
int leg_sip_stream_can(const struct sip_sdp_media *m, char *why, size_t sz);
/* Reject (port 0) every offered stream the media layer cannot carry,
 * logging why, before the offer is answered. */
void leg_sip_streams_vet(struct leg_sip *l, struct sip_sdp *offer);

/* --- leg_sip_refer.c: blind transfer (RFC 3515, RFC 5589) --- */

/* The number to transfer to from a Refer-To value: 0, or an errno with
 * the REFER's refusal in *status (400 unreadable, 403 not a sip:/sips:
 * INVITE target, 501 Replaces, 404 no number). */
int leg_sip_refer_target(const char *refer_to, struct call_party *p, unsigned *status);
/* SIP_EV_REFER: check it, hand it to the call (call_leg_transfer). */
void leg_sip_refer_rx(struct leg_sip *l, struct sip_sess *sess, const struct sip_msg *msg);
/* call_leg_ops.transfer_report: 202 accepts the REFER, others NOTIFY. */
void leg_sip_transfer_report(struct call_leg *leg, unsigned status);

/* --- leg_sip_hdr.c --- */

/* The URI of a name-addr or addr-spec (RFC 3261 §20.10):
 * `"A" <sip:1@h>;tag=x` → `sip:1@h`.  ENOENT if there is none, ENOSPC. */
int leg_sip_uri_of(const char *na, char *out, size_t sz);
/* The user part of a sip:, sips: or tel: URI, without user parameters or
 * password, %-escapes decoded (RFC 3261 §19.1.1, RFC 3966).  ENOENT if the
 * URI has none. */
int leg_sip_uri_user(const char *uri, char *out, size_t sz);
/* RFC 3323 §4.1.1.3: sip:anonymous@anonymous.invalid (or either half). */
bool leg_sip_uri_anonymous(const char *uri);
/* A number from a user part: visual separators - . ( ) dropped (RFC 3966
 * §5.1.1), a leading '+' kept (E.164: TON international, NPI ISDN), then
 * only 0-9 * # allowed.  EINVAL if it is not a number. */
int leg_sip_party(struct call_party *p, const char *user);
/* RFC 3323 §4.2: does a Privacy header value ask to hide the identity
 * (`id` or `user`)? */
bool leg_sip_privacy_hides(const char *value);
/* The numbers of an INVITE: called from the Request-URI (else To), calling
 * from P-Asserted-Identity (RFC 3325) else From, with Privacy (RFC 3323);
 * redirecting from Diversion (RFC 5806) else History-Info (RFC 7044).
 * EINVAL if the called number is not a number (the caller answers 484). */
int leg_sip_setup_read(const struct sip_msg *msg, struct call_setup *s);
/* A destination URI `sip:user@host[:port][;transport=udp|tcp|tls]` or
 * `sips:user@host[:port]` (TLS) into a target; host an IP literal (port
 * 5060, or 5061 for TLS, when none is given) or a host name (the stack
 * locates it, RFC 3263; without a port, port 0).  EHOSTUNREACH for
 * anything else. */
int leg_sip_target_parse(const char *uri, struct leg_sip_target *t);

#endif
