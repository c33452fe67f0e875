/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTCP (RFC 3550 §6), private to src/media: compose and parse compound
 * packets of SR, RR, SDES (CNAME) and BYE, and the transmission interval
 * (§6.3.1, §A.7).  No I/O: the stream sends and receives.
 */
#ifndef STROWGER_MEDIA_RTCP_H
#define STROWGER_MEDIA_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rtcp_type {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
};

#define RTCP_MAX_COUNT	31 /* the 5-bit RC/SC field */
#define RTCP_SDES_CNAME 1

/* One report block (§6.4.1). */
struct rtcp_rb {
	uint32_t ssrc;
	uint8_t fraction;
	int32_t lost; /* 24-bit signed on the wire */
	uint32_t ext_max;
	uint32_t jitter;
	uint32_t lsr;
	uint32_t dlsr;
};

/* The sender info of an SR (§6.4.1). */
struct rtcp_sr {
	uint64_t ntp;
	uint32_t rtp_ts;
	uint32_t pkt_count;
	uint32_t oct_count;
};

/* One packet of a compound, decoded.  Views point into the datagram. */
struct rtcp_msg {
	uint8_t pt;
	uint8_t count;
	uint32_t ssrc; /* SR/RR sender; SDES first chunk; BYE first source */
	struct rtcp_sr sr;
	struct rtcp_rb rb[RTCP_MAX_COUNT];
	const uint8_t *cname; /* SDES: the first chunk's CNAME, if any */
	size_t cname_len;
	uint32_t bye_ssrc[RTCP_MAX_COUNT];
	const uint8_t *reason; /* BYE: optional reason */
	size_t reason_len;
};

typedef void(rtcp_msg_h)(const struct rtcp_msg *m, void *arg);

/* Check a whole compound packet (§6.1, §A.2: version 2, first packet SR
 * or RR, padding only on the last, lengths adding up to the datagram, and
 * every item inside its packet), then hand each packet to `h` (may be
 * NULL: check only).  0, EPROTONOSUPPORT (version) or EBADMSG; when it
 * fails, `h` has not been called. */
int rtcp_decode(const uint8_t *buf, size_t len, rtcp_msg_h *h, void *arg);

/* Append packets at buf[*off] (size bytes in all); ENOSPC if they do not
 * fit (then *off is unchanged).  `sr` NULL makes an RR. */
int rtcp_encode_report(uint8_t *buf, size_t size, size_t *off, uint32_t ssrc,
		       const struct rtcp_sr *sr, const struct rtcp_rb *rb, unsigned nrb);
int rtcp_encode_sdes_cname(uint8_t *buf, size_t size, size_t *off, uint32_t ssrc,
			   const char *cname);
int rtcp_encode_bye(uint8_t *buf, size_t size, size_t *off, uint32_t ssrc, const char *reason);

/* §6.3.1 / §A.7 inputs. */
struct rtcp_ival_prm {
	unsigned members, senders;
	double rtcp_bw;	      /* octets per second for RTCP (5% of the session) */
	double avg_rtcp_size; /* octets, with UDP/IP headers */
	bool we_sent;
	bool initial;
};

/* The randomized interval in ns; `r` is uniform in [0, 1). */
uint64_t rtcp_interval(const struct rtcp_ival_prm *prm, double r);

/* Wall time (ns since 1970) as a 64-bit NTP timestamp, and its middle
 * 32 bits as carried in LSR (§6.4.1). */
uint64_t rtcp_ntp_from_ns(uint64_t unix_ns);
static inline uint32_t rtcp_ntp_mid(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

#endif
