/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark: simulated E1 spans, crossed in pairs, with all 30 B-channels
 * of every span streaming 20 ms blocks both ways through drivers/dahdi on
 * a virtual clock.  Reports CPU per channel-second and how many channels
 * one core carries in real time.
 *
 *   tests/bench/bench_sim [seconds] [tick_us]    (defaults: 20 s, 1000 us)
 *
 * A "channel" is one DAHDI B-channel with audio in both directions (a
 * crossed pair is two).  DAHDI numbers at most 1024 channels, so the sim
 * holds 32 E1 spans (960 B-channels); the channel-seconds are what the
 * virtual clock covered, the CPU what the process used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "drivers/tdm.h"
#include "sim/sim.h"

#define NSPANS 32
#define NB     30
#define BLOCK  160

struct stream {
	struct tdm_chan *ch;
	uint8_t blk[BLOCK];
	uint64_t rx, tx;
};

static struct stream streams[NSPANS * NB];

static void audio_h(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	struct stream *s = arg;
	size_t done = 0;

	(void)data;
	s->rx += len;
	tdm_chan_write(ch, s->blk, BLOCK, &done);
	s->tx += done;
}

static char *bench_conf(void)
{
	size_t cap = 8192, n = 0;
	char *text = malloc(cap);
	unsigned s;

	for (s = 1; text && s <= NSPANS; s++) {
		unsigned b = (s - 1) * 31;

		n += (size_t)snprintf(text + n, cap - n,
				      "span=%u,0,0,ccs,hdb3\nbchan=%u-%u,%u-%u\ndchan=%u\n", s,
				      b + 1, b + 15, b + 17, b + 31, b + 16);
	}
	return text;
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_open(struct tdm *tdm, struct sim *sim)
{
	unsigned s, i;

	for (s = 1; s <= NSPANS; s += 2)
		if (sim_span_cross(sim_span_find(sim, s), sim_span_find(sim, s + 1)))
			return 1;
	for (s = 0; s < NSPANS; s++) {
		for (i = 0; i < NB; i++) {
			struct stream *st = &streams[s * NB + i];
			struct tdm_chan_prm prm = {
			    .channo = s * 31 + (i < 15 ? i + 1 : i + 2),
			    .audioh = audio_h,
			    .arg = st,
			};

			memset(st->blk, (int)(0x10 + i), BLOCK);
			if (tdm_chan_open(&st->ch, tdm, &prm))
				return 1;
			tdm_chan_write(st->ch, st->blk, BLOCK, NULL);
			tdm_chan_write(st->ch, st->blk, BLOCK, NULL);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned secs = argc > 1 ? (unsigned)atoi(argv[1]) : 20;
	unsigned tick_us = argc > 2 ? (unsigned)atoi(argv[2]) : 1000;
	char *text = bench_conf();
	struct sim_prm prm = {.text = text, .name = "bench", .tick = tick_us * NS_PER_US};
	struct conf_diag diag;
	struct clk *clk;
	struct loop *loop;
	struct sim *sim;
	struct tdm *tdm;
	double t0, cpu, chsec, per_core;
	uint64_t rx = 0;
	unsigned i;

	log_set_level_all(LL_WARN);
	conf_diag_init(&diag);
	if (!text || clk_alloc(&clk, CLK_VIRTUAL) || loop_alloc(&loop, clk) ||
	    sim_alloc(&sim, loop, &prm, &diag) || tdm_alloc(&tdm, loop, sim_sys(sim)) ||
	    bench_open(tdm, sim)) {
		fprintf(stderr, "bench_sim: setup failed\n%s", diag.text ? diag.text : "");
		return 1;
	}
	loop_run_for(loop, NS_PER_S); /* warm up */
	t0 = cpu_seconds();
	loop_run_for(loop, (uint64_t)secs * NS_PER_S);
	cpu = cpu_seconds() - t0;
	for (i = 0; i < NSPANS * NB; i++) {
		rx += streams[i].rx;
		streams[i].ch = mem_deref(streams[i].ch);
	}
	chsec = (double)NSPANS * NB * secs;
	per_core = chsec / cpu;
	printf("bench_sim: %u E1 spans, %u B-channels both ways, %u s virtual, tick %u us\n",
	       NSPANS, NSPANS * NB, secs, tick_us);
	printf("bench_sim: %.3f s CPU, %.2f us CPU per channel-second, %.1f MB received\n", cpu,
	       cpu * 1e6 / chsec, (double)rx / 1e6);
	printf("RESULT sim_channels_per_core %.0f channels\n", per_core);
	mem_deref(tdm);
	mem_deref(sim);
	mem_deref(loop);
	mem_deref(clk);
	conf_diag_reset(&diag);
	free(text);
	return 0;
}
