/* SPDX-License-Identifier: BSD-3-Clause */
/* status.c -- what the operator asks: desired zones, queue, backend sync, last runs */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lib/status.h"

const long long status_latency_bounds[] = { STATUS_LATENCY_BUCKETS_MS, -1 };
const size_t status_latency_n = ARRAY_SIZE(status_latency_bounds);

static const char *const job_states[STATUS_JOB_STATES] = { "queued", "running", "done", "dead" };

/* In sync: last given this zone's serial successfully, after its last push. */
#define SQL_IN_SYNC                                                                          \
	"SELECT count(*) FROM zones z JOIN backend_state b ON b.domain = z.domain"           \
	" AND b.backend = ?1 WHERE b.result = 'ok' AND b.serial = z.serial"                  \
	" AND b.applied_at >= z.updated_at"
/* Failing: every domain whose last attempt failed (a failed delete too). */
#define SQL_FAILING "SELECT count(*) FROM backend_state WHERE backend = ?1 AND result = 'fail'"
/* Desired zones that are failing; the rest of the desired zones are behind. */
#define SQL_FAILING_DESIRED                                                                  \
	"SELECT count(*) FROM zones z JOIN backend_state b ON b.domain = z.domain"           \
	" AND b.backend = ?1 WHERE b.result = 'fail'"
/* Zones the backend serves signed itself (knot, dnssec = sign), as last verified. */
#define SQL_SIGNED                                                                           \
	"SELECT count(*) FROM zones z JOIN backend_state b ON b.domain = z.domain"           \
	" AND b.backend = ?1 WHERE b.result = 'ok' AND b.signed = 1"
/* ?2: the backend is enabled, so that jobs for every backend are its too. */
#define SQL_OLDEST                                                                           \
	"SELECT min(created_at) FROM jobs WHERE state IN ('queued', 'running')"             \
	" AND (backends = ?1 OR (?2 AND backends IS NULL))"
#define SQL_RUN                                                                              \
	"SELECT started_at, finished_at, ok, summary FROM runs WHERE program = ?1"          \
	" ORDER BY started_at DESC, id DESC LIMIT 1"
#define SQL_RUN_OK "SELECT max(finished_at) FROM runs WHERE program = ?1 AND ok = 1"
#define SQL_LAST_ERROR                                                                       \
	"SELECT domain, error, applied_at FROM backend_state WHERE backend = ?1"             \
	" AND result = 'fail' ORDER BY applied_at DESC LIMIT 1"
#define SQL_PEERS                                                                            \
	"SELECT name, url, origin, degraded, failures, last_run_at, last_ok_at, last_error,"  \
	" zones_pulled FROM peers ORDER BY name"
#define SQL_COUNT                                                                            \
	"INSERT INTO counters(metric, k1, k2, value) VALUES(?1, ?2, ?3, ?4)"                 \
	" ON CONFLICT(metric, k1, k2) DO UPDATE SET value = value + excluded.value"
#define SQL_LATENCY                                                                          \
	"INSERT INTO latency(backend, le_ms, n) VALUES(?1, ?2, 1)"                            \
	" ON CONFLICT(backend, le_ms) DO UPDATE SET n = n + 1"

const char *status_overall_name(int overall)
{
	switch (overall) {
	case STATUS_OK: return "ok";
	case STATUS_DEGRADED: return "degraded";
	default: return "error";
	}
}

const char *status_job_state_name(int state)
{
	return state >= 0 && state < STATUS_JOB_STATES ? job_states[state] : "?";
}

void status_time(int64_t ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&t, &tm) || !strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, outlen, "-");
}

int status_db_check(struct store *st, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = NULL;
	int rc, moved = 0;

	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "the database does not answer: %s", sqlite3_errmsg(db));
		return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? DADNS_EBUSY : DADNS_EIO;
	}
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
		snprintf(err, errlen, "the database file %s was deleted, moved or replaced since it was opened",
			 sqlite3_db_filename(db, "main"));
		return DADNS_EIO;
	}
	return 0;
}

