/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the D-channel frame decoder (pstn/isdn_q931.c):
 * any bytes as a Q.921 frame.  Decoding and formatting must not read out of
 * bounds or crash, must agree with the quick message-type probe, and the
 * same bytes fed to a live controller (libpri behind it) must not crash it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "pstn/isdn_pipe.h"
#include "pstn/isdn_q931.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct loop *loop;
static struct isdn_ctrl *net, *cpe;

/* One pair of controllers for the whole run: libpri has no destructor. */
static void pair_start(void)
{
	static const struct isdn_handlers h = {0};
	struct clk *clk;
	struct isdn_pipe *pipe;
	struct isdn_conf c;

	clk_alloc(&clk, CLK_VIRTUAL);
	loop_alloc(&loop, clk);
	isdn_pipe_alloc(&pipe, loop, 2);
	isdn_pipe_set_rate(pipe, 64000); /* a frame storm stays a trickle */
	isdn_conf_init(&c);
	c.role = ISDN_ROLE_NETWORK;
	isdn_ctrl_alloc(&net, loop, &c, &isdn_pipe_ops, isdn_pipe_end(pipe, 0), &h, NULL);
	c.role = ISDN_ROLE_CPE;
	isdn_ctrl_alloc(&cpe, loop, &c, &isdn_pipe_ops, isdn_pipe_end(pipe, 1), &h, NULL);
	isdn_pipe_attach(pipe, 0, net);
	isdn_pipe_attach(pipe, 1, cpe);
	loop_run_for(loop, 2 * NS_PER_S);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isdn_frame f;
	const char *why = NULL;
	char line[256];
	/* an exact-size copy, so that reading past the end is caught */
	uint8_t *p = malloc(size ? size : 1);

	if (!p)
		return 0;
	memcpy(p, data, size);
	if (!loop) {
		log_set_level_all(LL_ERROR);
		pair_start();
	}
	int rc = isdn_frame_decode(&f, p, size, &why);
	if (rc != 0 && (rc != EBADMSG || !why))
		abort();
	size_t n = isdn_frame_format(&f, line, sizeof(line));
	if (n >= sizeof(line) || strlen(line) != n)
		abort();
	int mt = isdn_frame_mt(p, size);
	if (rc == 0 && f.has_l3 && f.kind == ISDN_L2_I && f.pd == Q931_PD_Q931 && mt != f.mt)
		abort();
	isdn_ctrl_input(size && (p[0] & 2) ? cpe : net, p, size);
	loop_run_for(loop, 5 * NS_PER_MS);
	free(p);
	return 0;
}
