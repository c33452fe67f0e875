/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DAHDI's system.conf, the subset the sim builds spans from:
 *
 *   span=<num>,<timing>,<lbo>,<framing>,<coding>[,crc4][,yellow]
 *   dynamic=<driver>,<address>,<numchans>,<timing>     (driver: loc)
 *   bchan= dchan= hardhdlc= fxsks= fxsls= fxsgs= fxoks= fxols= fxogs=  <channels>
 *   loadzone=<zone>   defaultzone=<zone>
 *
 * Channels are lists of numbers and ranges ("1-15,17-31").  Spans get
 * channel numbers as DAHDI gives them: span= spans in span order (E1 31
 * channels when coded hdb3; T1 24 when b8zs or with d4/esf framing; BRI 3
 * with ccs,ami), then dynamic= spans in file order, then analog ports: each
 * run of consecutive FX channels past the last span is one analog span.
 * Every unknown or invalid line is an error naming file:line.
 */
#ifndef STROWGER_SIM_SYSCONF_H
#define STROWGER_SIM_SYSCONF_H

#include <stdbool.h>
#include <stddef.h>

#include <dahdi/user.h>

struct conf_diag;

enum sysconf_kind { SYSCONF_E1, SYSCONF_T1, SYSCONF_BRI, SYSCONF_DYNAMIC, SYSCONF_ANALOG };

struct sysconf_span {
	unsigned spanno;
	enum sysconf_kind kind;
	unsigned first; /* first channel number */
	unsigned nchans;
	unsigned timing, lbo;
	int lineconfig; /* DAHDI_CONFIG_* */
	char dyn_driver[8];
	char dyn_addr[32];
	unsigned line;
};

#define SYSCONF_MAX_ZONES 16
/* DAHDI's own numbering stops at 128 spans and 1024 channels (user.h);
 * the sim goes further so that benchmarks can run thousands of calls
 * (tests/bench/bench_gw_media.conf).  On a real system dahdi_cfg is the
 * judge of a system.conf, not this parser. */
#define SYSCONF_MAX_SPANS    1024
#define SYSCONF_MAX_CHANNELS 16384

struct sysconf {
	const char *file;
	struct sysconf_span spans[SYSCONF_MAX_SPANS];
	unsigned nspans;
	int sig[SYSCONF_MAX_CHANNELS + 1]; /* DAHDI_SIG_*, 0 unconfigured */
	unsigned sigline[SYSCONF_MAX_CHANNELS + 1];
	unsigned nchans; /* highest channel number */
	char zones[SYSCONF_MAX_ZONES][16];
	unsigned nzones;
	char defaultzone[16];
};

/* Parse and lay out.  Returns 0, or EINVAL with every problem in diag.
 * `sc` is the caller's (it is large: allocate it). */
int sysconf_parse(struct sysconf *sc, const char *name, const char *text, size_t len,
		  struct conf_diag *diag);
int sysconf_load(struct sysconf *sc, const char *path, struct conf_diag *diag);
const char *sysconf_kind_name(enum sysconf_kind kind);

#endif
