/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTCP (src/media/rtcp.c): SR/RR/SDES/BYE round trips, every malformed
 * length of RFC 3550 §6.4-§6.6 and the compound rules of §6.1/§A.2, and
 * the §6.3.1 interval.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "media/rtcp.h"
#include "sg_test.h"

TestSuite(rtcp, .init = sg_test_begin, .fini = sg_test_end);

static struct rtcp_msg got[8];
static int ngot;

static void collect(const struct rtcp_msg *m, void *arg)
{
	(void)arg;
	if (ngot < 8)
		got[ngot++] = *m;
}

static int decode(const uint8_t *buf, size_t len)
{
	ngot = 0;
	return rtcp_decode(buf, len, collect, NULL);
}

Test(rtcp, sr_sdes_bye_roundtrip)
{
	uint8_t buf[512];
	size_t off = 0;
	struct rtcp_sr sr = {
	    .ntp = 0x0102030405060708ull, .rtp_ts = 160, .pkt_count = 50, .oct_count = 8000};
	struct rtcp_rb rb[2] = {
	    {.ssrc = 11,
	     .fraction = 64,
	     .lost = -3,
	     .ext_max = 70000,
	     .jitter = 12,
	     .lsr = 0xaabbccdd,
	     .dlsr = 65536},
	    {.ssrc = 12, .lost = 0x7fffff},
	};

	cr_assert_eq(rtcp_encode_report(buf, sizeof(buf), &off, 0x1234, &sr, rb, 2), 0);
	cr_assert_eq(off, 28 + 48);
	cr_assert_eq(rtcp_encode_sdes_cname(buf, sizeof(buf), &off, 0x1234, "abc@strowger"), 0);
	cr_assert_eq(off % 4, 0);
	cr_assert_eq(rtcp_encode_bye(buf, sizeof(buf), &off, 0x1234, "done"), 0);
	cr_assert_eq(decode(buf, off), 0);
	cr_assert_eq(ngot, 3);
	cr_expect_eq(got[0].pt, RTCP_SR);
	cr_expect_eq(got[0].ssrc, 0x1234);
	cr_expect_eq(got[0].sr.ntp, sr.ntp);
	cr_expect_eq(got[0].sr.rtp_ts, 160);
	cr_expect_eq(got[0].sr.pkt_count, 50);
	cr_expect_eq(got[0].sr.oct_count, 8000);
	cr_assert_eq(got[0].count, 2);
	cr_expect_eq(got[0].rb[0].ssrc, 11);
	cr_expect_eq(got[0].rb[0].fraction, 64);
	cr_expect_eq(got[0].rb[0].lost, -3);
	cr_expect_eq(got[0].rb[0].ext_max, 70000);
	cr_expect_eq(got[0].rb[0].jitter, 12);
	cr_expect_eq(got[0].rb[0].lsr, 0xaabbccddu);
	cr_expect_eq(got[0].rb[0].dlsr, 65536);
	cr_expect_eq(got[0].rb[1].lost, 0x7fffff);
	cr_expect_eq(got[1].pt, RTCP_SDES);
	cr_assert_eq(got[1].cname_len, 12);
	cr_expect_eq(memcmp(got[1].cname, "abc@strowger", 12), 0);
	cr_expect_eq(got[2].pt, RTCP_BYE);
	cr_expect_eq(got[2].bye_ssrc[0], 0x1234);
	cr_assert_eq(got[2].reason_len, 4);
	cr_expect_eq(memcmp(got[2].reason, "done", 4), 0);
}

Test(rtcp, rr_empty_and_bye_without_reason)
{
	uint8_t buf[64];
	size_t off = 0;

	cr_assert_eq(rtcp_encode_report(buf, sizeof(buf), &off, 5, NULL, NULL, 0), 0);
	cr_assert_eq(off, 8);
	cr_assert_eq(rtcp_encode_bye(buf, sizeof(buf), &off, 5, NULL), 0);
	cr_assert_eq(decode(buf, off), 0);
	cr_assert_eq(ngot, 2);
	cr_expect_eq(got[0].pt, RTCP_RR);
	cr_expect_eq(got[0].count, 0);
	cr_expect_eq(got[1].reason, NULL);
}

