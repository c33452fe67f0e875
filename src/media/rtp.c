/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTP fixed header (RFC 3550 §5.1) and per-source receive state (§A.1
 * sequence validation, §A.3 loss, §A.8 jitter).  See rtp.h.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   |            contributing source (CSRC) identifiers  (CC x 32)  |
 *   [ profile-defined 16 | extension length in 32-bit words (16)    ]
 *   [ extension data ...                                            ]
 *   payload ... [ padding ... | pad count ]
 */
#include "media/rtp.h"

#include <errno.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Each step checks what remains before reading, so a lying CC, extension
 * length or padding count can never move a read past `len`. */
int rtp_hdr_decode(struct rtp_hdr *h, const uint8_t *buf, size_t len)
{
	if (!h || !buf || len < RTP_HDR_SIZE)
		return EBADMSG;
	if (buf[0] >> 6 != RTP_VERSION)
		return EPROTONOSUPPORT;
	h->pad = buf[0] & 0x20;
	h->ext = buf[0] & 0x10;
	h->cc = buf[0] & 0x0f;
	h->marker = buf[1] & 0x80;
	h->pt = buf[1] & 0x7f;
	h->seq = rd16(buf + 2);
	h->ts = rd32(buf + 4);
	h->ssrc = rd32(buf + 8);

	size_t off = RTP_HDR_SIZE;
	if (len - off < (size_t)h->cc * 4)
		return EBADMSG;
	for (unsigned i = 0; i < h->cc; i++, off += 4)
		h->csrc[i] = rd32(buf + off);

	h->ext_profile = 0;
	h->ext_len = 0;
	if (h->ext) {
		if (len - off < 4)
			return EBADMSG;
		h->ext_profile = rd16(buf + off);
		h->ext_len = (size_t)rd16(buf + off + 2) * 4;
		off += 4;
		if (len - off < h->ext_len)
			return EBADMSG;
		off += h->ext_len;
	}

	size_t end = len;
	if (h->pad) {
		/* §5.1: the last octet counts the padding, itself included,
		 * so zero is malformed, and it may not eat into the header. */
		uint8_t npad = buf[len - 1];
		if (npad == 0 || npad > len - off)
			return EBADMSG;
		end -= npad;
	}
	h->payload = buf + off;
	h->payload_len = end - off;
	return 0;
}

int rtp_hdr_encode(const struct rtp_hdr *h, uint8_t *buf, size_t size, size_t *lenp)
{
	if (!h || !buf || h->cc > RTP_MAX_CSRC || h->pt > 127)
		return EINVAL;
	size_t n = RTP_HDR_SIZE + (size_t)h->cc * 4;
	if (size < n)
		return ENOSPC;
	buf[0] = (uint8_t)(RTP_VERSION << 6 | h->cc);
	buf[1] = (uint8_t)((h->marker ? 0x80 : 0) | h->pt);
	wr16(buf + 2, h->seq);
	wr32(buf + 4, h->ts);
	wr32(buf + 8, h->ssrc);
	for (unsigned i = 0; i < h->cc; i++)
		wr32(buf + RTP_HDR_SIZE + 4 * i, h->csrc[i]);
	if (lenp)
		*lenp = n;
	return 0;
}

/* --- §A.1 sequence validation ----------------------------------------- */

#define RTP_SEQ_MOD  (1u << 16)
#define MAX_DROPOUT  3000
#define MAX_MISORDER 100

static void source_reset_seq(struct rtp_source *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void rtp_source_init(struct rtp_source *s, uint32_t ssrc, uint16_t seq)
{
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	source_reset_seq(s, seq);
	/* Start on probation: the packet that created the source is seen
	 * again by update_seq, which counts it as the first in sequence. */
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = RTP_MIN_SEQUENTIAL;
}

/* While on probation, a source must send RTP_MIN_SEQUENTIAL packets in
 * sequence before it is believed (§A.1), so a stray packet cannot hijack
 * the stream. */
static bool source_probation(struct rtp_source *s, uint16_t seq)
{
	if (seq == (uint16_t)(s->max_seq + 1)) {
		s->probation--;
		s->max_seq = seq;
		if (s->probation == 0) {
			source_reset_seq(s, seq);
			s->received++;
			return true;
		}
	} else {
		s->probation = RTP_MIN_SEQUENTIAL - 1;
		s->max_seq = seq;
	}
	return false;
}

bool rtp_source_update_seq(struct rtp_source *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation)
		return source_probation(s, seq);
	if (udelta < MAX_DROPOUT) {
		/* In order, with a permissible gap. */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
		/* A large jump: believe it only if the next packet follows it
		 * (the other side restarted without telling us). */
		if (seq == s->bad_seq) {
			source_reset_seq(s, seq);
		} else {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return false;
		}
	}
	/* else: duplicate or reordered packet, counted. */
	s->received++;
	return true;
}

uint32_t rtp_source_ext_max(const struct rtp_source *s)
{
	return s->cycles + s->max_seq;
}

int32_t rtp_source_lost(const struct rtp_source *s)
{
	int64_t expected = (int64_t)rtp_source_ext_max(s) - s->base_seq + 1;
	int64_t lost = expected - s->received;

	if (s->received == 0)
		return 0;
	/* §6.4.1: 24-bit signed field, clamped. */
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	return (int32_t)lost;
}

uint8_t rtp_source_fraction(struct rtp_source *s)
{
	uint32_t expected = rtp_source_ext_max(s) - s->base_seq + 1;
	uint32_t exp_int = expected - s->expected_prior;
	uint32_t rec_int = s->received - s->received_prior;

	s->expected_prior = expected;
	s->received_prior = s->received;
	if (s->received == 0 || exp_int == 0 || rec_int >= exp_int)
		return 0;
	return (uint8_t)(((uint64_t)(exp_int - rec_int) << 8) / exp_int);
}

/* §A.8: J += (|D| - J) / 16, kept scaled by 16 so the division is exact
 * in integers: J16 += |D| - J16 / 16 (rounded). */
void rtp_source_update_jitter(struct rtp_source *s, uint32_t rtp_ts, uint32_t arrival)
{
	uint32_t transit = arrival - rtp_ts;

	if (s->have_transit) {
		int32_t d = (int32_t)(transit - s->transit);
		uint32_t ad = d < 0 ? (uint32_t) - (int64_t)d : (uint32_t)d;
		s->jitter += ad - ((s->jitter + 8) >> 4);
	}
	s->transit = transit;
	s->have_transit = true;
}
