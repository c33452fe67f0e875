/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip_uas: a minimal auto-answering UAS on the strowger SIP layers, for
 * interop tests and the benchmark.  Every INVITE gets 180 then 200 with an
 * SDP answer; BYEs are answered.  Prints "PORT <n>" once listening and a
 * stats line at exit (SIGTERM/SIGINT).
 *
 *   sip_uas [-t] [-a ip] [-p port] [-r 486|ring|early] [-e secs] [-m]
 *           [-c sip:USER@IP:PORT [-d secs]]
 *     -t  TCP instead of UDP    -r 486: reject every call    -r ring: never answer
 *     -r early: 183 with the SDP answer (reliable when the caller supports
 *               100rel, RFC 3262), 200 one second later
 *     -e  session timer interval (RFC 4028), Min-SE half of it (tests only:
 *         below the 90 s the RFC allows)
 *     -m  media: the SDP names a real RTP port, and every packet that
 *         arrives there goes back to its sender (under our own SSRC), so a
 *         peer hears itself; counted in the stats line ("rtp N")
 *     -c  also place one call (UAC) to that URI, with an SDP offer; once
 *         it is answered, hang up (BYE) after -d seconds (default 3), and
 *         exit when it has ended ("uac STATUS" in the stats line: 200 for
 *         a call answered and ended by our BYE)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/sdp.h"
#include "sip/sip.h"

static uint64_t sdp_version;

static int mode; /* 0 answer, 1 reject 486, 2 ring forever, 3 early media */
static unsigned long calls, ended;
static struct loop *the_loop;
static const char *the_ip = "127.0.0.1";
static uint16_t rtp_port = 40000; /* named in our SDP; -m: a real socket's */
static unsigned long rtp_echoed;
static int rtp_fd = -1;

/* -m: one socket for every call; a packet goes back where it came from
 * (symmetric RTP) under our SSRC (RFC 3550 §5.1), as a far end's would. */
static void rtp_echo(int fd, uint32_t events, void *arg)
{
	(void)events, (void)arg;
	uint8_t pkt[2048];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n;
	while ((n = recvfrom(fd, pkt, sizeof(pkt), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &flen)) > 0) {
		if (n >= 12 && (pkt[0] >> 6) == 2) {
			memcpy(pkt + 8, "\x5a\x5a\x0e\x70", 4);
			if (sendto(fd, pkt, (size_t)n, 0, (struct sockaddr *)&from, flen) == n)
				rtp_echoed++;
		}
		flen = sizeof(from);
	}
}

static int rtp_open(struct loop *loop, const char *ip)
{
	struct sockaddr_storage sa = { 0 };
	socklen_t len;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
	if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		len = sizeof(*v6);
	} else {
		return EINVAL;
	}
	int fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		return errno;
	rtp_port = ntohs(sa.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
	rtp_fd = fd;
	return loop_fd_add(loop, fd, EPOLLIN, rtp_echo, NULL);
}

/* Answer the offer in `msg` (RFC 3264) with `status`; 488 if nothing in it
 * is usable.  The answer text goes to `out` too. */
static int answer_with(struct sip_sess *sess, const struct sip_msg *msg, uint16_t status,
		       char *out, size_t sz)
{
	struct sip_sdp_caps caps = {.addr = the_ip,
				    .port = rtp_port,
				    .ptime = 20,
				    .dir = SIP_SDP_SENDRECV,
				    .session_id = 1};
	struct sip_sdp offer;
	const char *body = sip_msg_body(msg, NULL);

	caps.version = ++sdp_version;
	if (!body || sip_sdp_parse(&offer, body) || sip_sdp_answer(&offer, &caps, out, sz, NULL)) {
		sip_sess_answer(sess, 488, NULL, NULL, NULL);
		return -1;
	}
	sip_sess_answer(sess, status, NULL, "application/sdp", out);
	return 0;
}

static void answer(struct sip_sess *sess, const struct sip_msg *msg)
{
	char out[1024];

	answer_with(sess, msg, 200, out, sizeof(out));
}

/* Early media: the 200 follows the 183 a second later. */
struct later {
	struct loop_timer t;
	struct sip_sess *sess;
	char sdp[1024];
};

static void later_fire(void *arg)
{
	struct later *l = arg;

	if (sip_sess_state(l->sess) == SIP_SESS_EARLY)
		sip_sess_answer(l->sess, 200, NULL, "application/sdp", l->sdp);
	mem_deref(l->sess);
	free(l);
}

static void early(struct sip_sess *sess, const struct sip_msg *msg)
{
	struct later *l = calloc(1, sizeof(*l));

	if (!l || answer_with(sess, msg, 183, l->sdp, sizeof(l->sdp))) {
		free(l);
		return;
	}
	loop_timer_init(&l->t);
	l->sess = mem_ref(sess);
	loop_timer_start(the_loop, &l->t, NS_PER_S, later_fire, l);
}

static void on_invite(struct sip_sess *sess, const struct sip_msg *msg, void *arg)
{
	(void)arg;
	calls++;
	if (mode == 1) {
		sip_sess_answer(sess, 486, NULL, NULL, NULL);
		return;
	}
	if (mode == 3) {
		early(sess, msg);
		return;
	}
	sip_sess_answer(sess, 180, NULL, NULL, NULL);
	if (mode == 0)
		answer(sess, msg);
}

