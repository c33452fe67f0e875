/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixture of the gateway scenario tests (see gw_fx.h): a configuration
 * written to a temporary directory, loaded as the daemon loads it, and the
 * gateway started on a virtual-time loop; a SIP phone (our own stack, the
 * far end) and a raw UDP peer on loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call/call.h"
#include "call/cdr.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "ctl/ctl.h"
#include "gateway.h"
#include "gw_fx.h"
#include "gw_pstn.h"
#include "gw_sip.h"
#include "gwconf.h"
#include "pstn/isdn_switch.h"
#include "sg_test.h"
#include "sip/sip.h"

static struct clk *clk;
static struct loop *loop;
static struct sg_config *cfg;
static struct gateway *gw;
static struct sip_stack *far;
static uint16_t far_port, far_rtp_port;
uint16_t raw_port;
static int far_rtp = -1;
static char dir[64];
uint16_t gw_port;
int raw = -1;
char raw_rx[8192];
char trail[4096];
char far_reason[160], far_ruri[256], far_users[256];
unsigned far_min_digits;
struct sip_sess *far_uac, *far_uas;

static const char test_exchange[] =
	"on 2* proceeding alert inband tone ringback wait 1s answer tone 1004\n"
	"on 7* proceeding answer echo\n"
	"on 3* reject 17\non 4* proceeding alert never\non 5* reject 1\non 6* reject 34\n"
	"on * reject 1\n";

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

bool has(const char *needle)
{
	return strstr(trail, needle) != NULL;
}

