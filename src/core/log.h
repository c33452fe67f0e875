/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging with a category per subsystem and a level per category.
 *
 * A line reads `LEVEL category obj: text`, where obj names the object and
 * its state (`isdn s1c7{PROCEEDING}`), never a pointer, so logs can be
 * compared in tests and followed by a person.  Output goes to stderr
 * (with a timestamp from the registered clock) or syslog.  Tests capture
 * lines into a buffer without timestamps and compare them.
 */
#ifndef STROWGER_CORE_LOG_H
#define STROWGER_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level { LL_ERROR, LL_WARN, LL_NOTICE, LL_INFO, LL_DEBUG, LL__COUNT };

enum log_cat {
	LC_CORE,
	LC_CONF,
	LC_FSM,
	LC_TDM,
	LC_SIM,
	LC_ISDN,
	LC_ANALOG,
	LC_SIP,
	LC_SDP,
	LC_MEDIA,
	LC_ISUP,
	LC_CALL,
	LC_ROUTE,
	LC_CDR,
	LC_CTL,
	LC__COUNT
};

enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG };

struct clk;

const char *log_level_name(enum log_level lvl);
const char *log_cat_name(enum log_cat cat);
/* Parse "error|warn|notice|info|debug" / a category name; -1 if unknown. */
int log_level_parse(const char *s);
int log_cat_parse(const char *s);

void log_set_level(enum log_cat cat, enum log_level lvl);
void log_set_level_all(enum log_level lvl);
enum log_level log_get_level(enum log_cat cat);
/* Per-category levels; read by log_enabled() so that a disabled line costs
 * one comparison.  Change them only through log_set_level(). */
extern unsigned char log_levels[LC__COUNT];
static inline bool log_enabled(enum log_cat cat, enum log_level lvl)
{
	return (unsigned)lvl <= log_levels[cat];
}
void log_set_target(enum log_target target);
/* Timestamps on stderr lines come from this clock (NULL: none). */
void log_set_clock(struct clk *clk);

/* `obj` may be NULL.  Prefer the macros, which skip formatting when the
 * level is off. */
void log_write(enum log_cat cat, enum log_level lvl, const char *obj,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_vwrite(enum log_cat cat, enum log_level lvl, const char *obj,
		const char *fmt, va_list ap);

#define LOG_(cat, lvl, obj, ...) \
	do { \
		if (log_enabled((cat), (lvl))) \
			log_write((cat), (lvl), (obj), __VA_ARGS__); \
	} while (0)
#define LOGE(cat, obj, ...) LOG_(cat, LL_ERROR, obj, __VA_ARGS__)
#define LOGW(cat, obj, ...) LOG_(cat, LL_WARN, obj, __VA_ARGS__)
#define LOGN(cat, obj, ...) LOG_(cat, LL_NOTICE, obj, __VA_ARGS__)
#define LOGI(cat, obj, ...) LOG_(cat, LL_INFO, obj, __VA_ARGS__)
#define LOGD(cat, obj, ...) LOG_(cat, LL_DEBUG, obj, __VA_ARGS__)

/* Capture: while on, lines go (without timestamps) to an in-memory buffer
 * instead of the target, one line each ending in '\n'.  For tests. */
void log_capture_start(void);
/* The captured text so far (valid until the next log call or stop). */
const char *log_capture_text(void);
/* True if some captured line contains `needle`. */
bool log_capture_has(const char *needle);
void log_capture_clear(void);
void log_capture_stop(void);

#endif
