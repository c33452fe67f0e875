/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * D-channel frame decoder (Q.921 §3.3, Q.931 §4).  Every read is preceded
 * by a length check; nothing here trusts a length octet.  What it does not
 * know it counts and skips, as Q.931 §5.8.7.1 asks of a receiver.
 */
#include "pstn/isdn_q931.h"

#include <errno.h>
#include <string.h>

/* A bounded reader over the message. */
struct rd {
	const uint8_t *p;
	size_t len, pos;
};

static bool rd_byte(struct rd *r, uint8_t *b)
{
	if (r->pos >= r->len)
		return false;
	*b = r->p[r->pos++];
	return true;
}

static int decode_l2(struct isdn_frame *f, struct rd *r, const char **why)
{
	uint8_t a0, a1, c0, c1;

	if (!rd_byte(r, &a0) || !rd_byte(r, &a1) || !rd_byte(r, &c0)) {
		*why = "frame shorter than a Q.921 header";
		return EBADMSG;
	}
	if ((a0 & 1) || !(a1 & 1)) {
		*why = "bad Q.921 address extension bits";
		return EBADMSG;
	}
	f->sapi = a0 >> 2;
	f->cr = (a0 >> 1) & 1;
	f->tei = a1 >> 1;
	if ((c0 & 1) == 0 || (c0 & 3) == 1) {
		if (!rd_byte(r, &c1)) {
			*why = "I/S frame without its second control octet";
			return EBADMSG;
		}
		f->kind = (c0 & 1) == 0 ? ISDN_L2_I : ISDN_L2_S;
		f->ns = c0 >> 1;
		f->ctl = c0;
		f->nr = c1 >> 1;
		f->pf = c1 & 1;
		return 0;
	}
	f->kind = ISDN_L2_U;
	f->ctl = c0 & (uint8_t)~0x10;
	f->pf = (c0 >> 4) & 1;
	return 0;
}

