/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: the reader of INI-style text into a conf_doc (see conf.h
 * for the format).  Diagnostics are in conf_diag.c; binding sections to
 * structs and dispatching them by kind in conf_bind.c.
 *
 * The text is not trusted: it may come from a user's editor, a template or a
 * fuzzer.  Every line is checked for length, NUL bytes, control characters
 * and UTF-8 before it is looked at, and errors are collected (up to a limit)
 * rather than stopping at the first, so one run shows all of them.
 *
 * An #include is textual, as in Asterisk: the included lines continue the
 * section that was open, and a section opened inside the included file stays
 * open after it.
 */
#include "core/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/conf_priv.h"
#include "core/mem.h"

enum {
	CONF_LINE_MAX = 4096,
	INCLUDE_DEPTH_MAX = 8,
	ERRORS_MAX = 50,      /* per document: a binary file should not flood the log */
	MSG_MAX = 1024,
	BLK_SIZE = 4096,
};
#define FILE_SIZE_MAX (16u << 20)

#define KIND_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_-"
#define NAME_CHARS                                                                      \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:@+-"
#define KEY_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"

/* --- Document storage ---------------------------------------------------- */

/* Strings live in an arena of mem blocks; sections and entries are mem
 * arrays.  The doc's destructor drops them all. */
struct blk {
	struct blk *next;
	size_t used, cap;
	char data[];
};

struct store {
	struct conf_doc doc; /* first: the mem object is the doc */
	struct blk *blocks;
};

static void store_destroy(void *data)
{
	struct store *st = data;

	for (unsigned i = 0; i < st->doc.n_sections; i++)
		mem_deref(st->doc.sections[i].entries);
	mem_deref(st->doc.sections);
	while (st->blocks) {
		struct blk *b = st->blocks;
		st->blocks = b->next;
		mem_deref(b);
	}
}

static char *store_strndup(struct store *st, const char *s, size_t n)
{
	struct blk *b = st->blocks;

	if (!b || b->cap - b->used < n + 1) {
		size_t cap = n + 1 > BLK_SIZE ? n + 1 : BLK_SIZE;
		b = mem_zalloc(sizeof(*b) + cap, NULL);
		if (!b)
			return NULL;
		b->cap = cap;
		b->next = st->blocks;
		st->blocks = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, n);
	d[n] = '\0';
	b->used += n + 1;
	return d;
}

/* Arrays hold `n` elements in a capacity implied by n (8, then powers of
 * two); returns the array to use, or NULL when out of memory. */
static void *array_grow(void *arr, unsigned n, size_t elsize)
{
	if (arr && (n < 8 || (n & (n - 1)) != 0))
		return arr;
	if (n > UINT32_MAX / 4)
		return NULL;
	size_t cap = n ? (size_t)n * 2 : 8;
	if (cap > SIZE_MAX / elsize)
		return NULL;
	void *na = mem_zalloc(cap * elsize, NULL);
	if (!na)
		return NULL;
	if (arr)
		memcpy(na, arr, (size_t)n * elsize);
	mem_deref(arr);
	return na;
}

/* --- The reader ---------------------------------------------------------- */

struct parser {
	struct store *st;
	struct conf_diag *diag;
	unsigned errors;    /* in this document */
	int cur;            /* open section; SEC_NONE, SEC_BAD */
	unsigned depth;     /* of #include; the top file is 0 */
	char *real[INCLUDE_DEPTH_MAX + 1]; /* realpath of each open file, or NULL */
	bool oom, stop;
};

enum { SEC_NONE = -1, SEC_BAD = -2 }; /* SEC_BAD: after a broken header, keys
				       * are skipped so one typo is one error */

struct src {
	const char *file; /* as named in messages */
	const char *dir;  /* base of its #include paths; NULL: the cwd */
	unsigned line;
};

__attribute__((format(printf, 3, 4))) static void perr(struct parser *p, const struct src *s,
							 const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (p->stop)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_diag_err(p->diag, s->file, s->line, "%s", msg);
	if (++p->errors >= ERRORS_MAX) {
		conf_diag_err(p->diag, s->file, s->line, "too many errors, giving up");
		p->stop = true;
	}
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Length of the UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), 0 if invalid.  *cp gets the code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t len;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2, *cp = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		len = 3, *cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, *cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

/* Reject what must never reach a struct or a terminal: NUL, control bytes
 * (C0, DEL, C1; tab is whitespace) and malformed UTF-8. */
