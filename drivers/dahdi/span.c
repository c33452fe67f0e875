/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drivers/dahdi spans: status and alarms through DAHDI_SPANSTAT, and the
 * D-channel in HDLC mode.
 *
 * DAHDI facts this relies on (dahdi-base.c):
 * - In HDLC (FCS) mode one read() returns one frame followed by its two FCS
 *   bytes; one write() takes one frame followed by two bytes of room, which
 *   the kernel overwrites with the FCS.  A write larger than the buffer size
 *   is cut, so longer frames are refused here (EMSGSIZE).
 * - While an event waits, read() and write() fail with ELAST; the event is
 *   fetched with DAHDI_GETEVENT.  Alarms arrive as DAHDI_EVENT_ALARM /
 *   NOALARM on every channel of the span, the D-channel included.
 * - poll: POLLIN a frame, POLLPRI an event, POLLOUT a free write buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "core/log.h"
#include "core/mem.h"
#include "drivers/dahdi/dahdi.h"

#define SPAN_BUFSIZE 1024 /* bytes per D-channel buffer (frame + FCS) */
#define SPAN_NUMBUFS 16
#define SPAN_TXQUEUE 64

struct span_frame {
	uint16_t len; /* including the two FCS bytes */
	uint8_t data[SPAN_BUFSIZE];
};

struct tdm_span {
	struct tdm *tdm;
	struct tdm_span_prm prm;
	char name[24];
	int ctl_fd;
	int dfd; /* D-channel, -1 if none */
	uint32_t watching;
	unsigned in_cb;		/* inside span_ready (holding a reference) */
	struct span_frame *txq; /* ring of prm.txqueue frames */
	unsigned txhead, txcount;
	uint8_t rxbuf[SPAN_BUFSIZE];
};

static void span_destroy(void *data)
{
	struct tdm_span *span = data;

	if (span->dfd >= 0 && span->watching)
		dahdi_watch(span->tdm, span->dfd, 0, NULL, NULL);
	dahdi_fd_close(span->tdm, &span->dfd);
	dahdi_fd_close(span->tdm, &span->ctl_fd);
	mem_deref(span->txq);
	mem_deref(span->tdm);
}

/* The owner dropped its reference from inside one of our callbacks. */
static bool span_released(const struct tdm_span *span)
{
	return span->in_cb && mem_nrefs(span) <= 1;
}

static void span_event(struct tdm_span *span, struct tdm_ev *ev)
{
	char abuf[64];

	if (ev->type == TDM_EV_ALARM || ev->type == TDM_EV_NOALARM) {
		ev->alarms = dahdi_span_alarms(span->tdm, span->ctl_fd, span->prm.spanno);
		LOGN(LC_TDM, span->name, "%s %s", tdm_event_name(ev->type),
		     tdm_alarm_str(ev->alarms, abuf, sizeof(abuf)));
	} else {
		LOGI(LC_TDM, span->name, "D-channel event %s (%d)", tdm_event_name(ev->type),
		     ev->raw);
	}
	if (span->prm.eventh)
		span->prm.eventh(span, ev, span->prm.arg);
}

/* Fetch the waiting event (after ELAST) and report it. */
static void span_event_drain(struct tdm_span *span)
{
	struct tdm_ev ev;
	int err = dahdi_event_get(span->tdm, span->dfd, &ev);

	if (err) {
		LOGW(LC_TDM, span->name, "DAHDI_GETEVENT: %s", strerror(err));
		return;
	}
	if (ev.type != TDM_EV_NONE)
		span_event(span, &ev);
}

static void span_ready(int fd, uint32_t events, void *arg);

static int span_watch_update(struct tdm_span *span)
{
	uint32_t want = EPOLLIN | EPOLLPRI | (span->txcount ? EPOLLOUT : 0);
	int err;

	if (want == span->watching)
		return 0;
	err = dahdi_watch(span->tdm, span->dfd, want, span_ready, span);
	if (!err)
		span->watching = want;
	return err;
}

