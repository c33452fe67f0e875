/* SPDX-License-Identifier: GPL-2.0-or-later */
/* In-memory D-channel between controllers; see isdn_pipe.h. */
#include "pstn/isdn_pipe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct slot {
	uint64_t due; /* delivery time when the wire has a rate */
	unsigned to;
	uint16_t len;
	uint8_t data[ISDN_PIPE_FRAME_MAX];
};

struct queue {
	struct slot *v;
	size_t head, n, cap;
};

struct isdn_pipe_end {
	struct isdn_pipe *pipe;
	unsigned idx;
	struct isdn_ctrl *ctrl;
};

struct isdn_pipe {
	struct loop *loop;
	unsigned nends;
	struct isdn_pipe_end ends[ISDN_PIPE_MAX_ENDS];
	struct queue q;
	bool scheduled, up, delivering;
	uint64_t rate;	     /* bit/s, 0: instant */
	uint64_t busy_until; /* the wire carries the previous frame until then */
	struct loop_timer tmr;
	isdn_pipe_tap_h *tap;
	void *tap_arg;
	isdn_pipe_mangle_h *mangle;
	void *mangle_arg;
	uint64_t frames;
};

static void pipe_destroy(void *data)
{
	struct isdn_pipe *p = data;
	loop_defer_cancel(p->loop, p);
	loop_timer_cancel(p->loop, &p->tmr);
	free(p->q.v);
	mem_deref(p->loop);
}

int isdn_pipe_alloc(struct isdn_pipe **pp, struct loop *loop, unsigned nends)
{
	if (!pp || !loop || nends < 2 || nends > ISDN_PIPE_MAX_ENDS)
		return EINVAL;
	struct isdn_pipe *p = mem_zalloc(sizeof(*p), pipe_destroy);
	if (!p)
		return ENOMEM;
	p->loop = mem_ref(loop);
	p->nends = nends;
	p->up = true;
	loop_timer_init(&p->tmr);
	for (unsigned i = 0; i < nends; i++) {
		p->ends[i].pipe = p;
		p->ends[i].idx = i;
	}
	*pp = p;
	return 0;
}

struct isdn_pipe_end *isdn_pipe_end(struct isdn_pipe *p, unsigned i)
{
	return i < p->nends ? &p->ends[i] : NULL;
}

void isdn_pipe_attach(struct isdn_pipe *p, unsigned i, struct isdn_ctrl *ctrl)
{
	if (i < p->nends)
		p->ends[i].ctrl = ctrl;
}

void isdn_pipe_set_up(struct isdn_pipe *p, bool up)
{
	p->up = up;
}

void isdn_pipe_tap(struct isdn_pipe *p, isdn_pipe_tap_h *h, void *arg)
{
	p->tap = h;
	p->tap_arg = arg;
}

void isdn_pipe_mangle(struct isdn_pipe *p, isdn_pipe_mangle_h *h, void *arg)
{
	p->mangle = h;
	p->mangle_arg = arg;
}

uint64_t isdn_pipe_frames(const struct isdn_pipe *p)
{
	return p->frames;
}

static int pipe_schedule(struct isdn_pipe *p);

/* Deliver what is due, in order.  Frames written meanwhile are appended
 * and wait for the next pass; each frame is copied out of the queue first,
 * since appending may move it. */
static void pipe_deliver(void *arg)
{
	struct isdn_pipe *p = arg;
	uint8_t buf[ISDN_PIPE_FRAME_MAX];
	size_t end = p->q.n;
	uint64_t now = loop_now(p->loop);

	p->scheduled = false;
	p->delivering = true;
	mem_ref(p);
	while (p->q.head < end) {
		struct slot *s = &p->q.v[p->q.head];
		if (p->rate && s->due > now)
			break;
		struct isdn_pipe_end *e = &p->ends[s->to];
		size_t len = s->len;
		memcpy(buf, s->data, len);
		p->q.head++;
		if (e->ctrl && p->up)
			isdn_ctrl_input(e->ctrl, buf, len);
	}
	p->delivering = false;
	if (p->q.head == p->q.n)
		p->q.head = p->q.n = 0;
	if (p->q.head < p->q.n)
		pipe_schedule(p);
	mem_deref(p);
}

static void pipe_timer(void *arg)
{
	pipe_deliver(arg);
}

static int pipe_schedule(struct isdn_pipe *p)
{
	if (p->scheduled)
		return 0;
	int rc;
	if (p->rate) {
		uint64_t due = p->q.v[p->q.head].due, now = loop_now(p->loop);
		rc = loop_timer_start(p->loop, &p->tmr, due > now ? due - now : 0, pipe_timer, p);
	} else {
		rc = loop_defer(p->loop, pipe_deliver, p);
	}
	if (!rc)
		p->scheduled = true;
	return rc;
}

static int pipe_push(struct isdn_pipe *p, unsigned to, const uint8_t *frame, size_t len)
{
	if (len > ISDN_PIPE_FRAME_MAX)
		return EMSGSIZE;
	if (p->q.n == p->q.cap && !p->delivering) {
		if (p->q.head) { /* reuse the delivered front */
			memmove(p->q.v, p->q.v + p->q.head, (p->q.n - p->q.head) * sizeof(*p->q.v));
			p->q.n -= p->q.head;
			p->q.head = 0;
		}
	}
	if (p->q.n == p->q.cap) {
		size_t cap = p->q.cap ? p->q.cap * 2 : 16;
		struct slot *v = realloc(p->q.v, cap * sizeof(*v));
		if (!v)
			return ENOMEM;
		p->q.v = v;
		p->q.cap = cap;
	}
	struct slot *s = &p->q.v[p->q.n++];
	s->to = to;
	s->len = (uint16_t)len;
	s->due = 0;
	if (p->rate) {
		/* HDLC: flag, FCS (2) and the frame, 8 bits a byte, one at a time */
		uint64_t now = loop_now(p->loop), start = p->busy_until > now ? p->busy_until : now;
		p->busy_until = start + (len + 3) * 8 * NS_PER_S / p->rate;
		s->due = p->busy_until;
	}
	memcpy(s->data, frame, len);
	p->frames++;
	return pipe_schedule(p);
}

void isdn_pipe_set_rate(struct isdn_pipe *p, uint64_t bits_per_s)
{
	p->rate = bits_per_s;
}

int isdn_pipe_inject(struct isdn_pipe *p, unsigned to, const uint8_t *frame, size_t len)
{
	if (to >= p->nends || (!frame && len))
		return EINVAL;
	return pipe_push(p, to, frame, len);
}

static int pipe_write(void *arg, const uint8_t *frame, size_t len)
{
	struct isdn_pipe_end *e = arg;
	struct isdn_pipe *p = e->pipe;
	uint8_t buf[ISDN_PIPE_FRAME_MAX];

	if (!p->up)
		return 0;
	if (p->tap && !p->tap(e->idx, frame, len, p->tap_arg))
		return 0;
	if (p->mangle && len <= sizeof(buf)) {
		memcpy(buf, frame, len);
		p->mangle(e->idx, buf, &len, p->mangle_arg);
		frame = buf;
		if (len > sizeof(buf))
			return EMSGSIZE;
	}
	if (e->idx != 0)
		return pipe_push(p, 0, frame, len);
	for (unsigned i = 1; i < p->nends; i++) {
		int rc = pipe_push(p, i, frame, len);
		if (rc)
			return rc;
	}
	return 0;
}

const struct isdn_dchan_ops isdn_pipe_ops = {.write = pipe_write};
