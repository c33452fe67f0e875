/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drivers/dahdi: the back end object and what spans and channels share
 * (opening channels, ioctl error mapping, event decoding).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "core/log.h"
#include "core/mem.h"
#include "drivers/dahdi/dahdi.h"

/* tdm.h mirrors DAHDI's numbers so callers need not include dahdi/user.h. */
static_assert(TDM_EV_WRITE_UNDERRUN == DAHDI_EVENT_WRITE_UNDERRUN, "event numbering");
static_assert(TDM_EV_POLARITY == DAHDI_EVENT_POLARITY, "event numbering");
static_assert(TDM_ALARM_RED == DAHDI_ALARM_RED && TDM_ALARM_BLUE == DAHDI_ALARM_BLUE, "alarm bits");
static_assert(TDM_ALARM_YELLOW == DAHDI_ALARM_YELLOW, "alarm bits");
static_assert(TDM_HOOK_RINGOFF == DAHDI_RINGOFF && TDM_HOOK_FLASH == DAHDI_FLASH, "hooks");
static_assert(TDM_LAW_ALAW == DAHDI_LAW_ALAW && TDM_LAW_MULAW == DAHDI_LAW_MULAW, "laws");
static_assert((int)TDM_TX_HALF_FULL == DAHDI_POLICY_HALF_FULL, "policies");
static_assert(EPOLLIN == 1 && EPOLLPRI == 2 && EPOLLOUT == 4, "poll bits as POLL*");

static const char *const event_names[TDM_EV__COUNT] = {
    "NONE",
    "ONHOOK",
    "RINGOFFHOOK",
    "WINKFLASH",
    "ALARM",
    "NOALARM",
    "ABORT",
    "OVERRUN",
    "BADFCS",
    "DIALCOMPLETE",
    "RINGERON",
    "RINGEROFF",
    "HOOKCOMPLETE",
    "BITSCHANGED",
    "PULSE_START",
    "TIMER_EXPIRED",
    "TIMER_PING",
    "POLARITY",
    "RINGBEGIN",
    "EC_DISABLED",
    "REMOVED",
    "NEONMWI_ACTIVE",
    "NEONMWI_INACTIVE",
    "TX_CED_DETECTED",
    "RX_CED_DETECTED",
    "TX_CNG_DETECTED",
    "RX_CNG_DETECTED",
    "EC_NLP_DISABLED",
    "EC_NLP_ENABLED",
    "READ_OVERRUN",
    "WRITE_UNDERRUN",
    "PULSEDIGIT",
    "DTMFDOWN",
    "DTMFUP",
    "UNKNOWN",
};

const char *tdm_event_name(enum tdm_event ev)
{
	return (unsigned)ev < TDM_EV__COUNT ? event_names[ev] : "?";
}

const char *tdm_alarm_str(unsigned alarms, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} bits[] = {
	    {TDM_ALARM_RED, "RED"},	      {TDM_ALARM_YELLOW, "YELLOW"},
	    {TDM_ALARM_BLUE, "BLUE"},	      {TDM_ALARM_RECOVER, "RECOVER"},
	    {TDM_ALARM_LOOPBACK, "LOOPBACK"}, {TDM_ALARM_NOTOPEN, "NOTOPEN"},
	};
	size_t n = 0, i;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (!(alarms & bits[i].bit))
			continue;
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "+" : "",
				      bits[i].name);
		if (n >= size)
			return buf;
	}
	if (!n)
		snprintf(buf, size, "none");
	return buf;
}

int tdm_alloc(struct tdm **tdmp, struct loop *loop, const struct tdm_sys *sys)
{
	struct tdm *tdm;

	if (!tdmp || !loop || !sys)
		return EINVAL;
	tdm = mem_zalloc(sizeof(*tdm), NULL);
	if (!tdm)
		return ENOMEM;
	tdm->loop = loop;
	tdm->sys = sys;
	*tdmp = tdm;
	return 0;
}

struct loop *tdm_loop(const struct tdm *tdm)
{
	return tdm->loop;
}

int dahdi_ioctl(struct tdm *tdm, int fd, unsigned long req, void *arg)
{
	if (tdm->sys->ioctl(tdm->sys->ctx, fd, req, arg) < 0)
		return errno ? errno : EIO;
	return 0;
}

int dahdi_watch(struct tdm *tdm, int fd, uint32_t events, loop_fd_h *h, void *arg)
{
	if (tdm->sys->watch(tdm->sys->ctx, tdm->loop, fd, events, h, arg) < 0)
		return errno ? errno : EIO;
	return 0;
}

