/* SPDX-License-Identifier: BSD-3-Clause */
/* status_ui.c -- the push log, push->served times and the per-minute ring
 * behind the operator's page: /status/recent and /status/charts */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/status.h"
#include "lib/status_ui.h"

#define SQL_REFUSED                                                                           \
	"INSERT INTO push_log(at, domain, op, hostname, result, detail)"                       \
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
#define SQL_REFUSED_MINUTE                                                                    \
	"INSERT INTO push_minutes(slot, minute, ok, refused) VALUES(?1 % 1440, ?1, 0, 1)"       \
	" ON CONFLICT(slot) DO UPDATE SET"                                                     \
	" refused = CASE WHEN excluded.minute = minute THEN refused + 1"                       \
	"  WHEN excluded.minute > minute THEN 1 ELSE refused END,"                             \
	" ok = CASE WHEN excluded.minute > minute THEN 0 ELSE ok END,"                         \
	" minute = max(minute, excluded.minute)"
/* ?1 domain or NULL for all; ?2 limit. */
#define SQL_PUSHES                                                                            \
	"SELECT p.seq, p.at, p.op, p.domain, p.hostname, p.serial, p.result, p.detail,"        \
	" p.job_id, j.state FROM push_log p LEFT JOIN jobs j ON j.id = p.job_id"               \
	" WHERE ?1 IS NULL OR p.domain = ?1 ORDER BY p.seq DESC LIMIT ?2"
#define SQL_PUSH_SERVED "SELECT backend, served_at, ms FROM push_served WHERE seq = ?1"
#define SQL_BS_FAIL "SELECT 1 FROM backend_state WHERE backend = ?1 AND domain = ?2 AND result = 'fail'"
#define SQL_DEAD                                                                              \
	"SELECT id, domain, op, backends, attempt, last_error, created_at, updated_at"         \
	" FROM jobs WHERE state = 'dead' ORDER BY updated_at DESC, id DESC LIMIT ?1"
#define SQL_RUNS                                                                              \
	"SELECT program, started_at, finished_at, ok, summary FROM runs WHERE program = ?1"    \
	" ORDER BY started_at DESC, id DESC LIMIT ?2"
#define SQL_MINUTES "SELECT minute, ok, refused FROM push_minutes WHERE minute > ?1 AND minute <= ?2"
#define SQL_RECENT_MS "SELECT ms FROM push_served WHERE backend = ?1 ORDER BY ms"

json_t *status_ui_str(const char *s)
{
	json_t *j;
	char *fixed;
	size_t i, n;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	/* Not UTF-8: each octet above 0x7f becomes '?', the rest is kept. */
	n = strlen(s);
	fixed = xstrdup(s);
	for (i = 0; i < n; i++)
		if ((unsigned char)fixed[i] > 0x7f)
			fixed[i] = '?';
	j = json_string(fixed);
	free(fixed);
	return j ? j : json_null();
}

json_t *status_ui_time(int64_t ms)
{
	char buf[32];

	if (ms <= 0)
		return json_null();
	status_time(ms, buf, sizeof(buf));
	return json_string(buf);
}

static int ui_prepare(struct store *st, const char *sql, sqlite3_stmt **q)
{
	if (sqlite3_prepare_v2(store_db(st), sql, -1, q, NULL) == SQLITE_OK)
		return 0;
	log_err("status: %s: %s", sql, store_errmsg(st));
	sqlite3_finalize(*q);
	*q = NULL;
	return DADNS_EIO;
}

static int ui_rc(struct store *st, int rc)
{
	if (rc == SQLITE_DONE || rc == SQLITE_OK)
		return 0;
	log_err("status: %s", store_errmsg(st));
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? DADNS_EBUSY : DADNS_EIO;
}

static const char *col_text(sqlite3_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q, i);
}

static void bind_field(sqlite3_stmt *q, int i, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	sqlite3_bind_text(q, i, v ? v : "", (int)(n > STATUS_UI_FIELD_MAX ? STATUS_UI_FIELD_MAX : n),
			  SQLITE_TRANSIENT);
}

