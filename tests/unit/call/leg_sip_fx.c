/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixture of the test_leg_sip*.c suites (see leg_sip_fx.h): two SIP stacks on one
 * virtual-time loop, a fake PSTN leg, a call environment and a dial plan.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call/cause.h"
#include "call/limit.h"
#include "../sip/dns_fake.h"
#include "call_fx.h"
#include "leg_sip_fx.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "sg_test.h"

static struct clk *clk;
static struct loop *loop;
struct route_set *routes;
static struct cause_map *causes;
struct call_env cenv;
static struct leg_sip_env lenv;
static struct sip_stack *gw, *far;
uint16_t gw_port, far_port;
static uint16_t far_rtp_port;
static int far_rtp = -1; /* the far end's RTP socket */
char trail[4096];
struct fake *pstn;	      /* the fake PSTN leg of the call */
struct call_setup pstn_setup; /* what the PSTN leg was asked to set up */
struct cdr last_cdr;
unsigned n_ended;
/* The far end. */
struct sip_sess *far_sess;
uint8_t pstn_calling_ton;
char far_retry_after[32], far_reason[160], far_sdp[1024], far_ruri[256], far_from[256], far_pai[256], far_privacy[64];
static struct leg_sip_target trunk_far;
static int dead_fd = -1; /* a bound UDP socket nobody reads: trunk "dead" */
static uint16_t dead_port;
struct call_limit *itsp_limit;
unsigned n_failovers;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	size_t n = strlen(trail);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(trail + n, sizeof(trail) - n, fmt, ap);
	va_end(ap);
}

void run(unsigned ms)
{
	loop_run_for(loop, (uint64_t)ms * NS_PER_MS);
}

/* --- the fake PSTN leg ---------------------------------------------------- */

static const char *nm(struct call_leg *l)
{
	return ((struct fake *)l)->name;
}
static int f_setup(struct call_leg *l, const struct call_setup *s)
{
	pstn_setup = *s;
	say("%s:setup(%s) ", nm(l), s->called.digits);
	return 0;
}
static int f_proceeding(struct call_leg *l)
{
	say("%s:proceeding ", nm(l));
	return 0;
}
static int f_alerting(struct call_leg *l, bool inband)
{
	say("%s:alerting(%s) ", nm(l), inband ? "inband" : "-");
	return 0;
}
static int f_progress(struct call_leg *l)
{
	say("%s:progress ", nm(l));
	return 0;
}
static int f_answer(struct call_leg *l)
{
	say("%s:answer ", nm(l));
	return 0;
}
static void f_release(struct call_leg *l, unsigned cause, unsigned status)
{
	say("%s:release(%u,%u) ", nm(l), cause, status);
}
static void f_describe(const struct call_leg *l, struct cdr *rec)
{
	(void)l;
	rec->span = 1;
	rec->channel = 1;
}
static void f_destroy(struct call_leg *l)
{
	if ((struct fake *)l == pstn)
		pstn = NULL;
	free(l);
}

static const struct call_leg_ops fake_ops = {
    "fake",   f_setup,	 f_proceeding, f_alerting, f_progress,
    f_answer, f_release, f_describe,   f_destroy, NULL,
};

