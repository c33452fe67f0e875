/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cause tables (see cause.h and mapping/README.md).
 *
 *   variant rfc3398
 *   [q850-to-sip]             RFC 3398 §7.2.4.1
 *   17 486 User busy          cause status [Q.850 name]
 *   16 none Normal call clearing
 *   default 500
 *   [sip-to-q850]             RFC 3398 §8.2.6.1
 *   486 17
 *   default 127
 *   [trunk carrier-x]         per-trunk overrides
 *   q850-to-sip 34 480
 *   [test rows]
 *   q850-to-sip 17 486        expect (optionally: trunk NAME q850-to-sip ...)
 */
#include "call/cause.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call/route_int.h"
#include "core/mem.h"

#define Q850_MAX   127
#define SIP_MAX	   699
#define UNSET	   0xffff
#define NONE_MARK  0xfffe
#define TEXT_MAX   64
#define MAX_TRUNKS 64
#define MAX_TESTS  512

struct cause_tab {
	uint16_t to_sip[Q850_MAX + 1];
	uint16_t to_q850[SIP_MAX + 1];
};

struct cause_trunk {
	char name[ROUTE_NAME_MAX];
	struct cause_tab tab;
};

struct cause_test {
	const char *file;
	unsigned line;
	char trunk[ROUTE_NAME_MAX];
	bool to_sip;
	unsigned in, want;
};

struct cause_map {
	char variant[32];
	struct cause_tab tab;
	uint16_t dflt_sip, dflt_q850;
	char text[Q850_MAX + 1][TEXT_MAX];
	struct cause_trunk trunks[MAX_TRUNKS];
	unsigned n_trunks;
	struct cause_test tests[MAX_TESTS];
	unsigned n_tests;
	char *file;
};

enum csec { CS_NONE, CS_TO_SIP, CS_TO_Q850, CS_TRUNK, CS_TEST };

struct cparse {
	struct cause_map *m;
	const char *file;
	unsigned line;
	struct route_diag *diag;
	enum csec sec;
	struct cause_tab *cur; /* table rows go to (main or a trunk's) */
	char test_trunk[ROUTE_NAME_MAX];
};

#define CERR(...)                                                                                  \
	do {                                                                                       \
		route_diag_err(cp->diag, cp->file, cp->line, __VA_ARGS__);                         \
		return EINVAL;                                                                     \
	} while (0)

static void tab_clear(struct cause_tab *t)
{
	for (unsigned i = 0; i <= Q850_MAX; i++)
		t->to_sip[i] = UNSET;
	for (unsigned i = 0; i <= SIP_MAX; i++)
		t->to_q850[i] = UNSET;
}

static void map_destroy(void *data)
{
	struct cause_map *m = data;
	mem_deref(m->file);
}

bool cause_text_is_table(const char *text)
{
	return strstr(text, "[q850-to-sip]") || strstr(text, "[sip-to-q850]");
}

/* A row: `cause status [name...]` or `status cause`, or `default N`;
 * `none` for "no mapping applies". */
static int row_set(struct cparse *cp, uint16_t *slot, unsigned maxin, const char *what,
		   const char *in_s, const char *out_s, bool to_sip, uint16_t *dflt)
{
	unsigned in = 0, out = 0;
	bool none = !strcmp(out_s, "none");

	if (!none && (route_uint_parse(out_s, to_sip ? SIP_MAX : Q850_MAX, &out) ||
		      (to_sip ? out < 300 : out < 1)))
		CERR("'%s' is not a %s", out_s,
		     to_sip ? "SIP final status 300-699" : "Q.850 cause 1-127");
	if (!strcmp(in_s, "default")) {
		if (!dflt)
			CERR("'default' belongs in [q850-to-sip] or [sip-to-q850]");
		if (none)
			CERR("a default must be a value");
		*dflt = (uint16_t)out;
		return 0;
	}
	if (route_uint_parse(in_s, maxin, &in) || (to_sip ? in < 1 : in < 300))
		CERR("'%s' is not a %s", in_s,
		     to_sip ? "Q.850 cause 1-127" : "SIP final status 300-699");
	if (slot[in] != UNSET)
		CERR("%s %u is listed twice", what, in);
	slot[in] = none ? NONE_MARK : (uint16_t)out;
	return 0;
}

