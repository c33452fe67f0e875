/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's configuration; see config.h. */
#include "gwconf.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "call/cause.h"
#include "call/route.h"
#include "core/mem.h"

static const char *const log_target_names[] = { "stderr", "syslog", NULL };
static const char *const log_level_names[] = { "error", "warn", "notice", "info", "debug",
					       NULL };

static const struct conf_key general_keys[] = {
	{ .name = "node", .type = CONF_STR, .offset = offsetof(struct sg_general, node),
	  .size = sizeof(((struct sg_general *)0)->node), .dflt = "strowger",
	  .help = "this gateway's name in logs and CDRs" },
	{ .name = "log_target", .type = CONF_ENUM,
	  .offset = offsetof(struct sg_general, log_target), .names = log_target_names,
	  .dflt = "stderr", .help = "where log lines go" },
	{ .name = "log_level", .type = CONF_ENUM,
	  .offset = offsetof(struct sg_general, log_level), .names = log_level_names,
	  .dflt = "notice", .help = "default level for every category" },
	{ .name = "control_socket", .type = CONF_STR,
	  .offset = offsetof(struct sg_general, control_socket),
	  .size = sizeof(((struct sg_general *)0)->control_socket), .dflt = "",
	  .help = "strowger-ctl's UNIX socket (empty: the default under localstatedir)" },
	{ .name = "cdr_database", .type = CONF_STR,
	  .offset = offsetof(struct sg_general, cdr_database),
	  .size = sizeof(((struct sg_general *)0)->cdr_database), .dflt = "",
	  .help = "SQLite file for CDRs (empty: the default under localstatedir)" },
	{ .name = "cdr_fsync", .type = CONF_BOOL, .offset = offsetof(struct sg_general, cdr_fsync),
	  .dflt = "no", .help = "fsync every CDR so that it survives a power loss" },
	{ .name = "no_answer", .type = CONF_DURATION,
	  .offset = offsetof(struct sg_general, no_answer), .dflt = "180s",
	  .min = (int64_t)NS_PER_S, .max = (int64_t)(3600 * NS_PER_S),
	  .help = "how long a call may ring unanswered (then Q.850 19, SIP 480)" },
	{ .name = "tone_zone", .type = CONF_STR, .offset = offsetof(struct sg_general, tone_zone),
	  .size = sizeof(((struct sg_general *)0)->tone_zone), .dflt = "us",
	  .help = "country of the tones the gateway plays (libtonezone: us, de, uk, ...)" },
	CONF_KEYS_END,
};

static int general_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct sg_config *cfg = arg;
	return conf_bind(sec, general_keys, &cfg->general, diag);
}

/* [logging] has one key per log category, so its table is built from the
 * category names: a new category never needs a change here. */
static struct conf_key logging_keys[LC__COUNT + 1];

static void logging_keys_build(void)
{
	for (int c = 0; c < LC__COUNT; c++) {
		logging_keys[c] = (struct conf_key){
			.name = log_cat_name((enum log_cat)c),
			.type = CONF_ENUM,
			.offset = (size_t)c * sizeof(int),
			.names = log_level_names,
			.help = "level for this category",
		};
	}
	logging_keys[LC__COUNT] = (struct conf_key)CONF_KEYS_END;
}

static int logging_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct sg_config *cfg = arg;
	return conf_bind(sec, logging_keys, cfg->levels, diag);
}

static const struct conf_key mapping_keys[] = {
	{ .name = "dialplan", .type = CONF_STR, .offset = offsetof(struct sg_mapping, dialplan),
	  .size = sizeof(((struct sg_mapping *)0)->dialplan), .dflt = "",
	  .help = "dial-plan mapping file (relative to this file)" },
	{ .name = "causes", .type = CONF_STR, .offset = offsetof(struct sg_mapping, causes),
	  .size = sizeof(((struct sg_mapping *)0)->causes), .dflt = "",
	  .help = "Q.850/SIP cause table (default: the shipped RFC 3398 table)" },
	CONF_KEYS_END,
};

static int mapping_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct sg_config *cfg = arg;
	return conf_bind(sec, mapping_keys, &cfg->mapping, diag);
}

static const struct conf_kind kinds[] = {
	{ .kind = "general", .handle = general_handle },
	{ .kind = "logging", .handle = logging_handle },
	{ .kind = "mapping", .handle = mapping_handle },
	{ .kind = "sip", .handle = sg_sip_handle },
	{ .kind = "sim", .handle = sg_sim_handle },
	{ .kind = "span", .named = true, .handle = sg_span_handle },
	{ .kind = "simpbx", .named = true, .handle = sg_simpbx_handle },
	{ .kind = "trunk", .named = true, .handle = sg_trunk_handle },
	{ .kind = NULL },
};

static void config_destroy(void *data)
{
	struct sg_config *cfg = data;
	mem_deref(cfg->routes);
	mem_deref(cfg->causes);
}

/* A relative path is relative to the directory of the configuration.
 * ENAMETOOLONG if the result does not fit: never a truncated path. */
int sg_config_path_resolve(const struct sg_config *cfg, char *path, size_t size)
{
	if (!path[0] || path[0] == '/')
		return 0;
	char full[4096 + 1024];
	const char *slash = strrchr(cfg->path, '/');
	int n = slash ? snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - cfg->path), cfg->path,
				 path)
		      : snprintf(full, sizeof(full), "%s", path);
	if (n < 0 || (size_t)n >= size)
		return ENAMETOOLONG;
	memcpy(path, full, (size_t)n + 1);
	return 0;
}

