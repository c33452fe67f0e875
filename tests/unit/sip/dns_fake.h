/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A DNS server for tests: UDP on 127.0.0.1, port 0, on a core/loop,
 * answering from a table.  A name not in the table is NXDOMAIN; a known
 * name without the asked type is NODATA; names listed as "servfail" or
 * "drop" get SERVFAIL or no answer at all.
 */
#ifndef STROWGER_TESTS_DNS_FAKE_H
#define STROWGER_TESTS_DNS_FAKE_H

#include <stdint.h>

struct loop;

/* data: A "192.0.2.1", AAAA "2001:db8::1", SRV "prio weight port target",
 * NAPTR "order pref flags service replacement", or "servfail"/"drop" with
 * type 0. */
struct dns_rr {
	const char *name;
	int type;   /* 1 A, 28 AAAA, 33 SRV, 35 NAPTR, 0 special */
	const char *data;
};

struct dns_fake;
int dns_fake_start(struct dns_fake **dp, struct loop *loop, const struct dns_rr *rrs, unsigned n,
		   uint16_t *port);
void dns_fake_stop(struct dns_fake *d);
unsigned dns_fake_queries(const struct dns_fake *d);

#endif
