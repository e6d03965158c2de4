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

/* Each verb returns the process exit status (0 ok, 1 failure/not found,
 * 2 usage). argv[0] is the verb's first argument after the verb name(s). */
int ctl_status(struct ctl *c, int argc, char **argv);        /* ctl_status.c */
int ctl_zones(struct ctl *c, int argc, char **argv);         /* ctl_zones.c */
int ctl_zone_show(struct ctl *c, int argc, char **argv);     /* ctl_zones.c */
int ctl_push(struct ctl *c, int argc, char **argv);          /* ctl_zones.c */
int ctl_delete(struct ctl *c, int argc, char **argv);        /* ctl_zones.c */
int ctl_jobs(struct ctl *c, int argc, char **argv);          /* ctl_jobs.c */
int ctl_retry(struct ctl *c, int argc, char **argv);         /* ctl_retry.c */
int ctl_config_check(struct ctl *c, int argc, char **argv);  /* ctl_config.c */

#endif
