/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mapping file reader (format: mapping/README.md).
 *
 *   # comment            ; comment        (whole lines; inline after a blank)
 *   include "other.map"  (relative to the including file)
 *   [rule NAME]  [test NAME]  [trunk NAME]  [group NAME]  [plan NAME]  [digits NAME]
 *   keyword word word ...
 *
 * Lines are split into words; each section kind hands its lines to its
 * own parser (route_rule.c, route_vectors.c, here for the small ones).
 * Names used before they are declared are resolved at the end, so the
 * order of sections does not matter except among rules.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/route_int.h"
#include "core/mem.h"

#define LINE_MAX_LEN 4096
#define MAX_WORDS    16

enum sec_kind { SEC_NONE, SEC_RULE, SEC_TEST, SEC_TRUNK, SEC_GROUP, SEC_PLAN, SEC_DIGITS };

static const char *const sec_names[] = {"", "rule", "test", "trunk", "group", "plan", "digits"};

struct pstate {
	struct route_set *set;
	const char *file; /* interned */
	unsigned line;
	const char *basedir;
	unsigned depth;
	struct route_diag *diag;
	enum sec_kind sec;
	unsigned idx; /* index of the current section's object */
};

unsigned route_split(char *line, char **words, unsigned max)
{
	unsigned n = 0;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == max)
			return max + 1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
	}
	return n;
}

int route_field_parse(const char *s, enum route_field *f)
{
	static const char *const names[] = {"called", "calling", "redirecting"};
	for (int i = 0; i < RF__COUNT; i++) {
		if (!strcmp(s, names[i])) {
			*f = (enum route_field)i;
			return 0;
		}
	}
	return EINVAL;
}

const char *route_field_name(enum route_field f)
{
	static const char *const names[] = {"called", "calling", "redirecting"};
	return names[f];
}

int route_uint_parse(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 9)
		return EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > max)
		return ERANGE;
	*out = (unsigned)v;
	return 0;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n >= ROUTE_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static const char *intern(struct route_set *set, const char *name)
{
	for (unsigned i = 0; i < set->n_files; i++)
		if (!strcmp(set->files[i], name))
			return set->files[i];
	char **f = realloc(set->files, (set->n_files + 1) * sizeof(*f));
	if (!f)
		return NULL;
	set->files = f;
	if (!(f[set->n_files] = mem_strdup(name)))
		return NULL;
	return f[set->n_files++];
}

/* Strip comments and trailing blanks; false if nothing is left. */
static bool clean_line(char *s)
{
	char *p = s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '#' || *p == ';' || !*p)
		return false;
	for (char *q = p; *q; q++) {
		bool blank = q[0] == ' ' || q[0] == '\t';
		if (blank &&
		    (q[1] == ';' || (q[1] == '#' && (q[2] == ' ' || q[2] == '\t' || !q[2])))) {
			*q = '\0';
			break;
		}
	}
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return n > 0 && s[strspn(s, " \t\r")] != '\0';
}

static int named_add(struct route_named **arr, unsigned *n, size_t elem, struct pstate *ps,
		     const char *kind, const char *name)
{
	for (unsigned i = 0; i < *n; i++) {
		struct route_named *o = (void *)((char *)*arr + i * elem);
		if (!strcmp(o->name, name)) {
			route_diag_err(ps->diag, ps->file, ps->line,
				       "%s '%s' already defined at %s:%u", kind, name, o->file,
				       o->line);
			return EINVAL;
		}
	}
	void *p = realloc(*arr, (*n + 1) * elem);
	if (!p)
		return ENOMEM;
	*arr = p;
	struct route_named *o = (void *)((char *)p + *n * elem);
	memset(o, 0, elem);
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->file = ps->file;
	o->line = ps->line;
	ps->idx = (*n)++;
	return 0;
}

static int rule_begin(struct pstate *ps, const char *name)
{
	struct route_set *set = ps->set;
	/* Duplicate names are found once the file is read (dup_rules), so a
	 * 10,000-rule file does not cost 50 million comparisons. */
	struct route_rule *r = route_grow(set->rules, set->n_rules, &set->cap_rules, sizeof(*r));
	if (!r)
		return ENOMEM;
	set->rules = r;
	r = &set->rules[set->n_rules];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->file = ps->file;
	r->line = ps->line;
	r->id = set->n_rules;
	r->pres = -1;
	for (int f = 0; f < RF__COUNT; f++)
		r->num[f].ton = r->num[f].npi = -1;
	ps->idx = set->n_rules++;
	return 0;
}

static int vector_begin(struct pstate *ps, const char *name)
{
	int err = named_add((struct route_named **)&ps->set->vectors, &ps->set->n_vectors,
			    sizeof(struct route_vector), ps, "test", name);
	if (err)
		return err;
	struct route_vector *v = &ps->set->vectors[ps->idx];
	route_ctx_init(&v->ctx);
	v->pres = -1;
	return 0;
}