static struct fake *fake_new(const char *name)
{
	struct fake *f = calloc(1, sizeof(*f));
	cr_assert_not_null(f);
	f->leg.ops = &fake_ops;
	f->leg.side = CALL_SIDE_PSTN;
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

/* --- the call environment ------------------------------------------------- */

static int e_leg_create(struct call *call, const struct route_dest *dest, struct call_leg **legp,
			void *arg)
{
	(void)call;
	(void)arg;
	if (dest->kind != ROUTE_DEST_GROUP)
		return leg_sip_create(&lenv, dest, legp);
	pstn = fake_new("pstn");
	*legp = &pstn->leg;
	return 0;
}

static void e_media(struct call *call, enum call_media what, void *arg)
{
	static const char *const names[] = {"connect", "ringback-on", "ringback-off", "stop"};
	(void)call;
	(void)arg;
	if (what == CALL_MEDIA_RINGBACK_ON)
		say("media:%s ", names[what]);
}

static void e_ended(struct call *call, const struct cdr *rec, void *arg)
{
	(void)call;
	(void)arg;
	last_cdr = *rec;
	n_ended++;
	say("ended ");
}

static void e_failover(struct call *call, const struct route_dest *from, unsigned cause,
		       void *arg)
{
	(void)call;
	(void)arg;
	n_failovers++;
	say("failover(%s,%u) ", from->name, cause);
}

static const struct call_env_ops env_ops = {
    .leg_create = e_leg_create, .media = e_media, .ended = e_ended, .failover = e_failover};

/* Trunks: "far" and "far2" (the far end's stack under two names), and
 * "dead" (a socket that never answers). */
static int trunk_lookup(void *arg, const char *trunk, struct leg_sip_target *out)
{
	(void)arg;
	*out = trunk_far;
	if (!strcmp(trunk, "far2"))
		strcpy(out->domain, "backup.example.net");
	else if (!strcmp(trunk, "dead"))
		out->port = dead_port;
	else if (strcmp(trunk, "far"))
		return ENOENT;
	return 0;
}

/* Calls from trunk "itsp" are admitted under itsp_limit (NULL: none). */
static int trunk_admit(void *arg, const char *trunk, struct call_leg *leg, unsigned *retry)
{
	(void)arg;
	if (strcmp(trunk, "itsp"))
		return 0;
	return call_leg_limit_take(leg, itsp_limit, false, loop_now(loop), retry);
}

/* --- the two SIP stacks --------------------------------------------------- */

static void gw_invite(struct sip_sess *sess, const struct sip_msg *msg, void *arg)
{
	(void)arg;
	leg_sip_incoming(&lenv, sess, msg);
}

static void gw_sess(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
		    const struct sip_msg *msg, void *arg)
{
	(void)arg;
	leg_sip_sess_event(sess, ev, status, msg);
}

static void copy_hdr(char *out, size_t sz, const struct sip_msg *msg, const char *name)
{
	const char *h = sip_msg_header(msg, name, 0);
	snprintf(out, sz, "%s", h ? h : "");
}

static void far_invite(struct sip_sess *sess, const struct sip_msg *msg, void *arg)
{
	size_t len = 0;
	const char *body = sip_msg_body(msg, &len);
	(void)arg;
	far_sess = sess;
	sip_msg_ruri(msg, far_ruri, sizeof(far_ruri));
	sip_msg_from(msg, far_from, sizeof(far_from));
	copy_hdr(far_pai, sizeof(far_pai), msg, "P-Asserted-Identity");
	copy_hdr(far_privacy, sizeof(far_privacy), msg, "Privacy");
	snprintf(far_sdp, sizeof(far_sdp), "%.*s", (int)len, body ? body : "");
	say("far:INVITE ");
}

static void far_event(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
		      const struct sip_msg *msg, void *arg)
{
	size_t len = 0;
	(void)arg;
	say("far:%s(%u) ", sip_sess_ev_name(ev), status);
	if (msg && sip_msg_header(msg, "Reason", 0))
		copy_hdr(far_reason, sizeof(far_reason), msg, "Reason");
	if (msg && sip_msg_header(msg, "Retry-After", 0))
		copy_hdr(far_retry_after, sizeof(far_retry_after), msg, "Retry-After");
	const char *body = msg ? sip_msg_body(msg, &len) : NULL;
	if (body)
		snprintf(far_sdp, sizeof(far_sdp), "%.*s", (int)len, body);
	if (ev == SIP_EV_TERMINATED && sess == far_sess)
		far_sess = NULL;
}

static void stack_make(struct sip_stack **sp, uint16_t *port, const struct sip_handlers *h,
		       uint16_t dns_port)
{
	struct sip_conf conf;
	sip_conf_defaults(&conf);
	if (dns_port)
		snprintf(conf.dns_servers, sizeof(conf.dns_servers), "127.0.0.1:%u", dns_port);
	cr_assert_eq(sip_stack_alloc(sp, loop, &conf, h, NULL), 0);
	cr_assert_eq(sip_stack_listen(*sp, SIP_PROTO_UDP, "127.0.0.1", 0, port), 0);
}

static char plan[1024];
static struct dns_fake *dns;

/* The far end as a carrier that wants digest (realm "carrier"), and the
 * trunk's credentials the gateway answers with. */
static const char *far_pw;

static void far_check(const struct sip_msg *msg, const struct sockaddr *src,
		      struct sip_access *v, void *arg)
{
	(void)msg, (void)src, (void)arg;
	v->kind = SIP_ACCESS_DIGEST;
	snprintf(v->realm, sizeof(v->realm), "carrier");
}

static const char *far_password(const struct sip_msg *msg, const struct sockaddr *src,
				const char *realm, const char *user, const void **who, void *arg)
{
	(void)msg, (void)src, (void)realm, (void)who, (void)arg;
	return strcmp(user, "gw1") ? NULL : far_pw;
}

void far_requires_digest(const char *password, const char *trunk_password)
{
	far_pw = password;
	cr_assert_eq(sip_stack_set_access(far, far_check, far_password, NULL), 0);
	strcpy(trunk_far.username, "gw1");
	snprintf(trunk_far.password, sizeof(trunk_far.password), "%s", trunk_password);
}

void leg_sip_fx_setup(void)
{
	static const struct sip_handlers gw_h = {.invite_h = gw_invite, .sess_h = gw_sess};
	static const struct sip_handlers far_h = {.invite_h = far_invite, .sess_h = far_event};
	sg_test_begin();
	log_capture_start();
	trail[0] = far_retry_after[0] = far_reason[0] = far_sdp[0] = far_pai[0] = far_privacy[0] = '\0';
	n_ended = 0;
	far_sess = NULL;
	pstn = NULL;
	pstn_calling_ton = ROUTE_TON_UNKNOWN;
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	stack_make(&far, &far_port, &far_h, 0);
	/* far.example.net: no NAPTR, SRV for UDP to the far end (RFC 3263) */
	static char srv[64];
	static const struct dns_rr zone[] = {
	    {"far.example.net", 1, "127.0.0.1"},
	    {"_sip._udp.far.example.net", 33, srv},
	};
	uint16_t dns_port;
	snprintf(srv, sizeof(srv), "0 0 %u far.example.net", far_port);
	cr_assert_eq(dns_fake_start(&dns, loop, zone, 2, &dns_port), 0);
	stack_make(&gw, &gw_port, &gw_h, dns_port);
	far_rtp = sg_bind_loopback(SOCK_DGRAM, &far_rtp_port);
	dead_fd = sg_bind_loopback(SOCK_DGRAM, &dead_port);
	itsp_limit = NULL;
	n_failovers = 0;
	snprintf(
	    plan, sizeof(plan),
	    "[trunk far]\n[group pstn]\n"
	    "[rule from-sip]\ndir to-pstn\nroute group pstn\n"
	    "[rule to-uri]\ndir to-sip\ncalled prefix 1\n"
	    "route uri sip:${called}@127.0.0.1:%u\n"
	    "[rule to-name]\ndir to-sip\ncalled prefix 8\nroute uri sip:${called}@far.example.net\n"
	    "[rule to-nx]\ndir to-sip\ncalled prefix 9\nroute uri sip:${called}@nx.example.net\n"
	    "[rule to-trunk]\ndir to-sip\ncalled prefix 2\nroute trunk far\n"
	    "[trunk far2]\n[trunk dead]\n"
	    "[rule failover]\ndir to-sip\ncalled prefix 3\nroute trunk far\nfallback trunk far2\n"
	    "[rule timeout]\ndir to-sip\ncalled prefix 4\nroute trunk dead\nfallback trunk far\n",
	    far_port);
	call_fx_load(&routes, "plan", plan, &causes);
	cenv = (struct call_env){.loop = loop,
				 .ops = &env_ops,
				 .routes = routes,
				 .causes = causes,
				 .t_noanswer = 60 * NS_PER_S,
				 .node = "gw"};
	lenv = (struct leg_sip_env){.loop = loop,
				    .sip = gw,
				    .calls = &cenv,
				    .rtp_addr_len = sizeof(struct sockaddr_in),
				    .tdm_law = MEDIA_LAW_ALAW,
				    .trunk = "itsp",
				    .causes = causes,
				    .trunk_target = trunk_lookup,
				    .admit = trunk_admit};
	struct sockaddr_in *ra = (struct sockaddr_in *)&lenv.rtp_addr;
	ra->sin_family = AF_INET;
	ra->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	trunk_far = (struct leg_sip_target){.proto = SIP_PROTO_UDP, .port = far_port};
	strcpy(trunk_far.ip, "127.0.0.1");
	strcpy(trunk_far.domain, "carrier.example.net");
}

void leg_sip_fx_teardown(void)
{
	run(40 * 1000); /* transactions, 2xx retransmissions, deferred frees */
	if (call_count() != 0) /* in .fini: Criterion would ignore an assertion */
		sg_fail_hard("calls left");
	cr_assert_eq(sip_stack_sess_count(gw), 0, "gateway sessions left");
	cr_assert_eq(sip_stack_sess_count(far), 0, "far sessions left");
	gw = mem_deref(gw);
	far = mem_deref(far);
	dns_fake_stop(dns);
	close(far_rtp);
	close(dead_fd);
	itsp_limit = mem_deref(itsp_limit);
	mem_deref(routes);
	mem_deref(causes);
	sg_loop_check(loop);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	log_capture_stop();
	sg_test_end();
}

bool has(const char *needle)
{
	return strstr(trail, needle) != NULL;
}

/* --- the far end's side of a call ----------------------------------------- */

const char *far_offer(const char *fmts)
{
	static char sdp[512];
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP %s\r\na=rtpmap:101 telephone-event/8000\r\n",
		 far_rtp_port, fmts);
	return sdp;
}