int status_worker_running(const struct config *cfg, char *err, size_t errlen)
{
	char path[4096];
	int fd, rc;

	if (!cfg->app.db_path || !*cfg->app.db_path) {
		snprintf(err, errlen, "no database path");
		return DADNS_EINVAL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s.worker.lock", cfg->app.db_path) >= sizeof(path)) {
		snprintf(err, errlen, "database path too long");
		return DADNS_EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;  /* no worker ever ran here */
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return rc;
	}
	/* Held exclusively by a running worker; ours is released at close. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		rc = 0;
	else if (errno == EWOULDBLOCK)
		rc = 1;
	else {
		rc = -errno;
		snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
	}
	close(fd);
	return rc;
}

/* Step an upsert with text ?1..?3 (NULL: '') and integer ?4. */
static int upsert(struct store *st, const char *sql, const char *a, const char *b, const char *c,
		  long long n)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(q, 1, a ? a : "", -1, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(q) >= 3) {
			sqlite3_bind_text(q, 2, b ? b : "", -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 3, c ? c : "", -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 4, n);
		} else {
			sqlite3_bind_int64(q, 2, n);
		}
		rc = sqlite3_step(q);
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return 0;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? DADNS_EBUSY : DADNS_EIO;
}

int status_count(struct store *st, const char *metric, const char *k1, const char *k2, long long by)
{
	return upsert(st, SQL_COUNT, metric, k1, k2, by);
}

int status_latency_record(struct store *st, const char *backend, int64_t ms)
{
	size_t i;
	int rc;

	if (ms < 0)
		ms = 0;
	for (i = 0; i + 1 < status_latency_n && ms > status_latency_bounds[i]; i++)
		;
	rc = upsert(st, SQL_LATENCY, backend, NULL, NULL, status_latency_bounds[i]);
	if (rc == 0)
		rc = status_count(st, "latency_sum_ms", backend, NULL, ms);
	return rc;
}

static int sql_fail(struct store *st, struct status *s, int rc, const char *what)
{
	snprintf(s->error, sizeof(s->error), "cannot read %s: %s", what, store_errmsg(st));
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? DADNS_EBUSY : DADNS_EIO;
}

/* One integer from a query with up to one text and one integer parameter:
 * 0 and *n (-1 for NULL), or an error with s->error set. */
static int query_int(struct store *st, struct status *s, const char *sql, const char *text, int flag,
		     long long *n)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, s, rc, "the database");
	if (text)
		sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(q) >= 2)
		sqlite3_bind_int(q, 2, flag);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_type(q, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 0);
		rc = 0;
	} else {
		rc = sql_fail(st, s, rc, "the database");
	}
	sqlite3_finalize(q);
	return rc;
}

static int collect_jobs(struct store *st, struct status *s)
{
	sqlite3_stmt *q = NULL;
	int rc, i;

	rc = sqlite3_prepare_v2(store_db(st), "SELECT state, count(*) FROM jobs GROUP BY state", -1, &q,
				NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, s, rc, "jobs");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(q, 0);

		for (i = 0; state && i < STATUS_JOB_STATES; i++)
			if (!strcmp(state, job_states[i]))
				s->jobs[i] = sqlite3_column_int64(q, 1);
	}
	rc = rc == SQLITE_DONE ? 0 : sql_fail(st, s, rc, "jobs");
	sqlite3_finalize(q);
	return rc;
}

static char *col_dup(sqlite3_stmt *q, int i)
{
	const char *t = (const char *)sqlite3_column_text(q, i);

	return t ? xstrdup(t) : NULL;
}

static int collect_last_error(struct store *st, struct status *s, struct status_backend *b)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st), SQL_LAST_ERROR, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, s, rc, "backend_state");
	sqlite3_bind_text(q, 1, b->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		b->last_error_domain = col_dup(q, 0);
		b->last_error = col_dup(q, 1);
		b->last_error_at = sqlite3_column_int64(q, 2);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : sql_fail(st, s, rc, "backend_state");
	}
	sqlite3_finalize(q);
	return rc;
}

static int collect_peers(struct store *st, struct status *s)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st), SQL_PEERS, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, s, rc, "peers");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct status_peer *p;

		s->peers = xrealloc(s->peers, (s->n_peers + 1) * sizeof(*s->peers));
		p = &s->peers[s->n_peers++];
		memset(p, 0, sizeof(*p));
		p->name = col_dup(q, 0);
		p->url = col_dup(q, 1);
		p->origin = col_dup(q, 2);
		p->degraded = sqlite3_column_int(q, 3) != 0;
		p->failures = sqlite3_column_int64(q, 4);
		p->last_run_at = sqlite3_column_int64(q, 5);
		p->last_ok_at = sqlite3_column_int64(q, 6);
		p->last_error = col_dup(q, 7);
		p->zones_pulled = sqlite3_column_int64(q, 8);
	}
	rc = rc == SQLITE_DONE ? 0 : sql_fail(st, s, rc, "peers");
	sqlite3_finalize(q);
	return rc;
}

