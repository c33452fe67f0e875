/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ITU-T G.711 A-law and µ-law: 16-bit linear ⇄ 8-bit code, and direct
 * byte translation A⇄µ for a call whose SIP and TDM laws differ.  All
 * tables are const data, so any number of media threads share them.
 */
#ifndef STROWGER_MEDIA_G711_H
#define STROWGER_MEDIA_G711_H

#include <stddef.h>
#include <stdint.h>

uint8_t g711_alaw_encode(int16_t pcm);
int16_t g711_alaw_decode(uint8_t a);
uint8_t g711_ulaw_encode(int16_t pcm);
int16_t g711_ulaw_decode(uint8_t u);

/* Byte translation tables: decode in one law, re-encode in the other. */
extern const uint8_t g711_alaw_to_ulaw[256];
extern const uint8_t g711_ulaw_to_alaw[256];

/* out[i] = table[in[i]]; `in` and `out` may be the same buffer. */
void g711_translate(const uint8_t table[256], const uint8_t *in, uint8_t *out, size_t n);

#endif
