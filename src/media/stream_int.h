/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media stream's insides, shared by stream.c (RTP and the TDM seam)
 * and stream_rtcp.c (reports).  Private to src/media.
 */
#ifndef STROWGER_MEDIA_STREAM_INT_H
#define STROWGER_MEDIA_STREAM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/loop.h"
#include "media/jbuf.h"
#include "media/media.h"
#include "media/rtp.h"

/* Ordered by use, not by topic: the fields every packet sent or
 * received reads come first, so they share a few cache lines with the
 * allocation's header and the jitter buffer's own state (media_stream_tdm_*
 * and the receive path run once per call every 20 ms, each time on a
 * stream the other calls have pushed out of the cache). */
struct media_stream {
	/* every packet */
	struct loop *loop;
	struct rtp_sock *rs;
	media_event_h *eh;
	media_rx_h *rxh;
	void *arg;
	const uint8_t *tx_xlat; /* TDM law → RTP law; NULL if the same */
	const uint8_t *rx_xlat; /* RTP law → TDM law */
	uint64_t last_tx_ns;	/* loop time of the last packet sent */
	uint64_t last_rx_ns;	/* loop time of the last audio packet (or start) */

	/* sending (RFC 3550 §5.1) */
	uint32_t ssrc;
	uint32_t ts; /* timestamp of the next packet */
	uint16_t seq;
	uint8_t pt;
	bool first_sent;
	bool we_sent;	  /* sent RTP since the last report */
	bool remote_sent; /* received RTP since the last report */
	bool timed_out;	  /* MEDIA_EV_TIMEOUT reported, no audio since */
	bool gone;	  /* the owner dropped its reference during an event */
	int te_pt;
	enum media_dir dir;

	/* receiving */
	bool have_src;
	struct rtp_source src;
	struct media_stats st;
	struct jbuf jb; /* its state first, then its frames */

	/* the rest: set up, RTCP (stream_rtcp.c), counters' bookkeeping */
	char name[64];
	enum media_law tdm_law;
	unsigned jb_min_ms, jb_max_ms;
	bool rtcp_on;
	uint64_t rx_timeout_ns;
	bool bye_sent;
	struct loop_timer rtcp_timer;
	double avg_rtcp_size; /* §6.3.3, octets with UDP/IP headers */
	uint32_t lsr;	      /* middle of the peer's last SR NTP time */
	uint64_t lsr_at;      /* when it arrived (loop ns) */
	uint64_t rng;
	char cname[32];
	struct media_totals *totals; /* counted into; NULL: none (totals.c) */
	struct le totals_le;
};

/* stream_rtcp.c */
void stream_rtcp_start(struct media_stream *s);
void stream_rtcp_stop(struct media_stream *s);
void stream_rtcp_recv(struct media_stream *s, const uint8_t *buf, size_t len,
		      const struct sockaddr_storage *from);
void stream_rtcp_send(struct media_stream *s, bool bye);
uint64_t stream_rand(struct media_stream *s);
/* Tell the owner; false if it has let go of the stream meanwhile (then
 * nothing more is reported and the caller should stop). */
bool stream_event(struct media_stream *s, struct media_event_info *info);
/* totals.c: count the stream into `t` (NULL: nowhere) / fold its final
 * counters in and leave. */
void stream_totals_join(struct media_stream *s, struct media_totals *t);
void stream_totals_leave(struct media_stream *s, const struct media_stats *final);

#endif
