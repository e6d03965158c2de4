/* SPDX-License-Identifier: BSD-3-Clause */
/* queue.h -- the job queue: claim with a lease, record results, retry, revive
 *
 * Rules (see DESIGN.md "The database"):
 * - A claim picks up to batch_max domains that have a runnable job (queued
 *   and due, or running with an expired lease) and marks every queued or
 *   expired job of those domains running -- future retries of the same
 *   domain included -- so that all of a domain's jobs collapse into one
 *   apply of its *current* desired state.
 * - A backend's outcome for a domain is recorded for the jobs it served.
 *   A job is done when every backend it targets has reported. A failure on
 *   backend B leaves the others' work done and moves B's work to one job
 *   with backends = 'B': queued again with backoff, or dead once the
 *   retries are spent (at once for DADNS_EPERMFAIL). A job that already
 *   targets B alone carries its own retry (same id, attempt + 1).
 * - A success of B for domain D retires older dead jobs of (D, B): they are
 *   marked done, their last_error kept with "(superseded ...)" appended.
 * - backend_state(B, D) after an outcome: success of a present zone -> serial
 *   applied, result ok, attempts 0, verified_at set when verified; success of
 *   a delete -> the row is removed (B holds nothing for D); failure ->
 *   result fail, error, attempts + 1 (failures in a row), serial unchanged
 *   (what B still holds).
 */
#ifndef DADNS_QUEUE_H
#define DADNS_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/domain.h"
#include "lib/store.h"

struct queue_job {
	int64_t id;
	char *backend;     /* NULL = every enabled backend, else a section name */
	int attempt;       /* 0 for a first try, n for the n-th retry */
};

/* The claimed jobs of one domain. */
struct queue_domain {
	char domain[DOMAIN_MAX + 1];
	struct queue_job *jobs;
	size_t n_jobs;
};

struct queue_claim {
	struct queue_domain *domains;
	size_t n;
};

/* In one IMMEDIATE transaction, claim up to batch_max domains (oldest job
 * first) as described above, with lease_until = now + lease_ms.
 * Returns 0 and fills *out (possibly empty; caller calls
 * queue_claim_deinit), DADNS_EBUSY or DADNS_EIO (nothing claimed). */
int queue_claim(struct store *st, int64_t now, int batch_max, int64_t lease_ms,
		struct queue_claim *out);
void queue_claim_deinit(struct queue_claim *c);
/* Free an array of n jobs (e.g. a queue_domain's jobs the caller took over
 * and set to NULL in the claim). Accepts NULL. */
void queue_jobs_free(struct queue_job *jobs, size_t n);

/* Extend the lease of running jobs ids[0..n) to lease_until, in one
 * transaction. Returns 0, DADNS_EBUSY, DADNS_EIO. */
int queue_renew(struct store *st, const int64_t *ids, size_t n, int64_t lease_until, int64_t now);

/* Give running jobs ids[0..n) back: queued, no lease (a worker stopping with
 * work it has not finished). Returns 0, DADNS_EBUSY, DADNS_EIO. */
int queue_release(struct store *st, const int64_t *ids, size_t n, int64_t now);

/* When the queue next needs a look: the earliest run_after of a queued job
 * or lease_until of a running one (a crashed worker's lease running out).
 * 0 and *due, DADNS_ENOENT when no job is queued or running, DADNS_EIO. */
int queue_next_due(struct store *st, int64_t *due);

/* Retry policy: backoff[i] seconds before retry i + 1; n_backoff retries. */
struct queue_policy {
	const int *backoff;
	int n_backoff;
};

/* What becomes of a backend's work after a failed attempt. */
struct queue_retry {
	int dead;          /* 1: no more retries */
	int attempt;       /* the attempt number of the retry (dead: the last one tried) */
	int64_t run_after; /* dead: now */
};

/* Plan the retry after attempt `attempt` failed with result (DADNS_EPERMFAIL
 * -> dead at once; else queued again while retries remain). */
void queue_retry_plan(const struct queue_policy *p, int attempt, int result, int64_t now,
		      struct queue_retry *out);

/* One backend's outcome for one domain. */
struct queue_outcome {
	const char *backend;
	const char *domain;
	int present;              /* 1 the zone was written, 0 deleted */
	int64_t serial;           /* serial written (present) */
	int result;               /* 0, DADNS_ETEMPFAIL, DADNS_EPERMFAIL */
	const char *error;        /* failure text */
	int verified;             /* success: verification ran and passed */
	int dnssec_signed;        /* verification saw it served signed by the backend */
	/* The claimed jobs this apply served and, for each, 1 when this backend
	 * was the last one it waited for. */
	const struct queue_job *const *jobs;
	const unsigned char *finished;
	size_t n_jobs;
	/* Filled on failure: the job that now holds the backend's work. */
	int64_t retry_id;
	struct queue_retry retry;
};

/* Record outcomes o[0..n) inside a transaction the caller began
 * (store_begin): backend state, finished jobs, retry or dead job,
 * superseded dead jobs; fills each o[i].retry_id/retry on failure.
 * Returns 0 or DADNS_EIO/DADNS_EBUSY (the caller rolls back). */
int queue_record(struct store *st, struct queue_outcome *o, size_t n, const struct queue_policy *p,
		 int64_t now);

/* Inside the caller's transaction: mark a running job done with note
 * appended to last_error (e.g. it names a backend that is not enabled).
 * Returns 0, DADNS_EIO, DADNS_EBUSY. */
int queue_job_finish(struct store *st, int64_t id, const char *note, int64_t now);

/* Operator retry: a dead job is queued again, due now, with its attempt
 * count kept (so if it fails again it is dead again at once).
 * Returns 0, DADNS_ENOENT (no such job), DADNS_EINVAL (not dead), DADNS_EIO. */
int queue_revive(struct store *st, int64_t id, int64_t now);
/* Every dead job queued again; *count gets how many. 0 or DADNS_E*. */
int queue_revive_dead(struct store *st, int64_t now, int *count);

#endif
