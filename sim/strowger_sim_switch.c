/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strowger-sim's simulated switches: an isdn_simsw (the scripted far end of
 * src/pstn/isdn_switch.h) on a span of the sim, from the command line
 * (sim/README.md, "Playing a switch"):
 *
 *   -S SPAN:SCRIPT[:ROLE[:SWITCHTYPE[:ZONE]]]   a switch running SCRIPT
 *   --call SPAN:NUMBER[:FROM]                   a call it places: the line
 *                     "call NUMBER from FROM then wait 5s hangup 16"
 *
 * A switch's script starts when its D-channel comes up, so a `call ... at`
 * counts from there and the first SETUP is not refused for a link still
 * being established (Q.921 §5.5).  Until then the switch runs an empty
 * script; the real one was loaded once at start-up to check it, so a bad
 * script fails before anything runs.
 *
 * Every switch's event log (isdn_simsw_log) goes to stdout as it grows,
 * one line per event: "span 1: rx setup 200 from 100 pres 0 chan 1".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "drivers/tdm.h"
#include "pstn/isdn.h"
#include "pstn/isdn_switch.h"
#include "sim/strowger_sim.h"

#define HOST_MAX_SW 16
#define HOST_POLL   NS_PER_MS /* how often logs and links are looked at */
#define CALLS_MAX   1024

struct host_sw {
	unsigned spanno;
	char spec[256];			/* the -S argument after "SPAN:" */
	const char *path;		/* script file, NULL: none */
	const char *role, *type, *zone; /* NULL: the defaults */
	char calls[CALLS_MAX];		/* --call lines */
	struct isdn_tdm *span;
	struct isdn_simsw *sw;
	size_t logged; /* bytes of the log printed */
	bool started;  /* the script runs (the D-channel came up) */
};

struct swhost {
	struct loop *loop;
	struct tdm *tdm;
	struct swhost_dflt dflt;
	struct host_sw sw[HOST_MAX_SW];
	unsigned n;
	struct loop_timer poll;
};

static void host_destroy(void *data)
{
	struct swhost *h = data;

	loop_timer_cancel(h->loop, &h->poll);
	for (unsigned i = 0; i < h->n; i++) {
		mem_deref(h->sw[i].sw); /* the controller before its span */
		mem_deref(h->sw[i].span);
	}
	mem_deref(h->tdm);
	mem_deref(h->loop);
}

int swhost_alloc(struct swhost **hp, struct loop *loop, struct tdm *tdm,
		 const struct swhost_dflt *dflt)
{
	struct swhost *h = mem_zalloc(sizeof(*h), host_destroy);

	if (!h)
		return ENOMEM;
	h->loop = mem_ref(loop);
	h->tdm = mem_ref(tdm);
	h->dflt = *dflt;
	loop_timer_init(&h->poll);
	*hp = h;
	return 0;
}

/* "N:REST": span N, REST into *rest. */
static int span_of(const char *arg, unsigned *spanno, const char **rest)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (end == arg || *end != ':' || !n || n > 255)
		return EINVAL;
	*spanno = (unsigned)n;
	*rest = end + 1;
	return 0;
}

static struct host_sw *host_find(struct swhost *h, unsigned spanno)
{
	for (unsigned i = 0; i < h->n; i++)
		if (h->sw[i].spanno == spanno)
			return &h->sw[i];
	return NULL;
}

static struct host_sw *host_new(struct swhost *h, unsigned spanno)
{
	struct host_sw *s;

	if (h->n == HOST_MAX_SW)
		return NULL;
	s = &h->sw[h->n++];
	s->spanno = spanno;
	return s;
}

/* Split "SCRIPT[:ROLE[:SWITCHTYPE[:ZONE]]]" in place; empty fields: NULL. */
static void spec_split(struct host_sw *s)
{
	const char **field[] = {&s->path, &s->role, &s->type, &s->zone};
	char *p = s->spec;

	for (unsigned i = 0; i < 4 && p; i++) {
		char *colon = strchr(p, ':');

		if (colon)
			*colon++ = 0;
		*field[i] = *p ? p : NULL;
		p = colon;
	}
}

