/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * system.conf parser (syntax as dahdi_cfg reads it: key=value per line,
 * '#' starts a comment, blanks around '=' and ',' are ignored).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/mem.h"
#include "sim/sysconf.h"

#define SC_MAX_FIELDS 8
#define SC_LINE_MAX   1024

struct sc_parser {
	struct sysconf *sc;
	struct conf_diag *diag;
	const char *file;
	unsigned line;
	unsigned ndigital; /* span= lines */
};

#define SC_ERR(p, ...) conf_diag_err((p)->diag, (p)->file, (p)->line, __VA_ARGS__)

const char *sysconf_kind_name(enum sysconf_kind kind)
{
	static const char *const names[] = {"E1", "T1", "BRI", "DYN", "ANALOG"};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

static char *sc_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Split at ',' into trimmed fields; returns the count (max+1 if too many). */
static unsigned sc_split(char *s, char **f, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		char *c = strchr(s, ',');

		if (n == max)
			return max + 1;
		if (c)
			*c = '\0';
		f[n++] = sc_trim(s);
		if (!c)
			return n;
		s = c + 1;
	}
}

/* A decimal number in [min, max]; no sign, no trailing junk. */
static int sc_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int sc_chan_set(struct sc_parser *p, unsigned no, int sig)
{
	struct sysconf *sc = p->sc;

	if (sc->sig[no]) {
		SC_ERR(p, "channel %u already configured at line %u", no, sc->sigline[no]);
		return EINVAL;
	}
	sc->sig[no] = sig;
	sc->sigline[no] = p->line;
	if (no > sc->nchans)
		sc->nchans = no;
	return 0;
}

/* "1-15,17,18-31" */
static int sc_chanlist(struct sc_parser *p, char *val, int sig)
{
	char *f[DAHDI_MAX_CHANNELS];
	unsigned n, i, lo, hi, c;
	int err = 0;

	n = sc_split(val, f, DAHDI_MAX_CHANNELS);
	if (n > DAHDI_MAX_CHANNELS) {
		SC_ERR(p, "too many channel ranges");
		return EINVAL;
	}
	for (i = 0; i < n && !err; i++) {
		char *dash = strchr(f[i], '-');

		if (dash)
			*dash = '\0';
		if (sc_uint(sc_trim(f[i]), 1, SYSCONF_MAX_CHANNELS, &lo) ||
		    sc_uint(dash ? sc_trim(dash + 1) : f[i], 1, SYSCONF_MAX_CHANNELS, &hi) ||
		    hi < lo) {
			SC_ERR(p, "bad channel range '%s%s%s' (channels are 1..%d)", f[i],
			       dash ? "-" : "", dash ? dash + 1 : "", SYSCONF_MAX_CHANNELS);
			return EINVAL;
		}
		for (c = lo; c <= hi && !err; c++)
			err = sc_chan_set(p, c, sig);
	}
	return err;
}

static int sc_lineconfig(struct sc_parser *p, char **f, unsigned n, struct sysconf_span *s)
{
	static const struct {
		const char *name;
		int bit;
	} words[] = {
	    {"d4", DAHDI_CONFIG_D4},
	    {"esf", DAHDI_CONFIG_ESF},
	    {"ccs", DAHDI_CONFIG_CCS},
	    {"cas", 0},
	    {"ami", DAHDI_CONFIG_AMI},
	    {"b8zs", DAHDI_CONFIG_B8ZS},
	    {"hdb3", DAHDI_CONFIG_HDB3},
	    {"crc4", DAHDI_CONFIG_CRC4},
	    {"yellow", 0},
	};
	unsigned i, w;

	/* field 3 is a framing (words 0-3), 4 a coding (4-6), then options */
	for (i = 3; i < n; i++) {
		unsigned from = i == 3 ? 0 : i == 4 ? 4 : 7, to = i == 3 ? 4 : i == 4 ? 7 : 9;

		for (w = from; w < to; w++)
			if (!strcasecmp(f[i], words[w].name))
				break;
		if (w == to) {
			SC_ERR(p, "span=: unknown %s '%s'",
			       i == 3	? "framing"
			       : i == 4 ? "coding"
					: "option",
			       f[i]);
			return EINVAL;
		}
		s->lineconfig |= words[w].bit;
	}
	return 0;
}

