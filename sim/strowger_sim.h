/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strowger-sim's simulated switches (strowger_sim_switch.c): isdn_simsw
 * (src/pstn/isdn_switch.h) on spans of the sim, set up from the command
 * line.  Private to the strowger-sim program.
 */
#ifndef STROWGER_SIM_STROWGER_SIM_H
#define STROWGER_SIM_STROWGER_SIM_H

#include <stddef.h>

#include "core/loop.h"

struct tdm;
struct swhost;

/* What a switch gets when its -S leaves a field out. */
struct swhost_dflt {
	const char *role;	/* "network" */
	const char *switchtype; /* NULL: euroisdn_e1, euroisdn_t1 on a T1 span */
	const char *zone;	/* "de" */
};

/* A mem object: the switches on `tdm`'s spans, printing their events. */
int swhost_alloc(struct swhost **hp, struct loop *loop, struct tdm *tdm,
		 const struct swhost_dflt *dflt);
/* -S SPAN:SCRIPT[:ROLE[:SWITCHTYPE[:ZONE]]] (SCRIPT may be empty). */
int swhost_switch(struct swhost *h, const char *arg, char *err, size_t errlen);
/* --call SPAN:NUMBER[:FROM]: a call placed by the switch on SPAN (made
 * with the defaults if there is none). */
int swhost_call(struct swhost *h, const char *arg, char *err, size_t errlen);
/* Open the spans, make the switches, check their scripts.  The errors name
 * the option, or the script's file:line. */
int swhost_start(struct swhost *h, char *err, size_t errlen);
/* Print what the switches logged since the last time. */
void swhost_print(struct swhost *h);

#endif
