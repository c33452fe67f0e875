/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim: building spans and channels from system.conf, the tick that paces
 * them (dahdi_dummy's job), cross-connects and fault injection.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"
#include "drivers/tdm.h"
#include "sim/sim_int.h"

#define SIM_NS_PER_SAMPLE 125000ull /* 8 kHz: one byte per channel */
#define SIM_CATCHUP_MAX	  100	    /* ticks done at once on a late real clock */

static void sim_tick_h(void *arg);

static void sim_destroy(void *data)
{
	struct sim *sim = data;
	unsigned i;

	loop_timer_cancel(sim->loop, &sim->tick);
	if (sim->defer_armed)
		loop_defer_cancel(sim->loop, sim);
	sim_files_close_all(sim);
	for (i = 0; i < sim->nspans; i++) {
		sim_listener_free(&sim->spans[i]);
		sim_remote_free(&sim->spans[i]);
		mem_deref(sim->spans[i].chans);
	}
	mem_deref(sim->spans);
	mem_deref(sim->chan_by_no);
}

struct sim_chan *sim_chan_get(struct sim *sim, unsigned channo)
{
	return channo && channo <= sim->maxchan ? sim->chan_by_no[channo] : NULL;
}

static void sim_defer_h(void *arg)
{
	struct sim *sim = arg;

	sim->defer_armed = false;
	sim_ready_dispatch(sim);
}

/* Readiness is owed to the channel's watcher: deliver it after this tick,
 * or from a deferred call when the change came from outside a tick. */
void sim_chan_kick(struct sim_chan *ch)
{
	struct sim *sim = ch->span->sim;

	if (!ch->file || !ch->file->watch || le_linked(&ch->ready_le))
		return;
	list_append(&sim->ready, &ch->ready_le);
	if (!sim->in_tick && !sim->defer_armed && !loop_defer(sim->loop, sim_defer_h, sim))
		sim->defer_armed = true;
}

/* Queue a DAHDI event on an open channel; like dahdi-base.c's __qevent the
 * queue holds DAHDI_MAX_EVENTSIZE - 1 and drops what does not fit. */
void sim_chan_event(struct sim_chan *ch, int ev)
{
	unsigned next = (ch->ev_in + 1) % DAHDI_MAX_EVENTSIZE;

	if (!ch->file)
		return;
	if (next == ch->ev_out) {
		LOGW(LC_SIM, ch->span->name, "c%u: event queue full, %d lost", ch->chanpos, ev);
		return;
	}
	ch->ev[ch->ev_in] = ev;
	ch->ev_in = next;
	sim_chan_kick(ch);
}

int sim_chan_buffers(struct sim_chan *ch, unsigned bufsize, unsigned numbufs)
{
	size_t size;
	uint8_t *rx, *tx;

	/* dahdi_reallocbufs clamps the count and drops buffered data */
	if (numbufs < 2)
		numbufs = 2;
	if (numbufs > DAHDI_MAX_NUM_BUFS)
		numbufs = DAHDI_MAX_NUM_BUFS;
	size = (size_t)bufsize * numbufs;
	rx = mem_zalloc(size, NULL);
	tx = mem_zalloc(size, NULL);
	if (!rx || !tx) {
		mem_deref(rx);
		mem_deref(tx);
		return ENOMEM;
	}
	mem_deref(ch->rx.mem);
	mem_deref(ch->tx.mem);
	ch->rx.mem = rx;
	ch->tx.mem = tx;
	ch->rx.bufsize = ch->tx.bufsize = bufsize;
	ch->rx.numbufs = ch->tx.numbufs = numbufs;
	ch->blocksize = bufsize;
	sim_dbuf_reset(&ch->rx);
	sim_dbuf_reset(&ch->tx);
	ch->tx.txdisable = ch->txpolicy != DAHDI_POLICY_IMMEDIATE;
	return 0;
}

/* Back to the state of a freshly opened (or closed) channel. */
void sim_chan_reset(struct sim_chan *ch)
{
	ch->rx.mem = mem_deref(ch->rx.mem);
	ch->tx.mem = mem_deref(ch->tx.mem);
	ch->gains = mem_deref(ch->gains);
	ch->ev_in = ch->ev_out = 0;
	ch->law = ch->span->deflaw;
	ch->linear = false;
	ch->txpolicy = DAHDI_POLICY_IMMEDIATE;
	ch->ec_taps = 0;
	/* close_channel() in dahdi-base.c: a clear channel leaves audio mode;
	 * analog channels are always in it */
	ch->audio = ch->sig && !(ch->sig & DAHDI_SIG_CLEAR);
	ch->bufevents = ch->txunderrun = ch->rxoverrun = false;
	list_unlink(&ch->ready_le);
}

static void sim_span_init(struct sim *sim, struct sim_span *span, const struct sysconf *sc,
			  const struct sysconf_span *ss)
{
	unsigned i;

	span->sim = sim;
	span->spanno = ss->spanno;
	span->kind = ss->kind;
	span->first = ss->first;
	span->nchans = ss->nchans;
	span->lineconfig = ss->lineconfig;
	span->timing = ss->timing;
	/* E1 and BRI lines are A-law, T1 and analog mu-law (G.711 regions) */
	span->deflaw =
	    ss->kind == SYSCONF_E1 || ss->kind == SYSCONF_BRI ? DAHDI_LAW_ALAW : DAHDI_LAW_MULAW;
	snprintf(span->name, sizeof(span->name), "sim span%u", ss->spanno);
	snprintf(span->dyn_addr, sizeof(span->dyn_addr), "%s", ss->dyn_addr);
	for (i = 0; i < span->nchans; i++) {
		struct sim_chan *ch = &span->chans[i];

		ch->span = span;
		ch->channo = ss->first + i;
		ch->chanpos = i + 1;
		ch->sig = sc->sig[ch->channo];
		ch->hdlc = ch->sig == DAHDI_SIG_HDLCFCS || ch->sig == DAHDI_SIG_HARDHDLC;
		if (ch->hdlc && span->hdlc_lo == span->hdlc_hi)
			span->hdlc_lo = i;
		if (ch->hdlc)
			span->hdlc_hi = i + 1;
		ch->law = span->deflaw;
		le_init(&ch->ready_le);
		sim->chan_by_no[ch->channo] = ch;
	}
}

static int sim_build(struct sim *sim, const struct sysconf *sc)
{
	unsigned i;

	sim->nspans = sc->nspans;
	sim->maxchan = 0;
	for (i = 0; i < sc->nspans; i++)
		sim->maxchan = sc->spans[i].first + sc->spans[i].nchans - 1;
	sim->spans = mem_zalloc(sizeof(*sim->spans) * (sc->nspans ? sc->nspans : 1), NULL);
	sim->chan_by_no = mem_zalloc(sizeof(*sim->chan_by_no) * (sim->maxchan + 1), NULL);
	if (!sim->spans || !sim->chan_by_no)
		return ENOMEM;
	for (i = 0; i < sc->nspans; i++) {
		sim->spans[i].chans =
		    mem_zalloc(sizeof(struct sim_chan) * sc->spans[i].nchans, NULL);
		if (!sim->spans[i].chans)
			return ENOMEM;
		sim_span_init(sim, &sim->spans[i], sc, &sc->spans[i]);
	}
	return 0;
}

/* dahdi_dynamic_loc joins the spans whose addresses share a key
 * ("1:0" with "1:1"). */
static int sim_cross_loc(struct sim *sim, const struct sysconf *sc, struct conf_diag *diag)
{
	unsigned i, j, found;
	int err = 0;

	for (i = 0; i < sim->nspans; i++) {
		struct sim_span *a = &sim->spans[i];
		size_t klen = strcspn(a->dyn_addr, ":");

		if (a->kind != SYSCONF_DYNAMIC || a->peer)
			continue;
		for (j = i + 1, found = 0; j < sim->nspans; j++) {
			struct sim_span *b = &sim->spans[j];

			if (b->kind != SYSCONF_DYNAMIC || strncmp(a->dyn_addr, b->dyn_addr, klen) ||
			    b->dyn_addr[klen] != ':')
				continue;
			if (found++ || sim_span_cross(a, b)) {
				conf_diag_err(diag, sc->file, sc->spans[j].line,
					      "dynamic=loc %s cannot pair with %s", b->dyn_addr,
					      a->dyn_addr);
				err = EINVAL;
			}
		}
		if (!found) {
			conf_diag_err(diag, sc->file, sc->spans[i].line,
				      "dynamic=loc %s has no partner with the same key",
				      a->dyn_addr);
			err = EINVAL;
		}
	}
	return err;
}

static int sim_config(struct sim *sim, const struct sim_prm *prm, struct conf_diag *diag)
{
	struct sysconf *sc = mem_zalloc(sizeof(*sc), NULL);
	const char *name = prm->name ? prm->name : prm->path ? prm->path : "system.conf";
	int err;

	if (!sc)
		return ENOMEM;
	if (prm->text)
		err = sysconf_parse(sc, name, prm->text, strlen(prm->text), diag);
	else if (prm->path)
		err = sysconf_load(sc, prm->path, diag);
	else
		err = EINVAL;
	if (!err)
		err = sim_build(sim, sc);
	if (!err)
		err = sim_cross_loc(sim, sc, diag);
	mem_deref(sc);
	return err;
}

int sim_alloc(struct sim **simp, struct loop *loop, const struct sim_prm *prm,
	      struct conf_diag *diag)
{
	struct sim *sim;
	uint64_t tick = prm->tick ? prm->tick : NS_PER_MS;
	unsigned stride = prm->stride ? prm->stride : 1;
	int err;

	if (tick % SIM_NS_PER_SAMPLE || tick / SIM_NS_PER_SAMPLE > SIM_CHUNK_MAX) {
		conf_diag_err(diag, NULL, 0, "sim tick must be a multiple of 125 us up to 128 ms");
		return EINVAL;
	}
	if (stride > SIM_CHUNK_MAX || tick / SIM_NS_PER_SAMPLE * stride > SIM_CHUNK_MAX) {
		conf_diag_err(diag, NULL, 0, "sim stride times tick must be at most 128 ms");
		return EINVAL;
	}
	sim = mem_zalloc(sizeof(*sim), sim_destroy);
	if (!sim)
		return ENOMEM;
	sim->loop = loop;
	sim->tick_ns = tick;
	sim->chunk = (unsigned)(tick / SIM_NS_PER_SAMPLE);
	sim->stride = stride;
	list_init(&sim->ready);
	loop_timer_init(&sim->tick);
	sim_sys_init(sim);
	err = sim_config(sim, prm, diag);
	if (!err) {
		sim->next_tick = loop_now(loop) + tick;
		err = loop_timer_start(loop, &sim->tick, tick, sim_tick_h, sim);
	}
	if (err) {
		mem_deref(sim);
		return err;
	}
	LOGI(LC_SIM, "sim", "%u spans, %u channels, tick %llu us", sim->nspans, sim->maxchan,
	     (unsigned long long)(tick / NS_PER_US));
	*simp = sim;
	return 0;
}

static void sim_tick_h(void *arg)
{
	struct sim *sim = arg;
	uint64_t now = loop_now(sim->loop);
	unsigned n = 0, i;

	sim->in_tick = true;
	do {
		/* a slip asked for between ticks is 2: 1 during the next tick */
		for (i = 0; i < sim->nspans; i++)
			if (sim->spans[i].slip)
				sim->spans[i].slip--;
		for (i = 0; i < sim->nspans; i++)
			sim_tick_span(&sim->spans[i]);
		sim->ticks++;
		sim->next_tick += sim->tick_ns;
	} while (sim->next_tick <= now && ++n < SIM_CATCHUP_MAX);
	if (sim->next_tick <= now)
		sim->next_tick = now + sim->tick_ns; /* too late: drop time */
	sim->in_tick = false;
	loop_timer_start(sim->loop, &sim->tick, sim->next_tick - now, sim_tick_h, sim);
	sim_ready_dispatch(sim);
}

const struct tdm_sys *sim_sys(struct sim *sim)
{
	return &sim->sys;
}

unsigned sim_span_count(const struct sim *sim)
{
	return sim->nspans;
}

struct sim_span *sim_span_find(struct sim *sim, unsigned spanno)
{
	return spanno && spanno <= sim->nspans ? &sim->spans[spanno - 1] : NULL;
}

uint64_t sim_ticks(const struct sim *sim)
{
	return sim->ticks;
}

int sim_span_cross(struct sim_span *a, struct sim_span *b)
{
	unsigned i;

	if (a == b || a->nchans != b->nchans)
		return EINVAL;
	if (a->peer || b->peer || a->remote || b->remote)
		return EBUSY;
	a->peer = b;
	b->peer = a;
	a->remote_red = b->remote_red = false; /* a closed remote link is gone */
	sim_alarm_update(a);
	sim_alarm_update(b);
	for (i = 0; i < a->nchans; i++) {
		a->chans[i].peer = &b->chans[i];
		b->chans[i].peer = &a->chans[i];
	}
	LOGI(LC_SIM, a->name, "crossed with span%u", b->spanno);
	return 0;
}

static bool sim_sig_fxs(int sig)
{
	return (sig & __DAHDI_SIG_FXS) == __DAHDI_SIG_FXS;
}

static bool sim_sig_fxo(int sig)
{
	return (sig & __DAHDI_SIG_FXO) == __DAHDI_SIG_FXO;
}

int sim_line_cross(struct sim *sim, unsigned chan_a, unsigned chan_b)
{
	struct sim_chan *a = sim_chan_get(sim, chan_a), *b = sim_chan_get(sim, chan_b);

	if (!a || !b)
		return EINVAL;
	if (!((sim_sig_fxs(a->sig) && sim_sig_fxo(b->sig)) ||
	      (sim_sig_fxo(a->sig) && sim_sig_fxs(b->sig))))
		return EINVAL;
	if (a->peer || b->peer)
		return EBUSY;
	a->peer = b;
	b->peer = a;
	a->span->line_crossed = b->span->line_crossed = true;
	return 0;
}

int sim_span_alarm(struct sim_span *span, unsigned alarms)
{
	char buf[64];

	span->alarms_inj = alarms;
	LOGN(LC_SIM, span->name, "alarms set to %s", tdm_alarm_str(alarms, buf, sizeof(buf)));
	sim_alarm_update(span);
	if (span->peer)
		sim_alarm_update(span->peer);
	if (span->remote)
		sim_remote_alarm(span);
	return 0;
}

void sim_dchan_abort(struct sim_span *span)
{
	unsigned i;

	for (i = 0; span && i < span->nchans; i++)
		if (span->chans[i].hdlc)
			sim_chan_event(&span->chans[i], DAHDI_EVENT_ABORT);
}

int sim_span_dchan(struct sim_span *span, bool up)
{
	if (span->dchan_down == !up)
		return 0;
	span->dchan_down = !up;
	LOGN(LC_SIM, span->name, "D-channel %s", up ? "up" : "down");
	if (span->remote)
		sim_remote_dchan(span);
	if (!up) {
		/* an idle-in-abort line: both HDLC receivers see aborts */
		sim_dchan_abort(span);
		sim_dchan_abort(span->peer);
	}
	return 0;
}

void sim_span_lose_frames(struct sim_span *span, unsigned n)
{
	span->lose += n;
}

void sim_span_bad_fcs(struct sim_span *span, unsigned n)
{
	span->badfcs += n;
}

void sim_span_slip(struct sim_span *span)
{
	/* taken by the next tick (see sim_tick.c) */
	span->slip = 2;
	span->st.slips++;
}

void sim_span_stats(const struct sim_span *span, struct sim_span_stats *st)
{
	*st = span->st;
}
