/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP over TLS (RFC 3261 §18, §26.3.1; RFC 5630 for sips:) and IPv6 on
 * every transport.  Two stacks on one virtual-clock loop call each other;
 * raw sockets play the clients that misbehave.  Certificates are made at
 * test time (tls_fx.c).  Named by use case.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/session.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "tls_fx.h"

static struct tls_fx fx;
static struct clk *clk;
static struct loop *loop;

/* One stack and what its handlers saw. */
struct side {
	struct sip_stack *s;
	uint16_t udp, tcp, tls;
	int invites, established, answered, terminated;
	uint16_t status;
	char invite[4096]; /* the last INVITE received, as text */
	struct sip_sess *sess;
};
static struct side a, b; /* a calls, b answers */

static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			  "t=0 0\r\nm=audio 4000 RTP/AVP 8\r\n";

static void on_invite(struct sip_sess *ss, const struct sip_msg *m, void *arg)
{
	struct side *x = arg;
	char *text = NULL;
	size_t len;

	x->invites++;
	x->sess = ss;
	x->invite[0] = 0;
	if (!osip_message_to_str(m->m, &text, &len))
		snprintf(x->invite, sizeof(x->invite), "%s", text);
	osip_free(text);
	sip_sess_answer(ss, 200, NULL, "application/sdp", sdp);
}

static void on_sess(struct sip_sess *ss, enum sip_sess_ev ev, uint16_t st, const struct sip_msg *m,
		    void *arg)
{
	struct side *x = arg;

	(void)m;
	x->status = st;
	x->established += ev == SIP_EV_ESTABLISHED;
	x->answered += ev == SIP_EV_ANSWERED;
	if (ev == SIP_EV_TERMINATED) {
		x->terminated++;
		if (x->sess == ss)
			x->sess = NULL;
	}
}

static const struct sip_handlers handlers = {.invite_h = on_invite, .sess_h = on_sess};