/* Write queued frames until DAHDI has no free buffer. */
static void span_tx_flush(struct tdm_span *span)
{
	const struct tdm_sys *sys = span->tdm->sys;

	while (span->txcount && !span_released(span)) {
		struct span_frame *f = &span->txq[span->txhead];
		ssize_t n = sys->write(sys->ctx, span->dfd, f->data, f->len);

		if (n < 0 && errno == ELAST) {
			span_event_drain(span);
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			LOGW(LC_TDM, span->name, "D-channel write: %s, frame dropped",
			     strerror(errno));
		span->txhead = (span->txhead + 1) % span->prm.txqueue;
		span->txcount--;
	}
}

/* Read whatever is waiting: frames and events.  Bounded so one busy span
 * cannot starve the loop; readiness is level-triggered, we come back. */
static void span_rx(struct tdm_span *span)
{
	const struct tdm_sys *sys = span->tdm->sys;
	unsigned i;

	for (i = 0; i < 2 * SPAN_NUMBUFS && !span_released(span); i++) {
		ssize_t n = sys->read(sys->ctx, span->dfd, span->rxbuf, sizeof(span->rxbuf));

		if (n < 0 && errno == ELAST) {
			span_event_drain(span);
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN)
				LOGW(LC_TDM, span->name, "D-channel read: %s", strerror(errno));
			return;
		}
		if (n <= 2) {
			LOGI(LC_TDM, span->name, "runt frame (%zd bytes) dropped", n);
			continue;
		}
		if (span->prm.frameh)
			span->prm.frameh(span, span->rxbuf, (size_t)n - 2, span->prm.arg);
	}
}

static void span_ready(int fd, uint32_t events, void *arg)
{
	struct tdm_span *span = mem_ref(arg);

	(void)fd;
	span->in_cb++;
	if (events & (EPOLLIN | EPOLLPRI | EPOLLERR))
		span_rx(span);
	if (!span_released(span) && span->txcount)
		span_tx_flush(span);
	if (!span_released(span) && span_watch_update(span))
		LOGW(LC_TDM, span->name, "cannot watch the D-channel");
	span->in_cb--;
	mem_deref(span);
}

/* First HDLC channel of the span, by DAHDI_GET_PARAMS on the ctl fd. */
static int span_dchan_find(struct tdm_span *span, unsigned *channo)
{
	struct dahdi_params p;
	unsigned no;

	/* Not DAHDI_MAX_CHANNELS: the sim numbers past it (sim/sysconf.h). */
	for (no = 1; no <= 65535; no++) {
		int err = dahdi_params_get(span->tdm, span->ctl_fd, no, &p);

		if (err == EINVAL)
			break; /* channels are numbered without gaps */
		if (err)
			return err;
		if ((unsigned)p.spanno > span->prm.spanno)
			break;
		if ((unsigned)p.spanno == span->prm.spanno &&
		    dahdi_sig_decode(p.sigtype) == TDM_SIG_HDLC) {
			*channo = no;
			return 0;
		}
	}
	return ENOENT;
}

static int span_dchan_open(struct tdm_span *span)
{
	struct dahdi_bufferinfo bi;
	int err;

	if (!span->prm.dchan) {
		err = span_dchan_find(span, &span->prm.dchan);
		if (err)
			return err;
	}
	err = dahdi_chan_fd_open(span->tdm, span->prm.dchan, &span->dfd);
	if (err)
		return err;
	/* Many small buffers, sent as soon as written (chan_dahdi does the same
	 * for D-channels). */
	memset(&bi, 0, sizeof(bi));
	bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.numbufs = SPAN_NUMBUFS;
	bi.bufsize = SPAN_BUFSIZE;
	err = dahdi_ioctl(span->tdm, span->dfd, DAHDI_SET_BUFINFO, &bi);
	if (err)
		return err;
	span->txq = mem_zalloc(sizeof(*span->txq) * span->prm.txqueue, NULL);
	if (!span->txq)
		return ENOMEM;
	return span_watch_update(span);
}

