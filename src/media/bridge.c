/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media bridge (bridge.h): one TDM channel, one stream, and per block
 * the choice of what goes to the channel:
 *
 *     tone set?  ──yes──►  tone samples   (stream still put/get: paced)
 *        │no
 *     stream?    ──yes──►  media_stream_tdm_get()
 *        │no
 *     silence
 *
 * Everything happens in the channel's audio callback, once per block read,
 * so the TDM clock is the only clock: no timer of our own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "drivers/tdm.h"
#include "media/bridge.h"
#include "media/g711.h"

/* Blocks of silence queued at open: one plays while the first block is
 * being received, the other covers a late loop turn (see bridge.h). */
#define BRIDGE_PREFILL 2

struct media_bridge {
	struct tdm_chan *ch;
	struct media_stream *s; /* not a reference: see bridge.h */
	struct media_tone *tone;
	enum media_law law;
	uint8_t silence;
	bool tx_full; /* the driver refused a block: logged once per episode */
	char name[32];
	struct media_bridge_stats st;
};

static void bridge_destroy(void *data)
{
	struct media_bridge *b = data;

	LOGD(LC_MEDIA, b->name, "closed: %llu blocks in, %llu out, %llu underruns",
	     (unsigned long long)b->st.blocks_in, (unsigned long long)b->st.blocks_out,
	     (unsigned long long)b->st.underruns);
	b->s = NULL;
	mem_deref(b->ch);
	mem_deref(b->tone);
}

static void bridge_write(struct media_bridge *b, const uint8_t *blk, size_t n)
{
	size_t done = 0;
	int err = tdm_chan_write(b->ch, blk, n, &done);

	if (!err) {
		b->st.blocks_out++;
		b->tx_full = false;
		return;
	}
	/* Only if something else writes to the channel, or reads stalled
	 * while the driver kept our blocks: never queue more, drop this one. */
	b->st.tx_dropped++;
	if (!b->tx_full)
		LOGW(LC_MEDIA, b->name, "channel refused a block: %s", strerror(err));
	b->tx_full = true;
}

static void bridge_audio(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	struct media_bridge *b = arg;
	uint8_t out[MEDIA_FRAME_SAMPLES];
	size_t n = len < sizeof(out) ? len : sizeof(out);

	(void)ch;
	b->st.blocks_in++;
	if (b->s) {
		media_stream_tdm_put(data, n, b->s);
		/* Under a tone too: the jitter buffer keeps draining at the
		 * channel's pace, so audio after the tone is not stale. */
		media_stream_tdm_get(out, n, b->s);
	} else {
		memset(out, b->silence, n);
	}
	if (b->tone) {
		media_tone_fill(b->tone, b->law, out, n);
		b->st.tone_blocks++;
	}
	bridge_write(b, out, n);
}

static void bridge_event(struct tdm_chan *ch, const struct tdm_ev *ev, void *arg)
{
	struct media_bridge *b = arg;

	(void)ch;
	switch (ev->type) {
	case TDM_EV_WRITE_UNDERRUN:
		/* The span sent idle for want of our block: audible as a gap.
		 * Before the first block read it is only the moment between
		 * open and the prefill (hardware ticks on its own). */
		if (b->st.blocks_in)
			b->st.underruns++;
		LOGD(LC_MEDIA, b->name, "transmit underrun");
		break;
	case TDM_EV_READ_OVERRUN:
		LOGD(LC_MEDIA, b->name, "receive overrun");
		break;
	default:
		/* Alarms and the like belong to the signalling layer, which
		 * sees them on its own span. */
		break;
	}
}

int media_bridge_alloc(struct media_bridge **bp, struct loop *loop, struct tdm *tdm, unsigned chan,
		       enum media_law law)
{
	struct media_bridge *b;
	uint8_t blk[MEDIA_FRAME_SAMPLES];
	int err;

	if (!bp || !tdm || !chan || loop != tdm_loop(tdm) ||
	    (law != MEDIA_LAW_ALAW && law != MEDIA_LAW_ULAW))
		return EINVAL;
	b = mem_zalloc(sizeof(*b), bridge_destroy);
	if (!b)
		return ENOMEM;
	b->law = law;
	b->silence = law == MEDIA_LAW_ALAW ? g711_alaw_encode(0) : g711_ulaw_encode(0);
	struct tdm_chan_prm prm = {
	    .channo = chan,
	    .law = law == MEDIA_LAW_ALAW ? TDM_LAW_ALAW : TDM_LAW_MULAW,
	    .block = MEDIA_FRAME_SAMPLES,
	    .buffer_events = true, /* to count underruns */
	    .audioh = bridge_audio,
	    .eventh = bridge_event,
	    .arg = b,
	};
	err = tdm_chan_open(&b->ch, tdm, &prm);
	if (err) {
		mem_deref(b);
		return err;
	}
	const char *cn = tdm_chan_name(b->ch);
	snprintf(b->name, sizeof(b->name), "bridge %s", strncmp(cn, "tdm ", 4) ? cn : cn + 4);
	memset(blk, b->silence, sizeof(blk));
	for (unsigned i = 0; i < BRIDGE_PREFILL; i++)
		bridge_write(b, blk, sizeof(blk));
	LOGD(LC_MEDIA, b->name, "open, %s", law == MEDIA_LAW_ALAW ? "alaw" : "ulaw");
	*bp = b;
	return 0;
}

void media_bridge_connect(struct media_bridge *b, struct media_stream *s)
{
	if (!b || b->s == s)
		return;
	if (s)
		LOGD(LC_MEDIA, b->name, "connected to %s", media_stream_name(s));
	else
		LOGD(LC_MEDIA, b->name, "disconnected from %s", media_stream_name(b->s));
	b->s = s;
}

int media_bridge_tone(struct media_bridge *b, const char *zone, const char *tone)
{
	struct media_tone *t;
	int err;

	if (!b)
		return EINVAL;
	if (!zone && !tone) {
		if (b->tone)
			LOGD(LC_MEDIA, b->name, "tone stopped");
		b->tone = mem_deref(b->tone);
		return 0;
	}
	err = media_tone_alloc(&t, zone, tone);
	if (err) {
		LOGI(LC_MEDIA, b->name, "no tone '%s' in zone '%s'", tone ? tone : "",
		     zone ? zone : "");
		return err;
	}
	mem_deref(b->tone);
	b->tone = t;
	LOGD(LC_MEDIA, b->name, "tone %s/%s", zone, tone);
	return 0;
}

void media_bridge_stats(const struct media_bridge *b, struct media_bridge_stats *st)
{
	*st = b->st;
}

enum media_law media_bridge_law(const struct media_bridge *b)
{
	return b->law;
}

const char *media_bridge_name(const struct media_bridge *b)
{
	return b->name;
}
