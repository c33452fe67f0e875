/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISDN configuration: role, switch type, interface and channel policy by
 * name.  An unknown name is an error that lists the accepted ones; there is
 * no default switch type (a wrong one fails in ways that look like the far
 * end's fault).
 */
#include <errno.h>
#include <libpri.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "pstn/isdn_int.h"

struct alias {
	const char *name;
	int value;
};

/* clang-format off */
/* First name of each value is the canonical one. */
static const struct alias switch_names[] = {
	{ "euroisdn_e1", ISDN_SW_EUROISDN_E1 }, { "euroisdn_t1", ISDN_SW_EUROISDN_T1 },
	{ "ni2", ISDN_SW_NI2 }, { "dms100", ISDN_SW_DMS100 }, { "4ess", ISDN_SW_4ESS },
	{ "5ess", ISDN_SW_5ESS }, { "qsig", ISDN_SW_QSIG }, { "national", ISDN_SW_NI2 },
	{ "euroisdn", ISDN_SW_EUROISDN_E1 }, { NULL, 0 },
};
static const struct alias role_names[] = {
	{ "network", ISDN_ROLE_NETWORK }, { "cpe", ISDN_ROLE_CPE }, { "net", ISDN_ROLE_NETWORK },
	{ "nt", ISDN_ROLE_NETWORK }, { "user", ISDN_ROLE_CPE }, { "te", ISDN_ROLE_CPE },
	{ NULL, 0 },
};
static const struct alias iface_names[] = {
	{ "pri_e1", ISDN_PRI_E1 }, { "pri_t1", ISDN_PRI_T1 }, { "bri_ptp", ISDN_BRI_PTP },
	{ "bri_ptmp", ISDN_BRI_PTMP }, { NULL, 0 },
};
static const struct alias chansel_names[] = {
	{ "ascending", ISDN_CHANSEL_ASC }, { "descending", ISDN_CHANSEL_DESC },
	{ "round_robin", ISDN_CHANSEL_RR }, { NULL, 0 },
};
/* clang-format on */

static const char *alias_name(const struct alias *t, int v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return "?";
}

/* Accepts '-' for '_' and any case. */
static int alias_parse(const struct alias *t, const char *what, const char *value, int *out,
		       char *why, size_t whylen)
{
	char norm[32];
	size_t n = strlen(value);
	if (n < sizeof(norm)) {
		for (size_t i = 0; i <= n; i++)
			norm[i] = value[i] == '-' ? '_' : value[i];
		for (const struct alias *a = t; a->name; a++) {
			if (!strcasecmp(a->name, norm)) {
				*out = a->value;
				return 0;
			}
		}
	}
	size_t pos = (size_t)snprintf(why, whylen, "unknown %s '%.32s'; use one of:", what, value);
	for (const struct alias *a = t; a->name && pos < whylen; a++)
		pos += (size_t)snprintf(why + pos, whylen - pos, " %s", a->name);
	return EINVAL;
}

#define ENUM_PARSER(fn, table, what, type)                                                         \
	int fn(const char *value, void *field, char *why, size_t whylen)                           \
	{                                                                                          \
		int v;                                                                             \
		int rc = alias_parse(table, what, value, &v, why, whylen);                         \
		if (!rc)                                                                           \
			*(type *)field = (type)v;                                                  \
		return rc;                                                                         \
	}

ENUM_PARSER(isdn_switch_parse, switch_names, "switch type", enum isdn_switch)
ENUM_PARSER(isdn_role_parse, role_names, "role", enum isdn_role)
ENUM_PARSER(isdn_iface_parse, iface_names, "interface", enum isdn_iface)
ENUM_PARSER(isdn_chansel_parse, chansel_names, "channel selection", enum isdn_chansel)

const char *isdn_switch_name(enum isdn_switch sw)
{
	return alias_name(switch_names, (int)sw);
}
const char *isdn_role_name(enum isdn_role role)
{
	return alias_name(role_names, (int)role);
}
const char *isdn_iface_name(enum isdn_iface iface)
{
	return alias_name(iface_names, (int)iface);
}
const char *isdn_chansel_name(enum isdn_chansel sel)
{
	return alias_name(chansel_names, (int)sel);
}

int isdn_switch_to_pri(enum isdn_switch sw)
{
	static const int map[ISDN_SW__COUNT] = {
	    [ISDN_SW_EUROISDN_E1] = PRI_SWITCH_EUROISDN_E1,
	    [ISDN_SW_EUROISDN_T1] = PRI_SWITCH_EUROISDN_T1,
	    [ISDN_SW_NI2] = PRI_SWITCH_NI2,
	    [ISDN_SW_DMS100] = PRI_SWITCH_DMS100,
	    [ISDN_SW_4ESS] = PRI_SWITCH_ATT4ESS,
	    [ISDN_SW_5ESS] = PRI_SWITCH_LUCENT5E,
	    [ISDN_SW_QSIG] = PRI_SWITCH_QSIG,
	};
	return (unsigned)sw < ISDN_SW__COUNT ? map[sw] : PRI_SWITCH_UNKNOWN;
}

void isdn_conf_init(struct isdn_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->role = ISDN_ROLE_CPE;
	conf->sw = ISDN_SW_EUROISDN_E1;
	conf->iface = ISDN_PRI_E1;
	conf->chansel = ISDN_CHANSEL_ASC;
	conf->t302 = 15 * NS_PER_S;
}

int isdn_conf_check(const struct isdn_conf *conf, char *why, size_t whylen)
{
	bool bri = conf->iface == ISDN_BRI_PTP || conf->iface == ISDN_BRI_PTMP;
	if ((unsigned)conf->sw >= ISDN_SW__COUNT || (unsigned)conf->role > ISDN_ROLE_CPE ||
	    (unsigned)conf->iface >= ISDN_IFACE__COUNT ||
	    (unsigned)conf->chansel >= ISDN_CHANSEL__COUNT) {
		snprintf(why, whylen, "value out of range in ISDN configuration");
		return EINVAL;
	}
	if (bri && conf->sw != ISDN_SW_EUROISDN_E1 && conf->sw != ISDN_SW_EUROISDN_T1 &&
	    conf->sw != ISDN_SW_NI2 && conf->sw != ISDN_SW_QSIG) {
		snprintf(why, whylen, "switch type %s is not used on BRI",
			 isdn_switch_name(conf->sw));
		return EINVAL;
	}
	if (conf->iface == ISDN_BRI_PTMP && conf->sw == ISDN_SW_QSIG) {
		snprintf(why, whylen, "QSIG is point-to-point only");
		return EINVAL;
	}
	if (conf->overlap && conf->t302 == 0) {
		snprintf(why, whylen, "overlap dialling needs t302 > 0");
		return EINVAL;
	}
	return 0;
}

#define OFF(f) offsetof(struct isdn_conf, f)

/* clang-format off */
const struct conf_key isdn_conf_keys[] = {
	{ .name = "switchtype", .type = CONF_CUSTOM, .offset = OFF(sw),
	  .parse = isdn_switch_parse, .required = true,
	  .help = "euroisdn_e1, euroisdn_t1, ni2, dms100, 4ess, 5ess or qsig" },
	{ .name = "role", .type = CONF_CUSTOM, .offset = OFF(role), .parse = isdn_role_parse,
	  .dflt = "cpe", .help = "network (NT) or cpe (TE, user side)" },
	{ .name = "interface", .type = CONF_CUSTOM, .offset = OFF(iface),
	  .parse = isdn_iface_parse, .dflt = "pri_e1",
	  .help = "pri_e1, pri_t1, bri_ptp or bri_ptmp" },
	{ .name = "chansel", .type = CONF_CUSTOM, .offset = OFF(chansel),
	  .parse = isdn_chansel_parse, .dflt = "ascending",
	  .help = "outgoing B-channel choice: ascending, descending, round_robin" },
	{ .name = "exclusive", .type = CONF_BOOL, .offset = OFF(exclusive), .dflt = "no",
	  .help = "offer the B-channel as exclusive rather than preferred" },
	{ .name = "overlap", .type = CONF_BOOL, .offset = OFF(overlap), .dflt = "no",
	  .help = "overlap receiving and sending (SETUP ACKNOWLEDGE, INFORMATION)" },
	{ .name = "t302", .type = CONF_DURATION, .offset = OFF(t302), .dflt = "15s",
	  .min = (int64_t)(1 * NS_PER_S), .max = (int64_t)(120 * NS_PER_S),
	  .help = "overlap receiving: time to wait for the next digit" },
	{ .name = "pri_debug", .type = CONF_UINT, .offset = OFF(debug), .dflt = "0",
	  .min = 0, .max = 0xffff, .help = "libpri PRI_DEBUG_* bits, logged at debug level" },
	CONF_KEYS_END,
};
/* clang-format on */
