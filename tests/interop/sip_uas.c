/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip_uas: a minimal auto-answering UAS on the strowger SIP layers, for
 * interop tests and the benchmark.  Every INVITE gets 180 then 200 with an
 * SDP answer; BYEs are answered.  Prints "PORT <n>" once listening and a
 * stats line at exit (SIGTERM/SIGINT).
 *
 *   sip_uas [-t] [-a ip] [-p port] [-r 486|ring|early] [-e secs]
 *     -t  TCP instead of UDP    -r 486: reject every call    -r ring: never answer
 *     -r early: 183 with the SDP answer (reliable when the caller supports
 *               100rel, RFC 3262), 200 one second later
 *     -e  session timer interval (RFC 4028), Min-SE half of it (tests only:
 *         below the 90 s the RFC allows)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Answer the offer in `msg` (RFC 3264) with `status`; 488 if nothing in it
 * is usable.  The answer text goes to `out` too. */
static int answer_with(struct sip_sess *sess, const struct sip_msg *msg, uint16_t status,
		       char *out, size_t sz)
{
	struct sip_sdp_caps caps = {.addr = "127.0.0.1",
				    .port = 40000,
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

static void on_sess(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
		    const struct sip_msg *msg, void *arg)
{
	(void)status, (void)arg;
	if (ev == SIP_EV_REINVITE || ev == SIP_EV_UPDATE)
		answer(sess, msg);
	if (ev == SIP_EV_TERMINATED)
		ended++;
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

	while ((c = getopt(argc, argv, "ta:p:r:e:")) != -1) {
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
		default:
			fprintf(stderr, "usage: sip_uas [-t] [-a ip] [-p port] "
					"[-r 486|ring|early] [-e secs]\n");
			return 2;
		}
	}
	log_set_level_all(LL_WARN);
	sip_conf_defaults(&conf);
	if (se) {
		conf.session_expires = se;
		conf.min_se = se / 2 ? se / 2 : 1;
	}
	err = clk_alloc(&clk, CLK_REAL);
	if (!err)
		err = loop_alloc(&loop, clk);
	the_loop = loop;
	if (!err)
		err = sip_stack_alloc(&stack, loop, &conf, &h, NULL);
	if (!err)
		err = sip_stack_listen(stack, proto, ip, port, &port);
	if (!err)
		err = loop_signals(loop, NULL, NULL);
	if (err) {
		fprintf(stderr, "sip_uas: %s\n", strerror(err));
		return 1;
	}
	printf("PORT %u\n", port);
	fflush(stdout);
	loop_run(loop);
	sip_stack_stats(stack, &st);
	printf("calls %lu ended %lu rx %llu tx_retrans %llu bad %llu\n", calls, ended,
	       (unsigned long long)st.rx_msgs, (unsigned long long)st.retransmissions,
	       (unsigned long long)st.rx_bad);
	mem_deref(stack);
	mem_deref(loop);
	mem_deref(clk);
	return 0;
}