static int collect_counters(struct store *st, struct status *s)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st), "SELECT metric, k1, k2, value FROM counters"
				" ORDER BY metric, k1, k2", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, s, rc, "counters");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct status_counter *c;

		s->counters = xrealloc(s->counters, (s->n_counters + 1) * sizeof(*s->counters));
		c = &s->counters[s->n_counters++];
		c->metric = col_dup(q, 0);
		c->k1 = col_dup(q, 1);
		c->k2 = col_dup(q, 2);
		c->value = sqlite3_column_int64(q, 3);
	}
	rc = rc == SQLITE_DONE ? 0 : sql_fail(st, s, rc, "counters");
	sqlite3_finalize(q);
	return rc;
}

static int collect_latency(struct store *st, struct status *s, struct status_latency *l)
{
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st), "SELECT le_ms, n FROM latency WHERE backend = ?1", -1, &q,
				NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, s, rc, "latency");
	sqlite3_bind_text(q, 1, l->backend, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		long long le = sqlite3_column_int64(q, 0);

		for (i = 0; i < status_latency_n; i++)
			if (status_latency_bounds[i] == le)
				l->n[i] += sqlite3_column_int64(q, 1);
	}
	rc = rc == SQLITE_DONE ? 0 : sql_fail(st, s, rc, "latency");
	sqlite3_finalize(q);
	return rc;
}

static int collect_backend(struct store *st, struct status *s, struct status_backend *b)
{
	long long failing_desired = 0, oldest = -1;
	int rc;

	if ((rc = query_int(st, s, SQL_IN_SYNC, b->name, 0, &b->in_sync)) < 0 ||
	    (rc = query_int(st, s, SQL_FAILING, b->name, 0, &b->failing)) < 0 ||
	    (rc = query_int(st, s, SQL_FAILING_DESIRED, b->name, 0, &failing_desired)) < 0 ||
	    (rc = query_int(st, s, SQL_SIGNED, b->name, 0, &b->signed_zones)) < 0 ||
	    (rc = query_int(st, s, SQL_OLDEST, b->name, b->enabled, &oldest)) < 0)
		return rc;
	if ((rc = collect_last_error(st, s, b)) < 0)
		return rc;
	b->behind = s->zones - b->in_sync - failing_desired;
	if (b->behind < 0)
		b->behind = 0;
	if (oldest >= 0)
		b->oldest_job_s = oldest >= s->now ? 0 : (s->now - oldest) / 1000;
	return 0;
}

static int collect_run(struct store *st, struct status *s, const char *program, struct status_run *r)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st), SQL_RUN, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, s, rc, "runs");
	sqlite3_bind_text(q, 1, program, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		r->present = 1;
		r->started_at = sqlite3_column_int64(q, 0);
		r->finished_at = sqlite3_column_int64(q, 1);
		r->ok = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 2) != 0;
		r->summary = xstrdup((const char *)sqlite3_column_text(q, 3));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : sql_fail(st, s, rc, "runs");
	}
	sqlite3_finalize(q);
	if (rc == 0 && r->present) {
		long long ok_at = -1;

		rc = query_int(st, s, SQL_RUN_OK, program, 0, &ok_at);
		r->last_ok_at = ok_at > 0 ? ok_at : 0;
	}
	return rc;
}

void status_add_reason(struct status *s, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->reasons = xrealloc(s->reasons, (s->n_reasons + 1) * sizeof(*s->reasons));
	s->reasons[s->n_reasons++] = xstrdup(buf);
}

static void judge(struct status *s)
{
	size_t i;

	if (s->jobs[STATUS_JOB_DEAD] > 0)
		status_add_reason(s, "%lld dead job%s", s->jobs[STATUS_JOB_DEAD],
			   s->jobs[STATUS_JOB_DEAD] == 1 ? "" : "s");
	for (i = 0; i < s->n_backends; i++) {
		const struct status_backend *b = &s->backends[i];

		if (b->enabled && b->failing > 0)
			status_add_reason(s, "backend %s: %lld failing zone%s", b->name, b->failing,
				   b->failing == 1 ? "" : "s");
		if (b->enabled && b->oldest_job_s > STATUS_LAG_DEGRADED_S)
			status_add_reason(s, "backend %s: oldest job waiting for %lld s", b->name, b->oldest_job_s);
	}
	/* A DA server that could not be polled, orphans the mass-delete guard
	 * kept, a backend heal could not check: someone must look
	 * (dadns-reconcile exited 2). */
	if (s->reconcile.present && s->reconcile.finished_at > 0 && s->reconcile.ok == 0)
		status_add_reason(s, "the last reconcile run failed (a DirectAdmin server unreachable, "
			      "orphans held by the mass-delete guard, or a backend not answering: "
			      "see its summary)");
	for (i = 0; i < s->n_peers; i++)
		if (s->peers[i].degraded)
			status_add_reason(s, "peer %s: degraded after %lld failed passes%s%s", s->peers[i].name,
				   s->peers[i].failures, s->peers[i].last_error ? ": " : "",
				   s->peers[i].last_error ? s->peers[i].last_error : "");
	if (s->worker == 0)
		status_add_reason(s, "the worker is not running: nothing is applied");
	status_judge_secondaries(s);
	s->overall = s->n_reasons ? STATUS_DEGRADED : STATUS_OK;
}

