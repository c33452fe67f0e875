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
	if (!rc && cfg->sip.session_expires && cfg->sip.session_expires < cfg->sip.min_se) {
		conf_diag_err(diag, sec->file, sec->line,
			      "[sip] session_expires = %u is below min_se = %u", cfg->sip.session_expires,
			      cfg->sip.min_se);
		rc = EINVAL;
	}
	return rc ? rc : tls_check(cfg, sec, diag);
}
