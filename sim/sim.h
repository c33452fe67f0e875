/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim: dahdi_dummy in userspace.
 *
 * A sim holds spans and channels read from a file in DAHDI's system.conf
 * syntax and implements the subset of the DAHDI ABI that drivers/dahdi uses
 * behind the same system call table (sim_sys()), with DAHDI's semantics:
 * error codes, ELAST, the event queue, numbufs x blocksize buffers and the
 * transmit policies.  It is the clock master, as dahdi_dummy was: every tick
 * (1 ms by default, on the loop's clock, real or virtual) it moves one chunk
 * of every channel of every span, and it delivers readiness to the driver
 * itself (see sim/README.md for the design).
 *
 * Spans are played against each other back to back (sim_span_cross), or
 * against another process over a UNIX socket (later; README has the wire
 * format).  Faults can be injected: alarms, D-channel down, lost frames,
 * frames with a bad FCS, slips.
 */
#ifndef STROWGER_SIM_SIM_H
#define STROWGER_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct conf_diag;
struct tdm_sys;
struct sim;
struct sim_span;

struct sim_prm {
	const char *path; /* system.conf file, or */
	const char *text; /* its text (name: `name`, default "system.conf") */
	const char *name;
	uint64_t tick; /* ns per tick, a multiple of 125 us (0: 1 ms) */
	/* B-channel audio moves every `stride` ticks, that many ticks' worth
	 * at once, a span's channels staggered so each tick moves 1/stride of
	 * them (0 or 1: every channel every tick, as DAHDI does).  For
	 * benchmarks: thousands of channels cost a visit per block instead of
	 * one per tick, while blocks still complete at tick resolution.
	 * Remote spans ignore it. */
	unsigned stride;
};

/* A mem object.  Problems with the file go to diag (file:line) and give
 * EINVAL.  Ticking starts at once and stops when the sim is freed. */
int sim_alloc(struct sim **simp, struct loop *loop, const struct sim_prm *prm,
	      struct conf_diag *diag);
/* The system call table for drivers/dahdi (valid while the sim lives). */
const struct tdm_sys *sim_sys(struct sim *sim);
unsigned sim_span_count(const struct sim *sim);
struct sim_span *sim_span_find(struct sim *sim, unsigned spanno);
uint64_t sim_ticks(const struct sim *sim);

/* Back to back: channel i of `a` to channel i of `b` (same size), the
 * D-channels carrying frames and the others audio, both ways.  dynamic=loc
 * spans that share a key are crossed when the sim starts, as
 * dahdi_dynamic_loc does.  EBUSY if either is already crossed. */
int sim_span_cross(struct sim_span *a, struct sim_span *b);
/* Two analog lines: an FXS-signalled one with an FXO-signalled one (the
 * CO side and the phone side), by channel number. */
int sim_line_cross(struct sim *sim, unsigned chan_a, unsigned chan_b);

/* The far end is another process: `fd` is a connected AF_UNIX
 * SOCK_SEQPACKET socket speaking the wire format of sim/README.md.  The sim
 * owns fd from now on (closed on failure too).  Until the far end's HELLO
 * the span shows RED.  EBUSY if the span is crossed already. */
int sim_span_remote(struct sim_span *span, int fd);
/* The same over a named socket: listen at `path` (a stale socket there is
 * replaced; the file is removed when the sim is freed) and take one far end
 * at a time, again after a lost link; or connect to one. */
int sim_span_listen(struct sim_span *span, const char *path);
int sim_span_connect(struct sim_span *span, const char *path);
/* Drop the far end (the span shows RED until a new one is attached).
 * ENOTCONN if there is none. */
int sim_span_remote_close(struct sim_span *span);

/* --- Fault injection --------------------------------------------------- */

/* Set the span's own alarms (DAHDI_ALARM_* bits).  RED or BLUE stop what the
 * span receives; a crossed peer of a span in RED sees YELLOW.  Channels get
 * DAHDI_EVENT_ALARM / NOALARM when a span's alarms change. */
int sim_span_alarm(struct sim_span *span, unsigned alarms);
/* D-channel link down (frames lost both ways, both receivers see an HDLC
 * abort: DAHDI_EVENT_ABORT) or back up. */
int sim_span_dchan(struct sim_span *span, bool up);
/* Lose the next n D-channel frames this span sends. */
void sim_span_lose_frames(struct sim_span *span, unsigned n);
/* Corrupt the next n frames this span sends: the receiver drops each with
 * DAHDI_EVENT_BADFCS. */
void sim_span_bad_fcs(struct sim_span *span, unsigned n);
/* One controlled slip on the span's receive side: every audio channel loses
 * one 125 us frame (one byte) of what it receives. */
void sim_span_slip(struct sim_span *span);

struct sim_span_stats {
	uint64_t frames_tx, frames_rx, frames_lost, frames_badfcs;
	uint64_t slips, rx_overruns;
};
void sim_span_stats(const struct sim_span *span, struct sim_span_stats *st);

#endif