static int section_begin(struct pstate *ps, char *text)
{
	char *w[4];
	size_t n = strlen(text);
	if (text[n - 1] != ']') {
		route_diag_err(ps->diag, ps->file, ps->line, "section header lacks ']'");
		return EINVAL;
	}
	text[n - 1] = '\0';
	unsigned nw = route_split(text + 1, w, 3);
	int k = 1;
	while (nw >= 1 && k <= SEC_DIGITS && strcmp(w[0], sec_names[k]))
		k++;
	if (nw < 1 || k > SEC_DIGITS) {
		route_diag_err(ps->diag, ps->file, ps->line,
			       "unknown section '[%s]' (rule, test, trunk, group, plan, digits)",
			       nw ? w[0] : "");
		return EINVAL;
	}
	if (nw != 2 || !name_ok(w[1])) {
		route_diag_err(ps->diag, ps->file, ps->line,
			       "[%s] needs one name of letters, digits, '-', '_', '.'", w[0]);
		return EINVAL;
	}
	struct route_set *set = ps->set;
	ps->sec = (enum sec_kind)k;
	switch (ps->sec) {
	case SEC_RULE:
		return rule_begin(ps, w[1]);
	case SEC_TEST:
		return vector_begin(ps, w[1]);
	case SEC_TRUNK:
		return named_add(&set->trunks, &set->n_trunks, sizeof(struct route_named), ps,
				 "trunk", w[1]);
	case SEC_GROUP:
		return named_add(&set->groups, &set->n_groups, sizeof(struct route_named), ps,
				 "group", w[1]);
	case SEC_PLAN:
		return named_add((struct route_named **)&set->plans, &set->n_plans,
				 sizeof(struct route_plan_decl), ps, "plan", w[1]);
	case SEC_DIGITS:
		return named_add((struct route_named **)&set->maps, &set->n_maps,
				 sizeof(struct route_digitmap), ps, "digits", w[1]);
	case SEC_NONE:
		break;
	}
	return EINVAL;
}

/* [plan NAME]: country 44 / national-prefix 0 / international-prefix 00 / area 20 */
static int plan_line(struct pstate *ps, char **w, unsigned n)
{
	struct number_plan *p = &ps->set->plans[ps->idx].plan;
	char *dst = NULL;
	size_t sz = 0;

	if (n == 2 && !strcmp(w[0], "country")) {
		dst = p->country;
		sz = sizeof(p->country);
	} else if (n == 2 && !strcmp(w[0], "national-prefix")) {
		dst = p->national;
		sz = sizeof(p->national);
	} else if (n == 2 && !strcmp(w[0], "international-prefix")) {
		dst = p->international;
		sz = sizeof(p->international);
	} else if (n == 2 && !strcmp(w[0], "area")) {
		dst = p->area;
		sz = sizeof(p->area);
	} else {
		route_diag_err(ps->diag, ps->file, ps->line,
			       "unknown plan line '%s' (country, national-prefix, "
			       "international-prefix, area: each with one value)",
			       w[0]);
		return EINVAL;
	}
	if (!number_valid(w[1], sz - 1, 0)) {
		route_diag_err(ps->diag, ps->file, ps->line, "%s '%s' is not 1-%zu digits", w[0],
			       w[1], sz - 1);
		return EINVAL;
	}
	strcpy(dst, w[1]);
	return 0;
}

/* [digits NAME]: complete REGEX (one per line; any may match). */
static int digits_line(struct pstate *ps, char **w, unsigned n)
{
	struct route_digitmap *m = &ps->set->maps[ps->idx];
	int ec;
	PCRE2_SIZE off;

	if (n != 2 || strcmp(w[0], "complete")) {
		route_diag_err(ps->diag, ps->file, ps->line,
			       "a [digits] section holds lines 'complete REGEX'");
		return EINVAL;
	}
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)w[1], PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[128];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		route_diag_err(ps->diag, ps->file, ps->line, "bad regex '%s': %s at offset %zu",
			       w[1], (char *)msg, (size_t)off);
		return EINVAL;
	}
	pcre2_code **r = realloc(m->re, (m->n_re + 1) * sizeof(*r));
	char **s = r ? realloc(m->src, (m->n_re + 1) * sizeof(*s)) : NULL;
	if (r)
		m->re = r;
	if (s)
		m->src = s;
	if (!r || !s || !(s[m->n_re] = mem_strdup(w[1]))) {
		pcre2_code_free(re);
		return ENOMEM;
	}
	r[m->n_re++] = re;
	return 0;
}

int route_read_file(const char *path, char **textp)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0;

	*textp = NULL;
	if (!f)
		return errno;
	ssize_t len = getdelim(textp, &cap, '\0', f);
	int err = len < 0 && ferror(f) ? EIO : 0;
	fclose(f);
	if (!err && len < 0) { /* an empty file */
		free(*textp);
		*textp = calloc(1, 1);
	}
	if (!err && !*textp)
		err = ENOMEM;
	if (err) {
		free(*textp);
		*textp = NULL;
	}
	return err;
}

