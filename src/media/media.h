/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media path of one call: an RTP session (RFC 3550, PCMU/PCMA per RFC
 * 3551) joined to one TDM channel's audio.  The public face of src/media
 * for the call layer.
 *
 *     TDM channel                 media_stream                    SIP peer
 *   (law A or µ)                                                (PT 0 or 8)
 *   block of 160 ──► put ──► [A⇄µ table if laws differ] ──► RTP ──► UDP
 *   block of 160 ◄── get ◄── [A⇄µ table] ◄── jbuf ◄── seq check ◄── UDP
 *                                       RTCP SR/RR/SDES/BYE every ~5 s
 *
 * The TDM seam.  A stream never calls a driver and includes no driver
 * header: the channel's own clock paces it.  Every 20 ms the code that owns
 * the channel calls media_stream_tdm_put() with the 160 samples it read and
 * media_stream_tdm_get() for the 160 samples to write, both in the
 * channel's law.  The two have the signatures of media_tdm_block_h and
 * media_tdm_fill_h so a driver adapter can register them (with the stream
 * as arg) as its "block arrived" / "next block please" callbacks.  With
 * drivers/tdm.h's push model the adapter (call layer) is, in the
 * channel's tdm_audio_h: put(data), get(out), tdm_chan_write(out).  Blocks
 * are MEDIA_FRAME_SAMPLES law bytes (open the channel with block 160, not
 * linear).
 *
 * Toward the call layer: media_stream_alloc() with the local address and
 * port range, the channel law, and what SDP negotiated (payload type,
 * telephone-event PT, remote address); media_stream_local() gives the
 * address for the SDP offer/answer; media_stream_set_remote(),
 * media_stream_set_dir() (hold) and media_stream_set_codec() (PCMA ⇄
 * PCMU) follow a re-INVITE in place, on the same sockets; events (latched, telephone-event, BYE, timeout) come back
 * through media_event_h; media_stream_stats() feeds CDRs and metrics, and
 * media_totals (below) sums them over all of the gateway's streams.
 *
 * Threads (intended shape; one loop for now).  A stream has no global
 * mutable state except an atomic port cursor: it lives entirely on the
 * struct loop it was created on, and every call into it must be made on
 * that loop's thread.  To shard, the gateway will run N media workers,
 * each a thread with its own loop, and place each call's stream (and its
 * TDM channel's audio fd) on one worker.  The call layer, on the signalling
 * thread, never touches a stream directly: it posts commands (create, set
 * remote, destroy) to the worker's mailbox (media_mbox: a short
 * mutex-guarded queue plus an eventfd watched by the worker's loop) and
 * gets media_event_h events back through a mailbox on its own loop.  No
 * lock is held across a call, so none crosses the layer.  media_worker
 * is that thread (built, tested; not yet used by the call layer);
 * media_worker_run() is its main loop, polling on a 0.25 ms tick rather
 * than waking for every packet.  The only per-thread state, a receive
 * counter, is thread-local.
 *
 * Events are delivered from inside the stream's receive or timer path; a
 * handler may drop the owner's reference (hang up) there: the stream
 * finishes the packet on its own reference and reports nothing more.
 *
 * What comes later (the Media issue): other codecs through SpanDSP, DTMF
 * (RFC 4733 events are only passed up here), PLC, SRTP, T.38.  The stream
 * keeps one place for each: payload conversion sits between jbuf and
 * put/get, SRTP would wrap rtp_sock_send and the receive handler.
 */
#ifndef STROWGER_MEDIA_MEDIA_H
#define STROWGER_MEDIA_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct media_stream;

/* G.711 payload types (RFC 3551 §6, static). */
#define MEDIA_PT_PCMU 0
#define MEDIA_PT_PCMA 8
/* 20 ms at 8 kHz: one TDM block, one RTP packet. */
#define MEDIA_FRAME_SAMPLES 160
#define MEDIA_PTIME_MS	    20

enum media_law { MEDIA_LAW_ULAW, MEDIA_LAW_ALAW };

/* The TDM seam (see above).  `n` is MEDIA_FRAME_SAMPLES. */
typedef void(media_tdm_block_h)(const uint8_t *blk, size_t n, void *arg);
typedef void(media_tdm_fill_h)(uint8_t *blk, size_t n, void *arg);
struct media_tdm_ops {
	media_tdm_block_h *block; /* 160 samples read from the channel */
	media_tdm_fill_h *fill;	  /* 160 samples to write to it */
};
/* {media_stream_tdm_put, media_stream_tdm_get}, for arg = the stream. */
extern const struct media_tdm_ops media_stream_tdm_ops;

