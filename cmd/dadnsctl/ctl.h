/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl.h -- dadnsctl verbs: each takes the opened config/store and its args */
#ifndef DADNS_CTL_H
#define DADNS_CTL_H

#include "lib/config.h"
#include "lib/store.h"

struct ctl {
	struct config cfg;
	struct store *st;  /* opened for every verb but `config check` */
	int json;          /* --json given */
};

/* Exit statuses (documented in dadnsctl --help). */
#define CTL_EXIT_OK       0
#define CTL_EXIT_FAIL     1  /* failed, not found, not dead, invalid input, bad config */
#define CTL_EXIT_USAGE    2  /* wrong verb or arguments */
#define CTL_EXIT_DEGRADED 3  /* status --check: the overall state is degraded;
			      * secondaries check: a secondary is not in sync */

/* Print the usage line of verb (e.g. "zone show") to stderr; returns
 * CTL_EXIT_USAGE (main.c). */
int ctl_usage(const char *verb);

/* Each verb returns the process exit status (CTL_EXIT_*). argv[0] is the
 * verb's first argument after the verb name(s). */
int ctl_status(struct ctl *c, int argc, char **argv);        /* ctl_status.c */
int ctl_zones(struct ctl *c, int argc, char **argv);         /* ctl_zones.c */
int ctl_zone_show(struct ctl *c, int argc, char **argv);     /* ctl_zones.c */
int ctl_push(struct ctl *c, int argc, char **argv);          /* ctl_zones.c */
int ctl_delete(struct ctl *c, int argc, char **argv);        /* ctl_zones.c */
int ctl_jobs(struct ctl *c, int argc, char **argv);          /* ctl_jobs.c */
int ctl_retry(struct ctl *c, int argc, char **argv);         /* ctl_retry.c */
int ctl_config_check(struct ctl *c, int argc, char **argv);  /* ctl_config.c */
int ctl_secondaries_check(struct ctl *c, int argc, char **argv); /* ctl_secondaries.c */
int ctl_zone_ds(struct ctl *c, int argc, char **argv);       /* ctl_knot.c */

#endif
