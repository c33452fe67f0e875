/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One tick of the sim: every channel of a span sends one chunk (tick/125 us
 * bytes) of what its writer queued, or idle, to the channel it is crossed
 * with; D-channels send their queued frames whole.  Then readiness is
 * delivered to the watchers of channels whose state changed.  No system
 * call and no per-channel timer: one loop timer drives every span.
 */
#include <string.h>
#include <sys/epoll.h>

#include "core/log.h"
#include "sim/sim_int.h"

#define SIM_RX_BLOCKED (DAHDI_ALARM_RED | DAHDI_ALARM_BLUE)

static uint32_t sim_chan_ready_mask(const struct sim_chan *ch)
{
	uint32_t m = 0;

	if (ch->rx.mem && ch->rx.out >= 0)
		m |= EPOLLIN;
	if (ch->ev_in != ch->ev_out)
		m |= EPOLLPRI;
	if (ch->tx.mem && ch->tx.in >= 0)
		m |= EPOLLOUT;
	return m;
}

void sim_chan_kick_if_ready(struct sim_chan *ch)
{
	if (ch->file && (ch->file->watch & sim_chan_ready_mask(ch)))
		sim_chan_kick(ch);
}

/* __dahdi_transmit_chunk: an idle clear channel sends silence in audio
 * mode, else all ones "so stupid switches won't consider the channel
 * active".  Silence is DAHDI_LIN2X(0): 0xd5 A-law, and 0x7f mu-law, since
 * DAHDI's encoder never gives 0xff (law_dahdi_lin2mu). */
uint8_t sim_chan_idle(const struct sim_chan *ch)
{
	if (!ch->audio)
		return 0xff;
	return ch->law == DAHDI_LAW_ALAW ? 0xd5 : 0x7f;
}

/* Deliver one chunk to the receiving channel `p`. */
void sim_audio_rx(struct sim_chan *p, uint8_t *buf, unsigned len)
{
	struct sim_span *rs = p->span;
	unsigned i;

	if (rs->alarms_inj & SIM_RX_BLOCKED)
		memset(buf, 0xff, len); /* no signal: the framer sees all ones */
	if (p->gains)
		for (i = 0; i < len; i++)
			buf[i] = p->gains[buf[i]];
	if (rs->slip == 1 && len) {
		buf++; /* a deletion slip: one 125 us frame never arrives */
		len--;
	}
	/* like __dahdi_receive_chunk: one READ_OVERRUN per episode */
	if (!sim_dbuf_rx_push(&p->rx, buf, len)) {
		rs->st.rx_overruns++;
		if (!p->rxoverrun && p->bufevents)
			sim_chan_event(p, DAHDI_EVENT_READ_OVERRUN);
		p->rxoverrun = true;
	} else {
		p->rxoverrun = false;
	}
	sim_chan_kick_if_ready(p);
}

void sim_chan_tx_chunk(struct sim_chan *ch, uint8_t *out, unsigned len)
{
	unsigned got = 0, i;

	if (ch->file && ch->tx.mem) {
		got = sim_dbuf_tx_pull(&ch->tx, out, len, ch->txpolicy);
		/* like __dahdi_transmit_chunk: one WRITE_UNDERRUN per episode */
		if (got < len && !ch->txunderrun && ch->bufevents)
			sim_chan_event(ch, DAHDI_EVENT_WRITE_UNDERRUN);
		ch->txunderrun = got < len;
		sim_chan_kick_if_ready(ch);
	}
	if (got < len)
		memset(out + got, sim_chan_idle(ch), len - got);
	if (ch->gains)
		for (i = 0; i < got; i++)
			out[i] = ch->gains[256 + out[i]];
}

static void sim_tick_audio(struct sim *sim, struct sim_chan *ch, unsigned len)
{
	struct sim_chan *p = ch->peer;

	sim_chan_tx_chunk(ch, sim->scratch, len);
	if (p && p->file && p->rx.mem)
		sim_audio_rx(p, sim->scratch, len);
}

/* True if the frame is lost on the way (and counted). */
static bool sim_frame_lost(struct sim_span *span, struct sim_chan *p)
{
	if (span->dchan_down || !p || (p->span->dchan_down) ||
	    (p->span->alarms_inj & SIM_RX_BLOCKED) || !p->file || !p->rx.mem) {
		span->st.frames_lost++;
		return true;
	}
	if (span->lose) {
		span->lose--;
		span->st.frames_lost++;
		return true;
	}
	return false;
}

