/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pstn/isdn: ISDN PRI and BRI signalling (Q.921/Q.931 through libpri).
 *
 * One controller per D-channel.  It does no I/O of its own: whoever owns the
 * D-channel (the TDM driver, the simulation, a test) hands it received frames
 * with isdn_ctrl_input() and carries the frames it writes through
 * struct isdn_dchan_ops.  Frames on this seam are Q.921 frames without the
 * two FCS bytes.  The controller runs on a core/loop and its clock (real or
 * virtual); libpri's timers become one loop timer.  No threads.
 *
 * A call per B-channel runs a table-driven FSM (the states of Q.931 §5) and
 * reports to the call layer through the handlers below.  Causes are Q.850
 * values with their location.
 *
 * Handles: a struct isdn_call is owned by its controller.  It stays valid
 * until the hangup handler has returned (the far end or the controller
 * cleared the call) or until the call layer itself called isdn_call_hangup();
 * after either, the call layer must forget it.
 */
#ifndef STROWGER_PSTN_ISDN_H
#define STROWGER_PSTN_ISDN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "core/loop.h"

struct isdn_ctrl;
struct isdn_call;
struct isdn_pcap;
struct isdn_tdm;
struct tdm;

/* --- Configuration ------------------------------------------------------- */

enum isdn_role { ISDN_ROLE_NETWORK, ISDN_ROLE_CPE };

enum isdn_switch {
	ISDN_SW_EUROISDN_E1,
	ISDN_SW_EUROISDN_T1,
	ISDN_SW_NI2,
	ISDN_SW_DMS100,
	ISDN_SW_4ESS,
	ISDN_SW_5ESS,
	ISDN_SW_QSIG,
	ISDN_SW__COUNT
};

/* The interface: which B-channels exist and how Q.921 runs. */
enum isdn_iface {
	ISDN_PRI_E1,   /* B 1-15,17-31, D on 16 */
	ISDN_PRI_T1,   /* B 1-23, D on 24 */
	ISDN_BRI_PTP,  /* B 1-2, point-to-point */
	ISDN_BRI_PTMP, /* B 1-2, point-to-multipoint (TEI assignment) */
	ISDN_IFACE__COUNT
};

/* How an idle B-channel is chosen for an outgoing call, or for an incoming
 * one whose preferred channel is busy. */
enum isdn_chansel { ISDN_CHANSEL_ASC, ISDN_CHANSEL_DESC, ISDN_CHANSEL_RR, ISDN_CHANSEL__COUNT };

#define ISDN_MAX_CHAN 31

struct isdn_conf {
	char name[16]; /* "s1": prefix of log objects */
	enum isdn_role role;
	enum isdn_switch sw;
	enum isdn_iface iface;
	enum isdn_chansel chansel;
	bool exclusive; /* outgoing channel id: exclusive, else preferred */
	bool overlap;	/* overlap receiving (SETUP ACK) and sending */
	uint64_t t302;	/* overlap receiving digit timer, ns */
	unsigned debug; /* libpri PRI_DEBUG_* bits (log at debug level) */
};

/* Defaults: CPE, EuroISDN E1, PRI E1, ascending, preferred, no overlap,
 * T302 15 s. */
void isdn_conf_init(struct isdn_conf *conf);
/* Cross-field checks (e.g. QSIG on BRI PTMP).  0, or EINVAL with a reason. */
int isdn_conf_check(const struct isdn_conf *conf, char *why, size_t whylen);

/* conf_parse_h parsers (field: the enum).  Unknown names are errors listing
 * the accepted ones; there is no default switch type. */
int isdn_switch_parse(const char *value, void *field, char *why, size_t whylen);
int isdn_role_parse(const char *value, void *field, char *why, size_t whylen);
int isdn_iface_parse(const char *value, void *field, char *why, size_t whylen);
int isdn_chansel_parse(const char *value, void *field, char *why, size_t whylen);
const char *isdn_switch_name(enum isdn_switch sw);
const char *isdn_role_name(enum isdn_role role);
const char *isdn_iface_name(enum isdn_iface iface);
const char *isdn_chansel_name(enum isdn_chansel sel);

/* Keys for binding an ISDN section (switchtype, role, interface, ...) to a
 * struct isdn_conf with conf_bind(); `switchtype` is required. */
extern const struct conf_key isdn_conf_keys[];

/* --- The D-channel seam ------------------------------------------------- */

struct isdn_dchan_ops {
	/* Send one Q.921 frame (no FCS).  Return 0 or an errno.  Must not call
	 * isdn_ctrl_input() on the same controller before returning. */
	int (*write)(void *arg, const uint8_t *frame, size_t len);
};

/* --- What a call carries ------------------------------------------------ */

#define ISDN_NUM_MAX 32

struct isdn_number {
	char digits[ISDN_NUM_MAX + 1];
	uint8_t ton;	/* Q.931 type of number, 0-7 */
	uint8_t npi;	/* numbering plan, 0-15 */
	uint8_t pres;	/* presentation: 0 allowed, 1 restricted, 2 unavailable */
	uint8_t screen; /* 0 user not screened, 1 passed, 2 failed, 3 network */
};

