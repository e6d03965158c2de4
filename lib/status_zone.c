/* SPDX-License-Identifier: BSD-3-Clause */
/* status_zone.c -- GET /status/zone?domain=D: one zone as stored, and where
 * each backend stands with it (lib/status_ui.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "lib/log.h"
#include "lib/status.h"
#include "lib/status_ui.h"

#define SQL_BS                                                                                \
	"SELECT serial, result, error, attempts, applied_at, verified_at, signed FROM backend_state" \
	" WHERE backend = ?1 AND domain = ?2"
#define SQL_JOBS                                                                              \
	"SELECT id, op, state, backends, attempt, last_error, created_at FROM jobs"            \
	" WHERE domain = ?1 AND state IN ('queued', 'running', 'dead') ORDER BY id DESC LIMIT 50"
#define SQL_TOMB "SELECT serial, hostname, username, deleted_at FROM tombstones WHERE domain = ?1"

int status_ui_zone_query(const char *query, char out[DOMAIN_MAX + 1], const char **why)
{
	struct http_form f;
	const char *v = NULL;
	int rc;

	out[0] = '\0';
	http_form_init(&f);
	rc = http_form_parse(&f, query, strlen(query));
	if (rc < 0) {
		*why = rc == DADNS_E2BIG ? "too many parameters" : "bad URL encoding";
		goto out;
	}
	rc = http_form_get_unique(&f, "domain", &v);
	if (rc == DADNS_ENOENT)
		*why = "domain is required";
	else if (rc < 0)
		*why = "domain is given twice with different values";
	else if (!*v)
		*why = "domain is empty";
	else if (strlen(v) > DOMAIN_MAX + 1)
		*why = "domain is too long";
	else if (domain_normalize(v, strlen(v), out) < 0)
		*why = "domain is not a zone name";
	else
		*why = NULL;
out:
	http_form_deinit(&f);
	return *why ? DADNS_EINVAL : 0;
}

static json_t *int_or_null(sqlite3_stmt *q, int i)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? json_null()
	       : json_integer(sqlite3_column_int64(q, i));
}

static int q_prepare(struct store *st, const char *sql, sqlite3_stmt **q)
{
	if (sqlite3_prepare_v2(store_db(st), sql, -1, q, NULL) == SQLITE_OK)
		return 0;
	log_err("status: zone: %s", store_errmsg(st));
	return DADNS_EIO;
}

static int q_end(struct store *st, sqlite3_stmt *q, int step)
{
	sqlite3_finalize(q);
	if (step == SQLITE_DONE || step == SQLITE_ROW)
		return 0;
	log_err("status: zone: %s", store_errmsg(st));
	return step == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
}

/* Each configured backend's row for the zone, judged as lib/status.h says. */
static int zone_backends(struct store *st, const struct config *cfg, const struct store_zone *z,
			 json_t *out)
{
	size_t i;

	for (i = 0; i < cfg->n_backends; i++) {
		const struct config_backend *b = &cfg->backends[i];
		const char *state = "behind";
		sqlite3_stmt *q = NULL;
		json_t *row;
		int step;

		if (q_prepare(st, SQL_BS, &q) < 0)
			return DADNS_EIO;
		sqlite3_bind_text(q, 1, b->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, z->domain, -1, SQLITE_STATIC);
		step = sqlite3_step(q);
		row = json_pack("{s:s, s:s, s:b}", "name", b->name, "type", b->type, "enabled", b->enabled);
		if (step == SQLITE_ROW) {
			const char *result = (const char *)sqlite3_column_text(q, 1);

			if (!strcmp(result, "fail"))
				state = "failing";
			else if (sqlite3_column_int64(q, 0) == z->serial &&
				 sqlite3_column_int64(q, 4) >= z->updated_at)
				state = "in_sync";
			json_object_set_new(row, "serial", int_or_null(q, 0));
			json_object_set_new(row, "result", status_ui_str(result));
			json_object_set_new(row, "error",
					    status_ui_str((const char *)sqlite3_column_text(q, 2)));
			json_object_set_new(row, "attempts", json_integer(sqlite3_column_int(q, 3)));
			json_object_set_new(row, "applied_at", status_ui_time(sqlite3_column_int64(q, 4)));
			json_object_set_new(row, "verified_at", status_ui_time(sqlite3_column_int64(q, 5)));
			json_object_set_new(row, "signed", json_boolean(sqlite3_column_int(q, 6)));
		}
		json_object_set_new(row, "state", json_string(state));
		json_array_append_new(out, row);
		if (q_end(st, q, step) < 0)
			return DADNS_EIO;
	}
	return 0;
}

