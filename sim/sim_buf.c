/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DAHDI's channel buffers, one direction at a time, with the same index
 * discipline as dahdi-base.c so the driver meets the same edge cases:
 * - receive: chunks fill buffer `in`; a full buffer becomes readable; when
 *   every buffer is full, `in` is -1 and what arrives is lost (an overrun)
 *   until the reader frees one.  A read takes one buffer, whatever its size.
 * - transmit: a write fills one buffer (at most bufsize bytes); the span
 *   sends from `out`; with no free buffer a write fails (EAGAIN).  Policies
 *   WHEN_FULL / HALF_FULL hold transmission until that many buffers are
 *   full, again after every underrun.
 * - HDLC: one buffer per frame both ways.
 */
#include <string.h>

#include "sim/sim_int.h"

void sim_dbuf_reset(struct sim_dbuf *b)
{
	memset(b->n, 0, sizeof(b->n));
	b->in = 0;
	b->out = -1;
	b->pos = 0;
}

static void dbuf_rx_commit(struct sim_dbuf *b, unsigned len)
{
	b->n[b->in] = (uint16_t)len;
	if (b->out < 0)
		b->out = b->in;
	b->in = (b->in + 1) % (int)b->numbufs;
	b->pos = 0;
	if (b->in == b->out)
		b->in = -1;
}

bool sim_dbuf_rx_push(struct sim_dbuf *b, const uint8_t *p, unsigned len)
{
	while (len) {
		unsigned k;

		if (b->in < 0)
			return false;
		k = b->bufsize - b->pos;
		if (k > len)
			k = len;
		memcpy(b->mem + (size_t)b->in * b->bufsize + b->pos, p, k);
		b->pos += k;
		p += k;
		len -= k;
		if (b->pos == b->bufsize)
			dbuf_rx_commit(b, b->bufsize);
	}
	return true;
}

bool sim_dbuf_rx_frame(struct sim_dbuf *b, const uint8_t *p, unsigned len)
{
	if (b->in < 0 || len > b->bufsize)
		return false;
	memcpy(b->mem + (size_t)b->in * b->bufsize, p, len);
	dbuf_rx_commit(b, len);
	return true;
}

int sim_dbuf_rx_take(struct sim_dbuf *b, uint8_t *out, unsigned cap)
{
	int res = b->out;
	unsigned amnt;

	if (res < 0)
		return -1;
	amnt = b->n[res] < cap ? b->n[res] : cap;
	memcpy(out, b->mem + (size_t)res * b->bufsize, amnt);
	b->n[res] = 0;
	b->out = (res + 1) % (int)b->numbufs;
	if (b->out == b->in)
		b->out = -1;
	if (b->in < 0) {
		b->in = res;
		b->pos = 0;
	}
	return (int)amnt;
}

static unsigned dbuf_full(const struct sim_dbuf *b)
{
	if (b->out < 0)
		return 0;
	if (b->in < 0)
		return b->numbufs;
	return (unsigned)((b->in - b->out + (int)b->numbufs) % (int)b->numbufs);
}

int sim_dbuf_tx_put(struct sim_dbuf *b, const uint8_t *p, unsigned len, int policy)
{
	int res = b->in;
	unsigned amnt = len < b->bufsize ? len : b->bufsize;

	if (res < 0)
		return -1;
	memcpy(b->mem + (size_t)res * b->bufsize, p, amnt);
	b->n[res] = (uint16_t)amnt;
	b->in = (res + 1) % (int)b->numbufs;
	if (b->out < 0) {
		b->out = res;
		b->pos = 0;
	}
	if (b->in == b->out)
		b->in = -1;
	if (b->txdisable &&
	    (b->in < 0 || (policy == DAHDI_POLICY_HALF_FULL && dbuf_full(b) >= b->numbufs / 2)))
		b->txdisable = false;
	return (int)amnt;
}

/* Free the buffer at `out` after sending it. */
static void dbuf_tx_release(struct sim_dbuf *b)
{
	int old = b->out;

	b->n[old] = 0;
	b->pos = 0;
	b->out = (old + 1) % (int)b->numbufs;
	if (b->out == b->in)
		b->out = -1;
	if (b->in < 0)
		b->in = old;
}

unsigned sim_dbuf_tx_pull(struct sim_dbuf *b, uint8_t *out, unsigned len, int policy)
{
	unsigned got = 0;

	if (b->txdisable)
		return 0;
	while (got < len && b->out >= 0) {
		unsigned avail = b->n[b->out] - b->pos, k = len - got < avail ? len - got : avail;

		memcpy(out + got, b->mem + (size_t)b->out * b->bufsize + b->pos, k);
		b->pos += k;
		got += k;
		if (b->pos >= b->n[b->out])
			dbuf_tx_release(b);
	}
	if (b->out < 0 && policy != DAHDI_POLICY_IMMEDIATE)
		b->txdisable = true;
	return got;
}

int sim_dbuf_tx_frame(struct sim_dbuf *b, uint8_t *out, unsigned cap)
{
	unsigned len;

	if (b->out < 0)
		return -1;
	len = b->n[b->out] < cap ? b->n[b->out] : cap;
	memcpy(out, b->mem + (size_t)b->out * b->bufsize, len);
	dbuf_tx_release(b);
	return (int)len;
}

/* The HDLC frame check sequence (ISO/IEC 13239, CRC-16 reflected, init
 * and final XOR 0xffff), sent low byte first. */
uint16_t sim_fcs16(const uint8_t *p, size_t len)
{
	uint16_t fcs = 0xffff;
	size_t i;
	int bit;

	for (i = 0; i < len; i++) {
		fcs ^= p[i];
		for (bit = 0; bit < 8; bit++)
			fcs = (fcs & 1) ? (uint16_t)((fcs >> 1) ^ 0x8408) : (uint16_t)(fcs >> 1);
	}
	return (uint16_t)(fcs ^ 0xffff);
}
