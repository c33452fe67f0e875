/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's configuration: strowger.conf parsed and validated into one
 * struct.  Each area that owns a section kind adds it here (its key table
 * and struct), so every error is found in one pass before anything starts.
 */
#ifndef STROWGER_GWCONF_H
#define STROWGER_GWCONF_H

#include <stdbool.h>

#include "core/conf.h"
#include "core/log.h"

enum sg_log_target { SG_LOG_STDERR, SG_LOG_SYSLOG };

/* [general] */
struct sg_general {
	char node[64];         /* this gateway's name in logs and CDRs */
	int log_target;        /* enum sg_log_target */
	int log_level;         /* enum log_level: the default for every category */
	char control_socket[108]; /* "" = the default path */
	char cdr_database[256];   /* "" = the default path */
	bool cdr_fsync;        /* fsync each CDR (survives power loss), not only crashes */
};

/* [mapping]: the dial plan and the cause table (paths relative to the
 * configuration file).  Both are loaded while the configuration is read, so
 * a bad mapping file is a configuration error. */
struct sg_mapping {
	char dialplan[1024];   /* "": no dial plan, every call gets cause 3 */
	char causes[1024];     /* "": the shipped RFC 3398 table */
};

struct route_set;
struct cause_map;

struct sg_config {
	char path[4096];
	struct sg_general general;
	/* [logging]: per-category levels; -1 where the default applies */
	int levels[LC__COUNT];
	struct sg_mapping mapping;
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
