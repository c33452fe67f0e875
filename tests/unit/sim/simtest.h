/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared fixture for the sim suites: a virtual clock, a loop, a sim built
 * from system.conf text, and drivers/dahdi on top of it.  Teardown checks
 * that every mem object and every loop timer is gone.
 */
#ifndef STROWGER_TESTS_SIMTEST_H
#define STROWGER_TESTS_SIMTEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>

#include "core/clock.h"
#include "core/conf.h"
#include "core/loop.h"
#include "core/mem.h"
#include "drivers/dahdi/dahdi.h"
#include "drivers/tdm.h"
#include "sim/sim.h"
#include "sg_test.h"

/* Two E1 PRI spans (channel 16 the D-channel) and two analog ports. */
#define SIMTEST_CONF                                                                               \
	"# two E1 spans\n"                                                                         \
	"span=1,1,0,ccs,hdb3,crc4\n"                                                               \
	"span=2,0,0,ccs,hdb3,crc4\n"                                                               \
	"bchan=1-15,17-31\n"                                                                       \
	"dchan=16\n"                                                                               \
	"bchan=32-46,48-62\n"                                                                      \
	"hardhdlc=47\n"                                                                            \
	"fxsks=63\n"                                                                               \
	"fxoks=64\n"                                                                               \
	"loadzone=us\n"                                                                            \
	"defaultzone=us\n"

struct simtest {
	struct clk *clk;
	struct loop *loop;
	struct sim *sim;
	struct tdm *tdm;
	const struct tdm_sys *sys;
	size_t live0;
};

static inline void simtest_init_stride(struct simtest *t, const char *conf, uint64_t tick,
				       unsigned stride)
{
	struct sim_prm prm = {.text = conf, .name = "test.conf", .tick = tick, .stride = stride};
	struct conf_diag diag;
	int err;

	memset(t, 0, sizeof(*t));
	sg_test_begin();
	t->live0 = mem_live();
	cr_assert_eq(clk_alloc(&t->clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&t->loop, t->clk), 0);
	conf_diag_init(&diag);
	err = sim_alloc(&t->sim, t->loop, &prm, &diag);
	cr_assert_eq(err, 0, "sim_alloc: %s\n%s", strerror(err), diag.text ? diag.text : "");
	conf_diag_reset(&diag);
	t->sys = sim_sys(t->sim);
	cr_assert_eq(tdm_alloc(&t->tdm, t->loop, t->sys), 0);
}

static inline void simtest_init(struct simtest *t, const char *conf, uint64_t tick)
{
	simtest_init_stride(t, conf, tick, 0);
}

static inline void simtest_cross12(struct simtest *t)
{
	cr_assert_eq(sim_span_cross(sim_span_find(t->sim, 1), sim_span_find(t->sim, 2)), 0);
}

static inline void simtest_fini(struct simtest *t)
{
	t->tdm = mem_deref(t->tdm);
	t->sim = mem_deref(t->sim);
	/* in .fini a failed cr_assert goes unnoticed: these abort instead */
	sg_loop_check(t->loop);
	t->loop = mem_deref(t->loop);
	t->clk = mem_deref(t->clk);
	sg_test_end();
}

static inline void simtest_run_ms(struct simtest *t, unsigned ms)
{
	cr_assert_eq(loop_run_for(t->loop, (uint64_t)ms * NS_PER_MS), 0);
}

/* Raw ABI: an fd bound to `channo`, or the errno of the failure. */
static inline int simtest_chan_fd(struct simtest *t, unsigned channo, int *fdp)
{
	int fd = t->sys->open(t->sys->ctx, DAHDI_PATH_CHANNEL, O_RDWR | O_NONBLOCK);
	int no = (int)channo;

	*fdp = -1;
	cr_assert_geq(fd, 0);
	if (t->sys->ioctl(t->sys->ctx, fd, DAHDI_SPECIFY, &no) < 0) {
		int err = errno;

		t->sys->close(t->sys->ctx, fd);
		return err;
	}
	*fdp = fd;
	return 0;
}

static inline int simtest_ioctl(struct simtest *t, int fd, unsigned long req, void *arg)
{
	return t->sys->ioctl(t->sys->ctx, fd, req, arg) < 0 ? errno : 0;
}

#endif
