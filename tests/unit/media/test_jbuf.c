/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Jitter buffer (src/media/jbuf.c): reorder, loss, duplicates, late
 * packets, overflow, underrun, restart, and a jittery 20 ms stream on a
 * virtual-time loop.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "media/jbuf.h"
#include "sg_test.h"

#define SIL 0xd5

TestSuite(jbuf, .init = sg_test_begin, .fini = sg_test_end);

static struct jbuf jb;

static void init(unsigned min, unsigned max)
{
	struct jbuf_prm p = {.min_frames = min, .max_frames = max, .silence = SIL};
	jbuf_init(&jb, &p);
}

/* Frame k: every byte k % 200 + 1, never the silence code. */
static void frame(unsigned k, uint8_t *b)
{
	memset(b, (int)(k % 200 + 1), JBUF_FRAME);
}

static int put(uint16_t seq)
{
	uint8_t b[JBUF_FRAME];
	frame(seq, b);
	return jbuf_put(&jb, seq, b, sizeof(b));
}

/* Play one frame: its number (byte - 1), or -1 for silence. */
static int get(void)
{
	uint8_t b[JBUF_FRAME];
	jbuf_get(&jb, b, sizeof(b));
	for (int i = 1; i < JBUF_FRAME; i++)
		cr_assert_eq(b[i], b[0], "a frame is all one value");
	return b[0] == SIL ? -1 : b[0] - 1;
}

Test(jbuf, prefill_then_in_order)
{
	init(2, 10);
	cr_expect_eq(get(), -1); /* nothing yet */
	put(0);
	cr_expect_eq(get(), -1); /* below the 2-frame target */
	put(1);
	cr_expect_eq(get(), 0);
	put(2);
	cr_expect_eq(get(), 1);
	cr_expect_eq(get(), 2);
	cr_expect_eq(jbuf_stats(&jb)->played, 3);
}

Test(jbuf, reorder)
{
	init(2, 10);
	put(10);
	put(12);
	put(11);
	cr_expect_eq(get(), 10);
	put(13);
	cr_expect_eq(get(), 11);
	cr_expect_eq(get(), 12);
	cr_expect_eq(get(), 13);
	cr_expect_eq(jbuf_stats(&jb)->lost, 0);
}

Test(jbuf, reordered_first_packet)
{
	init(2, 10);
	put(6);
	put(5); /* the real first packet, late: playout moves back */
	cr_expect_eq(get(), 5);
	cr_expect_eq(get(), 6);
}

Test(jbuf, loss_repeats_once_then_silence)
{
	init(1, 10);
	put(0);
	put(1);
	cr_expect_eq(get(), 0);
	cr_expect_eq(get(), 1);
	put(4);
	cr_expect_eq(get(), 1);	 /* 2 lost: repeat the last frame */
	cr_expect_eq(get(), -1); /* 3 lost: silence */
	cr_expect_eq(get(), 4);
	cr_expect_eq(jbuf_stats(&jb)->lost, 2);
	cr_expect_eq(jbuf_stats(&jb)->filled, 2);
}

/* The frame repeated for a loss is the one played, even when a newer
 * frame has since taken over its slot (seq + JBUF_SLOTS, in a buffer as
 * deep as the ring). */
Test(jbuf, repeat_survives_slot_reuse)
{
	init(1, JBUF_SLOTS);
	put(0);
	put(1);
	cr_expect_eq(get(), 0);
	cr_expect_eq(get(), 1);
	cr_expect_eq(put(1 + JBUF_SLOTS), 0); /* 2 is missing; 33 reuses 1's slot */
	cr_expect_eq(get(), 1);		      /* 2 lost: frame 1 again, not 33 */
	cr_expect_eq(get(), -1);
	cr_expect_eq(jbuf_stats(&jb)->lost, 2);
}

Test(jbuf, duplicate)
{
	init(2, 10);
	cr_expect_eq(put(0), 0);
	cr_expect_eq(put(0), EALREADY);
	put(1);
	cr_expect_eq(put(1), EALREADY);
	cr_expect_eq(jbuf_stats(&jb)->dup, 2);
	cr_expect_eq(get(), 0);
	cr_expect_eq(get(), 1);
}

