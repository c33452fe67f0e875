/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Jitter buffer (see jbuf.h).
 *
 *            put(seq)                          get() every 20 ms
 *   seq < next: late (dropped)       FILLING ──depth >= target──► PLAYING
 *   slot holds seq: duplicate           ▲                          │
 *   seq - next >= max: push oldest out  └───── buffer ran dry ◄────┘
 *   seq jumps far: start again                 (target + 1)
 *
 * Frames sit in a ring indexed by seq mod JBUF_SLOTS; `next` is the slot
 * to play and `top` one past the newest.  Depth = top - next, in frames.
 *
 * Starting to play (first, or again after running dry) with a burst
 * queued, at least two frames over target, drops the oldest down to the
 * target: the burst's delay would otherwise stay.
 *
 * Adapting: a late packet or an underrun means the network jitters more
 * than the buffer absorbs, so the target grows by one frame (up to max).
 * After 10 s with neither, the target shrinks by one (down to min); a
 * buffer that has stayed two or more frames above target for a second
 * drops one frame to come back down, so the delay does not creep up.
 * RFC 3550 §A.8's jitter estimate is reported separately by the stream.
 */
#include "media/jbuf.h"

#include <errno.h>
#include <string.h>

#define JBUF_RESYNC 100 /* a jump this far (2 s) is a restart, not loss */
#define JBUF_CALM   500 /* 10 s of gets without trouble: shrink target */
#define JBUF_HIGH   50	/* 1 s above target: drop a frame */

void jbuf_init(struct jbuf *jb, const struct jbuf_prm *prm)
{
	memset(jb, 0, sizeof(*jb));
	jb->max = prm->max_frames;
	if (jb->max < 1)
		jb->max = 1;
	if (jb->max > JBUF_SLOTS)
		jb->max = JBUF_SLOTS;
	jb->min = prm->min_frames < jb->max ? prm->min_frames : jb->max - 1;
	jb->target = jb->min;
	jb->silence = prm->silence;
}

void jbuf_reset(struct jbuf *jb)
{
	for (unsigned i = 0; i < JBUF_SLOTS; i++)
		jb->slot[i].used = false;
	jb->started = false;
	jb->playing = false;
	jb->nfill = 0;
	jb->high = 0;
}

unsigned jbuf_depth(const struct jbuf *jb)
{
	return jb->started ? (uint16_t)(jb->top - jb->next) : 0;
}

unsigned jbuf_target(const struct jbuf *jb)
{
	return jb->target;
}

const struct jbuf_stats *jbuf_stats(const struct jbuf *jb)
{
	return &jb->st;
}

static struct jbuf_slot *slot_of(struct jbuf *jb, uint16_t seq)
{
	return &jb->slot[seq & (JBUF_SLOTS - 1)];
}

static void target_grow(struct jbuf *jb)
{
	if (jb->target + 1 < jb->max) {
		jb->target++;
		jb->st.target_grow++;
	}
	jb->calm = 0;
}

/* Advance playout past `next`, counting a frame that was never played. */
static void skip_one(struct jbuf *jb, uint64_t *counter)
{
	struct jbuf_slot *s = slot_of(jb, jb->next);

	if (s->used && s->seq == jb->next) {
		s->used = false;
		(*counter)++;
	}
	jb->next++;
}

static void start_at(struct jbuf *jb, uint16_t seq)
{
	jbuf_reset(jb);
	jb->started = true;
	jb->next = seq;
	jb->top = seq;
}

/* A packet older than playout: before playing starts it may still be
 * the stream's real first packet, reordered; after, it is late. */
static int put_behind(struct jbuf *jb, uint16_t seq, int d)
{
	if (jb->playing || (uint16_t)(jb->top - seq) > jb->max) {
		if (d < -JBUF_RESYNC) {
			start_at(jb, seq);
			jb->st.resync++;
			return 0;
		}
		jb->st.late++;
		target_grow(jb);
		return ETIME;
	}
	jb->next = seq;
	return 0;
}

/* A packet too far ahead for the buffer: restart on a big jump, else
 * push the oldest frames out to make room. */
static void put_ahead(struct jbuf *jb, uint16_t seq, int d)
{
	if (d > JBUF_RESYNC) {
		start_at(jb, seq);
		jb->st.resync++;
		return;
	}
	while ((uint16_t)(seq - jb->next) >= jb->max)
		skip_one(jb, &jb->st.overflow);
	if ((int16_t)(jb->top - jb->next) < 0)
		jb->top = jb->next;
}

