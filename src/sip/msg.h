/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/msg: libosip2 message helpers shared by every layer (parse, build
 * responses, tokens), and the bad-input checks (msg_check.c).
 *
 * libosip2 headers need <sys/time.h> and <time.h> first; OSIP_MONOTHREAD
 * must not be defined (Debian's build is multithreaded and the struct
 * layouts differ).
 */
#ifndef STROWGER_SIP_MSG_H
#define STROWGER_SIP_MSG_H

#include <sys/time.h>
#include <time.h>
#include <osip2/osip.h>
#include <osipparser2/osip_parser.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip/sip.h"

struct sip_msg {
	osip_message_t *m;
	const void *who; /* what the access check accepted it as */
};

/* Once per process: libosip2's parser tables, its traces into our log. */
void sip_osip_init(void);
/* Install the allocator hook that recycles transaction objects (osip_pool.c). */
void sip_osip_pool_init(void);
/* Translate a libosip2 return code to an errno. */
int sip_oerr(int oerr);

/* Parse one whole message (buf must be NUL-terminated at len). */
int sip_msg_parse(osip_message_t **mp, const char *buf, size_t len);
/* Serialize; *buf is malloc'd (free with free()). */
int sip_msg_print(const osip_message_t *m, char **buf, size_t *len);

/* A response to `req` (Via, From, To, Call-ID, CSeq copied; To tag added
 * when `to_tag` is given and the To has none).  `reason` NULL: standard. */
int sip_msg_response(osip_message_t **rp, const osip_message_t *req, uint16_t status,
		     const char *reason, const char *to_tag);
int sip_msg_set_body(osip_message_t *m, const char *ctype, const char *body);
int sip_msg_add_header(osip_message_t *m, const char *name, const char *value);
/* Extra header lines "Name: value", NULL-terminated (or NULL): EINVAL for a
 * line with CR or LF or without a token name (nothing is half-added that
 * matters: the caller frees the message). */
int sip_msg_add_extra(osip_message_t *m, const char *const *hdrs);

/* Random lowercase hex of `n` chars plus NUL (n+1 bytes in out). */
void sip_rand_hex(char *out, size_t n);
/* Restart the sequence (tests: make two tags collide on purpose); 0 means
 * seed again from getrandom on the next use. */
void sip_rand_seed(uint64_t seed);
/* Top Via branch, sent-by host and port (0 if absent), or NULL/"". */
const char *sip_msg_branch(const osip_message_t *m);
bool sip_msg_is(const osip_message_t *m, const char *method);
const char *sip_msg_tag(const osip_from_t *ft); /* From/To tag or NULL */

/* --- Bad input (msg_check.c) --------------------------------------------- */

struct sip_reject {
	uint16_t status;	/* 0: message is fine */
	char warning[96];	/* text of the Warning header (399) */
	const char *extra_name; /* an extra header to add (Unsupported, Allow, Accept) */
	char extra[96];
};

/* Check a parsed request or response before any layer sees it.  Returns
 * false with `rej` filled when the message must be refused (requests) or
 * dropped (responses: rej->status is then 0). */
bool sip_msg_check(const osip_message_t *m, size_t raw_len, const char *raw,
		   struct sip_reject *rej);
/* What depends on the transport a request came over: a SIPS Request-URI
 * only over TLS (RFC 3261 §26.2.2, RFC 5630 §4.1: 416 otherwise). */
bool sip_msg_check_transport(const osip_message_t *m, enum sip_proto proto, struct sip_reject *rej);
/* Methods we implement (for 405/501 and Allow). */
#define SIP_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, MESSAGE, NOTIFY, REFER, UPDATE, PRACK"
/* Answer text that libosip2 could not parse: copy Via, From, To, Call-ID and
 * CSeq lines verbatim into a `status` response with a Warning.  Returns the
 * length written, 0 when the input is not a request we can answer. */
size_t sip_msg_reject_raw(const char *buf, size_t len, uint16_t status, const char *why,
			  const char *to_tag, char *out, size_t outsz);
/* Add the Warning/extra header of `rej` to a response. */
void sip_reject_apply(const struct sip_reject *rej, osip_message_t *resp);

#endif