static void sim_tick_hdlc(struct sim *sim, struct sim_chan *ch)
{
	struct sim_span *span = ch->span;
	struct sim_chan *p = ch->peer;
	uint8_t *f = sim->scratch;
	int len;

	if (!ch->file || !ch->tx.mem)
		return;
	while ((len = sim_dbuf_tx_frame(&ch->tx, f, sizeof(sim->scratch))) >= 0) {
		uint16_t fcs;

		sim_chan_kick_if_ready(ch);
		if (len < 3)
			continue; /* no payload: nothing goes on the line */
		span->st.frames_tx++;
		if (sim_frame_lost(span, p))
			continue;
		/* DAHDI computes the FCS over the frame and the receiver checks
		 * it; the two bytes the writer left are overwritten. */
		fcs = sim_fcs16(f, (size_t)len - 2);
		f[len - 2] = (uint8_t)(fcs & 0xff);
		f[len - 1] = (uint8_t)(fcs >> 8);
		if (span->badfcs) {
			span->badfcs--;
			p->span->st.frames_badfcs++;
			sim_chan_event(p, DAHDI_EVENT_BADFCS);
			continue;
		}
		if (!sim_dbuf_rx_frame(&p->rx, f, (unsigned)len)) {
			p->span->st.rx_overruns++;
			sim_chan_event(p, DAHDI_EVENT_OVERRUN);
			continue;
		}
		p->span->st.frames_rx++;
		sim_chan_kick_if_ready(p);
	}
}

/* No B-channel of the span nor any it is crossed with is open: only its
 * D-channels have anything to send, and its idle B-channels need not be
 * looked at one by one (with hundreds of spans, most of them without a
 * call, that walk was much of the tick's cost). */
static bool sim_span_audio_idle(const struct sim_span *span)
{
	return !span->nopen_audio &&
	       (span->peer ? !span->peer->nopen_audio : !span->line_crossed);
}

/* sim_prm.stride: D-channels every tick; B-channel i when the tick count
 * plus i is a multiple of the stride, with stride ticks of audio. */
static void sim_tick_strided(struct sim_span *span)
{
	struct sim *sim = span->sim;
	unsigned i, len = sim->chunk * sim->stride;

	for (i = span->hdlc_lo; i < span->hdlc_hi; i++) {
		struct sim_chan *ch = &span->chans[i];

		if (ch->hdlc && (ch->file || (ch->peer && ch->peer->file)))
			sim_tick_hdlc(sim, ch);
	}
	for (i = (unsigned)((sim->stride - sim->ticks % sim->stride) % sim->stride);
	     i < span->nchans; i += sim->stride) {
		struct sim_chan *ch = &span->chans[i];

		if (!ch->hdlc && (ch->file || (ch->peer && ch->peer->file)))
			sim_tick_audio(sim, ch, len);
	}
}

void sim_tick_span(struct sim_span *span)
{
	struct sim *sim = span->sim;
	unsigned i, lo = 0, hi = span->nchans;
	bool idle;

	if (span->remote) {
		sim_remote_tick(span);
		return;
	}
	idle = sim_span_audio_idle(span);
	if (idle) {
		lo = span->hdlc_lo;
		hi = span->hdlc_hi;
	}
	if (sim->stride > 1 && !idle) {
		sim_tick_strided(span);
		return;
	}
	for (i = lo; i < hi; i++) {
		struct sim_chan *ch = &span->chans[i];

		if (!ch->file && !(ch->peer && ch->peer->file))
			continue;
		if (ch->hdlc)
			sim_tick_hdlc(sim, ch);
		else if (!idle)
			sim_tick_audio(sim, ch, sim->chunk);
	}
}

void sim_ready_dispatch(struct sim *sim)
{
	struct le todo, *e;

	if (list_empty(&sim->ready))
		return;
	/* take the whole list: what becomes ready meanwhile waits its turn */
	todo.next = sim->ready.next;
	todo.prev = sim->ready.prev;
	todo.next->prev = &todo;
	todo.prev->next = &todo;
	list_init(&sim->ready);
	while (!list_empty(&todo)) {
		struct sim_chan *ch;
		struct sim_file *f;
		uint32_t mask;

		e = todo.next;
		list_unlink(e);
		ch = container_of(e, struct sim_chan, ready_le);
		f = ch->file;
		if (!f || !f->watch || !f->h)
			continue;
		mask = sim_chan_ready_mask(ch) & f->watch;
		if (!mask)
			continue;
		f->h(f->fd, mask, f->arg);
		/* level-triggered: still ready, call again next round */
		if (ch->file && ch->file->watch && !le_linked(&ch->ready_le) &&
		    (sim_chan_ready_mask(ch) & ch->file->watch))
			list_append(&sim->ready, &ch->ready_le);
	}
}

void sim_alarm_update(struct sim_span *span)
{
	unsigned alarms = span->alarms_inj | (span->remote_red ? DAHDI_ALARM_RED : 0), i;

	/* a span that lost the line sends RAI: its peer shows YELLOW */
	if ((span->peer && (span->peer->alarms_inj & DAHDI_ALARM_RED)) ||
	    (span->remote && (span->remote_alarms & DAHDI_ALARM_RED)))
		alarms |= DAHDI_ALARM_YELLOW;
	if (alarms == span->alarms)
		return;
	span->alarms = alarms;
	/* dahdi_alarm_notify: every channel of the span hears of it */
	for (i = 0; i < span->nchans; i++)
		sim_chan_event(&span->chans[i], alarms ? DAHDI_EVENT_ALARM : DAHDI_EVENT_NOALARM);
}
