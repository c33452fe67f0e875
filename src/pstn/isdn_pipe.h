/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An in-memory D-channel between controllers on one loop: what a back-to-back
 * simulated span does, for tests, benchmarks and the simulated switch.
 *
 * End 0 is the hub.  On a point-to-point link there is one other end; on a
 * BRI point-to-multipoint bus several: the hub's frames reach every other
 * end, theirs reach the hub only (an S/T bus as the NT sees it).  Frames are
 * delivered in order from a deferred call, never from inside the writer, so
 * no controller is re-entered.  Tests can cut the wire, watch or drop frames,
 * and inject raw bytes.
 */
#ifndef STROWGER_PSTN_ISDN_PIPE_H
#define STROWGER_PSTN_ISDN_PIPE_H

#include "pstn/isdn.h"

#define ISDN_PIPE_MAX_ENDS  8
#define ISDN_PIPE_FRAME_MAX 512

struct isdn_pipe;
struct isdn_pipe_end;

/* A mem object with `nends` ends (2 for point-to-point). */
int isdn_pipe_alloc(struct isdn_pipe **pp, struct loop *loop, unsigned nends);
/* The ops and ops_arg to give isdn_ctrl_alloc() for end `i`. */
extern const struct isdn_dchan_ops isdn_pipe_ops;
struct isdn_pipe_end *isdn_pipe_end(struct isdn_pipe *p, unsigned i);
/* Frames for end `i` go to `ctrl` (NULL: dropped).  No reference taken. */
void isdn_pipe_attach(struct isdn_pipe *p, unsigned i, struct isdn_ctrl *ctrl);
/* Cut (false) or mend the wire: while cut, every frame is lost. */
void isdn_pipe_set_up(struct isdn_pipe *p, bool up);
/* See each frame written by end `from`; return false to drop it. */
typedef bool(isdn_pipe_tap_h)(unsigned from, const uint8_t *frame, size_t len, void *arg);
void isdn_pipe_tap(struct isdn_pipe *p, isdn_pipe_tap_h *h, void *arg);
/* Rewrite each frame written by end `from` in place (data holds up to
 * ISDN_PIPE_FRAME_MAX bytes; update *len).  Runs after the tap. */
typedef void(isdn_pipe_mangle_h)(unsigned from, uint8_t *data, size_t *len, void *arg);
void isdn_pipe_mangle(struct isdn_pipe *p, isdn_pipe_mangle_h *h, void *arg);
/* Carry frames at `bits_per_s` (64000 for a D-channel of a PRI, 16000 on
 * BRI), one at a time, instead of at once (0).  Bounds the frame rate of a
 * storm between two confused peers, as a real wire does. */
void isdn_pipe_set_rate(struct isdn_pipe *p, uint64_t bits_per_s);
/* Queue raw bytes for end `to`, as if the wire carried them. */
int isdn_pipe_inject(struct isdn_pipe *p, unsigned to, const uint8_t *frame, size_t len);
/* Frames carried so far. */
uint64_t isdn_pipe_frames(const struct isdn_pipe *p);

#endif
