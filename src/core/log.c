/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging; see log.h.
 *
 * Levels are read without a lock (a byte per category; a stale read only
 * delays a level change by one line).  Writing a line takes a mutex so that
 * lines from media worker threads never interleave, and so the capture
 * buffer stays consistent.
 */
#include "core/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "core/clock.h"

#define LOG_LINE_MAX 1024

/* Every category starts at notice (one entry per enum log_cat). */
unsigned char log_levels[LC__COUNT] = {
	[LC_CORE] = LL_NOTICE, [LC_CONF] = LL_NOTICE, [LC_FSM] = LL_NOTICE,
	[LC_TDM] = LL_NOTICE,  [LC_SIM] = LL_NOTICE,  [LC_ISDN] = LL_NOTICE,
	[LC_ANALOG] = LL_NOTICE, [LC_SIP] = LL_NOTICE, [LC_SDP] = LL_NOTICE,
	[LC_MEDIA] = LL_NOTICE, [LC_ISUP] = LL_NOTICE, [LC_CALL] = LL_NOTICE,
	[LC_ROUTE] = LL_NOTICE, [LC_CDR] = LL_NOTICE,  [LC_CTL] = LL_NOTICE,
};

static const char *const level_names[LL__COUNT] = {
	[LL_ERROR] = "error", [LL_WARN] = "warn", [LL_NOTICE] = "notice",
	[LL_INFO] = "info",   [LL_DEBUG] = "debug",
};

static const char *const cat_names[LC__COUNT] = {
	[LC_CORE] = "core",   [LC_CONF] = "conf",   [LC_FSM] = "fsm",   [LC_TDM] = "tdm",
	[LC_SIM] = "sim",     [LC_ISDN] = "isdn",   [LC_ANALOG] = "analog", [LC_SIP] = "sip",
	[LC_SDP] = "sdp",     [LC_MEDIA] = "media", [LC_ISUP] = "isup", [LC_CALL] = "call",
	[LC_ROUTE] = "route", [LC_CDR] = "cdr",     [LC_CTL] = "ctl",
};

static const int syslog_prio[LL__COUNT] = {
	[LL_ERROR] = LOG_ERR, [LL_WARN] = LOG_WARNING, [LL_NOTICE] = LOG_NOTICE,
	[LL_INFO] = LOG_INFO, [LL_DEBUG] = LOG_DEBUG,
};

static struct {
	pthread_mutex_t lock;
	enum log_target target;
	struct clk *clk;
	bool capturing;
	char *cap;      /* malloc'd, NUL-terminated */
	size_t cap_len, cap_size;
} lg = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.target = LOG_TO_STDERR,
};

const char *log_level_name(enum log_level lvl)
{
	return (unsigned)lvl < LL__COUNT ? level_names[lvl] : "?";
}

const char *log_cat_name(enum log_cat cat)
{
	return (unsigned)cat < LC__COUNT ? cat_names[cat] : "?";
}

