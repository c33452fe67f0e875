/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drivers/dahdi channels: audio blocks, analog line signalling and events.
 *
 * DAHDI facts this relies on (dahdi-base.c):
 * - A channel has `numbufs` buffers of `blocksize` bytes each way
 *   (DAHDI_SET_BUFINFO / DAHDI_SET_BLOCKSIZE, 16..8192 bytes, numbufs
 *   clamped to 2..32, at most 32 KiB in all).  read() returns at most one
 *   buffer; write() takes at most one buffer and returns what it took, so a
 *   longer write is split here.  In linear mode both are 16-bit samples and
 *   twice as long.
 * - While an event waits, read() and write() fail with ELAST until
 *   DAHDI_GETEVENT takes it.  Events met while writing are queued here and
 *   handed to the owner from a deferred call, never from inside its write.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "core/log.h"
#include "core/mem.h"
#include "drivers/dahdi/dahdi.h"
#include "drivers/dahdi/law.h"

#define CHAN_BLOCK   160
#define CHAN_NUMBUFS 4
#define CHAN_EVQ     8

struct tdm_chan {
	struct tdm *tdm;
	struct tdm_chan_prm prm;
	char name[24];
	int fd;
	unsigned spanno, chanpos;
	enum tdm_law law;
	size_t block_bytes;
	unsigned in_cb;
	bool defer_armed;
	struct tdm_ev evq[CHAN_EVQ]; /* events met inside tdm_chan_write */
	unsigned evq_n;
	uint8_t *rxbuf;
	size_t rxcap;	    /* bytes of rxbuf */
	uint8_t *rxbuf_old; /* replaced inside a callback: freed with the channel */
};

static void chan_destroy(void *data)
{
	struct tdm_chan *ch = data;

	if (ch->defer_armed)
		loop_defer_cancel(ch->tdm->loop, ch);
	if (ch->fd >= 0)
		dahdi_watch(ch->tdm, ch->fd, 0, NULL, NULL);
	dahdi_fd_close(ch->tdm, &ch->fd);
	mem_deref(ch->rxbuf);
	mem_deref(ch->rxbuf_old);
	mem_deref(ch->tdm);
}

static bool chan_released(const struct tdm_chan *ch)
{
	return ch->in_cb && mem_nrefs(ch) <= 1;
}

static void chan_event_report(struct tdm_chan *ch, struct tdm_ev *ev)
{
	if (ev->type == TDM_EV_ALARM || ev->type == TDM_EV_NOALARM)
		ev->alarms = dahdi_span_alarms(ch->tdm, ch->fd, 0);
	LOGD(LC_TDM, ch->name, "event %s (%d)", tdm_event_name(ev->type), ev->raw);
	if (ch->prm.eventh)
		ch->prm.eventh(ch, ev, ch->prm.arg);
}

static void chan_evq_flush(void *arg)
{
	struct tdm_chan *ch = mem_ref(arg);
	unsigned i;

	ch->defer_armed = false;
	ch->in_cb++;
	for (i = 0; i < ch->evq_n && !chan_released(ch); i++)
		chan_event_report(ch, &ch->evq[i]);
	ch->evq_n = 0;
	ch->in_cb--;
	mem_deref(ch);
}

/* ELAST during a write: take the event now (or the write cannot proceed)
 * and report it after the caller's turn. */
static void chan_event_stash(struct tdm_chan *ch)
{
	struct tdm_ev ev;

	if (dahdi_event_get(ch->tdm, ch->fd, &ev) || ev.type == TDM_EV_NONE)
		return;
	if (ch->evq_n == CHAN_EVQ) {
		LOGW(LC_TDM, ch->name, "event %s lost (queue full)", tdm_event_name(ev.type));
		return;
	}
	ch->evq[ch->evq_n++] = ev;
	if (!ch->defer_armed && !loop_defer(ch->tdm->loop, chan_evq_flush, ch))
		ch->defer_armed = true;
}

static void chan_rx(struct tdm_chan *ch)
{
	const struct tdm_sys *sys = ch->tdm->sys;
	unsigned i;

	for (i = 0; i < 2 * ch->prm.numbufs + 2 && !chan_released(ch); i++) {
		ssize_t n = sys->read(sys->ctx, ch->fd, ch->rxbuf, ch->block_bytes);

		if (n < 0 && errno == ELAST) {
			struct tdm_ev ev;

			if (!dahdi_event_get(ch->tdm, ch->fd, &ev) && ev.type != TDM_EV_NONE)
				chan_event_report(ch, &ev);
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN)
				LOGW(LC_TDM, ch->name, "read: %s", strerror(errno));
			return;
		}
		if (n > 0 && ch->prm.audioh)
			ch->prm.audioh(ch, ch->rxbuf, (size_t)n, ch->prm.arg);
	}
}

static void chan_ready(int fd, uint32_t events, void *arg)
{
	struct tdm_chan *ch = mem_ref(arg);

	(void)fd;
	(void)events;
	ch->in_cb++;
	chan_rx(ch);
	ch->in_cb--;
	mem_deref(ch);
}