/* The far end calls the gateway (SIP → PSTN). */
struct sip_sess *far_call(const char *ruser, const char *from, const char *const *extra,
			  const char *sdp)
{
	char ruri[128], to[128];
	snprintf(ruri, sizeof(ruri), "sip:%s@127.0.0.1:%u", ruser, gw_port);
	snprintf(to, sizeof(to), "<sip:%s@127.0.0.1>", ruser);
	struct sip_invite_prm p = {
	    .proto = SIP_PROTO_UDP,
	    .dst_ip = "127.0.0.1",
	    .dst_port = gw_port,
	    .req_uri = ruri,
	    .from = from,
	    .to = to,
	    .ctype = sdp ? "application/sdp" : NULL,
	    .body = sdp,
	    .extra_headers = extra,
	};
	struct sip_sess *s = NULL;
	cr_assert_eq(sip_sess_invite(&s, far, &p), 0);
	far_sess = s;
	run(5);
	return s;
}

/* The call of the fake PSTN leg, and its SIP leg. */
struct call *the_call(void)
{
	cr_assert_not_null(pstn, "no PSTN leg");
	cr_assert_not_null(pstn->leg.call);
	return pstn->leg.call;
}

struct call_leg *sip_leg(void)
{
	struct call *c = the_call();
	return c->in == &pstn->leg ? c->out : c->in;
}

