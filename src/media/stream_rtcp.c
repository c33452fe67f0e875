/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTCP for a media stream (RFC 3550 §6): a compound SR or RR with one
 * report block about the peer and our SDES CNAME, every ~5 s (§6.3.1,
 * randomized from the stream's seed so virtual-time tests repeat), and
 * BYE (§6.6) when the stream ends.  Received reports give the peer's SR
 * time (for our LSR/DLSR) and the round-trip time (§6.4.1).
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "media/rtcp.h"
#include "media/stream_int.h"

#define UDP_IP_OVERHEAD 28
/* §6.2: RTCP gets 5% of the session bandwidth; G.711 at 20 ms is
 * (160 + 12 + 8 + 20) bytes x 50/s = 10,000 octets/s with headers. */
#define SESSION_BW 10000.0
#define RTCP_BW	   (SESSION_BW * 0.05)

/* xorshift64*: cheap, and deterministic for a given seed. */
uint64_t stream_rand(struct media_stream *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dull;
}

static double rand_unit(struct media_stream *s)
{
	return (double)(stream_rand(s) >> 11) / (double)(1ull << 53);
}

static void rtcp_timeout(void *arg);

static void rtcp_schedule(struct media_stream *s, bool initial)
{
	struct rtcp_ival_prm p = {
	    .members = s->have_src ? 2 : 1,
	    .senders = (unsigned)s->we_sent + (unsigned)s->remote_sent,
	    .rtcp_bw = RTCP_BW,
	    .avg_rtcp_size = s->avg_rtcp_size,
	    .we_sent = s->we_sent,
	    .initial = initial,
	};
	loop_timer_start(s->loop, &s->rtcp_timer, rtcp_interval(&p, rand_unit(s)), rtcp_timeout, s);
}

/* The periodic timer also watches for a silent peer, so it runs when
 * RTCP is off but a timeout is set. */
void stream_rtcp_start(struct media_stream *s)
{
	s->last_rx_ns = loop_now(s->loop);
	if (!s->rtcp_on && !s->rx_timeout_ns)
		return;
	s->avg_rtcp_size = 100; /* a guess until we have sent one (§6.3.2) */
	rtcp_schedule(s, true);
}

void stream_rtcp_stop(struct media_stream *s)
{
	if (s->loop)
		loop_timer_cancel(s->loop, &s->rtcp_timer);
}

/* Our report block about the peer (§6.4.1). */
static unsigned rtcp_block(struct media_stream *s, struct rtcp_rb *rb)
{
	if (!s->have_src || s->src.received == 0)
		return 0;
	rb->ssrc = s->src.ssrc;
	rb->fraction = rtp_source_fraction(&s->src);
	rb->lost = rtp_source_lost(&s->src);
	rb->ext_max = rtp_source_ext_max(&s->src);
	rb->jitter = s->src.jitter >> 4;
	rb->lsr = s->lsr;
	rb->dlsr = 0;
	if (s->lsr) {
		/* DLSR in 1/65536 s. */
		uint64_t d = loop_now(s->loop) - s->lsr_at;
		rb->dlsr = (uint32_t)(d * 65536 / 1000000000ull);
	}
	return 1;
}

/* The sender info: the RTP timestamp that corresponds to "now" (§6.4.1). */
static void rtcp_sender_info(struct media_stream *s, struct rtcp_sr *sr)
{
	uint64_t now = loop_now(s->loop);

	sr->ntp = rtcp_ntp_from_ns(clk_wall(loop_clock(s->loop)));
	sr->rtp_ts = s->ts - MEDIA_FRAME_SAMPLES + (uint32_t)((now - s->last_tx_ns) / 125000);
	sr->pkt_count = (uint32_t)s->st.tx_packets;
	sr->oct_count = (uint32_t)s->st.tx_octets;
}

void stream_rtcp_send(struct media_stream *s, bool bye)
{
	uint8_t buf[256];
	size_t off = 0;
	struct rtcp_rb rb;
	struct rtcp_sr sr;
	unsigned nrb = rtcp_block(s, &rb);

	if (s->we_sent)
		rtcp_sender_info(s, &sr);
	int err =
	    rtcp_encode_report(buf, sizeof(buf), &off, s->ssrc, s->we_sent ? &sr : NULL, &rb, nrb);
	if (!err)
		err = rtcp_encode_sdes_cname(buf, sizeof(buf), &off, s->ssrc, s->cname);
	if (!err && bye)
		err = rtcp_encode_bye(buf, sizeof(buf), &off, s->ssrc, NULL);
	if (!err)
		err = rtp_sock_send(s->rs, true, buf, off);
	if (bye)
		s->bye_sent = true;
	s->we_sent = false;
	s->remote_sent = false;
	if (err)
		return;
	s->st.rtcp_tx++;
	s->avg_rtcp_size += ((double)(off + UDP_IP_OVERHEAD) - s->avg_rtcp_size) / 16;
}

static void rx_timeout_check(struct media_stream *s)
{
	/* A peer we asked not to send (inactive, or our sendonly) is quiet
	 * by agreement, not lost (RFC 3264 §8.4). */
	if (s->dir == MEDIA_DIR_SENDONLY || s->dir == MEDIA_DIR_INACTIVE)
		s->last_rx_ns = loop_now(s->loop);
	if (!s->rx_timeout_ns || s->timed_out ||
	    loop_now(s->loop) - s->last_rx_ns < s->rx_timeout_ns)
		return;
	s->timed_out = true;
	LOGN(LC_MEDIA, s->name, "no rtp for %llu ms",
	     (unsigned long long)((loop_now(s->loop) - s->last_rx_ns) / NS_PER_MS));
	struct media_event_info info = {.ev = MEDIA_EV_TIMEOUT};
	stream_event(s, &info);
}

static void rtcp_timeout(void *arg)
{
	struct media_stream *s = mem_ref(arg); /* the event may drop the owner's */

	if (s->rtcp_on && !s->bye_sent)
		stream_rtcp_send(s, false);
	rtcp_schedule(s, false);
	rx_timeout_check(s);
	mem_deref(s);
}

void media_stream_bye(struct media_stream *s)
{
	if (!s || !s->rtcp_on || s->bye_sent)
		return;
	stream_rtcp_send(s, true);
	loop_timer_cancel(s->loop, &s->rtcp_timer);
}

/* A report block about us: round trip = arrival - LSR - DLSR (§6.4.1). */
static void rtcp_rtt(struct media_stream *s, const struct rtcp_rb *rb)
{
	if (rb->ssrc != s->ssrc || rb->lsr == 0)
		return;
	uint64_t ntp = rtcp_ntp_from_ns(clk_wall(loop_clock(s->loop)));
	uint32_t rtt = rtcp_ntp_mid(ntp) - rb->lsr - rb->dlsr;
	if (rtt < 0x80000000u)
		s->st.rtt_ms = (double)rtt * 1000.0 / 65536.0;
}

static void rtcp_msg(const struct rtcp_msg *m, void *arg)
{
	struct media_stream *s = arg;

	switch (m->pt) {
	case RTCP_SR:
		s->lsr = rtcp_ntp_mid(m->sr.ntp);
		s->lsr_at = loop_now(s->loop);
		/* fall through */
	case RTCP_RR:
		for (unsigned i = 0; i < m->count; i++)
			rtcp_rtt(s, &m->rb[i]);
		break;
	case RTCP_BYE: {
		LOGI(LC_MEDIA, s->name, "rtcp bye from %08x", m->ssrc);
		struct media_event_info info = {.ev = MEDIA_EV_BYE};
		stream_event(s, &info);
		break;
	}
	default:
		break;
	}
}

void stream_rtcp_recv(struct media_stream *s, const uint8_t *buf, size_t len,
		      const struct sockaddr_storage *from)
{
	if (rtcp_decode(buf, len, NULL, NULL)) {
		s->st.rtcp_bad++;
		LOGD(LC_MEDIA, s->name, "dropped a malformed rtcp packet (%zu bytes)", len);
		return;
	}
	/* A valid compound starts with an SR or RR of at least 8 bytes. */
	uint32_t ssrc =
	    (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
	if (!rtp_sock_latch(s->rs, true, from, ssrc)) {
		s->st.rx_foreign++;
		return;
	}
	s->st.rtcp_rx++;
	s->avg_rtcp_size += ((double)(len + UDP_IP_OVERHEAD) - s->avg_rtcp_size) / 16;
	rtcp_decode(buf, len, rtcp_msg, s);
}
