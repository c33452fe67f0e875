/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated switch's B-channel audio: tones from a libtonezone zone,
 * echo and recording, on the TDM channel of the call (drivers/tdm.h).
 * Everything is paced by the received blocks: each block received (every
 * 20 ms) is answered by one block sent, as a real far end's clock would.
 *
 * The channel carries law bytes while it echoes (an echo is a byte copy:
 * decoding and re-encoding every sample cost a tenth of the media
 * benchmark's core) and 16-bit linear samples for tones and recording;
 * the driver converts (DAHDI_SETLINEAR), so what goes on the line is the
 * same either way.
 *
 * A zone's tone is a list of segments "[!]f1[+f2][/ms]" separated by commas
 * (libtonezone's format): '!' segments play once, then the rest repeats; a
 * segment without a time lasts for ever.
 */
#include <dahdi/tonezone.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "drivers/tdm.h"
#include "pstn/isdn_switch_int.h"

#define RATE	  8000
#define MAX_SEGS  32
#define REC_MAX	  (RATE * 60) /* one minute */
#define AMPLITUDE 5000.0      /* about -16 dBm0 per frequency */

struct seg {
	unsigned f1, f2;
	unsigned samples; /* 0: for ever */
	bool once;
};

struct sw_media {
	struct tdm_chan *ch;
	enum sw_media_mode mode;
	struct seg segs[MAX_SEGS];
	unsigned nsegs, seg, pos;
	uint64_t t; /* samples since the tone started */
	bool looped;
	int16_t *rec;
	size_t nrec;
};

/* "480+620/500,0/500" into segments; EINVAL if malformed. */
static int tone_parse(struct sw_media *m, const char *s)
{
	m->nsegs = 0;
	while (*s) {
		struct seg g = {0};
		char *end;
		if (m->nsegs == MAX_SEGS)
			return EINVAL;
		if (*s == '!') {
			g.once = true;
			s++;
		}
		g.f1 = (unsigned)strtoul(s, &end, 10);
		if (end == s)
			return EINVAL;
		s = end;
		if (*s == '+' || *s == '*') { /* '*': modulation, played as a sum */
			g.f2 = (unsigned)strtoul(s + 1, &end, 10);
			s = end;
		}
		if (*s == '/') {
			g.samples = (unsigned)strtoul(s + 1, &end, 10) * (RATE / 1000);
			s = end;
		}
		if (*s == ',')
			s++;
		else if (*s)
			return EINVAL;
		m->segs[m->nsegs++] = g;
	}
	return m->nsegs ? 0 : EINVAL;
}

/* Next segment, skipping '!' ones once the cadence has looped. */
static void tone_next(struct sw_media *m)
{
	for (unsigned i = 0; i < m->nsegs; i++) {
		if (++m->seg >= m->nsegs) {
			m->seg = 0;
			m->looped = true;
		}
		if (!(m->looped && m->segs[m->seg].once))
			break;
	}
	m->pos = 0;
}

static void tone_fill(struct sw_media *m, int16_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct seg *g = &m->segs[m->seg];
		double t = (double)m->t++ / RATE, v = 0;
		if (g->f1)
			v += sin(2 * M_PI * g->f1 * t);
		if (g->f2)
			v += sin(2 * M_PI * g->f2 * t);
		out[i] = (int16_t)(v * AMPLITUDE);
		if (g->samples && ++m->pos >= g->samples)
			tone_next(m);
	}
}

static void media_rx(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	struct sw_media *m = arg;
	int16_t buf[1024];
	size_t n = len / 2;
	(void)ch;
	if (n > sizeof(buf) / sizeof(buf[0]))
		n = sizeof(buf) / sizeof(buf[0]);
	switch (m->mode) {
	case SW_MEDIA_ECHO:
		tdm_chan_write(m->ch, data, len, NULL);
		break;
	case SW_MEDIA_TONE:
		tone_fill(m, buf, n);
		tdm_chan_write(m->ch, (const uint8_t *)buf, n * 2, NULL);
		break;
	case SW_MEDIA_RECORD:
		if (!m->rec)
			m->rec = malloc(REC_MAX * sizeof(*m->rec));
		if (m->rec && m->nrec + n <= REC_MAX) {
			memcpy(m->rec + m->nrec, data, n * 2);
			m->nrec += n;
		}
		break;
	default:
		break;
	}
}

static void media_destroy(void *data)
{
	struct sw_media *m = data;
	mem_deref(m->ch);
	free(m->rec);
}

int sw_media_open(struct sw_media **mp, struct tdm *tdm, unsigned channo)
{
	struct sw_media *m = mem_zalloc(sizeof(*m), media_destroy);
	if (!m)
		return ENOMEM;
	struct tdm_chan_prm prm = {.channo = channo, .audioh = media_rx, .arg = m};
	int rc = tdm_chan_open(&m->ch, tdm, &prm);
	if (rc) {
		mem_deref(m);
		return rc;
	}
	*mp = m;
	return 0;
}

int sw_media_set(struct sw_media *m, enum sw_media_mode mode, const char *tone)
{
	int rc = mode == SW_MEDIA_TONE ? tone_parse(m, tone) : 0;

	/* An echo copies whatever it reads, so either format echoes: the
	 * switch only costs a block in the other format on the way. */
	if (!rc)
		rc = tdm_chan_set_linear(m->ch, mode == SW_MEDIA_TONE || mode == SW_MEDIA_RECORD);
	if (rc)
		return rc;
	if (mode == SW_MEDIA_TONE) {
		m->seg = m->pos = 0;
		m->t = 0;
		m->looped = false;
	}
	m->mode = mode;
	return 0;
}

const int16_t *sw_media_recording(const struct sw_media *m, size_t *n)
{
	*n = m->nrec;
	return m->rec;
}

const char *sw_zone_tone(const struct tone_zone *z, unsigned toneid)
{
	for (unsigned i = 0; z && i < DAHDI_TONE_MAX; i++)
		if (z->tones[i].data[0] && (unsigned)z->tones[i].toneid == toneid)
			return z->tones[i].data;
	return NULL;
}