struct isdn_setup {
	struct isdn_number called;
	struct isdn_number calling;
	struct isdn_number redirecting;
	uint8_t redirect_reason; /* Q.931 reason for redirection */
	uint8_t bearer_cap;	 /* information transfer capability (0 speech) */
	uint8_t bearer_l1;	 /* user layer 1 protocol (0x22 mu-law, 0x23 A-law) */
	int chan;		 /* B-channel, 0: any */
	bool exclusive;
	uint8_t progress; /* progress description, 0: none */
	bool complete;	  /* sending complete */
};

enum isdn_prog_kind {
	ISDN_PROG_SETUP_ACK, /* far end wants more digits */
	ISDN_PROG_PROCEEDING,
	ISDN_PROG_ALERTING,
	ISDN_PROG_PROGRESS,
};

/* --- Handlers (reports up to the call layer) ---------------------------- */

/* An incoming SETUP, after a B-channel was chosen.  Answer with
 * isdn_call_proceeding/alert/setup_ack/answer/hangup. */
typedef void(isdn_incoming_h)(struct isdn_call *call, const struct isdn_setup *setup, void *arg);
/* More called digits (overlap receiving), or T302 expired (timeout true,
 * digits ""): if the call is still collecting when this returns, it is
 * cleared with cause 28. */
typedef void(isdn_digits_h)(struct isdn_call *call, const char *digits, bool complete, bool timeout,
			    void *arg);
/* SETUP ACK / CALL PROCEEDING / ALERTING / PROGRESS from the far end;
 * `progress` is the progress description (8: in-band audio), 0 if none. */
typedef void(isdn_progress_h)(struct isdn_call *call, enum isdn_prog_kind kind, uint8_t progress,
			      void *arg);
typedef void(isdn_answer_h)(struct isdn_call *call, void *arg);
/* The call is gone: cleared by the far end (DISCONNECT, RELEASE, RELEASE
 * COMPLETE), by a timer, a RESTART, or the loss of the D-channel (41). */
typedef void(isdn_hangup_h)(struct isdn_call *call, unsigned cause, unsigned location, void *arg);
/* The D-channel (Q.921 multiple-frame operation) went up or down. */
typedef void(isdn_link_h)(struct isdn_ctrl *ctrl, bool up, void *arg);

struct isdn_handlers {
	isdn_incoming_h *incoming;
	isdn_digits_h *digits;
	isdn_progress_h *progress;
	isdn_answer_h *answer;
	isdn_hangup_h *hangup;
	isdn_link_h *link;
};

/* Q.850 locations (cause IE octet 3). */
enum isdn_loc {
	ISDN_LOC_USER = 0,
	ISDN_LOC_PRIV_LOCAL = 1,
	ISDN_LOC_PUB_LOCAL = 2,
	ISDN_LOC_TRANSIT = 3,
	ISDN_LOC_PUB_REMOTE = 4,
	ISDN_LOC_PRIV_REMOTE = 5,
	ISDN_LOC_INTERNATIONAL = 7,
	ISDN_LOC_BEYOND = 10,
};

/* --- Controller --------------------------------------------------------- */

/* A mem object.  Starts Q.921 link establishment at once.  ENOTSUP if
 * libpri's clock cannot be driven from `loop` (see isdn_time.c). */
int isdn_ctrl_alloc(struct isdn_ctrl **ctrlp, struct loop *loop, const struct isdn_conf *conf,
		    const struct isdn_dchan_ops *ops, void *ops_arg, const struct isdn_handlers *h,
		    void *arg);
/* A frame (no FCS) received on the D-channel.  0, or EBUSY if called from
 * within this controller's own write. */
int isdn_ctrl_input(struct isdn_ctrl *ctrl, const uint8_t *frame, size_t len);
/* The physical layer under the D-channel failed (alarm) or came back.  Down
 * clears every call with cause 41 at once and stops frames both ways;
 * Q.921 re-establishes the link when it is up again. */
void isdn_ctrl_link_down(struct isdn_ctrl *ctrl);
void isdn_ctrl_link_up(struct isdn_ctrl *ctrl);
/* Q.921 multiple-frame operation established. */
bool isdn_ctrl_is_up(const struct isdn_ctrl *ctrl);
/* Send RESTART for one B-channel (chan > 0) or every channel (0: one RESTART
 * per channel, as libpri 1.6 cannot restart a whole interface).  Calls on
 * those channels are cleared with cause 41 first.  RESTART from the far end
 * is acknowledged and clears the calls it names the same way.  After a loss
 * of the D-channel the channels whose calls were lost are restarted when it
 * comes back (Q.931 §5.5). */
int isdn_ctrl_restart(struct isdn_ctrl *ctrl, int chan);
/* Take a B-channel out of service (maintenance) or back; channels out of
 * service are never chosen, and an incoming SETUP for one gets another
 * channel or cause 44.  On NI2, 4ESS and 5ESS a SERVICE message tells the
 * far end, and its SERVICE messages act here.  EINVAL for a channel that
 * does not exist. */
