/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the SIP leg answering offers with SRTP or T.38 streams
 * (src/call/leg_sip_streams.c): the media layer cannot carry them yet, so
 * they get port 0 with the parsed reason logged; an offer with nothing
 * else gets 488.  Over the leg_sip fixture (a far-end stack calls in).
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "leg_sip_fx.h"
#include "sip/sip.h"

TestSuite(leg_sip_sdp, .init = leg_sip_fx_setup, .fini = leg_sip_fx_teardown);

#define HEAD "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
#define KEY30 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"

/* Audio and a T.38 stream: audio is answered, the image stream port 0
 * because the media layer has no fax yet (its parameters in the log). */
Test(leg_sip_sdp, audio_and_t38_keeps_audio)
{
	far_call("0123", "<sip:100@127.0.0.1>", NULL,
		 HEAD "m=audio 4000 RTP/AVP 8\r\nm=image 5000 udptl t38\r\n"
		      "a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n"
		      "a=T38FaxRateManagement:transferredTCF\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n");
	cr_assert(has("pstn:setup(0123) "), "%s", trail);
	call_leg_answer(&pstn->leg);
	run(5);
	cr_assert(has("far:ANSWERED(200) "), "%s", trail);
	cr_assert(strstr(far_sdp, "m=audio "), "%s", far_sdp);
	cr_assert(strstr(far_sdp, "m=image 0 udptl t38\r\n"), "%s", far_sdp);
	cr_assert(log_capture_has("stream 2 (image udptl t38): T.38 fax (version 0, 14400 bit/s, "
				  "transferredTCF) is not in the media layer yet: port 0"));
	call_leg_released(&pstn->leg, 16, 0);
	run(5);
}

/* SRTP only: nothing the media layer can carry, so 488, no call. */
Test(leg_sip_sdp, srtp_only_is_488)
{
	far_call("0123", "<sip:100@127.0.0.1>", NULL,
		 HEAD "m=audio 4000 RTP/SAVP 8\r\n"
		      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "|2^31\r\n");
	cr_assert_str_eq(trail, "far:TERMINATED(488) ");
	cr_assert(log_capture_has("stream 1 (audio RTP/SAVP 8): SRTP (AES_CM_128_HMAC_SHA1_80, "
				  "tag 1, 1 key line) is not in the media layer yet: port 0"));
}

/* A malformed T.38 attribute: the stream is refused with the reason; the
 * audio beside it is still answered. */
Test(leg_sip_sdp, malformed_t38_attribute_is_named)
{
	far_call("0123", "<sip:100@127.0.0.1>", NULL,
		 HEAD "m=audio 4000 RTP/AVP 8\r\nm=image 5000 udptl t38\r\n"
		      "a=T38MaxBitRate:banana\r\n");
	cr_assert(has("pstn:setup(0123) "), "%s", trail);
	cr_assert(log_capture_has("a=T38MaxBitRate: not a number in 2400..33600: port 0"));
	call_leg_answer(&pstn->leg);
	run(5);
	cr_assert(strstr(far_sdp, "m=image 0 udptl t38\r\n"), "%s", far_sdp);
	call_leg_released(&pstn->leg, 16, 0);
	run(5);
}
