/* SPDX-License-Identifier: BSD-3-Clause */
/* status.c -- what the operator asks: desired zones, queue, backend sync, last runs */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/status.h"

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
/* ?2: the backend is enabled, so that jobs for every backend are its too. */
#define SQL_OLDEST                                                                           \
	"SELECT min(created_at) FROM jobs WHERE state IN ('queued', 'running')"             \
	" AND (backends = ?1 OR (?2 AND backends IS NULL))"
#define SQL_RUN                                                                              \
	"SELECT started_at, finished_at, ok, summary FROM runs WHERE program = ?1"          \
	" ORDER BY started_at DESC, id DESC LIMIT 1"

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

static int collect_backend(struct store *st, struct status *s, struct status_backend *b)
{
	long long failing_desired = 0, oldest = -1;
	int rc;

	if ((rc = query_int(st, s, SQL_IN_SYNC, b->name, 0, &b->in_sync)) < 0 ||
	    (rc = query_int(st, s, SQL_FAILING, b->name, 0, &b->failing)) < 0 ||
	    (rc = query_int(st, s, SQL_FAILING_DESIRED, b->name, 0, &failing_desired)) < 0 ||
	    (rc = query_int(st, s, SQL_OLDEST, b->name, b->enabled, &oldest)) < 0)
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
	return rc;
}

static void add_reason(struct status *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_reason(struct status *s, const char *fmt, ...)
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
		add_reason(s, "%lld dead job%s", s->jobs[STATUS_JOB_DEAD],
			   s->jobs[STATUS_JOB_DEAD] == 1 ? "" : "s");
	for (i = 0; i < s->n_backends; i++) {
		const struct status_backend *b = &s->backends[i];

		if (b->enabled && b->failing > 0)
			add_reason(s, "backend %s: %lld failing zone%s", b->name, b->failing,
				   b->failing == 1 ? "" : "s");
		if (b->enabled && b->oldest_job_s > STATUS_LAG_DEGRADED_S)
			add_reason(s, "backend %s: oldest job waiting for %lld s", b->name, b->oldest_job_s);
	}
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
	    (rc = collect_run(st, s, "peersync", &s->peersync)) < 0)
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
	out->n_backends = cfg->n_backends;
	out->backends = xcalloc(cfg->n_backends ? cfg->n_backends : 1, sizeof(*out->backends));
	for (i = 0; i < cfg->n_backends; i++) {
		out->backends[i].name = cfg->backends[i].name;
		out->backends[i].type = cfg->backends[i].type;
		out->backends[i].enabled = cfg->backends[i].enabled;
		out->backends[i].oldest_job_s = -1;
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
	free(s->backends);
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

static json_t *run_json(const struct status_run *r)
{
	json_t *j;

	if (!r->present)
		return json_null();
	j = json_object();
	json_object_set_new(j, "started_at", json_time(r->started_at));
	json_object_set_new(j, "finished_at", json_time(r->finished_at));
	json_object_set_new(j, "ok", r->ok < 0 ? json_null() : json_boolean(r->ok));
	/* json_string refuses invalid UTF-8: then the summary is shown as null. */
	json_object_set_new(j, "summary", r->summary ? json_string(r->summary) : json_null());
	if (!json_object_get(j, "summary"))
		json_object_set_new(j, "summary", json_null());
	return j;
}

json_t *status_json(const struct status *s)
{
	json_t *j = json_object(), *jobs, *backends, *reasons;
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
	json_object_set_new(j, "zones", json_integer(s->zones));
	json_object_set_new(j, "tombstones", json_integer(s->tombstones));
	jobs = json_object();
	for (i = 0; i < STATUS_JOB_STATES; i++)
		json_object_set_new(jobs, job_states[i], json_integer(s->jobs[i]));
	json_object_set_new(j, "jobs", jobs);
	json_object_set_new(j, "dead_jobs", json_integer(s->jobs[STATUS_JOB_DEAD]));
	backends = json_array();
	for (i = 0; i < s->n_backends; i++) {
		const struct status_backend *b = &s->backends[i];

		json_array_append_new(backends, json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:o}",
			"name", b->name, "type", b->type, "enabled", b->enabled,
			"in_sync", (json_int_t)b->in_sync, "behind", (json_int_t)b->behind,
			"failing", (json_int_t)b->failing, "oldest_job_seconds",
			b->oldest_job_s < 0 ? json_null() : json_integer(b->oldest_job_s)));
	}
	json_object_set_new(j, "backends", backends);
	json_object_set_new(j, "reconcile", run_json(&s->reconcile));
	json_object_set_new(j, "peersync", run_json(&s->peersync));
	return j;
}

/* --- Prometheus -------------------------------------------------------------------- */

void status_prom_label(struct strbuf *sb, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\')
			strbuf_puts(sb, "\\\\");
		else if (*v == '"')
			strbuf_puts(sb, "\\\"");
		else if (*v == '\n')
			strbuf_puts(sb, "\\n");
		else
			strbuf_append(sb, v, 1);
	}
}

