/* SPDX-License-Identifier: BSD-3-Clause */
/* reconcile.h -- one reconciliation pass: DirectAdmin domain lists, orphans, owners, heal */
#ifndef DADNS_RECONCILE_H
#define DADNS_RECONCILE_H

#include <stdint.h>

#include "lib/config.h"
#include "lib/da_client.h"
#include "lib/store.h"

/* Exit statuses of dadns-reconcile. */
#define RECONCILE_EXIT_OK    0
#define RECONCILE_EXIT_FATAL 1   /* configuration, database */
#define RECONCILE_EXIT_PARTIAL 2 /* a server could not be polled, or the mass-delete guard tripped */

/* The run's figures (table runs, the summary log line, /status). */
struct reconcile_figures {
	long long servers_polled;   /* servers whose whole list was read */
	long long unreachable;      /* servers that could not be read */
	long long zones_in_da;      /* distinct domains listed by the servers polled */
	long long zones_in_dadns;   /* zones in the desired state at the start */
	long long orphans_found;
	long long orphans_queued;   /* delete jobs queued (0 in a dry run or when guarded) */
	long long migrated;
	long long backfilled;
	long long healed;           /* zone x backend jobs queued (or, dry, that would be) */
	long long guarded;          /* servers whose orphans were not deleted (the guard,
				     * or list entries that are not domain names) */
	long long missing;          /* listed by DA but not in dadns (a push never arrived) */
	long long unchecked;        /* zone x backend checks heal could not make (the
				     * backend not answering, or not opened) */
	int64_t duration_ms;
};

/* One [directadmin NAME] server during the pass. */
struct reconcile_server {
	const struct config_directadmin *da;
	int reachable;
	struct da_list list;        /* sorted, unique */
	long long owned;            /* zones in dadns recorded as its own */
	char **orphans;             /* points into the zones of struct reconcile */
	size_t n_orphans;
};

/* One zone of the desired state, as the pass saw it. */
struct reconcile_zone {
	char *domain;
	char *hostname;             /* NULL when the zone has no owner */
	int64_t updated_at;
	int64_t serial;
	int records;
	int gone;                   /* deleted by this pass */
};

struct reconcile {
	const struct config *cfg;
	struct store *st;
	int dry_run;
	int64_t started_at;         /* ms since the epoch */
	struct reconcile_server *srv;
	size_t n_srv;
	struct da_list all;         /* every domain listed, sorted, unique */
	struct reconcile_zone *zones;
	size_t n_zones;
	struct reconcile_figures fig;
};

/* One pass over every [directadmin NAME] of cfg, then the heal pass;
 * recorded in table runs. dry_run: log what would be done, change nothing
 * (also when cfg says [reconcile] dry_run). Returns a RECONCILE_EXIT_*. */
int reconcile_run(const struct config *cfg, int dry_run);

/* The heal pass (heal.c): for every zone of r and every enabled backend,
 * ask the backend what it serves; queue a write job for that backend alone
 * when the zone is missing there or not at the desired serial. Zones with a
 * job still to do for that backend are left to it. Wakes the worker.
 * Returns 0, or a negative error when the database failed. */
int heal_run(struct reconcile *r);

/* Check every [secondary NAME] (lib/secondary.h) and store what each
 * serves (not in a dry run: logged only). A secondary behind or
 * unreachable does not change the exit status (status judges it against
 * [secondary] max_lag_seconds). Returns 0, or a negative error when the
 * database failed. */
int reconcile_secondaries(struct reconcile *r);

#endif