/* -c: our one outgoing call, hung up `uac_secs` after the answer. */
static struct sip_sess *uac;
static unsigned uac_secs = 3;
static int uac_status = -1; /* how it ended: 200 after our BYE, else the status */
static bool uac_byed;
static struct loop_timer uac_timer;

static void uac_hangup(void *arg)
{
	(void)arg;
	uac_byed = sip_sess_bye(uac) == 0;
}

static int uac_call(struct sip_stack *stack, const char *uri)
{
	char ip[64], offer[1024];
	unsigned port = 0;
	const char *at = strchr(uri, '@');
	if (strncmp(uri, "sip:", 4) || !at || sscanf(at + 1, "%63[^:]:%u", ip, &port) != 2 ||
	    !port || port > 65535)
		return EINVAL;
	struct sip_sdp_caps caps = {.addr = the_ip, .port = rtp_port, .ptime = 20, .dtmf_pt = 101,
				    .dir = SIP_SDP_SENDRECV, .session_id = 2, .version = 1};
	int err = sip_sdp_offer(&caps, offer, sizeof(offer));
	char from[96];
	snprintf(from, sizeof(from), "<sip:sip_uas@%s>", the_ip);
	struct sip_invite_prm prm = {.proto = SIP_PROTO_UDP, .dst_ip = ip,
				     .dst_port = (uint16_t)port, .req_uri = uri, .from = from,
				     .to = uri, .ctype = "application/sdp", .body = offer};
	if (!err)
		err = sip_sess_invite(&uac, stack, &prm);
	if (!err)
		mem_ref(uac);
	return err;
}

static void on_sess(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
		    const struct sip_msg *msg, void *arg)
{
	(void)arg;
	if (ev == SIP_EV_REINVITE || ev == SIP_EV_UPDATE)
		answer(sess, msg);
	if (ev == SIP_EV_TERMINATED && sess != uac)
		ended++;
	if (sess != uac)
		return;
	if (ev == SIP_EV_ANSWERED)
		loop_timer_start(the_loop, &uac_timer, uac_secs * NS_PER_S, uac_hangup, NULL);
	if (ev == SIP_EV_TERMINATED) {
		uac_status = uac_byed ? 200 : status;
		loop_timer_cancel(the_loop, &uac_timer);
		loop_stop(the_loop);
	}
}

int main(int argc, char **argv)
{
	struct sip_handlers h = {.invite_h = on_invite, .sess_h = on_sess};
	enum sip_proto proto = SIP_PROTO_UDP;
	const char *ip = "127.0.0.1";
	struct sip_stack *stack = NULL;
	struct sip_conf conf;
	struct loop *loop = NULL;
	struct clk *clk = NULL;
	struct sip_stats st;
	uint16_t port = 0;
	unsigned se = 0;
	int c, err;

	const char *call_uri = NULL;
	bool media = false;

	while ((c = getopt(argc, argv, "ta:p:r:e:mc:d:")) != -1) {
		switch (c) {
		case 't':
			proto = SIP_PROTO_TCP;
			break;
		case 'a':
			ip = optarg;
			break;
		case 'p':
			port = (uint16_t)atoi(optarg);
			break;
		case 'r':
			mode = !strcmp(optarg, "486") ? 1 : !strcmp(optarg, "ring") ? 2 : 0;
			if (!strcmp(optarg, "early"))
				mode = 3;
			break;
		case 'e':
			se = (unsigned)atoi(optarg);
			break;
		case 'm':
			media = true;
			break;
		case 'c':
			call_uri = optarg;
			break;
		case 'd':
			uac_secs = (unsigned)atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: sip_uas [-t] [-a ip] [-p port] "
					"[-r 486|ring|early] [-e secs] [-m] "
					"[-c sip:USER@IP:PORT [-d secs]]\n");
			return 2;
		}
	}
	log_set_level_all(LL_WARN);
	sip_conf_defaults(&conf);
	if (se) {
		conf.session_expires = se;
		conf.min_se = se / 2 ? se / 2 : 1;
	}
	loop_timer_init(&uac_timer);
	err = clk_alloc(&clk, CLK_REAL);
	if (!err)
		err = loop_alloc(&loop, clk);
	the_loop = loop;
	if (!err && media) {
		the_ip = ip;
		err = rtp_open(loop, ip);
	}
	if (!err)
		err = sip_stack_alloc(&stack, loop, &conf, &h, NULL);
	if (!err)
		err = sip_stack_listen(stack, proto, ip, port, &port);
	if (!err)
		err = loop_signals(loop, NULL, NULL);
	if (!err && call_uri)
		err = uac_call(stack, call_uri);
	if (err) {
		fprintf(stderr, "sip_uas: %s\n", strerror(err));
		return 1;
	}
	printf("PORT %u\n", port);
	fflush(stdout);
	loop_run(loop);
	sip_stack_stats(stack, &st);
	printf("calls %lu ended %lu rx %llu tx_retrans %llu bad %llu rtp %lu", calls, ended,
	       (unsigned long long)st.rx_msgs, (unsigned long long)st.retransmissions,
	       (unsigned long long)st.rx_bad, rtp_echoed);
	if (call_uri)
		printf(" uac %d", uac_status);
	printf("\n");
	mem_deref(uac);
	mem_deref(stack);
	if (rtp_fd >= 0) {
		loop_fd_del(loop, rtp_fd);
		close(rtp_fd);
	}
	mem_deref(loop);
	mem_deref(clk);
	return 0;
}
