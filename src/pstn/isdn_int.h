/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pstn/isdn private: the controller and call structs shared by isdn_*.c. */
#ifndef STROWGER_PSTN_ISDN_INT_H
#define STROWGER_PSTN_ISDN_INT_H

#include <libpri.h>

#include "core/clock.h"
#include "core/fsm.h"
#include "core/list.h"
#include "pstn/isdn.h"

/* Call FSM states: Q.931 §2.1 numbering in the comments (user/network). */
enum isdn_call_state {
	ISDN_ST_NULL,		   /* U0/N0 */
	ISDN_ST_CALL_INIT,	   /* U1/N1: SETUP sent */
	ISDN_ST_OVERLAP_SENDING,   /* U2/N2: SETUP ACK received */
	ISDN_ST_OUT_PROCEEDING,	   /* U3/N3: CALL PROCEEDING received */
	ISDN_ST_CALL_DELIVERED,	   /* U4/N4: ALERTING received */
	ISDN_ST_CALL_PRESENT,	   /* U6/N6: SETUP received */
	ISDN_ST_CALL_RECEIVED,	   /* U7/N7: ALERTING sent */
	ISDN_ST_CONNECT_REQUEST,   /* U8/N8: CONNECT sent */
	ISDN_ST_IN_PROCEEDING,	   /* U9/N9: CALL PROCEEDING sent */
	ISDN_ST_ACTIVE,		   /* U10/N10 */
	ISDN_ST_DISCONNECT_REQ,	   /* U11/N11: DISCONNECT sent */
	ISDN_ST_DISCONNECT_IND,	   /* U12/N12: DISCONNECT received */
	ISDN_ST_RELEASE_REQ,	   /* U19/N19: RELEASE sent */
	ISDN_ST_OVERLAP_RECEIVING, /* U25/N25: SETUP ACK sent */
	ISDN_ST__COUNT
};

enum isdn_call_event {
	/* from the call layer */
	ISDN_EV_TX_SETUP,
	ISDN_EV_TX_INFO,
	ISDN_EV_TX_SETUP_ACK,
	ISDN_EV_TX_PROCEEDING,
	ISDN_EV_TX_ALERTING,
	ISDN_EV_TX_PROGRESS,
	ISDN_EV_TX_CONNECT,
	ISDN_EV_TX_HANGUP,
	/* from libpri (the far end) */
	ISDN_EV_RX_SETUP,
	ISDN_EV_RX_SETUP_ACK,
	ISDN_EV_RX_PROCEEDING,
	ISDN_EV_RX_ALERTING,
	ISDN_EV_RX_PROGRESS,
	ISDN_EV_RX_INFO,
	ISDN_EV_RX_CONNECT,
	ISDN_EV_RX_CONNECT_ACK,
	ISDN_EV_RX_DISCONNECT,
	ISDN_EV_RX_RELEASE,	/* PRI_EVENT_HANGUP: RELEASE or RELEASE COMPLETE */
	ISDN_EV_RX_RELEASE_ACK, /* PRI_EVENT_HANGUP_ACK */
	/* from the controller: link loss, RESTART (all states) */
	ISDN_EV_CLEAR,
	ISDN_EV__COUNT
};

enum isdn_call_timer { ISDN_T302, ISDN_T_GUARD, ISDN_T__COUNT };

struct isdn_call {
	struct fsm_inst fi;
	struct isdn_ctrl *ctrl;
	q931_call *pc;
	struct le le; /* in ctrl->calls */
	int chan;     /* 0: none yet */
	int cref;
	bool outgoing;
	bool reported;	/* the hangup handler ran (or the call layer hung up) */
	bool user_gone; /* the call layer dropped the handle */
	bool clearing;	/* marked by isdn_ctrl_clear_calls */
	void *priv;
	uint64_t timer_ns[ISDN_T__COUNT];
	char digits[ISDN_NUM_MAX + 1]; /* called number so far */
};

/* The argument of every call FSM event. */
struct isdn_ev {
	int rc;				 /* out: 0 or an errno */
	bool inband;			 /* TX: progress indicator 8 */
	unsigned cause, location;	 /* TX_HANGUP, RX_DISCONNECT/RELEASE, CLEAR */
	uint8_t progress;		 /* RX: progress description */
	int chan;			 /* RX: channel in the message, 0 none */
	const char *digits;		 /* TX_INFO, RX_INFO */
	bool complete;			 /* RX_INFO: sending complete */
	const struct isdn_call_prm *prm; /* TX_SETUP */
	const struct isdn_setup *setup;	 /* RX_SETUP */
};