static int zone_jobs(struct store *st, const char *domain, json_t *out)
{
	sqlite3_stmt *q = NULL;
	int step;

	if (q_prepare(st, SQL_JOBS, &q) < 0)
		return DADNS_EIO;
	sqlite3_bind_text(q, 1, domain, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:I, s:o, s:o, s:o, s:i, s:o, s:o}", "id",
			(json_int_t)sqlite3_column_int64(q, 0),
			"op", status_ui_str((const char *)sqlite3_column_text(q, 1)),
			"state", status_ui_str((const char *)sqlite3_column_text(q, 2)),
			"backends", status_ui_str((const char *)sqlite3_column_text(q, 3)),
			"attempt", sqlite3_column_int(q, 4),
			"error", status_ui_str((const char *)sqlite3_column_text(q, 5)),
			"created_at", status_ui_time(sqlite3_column_int64(q, 6))));
	return q_end(st, q, step);
}

/* The 404 body: the tombstone when the zone was deleted. */
static int zone_absent(struct store *st, const char *domain, json_t **out)
{
	sqlite3_stmt *q = NULL;
	json_t *tomb = json_null();
	int step;

	if (q_prepare(st, SQL_TOMB, &q) < 0)
		return DADNS_EIO;
	sqlite3_bind_text(q, 1, domain, -1, SQLITE_STATIC);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		tomb = json_pack("{s:I, s:o, s:o, s:o}", "serial", (json_int_t)sqlite3_column_int64(q, 0),
				 "hostname", status_ui_str((const char *)sqlite3_column_text(q, 1)),
				 "username", status_ui_str((const char *)sqlite3_column_text(q, 2)),
				 "deleted_at", status_ui_time(sqlite3_column_int64(q, 3)));
	*out = json_pack("{s:s, s:s, s:o}", "error", "no such zone", "domain", domain, "tombstone", tomb);
	return q_end(st, q, step);
}

static int zone_read(struct store *st, const struct config *cfg, const char *domain, json_t **out)
{
	json_t *j, *backends = json_array(), *jobs = json_array(), *pushes;
	struct store_zone z;
	int rc;

	rc = store_zone_get(st, domain, 1, &z);
	if (rc == DADNS_ENOENT) {
		json_decref(backends);
		json_decref(jobs);
		rc = zone_absent(st, domain, out);
		return rc < 0 ? rc : DADNS_ENOENT;
	}
	if (rc < 0) {
		json_decref(backends);
		json_decref(jobs);
		return rc;
	}
	j = json_pack("{s:s, s:o, s:o, s:I, s:i, s:o, s:o, s:o, s:o}", "domain", z.domain,
		      "hostname", status_ui_str(z.hostname), "username", status_ui_str(z.username),
		      "serial", (json_int_t)z.serial, "records", z.records, "source",
		      status_ui_str(z.source), "created_at", status_ui_time(z.created_at),
		      "updated_at", status_ui_time(z.updated_at), "zone_text", status_ui_str(z.zone_text));
	json_object_set_new(j, "backends", backends);
	json_object_set_new(j, "jobs", jobs);
	rc = zone_backends(st, cfg, &z, backends);
	if (rc == 0)
		rc = zone_jobs(st, domain, jobs);
	if (rc == 0) {
		pushes = status_ui_pushes(st, cfg, domain, STATUS_UI_RECENT, &rc);
		json_object_set_new(j, "pushes", pushes);
	}
	store_zone_deinit(&z);
	if (rc < 0) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return 0;
}

int status_ui_zone(struct store *st, const struct config *cfg, const char *domain, int64_t now,
		   json_t **out, char *err, size_t errlen)
{
	int rc;

	(void)now;
	*out = NULL;
	rc = status_db_check(st, err, errlen);
	if (rc < 0)
		return rc;
	if (sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the database: %s", store_errmsg(st));
		return DADNS_EIO;
	}
	rc = zone_read(st, cfg, domain, out);
	if (rc < 0 && rc != DADNS_ENOENT) {
		snprintf(err, errlen, "cannot read the database: %s", store_errmsg(st));
		json_decref(*out);
		*out = NULL;
	}
	sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
	return rc;
}
