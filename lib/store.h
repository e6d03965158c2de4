/* SPDX-License-Identifier: BSD-3-Clause */
/* store.h -- the shared SQLite database: open, migrate, desired state, queue
 *
 * Schema (version 4; times are milliseconds since the epoch):
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
 *   counters(metric, k1, k2, value, PRIMARY KEY(metric, k1, k2))  [v3]
 *        ('pushes', 'rawsave'|'delete', 'ok'|'rejected'|'error'): zones
 *        accepted (a trigger on jobs, source 'da', in the push's own
 *        transaction) and requests refused; ('applies', backend,
 *        'ok'|'tempfail'|'permfail'), ('retries', backend, ''), ('dead',
 *        backend, ''), ('latency_sum_ms', backend, ''),
 *        ('manual_retries', '', '') -- see lib/status.h
 *   latency(backend, le_ms, n, PRIMARY KEY(backend, le_ms))  [v3]
 *        push-to-applied histogram: n applies in the bucket up to le_ms
 *        (-1 = +Inf), not cumulative
 *   secondaries(name PRIMARY KEY, server, state 'in_sync'|'behind'|
 *        'unreachable', in_sync, behind, missing, extra, unanswered,
 *        checked_at, behind_since)  [v4] -- see lib/secondary.h
 *   catalog_members(domain PRIMARY KEY, uid UNIQUE, added_at)  [v6]
 *        the RFC 9432 member id of every desired zone, kept by triggers on
 *        zones (insert: a new random id; delete: gone) -- lib/catalog.h
 *   catalog_serial(backend PRIMARY KEY, serial, published_at)  [v6]
 *        the catalog serial each backend last published
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

/* What a caller saw of a domain before deciding to change it: the zone
 * (present, with its updated_at) or its absence (with its tombstone's
 * deleted_at, 0 for none). A guarded put or delete changes nothing and
 * returns DADNS_EEXIST when the domain is no longer so inside its own
 * transaction: a decision taken on a read (peer sync: "is the peer's copy
 * newer?") cannot overwrite a push that landed after the read. */
struct store_guard {
	int present;
	int64_t updated_at;
	int64_t deleted_at;
};

/* store_zone_put under guard g (NULL: none), with the zone's updated_at
 * set to updated_at (0: now; peer sync keeps the time of the node DA
 * pushed to). Also DADNS_EEXIST when g fails. */
int store_zone_put_guarded(struct store *st, const char *domain, const char *hostname,
			   const char *username, const char *zone_text, int64_t serial, int records,
			   const char *source, int64_t updated_at, const struct store_guard *g, int *how,
			   char **prev_hostname, int64_t *job_id);

/* Delete one zone, whoever owns it, under guard g (NULL: none), its
 * tombstone saying deleted_at (0: now). Returns 0, DADNS_ENOENT (absent),
 * DADNS_EEXIST (g failed), DADNS_EBUSY, DADNS_EIO. */
int store_zone_delete_guarded(struct store *st, const char *domain, const char *source,
			      int64_t deleted_at, const struct store_guard *g);

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
