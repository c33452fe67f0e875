/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Gateway calls: their life (route, set up, end, CDR) and the entry points
 * the legs report through.  The state machine is in call_fsm.c.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "call/call_int.h"
#include "call/cause.h"
#include "call/limit.h"
#include "core/log.h"
#include "core/mem.h"

static atomic_uint calls_alive;
static atomic_uint next_id;
/* Live calls, for strowger-ctl; touched on the signalling thread only. */
static struct le calls = LIST_INIT(calls);

unsigned call_count(void)
{
	return atomic_load(&calls_alive);
}

const char *call_name(const struct call *call)
{
	return fsm_obj(&call->fi);
}

unsigned call_id(const struct call *call)
{
	return call->id;
}

void call_foreach(call_visit_h *h, void *arg)
{
	struct le *e;
	list_for_each(&calls, e)
		h(container_of(e, struct call, le), arg);
}

struct call *call_find(unsigned id)
{
	struct le *e;
	list_for_each(&calls, e) {
		struct call *c = container_of(e, struct call, le);
		if (c->id == id)
			return c;
	}
	return NULL;
}

struct call_leg *call_leg_in(const struct call *call)
{
	return call->in;
}

struct call_leg *call_leg_out(const struct call *call)
{
	return call->out;
}

void call_set_user(struct call *call, void *user)
{
	call->user = user;
}

void *call_user(const struct call *call)
{
	return call->user;
}

const struct call_setup *call_setup_in(const struct call *call)
{
	return &call->s_in;
}

uint64_t call_start_time(const struct call *call)
{
	return call->t_start;
}

uint64_t call_answer_time(const struct call *call)
{
	return call->t_answer;
}

/* From what the leg would put in a CDR, so every kind of leg says it. */
void call_leg_text(const struct call_leg *leg, char *buf, size_t sz)
{
	if (!leg) {
		snprintf(buf, sz, "-");
		return;
	}
	struct cdr rec;
	memset(&rec, 0, sizeof(rec));
	leg->ops->describe(leg, &rec);
	if (leg->side == CALL_SIDE_PSTN) {
		char chan[16] = "-";
		if (rec.channel > 0)
			snprintf(chan, sizeof(chan), "%d", rec.channel);
		if (rec.span > 0)
			snprintf(buf, sz, "%s:%d/%s", leg->ops->kind, rec.span, chan);
		else
			snprintf(buf, sz, "%s:-", leg->ops->kind);
		return;
	}
	snprintf(buf, sz, "%s%s%s:%s", leg->ops->kind, rec.trunk[0] ? "/" : "", rec.trunk,
		 rec.call_id[0] ? rec.call_id : "-");
}

const char *call_state(const struct call *call)
{
	return fsm_state_name(&call->fi);
}

bool call_cause_is_congestion(unsigned cause)
{
	switch (cause) {
	case 34: case 38: case 41: case 42: case 44: case 47:
		return true;
	default:
		return false;
	}
}

void call_cause_complete(const struct call *call, unsigned *cause, unsigned *status)
{
	const struct cause_map *m = call->env->causes;
	const char *trunk = call->s_in.trunk[0] ? call->s_in.trunk : NULL;
	if (!*cause && *status && m)
		*cause = cause_from_sip(m, trunk, *status);
	if (!*cause)
		*cause = 16; /* normal call clearing */
	if (!*status && m)
		*status = cause_to_sip(m, trunk, *cause);
}

void call_leg_release(struct call_leg *leg, unsigned cause, unsigned status)
{
	if (!leg || leg->gone)
		return;
	leg->gone = true;
	call_leg_limit_drop(leg);
	leg->ops->release(leg, cause, status);
}

void call_media(struct call *call, enum call_media what)
{
	if (what == CALL_MEDIA_STOP) {
		/* After any media at all (ringback alone too): the gateway may
		 * hold a bridge for it. */
		if (!call->media_used)
			return;
		call->media_used = call->media = call->ringback = false;
		call->env->ops->media(call, what, call->env->arg);
		return;
	}
	bool *flag = what == CALL_MEDIA_CONNECT ? &call->media : &call->ringback;
	bool on = what == CALL_MEDIA_CONNECT || what == CALL_MEDIA_RINGBACK_ON;
	if (*flag == on)
		return; /* idempotent: the gateway hears each change once */
	*flag = on;
	call->media_used = true;
	call->env->ops->media(call, what, call->env->arg);
}

