/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strowger-sim: simulated spans in their own process, as far ends for
 * another strowger or strowger-sim over UNIX sockets (sim/README.md has the
 * wire format).  This first version hosts the spans of a system.conf,
 * crosses them back to back, and listens or connects per span; the
 * simulated switches, phones and CO lines that will drive them come later.
 *
 *   strowger-sim -c system.conf [-t tick_us] [-x A:B]... [-l SPAN:PATH]...
 *                [-C SPAN:PATH]... [-v]
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
#include "sim/sim.h"

struct opts {
	const char *conf;
	unsigned tick_us;
	bool check, verbose;
	int argc;
	char **argv; /* for the second pass over -x/-l/-C */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: strowger-sim -c system.conf [-t tick_us] [-x A:B]... "
		   "[-l SPAN:PATH]... [-C SPAN:PATH]... [-v]\n"
		   "       strowger-sim --check system.conf\n"
		   "  -x A:B        cross span A with span B (back to back)\n"
		   "  -l SPAN:PATH  the far end of SPAN connects to the socket PATH\n"
		   "  -C SPAN:PATH  connect SPAN to a far end listening at PATH\n");
}

/* "N:REST" -> span N and REST. */
static struct sim_span *span_arg(struct sim *sim, const char *arg, const char **rest)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (end == arg || *end != ':' || !end[1])
		return NULL;
	*rest = end + 1;
	return sim_span_find(sim, (unsigned)n);
}

static int apply_one(struct sim *sim, int c, const char *arg)
{
	const char *rest;
	struct sim_span *a = span_arg(sim, arg, &rest), *b;

	if (!a)
		return EINVAL;
	if (c == 'l')
		return sim_span_listen(a, rest);
	if (c == 'C')
		return sim_span_connect(a, rest);
	b = sim_span_find(sim, (unsigned)strtoul(rest, NULL, 10));
	return b ? sim_span_cross(a, b) : EINVAL;
}

static int apply_links(struct sim *sim, struct opts *o)
{
	static const struct option lo[] = {{"check", required_argument, NULL, 'k'},
					   {NULL, 0, NULL, 0}};
	int c, err;

	optind = 1;
	while ((c = getopt_long(o->argc, o->argv, "c:t:x:l:C:vh", lo, NULL)) != -1) {
		if (c != 'x' && c != 'l' && c != 'C')
			continue;
		err = apply_one(sim, c, optarg);
		if (err) {
			fprintf(stderr, "strowger-sim: -%c %s: %s\n", c, optarg, strerror(err));
			return err;
		}
	}
	return 0;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {{"check", required_argument, NULL, 'k'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	o->argc = argc;
	o->argv = argv;
	while ((c = getopt_long(argc, argv, "c:t:x:l:C:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->check = true;
			/* fall through */
		case 'c':
			o->conf = optarg;
			break;
		case 't':
			o->tick_us = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'x':
		case 'l':
		case 'C':
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return EINVAL;
		}
	}
	return o->conf && optind == argc ? 0 : EINVAL;
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
		err = apply_links(sim, &o);
	if (!err && !o.check)
		err = loop_signals(loop, NULL, NULL); /* SIGTERM/SIGINT stop the loop */
	if (!err && !o.check)
		err = loop_run(loop);
	mem_deref(sim);
	mem_deref(loop);
	mem_deref(clk);
	conf_diag_reset(&diag);
	return err ? 1 : 0;
}
