/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test bench: two (or more) ISDN controllers back to back over an
 * in-memory D-channel on a virtual clock.  Each side records what its
 * handlers heard as a line of text ("incoming c1 called=200 ...;"), so tests
 * read like ladder diagrams, and can be told how to treat incoming calls.
 */
#ifndef STROWGER_TESTS_ISDN_B2B_H
#define STROWGER_TESTS_ISDN_B2B_H

#include <stdbool.h>

#include "core/clock.h"
#include "core/loop.h"
#include "pstn/isdn.h"
#include "pstn/isdn_pipe.h"
#include "pstn/isdn_switch.h"

enum b2b_mode {
	B2B_NOTHING,  /* leave incoming calls in CALL_PRESENT */
	B2B_PROCEED,  /* CALL PROCEEDING */
	B2B_ALERT,    /* CALL PROCEEDING + ALERTING */
	B2B_ANSWER,   /* CALL PROCEEDING + ALERTING + CONNECT */
	B2B_REJECT,   /* hang up with `reject_cause` */
	B2B_PROGRESS, /* CALL PROCEEDING + PROGRESS (in-band) */
};

struct b2b_side {
	struct isdn_ctrl *ctrl;
	struct isdn_conf conf;
	enum b2b_mode mode;
	unsigned reject_cause;
	struct isdn_call *call;	 /* the last call, NULL once it is gone */
	struct isdn_setup setup; /* the last incoming SETUP */
	unsigned hangups, answers, incomings, link_ups, link_downs;
	unsigned last_cause, last_loc;
	bool hangup_on_digits_timeout;
	char log[4096];
};

#define B2B_MAX_SIDES 4

struct b2b {
	struct clk *clk;
	struct loop *loop;
	struct isdn_pipe *pipe;
	unsigned nsides;
	struct b2b_side side[B2B_MAX_SIDES]; /* side[0] is on the hub end */
	struct isdn_simsw *simsw;	     /* b2b_start_switch: on the hub end */
};

/* The handlers that record into a struct b2b_side (their arg). */
extern const struct isdn_handlers b2b_handlers;

/* Start: side 0 network, the others CPE, all with `iface` and `sw`; run
 * until every D-channel is up (fails the test otherwise). */
void b2b_start(struct b2b *b, enum isdn_iface iface, enum isdn_switch sw, unsigned nsides);
/* Fill the sides' confs as b2b_start() would, for the test to adjust. */
void b2b_prepare(struct b2b *b, enum isdn_iface iface, enum isdn_switch sw, unsigned nsides);
/* Start with the sides' confs as they are (b->side[i].conf). */
void b2b_start_conf(struct b2b *b, unsigned nsides);
/* The simulated switch (network, PRI E1) running `script` on the hub end,
 * side[1] a CPE controller as the gateway's. */
void b2b_start_switch(struct b2b *b, const char *script);
void b2b_run(struct b2b *b, uint64_t ns);
void b2b_stop(struct b2b *b);
/* Shorthand for an outgoing call with called/calling numbers. */
int b2b_call(struct b2b *b, unsigned from, const char *called, const char *calling, bool complete);
bool b2b_has(const struct b2b_side *s, const char *needle);

/* The ISDN suites' log levels: errors only, or everything when
 * ISDN_TEST_DEBUG is set in the environment. */
void b2b_log_levels(void);
/* A suite's .init and .fini around a bench `b`: the leak check, a cleared
 * bench and the log levels; then the bench stopped if it was started. */
void b2b_test_begin(struct b2b *b);
void b2b_test_end(struct b2b *b);

#endif
