/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strowger-sim: simulated spans in their own process, as far ends for
 * another strowger or strowger-sim over UNIX sockets (sim/README.md has the
 * wire format).  It hosts the spans of a system.conf, crosses them back to
 * back, listens or connects per span, and plays simulated ISDN switches on
 * them (strowger_sim_switch.c), driven by scripts or by --call.
 *
 *   strowger-sim -c system.conf [-t tick_us] [-x A:B]... [-l SPAN:PATH]...
 *                [-C SPAN:PATH]... [-S SPAN:SCRIPT[:ROLE[:TYPE[:ZONE]]]]...
 *                [--call SPAN:NUMBER[:FROM]]... [--role R] [--switchtype T]
 *                [--zone Z] [--for DURATION] [-v]
 *   strowger-sim --check system.conf
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "drivers/tdm.h"
#include "sim/sim.h"
#include "sim/strowger_sim.h"

#define MAX_ARGS 64

struct opt_arg {
	int c;
	const char *arg;
};

struct opts {
	const char *conf;
	unsigned tick_us;
	bool check, verbose;
	uint64_t run_ns; /* --for; 0: until SIGINT/SIGTERM */
	struct swhost_dflt dflt;
	struct opt_arg links[MAX_ARGS]; /* -x -l -C, in order */
	struct opt_arg sws[MAX_ARGS];	/* -S --call, in order */
	unsigned nlinks, nsws;
};

enum { OPT_CHECK = 256, OPT_CALL, OPT_ROLE, OPT_TYPE, OPT_ZONE, OPT_FOR };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: strowger-sim -c system.conf [-t tick_us] [-x A:B]... [-l SPAN:PATH]...\n"
		"                    [-C SPAN:PATH]... [-S SPAN:SCRIPT[:ROLE[:TYPE[:ZONE]]]]...\n"
		"                    [--call SPAN:NUMBER[:FROM]]... [--role ROLE]\n"
		"                    [--switchtype TYPE] [--zone ZONE] [--for DURATION] [-v]\n"
		"       strowger-sim --check system.conf\n"
		"  -x A:B         cross span A with span B (back to back)\n"
		"  -l SPAN:PATH   the far end of SPAN connects to the socket PATH\n"
		"  -C SPAN:PATH   connect SPAN to a far end listening at PATH\n"
		"  -S, --switch SPAN:SCRIPT[:ROLE[:SWITCHTYPE[:ZONE]]]\n"
		"                 play a simulated ISDN switch on SPAN, run by the script file\n"
		"                 SCRIPT (may be empty: -S 2::cpe); its events go to stdout\n"
		"  --call SPAN:NUMBER[:FROM]\n"
		"                 the switch on SPAN places a call: the script line\n"
		"                 'call NUMBER from FROM then wait 5s hangup 16'\n"
		"  --role ROLE    default role of the switches: network (default) or cpe\n"
		"  --switchtype TYPE  default switch type: euroisdn_e1 (euroisdn_t1 on T1\n"
		"                 spans), ni2, dms100, 4ess, 5ess, qsig\n"
		"  --zone ZONE    default tone zone for the switches' audio (de)\n"
		"  --for DURATION run that long, then stop: 500ms, 5s, 2m\n"
		"A switch's script starts when its D-channel comes up; the script\n"
		"language is in src/pstn/isdn_switch.h and sim/README.md.\n");
}

/* "500ms", "5s", "2m": a unit is required, a bare number is ambiguous. */
static int duration_parse(const char *s, uint64_t *ns)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return EINVAL;
	if (!strcmp(end, "ms"))
		*ns = v * NS_PER_MS;
	else if (!strcmp(end, "s"))
		*ns = v * NS_PER_S;
	else if (!strcmp(end, "m"))
		*ns = v * 60 * NS_PER_S;
	else
		return EINVAL;
	return 0;
}

static int keep(struct opt_arg *list, unsigned *n, int c, const char *arg)
{
	if (*n == MAX_ARGS)
		return E2BIG;
	list[*n].c = c;
	list[(*n)++].arg = arg;
	return 0;
}

