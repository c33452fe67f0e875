/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Call progress tones from libtonezone's zone descriptions, generated
 * here rather than by DAHDI's tone engine (DAHDI_SENDTONE): the bridge
 * must mix the choice of tone or stream per block, and the sim has no tone
 * engine.  The zones' data is libtonezone's (tone_zone_find()); what the
 * text means follows its build_tone() and DAHDI's player:
 *
 *   "[!]f1[+f2][/ms]" segments separated by commas, "f1*f2" f1 amplitude
 *   modulated by f2.  A segment with a time moves on to the next after it;
 *   one without (or "/0") plays for ever.  After the last timed segment
 *   the cadence starts again at the first segment without '!' (so '!'
 *   segments before it play once); if every segment has '!', the tone
 *   ends in silence.  Like libtonezone's sscanf() patterns, whatever
 *   follows a segment's numbers up to the comma is ignored: some zones
 *   carry typos ("!400/100!0/100", "425@/375") that DAHDI plays that way.
 *
 * Level: -10 dBm0 per frequency, libtonezone's LEVEL, with G.711's full
 * scale at +3.14 dBm0 (G.711 §A/µ tables, as libtonezone computes it).
 *
 * Oscillators: one complex phasor per frequency, rotated by a constant per
 * sample and renormalised after each fill, so the phase carries over
 * from block to block (a jump at each 20 ms boundary would be a 50 Hz
 * buzz) and the amplitude does not drift over a three-minute ringback.
 */
#include <dahdi/tonezone.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/mem.h"
#include "media/bridge.h"
#include "media/g711.h"

#define RATE	      8000
#define TONE_MAX_SEGS 40
#define TONE_MAX_FREQ 100000u
/* 32768 * 10^((-10 - 3.14) / 20) */
#define TONE_GAIN 7219.0

struct tone_seg {
	unsigned f1, f2;
	uint32_t samples; /* 0: for ever */
	bool mod;	  /* f1 modulated by f2, not f1 + f2 */
};

struct osc {
	unsigned f;
	double re, im; /* the phasor; the output is im, sin(phase) */
	double c, s;   /* rotation per sample */
};

struct media_tone {
	struct tone_seg seg[TONE_MAX_SEGS];
	unsigned nseg;
	int loop_to; /* first segment without '!'; -1: none */
	unsigned cur;
	uint32_t pos; /* samples played of the current segment */
	bool ended;
	struct osc osc[2];
};

/* Names as DAHDI_TONE_* (and the switch script's names). */
static const struct {
	const char *name;
	int id;
} tone_ids[] = {
    {"dial", DAHDI_TONE_DIALTONE},     {"busy", DAHDI_TONE_BUSY},
    {"ringback", DAHDI_TONE_RINGTONE}, {"congestion", DAHDI_TONE_CONGESTION},
    {"callwait", DAHDI_TONE_CALLWAIT}, {"dialrecall", DAHDI_TONE_DIALRECALL},
    {"record", DAHDI_TONE_RECORDTONE}, {"info", DAHDI_TONE_INFO},
    {"stutter", DAHDI_TONE_STUTTER},
};

/* A new frequency restarts the phasor at phase 0; the same frequency in
 * the next segment keeps its phase. */
static void osc_set(struct osc *o, unsigned f)
{
	if (o->f == f && (o->re != 0 || o->im != 0))
		return;
	o->f = f;
	o->re = 1;
	o->im = 0;
	o->c = cos(2 * M_PI * f / RATE);
	o->s = sin(2 * M_PI * f / RATE);
}

static void osc_step(struct osc *o)
{
	double re = o->re * o->c - o->im * o->s;

	o->im = o->re * o->s + o->im * o->c;
	o->re = re;
}

/* First-order correction back onto the unit circle: rounding makes |z|
 * wander by about 1e-16 per step, this pulls it back each fill. */
static void osc_norm(struct osc *o)
{
	double k = (3.0 - (o->re * o->re + o->im * o->im)) / 2.0;

	o->re *= k;
	o->im *= k;
}

static void tone_seg_start(struct media_tone *t)
{
	const struct tone_seg *g = &t->seg[t->cur];

	t->pos = 0;
	osc_set(&t->osc[0], g->f1);
	osc_set(&t->osc[1], g->f2);
}

/* A decimal number at *s (digits only), advancing *s; false if none. */
static bool parse_num(const char **s, unsigned *v)
{
	unsigned long x = 0;
	const char *p = *s;

	while (*p >= '0' && *p <= '9' && x <= TONE_MAX_FREQ)
		x = x * 10 + (unsigned long)(*p++ - '0');
	if (p == *s || x > TONE_MAX_FREQ)
		return false;
	*v = (unsigned)x;
	*s = p;
	return true;
}

