/* SPDX-License-Identifier: BSD-3-Clause */
/* queue.c -- the job queue: claim with a lease, record results, retry, revive */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/queue.h"
#include "lib/status.h"
#include "lib/status_ui.h"
#include "lib/util.h"

/* Statements of one call, prepared on first use and finalized at the end. */
enum q_stmt {
	Q_CLAIM_DOMAINS,
	Q_CLAIM_JOBS,
	Q_BS_OK,
	Q_BS_DEL,
	Q_BS_FAIL,
	Q_SUPERSEDE,
	Q_NOTE,
	Q_DONE,
	Q_CARRY,
	Q_INSERT,
	Q_ZONE_UPDATED,
	Q_JOB_CREATED,
	Q_SERVED,
	Q_MAX
};

static const char *const q_sql[Q_MAX] = {
	[Q_CLAIM_DOMAINS] =
		"SELECT domain FROM jobs WHERE (state = 'queued' AND run_after <= ?1)"
		" OR (state = 'running' AND lease_until < ?1)"
		" GROUP BY domain ORDER BY MIN(id) LIMIT ?2",
	[Q_CLAIM_JOBS] =
		"UPDATE jobs SET state = 'running', lease_until = ?3, updated_at = ?2"
		" WHERE domain = ?1 AND (state = 'queued' OR (state = 'running' AND lease_until < ?2))"
		" RETURNING id, backends, attempt",
	[Q_BS_OK] =
		"INSERT INTO backend_state(backend, domain, serial, result, error, attempts,"
		" applied_at, verified_at, signed) VALUES(?1, ?2, ?3, 'ok', NULL, 0, ?4, ?5, ?6)"
		" ON CONFLICT(backend, domain) DO UPDATE SET serial = excluded.serial, result = 'ok',"
		" error = NULL, attempts = 0, applied_at = excluded.applied_at,"
		" verified_at = excluded.verified_at, signed = excluded.signed",
	[Q_BS_DEL] = "DELETE FROM backend_state WHERE backend = ?1 AND domain = ?2",
	[Q_BS_FAIL] =
		"INSERT INTO backend_state(backend, domain, serial, result, error, attempts,"
		" applied_at, verified_at) VALUES(?1, ?2, NULL, 'fail', ?3, 1, ?4, NULL)"
		" ON CONFLICT(backend, domain) DO UPDATE SET result = 'fail', error = excluded.error,"
		" attempts = attempts + 1, applied_at = excluded.applied_at",
	[Q_SUPERSEDE] =
		"UPDATE jobs SET state = 'done', updated_at = ?3,"
		" last_error = COALESCE(last_error, '') || ' (superseded: applied by a later job)'"
		" WHERE domain = ?1 AND backends = ?2 AND state = 'dead'",
	[Q_NOTE] =
		"UPDATE jobs SET last_error = CASE WHEN last_error IS NULL OR last_error = ''"
		" THEN ?2 ELSE last_error || '; ' || ?2 END, updated_at = ?3 WHERE id = ?1",
	[Q_DONE] =
		"UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = ?2"
		" WHERE id = ?1 AND state = 'running'",
	[Q_CARRY] =
		"UPDATE jobs SET state = ?2, attempt = ?3, run_after = ?4, lease_until = NULL,"
		" last_error = ?5, op = ?6, updated_at = ?7 WHERE id = ?1",
	[Q_INSERT] =
		"INSERT INTO jobs(domain, op, backends, source, state, attempt, run_after, last_error,"
		" created_at, updated_at) VALUES(?1, ?2, ?3, 'retry', ?4, ?5, ?6, ?7, ?8, ?8)",
	[Q_ZONE_UPDATED] = "SELECT updated_at FROM zones WHERE domain = ?1",
	[Q_JOB_CREATED] = "SELECT created_at FROM jobs WHERE id = ?1",
	[Q_SERVED] = STATUS_UI_SQL_SERVED,
};

struct q_stmts {
	struct store *st;
	sqlite3_stmt *s[Q_MAX];
};

