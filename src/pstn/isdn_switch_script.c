/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated switch's script language (grammar in isdn_switch.h): lines
 * of words; every mistake is an error naming the line, nothing is guessed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "pstn/isdn_switch_int.h"

#define MAX_WORDS 64
#define WORD_MAX  40

struct line {
	char w[MAX_WORDS][WORD_MAX];
	unsigned n;
};

/* Split one line (up to '\n' or '#') into words.  EINVAL if too many or
 * too long. */
static int split(const char *p, size_t len, struct line *l, const char **why)
{
	size_t i = 0;
	l->n = 0;
	while (i < len && p[i] != '#') {
		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
			i++;
		if (i >= len || p[i] == '#')
			break;
		size_t k = 0;
		if (l->n == MAX_WORDS) {
			*why = "too many words";
			return EINVAL;
		}
		while (i < len && p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '#') {
			if (k + 1 >= WORD_MAX) {
				*why = "word too long";
				return EINVAL;
			}
			l->w[l->n][k++] = p[i++];
		}
		l->w[l->n++][k] = 0;
	}
	return 0;
}

static bool is_number(const char *s, bool pattern)
{
	size_t n = strlen(s);
	if (n == 0 || n > ISDN_NUM_MAX + (pattern ? 1 : 0))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (pattern && c == '*' && i == n - 1)
			continue;
		if (!((c >= '0' && c <= '9') || c == '*' || c == '#' || c == '+'))
			return false;
	}
	return true;
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return EINVAL;
	*out = (unsigned)v;
	return 0;
}

struct opword {
	const char *name;
	enum sw_op op;
	int nargs; /* 0, 1 (cause, count, duration) or -1 (optional "inband") */
};

static const struct opword ops[] = {
    {"proceeding", SW_PROCEEDING, -1},
    {"alert", SW_ALERT, -1},
    {"progress", SW_PROGRESS, -1},
    {"setup_ack", SW_SETUP_ACK, -1},
    {"answer", SW_ANSWER, 0},
    {"wait", SW_WAIT, 1},
    {"reject", SW_REJECT, 1},
    {"hangup", SW_HANGUP, 1},
    {"collect", SW_COLLECT, 1},
    {"never", SW_NEVER, 0},
    {"tone", SW_TONE, 1},
    {"echo", SW_ECHO, 0},
    {"record", SW_RECORD, 0},
    {"silence", SW_SILENCE, 0},
};

/* DAHDI_TONE_* numbers, in order. */
static const char *const tone_names[] = {
    "dial", "busy", "ringback", "congestion", "callwait", "dialrecall", "record", "info", NULL};

static int action_arg(struct sw_action *a, const char *w, const char **why)
{
	switch (a->op) {
	case SW_WAIT:
		if (conf_parse_duration(w, &a->ns)) {
			*why = "bad duration (500ms, 2s, 1m)";
			return EINVAL;
		}
		return 0;
	case SW_TONE:
		for (unsigned i = 0; tone_names[i]; i++) {
			if (!strcmp(w, tone_names[i])) {
				a->arg = i;
				return 0;
			}
		}
		/* A number: a steady test tone in Hz, within the telephone band
		 * (O.133's 1004 Hz milliwatt, for instance). */
		if (!parse_uint(w, 50, 3999, &a->hz))
			return 0;
		*why = "unknown tone (dial, busy, ringback, congestion, callwait, dialrecall, "
		       "record, info, or a frequency 50-3999 Hz)";
		return EINVAL;
	case SW_COLLECT:
		if (parse_uint(w, 1, ISDN_NUM_MAX, &a->arg)) {
			*why = "collect needs a digit count 1-32";
			return EINVAL;
		}
		return 0;
	default:
		if (parse_uint(w, 1, 127, &a->arg)) {
			*why = "a cause is a Q.850 value 1-127";
			return EINVAL;
		}
		return 0;
	}
}

/* Actions from word *i to the end of the line. */
static int parse_actions(const struct line *l, unsigned *i, struct sw_prog *prog, const char **why)
{
	while (*i < l->n) {
		const char *w = l->w[(*i)++];
		const struct opword *o = NULL;
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (!strcmp(ops[k].name, w))
				o = &ops[k];
		if (!o) {
			*why = "unknown action";
			return EINVAL;
		}
		if (prog->n == SW_MAX_ACTIONS) {
			*why = "too many actions";
			return EINVAL;
		}
		struct sw_action *a = &prog->a[prog->n++];
		memset(a, 0, sizeof(*a));
		a->op = o->op;
		if (o->nargs < 0 && *i < l->n && !strcmp(l->w[*i], "inband")) {
			a->inband = true;
			(*i)++;
		} else if (o->nargs == 1) {
			if (*i >= l->n) {
				*why = "action without its value";
				return EINVAL;
			}
			if (action_arg(a, l->w[(*i)++], why))
				return EINVAL;
		}
	}
	return 0;
}

