/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media bridge: once a call is answered (or has early media) it moves
 * audio between one TDM B-channel and one RTP stream, without the call
 * layer in the path.
 *
 *        TDM channel (drivers/tdm.h)              media_stream (media.h)
 *   block of 160 read ──► media_stream_tdm_put ──► RTP
 *   block of 160 written ◄── media_stream_tdm_get ◄── jitter buffer
 *                        ◄── or a libtonezone tone (local ringback, busy)
 *                        ◄── or silence (nothing connected)
 *
 * The channel's clock paces everything: every block the driver hands up
 * (20 ms) is answered by exactly one block written, one DAHDI buffer per
 * write.  Two blocks of silence are queued when the channel opens, so the
 * transmit side always has one block in hand while the next one is read
 * (a loop turn that comes late does not make the span send idle).
 *
 * Tones.  media_bridge_tone() plays a tone of a libtonezone country zone
 * toward the PSTN instead of the stream's audio: e.g. the local ringback
 * an ISDN caller hears when the SIP side answers 180 without SDP (RFC 3666
 * §2.2).  The stream stays paced while a tone plays (its jitter buffer is
 * drained and its audio dropped), so what follows the tone is current
 * audio, not a backlog.  The samples are generated here from the zone's
 * description ("425/1000,0/4000"), not by DAHDI's tone engine, which the
 * sim does not have and which a channel in a conference would not use.
 *
 * Lifetimes.  The bridge does not hold a reference on the stream it is
 * connected to: the owner (call layer) must call media_bridge_connect(b,
 * NULL), or free the bridge, BEFORE it frees that stream.  Everything runs
 * on the loop of the tdm back end; the stream must live on the same loop.
 */
#ifndef STROWGER_MEDIA_BRIDGE_H
#define STROWGER_MEDIA_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "media/media.h"

struct loop;
struct tdm;
struct media_bridge;

struct media_bridge_stats {
	uint64_t blocks_in;  /* blocks read from the channel */
	uint64_t blocks_out; /* blocks the driver took (2 of them at open) */
	uint64_t tx_dropped; /* blocks the driver refused (its buffers full) */
	uint64_t underruns;  /* times the channel ran dry and sent idle
			      * (DAHDI_EVENT_WRITE_UNDERRUN) */
	uint64_t tone_blocks;
};

/* A mem object: opens DAHDI channel `chan` (global number, as in
 * system.conf) through drivers/tdm.h, 160-sample blocks in `law`, and
 * starts sending silence.  `loop` must be the tdm back end's loop (EINVAL
 * otherwise); the errors of tdm_chan_open() otherwise (EBUSY: the channel
 * is open elsewhere).  Freeing it closes the channel. */
int media_bridge_alloc(struct media_bridge **bp, struct loop *loop, struct tdm *tdm, unsigned chan,
		       enum media_law law);
/* From the next block on, audio goes between the channel and `s` (made
 * with tdm_law = this bridge's law); NULL disconnects (silence again).
 * Not a reference: disconnect before freeing `s`. */
void media_bridge_connect(struct media_bridge *b, struct media_stream *s);
/* Play tone `tone` ("dial", "busy", "ringback", "congestion", "callwait",
 * "dialrecall", "record", "info", "stutter") of country `zone` ("de",
 * "us", "uk" ...: libtonezone's zones) toward the channel instead of the
 * stream's audio, from its start.  tone(b, NULL, NULL) stops it.  EINVAL
 * for an unknown zone or tone, or one the zone lacks: nothing changes. */
int media_bridge_tone(struct media_bridge *b, const char *zone, const char *tone);
void media_bridge_stats(const struct media_bridge *b, struct media_bridge_stats *st);
enum media_law media_bridge_law(const struct media_bridge *b);
const char *media_bridge_name(const struct media_bridge *b); /* "bridge s1c7" */

/* The tone generator behind media_bridge_tone() (bridge_tone.c), usable
 * on its own: a mem object holding the cadence and the oscillators' phase,
 * so consecutive fills are one continuous signal. */
struct media_tone;
int media_tone_alloc(struct media_tone **tp, const char *zone, const char *tone);
/* The same from a tone description in libtonezone's syntax:
 * "[!]f1[+f2|*f2][/ms]" segments separated by commas. */
int media_tone_alloc_desc(struct media_tone **tp, const char *desc);
/* The next n samples, 16-bit linear or encoded in `law`. */
void media_tone_fill_linear(struct media_tone *t, int16_t *out, size_t n);
void media_tone_fill(struct media_tone *t, enum media_law law, uint8_t *blk, size_t n);

#endif
