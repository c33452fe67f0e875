/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: INI-style files parsed in one place into validated structs.
 *
 *   ; comment            # comment (a whole line)
 *   #include "other.conf"   (relative to the including file; nesting limited)
 *   [general]             a singleton section
 *   [trunk carrier-a]     a section of kind "trunk" named "carrier-a"
 *   key = value           ; inline comment (write \; for a literal ';')
 *
 * Two steps.  conf_doc_load() reads text into sections of key/value entries,
 * each remembering file:line.  Then the owner of each section kind binds it
 * to its struct with a table of keys (conf_bind), which parses and range-
 * checks every value, applies defaults and reports unknown, duplicate and
 * missing keys.  Every problem is an error naming file:line and the key;
 * nothing falls back silently.  Errors are collected (not just the first)
 * in a struct conf_diag.
 */
#ifndef STROWGER_CORE_CONF_H
#define STROWGER_CORE_CONF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- Diagnostics --------------------------------------------------------- */

struct conf_diag {
	unsigned errors;
	unsigned warnings;
	char *text;   /* mem string: one message per line, or NULL */
	size_t len;
};

void conf_diag_init(struct conf_diag *d);
void conf_diag_reset(struct conf_diag *d);  /* frees text */
/* `file` may be NULL (then no location), `line` 0 for "whole file". */
void conf_diag_err(struct conf_diag *d, const char *file, unsigned line,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void conf_diag_warn(struct conf_diag *d, const char *file, unsigned line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* True if some message contains `needle` (for tests). */
bool conf_diag_has(const struct conf_diag *d, const char *needle);
/* The message list under conf_diag, for diagnostics that keep the same
 * text and length but their own counters (route_diag, mapping files):
 * appends "file:line: ", "label: " when `label` is not NULL, the message
 * and a newline to the mem string *text; has() matches within one line. */
void conf_diag_text_vadd(char **text, size_t *len, const char *label, const char *file,
			 unsigned line, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));
bool conf_diag_text_has(const char *text, const char *needle);

/* --- Documents ----------------------------------------------------------- */

struct conf_entry {
	const char *key;
	const char *value;   /* trimmed; may be "" */
	const char *file;
	unsigned line;
};

struct conf_section {
	const char *kind;   /* "general", "trunk" */
	const char *name;   /* "carrier-a", or NULL for [kind] */
	const char *file;
	unsigned line;
	struct conf_entry *entries;
	unsigned n_entries;
};

struct conf_doc {
	struct conf_section *sections;
	unsigned n_sections;
	const char *path;   /* the top file */
	/* private: storage */
	void *priv;
};

/* Read `path` and its includes.  On a syntax error returns EINVAL with the
 * messages in `diag` and *docp NULL; ENOENT etc. when the file cannot be read
 * (also reported in diag).  The doc is a mem object. */
int conf_doc_load(struct conf_doc **docp, const char *path, struct conf_diag *diag);
/* Same from text in memory; `name` stands for the file in messages.
 * `#include` paths are relative to `basedir` (NULL: the cwd). */
int conf_doc_parse(struct conf_doc **docp, const char *name, const char *text,
		   const char *basedir, struct conf_diag *diag);

/* First section of `kind` (and `name`, if not NULL), or NULL. */
const struct conf_section *conf_doc_find(const struct conf_doc *doc, const char *kind,
					 const char *name);

/* --- Binding sections to structs ---------------------------------------- */

enum conf_type {
	CONF_STR,       /* char[size] field; too long is an error */
	CONF_INT,       /* int64_t in [min, max] */
	CONF_UINT,      /* unsigned in [min, max] */
	CONF_BOOL,      /* bool: yes/no, true/false, on/off, 1/0 */
	CONF_ENUM,      /* int: index into `names` */
	CONF_DURATION,  /* uint64_t ns; "500ms", "2s", "3m", "1h"; bare numbers are ms */
	CONF_CUSTOM,    /* parsed by `parse` */
};

/* A custom parser: fill `field` from `value`, or return an errno and write a
 * short reason (e.g. "not an IPv4 or IPv6 address") to `why`. */
typedef int(conf_parse_h)(const char *value, void *field, char *why, size_t whylen);

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;              /* of the field in the bound struct */
	size_t size;                /* CONF_STR: sizeof the char array */
	int64_t min, max;           /* CONF_INT/UINT/DURATION(ns); 0,0: no range */
	const char *const *names;   /* CONF_ENUM: NULL-terminated */
	conf_parse_h *parse;        /* CONF_CUSTOM */
	const char *dflt;           /* text of the default, or NULL */
	bool required;              /* must be given (dflt ignored) */
	const char *help;           /* one line, for documentation */
};

#define CONF_KEYS_END { .name = NULL }

/* Apply the defaults of `keys` to `obj` (fields without a default are left
 * as they are).  Returns EINVAL if a default does not parse (a bug). */
int conf_defaults(const struct conf_key *keys, void *obj);
/* Defaults, then every entry of `sec`: unknown keys, duplicate keys, bad
 * values and missing required keys are errors in `diag`, naming file:line,
 * the section and the key.  Returns 0, or EINVAL if any error was found. */
int conf_bind(const struct conf_section *sec, const struct conf_key *keys, void *obj,
	      struct conf_diag *diag);

/* Value parsers shared with other file formats (mapping, system.conf). */
int conf_parse_bool(const char *s, bool *out);
int conf_parse_int(const char *s, int64_t *out);
int conf_parse_duration(const char *s, uint64_t *ns);

/* --- Dispatching sections by kind -------------------------------------- */

struct conf_kind {
	const char *kind;
	bool named;      /* [kind NAME] (many, distinct names) vs [kind] (one) */
	bool required;   /* must appear at least once */
	/* Bind the section; report problems in diag; return 0 or an errno. */
	int (*handle)(const struct conf_section *sec, struct conf_diag *diag, void *arg);
};

/* `kinds` arrays end with this. */
#define CONF_KINDS_END { .kind = NULL }

/* Hand each section to the handler of its kind.  Unknown kinds, a name on a
 * singleton, a missing name, repeated singletons or names, and missing
 * required kinds are errors.  Returns 0, or EINVAL if diag gained errors. */
int conf_dispatch(const struct conf_doc *doc, const struct conf_kind *kinds, void *arg,
		  struct conf_diag *diag);

#endif
