/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/sdp: offer/answer (RFC 3264) on libosip2's SDP parser.
 *
 * What we read: per m-line the media type, port, protocol, payload types
 * with rtpmap/fmtp, ptime, direction (RFC 3264 §5.1), connection address,
 * SDES keys (a=crypto, RFC 4568) and T.38 fax parameters (m=image udptl
 * t38, T.38 Annex D) parsed and checked into structures for the media
 * layer (sdp_ext.c); a stream whose attributes are malformed carries the
 * reason in `bad` and is never accepted.
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
#define SDP_MAX_CRYPTO 4

enum sip_sdp_dir { SIP_SDP_SENDRECV, SIP_SDP_SENDONLY, SIP_SDP_RECVONLY, SIP_SDP_INACTIVE };

struct sip_sdp_fmt {
	uint8_t pt;
	char name[24]; /* "PCMA", "telephone-event" ("" if no rtpmap) */
	uint32_t rate;
	char fmtp[64];
};

/* a=crypto (RFC 4568 §9.1), the first inline key of its key-params. */
struct sip_sdp_crypto {
	uint32_t tag;	  /* 1..999999999 */
	char suite[32];	  /* "AES_CM_128_HMAC_SHA1_80" */
	bool known;	  /* a suite whose key length we checked */
	char key[96];	  /* base64 master key||salt */
	uint64_t lifetime; /* packets; 0: not given */
	uint32_t mki;
	unsigned mki_len;  /* bytes, 1..128; 0: no MKI */
	unsigned n_keys;   /* key-params on the line (all checked) */
	char params[64];   /* session parameters, checked, as given */
};

enum sip_t38_rate { SIP_T38_RATE_UNSET, SIP_T38_LOCAL_TCF, SIP_T38_TRANSFERRED_TCF };
enum sip_t38_ec { SIP_T38_EC_UNSET, SIP_T38_EC_NONE, SIP_T38_EC_REDUNDANCY, SIP_T38_EC_FEC };

/* T.38 over UDPTL (T.38 Annex D.2.3); 0/UNSET: not given. */
struct sip_sdp_t38 {
	bool present; /* m=image <port> udptl t38 */
	unsigned seen; /* bit per attribute read (duplicates are errors) */
	unsigned version, max_bitrate, max_buffer, max_datagram;
	enum sip_t38_rate rate_mgmt;
	enum sip_t38_ec udp_ec;
	bool fill_bit_removal, transcoding_mmr, transcoding_jbig;
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
	struct sip_sdp_crypto crypto[SDP_MAX_CRYPTO]; /* the usable a=crypto lines */
	unsigned n_crypto, crypto_errors;
	char crypto_why[64]; /* the first bad a=crypto's fault */
	struct sip_sdp_t38 t38;
	char bad[96]; /* "": usable as far as its attributes go; else why not */
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