static sqlite3_stmt *q_get(struct q_stmts *q, enum q_stmt id)
{
	if (!q->s[id] && sqlite3_prepare_v2(store_db(q->st), q_sql[id], -1, &q->s[id], NULL) != SQLITE_OK) {
		log_err("queue: prepare: %s", store_errmsg(q->st));
		q->s[id] = NULL;
		return NULL;
	}
	sqlite3_reset(q->s[id]);
	sqlite3_clear_bindings(q->s[id]);
	return q->s[id];
}

static void q_free(struct q_stmts *q)
{
	for (int i = 0; i < Q_MAX; i++)
		sqlite3_finalize(q->s[i]);
}

static int q_err(struct q_stmts *q, int rc)
{
	log_err("queue: %s", store_errmsg(q->st));
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? DADNS_EBUSY : DADNS_EIO;
}

/* Step a statement that returns no rows. */
static int q_done(struct q_stmts *q, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : q_err(q, rc);
}

void queue_jobs_free(struct queue_job *jobs, size_t n)
{
	size_t i;

	if (!jobs)
		return;
	for (i = 0; i < n; i++)
		free(jobs[i].backend);
	free(jobs);
}

void queue_claim_deinit(struct queue_claim *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		queue_jobs_free(c->domains[i].jobs, c->domains[i].n_jobs);
	free(c->domains);
	memset(c, 0, sizeof(*c));
}

/* Mark the runnable jobs of d running and read them into d. */
static int claim_domain(struct q_stmts *q, struct queue_domain *d, int64_t now, int64_t lease_until)
{
	sqlite3_stmt *s = q_get(q, Q_CLAIM_JOBS);
	size_t cap = 0;
	int rc;

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, d->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, lease_until);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct queue_job *j;
		if (d->n_jobs == cap) {
			cap = cap ? cap * 2 : 4;
			d->jobs = xrealloc(d->jobs, cap * sizeof(*d->jobs));
		}
		j = &d->jobs[d->n_jobs++];
		j->id = sqlite3_column_int64(s, 0);
		j->backend = xstrdup((const char *)sqlite3_column_text(s, 1));
		j->attempt = sqlite3_column_int(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : q_err(q, rc);
}

int queue_claim(struct store *st, int64_t now, int batch_max, int64_t lease_ms,
		struct queue_claim *out)
{
	struct q_stmts q = { .st = st };
	sqlite3_stmt *s;
	size_t cap = 0, i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_begin(st);
	if (rc < 0)
		return rc;
	s = q_get(&q, Q_CLAIM_DOMAINS);
	if (!s) {
		rc = DADNS_EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, batch_max > 0 ? batch_max : 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->domains = xrealloc(out->domains, cap * sizeof(*out->domains));
		}
		memset(&out->domains[out->n], 0, sizeof(out->domains[0]));
		snprintf(out->domains[out->n].domain, sizeof(out->domains[0].domain), "%s",
			 (const char *)sqlite3_column_text(s, 0));
		out->n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = q_err(&q, rc);
		goto out;
	}
	rc = 0;
	for (i = 0; i < out->n && rc == 0; i++)
		rc = claim_domain(&q, &out->domains[i], now, now + lease_ms);
	if (rc == 0)
		rc = store_commit(st);
out:
	q_free(&q);
	if (rc < 0) {
		store_rollback(st);
		queue_claim_deinit(out);
	}
	return rc;
}

/* Run sql (binding ?1 = ids[i], ?2 = a, ?3 = b) for every id, in one transaction. */
static int for_each_id(struct store *st, const char *sql, const int64_t *ids, size_t n,
		       int64_t a, int64_t b)
{
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	rc = store_begin(st);
	if (rc < 0)
		return rc;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("queue: prepare: %s", store_errmsg(st));
		rc = DADNS_EIO;
		goto out;
	}
	for (i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, ids[i]);
		sqlite3_bind_int64(s, 2, a);
		sqlite3_bind_int64(s, 3, b);
		rc = sqlite3_step(s);
		if (rc != SQLITE_DONE) {
			log_err("queue: %s", store_errmsg(st));
			rc = rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
			goto out;
		}
	}
	rc = store_commit(st);
out:
	sqlite3_finalize(s);
	if (rc < 0)
		store_rollback(st);
	return rc < 0 ? rc : 0;
}