/* One segment "[!]f1[+f2|*f2][/ms]...": *s ends at the comma or the end. */
static int parse_seg(const char **sp, struct tone_seg *g, bool *bang)
{
	const char *s = *sp;
	unsigned ms = 0;

	memset(g, 0, sizeof(*g));
	*bang = *s == '!';
	s += *bang;
	if (!parse_num(&s, &g->f1))
		return EINVAL;
	if ((*s == '+' || *s == '*') && s[1] >= '0' && s[1] <= '9') {
		g->mod = *s == '*';
		s++;
		parse_num(&s, &g->f2);
	}
	if (*s == '/' && s[1] >= '0' && s[1] <= '9') {
		s++;
		if (!parse_num(&s, &ms))
			return EINVAL;
	}
	g->samples = ms * (RATE / 1000);
	while (*s && *s != ',')
		s++;
	*sp = s;
	return 0;
}

static int tone_parse(struct media_tone *t, const char *s)
{
	t->nseg = 0;
	t->loop_to = -1;
	while (*s) {
		bool bang;

		if (*s == ',') { /* strtok() in libtonezone skips empty ones */
			s++;
			continue;
		}
		if (t->nseg == TONE_MAX_SEGS || parse_seg(&s, &t->seg[t->nseg], &bang))
			return EINVAL;
		if (!bang && t->loop_to < 0)
			t->loop_to = (int)t->nseg;
		t->nseg++;
	}
	return t->nseg ? 0 : EINVAL;
}

int media_tone_alloc_desc(struct media_tone **tp, const char *desc)
{
	struct media_tone *t;
	int err;

	if (!tp || !desc)
		return EINVAL;
	t = mem_zalloc(sizeof(*t), NULL);
	if (!t)
		return ENOMEM;
	err = tone_parse(t, desc);
	if (err) {
		mem_deref(t);
		return err;
	}
	t->cur = 0;
	tone_seg_start(t);
	*tp = t;
	return 0;
}

static const char *zone_tone_desc(const char *zone, const char *tone)
{
	char country[sizeof(((struct tone_zone *)0)->country)];
	const struct tone_zone *z;
	int id = -1;

	for (size_t i = 0; i < sizeof(tone_ids) / sizeof(tone_ids[0]); i++)
		if (!strcmp(tone, tone_ids[i].name))
			id = tone_ids[i].id;
	if (id < 0 || strlen(zone) >= sizeof(country))
		return NULL;
	strcpy(country, zone); /* tone_zone_find() takes a char * */
	z = tone_zone_find(country);
	for (unsigned i = 0; z && i < DAHDI_TONE_MAX; i++)
		if (z->tones[i].toneid == id && z->tones[i].data[0])
			return z->tones[i].data;
	return NULL;
}

int media_tone_alloc(struct media_tone **tp, const char *zone, const char *tone)
{
	const char *desc;

	if (!tp || !zone || !tone)
		return EINVAL;
	desc = zone_tone_desc(zone, tone);
	return desc ? media_tone_alloc_desc(tp, desc) : EINVAL;
}

/* After the current segment's time: the next one, or back to the loop
 * start, or the end of a tone made only of '!' segments. */
static void tone_advance(struct media_tone *t)
{
	int next = (int)t->cur + 1;

	if (next >= (int)t->nseg)
		next = t->loop_to;
	if (next < 0) {
		t->ended = true;
		return;
	}
	t->cur = (unsigned)next;
	tone_seg_start(t);
}

static int16_t tone_sample(const struct media_tone *t)
{
	const struct tone_seg *g = &t->seg[t->cur];
	double v;

	if (g->mod) /* carrier f1 under an envelope swinging 0..1 at f2 */
		v = t->osc[0].im * (1.0 + t->osc[1].im) / 2.0;
	else
		v = t->osc[0].im + t->osc[1].im;
	v *= TONE_GAIN;
	if (v > 32767.0)
		v = 32767.0;
	if (v < -32768.0)
		v = -32768.0;
	return (int16_t)lrint(v);
}

void media_tone_fill_linear(struct media_tone *t, int16_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t->ended) {
			out[i] = 0;
			continue;
		}
		out[i] = tone_sample(t);
		osc_step(&t->osc[0]);
		osc_step(&t->osc[1]);
		if (t->seg[t->cur].samples && ++t->pos >= t->seg[t->cur].samples)
			tone_advance(t);
	}
	osc_norm(&t->osc[0]);
	osc_norm(&t->osc[1]);
}

void media_tone_fill(struct media_tone *t, enum media_law law, uint8_t *blk, size_t n)
{
	int16_t lin[MEDIA_FRAME_SAMPLES];

	while (n) {
		size_t k = n < MEDIA_FRAME_SAMPLES ? n : MEDIA_FRAME_SAMPLES;

		media_tone_fill_linear(t, lin, k);
		for (size_t i = 0; i < k; i++)
			blk[i] = law == MEDIA_LAW_ALAW ? g711_alaw_encode(lin[i])
						       : g711_ulaw_encode(lin[i]);
		blk += k;
		n -= k;
	}
}