static void prom_head(struct strbuf *sb, const char *name, const char *type, const char *help)
{
	strbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{label="value"[,label2="value2"]} n */
static void prom_sample(struct strbuf *sb, const char *name, const char *label, const char *value,
			const char *label2, const char *value2, long long n)
{
	strbuf_puts(sb, name);
	if (label) {
		strbuf_printf(sb, "{%s=\"", label);
		status_prom_label(sb, value);
		if (label2) {
			strbuf_printf(sb, "\",%s=\"", label2);
			status_prom_label(sb, value2);
		}
		strbuf_puts(sb, "\"}");
	}
	strbuf_printf(sb, " %lld\n", n);
}

static void metrics_backends(const struct status *s, struct strbuf *sb)
{
	static const char *const zstates[] = { "in_sync", "behind", "failing" };
	size_t i, k;

	prom_head(sb, "dadns_backend_enabled", "gauge", "Whether the backend is enabled (1) or not (0).");
	for (i = 0; i < s->n_backends; i++)
		prom_sample(sb, "dadns_backend_enabled", "backend", s->backends[i].name, "type",
			    s->backends[i].type, s->backends[i].enabled);
	prom_head(sb, "dadns_backend_zones", "gauge",
		  "Zones of a backend by state: in_sync, behind, failing.");
	for (i = 0; i < s->n_backends; i++) {
		const struct status_backend *b = &s->backends[i];
		long long n[] = { b->in_sync, b->behind, b->failing };

		for (k = 0; k < ARRAY_SIZE(zstates); k++)
			prom_sample(sb, "dadns_backend_zones", "backend", b->name, "state", zstates[k], n[k]);
	}
	prom_head(sb, "dadns_backend_oldest_job_seconds", "gauge",
		  "Age of the oldest queued or running job of a backend (0 when none).");
	for (i = 0; i < s->n_backends; i++)
		prom_sample(sb, "dadns_backend_oldest_job_seconds", "backend", s->backends[i].name, NULL,
			    NULL, s->backends[i].oldest_job_s < 0 ? 0 : s->backends[i].oldest_job_s);
}

static void metrics_runs(const struct status *s, struct strbuf *sb)
{
	const struct status_run *runs[] = { &s->reconcile, &s->peersync };
	static const char *const programs[] = { "reconcile", "peersync" };
	size_t i;

	prom_head(sb, "dadns_last_run_timestamp_seconds", "gauge",
		  "Start of the last run of a program, in seconds since the epoch.");
	for (i = 0; i < ARRAY_SIZE(runs); i++)
		if (runs[i]->present)
			prom_sample(sb, "dadns_last_run_timestamp_seconds", "program", programs[i], NULL,
				    NULL, runs[i]->started_at / 1000);
	prom_head(sb, "dadns_last_run_ok", "gauge",
		  "Whether the last finished run of a program succeeded (1) or not (0).");
	for (i = 0; i < ARRAY_SIZE(runs); i++)
		if (runs[i]->present && runs[i]->ok >= 0)
			prom_sample(sb, "dadns_last_run_ok", "program", programs[i], NULL, NULL, runs[i]->ok);
}

void status_metrics(const struct status *s, struct strbuf *sb)
{
	size_t i;

	prom_head(sb, "dadns_up", "gauge", "Whether the database could be read (1) or not (0).");
	prom_sample(sb, "dadns_up", NULL, NULL, NULL, NULL, s->overall != STATUS_ERROR);
	prom_head(sb, "dadns_status", "gauge", "Overall state: 1 for the current one of ok, degraded, error.");
	for (i = STATUS_OK; i <= STATUS_ERROR; i++)
		prom_sample(sb, "dadns_status", "state", status_overall_name((int)i), NULL, NULL,
			    s->overall == (int)i);
	if (s->overall == STATUS_ERROR)
		return;
	prom_head(sb, "dadns_zones", "gauge", "Zones in the desired state.");
	prom_sample(sb, "dadns_zones", NULL, NULL, NULL, NULL, s->zones);
	prom_head(sb, "dadns_tombstones", "gauge", "Tombstones of deleted zones.");
	prom_sample(sb, "dadns_tombstones", NULL, NULL, NULL, NULL, s->tombstones);
	prom_head(sb, "dadns_jobs", "gauge", "Jobs by state.");
	for (i = 0; i < STATUS_JOB_STATES; i++)
		prom_sample(sb, "dadns_jobs", "state", job_states[i], NULL, NULL, s->jobs[i]);
	prom_head(sb, "dadns_dead_jobs", "gauge", "Jobs whose retries are spent (dadnsctl retry --dead).");
	prom_sample(sb, "dadns_dead_jobs", NULL, NULL, NULL, NULL, s->jobs[STATUS_JOB_DEAD]);
	metrics_backends(s, sb);
	metrics_runs(s, sb);
}