static bool line_bytes_ok(struct parser *p, const struct src *s, const char *l, size_t n)
{
	const unsigned char *u = (const unsigned char *)l;

	for (size_t i = 0; i < n;) {
		unsigned cp = u[i];
		size_t len = 1;
		if (cp >= 0x80 && !(len = utf8_seq(u + i, n - i, &cp))) {
			perr(p, s, "invalid UTF-8 at column %zu", i + 1);
			return false;
		}
		if (cp == 0) {
			perr(p, s, "NUL byte at column %zu", i + 1);
			return false;
		}
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f)) {
			perr(p, s, "control character U+%04X at column %zu", cp, i + 1);
			return false;
		}
		i += len;
	}
	return true;
}

static void add_section(struct parser *p, const struct src *s, const char *kind, size_t kn,
			const char *name, size_t nn)
{
	struct conf_doc *doc = &p->st->doc;
	struct conf_section *secs = array_grow(doc->sections, doc->n_sections, sizeof(*secs));

	if (!secs) {
		p->oom = p->stop = true;
		return;
	}
	doc->sections = secs;
	struct conf_section *sec = &secs[doc->n_sections];
	memset(sec, 0, sizeof(*sec));
	sec->kind = store_strndup(p->st, kind, kn);
	sec->name = nn ? store_strndup(p->st, name, nn) : NULL;
	sec->file = s->file;
	sec->line = s->line;
	if (!sec->kind || (nn && !sec->name)) {
		p->oom = p->stop = true;
		return;
	}
	p->cur = (int)doc->n_sections++;
}

/* [kind] or [kind name], optionally followed by a ';' comment. */
static void parse_header(struct parser *p, const struct src *s, const char *t)
{
	char snip[CONF_SNIP_SIZE];
	const char *close = strchr(t, ']');

	conf_snip(snip, t, strlen(t));
	p->cur = SEC_BAD;
	if (!close) {
		perr(p, s, "section header without ']': '%s'", snip);
		return;
	}
	const char *rest = skip_ws(close + 1);
	if (*rest && *rest != ';') {
		perr(p, s, "text after ']' in section header: '%s'", snip);
		return;
	}
	const char *kind = skip_ws(t + 1);
	size_t kn = strspn(kind, KIND_CHARS);
	const char *after = kind + kn;
	if (kn == 0 || (after != close && *after != ' ' && *after != '\t')) {
		perr(p, s, "bad section kind in '%s' (allowed: a-z 0-9 _ -)", snip);
		return;
	}
	const char *name = skip_ws(after);
	size_t nn = strspn(name, NAME_CHARS);
	if (skip_ws(name + nn) != close) {
		perr(p, s, "bad section name in '%s' (allowed: A-Z a-z 0-9 _ . : @ + -)", snip);
		return;
	}
	add_section(p, s, kind, kn, name, nn);
}

/* A value: trimmed, up to an unescaped ';', or one "quoted" string.  `out`
 * has room for the whole line.  Returns NULL or the reason it is bad. */
static const char *parse_value(const char *v, char *out)
{
	size_t o = 0;

	if (*v != '"') {
		for (; *v && *v != ';'; v++) {
			if (*v == '\\' && (v[1] == ';' || v[1] == '\\'))
				v++;
			out[o++] = *v;
		}
		/* Escapes only produce ';' and '\', so trimming cannot eat one. */
		while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
			o--;
		out[o] = '\0';
		return NULL;
	}
	for (v++; *v != '"'; v++) {
		if (!*v)
			return "unterminated quoted value";
		if (*v == '\\' && (v[1] == '"' || v[1] == ';' || v[1] == '\\'))
			v++;
		out[o++] = *v;
	}
	out[o] = '\0';
	v = skip_ws(v + 1);
	return (*v && *v != ';') ? "text after the closing quote" : NULL;
}

static void add_entry(struct parser *p, const struct src *s, const char *key, size_t kn,
		      const char *value)
{
	struct conf_section *sec = &p->st->doc.sections[p->cur];
	struct conf_entry *ents = array_grow(sec->entries, sec->n_entries, sizeof(*ents));

	if (!ents) {
		p->oom = p->stop = true;
		return;
	}
	sec->entries = ents;
	struct conf_entry *e = &ents[sec->n_entries];
	e->key = store_strndup(p->st, key, kn);
	e->value = store_strndup(p->st, value, strlen(value));
	e->file = s->file;
	e->line = s->line;
	if (!e->key || !e->value) {
		p->oom = p->stop = true;
		return;
	}
	sec->n_entries++;
}

