/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of core/conf's value parsers, conf_bind (every key error) and
 * conf_dispatch (every section error).  Every message is checked with its
 * file:line and key.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"
#include "conf_fx.h"

TestSuite(conf_values, .init = quiet, .fini = loud);
TestSuite(conf_bind, .init = quiet, .fini = loud);
TestSuite(conf_dispatch, .init = quiet, .fini = loud);

/* --- Value parsers ------------------------------------------------------- */

Test(conf_values, bool)
{
	const char *yes[] = { "yes", "true", "on", "1", "Yes", "TRUE" };
	const char *no[] = { "no", "false", "off", "0", "Off" };
	bool b;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		cr_assert(conf_parse_bool(yes[i], &b) == 0 && b, "%s", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		cr_assert(conf_parse_bool(no[i], &b) == 0 && !b, "%s", no[i]);
	cr_assert_eq(conf_parse_bool("maybe", &b), EINVAL);
	cr_assert_eq(conf_parse_bool("", &b), EINVAL);
	cr_assert_eq(conf_parse_bool("yes ", &b), EINVAL);
}

Test(conf_values, int)
{
	int64_t v;
	cr_assert(conf_parse_int("0", &v) == 0 && v == 0);
	cr_assert(conf_parse_int("-42", &v) == 0 && v == -42);
	cr_assert(conf_parse_int("+7", &v) == 0 && v == 7);
	cr_assert(conf_parse_int("9223372036854775807", &v) == 0 && v == INT64_MAX);
	cr_assert(conf_parse_int("-9223372036854775808", &v) == 0 && v == INT64_MIN);
	cr_assert_eq(conf_parse_int("9223372036854775808", &v), ERANGE);
	cr_assert_eq(conf_parse_int("-9223372036854775809", &v), ERANGE);
	cr_assert_eq(conf_parse_int("99999999999999999999999", &v), ERANGE);
	const char *bad[] = { "", "-", "+", "1x", "x1", " 1", "0x10", "1.5", "--1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(conf_parse_int(bad[i], &v), EINVAL, "'%s'", bad[i]);
}

Test(conf_values, duration)
{
	uint64_t ns;
	cr_assert(conf_parse_duration("500", &ns) == 0 && ns == 500000000ull);
	cr_assert(conf_parse_duration("500ms", &ns) == 0 && ns == 500000000ull);
	cr_assert(conf_parse_duration("2s", &ns) == 0 && ns == 2000000000ull);
	cr_assert(conf_parse_duration("3m", &ns) == 0 && ns == 180000000000ull);
	cr_assert(conf_parse_duration("1h", &ns) == 0 && ns == 3600000000000ull);
	cr_assert(conf_parse_duration("0s", &ns) == 0 && ns == 0);
	cr_assert(conf_parse_duration("5124095h", &ns) == 0); /* 2^64 ns is 5124095.6 h */
	cr_assert_eq(conf_parse_duration("5124096h", &ns), ERANGE);
	cr_assert_eq(conf_parse_duration("99999999999999999999", &ns), ERANGE);
	const char *bad[] = { "", "s", "-1s", "1 s", "1x", "1S", "1.5s", "1sec", "1mss" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(conf_parse_duration(bad[i], &ns), EINVAL, "'%s'", bad[i]);
}

/* --- Binding ------------------------------------------------------------- */

struct cfg {
	char host[16];
	int64_t delta, big;
	unsigned port, count;
	bool tls;
	int mode;
	uint64_t t1, timeout;
	int even;
};

static const char *const modes[] = { "off", "on_demand", "always", NULL };

static int parse_even(const char *value, void *field, char *why, size_t whylen)
{
	int64_t v;
	if (conf_parse_int(value, &v) || v % 2 || v > 1000 || v < -1000) {
		snprintf(why, whylen, "not an even number");
		return EINVAL;
	}
	*(int *)field = (int)v;
	return 0;
}

#define F(m) offsetof(struct cfg, m)
static const struct conf_key keys[] = {
	{ .name = "host", .type = CONF_STR, .offset = F(host), .size = 16, .required = true },
	{ .name = "delta", .type = CONF_INT, .offset = F(delta), .min = -10, .max = 10,
	  .dflt = "0" },
	{ .name = "big", .type = CONF_INT, .offset = F(big) },
	{ .name = "port", .type = CONF_UINT, .offset = F(port), .min = 1, .max = 65535,
	  .dflt = "5060" },
	{ .name = "count", .type = CONF_UINT, .offset = F(count), .dflt = "7" },
	{ .name = "tls", .type = CONF_BOOL, .offset = F(tls), .dflt = "yes" },
	{ .name = "mode", .type = CONF_ENUM, .offset = F(mode), .names = modes, .dflt = "always" },
	{ .name = "t1", .type = CONF_DURATION, .offset = F(t1), .min = 100000000,
	  .max = 10000000000, .dflt = "500ms" },
	{ .name = "timeout", .type = CONF_DURATION, .offset = F(timeout) },
	{ .name = "even", .type = CONF_CUSTOM, .offset = F(even), .parse = parse_even },
	CONF_KEYS_END,
};

/* Bind the first section of `text`; returns conf_bind's result. */
static int bind_text(const char *text, struct cfg *c, struct conf_diag *d)
{
	struct conf_doc *doc = parse_ok(text);
	memset(c, 0, sizeof(*c));
	conf_diag_init(d);
	int err = conf_bind(&doc->sections[0], keys, c, d);
	mem_deref(doc);
	return err;
}

static void bind_fails(const char *text, const char *msg)
{
	struct conf_diag d;
	struct cfg c;
	cr_assert_eq(bind_text(text, &c, &d), EINVAL, "bind passed: %s", text);
	expect(&d, msg);
	cr_assert_eq(d.errors, 1, "%s", d.text);
	conf_diag_reset(&d);
}

Test(conf_bind, defaults)
{
	LEAK_START;
	struct cfg c;
	memset(&c, 0, sizeof(c));
	c.big = 99;
	cr_assert_eq(conf_defaults(keys, &c), 0);
	cr_assert_eq(c.port, 5060);
	cr_assert_eq(c.count, 7);
	cr_assert(c.tls);
	cr_assert_eq(c.mode, 2);
	cr_assert_eq(c.t1, 500000000ull);
	cr_assert_eq(c.big, 99); /* no default: left alone */

	static const struct conf_key bad[] = {
		{ .name = "tls", .type = CONF_BOOL, .offset = F(tls), .dflt = "perhaps" },
		CONF_KEYS_END,
	};
	cr_assert_eq(conf_defaults(bad, &c), EINVAL);
	LEAK_CHECK;
}

Test(conf_bind, every_type)
{
	LEAK_START;
	struct conf_diag d;
	struct cfg c;
	int err = bind_text("[trunk a]\nhost = 123456789012345\ndelta = -10\nbig = -5000000000\n"
			    "port = 65535\ncount = 4294967295\ntls = off\nmode = on_demand\n"
			    "t1 = 10s\ntimeout = 2h\neven = -4\n",
			    &c, &d);
	cr_assert_eq(err, 0, "%s", d.text);
	cr_assert_str_eq(c.host, "123456789012345");
	cr_assert_eq(c.delta, -10);
	cr_assert_eq(c.big, -5000000000);
	cr_assert_eq(c.port, 65535);
	cr_assert_eq(c.count, 4294967295u);
	cr_assert_not(c.tls);
	cr_assert_eq(c.mode, 1);
	cr_assert_eq(c.t1, 10000000000ull);
	cr_assert_eq(c.timeout, 7200000000000ull);
	cr_assert_eq(c.even, -4);
	conf_diag_reset(&d);

	cr_assert_eq(bind_text("[trunk a]\nhost = h\n", &c, &d), 0); /* defaults fill the rest */
	cr_assert_eq(c.port, 5060);
	cr_assert_eq(c.t1, 500000000ull);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

Test(conf_bind, unknown_key)
{
	LEAK_START;
	bind_fails("[general]\nhost = h\nlgo_level = info\n",
		   "t.conf:3: [general] key 'lgo_level': unknown key");
	LEAK_CHECK;
}

Test(conf_bind, duplicate_key)
{
	LEAK_START;
	bind_fails("[general]\nhost = h\n\nport = 1\nport = 2\n",
		   "t.conf:5: [general] key 'port': duplicate (first at t.conf:4)");
	LEAK_CHECK;
}

Test(conf_bind, bad_int)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\ndelta = x1\n", "t.conf:3: [sip] key 'delta': 'x1' is not an integer");
	bind_fails("[sip]\nhost = h\nport = 5o60\n", "t.conf:3: [sip] key 'port': '5o60' is not an integer");
	LEAK_CHECK;
}

Test(conf_bind, out_of_range)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\nport = 70000\n",
		   "t.conf:3: [sip] key 'port': 70000 out of range 1..65535");
	bind_fails("[sip]\nhost = h\nport = 0\n", "t.conf:3: [sip] key 'port': 0 out of range 1..65535");
	bind_fails("[sip]\nhost = h\ndelta = -11\n",
		   "t.conf:3: [sip] key 'delta': -11 out of range -10..10");
	bind_fails("[sip]\nhost = h\ncount = -1\n",
		   "t.conf:3: [sip] key 'count': -1 out of range 0..4294967295");
	bind_fails("[sip]\nhost = h\ncount = 4294967296\n",
		   "t.conf:3: [sip] key 'count': 4294967296 out of range 0..4294967295");
	bind_fails("[sip]\nhost = h\nbig = 9223372036854775808\n",
		   "t.conf:3: [sip] key 'big': 9223372036854775808 out of range "
		   "-9223372036854775808..9223372036854775807");
	LEAK_CHECK;
}

Test(conf_bind, bad_bool)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\ntls = maybe\n",
		   "t.conf:3: [sip] key 'tls': 'maybe' is not a boolean (yes/no, true/false, on/off, "
		   "1/0)");
	LEAK_CHECK;
}