static int name_lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (s && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int log_level_parse(const char *s)
{
	return name_lookup(level_names, LL__COUNT, s);
}

int log_cat_parse(const char *s)
{
	return name_lookup(cat_names, LC__COUNT, s);
}

void log_set_level(enum log_cat cat, enum log_level lvl)
{
	if ((unsigned)cat < LC__COUNT && (unsigned)lvl < LL__COUNT)
		log_levels[cat] = (unsigned char)lvl;
}

void log_set_level_all(enum log_level lvl)
{
	for (int c = 0; c < LC__COUNT; c++)
		log_set_level((enum log_cat)c, lvl);
}

enum log_level log_get_level(enum log_cat cat)
{
	return (unsigned)cat < LC__COUNT ? (enum log_level)log_levels[cat] : LL_ERROR;
}

void log_set_target(enum log_target target)
{
	pthread_mutex_lock(&lg.lock);
	if (target == LOG_TO_SYSLOG && lg.target != LOG_TO_SYSLOG)
		openlog("strowger", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (target != LOG_TO_SYSLOG && lg.target == LOG_TO_SYSLOG)
		closelog();
	lg.target = target;
	pthread_mutex_unlock(&lg.lock);
}

void log_set_clock(struct clk *clk)
{
	pthread_mutex_lock(&lg.lock);
	lg.clk = clk;
	pthread_mutex_unlock(&lg.lock);
}

/* Append to the capture buffer; on allocation failure the line is dropped
 * (a test will then fail on its comparison, which is what we want). */
static void capture_append(const char *line, size_t n)
{
	if (lg.cap_len + n + 1 > lg.cap_size) {
		size_t size = lg.cap_size ? lg.cap_size : 4096;
		while (size < lg.cap_len + n + 1)
			size *= 2;
		char *p = realloc(lg.cap, size);
		if (!p)
			return;
		lg.cap = p;
		lg.cap_size = size;
	}
	memcpy(lg.cap + lg.cap_len, line, n);
	lg.cap_len += n;
	lg.cap[lg.cap_len] = '\0';
}

static void emit(enum log_level lvl, const char *line, size_t n)
{
	if (lg.capturing) {
		capture_append(line, n);
		capture_append("\n", 1);
	} else if (lg.target == LOG_TO_SYSLOG) {
		syslog(syslog_prio[lvl], "%s", line);
	} else if (lg.clk) {
		/* Wall time of the registered clock: a virtual clock gives the
		 * same timestamps on every run. */
		uint64_t now = clk_wall(lg.clk);
		time_t secs = (time_t)(now / NS_PER_S);
		struct tm tm;
		gmtime_r(&secs, &tm);
		fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ %s\n", tm.tm_year + 1900,
			tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			(unsigned)(now % NS_PER_S / NS_PER_US), line);
	} else {
		fprintf(stderr, "%s\n", line);
	}
}

void log_vwrite(enum log_cat cat, enum log_level lvl, const char *obj, const char *fmt,
		va_list ap)
{
	if ((unsigned)cat >= LC__COUNT || (unsigned)lvl >= LL__COUNT)
		return;
	char line[LOG_LINE_MAX];
	int n = snprintf(line, sizeof(line), "%-6s %-6s ", level_names[lvl], cat_names[cat]);
	if (obj && n >= 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: ", obj);
	if (n >= 0 && (size_t)n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	/* Never let a peer's bytes split a log line or hide in control codes. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20)
			line[i] = '.';
	pthread_mutex_lock(&lg.lock);
	emit(lvl, line, len);
	pthread_mutex_unlock(&lg.lock);
}

void log_write(enum log_cat cat, enum log_level lvl, const char *obj, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(cat, lvl, obj, fmt, ap);
	va_end(ap);
}

void log_capture_start(void)
{
	pthread_mutex_lock(&lg.lock);
	lg.capturing = true;
	lg.cap_len = 0;
	if (lg.cap)
		lg.cap[0] = '\0';
	pthread_mutex_unlock(&lg.lock);
}

const char *log_capture_text(void)
{
	return lg.cap ? lg.cap : "";
}

bool log_capture_has(const char *needle)
{
	pthread_mutex_lock(&lg.lock);
	bool found = lg.cap && strstr(lg.cap, needle) != NULL;
	pthread_mutex_unlock(&lg.lock);
	return found;
}

void log_capture_clear(void)
{
	pthread_mutex_lock(&lg.lock);
	lg.cap_len = 0;
	if (lg.cap)
		lg.cap[0] = '\0';
	pthread_mutex_unlock(&lg.lock);
}

void log_capture_stop(void)
{
	pthread_mutex_lock(&lg.lock);
	lg.capturing = false;
	free(lg.cap);
	lg.cap = NULL;
	lg.cap_len = lg.cap_size = 0;
	pthread_mutex_unlock(&lg.lock);
}
