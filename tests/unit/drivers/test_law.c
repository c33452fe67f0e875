/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * G.711 companding as DAHDI's linear mode and gain tables need it.
 */
#include <criterion/criterion.h>

#include "drivers/dahdi/law.h"

Test(law, silence_codes)
{
	cr_assert_eq(law_lin_to_ulaw(0), 0xff);
	cr_assert_eq(law_lin_to_alaw(0), 0xd5);
	cr_assert_eq(law_silence(TDM_LAW_ALAW), 0xd5);
	cr_assert_eq(law_silence(TDM_LAW_MULAW), 0xff);
	cr_assert_eq(law_ulaw_to_lin(0xff), 0);
	cr_assert_eq(law_alaw_to_lin(0xd5), 8);
}

Test(law, known_values)
{
	/* G.711 table extremes */
	cr_assert_eq(law_ulaw_to_lin(0x00), -32124);
	cr_assert_eq(law_ulaw_to_lin(0x80), 32124);
	cr_assert_eq(law_alaw_to_lin(0xaa), 32256);
	cr_assert_eq(law_alaw_to_lin(0x2a), -32256);
	cr_assert_eq(law_lin_to_ulaw(32767), 0x80);
	cr_assert_eq(law_lin_to_ulaw(-32768), 0x00);
	cr_assert_eq(law_lin_to_alaw(32767), 0xaa);
	cr_assert_eq(law_lin_to_alaw(-32768), 0x2a);
}

Test(law, every_code_survives_a_round_trip)
{
	unsigned i;

	for (i = 0; i < 256; i++) {
		cr_assert_eq(law_lin_to_alaw(law_alaw_to_lin((uint8_t)i)), i, "alaw %02x", i);
		if (i != 0x7f) /* mu-law has two zeros; 0x7f comes back as 0xff */
			cr_assert_eq(law_lin_to_ulaw(law_ulaw_to_lin((uint8_t)i)), i, "ulaw %02x",
				     i);
	}
}

Test(law, monotonic_encoding)
{
	int s;
	int16_t prev = law_alaw_to_lin(law_lin_to_alaw(-32768));

	for (s = -32767; s <= 32767; s += 7) {
		int16_t v = law_alaw_to_lin(law_lin_to_alaw((int16_t)s));

		cr_assert_geq(v, prev, "at %d", s);
		prev = v;
	}
}

Test(law, gain_tables)
{
	uint8_t tbl[256];
	unsigned i;

	law_gain_table(TDM_LAW_ALAW, 0, tbl);
	for (i = 0; i < 256; i++)
		cr_assert_eq(tbl[i], i);
	law_gain_table(TDM_LAW_MULAW, 60, tbl);
	/* +6 dB doubles the amplitude, within a step */
	cr_assert_geq(law_ulaw_to_lin(tbl[law_lin_to_ulaw(1000)]), 1900);
	cr_assert_leq(law_ulaw_to_lin(tbl[law_lin_to_ulaw(1000)]), 2100);
	cr_assert_eq(law_ulaw_to_lin(tbl[0x80]), 32124, "saturates");
	law_gain_table(TDM_LAW_ALAW, -60, tbl);
	cr_assert_leq(law_alaw_to_lin(tbl[law_lin_to_alaw(-8000)]), -3700);
	cr_assert_geq(law_alaw_to_lin(tbl[law_lin_to_alaw(-8000)]), -4300);
}

/* DAHDI's own conversions, as dahdi-base.c builds its tables (and as
 * tests/vm checks against the kernel). */
Test(law, dahdi_variant_quirks)
{
	unsigned i;

	cr_assert_eq(law_dahdi_lin2mu(0), 0x7f, "never 0xff: silence is 0x7f");
	cr_assert_eq(law_dahdi_lin2mu(-32764), 0x02, "the CCITT zero trap");
	cr_assert_eq(law_dahdi_lin2mu(-32768), 0x7f, "the sign wraps");
	cr_assert_eq(law_dahdi_lin2mu(1003), law_dahdi_lin2mu(1000), "low two bits ignored");
	cr_assert_eq(law_dahdi_lin2a(0), 0xd5);
	cr_assert_eq(law_dahdi_lin2a(-32768), 0xd5, "the sign wraps");
	cr_assert_eq(law_dahdi_a2lin(0xd5), 0, "lower edge of the step");
	cr_assert_eq(law_dahdi_a2lin(0xaa), 31744);
	cr_assert_eq(law_dahdi_xlaw(TDM_LAW_MULAW, 0x00), -32124);
	for (i = 0; i < 256; i++) {
		uint8_t mu = law_dahdi_lin2mu(law_ulaw_to_lin((uint8_t)i));
		uint8_t a = law_dahdi_lin2a(law_dahdi_a2lin((uint8_t)i));

		cr_assert_eq(mu, i == 0x00 ? 0x02 : i == 0xff ? 0x7f : i, "mu %02x -> %02x", i, mu);
		cr_assert_eq(a, i == 0x55 ? 0xd5 : i, "a %02x -> %02x", i, a);
	}
}