static int span_setup(struct tdm_span *span)
{
	struct tdm_span_status st;
	int err;

	err = dahdi_ctl_fd_open(span->tdm, &span->ctl_fd);
	if (err)
		return err;
	err = tdm_span_status(span, &st);
	if (err)
		return err == EINVAL ? ENXIO : err;
	if (!span->prm.no_dchan) {
		err = span_dchan_open(span);
		if (err)
			return err;
	}
	LOGI(LC_TDM, span->name, "open: %s %s, %u channels, D-channel %u", st.name, st.spantype,
	     st.totalchans, span->prm.dchan);
	return 0;
}

int tdm_span_open(struct tdm_span **spanp, struct tdm *tdm, const struct tdm_span_prm *prm)
{
	struct tdm_span *span;
	int err;

	if (!spanp || !tdm || !prm || !prm->spanno)
		return EINVAL;
	span = mem_zalloc(sizeof(*span), span_destroy);
	if (!span)
		return ENOMEM;
	span->tdm = mem_ref(tdm);
	span->prm = *prm;
	if (!span->prm.txqueue)
		span->prm.txqueue = SPAN_TXQUEUE;
	span->ctl_fd = span->dfd = -1;
	snprintf(span->name, sizeof(span->name), "tdm s%u", prm->spanno);
	err = span_setup(span);
	if (err) {
		LOGW(LC_TDM, span->name, "open failed: %s", strerror(err));
		mem_deref(span);
		return err;
	}
	*spanp = span;
	return 0;
}

int tdm_span_status(struct tdm_span *span, struct tdm_span_status *st)
{
	struct dahdi_spaninfo si;
	int err;

	memset(&si, 0, sizeof(si));
	si.spanno = (int)span->prm.spanno;
	err = dahdi_ioctl(span->tdm, span->ctl_fd, DAHDI_SPANSTAT, &si);
	if (err)
		return err;
	memset(st, 0, sizeof(*st));
	st->spanno = (unsigned)si.spanno;
	snprintf(st->name, sizeof(st->name), "%.*s", (int)sizeof(si.name), si.name);
	snprintf(st->desc, sizeof(st->desc), "%.*s", (int)sizeof(si.desc), si.desc);
	snprintf(st->spantype, sizeof(st->spantype), "%.*s", (int)sizeof(si.spantype), si.spantype);
	st->alarms = (unsigned)si.alarms;
	st->numchans = (unsigned)si.numchans;
	st->totalchans = (unsigned)si.totalchans;
	st->syncsrc = (unsigned)si.syncsrc;
	st->bpvcount = (uint32_t)si.bpvcount;
	st->crc4count = (uint32_t)si.crc4count;
	st->ebitcount = (uint32_t)si.ebitcount;
	st->fascount = (uint32_t)si.fascount;
	st->irqmisses = (uint32_t)si.irqmisses;
	return 0;
}

int tdm_span_frame_send(struct tdm_span *span, const uint8_t *frame, size_t len)
{
	struct span_frame *f;

	if (span->dfd < 0)
		return ENOTCONN;
	if (!len || len + 2 > SPAN_BUFSIZE)
		return EMSGSIZE;
	if (span->txcount == span->prm.txqueue) {
		LOGW(LC_TDM, span->name, "D-channel queue full, frame refused");
		return ENOBUFS;
	}
	f = &span->txq[(span->txhead + span->txcount) % span->prm.txqueue];
	memcpy(f->data, frame, len);
	f->data[len] = f->data[len + 1] = 0; /* room for the FCS */
	f->len = (uint16_t)(len + 2);
	span->txcount++;
	if (span->txcount == 1)
		span_tx_flush(span);
	return span_watch_update(span);
}

unsigned tdm_span_no(const struct tdm_span *span)
{
	return span->prm.spanno;
}

unsigned tdm_span_dchan(const struct tdm_span *span)
{
	return span->prm.dchan;
}

const char *tdm_span_name(const struct tdm_span *span)
{
	return span->name;
}
