/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated switch: a controller and a runner per call that steps
 * through the script's actions on the loop's clock (see isdn_switch.h).
 */
#include <dahdi/tonezone.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/log.h"
#include "core/mem.h"
#include "pstn/isdn_switch_int.h"

#define SW_LOG_MAX 16384

struct sw_run {
	struct le le;
	struct isdn_simsw *sw;
	struct isdn_call *call;
	const struct sw_prog *prog;
	unsigned pc;
	unsigned ndigits;
	const char *overlap; /* digits still to send after SETUP ACK */
	struct loop_timer tmr;
	struct sw_media *media; /* the call's B-channel, once audio was asked for */
};

struct sw_timer { /* a scheduled `call` */
	struct isdn_simsw *sw;
	const struct sw_place *pl;
	struct loop_timer tmr;
};

struct isdn_simsw {
	struct loop *loop;
	struct isdn_ctrl *ctrl;
	struct sw_script script;
	struct sw_timer places[SW_MAX_PLACES];
	struct le runs;
	struct tdm *tdm; /* audio: see isdn_simsw_media() */
	unsigned chan_base;
	struct tone_zone *zone;
	int16_t *rec; /* the last recording */
	size_t nrec;
	char log[SW_LOG_MAX];
	size_t loglen;
};

__attribute__((format(printf, 2, 3))) static void sw_note(struct isdn_simsw *sw, const char *fmt,
							  ...)
{
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	LOGI(LC_SIM, "isdn switch", "%s", line);
	size_t n = strlen(line);
	if (sw->loglen + n + 2 > sizeof(sw->log))
		return; /* full: keep the beginning */
	memcpy(sw->log + sw->loglen, line, n);
	sw->loglen += n;
	sw->log[sw->loglen++] = '\n';
	sw->log[sw->loglen] = 0;
}

/* Keep what the call recorded, for isdn_simsw_recording(). */
static void run_keep_recording(struct sw_run *r)
{
	size_t n;
	const int16_t *rec = r->media ? sw_media_recording(r->media, &n) : NULL;
	if (!rec || !n)
		return;
	int16_t *copy = malloc(n * sizeof(*copy));
	if (!copy)
		return;
	memcpy(copy, rec, n * sizeof(*copy));
	free(r->sw->rec);
	r->sw->rec = copy;
	r->sw->nrec = n;
}

static void run_free(struct sw_run *r)
{
	run_keep_recording(r);
	r->media = mem_deref(r->media);
	loop_timer_cancel(r->sw->loop, &r->tmr);
	list_unlink(&r->le);
	if (r->call)
		isdn_call_set_priv(r->call, NULL);
	mem_deref(r);
}

static struct sw_run *run_alloc(struct isdn_simsw *sw, struct isdn_call *call,
				const struct sw_prog *prog)
{
	struct sw_run *r = mem_zalloc(sizeof(*r), NULL);
	if (!r)
		return NULL;
	r->sw = sw;
	r->call = call;
	r->prog = prog;
	loop_timer_init(&r->tmr);
	le_init(&r->le);
	list_append(&sw->runs, &r->le);
	if (call)
		isdn_call_set_priv(call, r);
	return r;
}

static void run_step(struct sw_run *r);

static void run_timer(void *arg)
{
	run_step(arg);
}

/* tone, echo, record, silence on the call's B-channel. */
static void run_media(struct sw_run *r, const struct sw_action *a)
{
	static const char *const names[] = {[SW_TONE] = "tone",
					    [SW_ECHO] = "echo",
					    [SW_RECORD] = "record",
					    [SW_SILENCE] = "silence"};
	struct isdn_simsw *sw = r->sw;
	int chan = isdn_call_chan(r->call), rc = 0;
	if (!sw->tdm || chan <= 0) {
		sw_note(sw, "%s skipped (no audio)", names[a->op]);
		return;
	}
	if (!r->media)
		rc = sw_media_open(&r->media, sw->tdm, sw->chan_base + (unsigned)chan - 1);
	if (!rc && a->op == SW_TONE) {
		char hz[8]; /* libtonezone's form for a steady tone: "1004" */
		snprintf(hz, sizeof(hz), "%u", a->hz);
		const char *tone = a->hz ? hz : sw_zone_tone(sw->zone, a->arg);
		rc = tone ? sw_media_set(r->media, SW_MEDIA_TONE, tone) : ENOENT;
	} else if (!rc) {
		rc = sw_media_set(r->media,
				  a->op == SW_ECHO     ? SW_MEDIA_ECHO
				  : a->op == SW_RECORD ? SW_MEDIA_RECORD
						       : SW_MEDIA_NONE,
				  NULL);
	}
	sw_note(sw, "%s %u%s on channel %d%s", names[a->op],
		a->op == SW_TONE ? (a->hz ? a->hz : a->arg) : 0, a->hz ? " Hz" : "", chan,
		rc ? " (failed)" : "");
}