unsigned count(const char *needle)
{
	unsigned n = 0;
	for (const char *p = strstr(trail, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* --- the phone: a SIP stack of our own ------------------------------------ */

static void copy_reason(const struct sip_msg *msg)
{
	const char *h = msg ? sip_msg_header(msg, "Reason", 0) : NULL;
	if (h)
		snprintf(far_reason, sizeof(far_reason), "%s", h);
}

static void far_invite(struct sip_sess *sess, const struct sip_msg *msg, void *arg)
{
	(void)arg;
	far_uas = sess;
	sip_msg_ruri(msg, far_ruri, sizeof(far_ruri));
	say("far:INVITE ");
	const char *user = strncmp(far_ruri, "sip:", 4) ? far_ruri : far_ruri + 4;
	size_t n = strcspn(user, "@"), have = strlen(far_users);
	snprintf(far_users + have, sizeof(far_users) - have, "%.*s ", (int)n, user);
	if (n < far_min_digits) /* RFC 3578: address incomplete */
		cr_assert_eq(sip_sess_answer(sess, 484, NULL, NULL, NULL), 0);
}

static void far_event(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
		      const struct sip_msg *msg, void *arg)
{
	(void)arg;
	say("far:%s(%u) ", sip_sess_ev_name(ev), status);
	copy_reason(msg);
	if (ev != SIP_EV_TERMINATED)
		return;
	if (sess == far_uac)
		far_uac = NULL;
	if (sess == far_uas)
		far_uas = NULL;
}

const char *phone_sdp(void)
{
	static char sdp[512];
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n",
		 far_rtp_port);
	return sdp;
}

const char *raw_sdp(const char *direction, unsigned version)
{
	static char sdp[512];
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 7 %u IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=%s\r\n",
		 version, far_rtp_port, direction);
	return sdp;
}

void phone_call(const char *number)
{
	char ruri[128], to[128];
	snprintf(ruri, sizeof(ruri), "sip:%s@127.0.0.1:%u", number, gw_port);
	snprintf(to, sizeof(to), "<sip:%s@127.0.0.1>", number);
	struct sip_invite_prm p = {
		.proto = SIP_PROTO_UDP, .dst_ip = "127.0.0.1", .dst_port = gw_port,
		.req_uri = ruri, .from = "<sip:5550100@127.0.0.1>", .to = to,
		.ctype = "application/sdp", .body = phone_sdp(),
	};
	cr_assert_eq(sip_sess_invite(&far_uac, far, &p), 0);
	run(20);
}

const char *pbx_call_script(const char *call, const char *then)
{
	static char text[256];
	snprintf(text, sizeof(text), "on * reject 1\ncall %s at 1s%s%s\n", call,
		 then ? " then " : "", then ? then : "");
	return text;
}

void pbx_call_wait(void)
{
	run(600);
}

void phone_answer(void)
{
	cr_assert_not_null(far_uas, "no call to answer: %s", trail);
	cr_assert_eq(sip_sess_answer(far_uas, 180, NULL, NULL, NULL), 0);
	run(20);
	cr_assert_eq(sip_sess_answer(far_uas, 200, NULL, "application/sdp", phone_sdp()), 0);
	run(20);
}

/* --- the raw peer ---------------------------------------------------------- */

void raw_send(const char *fmt, ...)
{
	char text[4096], msg[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* "head\r\n\r\nbody": the fixture adds the Content-Length. */
	char *body = strstr(text, "\r\n\r\n");
	cr_assert_not_null(body, "a message needs its blank line");
	*body = '\0';
	body += 4;
	int n = snprintf(msg, sizeof(msg), "%s\r\nContent-Length: %zu\r\n\r\n%s", text,
			 strlen(body), body);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(gw_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(sendto(raw, msg, (size_t)n, 0, (struct sockaddr *)&a, sizeof(a)), n);
	run(20);
}

const char *raw_recv(void)
{
	for (int i = 0; i < 200; i++) {
		ssize_t n = recv(raw, raw_rx, sizeof(raw_rx) - 1, MSG_DONTWAIT);
		if (n <= 0) {
			run(10);
			continue;
		}
		raw_rx[n] = '\0';
		if (strncmp(raw_rx, "SIP/2.0 100 ", 12))
			return raw_rx;
	}
	cr_assert_fail("the raw peer received nothing");
	return NULL;
}

const char *raw_hdr(const char *name)
{
	static char v[512];
	char key[64];
	snprintf(key, sizeof(key), "\r\n%s: ", name);
	const char *h = strstr(raw_rx, key);
	v[0] = '\0';
	if (h)
		snprintf(v, sizeof(v), "%.*s", (int)strcspn(h + strlen(key), "\r\n"),
			 h + strlen(key));
	return v;
}

/* --- the PSTN side and the records ---------------------------------------- */

const char *pbx_log(unsigned n)
{
	const char *name = n == 1 ? "pbx1" : "pbx2";
	struct isdn_simsw *sw = gw_pstn_pbx(gateway_pstn(gw), name);
	cr_assert_not_null(sw, "no %s", name);
	return isdn_simsw_log(sw);
}

bool pbx_has(unsigned n, const char *needle)
{
	return strstr(pbx_log(n), needle) != NULL;
}

static int cdr_line(const char *line, void *arg)
{
	strncat(arg, line, 8191 - strlen(arg));
	return 0;
}

const char *cdrs(void)
{
	static char text[8192];
	char path[128];
	struct cdr_db *db = NULL;
	text[0] = '\0';
	snprintf(path, sizeof(path), "%s/cdr.db", dir);
	cr_assert_eq(cdr_db_open(&db, path, false), 0);
	cr_assert_eq(cdr_db_csv(db, 0, cdr_line, text), 0);
	mem_deref(db);
	return text;
}

struct gateway *gw_fx_gateway(void)
{
	cr_assert_not_null(gw, "gw_start() first");
	return gw;
}

const char *gw_ctl(const char *line, bool *ok)
{
	static char text[16384];
	char *body = NULL;
	int good = 0;
	cr_assert_eq(ctl_run(gateway_ctl(gw), line, &body, &good), 0);
	snprintf(text, sizeof(text), "%s", body);
	free(body);
	*ok = good;
	return text;
}

void fault(unsigned span, const char *what)
{
	char why[200] = "";
	cr_assert_eq(gw_pstn_fault(gateway_pstn(gw), span, what, NULL, why, sizeof(why)), 0,
		     "%s", why);
}

/* --- the configuration ----------------------------------------------------- */

static void file_write(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void file_write(const char *name, const char *fmt, ...)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	cr_assert_eq(fclose(f), 0);
}

static const char *const files[] = { "strowger.conf", "sim.conf", "plan.map", "pbx1.script",
				     "pbx2.script",   "cdr.db",   "cdr.db-wal", "cdr.db-shm",
				     "ctl.sock" };

static void config_write(const struct gw_opt *o)
{
	char top[4096];
	cr_assert_not_null(realpath(getenv("top_srcdir") ? getenv("top_srcdir") : ".", top));
	file_write("sim.conf", "span=1,1,0,ccs,hdb3,crc4\nspan=2,0,0,ccs,hdb3,crc4\n"
			       "span=3,0,0,ccs,hdb3,crc4\nspan=4,0,0,ccs,hdb3,crc4\n"
			       "bchan=1-15,17-31\ndchan=16\nbchan=32-46,48-62\ndchan=47\n"
			       "bchan=63-77,79-93\ndchan=78\nbchan=94-108,110-124\ndchan=109\n"
			       "loadzone=de\ndefaultzone=de\n");
	file_write("plan.map",
		   "[group east]\n[group west]\n"
		   "[rule to-pstn]\ndir to-pstn\nroute group east policy ascending\n"
		   "fallback group west policy ascending\n"
		   "[rule to-phone]\ndir to-sip\ncalled prefix 1\n"
		   "route uri sip:${called}@127.0.0.1:%u\n"
		   "[rule to-raw]\ndir to-sip\ncalled prefix 9\n"
		   "route uri sip:${called}@127.0.0.1:%u\n"
		   "[digits ext]\ncomplete ^1[0-9]{3}$\ncomplete ^9[0-9]{2}$\n",
		   far_port, raw_port);
	file_write("pbx1.script", "%s", o && o->pbx1 ? o->pbx1 : test_exchange);
	file_write("pbx2.script", "%s", o && o->pbx2 ? o->pbx2 : test_exchange);
	file_write("strowger.conf",
		   "[general]\nnode = scn\ncontrol_socket = %s/ctl.sock\n"
		   "cdr_database = %s/cdr.db\nno_answer = 3s\ntone_zone = de\n"
		   "[sip]\nlisten = 127.0.0.1\nport = 0\ntransports = udp\ntrunk = phones\n%s\n"
		   "[mapping]\ndialplan = plan.map\ncauses = %s/mapping/causes-rfc3398.map\n"
		   "[sim]\nsystem_conf = sim.conf\n"
		   "[span 1]\nswitchtype = euroisdn_e1\nrole = cpe\ngroup = east\n%s\n"
		   "[span 2]\nswitchtype = euroisdn_e1\nrole = cpe\ngroup = %s\n%s\n"
		   "[simpbx pbx1]\nspan = 3\ncross = 1\nscript = pbx1.script\n"
		   "[simpbx pbx2]\nspan = 4\ncross = 2\nscript = pbx2.script\n",
		   dir, dir, o && o->sip ? o->sip : "", top, o && o->span1 ? o->span1 : "",
		   o && o->group2 ? o->group2 : "west", o && o->span2 ? o->span2 : "");
}

struct loop *gw_fx_loop(void)
{
	return loop;
}

void gw_start(const struct gw_opt *opt)
{
	char path[128];
	struct conf_diag diag;
	config_write(opt);
	snprintf(path, sizeof(path), "%s/strowger.conf", dir);
	conf_diag_init(&diag);
	int rc = sg_config_load(&cfg, path, &diag);
	cr_assert_eq(rc, 0, "%s", diag.text ? diag.text : "config");
	conf_diag_reset(&diag);
	cr_assert_eq(gateway_alloc(&gw, loop, cfg), 0);
	gw_port = gw_sip_port(gateway_sip(gw), SIP_PROTO_UDP);
	cr_assert_neq(gw_port, 0);
	run(500); /* the D-channels come up */
}

void gw_stop(void)
{
	gw = mem_deref(gw);
}

void gw_shutdown(void)
{
	gateway_shutdown(gw);
}

void gw_fx_setup(void)
{
	static const struct sip_handlers far_h = { .invite_h = far_invite, .sess_h = far_event };
	sg_test_begin();
	log_capture_start();
	trail[0] = far_reason[0] = far_ruri[0] = far_users[0] = raw_rx[0] = '\0';
	far_min_digits = 0;
	far_uac = far_uas = NULL;
	snprintf(dir, sizeof(dir), "/tmp/sg-scn-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	struct sip_conf sc;
	sip_conf_defaults(&sc);
	cr_assert_eq(sip_stack_alloc(&far, loop, &sc, &far_h, NULL), 0);
	cr_assert_eq(sip_stack_listen(far, SIP_PROTO_UDP, "127.0.0.1", 0, &far_port), 0);
	far_rtp = sg_bind_loopback(SOCK_DGRAM, &far_rtp_port);
	raw = sg_bind_loopback(SOCK_DGRAM, &raw_port);
}

void gw_fx_teardown(void)
{
	run(40 * 1000); /* transactions, 2xx retransmissions, libpri timers */
	if (call_count() != 0) /* in .fini: Criterion would ignore an assertion */
		sg_fail_hard("calls left");
	if (sip_stack_sess_count(far) != 0)
		sg_fail_hard("phone sessions left");
	gw = mem_deref(gw);
	cfg = mem_deref(cfg);
	far = mem_deref(far);
	close(far_rtp);
	close(raw);
	sg_loop_check(loop);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	log_capture_stop();
	sg_test_end();
}