static void call_destroy(void *data)
{
	struct call *call = data;
	fsm_inst_term(&call->fi);
	loop_defer_cancel(call->env->loop, call);
	while (call->retired) {
		struct call_leg *leg = call->retired;
		call->retired = leg->next_retired;
		leg->ops->destroy(leg);
	}
	if (call->out) {
		call_leg_limit_drop(call->out);
		call->out->ops->destroy(call->out);
	}
	if (call->in) {
		call_leg_limit_drop(call->in);
		call->in->ops->destroy(call->in);
	}
	mem_deref(call->xfer);
	mem_deref(call->routes);
	list_unlink(&call->le);
	atomic_fetch_sub(&calls_alive, 1);
}

static void call_free(void *arg)
{
	mem_deref(arg);
}

void call_cdr_fill(const struct call *call, struct cdr *rec)
{
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->node, sizeof(rec->node), "%s", call->env->node ? call->env->node : "");
	/* After a transfer the record is the PSTN party's call to the target. */
	rec->dir = call->in->side == CALL_SIDE_SIP && !call->transferred ? CDR_TO_PSTN
									 : CDR_TO_SIP;
	rec->start = call->t_start;
	rec->answer = call->t_answer;
	rec->end = clk_wall(loop_clock(call->env->loop));
	memcpy(rec->calling_in, call->s_in.calling.digits, sizeof(rec->calling_in));
	memcpy(rec->called_in, call->s_in.called.digits, sizeof(rec->called_in));
	memcpy(rec->calling_out, call->s_out.calling.digits, sizeof(rec->calling_out));
	memcpy(rec->called_out, call->s_out.called.digits, sizeof(rec->called_out));
	snprintf(rec->trunk, sizeof(rec->trunk), "%s", call->s_in.trunk);
	snprintf(rec->rule, sizeof(rec->rule), "%s", call->route.rule);
	rec->q850_cause = (int)call->cause;
	/* The INVITE's final status: 200 once answered (a BYE ended it), else
	 * the error the call ended with. */
	rec->sip_status = call->t_answer ? 200 : (int)call->status;
	/* The legs know their own details (Call-ID, span/channel, trunk). */
	call->in->ops->describe(call->in, rec);
	if (call->out)
		call->out->ops->describe(call->out, rec);
}

/* RELEASED: stop the media, write the record, free the call later (this
 * runs inside a leg's callback). */
void call_end(struct call *call)
{
	call_xfer_stop(call);
	call_media(call, CALL_MEDIA_RINGBACK_OFF);
	call_media(call, CALL_MEDIA_STOP);
	struct cdr rec;
	call_cdr_fill(call, &rec);
	LOGI(LC_CALL, call_name(call), "ended: cause %u, SIP %u, rule %s", call->cause,
	     call->status, call->route.rule[0] ? call->route.rule : "-");
	/* Free first, report after: whatever the gateway defers from its
	 * ended handler (a shutdown check) then runs once this call is gone. */
	loop_defer(call->env->loop, call_free, call);
	call->env->ops->ended(call, &rec, call->env->arg);
}

void call_setup_routed(const struct route_result *r, const struct call_setup *in,
		       struct call_setup *o)
{
	*o = *in;
	const struct route_number *rn[] = { &r->called, &r->calling, &r->redirecting };
	struct call_party *p[] = { &o->called, &o->calling, &o->redirecting };
	for (int i = 0; i < 3; i++) {
		memcpy(p[i]->digits, rn[i]->digits, sizeof(p[i]->digits));
		p[i]->ton = rn[i]->ton;
		p[i]->npi = rn[i]->npi;
		p[i]->present = rn[i]->present;
	}
	o->calling.pres = r->pres;
}

static void setup_from_route(struct call *call)
{
	call_setup_routed(&call->route, &call->s_in, &call->s_out);
}

void call_leg_retire(struct call *call, struct call_leg *leg)
{
	leg->gone = true;
	call_leg_limit_drop(leg);
	leg->next_retired = call->retired;
	call->retired = leg;
}

/* Clear both legs (those not gone yet) and end the call. */
void call_clear(struct call *call, unsigned cause, unsigned status)
{
	call_cause_complete(call, &cause, &status);
	call->cause = cause;
	call->status = status;
	call_leg_release(call->in, cause, status);
	call_leg_release(call->out, cause, 0);
	fsm_state_chg(&call->fi, CS_RELEASED, FSM_NO_TIMER);
}

/* The outgoing leg is finished with: keep it until the call is freed (its
 * adapter may be inside its own callback right now). */
void call_out_retire(struct call *call)
{
	call_leg_retire(call, call->out);
	call->out = NULL;
}