int isdn_ctrl_chan_maint(struct isdn_ctrl *ctrl, int chan, bool out_of_service);
/* The call on `chan`, or NULL. */
struct isdn_call *isdn_ctrl_chan_call(const struct isdn_ctrl *ctrl, int chan);
/* Does B-channel `chan` exist on this interface (E1: 1-15 and 17-31)?  Is
 * it out of service (isdn_ctrl_chan_maint, or the far end's SERVICE)?
 * For strowger-ctl channels. */
bool isdn_ctrl_chan_exists(const struct isdn_ctrl *ctrl, int chan);
bool isdn_ctrl_chan_oos(const struct isdn_ctrl *ctrl, int chan);
unsigned isdn_ctrl_ncalls(const struct isdn_ctrl *ctrl);
const char *isdn_ctrl_name(const struct isdn_ctrl *ctrl);
/* Write every frame in and out to `pc` (NULL stops).  Takes a reference. */
void isdn_ctrl_trace(struct isdn_ctrl *ctrl, struct isdn_pcap *pc);

/* --- On a TDM span (drivers/tdm.h) -------------------------------------- */

/* Open span `spanno` of `tdm` and run a controller on its D-channel
 * (isdn_tdm.c): frames to and from the driver, span alarms as the physical
 * layer.  A mem object; freeing it frees the controller. */
int isdn_tdm_open(struct isdn_tdm **sp, struct tdm *tdm, unsigned spanno,
		  const struct isdn_conf *conf, const struct isdn_handlers *h, void *arg);
struct isdn_ctrl *isdn_tdm_ctrl(const struct isdn_tdm *s);
struct tdm_span;
struct tdm_span *isdn_tdm_span(const struct isdn_tdm *s);
/* The span alone, for a controller made elsewhere (the simulated switch):
 * give it isdn_tdm_ops with the span as ops_arg, then bind it so that
 * frames and alarms reach it (no reference taken: free the controller
 * first, then the span). */
int isdn_tdm_open_raw(struct isdn_tdm **sp, struct tdm *tdm, unsigned spanno);
extern const struct isdn_dchan_ops isdn_tdm_ops;
void isdn_tdm_bind(struct isdn_tdm *s, struct isdn_ctrl *ctrl);

/* --- Calls ---------------------------------------------------------------- */

struct isdn_call_prm {
	struct isdn_number called;
	struct isdn_number calling;
	struct isdn_number redirecting;
	uint8_t redirect_reason;
	uint8_t bearer_cap; /* 0 speech */
	uint8_t bearer_l1;  /* 0: by switch type (A-law E1, mu-law T1) */
	int chan;	    /* 0: chosen by the controller's policy */
	bool complete;	    /* false: overlap sending, more digits follow */
};

/* Place a call: choose a B-channel and send SETUP.  EBUSY when no channel
 * is free (cause 34 territory), ENOTCONN when the D-channel is down. */
int isdn_call_place(struct isdn_ctrl *ctrl, struct isdn_call **callp,
		    const struct isdn_call_prm *prm, void *priv);
/* Overlap sending: more called digits in INFORMATION. */
int isdn_call_info(struct isdn_call *call, const char *digits);
/* Incoming call progress; `inband`: a progress indicator 8 (in-band
 * information) goes with the message. */
int isdn_call_setup_ack(struct isdn_call *call, bool inband);
int isdn_call_proceeding(struct isdn_call *call, bool inband);
int isdn_call_alert(struct isdn_call *call, bool inband);
int isdn_call_progress(struct isdn_call *call, bool inband);
int isdn_call_answer(struct isdn_call *call);
/* Clear the call with a Q.850 cause (DISCONNECT, or RELEASE COMPLETE before
 * any answer to a SETUP).  The handle is invalid afterwards. */
int isdn_call_hangup(struct isdn_call *call, unsigned cause);

int isdn_call_chan(const struct isdn_call *call);
bool isdn_call_outgoing(const struct isdn_call *call);
/* The Q.931 state name ("ACTIVE", "CALL_PRESENT", ...). */
const char *isdn_call_state(const struct isdn_call *call);
void *isdn_call_priv(const struct isdn_call *call);
void isdn_call_set_priv(struct isdn_call *call, void *priv);

/* --- D-channel traces ---------------------------------------------------- */

/* A pcap file with link type 177 (LINUX_LAPD): Wireshark and tshark decode
 * Q.921 and Q.931 from it.  Timestamps come from `clk` (virtual or real wall
 * time).  A mem object; the file is flushed and closed when freed. */
int isdn_pcap_open(struct isdn_pcap **pcp, const char *path, struct clk *clk);
/* `outgoing`: sent by us; `we_network`: we are the network side. */
int isdn_pcap_write(struct isdn_pcap *pc, const uint8_t *frame, size_t len, bool outgoing,
		    bool we_network);

#endif