static int chan_configure(struct tdm_chan *ch)
{
	struct dahdi_bufferinfo bi;
	struct dahdi_params p;
	int err, v;

	memset(&bi, 0, sizeof(bi));
	bi.txbufpolicy = (int)ch->prm.txpolicy;
	bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.numbufs = (int)ch->prm.numbufs;
	bi.bufsize = (int)ch->prm.block;
	err = dahdi_ioctl(ch->tdm, ch->fd, DAHDI_SET_BUFINFO, &bi);
	v = (int)ch->prm.block;
	if (!err)
		err = dahdi_ioctl(ch->tdm, ch->fd, DAHDI_SET_BLOCKSIZE, &v);
	v = (int)ch->prm.law;
	if (!err && ch->prm.law != TDM_LAW_DEFAULT)
		err = dahdi_ioctl(ch->tdm, ch->fd, DAHDI_SETLAW, &v);
	if (!err)
		err = dahdi_params_get(ch->tdm, ch->fd, 0, &p);
	/* A clear channel opens outside audio mode (close_channel() drops it);
	 * linear, gains and the echo canceller need it, and it idles silence
	 * instead of 0xff.  Analog channels are always in it. */
	v = 1;
	if (!err && p.sigtype == DAHDI_SIG_CLEAR && !ch->prm.clear_data)
		err = dahdi_ioctl(ch->tdm, ch->fd, DAHDI_AUDIOMODE, &v);
	v = ch->prm.linear;
	if (!err && ch->prm.linear)
		err = dahdi_ioctl(ch->tdm, ch->fd, DAHDI_SETLINEAR, &v);
	v = 1;
	if (!err && ch->prm.buffer_events)
		err = dahdi_ioctl(ch->tdm, ch->fd, DAHDI_BUFFER_EVENTS, &v);
	if (err)
		return err;
	ch->law = p.curlaw == DAHDI_LAW_ALAW ? TDM_LAW_ALAW : TDM_LAW_MULAW;
	ch->spanno = (unsigned)p.spanno;
	ch->chanpos = (unsigned)p.chanpos;
	return 0;
}

int tdm_chan_open(struct tdm_chan **chp, struct tdm *tdm, const struct tdm_chan_prm *prm)
{
	struct tdm_chan *ch;
	int err;

	if (!chp || !tdm || !prm || !prm->channo || prm->block > DAHDI_MAX_BLOCKSIZE / 2)
		return EINVAL;
	ch = mem_zalloc(sizeof(*ch), chan_destroy);
	if (!ch)
		return ENOMEM;
	ch->tdm = mem_ref(tdm);
	ch->prm = *prm;
	ch->fd = -1;
	if (!ch->prm.block)
		ch->prm.block = CHAN_BLOCK;
	if (!ch->prm.numbufs)
		ch->prm.numbufs = CHAN_NUMBUFS;
	ch->block_bytes = ch->prm.block * (prm->linear ? 2 : 1);
	snprintf(ch->name, sizeof(ch->name), "tdm c%u", prm->channo);
	ch->rxcap = ch->block_bytes;
	ch->rxbuf = mem_zalloc(ch->rxcap, NULL);
	err = ch->rxbuf ? dahdi_chan_fd_open(tdm, prm->channo, &ch->fd) : ENOMEM;
	if (!err)
		err = chan_configure(ch);
	if (!err)
		snprintf(ch->name, sizeof(ch->name), "tdm s%uc%u", ch->spanno, ch->chanpos);
	if (!err)
		err = dahdi_watch(tdm, ch->fd, EPOLLIN | EPOLLPRI, chan_ready, ch);
	if (err) {
		LOGW(LC_TDM, ch->name, "open failed: %s", strerror(err));
		if (ch->fd >= 0)
			dahdi_fd_close(tdm, &ch->fd);
		mem_deref(ch);
		return err;
	}
	LOGD(LC_TDM, ch->name, "open: block %u, %u bufs, %s%s", ch->prm.block, ch->prm.numbufs,
	     ch->law == TDM_LAW_ALAW ? "alaw" : "ulaw", prm->linear ? " linear" : "");
	*chp = ch;
	return 0;
}

int tdm_chan_info(struct tdm_chan *ch, struct tdm_chan_info *info)
{
	struct dahdi_params p;
	int err = dahdi_params_get(ch->tdm, ch->fd, 0, &p);

	if (err)
		return err;
	memset(info, 0, sizeof(*info));
	info->channo = (unsigned)p.channo;
	info->spanno = (unsigned)p.spanno;
	info->chanpos = (unsigned)p.chanpos;
	info->sig = dahdi_sig_decode(p.sigtype);
	info->law = p.curlaw == DAHDI_LAW_ALAW ? TDM_LAW_ALAW : TDM_LAW_MULAW;
	info->rx_offhook = p.rxisoffhook != 0;
	info->alarms = p.chan_alarms;
	snprintf(info->name, sizeof(info->name), "%.*s", (int)sizeof(p.name), p.name);
	return 0;
}

