/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim private parts: spans, channels, buffers and simulated fds.
 */
#ifndef STROWGER_SIM_SIM_INT_H
#define STROWGER_SIM_SIM_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <dahdi/user.h>

#include "core/list.h"
#include "core/loop.h"
#include "drivers/dahdi/sys.h"
#include "sim/sim.h"
#include "sim/sysconf.h"

/* Simulated fds live far above real ones so a mix-up fails loudly (EBADF).
 * Room for every channel system.conf may have open at once, plus control
 * fds: at 4,096 the media benchmark's 2,000th call (two B-channels a call,
 * and 268 D-channels) found no fd for its channels and lost its audio. */
#define SIM_FD_BASE   0x100000
#define SIM_MAX_FILES (SYSCONF_MAX_CHANNELS + 1024)
#define SIM_CHUNK_MAX 1024 /* bytes per channel per tick (128 ms) */

/* One direction of DAHDI's `numbufs` buffers of `bufsize` bytes, with its
 * index discipline (dahdi-base.c): rx fills `in` and the reader takes
 * `out`; tx: the writer fills `in`, the span sends from `out`; -1 means
 * none (rx: no free buffer; tx: nothing to send or no free buffer). */
struct sim_dbuf {
	uint8_t *mem;
	uint16_t n[DAHDI_MAX_NUM_BUFS];
	unsigned numbufs, bufsize;
	int in, out;
	unsigned pos;	/* rx: fill of `in`; tx: bytes of `out` already sent */
	bool txdisable; /* tx policy WHEN_FULL/HALF_FULL not yet met */
};

struct sim_file;
struct sim_span;

/* Line signals between the two ends of an analog line (the LINE message of
 * the remote wire format uses the same numbers). */
enum sim_line_sig {
	SIM_LINE_OFFHOOK = 1,
	SIM_LINE_ONHOOK = 2,
	SIM_LINE_FLASH = 3,
	SIM_LINE_RING = 4,
	SIM_LINE_RINGOFF = 5,
	SIM_LINE_POL_NORMAL = 6,
	SIM_LINE_POL_REVERSED = 7,
};

struct sim_chan {
	struct sim_span *span;
	unsigned channo, chanpos;
	int sig; /* DAHDI_SIG_* */
	int law; /* DAHDI_LAW_MULAW / ALAW */
	bool linear, hdlc;
	bool audio; /* DAHDI_FLAG_AUDIO: analog always, CLEAR by AUDIOMODE */
	int txpolicy;
	unsigned blocksize;
	struct sim_file *file; /* the fd bound by DAHDI_SPECIFY, or NULL */
	struct sim_dbuf rx, tx;
	unsigned ev_in, ev_out;
	uint8_t *gains; /* rx[256] then tx[256]; NULL: unity */
	unsigned ec_taps;
	bool bufevents;		    /* DAHDI_BUFFER_EVENTS: report under/overruns */
	bool txunderrun, rxoverrun; /* in an under/overrun episode */
	struct sim_chan *peer;	    /* crossed channel */
	/* analog line state: ours, and what we see of the far end (set by a
	 * crossed line directly or by LINE messages from a remote one) */
	bool offhook;		/* FXS-sig: our hook */
	bool ringing, reversed; /* FXO-sig: our ringer, our polarity */
	bool far_offhook;	/* FXO-sig: the phone is off hook */
	bool far_ringing;	/* FXS-sig: ringing voltage on the line */
	struct le ready_le;	/* on sim.ready while readiness is owed */
	/* Last: every tick reads the fields above for thousands of channels,
	 * and the queue is 256 bytes it rarely needs. */
	int ev[DAHDI_MAX_EVENTSIZE];
};

struct sim_span {
	struct sim *sim;
	unsigned spanno;
	enum sysconf_kind kind;
	char name[20];
	unsigned first, nchans;
	struct sim_chan *chans; /* nchans, chanpos i+1 at [i] */
	unsigned nopen_audio;	  /* non-HDLC channels bound to a file */
	unsigned hdlc_lo, hdlc_hi; /* the HDLC channels are among [lo, hi) */
	bool line_crossed;	  /* a channel is crossed with a line elsewhere */
	int deflaw;
	int lineconfig;
	unsigned timing;
	unsigned alarms_inj; /* injected */
	unsigned alarms;     /* as reported (with YELLOW from the peer) */
	struct sim_span *peer;
	bool dchan_down;
	unsigned lose, badfcs, slip;
	struct sim_span_stats st;
	char dyn_addr[32];
	struct sim_remote *remote;     /* far end in another process */
	struct sim_listener *listener; /* accepting far ends (sim_sock.c) */
	bool remote_red;	       /* link to it down or not yet up */
	bool remote_dchan_down;
	unsigned remote_alarms; /* the far end's own alarms */
};