Test(jbuf, late_grows_target)
{
	init(1, 10);
	put(0);
	put(1);
	cr_expect_eq(get(), 0);
	cr_expect_eq(get(), 1);
	cr_expect_eq(put(0), ETIME);
	cr_expect_eq(jbuf_stats(&jb)->late, 1);
	cr_expect_eq(jbuf_target(&jb), 2);
	cr_expect_eq(jbuf_stats(&jb)->target_grow, 1);
}

/* target_grow counts growth, not trouble: at the ceiling a late packet
 * or an underrun is still counted, the target no longer grows. */
Test(jbuf, target_grow_stops_at_max)
{
	init(1, 2);
	put(0);
	put(1);
	cr_expect_eq(get(), 0);
	cr_expect_eq(get(), 1);
	cr_expect_eq(put(0), ETIME);
	cr_expect_eq(get(), 1); /* ran dry: a repeat */
	cr_expect_eq(jbuf_stats(&jb)->late, 1);
	cr_expect_eq(jbuf_stats(&jb)->underrun, 1);
	cr_expect_eq(jbuf_target(&jb), 1);
	cr_expect_eq(jbuf_stats(&jb)->target_grow, 0);
}

Test(jbuf, overflow_pushes_oldest_out)
{
	init(1, 4);
	put(0);
	cr_expect_eq(get(), 0); /* playing */
	for (uint16_t s = 1; s < 7; s++)
		put(s);
	cr_expect_eq(jbuf_stats(&jb)->overflow, 2);
	cr_expect_eq(jbuf_depth(&jb), 4);
	for (int k = 3; k < 7; k++)
		cr_expect_eq(get(), k);
}

/* A burst queued before playout starts (the packets of a slow call
 * set-up, say) is cut to the target at once, newest kept: its delay would
 * otherwise stay, shed at one frame a second. */
Test(jbuf, burst_before_start_cut_to_target)
{
	init(2, 10);
	for (uint16_t s = 0; s < 6; s++)
		put(s);
	cr_expect_eq(get(), 4);
	cr_expect_eq(jbuf_stats(&jb)->overflow, 4);
	cr_expect_eq(get(), 5);
	cr_expect_eq(jbuf_stats(&jb)->played, 2);
}

/* With no prefill at all (target 0) the cut still keeps the newest. */
Test(jbuf, burst_cut_keeps_newest_at_target_zero)
{
	init(0, 10);
	for (uint16_t s = 0; s < 4; s++)
		put(s);
	cr_expect_eq(get(), 3);
	cr_expect_eq(jbuf_stats(&jb)->lost, 0);
}

/* One over target is within adapt()'s slack: all of it plays. */
Test(jbuf, one_over_target_plays_all)
{
	init(2, 10);
	for (uint16_t s = 0; s < 3; s++)
		put(s);
	for (int k = 0; k < 3; k++)
		cr_expect_eq(get(), k);
	cr_expect_eq(jbuf_stats(&jb)->overflow, 0);
}

/* After running dry, the refill that arrives as a burst is cut too. */
Test(jbuf, burst_after_underrun_cut_to_target)
{
	init(1, 10);
	put(0);
	cr_expect_eq(get(), 0);
	cr_expect_eq(get(), 0); /* ran dry: target 2 now */
	for (uint16_t s = 1; s < 7; s++)
		put(s);
	cr_expect_eq(get(), 5);
	cr_expect_eq(get(), 6);
	cr_expect_eq(jbuf_stats(&jb)->overflow, 4);
	cr_expect_eq(jbuf_stats(&jb)->underrun, 1);
}

Test(jbuf, underrun_refills)
{
	init(1, 10);
	put(0);
	cr_expect_eq(get(), 0);
	cr_expect_eq(get(), 0); /* ran dry: one repeat */
	cr_expect_eq(jbuf_stats(&jb)->underrun, 1);
	cr_expect_eq(jbuf_target(&jb), 2);
	cr_expect_eq(jbuf_stats(&jb)->target_grow, 1);
	put(1);
	cr_expect_eq(get(), -1); /* refilling to the new target */
	put(2);
	cr_expect_eq(get(), 1);
	cr_expect_eq(get(), 2);
	cr_expect_eq(jbuf_stats(&jb)->lost, 0);
}

