/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's configuration: strowger.conf parsed and validated into one
 * struct.  Each area that owns a section kind adds it here (its key table
 * and struct), so every error is found in one pass before anything starts.
 */
#ifndef STROWGER_GWCONF_H
#define STROWGER_GWCONF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/conf.h"
#include "core/log.h"
#include "pstn/isdn.h"

enum sg_log_target { SG_LOG_STDERR, SG_LOG_SYSLOG };

/* [general] */
struct sg_general {
	char node[64];         /* this gateway's name in logs and CDRs */
	int log_target;        /* enum sg_log_target */
	int log_level;         /* enum log_level: the default for every category */
	char control_socket[108]; /* "" = the default path */
	char cdr_database[256];   /* "" = the default path */
	bool cdr_fsync;        /* fsync each CDR (survives power loss), not only crashes */
	uint64_t no_answer;    /* ns a call may ring before it is cleared (19) */
	char tone_zone[8];     /* libtonezone country of the tones we play (ringback) */
};

/* [mapping]: the dial plan and the cause table (paths relative to the
 * configuration file).  Both are loaded while the configuration is read, so
 * a bad mapping file is a configuration error. */
struct sg_mapping {
	char dialplan[1024];   /* "": no dial plan, every call gets cause 3 */
	char causes[1024];     /* "": the shipped RFC 3398 table */
};

/* [sim]: run on simulated spans (sim/) instead of /dev/dahdi. */
struct sg_sim {
	bool enabled;              /* the section is present */
	char system_conf[1024];    /* DAHDI system.conf syntax (relative to this file) */
	uint64_t tick;             /* ns per sim tick */
	unsigned stride;           /* ticks per B-channel transfer (sim_prm.stride) */
};

/* How overlap-dialled calls go on into SIP. */
enum { SG_OVERLAP_EN_BLOC, SG_OVERLAP_RFC3578 };

/* [span N]: an ISDN span (DAHDI span N) and the group it serves. */
struct sg_span {
	unsigned number;
	struct isdn_conf isdn;
	char group[64];
	unsigned max_calls, max_cps;   /* 0: no limit (call/limit.h) */
	char digitmap[64];         /* overlap receiving: the dial plan's [digits NAME] */
	int overlap_sip;           /* SG_OVERLAP_EN_BLOC or SG_OVERLAP_RFC3578 */
};

/* [simpbx NAME]: a simulated switch/PBX on a sim span crossed with one of
 * the gateway's spans, running a script (pstn/isdn_switch.h). */
struct sg_simpbx {
	char name[16];             /* also its controller's log name */
	unsigned span;             /* the sim span the PBX sits on */
	unsigned cross;            /* the gateway span it faces */
	char script[1024];
	char zone[8];              /* libtonezone country for its tones */
};

/* [sip]: where the gateway listens and sends media. */
struct sg_sip {
	bool enabled;
	char listen[64];          /* IP literal */
	unsigned port;            /* UDP and TCP */
	bool udp, tcp, tls;
	unsigned tls_port;
	char tls_certificate[1024]; /* PEM, ours then the chain (relative to this file) */
	char tls_private_key[1024]; /* PEM; "": in tls_certificate */
	char tls_ca_file[1024];     /* PEM CAs we trust; "": the system's */
	bool tls_verify;            /* verify servers we connect to */
	char rtp_address[64];     /* IP literal for RTP (and SDP c=) */
	unsigned rtp_port_min, rtp_port_max;
	char trunk[64];           /* the dial plan's name for calls arriving over SIP */
	uint64_t t1;              /* RFC 3261 T1 */
	int rel100;               /* enum sip_100rel: off, supported, required */
	unsigned session_expires; /* s, RFC 4028 (0: no session timers) */
	unsigned min_se;          /* s, the smallest interval accepted */
	uint64_t t2, t4;          /* RFC 3261 T2, T4 */
	unsigned max_msg;         /* bytes; larger messages get 513 */
	uint64_t tcp_idle_timeout; /* an idle TCP/TLS stream closes after it */
	unsigned max_sessions;    /* overload ceilings (0: none), RFC 3261 §21.5.4 */
	unsigned max_txns;
	unsigned retry_after;     /* s, in the 503 over a ceiling */
	char dns_servers[128];    /* RFC 3263 lookups: "IP[:port],..."; "": resolv.conf */
	uint64_t dns_timeout;     /* per try; 0: c-ares' default */
	unsigned dns_tries;       /* 0: c-ares' default */
};

/* [trunk NAME]: a SIP peer (gwconf_trunk.c).  Calls to it go to host;
 * requests from it are recognised by source address (allow) and/or digest
 * credentials (inbound_*). */
