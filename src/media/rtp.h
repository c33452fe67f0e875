/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTP (RFC 3550), private to src/media: the fixed header and its strict
 * parser, the receive-side source state (sequence validation §A.1,
 * interarrival jitter §A.8), and the RTP/RTCP socket pair with symmetric
 * RTP (RFC 4961) latching.
 *
 * The header and source code do no I/O and take time as an argument, so
 * they are tested by feeding bytes; only rtp_sock touches the kernel.
 */
#ifndef STROWGER_MEDIA_RTP_H
#define STROWGER_MEDIA_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "media/media.h"

struct loop;

#define RTP_VERSION  2
#define RTP_HDR_SIZE 12
#define RTP_MAX_CSRC 15
/* Largest datagram we read; anything longer is truncated and dropped. */
#define RTP_MAX_DGRAM 1500

/* A parsed header.  The payload is a view into the caller's buffer. */
struct rtp_hdr {
	bool pad;
	bool ext;
	bool marker;
	uint8_t cc;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint32_t csrc[RTP_MAX_CSRC];
	uint16_t ext_profile; /* §5.3.1: "defined by profile" field */
	size_t ext_len;	      /* extension data bytes (after its 4-byte head) */
	const uint8_t *payload;
	size_t payload_len;
};

/* Parse `len` bytes.  Returns 0, EPROTONOSUPPORT for a version other than
 * 2, or EBADMSG when a length (CSRC list, extension, padding) does not fit
 * the datagram.  Never reads outside [buf, buf+len). */
int rtp_hdr_decode(struct rtp_hdr *h, const uint8_t *buf, size_t len);
/* Write the fixed header plus CSRCs (no extension, no padding) into `buf`
 * of `size` bytes; the size written goes to *lenp.  ENOSPC if short. */
int rtp_hdr_encode(const struct rtp_hdr *h, uint8_t *buf, size_t size, size_t *lenp);

/* Receive-side state of one source: RFC 3550 §A.1 and §A.8. */
struct rtp_source {
	uint32_t ssrc;
	uint16_t max_seq; /* highest seq seen */
	uint32_t cycles;  /* seq wraps, shifted left 16 */
	uint32_t base_seq;
	uint32_t bad_seq;   /* last 'bad' seq + 1 */
	uint32_t probation; /* sequential packets still needed */
	uint32_t received;
	uint32_t expected_prior;
	uint32_t received_prior;
	uint32_t transit; /* relative transit time of the previous packet */
	uint32_t jitter;  /* §A.8 estimate, scaled by 16 */
	bool have_transit;
};

/* §A.1: packets needed in sequence before a source is valid. */
#define RTP_MIN_SEQUENTIAL 2

void rtp_source_init(struct rtp_source *s, uint32_t ssrc, uint16_t seq);
/* Feed a packet's seq; true if it is valid (counted), false if it must
 * be dropped (probation, or a jump that is not yet confirmed). */
bool rtp_source_update_seq(struct rtp_source *s, uint16_t seq);
/* Feed a packet's timestamp and its arrival time in the same units
 * (samples at the payload clock rate). */
void rtp_source_update_jitter(struct rtp_source *s, uint32_t rtp_ts, uint32_t arrival);
/* Extended highest sequence number (§6.4.1). */
uint32_t rtp_source_ext_max(const struct rtp_source *s);
/* Cumulative packets lost (§6.4.1; may be negative with duplicates),
 * clamped to the 24-bit signed field. */
int32_t rtp_source_lost(const struct rtp_source *s);
/* Fraction lost since the previous call, 8-bit fixed point (§A.3);
 * advances the interval. */
uint8_t rtp_source_fraction(struct rtp_source *s);

/* --- socket pair ------------------------------------------------------ */

enum rtp_latch {
	RTP_LATCH_OFF,	  /* always send to the configured remote */
	RTP_LATCH_ONCE,	  /* adopt the first source, then accept only it */
	RTP_LATCH_FOLLOW, /* re-adopt when the same SSRC moves address */
};

struct rtp_sock_prm {
	const struct sockaddr *local; /* bind address; its port is ignored */
	socklen_t local_len;
	uint16_t port_min, port_max; /* even RTP ports; 0,0: ephemeral */
	enum rtp_latch latch;
};

/* One datagram received; `from` is its source.  `rtcp` tells the socket. */
typedef void(rtp_sock_recv_h)(bool rtcp, const uint8_t *buf, size_t len,
			      const struct sockaddr_storage *from, void *arg);

struct rtp_sock;

/* A mem object: binds RTP on an even port and RTCP on port+1 (§11),
 * watches both on `loop`. */
int rtp_sock_alloc(struct rtp_sock **rsp, struct loop *loop, const struct rtp_sock_prm *prm,
		   rtp_sock_recv_h *h, void *arg);
/* The owner is going away: deliver nothing more (call before dropping
 * the owner's reference; a receive in progress may hold another). */
void rtp_sock_detach(struct rtp_sock *rs);
const struct sockaddr_storage *rtp_sock_local(const struct rtp_sock *rs);
const char *rtp_sock_name(const struct rtp_sock *rs);
/* Where to send RTP; RTCP goes to its port + 1 until an RTCP packet
 * latches its own address.  Clears any latch. */
int rtp_sock_set_remote(struct rtp_sock *rs, const struct sockaddr *sa, socklen_t len);
/* Symmetric RTP: given a packet that parsed (and its SSRC), decide whether
 * to accept it and latch on its source.  Returns true to accept. */
bool rtp_sock_latch(struct rtp_sock *rs, bool rtcp, const struct sockaddr_storage *from,
		    uint32_t ssrc);
bool rtp_sock_latched(const struct rtp_sock *rs);
/* Send to the current remote of RTP or RTCP.  0, or an errno (ENOTCONN
 * while no remote is known). */
int rtp_sock_send(struct rtp_sock *rs, bool rtcp, const uint8_t *buf, size_t len);

/* Datagrams received by rtp_sock on the calling thread so far (the
 * worker's poll cadence uses it to tell a busy pass from a quiet one). */
uint64_t rtp_sock_rx_total(void);

/* Format an address as "a.b.c.d:port" / "[v6]:port" into `out`. */
void rtp_addr_fmt(const struct sockaddr_storage *sa, char *out, size_t size);
bool rtp_addr_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

#endif