/* Mapping-file messages already carry file:line; pass them on. */
static void diag_take(struct conf_diag *diag, const struct route_diag *rd)
{
	for (const char *p = rd->text; p && *p;) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		if (memmem(p, (size_t)n, ": warning: ", 11))
			conf_diag_warn(diag, NULL, 0, "%.*s", n, p);
		else
			conf_diag_err(diag, NULL, 0, "%.*s", n, p);
		p += n + (nl != NULL);
	}
}

static int mapping_load(struct sg_config *cfg, struct conf_diag *diag)
{
	struct sg_mapping *m = &cfg->mapping;
	if (sg_config_path_resolve(cfg, m->dialplan, sizeof(m->dialplan)) ||
	    sg_config_path_resolve(cfg, m->causes, sizeof(m->causes))) {
		conf_diag_err(diag, cfg->path, 0, "[mapping] a path is too long once resolved");
		return EINVAL;
	}
	if (!m->causes[0])
		snprintf(m->causes, sizeof(m->causes), "%s", sg_config_default_causes_path());
	struct route_diag rd;
	route_diag_init(&rd);
	int rc = cause_map_load(&cfg->causes, m->causes, &rd);
	if (m->dialplan[0]) {
		int rc2 = route_set_load(&cfg->routes, m->dialplan, &rd);
		rc = rc ? rc : rc2;
	}
	diag_take(diag, &rd);
	if (rc && !rd.errors)
		conf_diag_err(diag, NULL, 0, "mapping: %s", strerror(rc));
	route_diag_reset(&rd);
	return rc ? EINVAL : 0;
}

int sg_config_load(struct sg_config **cfgp, const char *path, struct conf_diag *diag)
{
	*cfgp = NULL;
	struct sg_config *cfg = mem_zalloc(sizeof(*cfg), config_destroy);
	if (!cfg)
		return ENOMEM;
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	for (int c = 0; c < LC__COUNT; c++)
		cfg->levels[c] = -1;
	logging_keys_build();
	int rc = conf_defaults(general_keys, &cfg->general);
	if (!rc)
		rc = conf_defaults(mapping_keys, &cfg->mapping);
	struct conf_doc *doc = NULL;
	if (!rc)
		rc = conf_doc_load(&doc, path, diag);
	if (!rc)
		rc = conf_dispatch(doc, kinds, cfg, diag);
	if (!rc)
		rc = sg_pstn_check(cfg, diag);
	if (!rc)
		rc = mapping_load(cfg, diag);
	if (!rc)
		rc = sg_trunk_check_routes(cfg, diag);
	if (!rc)
		rc = sg_pstn_check_maps(cfg, diag);
	mem_deref(doc);
	if (rc) {
		mem_deref(cfg);
		return rc;
	}
	*cfgp = cfg;
	return 0;
}

void sg_config_apply_logging(const struct sg_config *cfg)
{
	log_set_target(cfg->general.log_target == SG_LOG_SYSLOG ? LOG_TO_SYSLOG : LOG_TO_STDERR);
	log_set_level_all((enum log_level)cfg->general.log_level);
	for (int c = 0; c < LC__COUNT; c++)
		if (cfg->levels[c] >= 0)
			log_set_level((enum log_cat)c, (enum log_level)cfg->levels[c]);
}

/* Running uninstalled from the build tree means the tree's own sample
 * configuration, so `./strowger -f` works straight after `make`. */
static bool running_from_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	size_t blen = strlen(ABS_TOP_BUILDDIR);
	return strncmp(exe, ABS_TOP_BUILDDIR, blen) == 0 && exe[blen] == '/';
}

const char *sg_config_default_path(void)
{
	if (running_from_build_tree())
		return ABS_TOP_SRCDIR "/conf/strowger.conf";
	return SYSCONFDIR "/strowger/strowger.conf";
}

const char *sg_config_default_ctl_path(void)
{
	if (running_from_build_tree())
		return ABS_TOP_BUILDDIR "/var/run/strowger.ctl";
	return LOCALSTATEDIR "/run/strowger/strowger.ctl";
}

const char *sg_config_default_cdr_path(void)
{
	if (running_from_build_tree())
		return ABS_TOP_BUILDDIR "/var/lib/cdr.sqlite";
	return LOCALSTATEDIR "/lib/strowger/cdr.sqlite";
}

const char *sg_config_default_causes_path(void)
{
	if (running_from_build_tree())
		return ABS_TOP_SRCDIR "/mapping/causes-rfc3398.map";
	return PKGDATADIR "/causes-rfc3398.map";
}

const char *sg_config_ctl_path(const struct sg_config *cfg)
{
	return cfg->general.control_socket[0] ? cfg->general.control_socket
					       : sg_config_default_ctl_path();
}

const char *sg_config_cdr_path(const struct sg_config *cfg)
{
	return cfg->general.cdr_database[0] ? cfg->general.cdr_database
					     : sg_config_default_cdr_path();
}

void sg_config_report(const struct conf_diag *diag, int rc, const char *path, bool to_log)
{
	const char *p = diag->text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		if (to_log)
			LOGE(LC_CONF, NULL, "%.*s", n, p);
		else
			fprintf(stderr, "%.*s\n", n, p);
		p += n + (nl != NULL);
	}
	if (rc && !diag->errors) {
		if (to_log)
			LOGE(LC_CONF, NULL, "%s: %s", path, strerror(rc));
		else
			fprintf(stderr, "%s: %s\n", path, strerror(rc));
	}
}