static int table_line(struct cparse *cp, char **w, unsigned n, bool to_sip, bool main)
{
	struct cause_map *m = cp->m;

	if (n < 2 || (!to_sip && n != 2))
		CERR("a row is '%s' (one per line)",
		     to_sip ? "CAUSE STATUS [name]" : "STATUS CAUSE");
	int err = to_sip ? row_set(cp, cp->cur->to_sip, Q850_MAX, "cause", w[0], w[1], true,
				   main ? &m->dflt_sip : NULL)
			 : row_set(cp, cp->cur->to_q850, SIP_MAX, "status", w[0], w[1], false,
				   main ? &m->dflt_q850 : NULL);
	if (err || !to_sip || !main || n < 3 || !strcmp(w[0], "default"))
		return err;
	/* The rest of the line is the cause's Q.850 name. */
	unsigned c = (unsigned)atoi(w[0]);
	char *t = m->text[c];
	for (unsigned i = 2; i < n; i++) {
		size_t used = strlen(t);
		snprintf(t + used, TEXT_MAX - used, "%s%s", i > 2 ? " " : "", w[i]);
	}
	return 0;
}

static int trunk_line(struct cparse *cp, char **w, unsigned n)
{
	if (n == 3 && !strcmp(w[0], "q850-to-sip"))
		return table_line(cp, w + 1, 2, true, false);
	if (n == 3 && !strcmp(w[0], "sip-to-q850"))
		return table_line(cp, w + 1, 2, false, false);
	CERR("a [trunk] override is 'q850-to-sip CAUSE STATUS' or 'sip-to-q850 STATUS CAUSE'");
}

static int test_line(struct cparse *cp, char **w, unsigned n)
{
	struct cause_map *m = cp->m;
	const char *trunk = "";
	unsigned in, want;

	if (n >= 2 && !strcmp(w[0], "trunk")) {
		trunk = w[1];
		w += 2;
		n -= 2;
	}
	bool to_sip = n == 3 && !strcmp(w[0], "q850-to-sip");
	if (n != 3 || (!to_sip && strcmp(w[0], "sip-to-q850")))
		CERR("a test is '[trunk NAME] q850-to-sip CAUSE STATUS|none' or "
		     "'[trunk NAME] sip-to-q850 STATUS CAUSE|none'");
	if (route_uint_parse(w[1], SIP_MAX, &in) ||
	    (strcmp(w[2], "none") && route_uint_parse(w[2], SIP_MAX, &want)))
		CERR("test values must be numbers (or none)");
	if (!strcmp(w[2], "none"))
		want = CAUSE_NONE;
	if (m->n_tests == MAX_TESTS || strlen(trunk) >= ROUTE_NAME_MAX)
		CERR("too many tests, or trunk name too long");
	struct cause_test *t = &m->tests[m->n_tests++];
	t->file = m->file;
	t->line = cp->line;
	snprintf(t->trunk, sizeof(t->trunk), "%s", trunk);
	t->to_sip = to_sip;
	t->in = in;
	t->want = want;
	return 0;
}

static int csection(struct cparse *cp, char *s)
{
	struct cause_map *m = cp->m;
	char *w[4];
	size_t len = strlen(s);

	if (s[len - 1] != ']')
		CERR("section header lacks ']'");
	s[len - 1] = '\0';
	unsigned n = route_split(s + 1, w, 3);
	cp->cur = &m->tab;
	if (n == 1 && !strcmp(w[0], "q850-to-sip"))
		cp->sec = CS_TO_SIP;
	else if (n == 1 && !strcmp(w[0], "sip-to-q850"))
		cp->sec = CS_TO_Q850;
	else if (n == 2 && !strcmp(w[0], "test"))
		cp->sec = CS_TEST;
	else if (n == 2 && !strcmp(w[0], "trunk")) {
		for (unsigned i = 0; i < m->n_trunks; i++)
			if (!strcmp(m->trunks[i].name, w[1]))
				CERR("[trunk %s] appears twice", w[1]);
		if (m->n_trunks == MAX_TRUNKS || strlen(w[1]) >= ROUTE_NAME_MAX)
			CERR("too many trunks, or trunk name too long");
		struct cause_trunk *t = &m->trunks[m->n_trunks++];
		snprintf(t->name, sizeof(t->name), "%s", w[1]);
		tab_clear(&t->tab);
		cp->cur = &t->tab;
		cp->sec = CS_TRUNK;
	} else {
		cp->sec = CS_NONE;
		CERR("unknown section (q850-to-sip, sip-to-q850, trunk NAME, test NAME)");
	}
	return 0;
}

