/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sim's ioctls: the subset of the DAHDI ABI drivers/dahdi uses, with
 * the checks and error codes of dahdi-base.c.  Unknown requests give
 * ENOTTY, as the kernel does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sim/sim_int.h"

static const char *sim_spantype(enum sysconf_kind kind)
{
	switch (kind) {
	case SYSCONF_E1:
		return "E1";
	case SYSCONF_T1:
		return "T1";
	case SYSCONF_BRI:
		return "BRI";
	case SYSCONF_DYNAMIC:
		return "DYN";
	default:
		return "FX";
	}
}

static void sim_params_fill(const struct sim_chan *ch, struct dahdi_params *p)
{
	p->channo = (int)ch->channo;
	p->spanno = (int)ch->span->spanno;
	p->chanpos = (int)ch->chanpos;
	p->sigtype = ch->sig;
	p->sigcap = ch->sig;
	p->rxisoffhook = sim_line_rx_offhook(ch);
	p->curlaw = ch->law;
	snprintf(p->name, sizeof(p->name), "SIM/%u/%u", ch->span->spanno, ch->chanpos);
	p->chan_alarms = ch->span->alarms;
}

static int sim_spanstat(struct sim *sim, struct sim_file *f, struct dahdi_spaninfo *si)
{
	struct sim_span *span;
	unsigned i, configured = 0;

	if (!si->spanno) {
		/* 0: the span of the fd's channel (dahdi_ioctl_spanstat) */
		if (!f->chan)
			return EINVAL;
		span = f->chan->span;
	} else {
		span = sim_span_find(sim, (unsigned)si->spanno);
		if (!span)
			return EINVAL;
	}
	for (i = 0; i < span->nchans; i++)
		configured += span->chans[i].sig != 0;
	memset(si, 0, sizeof(*si));
	si->spanno = (int)span->spanno;
	snprintf(si->name, sizeof(si->name), "SIM/%u", span->spanno);
	snprintf(si->desc, sizeof(si->desc), "strowger sim %s span %u", sim_spantype(span->kind),
		 span->spanno);
	si->alarms = (int)span->alarms;
	si->numchans = (int)configured;
	si->totalchans = (int)span->nchans;
	si->totalspans = (int)sim->nspans;
	si->lineconfig = span->lineconfig;
	si->syncsrc = 0;
	snprintf(si->location, sizeof(si->location), "sim");
	snprintf(si->spantype, sizeof(si->spantype), "%s", sim_spantype(span->kind));
	return 0;
}

static int sim_specify(struct sim *sim, struct sim_file *f, int channo)
{
	struct sim_chan *ch = sim_chan_get(sim, channo > 0 ? (unsigned)channo : 0);
	int err;

	if (f->ctl)
		return ENOTTY;
	if (!ch)
		return EINVAL;
	if (!ch->sig)
		return ENXIO; /* not configured */
	if (ch->file)
		return EBUSY;
	sim_chan_reset(ch);
	/* DAHDI's defaults for a fresh open */
	err = sim_chan_buffers(ch, DAHDI_DEFAULT_BLOCKSIZE, DAHDI_DEFAULT_NUM_BUFS);
	if (err)
		return err;
	ch->file = f;
	f->chan = ch;
	if (!ch->hdlc)
		ch->span->nopen_audio++;
	LOGD(LC_SIM, ch->span->name, "c%u open (fd %d)", ch->chanpos, f->fd);
	return 0;
}

int sim_ioctl_common(struct sim *sim, struct sim_file *f, unsigned long req, void *arg)
{
	struct dahdi_params *p = arg;
	struct sim_chan *ch;

	switch (req) {
	case DAHDI_SPECIFY:
		return sim_specify(sim, f, *(int *)arg);
	case DAHDI_GET_PARAMS:
		ch = f->chan ? f->chan
			     : sim_chan_get(sim, (unsigned)p->channo &
						     ~(unsigned)DAHDI_GET_PARAMS_RETURN_MASTER);
		if (!ch)
			return EINVAL;
		sim_params_fill(ch, p);
		return 0;
	case DAHDI_SPANSTAT:
		return sim_spanstat(sim, f, arg);
	default:
		/* a channel fd before DAHDI_SPECIFY knows nothing else */
		return f->ctl || f->chan ? ENOTTY : ENOSYS;
	}
}

static int sim_set_bufinfo(struct sim_chan *ch, const struct dahdi_bufferinfo *bi)
{
	if (bi->bufsize > DAHDI_MAX_BLOCKSIZE || bi->bufsize < 16 ||
	    bi->bufsize * bi->numbufs > DAHDI_MAX_BUF_SPACE)
		return EINVAL;
	/* DAHDI ignores the rx policy: received buffers are always given at once */
	ch->txpolicy = bi->txbufpolicy & 0x3;
	return sim_chan_buffers(ch, (unsigned)bi->bufsize,
				bi->numbufs > 0 ? (unsigned)bi->numbufs : 0);
}

static void sim_get_bufinfo(const struct sim_chan *ch, struct dahdi_bufferinfo *bi)
{
	unsigned i;

	memset(bi, 0, sizeof(*bi));
	bi->txbufpolicy = ch->txpolicy;
	bi->rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi->numbufs = (int)ch->rx.numbufs;
	bi->bufsize = (int)ch->rx.bufsize;
	for (i = 0; i < ch->rx.numbufs; i++) {
		bi->readbufs += ch->rx.n[i] != 0 && (int)i != ch->rx.in;
		bi->writebufs += ch->tx.n[i] != 0;
	}
}