int swhost_switch(struct swhost *h, const char *arg, char *err, size_t errlen)
{
	unsigned spanno;
	const char *rest;
	struct host_sw *s;

	if (span_of(arg, &spanno, &rest)) {
		snprintf(err, errlen, "-S %s: not SPAN:SCRIPT[:ROLE[:SWITCHTYPE[:ZONE]]]", arg);
		return EINVAL;
	}
	if (host_find(h, spanno)) {
		snprintf(err, errlen, "-S %s: span %u has a switch already", arg, spanno);
		return EEXIST;
	}
	s = host_new(h, spanno);
	if (!s || strlen(rest) >= sizeof(s->spec)) {
		snprintf(err, errlen, "-S %s: too many switches or too long", arg);
		return E2BIG;
	}
	snprintf(s->spec, sizeof(s->spec), "%s", rest);
	spec_split(s);
	return 0;
}

int swhost_call(struct swhost *h, const char *arg, char *err, size_t errlen)
{
	unsigned spanno;
	const char *rest, *from;
	struct host_sw *s;
	size_t len;
	int n = -1;

	if (span_of(arg, &spanno, &rest) || !*rest || *rest == ':') {
		snprintf(err, errlen, "--call %s: not SPAN:NUMBER[:FROM]", arg);
		return EINVAL;
	}
	s = host_find(h, spanno);
	s = s ? s : host_new(h, spanno);
	len = s ? strlen(s->calls) : 0;
	from = strchr(rest, ':');
	if (s && from)
		n = snprintf(s->calls + len, CALLS_MAX - len, "call %.*s from %s",
			     (int)(from - rest), rest, from + 1);
	else if (s)
		n = snprintf(s->calls + len, CALLS_MAX - len, "call %s", rest);
	if (!s || n < 0 || (size_t)n + 40 >= CALLS_MAX - len) {
		snprintf(err, errlen, "--call %s: too many calls", arg);
		return E2BIG;
	}
	snprintf(s->calls + len + n, CALLS_MAX - len - (size_t)n, " then wait 5s hangup 16\n");
	return 0;
}

/* --- Start ----------------------------------------------------------------- */

/* The interface from the span's size; *dpos the D-channel's position. */
static int span_iface(struct host_sw *s, struct isdn_conf *c, unsigned *dpos)
{
	struct tdm_span_status st;
	int rc = tdm_span_status(isdn_tdm_span(s->span), &st);

	if (rc)
		return rc;
	if (st.totalchans == 31)
		c->iface = ISDN_PRI_E1, *dpos = 16;
	else if (st.totalchans == 24)
		c->iface = ISDN_PRI_T1, *dpos = 24;
	else if (st.totalchans == 3)
		c->iface = ISDN_BRI_PTP, *dpos = 3;
	else
		return ENOTSUP;
	c->sw = c->iface == ISDN_PRI_T1 ? ISDN_SW_EUROISDN_T1 : ISDN_SW_EUROISDN_E1;
	return 0;
}

static int sw_conf(struct swhost *h, struct host_sw *s, struct isdn_conf *c, unsigned *dpos,
		   char *err, size_t errlen)
{
	const char *role = s->role ? s->role : h->dflt.role;
	const char *type = s->type ? s->type : h->dflt.switchtype;
	char why[200];
	int rc;

	isdn_conf_init(c);
	snprintf(c->name, sizeof(c->name), "s%u", s->spanno);
	rc = span_iface(s, c, dpos);
	if (rc) {
		snprintf(err, errlen, "span %u: not an ISDN span (%s)", s->spanno,
			 rc == ENOTSUP ? "channel count" : strerror(rc));
		return rc;
	}
	rc = isdn_role_parse(role ? role : "network", &c->role, why, sizeof(why));
	if (!rc && type)
		rc = isdn_switch_parse(type, &c->sw, why, sizeof(why));
	if (!rc)
		rc = isdn_conf_check(c, why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "span %u: %s", s->spanno, why);
	return rc;
}

/* SCRIPT, the --call lines, or both (the file first, so its line numbers
 * stay right in messages). */