static void parse_keyval(struct parser *p, const struct src *s, const char *t)
{
	char snip[CONF_SNIP_SIZE], label[2 * CONF_LINE_MAX];
	char value[CONF_LINE_MAX + 1];
	const char *eq = strchr(t, '=');

	if (!eq) {
		perr(p, s, "not a [section], key = value, comment or #include: '%s'",
		     conf_snip(snip, t, strlen(t)));
		return;
	}
	size_t kn = (size_t)(eq - t);
	while (kn > 0 && (t[kn - 1] == ' ' || t[kn - 1] == '\t'))
		kn--;
	conf_snip(snip, t, kn);
	if (kn == 0 || strspn(t, KEY_CHARS) < kn) {
		perr(p, s, "bad key '%s' (allowed: a-z 0-9 _)", snip);
		return;
	}
	if (p->cur == SEC_NONE) {
		perr(p, s, "key '%s' before any [section]", snip);
		return;
	}
	if (p->cur == SEC_BAD)
		return;
	const char *why = parse_value(skip_ws(eq + 1), value);
	if (why) {
		conf_sec_label(label, sizeof(label), &p->st->doc.sections[p->cur]);
		perr(p, s, "%s key '%s': %s", label, snip, why);
		return;
	}
	add_entry(p, s, t, kn, value);
}

/* Whole file into a malloc'd buffer.  Only regular files: an #include of
 * /dev/zero or a FIFO must not hang the reader.  Returns 0 or an errno. */
static int read_file(const char *path, char **bufp, size_t *lenp)
{
	struct stat sb;
	int err = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (fstat(fd, &sb) < 0)
		err = errno;
	else if (S_ISDIR(sb.st_mode))
		err = EISDIR;
	else if (!S_ISREG(sb.st_mode))
		err = EINVAL;
	else if (sb.st_size > (off_t)FILE_SIZE_MAX)
		err = EFBIG;
	char *buf = err ? NULL : malloc((size_t)sb.st_size + 1);
	if (!err && !buf)
		err = ENOMEM;
	size_t len = 0;
	while (!err && len < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)sb.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) /* shrank under us: take what was there */
			break;
		len += (size_t)r;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* Directory part of `path` into the arena; NULL when it has none (cwd). */
static const char *dir_of(struct store *st, const char *path, bool *oom)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return NULL;
	const char *d = store_strndup(st, path, slash == path ? 1 : (size_t)(slash - path));
	*oom = !d;
	return d;
}

static void parse_text(struct parser *p, struct src *s, const char *text, size_t len);

static void include_file(struct parser *p, const struct src *s, const char *rel,
			 const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int err = 0;
	char *real = realpath(path, NULL);

	if (!real)
		err = errno;
	for (unsigned i = 0; real && i <= p->depth; i++) {
		if (p->real[i] && strcmp(p->real[i], real) == 0) {
			perr(p, s, "#include \"%s\": include cycle (%s is already being read)",
			     rel, path);
			free(real);
			return;
		}
	}
	if (!err)
		err = read_file(path, &buf, &len);
	if (err) {
		perr(p, s, "#include \"%s\": cannot read %s: %s", rel, path, strerror(err));
		free(real);
		return;
	}
	struct src sub = { .file = path, .dir = dir_of(p->st, path, &p->oom) };
	if (!p->oom) {
		p->real[++p->depth] = real;
		parse_text(p, &sub, buf, len);
		p->real[p->depth--] = NULL;
	}
	free(real);
	free(buf);
}

