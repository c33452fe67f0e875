/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names (Q.931 table 4-2 message types, Q.850 causes) and the one readable
 * line per D-channel frame that the controller logs.
 */
#include "pstn/isdn_q931.h"

#include <stdarg.h>
#include <stdio.h>

struct name {
	unsigned v;
	const char *s;
};

/* clang-format off */
static const struct name mt_names[] = {
	{ 0x01, "ALERTING" }, { 0x02, "CALL_PROCEEDING" }, { 0x03, "PROGRESS" },
	{ 0x05, "SETUP" }, { 0x07, "CONNECT" }, { 0x0d, "SETUP_ACKNOWLEDGE" },
	{ 0x0f, "CONNECT_ACKNOWLEDGE" }, { 0x20, "USER_INFORMATION" },
	{ 0x21, "SUSPEND_REJECT" }, { 0x22, "RESUME_REJECT" }, { 0x24, "HOLD" },
	{ 0x25, "SUSPEND" }, { 0x26, "RESUME" }, { 0x28, "HOLD_ACKNOWLEDGE" },
	{ 0x2d, "SUSPEND_ACKNOWLEDGE" }, { 0x2e, "RESUME_ACKNOWLEDGE" },
	{ 0x30, "HOLD_REJECT" }, { 0x31, "RETRIEVE" }, { 0x33, "RETRIEVE_ACKNOWLEDGE" },
	{ 0x37, "RETRIEVE_REJECT" }, { 0x45, "DISCONNECT" }, { 0x46, "RESTART" },
	{ 0x4d, "RELEASE" }, { 0x4e, "RESTART_ACKNOWLEDGE" }, { 0x5a, "RELEASE_COMPLETE" },
	{ 0x60, "SEGMENT" }, { 0x62, "FACILITY" }, { 0x6e, "NOTIFY" },
	{ 0x75, "STATUS_ENQUIRY" }, { 0x79, "CONGESTION_CONTROL" }, { 0x7b, "INFORMATION" },
	{ 0x7d, "STATUS" },
};

static const struct name cause_names[] = {
	{ 1, "unallocated number" }, { 2, "no route to transit network" },
	{ 3, "no route to destination" }, { 6, "channel unacceptable" },
	{ 16, "normal call clearing" }, { 17, "user busy" }, { 18, "no user responding" },
	{ 19, "no answer" }, { 21, "call rejected" }, { 22, "number changed" },
	{ 26, "non-selected user clearing" }, { 27, "destination out of order" },
	{ 28, "invalid number format" }, { 29, "facility rejected" },
	{ 30, "response to STATUS ENQUIRY" }, { 31, "normal, unspecified" },
	{ 34, "no circuit/channel available" }, { 38, "network out of order" },
	{ 41, "temporary failure" }, { 42, "switching equipment congestion" },
	{ 43, "access information discarded" }, { 44, "requested circuit/channel not available" },
	{ 47, "resource unavailable" }, { 57, "bearer capability not authorized" },
	{ 58, "bearer capability not available" }, { 63, "service not available" },
	{ 65, "bearer capability not implemented" }, { 66, "channel type not implemented" },
	{ 69, "facility not implemented" }, { 81, "invalid call reference" },
	{ 82, "identified channel does not exist" }, { 88, "incompatible destination" },
	{ 95, "invalid message" }, { 96, "mandatory IE missing" },
	{ 97, "message type non-existent" }, { 98, "message not compatible with state" },
	{ 99, "IE non-existent" }, { 100, "invalid IE contents" },
	{ 101, "message not compatible with call state" }, { 102, "recovery on timer expiry" },
	{ 111, "protocol error" }, { 127, "interworking" },
};
/* clang-format on */

static const char *lookup(const struct name *t, size_t n, unsigned v, const char *dflt)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	return dflt;
}

const char *isdn_q931_mt_name(uint8_t pd, uint8_t mt)
{
	if (pd == Q931_PD_MAINT || pd == Q931_PD_MAINT_ATT)
		return mt == 0x0f ? "SERVICE" : mt == 0x07 ? "SERVICE_ACKNOWLEDGE" : "MAINT?";
	return lookup(mt_names, sizeof(mt_names) / sizeof(mt_names[0]), mt, "UNKNOWN");
}

const char *isdn_q850_name(unsigned cause)
{
	return lookup(cause_names, sizeof(cause_names) / sizeof(cause_names[0]), cause,
		      "unknown cause");
}

/* A bounded appender: never writes past the end, always terminates. */
struct out {
	char *p;
	size_t len, pos;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->pos >= o->len)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(o->p + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n < o->len - o->pos ? (size_t)n : o->len - o->pos - 1;
}

static void fmt_l2(struct out *o, const struct isdn_frame *f)
{
	static const struct name u_names[] = {
	    {0x6f, "SABME"}, {0x0f, "DM"},   {0x03, "UI"},  {0x43, "DISC"},
	    {0x63, "UA"},    {0x87, "FRMR"}, {0xaf, "XID"},
	};
	static const struct name s_names[] = {{0x01, "RR"}, {0x05, "RNR"}, {0x09, "REJ"}};

	if (f->kind == ISDN_L2_I)
		put(o, "I ns=%u nr=%u", f->ns, f->nr);
	else if (f->kind == ISDN_L2_S)
		put(o, "%s nr=%u", lookup(s_names, 3, f->ctl & 0x0f, "S?"), f->nr);
	else
		put(o, "%s", lookup(u_names, 7, f->ctl, "U?"));
	put(o, " sapi=%u tei=%u%s", f->sapi, f->tei, f->pf ? " p/f" : "");
}

static void fmt_number(struct out *o, const char *tag, const struct isdn_number *n)
{
	put(o, " %s=%s(ton=%u,npi=%u,pres=%u,scr=%u)", tag, n->digits, n->ton, n->npi, n->pres,
	    n->screen);
}

static void fmt_l3(struct out *o, const struct isdn_frame *f)
{
	put(o, " | %s cref=%u%s", isdn_q931_mt_name(f->pd, f->mt), f->cref,
	    f->cref_flag ? "/f" : "");
	if (f->has_chan)
		put(o, " chan=%d%s", f->chan, f->exclusive ? "!" : "");
	if (f->has_called)
		put(o, " called=%s(ton=%u,npi=%u)", f->called.digits, f->called.ton, f->called.npi);
	if (f->has_calling)
		fmt_number(o, "calling", &f->calling);
	if (f->has_redirecting)
		fmt_number(o, "redir", &f->redirecting);
	if (f->has_bearer)
		put(o, " bc=%u/0x%02x", f->bc_cap, f->bc_l1);
	if (f->has_progress)
		put(o, " pi=%u", f->progress);
	if (f->has_cause)
		put(o, " cause=%u(%s) loc=%u", f->cause, isdn_q850_name(f->cause), f->location);
	if (f->has_restart)
		put(o, " restart=%u", f->restart_class);
	if (f->has_call_state)
		put(o, " state=%u", f->call_state);
	if (f->complete)
		put(o, " complete");
	if (f->n_unknown)
		put(o, " unknown_ies=%u", f->n_unknown);
}

size_t isdn_frame_format(const struct isdn_frame *f, char *out, size_t outlen)
{
	struct out o = {out, outlen, 0};
	if (!outlen)
		return 0;
	out[0] = 0;
	fmt_l2(&o, f);
	if (f->has_l3)
		fmt_l3(&o, f);
	return o.pos;
}