/* Number digits: IA5, only printable ones kept (others become '?'). */
static void number_digits(struct isdn_number *n, const uint8_t *p, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < len && k < ISDN_NUM_MAX; i++) {
		uint8_t c = p[i] & 0x7f;
		n->digits[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	n->digits[k] = 0;
}

/* Calling/redirecting (octets 3, 3a[, 3b]) and called (octet 3 only). */
static int ie_number(struct isdn_number *n, const uint8_t *p, size_t len, unsigned max_ext,
		     uint8_t *reason)
{
	size_t i = 0;
	memset(n, 0, sizeof(*n));
	if (len < 1)
		return EBADMSG;
	n->ton = (p[0] >> 4) & 7;
	n->npi = p[0] & 0x0f;
	unsigned ext = 0;
	while (!(p[i] & 0x80)) {
		if (++i >= len || ++ext > max_ext)
			return EBADMSG;
		if (ext == 1) {
			n->pres = (p[i] >> 5) & 3;
			n->screen = p[i] & 3;
		} else if (reason) {
			*reason = p[i] & 0x0f;
		}
	}
	i++;
	number_digits(n, p + i, len - i);
	return 0;
}

static int ie_cause(struct isdn_frame *f, const uint8_t *p, size_t len)
{
	size_t i = 1;
	if (len < 2)
		return EBADMSG;
	f->location = p[0] & 0x0f;
	if (!(p[0] & 0x80))
		i++; /* octet 3a: recommendation */
	if (i >= len)
		return EBADMSG;
	f->cause = p[i] & 0x7f;
	f->has_cause = true;
	return 0;
}

/* Channel identification (Q.931 §4.5.13). */
static int ie_chan(struct isdn_frame *f, const uint8_t *p, size_t len)
{
	size_t i = 1;
	if (len < 1)
		return EBADMSG;
	bool explicit_if = p[0] & 0x40, pri = p[0] & 0x20;
	unsigned sel = p[0] & 3;
	f->exclusive = p[0] & 0x08;
	f->has_chan = true;
	if (explicit_if) {
		while (i < len && !(p[i] & 0x80))
			i++;
		if (i >= len)
			return EBADMSG;
		i++;
	}
	if (!pri) {
		f->chan = sel == 3 ? -1 : (int)sel;
		return 0;
	}
	if (sel == 0 || sel == 3) {
		f->chan = sel == 3 ? -1 : 0;
		return 0;
	}
	if (i + 2 > len)
		return EBADMSG;
	if (p[i] & 0x10) { /* slot map: report "any" rather than guess */
		f->chan = -1;
		return 0;
	}
	f->chan = p[i + 1] & 0x7f;
	return 0;
}

static int ie_var(struct isdn_frame *f, uint8_t id, const uint8_t *p, size_t len)
{
	switch (id) {
	case Q931_IE_CAUSE:
		return ie_cause(f, p, len);
	case Q931_IE_CHANNEL_ID:
		return ie_chan(f, p, len);
	case Q931_IE_PROGRESS:
		if (len < 2)
			return EBADMSG;
		f->progress = p[1] & 0x7f;
		f->has_progress = true;
		return 0;
	case Q931_IE_BEARER_CAP:
		if (len < 2)
			return EBADMSG;
		f->bc_cap = p[0] & 0x1f;
		f->bc_l1 = len >= 3 && (p[2] & 0x60) == 0x20 ? p[2] & 0x7f : 0;
		f->has_bearer = true;
		return 0;
	case Q931_IE_RESTART_IND:
		if (len < 1)
			return EBADMSG;
		f->restart_class = p[0] & 7;
		f->has_restart = true;
		return 0;
	case Q931_IE_CALL_STATE:
		if (len < 1)
			return EBADMSG;
		f->call_state = p[0] & 0x3f;
		f->has_call_state = true;
		return 0;
	case Q931_IE_CALLED:
		f->has_called = true;
		return ie_number(&f->called, p, len, 0, NULL);
	case Q931_IE_CALLING:
		f->has_calling = true;
		return ie_number(&f->calling, p, len, 1, NULL);
	case Q931_IE_REDIRECTING:
		f->has_redirecting = true;
		return ie_number(&f->redirecting, p, len, 2, NULL);
	case Q931_IE_DISPLAY:
	case Q931_IE_KEYPAD:
	case 0x1c:
	case 0x20:
	case 0x27:
	case 0x29:
	case 0x34:
	case 0x6d:
	case 0x71:
	case 0x78:
	case 0x7c:
	case 0x7d:
	case 0x7e:
		return 0;
	default:
		f->n_unknown++;
		return 0;
	}
}

/* The information elements after the message type (Q.931 §4.5.1). */
static int decode_ies(struct isdn_frame *f, struct rd *r, const char **why)
{
	unsigned codeset = 0, locked = 0;
	uint8_t id, l;

	while (rd_byte(r, &id)) {
		f->n_ies++;
		if (id & 0x80) { /* single octet */
			if ((id & 0xf0) == 0x90) {
				codeset = id & 7;
				if (!(id & 8))
					locked = codeset;
				continue;
			}
			if (id == Q931_IE_SENDING_COMPLETE && codeset == 0)
				f->complete = true;
			codeset = locked;
			continue;
		}
		if (!rd_byte(r, &l)) {
			*why = "information element without a length";
			return EBADMSG;
		}
		if (l > r->len - r->pos) {
			*why = "information element longer than the message";
			return EBADMSG;
		}
		const uint8_t *p = r->p + r->pos;
		r->pos += l;
		if (codeset == 0 && ie_var(f, id, p, l)) {
			/* Q.931 §5.8.7.2: content error; keep going, count it. */
			f->n_unknown++;
		} else if (codeset != 0) {
			f->n_unknown++;
		}
		codeset = locked;
	}
	return 0;
}

static int decode_l3(struct isdn_frame *f, struct rd *r, const char **why)
{
	uint8_t b, crl;

	if (!rd_byte(r, &f->pd) || !rd_byte(r, &crl)) {
		*why = "Q.931 message shorter than its header";
		return EBADMSG;
	}
	f->cref_len = crl & 0x0f;
	if ((crl & 0xf0) || f->cref_len > 2) {
		*why = "bad call reference length";
		return EBADMSG;
	}
	for (unsigned i = 0; i < f->cref_len; i++) {
		if (!rd_byte(r, &b)) {
			*why = "call reference cut short";
			return EBADMSG;
		}
		if (i == 0) {
			f->cref_flag = b & 0x80;
			b &= 0x7f;
		}
		f->cref = (uint16_t)(f->cref << 8 | b);
	}
	if (!rd_byte(r, &f->mt)) {
		*why = "Q.931 message without a message type";
		return EBADMSG;
	}
	f->has_l3 = true;
	if (f->pd != Q931_PD_Q931)
		return 0; /* maintenance and others: header only */
	if (f->mt & 0x80) {
		*why = "message type with bit 8 set";
		return EBADMSG;
	}
	return decode_ies(f, r, why);
}

int isdn_frame_decode(struct isdn_frame *f, const uint8_t *buf, size_t len, const char **why)
{
	static const char *ignored;
	struct rd r = {buf, len, 0};

	memset(f, 0, sizeof(*f));
	if (!why)
		why = &ignored;
	*why = NULL;
	if (!buf && len)
		return EINVAL;
	int rc = decode_l2(f, &r, why);
	if (rc)
		return rc;
	bool info = f->kind == ISDN_L2_I || (f->kind == ISDN_L2_U && f->ctl == 0x03);
	if (!info || f->sapi != 0 || r.pos == r.len)
		return 0;
	return decode_l3(f, &r, why);
}

int isdn_frame_mt(const uint8_t *buf, size_t len)
{
	/* address (2), control (2), PD, call reference length, cref, type */
	if (len < 7 || (buf[0] >> 2) != 0 || (buf[2] & 1) || buf[4] != Q931_PD_Q931)
		return -1;
	size_t crl = buf[5] & 0x0f;
	if ((buf[5] & 0xf0) || crl > 2 || len < 7 + crl)
		return -1;
	return buf[6 + crl] & 0x80 ? -1 : buf[6 + crl];
}