void dahdi_fd_close(struct tdm *tdm, int *fdp)
{
	if (*fdp < 0)
		return;
	tdm->sys->close(tdm->sys->ctx, *fdp);
	*fdp = -1;
}

int dahdi_ctl_fd_open(struct tdm *tdm, int *fdp)
{
	int fd = tdm->sys->open(tdm->sys->ctx, DAHDI_PATH_CTL, O_RDWR | O_NONBLOCK);

	if (fd < 0)
		return errno ? errno : EIO;
	*fdp = fd;
	return 0;
}

int dahdi_chan_fd_open(struct tdm *tdm, unsigned channo, int *fdp)
{
	int fd, no = (int)channo, err;

	fd = tdm->sys->open(tdm->sys->ctx, DAHDI_PATH_CHANNEL, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return errno ? errno : EIO;
	/* DAHDI_SPECIFY: EINVAL no such channel, ENXIO not configured,
	 * EBUSY already open (dahdi-base.c dahdi_specchan_open). */
	err = dahdi_ioctl(tdm, fd, DAHDI_SPECIFY, &no);
	if (err) {
		tdm->sys->close(tdm->sys->ctx, fd);
		return err;
	}
	*fdp = fd;
	return 0;
}

int dahdi_params_get(struct tdm *tdm, int fd, unsigned channo, struct dahdi_params *p)
{
	memset(p, 0, sizeof(*p));
	p->channo = (int)channo;
	return dahdi_ioctl(tdm, fd, DAHDI_GET_PARAMS, p);
}

void dahdi_event_decode(int raw, struct tdm_ev *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->raw = raw;
	/* Digit events carry the digit in the low bits (user.h). */
	if (raw & DAHDI_EVENT_PULSEDIGIT) {
		ev->type = TDM_EV_PULSEDIGIT;
		ev->digit = (char)(raw & 0xff);
	} else if (raw & DAHDI_EVENT_DTMFDOWN) {
		ev->type = TDM_EV_DTMFDOWN;
		ev->digit = (char)(raw & 0xff);
	} else if (raw & DAHDI_EVENT_DTMFUP) {
		ev->type = TDM_EV_DTMFUP;
		ev->digit = (char)(raw & 0xff);
	} else if (raw >= 0 && raw <= DAHDI_EVENT_WRITE_UNDERRUN) {
		ev->type = (enum tdm_event)raw;
	} else {
		ev->type = TDM_EV_UNKNOWN;
	}
}

int dahdi_event_get(struct tdm *tdm, int fd, struct tdm_ev *ev)
{
	int raw = 0, err;

	err = dahdi_ioctl(tdm, fd, DAHDI_GETEVENT, &raw);
	if (err)
		return err;
	dahdi_event_decode(raw, ev);
	return 0;
}

enum tdm_sig dahdi_sig_decode(int sigtype)
{
	static const struct {
		int sig;
		enum tdm_sig tdm;
	} map[] = {
	    {DAHDI_SIG_NONE, TDM_SIG_NONE},    {DAHDI_SIG_FXSLS, TDM_SIG_FXSLS},
	    {DAHDI_SIG_FXSGS, TDM_SIG_FXSGS},  {DAHDI_SIG_FXSKS, TDM_SIG_FXSKS},
	    {DAHDI_SIG_FXOLS, TDM_SIG_FXOLS},  {DAHDI_SIG_FXOGS, TDM_SIG_FXOGS},
	    {DAHDI_SIG_FXOKS, TDM_SIG_FXOKS},  {DAHDI_SIG_CLEAR, TDM_SIG_CLEAR},
	    {DAHDI_SIG_HDLCRAW, TDM_SIG_HDLC}, {DAHDI_SIG_HDLCFCS, TDM_SIG_HDLC},
	    {DAHDI_SIG_HDLCNET, TDM_SIG_HDLC}, {DAHDI_SIG_HARDHDLC, TDM_SIG_HDLC},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].sig == sigtype)
			return map[i].tdm;
	return TDM_SIG_OTHER;
}

unsigned dahdi_span_alarms(struct tdm *tdm, int fd, unsigned spanno)
{
	struct dahdi_spaninfo si;

	memset(&si, 0, sizeof(si));
	si.spanno = (int)spanno;
	if (dahdi_ioctl(tdm, fd, DAHDI_SPANSTAT, &si))
		return 0;
	return (unsigned)si.alarms;
}