Test(jbuf, sequence_wrap)
{
	init(3, 10);
	put(65534);
	put(65535);
	put(0);
	put(1);
	cr_expect_eq(get(), 65534 % 200);
	cr_expect_eq(get(), 65535 % 200);
	cr_expect_eq(get(), 0);
	cr_expect_eq(get(), 1);
}

Test(jbuf, jump_restarts)
{
	init(1, 10);
	put(100);
	cr_expect_eq(get(), 100);
	put(5000);
	cr_expect_eq(jbuf_stats(&jb)->resync, 1);
	cr_expect_eq(get(), 5000 % 200);
	put(4000); /* far behind: also a restart, not "late" */
	cr_expect_eq(jbuf_stats(&jb)->resync, 2);
	cr_expect_eq(jbuf_stats(&jb)->late, 0);
}

Test(jbuf, wrong_size)
{
	uint8_t b[80] = {0};
	init(1, 10);
	cr_expect_eq(jbuf_put(&jb, 1, b, sizeof(b)), EMSGSIZE);
	cr_expect_eq(jbuf_stats(&jb)->bad, 1);
	cr_expect_eq(get(), -1);
}

Test(jbuf, depth_comes_down)
{
	init(1, 20);
	put(0);
	cr_expect_eq(get(), 0); /* playing: what follows is not cut at once */
	for (uint16_t s = 1; s < 9; s++)
		put(s);
	/* Keep 8 frames queued (one in, one out) for a while: the buffer
	 * sheds frames back toward its target. */
	for (uint16_t s = 9; s < 300; s++) {
		put(s);
		get();
	}
	cr_expect_leq(jbuf_depth(&jb), 3);
	cr_expect_geq(jbuf_stats(&jb)->overflow, 5);
}

/* --- a jittery stream on virtual time ---------------------------------- */

struct sim {
	struct loop *loop;
	struct loop_timer send_t, play_t;
	uint16_t next_send;
	unsigned nsent;
	int last_played;
	unsigned played, made_up;
	uint32_t rng;
	struct loop_timer arrive[8];
	uint16_t arrive_seq[8];
};

static uint32_t rnd(struct sim *s)
{
	s->rng = s->rng * 1103515245u + 12345u;
	return s->rng >> 16;
}

static void arrive(void *arg)
{
	uint16_t *seq = arg;
	put(*seq);
}

/* Every 20 ms a packet leaves; it arrives 0..35 ms later (so some
 * overtake each other).  Timers are reused round robin. */
static void on_send(void *arg)
{
	struct sim *s = arg;
	unsigned i = s->nsent % 8;

	s->arrive_seq[i] = s->next_send++;
	loop_timer_start(s->loop, &s->arrive[i], (rnd(s) % 36) * NS_PER_MS, arrive,
			 &s->arrive_seq[i]);
	if (++s->nsent < 500)
		loop_timer_start(s->loop, &s->send_t, 20 * NS_PER_MS, on_send, s);
}

static void on_play(void *arg)
{
	struct sim *s = arg;
	int k = get();

	if (k >= 0 && k != s->last_played) {
		cr_assert_eq(k, (s->last_played + 1) % 200, "played in order");
		s->last_played = k;
		s->played++;
	} else if (s->played) {
		s->made_up++;
	}
	if (s->played < 499)
		loop_timer_start(s->loop, &s->play_t, 20 * NS_PER_MS, on_play, s);
}

Test(jbuf, jittery_stream_virtual_time)
{
	struct clk *clk;
	struct sim s = {.rng = 1, .last_played = 199};

	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&s.loop, clk), 0);
	init(2, 10);
	for (int i = 0; i < 8; i++)
		loop_timer_init(&s.arrive[i]);
	loop_timer_start(s.loop, &s.send_t, 0, on_send, &s);
	loop_timer_start(s.loop, &s.play_t, 5 * NS_PER_MS, on_play, &s);
	loop_run_for(s.loop, 12 * NS_PER_S);
	cr_expect_geq(s.played, 480, "played %u", s.played);
	cr_expect_leq(jbuf_stats(&jb)->late + jbuf_stats(&jb)->lost, 20);
	cr_expect_leq(jbuf_target(&jb), 9);
	sg_loop_check(s.loop);
	mem_deref(s.loop);
	mem_deref(clk);
}
