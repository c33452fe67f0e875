/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * G.711 (src/media/g711.c): known code points, round trips, monotonic
 * segments, and the A⇄µ translation tables.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "media/g711.h"
#include "sg_test.h"

TestSuite(g711, .init = sg_test_begin, .fini = sg_test_end);

Test(g711, known_values)
{
	/* µ-law: 0xff and 0x7f are +0 and -0; 0x80/0x00 the extremes. */
	cr_expect_eq(g711_ulaw_decode(0xff), 0);
	cr_expect_eq(g711_ulaw_decode(0x7f), 0);
	cr_expect_eq(g711_ulaw_decode(0x80), 32124);
	cr_expect_eq(g711_ulaw_decode(0x00), -32124);
	cr_expect_eq(g711_ulaw_encode(0), 0xff);
	cr_expect_eq(g711_ulaw_encode(32767), 0x80);
	cr_expect_eq(g711_ulaw_encode(-32768), 0x00);
	/* A-law: 0xd5/0x55 are the smallest steps either side of zero (±8),
	 * 0xaa/0x2a the extremes (±32256). */
	cr_expect_eq(g711_alaw_decode(0xd5), 8);
	cr_expect_eq(g711_alaw_decode(0x55), -8);
	cr_expect_eq(g711_alaw_decode(0xaa), 32256);
	cr_expect_eq(g711_alaw_decode(0x2a), -32256);
	cr_expect_eq(g711_alaw_encode(0), 0xd5);
	cr_expect_eq(g711_alaw_encode(32767), 0xaa);
	cr_expect_eq(g711_alaw_encode(-32768), 0x2a);
}

Test(g711, code_roundtrip)
{
	for (int c = 0; c < 256; c++) {
		cr_expect_eq(g711_alaw_encode(g711_alaw_decode((uint8_t)c)), c, "A 0x%02x", c);
		if (c != 0x7f) /* -0 re-encodes as +0 */
			cr_expect_eq(g711_ulaw_encode(g711_ulaw_decode((uint8_t)c)), c, "u 0x%02x",
				     c);
	}
}

/* The decoded value is within half a step of the input (plus the bits
 * dropped going to 13/14-bit): each code's interval is one step wide. */
Test(g711, quantization_error)
{
	for (int x = -32768; x <= 32767; x += 7) {
		int16_t a = g711_alaw_decode(g711_alaw_encode((int16_t)x));
		int16_t u = g711_ulaw_decode(g711_ulaw_encode((int16_t)x));
		int ea = abs(a - x), eu = abs(u - x);
		/* Top segments: steps of 1024 in both laws; beyond them, clipping. */
		cr_assert_leq(ea, x > 32256 || x < -32256 ? 1024 : 520, "A %d -> %d", x, a);
		cr_assert_leq(eu, x > 32124 || x < -32124 ? 1024 : 520, "u %d -> %d", x, u);
		/* Relative error of a log law stays small above the first segments. */
		if (abs(x) > 256) {
			cr_assert_leq(ea * 32, abs(x) + 32, "A rel %d", x);
			cr_assert_leq(eu * 16, abs(x) + 16, "u rel %d", x);
		}
	}
}

Test(g711, translation_tables)
{
	int moved_a = 0, moved_u = 0;

	for (int c = 0; c < 256; c++) {
		uint8_t a = (uint8_t)c;
		cr_expect_eq(g711_alaw_to_ulaw[a], g711_ulaw_encode(g711_alaw_decode(a)));
		cr_expect_eq(g711_ulaw_to_alaw[a], g711_alaw_encode(g711_ulaw_decode(a)));
		/* The sign survives translation. */
		cr_expect_eq(g711_alaw_decode(a) > 0, g711_ulaw_decode(g711_alaw_to_ulaw[a]) >= 0);
		uint8_t back = g711_ulaw_to_alaw[g711_alaw_to_ulaw[a]];
		if (back != a) {
			moved_a++;
			/* ...and a double conversion moves by one step at most. */
			cr_expect_leq(abs((back ^ 0x55) - (a ^ 0x55)), 1, "A 0x%02x -> 0x%02x", a,
				      back);
		}
		if (g711_alaw_to_ulaw[g711_ulaw_to_alaw[a]] != a)
			moved_u++;
	}
	/* The 16 codes near zero that the other law cannot represent. */
	cr_expect_eq(moved_a, 16);
	cr_expect_eq(moved_u, 16);
	/* Silence maps to silence. */
	cr_expect_eq(g711_alaw_to_ulaw[0xd5], 0xfe);
	cr_expect_eq(g711_ulaw_to_alaw[0xff], 0xd5);
}

Test(g711, translate_in_place)
{
	uint8_t buf[4] = {0xd5, 0x55, 0xaa, 0x2a};
	g711_translate(g711_alaw_to_ulaw, buf, buf, 4);
	cr_expect_eq(buf[2], 0x80);
	cr_expect_eq(buf[3], 0x00);
	g711_translate(g711_ulaw_to_alaw, buf, buf, 4);
	cr_expect_eq(buf[2], 0xaa);
	cr_expect_eq(buf[3], 0x2a);
}

/* Decision levels mirror about zero: x and its ones' complement -x-1
 * differ only in the sign bit, in both laws. */
Test(g711, symmetric_quantizer)
{
	for (int x = 0; x <= 32767; x++) {
		int16_t p = (int16_t)x, n = (int16_t)(-x - 1);
		cr_assert_eq(g711_alaw_encode(n), g711_alaw_encode(p) ^ 0x80, "A %d", x);
		cr_assert_eq(g711_ulaw_encode(n), g711_ulaw_encode(p) ^ 0x80, "u %d", x);
	}
}