Test(rtcp, encode_nospace)
{
	uint8_t buf[64];
	size_t off = 60;
	struct rtcp_rb rb = {0};

	cr_expect_eq(rtcp_encode_report(buf, sizeof(buf), &off, 1, NULL, &rb, 1), ENOSPC);
	cr_expect_eq(rtcp_encode_sdes_cname(buf, sizeof(buf), &off, 1, "x"), ENOSPC);
	cr_expect_eq(rtcp_encode_bye(buf, sizeof(buf), &off, 1, "x"), ENOSPC);
	cr_expect_eq(off, 60);
	off = 0;
	cr_expect_eq(rtcp_encode_report(buf, sizeof(buf), &off, 1, NULL, NULL, 1), EINVAL);
}

/* An RR with one block: 32 bytes, length field 7. */
static size_t rr1(uint8_t *b)
{
	size_t off = 0;
	struct rtcp_rb rb = {.ssrc = 1};
	rtcp_encode_report(b, 64, &off, 2, NULL, &rb, 1);
	return off;
}

Test(rtcp, malformed_headers)
{
	uint8_t b[128] = {0};
	size_t n;

	cr_expect_eq(rtcp_decode(b, 0, NULL, NULL), EBADMSG);
	cr_expect_eq(rtcp_decode(NULL, 8, NULL, NULL), EBADMSG);
	n = rr1(b);
	for (size_t i = 1; i < n; i++)
		cr_expect_eq(rtcp_decode(b, i, NULL, NULL), EBADMSG, "truncated to %zu", i);
	cr_expect_eq(rtcp_decode(b, n, NULL, NULL), 0);
	/* Version 1. */
	b[0] = (uint8_t)((b[0] & 0x3f) | 0x40);
	cr_expect_eq(rtcp_decode(b, n, NULL, NULL), EPROTONOSUPPORT);
	/* Length field past the datagram; RC claiming more blocks than fit. */
	n = rr1(b);
	b[3] = 8;
	cr_expect_eq(rtcp_decode(b, n, NULL, NULL), EBADMSG);
	n = rr1(b);
	b[0] = 0x82;
	cr_expect_eq(rtcp_decode(b, n, NULL, NULL), EBADMSG);
	/* Trailing bytes that are not a packet. */
	n = rr1(b);
	b[n] = 0x80;
	cr_expect_eq(rtcp_decode(b, n + 1, NULL, NULL), EBADMSG);
	/* SR too short for its sender info. */
	uint8_t sr[8] = {0x80, RTCP_SR, 0, 1, 0, 0, 0, 1};
	cr_expect_eq(rtcp_decode(sr, 8, NULL, NULL), EBADMSG);
}

Test(rtcp, compound_rules)
{
	uint8_t b[128];
	size_t off = 0;

	/* First packet must be SR or RR. */
	rtcp_encode_bye(b, sizeof(b), &off, 1, NULL);
	cr_expect_eq(rtcp_decode(b, off, NULL, NULL), EBADMSG);
	/* Padding on a packet that is not the last. */
	off = rr1(b);
	b[0] |= 0x20;
	rtcp_encode_bye(b, sizeof(b), &off, 1, NULL);
	cr_expect_eq(rtcp_decode(b, off, NULL, NULL), EBADMSG);
	/* A handler is not called for any part of a bad compound. */
	off = rr1(b);
	b[off] = 0x80;
	b[off + 1] = RTCP_BYE;
	b[off + 2] = 0;
	b[off + 3] = 0;
	b[off] = 0x81; /* BYE SC=1 with no room for the SSRC */
	cr_expect_eq(decode(b, off + 4), EBADMSG);
	cr_expect_eq(ngot, 0);
}