/* A stack listening on ip for UDP, TCP and TLS, trusting `ca`. */
static void side_up(struct side *x, const char *ip, const char *ca, bool verify)
{
	struct sip_conf conf;
	struct sip_tls_conf tc = {.cert_file = fx.cert,
				  .key_file = fx.key,
				  .ca_file = ca,
				  .verify = verify,
				  .handshake_timeout = 5 * NS_PER_S};
	char why[256] = "";

	memset(x, 0, sizeof(*x));
	sip_conf_defaults(&conf);
	cr_assert_eq(sip_stack_alloc(&x->s, loop, &conf, &handlers, x), 0);
	cr_assert_eq(sip_stack_tls(x->s, &tc, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(sip_stack_listen(x->s, SIP_PROTO_UDP, ip, 0, &x->udp), 0);
	cr_assert_eq(sip_stack_listen(x->s, SIP_PROTO_TCP, ip, 0, &x->tcp), 0);
	cr_assert_eq(sip_stack_listen(x->s, SIP_PROTO_TLS, ip, 0, &x->tls), 0);
}

static void setup(void)
{
	sg_test_begin();
	if (getenv("SIP_DEBUG"))
		log_set_level(LC_SIP, LL_DEBUG);
	cr_assert_eq(tls_fx_make(&fx), 0);
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	side_up(&b, "127.0.0.1", fx.ca, true);
}

static void teardown(void)
{
	loop_run_for(loop, 40 * NS_PER_S);
	if ((a.s && sip_stack_sess_count(a.s)) || sip_stack_sess_count(b.s))
		sg_fail_hard("sessions left");
	if ((a.s && sip_stack_txn_count(a.s)) || sip_stack_txn_count(b.s))
		sg_fail_hard("transactions left");
	a.s = mem_deref(a.s);
	b.s = mem_deref(b.s);
	sg_loop_check(loop);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	tls_fx_remove(&fx);
	sg_test_end();
}

TestSuite(tls, .init = setup, .fini = teardown);

static unsigned conns(const struct side *x)
{
	return sip_tp_conn_count(x->s->tp);
}

/* a calls b at `uri` over `proto` (b's port for it), runs the loop. */
static struct sip_sess *call(enum sip_proto proto, const char *ip, const char *uri_fmt)
{
	uint16_t p = proto == SIP_PROTO_TLS ? b.tls : proto == SIP_PROTO_TCP ? b.tcp : b.udp;
	char uri[96];
	struct sip_sess *ss = NULL;
	struct sip_invite_prm prm = {.proto = proto,
				     .dst_ip = ip,
				     .dst_port = p,
				     .req_uri = uri,
				     .from = "<sip:gw@example.net>",
				     .to = "<sip:7000000@example.net>",
				     .ctype = "application/sdp",
				     .body = sdp};

	snprintf(uri, sizeof(uri), uri_fmt, p);
	cr_assert_eq(sip_sess_invite(&ss, a.s, &prm), 0);
	loop_run_for(loop, 200 * NS_PER_MS);
	return ss;
}

/* a hangs up an established call; both ends see it end. */
static void hang_up(struct sip_sess *ss)
{
	cr_assert_eq(sip_sess_bye(ss), 0);
	loop_run_for(loop, 200 * NS_PER_MS);
	cr_assert_eq(a.terminated, 1);
	cr_assert_eq(b.terminated, 1);
	cr_assert_eq(b.status, 200, "BYE status %u", b.status);
}

Test(tls, call_over_tls_with_sips_uri)
{
	side_up(&a, "127.0.0.1", fx.ca, true);
	struct sip_sess *ss = call(SIP_PROTO_TLS, "127.0.0.1", "sips:7000000@gw.test:%u");

	cr_assert_eq(b.invites, 1);
	cr_assert_eq(a.answered, 1);
	cr_assert_eq(b.established, 1);
	cr_assert(strstr(b.invite, "SIP/2.0/TLS 127.0.0.1:"), "Via: %s", b.invite);
	cr_assert(strstr(b.invite, "Contact: <sips:127.0.0.1:"), "Contact: %s", b.invite);
	/* Answers came back on the same connection (§18.2.2): one each side. */
	cr_assert_eq(conns(&a), 1);
	cr_assert_eq(conns(&b), 1);
	hang_up(ss);
	cr_assert_eq(conns(&a), 1, "the BYE reused the connection");
}

Test(tls, sip_uri_over_tls_gets_transport_tls_contact)
{
	side_up(&a, "127.0.0.1", fx.ca, true);
	struct sip_sess *ss = call(SIP_PROTO_TLS, "127.0.0.1", "sip:7000000@127.0.0.1:%u");

	cr_assert_eq(a.answered, 1);
	cr_assert(strstr(b.invite, ";transport=tls>"), "Contact: %s", b.invite);
	hang_up(ss);
}

/* A refused server: the INVITE fails at once as a transport error (503,
 * RFC 3261 §8.1.3.1), not at Timer B. */
static void expect_refused(void)
{
	cr_assert_eq(b.invites, 0);
	cr_assert_eq(conns(&b), 0, "the server dropped the connection");
	cr_assert_eq(a.answered, 0);
	cr_assert_eq(a.terminated, 1);
	cr_assert_eq(a.status, 503, "status %u", a.status);
}

Test(tls, server_from_an_untrusted_ca_refused)
{
	side_up(&a, "127.0.0.1", fx.other_ca, true);
	call(SIP_PROTO_TLS, "127.0.0.1", "sips:7000000@127.0.0.1:%u");
	cr_assert_eq(conns(&a), 0, "the client closed the connection");
	expect_refused();
}

Test(tls, host_name_not_in_certificate_refused)
{
	side_up(&a, "127.0.0.1", fx.ca, true);
	call(SIP_PROTO_TLS, "127.0.0.1", "sips:7000000@other.test:%u");
	cr_assert_eq(conns(&a), 0);
	expect_refused();
}

Test(tls, verification_off_accepts_any_server)
{
	side_up(&a, "127.0.0.1", fx.other_ca, false);
	struct sip_sess *ss = call(SIP_PROTO_TLS, "127.0.0.1", "sips:7000000@other.test:%u");

	cr_assert_eq(a.answered, 1);
	hang_up(ss);
}

/* A server that accepts but never speaks TLS: our handshake times out (5 s
 * here) and the INVITE fails then with 503, long before Timer B (32 s). */
Test(tls, server_that_never_answers_the_handshake_fails_the_call_at_its_timeout)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sip_sess *ss = NULL;
	char uri[64];

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(lfd, 4), 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	snprintf(uri, sizeof(uri), "sips:7000000@127.0.0.1:%u", ntohs(sa.sin_port));
	side_up(&a, "127.0.0.1", fx.ca, true);
	struct sip_invite_prm prm = {.proto = SIP_PROTO_TLS,
				     .dst_ip = "127.0.0.1",
				     .dst_port = ntohs(sa.sin_port),
				     .req_uri = uri,
				     .from = "<sip:gw@example.net>",
				     .to = "<sip:7000000@example.net>"};

	cr_assert_eq(sip_sess_invite(&ss, a.s, &prm), 0);
	loop_run_for(loop, 4 * NS_PER_S);
	cr_assert_eq(a.terminated, 0, "still waiting for the handshake");
	cr_assert_eq(conns(&a), 1);
	loop_run_for(loop, 2 * NS_PER_S);
	cr_assert_eq(a.terminated, 1);
	cr_assert_eq(a.status, 503, "status %u", a.status);
	cr_assert_eq(conns(&a), 0);
	close(lfd);
}

/* The same for plain TCP: a refused connect is a transport error now. */
Test(tls, tcp_connection_refused_fails_the_call_at_once)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sip_sess *ss = NULL;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	side_up(&a, "127.0.0.1", fx.ca, true);
	struct sip_invite_prm prm = {.proto = SIP_PROTO_TCP,
				     .dst_ip = "127.0.0.1",
				     .dst_port = ntohs(sa.sin_port), /* bound, not listening */
				     .req_uri = "sip:7000000@127.0.0.1",
				     .from = "<sip:gw@example.net>",
				     .to = "<sip:7000000@example.net>"};

	cr_assert_eq(sip_sess_invite(&ss, a.s, &prm), 0);
	loop_run_for(loop, 100 * NS_PER_MS);
	cr_assert_eq(a.terminated, 1);
	cr_assert_eq(a.status, 503, "status %u", a.status);
	close(fd);
}

