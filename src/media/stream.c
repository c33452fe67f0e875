/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media stream of one call: RTP (RFC 3550) ⇄ jitter buffer ⇄ one TDM
 * channel's G.711 audio (see media.h for the seam and the thread model).
 *
 * To the network (media_stream_tdm_put, every 20 ms):
 *   160 samples in the channel law → A⇄µ table if the negotiated payload
 *   type is the other law → RTP header (seq + 1, ts + 160) → sendto.
 * From the network (socket readable):
 *   parse strictly → symmetric-RTP latch check → payload type →
 *   source check (§A.1) and jitter (§A.8) → jitter buffer.
 * To the channel (media_stream_tdm_get, every 20 ms):
 *   jitter buffer → A⇄µ table → 160 samples.
 * G.711 with matching laws is carried untouched: bit-exact.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"
#include "core/mem.h"
#include "media/g711.h"
#include "media/stream_int.h"

#define SILENCE_ULAW	  0xff
#define SILENCE_ALAW	  0xd5
#define JB_MIN_MS_DEFAULT 40
#define JB_MAX_MS_DEFAULT 200

const struct media_tdm_ops media_stream_tdm_ops = {
    .block = media_stream_tdm_put,
    .fill = media_stream_tdm_get,
};

static enum media_law pt_law(uint8_t pt)
{
	return pt == MEDIA_PT_PCMA ? MEDIA_LAW_ALAW : MEDIA_LAW_ULAW;
}

static void stream_destroy(void *data)
{
	struct media_stream *s = data;

	struct media_stats st;
	media_stream_stats(s, &st);
	LOGI(LC_MEDIA, s->name,
	     "down: tx %llu, rx %llu (lost %d, bad %llu), jb late %llu dup %llu overflow %llu "
	     "lost %llu filled %llu",
	     (unsigned long long)st.tx_packets, (unsigned long long)st.rx_packets, st.rx_lost,
	     (unsigned long long)st.rx_bad, (unsigned long long)st.jb_late,
	     (unsigned long long)st.jb_dup, (unsigned long long)st.jb_overflow,
	     (unsigned long long)st.jb_lost, (unsigned long long)st.jb_filled);
	stream_totals_leave(s, &st);
	if (s->rs && s->rtcp_on && !s->bye_sent)
		stream_rtcp_send(s, true);
	stream_rtcp_stop(s);
	rtp_sock_detach(s->rs);
	mem_deref(s->rs);
	mem_deref(s->loop);
}

bool stream_event(struct media_stream *s, struct media_event_info *info)
{
	if (s->eh && !s->gone)
		s->eh(info, s->arg);
	/* Only the receive path's own reference left: the owner let go. */
	if (mem_nrefs(s) <= 1)
		s->gone = true;
	return !s->gone;
}

/* --- receive ------------------------------------------------------------ */

/* A new SSRC: a restarted or different source.  Start its §A.1 state
 * afresh and drop audio queued from the old one. */
static bool src_switch(struct media_stream *s, const struct rtp_hdr *h)
{
	if (s->have_src) {
		LOGI(LC_MEDIA, s->name, "ssrc %08x replaces %08x", h->ssrc, s->src.ssrc);
		jbuf_reset(&s->jb);
		struct media_event_info info = {.ev = MEDIA_EV_SSRC_CHANGED};
		if (!stream_event(s, &info))
			return false;
	}
	rtp_source_init(&s->src, h->ssrc, h->seq);
	s->have_src = true;
	return true;
}

static void rx_telephone_event(struct media_stream *s, const struct rtp_hdr *h)
{
	struct media_event_info info = {
	    .ev = MEDIA_EV_TELEPHONE_EVENT,
	    .pt = h->pt,
	    .marker = h->marker,
	    .ts = h->ts,
	    .payload = h->payload,
	    .payload_len = h->payload_len,
	};
	stream_event(s, &info);
}