Test(rtcp, padding_on_last)
{
	uint8_t b[128];
	size_t off = rr1(b);
	size_t start = off;

	rtcp_encode_bye(b, sizeof(b), &off, 1, NULL);
	/* Pad the BYE by 4 bytes: length + 1 word, last byte = 4. */
	b[start] |= 0x20;
	b[start + 3] = 2;
	memset(b + off, 0, 4);
	b[off + 3] = 4;
	cr_expect_eq(decode(b, off + 4), 0);
	cr_expect_eq(ngot, 2);
	b[off + 3] = 0; /* zero count */
	cr_expect_eq(rtcp_decode(b, off + 4, NULL, NULL), EBADMSG);
	b[off + 3] = 13; /* more than the packet */
	cr_expect_eq(rtcp_decode(b, off + 4, NULL, NULL), EBADMSG);
}

Test(rtcp, sdes_bounds)
{
	uint8_t b[128];
	size_t off = rr1(b), s = off;

	rtcp_encode_sdes_cname(b, sizeof(b), &off, 9, "abcd");
	cr_assert_eq(rtcp_decode(b, off, NULL, NULL), 0);
	/* Item length past the packet. */
	b[s + 9] = 40;
	cr_expect_eq(rtcp_decode(b, off, NULL, NULL), EBADMSG);
	b[s + 9] = 4;
	/* Two chunks claimed, one present. */
	b[s] = 0x82;
	cr_expect_eq(rtcp_decode(b, off, NULL, NULL), EBADMSG);
	b[s] = 0x81;
	/* No null item: fill the tail with a non-zero item type. */
	memset(b + s + 14, 7, off - s - 14);
	cr_expect_eq(rtcp_decode(b, off, NULL, NULL), EBADMSG);
	/* A chunk with no room for its SSRC. */
	uint8_t c[12] = {0x80, RTCP_RR, 0, 1, 0, 0, 0, 1, 0x81, RTCP_SDES, 0, 0};
	cr_expect_eq(rtcp_decode(c, 12, NULL, NULL), EBADMSG);
}

Test(rtcp, bye_reason_bounds)
{
	uint8_t b[128];
	size_t off = rr1(b), s = off;

	rtcp_encode_bye(b, sizeof(b), &off, 9, "bye");
	cr_assert_eq(rtcp_decode(b, off, NULL, NULL), 0);
	b[s + 8] = 200; /* reason longer than the packet */
	cr_expect_eq(rtcp_decode(b, off, NULL, NULL), EBADMSG);
}

Test(rtcp, interval)
{
	struct rtcp_ival_prm p = {
	    .members = 2, .senders = 2, .rtcp_bw = 500, .avg_rtcp_size = 100, .we_sent = true};

	cr_expect_eq(rtcp_interval(&p, 0.5), 5 * 1000000000ull); /* nominal */
	cr_expect_eq(rtcp_interval(&p, 0.0), 2500000000ull);
	cr_expect_lt(rtcp_interval(&p, 0.999999), 7500000000ull);
	p.initial = true;
	cr_expect_eq(rtcp_interval(&p, 0.5), 2500000000ull);
	/* Many members: the deterministic part exceeds Tmin. */
	p.initial = false;
	p.members = 100;
	p.senders = 50;
	cr_expect_eq(rtcp_interval(&p, 0.5), 20 * 1000000000ull);
	/* Senders a quarter or less of members: they share 25%. */
	p.senders = 10;
	cr_expect_eq(rtcp_interval(&p, 0.5), 8 * 1000000000ull);
}

Test(rtcp, ntp)
{
	/* 1970-01-01 is NTP second 2208988800; half a second is 2^31. */
	uint64_t n = rtcp_ntp_from_ns(500000000ull);
	cr_expect_eq(n >> 32, 2208988800ull);
	cr_expect_eq((uint32_t)n, 0x80000000u);
	cr_expect_eq(rtcp_ntp_mid(n), (uint32_t)((2208988800ull << 16) | 0x8000));
}