/* span=<num>,<timing>,<lbo>,<framing>,<coding>[,crc4][,yellow] */
static int sc_span(struct sc_parser *p, char *val)
{
	struct sysconf *sc = p->sc;
	struct sysconf_span *s;
	char *f[SC_MAX_FIELDS];
	unsigned n = sc_split(val, f, SC_MAX_FIELDS), i;

	if (n < 5 || n > 7) {
		SC_ERR(p,
		       "span=: expected <span>,<timing>,<lbo>,<framing>,<coding>[,crc4][,yellow]");
		return EINVAL;
	}
	if (sc->nspans == SYSCONF_MAX_SPANS) {
		SC_ERR(p, "too many spans");
		return EINVAL;
	}
	s = &sc->spans[sc->nspans];
	memset(s, 0, sizeof(*s));
	s->line = p->line;
	if (sc_uint(f[0], 1, SYSCONF_MAX_SPANS, &s->spanno) ||
	    sc_uint(f[1], 0, SYSCONF_MAX_SPANS, &s->timing) || sc_uint(f[2], 0, 7, &s->lbo)) {
		SC_ERR(p, "span=: bad span number, timing or line build-out");
		return EINVAL;
	}
	for (i = 0; i < sc->nspans; i++) {
		if (sc->spans[i].kind != SYSCONF_DYNAMIC && sc->spans[i].spanno == s->spanno) {
			SC_ERR(p, "span %u already declared at line %u", s->spanno,
			       sc->spans[i].line);
			return EINVAL;
		}
	}
	if (sc_lineconfig(p, f, n, s))
		return EINVAL;
	if (s->lineconfig & DAHDI_CONFIG_HDB3)
		s->kind = SYSCONF_E1;
	else if ((s->lineconfig & DAHDI_CONFIG_CCS) && (s->lineconfig & DAHDI_CONFIG_AMI))
		s->kind = SYSCONF_BRI;
	else
		s->kind = SYSCONF_T1;
	if ((s->lineconfig & DAHDI_CONFIG_CRC4) && s->kind != SYSCONF_E1) {
		SC_ERR(p, "span=: crc4 needs E1 (hdb3) coding");
		return EINVAL;
	}
	if (s->kind == SYSCONF_T1 && (s->lineconfig & DAHDI_CONFIG_CCS) &&
	    (s->lineconfig & DAHDI_CONFIG_B8ZS)) {
		SC_ERR(p, "span=: ccs framing with b8zs coding: use esf for T1");
		return EINVAL;
	}
	s->nchans = s->kind == SYSCONF_E1 ? 31 : s->kind == SYSCONF_T1 ? 24 : 3;
	sc->nspans++;
	p->ndigital++;
	return 0;
}

/* dynamic=<driver>,<address>,<numchans>,<timing>; only loc is simulated. */
static int sc_dynamic(struct sc_parser *p, char *val)
{
	struct sysconf *sc = p->sc;
	struct sysconf_span *s;
	char *f[SC_MAX_FIELDS], *colon;
	unsigned n = sc_split(val, f, SC_MAX_FIELDS), key, id;

	if (n != 4) {
		SC_ERR(p, "dynamic=: expected <driver>,<address>,<numchans>,<timing>");
		return EINVAL;
	}
	if (strcmp(f[0], "loc")) {
		SC_ERR(p, "dynamic=: driver '%s' is not simulated (only loc)", f[0]);
		return EINVAL;
	}
	if (sc->nspans == SYSCONF_MAX_SPANS) {
		SC_ERR(p, "too many spans");
		return EINVAL;
	}
	s = &sc->spans[sc->nspans];
	memset(s, 0, sizeof(*s));
	s->line = p->line;
	s->kind = SYSCONF_DYNAMIC;
	colon = strchr(f[1], ':');
	if (!colon || strlen(f[1]) >= sizeof(s->dyn_addr)) {
		SC_ERR(p, "dynamic=: loc address must be <key>:<id>, not '%s'", f[1]);
		return EINVAL;
	}
	snprintf(s->dyn_addr, sizeof(s->dyn_addr), "%s", f[1]);
	*colon = '\0';
	if (sc_uint(f[1], 0, 65535, &key) || sc_uint(colon + 1, 0, 1, &id)) {
		SC_ERR(p, "dynamic=: loc address must be <key>:<0|1>");
		return EINVAL;
	}
	if (sc_uint(f[2], 1, 31, &s->nchans) || sc_uint(f[3], 0, SYSCONF_MAX_SPANS, &s->timing)) {
		SC_ERR(p, "dynamic=: channels must be 1..31 and timing a number");
		return EINVAL;
	}
	snprintf(s->dyn_driver, sizeof(s->dyn_driver), "%s", f[0]);
	sc->nspans++;
	return 0;
}