/* #include "path" (the caller saw "#include" followed by a space or '"'). */
static void parse_include(struct parser *p, const struct src *s, const char *t)
{
	char snip[CONF_SNIP_SIZE];
	const char *q = skip_ws(t + strlen("#include"));
	const char *end = *q == '"' ? strchr(q + 1, '"') : NULL;
	const char *rest = end ? skip_ws(end + 1) : NULL;

	if (!end || end == q + 1 || (*rest && *rest != ';')) {
		perr(p, s, "bad #include (write #include \"path\"): '%s'",
		     conf_snip(snip, t, strlen(t)));
		return;
	}
	char rel[CONF_LINE_MAX + 1];
	size_t n = (size_t)(end - q - 1);
	memcpy(rel, q + 1, n);
	rel[n] = '\0';
	if (p->depth >= INCLUDE_DEPTH_MAX) {
		perr(p, s, "#include \"%s\": nested deeper than %d files", rel, INCLUDE_DEPTH_MAX);
		return;
	}
	/* Relative to the including file, as a C preprocessor does. */
	bool sep = s->dir && rel[0] != '/';
	size_t dn = sep ? strlen(s->dir) : 0;
	char path[2 * CONF_LINE_MAX + 2];
	snprintf(path, sizeof(path), "%.*s%s%s", (int)dn, sep ? s->dir : "",
		 sep && s->dir[dn - 1] != '/' ? "/" : "", rel);
	const char *kept = store_strndup(p->st, path, strlen(path));
	if (!kept) {
		p->oom = p->stop = true;
		return;
	}
	include_file(p, s, rel, kept);
}

static void parse_line(struct parser *p, const struct src *s, const char *raw, size_t n)
{
	char buf[CONF_LINE_MAX + 1];

	if (n > CONF_LINE_MAX) {
		perr(p, s, "line longer than %d bytes", CONF_LINE_MAX);
		return;
	}
	if (!line_bytes_ok(p, s, raw, n))
		return;
	memcpy(buf, raw, n);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	const char *t = skip_ws(buf);

	if (!*t || *t == ';')
		return;
	if (*t == '#') {
		/* "#include" needs a space or quote after it; "#includes..." is a comment. */
		if (strncmp(t, "#include", 8) == 0 && (!t[8] || t[8] == ' ' || t[8] == '\t' ||
						       t[8] == '"'))
			parse_include(p, s, t);
		return;
	}
	if (*t == '[')
		parse_header(p, s, t);
	else
		parse_keyval(p, s, t);
}

static void parse_text(struct parser *p, struct src *s, const char *text, size_t len)
{
	size_t pos = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3; /* a byte order mark, as some Windows editors write */
	while (pos < len && !p->stop) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		s->line++;
		if (n > 0 && text[pos + n - 1] == '\r')
			n--; /* CRLF */
		parse_line(p, s, text + pos, n);
		pos = end + 1;
	}
}

static int doc_read(struct conf_doc **docp, const char *name, const char *dir, char *real,
		    const char *text, size_t len, struct conf_diag *diag)
{
	struct store *st = mem_zalloc(sizeof(*st), store_destroy);

	*docp = NULL;
	if (!st) {
		conf_diag_err(diag, name, 0, "out of memory");
		return ENOMEM;
	}
	st->doc.priv = st;
	struct parser p = { .st = st, .diag = diag, .cur = SEC_NONE, .real = { real } };
	struct src s = { .file = store_strndup(st, name, strlen(name)) };
	s.dir = dir ? store_strndup(st, dir, strlen(dir)) : NULL;
	st->doc.path = s.file;
	if (!s.file || (dir && !s.dir))
		p.oom = true;
	else
		parse_text(&p, &s, text, len);

	if (p.oom)
		conf_diag_err(diag, name, 0, "out of memory");
	if (p.oom || p.errors) {
		mem_deref(st);
		return p.oom ? ENOMEM : EINVAL;
	}
	*docp = &st->doc;
	return 0;
}

int conf_doc_load(struct conf_doc **docp, const char *path, struct conf_diag *diag)
{
	char *buf = NULL;
	size_t len = 0;
	int err = read_file(path, &buf, &len);

	*docp = NULL;
	if (err) {
		conf_diag_err(diag, path, 0, "cannot read: %s", strerror(err));
		return err;
	}
	char *real = realpath(path, NULL);
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
	if (slash && !dir)
		err = ENOMEM;
	else
		err = doc_read(docp, path, dir, real, buf, len, diag);
	free(dir);
	free(real);
	free(buf);
	return err;
}

int conf_doc_parse(struct conf_doc **docp, const char *name, const char *text,
		   const char *basedir, struct conf_diag *diag)
{
	return doc_read(docp, name ? name : "<text>", basedir, NULL, text, strlen(text), diag);
}

const struct conf_section *conf_doc_find(const struct conf_doc *doc, const char *kind,
					 const char *name)
{
	for (unsigned i = 0; doc && i < doc->n_sections; i++) {
		const struct conf_section *sec = &doc->sections[i];
		if (strcmp(sec->kind, kind) != 0)
			continue;
		if (!name || (sec->name && strcmp(sec->name, name) == 0))
			return sec;
	}
	return NULL;
}
