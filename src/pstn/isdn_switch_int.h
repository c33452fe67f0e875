/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pstn/isdn_switch private: the parsed script (see isdn_switch.h). */
#ifndef STROWGER_PSTN_ISDN_SWITCH_INT_H
#define STROWGER_PSTN_ISDN_SWITCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "pstn/isdn_switch.h"

enum sw_op {
	SW_PROCEEDING,
	SW_ALERT,
	SW_PROGRESS,
	SW_SETUP_ACK,
	SW_ANSWER,
	SW_WAIT,
	SW_REJECT,
	SW_HANGUP,
	SW_COLLECT,
	SW_NEVER,
	SW_TONE, /* arg: DAHDI tone id */
	SW_ECHO,
	SW_RECORD,
	SW_SILENCE,
};

struct sw_action {
	enum sw_op op;
	bool inband;
	unsigned arg; /* cause, digit count, zone tone */
	unsigned hz;  /* tone: a steady test tone (e.g. 1004 Hz), 0 for a zone tone */
	uint64_t ns;  /* wait */
};

#define SW_MAX_ACTIONS 16
#define SW_MAX_RULES   32
#define SW_MAX_PLACES  32

struct sw_prog {
	struct sw_action a[SW_MAX_ACTIONS];
	unsigned n;
};

struct sw_rule {
	char pattern[ISDN_NUM_MAX + 2];
	struct sw_prog prog;
};

struct sw_place {
	struct isdn_call_prm prm;
	char overlap[ISDN_NUM_MAX + 1];
	uint64_t at;
	uint64_t abandon; /* hang up (16) if not answered by then; 0: never */
	struct sw_prog then;
};

struct sw_script {
	struct sw_rule rules[SW_MAX_RULES];
	unsigned nrules;
	struct sw_place places[SW_MAX_PLACES];
	unsigned nplaces;
};

/* B-channel audio (isdn_switch_media.c). */
enum sw_media_mode { SW_MEDIA_NONE, SW_MEDIA_TONE, SW_MEDIA_ECHO, SW_MEDIA_RECORD };
struct sw_media;
struct tdm;
struct tone_zone;
/* Open global DAHDI channel `channo` (law bytes until a mode wants samples). */
int sw_media_open(struct sw_media **mp, struct tdm *tdm, unsigned channo);
/* TONE needs `tone` in libtonezone's format ("480+620/500,0/500"). */
int sw_media_set(struct sw_media *m, enum sw_media_mode mode, const char *tone);
const int16_t *sw_media_recording(const struct sw_media *m, size_t *n);
/* The zone's description of tone `toneid` (DAHDI_TONE_*), or NULL. */
const char *sw_zone_tone(const struct tone_zone *z, unsigned toneid);

/* Parse a script.  0, or EINVAL with "name:line: reason" in err. */
int isdn_simsw_parse(struct sw_script *s, const char *name, const char *text, char *err,
		     size_t errlen);
/* The rule for a called number, or NULL. */
const struct sw_rule *isdn_simsw_match(const struct sw_script *s, const char *called);

#endif
