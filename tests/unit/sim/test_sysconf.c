/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * system.conf parsing: the layout DAHDI would give, and every error path
 * with its file:line.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/conf.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sim/sim.h"
#include "sim/sysconf.h"
#include "sg_test.h"

static struct sysconf *sc;
static struct conf_diag diag;

static void setup(void)
{
	sg_test_begin();
	sc = mem_zalloc(sizeof(*sc), NULL);
	conf_diag_init(&diag);
}

static void teardown(void)
{
	conf_diag_reset(&diag);
	sc = mem_deref(sc);
	sg_test_end();
}

TestSuite(sysconf, .init = setup, .fini = teardown);

static int parse(const char *text)
{
	conf_diag_reset(&diag);
	conf_diag_init(&diag);
	return sysconf_parse(sc, "sys.conf", text, strlen(text), &diag);
}

Test(sysconf, layout_like_dahdi)
{
	static const char text[] = "# comment\n"
				   "  span = 2, 0, 0, esf, b8zs   # T1\n"
				   "span=1,1,0,ccs,hdb3,crc4\n"
				   "span=3,0,0,ccs,ami\n"
				   "dynamic=loc,7:0,24,0\n"
				   "bchan=1-15,17-31\n"
				   "dchan=16\n"
				   "bchan=32-54\n"
				   "hardhdlc=55\n"
				   "bchan=56-57\n"
				   "hardhdlc=58\n"
				   "bchan=59-82\n"
				   "fxoks=83-86\n"
				   "fxsks=88,89\n"
				   "fxsls=90\n"
				   "loadzone=us\n"
				   "loadzone=de\n"
				   "defaultzone=de\n";

	cr_assert_eq(parse(text), 0, "%s", diag.text);
	cr_assert_eq(sc->nspans, 6);
	cr_assert_eq(sc->spans[0].kind, SYSCONF_E1);
	cr_assert_eq(sc->spans[0].first, 1);
	cr_assert_eq(sc->spans[0].nchans, 31);
	cr_assert(sc->spans[0].lineconfig & DAHDI_CONFIG_CRC4);
	cr_assert_eq(sc->spans[1].kind, SYSCONF_T1);
	cr_assert_eq(sc->spans[1].first, 32);
	cr_assert_eq(sc->spans[2].kind, SYSCONF_BRI);
	cr_assert_eq(sc->spans[2].first, 56);
	cr_assert_eq(sc->spans[3].kind, SYSCONF_DYNAMIC);
	cr_assert_eq(sc->spans[3].spanno, 4);
	cr_assert_eq(sc->spans[3].first, 59);
	cr_assert_str_eq(sc->spans[3].dyn_addr, "7:0");
	cr_assert_eq(sc->spans[4].kind, SYSCONF_ANALOG);
	cr_assert_eq(sc->spans[4].first, 83);
	cr_assert_eq(sc->spans[4].nchans, 4);
	cr_assert_eq(sc->spans[5].first, 88, "a gap starts a new analog span");
	cr_assert_eq(sc->spans[5].nchans, 3);
	cr_assert_eq(sc->sig[16], DAHDI_SIG_HDLCFCS);
	cr_assert_eq(sc->sig[55], DAHDI_SIG_HARDHDLC);
	cr_assert_eq(sc->sig[90], DAHDI_SIG_FXSLS);
	cr_assert_eq(sc->nzones, 2);
	cr_assert_str_eq(sc->defaultzone, "de");
	cr_assert_str_eq(sysconf_kind_name(sc->spans[2].kind), "BRI");
}

struct bad {
	const char *text;
	const char *msg;
};

/* Every error names the file and line. */
static const struct bad bad[] = {
    {"\n\nfoo=1\n", "sys.conf:3: unknown key 'foo'"},
    {"span\n", "sys.conf:1: expected key=value"},
    {"bchan=\n", "sys.conf:1: bchan=: empty value"},
    {"bchan=5-3\n", "sys.conf:1: bad channel range"},
    {"bchan=0\n", "bad channel range"},
    {"bchan=16385\n", "bad channel range"}, /* past SYSCONF_MAX_CHANNELS */
    {"bchan=x\n", "bad channel range"},
    {"bchan=1-\n", "bad channel range"},
    {"span=1,1,0,ccs,hdb3\nbchan=1-3\ndchan=3\n",
     "sys.conf:3: channel 3 already configured at line 2"},
    {"span=1,1,0,ccs\n", "span=: expected"},
    {"span=1,1,0,ccs,hdb3,crc4,yellow,x\n", "span=: expected"},
    {"span=0,1,0,ccs,hdb3\n", "bad span number"},
    {"span=1,x,0,ccs,hdb3\n", "bad span number, timing"},
    {"span=1,1,8,ccs,hdb3\n", "line build-out"},
    {"span=1,1,0,sf,hdb3\n", "unknown framing 'sf'"},
    {"span=1,1,0,ccs,hdb4\n", "unknown coding 'hdb4'"},
    {"span=1,1,0,ccs,hdb3,crc5\n", "unknown option 'crc5'"},
    {"span=1,1,0,esf,b8zs,crc4\n", "crc4 needs E1"},
    {"span=1,1,0,ccs,b8zs\n", "use esf for T1"},
    {"span=1,1,0,ccs,hdb3\nspan=1,0,0,ccs,hdb3\n", "sys.conf:2: span 1 already declared at line 1"},
    {"span=2,1,0,ccs,hdb3\n", "sys.conf:1: span 2: span numbers must run from 1"},
    {"dynamic=loc,1:0,24\n", "dynamic=: expected"},
    {"dynamic=eth,eth0/00:11:22:33:44:55,24,0\n", "driver 'eth' is not simulated"},
    {"dynamic=loc,10,24,0\n", "loc address must be <key>:<id>"},
    {"dynamic=loc,1:2,24,0\n", "loc address must be <key>:<0|1>"},
    {"dynamic=loc,1:0,32,0\n", "channels must be 1..31"},
    {"span=1,1,0,ccs,ami\nbchan=1-2\ndchan=3\nbchan=4\n", "sys.conf:4: channel 4 is on no span"},
    {"loadzone=u s\n", "bad tone zone name 'u s'"},
    {"defaultzone=us\ndefaultzone=de\n", "sys.conf:2: defaultzone given twice"},
    {"loadzone=thisnameiswaytoolong\n", "bad tone zone name"},
};