/* Empties `fd`, then hands the SIP leg's stream `frames` frames of TDM
 * audio; what came of them is then waiting at `fd`. */
static ssize_t rtp_after_frames(int fd, unsigned frames, uint8_t *buf, size_t sz)
{
	struct media_stream *ms = leg_sip_stream(sip_leg());
	uint8_t blk[MEDIA_FRAME_SAMPLES];
	cr_assert_not_null(ms, "no stream");
	while (recv(fd, buf, sz, MSG_DONTWAIT) > 0)
		; /* earlier packets */
	memset(blk, 0xd5, sizeof(blk));
	for (unsigned i = 0; i < frames; i++)
		media_stream_tdm_put(blk, sizeof(blk), ms);
	return recv(fd, buf, sz, MSG_DONTWAIT);
}

void rtp_reaches_fd(int fd, uint8_t pt)
{
	uint8_t buf[512];
	ssize_t n = rtp_after_frames(fd, 1, buf, sizeof(buf));
	cr_assert_eq(n, 12 + MEDIA_FRAME_SAMPLES, "one RTP packet at the port (got %zd)", n);
	cr_assert_eq(buf[1] & 0x7f, pt);
}

void rtp_silent_fd(int fd)
{
	uint8_t buf[512];
	ssize_t n = rtp_after_frames(fd, 5, buf, sizeof(buf));
	cr_assert_lt(n, 0, "no RTP at the port (got %zd bytes)", n);
}

void rtp_reaches_far_end(uint8_t pt)
{
	rtp_reaches_fd(far_rtp, pt);
}

void rtp_silent_at_far_end(void)
{
	rtp_silent_fd(far_rtp);
}

/* The port of the first m-line of the SDP the far end last saw. */
unsigned far_sdp_port(const char **fmts)
{
	struct sip_sdp s;
	static char f[64];
	cr_assert_eq(sip_sdp_parse(&s, far_sdp), 0, "SDP: %s", far_sdp);
	snprintf(f, sizeof(f), "%s", s.m[0].fmt_text);
	if (fmts)
		*fmts = f;
	return s.m[0].port;
}

unsigned gw_rtp_port(void)
{
	const struct sockaddr_storage *ss = media_stream_local(leg_sip_stream(sip_leg()));
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

struct call_leg *pstn_call(const char *called, const char *calling, uint8_t pres)
{
	pstn = fake_new("in");
	struct call_setup s = {0};
	snprintf(s.called.digits, sizeof(s.called.digits), "%s", called);
	s.called.present = true;
	if (calling) {
		snprintf(s.calling.digits, sizeof(s.calling.digits), "%s", calling);
		s.calling.present = true;
		s.calling.ton = pstn_calling_ton;
	}
	s.calling.pres = pres;
	strcpy(s.group, "pstn");
	s.span = 1;
	/* Taken now: a call that fails at once frees its legs (and clears
	 * `pstn`) while the loop runs. */
	struct call_leg *leg = &pstn->leg;
	cr_assert_eq(call_incoming(&cenv, leg, &s), 0);
	run(5);
	return leg;
}

const char *far_answer_sdp(const char *fmts)
{
	static char sdp[512];
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP %s\r\n",
		 far_rtp_port, fmts);
	return sdp;
}
