/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP stack tests' fixture (test_sip.c: the stack as UAS;
 * test_sip_uac.c: as UAC): a stack on a virtual-clock loop, and the test
 * playing the remote peer over loopback UDP/TCP.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

size_t live0;
struct clk *clk;
struct loop *loop;
struct sip_stack *stack;
uint16_t port, tport;
int peer = -1; /* UDP socket playing the far end */
uint16_t peer_port;
char rx[8192];

/* What the handlers saw. */
int n_invite, n_established, n_terminated, n_cancelled, n_answered, n_progress, n_update;
void (*fx_conf)(struct sip_conf *conf);
void (*fx_sess)(struct sip_sess *s, enum sip_sess_ev ev, const struct sip_msg *m);
uint16_t last_status;
int answer_mode; /* 0: 180+200, 1: 180 only, 2: nothing */
struct sip_sess *last_sess;
const void *last_who;

const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			  "t=0 0\r\nm=audio 4000 RTP/AVP 8\r\n";

static void on_invite(struct sip_sess *s, const struct sip_msg *m, void *arg)
{
	(void)arg;
	n_invite++;
	last_sess = s;
	last_who = sip_msg_who(m);
	if (answer_mode < 2)
		sip_sess_answer(s, 180, NULL, NULL, NULL);
	if (answer_mode == 0)
		sip_sess_answer(s, 200, NULL, "application/sdp", sdp);
	if (answer_mode == 3) { /* busy, with the real cause (RFC 6432) */
		sip_sess_set_reason(s, "Q.850;cause=17;text=\"User busy\"");
		sip_sess_answer(s, 486, NULL, NULL, NULL);
	}
}

static void on_sess(struct sip_sess *s, enum sip_sess_ev ev, uint16_t st, const struct sip_msg *m,
		    void *arg)
{
	(void)s, (void)m, (void)arg;
	last_status = st;
	n_established += ev == SIP_EV_ESTABLISHED;
	n_terminated += ev == SIP_EV_TERMINATED;
	n_cancelled += ev == SIP_EV_CANCELLED;
	n_answered += ev == SIP_EV_ANSWERED;
	n_progress += ev == SIP_EV_PROGRESS;
	n_update += ev == SIP_EV_UPDATE;
	if (fx_sess)
		fx_sess(s, ev, m);
	if (ev == SIP_EV_TERMINATED && s == last_sess)
		last_sess = NULL;
}

static const struct sip_handlers fx_handlers = {.invite_h = on_invite, .sess_h = on_sess};

void fx_conf_defaults(struct sip_conf *conf)
{
	sip_conf_defaults(conf);
	conf->max_msg = 2048;
}

void restart_stack(const struct sip_conf *conf, const struct sip_handlers *h)
{
	stack = mem_deref(stack);
	cr_assert_eq(sip_stack_alloc(&stack, loop, conf, h ? h : &fx_handlers, NULL), 0);
	cr_assert_eq(sip_stack_listen(stack, SIP_PROTO_UDP, "127.0.0.1", 0, &port), 0);
	cr_assert_eq(sip_stack_listen(stack, SIP_PROTO_TCP, "127.0.0.1", 0, &tport), 0);
}

void setup(void)
{
	struct sip_conf conf;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);

	live0 = mem_live();
	if (getenv("SIP_DEBUG"))
		log_set_level(LC_SIP, LL_DEBUG);
	n_invite = n_established = n_terminated = n_cancelled = n_answered = n_progress = 0;
	n_update = 0;
	answer_mode = 0;
	last_sess = NULL;
	last_who = NULL;
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	fx_conf_defaults(&conf);
	if (fx_conf)
		fx_conf(&conf);
	restart_stack(&conf, NULL);
	peer = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(peer, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(peer, (struct sockaddr *)&a, &al);
	peer_port = ntohs(a.sin_port);
}