static void rx_audio(struct media_stream *s, const struct rtp_hdr *h)
{
	if ((!s->have_src || h->ssrc != s->src.ssrc) && !src_switch(s, h))
		return;
	/* §A.1: a jump that the next packet does not confirm is dropped;
	 * packets during probation are audio from the only peer we accept,
	 * so they are played even though the RFC does not count them yet. */
	if (!rtp_source_update_seq(&s->src, h->seq) && !s->src.probation)
		return;
	uint64_t now = loop_now(s->loop);
	/* §A.8: arrival in timestamp units (8 kHz: 125 µs). */
	rtp_source_update_jitter(&s->src, h->ts, (uint32_t)(now / 125000));
	s->remote_sent = true;
	s->last_rx_ns = now;
	s->timed_out = false;
	s->st.rx_packets++;
	s->st.rx_octets += h->payload_len;
	/* Not receiving (we answered sendonly or inactive): the peer should
	 * not send; what comes anyway keeps the source state, not the line. */
	if (s->dir == MEDIA_DIR_SENDONLY || s->dir == MEDIA_DIR_INACTIVE)
		return;
	jbuf_put(&s->jb, h->seq, h->payload, h->payload_len);
	if (s->rxh && !s->gone)
		s->rxh(s, s->arg);
}

static void rx_rtp(struct media_stream *s, const uint8_t *buf, size_t len,
		   const struct sockaddr_storage *from)
{
	struct rtp_hdr h;

	if (rtp_hdr_decode(&h, buf, len) || (h.pt != s->pt && (int)h.pt != s->te_pt)) {
		s->st.rx_bad++;
		LOGD(LC_MEDIA, s->name, "dropped a malformed or unexpected rtp packet (%zu bytes)",
		     len);
		return;
	}
	bool was = rtp_sock_latched(s->rs);
	if (!rtp_sock_latch(s->rs, false, from, h.ssrc)) {
		s->st.rx_foreign++;
		return;
	}
	if (!was && rtp_sock_latched(s->rs)) {
		struct media_event_info info = {.ev = MEDIA_EV_LATCHED, .remote = from};
		if (!stream_event(s, &info))
			return;
	}
	if ((int)h.pt == s->te_pt)
		rx_telephone_event(s, &h);
	else
		rx_audio(s, &h);
}

static void stream_recv(bool rtcp, const uint8_t *buf, size_t len,
			const struct sockaddr_storage *from, void *arg)
{
	struct media_stream *s = arg;

	/* An event handler may drop the owner's reference (hang up); ours
	 * keeps the stream whole until this packet is done with. */
	mem_ref(s);
	if (rtcp)
		stream_rtcp_recv(s, buf, len, from);
	else
		rx_rtp(s, buf, len, from);
	mem_deref(s);
}

/* --- the TDM seam --------------------------------------------------------- */

void media_stream_tdm_put(const uint8_t *blk, size_t n, void *arg)
{
	struct media_stream *s = arg;
	uint8_t pkt[RTP_HDR_SIZE + MEDIA_FRAME_SAMPLES];
	struct rtp_hdr h = {
	    .marker = !s->first_sent, /* RFC 3551 §4.1: first packet of a talkspurt */
	    .pt = s->pt,
	    .seq = s->seq,
	    .ts = s->ts,
	    .ssrc = s->ssrc,
	};

	if (n > MEDIA_FRAME_SAMPLES)
		n = MEDIA_FRAME_SAMPLES;
	if (s->dir == MEDIA_DIR_RECVONLY || s->dir == MEDIA_DIR_INACTIVE) {
		/* On hold (RFC 3264 §8.4): nothing sent, no sequence number
		 * used; the timestamp keeps time (RFC 3550 §5.1) so the
		 * resumed audio follows on from the pause. */
		s->ts += (uint32_t)n;
		s->last_tx_ns = loop_now(s->loop);
		return;
	}
	rtp_hdr_encode(&h, pkt, sizeof(pkt), NULL);
	if (s->tx_xlat)
		g711_translate(s->tx_xlat, blk, pkt + RTP_HDR_SIZE, n);
	else
		memcpy(pkt + RTP_HDR_SIZE, blk, n);
	/* §5.1: seq and timestamp advance whether or not the send works. */
	s->seq++;
	s->ts += (uint32_t)n;
	s->last_tx_ns = loop_now(s->loop);
	int err = rtp_sock_send(s->rs, false, pkt, RTP_HDR_SIZE + n);
	if (err) {
		if (s->st.tx_errors++ == 0 && err != ENOTCONN)
			LOGW(LC_MEDIA, s->name, "rtp send failed: %s", strerror(err));
		return;
	}
	s->first_sent = true;
	s->we_sent = true;
	s->st.tx_packets++;
	s->st.tx_octets += n;
}