int queue_renew(struct store *st, const int64_t *ids, size_t n, int64_t lease_until, int64_t now)
{
	return for_each_id(st,
			   "UPDATE jobs SET lease_until = ?2, updated_at = ?3"
			   " WHERE id = ?1 AND state = 'running'",
			   ids, n, lease_until, now);
}

int queue_release(struct store *st, const int64_t *ids, size_t n, int64_t now)
{
	return for_each_id(st,
			   "UPDATE jobs SET state = 'queued', lease_until = NULL, updated_at = ?2"
			   " WHERE id = ?1 AND state = 'running'",
			   ids, n, now, 0);
}

int queue_next_due(struct store *st, int64_t *due)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT MIN(t) FROM (SELECT MIN(run_after) AS t FROM jobs WHERE state = 'queued'"
			       " UNION ALL SELECT MIN(lease_until) FROM jobs WHERE state = 'running')",
			       -1, &s, NULL) != SQLITE_OK) {
		log_err("queue: prepare: %s", store_errmsg(st));
		return DADNS_EIO;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*due = sqlite3_column_int64(s, 0);
		rc = 0;
	} else if (rc == SQLITE_ROW) {
		rc = DADNS_ENOENT;
	} else {
		log_err("queue: next due: %s", store_errmsg(st));
		rc = DADNS_EIO;
	}
	sqlite3_finalize(s);
	return rc;
}

void queue_retry_plan(const struct queue_policy *p, int attempt, int result, int64_t now,
		      struct queue_retry *out)
{
	if (attempt < 0)
		attempt = 0;
	if (result == DADNS_EPERMFAIL || attempt >= p->n_backoff) {
		out->dead = 1;
		out->attempt = attempt;
		out->run_after = now;
		return;
	}
	out->dead = 0;
	out->attempt = attempt + 1;
	out->run_after = now + (int64_t)p->backoff[attempt] * 1000;
}

static int record_backend_state(struct q_stmts *q, const struct queue_outcome *o, int64_t now)
{
	sqlite3_stmt *s;

	if (o->result == 0 && !o->present) {
		s = q_get(q, Q_BS_DEL);
		if (!s)
			return DADNS_EIO;
		sqlite3_bind_text(s, 1, o->backend, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, o->domain, -1, SQLITE_STATIC);
		return q_done(q, s);
	}
	s = q_get(q, o->result == 0 ? Q_BS_OK : Q_BS_FAIL);
	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, o->backend, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, o->domain, -1, SQLITE_STATIC);
	if (o->result == 0) {
		sqlite3_bind_int64(s, 3, o->serial);
		sqlite3_bind_int64(s, 4, now);
		if (o->verified)
			sqlite3_bind_int64(s, 5, now);
		sqlite3_bind_int(s, 6, o->verified && o->dnssec_signed);
	} else {
		sqlite3_bind_text(s, 3, o->error ? o->error : dadns_strerror(o->result), -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, now);
	}
	return q_done(q, s);
}

/* The job that carries the retry: the one among those targeting this
 * backend alone with the highest attempt (lowest id on a tie), or -1. */
static long find_carrier(const struct queue_outcome *o)
{
	long best = -1;
	size_t i;

	for (i = 0; i < o->n_jobs; i++) {
		const struct queue_job *j = o->jobs[i];
		if (!j->backend || strcmp(j->backend, o->backend) != 0)
			continue;
		if (best < 0 || j->attempt > o->jobs[best]->attempt)
			best = (long)i;
	}
	return best;
}