void teardown(void)
{
	/* Let every transaction and 2xx timer run out (64*T1 and more). */
	loop_run_for(loop, 40 * NS_PER_S);
	/* Criterion ignores .fini assertions: these abort instead. */
	if (sip_stack_txn_count(stack) != 0)
		sg_fail_hard("transactions left");
	if (sip_stack_sess_count(stack) != 0)
		sg_fail_hard("sessions left");
	stack = mem_deref(stack);
	sg_loop_check(loop);
	close(peer);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	if (mem_live() != live0)
		sg_fail_hard("mem objects leaked");
}


/* Loopback delivery is not always instant: turn the loop (without moving
 * virtual time) until `fd` has something to read, or give up. */
bool pump_until_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	for (int i = 0; i < 2000; i++) {
		loop_run_once(loop, 0);
		if (poll(&p, 1, 0) > 0)
			return true;
		sched_yield();
	}
	return false;
}

/* Send text with $P (our peer port), $S (stack port) expanded. */
void psend(const char *fmt, ...)
{
	char tmp[4096], out[4096];
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	va_list ap;
	size_t o = 0;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	for (const char *p = tmp; *p && o < sizeof(out) - 8; p++) {
		if (p[0] == '$' && (p[1] == 'P' || p[1] == 'S')) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%u",
					      p[1] == 'P' ? peer_port : port);
			p++;
		} else {
			out[o++] = *p;
		}
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sendto(peer, out, o, 0, (struct sockaddr *)&a, sizeof(a));
	loop_run_for(loop, NS_PER_MS);
}

/* Next datagram to the peer, or NULL. */
const char *precv(void)
{
	loop_run_for(loop, NS_PER_MS);
	ssize_t n = recv(peer, rx, sizeof(rx) - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	rx[n] = 0;
	return rx;
}

void expect_status(int status)
{
	char want[32];
	const char *m = precv();

	snprintf(want, sizeof(want), "SIP/2.0 %d ", status);
	cr_assert_not_null(m, "no response, wanted %d", status);
	cr_assert(!strncmp(m, want, strlen(want)), "got: %.60s, wanted %d", m, status);
}

void expect_nothing(void)
{
	const char *m = precv();

	cr_assert_null(m, "unexpected: %.80s", m);
}

/* The To tag of the last response received. */
const char *to_tag(void)
{
	static char tag[64];
	const char *t = strstr(rx, "\r\nTo: ");
	const char *g = t ? strstr(t, "tag=") : NULL;

	cr_assert_not_null(g);
	sscanf(g + 4, "%63[^\r\n;]", tag);
	return tag;
}


void send_invite(const char *branch)
{
	psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: call-1@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\nContent-Type: application/sdp\r\n"
	      "Content-Length: %zu\r\n\r\n%s",
	      branch, strlen(sdp), sdp);
}

void send_in_dialog(const char *method, int cseq, const char *branch, const char *tag)
{
	psend("%s sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: call-1@test\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n"
	      "Content-Length: 0\r\n\r\n",
	      method, branch, tag, cseq, method);
}

void fx_peer_call(const struct sip_handlers *h, const char *branch, char *tag, size_t taglen)
{
	struct sip_conf c;
	char ack[64];

	fx_conf_defaults(&c);
	restart_stack(&c, h);
	send_invite(branch);
	expect_status(200);
	snprintf(tag, taglen, "%s", to_tag());
	snprintf(ack, sizeof(ack), "%sa", branch);
	send_in_dialog("ACK", 1, ack, tag);
}

void fx_peer_bye(const char *branch, const char *tag)
{
	send_in_dialog("BYE", 9, branch, tag);
	while (precv())
		;
}

char req_copy[8192];

/* Keep the request just received to answer it later. */
const char *keep(const char *m)
{
	if (m)
		snprintf(req_copy, sizeof(req_copy), "%s", m);
	return m;
}

void answer_request(int status, const char *totag, bool with_sdp)
{
	answer_request_x(status, totag, "", with_sdp);
}

