/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Table-driven state machines; see fsm.h.
 *
 * The engine only enforces the tables and logs; what a state does lives in
 * its action.  A rejected event or transition is a protocol fault reported
 * by a peer or a bug in a table; either way it is logged and refused, and
 * the instance stays where it was.
 */
#include "core/fsm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Append at most what fits of `s` to dst[*n], keeping room for the NUL. */
static void obj_put(char *dst, size_t size, size_t *n, const char *s, size_t len)
{
	if (len > size - 1 - *n)
		len = size - 1 - *n;
	memcpy(dst + *n, s, len);
	*n += len;
}

/* "name{STATE}", truncated as snprintf would.  Runs on every state change
 * of every call, so it copies instead of formatting (snprintf was ~900
 * instructions, about 11k per gateway call). */
static void obj_update(struct fsm_inst *fi)
{
	const char *st = fsm_state_name(fi);
	size_t n = 0;
	obj_put(fi->obj, sizeof(fi->obj), &n, fi->name, strnlen(fi->name, sizeof(fi->name)));
	obj_put(fi->obj, sizeof(fi->obj), &n, "{", 1);
	obj_put(fi->obj, sizeof(fi->obj), &n, st, strlen(st));
	obj_put(fi->obj, sizeof(fi->obj), &n, "}", 1);
	fi->obj[n] = '\0';
}

const char *fsm_event_name(const struct fsm_def *def, unsigned event)
{
	if (event < def->n_events && def->events[event])
		return def->events[event];
	return "?";
}

static int check_states(const struct fsm_def *def)
{
	int rc = 0;
	for (unsigned s = 0; s < def->n_states; s++) {
		const struct fsm_state *st = &def->states[s];
		if (!st->name) {
			LOGE(LC_FSM, def->name, "state %u has no name", s);
			rc = EINVAL;
			continue;
		}
		if (def->n_states < 32 && (st->out_states >> def->n_states)) {
			LOGE(LC_FSM, def->name, "state %s may go to a state that does not exist",
			     st->name);
			rc = EINVAL;
		}
		if (def->n_events < 64 && (st->in_events >> def->n_events)) {
			LOGE(LC_FSM, def->name, "state %s accepts an event that does not exist",
			     st->name);
			rc = EINVAL;
		}
		if (st->in_events && !st->action) {
			LOGE(LC_FSM, def->name, "state %s accepts events but has no action",
			     st->name);
			rc = EINVAL;
		}
	}
	return rc;
}

int fsm_def_check(const struct fsm_def *def)
{
	if (!def->name || !def->states || def->n_states == 0 || def->n_states > 32 ||
	    def->n_events > 64 || (def->n_events && !def->events)) {
		LOGE(LC_FSM, def->name ? def->name : "?", "bad sizes in definition");
		return EINVAL;
	}
	int rc = check_states(def);
	for (unsigned e = 0; e < def->n_events; e++) {
		if (!def->events[e]) {
			LOGE(LC_FSM, def->name, "event %u has no name", e);
			rc = EINVAL;
		}
	}
	for (unsigned t = 0; t < def->n_timers; t++) {
		if (!def->timers[t].name || !def->timers[t].dflt) {
			LOGE(LC_FSM, def->name, "timer %u has no name or value", t);
			rc = EINVAL;
		}
	}
	if (def->n_timers && !def->timer_cb) {
		LOGE(LC_FSM, def->name, "timers without a timer callback");
		rc = EINVAL;
	}
	if (def->allstate_events && !def->allstate_action) {
		LOGE(LC_FSM, def->name, "all-state events without an action");
		rc = EINVAL;
	}
	return rc;
}

void fsm_inst_init(struct fsm_inst *fi, const struct fsm_def *def, struct loop *loop,
		   const char *name, void *priv)
{
	memset(fi, 0, sizeof(*fi));
	fi->def = def;
	fi->loop = loop;
	fi->priv = priv;
	fi->timer = FSM_NO_TIMER;
	loop_timer_init(&fi->tmr);
	size_t n = 0;
	name = name ? name : def->name;
	obj_put(fi->name, sizeof(fi->name), &n, name, strlen(name));
	fi->name[n] = '\0';
	obj_update(fi);
}

void fsm_inst_term(struct fsm_inst *fi)
{
	fsm_timer_stop(fi);
}

int fsm_event(struct fsm_inst *fi, unsigned event, void *data)
{
	const struct fsm_def *def = fi->def;
	if (event >= def->n_events) {
		LOGE(def->cat, fi->obj, "event %u does not exist", event);
		return EINVAL;
	}
	if (def->allstate_events & FSM_BIT(event)) {
		LOGD(def->cat, fi->obj, "event %s", def->events[event]);
		def->allstate_action(fi, event, data);
		return 0;
	}
	const struct fsm_state *st = &def->states[fi->state];
	if (!(st->in_events & FSM_BIT(event))) {
		LOGW(def->cat, fi->obj, "event %s not permitted", def->events[event]);
		return EPERM;
	}
	LOGD(def->cat, fi->obj, "event %s", def->events[event]);
	st->action(fi, event, data);
	return 0;
}

uint64_t fsm_timer_value(const struct fsm_inst *fi, unsigned timer)
{
	if (timer >= fi->def->n_timers)
		return 0;
	if (fi->timer_ns && fi->timer_ns[timer])
		return fi->timer_ns[timer];
	return fi->def->timers[timer].dflt;
}

static void timer_fired(void *arg)
{
	struct fsm_inst *fi = arg;
	unsigned t = (unsigned)fi->timer;
	fi->timer = FSM_NO_TIMER;
	LOGD(fi->def->cat, fi->obj, "timer %s expired", fi->def->timers[t].name);
	fi->def->timer_cb(fi, t);
}

int fsm_timer_start(struct fsm_inst *fi, unsigned timer)
{
	if (timer >= fi->def->n_timers)
		return EINVAL;
	fi->timer = (int)timer;
	return loop_timer_start(fi->loop, &fi->tmr, fsm_timer_value(fi, timer), timer_fired, fi);
}

void fsm_timer_stop(struct fsm_inst *fi)
{
	if (fi->loop)
		loop_timer_cancel(fi->loop, &fi->tmr);
	fi->timer = FSM_NO_TIMER;
}

int fsm_state_chg(struct fsm_inst *fi, unsigned state, int timer)
{
	const struct fsm_def *def = fi->def;
	if (state >= def->n_states || (timer != FSM_NO_TIMER && (unsigned)timer >= def->n_timers)) {
		LOGE(def->cat, fi->obj, "state_chg to state %u / timer %d: no such state or timer",
		     state, timer);
		return EINVAL;
	}
	unsigned prev = fi->state;
	if (!(def->states[prev].out_states & FSM_BIT(state))) {
		LOGE(def->cat, fi->obj, "transition to %s not permitted", def->states[state].name);
		return EPERM;
	}
	fsm_timer_stop(fi);
	if (def->states[prev].onleave)
		def->states[prev].onleave(fi, state);
	fi->state = state;
	LOGD(def->cat, fi->obj, "state_chg to %s", def->states[state].name);
	obj_update(fi);
	if (timer != FSM_NO_TIMER) {
		int rc = fsm_timer_start(fi, (unsigned)timer);
		if (rc)
			return rc;
	}
	if (def->states[state].onenter)
		def->states[state].onenter(fi, prev);
	return 0;
}