/* The attempt at the current destination failed with a congestion cause
 * and another destination follows: tell the gateway (its counters). */
static void failover_note(struct call *call, unsigned cause)
{
	const struct call_env *env = call->env;
	if (env->ops->failover && call->next_dest > 0 && call->next_dest < call->route.n_dest)
		env->ops->failover(call, &call->route.dest[call->next_dest - 1], cause, env->arg);
}

void call_out_next(struct call *call, unsigned cause)
{
	if (call->out) {
		call_out_retire(call);
		failover_note(call, cause);
	}
	while (call->next_dest < call->route.n_dest) {
		const struct route_dest *dest = &call->route.dest[call->next_dest++];
		struct call_leg *leg = NULL;
		int rc = call->env->ops->leg_create(call, dest, &leg, call->env->arg);
		if (!rc) {
			leg->call = call;
			call->out = leg;
			rc = leg->ops->setup(leg, &call->s_out);
			/* Set up; or the leg already reported its end from inside
			 * setup and the call has moved on. */
			if (!rc || call->out != leg)
				return;
			call_out_retire(call);
		}
		cause = rc == EBUSY ? 34 : 41;
		LOGN(LC_CALL, call_name(call), "destination %s: %s (cause %u)", dest->name,
		     strerror(rc), cause);
		failover_note(call, cause);
	}
	call_clear(call, cause, 0);
}

static void route_ctx_from(const struct call *call, struct route_ctx *ctx)
{
	const struct call_setup *s = &call->s_in;
	route_ctx_init(ctx);
	const struct call_party *p[] = { &s->called, &s->calling, &s->redirecting };
	struct route_number *rn[] = { &ctx->called, &ctx->calling, &ctx->redirecting };
	for (int i = 0; i < 3; i++) {
		if (!p[i]->present || route_number_set(rn[i], p[i]->digits))
			continue; /* absent, or not a number: routes as absent */
		rn[i]->ton = p[i]->ton;
		rn[i]->npi = p[i]->npi;
	}
	ctx->pres = s->calling.pres;
	ctx->dir = call->in->side == CALL_SIDE_SIP ? ROUTE_DIR_TO_PSTN : ROUTE_DIR_TO_SIP;
	ctx->trunk = s->trunk[0] ? s->trunk : NULL;
	ctx->group = s->group[0] ? s->group : NULL;
	ctx->span = s->span;
	memcpy(ctx->addr, s->addr, sizeof(ctx->addr));
	ctx->addr_family = s->addr_family;
}

static struct call *call_new(const struct call_env *env, struct call_leg *in,
			     const struct call_setup *s)
{
	struct call *call = mem_zalloc(sizeof(*call), call_destroy);
	if (!call)
		return NULL;
	atomic_fetch_add(&calls_alive, 1);
	char name[24];
	call->id = atomic_fetch_add(&next_id, 1) + 1;
	snprintf(name, sizeof(name), "call %u", call->id);
	list_append(&calls, &call->le);
	fsm_inst_init(&call->fi, &call_fsm_def, env->loop, name, call);
	call->t_noanswer = env->t_noanswer;
	call->fi.timer_ns = &call->t_noanswer;
	call->env = env;
	call->routes = mem_ref((void *)env->routes);
	call->in = in;
	in->call = call;
	call->s_in = *s;
	call->t_start = s->t_begin ? s->t_begin : clk_wall(loop_clock(env->loop));
	return call;
}

/* Route (again) with the incoming numbers as they are now. */
static void call_route(struct call *call)
{
	struct route_ctx ctx;
	route_ctx_from(call, &ctx);
	memset(&call->route, 0, sizeof(call->route));
	if (call->routes)
		route_decide(call->routes, &ctx, &call->route);
	setup_from_route(call);
	call->next_dest = 0;
}

/* No route: Q.850 3, no route to destination (→ 404); for a number that
 * may be incomplete (overlap dialling) 28, invalid number format (→ 484).
 * A rule's own rejection keeps its cause. */
static unsigned noroute_cause(const struct call *call, bool incomplete)
{
	if (call->route.verdict == ROUTE_REJECT)
		return call->route.cause;
	return incomplete ? 28 : 3;
}

