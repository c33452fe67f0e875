/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTCP compound packets (RFC 3550 §6) and the report interval.
 *
 * Every RTCP packet starts with the same word (§6.4.1):
 *   |V=2|P|  RC/SC  |   PT (200..204)   |  length (32-bit words - 1)  |
 * A compound datagram is such packets back to back; decoding checks the
 * whole chain before reporting any of it, so a handler never acts on half
 * of a malformed datagram.
 */
#include "media/rtcp.h"

#include <errno.h>
#include <string.h>

#define RTCP_HDR 4
#define RB_SIZE	 24
#define SR_INFO	 20

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void wr_hdr(uint8_t *p, unsigned count, unsigned pt, size_t len)
{
	p[0] = (uint8_t)(2u << 6 | count);
	p[1] = (uint8_t)pt;
	p[2] = (uint8_t)((len / 4 - 1) >> 8);
	p[3] = (uint8_t)(len / 4 - 1);
}

/* --- decode ------------------------------------------------------------ */

static void rb_decode(struct rtcp_rb *rb, const uint8_t *p)
{
	rb->ssrc = rd32(p);
	rb->fraction = p[4];
	uint32_t l = (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	rb->lost = (l & 0x800000) ? (int32_t)l - 0x1000000 : (int32_t)l;
	rb->ext_max = rd32(p + 8);
	rb->jitter = rd32(p + 12);
	rb->lsr = rd32(p + 16);
	rb->dlsr = rd32(p + 20);
}

/* SR or RR: `p`/`len` is the packet without padding. */
static int report_decode(struct rtcp_msg *m, const uint8_t *p, size_t len)
{
	size_t off = RTCP_HDR + 4;

	if (m->pt == RTCP_SR)
		off += SR_INFO;
	/* §6.4: profile-specific extensions may follow the blocks. */
	if (len < off || (len - off) / RB_SIZE < m->count)
		return EBADMSG;
	m->ssrc = rd32(p + 4);
	if (m->pt == RTCP_SR) {
		m->sr.ntp = (uint64_t)rd32(p + 8) << 32 | rd32(p + 12);
		m->sr.rtp_ts = rd32(p + 16);
		m->sr.pkt_count = rd32(p + 20);
		m->sr.oct_count = rd32(p + 24);
	}
	for (unsigned i = 0; i < m->count; i++)
		rb_decode(&m->rb[i], p + off + i * RB_SIZE);
	return 0;
}

/* One SDES chunk at p[*off]: SSRC, items, a null item, pad to 32 bits
 * (§6.5).  Records the first CNAME seen. */
static int sdes_chunk(struct rtcp_msg *m, const uint8_t *p, size_t len, size_t *off, bool first)
{
	size_t o = *off;

	if (len - o < 4)
		return EBADMSG;
	if (first)
		m->ssrc = rd32(p + o);
	o += 4;
	for (;;) {
		if (o >= len)
			return EBADMSG; /* no null item before the end */
		if (p[o] == 0)
			break;
		if (len - o < 2 || len - o - 2 < p[o + 1])
			return EBADMSG;
		if (p[o] == RTCP_SDES_CNAME && first && !m->cname) {
			m->cname = p + o + 2;
			m->cname_len = p[o + 1];
		}
		o += 2 + (size_t)p[o + 1];
	}
	o = (o + 4) & ~(size_t)3; /* the null item, then up to the next word */
	if (o > len)
		return EBADMSG;
	*off = o;
	return 0;
}

static int sdes_decode(struct rtcp_msg *m, const uint8_t *p, size_t len)
{
	size_t off = RTCP_HDR;

	for (unsigned i = 0; i < m->count; i++) {
		int err = sdes_chunk(m, p, len, &off, i == 0);
		if (err)
			return err;
	}
	return 0;
}

static int bye_decode(struct rtcp_msg *m, const uint8_t *p, size_t len)
{
	size_t off = RTCP_HDR;

	if ((len - off) / 4 < m->count)
		return EBADMSG;
	for (unsigned i = 0; i < m->count; i++, off += 4)
		m->bye_ssrc[i] = rd32(p + off);
	m->ssrc = m->count ? m->bye_ssrc[0] : 0;
	if (off < len) {
		if (len - off - 1 < p[off])
			return EBADMSG;
		m->reason = p + off + 1;
		m->reason_len = p[off];
	}
	return 0;
}

/* One packet of `plen` bytes (header included, padding removed). */
static int msg_decode(struct rtcp_msg *m, const uint8_t *p, size_t plen)
{
	memset(m, 0, offsetof(struct rtcp_msg, rb));
	m->cname = m->reason = NULL;
	m->cname_len = m->reason_len = 0;
	m->count = p[0] & 0x1f;
	m->pt = p[1];
	switch (m->pt) {
	case RTCP_SR:
	case RTCP_RR:
		return report_decode(m, p, plen);
	case RTCP_SDES:
		return sdes_decode(m, p, plen);
	case RTCP_BYE:
		return bye_decode(m, p, plen);
	default:
		return 0; /* APP and later types: length checked, content skipped */
	}
}

/* Length of the packet at p (len bytes remain) and of its padding. */
static int pkt_bounds(const uint8_t *p, size_t len, bool first, size_t *plen, size_t *npad)
{
	if (len < RTCP_HDR)
		return EBADMSG;
	if (p[0] >> 6 != 2)
		return EPROTONOSUPPORT;
	if (first && (p[0] & 0x20 || (p[1] != RTCP_SR && p[1] != RTCP_RR)))
		return EBADMSG;
	size_t n = ((size_t)(p[2] << 8 | p[3]) + 1) * 4;
	if (n > len)
		return EBADMSG;
	*npad = 0;
	if (p[0] & 0x20) {
		/* §6.4.1: only the last packet of a compound may be padded. */
		if (n != len || p[n - 1] == 0 || p[n - 1] > n - RTCP_HDR)
			return EBADMSG;
		*npad = p[n - 1];
	}
	*plen = n;
	return 0;
}

static int compound_walk(const uint8_t *buf, size_t len, rtcp_msg_h *h, void *arg)
{
	struct rtcp_msg m;
	size_t off = 0;

	while (off < len) {
		size_t plen, npad;
		int err = pkt_bounds(buf + off, len - off, off == 0, &plen, &npad);
		if (!err)
			err = msg_decode(&m, buf + off, plen - npad);
		if (err)
			return err;
		if (h)
			h(&m, arg);
		off += plen;
	}
	return 0;
}

int rtcp_decode(const uint8_t *buf, size_t len, rtcp_msg_h *h, void *arg)
{
	if (!buf || len == 0)
		return EBADMSG;
	int err = compound_walk(buf, len, NULL, NULL);
	if (err || !h)
		return err;
	return compound_walk(buf, len, h, arg);
}

/* --- encode ------------------------------------------------------------ */

static void rb_encode(uint8_t *p, const struct rtcp_rb *rb)
{
	int32_t l = rb->lost > 0x7fffff ? 0x7fffff : rb->lost < -0x800000 ? -0x800000 : rb->lost;

	wr32(p, rb->ssrc);
	wr32(p + 4, (uint32_t)rb->fraction << 24 | ((uint32_t)l & 0xffffff));
	wr32(p + 8, rb->ext_max);
	wr32(p + 12, rb->jitter);
	wr32(p + 16, rb->lsr);
	wr32(p + 20, rb->dlsr);
}

int rtcp_encode_report(uint8_t *buf, size_t size, size_t *off, uint32_t ssrc,
		       const struct rtcp_sr *sr, const struct rtcp_rb *rb, unsigned nrb)
{
	size_t n = RTCP_HDR + 4 + (sr ? SR_INFO : 0) + (size_t)nrb * RB_SIZE;

	if (nrb > RTCP_MAX_COUNT || (nrb && !rb))
		return EINVAL;
	if (*off > size || size - *off < n)
		return ENOSPC;
	uint8_t *p = buf + *off;
	wr_hdr(p, nrb, sr ? RTCP_SR : RTCP_RR, n);
	wr32(p + 4, ssrc);
	size_t o = 8;
	if (sr) {
		wr32(p + 8, (uint32_t)(sr->ntp >> 32));
		wr32(p + 12, (uint32_t)sr->ntp);
		wr32(p + 16, sr->rtp_ts);
		wr32(p + 20, sr->pkt_count);
		wr32(p + 24, sr->oct_count);
		o += SR_INFO;
	}
	for (unsigned i = 0; i < nrb; i++, o += RB_SIZE)
		rb_encode(p + o, &rb[i]);
	*off += n;
	return 0;
}

int rtcp_encode_sdes_cname(uint8_t *buf, size_t size, size_t *off, uint32_t ssrc, const char *cname)
{
	size_t clen = cname ? strlen(cname) : 0;

	if (clen > 255)
		return EINVAL;
	/* header, SSRC, CNAME item, null item, padded to a word (§6.5) */
	size_t n = (RTCP_HDR + 4 + 2 + clen + 1 + 3) & ~(size_t)3;
	if (*off > size || size - *off < n)
		return ENOSPC;
	uint8_t *p = buf + *off;
	memset(p, 0, n);
	wr_hdr(p, 1, RTCP_SDES, n);
	wr32(p + 4, ssrc);
	p[8] = RTCP_SDES_CNAME;
	p[9] = (uint8_t)clen;
	if (clen)
		memcpy(p + 10, cname, clen);
	*off += n;
	return 0;
}

int rtcp_encode_bye(uint8_t *buf, size_t size, size_t *off, uint32_t ssrc, const char *reason)
{
	size_t rlen = reason ? strlen(reason) : 0;

	if (rlen > 255)
		return EINVAL;
	size_t n = RTCP_HDR + 4 + (rlen ? (1 + rlen + 3) & ~(size_t)3 : 0);
	if (*off > size || size - *off < n)
		return ENOSPC;
	uint8_t *p = buf + *off;
	memset(p, 0, n);
	wr_hdr(p, 1, RTCP_BYE, n);
	wr32(p + 4, ssrc);
	if (rlen) {
		p[8] = (uint8_t)rlen;
		memcpy(p + 9, reason, rlen);
	}
	*off += n;
	return 0;
}

/* --- timing ------------------------------------------------------------ */

/* §6.3.1 / §A.7.  Senders get a quarter of the RTCP bandwidth when they
 * are at most a quarter of the members.  The interval is randomized over
 * [0.5, 1.5] times the deterministic one so that reports do not
 * synchronize.  The §6.3.1 divisor e - 3/2 compensates for timer
 * reconsideration (§6.3.6), which a two-party session does not run, so it
 * is left out: the mean stays at the nominal interval. */
uint64_t rtcp_interval(const struct rtcp_ival_prm *prm, double r)
{
	double tmin = prm->initial ? 2.5 : 5.0;
	double bw = prm->rtcp_bw > 0 ? prm->rtcp_bw : 1;
	double n = prm->members ? prm->members : 1;

	if (prm->senders > 0 && prm->senders <= n * 0.25) {
		if (prm->we_sent) {
			bw *= 0.25;
			n = prm->senders;
		} else {
			bw *= 0.75;
			n -= prm->senders;
		}
	}
	double t = prm->avg_rtcp_size * n / bw;
	if (t < tmin)
		t = tmin;
	t *= r + 0.5;
	return (uint64_t)(t * 1e9);
}

/* NTP counts from 1900; the fraction is in 2^-32 s (§4). */
uint64_t rtcp_ntp_from_ns(uint64_t unix_ns)
{
	uint64_t sec = unix_ns / 1000000000ull + 2208988800ull;
	uint64_t frac = ((unix_ns % 1000000000ull) << 32) / 1000000000ull;

	return sec << 32 | frac;
}
