/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the D-channel frame decoder and readable log line, and the
 * pcap writer (LINUX_LAPD) on its own and tracing a call.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "isdn_b2b.h"
#include "pstn/isdn_q931.h"
#include "sg_test.h"

static void setup(void)
{
	sg_test_begin();
	log_set_level(LC_ISDN, LL_ERROR);
	log_set_level(LC_FSM, LL_ERROR);
}

static void teardown(void)
{
	sg_test_end();
}

TestSuite(isdn_q931, .init = setup, .fini = teardown);

/* I-frame, SAPI 0, TEI 0, N(S)=0 N(R)=0: SETUP cref 1 (2 octets). */
static const uint8_t setup_frame[] = {
    0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01,
    0x05, 0x04, 0x03, 0x80, 0x90, 0xa3,		    /* speech, 64k, A-law */
    0x18, 0x03, 0xa9, 0x83, 0x81,		    /* PRI, exclusive, B1 */
    0x6c, 0x05, 0x21, 0x83, 0x31, 0x30, 0x30,	    /* calling 100 nat/E.164 */
    0x70, 0x04, 0xa1, 0x32, 0x30, 0x30,		    /* called 200 */
    0x74, 0x06, 0x21, 0x20, 0x81, 0x33, 0x30, 0x30, /* redirecting 300, cfb */
    0x1e, 0x02, 0x82, 0x83,			    /* progress 3 */
    0xa1,					    /* sending complete */
};

Test(isdn_q931, setup_decoded)
{
	struct isdn_frame f;
	const char *why;
	cr_assert_eq(isdn_frame_decode(&f, setup_frame, sizeof(setup_frame), &why), 0, "%s", why);
	cr_assert_eq(f.kind, ISDN_L2_I);
	cr_assert(f.has_l3);
	cr_assert_eq(f.mt, Q931_SETUP);
	cr_assert_eq(f.cref, 1);
	cr_assert(!f.cref_flag);
	cr_assert_eq(f.chan, 1);
	cr_assert(f.exclusive);
	cr_assert_eq(f.bc_cap, 0);
	cr_assert_eq(f.bc_l1, 0x23);
	cr_assert_str_eq(f.calling.digits, "100");
	cr_assert_eq(f.calling.ton, 2);
	cr_assert_eq(f.calling.npi, 1);
	cr_assert_eq(f.calling.screen, 3);
	cr_assert_str_eq(f.called.digits, "200");
	cr_assert_str_eq(f.redirecting.digits, "300");
	cr_assert_eq(f.redirecting.pres, 1);
	cr_assert_eq(f.progress, 3);
	cr_assert(f.complete);
	cr_assert_eq(f.n_unknown, 0);
	cr_assert_eq(isdn_frame_mt(setup_frame, sizeof(setup_frame)), Q931_SETUP);
	char line[256];
	isdn_frame_format(&f, line, sizeof(line));
	cr_assert(strstr(line, "I ns=0 nr=0 sapi=0 tei=0 | SETUP cref=1 chan=1! called=200"), "%s",
		  line);
	cr_assert(strstr(line, "complete"), "%s", line);
}

Test(isdn_q931, disconnect_cause_and_location)
{
	static const uint8_t disc[] = {0x02, 0x01, 0x02, 0x02, 0x08, 0x02, 0x80,
				       0x01, 0x45, 0x08, 0x02, 0x82, 0x91};
	struct isdn_frame f;
	cr_assert_eq(isdn_frame_decode(&f, disc, sizeof(disc), NULL), 0);
	cr_assert(f.cr);
	cr_assert(f.cref_flag);
	cr_assert_eq(f.cause, 17);
	cr_assert_eq(f.location, 2);
	cr_assert_str_eq(isdn_q931_mt_name(f.pd, f.mt), "DISCONNECT");
	cr_assert_str_eq(isdn_q850_name(17), "user busy");
}

