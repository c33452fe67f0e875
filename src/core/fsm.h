/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Table-driven finite state machines (the osmocom habit).
 *
 * A definition lists, per state, the events it accepts, the states it may go
 * to, its action and its on-enter/on-leave hooks; and a table of named timers
 * (T303, T310, Timer B) with their default values and meaning.  An instance
 * runs one state timer at a time.  Every event and transition is logged as
 * `name{STATE}: event EV` / `name{STATE}: state_chg to NEW`; an event the
 * state does not accept is rejected with a log line and EPERM, never an
 * abort; so is a transition the table does not allow.
 *
 * States and events are small integers: at most 32 states and 64 events.
 */
#ifndef STROWGER_CORE_FSM_H
#define STROWGER_CORE_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"
#include "core/loop.h"

#define FSM_BIT(x) (1ull << (x))
#define FSM_NO_TIMER (-1)

struct fsm_inst;

struct fsm_state {
	const char *name;
	uint64_t in_events;   /* FSM_BIT(ev) for each event accepted */
	uint32_t out_states;  /* FSM_BIT(st) for each state it may go to */
	void (*action)(struct fsm_inst *fi, unsigned event, void *data);
	void (*onenter)(struct fsm_inst *fi, unsigned prev_state);
	void (*onleave)(struct fsm_inst *fi, unsigned next_state);
};

struct fsm_timer_def {
	const char *name;     /* "T303" */
	uint64_t dflt;        /* ns */
	const char *meaning;  /* "SETUP sent, waiting for a response" */
};

struct fsm_def {
	const char *name;
	enum log_cat cat;
	const struct fsm_state *states;
	unsigned n_states;
	const char *const *events;    /* names, n_events of them */
	unsigned n_events;
	const struct fsm_timer_def *timers;
	unsigned n_timers;
	/* Events accepted in every state, handled by allstate_action. */
	uint64_t allstate_events;
	void (*allstate_action)(struct fsm_inst *fi, unsigned event, void *data);
	/* The state timer `timer` expired (it is no longer armed). */
	void (*timer_cb)(struct fsm_inst *fi, unsigned timer);
};

struct fsm_inst {
	const struct fsm_def *def;
	struct loop *loop;
	char name[40];
	unsigned state;
	int timer;                 /* running timer index, or FSM_NO_TIMER */
	struct loop_timer tmr;
	const uint64_t *timer_ns;  /* per-instance values (n_timers), or NULL */
	void *priv;
	char obj[72];              /* "name{STATE}", kept current for logs */
};

/* Check a definition for inconsistencies (sizes, names, transitions into
 * states that do not exist).  Returns 0 or EINVAL, logging what is wrong.
 * Every FSM's unit test calls it. */
int fsm_def_check(const struct fsm_def *def);

/* Start in state 0. */
void fsm_inst_init(struct fsm_inst *fi, const struct fsm_def *def, struct loop *loop,
		   const char *name, void *priv);
/* Stop the timer; the instance may then be freed. */
void fsm_inst_term(struct fsm_inst *fi);

/* Feed an event.  EINVAL: no such event; EPERM: the state does not accept it
 * (logged, nothing else happens); 0: the action ran. */
int fsm_event(struct fsm_inst *fi, unsigned event, void *data);
/* Move to `state`, stopping any running timer, then starting `timer`
 * (or FSM_NO_TIMER).  Re-entering the current state is allowed when the
 * table allows it.  EPERM when the table forbids the move. */
int fsm_state_chg(struct fsm_inst *fi, unsigned state, int timer);
/* Start (restart) a state timer without changing state; stop it. */
int fsm_timer_start(struct fsm_inst *fi, unsigned timer);
void fsm_timer_stop(struct fsm_inst *fi);
uint64_t fsm_timer_value(const struct fsm_inst *fi, unsigned timer);

static inline const char *fsm_state_name(const struct fsm_inst *fi)
{
	return fi->def->states[fi->state].name;
}
static inline const char *fsm_obj(const struct fsm_inst *fi) { return fi->obj; }
const char *fsm_event_name(const struct fsm_def *def, unsigned event);

#endif