int status_ui_refused(struct store *st, const char *action, const char *domain,
		      const char *hostname, const char *result, const char *detail, int64_t now)
{
	sqlite3_stmt *q = NULL;
	int rc = store_begin(st);

	if (rc < 0)
		return rc;
	rc = ui_prepare(st, SQL_REFUSED, &q);
	if (rc == 0) {
		sqlite3_bind_int64(q, 1, now);
		bind_field(q, 2, domain);
		bind_field(q, 3, action);
		bind_field(q, 4, hostname);
		bind_field(q, 5, result);
		bind_field(q, 6, detail);
		rc = ui_rc(st, sqlite3_step(q));
		sqlite3_finalize(q);
	}
	if (rc == 0 && (rc = ui_prepare(st, SQL_REFUSED_MINUTE, &q)) == 0) {
		sqlite3_bind_int64(q, 1, now / 60000);
		rc = ui_rc(st, sqlite3_step(q));
		sqlite3_finalize(q);
	}
	if (rc < 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

/* The state of push seq (domain) on each enabled backend; qs and qf are
 * SQL_PUSH_SERVED and SQL_BS_FAIL, prepared once by the caller. */
static int push_served_json(struct store *st, const struct config *cfg, sqlite3_stmt *qs,
			    sqlite3_stmt *qf, int64_t seq, const char *domain, int accepted, json_t *served)
{
	size_t i;
	int rc;

	sqlite3_reset(qs);
	sqlite3_bind_int64(qs, 1, seq);
	while ((rc = sqlite3_step(qs)) == SQLITE_ROW)
		json_object_set_new(served, col_text(qs, 0),
				    json_pack("{s:s, s:I, s:o}", "state", "served", "ms",
					      (json_int_t)sqlite3_column_int64(qs, 2), "at",
					      status_ui_time(sqlite3_column_int64(qs, 1))));
	if ((rc = ui_rc(st, rc)) < 0 || !accepted)
		return rc;
	for (i = 0; i < cfg->n_backends && rc == 0; i++) {
		const char *b = cfg->backends[i].name;

		if (!cfg->backends[i].enabled || json_object_get(served, b))
			continue;
		sqlite3_reset(qf);
		sqlite3_bind_text(qf, 1, b, -1, SQLITE_STATIC);
		sqlite3_bind_text(qf, 2, domain, -1, SQLITE_STATIC);
		rc = sqlite3_step(qf);
		json_object_set_new(served, b, json_pack("{s:s}", "state",
							 rc == SQLITE_ROW ? "failing" : "pending"));
		rc = rc == SQLITE_ROW ? 0 : ui_rc(st, rc);
	}
	return rc;
}

static json_t *push_row_json(sqlite3_stmt *q)
{
	json_t *job = json_null();

	if (sqlite3_column_type(q, 8) != SQLITE_NULL)
		job = json_pack("{s:I, s:o}", "id", (json_int_t)sqlite3_column_int64(q, 8), "state",
				status_ui_str(col_text(q, 9)));
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "seq",
			 (json_int_t)sqlite3_column_int64(q, 0), "at",
			 status_ui_time(sqlite3_column_int64(q, 1)), "action", status_ui_str(col_text(q, 2)),
			 "domain", status_ui_str(col_text(q, 3)), "hostname", status_ui_str(col_text(q, 4)),
			 "serial", sqlite3_column_type(q, 5) == SQLITE_NULL ? json_null()
			 : json_integer(sqlite3_column_int64(q, 5)),
			 "result", status_ui_str(col_text(q, 6)), "detail", status_ui_str(col_text(q, 7)),
			 "job", job);
}

json_t *status_ui_pushes(struct store *st, const struct config *cfg, const char *domain, int limit,
			 int *rc)
{
	json_t *out = json_array();
	sqlite3_stmt *q = NULL, *qs = NULL, *qf = NULL;
	int step;

	*rc = ui_prepare(st, SQL_PUSHES, &q);
	if (*rc < 0)
		return out;
	if (domain)
		sqlite3_bind_text(q, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, limit);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		json_t *row = push_row_json(q), *served = json_object();

		json_object_set_new(row, "served", served);
		json_array_append_new(out, row);
	}
	*rc = ui_rc(st, step);
	sqlite3_finalize(q);
	/* Second pass, the first statement finished: where each push is served. */
	if (*rc == 0 && (*rc = ui_prepare(st, SQL_PUSH_SERVED, &qs)) == 0)
		*rc = ui_prepare(st, SQL_BS_FAIL, &qf);
	for (size_t i = 0; i < json_array_size(out) && *rc == 0; i++) {
		json_t *row = json_array_get(out, i);

		*rc = push_served_json(st, cfg, qs, qf, json_integer_value(json_object_get(row, "seq")),
				       json_string_value(json_object_get(row, "domain")),
				       !strcmp(json_string_value(json_object_get(row, "result")), "ok"),
				       json_object_get(row, "served"));
	}
	sqlite3_finalize(qs);
	sqlite3_finalize(qf);
	return out;
}

