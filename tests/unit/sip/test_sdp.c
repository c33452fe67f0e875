/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/sdp: offer/answer (RFC 3264) cases, by what the offer holds.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "core/mem.h"
#include "sip/sdp.h"

static const struct sip_sdp_caps caps = {
    .addr = "192.0.2.10",
    .port = 30000,
    .ptime = 20,
    .dtmf_pt = 101,
    .dir = SIP_SDP_SENDRECV,
    .session_id = 7,
    .version = 1,
};
static char out[2048];

#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"

static int answer(const char *offer_text, struct sip_sdp *res)
{
	struct sip_sdp offer;
	int err = sip_sdp_parse(&offer, offer_text);

	cr_assert_eq(err, 0, "offer does not parse");
	return sip_sdp_answer(&offer, &caps, out, sizeof(out), res);
}

Test(sdp, g711_and_dtmf_keep_offered_numbers_and_order)
{
	struct sip_sdp r;

	cr_assert_eq(answer(HEAD
			    "m=audio 4000 RTP/AVP 0 8 96\r\na=rtpmap:96 telephone-event/8000\r\n"
			    "a=fmtp:96 0-16\r\na=ptime:30\r\n",
			    &r),
		     0);
	cr_assert(strstr(out, "m=audio 30000 RTP/AVP 0 8 96\r\n"), "%s", out);
	cr_assert(strstr(out, "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n"), "%s", out);
	cr_assert(strstr(out, "a=ptime:20\r\n"));
	cr_assert(strstr(out, "a=sendrecv\r\n"));
	cr_assert(strstr(out, "c=IN IP4 192.0.2.10\r\n"));
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.m[0].n_fmt, 3);
}

Test(sdp, answer_never_holds_what_was_not_offered)
{
	cr_assert_eq(answer(HEAD "m=audio 4000 RTP/AVP 8 18\r\na=rtpmap:18 G729/8000\r\n", NULL),
		     0);
	cr_assert(strstr(out, "m=audio 30000 RTP/AVP 8\r\n"), "%s", out);
	cr_assert_null(strstr(out, "PCMU"));
	cr_assert_null(strstr(out, "telephone-event"));
	cr_assert_null(strstr(out, " 18"));
}

Test(sdp, hold_sendonly_is_answered_recvonly)
{
	cr_assert_eq(answer(HEAD "m=audio 4000 RTP/AVP 8\r\na=sendonly\r\n", NULL), 0);
	cr_assert(strstr(out, "a=recvonly\r\n"), "%s", out);
	cr_assert_eq(answer(HEAD "a=inactive\r\nm=audio 4000 RTP/AVP 8\r\n", NULL), 0);
	cr_assert(strstr(out, "a=inactive\r\n"), "%s", out);
	cr_assert_eq(answer(HEAD "m=audio 4000 RTP/AVP 8\r\na=recvonly\r\n", NULL), 0);
	cr_assert(strstr(out, "a=sendonly\r\n"), "%s", out);
}

Test(sdp, unusable_streams_rejected_with_port_zero)
{
	struct sip_sdp r;

	cr_assert_eq(answer(HEAD "m=audio 4000 RTP/AVP 8\r\nm=video 5000 RTP/AVP 31\r\n"
				 "m=image 6000 udptl t38\r\n",
			    &r),
		     0);
	cr_assert(strstr(out, "m=video 0 RTP/AVP 31\r\n"), "%s", out);
	cr_assert(strstr(out, "m=image 0 udptl t38\r\n"), "%s", out);
	cr_assert_eq(r.n, 3);
	cr_assert_eq(r.m[1].port, 0);
	cr_assert_eq(answer(HEAD "m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n", NULL),
		     EPROTO);
	cr_assert(strstr(out, "m=audio 0 RTP/AVP 18\r\n"), "%s", out);
	cr_assert_eq(answer(HEAD "m=audio 0 RTP/AVP 8\r\n", NULL), EPROTO);
	cr_assert_eq(
	    answer(HEAD "m=audio 4000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n", NULL),
	    EPROTO, "DTMF alone is no stream");
}

Test(sdp, srtp_offer_keeps_crypto_for_media_layer)
{
	struct sip_sdp o;

	cr_assert_eq(
	    sip_sdp_parse(
		&o,
		HEAD "m=audio 4000 RTP/SAVP 8\r\na=crypto:1 "
		     "AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"),
	    0);
	cr_assert_eq(o.m[0].n_crypto, 1);
	cr_assert_str_eq(o.m[0].crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
	cr_assert_eq(sip_sdp_answer(&o, &caps, out, sizeof(out), NULL), EPROTO,
		     "SRTP is not negotiated yet");
}

Test(sdp, garbage_refused)
{
	struct sip_sdp o;

	cr_assert_eq(sip_sdp_parse(&o, "hello"), EBADMSG);
	cr_assert_eq(sip_sdp_parse(&o, HEAD "m=audio 99999 RTP/AVP 8\r\n"), EBADMSG);
	cr_assert_eq(sip_sdp_parse(&o, HEAD), EBADMSG, "no media");
}

Test(sdp, offer_lists_g711_and_dtmf)
{
	cr_assert_eq(sip_sdp_offer(&caps, out, sizeof(out)), 0);
	cr_assert(strstr(out, "m=audio 30000 RTP/AVP 8 0 101\r\n"), "%s", out);
	cr_assert_eq(sip_sdp_offer(&caps, out, 40), ENOSPC);
}
