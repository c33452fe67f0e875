/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small jitter buffer for 20 ms G.711 frames, keyed by RTP sequence
 * number.  It reorders, drops duplicates and packets that arrive after
 * their playout slot, fills gaps (repeat the last frame once, then
 * silence: real concealment is the Media issue's), and adapts its depth
 * between a minimum and a maximum.  The playout clock is the caller's
 * (the TDM channel): one jbuf_get() per 20 ms.  No allocation, no time
 * source, no I/O: embedded in its stream and driven by put/get.
 */
#ifndef STROWGER_MEDIA_JBUF_H
#define STROWGER_MEDIA_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/media.h"

#define JBUF_FRAME MEDIA_FRAME_SAMPLES
#define JBUF_SLOTS 32 /* power of two: at most 640 ms of 20 ms frames */

struct jbuf_prm {
	unsigned min_frames; /* playout delay to start with (and floor) */
	unsigned max_frames; /* ceiling; frames beyond it push the oldest out */
	uint8_t silence;     /* the law's silence code (µ 0xff, A 0xd5) */
};

struct jbuf_stats {
	uint64_t put, played;
	uint64_t late;	   /* arrived after their slot was played */
	uint64_t dup;	   /* same sequence number twice */
	uint64_t overflow; /* dropped unplayed: buffer full, or too deep (delay) */
	uint64_t lost;	   /* missing when their slot came up */
	uint64_t filled;   /* frames made up (gap or underrun) */
	uint64_t underrun; /* buffer ran dry while playing */
	uint64_t resync;   /* sequence jumped: started again */
	uint64_t bad;	   /* payload not one 20 ms frame */
	uint64_t target_grow; /* times the target depth grew (late or underrun) */
};

struct jbuf_slot {
	uint16_t seq;
	bool used;
	uint8_t data[JBUF_FRAME];
};

/* The state every put and get reads comes first, in one or two cache
 * lines: with thousands of calls each buffer is cold when its packet
 * arrives, and a miss per scattered field costs more than the work. */
struct jbuf {
	unsigned min, max, target;
	bool started, playing, have_last;
	bool last_in_slot; /* the last frame is still slot[last_idx]'s data */
	uint16_t next;	   /* sequence number of the next frame to play */
	uint16_t top;	   /* one past the highest sequence number stored */
	unsigned nfill;	   /* consecutive made-up frames */
	unsigned high;	   /* consecutive gets with depth above target */
	unsigned calm;	   /* gets since the last late packet or underrun */
	uint8_t silence;
	uint8_t last_idx;
	struct jbuf_stats st;
	struct jbuf_slot slot[JBUF_SLOTS];
	uint8_t last[JBUF_FRAME]; /* the last frame once its slot is reused */
};

void jbuf_init(struct jbuf *jb, const struct jbuf_prm *prm);
/* Forget queued frames (new source); statistics are kept. */
void jbuf_reset(struct jbuf *jb);
/* Queue one frame.  0; EALREADY (duplicate), ETIME (late), EMSGSIZE
 * (not JBUF_FRAME bytes).  The caller need not act on errors: they are
 * counted. */
int jbuf_put(struct jbuf *jb, uint16_t seq, const uint8_t *data, size_t len);
/* The next 20 ms for playout into `out` (n <= JBUF_FRAME; the rest of a
 * short frame is silence).  True if it is a received frame, false if it
 * was made up or the buffer is still filling. */
bool jbuf_get(struct jbuf *jb, uint8_t *out, size_t n);
/* Frames between playout and the newest one (gaps included). */
unsigned jbuf_depth(const struct jbuf *jb);
unsigned jbuf_target(const struct jbuf *jb);
const struct jbuf_stats *jbuf_stats(const struct jbuf *jb);

#endif
