/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTP header and source state (src/media/rtp.c): good packets, every
 * length and bounds error of RFC 3550 §5.1/§5.3.1, §A.1 sequence
 * validation and §A.8 jitter.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "media/rtp.h"
#include "sg_test.h"

TestSuite(rtp, .init = sg_test_begin, .fini = sg_test_end);

/* V=2, PT 8, seq 0x1234, ts 0x01020304, SSRC 0xdeadbeef. */
static const uint8_t base[12] = {0x80, 0x08, 0x12, 0x34, 0x01, 0x02,
				 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef};

static size_t mk(uint8_t *buf, uint8_t b0, const uint8_t *rest, size_t nrest)
{
	memcpy(buf, base, 12);
	buf[0] = b0;
	if (nrest)
		memcpy(buf + 12, rest, nrest);
	return 12 + nrest;
}

Test(rtp, plain_packet)
{
	uint8_t buf[12 + 160];
	struct rtp_hdr h;

	memcpy(buf, base, 12);
	memset(buf + 12, 0xd5, 160);
	buf[1] |= 0x80;
	cr_assert_eq(rtp_hdr_decode(&h, buf, sizeof(buf)), 0);
	cr_expect(h.marker);
	cr_expect_eq(h.pt, 8);
	cr_expect_eq(h.seq, 0x1234);
	cr_expect_eq(h.ts, 0x01020304u);
	cr_expect_eq(h.ssrc, 0xdeadbeefu);
	cr_expect_eq(h.cc, 0);
	cr_expect_eq(h.payload, buf + 12);
	cr_expect_eq(h.payload_len, 160);
}

Test(rtp, header_only_is_empty_payload)
{
	struct rtp_hdr h;
	cr_assert_eq(rtp_hdr_decode(&h, base, 12), 0);
	cr_expect_eq(h.payload_len, 0);
}

Test(rtp, csrc_ext_padding)
{
	uint8_t buf[64];
	const uint8_t rest[] = {
	    0,	  0,	0, 1, 0,    0,	  0, 2, /* two CSRCs */
	    0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0, /* extension: one word */
	    1,	  2,	3,			/* payload */
	    0,	  0,	3,			/* three bytes of padding */
	};
	size_t n = mk(buf, 0x80 | 0x20 | 0x10 | 2, rest, sizeof(rest));
	struct rtp_hdr h;

	cr_assert_eq(rtp_hdr_decode(&h, buf, n), 0);
	cr_expect_eq(h.cc, 2);
	cr_expect_eq(h.csrc[0], 1);
	cr_expect_eq(h.csrc[1], 2);
	cr_expect(h.ext);
	cr_expect_eq(h.ext_profile, 0xbede);
	cr_expect_eq(h.ext_len, 4);
	cr_expect_eq(h.payload_len, 3);
	cr_expect_eq(h.payload[0], 1);
}

Test(rtp, malformed)
{
	uint8_t buf[64];
	struct rtp_hdr h;
	const uint8_t csrc1[] = {0, 0, 0, 1};
	const uint8_t ext_short[] = {0xbe, 0xde};
	const uint8_t ext_over[] = {0xbe, 0xde, 0, 2, 1, 2, 3, 4};
	const uint8_t pad_zero[] = {1, 2, 0};
	const uint8_t pad_over[] = {1, 2, 4};

	for (size_t n = 0; n < 12; n++)
		cr_expect_eq(rtp_hdr_decode(&h, base, n), EBADMSG, "len %zu", n);
	cr_expect_eq(rtp_hdr_decode(NULL, base, 12), EBADMSG);
	cr_expect_eq(rtp_hdr_decode(&h, NULL, 12), EBADMSG);
	for (uint8_t v = 0; v < 4; v++) {
		if (v == 2)
			continue;
		size_t n = mk(buf, (uint8_t)(v << 6), NULL, 0);
		cr_expect_eq(rtp_hdr_decode(&h, buf, n), EPROTONOSUPPORT, "version %u", v);
	}
	/* CC says 2 CSRCs, only one present; CC 15 on a bare header. */
	cr_expect_eq(rtp_hdr_decode(&h, buf, mk(buf, 0x82, csrc1, 4)), EBADMSG);
	cr_expect_eq(rtp_hdr_decode(&h, buf, mk(buf, 0x8f, NULL, 0)), EBADMSG);
	/* X set, no room for the extension head; head claims 8 bytes, 4 there. */
	cr_expect_eq(rtp_hdr_decode(&h, buf, mk(buf, 0x90, NULL, 0)), EBADMSG);
	cr_expect_eq(rtp_hdr_decode(&h, buf, mk(buf, 0x90, ext_short, 2)), EBADMSG);
	cr_expect_eq(rtp_hdr_decode(&h, buf, mk(buf, 0x90, ext_over, 8)), EBADMSG);
	/* P set: a zero count, a count past the payload, a count eating the
	 * header, and padding on a bare header. */
	cr_expect_eq(rtp_hdr_decode(&h, buf, mk(buf, 0xa0, pad_zero, 3)), EBADMSG);
	cr_expect_eq(rtp_hdr_decode(&h, buf, mk(buf, 0xa0, pad_over, 3)), EBADMSG);
	cr_expect_eq(rtp_hdr_decode(&h, buf, mk(buf, 0xa1, csrc1, 4)), EBADMSG);
	memcpy(buf, base, 12);
	buf[0] = 0xa0;
	buf[11] = 1;
	cr_expect_eq(rtp_hdr_decode(&h, buf, 12), EBADMSG);
}