static int sw_load(struct host_sw *s, char *err, size_t errlen)
{
	char *text;
	size_t n;
	FILE *f;
	int rc;

	if (!s->path || !s->calls[0])
		return s->path ? isdn_simsw_load_file(s->sw, s->path, err, errlen)
			       : isdn_simsw_load(s->sw, "--call", s->calls, err, errlen);
	f = fopen(s->path, "r");
	if (!f) {
		rc = errno;
		snprintf(err, errlen, "%s: %s", s->path, strerror(rc));
		return rc;
	}
	text = malloc(65536 + CALLS_MAX + 2);
	n = text ? fread(text, 1, 65536, f) : 0;
	fclose(f);
	if (!text || n == 65536) {
		rc = text ? EFBIG : ENOMEM;
		free(text);
		snprintf(err, errlen, "%s: %s", s->path,
			 rc == EFBIG ? "longer than 64 KiB" : strerror(rc));
		return rc;
	}
	text[n] = 0;
	if (n && text[n - 1] != '\n')
		strcat(text, "\n");
	strcat(text, s->calls);
	rc = isdn_simsw_load(s->sw, s->path, text, err, errlen);
	free(text);
	return rc;
}

static int sw_start(struct swhost *h, struct host_sw *s, char *err, size_t errlen)
{
	const char *zone = s->zone ? s->zone : h->dflt.zone;
	struct isdn_conf c;
	unsigned dpos = 0;
	int rc = isdn_tdm_open_raw(&s->span, h->tdm, s->spanno);

	if (rc) {
		snprintf(err, errlen, "span %u: %s", s->spanno,
			 rc == ENXIO	? "no such span"
			 : rc == ENOENT ? "no D-channel"
					: strerror(rc));
		return rc;
	}
	rc = sw_conf(h, s, &c, &dpos, err, errlen);
	if (!rc)
		rc = isdn_simsw_alloc(&s->sw, h->loop, &c, &isdn_tdm_ops, s->span);
	if (rc && !err[0])
		snprintf(err, errlen, "span %u: %s", s->spanno, strerror(rc));
	if (rc)
		return rc;
	isdn_tdm_bind(s->span, isdn_simsw_ctrl(s->sw));
	zone = zone ? zone : "de";
	rc = isdn_simsw_media(s->sw, h->tdm, tdm_span_dchan(isdn_tdm_span(s->span)) - dpos + 1,
			      zone);
	if (rc) {
		snprintf(err, errlen, "span %u: unknown tone zone '%s'", s->spanno, zone);
		return rc;
	}
	rc = sw_load(s, err, errlen); /* to check it now; it starts with the link */
	return rc ? rc : isdn_simsw_load(s->sw, "-", "", err, errlen);
}

static void host_poll(void *arg);

int swhost_start(struct swhost *h, char *err, size_t errlen)
{
	int rc = 0;

	err[0] = 0;
	for (unsigned i = 0; i < h->n && !rc; i++)
		rc = sw_start(h, &h->sw[i], err, errlen);
	if (!rc && h->n)
		loop_timer_start(h->loop, &h->poll, HOST_POLL, host_poll, h);
	return rc;
}

/* --- Running ----------------------------------------------------------------- */

static void sw_print(struct host_sw *s)
{
	const char *log = isdn_simsw_log(s->sw);
	size_t len = strlen(log);

	while (s->logged < len) {
		const char *line = log + s->logged, *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		printf("span %u: %.*s\n", s->spanno, (int)n, line);
		s->logged += n + (nl != NULL);
	}
}

void swhost_print(struct swhost *h)
{
	for (unsigned i = 0; i < h->n; i++)
		if (h->sw[i].sw)
			sw_print(&h->sw[i]);
	fflush(stdout);
}

static void host_poll(void *arg)
{
	struct swhost *h = arg;
	char err[256];

	for (unsigned i = 0; i < h->n; i++) {
		struct host_sw *s = &h->sw[i];

		if (s->started || !isdn_ctrl_is_up(isdn_simsw_ctrl(s->sw)))
			continue;
		s->started = true;
		if (sw_load(s, err, sizeof(err))) /* the file changed since the check */
			fprintf(stderr, "strowger-sim: %s\n", err);
	}
	swhost_print(h);
	loop_timer_start(h->loop, &h->poll, HOST_POLL, host_poll, h);
}