static int sim_flush(struct sim_chan *ch, int what)
{
	if (what & DAHDI_FLUSH_READ)
		sim_dbuf_reset(&ch->rx);
	if (what & DAHDI_FLUSH_WRITE) {
		sim_dbuf_reset(&ch->tx);
		ch->tx.txdisable = ch->txpolicy != DAHDI_POLICY_IMMEDIATE;
	}
	if (what & DAHDI_FLUSH_EVENT)
		ch->ev_in = ch->ev_out = 0;
	return 0;
}

static int sim_getevent(struct sim_chan *ch, int *ev)
{
	if (ch->ev_in == ch->ev_out) {
		*ev = DAHDI_EVENT_NONE;
		return 0;
	}
	*ev = ch->ev[ch->ev_out];
	ch->ev_out = (ch->ev_out + 1) % DAHDI_MAX_EVENTSIZE;
	return 0;
}

/* Only literal clear channels can switch; leaving audio mode drops gains
 * and the echo canceller (dahdi-base.c DAHDI_AUDIOMODE). */
static int sim_audiomode(struct sim_chan *ch, int on)
{
	if (ch->sig != DAHDI_SIG_CLEAR)
		return EINVAL;
	ch->audio = on != 0;
	if (!ch->audio) {
		ch->gains = mem_deref(ch->gains);
		ch->ec_taps = 0;
	}
	return 0;
}

static int sim_gains(struct sim_chan *ch, struct dahdi_gains *g, bool set)
{
	unsigned i;
	bool unity = true;

	if (!ch->audio)
		return EINVAL;
	if (g->chan && (unsigned)g->chan != ch->channo)
		return EINVAL; /* the sim sets gains on the fd's own channel only */
	if (!set) {
		for (i = 0; i < 256; i++) {
			g->rxgain[i] = ch->gains ? ch->gains[i] : (uint8_t)i;
			g->txgain[i] = ch->gains ? ch->gains[256 + i] : (uint8_t)i;
		}
		return 0;
	}
	for (i = 0; i < 256; i++)
		unity &= g->rxgain[i] == i && g->txgain[i] == i;
	if (unity) {
		ch->gains = mem_deref(ch->gains);
		return 0;
	}
	if (!ch->gains && !(ch->gains = mem_zalloc(512, NULL)))
		return ENOMEM;
	memcpy(ch->gains, g->rxgain, 256);
	memcpy(ch->gains + 256, g->txgain, 256);
	return 0;
}

static int sim_echocancel(struct sim_chan *ch, const struct dahdi_echocanparams *ecp)
{
	if (!ch->audio)
		return EINVAL; /* checked first, as the kernel does */
	if (ecp->param_count > DAHDI_MAX_ECHOCANPARAMS)
		return E2BIG;
	/* the sim's lines have no echo: record the setting, pass audio as is */
	ch->ec_taps = ecp->tap_length;
	return 0;
}

static int sim_setlaw(struct sim_chan *ch, int law)
{
	if (law == DAHDI_LAW_DEFAULT)
		law = ch->span->deflaw;
	if (law != DAHDI_LAW_MULAW && law != DAHDI_LAW_ALAW)
		return EINVAL;
	ch->law = law;
	return 0;
}

int sim_ioctl_chan(struct sim_file *f, unsigned long req, void *arg)
{
	struct sim_chan *ch = f->chan;
	int *iv = arg;

	switch (req) {
	case DAHDI_GETEVENT:
		return sim_getevent(ch, iv);
	case DAHDI_SET_BLOCKSIZE:
		if (*iv > DAHDI_MAX_BLOCKSIZE || *iv < 16)
			return EINVAL;
		return sim_chan_buffers(ch, (unsigned)*iv, ch->rx.numbufs);
	case DAHDI_GET_BLOCKSIZE:
		*iv = (int)ch->blocksize;
		return 0;
	case DAHDI_SET_BUFINFO:
		return sim_set_bufinfo(ch, arg);
	case DAHDI_GET_BUFINFO:
		sim_get_bufinfo(ch, arg);
		return 0;
	case DAHDI_FLUSH:
		return sim_flush(ch, *iv);
	case DAHDI_SETLAW:
		return sim_setlaw(ch, *iv);
	case DAHDI_SETLINEAR:
		if (!ch->audio)
			return EINVAL; /* "makes no sense on non-audio channels" */
		ch->linear = *iv != 0;
		return 0;
	case DAHDI_AUDIOMODE:
		return sim_audiomode(ch, *iv);
	case DAHDI_HOOK:
		return sim_line_hook(ch, *iv);
	case DAHDI_SETPOLARITY:
		return sim_line_polarity(ch, *iv);
	case DAHDI_SETGAINS:
	case DAHDI_GETGAINS:
		return sim_gains(ch, arg, req == DAHDI_SETGAINS);
	case DAHDI_ECHOCANCEL_PARAMS:
		return sim_echocancel(ch, arg);
	case DAHDI_CHANNO:
		*iv = (int)ch->channo;
		return 0;
	case DAHDI_BUFFER_EVENTS:
		ch->bufevents = *iv != 0;
		return 0;
	case DAHDI_SPECIFY:
		return EINVAL;
	default:
		return sim_ioctl_common(ch->span->sim, f, req, arg);
	}
}