static int dead_jobs_json(struct store *st, json_t *out)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = ui_prepare(st, SQL_DEAD, &q)) < 0)
		return rc;
	sqlite3_bind_int(q, 1, STATUS_UI_DEAD);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:I, s:o, s:o, s:o, s:i, s:o, s:o, s:o}", "id",
			(json_int_t)sqlite3_column_int64(q, 0), "domain", status_ui_str(col_text(q, 1)),
			"op", status_ui_str(col_text(q, 2)), "backends", status_ui_str(col_text(q, 3)),
			"attempt", sqlite3_column_int(q, 4), "error", status_ui_str(col_text(q, 5)),
			"created_at", status_ui_time(sqlite3_column_int64(q, 6)),
			"updated_at", status_ui_time(sqlite3_column_int64(q, 7))));
	rc = ui_rc(st, rc);
	sqlite3_finalize(q);
	return rc;
}

static int runs_json(struct store *st, const char *program, json_t *out)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = ui_prepare(st, SQL_RUNS, &q)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, program, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, STATUS_UI_RUNS);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:s, s:o, s:o, s:o, s:o}", "program", program,
			"started_at", status_ui_time(sqlite3_column_int64(q, 1)),
			"finished_at", status_ui_time(sqlite3_column_int64(q, 2)),
			"ok", sqlite3_column_type(q, 3) == SQLITE_NULL ? json_null()
			: json_boolean(sqlite3_column_int(q, 3)),
			"summary", status_summary_json(col_text(q, 4))));
	rc = ui_rc(st, rc);
	sqlite3_finalize(q);
	return rc;
}

/* j when rc is 0, else NULL (j freed) with err set. */
static json_t *ui_read(struct store *st, json_t *j, int rc, char *err, size_t errlen)
{
	if (rc == 0)
		return j;
	snprintf(err, errlen, "cannot read the database: %s", store_errmsg(st));
	json_decref(j);
	return NULL;
}

static int ui_begin(struct store *st, char *err, size_t errlen)
{
	int rc = status_db_check(st, err, errlen);

	if (rc < 0)
		return rc;
	if (sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the database: %s", store_errmsg(st));
		return DADNS_EIO;
	}
	return 0;
}

static void ui_end(struct store *st)
{
	sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
}

json_t *status_ui_recent(struct store *st, const struct config *cfg, int64_t now, char *err,
			 size_t errlen)
{
	json_t *j, *names = json_array(), *dead = json_array(), *runs = json_array();
	size_t i;
	int rc;

	for (i = 0; i < cfg->n_backends; i++)
		if (cfg->backends[i].enabled)
			json_array_append_new(names, json_string(cfg->backends[i].name));
	j = json_pack("{s:o, s:o}", "now", status_ui_time(now), "backends", names);
	if (ui_begin(st, err, errlen) < 0) {
		json_decref(j);
		json_decref(dead);
		json_decref(runs);
		return NULL;
	}
	json_object_set_new(j, "pushes", status_ui_pushes(st, cfg, NULL, STATUS_UI_RECENT, &rc));
	json_object_set_new(j, "dead_jobs", dead);
	json_object_set_new(j, "runs", runs);
	if (rc == 0)
		rc = dead_jobs_json(st, dead);
	if (rc == 0)
		rc = runs_json(st, "reconcile", runs);
	if (rc == 0)
		rc = runs_json(st, "peersync", runs);
	j = ui_read(st, j, rc, err, errlen);
	ui_end(st);
	return j;
}

