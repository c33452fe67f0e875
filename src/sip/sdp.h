/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/sdp: offer/answer (RFC 3264) on libosip2's SDP parser.
 *
 * What we read: per m-line the media type, port, protocol, payload types
 * with rtpmap/fmtp, ptime, direction (RFC 3264 §5.1), connection address,
 * the first a=crypto (RFC 4568, handed to the media layer as text).
 * What we answer: one m-line per offered m-line in the same order (§6);
 * an audio RTP stream keeps only the offered payload types we support
 * (PCMA, PCMU and telephone-event, RFC 4733) under the offerer's numbers,
 * with the mirrored direction; anything else is rejected with port 0.  An
 * answer never contains a payload type that was not offered.
 */
#ifndef STROWGER_SIP_SDP_H
#define STROWGER_SIP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_MEDIA 4
#define SDP_MAX_FMT   16

enum sip_sdp_dir { SIP_SDP_SENDRECV, SIP_SDP_SENDONLY, SIP_SDP_RECVONLY, SIP_SDP_INACTIVE };

struct sip_sdp_fmt {
	uint8_t pt;
	char name[24]; /* "PCMA", "telephone-event" ("" if no rtpmap) */
	uint32_t rate;
	char fmtp[64];
};

struct sip_sdp_media {
	char type[12]; /* "audio", "image", ... */
	uint16_t port;
	char proto[16]; /* "RTP/AVP", "RTP/SAVP", "udptl" */
	struct sip_sdp_fmt fmt[SDP_MAX_FMT];
	unsigned n_fmt;
	char fmt_text[64]; /* the m-line's format list as offered */
	unsigned ptime;	   /* 0: not given */
	enum sip_sdp_dir dir;
	char addr[64];	  /* c= of the media, or of the session */
	char crypto[128]; /* first a=crypto value, "" if none */
};

struct sip_sdp {
	struct sip_sdp_media m[SDP_MAX_MEDIA];
	unsigned n;
	enum sip_sdp_dir dir; /* session-level direction */
};

/* What we can do, to answer or offer with. */
struct sip_sdp_caps {
	const char *addr;     /* our RTP address (IPv4 or IPv6 literal) */
	uint16_t port;	      /* our RTP port */
	unsigned ptime;	      /* ms, 0: do not say */
	uint8_t dtmf_pt;      /* for our offers */
	enum sip_sdp_dir dir; /* sendrecv; sendonly to hold */
	uint64_t session_id, version;
};

/* Parse; EBADMSG when libosip2 refuses it or a line is out of range. */
int sip_sdp_parse(struct sip_sdp *s, const char *text);
/* Answer `offer` into `out`; the negotiated result goes to `res` if not
 * NULL.  EPROTO when no stream could be accepted (the caller answers 488). */
int sip_sdp_answer(const struct sip_sdp *offer, const struct sip_sdp_caps *caps, char *out,
		   size_t sz, struct sip_sdp *res);
/* An offer of PCMA, PCMU and telephone-event. */
int sip_sdp_offer(const struct sip_sdp_caps *caps, char *out, size_t sz);
const char *sip_sdp_dir_name(enum sip_sdp_dir d);

#endif