enum sg_trunk_transport { SG_TRUNK_UDP, SG_TRUNK_TCP, SG_TRUNK_TLS };

#define SG_TRUNK_MAX_NETS 8

struct sg_net {
	int family;               /* AF_INET or AF_INET6 */
	uint8_t addr[16];         /* network byte order, host bits zero */
	unsigned prefix;          /* bits */
};

struct sg_trunk {
	char name[64];            /* the dial plan's name for it */
	char host[256];           /* "": inbound only */
	unsigned port;            /* 0: by RFC 3263 */
	int transport;            /* enum sg_trunk_transport */
	char username[128], password[128];       /* ours, for its challenges */
	bool reg;                 /* register = yes */
	uint64_t register_expires;               /* ns */
	struct sg_net allow[SG_TRUNK_MAX_NETS];
	unsigned n_allow;
	char in_username[128], in_password[128]; /* what it must present */
	unsigned max_calls, max_cps;             /* 0: no limit */
};

#define SG_MAX_SPANS 256
#define SG_MAX_SIMPBX SG_MAX_SPANS /* one facing each span (benchmarks) */
#define SG_MAX_TRUNKS 32

struct route_set;
struct cause_map;

struct sg_config {
	char path[4096];
	struct sg_general general;
	/* [logging]: per-category levels; -1 where the default applies */
	int levels[LC__COUNT];
	struct sg_mapping mapping;
	struct sg_sip sip;
	struct sg_sim sim;
	struct sg_span spans[SG_MAX_SPANS];
	unsigned n_spans;
	struct sg_simpbx pbx[SG_MAX_SIMPBX];
	unsigned n_pbx;
	struct sg_trunk trunks[SG_MAX_TRUNKS];
	unsigned n_trunks;
	struct route_set *routes;     /* loaded from mapping.dialplan, or NULL */
	struct cause_map *causes;     /* loaded from mapping.causes */
};

/* Load and validate `path` into a new mem object.  Returns 0, or EINVAL
 * with every problem in `diag` (file:line and key), or the errno of a file
 * that cannot be read. */
int sg_config_load(struct sg_config **cfgp, const char *path, struct conf_diag *diag);
/* Print load errors (they name file:line and key) to stderr before the
 * gateway runs, like a compiler; to the log once it runs.  `rc` is the
 * load's result, `path` the file (for errors that carry no location). */
void sg_config_report(const struct conf_diag *diag, int rc, const char *path, bool to_log);
/* The PSTN sections (gwconf_pstn.c), for gwconf.c's dispatch. */
int sg_sim_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg);
int sg_span_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg);
int sg_simpbx_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg);
/* [sip] (gwconf_sip.c). */
int sg_sip_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg);
/* [trunk NAME] (gwconf_trunk.c). */
int sg_trunk_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg);
const struct sg_trunk *sg_trunk_find(const struct sg_config *cfg, const char *name);
/* Every `route trunk` / `fallback trunk` of the dial plan names a [trunk]
 * with a host: errors at the dial plan's file:line otherwise. */
int sg_trunk_check_routes(const struct sg_config *cfg, struct conf_diag *diag);
/* The first trunk whose allow list holds the source address `sa`, or NULL. */
const struct sg_trunk *sg_trunk_by_source(const struct sg_config *cfg, const struct sockaddr *sa);
bool sg_net_contains(const struct sg_net *net, const struct sockaddr *sa);
/* Cross-section checks: groups, simpbx spans, [sim] needed by [simpbx]. */
int sg_pstn_check(struct sg_config *cfg, struct conf_diag *diag);
/* Once the dial plan is loaded: each span's digit map is in it. */
int sg_pstn_check_maps(const struct sg_config *cfg, struct conf_diag *diag);
/* A relative path is relative to the configuration file's directory. */
int sg_config_path_resolve(const struct sg_config *cfg, char *path, size_t size);
/* Apply the logging settings (target and levels). */
void sg_config_apply_logging(const struct sg_config *cfg);
/* The file used when no -c is given: the tree's conf/strowger.conf when
 * running from the build tree, else the installed sysconfdir copy. */
const char *sg_config_default_path(void);
/* Default control socket and CDR database: under localstatedir when
 * installed, under the build tree's var/ when running from it. */
const char *sg_config_default_ctl_path(void);
const char *sg_config_default_cdr_path(void);
/* The shipped RFC 3398 cause table (tree or pkgdatadir). */
const char *sg_config_default_causes_path(void);
/* The paths in effect for `cfg` (its own, or the defaults). */
const char *sg_config_ctl_path(const struct sg_config *cfg);
const char *sg_config_cdr_path(const struct sg_config *cfg);

#endif