static int sc_zone(struct sc_parser *p, char *val, bool dflt)
{
	struct sysconf *sc = p->sc;
	size_t i, len = strlen(val);

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)val[i]) && val[i] != '_')
			break;
	if (!len || i < len || len >= sizeof(sc->defaultzone)) {
		SC_ERR(p, "bad tone zone name '%s'", val);
		return EINVAL;
	}
	if (dflt) {
		if (sc->defaultzone[0]) {
			SC_ERR(p, "defaultzone given twice");
			return EINVAL;
		}
		memcpy(sc->defaultzone, val, len + 1);
		return 0;
	}
	if (sc->nzones == SYSCONF_MAX_ZONES) {
		SC_ERR(p, "too many loadzone lines");
		return EINVAL;
	}
	memcpy(sc->zones[sc->nzones++], val, len + 1);
	return 0;
}

static int sc_line(struct sc_parser *p, char *s)
{
	static const struct {
		const char *key;
		int sig;
	} sigs[] = {
	    {"bchan", DAHDI_SIG_CLEAR},	      {"dchan", DAHDI_SIG_HDLCFCS},
	    {"hardhdlc", DAHDI_SIG_HARDHDLC}, {"fxsks", DAHDI_SIG_FXSKS},
	    {"fxsls", DAHDI_SIG_FXSLS},	      {"fxsgs", DAHDI_SIG_FXSGS},
	    {"fxoks", DAHDI_SIG_FXOKS},	      {"fxols", DAHDI_SIG_FXOLS},
	    {"fxogs", DAHDI_SIG_FXOGS},
	};
	char *eq = strchr(s, '='), *key, *val;
	size_t i;

	if (!eq) {
		SC_ERR(p, "expected key=value");
		return EINVAL;
	}
	*eq = '\0';
	key = sc_trim(s);
	val = sc_trim(eq + 1);
	if (!*val) {
		SC_ERR(p, "%s=: empty value", key);
		return EINVAL;
	}
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(key, sigs[i].key))
			return sc_chanlist(p, val, sigs[i].sig);
	if (!strcmp(key, "span"))
		return sc_span(p, val);
	if (!strcmp(key, "dynamic"))
		return sc_dynamic(p, val);
	if (!strcmp(key, "loadzone"))
		return sc_zone(p, val, false);
	if (!strcmp(key, "defaultzone"))
		return sc_zone(p, val, true);
	SC_ERR(p, "unknown key '%s'", key);
	return EINVAL;
}