Test(isdn_q931, bri_channel_and_restart_indicator)
{
	static const uint8_t rst[] = {0x00, 0x01, 0x00, 0x00, 0x08, 0x01, 0x00,
				      0x46, 0x18, 0x01, 0x8a, 0x79, 0x01, 0x80};
	struct isdn_frame f;
	cr_assert_eq(isdn_frame_decode(&f, rst, sizeof(rst), NULL), 0);
	cr_assert_eq(f.chan, 2);
	cr_assert(f.exclusive);
	cr_assert(f.has_restart);
	cr_assert_eq(f.restart_class, 0);
}

Test(isdn_q931, q921_frames)
{
	static const uint8_t sabme[] = {0x00, 0x01, 0x7f};
	static const uint8_t rr[] = {0x02, 0x01, 0x01, 0x0b};
	static const uint8_t tei_req[] = {0xfc, 0xff, 0x03, 0x0f, 0x12, 0x34, 0x01, 0xff};
	struct isdn_frame f;
	char line[128];
	cr_assert_eq(isdn_frame_decode(&f, sabme, sizeof(sabme), NULL), 0);
	isdn_frame_format(&f, line, sizeof(line));
	cr_assert_str_eq(line, "SABME sapi=0 tei=0 p/f");
	cr_assert_eq(isdn_frame_decode(&f, rr, sizeof(rr), NULL), 0);
	isdn_frame_format(&f, line, sizeof(line));
	cr_assert_str_eq(line, "RR nr=5 sapi=0 tei=0 p/f");
	cr_assert_eq(isdn_frame_decode(&f, tei_req, sizeof(tei_req), NULL), 0);
	cr_assert_eq(f.sapi, 63);
	cr_assert_eq(f.tei, 127);
	cr_assert(!f.has_l3, "TEI management is not Q.931");
}

Test(isdn_q931, every_truncation_is_safe)
{
	struct isdn_frame f;
	for (size_t len = 0; len <= sizeof(setup_frame); len++) {
		/* a copy of exactly len bytes, so that valgrind sees any overread */
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, setup_frame, len);
		const char *why = NULL;
		int rc = isdn_frame_decode(&f, p, len, &why);
		cr_assert(rc == 0 || (rc == EBADMSG && why), "len %zu", len);
		char line[256];
		isdn_frame_format(&f, line, sizeof(line));
		free(p);
	}
}

