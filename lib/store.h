/* SPDX-License-Identifier: BSD-3-Clause */
/* store.h -- the shared SQLite database: open, migrate, desired state, queue
 *
 * Schema (version 2; times are milliseconds since the epoch):
 *   zones(domain TEXT PRIMARY KEY, hostname, username, zone_text, serial,
 *         records, source, created_at, updated_at)
 *   jobs(id INTEGER PRIMARY KEY, domain, op 'write'|'delete',
 *        backends NULL (= every enabled backend) | 'name' (one backend),
 *        source 'da'|'retry'|'heal'|'reconcile'|'peer'|'cli',
 *        state 'queued'|'running'|'done'|'dead', attempt, run_after,
 *        lease_until, last_error, created_at, updated_at)
 *   tombstones(domain PRIMARY KEY, serial, hostname, username, deleted_at)
 *   backend_state(backend, domain, serial, result 'ok'|'fail', error,
 *        attempts, applied_at, verified_at, PRIMARY KEY(backend, domain))
 *   peers(name PRIMARY KEY, url, last_run_at, last_ok_at, last_error,
 *        zones_pulled, tombstones_pulled, failures, degraded 0|1,
 *        origin 'config'|'env'|'discovered', via, first_seen_at)  [v2]
 *   runs(id INTEGER PRIMARY KEY, program, started_at, finished_at, ok, summary)
 *        (summary: a JSON object of the run's figures, e.g. reconcile's
 *        {"servers_polled":3,"unreachable":0,...})
 */
#ifndef DADNS_STORE_H
#define DADNS_STORE_H

#include <stdint.h>
#include <sqlite3.h>

#include "lib/domain.h"

struct store;

/* Open (creating if needed) the database at path with WAL, busy_timeout_ms,
 * synchronous FULL (durability_full) or NORMAL, and apply any migrations.
 * Returns 0 and *out (caller frees with store_close), or an error with err. */
int store_open(const char *path, int durability_full, int busy_timeout_ms, struct store **out,
	       char *err, size_t errlen);
void store_close(struct store *st);

/* The connection, for modules that run their own statements (queue, ctl).
 * One struct store per thread: a connection is not shared across threads. */
sqlite3 *store_db(struct store *st);
/* The last SQLite error message of this connection. */
const char *store_errmsg(struct store *st);

/* Transactions: store_begin is BEGIN IMMEDIATE (waits up to busy_timeout for
 * the write lock). Returns 0, DADNS_EBUSY when the lock was not had in time,
 * DADNS_EIO otherwise. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* Run one statement with no result rows (schema-free helpers). */
int store_exec(struct store *st, const char *sql);

#define STORE_PUT_CREATED  1
#define STORE_PUT_UPDATED  2
#define STORE_PUT_MIGRATED 3  /* the zone was owned by another DA hostname */

/* In one transaction: store the desired zone (insert or replace), drop its
 * tombstone, and queue a write job for every backend. *how gets
 * STORE_PUT_*; on a migration *prev_hostname gets the old owner (caller
 * frees; may be NULL). *job_id (may be NULL) gets the new job id.
 * Returns 0, DADNS_EBUSY (lock not had within busy_timeout), DADNS_EIO. */
int store_zone_put(struct store *st, const char *domain, const char *hostname,
		   const char *username, const char *zone_text, int64_t serial, int records,
		   const char *source, int *how, char **prev_hostname, int64_t *job_id);

/* In one transaction, for every domain: remove the desired zone, write its
 * tombstone, queue a delete job. When hostname is non-NULL each zone must be
 * owned by it. All or nothing: on DADNS_ENOENT (a zone is absent) or
 * DADNS_EPERM (owned by another hostname) nothing changes and *failed
 * (may be NULL) points at the domain that failed (an element of domains). */
int store_zone_delete(struct store *st, const char *const *domains, int n,
		      const char *hostname, const char *source, const char **failed);

struct store_zone {
	char domain[DOMAIN_MAX + 1];
	char *hostname;
	char *username;
	char *zone_text;
	int64_t serial;
	int records;
	char *source;
	int64_t created_at;
	int64_t updated_at;
};
/* Fetch a desired zone. with_text = 0 skips the zone text (NULL).
 * Returns 0, DADNS_ENOENT, DADNS_EIO. Caller calls store_zone_deinit. */
int store_zone_get(struct store *st, const char *domain, int with_text, struct store_zone *out);
void store_zone_deinit(struct store_zone *z);

/* Owner lookup by primary key (the exists check): 0 and owner copied
 * (truncated to the sizes given; either buffer may be NULL), DADNS_ENOENT,
 * DADNS_EIO. */
int store_zone_owner(struct store *st, const char *domain, char *hostname, size_t hlen,
		     char *username, size_t ulen);

/* Queue one job by hand (retry, heal, cli, ...): backend NULL = all. */
int store_job_add(struct store *st, const char *domain, const char *op, const char *backend,
		  const char *source, int attempt, int64_t run_after, int64_t *job_id);

#endif