static int sc_span_cmp(const void *a, const void *b)
{
	const struct sysconf_span *x = a, *y = b;

	/* span= first by number, then dynamic in file order */
	if ((x->kind == SYSCONF_DYNAMIC) != (y->kind == SYSCONF_DYNAMIC))
		return x->kind == SYSCONF_DYNAMIC ? 1 : -1;
	if (x->kind != SYSCONF_DYNAMIC && x->spanno != y->spanno)
		return x->spanno < y->spanno ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static bool sc_sig_is_fx(int sig)
{
	return sig & (__DAHDI_SIG_FXS | __DAHDI_SIG_FXO);
}

/* The ports past the last span: one analog span per run of FX channels. */
static int sc_layout_analog(struct sc_parser *p, unsigned next)
{
	struct sysconf *sc = p->sc;
	unsigned c;
	int err = 0;

	for (c = next; c <= sc->nchans; c++) {
		struct sysconf_span *s;

		if (!sc->sig[c])
			continue;
		if (!sc_sig_is_fx(sc->sig[c])) {
			p->line = sc->sigline[c];
			SC_ERR(p, "channel %u is on no span (spans end at %u)", c, next - 1);
			err = EINVAL;
			continue;
		}
		if (sc->nspans == SYSCONF_MAX_SPANS) {
			SC_ERR(p, "too many spans");
			return EINVAL;
		}
		s = &sc->spans[sc->nspans];
		memset(s, 0, sizeof(*s));
		s->kind = SYSCONF_ANALOG;
		s->spanno = ++sc->nspans;
		s->first = c;
		s->line = sc->sigline[c];
		while (c <= sc->nchans && sc->sig[c] && sc_sig_is_fx(sc->sig[c]))
			c++;
		s->nchans = c - s->first;
	}
	return err;
}

static int sc_layout(struct sc_parser *p)
{
	struct sysconf *sc = p->sc;
	unsigned i, next = 1;

	qsort(sc->spans, sc->nspans, sizeof(sc->spans[0]), sc_span_cmp);
	for (i = 0; i < sc->nspans; i++) {
		struct sysconf_span *s = &sc->spans[i];

		if (i < p->ndigital && s->spanno != i + 1) {
			p->line = s->line;
			SC_ERR(p, "span %u: span numbers must run from 1 without gaps", s->spanno);
			return EINVAL;
		}
		s->spanno = i + 1;
		s->first = next;
		next += s->nchans;
		if (next - 1 > SYSCONF_MAX_CHANNELS) {
			p->line = s->line;
			SC_ERR(p, "more than %d channels", SYSCONF_MAX_CHANNELS);
			return EINVAL;
		}
	}
	return sc_layout_analog(p, next);
}

static void sc_reset(struct sysconf *sc, const char *name)
{
	memset(sc, 0, sizeof(*sc));
	sc->file = name;
}

int sysconf_parse(struct sysconf *sc, const char *name, const char *text, size_t len,
		  struct conf_diag *diag)
{
	struct sc_parser p = {.sc = sc, .diag = diag, .file = name ? name : "system.conf"};
	char buf[SC_LINE_MAX];
	size_t pos = 0;
	unsigned errors = diag->errors;

	sc_reset(sc, p.file);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *s, *hash;

		p.line++;
		if (n >= sizeof(buf)) {
			SC_ERR(&p, "line longer than %d bytes", SC_LINE_MAX - 1);
			pos += n + 1;
			continue;
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos += n + 1;
		if (memchr(buf, '\0', n)) {
			SC_ERR(&p, "NUL byte in line");
			continue;
		}
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		s = sc_trim(buf);
		if (*s)
			sc_line(&p, s);
	}
	if (diag->errors == errors)
		sc_layout(&p);
	return diag->errors == errors ? 0 : EINVAL;
}

int sysconf_load(struct sysconf *sc, const char *path, struct conf_diag *diag)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t cap = 4096, len = 0, n;
	int err;

	if (!f) {
		err = errno;
		conf_diag_err(diag, path, 0, "cannot read: %s", strerror(err));
		return err;
	}
	text = malloc(cap);
	while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *t = cap > (1u << 24) ? NULL : realloc(text, cap * 2);

			if (!t) {
				free(text);
				text = NULL;
				break;
			}
			text = t;
			cap *= 2;
		}
	}
	fclose(f);
	if (!text) {
		conf_diag_err(diag, path, 0, "file too large or out of memory");
		return ENOMEM;
	}
	err = sysconf_parse(sc, path, text, len, diag);
	free(text);
	return err;
}