enum media_event {
	MEDIA_EV_LATCHED,	  /* symmetric RTP: remote address learned */
	MEDIA_EV_TELEPHONE_EVENT, /* RFC 4733 payload (decoded by the Media issue) */
	MEDIA_EV_BYE,		  /* the peer sent RTCP BYE */
	MEDIA_EV_SSRC_CHANGED,	  /* the peer's source restarted */
	MEDIA_EV_TIMEOUT,	  /* no audio for rx_timeout_ms (checked every ~5 s) */
};

struct media_event_info {
	enum media_event ev;
	uint8_t pt;
	bool marker;
	uint32_t ts;
	const uint8_t *payload; /* TELEPHONE_EVENT: valid during the call */
	size_t payload_len;
	const struct sockaddr_storage *remote; /* LATCHED */
};

typedef void(media_event_h)(const struct media_event_info *info, void *arg);
/* Called after each accepted audio packet was queued; for a TDM side with
 * no clock of its own (the benchmark's in-memory loopback). */
typedef void(media_rx_h)(struct media_stream *s, void *arg);

enum media_latch { MEDIA_LATCH_OFF, MEDIA_LATCH_ONCE, MEDIA_LATCH_FOLLOW };

/* Which way RTP flows, from our side (RFC 3264 §5.1, §6.1: our answer's
 * direction attribute).  Without send, no RTP leaves (a hold, §8.4) but
 * the timestamp keeps the channel's pace and RTCP goes on (RFC 3550 §6:
 * receiver reports, and §6.3.5 keeps the session alive); without recv,
 * audio that still arrives is dropped before the jitter buffer. */
enum media_dir { MEDIA_DIR_SENDRECV, MEDIA_DIR_SENDONLY, MEDIA_DIR_RECVONLY, MEDIA_DIR_INACTIVE };

struct media_stream_prm {
	const char *name;	      /* for logs, e.g. "call 17"; NULL: the RTP address */
	const struct sockaddr *local; /* bind address (port ignored) */
	socklen_t local_len;
	uint16_t port_min, port_max; /* even RTP ports; 0,0: ephemeral */
	enum media_law tdm_law;
	uint8_t pt;		       /* MEDIA_PT_PCMU or MEDIA_PT_PCMA, from SDP */
	int te_pt;		       /* telephone-event PT (96..127); other: none */
	const struct sockaddr *remote; /* from SDP; may be NULL until known */
	socklen_t remote_len;
	enum media_latch latch;
	unsigned jb_min_ms, jb_max_ms; /* 0,0: 40 and 200 */
	bool no_rtcp;
	unsigned rx_timeout_ms; /* 0: never report MEDIA_EV_TIMEOUT */
	uint64_t seed;		/* SSRC, initial seq/ts and RTCP jitter; 0: random */
	struct media_totals *totals; /* counted into these (same loop); NULL: none */
	media_event_h *eh;
	media_rx_h *rxh;
	void *arg;
};

struct media_stats {
	uint64_t tx_packets, tx_octets, tx_errors;
	uint64_t rx_packets, rx_octets;
	uint64_t rx_bad;     /* failed to parse, or wrong PT/size */
	uint64_t rx_foreign; /* from an address other than the latched one */
	int32_t rx_lost;     /* §6.4.1 cumulative */
	double jitter_ms;    /* §A.8 */
	uint64_t jb_late, jb_dup, jb_overflow, jb_lost, jb_filled;
	uint64_t jb_underrun, jb_resync, jb_target_grow;
	unsigned jb_depth_ms;
	uint64_t rtcp_tx, rtcp_rx, rtcp_bad;
	double rtt_ms; /* from the peer's reports (§6.4.1 LSR/DLSR); <0: none */
	uint32_t ssrc, remote_ssrc;
};

/* A mem object: binds its sockets on prm->local and starts RTCP.
 * EADDRINUSE when the port range is exhausted. */
int media_stream_alloc(struct media_stream **sp, struct loop *loop,
		       const struct media_stream_prm *prm);
