/* SPDX-License-Identifier: BSD-3-Clause */
/* heal.c -- the heal pass: what each enabled backend serves against the desired state */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-reconcile/reconcile.h"
#include "lib/backends/backend.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wake.h"

/* A backend that fails this many checks in a row is left for this pass. */
#define HEAL_MAX_ERRORS 5

/* 1 when the domain has a job still to do for backend b (or all), 0 not. */
static int job_pending(struct reconcile *r, sqlite3_stmt *s, const char *domain, const char *backend)
{
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, backend, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	log_err("reconcile: heal: cannot read the queue: %s", store_errmsg(r->st));
	return DADNS_EIO;
}

/* The time backend b last applied anything well (0: never), or <0. */
static int64_t last_ok_at(struct reconcile *r, const char *backend)
{
	sqlite3_stmt *s = NULL;
	int64_t t = DADNS_EIO;

	if (sqlite3_prepare_v2(store_db(r->st),
			       "SELECT coalesce(max(applied_at), 0) FROM backend_state WHERE backend = ?1 "
			       "AND result = 'ok'", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, backend, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			t = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (t < 0)
		log_err("reconcile: heal: cannot read backend_state: %s", store_errmsg(r->st));
	return t;
}

/* 1 when the last apply of domain to backend failed and the backend has
 * applied nothing well since (last_ok): it is down, or refuses the zone;
 * the worker's retries (then a dead job, dadnsctl retry) deal with it.
 * Queuing it again would add one useless job per zone at every run while
 * a backend is down. 0 not, <0 error. */
static int apply_failing(struct reconcile *r, sqlite3_stmt *s, const char *domain, const char *backend,
			 int64_t last_ok)
{
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, backend, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return sqlite3_column_int64(s, 0) >= last_ok;
	if (rc == SQLITE_DONE)
		return 0;
	log_err("reconcile: heal: cannot read backend_state: %s", store_errmsg(r->st));
	return DADNS_EIO;
}

/* How many zones of the pass from index i on are still to be checked. */
static long long zones_from(const struct reconcile *r, size_t i)
{
	long long n = 0;

	for (; i < r->n_zones; i++)
		n += !r->zones[i].gone;
	return n;
}

/* Does backend b serve zone z at its desired serial? 0 yes, 1 no (why set),
 * negative when it could not tell. */
static int heal_check(struct reconcile *r, const struct config_backend *b, const struct backend_ops *ops,
		      void *state, const struct reconcile_zone *z, char *why, size_t whylen)
{
	struct backend_zone bz;
	struct store_zone sz;
	int rc;

	rc = ops->exists(state, z->domain);
	if (rc < 0) {
		snprintf(why, whylen, "cannot tell whether it holds the zone (%s)", dadns_strerror(rc));
		return rc;
	}
	if (rc == 0) {
		snprintf(why, whylen, "missing");
		return 1;
	}
	if (!b->verify || !ops->verify)
		return 0;
	rc = store_zone_get(r->st, z->domain, 1, &sz);
	if (rc == DADNS_ENOENT)
		return 0;  /* deleted meanwhile */
	if (rc < 0)
		return rc;
	memset(&bz, 0, sizeof(bz));
	bz.domain = sz.domain;
	bz.zone_text = sz.zone_text;
	bz.zone_len = sz.zone_text ? strlen(sz.zone_text) : 0;
	bz.serial = sz.serial;
	bz.records = sz.records;
	rc = ops->verify(state, &bz);
	store_zone_deinit(&sz);
	if (rc == 0)
		return 0;
	snprintf(why, whylen, "behind: %s", *bz.error ? bz.error : dadns_strerror(rc));
	return 1;
}

/* One enabled backend: check every zone, queue what is missing or behind. */
static int heal_backend(struct reconcile *r, const struct config_backend *b, sqlite3_stmt *pending,
			sqlite3_stmt *failing, long long *queued)
{
	const struct backend_ops *ops = backend_find(b->type);
	void *state = NULL;
	char err[BACKEND_ERR_MAX + 64], why[BACKEND_ERR_MAX + 64];
	int64_t last_ok = last_ok_at(r, b->name);
	long long n_failing = 0, n_errors = 0;
	int errors = 0, rc = 0;
	size_t i;

	if (last_ok < 0)
		return (int)last_ok;
	if (!ops || ops->open(b, &state, err, sizeof(err)) < 0) {
		log_err("reconcile: heal: backend %s: %s", b->name, ops ? err : "unknown type");
		r->fig.unchecked += zones_from(r, 0);
		return 0;
	}
	for (i = 0; i < r->n_zones && errors < HEAL_MAX_ERRORS; i++) {
		const struct reconcile_zone *z = &r->zones[i];
		int64_t job = 0;

		if (z->gone)
			continue;
		rc = job_pending(r, pending, z->domain, b->name);
		if (rc < 0)
			break;
		if (rc == 1)
			continue;  /* the worker will bring it there */
		rc = apply_failing(r, failing, z->domain, b->name, last_ok);
		if (rc < 0)
			break;
		if (rc == 1) {
			n_failing++;
			rc = 0;
			continue;
		}
		rc = heal_check(r, b, ops, state, z, why, sizeof(why));
		if (rc < 0) {
			log_warn("reconcile: heal: backend %s: %s: %s", b->name, z->domain, why);
			errors++;
			n_errors++;
			rc = 0;
			continue;
		}
		errors = 0;
		if (rc == 0)
			continue;
		r->fig.healed++;
		if (r->dry_run) {
			log_info("reconcile: heal: backend %s: %s %s: dry run, no job", b->name, z->domain, why);
			rc = 0;
			continue;
		}
		rc = store_job_add(r->st, z->domain, "write", b->name, "heal", 0, util_now_ms(), &job);
		if (rc < 0) {
			log_err("reconcile: heal: cannot queue %s for %s: %s", z->domain, b->name, store_errmsg(r->st));
			break;
		}
		(*queued)++;
		log_info("reconcile: heal: job %lld: %s on backend %s: %s", (long long)job, z->domain, b->name,
			 why);
	}
	if (n_failing)
		log_warn("reconcile: heal: backend %s: %lld zones whose last apply failed, with nothing applied "
			 "there since: left to the worker's retries (see the dead jobs; dadnsctl retry)", b->name,
			 n_failing);
	if (errors >= HEAL_MAX_ERRORS) {
		long long left = zones_from(r, i);

		log_err("reconcile: heal: backend %s: %d checks failed in a row: %lld more zones left "
			"unchecked in this run", b->name, errors, left);
		n_errors += left;
	}
	r->fig.unchecked += n_errors;
	if (ops->close)
		ops->close(state);
	return rc < 0 ? rc : 0;
}

int heal_run(struct reconcile *r)
{
	sqlite3_stmt *pending = NULL, *failing = NULL;
	long long queued = 0;
	size_t i;
	int rc;

	rc = sqlite3_prepare_v2(store_db(r->st),
				"SELECT 1 FROM jobs WHERE domain = ?1 AND state IN ('queued', 'running') "
				"AND (backends IS NULL OR backends = ?2) LIMIT 1",
				-1, &pending, NULL) == SQLITE_OK ? 0 : DADNS_EIO;
	if (rc == 0)
		rc = sqlite3_prepare_v2(store_db(r->st),
					"SELECT applied_at FROM backend_state WHERE backend = ?1 AND domain = ?2 "
					"AND result = 'fail'",
					-1, &failing, NULL) == SQLITE_OK ? 0 : DADNS_EIO;
	for (i = 0; rc == 0 && i < r->cfg->n_backends; i++) {
		const struct config_backend *b = &r->cfg->backends[i];
		if (b->enabled)
			rc = heal_backend(r, b, pending, failing, &queued);
	}
	sqlite3_finalize(pending);
	sqlite3_finalize(failing);
	if (rc < 0)
		log_err("reconcile: heal: %s", store_errmsg(r->st));
	if (queued) {
		int wrc = wake_send(r->cfg->worker.wake_socket);
		if (wrc < 0)
			log_debug("reconcile: heal: no worker to wake at %s (%s): it will poll",
				  r->cfg->worker.wake_socket, strerror(-wrc));
	}
	return rc;
}