static int collect(struct store *st, const struct config *cfg, struct status *s)
{
	size_t i;
	int rc;

	if ((rc = query_int(st, s, "SELECT count(*) FROM zones", NULL, 0, &s->zones)) < 0 ||
	    (rc = query_int(st, s, "SELECT count(*) FROM tombstones", NULL, 0, &s->tombstones)) < 0 ||
	    (rc = collect_jobs(st, s)) < 0)
		return rc;
	for (i = 0; i < cfg->n_backends; i++)
		if ((rc = collect_backend(st, s, &s->backends[i])) < 0)
			return rc;
	if ((rc = collect_run(st, s, "reconcile", &s->reconcile)) < 0 ||
	    (rc = collect_run(st, s, "peersync", &s->peersync)) < 0 ||
	    (rc = collect_peers(st, s)) < 0 || (rc = collect_counters(st, s)) < 0 ||
	    (rc = status_collect_secondaries(st, cfg, s)) < 0)
		return rc;
	for (i = 0; i < s->n_backends; i++)
		if ((rc = collect_latency(st, s, &s->latency[i])) < 0)
			return rc;
	return 0;
}

int status_collect(struct store *st, const struct config *cfg, int64_t now, struct status *out)
{
	sqlite3 *db = store_db(st);
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->now = now;
	out->worker = status_worker_running(cfg, out->error, sizeof(out->error));
	if (out->worker < 0)
		out->worker = -1;
	out->error[0] = '\0';
	out->latency = xcalloc(cfg->n_backends ? cfg->n_backends : 1, sizeof(*out->latency));
	out->n_backends = cfg->n_backends;
	out->backends = xcalloc(cfg->n_backends ? cfg->n_backends : 1, sizeof(*out->backends));
	for (i = 0; i < cfg->n_backends; i++) {
		out->backends[i].name = cfg->backends[i].name;
		out->backends[i].type = cfg->backends[i].type;
		out->backends[i].enabled = cfg->backends[i].enabled;
		out->backends[i].oldest_job_s = -1;
		out->latency[i].backend = cfg->backends[i].name;
		out->latency[i].n = xcalloc(status_latency_n, sizeof(long long));
	}
	rc = status_db_check(st, out->error, sizeof(out->error));
	if (rc < 0)
		goto out;
	/* One read transaction: every number from the same snapshot. */
	rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = sql_fail(st, out, rc, "the database");
		goto out;
	}
	rc = collect(st, cfg, out);
	sqlite3_exec(db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
out:
	if (rc < 0)
		out->overall = STATUS_ERROR;
	else
		judge(out);
	return rc;
}

static void run_deinit(struct status_run *r)
{
	free(r->summary);
	r->summary = NULL;
}

void status_deinit(struct status *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_reasons; i++)
		free(s->reasons[i]);
	free(s->reasons);
	for (i = 0; i < s->n_backends; i++) {
		free(s->backends[i].last_error);
		free(s->backends[i].last_error_domain);
		if (s->latency)
			free(s->latency[i].n);
	}
	free(s->backends);
	free(s->latency);
	for (i = 0; i < s->n_peers; i++) {
		free(s->peers[i].name);
		free(s->peers[i].url);
		free(s->peers[i].origin);
		free(s->peers[i].last_error);
	}
	free(s->peers);
	for (i = 0; i < s->n_counters; i++) {
		free(s->counters[i].metric);
		free(s->counters[i].k1);
		free(s->counters[i].k2);
	}
	free(s->counters);
	status_secondaries_deinit(s);
	run_deinit(&s->reconcile);
	run_deinit(&s->peersync);
	memset(s, 0, sizeof(*s));
}