Test(sysconf, every_error_with_file_line)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse(bad[i].text), EINVAL, "case %zu accepted: %s", i, bad[i].text);
		cr_assert(conf_diag_has(&diag, bad[i].msg), "case %zu: want '%s', got '%s'", i,
			  bad[i].msg, diag.text ? diag.text : "(nothing)");
	}
}

Test(sysconf, errors_are_collected_not_just_the_first)
{
	cr_assert_eq(parse("a=1\nbchan=0\nb=2\n"), EINVAL);
	cr_assert_eq(diag.errors, 3);
	cr_assert(conf_diag_has(&diag, "sys.conf:3: unknown key 'b'"));
}

Test(sysconf, limits)
{
	static char text[20000];
	size_t n = 0;
	unsigned i;

	memset(text, 'x', 1100);
	text[1100] = '\n';
	text[1101] = '\0';
	cr_assert_eq(parse(text), EINVAL);
	cr_assert(conf_diag_has(&diag, "sys.conf:1: line longer than"));
	cr_assert_eq(sysconf_parse(sc, "nul", "bchan=1\0x\n", 10, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, "NUL byte"));
	for (i = 0; i < 17; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "loadzone=z%u\n", i);
	cr_assert_eq(parse(text), EINVAL);
	cr_assert(conf_diag_has(&diag, "sys.conf:17: too many loadzone lines"));
	/* Past DAHDI's 1024 channels the sim goes on (benchmarks), to 16384:
	 * 529 E1 spans are 16399. */
	for (n = 0, i = 1; i <= 34; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "span=%u,0,0,ccs,hdb3\n", i);
	cr_assert_eq(parse(text), 0, "%s", diag.text);
	for (; i <= 529; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "span=%u,0,0,ccs,hdb3\n", i);
	cr_assert_lt(n, sizeof(text));
	cr_assert_eq(parse(text), EINVAL);
	cr_assert(conf_diag_has(&diag, "more than 16384 channels"), "%s", diag.text);
}

Test(sysconf, load_from_file)
{
	char path[] = "/tmp/sysconf-test-XXXXXX";
	int fd = mkstemp(path);
	static const char text[] = "span=1,1,0,esf,b8zs\nbchan=1-23\ndchan=24\n";

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	cr_assert_eq(sysconf_load(sc, path, &diag), 0, "%s", diag.text);
	cr_assert_eq(sc->spans[0].nchans, 24);
	unlink(path);
	cr_assert_eq(sysconf_load(sc, path, &diag), ENOENT);
	cr_assert(conf_diag_has(&diag, "cannot read"));
}

Test(sysconf, example_file_in_the_tree_is_valid)
{
	cr_assert_eq(sysconf_load(sc, ABS_TOP_SRCDIR "/conf/sim-system.conf", &diag), 0, "%s",
		     diag.text);
	cr_assert_geq(sc->nspans, 2);
}

Test(sysconf, sim_rejects_unpaired_loc_and_bad_tick)
{
	struct clk *clk;
	struct loop *loop;
	struct sim *sim;
	struct sim_prm prm = {.text = "dynamic=loc,1:0,24,0\nbchan=1-24\n", .name = "x.conf"};

	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	cr_assert_eq(sim_alloc(&sim, loop, &prm, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, "x.conf:1: dynamic=loc 1:0 has no partner"), "%s",
		  diag.text);
	prm.text = "span=1,1,0,ccs,hdb3\n";
	prm.tick = 100000;
	cr_assert_eq(sim_alloc(&sim, loop, &prm, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, "multiple of 125 us"));
	prm.tick = 0;
	prm.text = "bogus\n";
	cr_assert_eq(sim_alloc(&sim, loop, &prm, &diag), EINVAL);
	cr_assert_eq(loop_timer_count(loop), 0);
	mem_deref(loop);
	mem_deref(clk);
}