void kept_lines(struct kept_lines *k)
{
	static const char *const name[] = {"Via: ", "From: ", "To: ", "Call-ID: ", "CSeq: "};
	char *const out[] = {k->via, k->from, k->to, k->cid, k->cseq};
	const size_t sz[] = {sizeof(k->via), sizeof(k->from), sizeof(k->to), sizeof(k->cid),
			     sizeof(k->cseq)};

	for (unsigned i = 0; i < 5; i++) {
		const char *l = strstr(req_copy, name[i]);
		cr_assert_not_null(l, "no %s in the kept request: %s", name[i], req_copy);
		snprintf(out[i], sz[i], "%.*s", (int)strcspn(l, "\r\n"), l);
	}
}

void answer_request_x(int status, const char *totag, const char *extra, bool with_sdp)
{
	struct kept_lines k;

	kept_lines(&k);
	psend("SIP/2.0 %d Whatever\r\n%s\r\n%s\r\n%s%s%s\r\n%s\r\n%s\r\n"
	      "Contact: <sip:b@127.0.0.1:$P>\r\n%s%sContent-Length: %zu\r\n\r\n%s",
	      status, k.via, k.from, k.to, totag ? ";tag=" : "", totag ? totag : "", k.cid, k.cseq,
	      extra, with_sdp ? "Content-Type: application/sdp\r\n" : "",
	      with_sdp ? strlen(sdp) : 0, with_sdp ? sdp : "");
}

struct sip_sess *call_peer(void)
{
	return call_peer_as(NULL, NULL);
}

struct sip_sess *call_peer_as(const char *username, const char *password)
{
	char uri[64];
	struct sip_sess *s = NULL;
	struct sip_invite_prm p = {
	    .proto = SIP_PROTO_UDP,
	    .dst_ip = "127.0.0.1",
	    .dst_port = peer_port,
	    .req_uri = uri,
	    .from = "<sip:gw@127.0.0.1>",
	    .to = "<sip:b@127.0.0.1>",
	    .ctype = "application/sdp",
	    .body = sdp,
	    .username = username,
	    .password = password,
	};

	snprintf(uri, sizeof(uri), "sip:b@127.0.0.1:%u", peer_port);
	cr_assert_eq(sip_sess_invite(&s, stack, &p), 0);
	return s;
}

void send_reinvite(int cseq, const char *branch, const char *tag)
{
	psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: call-1@test\r\nCSeq: %d INVITE\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\nContent-Type: application/sdp\r\n"
	      "Content-Length: %zu\r\n\r\n%s",
	      branch, tag, cseq, strlen(sdp), sdp);
}

/* RFC 3261 §14.2: a re-INVITE nobody answers gets 200 with the SDP we gave
 * last, every time (the second once carried freed memory). */

void send_invite_x(const char *branch, const char *extra, bool offer)
{
	psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: call-1@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\n%s%sContent-Length: %zu\r\n\r\n%s",
	      branch, extra, offer ? "Content-Type: application/sdp\r\n" : "",
	      offer ? strlen(sdp) : 0, offer ? sdp : "");
}

void send_req_x(const char *method, int cseq, const char *branch, const char *tag,
		const char *extra, bool offer)
{
	psend("%s sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: call-1@test\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\n%s%sContent-Length: %zu\r\n\r\n%s",
	      method, branch, tag, cseq, method, extra,
	      offer ? "Content-Type: application/sdp\r\n" : "", offer ? strlen(sdp) : 0,
	      offer ? sdp : "");
}

const char *hdr_of(const char *msg, const char *name, char *buf, size_t sz)
{
	char key[64];
	const char *p;
	size_t n;

	snprintf(key, sizeof(key), "\r\n%s: ", name);
	p = msg ? strstr(msg, key) : NULL;
	if (!p)
		return NULL;
	p += strlen(key);
	n = strcspn(p, "\r\n");
	snprintf(buf, sz, "%.*s", (int)n, p);
	return buf;
}

const char *hdr_need(const char *msg, const char *name, char *buf, size_t sz)
{
	cr_assert_not_null(hdr_of(msg, name, buf, sz), "no %s in %s", name,
			   msg ? msg : "(nothing)");
	return buf;
}
