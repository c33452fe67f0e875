/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway's inbound access control (gw_access.c) from [trunk]
 * sections: which trunk a source belongs to, when digest is asked for,
 * which password a user name must present, and the open quick start
 * without any [trunk].
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "gw_reg.h"
#include "gwconf.h"
#include "sip/msg.h"

#include "sg_test.h"

static char dir[] = "/tmp/sg-gwaccess-XXXXXX";
static char path[256];
static struct sg_config *cfg;

static void setup(void)
{
	sg_test_begin();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/strowger.conf", dir);
	cfg = NULL;
}

static void teardown(void)
{
	mem_deref(cfg);
	unlink(path);
	rmdir(dir);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	sg_test_end();
}

TestSuite(gw_access, .init = setup, .fini = teardown);

static void load(const char *text)
{
	struct conf_diag diag;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs("[general]\nnode = gw7\n", f);
	fputs(text, f);
	fclose(f);
	conf_diag_init(&diag);
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	conf_diag_reset(&diag);
}

static struct sockaddr_storage sa(const char *ip)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1)
		a4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1)
		a6->sin6_family = AF_INET6;
	else
		cr_assert_fail("bad address %s", ip);
	return ss;
}

static struct sip_access verdict(const char *ip)
{
	struct sockaddr_storage ss = sa(ip);
	struct sip_access v = {.kind = SIP_ACCESS_ACCEPT, .who = &v};

	gw_access_verdict(cfg, (struct sockaddr *)&ss, &v);
	return v;
}

static const char *trunk_of(const struct sip_access *v)
{
	return v->who ? ((const struct sg_trunk *)v->who)->name : NULL;
}

Test(gw_access, no_trunk_section_lets_everyone_in_as_sip_trunk)
{
	load("[sip]\ntrunk = phones\n");
	struct sip_access v = verdict("192.0.2.9");
	cr_assert_eq(v.kind, SIP_ACCESS_ACCEPT);
	cr_assert_null(v.who);
	struct sip_msg m = {NULL, NULL};
	cr_assert_str_eq(gw_access_trunk_name(cfg, &m), "phones");
}

Test(gw_access, allow_networks_pick_the_trunk_and_others_get_403)
{
	load("[trunk phones]\nallow = 127.0.0.0/8, ::1\n"
	     "[trunk carrier]\nhost = 192.0.2.1\nallow = 192.0.2.0/28\n");
	struct sip_access v = verdict("127.0.0.1");
	cr_assert_eq(v.kind, SIP_ACCESS_ACCEPT);
	cr_assert_str_eq(trunk_of(&v), "phones");
	v = verdict("::1");
	cr_assert_str_eq(trunk_of(&v), "phones");
	v = verdict("192.0.2.3");
	cr_assert_eq(v.kind, SIP_ACCESS_ACCEPT);
	cr_assert_str_eq(trunk_of(&v), "carrier");
	struct sip_msg m = {NULL, v.who};
	cr_assert_str_eq(gw_access_trunk_name(cfg, &m), "carrier");
	cr_assert_eq(verdict("192.0.2.100").kind, SIP_ACCESS_REJECT);
	cr_assert_eq(verdict("2001:db8::1").kind, SIP_ACCESS_REJECT);
}

Test(gw_access, inbound_credentials_mean_digest_and_name_the_trunk)
{
	load("[trunk pbx]\nallow = 10.0.0.0/8\ninbound_username = pbx\ninbound_password = pw1\n"
	     "[trunk roaming]\ninbound_username = road\ninbound_password = pw2\n");
	struct sockaddr_storage in = sa("10.1.1.1"), out = sa("198.51.100.7");
	const void *who = NULL;

	struct sip_access v = verdict("10.1.1.1");
	cr_assert_eq(v.kind, SIP_ACCESS_DIGEST, "allowed and inbound credentials: both");
	cr_assert_str_eq(v.realm, "gw7", "the realm is the node name");
	v = verdict("198.51.100.7");
	cr_assert_eq(v.kind, SIP_ACCESS_DIGEST, "a digest-only trunk takes any source");
	cr_assert_str_eq(gw_access_password(cfg, (struct sockaddr *)&in, "gw7", "pbx", &who),
			 "pw1");
	cr_assert_str_eq(((const struct sg_trunk *)who)->name, "pbx");
	cr_assert_null(gw_access_password(cfg, (struct sockaddr *)&out, "gw7", "pbx", &who),
		       "pbx's user from outside its allow networks");
	cr_assert_str_eq(gw_access_password(cfg, (struct sockaddr *)&out, "gw7", "road", &who),
			 "pw2");
	cr_assert_str_eq(((const struct sg_trunk *)who)->name, "roaming");
	cr_assert_null(gw_access_password(cfg, (struct sockaddr *)&in, "gw7", "nobody", &who));
	cr_assert_null(gw_access_password(cfg, (struct sockaddr *)&in, "other", "pbx", &who),
		       "another realm");
}

Test(gw_access, digest_only_for_allowed_sources_when_no_trunk_is_open)
{
	load("[trunk pbx]\nallow = 10.0.0.0/8\ninbound_username = pbx\ninbound_password = pw1\n");
	cr_assert_eq(verdict("10.9.9.9").kind, SIP_ACCESS_DIGEST);
	cr_assert_eq(verdict("192.0.2.1").kind, SIP_ACCESS_REJECT);
}

/* A registrar calls the Contact we registered from its own address. */
Test(gw_access, a_trunks_ip_host_is_one_of_its_sources)
{
	load("[trunk carrier]\nhost = 198.51.100.5\nusername = u\npassword = p\nregister = yes\n"
	     "[trunk v6]\nhost = 2001:db8::5\n");
	struct sip_access v = verdict("198.51.100.5");
	cr_assert_eq(v.kind, SIP_ACCESS_ACCEPT);
	cr_assert_str_eq(trunk_of(&v), "carrier");
	v = verdict("::ffff:198.51.100.5");
	cr_assert_str_eq(trunk_of(&v), "carrier");
	v = verdict("2001:db8::5");
	cr_assert_str_eq(trunk_of(&v), "v6");
	cr_assert_eq(verdict("198.51.100.6").kind, SIP_ACCESS_REJECT);
}