static int cline(struct cparse *cp, char *s)
{
	char *w[24];

	while (*s == ' ' || *s == '\t')
		s++;
	char *c = strchr(s, '#');
	if (c)
		*c = '\0';
	if ((c = strchr(s, ';')))
		*c = '\0';
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		s[--len] = '\0';
	if (*s == '[')
		return csection(cp, s);
	unsigned n = route_split(s, w, 23);
	if (!n)
		return 0;
	if (n > 23)
		CERR("line too long");
	if (!strcmp(w[0], "variant")) {
		if (n != 2 || strlen(w[1]) >= sizeof(cp->m->variant))
			CERR("'variant' takes one short name");
		snprintf(cp->m->variant, sizeof(cp->m->variant), "%s", w[1]);
		return 0;
	}
	switch (cp->sec) {
	case CS_TO_SIP:
		return table_line(cp, w, n, true, true);
	case CS_TO_Q850:
		return table_line(cp, w, n, false, true);
	case CS_TRUNK:
		return trunk_line(cp, w, n);
	case CS_TEST:
		return test_line(cp, w, n);
	case CS_NONE:
		break;
	}
	CERR("'%s' outside a section", w[0]);
}

int cause_map_parse(struct cause_map **mp, const char *name, const char *text,
		    struct route_diag *diag)
{
	struct cause_map *m = mem_zalloc(sizeof(*m), map_destroy);
	struct cparse cp = {.m = m, .diag = diag};
	char buf[1024];
	bool skip = false;
	unsigned before = diag->errors;

	*mp = NULL;
	if (!m || !(m->file = mem_strdup(name))) {
		mem_deref(m);
		return ENOMEM;
	}
	cp.file = m->file;
	cp.cur = &m->tab;
	tab_clear(&m->tab);
	m->dflt_sip = m->dflt_q850 = UNSET;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		cp.line++;
		if (len >= sizeof(buf)) {
			route_diag_err(diag, cp.file, cp.line, "line longer than %zu characters",
				       sizeof(buf) - 1);
		} else {
			memcpy(buf, p, len);
			buf[len] = '\0';
			char *s = buf + strspn(buf, " \t");
			bool header = *s == '[';
			if (header || !skip) {
				int err = cline(&cp, buf);
				if (header)
					skip = err != 0;
			}
		}
		p += len + (nl ? 1 : 0);
	}
	if (!m->variant[0])
		route_diag_err(diag, cp.file, 0, "no 'variant NAME' line");
	if (m->dflt_sip == UNSET || m->dflt_q850 == UNSET)
		route_diag_err(diag, cp.file, 0,
			       "both tables need a 'default' row (for causes and statuses "
			       "not listed)");
	if (diag->errors != before) {
		mem_deref(m);
		return EINVAL;
	}
	*mp = m;
	return 0;
}

int cause_map_load(struct cause_map **mp, const char *path, struct route_diag *diag)
{
	char *text = NULL;
	int err = route_read_file(path, &text);

	*mp = NULL;
	if (err) {
		route_diag_err(diag, path, 0, "cannot open: %s", strerror(err));
		return err;
	}
	err = cause_map_parse(mp, path, text, diag);
	free(text);
	return err;
}

const char *cause_map_variant(const struct cause_map *m)
{
	return m->variant;
}

const char *cause_text(const struct cause_map *m, unsigned cause)
{
	return cause <= Q850_MAX ? m->text[cause] : "";
}

static const struct cause_tab *trunk_tab(const struct cause_map *m, const char *trunk)
{
	for (unsigned i = 0; trunk && i < m->n_trunks; i++)
		if (!strcmp(m->trunks[i].name, trunk))
			return &m->trunks[i].tab;
	return NULL;
}

static unsigned val(uint16_t v)
{
	return v == NONE_MARK ? CAUSE_NONE : v;
}

unsigned cause_to_sip(const struct cause_map *m, const char *trunk, unsigned cause)
{
	const struct cause_tab *t = trunk_tab(m, trunk);

	if (cause < 1 || cause > Q850_MAX)
		return m->dflt_sip;
	if (t && t->to_sip[cause] != UNSET)
		return val(t->to_sip[cause]);
	if (m->tab.to_sip[cause] != UNSET)
		return val(m->tab.to_sip[cause]);
	return m->dflt_sip;
}

unsigned cause_from_sip(const struct cause_map *m, const char *trunk, unsigned status)
{
	const struct cause_tab *t = trunk_tab(m, trunk);

	if (status < 300 || status > SIP_MAX)
		return m->dflt_q850;
	/* RFC 3261 §21: an unknown status is treated as the x00 of its class. */
	unsigned try[2] = {status, status / 100 * 100};
	for (int i = 0; i < 2; i++) {
		if (t && t->to_q850[try[i]] != UNSET)
			return val(t->to_q850[try[i]]);
		if (m->tab.to_q850[try[i]] != UNSET)
			return val(m->tab.to_q850[try[i]]);
	}
	return m->dflt_q850;
}