/* One action; false when the runner must stop (wait, collect, end). */
static bool run_action(struct sw_run *r, const struct sw_action *a)
{
	struct isdn_simsw *sw = r->sw;
	static const char *const names[] = {"proceeding", "alert", "progress", "setup_ack",
					    "answer"};
	int rc = 0;
	switch (a->op) {
	case SW_PROCEEDING:
		rc = isdn_call_proceeding(r->call, a->inband);
		break;
	case SW_ALERT:
		rc = isdn_call_alert(r->call, a->inband);
		break;
	case SW_PROGRESS:
		rc = isdn_call_progress(r->call, a->inband);
		break;
	case SW_SETUP_ACK:
		rc = isdn_call_setup_ack(r->call, a->inband);
		break;
	case SW_ANSWER:
		rc = isdn_call_answer(r->call);
		break;
	case SW_WAIT:
		loop_timer_start(sw->loop, &r->tmr, a->ns, run_timer, r);
		return false;
	case SW_COLLECT:
		return r->ndigits >= a->arg;
	case SW_NEVER:
		return false;
	case SW_TONE:
	case SW_ECHO:
	case SW_RECORD:
	case SW_SILENCE:
		run_media(r, a);
		return true;
	case SW_REJECT:
	case SW_HANGUP:
		sw_note(sw, "tx %s %u", a->op == SW_REJECT ? "reject" : "hangup", a->arg);
		isdn_call_set_priv(r->call, NULL);
		isdn_call_hangup(r->call, a->arg);
		r->call = NULL;
		return false;
	}
	sw_note(sw, "tx %s%s%s", names[a->op], a->inband ? " inband" : "",
		rc ? " (refused in this state)" : "");
	return true;
}

static void run_step(struct sw_run *r)
{
	while (r->call && r->pc < r->prog->n) {
		const struct sw_action *a = &r->prog->a[r->pc];
		bool go_on = run_action(r, a);
		if (!r->call)
			break;
		if (!go_on) {
			if (a->op != SW_COLLECT)
				r->pc++;
			return;
		}
		r->pc++;
	}
	if (!r->call)
		run_free(r);
}

static void h_incoming(struct isdn_call *call, const struct isdn_setup *s, void *arg)
{
	struct isdn_simsw *sw = arg;
	sw_note(sw, "rx setup %s from %s pres %u chan %d%s", s->called.digits, s->calling.digits,
		s->calling.pres, s->chan, s->complete ? "" : " overlap");
	const struct sw_rule *rule = isdn_simsw_match(&sw->script, s->called.digits);
	if (!rule) {
		sw_note(sw, "tx reject 1 (no rule)");
		isdn_call_hangup(call, 1);
		return;
	}
	struct sw_run *r = run_alloc(sw, call, &rule->prog);
	if (!r) {
		isdn_call_hangup(call, 47);
		return;
	}
	r->ndigits = (unsigned)strlen(s->called.digits);
	run_step(r);
}

static void h_digits(struct isdn_call *call, const char *digits, bool complete, bool timeout,
		     void *arg)
{
	struct isdn_simsw *sw = arg;
	struct sw_run *r = isdn_call_priv(call);
	sw_note(sw, "rx digits '%s'%s%s", digits, complete ? " complete" : "",
		timeout ? " timeout" : "");
	if (!r)
		return;
	r->ndigits += (unsigned)strlen(digits);
	if (r->pc < r->prog->n && r->prog->a[r->pc].op == SW_COLLECT)
		run_step(r);
}

static void h_progress(struct isdn_call *call, enum isdn_prog_kind kind, uint8_t pi, void *arg)
{
	static const char *const names[] = {"setup_ack", "proceeding", "alerting", "progress"};
	struct isdn_simsw *sw = arg;
	struct sw_run *r = isdn_call_priv(call);
	sw_note(sw, "rx %s pi %u", names[kind], pi);
	if (kind == ISDN_PROG_SETUP_ACK && r && r->overlap && r->overlap[0]) {
		sw_note(sw, "tx information %s", r->overlap);
		isdn_call_info(call, r->overlap);
		r->overlap = NULL;
	}
}

static void h_answer(struct isdn_call *call, void *arg)
{
	struct isdn_simsw *sw = arg;
	struct sw_run *r = isdn_call_priv(call);
	sw_note(sw, "rx answer chan %d", isdn_call_chan(call));
	if (r) {
		loop_timer_cancel(sw->loop, &r->tmr); /* answered: not abandoned */
		run_step(r);
	}
}

static void h_hangup(struct isdn_call *call, unsigned cause, unsigned loc, void *arg)
{
	struct isdn_simsw *sw = arg;
	struct sw_run *r = isdn_call_priv(call);
	sw_note(sw, "rx hangup %u location %u", cause, loc);
	if (r) {
		r->call = NULL;
		run_free(r);
	}
}

static void h_link(struct isdn_ctrl *ctrl, bool up, void *arg)
{
	(void)ctrl;
	sw_note(arg, "link %s", up ? "up" : "down");
}

static const struct isdn_handlers sw_handlers = {
    .incoming = h_incoming,
    .digits = h_digits,
    .progress = h_progress,
    .answer = h_answer,
    .hangup = h_hangup,
    .link = h_link,
};

