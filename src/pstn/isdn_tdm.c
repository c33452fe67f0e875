/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An ISDN controller on a TDM span's D-channel (drivers/tdm.h): the glue
 * between the driver's frame I/O and the controller's seam.  Frames go both
 * ways without FCS (the driver's HDLC mode handles it); span alarms are the
 * physical layer: ALARM clears the calls with cause 41 at once
 * (isdn_ctrl_link_down), NOALARM lets Q.921 re-establish the link.
 */
#include <errno.h>

#include "core/log.h"
#include "core/mem.h"
#include "drivers/tdm.h"
#include "pstn/isdn.h"

struct isdn_tdm {
	struct tdm_span *span;
	struct isdn_ctrl *ctrl;
	bool owned; /* isdn_tdm_open made ctrl; else bound, no reference */
};

static void span_frame(struct tdm_span *span, const uint8_t *frame, size_t len, void *arg)
{
	struct isdn_tdm *s = arg;
	(void)span;
	if (s->ctrl)
		isdn_ctrl_input(s->ctrl, frame, len);
}

static void span_event(struct tdm_span *span, const struct tdm_ev *ev, void *arg)
{
	struct isdn_tdm *s = arg;
	(void)span;
	if (!s->ctrl)
		return;
	if (ev->type == TDM_EV_ALARM)
		isdn_ctrl_link_down(s->ctrl);
	else if (ev->type == TDM_EV_NOALARM)
		isdn_ctrl_link_up(s->ctrl);
	/* ABORT, BADFCS, OVERRUN: a lost frame; Q.921 recovers it. */
}

static int span_write(void *arg, const uint8_t *frame, size_t len)
{
	struct isdn_tdm *s = arg;
	return tdm_span_frame_send(s->span, frame, len);
}

const struct isdn_dchan_ops isdn_tdm_ops = {.write = span_write};

static void span_destroy(void *data)
{
	struct isdn_tdm *s = data;
	/* the controller first: it may still write while it clears calls */
	if (s->owned)
		mem_deref(s->ctrl);
	s->ctrl = NULL;
	mem_deref(s->span);
}

int isdn_tdm_open_raw(struct isdn_tdm **sp, struct tdm *tdm, unsigned spanno)
{
	if (!sp || !tdm)
		return EINVAL;
	struct isdn_tdm *s = mem_zalloc(sizeof(*s), span_destroy);
	if (!s)
		return ENOMEM;
	struct tdm_span_prm prm = {
	    .spanno = spanno,
	    .frameh = span_frame,
	    .eventh = span_event,
	    .arg = s,
	};
	int rc = tdm_span_open(&s->span, tdm, &prm);
	if (rc) {
		mem_deref(s);
		return rc;
	}
	*sp = s;
	return 0;
}

void isdn_tdm_bind(struct isdn_tdm *s, struct isdn_ctrl *ctrl)
{
	if (s->owned)
		mem_deref(s->ctrl);
	s->owned = false;
	s->ctrl = ctrl;
}

int isdn_tdm_open(struct isdn_tdm **sp, struct tdm *tdm, unsigned spanno,
		  const struct isdn_conf *conf, const struct isdn_handlers *h, void *arg)
{
	struct isdn_tdm *s;
	if (!conf)
		return EINVAL;
	int rc = isdn_tdm_open_raw(&s, tdm, spanno);
	if (rc)
		return rc;
	rc = isdn_ctrl_alloc(&s->ctrl, tdm_loop(tdm), conf, &isdn_tdm_ops, s, h, arg);
	if (rc) {
		mem_deref(s);
		return rc;
	}
	s->owned = true;
	*sp = s;
	return 0;
}

struct isdn_ctrl *isdn_tdm_ctrl(const struct isdn_tdm *s)
{
	return s->ctrl;
}

struct tdm_span *isdn_tdm_span(const struct isdn_tdm *s)
{
	return s->span;
}