static int minutes_json(struct store *st, int64_t now, json_t *pm)
{
	int64_t last = now / 60000, first = last - STATUS_UI_MINUTES + 1;
	json_t *ok = json_array(), *refused = json_array();
	long long n_ok[STATUS_UI_MINUTES] = { 0 }, n_ref[STATUS_UI_MINUTES] = { 0 };
	sqlite3_stmt *q = NULL;
	int rc;
	size_t i;

	json_object_set_new(pm, "start", status_ui_time(first * 60000));
	json_object_set_new(pm, "step_seconds", json_integer(60));
	json_object_set_new(pm, "ok", ok);
	json_object_set_new(pm, "refused", refused);
	if ((rc = ui_prepare(st, SQL_MINUTES, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, first - 1);
	sqlite3_bind_int64(q, 2, last);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t m = sqlite3_column_int64(q, 0) - first;

		n_ok[m] = sqlite3_column_int64(q, 1);
		n_ref[m] = sqlite3_column_int64(q, 2);
	}
	rc = ui_rc(st, rc);
	sqlite3_finalize(q);
	for (i = 0; i < STATUS_UI_MINUTES; i++) {
		json_array_append_new(ok, json_integer(n_ok[i]));
		json_array_append_new(refused, json_integer(n_ref[i]));
	}
	return rc;
}

/* The upper bound of the bucket holding quantile p of l (null: none, or +Inf). */
static json_t *bucket_quantile(const struct status_latency *l, long long total, double p)
{
	long long cum = 0;
	size_t i;

	if (total == 0)
		return json_null();
	for (i = 0; i < status_latency_n; i++) {
		cum += l->n[i];
		if ((double)cum >= p * (double)total)
			return status_latency_bounds[i] < 0 ? json_null()
			       : json_integer(status_latency_bounds[i]);
	}
	return json_null();
}

/* Exact p50/p99 (nearest rank) of backend's push->served times in push_served. */
static int recent_quantiles(struct store *st, const char *backend, json_t **out)
{
	sqlite3_stmt *q = NULL;
	long long *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if ((rc = ui_prepare(st, SQL_RECENT_MS, &q)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, backend, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = sqlite3_column_int64(q, 0);
	}
	rc = ui_rc(st, rc);
	sqlite3_finalize(q);
	if (n == 0)
		*out = json_pack("{s:i, s:n, s:n}", "n", 0, "p50_ms", "p99_ms");
	else
		*out = json_pack("{s:I, s:I, s:I}", "n", (json_int_t)n, "p50_ms",
				 (json_int_t)v[(n * 50 + 99) / 100 - 1], "p99_ms",
				 (json_int_t)v[(n * 99 + 99) / 100 - 1]);
	free(v);
	return rc;
}

static long long latency_sum(const struct status *s, const char *backend)
{
	size_t i;

	for (i = 0; i < s->n_counters; i++)
		if (!strcmp(s->counters[i].metric, "latency_sum_ms") && !strcmp(s->counters[i].k1, backend))
			return s->counters[i].value;
	return 0;
}

static int latency_json(struct store *st, const struct status *s, json_t *out)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; i < s->n_backends && rc == 0; i++) {
		const struct status_latency *l = &s->latency[i];
		json_t *buckets = json_array(), *recent = NULL;
		long long total = 0;

		for (k = 0; k < status_latency_n; k++) {
			total += l->n[k];
			json_array_append_new(buckets, json_pack("{s:o, s:I}", "le_ms",
				status_latency_bounds[k] < 0 ? json_null() : json_integer(status_latency_bounds[k]),
				"n", (json_int_t)l->n[k]));
		}
		rc = recent_quantiles(st, l->backend, &recent);
		json_array_append_new(out, json_pack("{s:s, s:b, s:o, s:I, s:I, s:o, s:o, s:o}",
			"backend", l->backend, "enabled", s->backends[i].enabled, "buckets", buckets,
			"count", (json_int_t)total, "sum_ms", (json_int_t)latency_sum(s, l->backend),
			"p50_le_ms", bucket_quantile(l, total, 0.50),
			"p99_le_ms", bucket_quantile(l, total, 0.99), "recent", recent));
	}
	return rc;
}

json_t *status_ui_charts(struct store *st, const struct config *cfg, int64_t now, char *err,
			 size_t errlen)
{
	json_t *j, *pm = json_object(), *lat = json_array();
	struct status s;
	int rc;

	/* The histogram as /metrics reads it (status_collect). */
	rc = status_collect(st, cfg, now, &s);
	if (rc < 0) {
		snprintf(err, errlen, "%s", s.error);
		status_deinit(&s);
		json_decref(pm);
		json_decref(lat);
		return NULL;
	}
	j = json_pack("{s:o, s:o, s:o}", "now", status_ui_time(now), "per_minute", pm, "latency", lat);
	rc = ui_begin(st, err, errlen);
	if (rc == 0) {
		rc = minutes_json(st, now, pm);
		if (rc == 0)
			rc = latency_json(st, &s, lat);
		j = ui_read(st, j, rc, err, errlen);
		ui_end(st);
	} else {
		json_decref(j);
		j = NULL;
	}
	status_deinit(&s);
	return j;
}
