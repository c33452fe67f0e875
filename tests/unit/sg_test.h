/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared test fixtures: leak checks that cannot be silently ignored, and
 * sockets on ports the kernel gives out (tests never bind fixed ports).
 *
 * Criterion 2.4.1 does not count assertions that fail in a .fini hook: the
 * test still reports "ok".  So the end-of-test checks here abort the test
 * process instead; Criterion then exits non-zero and automake's TAP driver
 * reports the suite as an ERROR, with the message below naming the test.
 * Use sg_test_begin() in .init and sg_test_end() in .fini.
 */
#ifndef STROWGER_TESTS_SG_TEST_H
#define STROWGER_TESTS_SG_TEST_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "core/mem.h"

static size_t sg_live_at_start;

static inline void sg_fail_hard(const char *what)
{
	fprintf(stderr, "FAIL %s::%s: %s\n",
		criterion_current_test && criterion_current_test->category
			? criterion_current_test->category : "?",
		criterion_current_test && criterion_current_test->name
			? criterion_current_test->name : "?",
		what);
	abort();
}

static inline void sg_test_begin(void)
{
	sg_live_at_start = mem_live();
}

/* Every mem object made by the test has been freed. */
static inline void sg_test_end(void)
{
	if (mem_live() != sg_live_at_start)
		sg_fail_hard("mem objects leaked (mem_live differs from the start of the test)");
}

/* No timer is left armed on `loop` (call before freeing it). */
static inline void sg_loop_check(const struct loop *loop)
{
	if (loop && loop_timer_count(loop) != 0)
		sg_fail_hard("loop timers left armed");
}

/* A socket of `type` (SOCK_DGRAM, SOCK_STREAM) bound to 127.0.0.1 on a
 * free port, which goes to *port. */
static inline int sg_bind_loopback(int type, uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

#endif
