/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the media parsers: the first byte picks what the
 * rest is fed to.
 *   0: an RTP datagram (rtp_hdr_decode): the payload view must lie inside
 *      the input;
 *   1: an RTCP compound (rtcp_decode): every view inside the input, counts
 *      within the 5-bit field;
 *   2: a packet arrival script for the §A.1 source state and the jitter
 *      buffer: 3-byte steps (seq, op), depth never above the maximum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/jbuf.h"
#include "media/rtcp.h"
#include "media/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in_lo, *in_hi;

static void check_view(const uint8_t *p, size_t n)
{
	if (n && (p < in_lo || p > in_hi || (size_t)(in_hi - p) < n))
		abort();
}

static void fuzz_rtp(const uint8_t *p, size_t n)
{
	struct rtp_hdr h;

	if (rtp_hdr_decode(&h, p, n) != 0)
		return;
	check_view(h.payload, h.payload_len);
	if (h.payload < p + RTP_HDR_SIZE + 4u * h.cc)
		abort();
	uint8_t out[RTP_HDR_SIZE + 4 * RTP_MAX_CSRC];
	size_t len;
	struct rtp_hdr d;
	if (rtp_hdr_encode(&h, out, sizeof(out), &len) || rtp_hdr_decode(&d, out, len) ||
	    d.seq != h.seq || d.ts != h.ts || d.ssrc != h.ssrc || d.cc != h.cc)
		abort();
}

static void on_msg(const struct rtcp_msg *m, void *arg)
{
	(void)arg;
	if (m->count > RTCP_MAX_COUNT)
		abort();
	check_view(m->cname, m->cname_len);
	check_view(m->reason, m->reason_len);
}

static void fuzz_script(const uint8_t *p, size_t n)
{
	struct jbuf jb;
	struct rtp_source src;
	uint8_t frame[JBUF_FRAME] = {0}, out[JBUF_FRAME];
	struct jbuf_prm prm = {
	    .min_frames = n ? p[0] % 8 : 2, .max_frames = n ? p[0] % 33 : 10, .silence = 0xd5};

	jbuf_init(&jb, &prm);
	rtp_source_init(&src, 1, n >= 3 ? (uint16_t)(p[1] << 8 | p[2]) : 0);
	for (size_t i = 1; i + 3 <= n; i += 3) {
		uint16_t seq = (uint16_t)(p[i] << 8 | p[i + 1]);
		uint8_t op = p[i + 2];
		rtp_source_update_seq(&src, seq);
		rtp_source_update_jitter(&src, (uint32_t)seq * 160, (uint32_t)i * 160);
		if (op & 1)
			jbuf_put(&jb, seq, frame, op & 2 ? JBUF_FRAME : op);
		if (op & 4)
			jbuf_get(&jb, out, sizeof(out));
		if (op == 0xff)
			jbuf_reset(&jb);
		if (jbuf_depth(&jb) > JBUF_SLOTS)
			abort();
	}
	rtp_source_lost(&src);
	rtp_source_fraction(&src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;

	in_lo = p;
	in_hi = p + n;
	switch (data[0] % 3) {
	case 0:
		fuzz_rtp(p, n);
		break;
	case 1:
		rtcp_decode(p, n, on_msg, NULL);
		break;
	default:
		fuzz_script(p, n);
		break;
	}
	return 0;
}