/* --- JSON ------------------------------------------------------------------------ */

static json_t *json_time(int64_t ms)
{
	char buf[32];

	if (ms <= 0)
		return json_null();
	status_time(ms, buf, sizeof(buf));
	return json_string(buf);
}

json_t *status_summary_json(const char *summary)
{
	json_t *v;

	if (!summary)
		return json_null();
	v = json_loads(summary, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(v))
		return v;
	json_decref(v);
	/* Not a JSON object: the text itself (null when not valid UTF-8). */
	v = json_string(summary);
	return v ? v : json_null();
}

static json_t *str_or_null(const char *v)
{
	json_t *j = v ? json_string(v) : NULL;

	return j ? j : json_null();
}

static json_t *backend_json(const struct status_backend *b)
{
	json_t *err = json_null();

	if (b->last_error_domain)
		err = json_pack("{s:o, s:o, s:o}", "domain", str_or_null(b->last_error_domain), "error",
				str_or_null(b->last_error), "at", json_time(b->last_error_at));
	return json_pack("{s:o, s:o, s:b, s:I, s:I, s:I, s:I, s:o, s:o}", "name",
			 str_or_null(b->name), "type", str_or_null(b->type), "enabled", b->enabled,
			 "in_sync", (json_int_t)b->in_sync, "behind", (json_int_t)b->behind, "failing",
			 (json_int_t)b->failing, "signed", (json_int_t)b->signed_zones,
			 "oldest_job_seconds",
			 b->oldest_job_s < 0 ? json_null() : json_integer(b->oldest_job_s), "last_error", err);
}

static json_t *peer_json(const struct status_peer *p)
{
	return json_pack("{s:o, s:o, s:o, s:b, s:I, s:o, s:o, s:o, s:I}", "name", str_or_null(p->name),
			 "url", str_or_null(p->url), "origin", str_or_null(p->origin), "degraded",
			 p->degraded, "failures", (json_int_t)p->failures, "last_run_at",
			 json_time(p->last_run_at), "last_ok_at", json_time(p->last_ok_at), "last_error",
			 str_or_null(p->last_error), "zones_pulled", (json_int_t)p->zones_pulled);
}

static json_t *run_json(const struct status_run *r)
{
	json_t *j;

	if (!r->present)
		return json_null();
	j = json_object();
	json_object_set_new(j, "started_at", json_time(r->started_at));
	json_object_set_new(j, "finished_at", json_time(r->finished_at));
	json_object_set_new(j, "ok", r->ok < 0 ? json_null() : json_boolean(r->ok));
	json_object_set_new(j, "last_ok_at", json_time(r->last_ok_at));
	json_object_set_new(j, "summary", status_summary_json(r->summary));
	return j;
}

json_t *status_json(const struct status *s)
{
	json_t *j = json_object(), *jobs, *backends, *reasons, *peers;
	size_t i;

	json_object_set_new(j, "overall", json_string(status_overall_name(s->overall)));
	if (s->overall == STATUS_ERROR) {
		json_object_set_new(j, "error", json_string(s->error));
		return j;
	}
	reasons = json_array();
	for (i = 0; i < s->n_reasons; i++)
		json_array_append_new(reasons, json_string(s->reasons[i]));
	json_object_set_new(j, "reasons", reasons);
	json_object_set_new(j, "worker", json_pack("{s:o}", "running",
						   s->worker < 0 ? json_null() : json_boolean(s->worker)));
	json_object_set_new(j, "zones", json_integer(s->zones));
	json_object_set_new(j, "tombstones", json_integer(s->tombstones));
	jobs = json_object();
	for (i = 0; i < STATUS_JOB_STATES; i++)
		json_object_set_new(jobs, job_states[i], json_integer(s->jobs[i]));
	json_object_set_new(j, "jobs", jobs);
	json_object_set_new(j, "dead_jobs", json_integer(s->jobs[STATUS_JOB_DEAD]));
	backends = json_array();
	for (i = 0; i < s->n_backends; i++)
		json_array_append_new(backends, backend_json(&s->backends[i]));
	json_object_set_new(j, "backends", backends);
	json_object_set_new(j, "reconcile", run_json(&s->reconcile));
	json_object_set_new(j, "peersync", run_json(&s->peersync));
	peers = json_array();
	for (i = 0; i < s->n_peers; i++)
		json_array_append_new(peers, peer_json(&s->peers[i]));
	json_object_set_new(j, "peers", peers);
	json_object_set_new(j, "secondaries", status_secondaries_json(s));
	return j;
}