struct sim_file {
	int fd;
	bool ctl;
	struct sim_chan *chan;
	uint32_t watch;
	loop_fd_h *h;
	void *arg;
};

struct sim {
	struct loop *loop;
	struct tdm_sys sys;
	struct sim_span *spans;
	unsigned nspans;
	struct sim_chan **chan_by_no; /* [0..maxchan] */
	unsigned maxchan;
	struct sim_file *files[SIM_MAX_FILES];
	unsigned nfiles_hint;
	struct loop_timer tick;
	uint64_t tick_ns, next_tick, ticks;
	unsigned chunk; /* bytes per channel per tick */
	unsigned stride; /* ticks per B-channel transfer (sim_prm.stride) */
	struct le ready;
	bool in_tick, defer_armed;
	uint8_t scratch[SIM_CHUNK_MAX];
};

/* sim.c */
void sim_chan_kick(struct sim_chan *ch);
void sim_chan_event(struct sim_chan *ch, int ev);
struct sim_chan *sim_chan_get(struct sim *sim, unsigned channo);
int sim_chan_buffers(struct sim_chan *ch, unsigned bufsize, unsigned numbufs);
void sim_chan_reset(struct sim_chan *ch);

/* sim_buf.c: DAHDI buffer discipline */
void sim_dbuf_reset(struct sim_dbuf *b);
bool sim_dbuf_rx_push(struct sim_dbuf *b, const uint8_t *p, unsigned len);
bool sim_dbuf_rx_frame(struct sim_dbuf *b, const uint8_t *p, unsigned len);
int sim_dbuf_rx_take(struct sim_dbuf *b, uint8_t *out, unsigned cap);
int sim_dbuf_tx_put(struct sim_dbuf *b, const uint8_t *p, unsigned len, int policy);
unsigned sim_dbuf_tx_pull(struct sim_dbuf *b, uint8_t *out, unsigned len, int policy);
int sim_dbuf_tx_frame(struct sim_dbuf *b, uint8_t *out, unsigned cap);
uint16_t sim_fcs16(const uint8_t *p, size_t len);

/* sim_sys.c: the system call table */
void sim_sys_init(struct sim *sim);
void sim_files_close_all(struct sim *sim);

/* sim_ioctl.c */
int sim_ioctl_chan(struct sim_file *f, unsigned long req, void *arg);
int sim_ioctl_common(struct sim *sim, struct sim_file *f, unsigned long req, void *arg);

/* sim_remote.c: far end over a UNIX socket (README has the wire format) */
void sim_remote_tick(struct sim_span *span);
void sim_remote_free(struct sim_span *span);
void sim_remote_alarm(struct sim_span *span);
void sim_remote_dchan(struct sim_span *span);
void sim_remote_line(struct sim_chan *ch, enum sim_line_sig sig);
/* sim_sock.c */
void sim_listener_free(struct sim_span *span);

/* sim_line.c: analog line signalling */
int sim_line_hook(struct sim_chan *ch, int op);
/* A signal from the far end of `ch`'s line (crossed or remote). */
void sim_line_apply(struct sim_chan *ch, enum sim_line_sig sig);
int sim_line_polarity(struct sim_chan *ch, int reversed);
bool sim_line_rx_offhook(const struct sim_chan *ch);

/* sim_tick.c */
void sim_tick_span(struct sim_span *span);
void sim_chan_kick_if_ready(struct sim_chan *ch);
/* What the channel sends when it has nothing to send. */
uint8_t sim_chan_idle(const struct sim_chan *ch);
/* One chunk of what `ch` transmits (idle when nothing is queued). */
void sim_chan_tx_chunk(struct sim_chan *ch, uint8_t *out, unsigned len);
/* Deliver one received chunk to `ch` (modifies buf). */
void sim_audio_rx(struct sim_chan *ch, uint8_t *buf, unsigned len);
void sim_dchan_abort(struct sim_span *span);
void sim_ready_dispatch(struct sim *sim);
void sim_alarm_update(struct sim_span *span);

#endif