/* One option; EINVAL for a usage error. */
static int parse_one(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_CHECK:
		o->check = true;
		/* fall through */
	case 'c':
		o->conf = arg;
		return 0;
	case 't':
		o->tick_us = (unsigned)strtoul(arg, NULL, 10);
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'x':
	case 'l':
	case 'C':
		return keep(o->links, &o->nlinks, c, arg);
	case 'S':
	case OPT_CALL:
		return keep(o->sws, &o->nsws, c, arg);
	case OPT_ROLE:
		o->dflt.role = arg;
		return 0;
	case OPT_TYPE:
		o->dflt.switchtype = arg;
		return 0;
	case OPT_ZONE:
		o->dflt.zone = arg;
		return 0;
	case OPT_FOR:
		return duration_parse(arg, &o->run_ns);
	case 'h':
		usage(stdout);
		exit(0);
	}
	return EINVAL;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {{"check", required_argument, NULL, OPT_CHECK},
					   {"switch", required_argument, NULL, 'S'},
					   {"call", required_argument, NULL, OPT_CALL},
					   {"role", required_argument, NULL, OPT_ROLE},
					   {"switchtype", required_argument, NULL, OPT_TYPE},
					   {"zone", required_argument, NULL, OPT_ZONE},
					   {"for", required_argument, NULL, OPT_FOR},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "c:t:x:l:C:S:vh", lo, NULL)) != -1) {
		if (parse_one(o, c, optarg)) {
			if (c == OPT_FOR)
				fprintf(stderr,
					"strowger-sim: --for %s: not a duration "
					"(500ms, 5s, 2m)\n",
					optarg);
			return EINVAL;
		}
	}
	return o->conf && optind == argc ? 0 : EINVAL;
}

static int apply_one(struct sim *sim, int c, const char *arg)
{
	char *end;
	struct sim_span *a = sim_span_find(sim, (unsigned)strtoul(arg, &end, 10)), *b;

	if (!a || end == arg || *end != ':' || !end[1])
		return EINVAL;
	if (c == 'l')
		return sim_span_listen(a, end + 1);
	if (c == 'C')
		return sim_span_connect(a, end + 1);
	b = sim_span_find(sim, (unsigned)strtoul(end + 1, NULL, 10));
	return b ? sim_span_cross(a, b) : EINVAL;
}

static int apply_links(struct sim *sim, const struct opts *o)
{
	for (unsigned i = 0; i < o->nlinks; i++) {
		int err = apply_one(sim, o->links[i].c, o->links[i].arg);

		if (err) {
			fprintf(stderr, "strowger-sim: -%c %s: %s\n", o->links[i].c,
				o->links[i].arg, strerror(err));
			return err;
		}
	}
	return 0;
}

/* The switches of -S and --call (all -S first: a --call joins the switch
 * of its span wherever it stands on the line). */
static int switches(struct swhost *h, const struct opts *o)
{
	char err[512] = "";
	int rc = 0;

	for (unsigned i = 0; i < o->nsws && !rc; i++)
		if (o->sws[i].c == 'S')
			rc = swhost_switch(h, o->sws[i].arg, err, sizeof(err));
	for (unsigned i = 0; i < o->nsws && !rc; i++)
		if (o->sws[i].c == OPT_CALL)
			rc = swhost_call(h, o->sws[i].arg, err, sizeof(err));
	if (!rc)
		rc = swhost_start(h, err, sizeof(err));
	if (rc)
		fprintf(stderr, "strowger-sim: %s\n", err);
	return rc;
}

/* Links, switches, then the loop until --for or a signal. */
static int run(struct loop *loop, struct sim *sim, const struct opts *o)
{
	struct tdm *tdm = NULL;
	struct swhost *h = NULL;
	int err = apply_links(sim, o);

	if (!err && o->nsws) {
		err = tdm_alloc(&tdm, loop, sim_sys(sim));
		err = err ? err : swhost_alloc(&h, loop, tdm, &o->dflt);
		err = err ? err : switches(h, o);
	}
	if (!err)
		err = loop_signals(loop, NULL, NULL); /* SIGTERM/SIGINT stop the loop */
	if (!err)
		err = o->run_ns ? loop_run_for(loop, o->run_ns) : loop_run(loop);
	if (h)
		swhost_print(h);
	mem_deref(h);
	mem_deref(tdm);
	return err;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct conf_diag diag;
	struct sim_prm prm = {0};
	struct clk *clk = NULL;
	struct loop *loop = NULL;
	struct sim *sim = NULL;
	int err;

	if (parse_opts(&o, argc, argv)) {
		usage(stderr);
		return 2;
	}
	log_set_level_all(o.verbose ? LL_INFO : LL_NOTICE);
	conf_diag_init(&diag);
	prm.path = o.conf;
	prm.tick = (uint64_t)o.tick_us * NS_PER_US;
	err = clk_alloc(&clk, CLK_REAL);
	err = err ? err : loop_alloc(&loop, clk);
	err = err ? err : sim_alloc(&sim, loop, &prm, &diag);
	if (diag.text)
		fputs(diag.text, stderr);
	if (!err && o.check)
		printf("%s: %u spans, OK\n", o.conf, sim_span_count(sim));
	if (!err && !o.check)
		err = run(loop, sim, &o);
	mem_deref(sim);
	mem_deref(loop);
	mem_deref(clk);
	conf_diag_reset(&diag);
	return err ? 1 : 0;
}
