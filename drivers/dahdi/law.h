/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * G.711 A-law and mu-law (ITU-T G.711 tables 1a/2a), for DAHDI's linear
 * mode and gain tables.  Used by drivers/dahdi and by sim/, which stands in
 * for the kernel's DAHDI_XLAW/DAHDI_LIN2X.
 */
#ifndef STROWGER_DRIVERS_DAHDI_LAW_H
#define STROWGER_DRIVERS_DAHDI_LAW_H

#include <stdint.h>

#include "drivers/tdm.h"

int16_t law_ulaw_to_lin(uint8_t u);
int16_t law_alaw_to_lin(uint8_t a);
uint8_t law_lin_to_ulaw(int16_t s);
uint8_t law_lin_to_alaw(int16_t s);

/* `law` is TDM_LAW_ALAW or anything else for mu-law. */
int16_t law_to_lin(enum tdm_law law, uint8_t x);
uint8_t law_from_lin(enum tdm_law law, int16_t s);
/* The code for silence: 0xFF (mu-law), 0xD5 (A-law). */
uint8_t law_silence(enum tdm_law law);

/* DAHDI's own conversions (dahdi-base.c, tables built by dahdi_conv_init),
 * which the sim must reproduce and which differ from textbook G.711:
 * encoding looks up the sample with its two low bits cleared; mu-law never
 * gives 0xff (0x7f instead, so a zero sample is 0x7f) nor 0x00 (0x02, the
 * CCITT zero trap); -32768 wraps (mu-law 0x7f, A-law 0xd5); A-law decodes
 * to the lower edge of each step.  Mu-law decoding is textbook. */
uint8_t law_dahdi_lin2mu(int16_t s);
uint8_t law_dahdi_lin2a(int16_t s);
int16_t law_dahdi_a2lin(uint8_t a);
/* DAHDI_LIN2X / DAHDI_XLAW for a channel of `law`. */
uint8_t law_dahdi_lin2x(enum tdm_law law, int16_t s);
int16_t law_dahdi_xlaw(enum tdm_law law, uint8_t x);

/* A 256-entry gain table for `law`: tbl[x] = x amplified by ddb tenths of
 * a dB (saturating), as DAHDI_SETGAINS wants. */
void law_gain_table(enum tdm_law law, int ddb, uint8_t tbl[256]);

#endif