/* The bound RTP address (for SDP). */
const struct sockaddr_storage *media_stream_local(const struct media_stream *s);
/* New remote from SDP (re-INVITE); clears the latch. */
int media_stream_set_remote(struct media_stream *s, const struct sockaddr *sa, socklen_t len);
/* Set the direction (see enum media_dir); the stream starts sendrecv.
 * The first packet after a resume carries the marker bit (RFC 3551 §4.1). */
void media_stream_set_dir(struct media_stream *s, enum media_dir dir);
enum media_dir media_stream_dir(const struct media_stream *s);
/* Switch the payload type (a re-INVITE that moves PCMA ⇄ PCMU, RFC 3264
 * §8.3.2) on the same sockets, SSRC and sequence (RFC 3550 §5.1 lets the
 * PT change within a source): the translation tables follow and the
 * jitter buffer starts again with the new law's silence.  ENOTSUP for a
 * payload type other than PCMU/PCMA: the stream is unchanged. */
int media_stream_set_codec(struct media_stream *s, uint8_t pt, int te_pt);
/* Send RTCP BYE now (§6.6); also done when the stream is freed. */
void media_stream_bye(struct media_stream *s);
void media_stream_stats(const struct media_stream *s, struct media_stats *st);
const char *media_stream_name(const struct media_stream *s);

/* Totals over many streams, for the gateway's counters: each stream made
 * with prm->totals adds its counters while it lives (summed when asked)
 * and folds them in when it is freed, so the totals cover streams ended
 * and alive at no cost per packet.  Same thread rule as a stream: the
 * totals, every stream counted into them and media_totals_get() share one
 * loop; with media workers, one totals per worker, read by a call posted
 * to it.  A mem object; each stream holds a reference. */
struct media_totals;
struct media_sums {
	uint64_t streams;     /* made */
	unsigned streams_now; /* alive */
	uint64_t rx_packets, tx_packets;
	uint64_t rx_bad; /* media_stats.rx_bad: unparsable, wrong PT or size */
	uint64_t jb_late, jb_lost, jb_underrun, jb_overflow, jb_resync, jb_filled, jb_dup;
	uint64_t jb_target_grow;
};
int media_totals_alloc(struct media_totals **tp);
void media_totals_get(const struct media_totals *t, struct media_sums *sum);

/* Mailbox: a call posted from any thread runs on `loop`'s thread, in
 * the order posted.  For stream events going back to signalling, and
 * under media workers.  A mem object; calls still queued when it is freed
 * are dropped. */
struct media_mbox;
typedef void(media_mbox_h)(void *arg);
int media_mbox_alloc(struct media_mbox **mbp, struct loop *loop);
/* Thread-safe.  0, or ENOMEM. */
int media_mbox_post(struct media_mbox *mb, media_mbox_h *h, void *arg);

/* A media worker: a thread running its own real-clock loop through
 * media_worker_run().  Streams are created, used and freed on it by
 * posting calls (media_worker_post); media_worker_loop() is the loop to
 * give media_stream_alloc() from such a call.  A mem object: freeing it
 * (from another thread, after its streams) stops and joins the thread. */
struct media_worker;
/* The default poll tick: measured here, 0.2-0.3 ms keeps the added p99
 * under 1 ms for a few percent more CPU than 0.5 ms. */
#define MEDIA_WORKER_TICK_NS (250 * 1000ull)
struct media_worker_prm {
	uint64_t tick_ns; /* poll tick (0: wake per packet) */
	int cpu;	  /* pin to this CPU, or -1 */
};
int media_worker_alloc(struct media_worker **wp, const struct media_worker_prm *prm);
struct loop *media_worker_loop(const struct media_worker *w);
int media_worker_post(struct media_worker *w, media_mbox_h *h, void *arg);

/* Run a media worker's loop until loop_stop(): on a real clock it polls
 * every `tick_ns` (e.g. 500 µs) instead of waking for each packet (see
 * worker.c); on a virtual clock, or with tick 0, it is loop_run(). */
int media_worker_run(struct loop *loop, uint64_t tick_ns);

/* The TDM seam: `arg` is the stream.  put: encode/translate and send one
 * RTP packet; get: the next block from the jitter buffer, translated. */
void media_stream_tdm_put(const uint8_t *blk, size_t n, void *arg);
void media_stream_tdm_get(uint8_t *blk, size_t n, void *arg);

#endif