void media_stream_tdm_get(uint8_t *blk, size_t n, void *arg)
{
	struct media_stream *s = arg;

	if (n > MEDIA_FRAME_SAMPLES) {
		memset(blk + MEDIA_FRAME_SAMPLES, s->jb.silence, n - MEDIA_FRAME_SAMPLES);
		n = MEDIA_FRAME_SAMPLES;
	}
	jbuf_get(&s->jb, blk, n);
	if (s->rx_xlat)
		g711_translate(s->rx_xlat, blk, blk, n);
}

/* --- life ------------------------------------------------------------------ */

static int prm_check(const struct media_stream_prm *prm)
{
	if (!prm || !prm->local)
		return EINVAL;
	if (prm->pt != MEDIA_PT_PCMU && prm->pt != MEDIA_PT_PCMA)
		return ENOTSUP; /* other codecs: the Media issue */
	if (prm->jb_max_ms && prm->jb_max_ms < prm->jb_min_ms)
		return EINVAL;
	return 0;
}

/* The payload type's tables and a fresh jitter buffer (at alloc, and when
 * a re-INVITE switches the law). */
static void stream_setup_codec(struct media_stream *s, uint8_t pt, int te_pt)
{
	enum media_law rtp_law = pt_law(pt);
	struct jbuf_prm jp = {
	    .min_frames = s->jb_min_ms / MEDIA_PTIME_MS,
	    .max_frames = s->jb_max_ms / MEDIA_PTIME_MS,
	    .silence = s->tdm_law == MEDIA_LAW_ALAW ? SILENCE_ALAW : SILENCE_ULAW,
	};

	s->pt = pt;
	/* RFC 4733 events use a dynamic PT (RFC 3551 §3: 96-127); anything
	 * else, a zeroed field included, means none was negotiated. */
	s->te_pt = te_pt >= 96 && te_pt <= 127 ? te_pt : -1;
	s->tx_xlat = s->rx_xlat = NULL;
	if (rtp_law != s->tdm_law) {
		bool tdm_a = s->tdm_law == MEDIA_LAW_ALAW;
		s->tx_xlat = tdm_a ? g711_alaw_to_ulaw : g711_ulaw_to_alaw;
		s->rx_xlat = tdm_a ? g711_ulaw_to_alaw : g711_alaw_to_ulaw;
		/* The buffer holds RTP-law bytes: its silence is that law's. */
		jp.silence = tdm_a ? SILENCE_ULAW : SILENCE_ALAW;
	}
	jbuf_init(&s->jb, &jp);
}

/* SSRC, initial seq and timestamp are random (§5.1, §8.1); a seed makes
 * them, and the RTCP timing, repeatable for tests. */
