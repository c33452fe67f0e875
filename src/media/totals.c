/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Media totals: the gateway's counters summed over all its RTP streams,
 * ended and alive (see media.h).  The packet paths are untouched: a live
 * stream's own counters are read when the totals are asked for, and a
 * stream being freed adds its final counters to an accumulator.  So the
 * cost is a list link per stream and a walk per read (an operator's
 * `strowger-ctl counters`), never a cost per packet.  Everything happens
 * on the one loop the streams live on, hence no lock and no atomic.
 */
#include <errno.h>

#include "core/list.h"
#include "core/mem.h"
#include "media/stream_int.h"

struct media_totals {
	struct le live;		/* media_stream.totals_le */
	struct media_sums done; /* the freed streams' counters */
};

int media_totals_alloc(struct media_totals **tp)
{
	if (!tp)
		return EINVAL;
	/* Nothing to free: each live stream holds a reference, so the list
	 * is empty by the time the last one goes. */
	struct media_totals *t = mem_zalloc(sizeof(*t), NULL);
	if (!t)
		return ENOMEM;
	list_init(&t->live);
	*tp = t;
	return 0;
}

static void sums_add(struct media_sums *sum, const struct media_stats *st)
{
	sum->rx_packets += st->rx_packets;
	sum->tx_packets += st->tx_packets;
	sum->rx_bad += st->rx_bad;
	sum->jb_late += st->jb_late;
	sum->jb_lost += st->jb_lost;
	sum->jb_underrun += st->jb_underrun;
	sum->jb_overflow += st->jb_overflow;
	sum->jb_resync += st->jb_resync;
	sum->jb_filled += st->jb_filled;
	sum->jb_dup += st->jb_dup;
	sum->jb_target_grow += st->jb_target_grow;
}

void media_totals_get(const struct media_totals *t, struct media_sums *sum)
{
	*sum = t->done;
	struct le *e;
	list_for_each(&t->live, e) {
		struct media_stats st;
		media_stream_stats(container_of(e, struct media_stream, totals_le), &st);
		sums_add(sum, &st);
		sum->streams_now++;
	}
	sum->streams += sum->streams_now;
}

void stream_totals_join(struct media_stream *s, struct media_totals *t)
{
	if (!t)
		return;
	s->totals = mem_ref(t);
	list_append(&t->live, &s->totals_le);
}

void stream_totals_leave(struct media_stream *s, const struct media_stats *final)
{
	struct media_totals *t = s->totals;
	if (!t)
		return;
	list_unlink(&s->totals_le);
	sums_add(&t->done, final);
	t->done.streams++;
	s->totals = mem_deref(t);
}