/* Move the failed backend's work to its carrier job, or to a new job. */
static int record_retry(struct q_stmts *q, struct queue_outcome *o, long carrier, int64_t now)
{
	const char *state = o->retry.dead ? "dead" : "queued";
	const char *op = o->present ? "write" : "delete";
	const char *err = o->error ? o->error : dadns_strerror(o->result);
	sqlite3_stmt *s;
	int rc;

	if (carrier >= 0) {
		s = q_get(q, Q_CARRY);
		if (!s)
			return DADNS_EIO;
		sqlite3_bind_int64(s, 1, o->jobs[carrier]->id);
		sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, o->retry.attempt);
		sqlite3_bind_int64(s, 4, o->retry.run_after);
		sqlite3_bind_text(s, 5, err, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, op, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, now);
		o->retry_id = o->jobs[carrier]->id;
		return q_done(q, s);
	}
	s = q_get(q, Q_INSERT);
	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, o->domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, op, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, o->backend, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, state, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, o->retry.attempt);
	sqlite3_bind_int64(s, 6, o->retry.run_after);
	sqlite3_bind_text(s, 7, err, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, now);
	rc = q_done(q, s);
	if (rc == 0)
		o->retry_id = sqlite3_last_insert_rowid(store_db(q->st));
	return rc;
}

static int job_note(struct q_stmts *q, int64_t id, const char *note, int64_t now)
{
	sqlite3_stmt *s = q_get(q, Q_NOTE);

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, note, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, now);
	return q_done(q, s);
}

static int job_done(struct q_stmts *q, int64_t id, int64_t now)
{
	sqlite3_stmt *s = q_get(q, Q_DONE);

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return q_done(q, s);
}

/* Success: dead jobs of (domain, backend) are history now. */
static int supersede(struct q_stmts *q, const struct queue_outcome *o, int64_t now)
{
	sqlite3_stmt *s = q_get(q, Q_SUPERSEDE);

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, o->domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, o->backend, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	return q_done(q, s);
}

/* The jobs served by a failed apply other than the carrier: note the
 * failure; done when this was their last backend. */
static int record_failed_jobs(struct q_stmts *q, const struct queue_outcome *o, long carrier,
			      int64_t now)
{
	char *note = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < o->n_jobs && rc == 0; i++) {
		if ((long)i == carrier)
			continue;
		free(note);
		if (o->jobs[i]->backend && !strcmp(o->jobs[i]->backend, o->backend))
			note = xasprintf("merged into job %" PRId64, o->retry_id);
		else
			note = xasprintf("%s: %s (%s as job %" PRId64 ")", o->backend,
					 o->error ? o->error : dadns_strerror(o->result),
					 o->retry.dead ? "dead" : "retried", o->retry_id);
		rc = job_note(q, o->jobs[i]->id, note, now);
		if (rc == 0 && o->finished[i])
			rc = job_done(q, o->jobs[i]->id, now);
	}
	free(note);
	return rc;
}

/* The oldest created_at of the jobs o served into *created (0: none). */
static int jobs_created(struct q_stmts *q, const struct queue_outcome *o, int64_t *created)
{
	size_t i;
	int rc;

	*created = 0;
	for (i = 0; i < o->n_jobs; i++) {
		sqlite3_stmt *s = q_get(q, Q_JOB_CREATED);

		if (!s)
			return DADNS_EIO;
		sqlite3_bind_int64(s, 1, o->jobs[i]->id);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			int64_t t = sqlite3_column_int64(s, 0);

			if (*created == 0 || t < *created)
				*created = t;
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return q_err(q, rc);
	}
	return 0;
}

/* The counters of /metrics (lib/status.h): applies by result, and on
 * success of a present zone the time from the change this node was asked
 * to apply to now: the zone's last update here (zones.updated_at, the
 * push), or, when later, the oldest job this apply served -- a heal,
 * reconcile or peer job re-applying a zone pushed long ago (a peer keeps
 * the remote push time as updated_at) measures its own wait, not the
 * zone's age. */
static int record_metrics(struct q_stmts *q, const struct queue_outcome *o, int64_t now)
{
	const char *result = o->result == 0 ? "ok" : o->result == DADNS_EPERMFAIL ? "permfail" : "tempfail";
	int64_t updated = 0, created = 0;
	sqlite3_stmt *s;
	int rc;

	rc = status_count(q->st, "applies", o->backend, result, 1);
	if (rc < 0 || o->result != 0 || !o->present)
		return rc;
	s = q_get(q, Q_ZONE_UPDATED);
	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, o->domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		updated = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	/* Deleted since the claim: nothing to measure. */
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return q_err(q, rc);
	rc = jobs_created(q, o, &created);
	if (rc < 0)
		return rc;
	return status_latency_record(q->st, o->backend, now - (created > updated ? created : updated));
}

