/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SIP stack tests' fixture; see sip_fx.c. */
#ifndef STROWGER_TESTS_SIP_FX_H
#define STROWGER_TESTS_SIP_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip/sip.h"

struct clk;
struct loop;
struct sip_stack;
struct sip_sess;

extern size_t live0;
extern struct clk *clk;
extern struct loop *loop;
extern struct sip_stack *stack;
extern uint16_t port, tport;       /* the stack's UDP and TCP ports */
extern int peer;                   /* UDP socket playing the far end */
extern uint16_t peer_port;
extern char rx[8192];              /* the last message the peer received */
extern int n_invite, n_established, n_terminated, n_cancelled, n_answered, n_progress, n_update;
/* Set before setup(): change the stack's configuration; see every event. */
extern void (*fx_conf)(struct sip_conf *conf);
extern void (*fx_sess)(struct sip_sess *s, enum sip_sess_ev ev, const struct sip_msg *m);
extern uint16_t last_status;
extern int answer_mode;            /* 0: 180+200, 1: 180 only, 2: nothing, 3: 486 */
extern struct sip_sess *last_sess;
extern const void *last_who;       /* sip_msg_who() of the last INVITE */
extern const char sdp[];
extern char req_copy[8192];        /* the request answer_request() answers */

void setup(void);
void teardown(void);
struct sip_conf;
struct sip_handlers;
/* The fixture's configuration (before fx_conf's changes); a new stack on new ports (h NULL: the
 * fixture's handlers). */
void fx_conf_defaults(struct sip_conf *conf);
void restart_stack(const struct sip_conf *conf, const struct sip_handlers *h);
/* Turn the loop (virtual time still) until `fd` is readable, or give up. */
bool pump_until_readable(int fd);
/* The peer sends (with $P replaced by its port), receives, checks. */
void psend(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *precv(void);
void expect_status(int status);
void expect_nothing(void);
const char *to_tag(void);
void send_invite(const char *branch);
void send_in_dialog(const char *method, int cseq, const char *branch, const char *tag);
void send_reinvite(int cseq, const char *branch, const char *tag);
/* On a new stack with `h` (fx_conf_defaults), the peer's call answered
 * with 200 and ACKed (branches BRANCH and BRANCH"a"); the To tag in `tag`. */
void fx_peer_call(const struct sip_handlers *h, const char *branch, char *tag, size_t taglen);
/* The peer's BYE (CSeq 9) on that call, and all it is sent read. */
void fx_peer_bye(const char *branch, const char *tag);
/* With more header lines (each ending in CRLF) and an SDP offer or not. */
void send_invite_x(const char *branch, const char *extra, bool offer);
void send_req_x(const char *method, int cseq, const char *branch, const char *tag,
		const char *extra, bool offer);
/* The value of header `name` in `msg` (first line), or NULL; hdr_need
 * fails the test when there is none. */
const char *hdr_of(const char *msg, const char *name, char *buf, size_t sz);
const char *hdr_need(const char *msg, const char *name, char *buf, size_t sz);
/* UAC side: keep a copy of a request, answer it, place a call to the peer
 * (call_peer_as: with digest credentials, RFC 3261 §22.2). */
const char *keep(const char *m);
void answer_request(int status, const char *totag, bool with_sdp);
void answer_request_x(int status, const char *totag, const char *extra, bool with_sdp);
struct sip_sess *call_peer(void);
struct sip_sess *call_peer_as(const char *username, const char *password);
/* The lines of the kept request that a response copies (RFC 3261 §8.2.6.2),
 * each whole ("Via: ..."); the To line without a tag of ours. */
struct kept_lines {
	char via[256], from[128], to[128], cid[128], cseq[64];
};
void kept_lines(struct kept_lines *k);

#define HDRS(method, cseq, branch, totag)                                                          \
	"Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK" branch "\r\n"                               \
	"From: <sip:a@127.0.0.1>;tag=ft1\r\n"                                                      \
	"To: <sip:b@127.0.0.1>%s%s\r\n"                                                            \
	"Call-ID: call-1@test\r\n"                                                                 \
	"CSeq: " cseq " " method "\r\n"                                                            \
	"Max-Forwards: 70\r\n"

#endif