/* A raw TCP client of b's TLS port. */
static int raw_connect(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* True if the server closed `fd` (EOF or reset, nothing else pending). */
static bool raw_closed(int fd)
{
	char buf[256];
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, 0) != 1)
		return false;
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno == ECONNRESET);
}

Test(tls, plaintext_on_the_tls_port_closed_without_harm)
{
	side_up(&a, "127.0.0.1", fx.ca, true);
	struct sip_sess *ss = call(SIP_PROTO_TLS, "127.0.0.1", "sips:7000000@127.0.0.1:%u");
	int fd = raw_connect(b.tls);
	const char opt[] = "OPTIONS sip:7000000@127.0.0.1 SIP/2.0\r\n"
			   "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKplain\r\n"
			   "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:y@127.0.0.1>\r\n"
			   "Call-ID: plain\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

	cr_assert_eq(a.answered, 1);
	cr_assert_eq(send(fd, opt, sizeof(opt) - 1, 0), (ssize_t)sizeof(opt) - 1);
	loop_run_for(loop, 100 * NS_PER_MS);
	cr_assert(raw_closed(fd), "plaintext client not closed");
	cr_assert_eq(conns(&b), 1, "the TLS call's connection is still there");
	hang_up(ss);
	close(fd);
}

Test(tls, client_that_never_finishes_the_handshake_timed_out)
{
	int fd = raw_connect(b.tls);
	/* The header of a handshake record whose body never comes. */
	const char partial[] = "\x16\x03\x01\x00\x80";

	cr_assert_eq(send(fd, partial, 5, 0), 5);
	loop_run_for(loop, 4 * NS_PER_S);
	cr_assert_not(raw_closed(fd), "closed before the handshake timeout");
	cr_assert_eq(conns(&b), 1);
	loop_run_for(loop, 2 * NS_PER_S);
	cr_assert(raw_closed(fd), "not closed after the handshake timeout");
	cr_assert_eq(conns(&b), 0);
	close(fd);
}

