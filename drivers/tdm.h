/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one interface between PSTN signalling (pstn/isdn, pstn/analog) and
 * telephony channels, and between media (media/bridge) and audio blocks.
 *
 * Two kinds of object:
 *
 *   span  a trunk (E1/T1/BRI, or a group of analog ports).  It reports its
 *         alarms and, when it has one, carries the D-channel: whole HDLC
 *         frames in and out (Q.921 frames for libpri).
 *   chan  one channel by its global number: B-channel audio in blocks
 *         (A-law, mu-law or 16-bit linear), analog line signalling (hook,
 *         ring, flash, polarity), line events, echo canceller, gains.
 *
 * Everything is driven from the caller's loop: objects report data and
 * events through callbacks and never block.  There is one back end,
 * drivers/dahdi, which speaks the DAHDI ABI through a table of system calls
 * (struct tdm_sys, drivers/dahdi/sys.h); the production table holds the
 * real calls and sim/ holds a userspace DAHDI.  Callers never see DAHDI
 * headers: the enums below mirror DAHDI's numbers, and the back end checks
 * at compile time that they agree.
 *
 * Frames given to and taken from a span are Q.921 frames WITHOUT the two FCS
 * bytes; the back end adds room for them on write and strips them on read
 * (DAHDI's HDLC mode computes and checks the FCS itself).
 */
#ifndef STROWGER_DRIVERS_TDM_H
#define STROWGER_DRIVERS_TDM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct tdm;
struct tdm_sys;
struct tdm_span;
struct tdm_chan;

/* --- Events ------------------------------------------------------------- */

/* Channel events, numbered as DAHDI_EVENT_* (dahdi/user.h).  The digit
 * events carry the digit in tdm_ev.digit. */
enum tdm_event {
	TDM_EV_NONE = 0,
	TDM_EV_ONHOOK = 1,	/* far end hung up / loop opened */
	TDM_EV_RINGOFFHOOK = 2, /* FXO-sig: phone off hook; FXS-sig: ring seen */
	TDM_EV_WINKFLASH = 3,	/* wink or hook flash received */
	TDM_EV_ALARM = 4,	/* the span went into alarm (tdm_ev.alarms) */
	TDM_EV_NOALARM = 5,	/* the span's alarms cleared */
	TDM_EV_ABORT = 6,	/* HDLC abort received */
	TDM_EV_OVERRUN = 7,	/* HDLC frame too long for the buffer */
	TDM_EV_BADFCS = 8,	/* HDLC frame with a bad checksum, dropped */
	TDM_EV_DIALCOMPLETE = 9,
	TDM_EV_RINGERON = 10,	  /* our ringer started (FXO-sig) */
	TDM_EV_RINGEROFF = 11,	  /* our ringer stopped (FXO-sig) */
	TDM_EV_HOOKCOMPLETE = 12, /* a wink/flash we sent has completed */
	TDM_EV_BITSCHANGED = 13,  /* CAS bits changed */
	TDM_EV_PULSE_START = 14,
	TDM_EV_TIMER_EXPIRED = 15,
	TDM_EV_TIMER_PING = 16,
	TDM_EV_POLARITY = 17,	 /* line polarity reversed */
	TDM_EV_RINGBEGIN = 18,	 /* ringing voltage first seen */
	TDM_EV_EC_DISABLED = 19, /* echo canceller turned itself off (2100 Hz) */
	TDM_EV_REMOVED = 20,	 /* the channel's hardware went away */
	TDM_EV_NEONMWI_ACTIVE = 21,
	TDM_EV_NEONMWI_INACTIVE = 22,
	TDM_EV_TX_CED_DETECTED = 23,
	TDM_EV_RX_CED_DETECTED = 24,
	TDM_EV_TX_CNG_DETECTED = 25,
	TDM_EV_RX_CNG_DETECTED = 26,
	TDM_EV_EC_NLP_DISABLED = 27,
	TDM_EV_EC_NLP_ENABLED = 28,
	TDM_EV_READ_OVERRUN = 29,
	TDM_EV_WRITE_UNDERRUN = 30,
	TDM_EV_PULSEDIGIT, /* pulse-dialled digit (digit) */
	TDM_EV_DTMFDOWN,   /* DTMF key down (digit) */
	TDM_EV_DTMFUP,	   /* DTMF key up (digit) */
	TDM_EV_UNKNOWN,	   /* a code this build does not know (raw) */
	TDM_EV__COUNT
};

/* Span alarm bits, as DAHDI_ALARM_*. */
enum tdm_alarm {
	TDM_ALARM_NONE = 0,
	TDM_ALARM_RECOVER = 1 << 0,
	TDM_ALARM_LOOPBACK = 1 << 1,
	TDM_ALARM_YELLOW = 1 << 2, /* remote alarm indication: far end lost us */
	TDM_ALARM_RED = 1 << 3,	   /* we lost signal or framing */
	TDM_ALARM_BLUE = 1 << 4,   /* AIS: all ones from upstream */
	TDM_ALARM_NOTOPEN = 1 << 5,
};

struct tdm_ev {
	enum tdm_event type;
	char digit;	 /* PULSEDIGIT, DTMFDOWN, DTMFUP */
	unsigned alarms; /* ALARM/NOALARM: the span's tdm_alarm bits now */
	int raw;	 /* the DAHDI code as read */
};

const char *tdm_event_name(enum tdm_event ev);
/* "RED+YELLOW", "none": into buf, returns buf. */
const char *tdm_alarm_str(unsigned alarms, char *buf, size_t size);

/* --- Back end ------------------------------------------------------------ */

/* One back end on one loop.  `sys` is the system call table: drivers/dahdi's
 * tdm_sys_os() for hardware or sim_sys() for the simulation.  A mem object;
 * spans and channels hold a reference to it. */
int tdm_alloc(struct tdm **tdmp, struct loop *loop, const struct tdm_sys *sys);
struct loop *tdm_loop(const struct tdm *tdm);

/* --- Spans --------------------------------------------------------------- */

/* A D-channel frame arrived (without FCS). */
typedef void(tdm_frame_h)(struct tdm_span *span, const uint8_t *frame, size_t len, void *arg);
/* ALARM/NOALARM (with alarms) and D-channel events (ABORT, BADFCS, OVERRUN),
 * all read on the D-channel.  A span without one (analog, CAS) reports
 * nothing here: each of its channels gets ALARM/NOALARM itself. */
typedef void(tdm_span_event_h)(struct tdm_span *span, const struct tdm_ev *ev, void *arg);

struct tdm_span_prm {
	unsigned spanno;  /* DAHDI span number, 1-based */
	unsigned dchan;	  /* D-channel number; 0: the span's HDLC channel,
			   * if any (found through DAHDI_GET_PARAMS) */
	bool no_dchan;	  /* analog/CAS: do not look for one */
	unsigned txqueue; /* frames held while the driver is full (0: 64) */
	tdm_frame_h *frameh;
	tdm_span_event_h *eventh;
	void *arg;
};

struct tdm_span_status {
	unsigned spanno;
	char name[20];
	char desc[40];
	char spantype[8];  /* "E1", "T1", "BRI", "DYN", "ANALOG" ... */
	unsigned alarms;   /* tdm_alarm bits */
	unsigned numchans; /* configured channels */
	unsigned totalchans;
	unsigned syncsrc; /* span providing timing, 0 free run */
	uint32_t bpvcount, crc4count, ebitcount, fascount, irqmisses;
};

/* A mem object.  ENXIO: no such span; ENOENT: no D-channel found. */
int tdm_span_open(struct tdm_span **spanp, struct tdm *tdm, const struct tdm_span_prm *prm);
int tdm_span_status(struct tdm_span *span, struct tdm_span_status *st);
/* Queue one frame (without FCS) for the D-channel.  EMSGSIZE if longer than
 * the driver buffer, ENOBUFS when the queue is full, ENOTCONN without a
 * D-channel. */
int tdm_span_frame_send(struct tdm_span *span, const uint8_t *frame, size_t len);
unsigned tdm_span_no(const struct tdm_span *span);
unsigned tdm_span_dchan(const struct tdm_span *span);
const char *tdm_span_name(const struct tdm_span *span); /* "tdm s1" */

/* --- Channels ------------------------------------------------------------ */

enum tdm_law { TDM_LAW_DEFAULT = 0, TDM_LAW_MULAW = 1, TDM_LAW_ALAW = 2 };

/* When the driver starts sending written audio (DAHDI_POLICY_*). */
enum tdm_txpolicy { TDM_TX_IMMEDIATE = 0, TDM_TX_WHEN_FULL = 1, TDM_TX_HALF_FULL = 2 };

/* Signalling of the channel as configured (system.conf). Note DAHDI's naming:
 * FXS signalling runs on an FXO port (towards a CO), FXO signalling on an
 * FXS port (a phone is attached). */
enum tdm_sig {
	TDM_SIG_NONE,
	TDM_SIG_FXSLS,
	TDM_SIG_FXSGS,
	TDM_SIG_FXSKS,
	TDM_SIG_FXOLS,
	TDM_SIG_FXOGS,
	TDM_SIG_FXOKS,
	TDM_SIG_CLEAR, /* B-channel */
	TDM_SIG_HDLC,  /* D-channel (dchan=, hardhdlc=) */
	TDM_SIG_OTHER, /* E&M, CAS, ... */
};

enum tdm_hook {
	TDM_HOOK_ON = 0,
	TDM_HOOK_OFF = 1,
	TDM_HOOK_WINK = 2,
	TDM_HOOK_FLASH = 3,
	TDM_HOOK_START = 4,
	TDM_HOOK_RING = 5,
	TDM_HOOK_RINGOFF = 6,
};

/* A block of received audio: law bytes, or 16-bit host-order samples when
 * the channel is linear (then len is twice the number of samples). */
typedef void(tdm_audio_h)(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg);
typedef void(tdm_chan_event_h)(struct tdm_chan *ch, const struct tdm_ev *ev, void *arg);

struct tdm_chan_prm {
	unsigned channo;  /* global DAHDI channel number, 1-based */
	enum tdm_law law; /* DEFAULT: the span's law */
	bool linear;	  /* 16-bit linear samples instead of law bytes */
	unsigned block;	  /* samples per block (0: 160, 20 ms) */
	unsigned numbufs; /* driver buffers each way (0: 4) */
	enum tdm_txpolicy txpolicy;
	bool buffer_events; /* report READ_OVERRUN / WRITE_UNDERRUN */
	/* A B-channel carrying data, not voice: it stays out of DAHDI's audio
	 * mode (then no linear, gains or echo canceller, and it idles 0xff). */
	bool clear_data;
	tdm_audio_h *audioh; /* NULL: received audio is read and dropped */
	tdm_chan_event_h *eventh;
	void *arg;
};

struct tdm_chan_info {
	unsigned channo, spanno, chanpos;
	enum tdm_sig sig;
	enum tdm_law law;
	bool rx_offhook; /* DAHDI's rxisoffhook */
	unsigned alarms;
	char name[40];
};

/* Echo canceller: taps (8 per ms; 0 disables) and up to 8 named parameters. */
struct tdm_ec_prm {
	unsigned taps;
	unsigned n_params;
	struct {
		char name[16];
		int32_t value;
	} params[8];
};

/* A mem object.  EINVAL: no such channel; ENXIO: not configured; EBUSY:
 * already open (DAHDI allows one open per channel). */
int tdm_chan_open(struct tdm_chan **chp, struct tdm *tdm, const struct tdm_chan_prm *prm);
int tdm_chan_info(struct tdm_chan *ch, struct tdm_chan_info *info);
/* Write audio; the driver takes one block per system call, so this splits.
 * Returns 0 when all was taken, EAGAIN when the driver buffers filled first;
 * *done (may be NULL) tells how many bytes went. */
int tdm_chan_write(struct tdm_chan *ch, const uint8_t *data, size_t len, size_t *done);
int tdm_chan_hook(struct tdm_chan *ch, enum tdm_hook op);
int tdm_chan_polarity(struct tdm_chan *ch, bool reversed);
/* NULL or taps 0: off. */
int tdm_chan_echocancel(struct tdm_chan *ch, const struct tdm_ec_prm *prm);
/* Gains in tenths of a dB (-240..240), applied by the driver's tables. */
int tdm_chan_gains(struct tdm_chan *ch, int rx_ddb, int tx_ddb);
/* Drop buffered audio both ways (DAHDI_FLUSH). */
int tdm_chan_flush(struct tdm_chan *ch);
unsigned tdm_chan_no(const struct tdm_chan *ch);
/* Switch between law bytes and 16-bit linear samples (DAHDI_SETLINEAR):
 * it applies to what is read and written from now on, as in DAHDI, where
 * the conversion happens at read() and write(). */
int tdm_chan_set_linear(struct tdm_chan *ch, bool linear);
/* Bytes per block (block samples, times two when linear). */
size_t tdm_chan_block_bytes(const struct tdm_chan *ch);
const char *tdm_chan_name(const struct tdm_chan *ch); /* "tdm s1c7" */

#endif