int call_incoming(const struct call_env *env, struct call_leg *in, const struct call_setup *s)
{
	struct call *call = call_new(env, in, s);
	if (!call)
		return ENOMEM;
	call->in_open = s->overlap_open;
	call_route(call);
	bool routed = call->route.verdict == ROUTE_ROUTE;
	if (!routed && !call->in_open) {
		unsigned cause = noroute_cause(call, s->overlap_timeout);
		LOGN(LC_CALL, call_name(call), "called %s: %s, cause %u", s->called.digits,
		     call->route.verdict == ROUTE_REJECT ? "rejected" : "no route", cause);
		call_clear(call, cause, 0);
		return 0;
	}
	if (routed)
		LOGI(LC_CALL, call_name(call), "called %s → %s by rule %s", s->called.digits,
		     call->route.dest[0].name, call->route.rule);
	else
		LOGI(LC_CALL, call_name(call), "called %s: not routable yet, waiting for digits",
		     s->called.digits);
	fsm_state_chg(&call->fi, CS_CALLING, CT_NOANSWER);
	in->ops->proceeding(in);
	if (call->fi.state == CS_CALLING && routed)
		call_out_next(call, 41);
	return 0;
}

void call_leg_digits(struct call_leg *in, const char *digits, bool final)
{
	struct call *call = in->call;
	if (!call || in != call->in || !call->in_open || call->fi.state != CS_CALLING)
		return;
	struct call_party *called = &call->s_in.called;
	size_t have = strlen(called->digits), more = strlen(digits);
	if (have + more > ROUTE_NUM_MAX) {
		call_clear(call, 28, 0);
		return;
	}
	memcpy(called->digits + have, digits, more + 1);
	called->present = called->digits[0] != '\0';
	call->in_open = !final;
	if (more) {
		if (call->out) {
			/* RFC 3578 §2: the pending INVITE gives way to the new one. */
			call_leg_release(call->out, 16, 0);
			call_out_retire(call);
		}
		call_route(call);
		if (call->route.verdict == ROUTE_ROUTE) {
			LOGI(LC_CALL, call_name(call), "called %s → %s by rule %s (overlap)",
			     called->digits, call->route.dest[0].name, call->route.rule);
			fsm_timer_start(&call->fi, CT_NOANSWER); /* a new attempt */
			call_out_next(call, 41);
			return;
		}
	}
	/* Nothing pending (a 484, or no route) and no digit to come. */
	if (!call->out && !call->in_open)
		call_clear(call, noroute_cause(call, true), 0);
}

static int leg_event(struct call_leg *leg, unsigned ev, const struct call_evd *d)
{
	if (!leg->call)
		return EINVAL;
	struct call *call = leg->call;
	if (call->xfer && call_xfer_leg_event(call, leg, ev, d))
		return 0;
	bool from_in = leg == call->in;
	if (from_in != (ev == CE_IN_RELEASED)) {
		/* An incoming leg reports only its release; a stale outgoing leg
		 * (failed over) nothing at all. */
		LOGD(LC_CALL, call_name(call), "%s leg event %s ignored", leg->ops->kind,
		     fsm_event_name(&call_fsm_def, ev));
		return EPERM;
	}
	if (!from_in && leg != call->out)
		return EPERM;
	return fsm_event(&call->fi, ev, (void *)d);
}

void call_leg_proceeding(struct call_leg *leg)
{
	struct call_evd d = { 0 };
	leg_event(leg, CE_OUT_PROCEEDING, &d);
}

void call_leg_alerting(struct call_leg *leg, bool inband)
{
	struct call_evd d = { .inband = inband };
	leg_event(leg, CE_OUT_ALERTING, &d);
}

void call_leg_progress(struct call_leg *leg)
{
	struct call_evd d = { .inband = true };
	leg_event(leg, CE_OUT_PROGRESS, &d);
}

void call_leg_answer(struct call_leg *leg)
{
	struct call_evd d = { 0 };
	leg_event(leg, CE_OUT_ANSWER, &d);
}

void call_leg_released(struct call_leg *leg, unsigned cause, unsigned status)
{
	struct call_evd d = { .cause = cause, .status = status };
	if (!leg->call || leg->gone)
		return;
	leg->gone = true;
	call_leg_limit_drop(leg);
	leg_event(leg, leg == leg->call->in ? CE_IN_RELEASED : CE_OUT_RELEASED, &d);
}

void call_leg_unreachable(struct call_leg *leg, unsigned status)
{
	struct call_evd d = { .status = status, .unreachable = true };
	if (!leg->call || leg->gone || leg == leg->call->in)
		return;
	leg->gone = true;
	call_leg_limit_drop(leg);
	leg_event(leg, CE_OUT_RELEASED, &d);
}

void call_hangup(struct call *call, unsigned cause)
{
	struct call_evd d = { .cause = cause ? cause : 16 };
	fsm_event(&call->fi, CE_HANGUP, &d);
}