Test(conf_bind, bad_enum_lists_valid_names)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\nmode = sometimes\n",
		   "t.conf:3: [sip] key 'mode': 'sometimes' is not one of: off, on_demand, always");
	LEAK_CHECK;
}

Test(conf_bind, bad_duration)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\nt1 = 5x\n",
		   "t.conf:3: [sip] key 't1': '5x' is not a duration (a number with ms, s, m or h; "
		   "bare numbers are ms)");
	bind_fails("[sip]\nhost = h\ntimeout = 99999999999h\n",
		   "t.conf:3: [sip] key 'timeout': '99999999999h' is too long a duration");
	bind_fails("[sip]\nhost = h\nt1 = 50\n", "t.conf:3: [sip] key 't1': 50 out of range 100ms..10s");
	bind_fails("[sip]\nhost = h\nt1 = 1m\n", "t.conf:3: [sip] key 't1': 1m out of range 100ms..10s");
	LEAK_CHECK;
}

Test(conf_bind, string_too_long)
{
	LEAK_START;
	bind_fails("[trunk a]\nhost = 1234567890123456\n",
		   "t.conf:2: [trunk a] key 'host': too long (16 bytes, at most 15)");
	LEAK_CHECK;
}

Test(conf_bind, custom_reason)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\neven = 3\n", "t.conf:3: [sip] key 'even': '3': not an even number");
	LEAK_CHECK;
}