Test(rtp, padding_exactly_payload)
{
	uint8_t buf[32];
	const uint8_t rest[] = {0, 0, 0, 4};
	struct rtp_hdr h;

	cr_assert_eq(rtp_hdr_decode(&h, buf, mk(buf, 0xa0, rest, 4)), 0);
	cr_expect_eq(h.payload_len, 0);
}

Test(rtp, encode_roundtrip)
{
	struct rtp_hdr h = {.marker = true, .pt = 0, .seq = 65535, .ts = 7, .ssrc = 9, .cc = 1};
	struct rtp_hdr d;
	uint8_t buf[20];
	size_t n;

	h.csrc[0] = 0x01020304;
	cr_expect_eq(rtp_hdr_encode(&h, buf, 15, &n), ENOSPC);
	cr_assert_eq(rtp_hdr_encode(&h, buf, sizeof(buf), &n), 0);
	cr_assert_eq(n, 16);
	cr_assert_eq(rtp_hdr_decode(&d, buf, n), 0);
	cr_expect(d.marker);
	cr_expect_eq(d.seq, 65535);
	cr_expect_eq(d.ts, 7);
	cr_expect_eq(d.ssrc, 9);
	cr_expect_eq(d.csrc[0], 0x01020304u);
	h.pt = 128;
	cr_expect_eq(rtp_hdr_encode(&h, buf, sizeof(buf), &n), EINVAL);
}

Test(rtp, seq_probation_and_wrap)
{
	struct rtp_source s;

	rtp_source_init(&s, 1, 65534);
	cr_expect_not(rtp_source_update_seq(&s, 65534)); /* first: on probation */
	cr_expect(rtp_source_update_seq(&s, 65535));	 /* second in order: valid */
	cr_expect(rtp_source_update_seq(&s, 0));	 /* wraps */
	cr_expect(rtp_source_update_seq(&s, 1));
	cr_expect_eq(rtp_source_ext_max(&s), 65536u + 1);
	cr_expect_eq(s.received, 3);
	cr_expect_eq(rtp_source_lost(&s), 0);
}

Test(rtp, seq_probation_restarts_on_gap)
{
	struct rtp_source s;

	rtp_source_init(&s, 1, 100);
	cr_expect_not(rtp_source_update_seq(&s, 100));
	cr_expect_not(rtp_source_update_seq(&s, 105)); /* not in sequence */
	cr_expect(rtp_source_update_seq(&s, 106));
}

Test(rtp, seq_loss_and_fraction)
{
	struct rtp_source s;

	rtp_source_init(&s, 1, 10);
	rtp_source_update_seq(&s, 10);
	rtp_source_update_seq(&s, 11);
	for (uint16_t q = 12; q < 20; q += 2) /* 12,14,16,18: 4 of 8 lost */
		cr_expect(rtp_source_update_seq(&s, q));
	cr_expect_eq(rtp_source_ext_max(&s), 18);
	cr_expect_eq(rtp_source_lost(&s), 3); /* 11..18 expected 8, got 5 */
	cr_expect_eq(rtp_source_fraction(&s), (3 * 256) / 8);
	cr_expect_eq(rtp_source_fraction(&s), 0); /* nothing new since */
}

Test(rtp, seq_big_jump_needs_confirmation)
{
	struct rtp_source s;

	rtp_source_init(&s, 1, 10);
	rtp_source_update_seq(&s, 10);
	rtp_source_update_seq(&s, 11);
	cr_expect_not(rtp_source_update_seq(&s, 20000)); /* a jump: held */
	cr_expect(rtp_source_update_seq(&s, 12));	 /* old stream goes on */
	cr_expect_not(rtp_source_update_seq(&s, 30000));
	cr_expect(rtp_source_update_seq(&s, 30001)); /* confirmed: restart */
	cr_expect_eq(s.base_seq, 30001);
	cr_expect(rtp_source_update_seq(&s, 29990)); /* misordered: counted */
}

Test(rtp, jitter_a8)
{
	struct rtp_source s;

	rtp_source_init(&s, 1, 0);
	/* Perfectly paced: no jitter. */
	for (uint32_t i = 0; i < 10; i++)
		rtp_source_update_jitter(&s, i * 160, 5000 + i * 160);
	cr_expect_eq(s.jitter, 0);
	/* One packet 80 samples late: J = 80/16 = 5 (scaled: 80). */
	rtp_source_update_jitter(&s, 1600, 5000 + 1600 + 80);
	cr_expect_eq(s.jitter, 80);
	cr_expect_eq(s.jitter >> 4, 5);
}
