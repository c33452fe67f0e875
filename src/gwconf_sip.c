/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [sip] in strowger.conf:
 *
 *   listen = 127.0.0.1       an IP literal (IPv4 or IPv6)
 *   port = 5060              for UDP and TCP
 *   transports = udp,tcp     which of them (and tls)
 *   tls_port = 5061          for TLS (RFC 3261 §26.3.1)
 *   tls_certificate = F      our certificate, then its chain (PEM)
 *   tls_private_key = F      its key (PEM; default: in tls_certificate)
 *   tls_ca_file = F          CAs we trust for servers (default: the system's)
 *   tls_verify = yes         verify the servers we connect to (no: labs only)
 *   rtp_address = 127.0.0.1  where media is sent from and announced in SDP
 *   rtp_ports = 16384-32766  even RTP ports (RTCP on port+1)
 *   trunk = phones           the dial plan's name for calls arriving over SIP
 *   t1 = 500ms               RFC 3261 T1
 *   100rel = supported       reliable provisionals (RFC 3262): off, supported, required
 *   session_expires = 1800   session timer interval in s (RFC 4028); 0: none
 *   min_se = 90              the smallest interval accepted (422 below it)
 *   t2 = 4s, t4 = 5s         RFC 3261 T2 (longest retransmit interval), T4
 *   max_msg = 8192           bytes; a longer message gets 513
 *   tcp_idle_timeout = 300s  an idle TCP/TLS stream is closed after it
 *   max_sessions = 0         overload ceilings (0: none): at or above either a
 *   max_txns = 0             new INVITE gets 503 (RFC 3261 §21.5.4)
 *   retry_after = 5          the seconds in that 503's Retry-After
 *   dns_servers = 192.0.2.53,[2001:db8::53]:5353   for RFC 3263 lookups;
 *                            "" (default): /etc/resolv.conf
 *   dns_timeout = 0          per try (0: the resolver's default)
 *   dns_tries = 0            tries per server (0: the resolver's default)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "gwconf.h"
#include "sip/sip.h"

static int ip_parse(const char *value, void *field, char *why, size_t whylen)
{
	unsigned char buf[16];
	if (strlen(value) >= 64 ||
	    (inet_pton(AF_INET, value, buf) != 1 && inet_pton(AF_INET6, value, buf) != 1)) {
		snprintf(why, whylen, "not an IPv4 or IPv6 address");
		return EINVAL;
	}
	memcpy(field, value, strlen(value) + 1);
	return 0;
}

static int transports_parse(const char *value, void *field, char *why, size_t whylen)
{
	struct sg_sip *sip = (struct sg_sip *)((char *)field - offsetof(struct sg_sip, udp));
	sip->udp = sip->tcp = sip->tls = false;
	for (const char *p = value; *p;) {
		size_t n = strcspn(p, ", ");
		if (n == 3 && !strncmp(p, "udp", 3))
			sip->udp = true;
		else if (n == 3 && !strncmp(p, "tcp", 3))
			sip->tcp = true;
		else if (n == 3 && !strncmp(p, "tls", 3))
			sip->tls = true;
		else if (n) {
			snprintf(why, whylen, "'%.*s' is not a transport (udp, tcp, tls)", (int)n,
				 p);
			return EINVAL;
		}
		p += n + strspn(p + n, ", ");
	}
	if (!sip->udp && !sip->tcp && !sip->tls) {
		snprintf(why, whylen, "name at least one of udp, tcp, tls");
		return EINVAL;
	}
	return 0;
}

/* "16384-32766": even bounds, so RTP and RTCP pair up (RFC 3550 §11). */
static int ports_parse(const char *value, void *field, char *why, size_t whylen)
{
	unsigned lo, hi;
	char end;
	struct sg_sip *sip =
		(struct sg_sip *)((char *)field - offsetof(struct sg_sip, rtp_port_min));
	if (sscanf(value, "%u-%u%c", &lo, &hi, &end) != 2 || lo < 1024 || hi > 65534 ||
	    lo > hi || lo % 2 || hi % 2) {
		snprintf(why, whylen, "want EVEN-EVEN within 1024-65534, e.g. 16384-32766");
		return EINVAL;
	}
	sip->rtp_port_min = lo;
	sip->rtp_port_max = hi;
	return 0;
}

/* One "IPv4[:port]", "IPv6" or "[IPv6][:port]" (what c-ares' CSV takes). */
static bool dns_server_ok(const char *p, size_t n)
{
	char host[64];
	unsigned char buf[16];
	const char *port = NULL;

	if (n && p[0] == '[') {
		const char *close = memchr(p, ']', n);
		if (!close || (size_t)(close - p) - 1 >= sizeof(host))
			return false;
		memcpy(host, p + 1, (size_t)(close - p) - 1);
		host[close - p - 1] = 0;
		if (close + 1 < p + n) {
			if (close[1] != ':')
				return false;
			port = close + 2;
		}
		if (inet_pton(AF_INET6, host, buf) != 1)
			return false;
	} else {
		if (n >= sizeof(host))
			return false;
		memcpy(host, p, n);
		host[n] = 0;
		if (inet_pton(AF_INET6, host, buf) == 1)
			return true;
		char *colon = strchr(host, ':');
		if (colon) {
			*colon = 0;
			port = p + (colon - host) + 1;
		}
		if (inet_pton(AF_INET, host, buf) != 1)
			return false;
	}
	if (!port)
		return true;
	size_t plen = (size_t)(p + n - port);
	unsigned v = 0;
	if (!plen || plen > 5 || strspn(port, "0123456789") < plen)
		return false;
	for (size_t i = 0; i < plen; i++)
		v = v * 10 + (unsigned)(port[i] - '0');
	return v >= 1 && v <= 65535;
}

/* "192.0.2.53,[2001:db8::53]:5353": IP literals only, so a lookup never
 * needs a lookup; checked here so a typo is a file:line error, not a
 * c-ares failure at the first call. */
static int dns_servers_parse(const char *value, void *field, char *why, size_t whylen)
{
	if (strlen(value) >= sizeof(((struct sg_sip *)0)->dns_servers)) {
		snprintf(why, whylen, "too long (%zu bytes at most)",
			 sizeof(((struct sg_sip *)0)->dns_servers) - 1);
		return EINVAL;
	}
	for (const char *p = value; *p;) {
		size_t n = strcspn(p, ", ");
		if (n && !dns_server_ok(p, n)) {
			snprintf(why, whylen,
				 "'%.*s' is not IP[:port] or [IPv6]:port (no host names)", (int)n,
				 p);
			return EINVAL;
		}
		p += n + strspn(p + n, ", ");
	}
	memcpy(field, value, strlen(value) + 1);
	return 0;
}

/* In the order of enum sip_100rel. */
static const char *const rel100_names[] = {"off", "supported", "required", NULL};

static const struct conf_key sip_keys[] = {
	{ .name = "listen", .type = CONF_CUSTOM, .offset = offsetof(struct sg_sip, listen),
	  .parse = ip_parse, .dflt = "127.0.0.1", .help = "address to listen on" },
	{ .name = "port", .type = CONF_UINT, .offset = offsetof(struct sg_sip, port),
	  .min = 0, .max = 65535, .dflt = "5060",
	  .help = "UDP and TCP port (0: any free one, logged; for tests)" },
	{ .name = "transports", .type = CONF_CUSTOM, .offset = offsetof(struct sg_sip, udp),
	  .parse = transports_parse, .dflt = "udp,tcp", .help = "any of udp, tcp, tls" },
	{ .name = "tls_port", .type = CONF_UINT, .offset = offsetof(struct sg_sip, tls_port),
	  .min = 0, .max = 65535, .dflt = "5061", .help = "TLS port (0: any free one, logged)" },
	{ .name = "tls_certificate", .type = CONF_STR,
	  .offset = offsetof(struct sg_sip, tls_certificate),
	  .size = sizeof(((struct sg_sip *)0)->tls_certificate), .dflt = "",
	  .help = "our certificate then its chain, PEM (needed for tls)" },
	{ .name = "tls_private_key", .type = CONF_STR,
	  .offset = offsetof(struct sg_sip, tls_private_key),
	  .size = sizeof(((struct sg_sip *)0)->tls_private_key), .dflt = "",
	  .help = "the certificate's key, PEM (default: in tls_certificate)" },
	{ .name = "tls_ca_file", .type = CONF_STR, .offset = offsetof(struct sg_sip, tls_ca_file),
	  .size = sizeof(((struct sg_sip *)0)->tls_ca_file), .dflt = "",
	  .help = "CAs trusted for the servers we call, PEM (default: the system's)" },
	{ .name = "tls_verify", .type = CONF_BOOL, .offset = offsetof(struct sg_sip, tls_verify),
	  .dflt = "yes", .help = "verify the servers we connect to (no: labs only)" },
	{ .name = "rtp_address", .type = CONF_CUSTOM,
	  .offset = offsetof(struct sg_sip, rtp_address), .parse = ip_parse,
	  .dflt = "127.0.0.1", .help = "address for media (and SDP)" },
	{ .name = "rtp_ports", .type = CONF_CUSTOM,
	  .offset = offsetof(struct sg_sip, rtp_port_min), .parse = ports_parse,
	  .dflt = "16384-32766", .help = "even RTP port range" },
	{ .name = "trunk", .type = CONF_STR, .offset = offsetof(struct sg_sip, trunk),
	  .size = sizeof(((struct sg_sip *)0)->trunk), .dflt = "sip",
	  .help = "the dial plan's trunk name for calls arriving over SIP" },
	{ .name = "t1", .type = CONF_DURATION, .offset = offsetof(struct sg_sip, t1),
	  .dflt = "500ms", .min = (int64_t)(100 * NS_PER_MS), .max = (int64_t)(10 * NS_PER_S),
	  .help = "RFC 3261 T1 (round-trip estimate)" },
	{ .name = "100rel", .type = CONF_ENUM, .offset = offsetof(struct sg_sip, rel100),
	  .names = rel100_names, .dflt = "supported",
	  .help = "reliable provisional responses (RFC 3262)" },
	{ .name = "session_expires", .type = CONF_UINT,
	  .offset = offsetof(struct sg_sip, session_expires), .min = 0, .max = 86400,
	  .dflt = "1800", .help = "session timer interval in seconds (RFC 4028), 0: none" },
	{ .name = "min_se", .type = CONF_UINT, .offset = offsetof(struct sg_sip, min_se),
	  .min = 90, .max = 86400, .dflt = "90",
	  .help = "smallest session interval accepted (RFC 4028 Min-SE)" },
	{ .name = "t2", .type = CONF_DURATION, .offset = offsetof(struct sg_sip, t2),
	  .dflt = "4s", .min = (int64_t)NS_PER_S, .max = (int64_t)(64 * NS_PER_S),
	  .help = "RFC 3261 T2 (longest retransmit interval)" },
	{ .name = "t4", .type = CONF_DURATION, .offset = offsetof(struct sg_sip, t4),
	  .dflt = "5s", .min = (int64_t)NS_PER_S, .max = (int64_t)(64 * NS_PER_S),
	  .help = "RFC 3261 T4 (a message's longest life in the network)" },
	{ .name = "max_msg", .type = CONF_UINT, .offset = offsetof(struct sg_sip, max_msg),
	  .min = 1500, .max = 65535, .dflt = "8192",
	  .help = "largest SIP message in bytes (513 above)" },
	{ .name = "tcp_idle_timeout", .type = CONF_DURATION,
	  .offset = offsetof(struct sg_sip, tcp_idle_timeout), .dflt = "300s",
	  .min = (int64_t)NS_PER_S, .max = (int64_t)(86400 * NS_PER_S),
	  .help = "an idle TCP/TLS stream is closed after this" },
	{ .name = "max_sessions", .type = CONF_UINT,
	  .offset = offsetof(struct sg_sip, max_sessions), .min = 0, .max = 10000000,
	  .dflt = "0", .help = "503 to new INVITEs at this many sessions (0: no ceiling)" },
	{ .name = "max_txns", .type = CONF_UINT, .offset = offsetof(struct sg_sip, max_txns),
	  .min = 0, .max = 100000000, .dflt = "0",
	  .help = "503 to new INVITEs at this many transactions (0: no ceiling)" },
	{ .name = "retry_after", .type = CONF_UINT,
	  .offset = offsetof(struct sg_sip, retry_after), .min = 0, .max = 86400, .dflt = "5",
	  .help = "Retry-After seconds in the overload 503" },
	{ .name = "dns_servers", .type = CONF_CUSTOM,
	  .offset = offsetof(struct sg_sip, dns_servers), .parse = dns_servers_parse,
	  .dflt = "", .help = "DNS servers for RFC 3263 (\"\": /etc/resolv.conf)" },
	{ .name = "dns_timeout", .type = CONF_DURATION,
	  .offset = offsetof(struct sg_sip, dns_timeout), .dflt = "0", .min = 0,
	  .max = (int64_t)(60 * NS_PER_S), .help = "per DNS try (0: the resolver's default)" },
	{ .name = "dns_tries", .type = CONF_UINT, .offset = offsetof(struct sg_sip, dns_tries),
	  .min = 0, .max = 10, .dflt = "0", .help = "DNS tries per server (0: default)" },
	CONF_KEYS_END,
};

/* Where `key` was set in `sec` (file, line), or the section's own line. */
static const struct conf_entry *where(const struct conf_section *sec, const char *key,
				      struct conf_entry *fallback)
{
	for (unsigned i = 0; i < sec->n_entries; i++)
		if (!strcmp(sec->entries[i].key, key))
			return &sec->entries[i];
	*fallback = (struct conf_entry){ .key = key, .file = sec->file, .line = sec->line };
	return fallback;
}

static void tls_err(const struct conf_section *sec, struct conf_diag *diag, const char *key,
		    const char *why)
{
	struct conf_entry fb;
	const struct conf_entry *e = where(sec, key, &fb);
	conf_diag_err(diag, e->file, e->line, "[sip] %s: %s", key, why);
}

/* With tls in transports: the files exist, are readable, parse, and the key
 * is the certificate's.  Errors name the key's file:line. */
static int tls_check(struct sg_config *cfg, const struct conf_section *sec,
		     struct conf_diag *diag)
{
	struct sg_sip *sip = &cfg->sip;
	char why[512];
	if (!sip->tls) {
		if (sip->tls_certificate[0]) {
			struct conf_entry fb;
			const struct conf_entry *e = where(sec, "tls_certificate", &fb);
			conf_diag_warn(diag, e->file, e->line,
				       "[sip] tls_certificate is unused: tls is not in transports");
		}
		return 0;
	}
	if (!sip->tls_certificate[0]) {
		tls_err(sec, diag, "transports", "tls needs tls_certificate");
		return EINVAL;
	}
	if (sg_config_path_resolve(cfg, sip->tls_certificate, sizeof(sip->tls_certificate)) ||
	    sg_config_path_resolve(cfg, sip->tls_private_key, sizeof(sip->tls_private_key)) ||
	    sg_config_path_resolve(cfg, sip->tls_ca_file, sizeof(sip->tls_ca_file))) {
		tls_err(sec, diag, "tls_certificate", "a path is too long once resolved");
		return EINVAL;
	}
	struct sip_tls_conf tc = { .cert_file = sip->tls_certificate,
				   .key_file = sip->tls_private_key[0] ? sip->tls_private_key
								      : NULL };
	int rc = sip_tls_conf_check(&tc, why, sizeof(why));
	if (rc) {
		bool key = !strncmp(why, "private key", 11) && sip->tls_private_key[0];
		tls_err(sec, diag, key ? "tls_private_key" : "tls_certificate", why);
		return EINVAL;
	}
	if (!sip->tls_ca_file[0])
		return 0;
	tc = (struct sip_tls_conf){ .ca_file = sip->tls_ca_file };
	if (sip_tls_conf_check(&tc, why, sizeof(why))) {
		tls_err(sec, diag, "tls_ca_file", why);
		return EINVAL;
	}
	return 0;
}

int sg_sip_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct sg_config *cfg = arg;
	cfg->sip.enabled = true;
	int rc = conf_bind(sec, sip_keys, &cfg->sip, diag);
	if (!rc && cfg->sip.t1 > cfg->sip.t2) { /* §17.1.2.2: E and G double up to T2 */
		struct conf_entry fb;
		const struct conf_entry *e = where(sec, "t2", &fb);
		conf_diag_err(diag, e->file, e->line, "[sip] t2 is shorter than t1");
		rc = EINVAL;
	}
	if (!rc && cfg->sip.session_expires && cfg->sip.session_expires < cfg->sip.min_se) {
		conf_diag_err(diag, sec->file, sec->line,
			      "[sip] session_expires = %u is below min_se = %u", cfg->sip.session_expires,
			      cfg->sip.min_se);
		rc = EINVAL;
	}
	return rc ? rc : tls_check(cfg, sec, diag);
}
