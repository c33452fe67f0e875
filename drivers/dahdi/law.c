/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * G.711 companding, computed (no tables to get wrong).  Segment layout per
 * G.711: mu-law adds a bias of 33 (in 14-bit units, 0x84 at 16-bit scale)
 * and inverts all bits; A-law has a linear first segment and inverts the
 * even bits (XOR 0x55).
 */
#include "drivers/dahdi/law.h"

#define ULAW_BIAS 0x84
#define ULAW_CLIP 32635

int16_t law_ulaw_to_lin(uint8_t u)
{
	int exp, mant, s;

	u = (uint8_t)~u;
	exp = (u >> 4) & 7;
	mant = u & 0x0f;
	s = (((mant << 3) + ULAW_BIAS) << exp) - ULAW_BIAS;
	return (int16_t)((u & 0x80) ? -s : s);
}

uint8_t law_lin_to_ulaw(int16_t sample)
{
	int s = sample, sign = 0, exp = 7, mask;

	if (s < 0) {
		s = -s;
		sign = 0x80;
	}
	if (s > ULAW_CLIP)
		s = ULAW_CLIP;
	s += ULAW_BIAS;
	for (mask = 0x4000; !(s & mask) && exp > 0; mask >>= 1)
		exp--;
	return (uint8_t) ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0f));
}

int16_t law_alaw_to_lin(uint8_t a)
{
	int t, seg;

	a ^= 0x55;
	t = (a & 0x0f) << 4;
	seg = (a & 0x70) >> 4;
	if (seg == 0)
		t += 8;
	else
		t = (t + 0x108) << (seg - 1);
	return (int16_t)((a & 0x80) ? t : -t);
}

uint8_t law_lin_to_alaw(int16_t sample)
{
	int s = sample, sign, exp, mask;
	uint8_t a;

	if (s >= 0) {
		sign = 0x80;
	} else {
		sign = 0;
		s = -s - 1; /* A-law is symmetric around -1/2 */
	}
	if (s > 32767)
		s = 32767;
	if (s < 256) {
		a = (uint8_t)(s >> 4);
	} else {
		exp = 7;
		for (mask = 0x4000; !(s & mask); mask >>= 1)
			exp--;
		a = (uint8_t)((exp << 4) | ((s >> (exp + 3)) & 0x0f));
	}
	return (uint8_t)(a ^ (sign ^ 0x55));
}

int16_t law_to_lin(enum tdm_law law, uint8_t x)
{
	return law == TDM_LAW_ALAW ? law_alaw_to_lin(x) : law_ulaw_to_lin(x);
}

uint8_t law_from_lin(enum tdm_law law, int16_t s)
{
	return law == TDM_LAW_ALAW ? law_lin_to_alaw(s) : law_lin_to_ulaw(s);
}

uint8_t law_silence(enum tdm_law law)
{
	return law == TDM_LAW_ALAW ? 0xd5 : 0xff;
}

/* 10^(ddb/200): amplitude factor for tenths of a dB, without libm. */
static double law_gain_factor(int ddb)
{
	const double step = 1.0115794542598986; /* 10^(1/200) */
	double k = 1.0;
	int i, n = ddb < 0 ? -ddb : ddb;

	for (i = 0; i < n; i++)
		k *= step;
	return ddb < 0 ? 1.0 / k : k;
}

void law_gain_table(enum tdm_law law, int ddb, uint8_t tbl[256])
{
	double k = law_gain_factor(ddb);
	unsigned i;

	for (i = 0; i < 256; i++) {
		double v;

		if (!ddb) {
			tbl[i] = (uint8_t)i;
			continue;
		}
		v = law_to_lin(law, (uint8_t)i) * k;
		if (v > 32767.0)
			v = 32767.0;
		if (v < -32767.0)
			v = -32767.0;
		tbl[i] = law_from_lin(law, (int16_t)(v < 0 ? v - 0.5 : v + 0.5));
	}
}

/* --- DAHDI's variant ----------------------------------------------------- */

uint8_t law_dahdi_lin2mu(int16_t s)
{
	/* the table entry for s is computed from s with bits 0-1 cleared */
	int16_t v = (int16_t)(s & ~3);
	int sign = (v >> 8) & 0x80, exp = 0, e;
	uint8_t u;

	if (sign)
		v = (int16_t)-v; /* -32768 stays -32768: the kernel's wrap */
	if (v > ULAW_CLIP)
		v = ULAW_CLIP;
	v = (int16_t)(v + ULAW_BIAS);
	e = (v >> 7) & 0xff;
	while (e >>= 1)
		exp++;
	u = (uint8_t) ~(sign | (exp << 4) | ((v >> (exp + 3)) & 0x0f));
	if (u == 0x00)
		u = 0x02; /* CCITT zero trap */
	if (u == 0xff)
		u = 0x7f; /* "never return 0xff" */
	return u;
}

uint8_t law_dahdi_lin2a(int16_t s)
{
	int v = s & ~3, mask = 0xd5, seg;

	if (v < 0) {
		mask = 0x55;
		v = -v;
	}
	for (seg = 0; seg < 8 && v > (0x100 << seg) - 1; seg++)
		;
	return (uint8_t)(((seg << 4) | ((v >> (seg ? seg + 3 : 4)) & 0x0f)) ^ mask);
}

int16_t law_dahdi_a2lin(uint8_t a)
{
	int i, seg;

	a ^= 0x55;
	i = (a & 0x0f) << 4;
	seg = (a & 0x70) >> 4;
	if (seg)
		i = (i + 0x100) << (seg - 1);
	return (int16_t)((a & 0x80) ? i : -i);
}

uint8_t law_dahdi_lin2x(enum tdm_law law, int16_t s)
{
	return law == TDM_LAW_ALAW ? law_dahdi_lin2a(s) : law_dahdi_lin2mu(s);
}

int16_t law_dahdi_xlaw(enum tdm_law law, uint8_t x)
{
	return law == TDM_LAW_ALAW ? law_dahdi_a2lin(x) : law_ulaw_to_lin(x);
}
