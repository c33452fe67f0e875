/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A span whose far end is another process, over an AF_UNIX SOCK_SEQPACKET
 * socket.  The wire format is in sim/README.md ("Wire format for a far end
 * in another process"): HELLO, then one AUDIO per tick each way, FRAME per
 * D-channel frame, ALARM and DCHAN on changes.  The clocks on the two sides
 * are independent, so received AUDIO waits in a queue of SIM_REMOTE_DEPTH
 * and one is played per tick.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "sim/sim_int.h"

#define SIM_REMOTE_VER	  1
#define SIM_REMOTE_DEPTH  4
#define SIM_REMOTE_MAXMSG (4 + 65535)

enum { RM_HELLO = 1, RM_AUDIO = 2, RM_FRAME = 3, RM_ALARM = 4, RM_LINE = 5, RM_DCHAN = 6 };

struct sim_remote {
	struct sim_span *span;
	int fd;
	bool hello_ok;
	size_t audio_len; /* nchans * chunk */
	uint8_t *tx;	  /* 8 + audio_len */
	uint8_t *rxq;	  /* SIM_REMOTE_DEPTH * audio_len */
	unsigned rxq_head, rxq_n;
	uint32_t tick;
	uint8_t *msg; /* SIM_REMOTE_MAXMSG */
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void remote_hdr(uint8_t *p, unsigned type, size_t len)
{
	p[0] = (uint8_t)type;
	p[1] = SIM_REMOTE_VER;
	put16(p + 2, (unsigned)len);
}

static void remote_send(struct sim_remote *r, const uint8_t *p, size_t len)
{
	if (r->fd < 0)
		return;
	if (send(r->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		LOGW(LC_SIM, r->span->name, "remote send: %s", strerror(errno));
}

static void remote_send_small(struct sim_remote *r, unsigned type, const uint8_t *body, size_t len)
{
	uint8_t m[4 + 8];

	remote_hdr(m, type, len);
	memcpy(m + 4, body, len);
	remote_send(r, m, 4 + len);
}

static unsigned remote_dchan(const struct sim_span *span)
{
	unsigned i;

	for (i = 0; i < span->nchans; i++)
		if (span->chans[i].hdlc)
			return i + 1;
	return 0;
}

static void remote_hello(struct sim_remote *r)
{
	struct sim_span *span = r->span;
	uint8_t b[6] = {
	    (uint8_t)span->kind, (uint8_t)span->nchans, (uint8_t)remote_dchan(span), 0, 0, 0};

	put16(b + 4, span->sim->chunk);
	remote_send_small(r, RM_HELLO, b, sizeof(b));
}

/* The link is gone: the span loses its signal. */
static void remote_down(struct sim_remote *r, const char *why)
{
	struct sim_span *span = r->span;

	LOGW(LC_SIM, span->name, "remote far end lost: %s", why);
	if (r->fd >= 0) {
		loop_fd_del(span->sim->loop, r->fd);
		close(r->fd);
		r->fd = -1;
	}
	r->hello_ok = false;
	span->remote_red = true;
	sim_alarm_update(span);
}

static int remote_on_hello(struct sim_remote *r, const uint8_t *b, size_t len)
{
	struct sim_span *span = r->span;

	if (len < 6 || b[0] != (uint8_t)span->kind || b[1] != span->nchans ||
	    b[2] != remote_dchan(span) || get16(b + 4) != span->sim->chunk)
		return EPROTO;
	r->hello_ok = true;
	span->remote_red = false;
	LOGI(LC_SIM, span->name, "remote far end up");
	sim_alarm_update(span);
	return 0;
}

static void remote_on_audio(struct sim_remote *r, const uint8_t *b, size_t len)
{
	unsigned slot;

	if (len != 4 + r->audio_len)
		return;
	if (r->rxq_n == SIM_REMOTE_DEPTH) {
		/* the far clock runs fast: drop the oldest, a slip */
		r->rxq_head = (r->rxq_head + 1) % SIM_REMOTE_DEPTH;
		r->rxq_n--;
		r->span->st.slips++;
	}
	slot = (r->rxq_head + r->rxq_n) % SIM_REMOTE_DEPTH;
	memcpy(r->rxq + slot * r->audio_len, b + 4, r->audio_len);
	r->rxq_n++;
}

static void remote_on_frame(struct sim_remote *r, const uint8_t *b, size_t len)
{
	struct sim_span *span = r->span;
	struct sim_chan *ch;
	uint8_t *f = span->sim->scratch;
	uint16_t fcs;

	if (len < 3 || !b[0] || b[0] > span->nchans || len - 2 + 2 > sizeof(span->sim->scratch))
		return;
	ch = &span->chans[b[0] - 1];
	if (!ch->hdlc || !ch->file || !ch->rx.mem || span->dchan_down ||
	    (span->alarms_inj & (DAHDI_ALARM_RED | DAHDI_ALARM_BLUE))) {
		span->st.frames_lost++;
		return;
	}
	if (b[1] & 1) {
		span->st.frames_badfcs++;
		sim_chan_event(ch, DAHDI_EVENT_BADFCS);
		return;
	}
	memcpy(f, b + 2, len - 2);
	fcs = sim_fcs16(f, len - 2);
	f[len - 2] = (uint8_t)(fcs & 0xff);
	f[len - 1] = (uint8_t)(fcs >> 8);
	if (!sim_dbuf_rx_frame(&ch->rx, f, (unsigned)len)) {
		span->st.rx_overruns++;
		sim_chan_event(ch, DAHDI_EVENT_OVERRUN);
		return;
	}
	span->st.frames_rx++;
	sim_chan_kick(ch);
}

static int remote_on_msg(struct sim_remote *r, const uint8_t *m, size_t n)
{
	size_t len;

	if (n < 4 || m[1] != SIM_REMOTE_VER || (len = get16(m + 2)) != n - 4)
		return EPROTO;
	if (m[0] == RM_HELLO)
		return remote_on_hello(r, m + 4, len);
	if (!r->hello_ok)
		return EPROTO;
	switch (m[0]) {
	case RM_AUDIO:
		remote_on_audio(r, m + 4, len);
		break;
	case RM_FRAME:
		remote_on_frame(r, m + 4, len);
		break;
	case RM_ALARM:
		if (len >= 4) {
			r->span->remote_alarms = get32(m + 4);
			sim_alarm_update(r->span);
		}
		break;
	case RM_LINE:
		if (len >= 2 && m[4] && m[4] <= r->span->nchans && m[5] >= SIM_LINE_OFFHOOK &&
		    m[5] <= SIM_LINE_POL_REVERSED)
			sim_line_apply(&r->span->chans[m[4] - 1], (enum sim_line_sig)m[5]);
		break;
	case RM_DCHAN:
		if (len >= 1 && !m[4] != r->span->remote_dchan_down) {
			r->span->remote_dchan_down = !m[4];
			if (!m[4])
				sim_dchan_abort(r->span);
		}
		break;
	default:
		break; /* unknown types are skipped: the format may grow */
	}
	return 0;
}

static void remote_readable(int fd, uint32_t events, void *arg)
{
	struct sim_remote *r = arg;
	unsigned i;

	(void)events;
	r->span->sim->in_tick = true; /* readiness goes out in one batch below */
	for (i = 0; i < 64 && r->fd >= 0; i++) {
		ssize_t n = recv(fd, r->msg, SIM_REMOTE_MAXMSG, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			remote_down(r, n ? strerror(errno) : "closed");
			break;
		}
		if (remote_on_msg(r, r->msg, (size_t)n)) {
			remote_down(r, "malformed message");
			break;
		}
	}
	r->span->sim->in_tick = false;
	sim_ready_dispatch(r->span->sim);
}

static void remote_destroy(void *data)
{
	struct sim_remote *r = data;

	if (r->fd >= 0) {
		loop_fd_del(r->span->sim->loop, r->fd);
		close(r->fd);
	}
	mem_deref(r->tx);
	mem_deref(r->rxq);
	mem_deref(r->msg);
}

int sim_span_remote(struct sim_span *span, int fd)
{
	struct sim_remote *r;
	int err;

	if (span->remote && span->remote->fd < 0)
		sim_remote_free(span); /* a lost link makes room for a new one */
	if (span->peer || span->remote) {
		close(fd);
		return EBUSY;
	}
	r = mem_zalloc(sizeof(*r), remote_destroy);
	if (!r) {
		close(fd);
		return ENOMEM;
	}
	r->span = span;
	r->fd = fd;
	r->audio_len = (size_t)span->nchans * span->sim->chunk;
	r->tx = mem_zalloc(8 + r->audio_len, NULL);
	r->rxq = mem_zalloc(SIM_REMOTE_DEPTH * r->audio_len, NULL);
	r->msg = mem_zalloc(SIM_REMOTE_MAXMSG, NULL);
	err = !r->tx || !r->rxq || !r->msg || 8 + r->audio_len > SIM_REMOTE_MAXMSG ? ENOMEM : 0;
	if (!err && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		err = errno;
	if (!err)
		err = loop_fd_add(span->sim->loop, fd, EPOLLIN, remote_readable, r);
	if (err) {
		mem_deref(r); /* closes fd */
		return err;
	}
	span->remote = r;
	span->remote_red = true; /* until the far end says HELLO */
	sim_alarm_update(span);
	remote_hello(r);
	return 0;
}

void sim_remote_free(struct sim_span *span)
{
	span->remote = mem_deref(span->remote);
}

int sim_span_remote_close(struct sim_span *span)
{
	if (!span->remote)
		return ENOTCONN;
	sim_remote_free(span);
	sim_alarm_update(span); /* remote_red stays: no far end */
	return 0;
}

void sim_remote_alarm(struct sim_span *span)
{
	uint8_t b[4];

	put32(b, span->alarms_inj);
	remote_send_small(span->remote, RM_ALARM, b, sizeof(b));
}

void sim_remote_dchan(struct sim_span *span)
{
	uint8_t b[1] = {!span->dchan_down};

	remote_send_small(span->remote, RM_DCHAN, b, sizeof(b));
}

void sim_remote_line(struct sim_chan *ch, enum sim_line_sig sig)
{
	uint8_t b[2] = {(uint8_t)ch->chanpos, (uint8_t)sig};

	remote_send_small(ch->span->remote, RM_LINE, b, sizeof(b));
}

/* Send this tick's D-channel frames of `ch`. */
static void remote_tick_hdlc(struct sim_remote *r, struct sim_chan *ch)
{
	struct sim_span *span = r->span;
	uint8_t *m = span->sim->scratch;
	int len;

	while ((len = sim_dbuf_tx_frame(&ch->tx, m + 6, sizeof(span->sim->scratch) - 6)) >= 0) {
		sim_chan_kick_if_ready(ch);
		if (len < 3)
			continue;
		span->st.frames_tx++;
		if (!r->hello_ok || span->dchan_down || span->remote_dchan_down) {
			span->st.frames_lost++;
			continue;
		}
		if (span->lose) {
			span->lose--;
			span->st.frames_lost++;
			continue;
		}
		remote_hdr(m, RM_FRAME, (size_t)len); /* chanpos, flags, frame */
		m[4] = (uint8_t)ch->chanpos;
		m[5] = span->badfcs ? 1 : 0;
		span->badfcs -= span->badfcs ? 1 : 0;
		remote_send(r, m, 4 + 2 + (size_t)len - 2);
	}
}

void sim_remote_tick(struct sim_span *span)
{
	struct sim_remote *r = span->remote;
	struct sim *sim = span->sim;
	unsigned i, chunk = sim->chunk;
	uint8_t *rx = r->rxq_n ? r->rxq + r->rxq_head * r->audio_len : NULL;

	for (i = 0; i < span->nchans; i++) {
		struct sim_chan *ch = &span->chans[i];
		uint8_t *slot = r->tx + 8 + (size_t)i * chunk;

		if (ch->hdlc) {
			memset(slot, 0x7e, chunk);
			if (ch->file && ch->tx.mem)
				remote_tick_hdlc(r, ch);
			continue;
		}
		sim_chan_tx_chunk(ch, slot, chunk);
		if (ch->file && ch->rx.mem) {
			if (rx)
				memcpy(sim->scratch, rx + (size_t)i * chunk, chunk);
			else
				memset(sim->scratch, sim_chan_idle(ch), chunk);
			sim_audio_rx(ch, sim->scratch, chunk);
		}
	}
	if (rx) {
		r->rxq_head = (r->rxq_head + 1) % SIM_REMOTE_DEPTH;
		r->rxq_n--;
	}
	if (r->hello_ok) {
		remote_hdr(r->tx, RM_AUDIO, 4 + r->audio_len);
		put32(r->tx + 4, r->tick++);
		remote_send(r, r->tx, 8 + r->audio_len);
	}
}