Test(isdn_q931, malformed_headers)
{
	static const struct {
		uint8_t b[12];
		size_t len;
		const char *why;
	} bad[] = {
	    {{0x01, 0x01, 0x00}, 3, "address extension"},
	    {{0x00, 0x00, 0x00}, 3, "address extension"},
	    {{0x00, 0x01, 0x00}, 3, "second control octet"},
	    {{0x00, 0x01, 0x00, 0x00, 0x08, 0x03, 1, 2, 3, 5}, 10, "call reference length"},
	    {{0x00, 0x01, 0x00, 0x00, 0x08, 0x01, 0x01, 0x85}, 8, "bit 8"},
	    {{0x00, 0x01, 0x00, 0x00, 0x08, 0x01, 0x01, 0x05, 0x70, 0x09, 0x81},
	     11,
	     "longer than the message"},
	    {{0x00, 0x01, 0x00, 0x00, 0x08, 0x01, 0x01, 0x05, 0x70}, 9, "without a length"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct isdn_frame f;
		const char *why = NULL;
		cr_assert_eq(isdn_frame_decode(&f, bad[i].b, bad[i].len, &why), EBADMSG, "case %zu",
			     i);
		cr_assert(why && strstr(why, bad[i].why), "case %zu: %s", i, why ? why : "-");
	}
	cr_assert_eq(isdn_frame_mt(bad[4].b, bad[4].len), -1);
}

Test(isdn_q931, unknown_and_bad_ies_are_counted)
{
	static const uint8_t m[] = {0x00, 0x01, 0x00, 0x00, 0x08, 0x01,
				    0x01, 0x07, 0x35, 0x01, 0x00, /* unassigned IE */
				    0x08, 0x01, 0x80,		  /* cause without value */
				    0x96, 0x7f, 0x01, 0x00,	  /* codeset 6 */
				    0x18, 0x01, 0x89};
	struct isdn_frame f;
	cr_assert_eq(isdn_frame_decode(&f, m, sizeof(m), NULL), 0);
	cr_assert_eq(f.n_unknown, 4, "0x35, the short cause, and two IEs in codeset 6");
	cr_assert(!f.has_cause);
	cr_assert_eq(f.chan, 0, "codeset 6 is locked: the channel IE is not codeset 0");
}

static char *tmp_path(void)
{
	char *p = malloc(64);
	snprintf(p, 64, "/tmp/isdn_pcap_%d.pcap", (int)getpid());
	return p;
}

Test(isdn_q931, pcap_linux_lapd_records)
{
	struct clk *clk;
	struct isdn_pcap *pc;
	char *path = tmp_path();
	uint8_t buf[256];
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	clk_advance(clk, 1500 * NS_PER_MS);
	cr_assert_eq(isdn_pcap_open(&pc, path, clk), 0);
	cr_assert_eq(isdn_pcap_write(pc, setup_frame, sizeof(setup_frame), true, false), 0);
	cr_assert_eq(isdn_pcap_write(pc, setup_frame, 3, false, true), 0);
	mem_deref(pc);
	FILE *f = fopen(path, "rb");
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	unlink(path);
	free(path);
	cr_assert_eq(n, 24 + 16 + 16 + sizeof(setup_frame) + 16 + 16 + 3);
	uint32_t magic, linktype, sec, usec, caplen;
	memcpy(&magic, buf, 4);
	memcpy(&linktype, buf + 20, 4);
	memcpy(&sec, buf + 24, 4);
	memcpy(&usec, buf + 28, 4);
	memcpy(&caplen, buf + 32, 4);
	cr_assert_eq(magic, 0xa1b2c3d4u);
	cr_assert_eq(linktype, 177);
	cr_assert_eq(sec, 1767225601u, "virtual wall time");
	cr_assert_eq(usec, 500000);
	cr_assert_eq(caplen, 16 + sizeof(setup_frame));
	const uint8_t *h1 = buf + 40, *h2 = buf + 40 + 16 + sizeof(setup_frame) + 16;
	cr_assert(h1[0] == 0 && h1[1] == 4, "sent by us");
	cr_assert(h1[2] == 0x20 && h1[3] == 0xfd, "ARPHRD_LAPD");
	cr_assert_eq(h1[6], 0, "we are the user side");
	cr_assert(h1[14] == 0 && h1[15] == 0x30, "ETH_P_LAPD");
	cr_assert(h2[1] == 0 && h2[6] == 1);
	cr_assert_eq(memcmp(h1 + 16, setup_frame, sizeof(setup_frame)), 0);
	cr_assert_eq(isdn_pcap_open(&pc, "/nonexistent/dir/x.pcap", clk), ENOENT);
	mem_deref(clk);
}

Test(isdn_q931, trace_a_call)
{
	static struct b2b b;
	struct isdn_pcap *pc;
	char *path = tmp_path();
	memset(&b, 0, sizeof(b));
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	cr_assert_eq(isdn_pcap_open(&pc, path, b.clk), 0);
	isdn_ctrl_trace(b.side[0].ctrl, pc);
	mem_deref(pc);
	b.side[0].mode = B2B_ANSWER;
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 100 * NS_PER_MS);
	isdn_call_hangup(b.side[1].call, 16);
	b2b_run(&b, 100 * NS_PER_MS);
	b2b_stop(&b);
	FILE *f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	unlink(path);
	free(path);
	/* 7 Q.931 messages each way of the call, RRs, no less */
	cr_assert_gt(size, 24 + 14 * 40, "%ld bytes", size);
}
