/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TON/NPI ⇄ E.164 normalisation (E.164 §6, Q.931 §4.5.10). */
#include <criterion/criterion.h>
#include <errno.h>

#include "call/number.h"
#include "call/route.h"
#include "core/mem.h"
#include "../sg_test.h"

static void setup(void)
{
	sg_test_begin();
}
static void teardown(void)
{
	sg_test_end();
}
TestSuite(number, .init = setup, .fini = teardown);

static const struct number_plan uk = {"44", "0", "00", "20"};
static const struct number_plan us = {"1", "1", "011", ""};

static const char *to(const struct number_plan *p, const char *d, unsigned ton)
{
	static char out[40];
	int err = number_to_e164(p, d, ton, out, sizeof(out));
	return err ? (err == ENOENT ? "ENOENT" : err == EINVAL ? "EINVAL" : "ENOSPC") : out;
}

static const char *from(const struct number_plan *p, const char *e, unsigned ton)
{
	static char out[40];
	int err = number_from_e164(p, e, ton, out, sizeof(out));
	return err ? (err == ENOENT ? "ENOENT" : err == EINVAL ? "EINVAL" : "ENOSPC") : out;
}

Test(number, uk_to_e164)
{
	cr_expect_str_eq(to(&uk, "2079460123", ROUTE_TON_NATIONAL), "+442079460123");
	cr_expect_str_eq(to(&uk, "33142685300", ROUTE_TON_INTERNATIONAL), "+33142685300");
	cr_expect_str_eq(to(&uk, "79460123", ROUTE_TON_SUBSCRIBER), "+442079460123");
	cr_expect_str_eq(to(&uk, "02079460123", ROUTE_TON_UNKNOWN), "+442079460123");
	cr_expect_str_eq(to(&uk, "0033142685300", ROUTE_TON_UNKNOWN), "+33142685300");
	cr_expect_str_eq(to(&uk, "+33142685300", ROUTE_TON_UNKNOWN), "+33142685300");
	cr_expect_str_eq(to(&uk, "999", ROUTE_TON_UNKNOWN), "ENOENT");
	cr_expect_str_eq(to(&uk, "123", ROUTE_TON_ABBREVIATED), "ENOENT");
	cr_expect_str_eq(to(&uk, "12a", ROUTE_TON_NATIONAL), "EINVAL");
	cr_expect_str_eq(to(&uk, "", ROUTE_TON_NATIONAL), "EINVAL");
}

Test(number, us_to_e164)
{
	cr_expect_str_eq(to(&us, "2125550100", ROUTE_TON_NATIONAL), "+12125550100");
	cr_expect_str_eq(to(&us, "12125550100", ROUTE_TON_UNKNOWN), "+12125550100");
	cr_expect_str_eq(to(&us, "011442079460123", ROUTE_TON_UNKNOWN), "+442079460123");
}

Test(number, from_e164)
{
	cr_expect_str_eq(from(&uk, "+442079460123", ROUTE_TON_NATIONAL), "2079460123");
	cr_expect_str_eq(from(&uk, "+442079460123", ROUTE_TON_INTERNATIONAL), "442079460123");
	cr_expect_str_eq(from(&uk, "+442079460123", ROUTE_TON_UNKNOWN), "02079460123");
	cr_expect_str_eq(from(&uk, "+442079460123", ROUTE_TON_SUBSCRIBER), "79460123");
	cr_expect_str_eq(from(&uk, "+33142685300", ROUTE_TON_UNKNOWN), "0033142685300");
	cr_expect_str_eq(from(&uk, "+33142685300", ROUTE_TON_NATIONAL), "ENOENT");
	cr_expect_str_eq(from(&us, "+12125550100", ROUTE_TON_UNKNOWN), "12125550100");
	cr_expect_str_eq(from(&us, "+442079460123", ROUTE_TON_UNKNOWN), "011442079460123");
	cr_expect_str_eq(from(&us, "2125550100", ROUTE_TON_UNKNOWN), "EINVAL");
	cr_expect_str_eq(from(&us, "+1", ROUTE_TON_ABBREVIATED), "ENOENT");
}

Test(number, small_buffer)
{
	char out[5];
	cr_expect(number_to_e164(&uk, "2079460123", ROUTE_TON_NATIONAL, out, sizeof(out)) ==
		  ENOSPC);
	cr_expect(number_from_e164(&uk, "+442079460123", ROUTE_TON_NATIONAL, out, sizeof(out)) ==
		  ENOSPC);
}
