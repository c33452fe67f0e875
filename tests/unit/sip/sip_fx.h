/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SIP stack tests' fixture; see sip_fx.c. */
#ifndef STROWGER_TESTS_SIP_FX_H
#define STROWGER_TESTS_SIP_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
extern int n_invite, n_established, n_terminated, n_cancelled, n_answered, n_progress;
extern uint16_t last_status;
extern int answer_mode;            /* 0: 180+200, 1: 180 only, 2: nothing, 3: 486 */
extern struct sip_sess *last_sess;
extern const void *last_who;       /* sip_msg_who() of the last INVITE */
extern const char sdp[];
extern char req_copy[8192];        /* the request answer_request() answers */

void setup(void);
void teardown(void);
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
/* UAC side: keep a copy of a request, answer it, place a call to the peer. */
const char *keep(const char *m);
void answer_request(int status, const char *totag, bool with_sdp);
struct sip_sess *call_peer(void);

#define HDRS(method, cseq, branch, totag)                                                          \
	"Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK" branch "\r\n"                               \
	"From: <sip:a@127.0.0.1>;tag=ft1\r\n"                                                      \
	"To: <sip:b@127.0.0.1>%s%s\r\n"                                                            \
	"Call-ID: call-1@test\r\n"                                                                 \
	"CSeq: " cseq " " method "\r\n"                                                            \
	"Max-Forwards: 70\r\n"

#endif
