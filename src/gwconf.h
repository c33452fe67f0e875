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
};

struct sg_config {
	char path[4096];
	struct sg_general general;
	/* [logging]: per-category levels; -1 where the default applies */
	int levels[LC__COUNT];
};

/* Load and validate `path` into a new mem object.  Returns 0, or EINVAL
 * with every problem in `diag` (file:line and key), or the errno of a file
 * that cannot be read. */
int sg_config_load(struct sg_config **cfgp, const char *path, struct conf_diag *diag);
/* Apply the logging settings (target and levels). */
void sg_config_apply_logging(const struct sg_config *cfg);
/* The file used when no -c is given: the tree's conf/strowger.conf when
 * running from the build tree, else the installed sysconfdir copy. */
const char *sg_config_default_path(void);

#endif