static void stream_seed(struct media_stream *s, uint64_t seed)
{
	if (!seed && getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = loop_now(s->loop) ^ (uintptr_t)s;
	s->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	s->ssrc = (uint32_t)stream_rand(s);
	s->seq = (uint16_t)stream_rand(s);
	s->ts = (uint32_t)stream_rand(s);
	snprintf(s->cname, sizeof(s->cname), "%016llx@strowger",
		 (unsigned long long)stream_rand(s));
	s->st.ssrc = s->ssrc;
}

static void stream_name(struct media_stream *s, const char *name)
{
	if (name)
		snprintf(s->name, sizeof(s->name), "media %s", name);
	else
		snprintf(s->name, sizeof(s->name), "%s", rtp_sock_name(s->rs));
}

int media_stream_alloc(struct media_stream **sp, struct loop *loop,
		       const struct media_stream_prm *prm)
{
	int err = prm_check(prm);
	if (err || !sp || !loop)
		return err ? err : EINVAL;
	struct media_stream *s = mem_zalloc(sizeof(*s), stream_destroy);
	if (!s)
		return ENOMEM;
	s->loop = mem_ref(loop);
	s->eh = prm->eh;
	s->rxh = prm->rxh;
	s->arg = prm->arg;
	s->rtcp_on = !prm->no_rtcp;
	s->rx_timeout_ns = (uint64_t)prm->rx_timeout_ms * NS_PER_MS;
	s->st.rtt_ms = -1;
	loop_timer_init(&s->rtcp_timer);
	s->tdm_law = prm->tdm_law;
	s->jb_min_ms = prm->jb_max_ms ? prm->jb_min_ms : JB_MIN_MS_DEFAULT;
	s->jb_max_ms = prm->jb_max_ms ? prm->jb_max_ms : JB_MAX_MS_DEFAULT;
	stream_setup_codec(s, prm->pt, prm->te_pt);
	stream_seed(s, prm->seed);
	struct rtp_sock_prm sp_prm = {
	    .local = prm->local,
	    .local_len = prm->local_len,
	    .port_min = prm->port_min,
	    .port_max = prm->port_max,
	    .latch = (enum rtp_latch)prm->latch,
	};
	err = rtp_sock_alloc(&s->rs, loop, &sp_prm, stream_recv, s);
	if (!err && prm->remote)
		err = rtp_sock_set_remote(s->rs, prm->remote, prm->remote_len);
	if (err) {
		s->rtcp_on = false;
		mem_deref(s);
		return err;
	}
	stream_name(s, prm->name);
	stream_rtcp_start(s);
	stream_totals_join(s, prm->totals);
	LOGI(LC_MEDIA, s->name, "up: pt %u, tdm %s-law, ssrc %08x", s->pt,
	     prm->tdm_law == MEDIA_LAW_ALAW ? "A" : "u", s->ssrc);
	*sp = s;
	return 0;
}

const struct sockaddr_storage *media_stream_local(const struct media_stream *s)
{
	return rtp_sock_local(s->rs);
}

const char *media_stream_name(const struct media_stream *s)
{
	return s->name;
}

int media_stream_set_remote(struct media_stream *s, const struct sockaddr *sa, socklen_t len)
{
	if (!s)
		return EINVAL;
	return rtp_sock_set_remote(s->rs, sa, len);
}

void media_stream_set_dir(struct media_stream *s, enum media_dir dir)
{
	static const char *const names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

	if (!s || s->dir == dir || (unsigned)dir > MEDIA_DIR_INACTIVE)
		return;
	LOGI(LC_MEDIA, s->name, "direction %s (was %s)", names[dir], names[s->dir]);
	s->dir = dir;
	if (dir == MEDIA_DIR_RECVONLY || dir == MEDIA_DIR_INACTIVE)
		s->first_sent = false; /* the resume's first packet: marker */
	else if (dir == MEDIA_DIR_SENDONLY)
		jbuf_reset(&s->jb); /* nothing more to play */
}

enum media_dir media_stream_dir(const struct media_stream *s)
{
	return s->dir;
}

int media_stream_set_codec(struct media_stream *s, uint8_t pt, int te_pt)
{
	if (!s)
		return EINVAL;
	if (pt != MEDIA_PT_PCMU && pt != MEDIA_PT_PCMA)
		return ENOTSUP;
	if (pt == s->pt) {
		s->te_pt = te_pt >= 96 && te_pt <= 127 ? te_pt : -1;
		return 0;
	}
	/* Keep the old buffer's counters: they are the call's. */
	struct jbuf_stats js = *jbuf_stats(&s->jb);
	LOGI(LC_MEDIA, s->name, "payload type %u (was %u)", pt, s->pt);
	stream_setup_codec(s, pt, te_pt);
	s->jb.st = js;
	return 0;
}

void media_stream_stats(const struct media_stream *s, struct media_stats *st)
{
	const struct jbuf_stats *js = jbuf_stats(&s->jb);

	*st = s->st;
	st->rx_lost = s->have_src ? rtp_source_lost(&s->src) : 0;
	/* §A.8 jitter is in timestamp units (1/8000 s), scaled by 16. */
	st->jitter_ms = s->have_src ? (double)s->src.jitter / 16.0 / 8.0 : 0;
	st->jb_late = js->late;
	st->jb_dup = js->dup;
	st->jb_overflow = js->overflow;
	st->jb_lost = js->lost;
	st->jb_filled = js->filled;
	st->jb_underrun = js->underrun;
	st->jb_resync = js->resync;
	st->jb_target_grow = js->target_grow;
	st->jb_depth_ms = jbuf_depth(&s->jb) * MEDIA_PTIME_MS;
	st->rx_bad += js->bad;
	st->remote_ssrc = s->have_src ? s->src.ssrc : 0;
}