unsigned cause_from_sip_reason(const struct cause_map *m, const char *trunk, unsigned status,
			       const char *reason, size_t len)
{
	unsigned c;
	if (reason && !cause_reason_parse(reason, len, &c))
		return c;
	return cause_from_sip(m, trunk, status);
}

/* --- Reason header (RFC 3326 §2, RFC 6432 §3) ------------------------- */

int cause_reason_format(char *buf, size_t len, unsigned cause, const char *text)
{
	if (cause < 1 || cause > Q850_MAX)
		return EINVAL;
	int n = snprintf(buf, len, "Q.850;cause=%u", cause);
	if (n < 0 || (size_t)n >= len)
		return ENOSPC;
	if (!text || !*text)
		return 0;
	size_t o = (size_t)n;
	const char *pre = ";text=\"";
	if (o + strlen(pre) >= len)
		return ENOSPC;
	memcpy(buf + o, pre, strlen(pre));
	o += strlen(pre);
	for (const char *p = text; *p; p++) {
		/* quoted-string (RFC 3261 §25.1): escape '"' and '\'; drop controls. */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			continue;
		if (o + 3 >= len)
			return ENOSPC;
		if (*p == '"' || *p == '\\')
			buf[o++] = '\\';
		buf[o++] = *p;
	}
	if (o + 2 > len)
		return ENOSPC;
	buf[o++] = '"';
	buf[o] = '\0';
	return 0;
}

static size_t skip_ws(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* End of one reason-value: the next ',' outside a quoted string. */
static size_t reason_end(const char *s, size_t i, size_t len)
{
	bool q = false;
	for (; i < len; i++) {
		if (q && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == ',')
			break;
	}
	return i < len ? i : len;
}

/* Past the quoted string whose opening '"' is at i. */
static size_t skip_quoted(const char *s, size_t i, size_t end)
{
	for (i++; i < end && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i < end ? i + 1 : end;
}

/* In [i, end): find `;cause=N`.  EINVAL if absent or out of range. */
static int reason_cause(const char *s, size_t i, size_t end, unsigned *cause)
{
	while (i < end) {
		while (i < end && s[i] != ';')
			i = s[i] == '"' ? skip_quoted(s, i, end) : i + 1;
		if (i >= end)
			break;
		i = skip_ws(s, i + 1, end);
		if (end - i >= 5 && !strncasecmp(s + i, "cause", 5)) {
			size_t j = skip_ws(s, i + 5, end);
			if (j < end && s[j] != '=' && j == i + 5)
				continue; /* another parameter, e.g. "causes=" */
			if (j >= end || s[j] != '=')
				return EINVAL;
			j = skip_ws(s, j + 1, end);
			unsigned v = 0, nd = 0;
			while (j < end && s[j] >= '0' && s[j] <= '9' && nd < 4) {
				v = v * 10 + (unsigned)(s[j++] - '0');
				nd++;
			}
			if (!nd || nd > 3 || v < 1 || v > Q850_MAX)
				return EINVAL;
			*cause = v;
			return 0;
		}
	}
	return EINVAL;
}

int cause_reason_parse(const char *hdr, size_t len, unsigned *cause)
{
	size_t i = 0;

	while (i < len) {
		size_t end = reason_end(hdr, i, len);
		size_t p = skip_ws(hdr, i, end);
		size_t t = p;
		while (t < end && hdr[t] != ';' && hdr[t] != ' ' && hdr[t] != '\t')
			t++;
		/* The protocol token is case-insensitive (RFC 3326 §2). */
		if (t - p == 5 && !strncasecmp(hdr + p, "Q.850", 5))
			return reason_cause(hdr, t, end, cause);
		i = end + 1;
	}
	return ENOENT;
}

/* --- vectors --------------------------------------------------------- */

unsigned cause_vectors_run(const struct cause_map *m, char **report, unsigned *total)
{
	unsigned failed = 0;

	*total = m->n_tests;
	for (unsigned i = 0; i < m->n_tests; i++) {
		const struct cause_test *t = &m->tests[i];
		const char *trunk = t->trunk[0] ? t->trunk : NULL;
		unsigned got =
		    t->to_sip ? cause_to_sip(m, trunk, t->in) : cause_from_sip(m, trunk, t->in);
		if (got == t->want)
			continue;
		failed++;
		route_strcat(report, "FAIL %s:%u: %s%s%s %u\n  - expected: %u\n  + got:      %u\n",
			     t->file, t->line, trunk ? "trunk " : "", trunk ? trunk : "",
			     t->to_sip ? (trunk ? " q850-to-sip" : "q850-to-sip")
				       : (trunk ? " sip-to-q850" : "sip-to-q850"),
			     t->in, t->want, got);
	}
	return failed;
}
