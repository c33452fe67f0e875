/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: diagnostics, value parsers, binding a section to a struct
 * through a key table, and dispatching sections by kind (see conf.h).  The
 * reader is conf.c.
 *
 * Every message names file:line, the section and the key, and quotes the
 * offending value (cut short: values are untrusted).  Nothing falls back to
 * a default when a value is wrong (DESIGN §5).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/conf.h"
#include "core/conf_priv.h"
#include "core/mem.h"

enum { WHY_MAX = 512, LABEL_MAX = 160, MSG_MAX = 1024 };

/* --- Diagnostics --------------------------------------------------------- */

void conf_diag_init(struct conf_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void conf_diag_reset(struct conf_diag *d)
{
	mem_deref(d->text);
	conf_diag_init(d);
}

/* mem has no realloc and the diagnostics no capacity field: the capacity is
 * implied by the length (powers of two from 256), so appending stays
 * amortised O(1). */
static size_t diag_cap(size_t len)
{
	size_t cap = 256;
	while (cap < len + 1 && cap < SIZE_MAX / 2)
		cap *= 2;
	return cap;
}

static void diag_append(char **text, size_t *tlen, const char *msg)
{
	size_t n = strlen(msg);
	size_t len = *tlen + n + 1; /* with its '\n' */

	if (!*text || diag_cap(len) != diag_cap(*tlen)) {
		char *t = mem_zalloc(diag_cap(len), NULL);
		if (!t)
			return; /* the counters still tell that something went wrong */
		if (*text)
			memcpy(t, *text, *tlen);
		mem_deref(*text);
		*text = t;
	}
	memcpy(*text + *tlen, msg, n);
	(*text)[len - 1] = '\n';
	(*text)[len] = '\0';
	*tlen = len;
}

/* Where a prefix ends in msg[MSG_MAX], whatever snprintf returned. */
static int diag_clamp(int n)
{
	return n < 0 ? 0 : n >= MSG_MAX ? MSG_MAX - 1 : n;
}

void conf_diag_text_vadd(char **text, size_t *len, const char *label, const char *file,
			 unsigned line, const char *fmt, va_list ap)
{
	char msg[MSG_MAX];
	int n = 0;

	if (file && line)
		n = snprintf(msg, sizeof(msg), "%s:%u: ", file, line);
	else if (file)
		n = snprintf(msg, sizeof(msg), "%s: ", file);
	n = diag_clamp(n);
	if (label)
		n = diag_clamp(n + snprintf(msg + n, sizeof(msg) - (size_t)n, "%s: ", label));
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	diag_append(text, len, msg);
}

/* Collected only: the caller decides where messages go (stderr for
 * --check-config and start-up, the log for a reload). */
void conf_diag_err(struct conf_diag *d, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	d->errors++;
	conf_diag_text_vadd(&d->text, &d->len, NULL, file, line, fmt, ap);
	va_end(ap);
}

void conf_diag_warn(struct conf_diag *d, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	d->warnings++;
	conf_diag_text_vadd(&d->text, &d->len, NULL, file, line, fmt, ap);
	va_end(ap);
}

bool conf_diag_text_has(const char *text, const char *needle)
{
	size_t nl = strlen(needle);
	const char *p = text;

	/* Line by line, so a needle never matches across two messages. */
	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (memmem(p, n, needle, nl))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

bool conf_diag_has(const struct conf_diag *d, const char *needle)
{
	return conf_diag_text_has(d->text, needle);
}

/* --- Shared helpers ------------------------------------------------------ */

const char *conf_snip(char *buf, const char *s, size_t n)
{
	const size_t keep = CONF_SNIP_SIZE - 4; /* room for "..." and NUL */
	size_t o = 0;

	for (size_t i = 0; i < n && i < keep; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (n > keep) {
		/* Do not leave half a UTF-8 sequence before the "...". */
		while (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
			o--;
		if (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0xc0)
			o--;
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

const char *conf_sec_label(char *buf, size_t size, const struct conf_section *sec)
{
	if (sec->name)
		snprintf(buf, size, "[%s %s]", sec->kind, sec->name);
	else
		snprintf(buf, size, "[%s]", sec->kind);
	return buf;
}

/* --- Value parsers ------------------------------------------------------- */

int conf_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	/* Case-insensitive: DAHDI and Asterisk files say "Yes" as often as "yes". */
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return EINVAL;
}

/* Decimal digits into *v; returns the end, or NULL if there were none.
 * *over is set when the digits do not fit in 64 bits. */
static const char *parse_digits(const char *s, uint64_t *v, bool *over)
{
	const char *d = s;

	*v = 0;
	*over = false;
	for (; *d >= '0' && *d <= '9'; d++) {
		unsigned dig = (unsigned)(*d - '0');
		if (*v > (UINT64_MAX - dig) / 10)
			*over = true;
		else
			*v = *v * 10 + dig;
	}
	return d == s ? NULL : d;
}

int conf_parse_int(const char *s, int64_t *out)
{
	bool neg = *s == '-', over;
	uint64_t v;
	const char *end = parse_digits(s + (*s == '-' || *s == '+'), &v, &over);

	if (!end || *end)
		return EINVAL;
	if (over || v > (uint64_t)INT64_MAX + neg)
		return ERANGE;
	if (neg)
		*out = v ? -(int64_t)(v - 1) - 1 : 0; /* INT64_MIN without overflow */
	else
		*out = (int64_t)v;
	return 0;
}

static const struct {
	const char *unit;
	uint64_t ns;
} units[] = {
	{ "h", 3600000000000ull }, { "m", 60000000000ull }, { "s", 1000000000ull },
	{ "ms", 1000000ull },      { "", 1000000ull },     /* bare numbers are ms */
};

int conf_parse_duration(const char *s, uint64_t *ns)
{
	bool over;
	uint64_t v;
	const char *end = parse_digits(s, &v, &over);

	if (!end)
		return EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (over || v > UINT64_MAX / units[i].ns)
			return ERANGE;
		*ns = v * units[i].ns;
		return 0;
	}
	return EINVAL;
}

/* A duration as the user would write it: the largest exact unit. */
static const char *fmt_duration(char *buf, size_t size, uint64_t ns)
{
	for (size_t i = 0; i < 4; i++) {
		if (ns % units[i].ns == 0 && (ns || i == 3)) {
			snprintf(buf, size, "%" PRIu64 "%s", ns / units[i].ns, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, size, "%" PRIu64 "ns", ns);
	return buf;
}

/* --- One value into its field -------------------------------------------- */

/* The range of a key: its own, or the field type's when min = max = 0. */
static void key_range(const struct conf_key *k, int64_t *min, int64_t *max)
{
	*min = k->min;
	*max = k->max;
	if (k->type == CONF_UINT) {
		if (!k->min && !k->max)
			*max = UINT_MAX;
		*min = *min < 0 ? 0 : *min;
		*max = *max > (int64_t)UINT_MAX ? (int64_t)UINT_MAX : *max;
	} else if (!k->min && !k->max) {
		*min = k->type == CONF_DURATION ? 0 : INT64_MIN;
		*max = INT64_MAX;
	} else if (k->type == CONF_DURATION && *min < 0) {
		*min = 0; /* durations are unsigned */
	}
}

static int parse_number(const struct conf_key *k, const char *v, const char *snip, void *field,
			char *why, size_t wl)
{
	int64_t n, min, max;
	int err = conf_parse_int(v, &n);

	key_range(k, &min, &max);
	if (err == EINVAL) {
		snprintf(why, wl, "'%s' is not an integer", snip);
		return EINVAL;
	}
	if (err || n < min || n > max) {
		snprintf(why, wl, "%s out of range %" PRId64 "..%" PRId64, snip, min, max);
		return ERANGE;
	}
	if (k->type == CONF_UINT)
		*(unsigned *)field = (unsigned)n;
	else
		*(int64_t *)field = n;
	return 0;
}

static int parse_dur(const struct conf_key *k, const char *v, const char *snip, void *field,
		     char *why, size_t wl)
{
	char a[32], b[32];
	uint64_t ns;
	int64_t min, max;
	int err = conf_parse_duration(v, &ns);

	key_range(k, &min, &max);
	if (err == EINVAL)
		snprintf(why, wl, "'%s' is not a duration (a number with ms, s, m or h; bare"
				  " numbers are ms)", snip);
	else if (err)
		snprintf(why, wl, "'%s' is too long a duration", snip);
	else if ((k->min || k->max) && (ns < (uint64_t)min || ns > (uint64_t)max)) {
		snprintf(why, wl, "%s out of range %s..%s", snip,
			 fmt_duration(a, sizeof(a), (uint64_t)min),
			 fmt_duration(b, sizeof(b), (uint64_t)max));
		err = ERANGE;
	}
	if (!err)
		*(uint64_t *)field = ns;
	return err;
}

static int parse_enum(const struct conf_key *k, const char *v, const char *snip, void *field,
		      char *why, size_t wl)
{
	size_t o;

	for (int i = 0; k->names && k->names[i]; i++) {
		if (strcmp(v, k->names[i]) == 0) {
			*(int *)field = i;
			return 0;
		}
	}
	o = (size_t)snprintf(why, wl, "'%s' is not one of:", snip);
	for (int i = 0; k->names && k->names[i] && o < wl; i++)
		o += (size_t)snprintf(why + o, wl - o, "%s %s", i ? "," : "", k->names[i]);
	return EINVAL;
}

/* Parse `v` into the field of `k` in `obj`; on failure write the reason. */
static int parse_field(const struct conf_key *k, const char *v, void *obj, char *why, size_t wl)
{
	char snip[CONF_SNIP_SIZE];
	void *field = (char *)obj + k->offset;
	size_t len = strlen(v);
	int err = 0;

	conf_snip(snip, v, len);
	switch (k->type) {
	case CONF_STR:
		if (len >= k->size) {
			snprintf(why, wl, "too long (%zu bytes, at most %zu)", len,
				 k->size ? k->size - 1 : 0);
			return EINVAL;
		}
		memcpy(field, v, len + 1);
		return 0;
	case CONF_INT:
	case CONF_UINT:
		return parse_number(k, v, snip, field, why, wl);
	case CONF_BOOL:
		if ((err = conf_parse_bool(v, field)))
			snprintf(why, wl, "'%s' is not a boolean (yes/no, true/false, on/off, 1/0)",
				 snip);
		return err;
	case CONF_ENUM:
		return parse_enum(k, v, snip, field, why, wl);
	case CONF_DURATION:
		return parse_dur(k, v, snip, field, why, wl);
	case CONF_CUSTOM: {
		char reason[WHY_MAX / 2] = "";
		err = k->parse ? k->parse(v, field, reason, sizeof(reason)) : EINVAL;
		if (err) /* the parser says why; we say which value */
			snprintf(why, wl, "'%s': %s", snip, reason[0] ? reason : "not valid");
		return err;
	}
	}
	snprintf(why, wl, "key type %d unknown (a bug)", (int)k->type);
	return EINVAL;
}

/* --- Binding ------------------------------------------------------------- */

/* Returns the first key whose default does not parse, or NULL. */
static const struct conf_key *apply_defaults(const struct conf_key *keys, void *obj,
					     char *why, size_t wl)
{
	for (const struct conf_key *k = keys; k->name; k++) {
		if (k->dflt && !k->required && parse_field(k, k->dflt, obj, why, wl))
			return k;
	}
	return NULL;
}

int conf_defaults(const struct conf_key *keys, void *obj)
{
	char why[WHY_MAX];
	return apply_defaults(keys, obj, why, sizeof(why)) ? EINVAL : 0;
}

static const struct conf_key *find_key(const struct conf_key *keys, const char *name)
{
	for (const struct conf_key *k = keys; k->name; k++) {
		if (strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

static void bind_entry(const struct conf_section *sec, unsigned i, const struct conf_key *keys,
		       void *obj, const char *label, struct conf_diag *diag)
{
	const struct conf_entry *e = &sec->entries[i];
	const struct conf_key *k = find_key(keys, e->key);
	char why[WHY_MAX];

	if (!k) {
		conf_diag_err(diag, e->file, e->line, "%s key '%s': unknown key", label, e->key);
		return;
	}
	for (unsigned j = 0; j < i; j++) {
		const struct conf_entry *first = &sec->entries[j];
		if (strcmp(first->key, e->key) == 0) {
			conf_diag_err(diag, e->file, e->line, "%s key '%s': duplicate (first at %s:%u)",
				      label, e->key, first->file, first->line);
			return;
		}
	}
	if (parse_field(k, e->value, obj, why, sizeof(why)))
		conf_diag_err(diag, e->file, e->line, "%s key '%s': %s", label, e->key, why);
}

int conf_bind(const struct conf_section *sec, const struct conf_key *keys, void *obj,
	      struct conf_diag *diag)
{
	char label[LABEL_MAX], why[WHY_MAX];
	unsigned before = diag->errors;
	const struct conf_key *bad;

	conf_sec_label(label, sizeof(label), sec);
	if ((bad = apply_defaults(keys, obj, why, sizeof(why))))
		conf_diag_err(diag, sec->file, sec->line, "%s key '%s': bad default (a bug): %s",
			      label, bad->name, why);
	for (unsigned i = 0; i < sec->n_entries; i++)
		bind_entry(sec, i, keys, obj, label, diag);
	for (const struct conf_key *k = keys; k->name; k++) {
		unsigned i = 0;
		while (k->required && i < sec->n_entries && strcmp(sec->entries[i].key, k->name))
			i++;
		if (k->required && i == sec->n_entries)
			conf_diag_err(diag, sec->file, sec->line, "%s missing required key '%s'",
				      label, k->name);
	}
	return diag->errors > before ? EINVAL : 0;
}

/* --- Dispatching --------------------------------------------------------- */

static const struct conf_kind *find_kind(const struct conf_kind *kinds, const char *kind)
{
	for (const struct conf_kind *k = kinds; k->kind; k++) {
		if (strcmp(k->kind, kind) == 0)
			return k;
	}
	return NULL;
}

static bool same_name(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void unknown_kind(const struct conf_section *sec, const struct conf_kind *kinds,
			 const char *label, struct conf_diag *diag)
{
	char known[WHY_MAX];
	size_t o = 0;

	known[0] = '\0';
	for (const struct conf_kind *k = kinds; k->kind && o < sizeof(known); k++)
		o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s", o ? ", " : "",
				      k->kind);
	conf_diag_err(diag, sec->file, sec->line, "%s unknown section kind (known: %s)", label,
		      known);
}

/* Check one section against its kind and hand it over; problems go to diag. */
static void dispatch_one(const struct conf_doc *doc, unsigned i, const struct conf_kind *kinds,
			 void *arg, struct conf_diag *diag)
{
	const struct conf_section *sec = &doc->sections[i];
	const struct conf_kind *k = find_kind(kinds, sec->kind);
	char label[LABEL_MAX];

	conf_sec_label(label, sizeof(label), sec);
	if (!k) {
		unknown_kind(sec, kinds, label, diag);
		return;
	}
	if (k->named && !sec->name) {
		conf_diag_err(diag, sec->file, sec->line, "%s missing name (write [%s NAME])",
			      label, sec->kind);
		return;
	}
	if (!k->named && sec->name) {
		conf_diag_err(diag, sec->file, sec->line, "%s takes no name (write [%s])", label,
			      sec->kind);
		return;
	}
	for (unsigned j = 0; j < i; j++) {
		const struct conf_section *first = &doc->sections[j];
		if (strcmp(first->kind, sec->kind) == 0 && same_name(first->name, sec->name)) {
			conf_diag_err(diag, sec->file, sec->line,
				      "%s duplicate section (first at %s:%u)", label, first->file,
				      first->line);
			return;
		}
	}
	unsigned before = diag->errors;
	int err = k->handle ? k->handle(sec, diag, arg) : 0;
	/* A handler that fails without saying why still must not pass silently. */
	if (err && diag->errors == before)
		conf_diag_err(diag, sec->file, sec->line, "%s %s", label, strerror(err));
}

int conf_dispatch(const struct conf_doc *doc, const struct conf_kind *kinds, void *arg,
		  struct conf_diag *diag)
{
	unsigned before = diag->errors;

	for (unsigned i = 0; i < doc->n_sections; i++)
		dispatch_one(doc, i, kinds, arg, diag);
	for (const struct conf_kind *k = kinds; k->kind; k++) {
		if (k->required && !conf_doc_find(doc, k->kind, NULL))
			conf_diag_err(diag, doc->path, 0, "missing required section [%s%s]",
				      k->kind, k->named ? " NAME" : "");
	}
	return diag->errors > before ? EINVAL : 0;
}