struct isdn_chan {
	bool exists;
	bool maint; /* out of service: never chosen */
	struct isdn_call *call;
};

struct isdn_ctrl {
	struct isdn_conf conf;
	struct loop *loop;
	struct clk *clk;
	struct pri *pri;
	const struct isdn_dchan_ops *ops;
	void *ops_arg;
	struct isdn_handlers h;
	void *arg;
	struct loop_timer tmr; /* libpri's next scheduled event */
	uint64_t tmr_due;
	struct le calls;
	unsigned ncalls;
	struct isdn_chan chans[ISDN_MAX_CHAN + 1];
	int rr_next;
	bool phys_up;	       /* physical layer (isdn_ctrl_link_up/down) */
	bool dchan_up;	       /* Q.921 multiple frame established */
	uint32_t restart_mask; /* channels whose calls were lost with the link */
	int in_pri;	       /* depth of calls into libpri */
	const uint8_t *rx;     /* the frame pri_check_event is reading */
	size_t rx_len;
	struct {
		unsigned cref, cause, location;
		bool flag, valid;
	} last_cause; /* of the last clearing message received */
	struct {
		unsigned cref;
		bool flag, valid;
	} tx_rc;
	int tx_setup_cref; /* of the SETUP just written, or -1 */ /* libpri sent RELEASE COMPLETE
								     (see isdn_ctrl_reap) */
	struct isdn_pcap *pcap;
	char obj[40];
};

/* isdn_ctrl.c: entering and leaving libpri (clock, timer re-arm). */
void isdn_ctrl_enter(struct isdn_ctrl *ctrl);
void isdn_ctrl_leave(struct isdn_ctrl *ctrl);

/* Set a channel in or out of service; `tell`: send SERVICE where the switch
 * type has it (NI2, 4ESS, 5ESS). */
void isdn_ctrl_chan_set_maint(struct isdn_ctrl *ctrl, int chan, bool oos, bool tell);
bool isdn_ctrl_has_service(const struct isdn_ctrl *ctrl);

/* isdn_event.c: one libpri event. */
void isdn_event_handle(struct isdn_ctrl *ctrl, pri_event *e);
void isdn_ctrl_clear_calls(struct isdn_ctrl *ctrl, int chan, unsigned cause);
void isdn_ctrl_lose_calls(struct isdn_ctrl *ctrl);
/* After libpri ran: a call it released with RELEASE COMPLETE and forgot
 * without an event is cleared on our side too. */
void isdn_ctrl_reap(struct isdn_ctrl *ctrl);
/* A CONNECT ACKNOWLEDGE for call reference `cref` (without the flag). */
void isdn_ctrl_connect_ack(struct isdn_ctrl *ctrl, unsigned cref, bool flag);

/* libpri numbers the calls it originated with 0x8000 added; a message about
 * such a call carries the call reference flag when it comes from the far
 * end (Q.931 §4.3). */
static inline bool isdn_cref_match(int pri_cref, unsigned cref, bool flag)
{
	return pri_cref >= 0 && ((unsigned)pri_cref & 0x7fff) == cref &&
	       (((unsigned)pri_cref & 0x8000) != 0) == flag;
}
int isdn_switch_to_pri(enum isdn_switch sw);

/* isdn_call.c */
extern const struct fsm_def isdn_call_fsm;
int isdn_call_alloc(struct isdn_ctrl *ctrl, struct isdn_call **callp, q931_call *pc, bool outgoing,
		    int chan);
/* Unlink from the controller, free the channel and the memory. */
void isdn_call_free(struct isdn_call *call);
struct isdn_call *isdn_call_find(const struct isdn_ctrl *ctrl, const q931_call *pc);
/* The location of causes this side generates. */
unsigned isdn_ctrl_local_loc(const struct isdn_ctrl *ctrl);

/* isdn_chan.c */
void isdn_chan_init(struct isdn_ctrl *ctrl);
/* A free, in-service B-channel by policy, or 0. */
int isdn_chan_pick(struct isdn_ctrl *ctrl);
bool isdn_chan_usable(const struct isdn_ctrl *ctrl, int chan);
void isdn_chan_bind(struct isdn_ctrl *ctrl, int chan, struct isdn_call *call);
void isdn_chan_unbind(struct isdn_ctrl *ctrl, struct isdn_call *call);

/* isdn_time.c: libpri reads gettimeofday(); inside libpri it reads `clk`. */
void isdn_time_set(const struct clk *clk);

#endif