int jbuf_put(struct jbuf *jb, uint16_t seq, const uint8_t *data, size_t len)
{
	if (len != JBUF_FRAME) {
		jb->st.bad++;
		return EMSGSIZE;
	}
	if (!jb->started)
		start_at(jb, seq);
	int d = (int16_t)(uint16_t)(seq - jb->next);
	if (d < 0) {
		int err = put_behind(jb, seq, d);
		if (err)
			return err;
	} else if ((unsigned)d >= jb->max) {
		put_ahead(jb, seq, d);
	}
	struct jbuf_slot *s = slot_of(jb, seq);
	if (s->used && s->seq == seq) {
		jb->st.dup++;
		return EALREADY;
	}
	/* The last frame played stays in its slot until a frame takes the
	 * slot over: only then is it worth copying aside. */
	if (jb->last_in_slot && s == &jb->slot[jb->last_idx]) {
		memcpy(jb->last, s->data, JBUF_FRAME);
		jb->last_in_slot = false;
	}
	s->used = true;
	s->seq = seq;
	memcpy(s->data, data, JBUF_FRAME);
	if ((int16_t)(uint16_t)(seq - jb->top) >= 0)
		jb->top = (uint16_t)(seq + 1);
	jb->st.put++;
	return 0;
}

/* Make up a frame: the last one once (a 20 ms repeat is less audible
 * than a hole), silence after that. */
static void fill(struct jbuf *jb, uint8_t *out, size_t n)
{
	if (jb->nfill == 0 && jb->have_last)
		memcpy(out, jb->last_in_slot ? jb->slot[jb->last_idx].data : jb->last, n);
	else
		memset(out, jb->silence, n);
	jb->nfill++;
	jb->st.filled++;
}

/* Depth control after a frame was played (see the top of the file). */
static void adapt(struct jbuf *jb)
{
	if (++jb->calm >= JBUF_CALM) {
		jb->calm = 0;
		if (jb->target > jb->min)
			jb->target--;
	}
	if (jbuf_depth(jb) >= jb->target + 2) {
		if (++jb->high >= JBUF_HIGH) {
			jb->high = 0;
			skip_one(jb, &jb->st.overflow);
		}
	} else {
		jb->high = 0;
	}
}

/* Playout (re)starts with more queued than the target plus the slack
 * adapt() tolerates: a burst, such as the packets that queued while the
 * call was being set up or while the peer's path stalled.  Playing from
 * its oldest frame would keep the burst's delay in the call, and adapt()
 * takes a second per frame to work it off; so start `target` frames
 * before the newest instead. */
static void trim_on_start(struct jbuf *jb)
{
	unsigned keep = jb->target ? jb->target : 1; /* the newest frame plays */

	if (jbuf_depth(jb) < keep + 2)
		return;
	while (jbuf_depth(jb) > keep)
		skip_one(jb, &jb->st.overflow);
}

bool jbuf_get(struct jbuf *jb, uint8_t *out, size_t n)
{
	if (n > JBUF_FRAME)
		n = JBUF_FRAME;
	if (!jb->started || (!jb->playing && jbuf_depth(jb) < jb->target) || jbuf_depth(jb) == 0) {
		if (jb->playing) {
			/* Ran dry: wait for the buffer to refill. */
			jb->playing = false;
			jb->st.underrun++;
			target_grow(jb);
			fill(jb, out, n);
		} else {
			memset(out, jb->silence, n);
		}
		return false;
	}
	if (!jb->playing)
		trim_on_start(jb);
	jb->playing = true;
	struct jbuf_slot *s = slot_of(jb, jb->next);
	bool real = s->used && s->seq == jb->next;
	if (real) {
		memcpy(out, s->data, n);
		jb->have_last = true;
		jb->last_in_slot = true; /* copied aside only if the slot is reused */
		jb->last_idx = (uint8_t)(jb->next & (JBUF_SLOTS - 1));
		s->used = false;
		jb->nfill = 0;
		jb->st.played++;
	} else {
		jb->st.lost++;
		fill(jb, out, n);
	}
	jb->next++;
	adapt(jb);
	return real;
}