int tdm_chan_write(struct tdm_chan *ch, const uint8_t *data, size_t len, size_t *done)
{
	const struct tdm_sys *sys = ch->tdm->sys;
	size_t off = 0;
	unsigned elast = 0;
	int err = 0;

	while (off < len) {
		size_t want = len - off < ch->block_bytes ? len - off : ch->block_bytes;
		ssize_t n = sys->write(sys->ctx, ch->fd, data + off, want);

		if (n < 0 && errno == ELAST && elast++ < CHAN_EVQ) {
			chan_event_stash(ch);
			continue;
		}
		if (n <= 0) {
			err = n < 0 && errno ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	if (err && err != EAGAIN)
		LOGW(LC_TDM, ch->name, "write: %s", strerror(err));
	if (done)
		*done = off;
	return err;
}

int tdm_chan_hook(struct tdm_chan *ch, enum tdm_hook op)
{
	int v = (int)op;
	int err = dahdi_ioctl(ch->tdm, ch->fd, DAHDI_HOOK, &v);

	LOGD(LC_TDM, ch->name, "hook %d: %s", v, err ? strerror(err) : "ok");
	return err;
}

int tdm_chan_polarity(struct tdm_chan *ch, bool reversed)
{
	int v = reversed;

	return dahdi_ioctl(ch->tdm, ch->fd, DAHDI_SETPOLARITY, &v);
}

int tdm_chan_echocancel(struct tdm_chan *ch, const struct tdm_ec_prm *prm)
{
	/* struct dahdi_echocanparams is followed directly by param_count
	 * struct dahdi_echocanparam (user.h). */
	union {
		struct dahdi_echocanparams ecp;
		uint8_t raw[sizeof(struct dahdi_echocanparams) +
			    DAHDI_MAX_ECHOCANPARAMS * sizeof(struct dahdi_echocanparam)];
	} u;
	unsigned i;

	memset(&u, 0, sizeof(u));
	if (prm && prm->taps) {
		if (prm->n_params > DAHDI_MAX_ECHOCANPARAMS)
			return E2BIG;
		u.ecp.tap_length = prm->taps;
		u.ecp.param_count = prm->n_params;
		for (i = 0; i < prm->n_params; i++) {
			struct dahdi_echocanparam p;

			memset(&p, 0, sizeof(p));
			snprintf(p.name, sizeof(p.name), "%s", prm->params[i].name);
			p.value = prm->params[i].value;
			memcpy(u.raw + sizeof(u.ecp) + i * sizeof(p), &p, sizeof(p));
		}
	}
	return dahdi_ioctl(ch->tdm, ch->fd, DAHDI_ECHOCANCEL_PARAMS, &u.ecp);
}

int tdm_chan_gains(struct tdm_chan *ch, int rx_ddb, int tx_ddb)
{
	struct dahdi_gains g;

	if (rx_ddb < -240 || rx_ddb > 240 || tx_ddb < -240 || tx_ddb > 240)
		return EINVAL;
	memset(&g, 0, sizeof(g));
	g.chan = 0; /* this fd's channel */
	law_gain_table(ch->law, rx_ddb, g.rxgain);
	law_gain_table(ch->law, tx_ddb, g.txgain);
	return dahdi_ioctl(ch->tdm, ch->fd, DAHDI_SETGAINS, &g);
}

int tdm_chan_flush(struct tdm_chan *ch)
{
	int v = DAHDI_FLUSH_BOTH;

	return dahdi_ioctl(ch->tdm, ch->fd, DAHDI_FLUSH, &v);
}

int tdm_chan_set_linear(struct tdm_chan *ch, bool linear)
{
	int v = linear;
	int err;

	if (ch->prm.linear == linear)
		return 0;
	if (linear && ch->rxcap < ch->prm.block * 2) {
		uint8_t *buf = mem_zalloc(ch->prm.block * 2, NULL);

		if (!buf)
			return ENOMEM;
		/* Inside a callback the block being handled is the old buffer:
		 * it lives as long as the channel (this happens once at most). */
		if (ch->in_cb)
			ch->rxbuf_old = ch->rxbuf;
		else
			mem_deref(ch->rxbuf);
		ch->rxbuf = buf;
		ch->rxcap = ch->prm.block * 2;
	}
	err = dahdi_ioctl(ch->tdm, ch->fd, DAHDI_SETLINEAR, &v);
	if (err)
		return err;
	ch->prm.linear = linear;
	ch->block_bytes = ch->prm.block * (linear ? 2 : 1);
	return 0;
}

unsigned tdm_chan_no(const struct tdm_chan *ch)
{
	return ch->prm.channo;
}

size_t tdm_chan_block_bytes(const struct tdm_chan *ch)
{
	return ch->block_bytes;
}

const char *tdm_chan_name(const struct tdm_chan *ch)
{
	return ch->name;
}