/* Send `req` to b over plain TCP; the answer's text into `buf`. */
static void raw_request(const char *req, char *buf, size_t sz)
{
	int fd = raw_connect(b.tcp);
	size_t len = strlen(req);

	cr_assert_eq(send(fd, req, len, 0), (ssize_t)len);
	loop_run_for(loop, 100 * NS_PER_MS);
	ssize_t n = recv(fd, buf, sz - 1, MSG_DONTWAIT);

	cr_assert_gt(n, 0);
	buf[n] = 0;
	close(fd);
}

#define RAW_INVITE(ruri, contact)                                                                  \
	"INVITE " ruri " SIP/2.0\r\n"                                                              \
	"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKraw\r\n"                                       \
	"From: <sips:x@127.0.0.1>;tag=1\r\nTo: <sips:7000000@127.0.0.1>\r\n"                       \
	"Call-ID: raw\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"                                   \
	"Contact: " contact "\r\nContent-Length: 0\r\n\r\n"

/* RFC 3261 §26.2.2, RFC 5630 §4.1: sips: needs TLS on every hop.  Our
 * UAC will not send one over TCP; a request that came that way gets 416. */
Test(tls, sips_request_over_tcp_gets_416)
{
	struct sip_invite_prm prm = {.proto = SIP_PROTO_TCP,
				     .dst_ip = "127.0.0.1",
				     .dst_port = b.tcp,
				     .req_uri = "sips:7000000@127.0.0.1",
				     .from = "<sip:gw@example.net>",
				     .to = "<sip:7000000@example.net>"};
	struct sip_sess *ss = NULL;
	char buf[2048];

	side_up(&a, "127.0.0.1", fx.ca, true);
	cr_assert_eq(sip_sess_invite(&ss, a.s, &prm), EPROTO);
	cr_assert_eq(sip_stack_sess_count(a.s), 0);
	raw_request(RAW_INVITE("sips:7000000@127.0.0.1", "<sips:x@127.0.0.1:9>"), buf, sizeof(buf));
	cr_assert(!strncmp(buf, "SIP/2.0 416 ", 12), "got %s", buf);
	cr_assert(strstr(buf, "RFC 5630"), "Warning names the fault: %s", buf);
	cr_assert_eq(b.invites, 0);
}

/* §8.1.1.8: the Contact of an INVITE is a SIP or SIPS URI; 416 stays the
 * Request-URI's (§21.4.16). */
Test(tls, invite_contact_scheme_checked)
{
	char buf[2048];

	raw_request(RAW_INVITE("sip:7000000@127.0.0.1", "<tel:+15551234>"), buf, sizeof(buf));
	cr_assert(!strncmp(buf, "SIP/2.0 400 ", 12), "got %s", buf);
	cr_assert(strstr(buf, "Contact must be a SIP or SIPS URI"), "%s", buf);
	raw_request(RAW_INVITE("mailto:x@example.net", "<sip:x@127.0.0.1:9>"), buf, sizeof(buf));
	cr_assert(!strncmp(buf, "SIP/2.0 416 ", 12), "got %s", buf);
	cr_assert_eq(b.invites, 0);
}

Test(tls, ipv6_on_udp_tcp_and_tls)
{
	const enum sip_proto protos[] = {SIP_PROTO_UDP, SIP_PROTO_TCP, SIP_PROTO_TLS};
	const char *uris[] = {"sip:7000000@[::1]:%u", "sip:7000000@[::1]:%u;transport=tcp",
			      "sips:7000000@[::1]:%u"};

	b.s = mem_deref(b.s);
	side_up(&b, "::1", fx.ca, true);
	side_up(&a, "::1", fx.ca, true);
	for (int i = 0; i < 3; i++) {
		struct sip_sess *ss = call(protos[i], "::1", uris[i]);
		char via[32];

		snprintf(via, sizeof(via), "SIP/2.0/%s [::1]:", sip_proto_name(protos[i]));
		cr_assert_eq(b.invites, 1, "%s", via);
		cr_assert_eq(a.answered, 1, "%s", via);
		cr_assert(strstr(b.invite, via), "%s in %s", via, b.invite);
		hang_up(ss);
		a.invites = a.answered = a.terminated = 0;
		b.invites = b.established = b.terminated = 0;
	}
}