static int word_index(const char *w, const char *const *names, unsigned *out)
{
	for (unsigned i = 0; names[i]; i++) {
		if (!strcmp(w, names[i])) {
			*out = i;
			return 0;
		}
	}
	return EINVAL;
}

static int call_option(struct sw_place *pl, const char *k, const char *v, const char **why)
{
	static const char *const pres[] = {"allowed", "restricted", "unavailable", NULL};
	static const char *const screen[] = {"user", "passed", "failed", "network", NULL};
	static const char *const ton[] = {"unknown", "international", "national",
					  "network", "subscriber",    NULL};
	unsigned x;
	*why = "bad value";
	if (!strcmp(k, "from")) {
		if (!is_number(v, false))
			return EINVAL;
		snprintf(pl->prm.calling.digits, sizeof(pl->prm.calling.digits), "%.*s",
			 ISDN_NUM_MAX, v);
	} else if (!strcmp(k, "pres")) {
		if (word_index(v, pres, &x))
			return EINVAL;
		pl->prm.calling.pres = (uint8_t)x;
	} else if (!strcmp(k, "screen")) {
		if (word_index(v, screen, &x))
			return EINVAL;
		pl->prm.calling.screen = (uint8_t)x;
	} else if (!strcmp(k, "ton")) {
		if (word_index(v, ton, &x))
			return EINVAL;
		pl->prm.called.ton = pl->prm.calling.ton = (uint8_t)x;
	} else if (!strcmp(k, "overlap")) {
		if (!is_number(v, false))
			return EINVAL;
		snprintf(pl->overlap, sizeof(pl->overlap), "%.*s", ISDN_NUM_MAX, v);
		pl->prm.complete = false;
	} else if (!strcmp(k, "at")) {
		if (conf_parse_duration(v, &pl->at))
			return EINVAL;
	} else if (!strcmp(k, "abandon")) {
		if (conf_parse_duration(v, &pl->abandon) || !pl->abandon)
			return EINVAL;
	} else {
		*why = "unknown call option";
		return EINVAL;
	}
	return 0;
}

static int parse_call(struct sw_script *s, const struct line *l, const char **why)
{
	if (s->nplaces == SW_MAX_PLACES) {
		*why = "too many calls";
		return EINVAL;
	}
	struct sw_place *pl = &s->places[s->nplaces];
	memset(pl, 0, sizeof(*pl));
	if (l->n < 2 || !is_number(l->w[1], false)) {
		*why = "call needs a called number";
		return EINVAL;
	}
	snprintf(pl->prm.called.digits, sizeof(pl->prm.called.digits), "%.*s", ISDN_NUM_MAX,
		 l->w[1]);
	pl->prm.complete = true;
	pl->prm.called.npi = pl->prm.calling.npi = 1; /* E.164 */
	unsigned i = 2;
	while (i < l->n && strcmp(l->w[i], "then")) {
		if (i + 1 >= l->n) {
			*why = "call option without its value";
			return EINVAL;
		}
		if (call_option(pl, l->w[i], l->w[i + 1], why))
			return EINVAL;
		i += 2;
	}
	if (i < l->n) {
		i++;
		if (parse_actions(l, &i, &pl->then, why))
			return EINVAL;
	}
	s->nplaces++;
	return 0;
}

static int parse_line(struct sw_script *s, const struct line *l, const char **why)
{
	if (l->n == 0)
		return 0;
	if (!strcmp(l->w[0], "call"))
		return parse_call(s, l, why);
	if (strcmp(l->w[0], "on")) {
		*why = "a line starts with 'on' or 'call'";
		return EINVAL;
	}
	if (s->nrules == SW_MAX_RULES) {
		*why = "too many rules";
		return EINVAL;
	}
	struct sw_rule *r = &s->rules[s->nrules];
	memset(r, 0, sizeof(*r));
	if (l->n < 3 || !is_number(l->w[1], true)) {
		*why = "on needs a number pattern and actions";
		return EINVAL;
	}
	snprintf(r->pattern, sizeof(r->pattern), "%.*s", ISDN_NUM_MAX + 1, l->w[1]);
	unsigned i = 2;
	if (parse_actions(l, &i, &r->prog, why))
		return EINVAL;
	s->nrules++;
	return 0;
}

int isdn_simsw_parse(struct sw_script *s, const char *name, const char *text, char *err,
		     size_t errlen)
{
	static struct line l;
	unsigned lineno = 0;
	memset(s, 0, sizeof(*s));
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *why = NULL;
		lineno++;
		if (split(p, len, &l, &why) || parse_line(s, &l, &why)) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
			return EINVAL;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

const struct sw_rule *isdn_simsw_match(const struct sw_script *s, const char *called)
{
	for (unsigned i = 0; i < s->nrules; i++) {
		const char *pat = s->rules[i].pattern;
		size_t n = strlen(pat);
		if (pat[n - 1] == '*' ? !strncmp(pat, called, n - 1) : !strcmp(pat, called))
			return &s->rules[i];
	}
	return NULL;
}