/* A caller who gives up before an answer (`call ... abandon DURATION`). */
static void run_abandon(void *arg)
{
	struct sw_run *r = arg;
	sw_note(r->sw, "tx hangup 16 (abandoned)");
	isdn_call_set_priv(r->call, NULL);
	isdn_call_hangup(r->call, 16);
	r->call = NULL;
	run_free(r);
}

static void place_fired(void *arg)
{
	struct sw_timer *t = arg;
	struct isdn_simsw *sw = t->sw;
	struct isdn_call *call;
	struct sw_run *r = run_alloc(sw, NULL, &t->pl->then);
	if (!r)
		return;
	int rc = isdn_call_place(sw->ctrl, &call, &t->pl->prm, NULL);
	sw_note(sw, "tx setup %s from %s%s", t->pl->prm.called.digits, t->pl->prm.calling.digits,
		rc ? " (failed)" : "");
	if (rc) {
		run_free(r);
		return;
	}
	r->call = call;
	r->overlap = t->pl->overlap;
	isdn_call_set_priv(call, r);
	if (t->pl->abandon)
		loop_timer_start(sw->loop, &r->tmr, t->pl->abandon, run_abandon, r);
}

static void sw_destroy(void *data)
{
	struct isdn_simsw *sw = data;
	struct le *le, *n;
	for (unsigned i = 0; i < SW_MAX_PLACES; i++)
		loop_timer_cancel(sw->loop, &sw->places[i].tmr);
	list_for_each_safe(&sw->runs, le, n) run_free(container_of(le, struct sw_run, le));
	mem_deref(sw->ctrl);
	mem_deref(sw->tdm);
	mem_deref(sw->loop);
	free(sw->rec);
}

int isdn_simsw_alloc(struct isdn_simsw **swp, struct loop *loop, const struct isdn_conf *conf,
		     const struct isdn_dchan_ops *ops, void *ops_arg)
{
	struct isdn_simsw *sw = mem_zalloc(sizeof(*sw), sw_destroy);
	if (!sw)
		return ENOMEM;
	sw->loop = mem_ref(loop);
	list_init(&sw->runs);
	for (unsigned i = 0; i < SW_MAX_PLACES; i++)
		loop_timer_init(&sw->places[i].tmr);
	int rc = isdn_ctrl_alloc(&sw->ctrl, loop, conf, ops, ops_arg, &sw_handlers, sw);
	if (rc) {
		mem_deref(sw);
		return rc;
	}
	*swp = sw;
	return 0;
}

int isdn_simsw_load(struct isdn_simsw *sw, const char *name, const char *text, char *err,
		    size_t errlen)
{
	static struct sw_script s;
	if (!list_empty(&sw->runs)) {
		snprintf(err, errlen, "%s: calls in progress", name);
		return EBUSY;
	}
	int rc = isdn_simsw_parse(&s, name, text, err, errlen);
	if (rc)
		return rc;
	for (unsigned i = 0; i < SW_MAX_PLACES; i++)
		loop_timer_cancel(sw->loop, &sw->places[i].tmr);
	sw->script = s;
	for (unsigned i = 0; i < sw->script.nplaces; i++) {
		struct sw_timer *t = &sw->places[i];
		t->sw = sw;
		t->pl = &sw->script.places[i];
		loop_timer_start(sw->loop, &t->tmr, t->pl->at, place_fired, t);
	}
	return 0;
}

int isdn_simsw_load_file(struct isdn_simsw *sw, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		int rc = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(rc));
		return rc;
	}
	char *text = malloc(65536);
	size_t n = text ? fread(text, 1, 65535, f) : 0;
	bool too_big = text && n == 65535 && fgetc(f) != EOF;
	fclose(f);
	if (!text)
		return ENOMEM;
	text[n] = 0;
	int rc = too_big ? EFBIG : isdn_simsw_load(sw, path, text, err, errlen);
	if (too_big)
		snprintf(err, errlen, "%s: longer than 64 KiB", path);
	free(text);
	return rc;
}

int isdn_simsw_media(struct isdn_simsw *sw, struct tdm *tdm, unsigned chan_base, const char *zone)
{
	char z[16];
	snprintf(z, sizeof(z), "%s", zone ? zone : "us");
	struct tone_zone *tz = tone_zone_find(z);
	if (!tdm || !chan_base || !tz)
		return EINVAL;
	mem_deref(sw->tdm);
	sw->tdm = mem_ref(tdm);
	sw->chan_base = chan_base;
	sw->zone = tz;
	return 0;
}

const int16_t *isdn_simsw_recording(const struct isdn_simsw *sw, size_t *n)
{
	*n = sw->nrec;
	return sw->rec;
}

struct isdn_ctrl *isdn_simsw_ctrl(const struct isdn_simsw *sw)
{
	return sw->ctrl;
}

const char *isdn_simsw_log(const struct isdn_simsw *sw)
{
	return sw->log;
}