/* The operator's page: the pushes this apply served (lib/status_ui.h). */
static int served(struct q_stmts *q, const struct queue_outcome *o, int64_t now)
{
	int64_t max_id = 0;
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < o->n_jobs; i++)
		if (o->jobs[i]->id > max_id)
			max_id = o->jobs[i]->id;
	s = q_get(q, Q_SERVED);
	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, o->backend, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, o->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_text(s, 4, o->present ? "rawsave" : "delete", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, max_id);
	return q_done(q, s);
}

static int record_one(struct q_stmts *q, struct queue_outcome *o, const struct queue_policy *p,
		      int64_t now)
{
	int max_attempt = 0, rc;
	long carrier;
	size_t i;

	o->retry_id = 0;
	memset(&o->retry, 0, sizeof(o->retry));
	rc = record_backend_state(q, o, now);
	if (rc == 0)
		rc = record_metrics(q, o, now);
	if (rc < 0)
		return rc;
	if (o->result == 0) {
		rc = served(q, o, now);
		if (rc == 0)
			rc = supersede(q, o, now);
		for (i = 0; i < o->n_jobs && rc == 0; i++)
			if (o->finished[i])
				rc = job_done(q, o->jobs[i]->id, now);
		return rc;
	}
	for (i = 0; i < o->n_jobs; i++)
		if (o->jobs[i]->attempt > max_attempt)
			max_attempt = o->jobs[i]->attempt;
	queue_retry_plan(p, max_attempt, o->result, now, &o->retry);
	carrier = find_carrier(o);
	rc = record_retry(q, o, carrier, now);
	if (rc == 0)
		rc = record_failed_jobs(q, o, carrier, now);
	if (rc == 0)
		rc = status_count(q->st, o->retry.dead ? "dead" : "retries", o->backend, NULL, 1);
	return rc;
}

int queue_record(struct store *st, struct queue_outcome *o, size_t n, const struct queue_policy *p,
		 int64_t now)
{
	struct q_stmts q = { .st = st };
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = record_one(&q, &o[i], p, now);
	q_free(&q);
	return rc;
}

int queue_job_finish(struct store *st, int64_t id, const char *note, int64_t now)
{
	struct q_stmts q = { .st = st };
	int rc = 0;

	if (note)
		rc = job_note(&q, id, note, now);
	if (rc == 0)
		rc = job_done(&q, id, now);
	q_free(&q);
	return rc;
}

/* Run an UPDATE with ?1 = a, ?2 = now; *changes gets the rows changed. */
static int revive_exec(struct store *st, const char *sql, int64_t a, int64_t now, int *changes)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("queue: prepare: %s", store_errmsg(st));
		return DADNS_EIO;
	}
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_err("queue: revive: %s", store_errmsg(st));
		return rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
	}
	*changes = sqlite3_changes(store_db(st));
	return 0;
}

int queue_revive(struct store *st, int64_t id, int64_t now)
{
	sqlite3_stmt *s = NULL;
	int changes = 0, rc;

	rc = revive_exec(st,
			 "UPDATE jobs SET state = 'queued', run_after = ?2, lease_until = NULL,"
			 " updated_at = ?2 WHERE id = ?1 AND state = 'dead'",
			 id, now, &changes);
	if (rc == 0 && changes > 0)
		status_count(st, "manual_retries", NULL, NULL, changes);  /* best effort */
	if (rc < 0 || changes > 0)
		return rc;
	if (sqlite3_prepare_v2(store_db(st), "SELECT 1 FROM jobs WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return DADNS_EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return DADNS_EINVAL;
	return rc == SQLITE_DONE ? DADNS_ENOENT : DADNS_EIO;
}

int queue_revive_dead(struct store *st, int64_t now, int *count)
{
	int rc;

	*count = 0;
	rc = revive_exec(st,
			 "UPDATE jobs SET state = 'queued', run_after = ?2, lease_until = NULL,"
			 " updated_at = ?2 WHERE state = 'dead'",
			 0, now, count);
	if (rc == 0 && *count > 0)
		status_count(st, "manual_retries", NULL, NULL, *count);  /* best effort */
	return rc;
}