Test(conf_bind, missing_required)
{
	LEAK_START;
	bind_fails("; a comment\n[trunk a]\nport = 5\n", "t.conf:2: [trunk a] missing required key 'host'");
	LEAK_CHECK;
}

Test(conf_bind, all_errors_of_a_section_at_once)
{
	LEAK_START;
	struct conf_diag d;
	struct cfg c;
	cr_assert_eq(bind_text("[s]\nport = 0\ntls = 2\nnope = 1\n", &c, &d), EINVAL);
	cr_assert_eq(d.errors, 4, "%s", d.text);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

/* --- Dispatch ------------------------------------------------------------ */

struct seen {
	int general, sip, trunks;
};

static int on_general(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	(void)sec;
	(void)diag;
	((struct seen *)arg)->general++;
	return 0;
}

static int on_sip(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	(void)diag;
	((struct seen *)arg)->sip++;
	return conf_doc_find(NULL, "x", NULL) || !sec->n_entries ? 0 : EACCES;
}

static int on_trunk(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct cfg c;
	((struct seen *)arg)->trunks++;
	return conf_bind(sec, keys, &c, diag);
}

static const struct conf_kind kinds[] = {
	{ .kind = "general", .required = true, .handle = on_general },
	{ .kind = "sip", .handle = on_sip },
	{ .kind = "trunk", .named = true, .handle = on_trunk },
	CONF_KINDS_END,
};

static void dispatch_fails(const char *text, const char *msg)
{
	struct conf_doc *doc = parse_ok(text);
	struct conf_diag d;
	struct seen s = { 0 };
	conf_diag_init(&d);
	cr_assert_eq(conf_dispatch(doc, kinds, &s, &d), EINVAL);
	expect(&d, msg);
	cr_assert_eq(d.errors, 1, "%s", d.text);
	conf_diag_reset(&d);
	mem_deref(doc);
}

Test(conf_dispatch, valid)
{
	LEAK_START;
	struct conf_doc *doc = parse_ok("[general]\n[sip]\n[trunk a]\nhost = x\n[trunk b]\nhost = y\n");
	struct conf_diag d;
	struct seen s = { 0 };
	conf_diag_init(&d);
	cr_assert_eq(conf_dispatch(doc, kinds, &s, &d), 0, "%s", d.text);
	cr_assert_eq(s.general, 1);
	cr_assert_eq(s.sip, 1);
	cr_assert_eq(s.trunks, 2);
	conf_diag_reset(&d);
	mem_deref(doc);
	LEAK_CHECK;
}

Test(conf_dispatch, errors)
{
	LEAK_START;
	dispatch_fails("[general]\n[foo]\n",
		       "t.conf:2: [foo] unknown section kind (known: general, sip, trunk)");
	dispatch_fails("[general x]\n[general]\n", "t.conf:1: [general x] takes no name (write [general])");
	dispatch_fails("[general]\n[trunk]\n", "t.conf:2: [trunk] missing name (write [trunk NAME])");
	dispatch_fails("[general]\n\n[general]\n", "t.conf:3: [general] duplicate section (first at t.conf:1)");
	dispatch_fails("[general]\n[trunk a]\nhost = h\n[trunk a]\nhost = i\n",
		       "t.conf:4: [trunk a] duplicate section (first at t.conf:2)");
	dispatch_fails("[sip]\n", "t.conf: missing required section [general]");
	dispatch_fails("[general]\n[trunk a]\n", "t.conf:2: [trunk a] missing required key 'host'");
	/* a handler that fails without a message still yields one */
	dispatch_fails("[general]\n[sip]\nport = 1\n", "t.conf:2: [sip] Permission denied");
	LEAK_CHECK;
}