static int include_file(struct pstate *ps, char **w, unsigned n)
{
	char path[1024];
	char *arg = n == 2 ? w[1] : NULL;
	size_t al = arg ? strlen(arg) : 0;

	if (al >= 2 && arg[0] == '"' && arg[al - 1] == '"') {
		arg[al - 1] = '\0';
		arg++;
	}
	if (!arg || !*arg) {
		route_diag_err(ps->diag, ps->file, ps->line, "include needs one file name");
		return EINVAL;
	}
	if (ps->depth + 1 >= ROUTE_INCLUDE_DEPTH) {
		route_diag_err(ps->diag, ps->file, ps->line,
			       "includes nested deeper than %d (a loop?)", ROUTE_INCLUDE_DEPTH);
		return ELOOP;
	}
	if (arg[0] == '/' || !ps->basedir)
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "%s/%s", ps->basedir, arg);
	char *text = NULL;
	int err = route_read_file(path, &text);
	if (err) {
		route_diag_err(ps->diag, ps->file, ps->line, "cannot include '%s': %s", path,
			       strerror(err));
		return err;
	}
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	err = route_parse_text(ps->set, path, text, dirname(dir), ps->depth + 1, ps->diag);
	free(text);
	return err;
}

static int body_line(struct pstate *ps, char **w, unsigned n)
{
	switch (ps->sec) {
	case SEC_RULE:
		return route_rule_line(ps->set, &ps->set->rules[ps->idx], w, n, ps->line, ps->diag);
	case SEC_TEST:
		return route_vector_line(ps->set, &ps->set->vectors[ps->idx], w, n, ps->line,
					 ps->diag);
	case SEC_PLAN:
		return plan_line(ps, w, n);
	case SEC_DIGITS:
		return digits_line(ps, w, n);
	case SEC_TRUNK:
	case SEC_GROUP:
		if (!strcmp(w[0], "description"))
			return 0;
		route_diag_err(ps->diag, ps->file, ps->line,
			       "unknown line '%s' in [%s] (only 'description ...')", w[0],
			       sec_names[ps->sec]);
		return EINVAL;
	case SEC_NONE:
		break;
	}
	route_diag_err(ps->diag, ps->file, ps->line, "'%s' outside a section", w[0]);
	return EINVAL;
}

static void parse_line(struct pstate *ps, char *s, bool *skip)
{
	char *w[MAX_WORDS];

	if (!clean_line(s))
		return;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[') {
		*skip = section_begin(ps, s) != 0;
		if (*skip)
			ps->sec = SEC_NONE;
		return;
	}
	if (*skip)
		return;
	unsigned n = route_split(s, w, MAX_WORDS);
	if (n == 0)
		return;
	if (n > MAX_WORDS) {
		route_diag_err(ps->diag, ps->file, ps->line, "more than %d words on a line",
			       MAX_WORDS);
		return;
	}
	struct route_diag *d = ps->diag;
	if (!strcmp(w[0], "include")) {
		include_file(ps, w, n);
		ps->sec = SEC_NONE;
		return;
	}
	unsigned before = d->errors;
	int err = body_line(ps, w, n);
	if (err && d->errors == before)
		route_diag_err(d, ps->file, ps->line, "%s", strerror(err));
}

int route_parse_text(struct route_set *set, const char *name, const char *text, const char *basedir,
		     unsigned depth, struct route_diag *diag)
{
	struct pstate ps = {.set = set, .basedir = basedir, .depth = depth, .diag = diag};
	char buf[LINE_MAX_LEN + 1];
	bool skip = false;

	ps.file = intern(set, name);
	if (!ps.file)
		return ENOMEM;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		ps.line++;
		if (len > LINE_MAX_LEN) {
			route_diag_err(diag, ps.file, ps.line, "line longer than %d characters",
				       LINE_MAX_LEN);
		} else {
			memcpy(buf, p, len);
			buf[len] = '\0';
			parse_line(&ps, buf, &skip);
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

/* --- loading ------------------------------------------------------------ */

int route_set_parse(struct route_set **setp, const char *name, const char *text,
		    const char *basedir, struct route_diag *diag)
{
	struct route_set *set;
	int err = route_set_alloc(&set);

	*setp = NULL;
	if (err)
		return err;
	unsigned before = diag->errors;
	err = route_parse_text(set, name, text, basedir, 0, diag);
	if (!err)
		err = route_set_resolve(set, diag);
	if (!err && diag->errors != before)
		err = EINVAL;
	if (!err)
		err = route_set_finish(set, diag);
	if (err) {
		mem_deref(set);
		return err;
	}
	*setp = set;
	return 0;
}

int route_set_load(struct route_set **setp, const char *path, struct route_diag *diag)
{
	char *text = NULL;
	int err = route_read_file(path, &text);

	*setp = NULL;
	if (err) {
		route_diag_err(diag, path, 0, "cannot open: %s", strerror(err));
		return err;
	}
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	err = route_set_parse(setp, path, text, dirname(dir), diag);
	free(text);
	return err;
}
